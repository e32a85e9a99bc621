//! Baseline removal by arPLS (asymmetrically reweighted penalized least squares, Baek et al.
//! 2015), following pybaselines' `arpls`: solve (W + lam D'D) z = W y with D the second-order
//! difference matrix, reweight with the logistic of the negative residuals, stop when the
//! relative change of the weights drops below `tol` or after `max_iter` reweightings.
//! The pentadiagonal system is solved by a banded LDL' factorisation in O(n), from both ends at
//! once ([`solve_twisted`]). On the shipped protocols most spectra use every reweighting: of
//! 4,000 wide-range PL spectra, 2,200 ran all 16 solves (`max_iter` 15), the rest 5-15.

/// Scratch buffers reused between calls.
#[derive(Default)]
pub struct ArplsScratch {
    w: Vec<f64>,
    new_w: Vec<f64>,
    /// The LDL' factor of the current iteration's matrix.
    band: Vec<[f64; 3]>,
    /// lam D'D for the current (n, lam): built once per call, not per iteration.
    penalty: Vec<[f64; 3]>,
    /// The block means and their baseline of [`arpls_decimated`].
    coarse: Vec<f64>,
    coarse_z: Vec<f64>,
}

/// The lower half of lam D'D for second differences: row i holds (diagonal, first
/// sub-diagonal, second sub-diagonal).
fn penalty_band(n: usize, lam: f64, band: &mut Vec<[f64; 3]>) {
    band.clear();
    band.resize(n, [0.0; 3]);
    // D'D is a sum over rows r of D = (1, -2, 1) at columns r..r+2.
    const C: [f64; 3] = [1.0, -2.0, 1.0];
    for r in 0..n.saturating_sub(2) {
        for a in 0..3 {
            for b in 0..=a {
                band[r + a][a - b] += lam * C[a] * C[b];
            }
        }
    }
}

/// The LDL' recurrence's state between rows: 1/d of the previous two rows, the previous row's
/// multiplier on the one before it, and the previous two entries of z (L z = b).
#[derive(Clone, Copy, Default)]
struct Chain {
    inv1: f64,
    inv2: f64,
    l1_prev: f64,
    z1: f64,
    z2: f64,
}

impl Chain {
    /// One row: its diagonal `a0`, its couplings to the previous row (`a1`) and the one before
    /// (`a2`), zero where there is none, and its right-hand side. Returns (d, 1/d, l1, l2, z).
    ///
    /// Written for a short dependency chain (it is latency-bound: each row waits for the
    /// previous row's division): with `l2 d2 = a2` and `l1^2 d1 = num^2 / d1`, the pivot is
    /// `d = (a0 - a2 l2) - num^2 inv1` where `num = a1 - a2 l1_prev` is known a row early, so
    /// only one multiply and one subtraction lie between two divisions.
    #[inline(always)]
    fn step(&mut self, a0: f64, a1: f64, a2: f64, rhs: f64) -> [f64; 5] {
        let l2 = a2 * self.inv2;
        let num = a1 - a2 * self.l1_prev;
        let l1 = num * self.inv1;
        let d = (a0 - a2 * l2) - num * num * self.inv1;
        let inv = 1.0 / d;
        let z = rhs - l1 * self.z1 - l2 * self.z2;
        (self.z2, self.z1) = (self.z1, z);
        (self.inv2, self.inv1, self.l1_prev) = (self.inv1, inv, l1);
        [d, inv, l1, l2, z]
    }

    /// Row `i` of W + P (right-hand side w y) in top-down order: coupled to rows i - 1, i - 2.
    #[inline(always)]
    fn down(&mut self, penalty: &[[f64; 3]], w: &[f64], y: &[f64], i: usize) -> [f64; 5] {
        let [p0, a1, a2] = penalty[i];
        let a1 = if i >= 1 { a1 } else { 0.0 };
        let a2 = if i >= 2 { a2 } else { 0.0 };
        self.step(p0 + w[i], a1, a2, w[i] * y[i])
    }

