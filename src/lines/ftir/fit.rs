//! The one-phonon fit: nitrogen in ppm from the component spectra of the C, A, X, B and D
//! centres, as labs and QUIDDIT report it, with terms for what is not nitrogen.
//!
//! The normalised spectrum (two-phonon absorption 12.3 cm^-1 at 1992 cm^-1) is taken on a
//! 2 cm^-1 grid over 1000-1400 cm^-1 and fitted by non-negative least squares with
//! - the five component spectra (`components.csv`: C is 1 at 1130, A, B and D are 1 at 1282,
//!   X is 1 at 1332 cm^-1), each coefficient an absorption coefficient in cm^-1;
//! - a free straight baseline;
//! - broad Gaussian bands (FWHM 250 and 400 cm^-1, centres every 50 cm^-1 from 900 to 1500),
//!   non-negative and ridge-penalised so that they cannot cancel each other into a narrow
//!   shape: the broad "O-band" of CO2-rich diamonds, polymer supports, oil films, coatings
//!   and poor baselines all look like this, and none of them is nitrogen.
//!
//! Nitrogen is *determined* only when the nitrogen components are needed (the fit without them
//! leaves at least 1.5 times the residual, and their absorption stands 5 noise levels high) and
//! the fit explains the region (residual at most 5% of the fitted nitrogen absorption, or
//! 3 noise levels), or when the region is quiet (no nitrogen needed, no broad band higher
//! than 0.5 cm^-1 and a residual of at most 0.05 cm^-1): a nitrogen-free
//! diamond. Otherwise the fit reports the broad band it could
//! not explain and no nitrogen.

use super::nnls::Normal;
use crate::preprocess::Grid;
use crate::preprocess::despike::{curvature_sigma, noise_sigma};
use crate::preprocess::peak_shape::gauss;
use crate::preprocess::resample::resample;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

pub const FIT_FROM: f64 = 1000.0;
pub const FIT_TO: f64 = 1400.0;
const STEP: f64 = 2.0;

/// ppm of nitrogen per cm^-1 of each component at its reference position:
/// C at 1130 cm^-1, 25 (Kiflawi et al. 1994, Phil. Mag. B 69:1141);
/// A at 1282 cm^-1, 16.5 (Boyd, Kiflawi and Woods 1994, Phil. Mag. B 69:1149);
/// X (N+) at 1332 cm^-1, 5.5 (Lawson et al. 1998, J. Phys.: Condens. Matter 10:6171);
/// B at 1282 cm^-1, 79.4 (Boyd, Kiflawi and Woods 1995, Phil. Mag. B 72:351).
/// D (platelet-related) carries no nitrogen of its own.
pub const PPM_PER_CM: [f64; 5] = [25.0, 16.5, 5.5, 79.4, 0.0];
pub const COMPONENT_NAMES: [&str; 5] = ["C", "A", "X", "B", "D"];
/// A or B counts as present from this many ppm (and three standard errors).
pub const CENTRE_MIN_PPM: f64 = 5.0;
/// Type Ia needs at least this much aggregated (A + B) nitrogen; a diamond with less nitrogen
/// of every form is type II.
pub const TYPE_IA_MIN_PPM: f64 = 10.0;

const RIDGE: f64 = 0.1;
const BROAD_FWHM: [f64; 2] = [250.0, 400.0];
const NEEDED_RATIO: f64 = 1.5;
/// Chi-square (over the measured points of the region, in units of each point's noise) that
/// the nitrogen components must remove to be needed when the RMS ratio cannot show it: five
/// components at random would remove about 5 (40 or more by chance: p below 1e-6). It was 100
/// against the point-to-point noise of the 2 cm^-1 grid, which read the noise 1.4-2.4x low
/// (inflating every chi-square 2-6x): the same bar, measured honestly.
const MIN_CHI2_GAIN: f64 = 40.0;
/// ... and only where the fit with them leaves no more than noise (its RMS residual at the
/// measured points within this factor of their noise): an HPHT-grown stone whose residual
/// stayed 2.7x the noise had its unexplained structure read as 16 ppm of B nitrogen and passed.
const NOISE_DOMINATED: f64 = 1.25;
const MIN_NSIGMA: f64 = 5.0;
/// Measured points the region needs for the chi-square route to judge them (else it judges
/// the 2 cm^-1 grid): a spectrum sampled every 16 cm^-1 still has 25.
const MIN_NATIVE_POINTS: usize = 20;
const GOOD_FIT_SHARE: f64 = 0.05;
const GOOD_FIT_NSIGMA: f64 = 3.0;
/// A broad band lower than this (cm^-1) leaves the region "quiet".
pub const QUIET_BAND: f64 = 0.5;
/// ... and the fit leaves no more than this RMS residual (cm^-1), however noisy the spectrum
/// (a noisy spectrum cannot show that nitrogen is absent).
const QUIET_RESIDUAL: f64 = 0.05;

