//! Least squares with non-negativity (Lawson and Hanson's active-set method) on the normal
//! equations, for the small problems of the one-phonon fit: a few hundred points and a few
//! dozen columns, so the Gram matrix is built once and every step solves a small Cholesky
//! system. Some columns may be left free (a baseline may be negative); a ridge term per column
//! keeps flexible terms (the broad bands) from cancelling each other.

/// A design matrix reduced to its normal equations.
pub struct Normal {
    n: usize,
    /// Gram matrix A^T A (+ ridge on the diagonal), row-major n x n.
    g: Vec<f64>,
    /// A^T y.
    b: Vec<f64>,
}

impl Normal {
    /// `cols` are the columns of A, each as long as `y`; `ridge[j]` is added to the j-th
    /// diagonal element (a penalty ridge_j * c_j^2).
    pub fn new(cols: &[&[f64]], y: &[f64], ridge: &[f64]) -> Normal {
        let n = cols.len();
        let mut g = vec![0.0; n * n];
        for i in 0..n {
            for j in i..n {
                let v: f64 = cols[i].iter().zip(cols[j]).map(|(a, b)| a * b).sum();
                g[i * n + j] = v;
                g[j * n + i] = v;
            }
            g[i * n + i] += ridge[i];
        }
        let b = cols
            .iter()
            .map(|c| c.iter().zip(y).map(|(a, b)| a * b).sum())
            .collect();
        Normal { n, g, b }
    }

    /// Solve the sub-system on `set` for the right-hand side `rhs` (indexed by column); None
    /// when it is singular.
    fn solve_on(&self, set: &[usize], rhs: &[f64]) -> Option<Vec<f64>> {
        let m = set.len();
        let mut l = vec![0.0; m * m];
        for (r, &i) in set.iter().enumerate() {
            for (c, &j) in set.iter().enumerate().take(r + 1) {
                let mut s = self.g[i * self.n + j];
                for k in 0..c {
                    s -= l[r * m + k] * l[c * m + k];
                }
                if r == c {
                    if !(s > 1e-12 * self.g[i * self.n + i].max(1e-300)) {
                        return None;
                    }
                    l[r * m + r] = s.sqrt();
                } else {
                    l[r * m + c] = s / l[c * m + c];
                }
            }
        }
        let mut z: Vec<f64> = set.iter().map(|&i| rhs[i]).collect();
        for r in 0..m {
            for k in 0..r {
                z[r] -= l[r * m + k] * z[k];
            }
            z[r] /= l[r * m + r];
        }
        for r in (0..m).rev() {
            for k in r + 1..m {
                z[r] -= l[k * m + r] * z[k];
            }
            z[r] /= l[r * m + r];
        }
        Some(z)
    }

    /// Minimise the objective over the `allowed` columns (the others stay 0) with c_j >= 0
    /// wherever `free[j]` is false. Returns the coefficients and the set of columns left
    /// active (non-zero or free).
    pub fn solve(&self, free: &[bool], allowed: &[bool]) -> (Vec<f64>, Vec<usize>) {
        let n = self.n;
        let mut x = vec![0.0; n];
        let mut passive: Vec<usize> = (0..n).filter(|&j| free[j] && allowed[j]).collect();
        if !passive.is_empty() {
            match self.solve_on(&passive, &self.b) {
                Some(z) => passive.iter().zip(z).for_each(|(&j, v)| x[j] = v),
                None => passive.clear(),
            }
        }
        let tol = 1e-10 * self.b.iter().map(|v| v.abs()).fold(1.0, f64::max);
        for _ in 0..3 * n + 10 {
            // The gradient of -objective/2: columns that would lower the residual if raised.
            let w: Vec<f64> = (0..n)
                .map(|i| self.b[i] - (0..n).map(|j| self.g[i * n + j] * x[j]).sum::<f64>())
                .collect();
            let Some(enter) = (0..n)
                .filter(|&j| allowed[j] && !passive.contains(&j))
                .filter(|&j| w[j] > tol)
                .max_by(|&a, &b| w[a].total_cmp(&w[b]))
            else {
                break;
            };
            passive.push(enter);
            loop {
                let Some(z) = self.solve_on(&passive, &self.b) else {
                    // A column dependent on the others: leave it out.
                    passive.retain(|&j| j != enter);
                    break;
                };
                let blocked: Vec<(usize, f64)> = passive
                    .iter()
                    .zip(&z)
                    .filter(|&(&j, &v)| !free[j] && v <= 0.0)
                    .map(|(&j, &v)| (j, v))
                    .collect();
                if blocked.is_empty() {
                    passive.iter().zip(&z).for_each(|(&j, &v)| x[j] = v);
                    break;
                }
                let alpha = blocked
                    .iter()
                    .map(|&(j, v)| x[j] / (x[j] - v))
                    .fold(1.0, f64::min);
                for (&j, &v) in passive.iter().zip(&z) {
                    x[j] += alpha * (v - x[j]);
                }
                passive.retain(|&j| free[j] || x[j] > 1e-14);
                for (j, v) in x.iter_mut().enumerate() {
                    if !passive.contains(&j) {
                        *v = 0.0;
                    }
                }
            }
        }
        (x, passive)
    }

    /// Standard errors of the active coefficients for a residual variance `s2`: the square
    /// roots of s2 times the diagonal of the inverse of the active sub-matrix; 0 elsewhere.
    pub fn std_errors(&self, active: &[usize], s2: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.n];
        let m = active.len();
        let mut e = vec![0.0; self.n];
        for r in 0..m {
            // Column r of the inverse: solve G_PP v = e_r.
            e[active[r]] = 1.0;
            if let Some(v) = self.solve_on(active, &e) {
                out[active[r]] = (s2 * v[r].max(0.0)).sqrt();
            }
            e[active[r]] = 0.0;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_non_negative_mixture_and_clips_negative_one() {
        let x: Vec<f64> = (0..50).map(|i| i as f64 / 49.0).collect();
        let c0: Vec<f64> = x
            .iter()
            .map(|v| (-(v - 0.3f64).powi(2) * 40.0).exp())
            .collect();
        let c1: Vec<f64> = x
            .iter()
            .map(|v| (-(v - 0.7f64).powi(2) * 40.0).exp())
            .collect();
        let one = vec![1.0; 50];
        // y = 2 c0 - 0.5 c1 + 0.3: c1 must clip to 0, the free offset absorbs what it can.
        let y: Vec<f64> = (0..50).map(|i| 2.0 * c0[i] - 0.5 * c1[i] + 0.3).collect();
        let nm = Normal::new(&[&c0, &c1, &one], &y, &[0.0; 3]);
        let (c, _) = nm.solve(&[false, false, true], &[true; 3]);
        assert_eq!(c[1], 0.0);
        assert!(c[0] > 1.5 && c[0] < 2.5, "{c:?}");
        // Without the negative term it is exact.
        let y: Vec<f64> = (0..50).map(|i| 2.0 * c0[i] + 0.5 * c1[i] - 0.3).collect();
        let nm = Normal::new(&[&c0, &c1, &one], &y, &[0.0; 3]);
        let (c, active) = nm.solve(&[false, false, true], &[true; 3]);
        assert!(
            (c[0] - 2.0).abs() < 1e-9 && (c[1] - 0.5).abs() < 1e-9,
            "{c:?}"
        );
        assert!((c[2] + 0.3).abs() < 1e-9);
        let se = nm.std_errors(&active, 1e-4);
        assert!(se[0] > 0.0 && se[1] > 0.0);
    }
}
