//! Readers: bytes in, spectra out. The format is chosen by looking at the content (and, for the
//! binary formats without magic bytes, the name): vendor binary files (OPUS, OMNIC, WiRE, SPC and
//! the others of `openreadout-spectro`, Andor SIF, Princeton SPE) by their signatures; then text:
//! JSON starts with `{`, JCAMP-DX carries `##JCAMP-DX=`/`##XYDATA=`-style labels, anything else is
//! read as delimited columns. Every failure is a [`ReadError`] naming the file and, where it can,
//! the line; no input makes a reader panic.
//!
//! **Several spectra in one file** (a map or depth series, an SPC multifile, a text file with
//! several intensity columns): every spectrum is read, in file order. They are taken to be points
//! of one stone, so spectrum `i` (1-based) gets the stone id `<stone>#<i>` and becomes its own
//! record; [`ReadOptions::spectrum`] (`--spectrum N`) keeps spectrum N alone, under the plain id.

mod binary;
mod delimited;
mod file_name;
mod ids;
mod jcamp;
mod json;
mod sif;
mod spe;
pub mod text;
mod vendor;

use super::Spectrum;
use super::metadata::{Metadata, Technique};
use super::units::{XUnit, YUnit};
use super::validate::order_points;
use std::path::Path;

pub use file_name::stone_id_from_path;
pub use ids::{PREFIX_BYTES as ID_PREFIX_BYTES, stone_ids};
pub use json::{SpectrumJson, StoneJson};

/// Largest file a reader accepts (2,000,000 points of text fit well within it).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// A reader's failure, with the file (or upload name) and the 1-based line where known.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}{}: {kind}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ReadError {
    pub file: String,
    pub line: Option<usize>,
    pub kind: ReadErrorKind,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadErrorKind {
    #[error("cannot read file: {0}")]
    Io(String),
    #[error("file is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("no data points")]
    Empty,
    #[error("binary data, not a text spectrum ({0})")]
    NotText(String),
    #[error("only {0} distinct points; at least {min} are needed", min = super::MIN_POINTS)]
    TooFewPoints(usize),
    #[error("{0} points; at most {max} are accepted", max = super::MAX_POINTS)]
    TooManyPoints(usize),
    #[error("value is NaN or infinite")]
    NonFinite,
    #[error("x is not monotonic: {0} after {1}")]
    NotMonotonic(f64, f64),
    #[error("{0}")]
    Syntax(String),
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("{0}")]
    Refused(String),
    #[error("JCAMP-DX check failed: {0}")]
    Check(String),
    #[error("invalid JSON: {0}")]
    Json(String),
}

/// What a format reader extracts before the shared checks and inference in [`finish`].
#[derive(Default)]
pub(crate) struct Raw {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Source line of each point (same length as x), for error messages; may be empty.
    pub lines: Vec<usize>,
    pub x_unit: Option<XUnit>,
    pub y_unit: Option<YUnit>,
    pub meta: Metadata,
    /// One of several spectra of the same stone in one file (a map, a series, several columns).
    pub series: bool,
}

/// What the user says about files that do not say it themselves (CLI flags, request fields).
/// A file's own statement always wins; these fill gaps before any inference.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    pub technique: Option<Technique>,
    pub excitation_nm: Option<f64>,
    pub temperature_k: Option<f64>,
    /// The x unit of files that name none (`--x-unit`).
    pub x_unit: Option<XUnit>,
    /// Of a file with several spectra, keep only this one (1-based; `--spectrum N`).
    pub spectrum: Option<usize>,
}

impl ReadOptions {
    fn fill(&self, meta: &mut Metadata) {
        meta.technique = meta.technique.or(self.technique);
        meta.excitation_nm = meta.excitation_nm.or(self.excitation_nm);
        meta.temperature_k = meta.temperature_k.or(self.temperature_k);
    }
}

/// Read every spectrum in a file.
pub fn read_path(path: &Path) -> Result<Vec<Spectrum>, ReadError> {
    read_path_with(path, &ReadOptions::default())
}