    /// Row `i` in bottom-up order: coupled to rows i + 1, i + 2 (A is symmetric: those
    /// couplings are stored in rows i + 1 and i + 2 of the lower band).
    #[inline(always)]
    fn up(&mut self, penalty: &[[f64; 3]], w: &[f64], y: &[f64], i: usize) -> [f64; 5] {
        let n = y.len();
        let a1 = if i + 1 < n { penalty[i + 1][1] } else { 0.0 };
        let a2 = if i + 2 < n { penalty[i + 2][2] } else { 0.0 };
        self.step(penalty[i][0] + w[i], a1, a2, w[i] * y[i])
    }
}

/// Solve (W + P) x = W y, P = `penalty` (from [`penalty_band`]) and W = diag(`w`), into `x`,
/// from the top down: one pass builds each row of the symmetric positive definite
/// pentadiagonal matrix, factorises it (LDL', into `fac`: 1/d and the two multipliers) and
/// solves L z = W y; then D and L' are undone backwards. The reference for
/// [`solve_twisted`], and the solver for short systems.
fn solve_weighted(
    penalty: &[[f64; 3]],
    w: &[f64],
    y: &[f64],
    fac: &mut Vec<[f64; 3]>,
    x: &mut Vec<f64>,
) {
    let n = y.len();
    fac.clear();
    fac.resize(n, [0.0; 3]);
    x.clear();
    x.resize(n, 0.0);
    let mut c = Chain::default();
    for i in 0..n {
        let [_, inv, l1, l2, z] = c.down(penalty, w, y, i);
        fac[i] = [inv, l1, l2];
        x[i] = z;
    }
    // D y = z, then L' x = y
    for i in (0..n).rev() {
        let mut v = x[i] * fac[i][0];
        if i + 1 < n {
            v -= fac[i + 1][1] * x[i + 1];
        }
        if i + 2 < n {
            v -= fac[i + 2][2] * x[i + 2];
        }
        x[i] = v;
    }
}

