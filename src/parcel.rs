//! Parcel statistics for customs: from a random sample of a parcel's stones, an exact upper
//! confidence bound on the share of stones that are not confirmed natural, a release-or-hold
//! recommendation, and the sampling plan that says how many stones to screen.
//!
//! With `k` of `n` sampled stones not passed as natural, the number `D` of such stones in a
//! parcel of `N` has the exact (Clopper-Pearson style) upper bound: the largest `D` for which
//! seeing `k` or fewer is still plausible, `P(X <= k | N, D, n) > 1 - c` with X hypergeometric.
//! For an unknown or very large parcel the binomial (Clopper-Pearson) bound is given too.

use crate::verdict::{Verdict, VerdictKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// P(X <= k) for X ~ Hypergeometric(population N, successes D, draws n).
pub fn hypergeometric_cdf(k: u64, big_n: u64, d: u64, n: u64) -> f64 {
    if n > big_n || d > big_n {
        return f64::NAN;
    }
    let lo = n.saturating_sub(big_n - d);
    let hi = n.min(d);
    if k < lo {
        return 0.0;
    }
    if k >= hi {
        return 1.0;
    }
    // log pmf(lo), then the ratio recurrence pmf(x+1)/pmf(x)
    let ln_choose = |a: u64, b: u64| -> f64 {
        let b = b.min(a - b);
        (0..b)
            .map(|i| ((a - i) as f64).ln() - ((i + 1) as f64).ln())
            .sum()
    };
    let mut ln_p = ln_choose(d, lo) + ln_choose(big_n - d, n - lo) - ln_choose(big_n, n);
    let mut total = 0.0;
    for x in lo..=k {
        total += ln_p.exp();
        let num = ((d - x) as f64) * ((n - x) as f64);
        let den = ((x + 1) as f64) * ((big_n - d - n + x + 1) as f64);
        ln_p += num.ln() - den.ln();
    }
    total.min(1.0)
}

/// P(X <= k) for X ~ Binomial(n, p).
pub fn binomial_cdf(k: u64, n: u64, p: f64) -> f64 {
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return if k >= n { 1.0 } else { 0.0 };
    }
    let mut ln_p = n as f64 * (1.0 - p).ln();
    let ratio = (p / (1.0 - p)).ln();
    let mut total = 0.0;
    for x in 0..=k.min(n) {
        total += ln_p.exp();
        ln_p += ((n - x) as f64).ln() - ((x + 1) as f64).ln() + ratio;
    }
    total.min(1.0)
}

