//! An empty holder: a PL or Raman spectrum whose one clear line is the vibrational Raman line
//! of nitrogen, the liquid nitrogen of the cryostat or cuvette (or a long air path), and no
//! diamond line. Nothing in the beam gives that; a stone, even a simulant, shows its own
//! Raman lines or luminescence, and a solid's Raman scattering is far stronger than the
//! cryogen's. Called `simulant` it would send a customs officer after a stone that was never
//! measured; it is a measurement to repeat.
//!
//! The N2 Q-branch lies at 2330.7 cm^-1 in the gas (Bendtsen, J. Raman Spectrosc. 2 (1974)
//! 133) and near 2326.5 cm^-1 in the liquid. The window spans both and a spectrometer's
//! calibration error.

use super::peaks::Peak;
use crate::spectrum::{XUnit, convert};

/// The N2 vibrational Raman shift (cm^-1), midway between the liquid and the gas.
pub const N2_RAMAN_SHIFT: f64 = 2329.0;

/// Half width of the window around the N2 line: the liquid-gas difference plus a
/// spectrometer's calibration error (0.5 nm is about 14 cm^-1 at 607 nm).
const N2_WINDOW_CM: f64 = 20.0;

/// The problem to report when the one clear line of a spectrum without diamond is the N2
/// Raman line: `peaks` in `unit` (nm or Raman shift), the laser `exc` (nm).
pub fn only_nitrogen(peaks: &[Peak], unit: &XUnit, exc: f64) -> Option<String> {
    let shift = |x: f64| match unit {
        XUnit::RamanShift => Some(x),
        XUnit::Nm => convert(x, &XUnit::Nm, &XUnit::RamanShift, Some(exc)).ok(),
        _ => None,
    };
    let strongest = peaks.iter().max_by(|a, b| a.snr.total_cmp(&b.snr))?;
    let at = shift(strongest.x)?;
    if (at - N2_RAMAN_SHIFT).abs() > N2_WINDOW_CM {
        return None;
    }
    Some(format!(
        "the one clear line is the Raman line of nitrogen ({at:.0} cm^-1, SNR {:.0}: liquid \
         nitrogen or air) and there is no diamond line: is the stone in the beam? Re-measure",
        strongest.snr
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peak(x: f64, snr: f64) -> Peak {
        Peak {
            index: 0,
            x,
            height: 1.0,
            prominence: 1.0,
            fwhm: 0.3,
            area: 1.0,
            snr,
        }
    }

    #[test]
    fn nitrogen_alone_is_an_empty_holder() {
        // 532.06 nm laser: liquid N2 at 607.3 nm, the real empty cuvette's line at 606.98 nm.
        assert!(only_nitrogen(&[peak(606.98, 40.0)], &XUnit::Nm, 532.06).is_some());
        assert!(only_nitrogen(&[peak(607.4, 9.0), peak(700.0, 7.0)], &XUnit::Nm, 532.06).is_some());
        // 405 nm laser: 447.2 nm; a Raman-shift axis
        assert!(only_nitrogen(&[peak(447.2, 12.0)], &XUnit::Nm, 405.0).is_some());
        assert!(only_nitrogen(&[peak(2331.0, 12.0)], &XUnit::RamanShift, 785.0).is_some());
    }

    #[test]
    fn a_stronger_line_or_no_nitrogen_is_not() {
        // ruby's R lines (corundum) stronger than the N2 line: a stone is there
        let p = [peak(607.0, 20.0), peak(694.2, 80.0)];
        assert!(only_nitrogen(&p, &XUnit::Nm, 532.06).is_none());
        assert!(only_nitrogen(&[peak(610.0, 40.0)], &XUnit::Nm, 532.06).is_none());
        assert!(only_nitrogen(&[], &XUnit::Nm, 532.06).is_none());
    }
}
