//! Princeton Instruments SPE (WinSpec 2.x, LightField 3.0), written here because no crate reads
//! it. Facts from the format's public description:
//!
//! - a 4100-byte little-endian header, then the frames; `xdim` u16 at 42, the pixel type i16 at
//!   108 (0 f32, 1 i32, 2 i16, 3 u16, 5 f64, 6 u8, 8 u32), `ydim` u16 at 656, the frame count
//!   i32 at 1446, the header version f32 at 1992;
//! - 2.x: the x calibration at 3000: `calib_valid` u8 at 3098, `polynom_order` u8 at 3101, six
//!   f64 coefficients at 3263 over pixel p = 0, 1, ... (WinSpec's convention), in nm;
//! - 3.0: the offset of an XML footer u64 at 678; the footer's `DataBlock` elements give the
//!   frame count, the pixel format, the region's width and height and the frame stride, and its
//!   `WavelengthMapping` gives one wavelength per pixel (nm) and the `laserLine` (nm).
//!
//! Every row of every frame is a spectrum; several make a series of one stone.

use super::{Raw, ReadErrorKind};
use crate::spectrum::metadata::Metadata;
use crate::spectrum::units::{XUnit, YUnit};

type Failure = (Option<usize>, ReadErrorKind);

const HEADER: usize = 4100;
const MAX_ROWS: usize = 64;
const MAX_SPECTRA: usize = 4096;

fn bad(why: impl Into<String>) -> Failure {
    (
        None,
        ReadErrorKind::Syntax(format!("Princeton SPE: {}", why.into())),
    )
}

fn u16_at(b: &[u8], at: usize) -> usize {
    u16::from_le_bytes([b[at], b[at + 1]]) as usize
}

fn i32_at(b: &[u8], at: usize) -> i64 {
    i64::from(i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]))
}

fn f64_at(b: &[u8], at: usize) -> f64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    f64::from_le_bytes(a)
}

/// Whether these bytes can be an SPE file: named `.spe` and at least a header long.
pub(super) fn claims(name: &str, bytes: &[u8]) -> bool {
    name.to_ascii_lowercase().ends_with(".spe") && bytes.len() >= HEADER
}

/// Turns one pixel's little-endian bytes into its value.
type Decode = fn(&[u8]) -> f64;

