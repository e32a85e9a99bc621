//! The verdict: what one stone's record holds ([`Verdict`], [`ChannelResult`], [`Probabilities`]),
//! how the channels' probabilities are fused ([`combine`]) and the named decision rules that
//! turn a stone's channels into `natural`, `refer`, `simulant` or `inconclusive` ([`fuse`]).

mod combine;
mod rules;

pub use combine::{MAX_FUSED, combine};
pub use rules::fuse;

use crate::channel::Channel;
use crate::lines::Evidence;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerdictKind {
    Natural,
    Refer,
    Simulant,
    Inconclusive,
    /// The stone's files could not be read (batch screening keeps going).
    Error,
}

impl VerdictKind {
    pub fn name(self) -> &'static str {
        match self {
            VerdictKind::Natural => "natural",
            VerdictKind::Refer => "refer",
            VerdictKind::Simulant => "simulant",
            VerdictKind::Inconclusive => "inconclusive",
            VerdictKind::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Cvd,
    Hpht,
    Unknown,
}

impl Origin {
    /// The one spelling every output uses (as serialised).
    pub fn name(self) -> &'static str {
        match self {
            Origin::Cvd => "cvd",
            Origin::Hpht => "hpht",
            Origin::Unknown => "unknown",
        }
    }
}

/// Class probabilities of one model on one spectrum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Probabilities {
    pub natural: f64,
    pub cvd: f64,
    pub hpht: f64,
    pub simulant: f64,
}

impl Probabilities {
    pub fn from_row(r: &[f32]) -> Probabilities {
        Probabilities {
            natural: r[0] as f64,
            cvd: r[1] as f64,
            hpht: r[2] as f64,
            simulant: r[3] as f64,
        }
    }

    pub fn synthetic(&self) -> f64 {
        self.cvd + self.hpht
    }

    fn array(&self) -> [f64; 4] {
        [self.natural, self.cvd, self.hpht, self.simulant]
    }
}

/// What one spectrum of a stone contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChannelResult {
    pub file: String,
    pub channel: Option<Channel>,
    pub technique: Option<String>,
    pub excitation_nm: Option<f64>,
    pub model: Option<String>,
    pub probabilities: Option<Probabilities>,
    /// The model's pass threshold on p(cvd) + p(hpht).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    pub diamond: Option<bool>,
    pub usable: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Findings that leave the spectrum usable (copied into the stone's warnings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why measuring this spectrum again could show a centre decisive for a pass that it cannot
    /// show now (see [`crate::lines::quality::Quality::remeasure`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remeasure: Vec<String>,
    /// Why the stone cannot pass on this spectrum until it is measured again, though the
    /// spectrum shows nothing against a pass (see [`crate::lines::quality::Quality::held`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diamond_type: Option<String>,
    /// FTIR spectra: the typing, with the one-phonon fit (nitrogen in ppm, or null where not
    /// determined), the platelet, hydrogen and CO2 peaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ftir: Option<crate::lines::ftir::FtirTyping>,
    /// How far the spectrum's feature row lies from the model's training spectra; past the
    /// threshold the model gets no vote (`probabilities` is null) and the stone cannot pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub familiarity: Option<Familiarity>,
    pub evidence: Vec<Evidence>,
}

impl ChannelResult {
    /// The channel's model refused the spectrum as unlike what it was trained on.
    pub fn refused(&self) -> bool {
        self.familiarity.is_some_and(|f| f.refuses())
    }
}

/// A model's out-of-distribution check on one spectrum (see the model card).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Familiarity {
    /// The distance of the feature row from the training set (1 = a typical training row).
    pub distance: f64,
    /// The largest distance the model accepts (set on an instrument family held out of its
    /// training).
    pub threshold: f64,
}

impl Familiarity {
    /// The check as the model gave it: a distance the check cannot measure (NaN) counts as past
    /// every threshold.
    pub fn measured(distance: f64, threshold: f64) -> Familiarity {
        Familiarity {
            distance: if distance.is_nan() {
                f64::INFINITY
            } else {
                distance
            },
            threshold,
        }
    }

    /// Past the threshold: the model gets no vote on this spectrum.
    pub fn refuses(&self) -> bool {
        self.distance > self.threshold
    }
}

/// One centre seen in one channel (the stone-level evidence list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoneEvidence {
    pub channel: String,
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// The record of one stone: what `screen` prints and the service returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verdict {
    pub stone_id: String,
    pub verdict: VerdictKind,
    pub likely_origin: Option<Origin>,
    /// p(cvd) + p(hpht) of the fused probabilities (None without models).
    pub p_synthetic: Option<f64>,
    /// The channels' probabilities combined ([`combine`]).
    pub probabilities: Option<Probabilities>,
    /// The pass threshold on `p_synthetic` (the strictest of the stone's models).
    pub threshold: Option<f64>,
    pub evidence: Vec<StoneEvidence>,
    pub channels: Vec<ChannelResult>,
    pub warnings: Vec<String>,
    pub models: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The stone's source files (read or not).
    #[serde(default)]
    pub files: Vec<String>,
    /// The sha256 of each of `files` (None where its bytes could not be read; empty where the
    /// spectra came as JSON rather than files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub file_sha256: Vec<Option<String>>,
}

impl Verdict {
    /// A stone whose files could not be read.
    pub fn error(stone_id: &str, message: String) -> Verdict {
        Verdict {
            stone_id: stone_id.to_string(),
            verdict: VerdictKind::Error,
            likely_origin: None,
            p_synthetic: None,
            probabilities: None,
            threshold: None,
            evidence: Vec::new(),
            channels: Vec::new(),
            warnings: Vec::new(),
            models: Vec::new(),
            error: Some(message),
            files: Vec::new(),
            file_sha256: Vec::new(),
        }
    }
}
