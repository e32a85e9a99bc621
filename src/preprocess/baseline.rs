//! Baseline removal by arPLS (asymmetrically reweighted penalized least squares, Baek et al.
//! 2015), following pybaselines' `arpls`: solve (W + lam D'D) z = W y with D the second-order
//! difference matrix, reweight with the logistic of the negative residuals, stop when the
//! relative change of the weights drops below `tol` or after `max_iter` reweightings.
//! The pentadiagonal system is solved by a banded LDL' factorisation in O(n).

/// Scratch buffers reused between calls.
#[derive(Default)]
pub struct ArplsScratch {
    w: Vec<f64>,
    new_w: Vec<f64>,
    /// The LDL' factor of the current iteration's matrix.
    band: Vec<[f64; 3]>,
    /// lam D'D for the current (n, lam): built once per call, not per iteration.
    penalty: Vec<[f64; 3]>,
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

/// Solve (W + P) x = W y, P = `penalty` (from [`penalty_band`]) and W = diag(`w`), into `x`:
/// one pass builds each row of the symmetric positive definite pentadiagonal matrix, factorises
/// it (LDL', into `fac`) and solves L z = W y; the diagonal is kept as its reciprocal, so each
/// row costs one division. Then D and L' are undone backwards.
///
/// The recurrence is written for a short dependency chain (it is latency-bound: each row waits
/// for the previous row's division): with `l2 d2 = a2` and `l1^2 d1 = num^2 / d1`, row i's
/// pivot is `d = (a0 - a2 l2) - num^2 inv1` where `num = a1 - a2 l1_prev` is known a row
/// early, so only one multiply and one subtraction lie between two divisions.
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
    // 1/d of the previous two rows and l_{i,i-1} of the previous row, carried in registers.
    let (mut inv1, mut inv2, mut l1_prev) = (0.0, 0.0, 0.0);
    let (mut b1, mut b2) = (0.0, 0.0);
    for i in 0..n {
        let [p0, a1, a2] = penalty[i];
        let a0 = p0 + w[i];
        let a2 = if i >= 2 { a2 } else { 0.0 };
        let l2 = a2 * inv2;
        let num = if i >= 1 { a1 - a2 * l1_prev } else { 0.0 };
        let l1 = num * inv1;
        let d = (a0 - a2 * l2) - num * num * inv1;
        let inv = 1.0 / d;
        let z = w[i] * y[i] - l1 * b1 - l2 * b2;
        fac[i] = [inv, l1, l2];
        x[i] = z;
        (b2, b1) = (b1, z);
        (inv2, inv1, l1_prev) = (inv1, inv, l1);
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
        solve_weighted(&s.penalty, &s.w, y, &mut s.band, out);
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

#[cfg(test)]
mod tests {
    use super::*;

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
