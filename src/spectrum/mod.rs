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
    pub fn converted(&self, to: &XUnit) -> Result<(Vec<f64>, Vec<f64>), units::ConvertError> {
        let exc = self.meta.excitation_nm;
        let mut pairs: Vec<(f64, f64)> = Vec::with_capacity(self.len());
        for (&x, &y) in self.x.iter().zip(&self.y) {
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
