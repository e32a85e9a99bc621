//! Output of `screen`: JSON lines (default) or CSV, one record per stone, written a chunk at a
//! time and flushed, so that a killed run leaves at most one partial last line, which `--resume`
//! cuts off before appending. Parquet is in `parquet.rs`.

use crate::verdict::Verdict;
use std::collections::HashSet;
use std::io::{self, BufRead, Write};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Jsonl,
    Csv,
    Parquet,
}

impl std::str::FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "jsonl" | "json" => Ok(OutputFormat::Jsonl),
            "csv" => Ok(OutputFormat::Csv),
            "parquet" => Ok(OutputFormat::Parquet),
            _ => Err(format!("unknown format {s:?} (jsonl, csv, parquet)")),
        }
    }
}

pub const CSV_HEADER: [&str; 14] = [
    "stone_id",
    "verdict",
    "likely_origin",
    "p_synthetic",
    "p_natural",
    "p_cvd",
    "p_hpht",
    "p_simulant",
    "evidence",
    "channels",
    "warnings",
    "models",
    "error",
    "files",
];

fn opt(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x:.6}"))
}

fn csv_row(v: &Verdict) -> Vec<String> {
    let p = v.probabilities;
    vec![
        v.stone_id.clone(),
        v.verdict.name().to_string(),
        v.likely_origin
            .map_or(String::new(), |o| format!("{o:?}").to_lowercase()),
        opt(v.p_synthetic),
        opt(p.map(|p| p.natural)),
        opt(p.map(|p| p.cvd)),
        opt(p.map(|p| p.hpht)),
        opt(p.map(|p| p.simulant)),
        v.evidence
            .iter()
            .map(|e| {
                format!(
                    "{}:{}@{:.2}",
                    e.channel, e.evidence.centre, e.evidence.observed
                )
            })
            .collect::<Vec<_>>()
            .join(";"),
        v.channels
            .iter()
            .map(|c| c.channel.map_or("-", |c| c.name()))
            .collect::<Vec<_>>()
            .join(";"),
        v.warnings.join(" | "),
        v.models.join(";"),
        v.error.clone().unwrap_or_default(),
        v.files.join(";"),
    ]
}

/// Render records for one write.
pub fn render(records: &[Verdict], format: OutputFormat, header: bool) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match format {
        OutputFormat::Jsonl => {
            for v in records {
                serde_json::to_writer(&mut buf, v).map_err(io::Error::other)?;
                buf.push(b'\n');
            }
        }
        OutputFormat::Parquet => {
            return Err(io::Error::other(
                "parquet records are written by ParquetSink",
            ));
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut buf);
            if header {
                w.write_record(CSV_HEADER).map_err(io::Error::other)?;
            }
            for v in records {
                w.write_record(csv_row(v)).map_err(io::Error::other)?;
            }
            w.flush()?;
        }
    }
    Ok(buf)
}

/// For `--resume`: cut a partial last line off `path` and return the files already recorded
/// (and whether the file already has content, so that CSV does not repeat its header).
pub fn recorded_files(path: &Path, format: OutputFormat) -> io::Result<(HashSet<String>, bool)> {
    let mut files = HashSet::new();
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok((files, false));
    };
    if meta.len() == 0 {
        return Ok((files, false));
    }
    // Cut everything after the last newline (a record being written when the run died).
    let bytes = std::fs::read(path)?;
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if keep < bytes.len() {
        let f = std::fs::OpenOptions::new().write(true).open(path)?;
        f.set_len(keep as u64)?;
        f.sync_all()?;
    }
    let good = &bytes[..keep];
    match format {
        // `run` refuses --resume with Parquet before getting here.
        OutputFormat::Parquet => {
            return Err(io::Error::other("--resume works with jsonl and csv"));
        }
        OutputFormat::Jsonl => {
            for line in good.lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                for f in v["files"].as_array().into_iter().flatten() {
                    if let Some(s) = f.as_str() {
                        files.insert(s.to_string());
                    }
                }
            }
        }
        OutputFormat::Csv => {
            let mut r = csv::Reader::from_reader(good);
            let col = CSV_HEADER.len() - 1;
            for rec in r.records() {
                let rec = rec.map_err(|e| {
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("{}: {e}", path.display()),
                    )
                })?;
                for f in rec
                    .get(col)
                    .unwrap_or("")
                    .split(';')
                    .filter(|s| !s.is_empty())
                {
                    files.insert(f.to_string());
                }
            }
        }
    }
    Ok((files, keep > 0))
}

/// Where records go: a file, whose length after each whole chunk is kept so that a failed write
/// (a full disk) is cut back and leaves no partial record behind; stdout; or a Parquet file.
pub enum Sink {
    File { file: std::fs::File, len: u64 },
    Stdout(io::StdoutLock<'static>),
    Parquet(Box<super::parquet::ParquetSink>),
}

impl Sink {
    pub fn file(file: std::fs::File) -> io::Result<Sink> {
        let len = file.metadata()?.len();
        Ok(Sink::File { file, len })
    }

    /// Write one chunk of records; `header` asks CSV for its header row.
    pub fn write(
        &mut self,
        records: &[Verdict],
        format: OutputFormat,
        header: bool,
    ) -> io::Result<()> {
        match self {
            Sink::Parquet(p) => p.write(records),
            _ => {
                let bytes = render(records, format, header)?;
                self.write_chunk(&bytes)
            }
        }
    }

    /// Finish the output (a Parquet file's footer).
    pub fn finish(self) -> io::Result<()> {
        match self {
            Sink::Parquet(p) => p.finish(),
            _ => Ok(()),
        }
    }

    /// Write and flush one chunk's bytes, all or nothing (for files).
    fn write_chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stdout(w) => {
                w.write_all(bytes)?;
                w.flush()
            }
            Sink::File { file, len } => {
                let written = file.write_all(bytes).and_then(|_| file.sync_data());
                match written {
                    Ok(()) => {
                        *len += bytes.len() as u64;
                        Ok(())
                    }
                    Err(e) => {
                        // Drop the partial chunk; if even that fails, --resume cuts it.
                        let _ = file.set_len(*len);
                        Err(e)
                    }
                }
            }
            Sink::Parquet(_) => Err(io::Error::other("Parquet output takes records, not bytes")),
        }
    }
}
