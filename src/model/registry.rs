//! The loaded models: every `models/<id>/` package (of a folder, or built into the binary),
//! verified (checksum, manifest against the ONNX input shape), with its session pool. At most
//! one model per channel.

use super::built_in::{BuiltIn, PACKAGES};
use super::manifest::{CLASSES, Manifest, ManifestError};
use super::runner::{RunError, Runner};
use crate::channel::Channel;
use std::path::{Path, PathBuf};

/// Where errors and the model set say a built-in package comes from.
const BUILT_IN_ORIGIN: &str = "(built in)";

pub struct LoadedModel {
    pub manifest: Manifest,
    /// The package's folder; None for a package built into the binary.
    pub dir: Option<PathBuf>,
    pub runner: Runner,
}

/// Where the models come from.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// The packages of a folder (`<folder>/<id>/manifest.json` + `model.onnx`).
    Folder(PathBuf),
    /// The packages of `models/` as they were when the binary was built.
    BuiltIn,
}

/// The folder looked for when none is given, relative to the current directory.
pub const DEFAULT_FOLDER: &str = "models";

impl ModelSource {
    /// The folder given; else `models/` in the current directory where it holds a package
    /// (a project checkout, or a deployment that ships its own); else the built-in packages.
    pub fn choose(given: Option<&Path>) -> ModelSource {
        match given {
            Some(dir) => ModelSource::Folder(dir.into()),
            None if holds_a_package(Path::new(DEFAULT_FOLDER)) => {
                ModelSource::Folder(DEFAULT_FOLDER.into())
            }
            None => ModelSource::BuiltIn,
        }
    }

    pub fn load(&self, pool: usize) -> Result<ModelSet, LoadError> {
        match self {
            ModelSource::Folder(dir) => ModelSet::load_dir(dir, pool),
            ModelSource::BuiltIn => ModelSet::built_in(pool),
        }
    }
}

impl std::fmt::Display for ModelSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelSource::Folder(dir) => write!(f, "{}", dir.display()),
            ModelSource::BuiltIn => write!(
                f,
                "built into this binary (no {DEFAULT_FOLDER}/ folder here; --models or \
                 DIAMOND_SCREEN_MODELS reads another)"
            ),
        }
    }
}

fn holds_a_package(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.path().join("manifest.json").is_file())
    })
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
        LoadedModel::from_parts(manifest, &onnx, dir, Some(dir.into()), pool)
    }

    /// A package built into the binary, verified as a folder's would be (errors name it
    /// `(built in)/<id>/...`).
    pub fn built_in(package: &BuiltIn, pool: usize) -> Result<LoadedModel, LoadError> {
        let origin = Path::new(BUILT_IN_ORIGIN).join(package.id);
        let manifest = Manifest::parse(package.manifest, &origin.join("manifest.json"))?;
        manifest.verify_onnx(package.onnx, &origin.join("model.onnx"))?;
        LoadedModel::from_parts(manifest, package.onnx, &origin, None, pool)
    }

    /// `origin` names the package in errors.
    fn from_parts(
        manifest: Manifest,
        onnx: &[u8],
        origin: &Path,
        dir: Option<PathBuf>,
        pool: usize,
    ) -> Result<LoadedModel, LoadError> {
        let runner = Runner::new(onnx, pool, CLASSES.len()).map_err(|source| LoadError::Run {
            dir: origin.into(),
            source,
        })?;
        let (name, shape, _) = runner.signature();
        if manifest.familiarity.is_some() && !runner.has_familiarity() {
            return Err(LoadError::Run {
                dir: origin.into(),
                source: super::runner::RunError::Session(format!(
                    "the manifest has a familiarity check but the graph has no `{}` output",
                    super::runner::FAMILIARITY_OUTPUT
                )),
            });
        }
        let fits = shape.len() == 2 && shape[1] == manifest.input_shape[1] && shape[0] < 0;
        if name != manifest.input_name || !fits {
            return Err(LoadError::Shape {
                dir: origin.into(),
                name,
                shape,
                want_name: manifest.input_name.clone(),
                want_shape: manifest.input_shape.clone(),
            });
        }
        Ok(LoadedModel {
            manifest,
            dir,
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
        let models = dirs
            .iter()
            .map(|d| LoadedModel::load(d, pool).map(|m| (d.clone(), m)))
            .collect::<Result<Vec<_>, _>>()?;
        ModelSet::one_per_channel(models, root)
    }

    /// The packages built into the binary.
    pub fn built_in(pool: usize) -> Result<ModelSet, LoadError> {
        let models = PACKAGES
            .iter()
            .map(|p| {
                LoadedModel::built_in(p, pool).map(|m| (Path::new(BUILT_IN_ORIGIN).join(p.id), m))
            })
            .collect::<Result<Vec<_>, _>>()?;
        ModelSet::one_per_channel(models, Path::new(BUILT_IN_ORIGIN))
    }

    fn one_per_channel(
        loaded: Vec<(PathBuf, LoadedModel)>,
        root: &Path,
    ) -> Result<ModelSet, LoadError> {
        let mut models: Vec<LoadedModel> = Vec::new();
        for (origin, m) in loaded {
            if models.iter().any(|o| o.channel() == m.channel()) {
                return Err(LoadError::Duplicate(origin, m.channel()));
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
