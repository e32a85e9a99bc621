//! The `diamond-screen` command line. Thin: every command is a call into the library.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use diamond_screen::batch::{self, BatchOptions, OutputFormat, Shard};
use diamond_screen::calibrate::calibrate;
use diamond_screen::evaluate::evaluate;
use diamond_screen::featurize::{featurize, write_features};
use diamond_screen::inspect::inspect_path;
use diamond_screen::labels::read_labels;
use diamond_screen::model::{BackendChoice, Manifest, ModelSet, ModelSource, ModelSpec, backend};
use diamond_screen::parcel;
use diamond_screen::plot::render_png;
use diamond_screen::screen::{Screener, files, group_files};
use diamond_screen::simulate::{Channel, Family, Kind, archive::write_archive, write::Format};
use diamond_screen::spectrum::{ReadOptions, Technique, XUnit, read_path_with};
use diamond_screen::stage::findings;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "diamond-screen",
    version = diamond_screen::batch::record::VERSION,
    about = "Screen diamonds (natural / laboratory-grown / simulant) from optical spectra",
    // A flag given twice takes its last value (scripts add to a default command line).
    args_override_self = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Metadata for files that carry none.
#[derive(Args, Clone, Debug)]
struct Defaults {
    /// Technique of files that do not name one (pl, raman, uvvis, ftir).
    #[arg(long, value_parser = parse_technique)]
    technique: Option<Technique>,
    /// Excitation wavelength (nm) of files that do not give one.
    #[arg(long)]
    excitation_nm: Option<f64>,
    /// Temperature (K) of files that do not give one.
    #[arg(long)]
    temperature_k: Option<f64>,
    /// x unit of files that do not name one and whose range leaves it open: nm, um, angstrom,
    /// m, cm-1, raman_shift (needs the laser), ev.
    #[arg(long, value_parser = parse_x_unit)]
    x_unit: Option<XUnit>,
    /// Of a file holding several spectra (a map, a series, several columns), screen only this
    /// one (1-based), under the plain stone id; without it, spectrum i is stone `<stone>#<i>`.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    spectrum: Option<u64>,
}

fn parse_technique(s: &str) -> Result<Technique, String> {
    Technique::parse(s).ok_or_else(|| format!("unknown technique {s:?} (pl, raman, uvvis, ftir)"))
}

