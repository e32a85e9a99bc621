//! Evidence: the defect-centre table, a peak finder, FTIR typing, and the detector that turns a
//! spectrum into the list of centres a gemmologist would recognise, with the diamond Raman line
//! and a verdict on whether the spectrum is usable at all.

mod blank;
mod detect;
mod detect_ftir;
pub mod fringes;
pub mod ftir;
pub mod peaks;
mod quality;
pub mod table;

pub use detect::{
    Converted, Detection, LASER_MARGIN_NM, MIN_LINE_SNR, Points, TWO_PHONON_ABSENT_SNR, convert,
    detect, detect_converted, detector_unit,
};
pub use quality::Quality;
pub use table::{CENTRES, Centre, Indicates, PosUnit};

use serde::{Deserialize, Serialize};

/// One centre seen in one spectrum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    pub centre: String,
    /// Table position and measured position (nm, cm^-1 or Raman shift, see `unit`).
    pub expected: f64,
    pub observed: f64,
    pub unit: PosUnit,
    pub snr: f64,
    /// Peak prominence (PL: counts; FTIR: absorption coefficient, cm^-1).
    pub strength: f64,
    /// Line area over the diamond Raman line area (PL with a Raman line).
    pub intensity_rel_raman: Option<f64>,
    pub indicates: Indicates,
}
