//! Cosmic-ray removal. A cosmic ray lights one or two pixels; a real line, even a 77 K
//! zero-phonon line, spreads over more. A point (or pair of points) is a spike when it stands
//! more than `threshold` robust noise units above the local median and its neighbours reach
//! less than 30% of its height (20% outside a pair): narrower than any line a spectrometer
//! can resolve, since its resolution spans at least two to three pixels.
//! Spikes are replaced by linear interpolation between those neighbours.
//!
//! The robust noise is 1.4826 * MAD(diff(y)) / sqrt(2), which ignores slow backgrounds.

use super::median::{median_abs_deviation, median_in_place};

/// The despike every PL, UV-Vis and Raman spectrum gets once, over its whole converted range
/// ([`crate::lines::convert`]): the detector reads its result, and so does every protocol whose
/// first step is this same despike ([`SHARED`]), instead of despiking a copy of its own.
pub const SHARED_THRESHOLD: f64 = 8.0;
/// See [`SHARED_THRESHOLD`].
pub const SHARED_HALF_WINDOW: usize = 3;
/// The shared despike as a protocol step.
pub const SHARED: super::Step = super::Step::Despike {
    threshold: SHARED_THRESHOLD,
    half_window: SHARED_HALF_WINDOW,
};

/// Robust noise level of a signal from its first differences.
pub fn noise_sigma(y: &[f64]) -> f64 {
    if y.len() < 3 {
        return 0.0;
    }
    let mut d: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
    let step = written_step(&d);
    let sigma = 1.4826 * median_abs_deviation(&mut d) / std::f64::consts::SQRT_2;
    step.map_or(sigma, |q| sigma.max(q * ROUNDING_NOISE))
}

/// The noise a value rounded to a step of 1 carries (uniform over +-0.5): 1/sqrt(12).
const ROUNDING_NOISE: f64 = 0.288_675_134_594_812_9;

/// The step a spectrum's values are written in, where it is coarse enough to matter: integer
/// counts at a few counts of noise, a spectrum normalised to 1 and exported with 2-3
/// decimals. Where the noise is smaller than the step, most differences are 0 and the robust
/// noise reads (nearly) nothing, so that every step of the staircase became a line (60
/// simulated stones normalised and written with 3 decimals: 30 centres more and 10 of 40
/// passes lost; with 2 decimals 203 and 39). The smallest non-zero |difference| `q`, where
/// every difference but 1 in 100 is a whole multiple of it and the differences are mostly
/// 0 or +-q (a step finer than the noise leaves no such pattern); None otherwise.
fn written_step(d: &[f64]) -> Option<f64> {
    step_of(d, true)
}

/// The step `y`'s values are written on, whatever their noise: the smallest non-zero
/// |difference| where every difference but 1 in 100 is a whole multiple of it (as
/// [`written_step`], without asking that most differences be 0 or one step: a spectrum whose
/// strong part is noisier than the step can be a staircase where it is weak). None where the
/// values lie on no such grid (nearly every spectrum written with its digits).
pub fn grid_step_of(y: &[f64]) -> Option<f64> {
    let d: Vec<f64> = y.windows(2).map(|w| w[1] - w[0]).collect();
    step_of(&d, false)
}

/// [`written_step`] (`within_a_step`) or [`grid_step_of`] of differences `d`.
fn step_of(d: &[f64], within_a_step: bool) -> Option<f64> {
    // a difference of written values that should be 0 can leave a residue of rounding
    // (0.371 - 2 * 0.372 + 0.373 = 1.6e-17): such residues count as 0
    let (largest, least) = largest_and_least_above(d, 0.0);
    let q = if least > 1e-9 * largest {
        least
    } else {
        largest_and_least_above(d, 1e-9 * largest).1
    };
    if !q.is_finite() {
        return None;
    }
    // At most 1 in 100 off the step, and (`within_a_step`) at least half within 1.5 steps: a
    // spectrum written finer than its noise (nearly every one) fails the first within its
    // first few dozen differences, one written on a step finer than its noise (counts with a
    // decimal) the second within the first half, and is left there.
    let most_off = d.len() / 100;
    let most_big = if within_a_step { d.len() / 2 } else { d.len() };
    let (mut off, mut big) = (0usize, 0usize);
    for v in d {
        let r = v.abs() / q;
        if (r - nearest_whole(r)).abs() > 1e-3 {
            off += 1;
            if off > most_off {
                return None;
            }
        }
        if !(r < 1.5) {
            big += 1;
            if big > most_big {
                return None;
            }
        }
    }
    Some(q)
}

