//! Running one ONNX model: a pool of sessions (`Session::run` needs `&mut self`), one per
//! worker thread, each single-threaded so that rayon's workers and the backend's threads never
//! oversubscribe the cores. A batch is one contiguous `[n, features]` f32 array.
//!
//! The run itself goes through the C API (`OrtApi::Run`) rather than `Session::run`: in ort
//! 2.0.0-rc.14 every output `Session::run` wraps leaks an `OrtTypeInfo` (`GetTypeInfo` without
//! `ReleaseTypeInfo` in `Value::from_session_output_ptr`), about 60-170 bytes per run, which a
//! long-running service notices. Here the output value is read and released by hand.

use super::backend;
use ndarray::{Array2, ArrayView2};
use ort::AsPointer;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::sys::{ONNXTensorElementDataType, OrtStatusPtr, OrtValue};
use ort::value::TensorRef;
use std::ffi::{CStr, CString};
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("no inference backend initialised")]
    NoBackend,
    #[error("cannot create a session: {0}")]
    Session(String),
    #[error("inference failed: {0}")]
    Run(String),
    #[error("model output has shape {got:?}, expected [{rows}, {classes}]")]
    Shape {
        got: Vec<usize>,
        rows: usize,
        classes: usize,
    },
}

pub struct Runner {
    sessions: Vec<Mutex<Session>>,
    n_classes: usize,
    /// The graph's first input and output names, for the C API.
    input_name: CString,
    output_name: CString,
    /// The graph's out-of-distribution output ([`FAMILIARITY_OUTPUT`]), when it has one.
    familiarity_name: Option<CString>,
}

/// The name of a model's second output: one distance per row from its training set.
pub const FAMILIARITY_OUTPUT: &str = "familiarity";

/// What one run gives: class probabilities `[rows, classes]`, and the familiarity distance of
/// every row where the model has that output.
pub struct Scores {
    pub probabilities: Array2<f32>,
    pub familiarity: Option<Vec<f32>>,
}

/// An error status from the C API as text (the status is released).
fn status(s: OrtStatusPtr) -> Result<(), RunError> {
    if s.0.is_null() {
        return Ok(());
    }
    let api = ort::api();
    // SAFETY: a non-null status from the API; its message lives until it is released.
    let msg = unsafe { CStr::from_ptr((api.GetErrorMessage)(s.0)) }
        .to_string_lossy()
        .into_owned();
    unsafe { (api.ReleaseStatus)(s.0) };
    Err(RunError::Run(msg))
}

/// Releases an output value however the read ends.
struct OutputValue(*mut OrtValue);

impl Drop for OutputValue {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the value was returned by Run and is released exactly once.
            unsafe { (ort::api().ReleaseValue)(self.0) };
        }
    }
}

impl Runner {
    /// Create `pool` sessions from ONNX bytes.
    pub fn new(onnx: &[u8], pool: usize, n_classes: usize) -> Result<Runner, RunError> {
        let env = backend::environment().ok_or(RunError::NoBackend)?;
        let mut sessions = Vec::with_capacity(pool.max(1));
        for _ in 0..pool.max(1) {
            // Builder errors carry the builder, which is not Send: keep only their text.
            let s = Session::builder(env)
                .map_err(|e| RunError::Session(e.to_string()))?
                .with_optimization_level(GraphOptimizationLevel::All)
                .map_err(|e| RunError::Session(e.to_string()))?
                .with_intra_threads(1)
                .map_err(|e| RunError::Session(e.to_string()))?
                .with_inter_threads(1)
                .map_err(|e| RunError::Session(e.to_string()))?
                .commit_from_memory(onnx)
                .map_err(|e| RunError::Session(e.to_string()))?;
            sessions.push(Mutex::new(s));
        }
        let (input_name, output_name, familiarity_name) = {
            let s = &sessions[0].lock().unwrap_or_else(|p| p.into_inner());
            let name = |n: &str| CString::new(n).map_err(|e| RunError::Session(e.to_string()));
            let input = s.inputs().first().map(|i| i.name().to_string());
            let output = s.outputs().first().map(|o| o.name().to_string());
            let familiarity = s
                .outputs()
                .iter()
                .any(|o| o.name() == FAMILIARITY_OUTPUT)
                .then(|| name(FAMILIARITY_OUTPUT))
                .transpose()?;
            match (input, output) {
                (Some(i), Some(o)) => (name(&i)?, name(&o)?, familiarity),
                _ => return Err(RunError::Session("the graph has no input or output".into())),
            }
        };
        Ok(Runner {
            sessions,
            n_classes,
            input_name,
            output_name,
            familiarity_name,
        })
    }

