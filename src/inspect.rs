//! `inspect`: what a file holds and what the detector sees in it, one record per spectrum.

use crate::lines::Detection;
use crate::spectrum::{ReadError, ReadOptions, Spectrum, read_path_with};
use crate::stage::findings;
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// One spectrum of one file, as `inspect --json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct InspectRecord {
    pub file: String,
    pub stone_id: Option<String>,
    pub technique: Option<String>,
    pub excitation_nm: Option<f64>,
    pub temperature_k: Option<f64>,
    pub x_unit: String,
    pub y_unit: String,
    pub points: usize,
    /// First and last points in the file's own order (y after YFACTOR).
    pub x_first: f64,
    pub x_last: f64,
    pub y_first: f64,
    pub y_last: f64,
    pub simulated: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<String>,
    #[serde(flatten)]
    pub detection: Detection,
}

pub fn record(file: &str, s: &Spectrum) -> InspectRecord {
    let (x_first, y_first) = s.first_in_source();
    let (x_last, y_last) = s.last_in_source();
    InspectRecord {
        file: file.to_string(),
        stone_id: s.meta.stone_id.clone(),
        technique: s.meta.technique.map(|t| t.name().to_string()),
        excitation_nm: s.meta.excitation_nm,
        temperature_k: s.meta.temperature_k,
        x_unit: s.x_unit.name().to_string(),
        y_unit: s.y_unit.name().to_string(),
        points: s.len(),
        x_first,
        x_last,
        y_first,
        y_last,
        simulated: s.meta.simulated,
        inferred: s.meta.inferred.clone(),
        detection: findings(s),
    }
}

/// Read a file and inspect each spectrum in it, with what the user said about the file.
pub fn inspect_path(path: &Path, opts: &ReadOptions) -> Result<Vec<InspectRecord>, ReadError> {
    let file = path.display().to_string();
    let spectra = read_path_with(path, opts)?;
    Ok(spectra.iter().map(|s| record(&file, s)).collect())
}

fn opt<T: fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map_or("-".to_string(), |v| v.to_string())
}

impl fmt::Display for InspectRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}{}",
            self.file,
            if self.simulated { "  [SIMULATED]" } else { "" }
        )?;
        writeln!(
            f,
            "  stone {}  technique {}  excitation {} nm  temperature {} K",
            opt(&self.stone_id),
            opt(&self.technique),
            opt(&self.excitation_nm),
            opt(&self.temperature_k)
        )?;
        writeln!(
            f,
            "  {} points  x {} .. {} {}  y {} .. {} {}",
            self.points,
            self.x_first,
            self.x_last,
            self.x_unit,
            self.y_first,
            self.y_last,
            self.y_unit
        )?;
        for i in &self.inferred {
            writeln!(f, "  inferred: {i}")?;
        }
        let d = &self.detection;
        match &d.raman {
            Some(r) if r.present => writeln!(
                f,
                "  diamond Raman line: at {:.3} (expected {:.3}), calibration offset {:+.2} cm-1, SNR {:.0}, FWHM {:.1} cm-1",
                r.observed, r.expected, r.offset_cm, r.snr, r.fwhm_cm
            )?,
            Some(r) if d.diamond.is_none() => writeln!(
                f,
                "  diamond Raman line: CANNOT TELL near {:.2} (see the note)",
                r.expected
            )?,
            Some(r) => writeln!(
                f,
                "  diamond Raman line: NOT FOUND near {:.2} (simulant evidence)",
                r.expected
            )?,
            None if matches!(self.technique.as_deref(), Some("pl") | Some("raman")) => writeln!(
                f,
                "  diamond Raman line: not in range (or no excitation given)"
            )?,
            None => {}
        }
        if let Some(t) = &d.ftir {
            writeln!(
                f,
                "  FTIR: type {}  nitrogen (ppm) {}  %B {}  fit residual {:.3} cm-1  C(1344) {:.2}  boron {:.2}",
                t.diamond_type,
                nitrogen_text(&t.nitrogen.ppm),
                t.nitrogen
                    .percent_b
                    .map_or("-".into(), |v| format!("{v:.0}")),
                t.nitrogen.residual,
                t.c_1344,
                t.boron_2802
            )?;
            if let Some(b) = &t.nitrogen.broad_band {
                writeln!(
                    f,
                    "  FTIR: broad band near {:.0} cm-1 (FWHM {:.0}, {:.2} cm-1) not explained by nitrogen",
                    b.centre, b.fwhm, b.height
                )?;
            }
            let peak = |p: &Option<crate::lines::ftir::peak_fit::PeakFit>| {
                p.map_or("-".into(), |p| {
                    format!("{:.1} cm-1, area {:.2} cm-2", p.position, p.area)
                })
            };
            writeln!(
                f,
                "  FTIR: platelet {}  H 3107 {}  CO2 2370 {}  CO2 659 {}",
                peak(&t.platelet),
                peak(&t.h3107),
                peak(&t.co2.v3),
                peak(&t.co2.v2)
            )?;
        }
        if d.evidence.is_empty() {
            writeln!(f, "  centres: none detected")?;
        } else {
            writeln!(f, "  centres:")?;
            for e in &d.evidence {
                let rel = e
                    .intensity_rel_raman
                    .map_or(String::new(), |r| format!("  {r:.3} x Raman"));
                writeln!(
                    f,
                    "    {:<16} expected {:>8.2}  observed {:>8.2}  SNR {:>6.1}{rel}  -> {:?}",
                    e.centre, e.expected, e.observed, e.snr, e.indicates
                )?;
            }
        }
        let q = &d.quality;
        for n in &q.notes {
            writeln!(f, "  note: {n}")?;
        }
        if q.usable {
            write!(
                f,
                "  quality: usable (SNR {:.0}, coverage {:.0}%)",
                q.snr,
                100.0 * q.coverage
            )
        } else {
            write!(f, "  quality: NOT usable: {}", q.problems.join("; "))
        }
    }
}

fn nitrogen_text(p: &crate::lines::ftir::NitrogenPpm) -> String {
    match (p.a, p.b, p.c, p.x, p.total) {
        (Some(a), Some(b), Some(c), Some(x), Some(t)) => {
            format!("A {a:.1}  B {b:.1}  C {c:.1}  N+ {x:.1}  total {t:.1}")
        }
        _ => "not determined".into(),
    }
}
