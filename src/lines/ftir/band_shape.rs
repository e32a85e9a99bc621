//! Diamond's intrinsic absorption, and whether a spectrum's band at 1992 cm^-1 has its shape.
//!
//! Every diamond absorbs in the two-phonon band (1500-2665 cm^-1: maxima near 1975, 2030 and
//! 2160, a shoulder to 2450, an edge at twice the Raman frequency). The band's height at
//! 1992 cm^-1 above a line through 1500 and 2700 cm^-1 ([`super::two_phonon_scale`]) is what
//! scales every FTIR spectrum; but many materials absorb more at 1992 cm^-1 than that line,
//! and the height alone took five infrared spectra of other materials for diamond (JCAMP-DX
//! test files of polyethylene and organic liquids, an OMNIC spectrum, in `../shared/`; four
//! were transmittance, then taken for absorbance, and one a single-beam spectrum, which are now
//! read as they should be), so they were referred instead of called not diamond, one with a
//! "likely origin cvd" from a hydrogen line of polyethylene. The shape tells such bands apart: the
//! spectrum over 1700-2660 cm^-1 (without 2250-2400, where atmospheric and lattice CO2 absorb)
//! fitted by the band on a straight baseline. Measured (R^2 of the band over the straight
//! baseline alone): the real diamonds here (OMNIC micro-FTIR of two naturals and an
//! HPHT-grown stone, a Bruker Alpha whole-stone spectrum with and without atmospheric
//! compensation, QUIDDIT's type IIa spectrum) 0.85-0.91 with misfits of 40-420 noise levels
//! (this band is a smooth model of the real one); the other materials 0.01-0.61; 2,200
//! simulated FTIR spectra of diamonds of every kind and instrument family at least 0.97
//! wherever the misfit exceeds the noise (weak bands in noise read lower, with no misfit). A
//! rough stone's scattering curves the baseline under the band (the real FN7112 under an added
//! baseline rising as wavenumber^2, ten times the band's height, read 0.62), so the band is
//! also fitted on a cubic baseline, where diamond's stands 15 or more standard errors high and
//! the other materials' at most 5.5: at 8 or more it is diamond's, whatever the straight
//! baseline says. The same fit asks whether a band below its straight baseline could be
//! diamond's under a curved one ([`below_baseline`]). The band is a smooth model: one broad
//! smooth band centred near 2100 cm^-1 (FWHM about 500) passes for it.

use crate::preprocess::least_squares::solve;
use crate::preprocess::peak_shape::gauss;
use serde::{Deserialize, Serialize};

/// Intrinsic absorption shape (unscaled): two-phonon band 1500-2665 cm^-1, weak three-phonon.
pub fn intrinsic_shape(k: f64) -> f64 {
    // Overlapping components give the smooth shape of the real band: a rise from ~1500,
    // maxima near 1975, 2030 and 2160, a shoulder to 2450, and the end at 2665 cm^-1.
    const BANDS: [(f64, f64, f64); 8] = [
        (2120.0, 560.0, 6.0),
        (1600.0, 200.0, 0.6),
        (1850.0, 120.0, 1.5),
        (1975.0, 45.0, 4.0),
        (2030.0, 45.0, 4.0),
        (2160.0, 70.0, 5.5),
        (2450.0, 150.0, 1.5),
        (2560.0, 100.0, 0.8),
    ];
    const THREE_PHONON: [(f64, f64, f64); 2] = [(3000.0, 300.0, 0.5), (3700.0, 250.0, 0.25)];
    // The two-phonon band ends at twice the Raman frequency, 2665 cm^-1.
    let edge = if k > 2665.0 {
        (1.0 - (k - 2665.0) / 60.0).max(0.0)
    } else {
        1.0
    };
    BANDS
        .iter()
        .map(|&(c, w, h)| h * gauss(k, c, w))
        .sum::<f64>()
        * edge
        + THREE_PHONON
            .iter()
            .map(|&(c, w, h)| h * gauss(k, c, w))
            .sum::<f64>()
}

/// The range the shape is judged over, cm^-1, and the part left out (atmospheric CO2 at 2349,
/// lattice CO2 near 2370 in CO2-rich naturals).
const SHAPE_FROM: f64 = 1700.0;
const SHAPE_TO: f64 = 2660.0;
const SHAPE_GAP: (f64, f64) = (2250.0, 2400.0);
/// Fewest points the shape is judged on.
const MIN_SHAPE_POINTS: usize = 20;

