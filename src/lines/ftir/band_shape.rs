//! Diamond's intrinsic absorption, and whether a spectrum's band at 1992 cm^-1 has its shape.
//!
//! Every diamond absorbs in the two-phonon band (1500-2665 cm^-1: maxima near 1975, 2030 and
//! 2160, a shoulder to 2450, an edge at twice the Raman frequency). The band's height at
//! 1992 cm^-1 above a line through 1500 and 2700 cm^-1 ([`super::two_phonon_scale`]) is what
//! scales every FTIR spectrum; but many materials absorb more at 1992 cm^-1 than that line,
//! and the height alone took five infrared spectra of other materials for diamond (JCAMP-DX
//! test files of polyethylene and organic liquids, an OMNIC spectrum, all
//! `../shared/fixtures/`), so they were referred instead of called not diamond, one with a
//! "likely origin cvd" from a hydrogen line of polyethylene. The shape tells them apart: the
//! spectrum over 1700-2660 cm^-1 (without 2250-2400, where atmospheric and lattice CO2 absorb)
//! fitted by the band on a straight baseline. Measured (R^2 of the band over the straight
//! baseline alone): the real diamonds here (OMNIC micro-FTIR of two naturals and an
//! HPHT-grown stone, a Bruker Alpha whole-stone spectrum with and without atmospheric
//! compensation, QUIDDIT's type IIa spectrum) 0.85-0.91 with misfits of 40-420 noise levels
//! (this band is a smooth model of the real one); the other materials 0.01-0.61; 2,200
//! simulated FTIR spectra of diamonds of every kind and instrument family at least 0.97
//! wherever the misfit exceeds the noise (weak bands in noise read lower, with no misfit).

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

/// A Gaussian of height 1 at `c` with this FWHM.
pub fn gauss(x: f64, c: f64, fwhm: f64) -> f64 {
    let s = fwhm / 2.354_820_045;
    (-0.5 * ((x - c) / s).powi(2)).exp()
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

/// How a spectrum's absorption over the two-phonon range compares with diamond's band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BandShape {
    /// Share of the variance about a straight baseline that the band explains.
    pub r2: f64,
    /// Rms residual of the band on its baseline, in noise levels.
    pub misfit: f64,
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
    pub fn says(&self) -> ShapeSays {
        if !(self.misfit > MISFIT_NOISE) || self.r2 >= DOUBTFUL_R2 {
            ShapeSays::Diamond
        } else if self.r2 < NOT_DIAMOND_R2 {
            ShapeSays::NotDiamond
        } else {
            ShapeSays::Doubtful
        }
    }
}

/// The band's fit to `x`, `y` (x ascending, cm^-1) whose noise is `sigma`: least squares of
/// `y = b0 + b1 (k - 2000) + a shape(k)` against `y = b0 + b1 (k - 2000)`. None where the
/// range holds too few points.
pub fn band_shape(x: &[f64], y: &[f64], sigma: f64) -> Option<BandShape> {
    let lo = x.partition_point(|&v| v < SHAPE_FROM);
    let hi = x.partition_point(|&v| v <= SHAPE_TO);
    let pts = || {
        (lo..hi.max(lo))
            .filter(|&i| !(x[i] > SHAPE_GAP.0 && x[i] < SHAPE_GAP.1) && y[i].is_finite())
            .map(|i| (x[i] - 2000.0, intrinsic_shape(x[i]), y[i]))
    };
    let n = pts().count();
    if n < MIN_SHAPE_POINTS {
        return None;
    }
    // Normal equations of both fits, from sums over the points (columns 1, u, t).
    let mut ata = [[0.0f64; 3]; 3];
    let mut atb = [0.0f64; 3];
    let mut yy = 0.0;
    for (u, t, v) in pts() {
        let row = [1.0, u, t];
        for i in 0..3 {
            for j in 0..3 {
                ata[i][j] += row[i] * row[j];
            }
            atb[i] += row[i] * v;
        }
        yy += v * v;
    }
    let line = solve2(
        [[ata[0][0], ata[0][1]], [ata[1][0], ata[1][1]]],
        [atb[0], atb[1]],
    )?;
    let band = solve3(ata, atb)?;
    // residual sum of squares = y.y - p.(A^T y) at the least-squares solution
    let ss_line = (yy - line[0] * atb[0] - line[1] * atb[1]).max(0.0);
    let ss_band = (yy - band[0] * atb[0] - band[1] * atb[1] - band[2] * atb[2]).max(0.0);
    let r2 = if ss_line > 0.0 {
        1.0 - ss_band / ss_line
    } else {
        1.0
    };
    let misfit = (ss_band / n as f64).sqrt() / sigma.max(f64::MIN_POSITIVE);
    Some(BandShape { r2, misfit })
}

fn solve2(a: [[f64; 2]; 2], b: [f64; 2]) -> Option<[f64; 2]> {
    let det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    (det.abs() > 0.0 && det.is_finite()).then(|| {
        [
            (b[0] * a[1][1] - a[0][1] * b[1]) / det,
            (a[0][0] * b[1] - b[0] * a[1][0]) / det,
        ]
    })
}

fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let det3 = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let det = det3(a);
    if !(det.abs() > 0.0 && det.is_finite()) {
        return None;
    }
    // Cramer's rule: each unknown's column replaced by b
    Some(std::array::from_fn(|c| {
        let mut m = a;
        for r in 0..3 {
            m[r][c] = b[r];
        }
        det3(m) / det
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

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
            .map(|&k| 0.2 * intrinsic_shape(k) / 6.0 + 0.8 * gauss(k, 2000.0, 300.0))
            .collect();
        let s = band_shape(&x, &y, 0.001).unwrap();
        assert_eq!(s.says(), ShapeSays::Doubtful, "{s:?}");
    }

    #[test]
    fn too_short_a_range_is_not_judged() {
        let x: Vec<f64> = (0..10).map(|i| 1900.0 + i as f64).collect();
        assert!(band_shape(&x, &[1.0; 10], 0.01).is_none());
    }
}
