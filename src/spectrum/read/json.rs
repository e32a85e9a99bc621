//! JSON in the shape the HTTP API takes: one stone with its spectra.
//!
//! ```json
//! {"stone_id": "S1", "spectra": [{"technique": "pl", "excitation_nm": 532, "temperature_k": 77,
//!   "x_unit": "nm", "x": [...], "y": [...]}]}
//! ```

use super::{Raw, ReadErrorKind};
use crate::spectrum::metadata::{Metadata, Technique};
use crate::spectrum::units::{XUnit, YUnit};
use serde::{Deserialize, Serialize};

/// One stone as JSON (request body of the service, `.json` files).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoneJson {
    #[serde(default)]
    pub stone_id: Option<String>,
    pub spectra: Vec<SpectrumJson>,
}

/// One spectrum as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SpectrumJson {
    #[serde(default)]
    pub technique: Option<String>,
    #[serde(default)]
    pub excitation_nm: Option<f64>,
    #[serde(default)]
    pub temperature_k: Option<f64>,
    #[serde(default)]
    pub x_unit: Option<String>,
    #[serde(default)]
    pub y_unit: Option<String>,
    #[serde(default)]
    pub instrument: Option<String>,
    #[serde(default)]
    pub simulated: bool,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

type Failure = (Option<usize>, ReadErrorKind);

pub(crate) fn read(text: &str) -> Result<Vec<Raw>, Failure> {
    let stone: StoneJson = serde_json::from_str(text).map_err(|e| {
        let msg = if e.to_string().contains("missing field `spectra`") {
            format!(
                "not the diamond-screen stone shape ({{\"stone_id\": ..., \"spectra\": [{{\"x\": [...], \
                 \"y\": [...], \"x_unit\": ...}}]}}); other JSON layouts are not read ({e})"
            )
        } else {
            e.to_string()
        };
        (Some(e.line()), ReadErrorKind::Json(msg))
    })?;
    stone_to_raws(stone)
}

pub(crate) fn stone_to_raws(stone: StoneJson) -> Result<Vec<Raw>, Failure> {
    if stone.spectra.is_empty() {
        return Err((None, ReadErrorKind::Json("\"spectra\" is empty".into())));
    }
    stone
        .spectra
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let which = |m: String| (None, ReadErrorKind::Json(format!("spectra[{i}]: {m}")));
            if s.x.len() != s.y.len() {
                return Err(which(format!(
                    "x has {} values but y has {}",
                    s.x.len(),
                    s.y.len()
                )));
            }
            let mut meta = Metadata {
                stone_id: stone.stone_id.clone().filter(|s| !s.trim().is_empty()),
                excitation_nm: s.excitation_nm,
                temperature_k: s.temperature_k,
                instrument: s.instrument,
                simulated: s.simulated,
                ..Metadata::default()
            };
            if let Some(t) = &s.technique {
                meta.technique = Some(
                    Technique::parse(t).ok_or_else(|| which(format!("unknown technique {t:?}")))?,
                );
            }
            for (name, v) in [
                ("excitation_nm", s.excitation_nm),
                ("temperature_k", s.temperature_k),
            ] {
                if let Some(v) = v
                    && !(v.is_finite() && v > 0.0)
                {
                    return Err(which(format!("{name} must be a positive number, not {v}")));
                }
            }
            let x_unit = match s.x_unit.as_deref().map(XUnit::parse) {
                Some(XUnit::Other(u)) => {
                    return Err(which(format!(
                        "unknown x_unit {u:?} (nm, um, angstrom, m, cm-1, raman_shift, ev)"
                    )));
                }
                u => u,
            };
            Ok(Raw {
                lines: Vec::new(),
                x: s.x,
                y: s.y,
                x_unit,
                y_unit: s.y_unit.as_deref().map(YUnit::parse),
                meta,
                series: false,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stone_with_two_spectra() {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let body = serde_json::json!({"stone_id": "S9", "spectra": [
            {"technique": "pl", "excitation_nm": 532, "temperature_k": 77, "x_unit": "nm", "x": x, "y": x},
            {"technique": "ftir", "x": x, "y": x}
        ]});
        let raws = read(&body.to_string()).ok().unwrap();
        assert_eq!(raws.len(), 2);
        assert_eq!(raws[0].meta.stone_id.as_deref(), Some("S9"));
        assert_eq!(raws[0].meta.technique, Some(Technique::Pl));
        assert_eq!(raws[1].meta.technique, Some(Technique::Ftir));
    }

    #[test]
    fn bad_json_is_located() {
        let e = read("{\"stone_id\": \"a\",\n \"spectra\": [ {\"x\": [1, 2], \"y\": [1]} ]}")
            .err()
            .unwrap();
        assert!(matches!(e.1, ReadErrorKind::Json(ref m) if m.contains("spectra[0]")));
        let e = read("{\"stone_id\": \"a\",\n \"spectra\": [ {\"x\": [1, nan]")
            .err()
            .unwrap();
        assert_eq!(e.0, Some(2));
        assert!(read("{\"spectra\": []}").is_err());
        let deep = "[".repeat(100_000);
        assert!(read(&deep).is_err());
    }
}