struct Components {
    /// Absorption of C, A, X, B, D at 400, 401, ..., 1400 cm^-1.
    cols: [Vec<f64>; 5],
}

fn components() -> &'static Components {
    static C: OnceLock<Components> = OnceLock::new();
    C.get_or_init(|| {
        let mut cols: [Vec<f64>; 5] = Default::default();
        for line in include_str!("components.csv").lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let v: Vec<f64> = line
                .split(',')
                .map(|f| f.trim().parse().expect("components.csv: a number"))
                .collect();
            assert_eq!(
                v[0] as usize,
                400 + cols[0].len(),
                "components.csv: 1 cm^-1 steps"
            );
            for (c, &val) in cols.iter_mut().zip(&v[1..6]) {
                c.push(val);
            }
        }
        Components { cols }
    })
}

/// Absorption of component `i` (C, A, X, B, D) at wavenumber `k`, 0 outside 400-1400 cm^-1.
pub fn component(i: usize, k: f64) -> f64 {
    let c = &components().cols[i];
    let t = k - 400.0;
    if !(0.0..=(c.len() - 1) as f64).contains(&t) {
        return 0.0;
    }
    let j = (t.floor() as usize).min(c.len() - 2);
    let f = t - j as f64;
    c[j] * (1.0 - f) + c[j + 1] * f
}

/// Nitrogen by centre, ppm (null where not determined).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NitrogenPpm {
    pub a: Option<f64>,
    pub b: Option<f64>,
    pub c: Option<f64>,
    /// N+ (the X centre).
    pub x: Option<f64>,
    pub total: Option<f64>,
}

/// A broad band the nitrogen components do not explain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BroadBand {
    pub centre: f64,
    pub fwhm: f64,
    /// Height above the chord across the fit region, cm^-1.
    pub height: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NitrogenFit {
    #[serde(rename = "nitrogen_determined")]
    pub determined: bool,
    #[serde(rename = "nitrogen_ppm")]
    pub ppm: NitrogenPpm,
    /// One standard error of each value in `ppm`.
    #[serde(rename = "nitrogen_uncertainty_ppm")]
    pub uncertainty_ppm: NitrogenPpm,
    /// B / (A + B) in per cent (null without aggregated nitrogen).
    pub percent_b: Option<f64>,
    /// RMS residual of the fit, cm^-1, and of the fit without the nitrogen components.
    #[serde(rename = "fit_residual")]
    pub residual: f64,
    #[serde(rename = "fit_residual_without_nitrogen")]
    pub residual_without_nitrogen: f64,
    /// Noise of the normalised spectrum in the region, cm^-1.
    #[serde(rename = "fit_noise")]
    pub noise: f64,
    /// Largest fitted nitrogen absorption (C + A + X + B), cm^-1.
    #[serde(rename = "nitrogen_peak_absorption")]
    pub nitrogen_peak: f64,
    pub broad_band: Option<BroadBand>,
}

/// The fit's curves on its grid, for plots.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FitCurves {
    pub x: Vec<f64>,
    pub measured: Vec<f64>,
    /// C, A, X, B, D as fitted.
    pub components: [Vec<f64>; 5],
    /// Baseline and broad bands.
    pub other: Vec<f64>,
    pub total: Vec<f64>,
}