/// Misfit (rms residual over the noise) past which a low R^2 is the spectrum's shape, not its
/// noise.
const MISFIT_NOISE: f64 = 5.0;
/// Below this R^2 (with a misfit past [`MISFIT_NOISE`]) the band is not diamond's.
const NOT_DIAMOND_R2: f64 = 0.5;
/// Below this (and at least [`NOT_DIAMOND_R2`]) the shape is in doubt.
const DOUBTFUL_R2: f64 = 0.75;
/// The band's height over its standard error on a cubic baseline at which it is diamond's
/// whatever the straight baseline says: a rough stone's scattering curves the baseline, and on
/// a straight one the band then reads out of shape or below it. Measured: the real diamonds
/// here 15-59, also under added scattering baselines (as wavenumber^2 and ^4, up to ten times
/// the band's height); the other materials' infrared spectra (as absorbance) at most 5.5.
const CURVED_T: f64 = 8.0;

/// How a spectrum's absorption over the two-phonon range compares with diamond's band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BandShape {
    /// Share of the variance about a straight baseline that the band explains.
    pub r2: f64,
    /// Rms residual of the band on its baseline, in noise levels.
    pub misfit: f64,
    /// The band's height over its standard error on a cubic baseline.
    #[serde(default)]
    pub curved_t: f64,
}

/// What the shape says about the band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapeSays {
    /// Diamond's band, or too little misfit to say otherwise.
    Diamond,
    /// Some other absorption.
    NotDiamond,
    /// Between the two.
    Doubtful,
}

impl BandShape {
    /// Whether diamond's band stands clear on a cubic baseline ([`CURVED_T`]).
    pub fn on_a_curved_baseline(&self) -> bool {
        self.curved_t >= CURVED_T
    }

    pub fn says(&self) -> ShapeSays {
        if !(self.misfit > MISFIT_NOISE) || self.r2 >= DOUBTFUL_R2 || self.on_a_curved_baseline() {
            ShapeSays::Diamond
        } else if self.r2 < NOT_DIAMOND_R2 {
            ShapeSays::NotDiamond
        } else {
            ShapeSays::Doubtful
        }
    }
}

/// The band's fit to `x`, `y` (x ascending, cm^-1) whose noise is `sigma`: least squares of
/// `y = b0 + b1 u + a shape(k)` against `y = b0 + b1 u` (u = (k - 2000) / 1000), and the band's
/// significance on a cubic baseline. None where the range holds too few points.
pub fn band_shape(x: &[f64], y: &[f64], sigma: f64) -> Option<BandShape> {
    let lo = x.partition_point(|&v| v < SHAPE_FROM);
    let hi = x.partition_point(|&v| v <= SHAPE_TO);
    // Normal equations from sums over the points, columns 1, u, u^2, u^3, band.
    let mut ata = [[0.0f64; 5]; 5];
    let mut atb = [0.0f64; 5];
    let (mut yy, mut n) = (0.0, 0usize);
    for i in lo..hi.max(lo) {
        if (x[i] > SHAPE_GAP.0 && x[i] < SHAPE_GAP.1) || !y[i].is_finite() {
            continue;
        }
        let u = (x[i] - 2000.0) / 1000.0;
        let row = [1.0, u, u * u, u * u * u, intrinsic_shape(x[i])];
        for r in 0..5 {
            for c in 0..5 {
                ata[r][c] += row[r] * row[c];
            }
            atb[r] += row[r] * y[i];
        }
        yy += y[i] * y[i];
        n += 1;
    }
    if n < MIN_SHAPE_POINTS {
        return None;
    }
    // the residual sum of squares at the least-squares solution: y.y - p.(A^T y)
    let residual =
        |p: &[f64], b: &[f64]| (yy - p.iter().zip(b).map(|(p, b)| p * b).sum::<f64>()).max(0.0);
    let pick = |cols: &[usize]| -> ([[f64; 3]; 3], [f64; 3]) {
        let mut a = [[0.0; 3]; 3];
        let mut b = [0.0; 3];
        for (r, &i) in cols.iter().enumerate() {
            for (c, &j) in cols.iter().enumerate() {
                a[r][c] = ata[i][j];
            }
            b[r] = atb[i];
        }
        (a, b)
    };
    let (a2, b2) = pick(&[0, 1, 4]);
    let (line, _) = solve([[a2[0][0], a2[0][1]], [a2[1][0], a2[1][1]]], [b2[0], b2[1]])?;
    let (band, _) = solve(a2, b2)?;
    let ss_line = residual(&line, &b2[..2]);
    let ss_band = residual(&band, &b2);
    let r2 = if ss_line > 0.0 {
        1.0 - ss_band / ss_line
    } else {
        1.0
    };
    let misfit = (ss_band / n as f64).sqrt() / sigma.max(f64::MIN_POSITIVE);
    // On a cubic baseline: the band's height over its standard error.
    let curved_t = match solve(ata, atb) {
        Some((p, var)) if var > 0.0 && n > 5 => {
            let s2 = residual(&p, &atb) / (n - 5) as f64;
            p[4] / (var * s2).sqrt().max(f64::MIN_POSITIVE)
        }
        _ => 0.0,
    };
    Some(BandShape {
        r2,
        misfit,
        curved_t,
    })
}

