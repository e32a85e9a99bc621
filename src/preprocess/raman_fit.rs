//! The diamond Raman line where the plain finder ([`super::find_raman_line`]) cannot see it:
//! on coarse instruments, whose 1-2 nm resolution spreads the line over 50-140 cm^-1 (past the
//! plain finder's width limit and flanks), and on the curved top of a broad band (the N3
//! vibronic band under 405 nm excitation, fluorescence under 532 nm), where a straight baseline
//! through the flanks fails. A template fit: a Gaussian line of a trial width (from a couple of
//! pixels to 2.5 nm) at a trial position within the calibration tolerance, on a quartic
//! background (it follows a broad band's curvature over the window, which a line of the
//! instrument's width cannot) over a window a few widths wide, by least squares; its SNR is the
//! fitted height over its standard error, the fit's misfit counted as noise. Positive only where
//! the SNR peaks in width (a band makes it rise with the width) and the best template stands 8
//! standard errors high (stricter than the plain finder's 6, for the many templates tried).

use super::calibration::{DIAMOND_RAMAN_SHIFT, RamanLine, expected_position, to_shift};
use super::despike::curvature_sigma;
use super::least_squares::solve;
use crate::spectrum::XUnit;

/// Smallest SNR of a fitted line that counts as present.
pub const MIN_FIT_SNR: f64 = 8.0;
/// Widest instrument line allowed, nm (a 2 nm spectrometer, with margin).
const MAX_FWHM_NM: f64 = 2.5;
/// Search half-width around the expected shift, cm^-1 (calibration errors up to ~0.5 nm).
const SEARCH_CM: f64 = 30.0;

/// Parameters of the fit: a quartic background and the line's height (last).
const P: usize = 6;

