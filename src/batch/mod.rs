//! Archive screening: files and folders (or a list of paths on stdin) in, one record per stone
//! out, streamed a chunk of stones at a time so that memory stays bounded however large the
//! archive. `--shard I/N` takes a deterministic share of the stones; `--resume` skips stones
//! whose files are already recorded in the output, so a run killed at any point and rerun
//! yields exactly one record per stone.
//!
//! Stones are planned before any is screened ([`plan_stones`]): every file's stone ids (those
//! its metadata gives, else its name's, learnt from a prefix of the file where that is exact),
//! so a stone is never split between chunks, shards or resumed runs, however its files are
//! named.

mod name_kin;
pub mod output;
pub mod parquet;
pub mod record;
pub mod shard;

use name_kin::NameKin;
pub use output::OutputFormat;
use record::Provenance;
pub use shard::Shard;

use crate::screen::{Screener, files, group_planned, plan_stones};
use crate::spectrum::ReadOptions;
use crate::verdict::{Verdict, VerdictKind};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Files and folders; `-` reads a list of paths from stdin, one per line.
    pub paths: Vec<PathBuf>,
    pub format: OutputFormat,
    /// Output file (stdout when None).
    pub out: Option<PathBuf>,
    pub shard: Option<Shard>,
    pub resume: bool,
    /// Stones per chunk (memory bound).
    pub chunk_stones: usize,
    pub progress: bool,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Summary {
    pub stones: usize,
    pub files: usize,
    pub resumed_skipped: usize,
    /// Records already in a resumed output that another build wrote (its `tool_version` ->
    /// records): stone ids taken from file names, or verdicts, may differ between builds.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub resumed_from_other_builds: BTreeMap<String, usize>,
    pub other_shards: usize,
    pub verdicts: BTreeMap<String, usize>,
    pub errors: usize,
    pub seconds: f64,
    pub stones_per_second: f64,
}

impl Summary {
    /// Where a resumed output holds records another build wrote: which, and why it matters.
    pub fn other_builds_warning(&self) -> Option<String> {
        if self.resumed_from_other_builds.is_empty() {
            return None;
        }
        let builds: Vec<String> = self
            .resumed_from_other_builds
            .iter()
            .map(|(t, n)| format!("{n} by {t}"))
            .collect();
        Some(format!(
            "records in the output written by another build ({}), this is {}: stone ids and \
             verdicts may differ between builds (resume with the binary that began the run)",
            builds.join(", "),
            record::tool_version()
        ))
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let counts: Vec<String> = self
            .verdicts
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        write!(
            f,
            "screened {} stones ({} files) in {:.2} s, {:.0} stones/s: {}; errors {}",
            self.stones,
            self.files,
            self.seconds,
            self.stones_per_second,
            if counts.is_empty() {
                "-".to_string()
            } else {
                counts.join(", ")
            },
            self.errors
        )?;
        if self.resumed_skipped > 0 {
            write!(
                f,
                "; {} already in the output (resumed)",
                self.resumed_skipped
            )?;
        }
        if let Some(w) = self.other_builds_warning() {
            write!(f, "; {w}")?;
        }
        if self.other_shards > 0 {
            write!(f, "; {} left to other shards", self.other_shards)?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("reading inputs: {0}")]
    Input(std::io::Error),
    #[error("output {path}: {source}")]
    Output {
        path: String,
        source: std::io::Error,
    },
    #[error("--resume needs --out FILE (stdout cannot be resumed)")]
    ResumeNeedsFile,
    #[error("--format parquet needs --out FILE")]
    ParquetNeedsFile,
    #[error(
        "--resume works with jsonl and csv: a Parquet file is unreadable until finished, so rerun a killed Parquet job (or shard) whole"
    )]
    ParquetResume,
}

