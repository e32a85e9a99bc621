//! Vendor binary formats read through `openreadout-spectro`: Bruker OPUS, Thermo OMNIC SPA/SPG,
//! Renishaw WiRE WDF, Galactic/GRAMS SPC, PerkinElmer SP and Spotlight, JASCO JWS, Agilent Cary
//! and FT-IR imaging, Shimadzu UVProbe, WITec. The crate gives every spectrum as a trace; this
//! module picks the traces that are spectra of the sample and maps their axis, units and
//! metadata onto [`Raw`].
//!
//! What the files taught:
//! - a damaged file can open without an error, so a file whose `check()` is not ok, or that holds
//!   no spectrum, is refused;
//! - OPUS and OMNIC files also hold single-channel spectra and interferograms: the trace is chosen
//!   by its data type and role (the result absorbance/transmittance/intensity first; a sample
//!   single-channel spectrum only when there is nothing else, and flagged; a background or an
//!   interferogram never), and the choice is reported in `inferred`;
//! - the laser field of OPUS and OMNIC files is the interferometer's reference laser (a HeNe at
//!   about 15,798 cm^-1), never the excitation; WDF (and OMNIC Raman files) give the true laser;
//! - SPC has no magic bytes, so it is recognised by its name; the crate refuses old-format SPC
//!   multifiles, clearly.

use super::{Raw, ReadErrorKind};
use crate::spectrum::metadata::{Metadata, Technique};
use crate::spectrum::units::{XUnit, YUnit};
use openreadout_core::model::{DetectConfidence, Severity, TraceInfo};
use openreadout_core::reader::FormatReader;
use openreadout_core::source::Input;
use openreadout_spectro as spectro;
use serde_json::Value;
use std::path::Path;

type Failure = (Option<usize>, ReadErrorKind);

static READERS: [&dyn FormatReader; 11] = [
    &spectro::OpusReader,
    &spectro::OmnicReader,
    &spectro::WdfReader,
    &spectro::SpcReader,
    &spectro::PeSpReader,
    &spectro::JwsReader,
    &spectro::CaryReader,
    &spectro::UvProbeReader,
    &spectro::FsmReader,
    &spectro::WitecReader,
    &spectro::AgilentFpaReader,
];

/// How many bytes the readers' signature checks look at.
const HEAD: usize = 64 * 1024;

/// The reader that claims these bytes (by signature, or for SPC by name), if any. A file that
/// only matches by name and is too short or of a refused variant is an error, not text.
pub(super) fn read(name: &str, bytes: &[u8]) -> Option<Result<Vec<Raw>, Failure>> {
    let path = Path::new(name);
    let head = &bytes[..bytes.len().min(HEAD)];
    let (reader, detection) = READERS
        .iter()
        .find_map(|r| r.sniff(head, path).map(|d| (*r, d)))?;
    let format = reader.descriptor().name;
    if detection.confidence == DetectConfidence::ExtensionOnly {
        let why = detection.note.unwrap_or_else(|| "not a valid file".into());
        return Some(Err(refused(format!("{format}: {why}"))));
    }
    Some(open(reader, &format, path, bytes))
}

fn refused(msg: String) -> Failure {
    (None, ReadErrorKind::Refused(msg))
}

