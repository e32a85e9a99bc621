//! Setting the pass threshold on the fused p(synthetic) from a labelled calibration set, so that
//! no synthetic stone passes there, with a stated margin.

use crate::labels::Label;
use crate::simulate::Truth;
use crate::verdict::{Verdict, VerdictKind};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub threshold: f64,
    pub rule: String,
    /// Synthetic stones that cleared every check but the models' (with the threshold open).
    pub synthetic_candidates: usize,
    pub lowest: Option<f64>,
}

/// `verdicts` must come from screening with every threshold open (1.0). The threshold is
/// `margin` times the lowest fused p(synthetic) of a synthetic stone that would otherwise have
/// passed, and never above `cap`.
pub fn calibrate(
    verdicts: &[Verdict],
    labels: &HashMap<String, Label>,
    margin: f64,
    cap: f64,
    set: &str,
) -> Calibration {
    let candidates: Vec<f64> = verdicts
        .iter()
        .filter(|v| v.verdict == VerdictKind::Natural)
        .filter(|v| {
            labels
                .get(&v.stone_id)
                .is_some_and(|l| matches!(l.truth, Truth::Cvd | Truth::Hpht))
        })
        .map(|v| v.p_synthetic.unwrap_or(0.0))
        .collect();
    let lowest = candidates.iter().copied().reduce(f64::min);
    let (threshold, rule) = match lowest {
        Some(l) => (
            (margin * l).min(cap),
            format!(
                "{margin} x the lowest fused p(synthetic) ({l:.5}) of the {} synthetic stones in the calibration set ({set}) that cleared every other check; at most {cap}",
                candidates.len()
            ),
        ),
        None => (
            cap,
            format!(
                "no synthetic stone in the calibration set ({set}) cleared the other checks; set to the cap {cap}"
            ),
        ),
    };
    Calibration {
        threshold,
        rule,
        synthetic_candidates: candidates.len(),
        lowest,
    }
}
