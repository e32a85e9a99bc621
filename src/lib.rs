//! diamond-screen: tells natural diamonds from laboratory-grown stones and simulants from
//! optical spectra. Data flow one way:
//! bytes -> [`spectrum::Spectrum`] -> [`preprocess::Prepared`] -> evidence ([`lines`]) -> verdict.

// `!(a > b)` is how this crate says "not greater, or NaN": keep it.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod batch;
pub mod calibrate;
pub mod channel;
pub mod digest;
pub mod evaluate;
pub mod featurize;
pub mod inspect;
pub mod labels;
pub mod lines;
pub mod model;
pub mod parcel;
pub mod plot;
pub mod preprocess;
pub mod screen;
pub mod server;
pub mod simulate;
pub mod spectrum;
pub mod stage;
pub mod verdict;
