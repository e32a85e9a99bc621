//! A model package: `models/<id>/model.onnx` and `manifest.json`. The manifest carries the spec
//! (channel, protocol, features), the sha256 of the ONNX file, the input and output names and
//! shapes, the class names, the decision thresholds, what it was trained on and how it scored.

use super::spec::ModelSpec;
use crate::spectrum::Technique;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The classes every model outputs, in this order.
pub const CLASSES: [&str; 4] = ["natural", "cvd", "hpht", "simulant"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// A stone passes only if this model's p(cvd) + p(hpht) is at or below this.
    pub p_synthetic_pass: f64,
    /// How the threshold was set (calibration set, margin).
    pub rule: String,
}

/// The model's out-of-distribution check: its graph's `familiarity` output is a distance of the
/// feature row from the training rows (about 1 for a typical training row); past `threshold`
/// the model gets no vote on that spectrum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamiliarityCheck {
    pub threshold: f64,
    /// What the distance is and how the threshold was set (which families).
    pub rule: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    #[serde(flatten)]
    pub spec: ModelSpec,
    /// The channel's technique and laser, spelled out for readers of the manifest.
    pub technique: Technique,
    pub excitation_nm: Option<f64>,
    pub sha256: String,
    pub input_name: String,
    /// `[-1, n_features]`: any batch size.
    pub input_shape: Vec<i64>,
    pub output_name: String,
    pub classes: Vec<String>,
    pub thresholds: Thresholds,
    /// The out-of-distribution check (models trained before it have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub familiarity: Option<FamiliarityCheck>,
    /// What the model was trained on ("simulated by diamond-screen simulate, seed ..., N stones").
    pub training: serde_json::Value,
    #[serde(default)]
    pub evaluation: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: {msg}")]
    Io { path: PathBuf, msg: String },
    #[error("{path}: invalid manifest: {msg}")]
    Invalid { path: PathBuf, msg: String },
    #[error("{path}: sha256 is {actual}, the manifest says {expected}")]
    Checksum {
        path: PathBuf,
        expected: String,
        actual: String,
    },
}

pub use crate::digest::sha256_hex;

impl Manifest {
    pub fn read(path: &Path) -> Result<Manifest, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|e| ManifestError::Io {
            path: path.into(),
            msg: e.to_string(),
        })?;
        Manifest::parse(&text, path)
    }

    /// A manifest from its text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Manifest, ManifestError> {
        let m: Manifest = serde_json::from_str(text).map_err(|e| ManifestError::Invalid {
            path: path.into(),
            msg: e.to_string(),
        })?;
        m.check().map_err(|msg| ManifestError::Invalid {
            path: path.into(),
            msg,
        })?;
        Ok(m)
    }

    /// Internal consistency: spec valid, classes as expected, input shape = [-1, n_features].
    pub fn check(&self) -> Result<(), String> {
        self.spec.validate()?;
        let ch = self.spec.channel;
        if self.technique != ch.technique() || self.excitation_nm != ch.excitation_nm() {
            return Err(format!(
                "technique {} / excitation {:?} do not match channel {ch}",
                self.technique, self.excitation_nm
            ));
        }
        if self.classes != CLASSES {
            return Err(format!("classes {:?}, expected {CLASSES:?}", self.classes));
        }
        let n = self.spec.n_features() as i64;
        if self.input_shape.len() != 2 || self.input_shape[1] != n {
            return Err(format!(
                "input_shape {:?} does not fit {n} features",
                self.input_shape
            ));
        }
        if !(0.0..=1.0).contains(&self.thresholds.p_synthetic_pass) {
            return Err(format!(
                "p_synthetic_pass {} is not a probability",
                self.thresholds.p_synthetic_pass
            ));
        }
        Ok(())
    }

    /// Change a package's manifest in place (thresholds, evaluation figures); the ONNX file,
    /// and so its checksum, is untouched.
    pub fn update(dir: &Path, change: impl FnOnce(&mut Manifest)) -> Result<(), ManifestError> {
        let path = dir.join("manifest.json");
        let mut m = Manifest::read(&path)?;
        change(&mut m);
        let io = |msg: String| ManifestError::Io {
            path: path.clone(),
            msg,
        };
        let text = serde_json::to_string_pretty(&m).map_err(|e| io(e.to_string()))? + "\n";
        std::fs::write(&path, text).map_err(|e| io(e.to_string()))
    }

    /// Read the ONNX file next to the manifest and verify its checksum.
    pub fn read_onnx(&self, dir: &Path) -> Result<Vec<u8>, ManifestError> {
        let path = dir.join("model.onnx");
        let bytes = std::fs::read(&path).map_err(|e| ManifestError::Io {
            path: path.clone(),
            msg: e.to_string(),
        })?;
        self.verify_onnx(&bytes, &path)?;
        Ok(bytes)
    }

    /// The ONNX graph's bytes are the ones the manifest names by checksum.
    pub fn verify_onnx(&self, bytes: &[u8], path: &Path) -> Result<(), ManifestError> {
        let actual = sha256_hex(bytes);
        if actual != self.sha256 {
            return Err(ManifestError::Checksum {
                path: path.into(),
                expected: self.sha256.clone(),
                actual,
            });
        }
        Ok(())
    }
}
