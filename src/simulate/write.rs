//! Writing spectra as the files labs exchange: delimited text with `# key: value` metadata,
//! JCAMP-DX (compressed DIF/DUP `(X++(Y..Y))` for uniform axes, `(XY..XY)` otherwise), and the
//! JSON stone shape of the HTTP API. Files from the simulator say `simulated: true`.

use super::{Channel, SimStone};
use crate::spectrum::{Spectrum, SpectrumJson, StoneJson, XUnit};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jcamp,
    Json,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jcamp" | "jdx" | "dx" => Some(Format::Jcamp),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Points in the file's own order.
fn source_points(s: &Spectrum) -> Vec<(f64, f64)> {
    let mut p: Vec<(f64, f64)> = s.x.iter().copied().zip(s.y.iter().copied()).collect();
    if s.source_descending {
        p.reverse();
    }
    p
}

pub fn to_csv(s: &Spectrum) -> String {
    let m = &s.meta;
    let mut out = String::new();
    if m.simulated {
        out.push_str("# simulated: true (made by diamond-screen simulate, not a measured stone)\n");
    }
    let mut kv = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            let _ = writeln!(out, "# {k}: {v}");
        }
    };
    kv("stone_id", m.stone_id.clone());
    kv("technique", m.technique.map(|t| t.name().to_string()));
    kv("excitation_nm", m.excitation_nm.map(|v| v.to_string()));
    kv("temperature_k", m.temperature_k.map(|v| v.to_string()));
    kv("instrument", m.instrument.clone());
    kv("x_unit", Some(s.x_unit.name().to_string()));
    kv("y_unit", Some(s.y_unit.name().to_string()));
    let _ = writeln!(out, "x,y");
    for (x, y) in source_points(s) {
        let _ = writeln!(out, "{},{y}", short(x));
    }
    out
}

/// At most 6 decimals, trailing zeros dropped (600.1230000000001 -> 600.123).
fn short(v: f64) -> String {
    let t = format!("{v:.6}");
    let t = t.trim_end_matches('0');
    t.trim_end_matches('.').to_string()
}

fn sqz(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let d = digits.as_bytes()[0] - b'0';
    let c = if v >= 0 {
        (b'@' + d) as char
    } else {
        (b'a' + d - 1) as char
    };
    format!("{c}{}", &digits[1..])
}

fn dif(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let d = digits.as_bytes()[0] - b'0';
    let c = if v == 0 {
        '%'
    } else if v > 0 {
        (b'I' + d) as char
    } else {
        (b'i' + d) as char
    };
    format!("{c}{}", &digits[1..])
}

fn dup(n: usize) -> String {
    let digits = n.to_string();
    let d = digits.as_bytes()[0] - b'0';
    let c = if d == 9 { 's' } else { (b'R' + d) as char };
    format!("{c}{}", &digits[1..])
}

fn jcamp_units(u: &XUnit) -> String {
    match u {
        XUnit::Nm => "NANOMETERS".into(),
        XUnit::Um => "MICROMETERS".into(),
        XUnit::Angstrom => "ANGSTROMS".into(),
        XUnit::Metre => "METERS".into(),
        XUnit::Ev => "EV".into(),
        XUnit::Wavenumber => "1/CM".into(),
        XUnit::RamanShift => "RAMAN SHIFT 1/CM".into(),
        XUnit::Other(s) => s.clone(),
    }
}

pub fn to_jcamp(s: &Spectrum) -> String {
    let m = &s.meta;
    let pts = source_points(s);
    let n = pts.len();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "##TITLE={}",
        m.stone_id.as_deref().unwrap_or("spectrum")
    );
    let _ = writeln!(out, "##JCAMP-DX=5.01");
    let dtype = match m.technique {
        Some(crate::spectrum::Technique::Pl) => "PHOTOLUMINESCENCE SPECTRUM",
        Some(crate::spectrum::Technique::Raman) => "RAMAN SPECTRUM",
        Some(crate::spectrum::Technique::Uvvis) => "UV/VIS SPECTRUM",
        Some(crate::spectrum::Technique::Ftir) => "INFRARED SPECTRUM",
        None => "UNKNOWN",
    };
    let _ = writeln!(out, "##DATA TYPE={dtype}");
    if m.simulated {
        let _ = writeln!(
            out,
            "##$SIMULATED=true $$ made by diamond-screen simulate, not a measured stone"
        );
    }
    if let Some(v) = &m.stone_id {
        let _ = writeln!(out, "##$STONE ID={v}");
    }
    if let Some(v) = m.excitation_nm {
        let _ = writeln!(out, "##$EXCITATION WAVELENGTH={v}");
    }
    if let Some(v) = m.temperature_k {
        let _ = writeln!(out, "##$TEMPERATURE={v}");
    }
    if let Some(v) = &m.instrument {
        let _ = writeln!(out, "##SPECTROMETER/DATA SYSTEM={v}");
    }
    let _ = writeln!(out, "##XUNITS={}", jcamp_units(&s.x_unit));
    let _ = writeln!(out, "##YUNITS={}", s.y_unit.name().to_ascii_uppercase());
    let step = if n > 1 {
        (pts[n - 1].0 - pts[0].0) / (n - 1) as f64
    } else {
        0.0
    };
    let uniform = n > 1
        && pts
            .windows(2)
            .all(|w| ((w[1].0 - w[0].0) - step).abs() <= 1e-6 * step.abs());
    let ymax = pts.iter().map(|p| p.1.abs()).fold(0.0, f64::max);
    let yfactor = if ymax > 0.0 { ymax / 1e6 } else { 1.0 };
    let q: Vec<i64> = pts.iter().map(|p| (p.1 / yfactor).round() as i64).collect();
    let _ = writeln!(out, "##FIRSTX={}", pts[0].0);
    let _ = writeln!(out, "##LASTX={}", pts[n - 1].0);
    let _ = writeln!(out, "##NPOINTS={n}");
    let _ = writeln!(out, "##XFACTOR=1");
    let _ = writeln!(out, "##YFACTOR={yfactor:e}");
    let _ = writeln!(out, "##FIRSTY={}", q[0] as f64 * yfactor);
    if uniform {
        let _ = writeln!(out, "##DELTAX={step}");
        let _ = writeln!(out, "##XYDATA=(X++(Y..Y))");
        let mut i = 0;
        while i < n {
            // Each line after the first starts with the y-check value of the previous one.
            let start = if i == 0 { 0 } else { i - 1 };
            let mut line = format!("{:.6} ", pts[start].0);
            line.push_str(&sqz(q[start]));
            let mut j = start + 1;
            while j < n && line.len() < 70 {
                let d = q[j] - q[j - 1];
                let mut run = 1;
                while j + run < n && q[j + run] - q[j + run - 1] == d {
                    run += 1;
                }
                line.push_str(&dif(d));
                if run > 1 {
                    line.push_str(&dup(run));
                }
                j += run;
            }
            out.push_str(&line);
            out.push('\n');
            i = j;
            if j >= n {
                break;
            }
        }
    } else {
        let _ = writeln!(out, "##XYPOINTS=(XY..XY)");
        for (k, &(x, _)) in pts.iter().enumerate() {
            let _ = writeln!(out, "{x}, {}", q[k]);
        }
    }
    let _ = writeln!(out, "##END=");
    out
}

