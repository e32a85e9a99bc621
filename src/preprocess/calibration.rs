//! The calibration check: find the first-order diamond Raman line (1332.5 cm^-1 shift), measure
//! where it is against where it should be, how strong and how wide. Its presence proves
//! diamond, its position checks the wavelength calibration, and its area is the unit PL line
//! intensities are quoted in.

use super::despike::noise_sigma;
use super::peak_shape::{crossings, vertex};
use crate::spectrum::{XUnit, raman_line_nm};
use serde::{Deserialize, Serialize};

/// First-order diamond Raman shift at room temperature, cm^-1.
pub const DIAMOND_RAMAN_SHIFT: f64 = 1332.5;
/// Search half-width around the expected line, cm^-1 (covers calibration errors of ~1 nm).
const SEARCH: f64 = 25.0;
/// Flanks for the local baseline and noise, cm^-1 from the expected line.
const FLANK_IN: f64 = 30.0;
const FLANK_OUT: f64 = 60.0;
const NOISE_WINDOW: f64 = 200.0;
/// A line is present when its height exceeds this many noise units and it is narrow.
pub const MIN_SNR: f64 = 6.0;
const MAX_FWHM_CM: f64 = 40.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RamanLine {
    pub present: bool,
    /// Expected and observed positions in the spectrum's x unit.
    pub expected: f64,
    pub observed: f64,
    /// Observed minus expected, as Raman shift in cm^-1 (the calibration offset).
    pub offset_cm: f64,
    pub height: f64,
    /// Area above the local baseline, in y units times x units.
    pub area: f64,
    pub fwhm_cm: f64,
    pub snr: f64,
}

/// Raman shift (cm^-1) of an abscissa value; None where the unit cannot be a Raman spectrum.
pub(super) fn to_shift(x: f64, unit: &XUnit, exc: Option<f64>) -> Option<f64> {
    match unit {
        XUnit::RamanShift => Some(x),
        XUnit::Nm => exc.map(|e| 1e7 / e - 1e7 / x),
        XUnit::Um => exc.map(|e| 1e7 / e - 1e4 / x),
        _ => None,
    }
}

/// Where the diamond Raman line should be, in `unit`.
pub(super) fn expected_position(unit: &XUnit, excitation_nm: Option<f64>) -> Option<f64> {
    match unit {
        XUnit::RamanShift => Some(DIAMOND_RAMAN_SHIFT),
        XUnit::Nm => Some(raman_line_nm(excitation_nm?, DIAMOND_RAMAN_SHIFT)),
        XUnit::Um => Some(1e4 / (1e7 / excitation_nm? - DIAMOND_RAMAN_SHIFT)),
        _ => None,
    }
}

/// Look for the diamond Raman line. None when the spectrum cannot show it (no excitation, wrong
/// unit, or the range misses the line); otherwise the measurement, `present` telling whether a
/// line was found.
pub fn find_raman_line(
    x: &[f64],
    y: &[f64],
    unit: &XUnit,
    excitation_nm: Option<f64>,
) -> Option<RamanLine> {
    let sh = |v: f64| to_shift(v, unit, excitation_nm);
    sh(x[0])?;
    // Shift rises with x in every unit handled here, so windows are index ranges.
    let first_at =
        |d: f64| x.partition_point(|&v| sh(v).is_some_and(|s| s - DIAMOND_RAMAN_SHIFT < d));
    // Windows widen on coarse detectors so that each holds a few pixels.
    let near = first_at(0.0).min(x.len() - 1);
    let dx = match (near.checked_sub(1), sh(x[near])) {
        (Some(p), Some(b)) => (b - sh(x[p])?).abs(),
        _ => 0.0,
    };
    let search_w = SEARCH.max(3.0 * dx);
    let flank_in = FLANK_IN.max(search_w + dx);
    let flank_out = FLANK_OUT.max(flank_in + 4.0 * dx);
    let (s0, s1) = (first_at(-search_w), first_at(search_w + 1e-9));
    let (l0, l1) = (first_at(-flank_out), first_at(-flank_in));
    let (r0, r1) = (first_at(flank_in + 1e-9), first_at(flank_out + 1e-9));
    let search: Vec<usize> = (s0..s1).collect();
    let left: Vec<usize> = (l0..l1).collect();
    let right: Vec<usize> = (r0..r1).collect();
    let shift: Vec<(usize, f64)> = (l0..r1)
        .filter_map(|i| sh(x[i]).map(|s| (i, s - DIAMOND_RAMAN_SHIFT)))
        .collect();
    if search.len() < 3 || left.is_empty() || right.is_empty() {
        return None;
    }
    let expected = expected_position(unit, excitation_nm)?;
    // Local linear baseline through the flank medians.
    let med = |idx: &[usize], of: &dyn Fn(usize) -> f64| {
        let mut v: Vec<f64> = idx.iter().map(|&i| of(i)).collect();
        super::median::median_in_place(&mut v)
    };
    let (xl, yl) = (med(&left, &|i| x[i]), med(&left, &|i| y[i]));
    let (xr, yr) = (med(&right, &|i| x[i]), med(&right, &|i| y[i]));
    let base = |xv: f64| yl + (yr - yl) * (xv - xl) / (xr - xl);
    // Noise from first differences over a wide window (+-200 cm^-1): robust to the background's
    // slope and to the few lines in it, and not fooled by a handful of flank points.
    let (w0, w1) = (
        first_at(-NOISE_WINDOW.max(flank_out)),
        first_at(NOISE_WINDOW.max(flank_out)),
    );
    let wide = &y[w0..w1];
    let sigma = noise_sigma(wide).max(f64::MIN_POSITIVE);
    let &peak = search
        .iter()
        .max_by(|&&a, &&b| (y[a] - base(x[a])).total_cmp(&(y[b] - base(x[b]))))?;
    let h = y[peak] - base(x[peak]);
    let observed = vertex(x, y, peak);
    let (lo, hi) = crossings(x, |k| y[k] - base(x[k]), peak, h / 2.0);
    let fwhm_cm = match (
        to_shift(lo, unit, excitation_nm),
        to_shift(hi, unit, excitation_nm),
    ) {
        (Some(a), Some(b)) => (b - a).abs(),
        _ => f64::NAN,
    };
    let offset_cm = to_shift(observed, unit, excitation_nm)? - DIAMOND_RAMAN_SHIFT;
    // area over +-3 FWHM (at least +-4 cm^-1) around the line
    let reach = (3.0 * fwhm_cm).max(4.0);
    let centre_shift = offset_cm + DIAMOND_RAMAN_SHIFT;
    let mut area = 0.0;
    let inside: Vec<usize> = shift
        .iter()
        .filter(|(_, d)| (d + DIAMOND_RAMAN_SHIFT - centre_shift).abs() <= reach)
        .map(|p| p.0)
        .collect();
    for w in inside.windows(2) {
        let (a, b) = (w[0], w[1]);
        area += 0.5 * ((y[a] - base(x[a])) + (y[b] - base(x[b]))) * (x[b] - x[a]);
    }
    // A line stands out of its neighbourhood: its prominence within the search window (not only
    // its height over a straight baseline, which a curved background would inflate) counts.
    let (wa, wb) = (search[0], search[search.len() - 1]);
    let left_min = y[wa..=peak].iter().copied().fold(f64::INFINITY, f64::min);
    let right_min = y[peak..=wb].iter().copied().fold(f64::INFINITY, f64::min);
    let prominence = y[peak] - left_min.max(right_min);
    let snr = h.min(prominence) / sigma;
    let present = snr >= MIN_SNR && fwhm_cm.is_finite() && fwhm_cm <= MAX_FWHM_CM && area > 0.0;
    Some(RamanLine {
        present,
        expected,
        observed,
        offset_cm,
        height: h,
        area,
        fwhm_cm,
        snr,
    })
}

