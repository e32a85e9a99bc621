//! Single FTIR peaks fitted, not read at a fixed position: a Lorentzian of free position and
//! width on a straight local baseline, chosen by least squares over a grid of positions and
//! widths (the baseline and height solved exactly for each). Used for the platelet (B') peak,
//! the hydrogen lines and the lattice CO2 bands.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeakFit {
    /// cm^-1.
    pub position: f64,
    /// Full width at half maximum, cm^-1.
    pub fwhm: f64,
    /// Height above the local baseline, absorption coefficient (cm^-1).
    pub height: f64,
    /// Integrated absorption, cm^-2 (pi/2 x height x FWHM).
    pub area: f64,
    /// Height over the noise.
    pub snr: f64,
}

/// Where to look for a peak.
pub struct PeakWindow {
    /// Data used for the fit, cm^-1.
    pub from: f64,
    pub to: f64,
    /// Range of the peak position and of its FWHM, cm^-1.
    pub centre: (f64, f64),
    pub fwhm: (f64, f64),
}

fn lorentz(x: f64, c: f64, fwhm: f64) -> f64 {
    let h = fwhm / 2.0;
    h * h / ((x - c).powi(2) + h * h)
}

/// Solve the 3x3 normal equations for baseline (a + b u) and height h; None when singular.
fn solve3(m: [[f64; 3]; 3], r: [f64; 3]) -> Option<[f64; 3]> {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(m);
    if !(d.abs() > 1e-300) {
        return None;
    }
    let mut out = [0.0; 3];
    for (k, o) in out.iter_mut().enumerate() {
        let mut mk = m;
        for i in 0..3 {
            mk[i][k] = r[i];
        }
        *o = det(mk) / d;
    }
    Some(out)
}

/// Fit one peak to `y` (already scaled to absorption coefficients) in the window; `noise` is
/// the spectrum's noise in the same units. None when the window holds too few points or no
/// positive peak fits.
pub fn fit_peak(x: &[f64], y: &[f64], w: &PeakWindow, noise: f64) -> Option<PeakFit> {
    let a = x.partition_point(|&v| v < w.from);
    let b = x.partition_point(|&v| v <= w.to);
    if b < a + 8 {
        return None;
    }
    let (xs, ys) = (&x[a..b], &y[a..b]);
    let mid = (w.from + w.to) / 2.0;
    let dx = (xs[xs.len() - 1] - xs[0]) / (xs.len() - 1) as f64;
    let min_fwhm = w.fwhm.0.max(1.5 * dx);
    if min_fwhm > w.fwhm.1 {
        return None;
    }
    let yy: f64 = ys.iter().map(|v| v * v).sum();
    let n_w = 8;
    let ratio = (w.fwhm.1 / min_fwhm).powf(1.0 / (n_w - 1) as f64);
    // The baseline's part of the normal equations is the same for every candidate.
    let (mut m_base, mut r_base) = ([[0.0; 2]; 2], [0.0; 2]);
    for (&v, &yv) in xs.iter().zip(ys) {
        let f = [1.0, (v - mid) / 100.0];
        for p in 0..2 {
            r_base[p] += f[p] * yv;
            for q in 0..2 {
                m_base[p][q] += f[p] * f[q];
            }
        }
    }
    // rss, centre, fwhm, height of the best (centre, fwhm) among the candidates.
    let search = |cands: &mut dyn Iterator<Item = (f64, f64)>| {
        let mut best: Option<(f64, f64, f64, f64)> = None;
        for (c, fwhm) in cands {
            // the shape's column: sum s, sum u s, sum s s, sum s y
            let (mut s0, mut s1, mut s2, mut sy) = (0.0, 0.0, 0.0, 0.0);
            for (&v, &yv) in xs.iter().zip(ys) {
                let sh = lorentz(v, c, fwhm);
                s0 += sh;
                s1 += (v - mid) / 100.0 * sh;
                s2 += sh * sh;
                sy += sh * yv;
            }
            let m = [
                [m_base[0][0], m_base[0][1], s0],
                [m_base[1][0], m_base[1][1], s1],
                [s0, s1, s2],
            ];
            let r = [r_base[0], r_base[1], sy];
            let Some(s) = solve3(m, r) else { continue };
            if !(s[2] > 0.0) {
                continue;
            }
            // The least-squares residual from the normal equations: y'y - s'(A'y).
            let rss = (yy - (s[0] * r[0] + s[1] * r[1] + s[2] * r[2])).max(0.0);
            if best.is_none_or(|bst| rss < bst.0) {
                best = Some((rss, c, fwhm, s[2]));
            }
        }
        best
    };
    // Coarse grid, then a finer one around the coarse best.
    let step_c = dx.max(1.0);
    let n_c = ((w.centre.1 - w.centre.0) / step_c).ceil() as usize + 1;
    let coarse = search(&mut (0..n_w).flat_map(|iw| {
        let fwhm = min_fwhm * ratio.powi(iw);
        (0..n_c).map(move |ic| ((w.centre.0 + ic as f64 * step_c).min(w.centre.1), fwhm))
    }))?;
    let fine_r = ratio.powf(0.25);
    let best = search(&mut (-4..=4).flat_map(|ic| {
        (-3..=3).map(move |iw| {
            let c = (coarse.1 + ic as f64 * step_c / 4.0).clamp(w.centre.0, w.centre.1);
            let f = (coarse.2 * fine_r.powi(iw)).clamp(min_fwhm, w.fwhm.1);
            (c, f)
        })
    }));
    let (rss, position, fwhm, height) = best?;
    // A best position on the edge of its range is a slope, not a peak there.
    let edge = 0.5 * step_c;
    if position <= w.centre.0 + edge || position >= w.centre.1 - edge {
        return None;
    }
    let resid = (rss / xs.len() as f64).sqrt();
    Some(PeakFit {
        position,
        fwhm,
        height,
        area: std::f64::consts::FRAC_PI_2 * height * fwhm,
        snr: height / noise.max(resid * 0.5).max(f64::MIN_POSITIVE),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_shifted_peak_on_a_slope() {
        let x: Vec<f64> = (0..200).map(|i| 1300.0 + i as f64 * 0.5).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|&v| 0.2 + 0.001 * (v - 1300.0) + 1.5 * lorentz(v, 1371.3, 12.0))
            .collect();
        let w = PeakWindow {
            from: 1340.0,
            to: 1400.0,
            centre: (1355.0, 1385.0),
            fwhm: (3.0, 40.0),
        };
        let p = fit_peak(&x, &y, &w, 0.01).unwrap();
        assert!((p.position - 1371.3).abs() < 0.3, "{p:?}");
        assert!((p.fwhm - 12.0).abs() < 1.5, "{p:?}");
        assert!((p.height - 1.5).abs() < 0.15, "{p:?}");
        assert!(p.snr > 100.0);
    }
}