    /// Input (name, shape) and output names as the model declares them.
    pub fn signature(&self) -> (String, Vec<i64>, Vec<String>) {
        let s = self.sessions[0].lock().unwrap_or_else(|p| p.into_inner());
        let input = &s.inputs()[0];
        let shape = input
            .dtype()
            .tensor_shape()
            .map(|sh| sh.to_vec())
            .unwrap_or_default();
        let outputs = s.outputs().iter().map(|o| o.name().to_string()).collect();
        (input.name().to_string(), shape, outputs)
    }

    /// Class probabilities for every row of `batch`.
    pub fn predict(&self, batch: ArrayView2<'_, f32>) -> Result<Array2<f32>, RunError> {
        self.score(batch).map(|s| s.probabilities)
    }

    /// Whether the model has a familiarity output.
    pub fn has_familiarity(&self) -> bool {
        self.familiarity_name.is_some()
    }

    /// Class probabilities and (where the model has it) the familiarity distance of every row.
    pub fn score(&self, batch: ArrayView2<'_, f32>) -> Result<Scores, RunError> {
        let rows = batch.nrows();
        if rows == 0 {
            return Ok(Scores {
                probabilities: Array2::zeros((0, self.n_classes)),
                familiarity: self.familiarity_name.as_ref().map(|_| Vec::new()),
            });
        }
        // The worker's own session; other threads only contend when there are more workers.
        let i = rayon::current_thread_index().unwrap_or(0) % self.sessions.len();
        let s = self.sessions[i].lock().unwrap_or_else(|p| p.into_inner());
        let input = TensorRef::from_array_view(batch).map_err(|e| RunError::Run(e.to_string()))?;
        let api = ort::api();
        let input_names = [self.input_name.as_ptr()];
        let mut output_names = vec![self.output_name.as_ptr()];
        if let Some(f) = &self.familiarity_name {
            output_names.push(f.as_ptr());
        }
        let inputs = [input.ptr()];
        let mut outs: [*mut OrtValue; 2] = [std::ptr::null_mut(); 2];
        // SAFETY: the session is locked for this thread; names, input and output slots outlive
        // the call; each output value is owned (and released) by an `OutputValue`.
        let ran = status(unsafe {
            (api.Run)(
                s.ptr().cast_mut(),
                std::ptr::null(),
                input_names.as_ptr(),
                inputs.as_ptr(),
                1,
                output_names.as_ptr(),
                output_names.len(),
                outs.as_mut_ptr(),
            )
        });
        let owned = outs.map(OutputValue);
        ran?;
        let probabilities = read_f32(&owned[0], rows, self.n_classes)?;
        let familiarity = match self.familiarity_name {
            Some(_) => Some(read_f32(&owned[1], rows, 1)?.into_raw_vec_and_offset().0),
            None => None,
        };
        Ok(Scores {
            probabilities,
            familiarity,
        })
    }
}

/// Copy a `[rows, cols]` f32 output tensor out of the backend's memory.
fn read_f32(out: &OutputValue, rows: usize, cols: usize) -> Result<Array2<f32>, RunError> {
    let api = ort::api();
    if out.0.is_null() {
        return Err(RunError::Run("the backend returned no output".into()));
    }
    let mut info = std::ptr::null_mut();
    status(unsafe { (api.GetTensorTypeAndShape)(out.0, &mut info) })?;
    let mut n_dims = 0usize;
    let mut dims_i64 = [0i64; 2];
    let mut dtype = ONNXTensorElementDataType::ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
    let shape_ok = status(unsafe { (api.GetTensorElementType)(info, &mut dtype) })
        .and_then(|_| status(unsafe { (api.GetDimensionsCount)(info, &mut n_dims) }))
        .and_then(|_| {
            if n_dims == 2 {
                status(unsafe { (api.GetDimensions)(info, dims_i64.as_mut_ptr(), 2) })
            } else {
                Ok(())
            }
        });
    unsafe { (api.ReleaseTensorTypeAndShapeInfo)(info) };
    shape_ok?;
    if dtype != ONNXTensorElementDataType::ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT {
        return Err(RunError::Run(format!("the output is {dtype:?}, not f32")));
    }
    let dims: Vec<usize> = if n_dims == 2 {
        dims_i64.iter().map(|&d| d.max(0) as usize).collect()
    } else {
        vec![n_dims]
    };
    if dims != [rows, cols] {
        return Err(RunError::Shape {
            got: dims,
            rows,
            classes: cols,
        });
    }
    let mut data: *mut std::ffi::c_void = std::ptr::null_mut();
    status(unsafe { (api.GetTensorMutableData)(out.0, &mut data) })?;
    if data.is_null() {
        return Err(RunError::Run("the output tensor has no data".into()));
    }
    // SAFETY: a [rows, cols] f32 tensor (both checked above), alive while `out` is.
    let data = unsafe { std::slice::from_raw_parts(data.cast::<f32>(), rows * cols) };
    Array2::from_shape_vec((rows, cols), data.to_vec()).map_err(|e| RunError::Run(e.to_string()))
}