/// Read every spectrum in a file, with what the user said about it.
pub fn read_path_with(path: &Path, opts: &ReadOptions) -> Result<Vec<Spectrum>, ReadError> {
    read_bytes_with(&path.display().to_string(), &read_file(path)?, opts)
}

/// [`read_path_with`], with the sha256 of the bytes read (None when they could not be read):
/// the provenance a record carries.
pub fn read_path_hashed(
    path: &Path,
    opts: &ReadOptions,
) -> (Result<Vec<Spectrum>, ReadError>, Option<String>) {
    match read_file(path) {
        Ok(bytes) => {
            let digest = crate::digest::sha256_hex(&bytes);
            let name = path.display().to_string();
            (read_bytes_with(&name, &bytes, opts), Some(digest))
        }
        Err(e) => (Err(e), None),
    }
}

/// A file's bytes, refusing folders and files past [`MAX_FILE_BYTES`] before reading them.
fn read_file(path: &Path) -> Result<Vec<u8>, ReadError> {
    let err = |kind| ReadError {
        file: path.display().to_string(),
        line: None,
        kind,
    };
    let meta = std::fs::metadata(path).map_err(|e| err(ReadErrorKind::Io(e.to_string())))?;
    if meta.is_dir() {
        return Err(err(ReadErrorKind::Io("is a directory".into())));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(ReadErrorKind::TooLarge));
    }
    std::fs::read(path).map_err(|e| err(ReadErrorKind::Io(e.to_string())))
}

/// The spectra of a stone given as JSON (an HTTP request body), checked like any file's;
/// `name` labels errors and sources.
pub fn from_stone_json(name: &str, stone: StoneJson) -> Result<Vec<Spectrum>, ReadError> {
    let err = |(line, kind)| ReadError {
        file: name.to_string(),
        line,
        kind,
    };
    json::stone_to_raws(stone)
        .map_err(err)?
        .into_iter()
        .map(|raw| finish(raw, name, &ReadOptions::default(), None).map_err(err))
        .collect()
}

/// Read every spectrum in `bytes`; `name` is the file or upload name used in errors, as the
/// spectrum's `source`, and (less the words naming the measurement at its ends,
/// [`stone_id_from_path`]) as the stone id when no metadata names one.
pub fn read_bytes(name: &str, bytes: &[u8]) -> Result<Vec<Spectrum>, ReadError> {
    read_bytes_with(name, bytes, &ReadOptions::default())
}

