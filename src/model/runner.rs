//! Running one ONNX model: a pool of sessions (`Session::run` needs `&mut self`), one per
//! worker thread, each single-threaded so that rayon's workers and the backend's threads never
//! oversubscribe the cores. A batch is one contiguous `[n, features]` f32 array.

use super::backend;
use ndarray::{Array2, ArrayView2};
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::TensorRef;
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
        Ok(Runner {
            sessions,
            n_classes,
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
        let rows = batch.nrows();
        if rows == 0 {
            return Ok(Array2::zeros((0, self.n_classes)));
        }
        // The worker's own session; other threads only contend when there are more workers.
        let i = rayon::current_thread_index().unwrap_or(0) % self.sessions.len();
        let mut s = self.sessions[i].lock().unwrap_or_else(|p| p.into_inner());
        let input = TensorRef::from_array_view(batch).map_err(|e| RunError::Run(e.to_string()))?;
        let outputs = s
            .run(ort::inputs![input])
            .map_err(|e| RunError::Run(e.to_string()))?;
        let (shape, data) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| RunError::Run(e.to_string()))?;
        let dims: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
        if dims != [rows, self.n_classes] {
            return Err(RunError::Shape {
                got: dims,
                rows,
                classes: self.n_classes,
            });
        }
        Array2::from_shape_vec((rows, self.n_classes), data.to_vec())
            .map_err(|e| RunError::Run(e.to_string()))
    }
}