/// The same system as [`solve_weighted`], factorised from both ends at once (a twisted
/// factorisation): rows 0..m from the top and rows m+2..n from the bottom are two independent
/// recurrences run side by side in one loop, so that one row's division overlaps the other
/// chain's instead of waiting for its own; the two middle rows m, m+1 take both sides'
/// eliminations (Schur complements; the two sides do not couple, the matrix being
/// pentadiagonal) and are solved as a 2 x 2 system; then the two back-substitutions run
/// outwards, side by side too. Equal to the top-down solve to rounding.
fn solve_twisted(
    penalty: &[[f64; 3]],
    w: &[f64],
    y: &[f64],
    fac: &mut Vec<[f64; 3]>,
    x: &mut Vec<f64>,
) {
    let n = y.len();
    if n < 16 {
        return solve_weighted(penalty, w, y, fac, x);
    }
    fac.clear();
    fac.resize(n, [0.0; 3]);
    x.clear();
    x.resize(n, 0.0);
    // top rows 0..m, middle m and m + 1, bottom m + 2..n (nb >= m rows)
    let m = (n - 2) / 2;
    let nb = n - 2 - m;
    let (mut top, mut bot) = (Chain::default(), Chain::default());
    for k in 0..nb {
        if k < m {
            let [_, inv, l1, l2, z] = top.down(penalty, w, y, k);
            fac[k] = [inv, l1, l2];
            x[k] = z;
        }
        let i = n - 1 - k;
        let [_, inv, l1, l2, z] = bot.up(penalty, w, y, i);
        fac[i] = [inv, l1, l2];
        x[i] = z;
    }
    // The top recurrence run on into the middle rows leaves the top rows' Schur complement
    // there, L_M D_M L_M', and L_M z_M.
    let [d_m, inv_m, l1_m, l2_m, z_m] = top.down(penalty, w, y, m);
    let [d_m1, inv_m1, lt, l2_m1, z_m1] = top.down(penalty, w, y, m + 1);
    fac[m] = [inv_m, l1_m, l2_m];
    fac[m + 1] = [inv_m1, lt, l2_m1];
    let mut s = [d_m, d_m * lt, d_m1 + lt * lt * d_m];
    let mut r = [z_m, z_m1 + lt * z_m];
    // The bottom rows' share: A_MB A_BB^-1 A_BM and A_MB A_BB^-1 b_B, from the corner of
    // A_BB^-1 that the last two bottom rows (m + 2, m + 3) give: with their 1/d (ib, ia) and
    // row m + 2's multiplier l on row m + 3, G = [[ib, -l ib], [-l ib, ia + l^2 ib]].
    let (ib, ia, l) = (fac[m + 2][0], fac[m + 3][0], fac[m + 2][1]);
    let (zb, za) = (x[m + 2], x[m + 3]);
    let g = [ib, -l * ib, ia + l * l * ib];
    let yb = [zb * ib, za * ia - l * zb * ib];
    // A_MB = [[c20, 0], [c21, c31]]: rows m, m + 1 against columns m + 2, m + 3
    let (c20, c21, c31) = (penalty[m + 2][2], penalty[m + 2][1], penalty[m + 3][2]);
    let ag = [
        [c20 * g[0], c20 * g[1]],
        [c21 * g[0] + c31 * g[1], c21 * g[1] + c31 * g[2]],
    ];
    s[0] -= ag[0][0] * c20;
    s[1] -= ag[0][0] * c21 + ag[0][1] * c31;
    s[2] -= ag[1][0] * c21 + ag[1][1] * c31;
    r[0] -= c20 * yb[0];
    r[1] -= c21 * yb[0] + c31 * yb[1];
    let det = s[0] * s[2] - s[1] * s[1];
    x[m] = (s[2] * r[0] - s[1] * r[1]) / det;
    x[m + 1] = (s[0] * r[1] - s[1] * r[0]) / det;
    // The bottom recurrence's multipliers of the middle rows on the bottom ones (as if run on
    // into them): row m + 1 on m + 2 and on m + 3, row m on m + 2.
    let lb1_m1 = (c21 - c31 * l) * ib;
    let lb2_m1 = c31 * ia;
    let lb2_m = c20 * ib;
    x[m + 2] = zb * ib - lb1_m1 * x[m + 1] - lb2_m * x[m];
    x[m + 3] = za * ia - l * x[m + 2] - lb2_m1 * x[m + 1];
    // outwards: the top rows upwards, the bottom rows downwards, side by side
    for k in 0..nb.max(m) {
        if k < m {
            let i = m - 1 - k;
            x[i] = x[i] * fac[i][0] - fac[i + 1][1] * x[i + 1] - fac[i + 2][2] * x[i + 2];
        }
        let i = m + 4 + k;
        if i < n {
            x[i] = x[i] * fac[i][0] - fac[i - 1][1] * x[i - 1] - fac[i - 2][2] * x[i - 2];
        }
    }
}

/// 1 / (1 + e^-v), for every v (e^-v clamped to e^-40..e^700: below -v = -40, 1 + e^-v is
/// exactly 1.0 in f64, and past -v = 700 the weight is below 1e-304 either way).
///
/// The exponential is [`exp_in_range`], not libm's: libm's `exp` takes a slow path for results
/// that underflow or overflow (half of all cycles on the tract backend, issue 14, which unlike
/// ONNX Runtime leaves the threads' flush-to-zero mode alone), and as a library call it keeps
/// the reweighting loop from running in vector registers.
#[inline(always)]
fn logistic(v: f64) -> f64 {
    1.0 / (1.0 + exp_in_range((-v).clamp(-40.0, 700.0)))
}

