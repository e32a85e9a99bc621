//! The loaded models: every `models/<id>/` package, verified (checksum, manifest against the
//! ONNX input shape), with its session pool. At most one model per channel.

use super::manifest::{CLASSES, Manifest, ManifestError};
use super::runner::{RunError, Runner};
use crate::channel::Channel;
use std::path::{Path, PathBuf};

pub struct LoadedModel {
    pub manifest: Manifest,
    pub dir: PathBuf,
    pub runner: Runner,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{dir}: {source}")]
    Run { dir: PathBuf, source: RunError },
    #[error(
        "{dir}: the ONNX model's input is {name} {shape:?}, the manifest says {want_name} {want_shape:?}"
    )]
    Shape {
        dir: PathBuf,
        name: String,
        shape: Vec<i64>,
        want_name: String,
        want_shape: Vec<i64>,
    },
    #[error("{0}: two models for channel {1}")]
    Duplicate(PathBuf, Channel),
    #[error(
        "{0}: cannot list models: {1} (a relative folder is read from the current directory: \
         give the model folder with --models or DIAMOND_SCREEN_MODELS)"
    )]
    Io(PathBuf, String),
    #[error("no models found in {0}")]
    Empty(PathBuf),
}

/// Models by channel.
pub struct ModelSet {
    pub models: Vec<LoadedModel>,
}

impl LoadedModel {
    pub fn load(dir: &Path, pool: usize) -> Result<LoadedModel, LoadError> {
        let manifest = Manifest::read(&dir.join("manifest.json"))?;
        let onnx = manifest.read_onnx(dir)?;
        let runner = Runner::new(&onnx, pool, CLASSES.len()).map_err(|source| LoadError::Run {
            dir: dir.into(),
            source,
        })?;
        let (name, shape, _) = runner.signature();
        if manifest.familiarity.is_some() && !runner.has_familiarity() {
            return Err(LoadError::Run {
                dir: dir.into(),
                source: super::runner::RunError::Session(format!(
                    "the manifest has a familiarity check but the graph has no `{}` output",
                    super::runner::FAMILIARITY_OUTPUT
                )),
            });
        }
        let fits = shape.len() == 2 && shape[1] == manifest.input_shape[1] && shape[0] < 0;
        if name != manifest.input_name || !fits {
            return Err(LoadError::Shape {
                dir: dir.into(),
                name,
                shape,
                want_name: manifest.input_name.clone(),
                want_shape: manifest.input_shape.clone(),
            });
        }
        Ok(LoadedModel {
            manifest,
            dir: dir.into(),
            runner,
        })
    }

    pub fn channel(&self) -> Channel {
        self.manifest.spec.channel
    }
}

impl ModelSet {
    /// Load every subfolder of `root` that holds a manifest.json.
    pub fn load_dir(root: &Path, pool: usize) -> Result<ModelSet, LoadError> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
            .map_err(|e| LoadError::Io(root.into(), e.to_string()))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("manifest.json").is_file())
            .collect();
        dirs.sort();
        let mut models: Vec<LoadedModel> = Vec::new();
        for d in dirs {
            let m = LoadedModel::load(&d, pool)?;
            if models.iter().any(|o| o.channel() == m.channel()) {
                return Err(LoadError::Duplicate(d, m.channel()));
            }
            models.push(m);
        }
        if models.is_empty() {
            return Err(LoadError::Empty(root.into()));
        }
        Ok(ModelSet { models })
    }

    /// The training class balance (natural, cvd, hpht, simulant) from the manifests'
    /// `training.rows_per_class`, averaged; uniform where a manifest does not say.
    pub fn prior(&self) -> [f64; 4] {
        let mut acc = [0.0; 4];
        for m in &self.models {
            let counts: Vec<f64> = CLASSES
                .iter()
                .map(|c| {
                    m.manifest.training["rows_per_class"][c]
                        .as_f64()
                        .unwrap_or(1.0)
                })
                .collect();
            let total: f64 = counts.iter().sum();
            for (a, c) in acc.iter_mut().zip(&counts) {
                *a += c / total / self.models.len() as f64;
            }
        }
        if self.models.is_empty() {
            [0.25; 4]
        } else {
            acc
        }
    }

    pub fn for_channel(&self, c: Channel) -> Option<(usize, &LoadedModel)> {
        self.models
            .iter()
            .enumerate()
            .find(|(_, m)| m.channel() == c)
    }
}
