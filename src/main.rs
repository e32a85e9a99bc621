//! The `diamond-screen` command line. Thin: every command is a call into the library.

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use diamond_screen::inspect::inspect_path;
use diamond_screen::lines::detect;
use diamond_screen::plot::render_png;
use diamond_screen::simulate::{Channel, Kind, archive::write_archive, write::Format};
use diamond_screen::spectrum::{Spectrum, Technique, read_path};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "diamond-screen",
    version,
    about = "Screen diamonds (natural / laboratory-grown / simulant) from optical spectra"
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
}

fn parse_technique(s: &str) -> Result<Technique, String> {
    Technique::parse(s).ok_or_else(|| format!("unknown technique {s:?} (pl, raman, uvvis, ftir)"))
}

impl Defaults {
    fn fill(&self, s: &mut Spectrum) {
        let m = &mut s.meta;
        if m.technique.is_none() {
            m.technique = self.technique;
        }
        if m.excitation_nm.is_none() {
            m.excitation_nm = self.excitation_nm;
        }
        if m.temperature_k.is_none() {
            m.temperature_k = self.temperature_k;
        }
    }
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
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Inspect {
            files,
            json,
            defaults,
        } => {
            let mut failed = false;
            for f in &files {
                match inspect_path(f, |s| defaults.fill(s)) {
                    Ok(records) => {
                        for r in records {
                            if json {
                                println!("{}", serde_json::to_string(&r)?);
                            } else {
                                println!("{r}\n");
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
            let mut spectra = read_path(&file)?;
            spectra.iter_mut().for_each(|s| defaults.fill(s));
            let detections: Vec<_> = spectra.iter().map(detect).collect();
            let panels: Vec<_> = spectra.iter().zip(&detections).collect();
            let png = render_png(&panels, width, panel_height)?;
            std::fs::write(&output, png)
                .with_context(|| format!("writing {}", output.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Simulate {
            stones,
            seed,
            out,
            format,
            channels,
            kinds,
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
            let files = write_archive(&out, stones, seed, &channels, &kinds, format)?;
            eprintln!(
                "wrote {stones} simulated stones ({files} files) and labels.csv to {}",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