fn input_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, BatchError> {
    let mut expanded = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(BatchError::Input)?;
                let t = line.trim();
                if !t.is_empty() {
                    expanded.push(PathBuf::from(t));
                }
            }
        } else {
            expanded.push(p.clone());
        }
    }
    files::expand(&expanded).map_err(BatchError::Input)
}

type Stones = [(String, Vec<PathBuf>)];

/// Read, group and screen planned stones a chunk at a time, handing each chunk's verdicts to
/// `sink`. A file holding several stones is read with each chunk that
/// has one of them, and each chunk keeps only its own stones.
fn for_each_chunk<E>(
    screener: &Screener,
    plan: &Stones,
    planned: &HashSet<String>,
    kin: &NameKin,
    chunk_stones: usize,
    read: &ReadOptions,
    mut sink: impl FnMut(&[Verdict]) -> Result<(), E>,
) -> Result<(), E> {
    for chunk in plan.chunks(chunk_stones.max(1)) {
        let mut ids_of: HashMap<&Path, Vec<String>> = HashMap::new();
        for (id, paths) in chunk {
            for p in paths {
                ids_of.entry(p.as_path()).or_default().push(id.clone());
            }
        }
        let mut paths: Vec<PathBuf> = ids_of.keys().map(|p| p.to_path_buf()).collect();
        paths.sort();
        let error_ids = |p: &Path| ids_of.get(p).cloned().unwrap_or_default();
        let mut stones = group_planned(&paths, read, &error_ids);
        // Keep this chunk's stones; an id the whole run's plan (`planned`, before shards and
        // resumed stones were taken out) does not have at all (a file that reads differently
        // the second time) is kept too, so that no stone is ever lost.
        stones.retain(|s| {
            chunk
                .binary_search_by(|(id, _)| id.as_str().cmp(&s.id))
                .is_ok()
                || !planned.contains(&s.id)
        });
        let mut verdicts = screener.screen(&stones);
        for v in &mut verdicts {
            if let Ok(i) = chunk.binary_search_by(|(id, _)| id.as_str().cmp(&v.stone_id)) {
                v.warnings.extend(kin.warning(&v.stone_id, &chunk[i].1));
            }
        }
        sink(&verdicts)?;
    }
    Ok(())
}

/// Stones read and scored together by default.
pub const DEFAULT_CHUNK_STONES: usize = 2000;

/// Screen files and folders and keep every verdict (for evaluation and calibration, which need
/// the records together; archives go through [`run`], which streams).
pub fn screen_all(
    screener: &Screener,
    paths: &[PathBuf],
    read: &ReadOptions,
) -> Result<Vec<Verdict>, BatchError> {
    let plan = plan_stones(files::expand(paths).map_err(BatchError::Input)?, read);
    let planned = plan.iter().map(|(id, _)| id.clone()).collect();
    let kin = NameKin::of(&plan);
    let mut all = Vec::with_capacity(plan.len());
    for_each_chunk(
        screener,
        &plan,
        &planned,
        &kin,
        DEFAULT_CHUNK_STONES,
        read,
        |v| {
            all.extend_from_slice(v);
            Ok::<(), BatchError>(())
        },
    )?;
    Ok(all)
}

/// A run's stones, planned before any is screened and before a model is needed, so that the
/// models can load while the archive is walked ([`plan`], then [`run_planned`]).
pub struct Plan {
    /// This run's stones (its shard's, those not yet recorded), sorted by id, with their files.
    stones: Vec<(String, Vec<PathBuf>)>,
    /// Every stone id the archive gave, before shards and resumed stones were taken out.
    planned: HashSet<String>,
    /// Stones whose name-given ids share their first word ([`NameKin`], over the whole plan).
    kin: NameKin,
    /// Whether the output file to resume already holds records.
    has_content: bool,
    summary: Summary,
    started: Instant,
}

impl Plan {
    /// A warning to give before the run starts (the resumed output's other builds), if any.
    pub fn warning(&self) -> Option<String> {
        self.summary.other_builds_warning()
    }
}

