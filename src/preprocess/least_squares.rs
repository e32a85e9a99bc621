//! Small least-squares fits: the normal equations of a few parameters, solved whole.

/// Solve the normal equations `a p = b` (Gauss-Jordan with partial pivoting); returns the
/// solution and the last diagonal element of the inverse (the last parameter's variance factor:
/// times the residual variance, its variance). None where `a` is singular.
pub fn solve<const P: usize>(mut a: [[f64; P]; P], mut b: [f64; P]) -> Option<([f64; P], f64)> {
    let mut inv = [[0.0; P]; P];
    for (i, row) in inv.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    for col in 0..P {
        let piv = (col..P).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        inv.swap(col, piv);
        for r in 0..P {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in 0..P {
                    a[r][c] -= f * a[col][c];
                    inv[r][c] -= f * inv[col][c];
                }
                b[r] -= f * b[col];
            }
        }
    }
    let p: [f64; P] = std::array::from_fn(|i| b[i] / a[i][i]);
    Some((p, inv[P - 1][P - 1] / a[P - 1][P - 1]))
}
