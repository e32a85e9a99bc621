//! Andor SIF (Andor Solis; the cameras of many PL setups), written here because no crate reads
//! it. The layout is documented by the public sif_parser project (facts carried over, not code):
//!
//! - text lines: the signature `Andor Technology Multi-Channel File`, a version line, one long
//!   line of acquisition parameters (its 6th token is the *detector* temperature in °C), the
//!   detector model, its size, the original file name, then `65538 N` and N bytes of user text;
//! - spectrograph lines, then after a line starting `65540` the wavelength calibration: up to
//!   four polynomial coefficients, x = c0 + c1 p + c2 p^2 + c3 p^3 for pixel p = 1, 2, ...;
//! - three length-prefixed labels (the frame axis `Wavelength`/`Raman shift`/`Pixel number`, the
//!   data type, the image axis), then `65541 x0 y_top x1 y_bottom frames subimages total length`,
//!   one `65538 x0 y_top x1 y_bottom y_bin x_bin` line per subimage, one time stamp per frame,
//!   a flag line (1: one more line per frame), then `frames * total` little-endian float32.
//!
//! A file may hold a second block after the first (Solis keeps a background this way): only the
//! first block, the signal, is read, and the rest is noted. Every row of every frame is a
//! spectrum (a multi-track readout or a kinetic series becomes a series of one stone).

use super::{Raw, ReadErrorKind};
use crate::spectrum::metadata::Metadata;
use crate::spectrum::units::{XUnit, YUnit};

type Failure = (Option<usize>, ReadErrorKind);

pub(super) const MAGIC: &[u8] = b"Andor Technology Multi-Channel File";

/// More rows than this in one frame is a camera image, not spectra.
const MAX_ROWS: usize = 64;
/// More spectra than this in one file are refused (a kinetic series this long is an archive).
const MAX_SPECTRA: usize = 4096;

fn bad(why: impl Into<String>) -> Failure {
    (
        None,
        ReadErrorKind::Syntax(format!("Andor SIF: {}", why.into())),
    )
}

/// A cursor over the file: text lines and raw byte runs.
struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn line(&mut self) -> Result<&'a [u8], Failure> {
        if self.at >= self.b.len() {
            return Err(bad("the file ends inside its header"));
        }
        let rest = &self.b[self.at..];
        let n = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
        self.at += (n + 1).min(rest.len());
        Ok(&rest[..n])
    }

    fn text(&mut self) -> Result<String, Failure> {
        Ok(String::from_utf8_lossy(self.line()?).trim().to_string())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Failure> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| bad("the file ends inside a block its header announces"))?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_ascii_whitespace()
        .map_while(|t| t.parse::<f64>().ok())
        .collect()
}

fn ints(s: &str, what: &str, n: usize) -> Result<Vec<usize>, Failure> {
    let v: Vec<usize> = s
        .split_ascii_whitespace()
        .map_while(|t| t.parse::<usize>().ok())
        .collect();
    if v.len() < n {
        let shown: String = s.chars().take(40).filter(|c| !c.is_control()).collect();
        return Err(bad(format!("cannot read the {what} line {shown:?}")));
    }
    Ok(v)
}