/// The best template fit near the expected Raman shift, or None where the spectrum cannot show
/// the line (no excitation, wrong unit, too few points around it).
pub fn fit_raman_line(
    x: &[f64],
    y: &[f64],
    unit: &XUnit,
    excitation_nm: Option<f64>,
) -> Option<RamanLine> {
    let expected = expected_position(unit, excitation_nm)?;
    // Points within +-1200 cm^-1 of the line, as (shift - 1332.5, y).
    let pts: Vec<(f64, f64)> = x
        .iter()
        .zip(y)
        .filter_map(|(&xv, &yv)| {
            let d = to_shift(xv, unit, excitation_nm)? - DIAMOND_RAMAN_SHIFT;
            (d.abs() <= 1200.0 && yv.is_finite()).then_some((d, yv))
        })
        .collect();
    if pts.len() < 12 || pts[0].0 > -60.0 || pts[pts.len() - 1].0 < 60.0 {
        return None;
    }
    let ys: Vec<f64> = pts
        .iter()
        .filter(|p| p.0.abs() <= 400.0)
        .map(|p| p.1)
        .collect();
    // A floor of a billionth of the signal: no instrument measures below it, and a constant
    // (a blank column, a baseline export) otherwise "fits" a line of rounding error at an SNR
    // of 1e297.
    let scale = ys.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let sigma = curvature_sigma(&ys, 1)
        .max(1e-9 * scale)
        .max(f64::MIN_POSITIVE);
    let mut gaps: Vec<f64> = pts.windows(2).map(|w| (w[1].0 - w[0].0).abs()).collect();
    gaps.sort_by(f64::total_cmp);
    let dx = gaps[gaps.len() / 2].max(1e-6);
    let max_fwhm = match unit {
        XUnit::Nm => 1e7 * MAX_FWHM_NM / (expected * expected),
        XUnit::Um => 1e7 * MAX_FWHM_NM / (expected * expected * 1e6),
        _ => 140.0,
    }
    .max(40.0);
    // Each trial looks at the points within `half` of its centre: found by bisection where the
    // shifts ascend (they do for nm and Raman-shift axes), else by the test in the loop.
    let ascending = pts.windows(2).all(|w| w[0].0 <= w[1].0);
    // The best (snr, height, centre, fwhm) of every trial width.
    let mut by_width: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut fwhm = (1.5 * dx).max(3.0);
    // Templates run on past the widest line allowed, to see whether the fit peaks in width.
    while fwhm <= 2.5 * max_fwhm {
        let search = SEARCH_CM.max(0.3 * fwhm);
        let step = (dx / 2.0).max(fwhm / 8.0);
        let half = (3.0 * fwhm).max(30.0 + fwhm).max(10.0 * dx);
        let mut best: Option<(f64, f64, f64, f64)> = None;
        let mut c = -search;
        while c <= search {
            // The normal equations from power sums: the background block is a Hankel matrix
            // of the sums of u^0..u^8, so a point costs 22 sums instead of 42 products (and
            // the accumulators fit in registers).
            let (mut pw, mut gu, mut vu) = ([0.0; 2 * P - 3], [0.0; P - 1], [0.0; P - 1]);
            let (mut gg, mut gv, mut vv) = (0.0, 0.0, 0.0);
            let (mut left, mut right, mut n) = (0, 0, 0);
            let near = if ascending {
                let lo = pts.partition_point(|p| (p.0 - c) / half < -1.0);
                let hi = pts.partition_point(|p| (p.0 - c) / half <= 1.0);
                &pts[lo..hi.max(lo)]
            } else {
                &pts[..]
            };
            for &(d, v) in near {
                let u = (d - c) / half;
                if u.abs() > 1.0 {
                    continue;
                }
                n += 1;
                left += usize::from(d - c < -fwhm);
                right += usize::from(d - c > fwhm);
                let g = (-4.0 * std::f64::consts::LN_2 * ((d - c) / fwhm).powi(2)).exp();
                let mut uk = 1.0;
                for k in 0..P - 1 {
                    pw[k] += uk;
                    gu[k] += g * uk;
                    vu[k] += v * uk;
                    uk *= u;
                }
                for s in &mut pw[P - 1..] {
                    *s += uk;
                    uk *= u;
                }
                gg += g * g;
                gv += g * v;
                vv += v * v;
            }
            let mut ata = [[0.0; P]; P];
            for i in 0..P - 1 {
                ata[i][..P - 1].copy_from_slice(&pw[i..i + P - 1]);
                (ata[i][P - 1], ata[P - 1][i]) = (gu[i], gu[i]);
            }
            ata[P - 1][P - 1] = gg;
            let mut atb = [0.0; P];
            atb[..P - 1].copy_from_slice(&vu);
            atb[P - 1] = gv;
            if n >= 8
                && left >= 3
                && right >= 3
                && let Some((p, var)) = solve(ata, atb)
                && var > 0.0
            {
                // Misfit of the background model counts as noise: a window too wide for the
                // band under it leaves residuals the template must not turn into a line.
                let fitted: f64 = (0..P).map(|i| p[i] * atb[i]).sum();
                let rms = ((vv - fitted).max(0.0) / (n - P) as f64).sqrt();
                let snr = p[P - 1] / (sigma.max(rms) * var.sqrt());
                if best.is_none_or(|b| snr > b.0) {
                    best = Some((snr, p[P - 1], c, fwhm));
                }
            }
            c += step;
        }
        by_width.push(best.unwrap_or((f64::NEG_INFINITY, 0.0, 0.0, fwhm)));
        fwhm *= 1.4;
    }
    // A line has a width: the fit's SNR peaks at the template that matches it and falls for
    // wider ones. Where it keeps rising with the width, the fit is following a band. The
    // answer is the strongest such peak among the widths a line can have.
    let peaked = |k: usize| {
        let s = by_width[k].0;
        let before = k == 0 || by_width[k - 1].0 < s;
        let after = by_width.get(k + 1).is_none_or(|n| n.0 < s);
        before && after && by_width.get(k + 1).is_some()
    };
    let chosen = (0..by_width.len())
        .filter(|&k| by_width[k].3 <= max_fwhm && peaked(k))
        .max_by(|&a, &b| by_width[a].0.total_cmp(&by_width[b].0));
    let (snr, height, centre, fwhm_cm) = match chosen {
        Some(k) => by_width[k],
        // no width-limited line: report the narrowest fit, not present
        None => *by_width
            .iter()
            .filter(|b| b.0.is_finite())
            .min_by(|a, b| a.3.total_cmp(&b.3))?,
    };
    let is_line = chosen.is_some();
    // Back to the spectrum's x unit: the x of the point nearest the fitted shift, and the
    // local x-per-cm^-1 for the area.
    let near = x
        .iter()
        .enumerate()
        .filter_map(|(i, &xv)| {
            let d = to_shift(xv, unit, excitation_nm)? - DIAMOND_RAMAN_SHIFT;
            Some((i, (d - centre).abs()))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))?
        .0;
    let (a, b) = (near.saturating_sub(1), (near + 1).min(x.len() - 1));
    let per_cm = match (
        to_shift(x[a], unit, excitation_nm),
        to_shift(x[b], unit, excitation_nm),
    ) {
        (Some(sa), Some(sb)) if (sb - sa).abs() > 0.0 => ((x[b] - x[a]) / (sb - sa)).abs(),
        _ => 0.0,
    };
    let observed = expected + centre * per_cm;
    Some(RamanLine {
        present: is_line && snr >= MIN_FIT_SNR && height > 0.0,
        expected,
        observed,
        offset_cm: centre,
        height,
        area: height * fwhm_cm * per_cm * 1.0645,
        fwhm_cm,
        snr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::raman_line_nm;

    fn gauss(x: f64, c: f64, fwhm: f64) -> f64 {
        (-4.0 * std::f64::consts::LN_2 * ((x - c) / fwhm).powi(2)).exp()
    }

    /// A 405 nm spectrum at `res` nm resolution: the Raman line on the N3 vibronic band.
    fn pl405(res: f64, raman: f64, band: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let at = raman_line_nm(405.0, DIAMOND_RAMAN_SHIFT);
        let x: Vec<f64> = (0..1500).map(|i| 410.0 + i as f64 * 0.15).collect();
        let mut r = seed;
        let mut noise = || {
            // a small deterministic LCG, uniform -> roughly normal by summing 4
            (0..4)
                .map(|_| {
                    r = r
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (r >> 11) as f64 / (1u64 << 53) as f64 - 0.5
                })
                .sum::<f64>()
                * 1.7
        };
        let y = x
            .iter()
            .map(|&l| {
                100.0 + band * gauss(l, 426.0, 9.0) + raman * gauss(l, at + 0.2, res) + noise()
            })
            .collect();
        (x, y)
    }

    /// A constant (a blank or baseline column of a multi-column export) shows no line: its
    /// SNR was 2e298 (a line of rounding error over a noise of nothing) and it read as diamond.
    #[test]
    fn a_constant_spectrum_has_no_raman_line() {
        let x: Vec<f64> = (0..1024).map(|i| 537.6 + i as f64 * 0.386).collect();
        for level in [1.0, 0.0, 3.3e4] {
            let y = vec![level; x.len()];
            if let Some(r) = fit_raman_line(&x, &y, &XUnit::Nm, Some(532.0)) {
                assert!(!r.present && r.snr < 1.0, "{level}: {r:?}");
            }
        }
        // nor a line the size of the floor on a noiseless line-free curve
        let y: Vec<f64> = x.iter().map(|&l| 1.0 + 1e-3 * (l - 600.0)).collect();
        if let Some(r) = fit_raman_line(&x, &y, &XUnit::Nm, Some(532.0)) {
            assert!(!r.present, "{r:?}");
        }
    }

    #[test]
    fn a_broad_raman_line_on_the_n3_band_is_found() {
        for res in [0.3, 1.0, 2.0] {
            let (x, y) = pl405(res, 60.0, 2000.0, 3);
            let r = fit_raman_line(&x, &y, &XUnit::Nm, Some(405.0)).unwrap();
            assert!(r.present, "{res} nm: {r:?}");
            assert!(
                (r.observed - (r.expected + 0.2)).abs() < 0.3,
                "{res} nm: {r:?}"
            );
        }
    }

    #[test]
    fn the_band_alone_is_not_a_raman_line() {
        for seed in 0..20 {
            let (x, y) = pl405(1.0, 0.0, 2000.0, seed);
            let r = fit_raman_line(&x, &y, &XUnit::Nm, Some(405.0)).unwrap();
            assert!(!r.present, "seed {seed}: {r:?}");
        }
        // nor a flat noisy spectrum
        let (x, y) = pl405(1.0, 0.0, 0.0, 9);
        assert!(
            !fit_raman_line(&x, &y, &XUnit::Nm, Some(405.0))
                .unwrap()
                .present
        );
    }
}
