//! Probability fusion: the channels' models as independent experts.

use super::Probabilities;

/// Each channel's probabilities are floored here before they are multiplied.
const FLOOR: f64 = 1e-4;

/// Combine per-channel class probabilities as independent experts on the question that
/// decides: natural, synthetic (CVD or HPHT) or simulant.
/// p(c | all) is proportional to prod_k p_k(c) / prior(c)^(K-1), each p_k floored at 1e-4 so
/// that no single channel's certainty is unbounded (disagreement lands near the middle, and the
/// stone is referred). Synthetic is one class here, so that one channel ruling out CVD and
/// another ruling out HPHT cannot together rule out "synthetic"; the fused synthetic mass is
/// split between CVD and HPHT as the channels split it.
pub fn combine(ps: &[Probabilities], prior: &[f64; 4]) -> Option<Probabilities> {
    if ps.is_empty() {
        return None;
    }
    let k = ps.len() as f64;
    let three = |p: [f64; 4]| [p[0], p[1] + p[2], p[3]];
    let pri = three(*prior);
    let mut logit = [0.0f64; 3];
    for (c, l) in logit.iter_mut().enumerate() {
        *l = ps
            .iter()
            .map(|p| three(p.array())[c].max(FLOOR).ln())
            .sum::<f64>()
            - (k - 1.0) * pri[c].max(FLOOR).ln();
    }
    let m = logit.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = logit.iter().map(|l| (l - m).exp()).collect();
    let z: f64 = e.iter().sum();
    let (cvd, hpht) = ps
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.cvd, b + p.hpht));
    let cvd_share = if cvd + hpht > 0.0 {
        cvd / (cvd + hpht)
    } else {
        0.5
    };
    // However many channels agree, the fused answer claims no more than one channel's floor
    // allows: a share of FLOOR of each of the three answers is kept open, so no fused
    // probability exceeds 1 - 2 FLOOR (what simulated training and calibration can support).
    let open = |v: f64| (1.0 - 3.0 * FLOOR) * v + FLOOR;
    let synthetic = open(e[1] / z);
    Some(Probabilities {
        natural: open(e[0] / z),
        cvd: synthetic * cvd_share,
        hpht: synthetic * (1.0 - cvd_share),
        simulant: open(e[2] / z),
    })
}

/// The largest probability [`combine`] can give.
pub const MAX_FUSED: f64 = 1.0 - 2.0e-4;

#[cfg(test)]
mod combine_tests {
    use super::*;

    #[test]
    fn experts_multiply_and_disagreement_is_uncertain() {
        let nat = Probabilities {
            natural: 0.9,
            cvd: 0.05,
            hpht: 0.04,
            simulant: 0.01,
        };
        let p = combine(&[nat, nat], &[0.25; 4]).unwrap();
        assert!(p.natural > 0.99);
        let syn = Probabilities {
            natural: 0.0,
            cvd: 1.0,
            hpht: 0.0,
            simulant: 0.0,
        };
        let sure_nat = Probabilities {
            natural: 1.0,
            cvd: 0.0,
            hpht: 0.0,
            simulant: 0.0,
        };
        // equal priors on natural, synthetic and simulant
        let even = [1.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 3.0];
        let p = combine(&[syn, sure_nat], &even).unwrap();
        assert!(
            (p.natural - 0.5).abs() < 0.01 && (p.cvd - 0.5).abs() < 0.01,
            "{p:?}"
        );
        // a single channel is returned as it is (its prior is not divided out)
        let p = combine(&[nat], &[0.1, 0.3, 0.3, 0.3]).unwrap();
        assert!((p.natural - 0.9).abs() < 1e-3);
        // however sure and however many the channels, the fused answer stays below MAX_FUSED
        let p = combine(&[sure_nat; 5], &even).unwrap();
        assert!(p.natural <= MAX_FUSED + 1e-12 && p.natural > 0.999, "{p:?}");
        // one channel rules out CVD, another HPHT: synthetic stays possible
        let not_cvd = Probabilities {
            natural: 0.5,
            cvd: 0.0,
            hpht: 0.5,
            simulant: 0.0,
        };
        let not_hpht = Probabilities {
            natural: 0.5,
            cvd: 0.5,
            hpht: 0.0,
            simulant: 0.0,
        };
        let p = combine(&[not_cvd, not_hpht], &even).unwrap();
        assert!(p.synthetic() > 0.4, "{p:?}");
        assert!(combine(&[], &[0.25; 4]).is_none());
    }
}