/// A share as a percentage with as many digits as it needs (0.0001%, 99.9999%).
fn percent(share: f64) -> String {
    let s = format!("{:.10}", 100.0 * share);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn parse_x_unit(s: &str) -> Result<XUnit, String> {
    match XUnit::parse(s) {
        XUnit::Other(_) => Err(format!(
            "unknown x unit {s:?} (nm, um, angstrom, m, cm-1, raman_shift, ev)"
        )),
        u => Ok(u),
    }
}

impl Defaults {
    fn options(&self) -> ReadOptions {
        ReadOptions {
            technique: self.technique,
            excitation_nm: self.excitation_nm,
            temperature_k: self.temperature_k,
            x_unit: self.x_unit.clone(),
            spectrum: self.spectrum.map(|n| n as usize),
        }
    }
}

/// Where the models are and which inference backend runs them.
#[derive(Args, Clone, Debug)]
struct ModelOpts {
    /// Folder of model packages (<folder>/<id>/manifest.json + model.onnx) [default: ./models
    /// where it holds a package, else the models built into this binary]
    #[arg(long, env = "DIAMOND_SCREEN_MODELS")]
    models: Option<PathBuf>,
    /// auto (ONNX Runtime when its library is found, else tract), tract, or onnxruntime.
    #[arg(long, default_value = "auto", env = "DIAMOND_SCREEN_BACKEND")]
    backend: BackendChoice,
    /// Path to libonnxruntime.so (else ORT_DYLIB_PATH, else the onnxruntime Python package).
    #[arg(long, env = "DIAMOND_SCREEN_ORT_LIB")]
    ort_lib: Option<PathBuf>,
}

impl ModelOpts {
    fn load(&self) -> Result<ModelSet> {
        let info = backend::init(self.backend, self.ort_lib.as_deref())?;
        eprintln!("backend: {} ({})", info.kind.name(), info.reason);
        let source = self.source();
        if source == ModelSource::BuiltIn {
            eprintln!("models: {source}");
        }
        Ok(source.load(rayon::current_num_threads())?)
    }

    fn source(&self) -> ModelSource {
        ModelSource::choose(self.models.as_deref())
    }
}

/// The folder of a loaded model, for the commands that write its manifest.
fn package_dir(m: &diamond_screen::model::LoadedModel) -> Result<&std::path::Path> {
    m.dir.as_deref().ok_or_else(|| {
        anyhow::anyhow!(
            "{}: the models built into the binary cannot be updated: give their folder with \
             --models",
            m.manifest.spec.id
        )
    })
}

/// A parcel and what its declaration tolerates.
#[derive(Args, Clone, Debug)]
struct PlanArgs {
    /// Stones in the whole parcel.
    #[arg(long)]
    parcel_size: u64,
    /// Share of stones not confirmed natural that the declaration tolerates.
    #[arg(long, default_value_t = 0.01)]
    max_share: f64,
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
}

#[derive(Subcommand)]
enum Command {
    /// Print each spectrum's metadata, range, diamond Raman line and detected centres.
    Inspect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// One JSON object per spectrum per line.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        defaults: Defaults,
    },
    /// Draw a file's spectra with the detected centres marked, as PNG.
    Plot {
        file: PathBuf,
        #[arg(short, long)]
        output: PathBuf,
        #[arg(long, default_value_t = 1200)]
        width: u32,
        #[arg(long, default_value_t = 450)]
        panel_height: u32,
        #[command(flatten)]
        defaults: Defaults,
    },
    /// Feature matrices of a labelled folder through each model spec's protocol (for training).
    Featurize {
        /// Folder with spectra and labels.csv
        dir: PathBuf,
        /// Spec files (models/train/specs/*.json) or model manifests
        #[arg(long, num_args = 1.., default_values = ["models/train/specs/pl532.json", "models/train/specs/pl405.json", "models/train/specs/ftir.json"])]
        spec: Vec<PathBuf>,
        /// Output folder: <channel>.npy, <channel>.csv, <channel>.columns.txt
        #[arg(long)]
        out: PathBuf,
    },
    /// Screen files and folders: one JSON record per stone.
    Screen {
        /// Files and folders (recursive); `-` reads a list of paths from stdin.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// jsonl (default), csv, or parquet (needs --out; one row group per chunk)
        #[arg(long, default_value = "jsonl")]
        format: OutputFormat,
        /// Write records here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Screen only shard I of N (0 <= I < N), by a stable hash of the stone id.
        #[arg(long)]
        shard: Option<Shard>,
        /// Skip stones already recorded in --out (after cutting a partial last record).
        #[arg(long)]
        resume: bool,
        /// Stones read and scored together (bounds memory).
        #[arg(long, default_value_t = batch::DEFAULT_CHUNK_STONES)]
        chunk: usize,
        /// Only read and parse the files (a benchmark of the I/O floor); no models, no output.
        #[arg(long)]
        parse_only: bool,
        #[command(flatten)]
        model: ModelOpts,
        #[command(flatten)]
        defaults: Defaults,
    },
    /// Screen a random sample of a parcel declared natural: release or hold, with an exact upper
    /// bound on the share of stones in the parcel not confirmed natural.
    Parcel {
        /// Folder (or files) with the sampled stones' spectra.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        plan: PlanArgs,
        /// The summary and every stone's record as one JSON object.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        model: ModelOpts,
        #[command(flatten)]
        defaults: Defaults,
    },
    /// How many stones to screen to detect a given share of non-natural stones.
    SamplingPlan {
        #[command(flatten)]
        plan: PlanArgs,
    },
    /// The HTTP service (until SIGTERM/SIGINT; in-flight requests finish).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", env = "DIAMOND_SCREEN_ADDR")]
        addr: std::net::SocketAddr,
        /// Largest request body in bytes.
        #[arg(long, default_value_t = 64 * 1024 * 1024, env = "DIAMOND_SCREEN_MAX_BODY")]
        max_body: usize,
        /// Most stones per batch or parcel request.
        #[arg(long, default_value_t = 1000, env = "DIAMOND_SCREEN_MAX_STONES")]
        max_stones: usize,
        /// Requests screened at once; more get 503 with Retry-After.
        #[arg(long, default_value_t = 64, env = "DIAMOND_SCREEN_MAX_IN_FLIGHT")]
        max_in_flight: usize,
        /// Request timeout, seconds.
        #[arg(long, default_value_t = 30, env = "DIAMOND_SCREEN_TIMEOUT")]
        timeout: u64,
        /// Most spectra in one stone.
        #[arg(long, default_value_t = 16, env = "DIAMOND_SCREEN_MAX_SPECTRA")]
        max_spectra: usize,
        /// Dynamic batching: stones per model batch before the batcher stops collecting.
        #[arg(long, default_value_t = 256, env = "DIAMOND_SCREEN_MAX_BATCH")]
        max_batch: usize,
        /// Dynamic batching: how long a request waits for others already in hand to join its
        /// batch, microseconds (0: it takes what is queued and starts; requests arriving while a
        /// batch computes still form the next one).
        #[arg(long, default_value_t = 0, env = "DIAMOND_SCREEN_MAX_WAIT_US")]
        max_wait_us: u64,
        /// Testing only: a delay added to every batch, so a request stays in flight.
        #[arg(long, default_value_t = 0, hide = true)]
        test_batch_delay_ms: u64,
        /// Seconds a connection has to send a request's headers, and to start its next request
        /// (the idle timeout of a kept-alive connection).
        #[arg(long, default_value_t = 10, env = "DIAMOND_SCREEN_HEADER_TIMEOUT")]
        header_timeout: u64,
        /// Open connections at most; past it a new connection gets 503 and is closed.
        #[arg(long, default_value_t = 1024, env = "DIAMOND_SCREEN_MAX_CONNECTIONS")]
        max_connections: usize,
        /// Requests on one kept-alive connection before it is closed.
        #[arg(
            long,
            default_value_t = 1000,
            env = "DIAMOND_SCREEN_MAX_REQUESTS_PER_CONNECTION"
        )]
        max_requests_per_connection: usize,
        /// Seconds open connections get to finish once SIGTERM arrives.
        #[arg(long, default_value_t = 30, env = "DIAMOND_SCREEN_GRACE")]
        grace: u64,
        /// File of API keys (one per line); when given, /v1 and /admin need
        /// `Authorization: Bearer KEY`.
        #[arg(long, env = "DIAMOND_SCREEN_API_KEYS")]
        api_keys: Option<PathBuf>,
        /// Log format: text or json (level from RUST_LOG, default info).
        #[arg(long, default_value = "text", env = "DIAMOND_SCREEN_LOG_FORMAT")]
        log_format: String,
        #[command(flatten)]
        model: ModelOpts,
    },
    /// Screen a labelled folder and print the confusion matrix and ASSURE-style figures.
    Evaluate {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
        /// Also record the figures, with this description of the set, in every model manifest.
        #[arg(long)]
        record: Option<String>,
        #[command(flatten)]
        model: ModelOpts,
    },
    /// Set each model's pass threshold from a labelled calibration folder (written to manifests).
    Calibrate {
        dir: PathBuf,
        /// Threshold = margin x the lowest p(synthetic) of a synthetic stone that clears every
        /// other check (never above `cap`).
        #[arg(long, default_value_t = 0.5)]
        margin: f64,
        #[arg(long, default_value_t = 0.5)]
        cap: f64,
        #[command(flatten)]
        model: ModelOpts,
    },
    /// Write simulated stones (labelled SIMULATED) and labels.csv into a folder.
    Simulate {
        #[arg(long)]
        stones: u64,
        #[arg(long)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// csv, jcamp or json
        #[arg(long, default_value = "csv")]
        format: String,
        /// Comma-separated: pl532, pl405, ftir
        #[arg(long, default_value = "pl532,pl405,ftir")]
        channels: String,
        /// Comma-separated classes, taken in turn (natural_ia, natural_iia, cvd_as_grown,
        /// cvd_hpht_treated, hpht_ni, hpht_low_n, hpht_boron, cz, moissanite, glass, corundum);
        /// default: the standard mix, drawn at random.
        #[arg(long)]
        kinds: Option<String>,
        /// Comma-separated instrument families, one drawn per stone (original, bench, compact,
        /// high_resolution, microscope, flattened, field); default: original.
        #[arg(long)]
        families: Option<String>,
    },
}