/// Bytes per pixel and the decoder of each pixel type.
fn pixel(kind: &str) -> Option<(usize, Decode)> {
    Some(match kind {
        "f32" => (4, |b| {
            f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        "i32" => (4, |b| {
            f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        "u32" => (4, |b| {
            f64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        "i16" => (2, |b| f64::from(i16::from_le_bytes([b[0], b[1]]))),
        "u16" => (2, |b| f64::from(u16::from_le_bytes([b[0], b[1]]))),
        "u8" => (1, |b| f64::from(b[0])),
        "f64" => (8, |b| {
            let mut a = [0u8; 8];
            a.copy_from_slice(&b[..8]);
            f64::from_le_bytes(a)
        }),
        _ => return None,
    })
}

fn header_kind(code: i16) -> Option<&'static str> {
    Some(match code {
        0 => "f32",
        1 => "i32",
        2 => "i16",
        3 => "u16",
        5 => "f64",
        6 => "u8",
        8 => "u32",
        _ => return None,
    })
}

fn xml_kind(format: &str) -> Option<&'static str> {
    Some(match format {
        "MonochromeUnsigned16" => "u16",
        "MonochromeUnsigned32" => "u32",
        "MonochromeFloating32" => "f32",
        _ => return None,
    })
}

/// The value of `attr="..."` inside the first element that starts with `tag`.
fn attribute<'a>(xml: &'a str, tag: &str, attr: &str) -> Option<&'a str> {
    let start = xml.find(tag)?;
    let end = start + xml[start..].find('>')?;
    let el = &xml[start..end];
    let key = format!(" {attr}=\"");
    let i = el.find(&key)? + key.len();
    let j = el[i..].find('"')?;
    Some(&el[i..i + j])
}

struct Layout {
    kind: &'static str,
    width: usize,
    rows: usize,
    frames: usize,
    /// Bytes from one frame to the next.
    stride: usize,
    x: Vec<f64>,
    x_unit: XUnit,
    laser_nm: Option<f64>,
    version: String,
}

fn layout_v3(b: &[u8]) -> Result<Layout, Failure> {
    let off = u64::from_le_bytes(b[678..686].try_into().unwrap_or_default()) as usize;
    if off < HEADER || off >= b.len() {
        return Err(bad("the XML footer offset lies outside the file"));
    }
    let xml = String::from_utf8_lossy(&b[off..]);
    let frame = "<DataBlock type=\"Frame\"";
    let region = "<DataBlock type=\"Region\"";
    let get = |tag: &str, a: &str| -> Result<usize, Failure> {
        attribute(&xml, tag, a)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad(format!("the XML footer gives no {a} of {tag}")))
    };
    if xml.matches(region).count() > 1 {
        return Err((
            None,
            ReadErrorKind::Unsupported("Princeton SPE with several regions of interest".into()),
        ));
    }
    let format = attribute(&xml, frame, "pixelFormat").unwrap_or("");
    let kind = xml_kind(format).ok_or_else(|| bad(format!("pixel format {format:?}")))?;
    let (width, rows) = (get(region, "width")?, get(region, "height")?);
    let (frames, stride) = (get(frame, "count")?, get(frame, "stride")?);
    let mut x_unit = XUnit::Nm;
    let x: Vec<f64> = match xml
        .find("<Wavelength ")
        .or_else(|| xml.find("<Wavelength>"))
    {
        Some(i) => {
            let body = &xml[i..];
            let open = body.find('>').map(|j| j + 1).unwrap_or(0);
            let close = body.find("</Wavelength>").unwrap_or(body.len());
            body[open..close.max(open)]
                .split(',')
                .map(|v| v.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .map_err(|_| bad("unreadable wavelength list"))?
        }
        None => {
            x_unit = XUnit::Other("pixel".into());
            Vec::new()
        }
    };
    let laser_nm = attribute(&xml, "<WavelengthMapping", "laserLine").and_then(|v| v.parse().ok());
    Ok(Layout {
        kind,
        width,
        rows,
        frames,
        stride,
        x,
        x_unit,
        laser_nm,
        version: "3.0".into(),
    })
}

fn layout_v2(b: &[u8]) -> Result<Layout, Failure> {
    let code = i16::from_le_bytes([b[108], b[109]]);
    let kind = header_kind(code).ok_or_else(|| bad(format!("pixel type {code}")))?;
    let (width, rows) = (u16_at(b, 42), u16_at(b, 656));
    let frames = usize::try_from(i32_at(b, 1446)).map_err(|_| bad("negative frame count"))?;
    let size = pixel(kind).map(|p| p.0).unwrap_or(4);
    let valid = b[3098] != 0;
    let order = usize::from(b[3101]).min(5);
    let coeffs: Vec<f64> = (0..=order).map(|k| f64_at(b, 3263 + 8 * k)).collect();
    let (x, x_unit) = if valid && coeffs.iter().any(|c| *c != 0.0) {
        let x = (0..width)
            .map(|p| {
                let p = p as f64;
                coeffs.iter().rev().fold(0.0, |acc, &k| acc * p + k)
            })
            .collect();
        (x, XUnit::Nm)
    } else {
        (Vec::new(), XUnit::Other("pixel".into()))
    };
    Ok(Layout {
        kind,
        width,
        rows,
        frames,
        stride: width * rows * size,
        x,
        x_unit,
        laser_nm: None,
        version: "2.x".into(),
    })
}

pub(super) fn read(b: &[u8]) -> Result<Vec<Raw>, Failure> {
    if b.len() < HEADER {
        return Err(bad("shorter than its 4100-byte header"));
    }
    let version = f32::from_le_bytes([b[1992], b[1993], b[1994], b[1995]]);
    let l = if version >= 3.0 {
        layout_v3(b)?
    } else {
        layout_v2(b)?
    };
    if l.x.is_empty() {
        return Err((
            None,
            ReadErrorKind::Refused(
                "Princeton SPE without a wavelength calibration: a pixel index is not a \
                 spectral axis (calibrate the spectrometer in LightField/WinSpec)"
                    .into(),
            ),
        ));
    }
    if l.width == 0 || l.rows == 0 || l.frames == 0 || l.x.len() != l.width {
        return Err(bad(format!(
            "{} wavelengths for {} x {} pixels in {} frames",
            l.x.len(),
            l.width,
            l.rows,
            l.frames
        )));
    }
    if l.rows > MAX_ROWS || l.rows.saturating_mul(l.frames) > MAX_SPECTRA {
        return Err((
            None,
            ReadErrorKind::Refused(format!(
                "Princeton SPE holds {} frames of {} x {} pixels: a camera image or a series \
                 too long for one stone",
                l.frames, l.width, l.rows
            )),
        ));
    }
    let (size, decode) = pixel(l.kind).ok_or_else(|| bad("pixel type"))?;
    let frame_bytes = l
        .width
        .checked_mul(l.rows)
        .and_then(|n| n.checked_mul(size))
        .ok_or_else(|| bad("frame size overflows"))?;
    if l.stride < frame_bytes {
        return Err(bad("frame stride shorter than a frame"));
    }
    let end = l
        .stride
        .checked_mul(l.frames - 1)
        .and_then(|n| n.checked_add(HEADER + frame_bytes))
        .unwrap_or(usize::MAX);
    if end > b.len() {
        return Err(bad(format!(
            "the header announces {end} bytes, the file has {}",
            b.len()
        )));
    }
    let mut meta = Metadata::default();
    if let Some(nm) = l.laser_nm.filter(|nm| (100.0..2000.0).contains(nm)) {
        meta.excitation_nm = Some(nm);
        meta.inferred
            .push(format!("excitation {nm} nm (SPE laserLine)"));
    }
    meta.extra.insert("spe_version".into(), l.version.clone());
    let series = l.rows.saturating_mul(l.frames) > 1;
    let mut raws = Vec::new();
    for f in 0..l.frames {
        let frame = &b[HEADER + f * l.stride..HEADER + f * l.stride + frame_bytes];
        for row in frame.chunks_exact(l.width * size) {
            raws.push(Raw {
                x: l.x.clone(),
                y: row.chunks_exact(size).map(decode).collect(),
                lines: Vec::new(),
                x_unit: Some(l.x_unit.clone()),
                y_unit: Some(YUnit::Counts),
                meta: meta.clone(),
                series,
            });
        }
    }
    Ok(raws)
}