/// e^x for x in [-40, 700], within 3 ulp of libm's `exp`, branch-free so that loops over it
/// vectorise: x = n ln 2 + r with |r| <= ln 2 / 2 (Cody and Waite's two-part ln 2), e^r by its
/// Taylor series to r^12 (truncation below 2e-16 of e^r), times 2^n built in the exponent bits.
#[inline(always)]
fn exp_in_range(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits
    const SHIFTER: f64 = 6_755_399_441_055_744.0;
    let t = x * std::f64::consts::LOG2_E + SHIFTER;
    let n = t - SHIFTER;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // Horner on 1/k!, k = 12 down to 0
    const INV_FACT: [f64; 13] = [
        1.0,
        1.0,
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
    ];
    let mut p = INV_FACT[12];
    for c in INV_FACT[..12].iter().rev() {
        p = p * r + c;
    }
    // n (-58..=1010, so 2^n is a normal number) from the low 12 bits of t's mantissa, signed
    let low = (t.to_bits() & 0xfff) as i64;
    let n_int = ((low + 2048) & 0xfff) - 2048;
    p * f64::from_bits(((n_int + 1023) as u64) << 52)
}

/// The arPLS baseline of `y` into `out`.
pub fn arpls(
    y: &[f64],
    lam: f64,
    max_iter: usize,
    tol: f64,
    s: &mut ArplsScratch,
    out: &mut Vec<f64>,
) {
    let n = y.len();
    out.clear();
    if n < 3 {
        out.extend_from_slice(y);
        return;
    }
    s.w.clear();
    s.w.resize(n, 1.0);
    penalty_band(n, lam, &mut s.penalty);
    for _ in 0..=max_iter {
        solve_twisted(&s.penalty, &s.w, y, &mut s.band, out);
        // reweight from the negative residuals (mean and sample std in one pass)
        let (mut cnt, mut sum, mut sum2) = (0usize, 0.0, 0.0);
        for (v, z) in y.iter().zip(out.iter()) {
            let r = v - z;
            if r < 0.0 {
                cnt += 1;
                sum += r;
                sum2 += r * r;
            }
        }
        if cnt < 2 {
            break;
        }
        let mean = sum / cnt as f64;
        let var = ((sum2 - sum * mean) / (cnt - 1) as f64).max(0.0);
        let std = var.sqrt().max(f64::MIN_POSITIVE);
        let k = 2.0 / std;
        let shift = 2.0 * std - mean;
        // the new weights first (an elementwise loop the compiler can vectorise), then the sums
        s.new_w.clear();
        s.new_w.extend(
            y.iter()
                .zip(out.iter())
                .map(|(v, z)| logistic(-k * ((v - z) - shift))),
        );
        let (mut num, mut den) = (0.0, 0.0);
        for (&w_new, &w_old) in s.new_w.iter().zip(&s.w) {
            num += (w_new - w_old) * (w_new - w_old);
            den += w_old * w_old;
        }
        if num.sqrt() / den.sqrt().max(f64::MIN_POSITIVE) < tol {
            break;
        }
        std::mem::swap(&mut s.w, &mut s.new_w);
    }
}

/// Fewest blocks [`arpls_decimated`] solves on.
pub const MIN_BLOCKS: usize = 16;

