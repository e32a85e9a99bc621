//! Models: specs (what a model sees), manifests (what a trained package promises), the
//! inference backend (tract or ONNX Runtime through `ort`), session pools and the loaded set.

pub mod backend;
pub mod built_in;
pub mod manifest;
pub mod registry;
pub mod runner;
pub mod spec;

pub use backend::{BackendChoice, BackendInfo, BackendKind};
pub use manifest::{CLASSES, Manifest};
pub use registry::{LoadedModel, ModelSet, ModelSource};
pub use spec::{FeatureSpec, ModelSpec};