pub fn to_json_stone(id: &str, spectra: &[&Spectrum]) -> StoneJson {
    StoneJson {
        stone_id: Some(id.to_string()),
        spectra: spectra
            .iter()
            .map(|s| SpectrumJson {
                technique: s.meta.technique.map(|t| t.name().to_string()),
                excitation_nm: s.meta.excitation_nm,
                temperature_k: s.meta.temperature_k,
                x_unit: Some(s.x_unit.name().to_string()),
                y_unit: Some(s.y_unit.name().to_string()),
                instrument: s.meta.instrument.clone(),
                simulated: s.meta.simulated,
                x: s.x.clone(),
                y: s.y.clone(),
            })
            .collect(),
    }
}

fn file_name(id: &str, ch: Channel, ext: &str) -> String {
    format!("{id}_{}.{ext}", ch.name())
}

/// Write one stone's spectra into `dir`; returns the files written.
pub fn write_stone(dir: &Path, stone: &SimStone, format: Format) -> io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    match format {
        Format::Json => {
            let refs: Vec<&Spectrum> = stone.spectra.iter().map(|(_, s)| s).collect();
            let path = dir.join(format!("{}.json", stone.id));
            let body = serde_json::to_string(&to_json_stone(&stone.id, &refs))
                .map_err(io::Error::other)?;
            std::fs::write(&path, body)?;
            written.push(path);
        }
        Format::Csv | Format::Jcamp => {
            for (ch, s) in &stone.spectra {
                let (ext, body) = match format {
                    Format::Csv => ("csv", to_csv(s)),
                    _ => ("jdx", to_jcamp(s)),
                };
                let path = dir.join(file_name(&stone.id, *ch, ext));
                std::fs::write(&path, body)?;
                written.push(path);
            }
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::{Channel, simulate_stone};
    use crate::spectrum::read_bytes;

    #[test]
    fn every_format_reads_back() {
        for i in 0..6 {
            let stone = simulate_stone(11, i, &Channel::ALL);
            for (_, s) in &stone.spectra {
                for (name, text) in [("a.csv", to_csv(s)), ("a.jdx", to_jcamp(s))] {
                    let back = read_bytes(name, text.as_bytes())
                        .unwrap_or_else(|e| panic!("{e}\n{}", &text[..text.len().min(3000)]));
                    let b = &back[0];
                    assert_eq!(b.len(), s.len(), "{name}");
                    assert_eq!(b.meta.stone_id, s.meta.stone_id);
                    assert_eq!(b.meta.technique, s.meta.technique);
                    assert_eq!(b.meta.excitation_nm, s.meta.excitation_nm);
                    assert!(b.meta.simulated);
                    let ymax = s.y.iter().map(|v| v.abs()).fold(0.0, f64::max);
                    for (p, q) in b.y.iter().zip(&s.y) {
                        assert!((p - q).abs() <= 1e-6 * ymax + 1e-12, "{name}: {p} vs {q}");
                    }
                    for (p, q) in b.x.iter().zip(&s.x) {
                        assert!((p - q).abs() <= 1e-6 * q.abs(), "{name}: {p} vs {q}");
                    }
                }
            }
            let refs: Vec<&Spectrum> = stone.spectra.iter().map(|(_, s)| s).collect();
            let json = serde_json::to_string(&to_json_stone(&stone.id, &refs)).unwrap();
            let back = read_bytes("a.json", json.as_bytes()).unwrap();
            assert_eq!(back.len(), 3);
            assert_eq!(back[2].y, stone.spectra[2].1.y);
        }
    }

    #[test]
    fn asdf_encoders() {
        assert_eq!(sqz(1276), "A276");
        assert_eq!(sqz(-5), "e");
        assert_eq!(sqz(0), "@");
        assert_eq!(dif(0), "%");
        assert_eq!(dif(13), "J3");
        assert_eq!(dif(-105), "j05");
        assert_eq!(dup(2), "T");
        assert_eq!(dup(9), "s");
        assert_eq!(dup(12), "S2");
    }
}
