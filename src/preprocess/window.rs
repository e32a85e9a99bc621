//! Sliding-window statistics over evenly indexed points.

/// Running mean over `half` points on each side (fewer at the ends), by prefix sums.
pub fn running_mean(y: &[f64], half: usize) -> Vec<f64> {
    let n = y.len();
    let mut prefix = vec![0.0; n + 1];
    for i in 0..n {
        prefix[i + 1] = prefix[i] + y[i];
    }
    (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(half), (i + half + 1).min(n));
            (prefix[b] - prefix[a]) / (b - a) as f64
        })
        .collect()
}

/// Means of consecutive blocks of `k` points (the last block may be shorter).
pub fn block_means(y: &[f64], k: usize) -> impl Iterator<Item = f64> + '_ {
    y.chunks(k.max(1))
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_mean_averages_the_window_and_shortens_it_at_the_ends() {
        let m = running_mean(&[1.0, 2.0, 3.0, 4.0, 5.0], 1);
        assert_eq!(m, vec![1.5, 2.0, 3.0, 4.0, 4.5]);
    }
}
