//! Where a peak tops and where it falls to a level: shared by the Raman-line finder here and
//! the peak finder in `lines` (which depends on `preprocess`, never the other way round); and
//! the Gaussian line shape the FTIR fit, diamond's two-phonon band and the simulator draw.

/// A Gaussian of height 1 at `c` with this FWHM.
pub fn gauss(x: f64, c: f64, fwhm: f64) -> f64 {
    let s = fwhm / 2.354_820_045;
    (-0.5 * ((x - c) / s).powi(2)).exp()
}

/// Sub-sample position of the maximum at `i`: the vertex of the parabola through the three
/// points around it (or x[i] at an edge or when the points do not curve down).
pub fn vertex(x: &[f64], y: &[f64], i: usize) -> f64 {
    if i == 0 || i + 1 >= x.len() {
        return x[i];
    }
    let (x0, x1, x2) = (x[i - 1], x[i], x[i + 1]);
    let (y0, y1, y2) = (y[i - 1], y[i], y[i + 1]);
    let d = (x0 - x1) * (x0 - x2) * (x1 - x2);
    let a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / d;
    let b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)) / d;
    let v = -b / (2.0 * a);
    if a < 0.0 && v.is_finite() && v > x0 && v < x2 {
        v
    } else {
        x1
    }
}

/// Where the signal `f` first drops to `level` walking left and right from `i`, interpolated
/// between samples (the data edge when it never does).
pub fn crossings(x: &[f64], f: impl Fn(usize) -> f64, i: usize, level: f64) -> (f64, f64) {
    let walk = |step: isize| -> f64 {
        let mut a = i as isize;
        loop {
            let b = a + step;
            if b < 0 || b as usize >= x.len() {
                return x[a as usize];
            }
            let (ya, yb) = (f(a as usize), f(b as usize));
            if yb <= level {
                let t = (ya - level) / (ya - yb);
                return x[a as usize] + t * (x[b as usize] - x[a as usize]);
            }
            a = b;
        }
    };
    (walk(-1), walk(1))
}