pub(super) fn read(bytes: &[u8]) -> Result<Vec<Raw>, Failure> {
    let mut c = Cursor { b: bytes, at: 0 };
    if !c.line()?.starts_with(MAGIC) {
        return Err(bad("no signature"));
    }
    let _version = c.text()?;
    let params = c.text()?;
    let model = c.text()?;
    let _dims = c.text()?;
    let _original = c.text()?;
    let user = c.text()?;
    let n_user = ints(&user, "user text", 2)?[1];
    c.take(n_user)?;

    // Spectrograph lines, then the calibration after the first `65540` line.
    let mut calibration = None;
    let mut grating = None;
    for _ in 0..200 {
        let l = c.text()?;
        if l.starts_with("65540 ") && grating.is_none() {
            grating = Some(l.clone());
            // The first 65540 line is the spectrograph's (centre wavelength, grooves, blaze);
            // the calibration follows the second.
            continue;
        }
        if l.starts_with("65540") && grating.is_some() {
            let cal = numbers(&c.text()?);
            if cal.is_empty() || cal.len() > 6 {
                return Err(bad("no wavelength calibration"));
            }
            calibration = Some(cal);
            break;
        }
    }
    let cal = calibration.ok_or_else(|| bad("no wavelength calibration found"))?;

    // The three length-prefixed labels: a line holding only a length, then the label bytes,
    // each label followed directly by the next length (or by the 65541 structure line).
    let mut len_line = None;
    for _ in 0..40 {
        let l = c.text()?;
        let next_is_label = bytes.get(c.at).is_some_and(|b| b.is_ascii_alphabetic());
        if let Ok(n) = l.parse::<usize>()
            && (1..=256).contains(&n)
            && next_is_label
        {
            len_line = Some(n);
            break;
        }
    }
    let mut n = len_line.ok_or_else(|| bad("no axis labels"))?;
    let mut labels = Vec::new();
    let mut structure = String::new();
    for i in 0..3 {
        let label = String::from_utf8_lossy(c.take(n)?).to_string();
        labels.push(label);
        let rest = c.text()?;
        if i < 2 {
            n = rest
                .parse()
                .map_err(|_| bad("cannot read an axis label's length"))?;
        } else {
            structure = rest;
        }
    }
    let s = ints(&structure, "image structure", 9)?;
    if s[0] != 65541 {
        return Err(bad("unexpected image structure line"));
    }
    let (frames, subimages, total) = (s[5], s[6], s[7]);
    let mut width = 0usize;
    let mut rows = 0usize;
    for _ in 0..subimages.min(16) {
        let sub = ints(&c.text()?, "subimage", 7)?;
        let (x0, yt, x1, yb, ybin, xbin) = (sub[1], sub[2], sub[3], sub[4], sub[5], sub[6]);
        if x1 < x0 || yt < yb || xbin == 0 || ybin == 0 {
            return Err(bad("subimage with an empty area"));
        }
        width = (x1 - x0).saturating_add(1) / xbin;
        rows = rows.saturating_add((yt - yb).saturating_add(1) / ybin);
    }
    if subimages == 0 || subimages > 16 || width == 0 || width.checked_mul(rows) != Some(total) {
        return Err(bad(format!(
            "{subimages} subimages of {width} x {rows} pixels do not make the {total} per frame \
             the header gives"
        )));
    }
    if rows > MAX_ROWS {
        return Err((
            None,
            ReadErrorKind::Refused(format!(
                "Andor SIF holds a {width} x {rows} camera image, not spectra"
            )),
        ));
    }
    if frames == 0 || frames.saturating_mul(rows) > MAX_SPECTRA {
        return Err(bad(format!("{frames} frames of {rows} rows")));
    }
    for _ in 0..frames {
        c.text()?; // time stamps
    }
    let flag = c.text()?;
    if flag == "1" {
        for _ in 0..frames {
            c.text()?;
        }
    } else if flag != "0" {
        return Err(bad("unexpected line before the data"));
    }
    let data = c.take(frames.saturating_mul(total).saturating_mul(4))?;
    let values: Vec<f64> = data
        .chunks_exact(4)
        .map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
        .collect();

    let frame_axis = labels[0].to_ascii_lowercase();
    let x_unit = if frame_axis.contains("raman") {
        XUnit::RamanShift
    } else if frame_axis.contains("wavelength") {
        XUnit::Nm
    } else if frame_axis.contains("wavenumber") {
        XUnit::Wavenumber
    } else {
        return Err((
            None,
            ReadErrorKind::Refused(format!(
                "Andor SIF frame axis is {:?}: a pixel index is not a spectral axis (calibrate \
                 the spectrograph in Solis)",
                labels[0]
            )),
        ));
    };
    let x: Vec<f64> = (1..=width)
        .map(|p| {
            let p = p as f64;
            cal.iter().rev().fold(0.0, |acc, &k| acc * p + k)
        })
        .collect();
    let mut meta = Metadata {
        instrument: Some(format!("Andor {model}")).filter(|_| !model.is_empty()),
        ..Metadata::default()
    };
    let p: Vec<&str> = params.split_ascii_whitespace().collect();
    if let Some(t) = p.get(5) {
        // The camera's own temperature: recorded, never taken for the sample.
        meta.extra
            .insert("detector_temperature_c".into(), t.to_string());
    }
    if let Some(g) = grating {
        meta.extra.insert("spectrograph".into(), g);
    }
    meta.extra.insert("data_type".into(), labels[1].clone());
    if c.at < bytes.len() {
        meta.inferred.push(format!(
            "Andor SIF: read the first block (the signal); {} more bytes follow (a background or \
             reference block), not read",
            bytes.len() - c.at
        ));
    }
    let y_unit = if labels[1].to_ascii_lowercase().contains("count") {
        YUnit::Counts
    } else {
        YUnit::Arbitrary
    };
    let series = frames.saturating_mul(rows) > 1;
    Ok(values
        .chunks_exact(width)
        .map(|y| Raw {
            x: x.clone(),
            y: y.to_vec(),
            lines: Vec::new(),
            x_unit: Some(x_unit.clone()),
            y_unit: Some(y_unit.clone()),
            meta: meta.clone(),
            series,
        })
        .collect())
}