/// Structured logs on stderr (tracing); RUST_LOG sets the level.
fn init_logs(format: &str) -> Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match format {
        "text" => builder.init(),
        "json" => builder.json().init(),
        other => anyhow::bail!("--log-format {other}: use text or json"),
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // `screen ... | head`: the reader has all it wanted; stop quietly.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether an error is a write to a pipe whose reader has gone.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Inspect {
            files,
            json,
            defaults,
        } => {
            let mut failed = false;
            let mut out = std::io::stdout().lock();
            for f in &files {
                match inspect_path(f, &defaults.options()) {
                    Ok(records) => {
                        for r in records {
                            if json {
                                writeln!(out, "{}", serde_json::to_string(&r)?)?;
                            } else {
                                writeln!(out, "{r}\n")?;
                            }
                        }
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        failed = true;
                    }
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Plot {
            file,
            output,
            width,
            panel_height,
            defaults,
        } => {
            let spectra = read_path_with(&file, &defaults.options())?;
            let detections: Vec<_> = spectra.iter().map(findings).collect();
            let panels: Vec<_> = spectra.iter().zip(&detections).collect();
            let png = render_png(&panels, width, panel_height)?;
            std::fs::write(&output, png)
                .with_context(|| format!("writing {}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Featurize { dir, spec, out } => {
            let labels = read_labels(&dir.join("labels.csv")).map_err(anyhow::Error::msg)?;
            let stones = group_files(
                &files::expand(std::slice::from_ref(&dir))?,
                &ReadOptions::default(),
            );
            std::fs::create_dir_all(&out)?;
            for path in spec {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                let spec: ModelSpec = serde_json::from_str(&text)
                    .with_context(|| format!("parsing {}", path.display()))?;
                spec.validate().map_err(anyhow::Error::msg)?;
                let f = featurize(&stones, &labels, &spec);
                let prefix = out.join(spec.channel.name());
                write_features(&prefix, &f, &spec)?;
                eprintln!(
                    "{}: {} rows x {} features -> {}.npy ({} skipped)",
                    spec.id,
                    f.info.len(),
                    f.n_features,
                    prefix.display(),
                    f.skipped.len()
                );
                for s in f.skipped.iter().take(5) {
                    eprintln!("  skipped {s}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Screen {
            paths,
            format,
            out,
            shard,
            resume,
            chunk,
            parse_only,
            model,
            defaults,
        } => {
            if parse_only {
                let t0 = std::time::Instant::now();
                let files = files::expand(&paths)?;
                let stones = group_files(&files, &defaults.options());
                let spectra: usize = stones.iter().map(|s| s.spectra.len()).sum();
                let errors: usize = stones.iter().map(|s| s.errors.len()).sum();
                eprintln!(
                    "parsed {} files ({spectra} spectra, {errors} unreadable) into {} stones in {:.2} s",
                    files.len(),
                    stones.len(),
                    t0.elapsed().as_secs_f64()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let opts = BatchOptions {
                paths,
                format,
                out,
                shard,
                resume,
                chunk_stones: chunk,
                progress: std::io::stderr().is_terminal(),
            };
            let read = defaults.options();
            // The archive is walked and its stones planned while the models load (finding
            // ONNX Runtime's library through Python alone takes 0.1-0.2 s): a model that
            // fails to load is reported at once, without waiting for the plan.
            let planning = std::thread::spawn({
                let (opts, read) = (opts.clone(), read.clone());
                move || batch::plan(&opts, &read)
            });
            let screener = Screener::new(model.load()?);
            let plan = planning
                .join()
                .map_err(|_| anyhow::anyhow!("planning the run panicked"))??;
            if let Some(w) = plan.warning() {
                eprintln!("warning: {w}");
            }
            let summary = batch::run_planned(&screener, plan, &opts, &read)?;
            eprintln!("{summary}");
            Ok(if summary.errors > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Serve {
            addr,
            max_body,
            max_stones,
            max_in_flight,
            timeout,
            max_spectra,
            max_batch,
            max_wait_us,
            test_batch_delay_ms,
            header_timeout,
            max_connections,
            max_requests_per_connection,
            grace,
            api_keys,
            log_format,
            model,
        } => {
            use diamond_screen::server::{ApiKeys, AppState, BatchConfig, ServerConfig};
            init_logs(&log_format)?;
            let keys = api_keys
                .map(|p| ApiKeys::from_file(&p))
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let screener = Screener::new(model.load()?);
            let (source, workers) = (model.source(), rayon::current_num_threads());
            let loader: diamond_screen::server::Loader = Box::new(move || {
                source
                    .load(workers)
                    .map(Screener::new)
                    .map_err(|e| e.to_string())
            });
            let config = ServerConfig {
                addr,
                max_body_bytes: max_body,
                max_stones,
                max_spectra_per_stone: max_spectra,
                max_in_flight,
                request_timeout: std::time::Duration::from_secs(timeout),
                batch: BatchConfig {
                    max_stones: max_batch.max(1),
                    max_wait: std::time::Duration::from_micros(max_wait_us),
                    extra_delay: std::time::Duration::from_millis(test_batch_delay_ms),
                },
                conn: diamond_screen::server::ConnConfig {
                    header_timeout: std::time::Duration::from_secs(header_timeout.max(1)),
                    max_connections: max_connections.max(1),
                    max_requests_per_connection: max_requests_per_connection.max(1),
                    keep_alive: true,
                    grace: std::time::Duration::from_secs(grace),
                },
            };
            let state = AppState::new(screener, config, keys, Some(loader));
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            rt.block_on(diamond_screen::server::serve(state))?;
            eprintln!("shut down");
            Ok(ExitCode::SUCCESS)
        }
        Command::Parcel {
            paths,
            plan,
            json,
            model,
            defaults,
        } => {
            let screener = Screener::new(model.load()?);
            let verdicts = batch::screen_all(&screener, &paths, &defaults.options())?;
            let summary =
                parcel::summarise(&verdicts, plan.parcel_size, plan.max_share, plan.confidence)?;
            if json {
                let body = serde_json::json!({"summary": summary, "stones": verdicts});
                println!("{}", serde_json::to_string_pretty(&body)?);
            } else {
                println!(
                    "{}: {}",
                    format!("{:?}", summary.recommendation).to_uppercase(),
                    summary.reason
                );
                println!(
                    "sample {} of {} stones: {:?}",
                    summary.sample_size, summary.parcel_size, summary.counts
                );
                println!(
                    "upper {:.0}% bound on the share not confirmed natural: {:.3}% (hypergeometric), {:.3}% (binomial)",
                    100.0 * summary.confidence,
                    100.0 * summary.upper_bound_share,
                    100.0 * summary.upper_bound_share_binomial
                );
                if !summary.to_lab.is_empty() {
                    println!("send to a laboratory: {}", summary.to_lab.join(", "));
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::SamplingPlan { plan } => {
            let n = parcel::plan(plan.parcel_size, plan.max_share, plan.confidence)?;
            println!(
                "screen {n} of {} stones: if {}% or more of the parcel were not natural, a sample of {n} would show at least one with {}% confidence (an unlimited parcel would need {})",
                plan.parcel_size,
                percent(plan.max_share),
                percent(plan.confidence),
                parcel::sampling_plan_infinite(plan.max_share, plan.confidence)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Evaluate {
            dir,
            json,
            record,
            model,
        } => {
            let labels = read_labels(&dir.join("labels.csv")).map_err(anyhow::Error::msg)?;
            let screener = Screener::new(model.load()?);
            let t0 = std::time::Instant::now();
            let verdicts = batch::screen_all(
                &screener,
                std::slice::from_ref(&dir),
                &ReadOptions::default(),
            )?;
            let ev = evaluate(&verdicts, &labels, t0.elapsed().as_secs_f64());
            if json {
                println!("{}", serde_json::to_string_pretty(&ev)?);
            } else {
                println!("{ev}");
            }
            if let Some(set) = record {
                let mut figures = serde_json::to_value(&ev)?;
                figures["set"] = serde_json::json!(set);
                figures["backend"] = serde_json::json!(backend::current().map(|b| b.kind.name()));
                for m in &screener.models.models {
                    Manifest::update(package_dir(m)?, |man| man.evaluation = figures.clone())?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibrate {
            dir,
            margin,
            cap,
            model,
        } => {
            let labels = read_labels(&dir.join("labels.csv")).map_err(anyhow::Error::msg)?;
            let mut set = model.load()?;
            // Screen with every model threshold open, then ask which synthetic stones cleared
            // every other check.
            for m in set.models.iter_mut() {
                m.manifest.thresholds.p_synthetic_pass = 1.0;
            }
            let screener = Screener::new(set);
            let verdicts = batch::screen_all(
                &screener,
                std::slice::from_ref(&dir),
                &ReadOptions::default(),
            )?;
            let cal = calibrate(&verdicts, &labels, margin, cap, &dir.display().to_string());
            for m in &screener.models.models {
                Manifest::update(package_dir(m)?, |man| {
                    man.thresholds.p_synthetic_pass = cal.threshold;
                    man.thresholds.rule = cal.rule.clone();
                })?;
            }
            eprintln!("p_synthetic_pass = {:.6}: {}", cal.threshold, cal.rule);
            Ok(ExitCode::SUCCESS)
        }
        Command::Simulate {
            stones,
            seed,
            out,
            format,
            channels,
            kinds,
            families,
        } => {
            let Some(format) = Format::parse(&format) else {
                bail!("unknown format {format:?} (csv, jcamp, json)")
            };
            let channels: Vec<Channel> = channels
                .split(',')
                .map(|c| {
                    Channel::parse(c)
                        .with_context(|| format!("unknown channel {c:?} (pl532, pl405, ftir)"))
                })
                .collect::<Result<_>>()?;
            let kinds: Vec<Kind> = match kinds {
                None => Vec::new(),
                Some(k) => k
                    .split(',')
                    .map(|c| Kind::parse_subtype(c).with_context(|| format!("unknown class {c:?}")))
                    .collect::<Result<_>>()?,
            };
            let families: Vec<Family> = match families {
                None => Vec::new(),
                Some(f) => f
                    .split(',')
                    .map(|c| {
                        Family::parse(c).with_context(|| format!("unknown instrument family {c:?}"))
                    })
                    .collect::<Result<_>>()?,
            };
            let files = write_archive(&out, stones, seed, &channels, &kinds, &families, format)?;
            eprintln!(
                "wrote {stones} simulated stones ({files} files) and labels.csv to {}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
