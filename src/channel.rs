//! Measurement channels: which kind of spectrum a model is trained for. A spectrum belongs to a
//! channel by its technique and excitation (PL within 5 nm of 532 or 405 nm; any FTIR).

use crate::spectrum::{Spectrum, Technique};
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Pl532,
    Pl405,
    Ftir,
}

/// How far (nm) a laser may be from a channel's nominal excitation.
const EXCITATION_TOLERANCE_NM: f64 = 5.0;

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Pl532, Channel::Pl405, Channel::Ftir];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Pl532 => "pl532",
            Channel::Pl405 => "pl405",
            Channel::Ftir => "ftir",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL
            .into_iter()
            .find(|c| c.name() == s.trim().to_ascii_lowercase())
    }

    pub fn technique(self) -> Technique {
        match self {
            Channel::Pl532 | Channel::Pl405 => Technique::Pl,
            Channel::Ftir => Technique::Ftir,
        }
    }

    pub fn excitation_nm(self) -> Option<f64> {
        match self {
            Channel::Pl532 => Some(532.0),
            Channel::Pl405 => Some(405.0),
            Channel::Ftir => None,
        }
    }

    /// The channel a spectrum belongs to, if any.
    pub fn of(s: &Spectrum) -> Option<Channel> {
        let t = s.meta.technique?;
        Channel::ALL.into_iter().find(|c| {
            c.technique() == t
                && match (c.excitation_nm(), s.meta.excitation_nm) {
                    (None, _) => true,
                    (Some(want), Some(got)) => (want - got).abs() <= EXCITATION_TOLERANCE_NM,
                    (Some(_), None) => false,
                }
        })
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