/// Exact upper confidence bound (level `conf`) on the number of bad stones in a parcel of
/// `big_n`, having found `k` in a random sample of `n`.
pub fn hypergeometric_upper(k: u64, n: u64, big_n: u64, conf: f64) -> u64 {
    let alpha = 1.0 - conf;
    // P(X <= k | D) falls as D grows: find the largest D with P > alpha.
    let (mut lo, mut hi) = (k, big_n - (n - k)); // D >= k, and at most N - (n - k) bad stones
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if hypergeometric_cdf(k, big_n, mid, n) > alpha {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// Clopper-Pearson upper bound on a proportion, `k` of `n`.
pub fn clopper_pearson_upper(k: u64, n: u64, conf: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    let alpha = 1.0 - conf;
    let (mut lo, mut hi) = (k as f64 / n as f64, 1.0);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if binomial_cdf(k, n, mid) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// ln P(X = 0) for X ~ Hypergeometric(population N, bad D, draws n): the chance that a random
/// sample of `n` holds none of the `d` bad stones. Exact, as whichever product is shorter:
/// prod_{i<n} (1 - D/(N-i)) or prod_{j=1..D} (1 - n/(N-D+j)); cost O(min(n, D)).
pub fn ln_p_none(big_n: u64, d: u64, n: u64) -> f64 {
    if d == 0 || n == 0 {
        return 0.0;
    }
    if n > big_n - d.min(big_n) {
        return f64::NEG_INFINITY;
    }
    let (nf, df, bf) = (n as f64, d as f64, big_n as f64);
    if n <= d {
        (0..n).map(|i| (-df / (bf - i as f64)).ln_1p()).sum()
    } else {
        (1..=d).map(|j| (-nf / (bf - df + j as f64)).ln_1p()).sum()
    }
}

/// Stones to screen so that, if at least `max_share` of a parcel of `parcel_size` stones are bad,
/// finding none has probability at most 1 - `confidence`: the smallest such `n`, exactly
/// (hypergeometric). A binary search over n (P(none) falls as n grows), each step costing
/// O(min(n, D)): milliseconds for any parcel up to [`MAX_PARCEL`].
pub fn sampling_plan(parcel_size: u64, max_share: f64, confidence: f64) -> u64 {
    let bad = bad_stones(parcel_size, max_share);
    let ln_alpha = (1.0 - confidence).ln();
    // n = N - D + 1 always finds a bad stone (P(none) = 0); and drawing without replacement
    // finds one at least as soon as with it, so the binomial plan bounds the search (keeping
    // every step's product short: min(n, D) <= sqrt(N ln(1/alpha))).
    let binomial = (ln_alpha / (-(bad as f64) / parcel_size as f64).ln_1p()).ceil();
    let binomial = if binomial.is_finite() && binomial >= 1.0 {
        binomial as u64
    } else {
        u64::MAX
    };
    let (mut lo, mut hi) = (1, (parcel_size - bad + 1).min(binomial.saturating_add(1)));
    // P(none) equal to 1 - confidence (one bad stone in a round parcel: 1/100 at 99%) meets it;
    // "equal" to 12 digits, as the two sides of such a tie are a float rounding apart.
    let meets = ln_alpha + 1e-12 * ln_alpha.abs();
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if ln_p_none(parcel_size, bad, mid) <= meets {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The number of bad stones `max_share` of a parcel means (at least one): share x N rounded up,
/// except that a product a float rounding above a whole number (0.00001 x 10^8 =
/// 1000.0000000000001) is that number.
pub fn bad_stones(parcel_size: u64, max_share: f64) -> u64 {
    let x = max_share * parcel_size as f64;
    let whole = x.round();
    let d = if (x - whole).abs() <= 1e-9 * whole.max(1.0) {
        whole
    } else {
        x.ceil()
    };
    (d as u64).clamp(1, parcel_size)
}

/// Check the parameters of a plan or a summary.
pub fn check_params(max_share: f64, confidence: f64) -> Result<(), ParcelError> {
    if !(max_share > 0.0 && max_share < 1.0) {
        return Err(ParcelError::Range("max_share"));
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(ParcelError::Range("confidence"));
    }
    Ok(())
}

/// [`sampling_plan`] with its parameters checked (what the CLI and the service call): refused
/// where no plan is meaningful, with the reason.
pub fn plan(parcel_size: u64, max_share: f64, confidence: f64) -> Result<u64, ParcelError> {
    check_params(max_share, confidence)?;
    if parcel_size == 0 || parcel_size > MAX_PARCEL {
        return Err(ParcelError::ParcelSize(parcel_size));
    }
    if max_share * (parcel_size as f64) < 1.0 {
        return Err(ParcelError::ShareBelowOneStone {
            max_share,
            parcel: parcel_size,
        });
    }
    let n = sampling_plan(parcel_size, max_share, confidence);
    let bad = bad_stones(parcel_size, max_share);
    if n > parcel_size - bad {
        // Only a sample that leaves fewer than D stones unscreened is that sure: that is
        // screening the parcel, not sampling it.
        return Err(ParcelError::WholeParcel {
            parcel: parcel_size,
            confidence,
        });
    }
    Ok(n)
}

/// Largest parcel a plan is computed for.
pub const MAX_PARCEL: u64 = 1_000_000_000;

/// The same plan for a parcel too large to matter: n >= ln(1 - c) / ln(1 - p).
pub fn sampling_plan_infinite(max_share: f64, confidence: f64) -> u64 {
    ((1.0 - confidence).ln() / (-max_share).ln_1p()).ceil() as u64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Recommendation {
    Release,
    Hold,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ParcelSummary {
    pub parcel_size: u64,
    pub sample_size: u64,
    pub counts: BTreeMap<String, u64>,
    /// Sampled stones not passed as natural (refer, simulant, inconclusive, error).
    pub not_natural: u64,
    pub share_not_natural: f64,
    pub confidence: f64,
    /// Exact upper bound on the share of stones in the whole parcel not confirmed natural.
    pub upper_bound_share: f64,
    /// The binomial (infinite parcel) bound, for comparison.
    pub upper_bound_share_binomial: f64,
    /// The share the declaration tolerates.
    pub max_share: f64,
    pub recommendation: Recommendation,
    pub reason: String,
    /// Stones to send to a laboratory.
    pub to_lab: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ParcelError {
    #[error("the sample ({sample}) is larger than the parcel ({parcel})")]
    SampleTooLarge { sample: u64, parcel: u64 },
    #[error("empty sample")]
    Empty,
    #[error("{0} must be between 0 and 1 (exclusive)")]
    Range(&'static str),
    #[error("parcel size {0}: need 1 to {MAX_PARCEL} stones")]
    ParcelSize(u64),
    #[error(
        "max_share {max_share} is less than one stone of a parcel of {parcel}: no sample can \
         bound a share below one stone; screen every stone or give a larger share"
    )]
    ShareBelowOneStone { max_share: f64, parcel: u64 },
    #[error(
        "no sample smaller than the parcel reaches confidence {confidence} for a parcel of \
         {parcel}: screen every stone, or lower the confidence"
    )]
    WholeParcel { parcel: u64, confidence: f64 },
}

/// Summarise a screened sample of a parcel declared natural.
pub fn summarise(
    verdicts: &[Verdict],
    parcel_size: u64,
    max_share: f64,
    confidence: f64,
) -> Result<ParcelSummary, ParcelError> {
    let n = verdicts.len() as u64;
    if n == 0 {
        return Err(ParcelError::Empty);
    }
    if n > parcel_size {
        return Err(ParcelError::SampleTooLarge {
            sample: n,
            parcel: parcel_size,
        });
    }
    check_params(max_share, confidence)?;
    let mut counts = BTreeMap::new();
    for v in verdicts {
        *counts.entry(v.verdict.name().to_string()).or_default() += 1;
    }
    let to_lab: Vec<String> = verdicts
        .iter()
        .filter(|v| v.verdict != VerdictKind::Natural)
        .map(|v| v.stone_id.clone())
        .collect();
    let k = to_lab.len() as u64;
    let upper = hypergeometric_upper(k, n, parcel_size, confidence) as f64 / parcel_size as f64;
    let synthetic: Vec<&Verdict> = verdicts
        .iter()
        .filter(|v| {
            matches!(
                v.likely_origin,
                Some(crate::verdict::Origin::Cvd) | Some(crate::verdict::Origin::Hpht)
            )
        })
        .collect();
    let simulants = counts.get("simulant").copied().unwrap_or(0);
    let (recommendation, reason) = if !synthetic.is_empty() || simulants > 0 {
        (
            Recommendation::Hold,
            format!(
                "{} stone(s) point to laboratory growth and {simulants} are not diamond: the parcel does not match a natural declaration",
                synthetic.len()
            ),
        )
    } else if upper > max_share {
        (
            Recommendation::Hold,
            format!(
                "{k} of {n} sampled stones not confirmed natural; the {:.0}% upper bound on that share in the parcel ({:.2}%) exceeds the tolerated {:.2}%",
                confidence * 100.0,
                upper * 100.0,
                max_share * 100.0
            ),
        )
    } else {
        (
            Recommendation::Release,
            format!(
                "{k} of {n} sampled stones not confirmed natural; the {:.0}% upper bound on that share in the parcel is {:.2}%, within the tolerated {:.2}%",
                confidence * 100.0,
                upper * 100.0,
                max_share * 100.0
            ),
        )
    };
    Ok(ParcelSummary {
        parcel_size,
        sample_size: n,
        counts,
        not_natural: k,
        share_not_natural: k as f64 / n as f64,
        confidence,
        upper_bound_share: upper,
        upper_bound_share_binomial: clopper_pearson_upper(k, n, confidence),
        max_share,
        recommendation,
        reason,
        to_lab,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_plan_matches_the_rule_of_thumb() {
        // domain.md: about 299 stones for p = 1%, c = 95% in a large parcel
        assert_eq!(sampling_plan_infinite(0.01, 0.95), 299);
        assert_eq!(sampling_plan(1_000_000, 0.01, 0.95), 299);
        // a small parcel needs fewer
        // scipy: the smallest n with hypergeom.cdf(0, 500, 5, n) <= 0.05 is 225
        assert_eq!(sampling_plan(500, 0.01, 0.95), 225);
        assert_eq!(sampling_plan(10, 0.5, 0.95), 4); // 5 bad of 10: P(0 in 4) = C(5,4)/C(10,4) = 5/210
    }

    #[test]
    fn distributions_match_known_values() {
        // Hypergeometric(N=20, D=7, n=12): P(X <= 3), scipy.stats.hypergeom.cdf(3, 20, 7, 12)
        assert!((hypergeometric_cdf(3, 20, 7, 12) - 0.250_773_993_808_049_6).abs() < 1e-12);
        // Binomial(10, 0.3): P(X <= 2), scipy.stats.binom.cdf(2, 10, 0.3)
        assert!((binomial_cdf(2, 10, 0.3) - 0.382_782_786_4).abs() < 1e-9);
        // Clopper-Pearson upper 95% for 0 of 299 is 1 - 0.05^(1/299)
        let u = clopper_pearson_upper(0, 299, 0.95);
        assert!((u - (1.0 - 0.05f64.powf(1.0 / 299.0))).abs() < 1e-9);
    }

    #[test]
    fn hypergeometric_bound_is_exact_and_tighter_for_small_parcels() {
        // 0 of 50 bad in a parcel of 60: D bad stones must still allow seeing none
        let d = hypergeometric_upper(0, 50, 60, 0.95);
        assert!(hypergeometric_cdf(0, 60, d, 50) > 0.05);
        assert!(hypergeometric_cdf(0, 60, d + 1, 50) <= 0.05);
        // the whole parcel screened: the bound is exact
        assert_eq!(hypergeometric_upper(3, 40, 40, 0.95), 3);
        assert!(
            (hypergeometric_upper(2, 300, 100_000, 0.95) as f64 / 1e5
                - clopper_pearson_upper(2, 300, 0.95))
            .abs()
                < 1e-3
        );
    }

    fn stones(
        natural: usize,
        refer: usize,
        origin: Option<crate::verdict::Origin>,
    ) -> Vec<Verdict> {
        let mut v = Vec::new();
        for i in 0..natural + refer {
            let mut r = Verdict::error(&format!("S{i}"), String::new());
            r.error = None;
            r.verdict = if i < natural {
                VerdictKind::Natural
            } else {
                VerdictKind::Refer
            };
            if i >= natural {
                r.likely_origin = origin;
            }
            v.push(r);
        }
        v
    }

    #[test]
    fn release_or_hold() {
        // 300 of 5000 screened, none referred: the bound (about 1%) is within 2%
        let s = summarise(&stones(300, 0, None), 5000, 0.02, 0.95).unwrap();
        assert_eq!(s.recommendation, Recommendation::Release, "{}", s.reason);
        assert!(
            s.upper_bound_share < 0.011 && s.upper_bound_share > 0.009,
            "{}",
            s.upper_bound_share
        );
        // six referred with unknown origin: the bound exceeds 2%
        let s = summarise(
            &stones(294, 6, Some(crate::verdict::Origin::Unknown)),
            5000,
            0.02,
            0.95,
        )
        .unwrap();
        assert_eq!(s.recommendation, Recommendation::Hold);
        assert_eq!(s.to_lab.len(), 6);
        // one stone pointing to CVD holds the parcel whatever the bound
        let s = summarise(
            &stones(299, 1, Some(crate::verdict::Origin::Cvd)),
            100_000,
            0.5,
            0.95,
        )
        .unwrap();
        assert_eq!(s.recommendation, Recommendation::Hold);
        assert!(s.reason.contains("laboratory growth"));
        // a sample larger than the parcel is refused
        assert_eq!(
            summarise(&stones(10, 0, None), 5, 0.01, 0.95).unwrap_err(),
            ParcelError::SampleTooLarge {
                sample: 10,
                parcel: 5
            }
        );
    }
}
