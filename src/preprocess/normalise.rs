//! Normalisation: PL to the diamond Raman line area (the labs' internal standard), FTIR to the
//! intrinsic two-phonon absorption (12.3 cm^-1 at 1992 cm^-1, QUIDDIT's convention, which turns
//! absorbance into absorption coefficient whatever the stone's thickness), or to max or area.

use super::calibration::find_raman_line;
use super::raman_fit::fit_raman_line;
use crate::spectrum::XUnit;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormMethod {
    /// The area of the diamond Raman line found on the prepared spectrum (the protocol's own
    /// search, as the models before 2.0 were trained).
    RamanArea,
    /// The area of the Raman line the detector found on the spectrum (so the features and
    /// the evidence rest on one line; the caller passes it, see
    /// [`super::Protocol::finish`]); no line, the maximum.
    RamanLine,
    TwoPhonon,
    Max,
    Area,
}

/// Absorption coefficient (cm^-1) of diamond's two-phonon band at 1992 cm^-1.
pub const TWO_PHONON_AT_1992: f64 = 12.3;
const TWO_PHONON_HALF_WINDOW: f64 = 5.0;

/// The divisor `method` asks for, or None when the reference is missing or not positive
/// (the caller then falls back to `Max` and says so).
pub fn divisor(
    method: NormMethod,
    x: &[f64],
    y: &[f64],
    unit: &XUnit,
    excitation_nm: Option<f64>,
) -> Option<f64> {
    let d = match method {
        NormMethod::RamanArea => {
            find_raman_line(x, y, unit, excitation_nm)
                .filter(|r| r.present)
                .or_else(|| fit_raman_line(x, y, unit, excitation_nm).filter(|r| r.present))?
                .area
        }
        // the caller's line: nothing to find here
        NormMethod::RamanLine => return None,
        NormMethod::TwoPhonon => {
            if *unit != XUnit::Wavenumber {
                return None;
            }
            let (mut s, mut n) = (0.0, 0usize);
            for (&xv, &yv) in x.iter().zip(y) {
                if (xv - 1992.0).abs() <= TWO_PHONON_HALF_WINDOW {
                    s += yv;
                    n += 1;
                }
            }
            if n == 0 {
                return None;
            }
            (s / n as f64) / TWO_PHONON_AT_1992
        }
        NormMethod::Max => y.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        NormMethod::Area => x
            .windows(2)
            .zip(y.windows(2))
            .map(|(xw, yw)| 0.5 * (yw[0].abs() + yw[1].abs()) * (xw[1] - xw[0]))
            .sum(),
    };
    (d.is_finite() && d > 0.0).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_phonon_scaling() {
        let x: Vec<f64> = (0..3000).map(|i| 1000.0 + i as f64).collect();
        let y: Vec<f64> = x
            .iter()
            .map(|&v| {
                if (1900.0..2100.0).contains(&v) {
                    0.5
                } else {
                    0.1
                }
            })
            .collect();
        let d = divisor(NormMethod::TwoPhonon, &x, &y, &XUnit::Wavenumber, None).unwrap();
        assert!((0.5 / d - 12.3).abs() < 1e-12);
        assert!(divisor(NormMethod::TwoPhonon, &x, &y, &XUnit::Nm, None).is_none());
    }

    #[test]
    fn max_and_area() {
        let x = [0.0, 1.0, 2.0];
        let y = [1.0, 3.0, 1.0];
        assert_eq!(
            divisor(NormMethod::Max, &x, &y, &XUnit::Nm, None),
            Some(3.0)
        );
        assert_eq!(
            divisor(NormMethod::Area, &x, &y, &XUnit::Nm, None),
            Some(4.0)
        );
        assert_eq!(
            divisor(NormMethod::Max, &x, &[0.0; 3], &XUnit::Nm, None),
            None
        );
    }
}