/// What a spectrum whose absorption at 1992 cm^-1 lies below the straight line through 1500
/// and 2700 cm^-1 is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Below {
    /// Diamond's band stands on a cubic baseline: a steeply curved one (a rough stone's
    /// scattering) passes under the straight line. The measurement cannot say.
    UnderACurve,
    /// Turned over, it has diamond's band: a diamond's absorbance written upside down (negated,
    /// or transmittance without its unit). Only a person can tell.
    UpsideDown,
    /// Neither: another material's absorption, no two-phonon band.
    NoBand,
}

/// [`Below`] of `x`, `y` (x ascending, cm^-1) whose noise is `sigma`
/// ([`crate::preprocess::despike::noise_sigma`]).
pub fn below_baseline(x: &[f64], y: &[f64], sigma: f64) -> Below {
    if band_shape(x, y, sigma).is_some_and(|s| s.on_a_curved_baseline()) {
        return Below::UnderACurve;
    }
    let flipped: Vec<f64> = y.iter().map(|v| -v).collect();
    if band_shape(x, &flipped, sigma).is_none_or(|s| s.says() == ShapeSays::Diamond) {
        Below::UpsideDown
    } else {
        Below::NoBand
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preprocess::despike::noise_sigma;

    fn grid() -> Vec<f64> {
        (0..1400).map(|i| 1400.0 + 2.0 * i as f64).collect()
    }

    /// Diamond's band on a tilted baseline, with noise, is diamond's; so is a weak band in
    /// noise (no misfit to speak of).
    #[test]
    fn diamonds_band_reads_as_diamond() {
        let x = grid();
        let mut r = 7u64;
        let mut noise = || {
            r = r
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (r >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        for (height, sigma) in [(1.0, 0.003), (0.02, 0.01)] {
            let y: Vec<f64> = x
                .iter()
                .map(|&k| {
                    0.3 + 1e-4 * (k - 2000.0)
                        + height * intrinsic_shape(k) / 6.0
                        + sigma * 3.46 * noise()
                })
                .collect();
            let s = band_shape(&x, &y, sigma).unwrap();
            assert_eq!(s.says(), ShapeSays::Diamond, "{height}: {s:?}");
        }
    }

    /// A broad band centred in the range (a polymer's, an organic liquid's) has a height at
    /// 1992 cm^-1 above the line through 1500 and 2700 cm^-1, as diamond's has, but not its
    /// shape; diamond's band under a stronger broad one is in doubt.
    #[test]
    fn another_materials_band_is_not_diamonds() {
        let x = grid();
        let y: Vec<f64> = x
            .iter()
            .map(|&k| 0.1 + gauss(k, 2000.0, 300.0) + 0.001 * ((k / 7.0).sin()))
            .collect();
        let s = band_shape(&x, &y, 0.001).unwrap();
        assert_eq!(s.says(), ShapeSays::NotDiamond, "{s:?}");
        assert!(s.r2 < NOT_DIAMOND_R2, "{s:?}");
        let y: Vec<f64> = x
            .iter()
            .map(|&k| 0.1 * intrinsic_shape(k) / 6.0 + 0.9 * gauss(k, 2000.0, 300.0))
            .collect();
        let s = band_shape(&x, &y, 0.001).unwrap();
        assert_eq!(s.says(), ShapeSays::Doubtful, "{s:?}");
    }

    /// Below its straight baseline: diamond's band under a steep scattering baseline (a rough
    /// stone) is the measurement's doing; diamond's band negated may be a diamond written
    /// upside down; bands of another material either side of 1992 cm^-1 are no band.
    #[test]
    fn a_band_below_its_baseline_is_told_apart() {
        let x = grid();
        let ripple = |k: f64| 0.002 * (k / 7.0).sin();
        let scattered: Vec<f64> = x
            .iter()
            .map(|&k| intrinsic_shape(k) / 6.0 + 2.0 * (k / 2000.0).powi(4) + ripple(k))
            .collect();
        assert_eq!(
            below_baseline(&x, &scattered, noise_sigma(&scattered)),
            Below::UnderACurve
        );
        let negated: Vec<f64> = x
            .iter()
            .map(|&k| -intrinsic_shape(k) / 6.0 + ripple(k))
            .collect();
        assert_eq!(
            below_baseline(&x, &negated, noise_sigma(&negated)),
            Below::UpsideDown
        );
        let other: Vec<f64> = x
            .iter()
            .map(|&k| gauss(k, 1500.0, 150.0) + gauss(k, 2800.0, 200.0) + ripple(k))
            .collect();
        assert_eq!(
            below_baseline(&x, &other, noise_sigma(&other)),
            Below::NoBand
        );
    }

    #[test]
    fn too_short_a_range_is_not_judged() {
        let x: Vec<f64> = (0..10).map(|i| 1900.0 + i as f64).collect();
        assert!(band_shape(&x, &[1.0; 10], 0.01).is_none());
    }
}
