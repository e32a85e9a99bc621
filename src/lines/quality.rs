//! Whether a spectrum can support a verdict: saturation, signal-to-noise, and coverage of the
//! decisive lines its technique and excitation could show.

use super::table::{CENTRES, Indicates, PosUnit};
use crate::spectrum::Technique;
use serde::{Deserialize, Serialize};

/// Below this signal-to-noise ratio a spectrum is too noisy to screen.
pub const MIN_SNR: f64 = 10.0;
/// Below this share of decisive lines in range, the range is too narrow.
pub const MIN_COVERAGE: f64 = 0.5;
/// Points at the maximum in a row that mean a clipped detector.
const SATURATION_RUN: usize = 3;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub usable: bool,
    pub saturated: bool,
    pub snr: f64,
    /// Share of the decisive centres (natural/CVD/HPHT indicators) visible to this technique and
    /// excitation that lie inside the measured range.
    pub coverage: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Findings worth telling the user that leave the spectrum usable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Why measuring again could show what this spectrum cannot (a line a cosmic ray could have
    /// made, where a decisive centre lies): a stone held back only for want of that centre is
    /// `inconclusive` rather than referred.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remeasure: Vec<String>,
    /// Why this spectrum cannot support a pass until measured again, though it shows nothing
    /// against one (a spike where a synthetic marker lies, on an instrument whose lines are as
    /// narrow as a cosmic ray's): the stone cannot pass on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held: Vec<String>,
}

/// The longest run of points equal to the maximum.
pub fn saturated(y: &[f64]) -> bool {
    let max = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(max > 0.0) {
        return false;
    }
    let mut run = 0;
    for &v in y {
        if v == max {
            run += 1;
            if run >= SATURATION_RUN {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Coverage of decisive centres in [lo, hi] (unit of the centres for this technique).
pub fn coverage(
    technique: Technique,
    excitation_nm: Option<f64>,
    lo: f64,
    hi: f64,
) -> (f64, Vec<String>) {
    let unit = match technique {
        Technique::Ftir => PosUnit::Wavenumber,
        Technique::Raman => PosUnit::Shift,
        _ => PosUnit::Nm,
    };
    let decisive: Vec<_> = CENTRES
        .iter()
        .filter(|c| c.unit == unit && c.visible_in(technique, excitation_nm))
        .filter(|c| {
            matches!(
                c.indicates,
                Indicates::Natural | Indicates::Cvd | Indicates::Hpht | Indicates::Simulant
            )
        })
        .collect();
    if decisive.is_empty() {
        return (1.0, Vec::new());
    }
    let missing: Vec<String> = decisive
        .iter()
        .filter(|c| c.position < lo || c.position > hi)
        .map(|c| c.name.to_string())
        .collect();
    (1.0 - missing.len() as f64 / decisive.len() as f64, missing)
}

impl Quality {
    pub fn judge(mut self) -> Quality {
        if self.saturated {
            self.problems
                .push("saturated detector (clipped maximum)".into());
        }
        if !(self.snr >= MIN_SNR) {
            self.problems
                .push(format!("signal-to-noise {:.1} below {MIN_SNR}", self.snr));
        }
        if self.coverage < MIN_COVERAGE {
            self.problems.push(format!(
                "range misses {} of the decisive lines ({})",
                self.missing.len(),
                self.missing.join(", ")
            ));
        }
        self.usable = self.problems.is_empty();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipped_maximum_is_saturation() {
        assert!(saturated(&[1.0, 5.0, 65535.0, 65535.0, 65535.0, 3.0]));
        assert!(!saturated(&[1.0, 5.0, 65535.0, 65534.0, 65535.0, 3.0]));
        assert!(!saturated(&[0.0; 10]));
    }

    #[test]
    fn coverage_of_pl532() {
        let (c, missing) = coverage(Technique::Pl, Some(532.0), 540.0, 960.0);
        assert_eq!(c, 1.0, "{missing:?}");
        let (c, missing) = coverage(Technique::Pl, Some(532.0), 540.0, 650.0);
        assert!(c < 0.5, "{c}");
        assert!(missing.contains(&"SiV-".to_string()));
    }
}