/// [`read_bytes`] with what the user said about the file.
pub fn read_bytes_with(
    name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<Spectrum>, ReadError> {
    let err = |line, kind| ReadError {
        file: name.to_string(),
        line,
        kind,
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(None, ReadErrorKind::TooLarge));
    }
    let raws = match binary::read(name, bytes) {
        Some(r) => r,
        None => {
            let text = text::decode(bytes).map_err(|k| err(None, k))?;
            match sniff(&text) {
                Format::Json => json::read(&text),
                Format::Jcamp => jcamp::read(&text).map(|r| vec![r]),
                Format::Delimited => delimited::read(&text),
            }
        }
    }
    .map_err(|(line, kind)| err(line, kind))?;
    let series = raws.iter().filter(|r| r.series).count();
    let raws: Vec<(usize, Raw)> = match opts.spectrum {
        Some(n) if series > 1 => {
            let picked: Vec<(usize, Raw)> = raws
                .into_iter()
                .enumerate()
                .filter(|(i, _)| i + 1 == n)
                .map(|(i, mut r)| {
                    r.series = false;
                    r.meta.inferred.push(format!(
                        "spectrum {n} of the file's {series} (--spectrum {n})"
                    ));
                    (i, r)
                })
                .collect();
            if picked.is_empty() {
                return Err(err(
                    None,
                    ReadErrorKind::Refused(format!(
                        "the file holds {series} spectra; there is no spectrum {n}"
                    )),
                ));
            }
            picked
        }
        _ => raws.into_iter().enumerate().collect(),
    };
    raws.into_iter()
        .map(|(i, raw)| {
            let index = (raw.series && series > 1).then_some((i + 1, series));
            finish(raw, name, opts, index).map_err(|(line, kind)| err(line, kind))
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Jcamp,
    Delimited,
}

/// Decide the format from the text itself.
pub fn sniff(text: &str) -> Format {
    let head = text.trim_start();
    if head.starts_with('{') || head.starts_with('[') {
        return Format::Json;
    }
    for line in text.lines().take(400) {
        let l = line.trim_start();
        if let Some(rest) = l.strip_prefix("##") {
            let label: String = rest
                .split('=')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_uppercase();
            if matches!(
                label.as_str(),
                "JCAMPDX" | "XYDATA" | "XYPOINTS" | "NTUPLES" | "PEAKTABLE" | "BLOCKS"
            ) {
                return Format::Jcamp;
            }
        }
    }
    Format::Delimited
}

/// Shared checks and inference: point order and limits, units, technique, stone id, source.
/// `series` is (index, count) of a spectrum that is one of several of a stone in the file.
fn finish(
    raw: Raw,
    name: &str,
    opts: &ReadOptions,
    series: Option<(usize, usize)>,
) -> Result<Spectrum, (Option<usize>, ReadErrorKind)> {
    let Raw {
        x,
        y,
        lines,
        x_unit,
        y_unit,
        mut meta,
        ..
    } = raw;
    opts.fill(&mut meta);
    let ordered = order_points(x, y, |i| lines.get(i).copied())?;
    let (lo, hi) = (ordered.x[0], ordered.x[ordered.x.len() - 1]);

    let x_unit = match (x_unit, &opts.x_unit) {
        (Some(u), _) => u,
        (None, Some(u)) => {
            meta.inferred
                .push(format!("x unit {u} (as stated by the user)"));
            u.clone()
        }
        (None, None) => {
            let (u, why) = match infer_x_unit(lo, hi, meta.technique, meta.excitation_nm) {
                (u, _) if u.is_unknown() && raman_by_name(name, lo, hi) => (
                    XUnit::RamanShift,
                    "file names none; its name says Raman (as RRUFF names its Raman data)",
                ),
                other => other,
            };
            meta.inferred.push(format!("x unit {u} ({why})"));
            u
        }
    };
    // Angstrom and metres are wavelengths at another scale: read as nm, as labs quote lines.
    let mut ordered = ordered;
    let x_unit = match x_unit {
        XUnit::Angstrom | XUnit::Metre => {
            let f = if x_unit == XUnit::Angstrom { 0.1 } else { 1e9 };
            ordered.x.iter_mut().for_each(|v| *v *= f);
            meta.inferred
                .push(format!("x converted from {x_unit} to nm"));
            XUnit::Nm
        }
        u => u,
    };
    let (lo, hi) = (ordered.x[0], ordered.x[ordered.x.len() - 1]);
    if meta.technique.is_none() && x_unit == XUnit::Wavenumber && looks_like_mid_ir(lo, hi) {
        meta.technique = Some(Technique::Ftir);
        meta.inferred
            .push("technique ftir (two columns spanning the mid-infrared)".into());
    }
    let y_unit = y_unit.unwrap_or(match meta.technique {
        Some(Technique::Ftir) | Some(Technique::Uvvis) => YUnit::Absorbance,
        Some(Technique::Pl) | Some(Technique::Raman) => YUnit::Counts,
        None => YUnit::Arbitrary,
    });
    if meta.stone_id.is_none() {
        let id = stone_id_from_path(Path::new(name));
        if !id.is_empty() {
            meta.inferred.push(if id.contains('_') {
                "stone id from the file name: every word but those naming the measurement at \
                 its ends (a serial or a map point is a stone of its own)"
                    .into()
            } else {
                "stone id from the file name".into()
            });
            meta.stone_id = Some(id);
        }
    }
    if let Some((i, n)) = series {
        let id = meta.stone_id.take().unwrap_or_default();
        meta.stone_id = Some(format!("{id}#{i}"));
        meta.inferred.push(format!(
            "spectrum {i} of {n} in the file: stone id {id}#{i} (--spectrum {i} screens it alone)"
        ));
    }
    if meta.source.is_none() {
        meta.source = Some(name.to_string());
    }
    Ok(Spectrum {
        x: ordered.x,
        y: ordered.y,
        x_unit,
        y_unit,
        meta,
        source_descending: ordered.source_descending,
    })
}

/// The x unit of a file that names none, where the range (and the technique or the laser) leaves
/// only one reading, with the reason shown to the user; otherwise [`XUnit::unknown`].
fn infer_x_unit(
    lo: f64,
    hi: f64,
    technique: Option<Technique>,
    excitation_nm: Option<f64>,
) -> (XUnit, &'static str) {
    let nm_range = (150.0..=2600.0).contains(&lo) && hi <= 2600.0;
    let angstrom_range = lo >= 1500.0 && hi <= 26_000.0 && hi > 2600.0;
    let metre_range = lo >= 1.5e-7 && hi <= 2.6e-6;
    if metre_range {
        return (
            XUnit::Metre,
            "file names none; a range of 1.5e-7 to 2.6e-6 can only be metres",
        );
    }
    if lo < 0.0 && hi > 0.0 && hi <= 10_000.0 {
        return (
            XUnit::RamanShift,
            "file names none; only a Raman shift runs through zero",
        );
    }
    match technique {
        Some(Technique::Ftir) => (XUnit::Wavenumber, "file names none; FTIR is in cm-1"),
        Some(Technique::Raman) => (XUnit::RamanShift, "file names none; Raman is a shift"),
        Some(Technique::Pl) | Some(Technique::Uvvis) if nm_range => {
            // A PL spectrum in nm lies on the long-wavelength side of its laser.
            match excitation_nm {
                Some(e) if technique == Some(Technique::Pl) && hi <= e => (
                    XUnit::unknown(),
                    "file names none; the range lies below the laser, so it is not nm",
                ),
                _ => (XUnit::Nm, "file names none; the range fits nm"),
            }
        }
        Some(Technique::Pl) | Some(Technique::Uvvis) if angstrom_range => (
            XUnit::Angstrom,
            "file names none; the range is a visible/near-infrared spectrum in angstrom",
        ),
        Some(_) => (XUnit::unknown(), "file names none; the range fits no unit"),
        None if looks_like_mid_ir(lo, hi) => (
            XUnit::Wavenumber,
            "file names none; the range spans the mid-infrared",
        ),
        None if nm_range => (XUnit::Nm, "file names none; the range fits nm"),
        None => (
            XUnit::unknown(),
            "file names none and the range fits more than one unit",
        ),
    }
}

/// A file whose name says it is Raman data, with a range a Raman shift can have.
fn raman_by_name(name: &str, lo: f64, hi: f64) -> bool {
    let stem = Path::new(name)
        .file_name()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    stem.contains("raman") && lo >= -500.0 && hi <= 6000.0
}

/// A two-column file spanning about 600-4000 cm^-1: an FTIR export (Thermo OMNIC CSV).
fn looks_like_mid_ir(lo: f64, hi: f64) -> bool {
    (350.0..=1500.0).contains(&lo) && (2500.0..=8000.0).contains(&hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff("  {\"stone_id\": 1}"), Format::Json);
        assert_eq!(sniff("##TITLE=x\n##JCAMP-DX=4.24\n"), Format::Jcamp);
        assert_eq!(sniff("##TITLE=x\n##JCAMPDX=5\n"), Format::Jcamp);
        assert_eq!(
            sniff("##NAMES=Diamond\n##RRUFFID=R1\n100, 2\n"),
            Format::Delimited
        );
        assert_eq!(sniff("1,2\n3,4\n"), Format::Delimited);
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = read_bytes("bad.csv", b"1,2\n2,3\n3,nan\n").unwrap_err();
        assert_eq!(e.file, "bad.csv");
        assert_eq!(e.line, Some(3));
        assert!(e.to_string().starts_with("bad.csv:3: "), "{e}");
    }
}
