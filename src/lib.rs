//! diamond-screen: tells natural diamonds from laboratory-grown stones and simulants from
//! optical spectra. Data flow one way:
//! bytes -> [`spectrum::Spectrum`] -> [`preprocess::Prepared`] -> evidence ([`lines`]) -> verdict.

pub mod lines;
pub mod preprocess;
pub mod simulate;
pub mod spectrum;