fn open(
    reader: &dyn FormatReader,
    format: &str,
    path: &Path,
    bytes: &[u8],
) -> Result<Vec<Raw>, Failure> {
    let file_name = path.file_name().unwrap_or(path.as_os_str());
    let input = Input::from_bytes(file_name, bytes.to_vec());
    let damaged = |e: String| refused(format!("{format} file cannot be read: {e}"));
    let mut ds = reader
        .open_input(&input)
        .map_err(|e| damaged(e.to_string()))?;
    let report = ds.check().map_err(|e| damaged(e.to_string()))?;
    if !report.ok {
        let why: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.message.clone())
            .collect();
        return Err(refused(format!(
            "damaged {format} file: {}",
            if why.is_empty() {
                "its integrity check failed".to_string()
            } else {
                why.join("; ")
            }
        )));
    }
    let info = ds.info().map_err(|e| damaged(e.to_string()))?;
    let kinds: Vec<(usize, Kind)> = info.traces.iter().map(kind).enumerate().collect();
    let best = kinds.iter().map(|(_, k)| *k).min().unwrap_or(Kind::Not);
    if best == Kind::Not {
        let held: Vec<String> = info.traces.iter().map(describe).collect();
        return Err(refused(format!(
            "{format} file holds no spectrum of the sample (absorbance, transmittance or \
             intensity){}",
            if held.is_empty() {
                String::new()
            } else {
                format!("; it holds: {}", held.join(", "))
            }
        )));
    }
    let mut raws = Vec::new();
    let skipped: Vec<String> = kinds
        .iter()
        .filter(|(_, k)| *k != best)
        .map(|(i, _)| describe(&info.traces[*i]))
        .collect();
    for (i, _) in kinds.iter().filter(|(_, k)| *k == best) {
        let t = &info.traces[*i];
        for sweep in 0..t.sweep_count.max(1) {
            let trace = ds
                .read_trace(t.index, sweep, 0, u64::MAX)
                .map_err(|e| damaged(e.to_string()))?;
            let mut raw = to_raw(format, t, trace.channels)?;
            raw.meta.inferred.push(format!(
                "{format}: read {}{}",
                describe(t),
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!("; not read: {}", skipped.join(", "))
                }
            ));
            if best == Kind::SingleChannel {
                raw.meta.inferred.push(
                    "a single-channel spectrum (not ratioed to a background): not an absorbance"
                        .into(),
                );
            }
            raws.push(raw);
        }
    }
    let several = raws.len() > 1;
    for r in &mut raws {
        r.series = several;
    }
    Ok(raws)
}

/// How good a trace is as the sample's spectrum (lower is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Result,
    SingleChannel,
    Not,
}

fn text<'a>(t: &'a TraceInfo, key: &str) -> &'a str {
    t.extra.get(key).and_then(Value::as_str).unwrap_or("")
}