/// The arPLS baseline of `y` solved on the means of blocks of `k` points and interpolated
/// back (linearly between block centres, extended along the end blocks' slope): about 1/`k`
/// of the work. The penalty scales as the grid's spacing to the fourth power, so `lam / k^4`
/// on the coarse grid asks for the same smoothness per unit of x as `lam` on the fine one.
/// `k` <= 1, or fewer than [`MIN_BLOCKS`] blocks (too few for arPLS's statistics of the
/// negative residuals), is [`arpls`] itself.
pub fn arpls_decimated(
    y: &[f64],
    lam: f64,
    max_iter: usize,
    tol: f64,
    k: usize,
    s: &mut ArplsScratch,
    out: &mut Vec<f64>,
) {
    let n = y.len();
    let blocks = n.div_ceil(k.max(1));
    if k <= 1 || blocks < MIN_BLOCKS {
        return arpls(y, lam, max_iter, tol, s, out);
    }
    let mut coarse = std::mem::take(&mut s.coarse);
    let mut z = std::mem::take(&mut s.coarse_z);
    coarse.clear();
    coarse.extend(super::window::block_means(y, k));
    arpls(&coarse, lam / (k as f64).powi(4), max_iter, tol, s, &mut z);
    // block j's centre, in points of y
    let centre = |j: usize| (j * k) as f64 + ((k.min(n - j * k) - 1) as f64) / 2.0;
    out.clear();
    out.reserve(n);
    let mut j = 0;
    for i in 0..n {
        let t = i as f64;
        while j + 2 < blocks && centre(j + 1) < t {
            j += 1;
        }
        let (a, b) = (centre(j), centre(j + 1));
        out.push(z[j] + (z[j + 1] - z[j]) * (t - a) / (b - a));
    }
    s.coarse = coarse;
    s.coarse_z = z;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length and block size gives a baseline as long as the data (the last block
    /// partial, too few blocks falling back to the full solve) that follows a noisy straight
    /// line (noise amplitude 0.2) to within k times that amplitude.
    #[test]
    fn decimated_baseline_has_the_data_length_and_follows_a_line() {
        let mut s = ArplsScratch::default();
        let mut out = Vec::new();
        for n in 0..120 {
            let y: Vec<f64> = (0..n)
                .map(|i| {
                    let noise = ((i as f64 * 12.9898).sin() * 43758.5453).fract() * 0.2;
                    3.0 + 0.5 * i as f64 + noise
                })
                .collect();
            for k in 1..6 {
                arpls_decimated(&y, 1e3, 10, 1e-3, k, &mut s, &mut out);
                assert_eq!(out.len(), n, "n {n} k {k}");
                // measured: the full solve within 0.18 of the line, blocks of 2 within 0.30,
                // of 5 within 0.75 (few blocks: the ends are extrapolated)
                let tol = 0.2 * k as f64;
                for (i, b) in out.iter().enumerate() {
                    let line = 3.0 + 0.5 * i as f64;
                    assert!((line - b).abs() < tol, "n {n} k {k} at {i}: {b} vs {line}");
                }
            }
        }
    }

    /// On a smooth background under lines and noise, the decimated baseline follows the full
    /// one to a small share of the signal, and k = 1 is the full one exactly.
    #[test]
    fn decimated_baseline_follows_the_full_one() {
        let n = 900;
        let y: Vec<f64> = (0..n)
            .map(|i| {
                let t = i as f64 / n as f64;
                let bg = 200.0 + 300.0 * (-((t - 0.4) / 0.3).powi(2)).exp() + 80.0 * t;
                let line = |c: f64, w: f64, h: f64| h * (-0.5 * ((i as f64 - c) / w).powi(2)).exp();
                let noise = ((i as f64 * 12.9898).sin() * 43758.5453).fract() * 4.0;
                bg + line(150.0, 2.0, 400.0) + line(600.0, 6.0, 150.0) + noise
            })
            .collect();
        let mut s = ArplsScratch::default();
        let (mut full, mut one, mut two) = (Vec::new(), Vec::new(), Vec::new());
        arpls(&y, 1e6, 15, 1e-3, &mut s, &mut full);
        arpls_decimated(&y, 1e6, 15, 1e-3, 1, &mut s, &mut one);
        arpls_decimated(&y, 1e6, 15, 1e-3, 2, &mut s, &mut two);
        assert_eq!(one, full);
        assert_eq!(two.len(), n);
        let worst = full
            .iter()
            .zip(&two)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        // the signal above the background reaches 400
        assert!(worst < 8.0, "decimated baseline off by {worst}");
    }

    #[test]
    fn banded_solver_matches_dense() {
        let n = 12;
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 3) as f64).collect();
        let lam = 3.7;
        let mut penalty = Vec::new();
        penalty_band(n, lam, &mut penalty);
        // dense A = W + lam D'D
        let mut a = vec![vec![0.0; n]; n];
        for i in 0..n {
            for k in 0..3 {
                if i >= k {
                    a[i][i - k] = penalty[i][k];
                    a[i - k][i] = penalty[i][k];
                }
            }
            a[i][i] += w[i];
        }
        let x_true: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
        // y with W y = A x_true
        let y: Vec<f64> = (0..n)
            .map(|i| (0..n).map(|j| a[i][j] * x_true[j]).sum::<f64>() / w[i])
            .collect();
        let (mut fac, mut x) = (Vec::new(), Vec::new());
        solve_weighted(&penalty, &w, &y, &mut fac, &mut x);
        for (p, q) in x.iter().zip(&x_true) {
            assert!((p - q).abs() < 1e-10, "{p} {q}");
        }
    }

    #[test]
    fn twisted_solve_is_the_top_down_solve() {
        for n in [16, 17, 18, 40, 861, 909] {
            for lam in [1.0, 1e3, 1e6] {
                let w: Vec<f64> = (0..n)
                    .map(|i| {
                        if i % 7 == 3 {
                            1e-9
                        } else {
                            0.2 + 0.8 * ((i * 37) % 11) as f64 / 10.0
                        }
                    })
                    .collect();
                let y: Vec<f64> = (0..n)
                    .map(|i| 100.0 + 0.3 * i as f64 + 40.0 * (i as f64 / 17.0).sin())
                    .collect();
                let mut penalty = Vec::new();
                penalty_band(n, lam, &mut penalty);
                let (mut f1, mut x1, mut f2, mut x2) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                solve_weighted(&penalty, &w, &y, &mut f1, &mut x1);
                solve_twisted(&penalty, &w, &y, &mut f2, &mut x2);
                let scale = x1.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                for (i, (p, q)) in x1.iter().zip(&x2).enumerate() {
                    assert!(
                        (p - q).abs() <= 1e-9 * scale,
                        "n {n} lam {lam} row {i}: {p} {q}"
                    );
                }
            }
        }
    }

    #[test]
    fn clamped_logistic_is_the_logistic() {
        for i in -20_000..=20_000 {
            let v = i as f64 * 0.05;
            let exact = 1.0 / (1.0 + (-v).exp());
            if v >= -700.0 {
                assert!(
                    (logistic(v) - exact).abs() <= 4.0 * f64::EPSILON * exact,
                    "{v}"
                );
            } else {
                assert!(logistic(v) <= 1e-300, "{v}");
            }
        }
    }

    #[test]
    fn exp_in_range_is_libm_exp_to_three_ulp() {
        let mut worst = 0.0f64;
        for i in 0..=740_000 {
            let x = -40.0 + i as f64 * 1e-3 + 1e-7 * (i % 7) as f64;
            let (got, want) = (exp_in_range(x), x.exp());
            worst = worst.max(((got - want) / want).abs() / f64::EPSILON);
        }
        assert!(worst <= 3.0, "{worst} ulp");
        assert_eq!(exp_in_range(0.0), 1.0);
    }

    #[test]
    fn flat_line_plus_peak_gives_flat_baseline() {
        let y: Vec<f64> = (0..300)
            .map(|i| {
                10.0 + 0.01 * i as f64 + 100.0 * (-0.5 * ((i as f64 - 150.0) / 4.0).powi(2)).exp()
            })
            .collect();
        let mut out = Vec::new();
        arpls(&y, 1e5, 50, 1e-3, &mut ArplsScratch::default(), &mut out);
        for i in [10, 100, 150, 200, 290] {
            let want = 10.0 + 0.01 * i as f64;
            assert!((out[i] - want).abs() < 1.0, "{i}: {}", out[i]);
        }
    }
}