/// The largest |v| of `d` (0 when none) and the least one above `floor` (infinite when none);
/// NaNs count as neither. In eight independent lanes, so that the pass runs as vector compares
/// rather than one chain of dependent ones (it touches every difference of every noise
/// estimate: 12% of all screening cycles when it was one chain).
fn largest_and_least_above(d: &[f64], floor: f64) -> (f64, f64) {
    const LANES: usize = 8;
    let (mut m, mut l) = ([0.0f64; LANES], [f64::INFINITY; LANES]);
    let blocks = d.chunks_exact(LANES);
    let tail = blocks.remainder();
    for b in blocks {
        for j in 0..LANES {
            let a = b[j].abs();
            m[j] = if a > m[j] { a } else { m[j] };
            l[j] = if a > floor && a < l[j] { a } else { l[j] };
        }
    }
    for (j, v) in tail.iter().enumerate() {
        let a = v.abs();
        m[j] = if a > m[j] { a } else { m[j] };
        l[j] = if a > floor && a < l[j] { a } else { l[j] };
    }
    let largest = m.iter().fold(0.0f64, |x, &y| if y > x { y } else { x });
    let least = l
        .iter()
        .fold(f64::INFINITY, |x, &y| if y < x { y } else { x });
    (largest, least)
}

/// The whole number nearest `r` (>= 0, or NaN), ties to even: adding and taking away 2^52
/// leaves no fraction. Where `r - nearest_whole(r)` is tested against 1e-3 it decides as
/// `r.round()` does (they differ only at ties, 0.5 off either way), without the library
/// call `round` is on a CPU without SSE4.1 (every baseline x86-64 build: 1% of screening).
fn nearest_whole(r: f64) -> f64 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    if r < TWO_52 { (r + TWO_52) - TWO_52 } else { r }
}

/// Robust noise level of a signal from its second differences at a lag of `lag` points:
/// 1.4826 * MAD(y[i + lag] - 2 y[i] + y[i - lag]) / sqrt(6). Blind to slopes (which first
/// differences on the flank of a strong band mistake for noise), and at a lag past the
/// correlation length of the noise (an instrument's line shape) it reads each point's own
/// noise. 0 when `y` is too short for the lag.
pub fn curvature_sigma(y: &[f64], lag: usize) -> f64 {
    let lag = lag.max(1);
    if y.len() < 2 * lag + 2 {
        return 0.0;
    }
    let mut d: Vec<f64> = (lag..y.len() - lag)
        .map(|i| y[i + lag] - 2.0 * y[i] + y[i - lag])
        .collect();
    let step = written_step(&d);
    let sigma = 1.4826 * median_abs_deviation(&mut d) / 6f64.sqrt();
    step.map_or(sigma, |q| sigma.max(q * ROUNDING_NOISE))
}

/// How much lower second differences between neighbours read a spectrum's noise than those
/// four points apart (at least 1): 1 for noise of each point's own, more where neighbouring
/// points share their noise (an export interpolated onto a finer grid), whose lag-1 estimate
/// ([`curvature_sigma`]) it scales back up. Over a whole spectrum, so that one band's curvature
/// does not count.
pub fn shared_noise_factor(y: &[f64]) -> f64 {
    (curvature_sigma(y, 4) / curvature_sigma(y, 1)).max(1.0)
}