/// Spacing (cm^-1) past which an FTIR spectrum's noise is taken to be uncorrelated: a
/// spectrometer's line shape (resolution 2-16 cm^-1, apodised, zero-filled) makes neighbours
/// share their noise, so point-to-point differences read it low (2.2x at 4 cm^-1 spacing).
const NOISE_LAG_CM: f64 = 6.0;

/// The noise of each point (its marginal sigma, what the residual of a fit that explains the
/// signal shows): [`curvature_sigma`] at a lag of about [`NOISE_LAG_CM`].
fn marginal_noise(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len();
    if n < 8 {
        return noise_sigma(y);
    }
    let spacing = (x[n - 1] - x[0]) / (n - 1) as f64;
    let lag = ((NOISE_LAG_CM / spacing).round() as usize).clamp(1, (n - 1) / 4);
    curvature_sigma(y, lag)
}

/// Fit the one-phonon region of an absorbance spectrum (x ascending, cm^-1) scaled by
/// `scale` to absorption coefficients. `platelet` (position, FWHM) adds the fitted platelet
/// peak's shape as a term, since it stands inside the region. None when the spectrum does not
/// cover 1000-1400 cm^-1. `diamond_shown`: the two-phonon band stands clear of the noise, so
/// the spectrum is a diamond's and a noise-dominated fit may show nitrogen by its chi-square.
pub fn fit(
    x: &[f64],
    y: &[f64],
    scale: f64,
    platelet: Option<(f64, f64)>,
    diamond_shown: bool,
) -> Option<(NitrogenFit, FitCurves)> {
    if x.len() < 2 || x[0] > FIT_FROM + 1e-9 || x[x.len() - 1] < FIT_TO - 1e-9 {
        return None;
    }
    let grid = Grid {
        start: FIT_FROM,
        stop: FIT_TO,
        n: ((FIT_TO - FIT_FROM) / STEP).round() as usize + 1,
    };
    let n = grid.n;
    let g: Vec<f64> = grid.xs().collect();
    let mut yv = Vec::with_capacity(n);
    resample(x, y, &grid, &mut yv);
    yv.iter_mut().for_each(|v| *v *= scale);
    let noise = noise_sigma(&yv);
    // The measured points of the region, for the chi-square route: there the question is
    // whether what the fit leaves is noise, and on the interpolated grid neighbours share
    // their noise, so its point-to-point noise reads 1.4-2.4x low (2 and 4 cm^-1 spacings)
    // and an honest fit of a noisy low-nitrogen spectrum looked worse than noise.
    let (a, b) = (
        x.partition_point(|&v| v < FIT_FROM),
        x.partition_point(|&v| v <= FIT_TO),
    );
    let native = b >= a + MIN_NATIVE_POINTS;
    let (xs, ys): (&[f64], Vec<f64>) = if native {
        (&x[a..b], y[a..b].iter().map(|v| v * scale).collect())
    } else {
        (&g, yv.clone())
    };
    let noise_native = marginal_noise(xs, &ys);

    // Column j of the design at wavenumber k: C, A, X, B, D; a free constant and slope; the
    // platelet peak's shape; the broad bands.
    let platelet_col = platelet.is_some() as usize;
    let first_broad = 7 + platelet_col;
    let broad: Vec<(f64, f64)> = BROAD_FWHM
        .iter()
        .flat_map(|&w| (0..=12).map(move |i| (900.0 + 50.0 * i as f64, w)))
        .collect();
    let col = |j: usize, k: f64| -> f64 {
        match j {
            0..5 => component(j, k),
            5 => 1.0,
            6 => (k - 1200.0) / 200.0,
            _ if j < first_broad => {
                let (at, fwhm) = platelet.expect("a platelet column");
                let h = fwhm / 2.0;
                h * h / ((k - at).powi(2) + h * h)
            }
            _ => {
                let (c, w) = broad[j - first_broad];
                gauss(k, c, w)
            }
        }
    };
    let m = first_broad + broad.len();
    // On the fixed grid, every column but the platelet's is the same for every spectrum.
    static FIXED: OnceLock<Vec<Vec<f64>>> = OnceLock::new();
    let fixed = FIXED.get_or_init(|| {
        let g: Vec<f64> = grid.xs().collect();
        (0..7 + broad.len())
            .map(|j| {
                let j = if j < 7 { j } else { j + platelet_col };
                // (the platelet column, when there is one, is not among these)
                g.iter().map(|&k| col(j, k)).collect()
            })
            .collect()
    });
    let platelet_grid: Vec<f64> = if platelet.is_some() {
        g.iter().map(|&k| col(7, k)).collect()
    } else {
        Vec::new()
    };
    let refs: Vec<&[f64]> = (0..m)
        .map(|j| match j {
            0..7 => fixed[j].as_slice(),
            _ if j < first_broad => platelet_grid.as_slice(),
            _ => fixed[j - platelet_col].as_slice(),
        })
        .collect();
    let free: Vec<bool> = (0..m).map(|j| j == 5 || j == 6).collect();
    let ridge: Vec<f64> = (0..m)
        .map(|j| if j >= first_broad { RIDGE } else { 0.0 })
        .collect();
    let normal = Normal::new(&refs, &yv, &ridge);
    let (coef, active) = normal.solve(&free, &vec![true; m]);
    // The same fit without the nitrogen components (the first five columns left out).
    let allowed: Vec<bool> = (0..m).map(|j| j >= 5).collect();
    let (coef0, _) = normal.solve(&free, &allowed);
    let model = |c: &[f64], range: std::ops::Range<usize>| -> Vec<f64> {
        (0..n)
            .map(|i| range.clone().map(|j| c[j] * refs[j][i]).sum())
            .collect()
    };
    // RMS residual on the grid (the ratio and explained tests, the standard errors), and at
    // the measured points, the model evaluated there (the chi-square route).
    let n_native = xs.len();
    let design: Vec<Vec<f64>> = xs
        .iter()
        .map(|&k| (0..m).map(|j| col(j, k)).collect())
        .collect();
    let native_rms = |c: &[f64]| -> f64 {
        let r: f64 = design
            .iter()
            .zip(&ys)
            .map(|(row, v)| {
                let f: f64 = row.iter().zip(c).map(|(d, c)| d * c).sum();
                (v - f).powi(2)
            })
            .sum();
        (r / n_native as f64).sqrt()
    };
    let grid_rms = |c: &[f64]| -> f64 {
        let r: f64 = (0..n)
            .map(|i| {
                let f: f64 = (0..m).map(|j| c[j] * refs[j][i]).sum();
                (yv[i] - f).powi(2)
            })
            .sum();
        (r / n as f64).sqrt()
    };
    let residual = grid_rms(&coef);
    let residual0 = grid_rms(&coef0);
    let (native_residual, native_residual0) = (native_rms(&coef), native_rms(&coef0));
    let nitrogen = model(&coef, 0..4);
    let nitrogen_peak = nitrogen.iter().copied().fold(0.0, f64::max);
    let broad = model(&coef, first_broad..m);
    let broad_band = describe_band(&g, &broad);

    // Nitrogen is needed when leaving its components out makes the fit clearly worse: by the
    // RMS ratio, or, in a diamond's spectrum whose residual with them is only noise (a
    // low-nitrogen stone through a small aperture), by the chi-square the components remove.
    // (Without a two-phonon band, a simulant's own bands must not become nitrogen.)
    let chi2_gain = n_native as f64 * (native_residual0.powi(2) - native_residual.powi(2))
        / noise_native.max(1e-9).powi(2);
    let noise_dominated = native_residual <= NOISE_DOMINATED * noise_native;
    let by_chi2 = diamond_shown && noise_dominated && chi2_gain >= MIN_CHI2_GAIN;
    let needed =
        (residual0 >= NEEDED_RATIO * residual || by_chi2) && nitrogen_peak >= MIN_NSIGMA * noise;
    let explained =
        residual <= (GOOD_FIT_SHARE * nitrogen_peak).max(GOOD_FIT_NSIGMA * noise.max(1e-6));
    // Quiet: no broad band to speak of, and nothing left unexplained either (a band whose
    // peak lies outside the region shows only as a slope).
    let quiet = broad_band.is_none_or(|b| b.height < QUIET_BAND) && residual <= QUIET_RESIDUAL;
    let determined = (needed && explained) || (!needed && quiet);

    let se = normal.std_errors(
        &active,
        residual.powi(2) * n as f64 / (n - active.len()).max(1) as f64,
    );
    let ppm_of = |i: usize| coef[i] * PPM_PER_CM[i];
    let [c, a, xx, b] = [0, 1, 2, 3].map(ppm_of);
    let [sc, sa, sx, sb] = [0, 1, 2, 3].map(|i| se[i] * PPM_PER_CM[i]);
    let some = |v: f64| determined.then_some(v);
    let fit = NitrogenFit {
        determined,
        ppm: NitrogenPpm {
            a: some(a),
            b: some(b),
            c: some(c),
            x: some(xx),
            total: some(a + b + c + xx),
        },
        uncertainty_ppm: NitrogenPpm {
            a: some(sa),
            b: some(sb),
            c: some(sc),
            x: some(sx),
            total: some((sa * sa + sb * sb + sc * sc + sx * sx).sqrt()),
        },
        percent_b: (determined && a + b >= CENTRE_MIN_PPM).then(|| 100.0 * b / (a + b)),
        residual,
        residual_without_nitrogen: residual0,
        noise,
        nitrogen_peak,
        broad_band: broad_band.filter(|b| b.height >= QUIET_BAND),
    };
    let components = [0, 1, 2, 3, 4].map(|j| model(&coef, j..j + 1));
    let other = model(&coef, 5..m);
    let total = model(&coef, 0..m);
    let curves = FitCurves {
        x: g,
        measured: yv,
        components,
        other,
        total,
    };
    Some((fit, curves))
}