/// The Raman line as a peak of the detector's peak finder (its prominence over the nearest
/// minima on both sides, against the local noise), for where the plain finder's straight
/// baseline through fixed flanks buries it: a band rising under one flank (NV0, 2.4 nm from the
/// line under 532 nm excitation, broad at room temperature) lifts that baseline above a line
/// that stands clear of its own neighbourhood. `x` and `fwhm` in the spectrum's unit. None
/// unless the peak lies within the search window, is a line's width and stands [`MIN_SNR`]
/// high.
pub fn raman_line_at_peak(
    x: f64,
    prominence: f64,
    fwhm: f64,
    area: f64,
    snr: f64,
    unit: &XUnit,
    excitation_nm: Option<f64>,
) -> Option<RamanLine> {
    let expected = expected_position(unit, excitation_nm)?;
    let offset_cm = to_shift(x, unit, excitation_nm)? - DIAMOND_RAMAN_SHIFT;
    let fwhm_cm = (to_shift(x + fwhm / 2.0, unit, excitation_nm)?
        - to_shift(x - fwhm / 2.0, unit, excitation_nm)?)
    .abs();
    (offset_cm.abs() <= SEARCH && fwhm_cm <= MAX_FWHM_CM && snr >= MIN_SNR && area > 0.0).then_some(
        RamanLine {
            present: true,
            expected,
            observed: x,
            offset_cm,
            height: prominence,
            area,
            fwhm_cm,
            snr,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pl532(centre_nm: f64, height: f64) -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..2000).map(|i| 540.0 + i as f64 * 0.05).collect();
        let y = x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let noise = ((i as f64 * 12.9898).sin() * 43758.5453).fract() * 2.0;
                500.0
                    + 2.0 * (v - 540.0)
                    + height * (-0.5 * ((v - centre_nm) / 0.08).powi(2)).exp()
                    + noise
            })
            .collect();
        (x, y)
    }

    #[test]
    fn finds_the_line_and_its_offset() {
        let (x, y) = pl532(572.7, 400.0);
        let r = find_raman_line(&x, &y, &XUnit::Nm, Some(532.0)).unwrap();
        assert!(r.present, "{r:?}");
        assert!((r.expected - 572.59).abs() < 0.01, "{}", r.expected);
        assert!((r.observed - 572.7).abs() < 0.01, "{}", r.observed);
        let want = 1e7 / 532.0 - 1e7 / 572.7 - DIAMOND_RAMAN_SHIFT;
        assert!(
            (r.offset_cm - want).abs() < 0.3,
            "{} vs {want}",
            r.offset_cm
        );
        let true_area = 400.0 * 0.08 * (2.0 * std::f64::consts::PI).sqrt();
        assert!(
            (r.area - true_area).abs() / true_area < 0.05,
            "{} vs {true_area}",
            r.area
        );
    }

    #[test]
    fn absent_line_and_uncovered_range() {
        let (x, y) = pl532(572.7, 0.0);
        let r = find_raman_line(&x, &y, &XUnit::Nm, Some(532.0)).unwrap();
        assert!(!r.present, "{r:?}");
        assert!(find_raman_line(&x, &y, &XUnit::Nm, None).is_none());
        assert!(find_raman_line(&x, &y, &XUnit::Nm, Some(405.0)).is_none());
    }
}
