//! Medians by selection, on the float's total order read as an integer: the same element
//! `select_nth_unstable_by(f64::total_cmp)` picks, at the cost of an integer comparison
//! instead of a total-order transform of both operands in every comparison (medians were
//! the largest single cost of screening: 8-10% of all cycles, 36 noise estimates of two
//! medians each per PL spectrum).

/// `v`'s bits as an integer whose order is `f64::total_cmp`'s (the transform `total_cmp`
/// applies to both operands of every comparison); its own inverse.
fn key(bits: i64) -> i64 {
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The median of values in [`key`] form: the middle one, or the mean of the two middle ones.
fn select_median(keys: &mut [i64]) -> f64 {
    let (mid, odd) = (keys.len() / 2, keys.len() % 2 == 1);
    let (lower, m, _) = keys.select_nth_unstable(mid);
    let m = f64::from_bits(key(*m) as u64);
    if odd {
        m
    } else {
        let lower = lower
            .iter()
            .map(|&k| f64::from_bits(key(k) as u64))
            .fold(f64::NEG_INFINITY, f64::max);
        (lower + m) / 2.0
    }
}

/// `v` read as integers and turned to their [`key`]s in place.
fn as_keys(v: &mut [f64]) -> &mut [i64] {
    let keys: &mut [i64] = bytemuck::cast_slice_mut(v);
    keys.iter_mut().for_each(|k| *k = key(*k));
    keys
}

/// Median of a slice, reordering it; 0 when empty.
pub fn median_in_place(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let keys = as_keys(v);
    let m = select_median(keys);
    keys.iter_mut().for_each(|k| *k = key(*k));
    m
}

/// The median absolute deviation from the median, median(|v - median(v)|), overwriting `v`;
/// 0 when empty. Exactly what two [`median_in_place`] calls with the deviations taken
/// between them give.
pub fn median_abs_deviation(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let keys = as_keys(v);
    let med = select_median(keys);
    // |v - med| is never negative (a NaN's sign cleared too): its bits are already in order
    for k in keys.iter_mut() {
        let v = f64::from_bits(key(*k) as u64);
        *k = (v - med).abs().to_bits() as i64;
    }
    select_median(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the two functions replace: selection by `total_cmp`.
    fn by_total_cmp(v: &mut [f64]) -> f64 {
        if v.is_empty() {
            return 0.0;
        }
        let mid = v.len() / 2;
        let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
        let m = *m;
        if v.len() % 2 == 1 {
            m
        } else {
            let lower = v[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (lower + m) / 2.0
        }
    }

    #[test]
    fn the_same_medians_as_selection_by_total_order() {
        assert_eq!(median_in_place(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_in_place(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median_in_place(&mut []), 0.0);
        assert_eq!(median_abs_deviation(&mut [1.0, 2.0, 4.0, 8.0, 16.0]), 3.0);
        let mut r: u64 = 5;
        let mut next = || {
            r = r
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            r
        };
        for n in [1usize, 2, 3, 7, 8, 63, 64, 500, 2048] {
            for case in 0..20 {
                let v: Vec<f64> = (0..n)
                    .map(|_| {
                        let u = next();
                        match (case, u % 11) {
                            // ties, signed zeros, infinities among ordinary values
                            (0..=4, 0) => 0.0,
                            (0..=4, 1) => -0.0,
                            (0..=4, 2) => f64::INFINITY,
                            (0..=4, 3) => f64::NEG_INFINITY,
                            (5..=9, _) => ((u >> 40) % 5) as f64 - 2.0,
                            _ => ((u >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e3,
                        }
                    })
                    .collect();
                let (mut a, mut b) = (v.clone(), v.clone());
                let m = median_in_place(&mut a);
                let want = by_total_cmp(&mut b);
                assert_eq!(m.to_bits(), want.to_bits(), "{n} {case}");
                // reordered, not changed
                let (mut sa, mut sv) = (a.clone(), v.clone());
                sa.sort_by(f64::total_cmp);
                sv.sort_by(f64::total_cmp);
                assert_eq!(
                    sa.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    sv.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
                );
                let mut dev = v.clone();
                let med = by_total_cmp(&mut dev);
                dev.iter_mut().for_each(|x| *x = (*x - med).abs());
                let want = by_total_cmp(&mut dev);
                let got = median_abs_deviation(&mut v.clone());
                assert!(got.to_bits() == want.to_bits() || got.is_nan() && want.is_nan());
            }
        }
    }
}
