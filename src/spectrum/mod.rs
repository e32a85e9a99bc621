//! The `Spectrum` type: ordinates on an abscissa with its unit, plus what the file said about the
//! stone and the measurement. Readers for each file format live in [`read`].

mod metadata;
pub mod read;
mod units;
mod validate;

pub use metadata::{Metadata, Technique};
pub use read::{
    ReadError, ReadErrorKind, ReadOptions, SpectrumJson, StoneJson, from_stone_json, read_bytes,
    read_bytes_with, read_path, read_path_hashed, read_path_with, stone_id_from_path, stone_ids,
};
pub use units::{XUnit, YUnit, convert, raman_line_nm};
pub use validate::{MAX_POINTS, MIN_POINTS};

use serde::{Deserialize, Serialize};

/// One measured spectrum.
///
/// `x` is always strictly ascending in the spectrum's own unit; `source_descending` records that
/// the file listed it the other way round (IR files usually run from 4000 down to 400 cm^-1), so
/// that "first" and "last" can be reported in the file's own order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spectrum {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub x_unit: XUnit,
    pub y_unit: YUnit,
    pub meta: Metadata,
    #[serde(default)]
    pub source_descending: bool,
}

impl Spectrum {
    pub fn len(&self) -> usize {
        self.x.len()
    }

    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// (x, y) of the first point in the file's own order.
    pub fn first_in_source(&self) -> (f64, f64) {
        let i = if self.source_descending {
            self.len() - 1
        } else {
            0
        };
        (self.x[i], self.y[i])
    }

    /// (x, y) of the last point in the file's own order.
    pub fn last_in_source(&self) -> (f64, f64) {
        let i = if self.source_descending {
            0
        } else {
            self.len() - 1
        };
        (self.x[i], self.y[i])
    }

    /// The abscissa converted to `to`, ascending, with y reordered to match.
    ///
    /// Errors when the conversion needs an excitation wavelength the metadata lacks, or when the
    /// units are not convertible (e.g. an unknown unit kept by name).
    ///
    /// An absorption spectrum (FTIR, UV-Vis) written as transmittance comes back as absorbance
    /// ([`Spectrum::transmittance_scale`]): every reader of the points (detector, protocols,
    /// plot) sees the absorbance the centres are defined in.
    pub fn converted(&self, to: &XUnit) -> Result<(Vec<f64>, Vec<f64>), units::ConvertError> {
        let exc = self.meta.excitation_nm;
        let scale = self.transmittance_scale();
        let mut pairs: Vec<(f64, f64)> = Vec::with_capacity(self.len());
        for (&x, &y) in self.x.iter().zip(&self.y) {
            let y = scale.map_or(y, |full| absorbance(y, full));
            pairs.push((units::convert(x, &self.x_unit, to, exc)?, y));
        }
        // Conversions between wavelength and wavenumber reverse the order.
        if pairs.len() > 1 && pairs[0].0 > pairs[pairs.len() - 1].0 {
            pairs.reverse();
        }
        Ok(pairs.into_iter().unzip())
    }
}

pub use units::ConvertError;

/// Transmittance a fraction of `full` (1 or 100) read as absorbance, -log10(T); T at or below
/// [`MIN_TRANSMITTANCE`] of full scale (an opaque band, noise through zero) reads as that floor.
fn absorbance(t: f64, full: f64) -> f64 {
    -(t / full).max(MIN_TRANSMITTANCE).log10()
}

/// The smallest transmittance read (absorbance 5): no spectrometer measures past it.
const MIN_TRANSMITTANCE: f64 = 1e-5;

impl Spectrum {
    /// Full scale of an absorption spectrum (FTIR, UV-Vis) written as transmittance: 100 where
    /// it is in percent (any value past 10: a fraction passes 1 only where the instrument's
    /// reference was weaker than the sample beam, as a baseline at negative absorbance shows,
    /// and never by ten times), else 1; None for every other spectrum. The guess moves the
    /// absorbance by a constant 2 at most, which no baseline-relative reading sees.
    pub fn transmittance_scale(&self) -> Option<f64> {
        let absorption = matches!(
            self.meta.technique,
            Some(Technique::Ftir) | Some(Technique::Uvvis)
        );
        (absorption && self.y_unit == YUnit::Transmittance).then(|| {
            let top = self
                .y
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .fold(f64::NEG_INFINITY, f64::max);
            if top > 10.0 { 100.0 } else { 1.0 }
        })
    }

    /// The unit of [`Spectrum::converted`]'s y.
    pub fn converted_y_unit(&self) -> YUnit {
        if self.transmittance_scale().is_some() {
            YUnit::Absorbance
        } else {
            self.y_unit.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spectrum(technique: Technique, y_unit: YUnit, y: Vec<f64>) -> Spectrum {
        Spectrum {
            x: (0..y.len()).map(|i| 1000.0 + i as f64).collect(),
            y,
            x_unit: XUnit::Wavenumber,
            y_unit,
            meta: Metadata {
                technique: Some(technique),
                ..Metadata::default()
            },
            source_descending: false,
        }
    }

    /// An absorption spectrum in transmittance (percent or a fraction) comes back as -log10 T;
    /// a PL spectrum, or one in absorbance, as written; T at or below zero at the floor.
    #[test]
    fn transmittance_is_read_as_absorbance() {
        let to = XUnit::Wavenumber;
        let percent = spectrum(
            Technique::Ftir,
            YUnit::Transmittance,
            vec![100.0, 10.0, 1.0],
        );
        assert_eq!(percent.transmittance_scale(), Some(100.0));
        let (_, a) = percent.converted(&to).unwrap();
        assert!(
            a.iter()
                .zip([0.0, 1.0, 2.0])
                .all(|(v, w)| (v - w).abs() < 1e-12),
            "{a:?}"
        );
        assert_eq!(percent.converted_y_unit(), YUnit::Absorbance);
        let fraction = spectrum(
            Technique::Uvvis,
            YUnit::Transmittance,
            vec![1.0, 0.1, -0.02],
        );
        assert_eq!(fraction.transmittance_scale(), Some(1.0));
        let (_, a) = fraction.converted(&to).unwrap();
        assert!(
            (a[1] - 1.0).abs() < 1e-12 && (a[2] - 5.0).abs() < 1e-12,
            "{a:?}"
        );
        for s in [
            spectrum(Technique::Pl, YUnit::Transmittance, vec![5.0, 6.0]),
            spectrum(Technique::Ftir, YUnit::Absorbance, vec![0.5, 0.6]),
        ] {
            assert_eq!(s.transmittance_scale(), None);
            assert_eq!(s.converted(&to).unwrap().1, s.y);
        }
    }
}
