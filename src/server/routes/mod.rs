//! The route handlers, by room: screening (`screen`), parcels and sampling plans (`parcel`),
//! and operations (`ops`: health, readiness, models, metrics, reload, the OpenAPI document).

pub mod ops;
pub mod parcel;
pub mod screen;