fn kind(t: &TraceInfo) -> Kind {
    let data_type = text(t, "data_type").to_ascii_uppercase();
    let role = text(t, "spectrum_role");
    let y = text(t, "y_quantity");
    let axis = t.extra.get("axis");
    let quantity = axis
        .and_then(|a| a.get("quantity"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if data_type.contains("INTERFEROGRAM")
        || quantity == "points"
        || quantity.is_empty()
        || matches!(role, "reference" | "background")
        || matches!(y, "interferogram" | "phase" | "detector_signal")
    {
        Kind::Not
    } else if y == "single_beam" {
        Kind::SingleChannel
    } else {
        Kind::Result
    }
}

fn describe(t: &TraceInfo) -> String {
    let name = t
        .name
        .clone()
        .unwrap_or_else(|| format!("trace {}", t.index));
    let y = text(t, "y_quantity");
    let mut s = if y.is_empty() || name.contains(y) {
        format!("{name:?}")
    } else {
        format!("{name:?} ({y})")
    };
    if t.sweep_count > 1 {
        s.push_str(&format!(", {} spectra", t.sweep_count));
    }
    s
}

fn to_raw(format: &str, t: &TraceInfo, mut channels: Vec<Vec<f64>>) -> Result<Raw, Failure> {
    let axis = t.extra.get("axis").cloned().unwrap_or(Value::Null);
    let num = |k: &str| axis.get(k).and_then(Value::as_f64);
    let data_type = text(t, "data_type").to_ascii_uppercase();
    let raman = data_type.contains("RAMAN");
    let quantity = axis.get("quantity").and_then(Value::as_str).unwrap_or("");
    let unit = axis.get("unit").and_then(Value::as_str).unwrap_or("");
    let x_unit = match quantity {
        "raman_shift" => XUnit::RamanShift,
        // FT-Raman (OPUS) stores the shift on a "wavenumber" axis.
        "wavenumber" if raman => XUnit::RamanShift,
        "wavenumber" => XUnit::Wavenumber,
        "wavelength" => XUnit::parse(unit),
        other => XUnit::Other(format!("{other} {unit}").trim().to_string()),
    };
    let irregular = axis.get("irregular").and_then(Value::as_bool) == Some(true);
    let (x, y) = if irregular {
        let xc = axis.get("channel").and_then(Value::as_u64).unwrap_or(0) as usize;
        if channels.len() < 2 || xc >= channels.len() {
            return Err(refused(format!(
                "{format} trace has an irregular axis but no x channel"
            )));
        }
        let x = channels.remove(xc);
        (x, channels.pop().unwrap_or_default())
    } else {
        let y = channels.into_iter().next().unwrap_or_default();
        let (Some(first), Some(step)) = (num("first"), num("step")) else {
            return Err(refused(format!("{format} trace has no spectral axis")));
        };
        let x = (0..y.len()).map(|i| first + step * i as f64).collect();
        (x, y)
    };
    if x.len() != y.len() {
        return Err(refused(format!(
            "{format} trace has {} x values but {} y values",
            x.len(),
            y.len()
        )));
    }
    let y_unit = match text(t, "y_quantity") {
        "absorbance" => YUnit::Absorbance,
        "transmittance" => YUnit::Transmittance,
        "reflectance" => YUnit::Reflectance,
        "intensity" | "raman_intensity" | "counts" => YUnit::Counts,
        "single_beam" => YUnit::single_beam(),
        "" => YUnit::Arbitrary,
        other => YUnit::parse(other),
    };
    Ok(Raw {
        x,
        y,
        lines: Vec::new(),
        x_unit: Some(x_unit),
        y_unit: Some(y_unit),
        meta: metadata(t, &data_type),
        series: false,
    })
}

fn metadata(t: &TraceInfo, data_type: &str) -> Metadata {
    let mut meta = Metadata::default();
    if data_type.contains("RAMAN") {
        // A Raman microscope records photoluminescence too: the file cannot tell which.
        meta.inferred.push(
            "the file says RAMAN SPECTRUM; technique left to the user (--technique pl or raman)"
                .into(),
        );
    } else {
        meta.technique = Technique::parse(data_type);
    }
    let f = |k: &str| t.extra.get(k).and_then(Value::as_f64);
    // Only a true excitation laser: never `laser_wavenumber_cm1` (the reference laser).
    if let Some(nm) = f("laser_wavelength_nm")
        .or_else(|| f("excitation_wavelength_nm"))
        .or_else(|| spc_log_laser(t))
        .filter(|nm| (100.0..2000.0).contains(nm))
    {
        meta.excitation_nm = Some(nm);
    }
    let s = |k: &str| Some(text(t, k)).filter(|v| !v.trim().is_empty());
    if let Some(inst) = s("instrument").or_else(|| s("source_instrument")) {
        meta.instrument = Some(match s("instrument_serial") {
            Some(serial) => format!("{inst} (serial {serial})"),
            None => inst.to_string(),
        });
    }
    if let Some(name) = s("sample_name")
        .or_else(|| s("title"))
        .or_else(|| s("comment"))
    {
        meta.title = Some(name.to_string());
    }
    for k in [
        "sample_name",
        "acquired_at",
        "operator",
        "resolution_cm1",
        "scans",
        "objective",
        "exposure_time_s",
        "laser_name",
        "laser_power_percent",
        "accessory",
        "detector",
    ] {
        if let Some(v) = t.extra.get(k) {
            let v = v
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string());
            meta.extra.insert(k.to_string(), v);
        }
    }
    meta
}

/// GRAMS SPC written by WiRE and others keeps the laser in its log text (`Laser: 785 nm edge`).
fn spc_log_laser(t: &TraceInfo) -> Option<f64> {
    let log = t.extra.get("log")?.as_object()?;
    log.iter()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k.contains("laser") && !k.contains("power") && !k.contains("focus")
        })
        .filter_map(|(_, v)| v.as_str())
        .find_map(|v| {
            let l = v.to_ascii_lowercase();
            let at = l.find("nm")?;
            let digits: String = l[..at]
                .chars()
                .rev()
                .skip_while(|c| c.is_whitespace())
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            digits.parse().ok()
        })
}
