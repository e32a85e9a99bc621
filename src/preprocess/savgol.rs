//! Savitzky-Golay smoothing, edges handled as scipy's `savgol_filter(mode="interp")`: the
//! polynomial fitted to the first (last) window is evaluated at the edge points.

/// Weights that evaluate, at offset `t` from the window centre, the least-squares polynomial of
/// degree `order` fitted to a window of `2*half+1` points.
fn weights_at(half: usize, order: usize, t: f64) -> Vec<f64> {
    let w = 2 * half + 1;
    let p = order + 1;
    // Normal matrix (A^T A)[a][b] = sum_i s_i^(a+b), s_i = i - half.
    let mut m = vec![vec![0.0f64; p]; p];
    for i in 0..w {
        let s = i as f64 - half as f64;
        for (a, row) in m.iter_mut().enumerate() {
            for (b, v) in row.iter_mut().enumerate() {
                *v += s.powi((a + b) as i32);
            }
        }
    }
    // Solve (A^T A) c = h(t), h = [t^0 .. t^order]; weights_i = sum_a c_a s_i^a.
    let mut rhs: Vec<f64> = (0..p).map(|a| t.powi(a as i32)).collect();
    gauss_solve(&mut m, &mut rhs);
    (0..w)
        .map(|i| {
            let s = i as f64 - half as f64;
            (0..p).map(|a| rhs[a] * s.powi(a as i32)).sum()
        })
        .collect()
}

/// In-place Gaussian elimination with partial pivoting on a small dense system.
fn gauss_solve(m: &mut [Vec<f64>], b: &mut [f64]) {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))
            .unwrap_or(col);
        m.swap(col, piv);
        b.swap(col, piv);
        let (top, rest) = m.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (k, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (v, p) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *v -= f * p;
            }
            b[col + 1 + k] -= f * b[col];
        }
    }
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| m[r][c] * b[c]).sum();
        b[r] = (b[r] - s) / m[r][r];
    }
}

/// Smooth `y` into `out`. `window` must be odd and larger than `order`; a window longer than
/// the data is shrunk to the largest odd length that fits.
pub fn savgol(y: &[f64], window: usize, order: usize, out: &mut Vec<f64>) {
    out.clear();
    let n = y.len();
    let mut window = window.min(if n % 2 == 1 { n } else { n.saturating_sub(1) });
    if window % 2 == 0 {
        window = window.saturating_sub(1);
    }
    if window <= order || window < 3 {
        out.extend_from_slice(y);
        return;
    }
    let half = window / 2;
    let centre = weights_at(half, order, 0.0);
    out.resize(n, 0.0);
    for i in half..n - half {
        out[i] = centre
            .iter()
            .zip(&y[i - half..=i + half])
            .map(|(w, v)| w * v)
            .sum();
    }
    for k in 0..half {
        let t = k as f64 - half as f64;
        let wl = weights_at(half, order, t);
        out[k] = wl.iter().zip(&y[..window]).map(|(w, v)| w * v).sum();
        let wr = weights_at(half, order, -t);
        out[n - 1 - k] = wr.iter().zip(&y[n - window..]).map(|(w, v)| w * v).sum();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preserves_polynomials_of_its_order() {
        let y: Vec<f64> = (0..40)
            .map(|i| 0.5 * (i as f64).powi(2) - 3.0 * i as f64 + 7.0)
            .collect();
        let mut out = Vec::new();
        savgol(&y, 9, 2, &mut out);
        for (a, b) in y.iter().zip(&out) {
            assert!((a - b).abs() < 1e-8, "{a} {b}");
        }
    }

    #[test]
    fn classic_5_point_quadratic_weights() {
        // -3, 12, 17, 12, -3 over 35
        let w = weights_at(2, 2, 0.0);
        for (a, b) in w.iter().zip([-3.0, 12.0, 17.0, 12.0, -3.0]) {
            assert!((a - b / 35.0).abs() < 1e-12);
        }
    }
}
