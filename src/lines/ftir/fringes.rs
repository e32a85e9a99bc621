//! Interference fringes in FTIR absorbance: a plate with parallel polished faces (or a film, a
//! window) adds a ripple periodic in wavenumber, of period 1 / (2 n d): 0.3 mm of diamond gives
//! 7 cm^-1, 0.1 mm 21 cm^-1. Its crests stand where the sharp lines are read (boron 2802, the
//! C-centre 1344, the hydrogen and CO2 lines, the platelet peak): on 400 simulated natural
//! spectra with a ripple of 0.3-3% of their height, 30 "boron" bands, 9 "H 3123" and 7
//! "C-centre" lines appeared, and 13 stones were referred as likely CVD or HPHT. It is measured
//! where diamond absorbs nothing that varies ([`FROM`]-[`TO`], above the hydrogen lines), and a
//! sharp line then counts only when it stands [`ABOVE_FRINGES`] times above its amplitude.

use crate::lines::fringes::{RippleScratch, clipped_running_mean, ripple};

/// The ripple is measured over this range (cm^-1): past the 3107 and 3123 cm^-1 hydrogen lines,
/// short of the end of most spectra (4000 cm^-1).
const FROM: f64 = 3150.0;
const TO: f64 = 4000.0;
/// Least span of that range a spectrum must cover (cm^-1).
const MIN_SPAN: f64 = 400.0;
/// Fringe periods sought (cm^-1): 0.06 mm of diamond and thicker (longer periods are the
/// residue of broad structure: 400 simulated spectra without fringes showed "fringes" of
/// 57-60 cm^-1 off their water-vapour lines), and never shorter than a few points, which the
/// instrument's resolution smooths away.
const PERIODS: (f64, f64) = (3.0, 40.0);
/// A ripple's period must stand this many times above the median over every period tried
/// (true fringes: 7 and more on simulated spectra; the residues of the real fixtures,
/// 3.0-5.0, and of simulated water-vapour lines, 4.2-5.8, are not fringes).
const STANDS_OUT: f64 = 6.0;
/// Half-width of the running mean the ripple is taken off (cm^-1): a window of 100 cm^-1
/// leaves the longest period sought whole.
const SMOOTH_HALF: f64 = 50.0;
/// A sharp line must be this many times the ripple's amplitude (a crest reads up to twice it
/// above a line through its flanks).
pub const ABOVE_FRINGES: f64 = 3.0;

/// A ripple measured in an FTIR spectrum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FtirFringes {
    /// cm^-1.
    pub period: f64,
    /// Amplitude, in the spectrum's own absorbance units.
    pub amplitude: f64,
}

/// The ripple of (`x` cm^-1 ascending, `y` absorbance) over [`FROM`]-[`TO`], or None where none
/// stands out (or the spectrum covers too little of that range, or its points are uneven).
pub fn measure(x: &[f64], y: &[f64]) -> Option<FtirFringes> {
    let (a, b) = (
        x.partition_point(|&v| v < FROM),
        x.partition_point(|&v| v <= TO),
    );
    if b < a + 60 || x[b - 1] - x[a] < MIN_SPAN {
        return None;
    }
    let (xs, ys) = (&x[a..b], &y[a..b]);
    let span = xs[xs.len() - 1] - xs[0];
    let step = span / (xs.len() - 1) as f64;
    // the projections assume even steps: a spectrum resampled unevenly is not measured
    if xs
        .windows(2)
        .any(|w| ((w[1] - w[0]) - step).abs() > 0.05 * step)
    {
        return None;
    }
    let smooth = clipped_running_mean(ys, ((SMOOTH_HALF / step) as usize).max(3));
    let residual: Vec<f64> = ys.iter().zip(&smooth).map(|(v, s)| v - s).collect();
    let mut scratch = RippleScratch::default();
    // trial periods close enough that the nearest misses a ripple's phase by under a quarter
    // cycle over the whole range, at the shortest period
    let factor = 1.0 + 0.5 * PERIODS.0 / span;
    let (period, amplitude) = ripple(&residual, span, PERIODS, factor, &mut scratch)?;
    (amplitude >= STANDS_OUT * scratch.median_amplitude())
        .then_some(FtirFringes { period, amplitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat absorbance of 0.2 from 600 to 4000 cm^-1 every 1.93 cm^-1 with noise of `noise`,
    /// plus a ripple of `amp` and `period`.
    fn spectrum(noise: f64, amp: f64, period: f64) -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..1762).map(|i| 600.0 + 1.93 * i as f64).collect();
        let mut r: u64 = 0x9e37_79b9_7f4a_7c15;
        let y = x
            .iter()
            .map(|&v| {
                // xorshift: uniform noise in -0.5..0.5 without a period of its own
                r ^= r << 13;
                r ^= r >> 7;
                r ^= r << 17;
                let n = (r >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                0.2 + noise * n + amp * (std::f64::consts::TAU * v / period + 0.7).sin()
            })
            .collect();
        (x, y)
    }

    #[test]
    fn a_ripple_is_measured_at_its_period_and_amplitude() {
        for period in [5.0, 12.0, 21.0, 38.0] {
            let (x, y) = spectrum(0.002, 0.01, period);
            let f = measure(&x, &y).unwrap_or_else(|| panic!("{period}"));
            assert!((f.period / period - 1.0).abs() < 0.03, "{period}: {f:?}");
            assert!((f.amplitude / 0.01 - 1.0).abs() < 0.2, "{period}: {f:?}");
        }
    }

    #[test]
    fn noise_and_a_short_range_show_none() {
        let (x, y) = spectrum(0.002, 0.0, 10.0);
        assert_eq!(measure(&x, &y), None);
        // a ripple at the noise's level is not measured
        let (x, y) = spectrum(0.01, 0.0005, 10.0);
        assert_eq!(measure(&x, &y), None);
        // a spectrum ending at 3400 cm^-1 covers too little of the range
        let (x, y) = spectrum(0.002, 0.01, 10.0);
        let end = x.partition_point(|&v| v <= 3400.0);
        assert_eq!(measure(&x[..end], &y[..end]), None);
    }
}