/// Remove spikes in place; returns how many points were replaced.
pub fn despike(y: &mut [f64], threshold: f64, half_window: usize) -> usize {
    despike_measured(y, threshold, half_window).0
}

/// [`despike`], also returning the robust noise it measured `y` by before the despike
/// ([`noise_sigma`]; None where `y` is too short to despike). Where no point was replaced, it
/// is `noise_sigma` of the result, which need not be measured again.
pub fn despike_measured(y: &mut [f64], threshold: f64, half_window: usize) -> (usize, Option<f64>) {
    let n = y.len();
    if n < 2 * half_window + 3 {
        return (0, None);
    }
    let sigma = noise_sigma(y);
    if sigma <= 0.0 {
        return (0, Some(sigma));
    }
    let mut win = Vec::with_capacity(2 * half_window + 1);
    let mut replaced = 0;
    let mut k = 1;
    while k + 1 < n {
        // Necessary conditions of both tests below, checked before the (costly) median: a
        // spike stands 0.7 (a pair 0.8) of its height, so that much of the threshold, above
        // its neighbours.
        let single = y[k] - y[k - 1].max(y[k + 1]) > 0.7 * threshold * sigma;
        let pair =
            k + 2 < n && y[k].min(y[k + 1]) - y[k - 1].max(y[k + 2]) > 0.8 * threshold * sigma;
        if !single && !pair {
            k += 1;
            continue;
        }
        let lo = k.saturating_sub(half_window);
        let hi = (k + half_window).min(n - 1);
        win.clear();
        win.extend_from_slice(&y[lo..=hi]);
        let base = median_in_place(&mut win);
        // single pixel
        let h = y[k] - base;
        if h > threshold * sigma && y[k - 1].max(y[k + 1]) - base < 0.3 * h {
            y[k] = 0.5 * (y[k - 1] + y[k + 1]);
            replaced += 1;
            k += 2;
            continue;
        }
        // two pixels
        if k + 2 < n {
            let h2 = y[k].min(y[k + 1]) - base;
            if h2 > threshold * sigma && y[k - 1].max(y[k + 2]) - base < 0.2 * h2 {
                let (a, b) = (y[k - 1], y[k + 2]);
                y[k] = a + (b - a) / 3.0;
                y[k + 1] = a + 2.0 * (b - a) / 3.0;
                replaced += 2;
                k += 3;
                continue;
            }
        }
        k += 1;
    }
    (replaced, Some(sigma))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gauss(n: usize, c: f64, fwhm: f64, h: f64) -> Vec<f64> {
        let s = fwhm / 2.3548;
        (0..n)
            .map(|i| h * (-0.5 * ((i as f64 - c) / s).powi(2)).exp())
            .collect()
    }

    fn noise(n: usize) -> Vec<f64> {
        // deterministic pseudo-noise of unit-ish amplitude
        (0..n)
            .map(|i| ((i as f64 * 12.9898).sin() * 43758.5453).fract() * 2.0)
            .collect()
    }

    #[test]
    fn removes_spikes_keeps_lines() {
        let mut y: Vec<f64> = gauss(200, 100.0, 3.0, 200.0)
            .iter()
            .zip(noise(200))
            .map(|(a, b)| a + b + 50.0)
            .collect();
        let clean = y.clone();
        y[30] += 500.0;
        y[150] += 300.0;
        y[151] += 280.0;
        let n = despike(&mut y, 8.0, 3);
        assert_eq!(n, 3);
        for i in 0..200 {
            assert!(
                (y[i] - clean[i]).abs() < 5.0,
                "{i}: {} vs {}",
                y[i],
                clean[i]
            );
        }
        // The 3-pixel-wide line at 100 is untouched.
        assert_eq!(y[95..106], clean[95..106]);
    }

    #[test]
    fn nearest_whole_decides_as_round() {
        let mut r: u64 = 9;
        let mut cases = vec![
            0.0,
            0.5,
            1.5,
            2.5,
            0.4995,
            0.5005,
            1e15 + 0.5,
            4.5e15,
            1e300,
        ];
        cases.extend([f64::INFINITY, f64::NAN, 0.49999999999999994]);
        for _ in 0..10_000 {
            r = r
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (r >> 11) as f64 / (1u64 << 53) as f64;
            cases.push(u * 10f64.powi((r % 17) as i32));
        }
        for c in cases {
            let off = |w: f64| (c - w).abs() > 1e-3;
            assert_eq!(off(nearest_whole(c)), off(c.round()), "{c}");
        }
    }

    /// The lanes give what one chain of `f64::max` / `min` over the non-zero values gives.
    #[test]
    fn largest_and_least_as_one_chain() {
        let chain = |d: &[f64], floor: f64| {
            d.iter().fold((0.0f64, f64::INFINITY), |(m, l), v| {
                let a = v.abs();
                (m.max(a), if a > floor { l.min(a) } else { l })
            })
        };
        let mut r: u64 = 3;
        for n in 0..40 {
            let d: Vec<f64> = (0..n)
                .map(|i| {
                    r = r
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    match (r >> 60, i % 3) {
                        (0, _) => 0.0,
                        (1, _) => -0.0,
                        (2, 0) => f64::NAN,
                        (3, 1) => f64::INFINITY,
                        _ => ((r >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10.0,
                    }
                })
                .collect();
            for floor in [0.0, 1e-3, 2.0] {
                let (a, b) = (largest_and_least_above(&d, floor), chain(&d, floor));
                assert_eq!(
                    (a.0.to_bits(), a.1.to_bits()),
                    (b.0.to_bits(), b.1.to_bits()),
                    "{d:?}"
                );
            }
        }
    }

    #[test]
    fn noise_of_a_constant() {
        assert_eq!(noise_sigma(&[1.0; 10]), 0.0);
    }

    /// Values written with a step coarser than their noise read at least the step's rounding
    /// noise; a step finer than the noise changes nothing.
    #[test]
    fn the_written_step_floors_the_noise() {
        // a curve with roughly normal noise of `sigma` (sum of four uniforms, small LCG)
        let curve = |sigma: f64| -> Vec<f64> {
            let mut r: u64 = 11;
            (0..2000)
                .map(|i| {
                    let u: f64 = (0..4)
                        .map(|_| {
                            r = r
                                .wrapping_mul(6364136223846793005)
                                .wrapping_add(1442695040888963407);
                            (r >> 11) as f64 / (1u64 << 53) as f64 - 0.5
                        })
                        .sum();
                    0.37 + 0.05 * (i as f64 * 0.01).sin() + sigma * 1.732 * u
                })
                .collect()
        };
        let written =
            |y: &[f64]| -> Vec<f64> { y.iter().map(|v| (v * 1e3).round() / 1e3).collect() };
        let step_noise = 0.001 / 12f64.sqrt();
        // noise 1e-4 written with 3 decimals: the robust noise read (nearly) 0 before
        let fine = written(&curve(1e-4));
        assert!(
            noise_sigma(&fine) >= step_noise - 1e-12,
            "{}",
            noise_sigma(&fine)
        );
        assert!(curvature_sigma(&fine, 2) >= step_noise - 1e-12);
        // noise 0.01, ten steps: its own noise, as if written in full
        let (exact, coarse) = (curve(0.01), written(&curve(0.01)));
        let (a, b) = (noise_sigma(&exact), noise_sigma(&coarse));
        assert!((a - 0.01).abs() < 0.002, "{a}");
        assert!((a - b).abs() < 0.05 * a, "{a} {b}");
        // the grid: found under noise far above the step (which the written step, asking
        // for mostly 0 or one step, is not), and none for values written in full
        let g = grid_step_of(&coarse).unwrap();
        assert!((g - 1e-3).abs() < 1e-9, "{g}");
        assert!(grid_step_of(&curve(1e-4)).is_none());
        let noisy = written(&curve(0.05));
        assert!(written_step(&noisy.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()).is_none());
        assert!(grid_step_of(&noisy).is_some());
    }
}