/// Plan a run: check the options, walk the inputs, learn every file's stones, keep this
/// shard's and (`--resume`) those the output does not yet hold.
pub fn plan(opts: &BatchOptions, read: &ReadOptions) -> Result<Plan, BatchError> {
    let started = Instant::now();
    let mut summary = Summary::default();
    if opts.resume && opts.out.is_none() {
        return Err(BatchError::ResumeNeedsFile);
    }
    if opts.format == OutputFormat::Parquet {
        if opts.out.is_none() {
            return Err(BatchError::ParquetNeedsFile);
        }
        if opts.resume {
            return Err(BatchError::ParquetResume);
        }
    }
    let mut stones = plan_stones(input_paths(&opts.paths)?, read);
    let planned: HashSet<String> = stones.iter().map(|(id, _)| id.clone()).collect();
    let kin = NameKin::of(&stones);
    if let Some(sh) = opts.shard {
        let before = stones.len();
        stones.retain(|(key, _)| sh.owns(key));
        summary.other_shards = before - stones.len();
    }
    let mut has_content = false;
    if opts.resume
        && let Some(path) = &opts.out
    {
        let done = output::recorded_stones(path, opts.format)
            .map_err(|source| output_error(opts, source))?;
        has_content = done.has_content;
        let before = stones.len();
        stones.retain(|(id, _)| !done.stones.contains(id));
        summary.resumed_skipped = before - stones.len();
        summary.resumed_from_other_builds = done.other_builds;
    }
    Ok(Plan {
        stones,
        planned,
        kin,
        has_content,
        summary,
        started,
    })
}

fn output_error(opts: &BatchOptions, source: std::io::Error) -> BatchError {
    BatchError::Output {
        path: opts
            .out
            .as_ref()
            .map_or("stdout".to_string(), |p| p.display().to_string()),
        source,
    }
}

/// Screen an archive; records go to `opts.out` (or stdout), the summary is returned.
pub fn run(
    screener: &Screener,
    opts: &BatchOptions,
    read: &ReadOptions,
) -> Result<Summary, BatchError> {
    run_planned(screener, plan(opts, read)?, opts, read)
}

/// Screen a planned run (`plan(opts, read)`); its summary counts from the start of the plan.
pub fn run_planned(
    screener: &Screener,
    plan: Plan,
    opts: &BatchOptions,
    read: &ReadOptions,
) -> Result<Summary, BatchError> {
    let Plan {
        stones: plan,
        planned,
        kin,
        has_content,
        mut summary,
        started: t0,
    } = plan;
    let out_err = |source| output_error(opts, source);
    let mut out = output::open(opts.format, opts.out.as_deref(), opts.resume, has_content)
        .map_err(&out_err)?;
    let provenance = Provenance::new(&screener.models);
    summary.files = plan
        .iter()
        .flat_map(|(_, paths)| paths)
        .collect::<HashSet<_>>()
        .len();
    let bar = if opts.progress {
        let b = ProgressBar::new(plan.len() as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} stones  {per_sec}  ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    for_each_chunk(
        screener,
        &plan,
        &planned,
        &kin,
        opts.chunk_stones,
        read,
        |verdicts| {
            for v in verdicts {
                *summary
                    .verdicts
                    .entry(v.verdict.name().to_string())
                    .or_default() += 1;
                if v.verdict == VerdictKind::Error {
                    summary.errors += 1;
                }
            }
            summary.stones += verdicts.len();
            let cells: Vec<_> = verdicts.iter().map(|v| provenance.cells(v)).collect();
            out.write(&cells).map_err(&out_err)?;
            bar.inc(verdicts.len() as u64);
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    out.finish().map_err(&out_err)?;
    summary.seconds = t0.elapsed().as_secs_f64();
    summary.stones_per_second = if summary.seconds > 0.0 {
        summary.stones as f64 / summary.seconds
    } else {
        0.0
    };
    Ok(summary)
}