/// The broad part's largest bump above the chord across the region: where, how wide, how high.
fn describe_band(g: &[f64], broad: &[f64]) -> Option<BroadBand> {
    let n = g.len();
    let chord = |i: usize| broad[0] + (broad[n - 1] - broad[0]) * (g[i] - g[0]) / (g[n - 1] - g[0]);
    let bump: Vec<f64> = (0..n).map(|i| broad[i] - chord(i)).collect();
    let (imax, &height) = bump.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1))?;
    if !(height > 0.0) {
        return None;
    }
    let half = height / 2.0;
    let lo = (0..imax)
        .rev()
        .find(|&i| bump[i] < half)
        .map_or(g[0], |i| g[i]);
    let hi = (imax..n)
        .find(|&i| bump[i] < half)
        .map_or(g[n - 1], |i| g[i]);
    Some(BroadBand {
        centre: g[imax],
        fwhm: hi - lo,
        height,
    })
}

#[cfg(test)]
mod noise_tests {
    use super::*;

    /// Gaussian noise (Box-Muller on a small LCG), `sigma` per point after a three-point mean.
    fn correlated(n: usize, sigma: f64) -> Vec<f64> {
        let mut r: u64 = 7;
        let mut uniform = || {
            r = r
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((r >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let white: Vec<f64> = (0..n + 2)
            .map(|_| {
                let (u, v) = (uniform(), uniform());
                sigma * 3f64.sqrt() * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
            })
            .collect();
        white
            .windows(3)
            .map(|w| w.iter().sum::<f64>() / 3.0)
            .collect()
    }

    #[test]
    fn correlated_noise_reads_its_own_sigma() {
        let x: Vec<f64> = (0..2000).map(|i| 1000.0 + 1.929 * i as f64).collect();
        let y = correlated(x.len(), 0.1);
        let got = marginal_noise(&x, &y);
        assert!((got - 0.1).abs() < 0.01, "{got}");
        // point-to-point differences read it low
        assert!(noise_sigma(&y) < 0.07, "{}", noise_sigma(&y));
        // a slope does not count as noise
        let sloped: Vec<f64> = y.iter().zip(&x).map(|(v, k)| v + 0.01 * k).collect();
        assert!((marginal_noise(&x, &sloped) - got).abs() < 1e-9);
    }
}
