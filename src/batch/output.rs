//! Output of `screen`: JSON lines (default), CSV or Parquet (`parquet.rs`), one flat record per
//! stone ([`super::record`]), each format a [`RecordSink`]. Text outputs are written a chunk at
//! a time and flushed, so that a killed run leaves at most one partial last line, which
//! `--resume` cuts off before appending.

use super::record::{COLUMNS, Cell, tool_version};
use std::collections::{BTreeMap, HashSet};
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

/// What an output file to resume already holds.
#[derive(Debug, Default)]
pub struct Recorded {
    /// The stones recorded (a run's plan has every stone with all its files, so a recorded
    /// stone is a finished one).
    pub stones: HashSet<String>,
    /// Whether the file has content (so that CSV does not repeat its header).
    pub has_content: bool,
    /// How many records each build other than this one wrote (`tool_version` ->
    /// records): a later build may derive other stone ids or verdicts.
    pub other_builds: BTreeMap<String, usize>,
}

/// For `--resume`: cut a partial last line off `path` and read what it records.
pub fn recorded_stones(path: &Path, format: OutputFormat) -> io::Result<Recorded> {
    let mut done = Recorded::default();
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(done);
    };
    if meta.len() == 0 {
        return Ok(done);
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
    let invalid = |e: &dyn std::fmt::Display| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: {e}", path.display()),
        )
    };
    let this_build = tool_version();
    let mut note = |id: Option<&str>, tool: Option<&str>| {
        if let Some(id) = id {
            done.stones.insert(id.to_string());
        }
        if let Some(t) = tool.filter(|t| *t != this_build) {
            *done.other_builds.entry(t.to_string()).or_default() += 1;
        }
    };
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
                let v: serde_json::Value = serde_json::from_str(&line).map_err(|e| invalid(&e))?;
                note(v["stone_id"].as_str(), v["tool_version"].as_str());
            }
        }
        OutputFormat::Csv => {
            let mut r = csv::Reader::from_reader(good);
            let tool_at = r
                .headers()
                .map_err(|e| invalid(&e))?
                .iter()
                .position(|h| h == "tool_version");
            for rec in r.records() {
                let rec = rec.map_err(|e| invalid(&e))?;
                // stone_id is the first column
                note(rec.get(0), tool_at.and_then(|i| rec.get(i)));
            }
        }
    }
    done.has_content = keep > 0;
    Ok(done)
}

/// Where a run's records go: one implementation per format, each holding its own state. Every
/// format writes the same flat record ([`super::record`]).
pub trait RecordSink {
    /// Write one chunk of records (for files: all of it or nothing).
    fn write(&mut self, records: &[Vec<Cell>]) -> io::Result<()>;
    /// Finish the output (Parquet's footer).
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// The sink for `format`, writing to `out` (stdout when None). `append` continues a file (a
/// resumed run; CSV then writes no second header when the file has records).
pub fn open(
    format: OutputFormat,
    out: Option<&Path>,
    append: bool,
    has_records: bool,
) -> io::Result<Box<dyn RecordSink>> {
    if format == OutputFormat::Parquet {
        let path = out.ok_or_else(|| io::Error::other("Parquet output needs a file"))?;
        let f = std::fs::File::create(path)?;
        return Ok(Box::new(super::parquet::ParquetSink::create(f)?));
    }
    let out = match out {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(append)
                .truncate(!append)
                .open(path)?;
            let len = file.metadata()?.len();
            ChunkOut::File { file, len }
        }
        None => ChunkOut::Stdout(io::stdout().lock()),
    };
    Ok(match format {
        OutputFormat::Csv => Box::new(CsvSink {
            out,
            header: !has_records,
        }),
        _ => Box::new(JsonlSink { out }),
    })
}

/// JSON lines: one object per stone, the columns in order.
struct JsonlSink {
    out: ChunkOut,
}

impl RecordSink for JsonlSink {
    fn write(&mut self, records: &[Vec<Cell>]) -> io::Result<()> {
        let mut buf = Vec::new();
        for cells in records {
            let mut obj = serde_json::Map::new();
            for ((name, _), c) in COLUMNS.iter().zip(cells) {
                obj.insert(name.to_string(), c.to_json());
            }
            serde_json::to_writer(&mut buf, &obj).map_err(io::Error::other)?;
            buf.push(b'\n');
        }
        self.out.write_chunk(&buf)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        Ok(())
    }
}

/// CSV: a header row of the column names (once per file), nested parts as JSON text.
struct CsvSink {
    out: ChunkOut,
    header: bool,
}

impl RecordSink for CsvSink {
    fn write(&mut self, records: &[Vec<Cell>]) -> io::Result<()> {
        let mut buf = Vec::new();
        {
            let mut w = csv::Writer::from_writer(&mut buf);
            if self.header {
                w.write_record(COLUMNS.map(|(name, _)| name))
                    .map_err(io::Error::other)?;
            }
            for cells in records {
                w.write_record(cells.iter().map(|c| c.to_text().unwrap_or_default()))
                    .map_err(io::Error::other)?;
            }
            w.flush()?;
        }
        self.out.write_chunk(&buf)?;
        self.header = false;
        Ok(())
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        Ok(())
    }
}

/// A text output: a file, whose length after each whole chunk is kept so that a failed write
/// (a full disk) is cut back and leaves no partial record behind, or stdout.
enum ChunkOut {
    File { file: std::fs::File, len: u64 },
    Stdout(io::StdoutLock<'static>),
}

impl ChunkOut {
    /// Write and flush one chunk's bytes, all or nothing (for files).
    fn write_chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            ChunkOut::Stdout(w) => {
                w.write_all(bytes)?;
                w.flush()
            }
            ChunkOut::File { file, len } => {
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
        }
    }
}
