//! The inference backend, chosen once per process: tract (pure Rust, embedded, the default on a
//! fresh machine) or ONNX Runtime (`libonnxruntime.so` from the onnxruntime wheel), both behind
//! `ort`'s API. `auto` takes ONNX Runtime when its library can be found (`--ort-lib`,
//! `ORT_DYLIB_PATH`, or an installed `onnxruntime` Python package) and tract otherwise, and says
//! which and why in one log line.

use ort::environment::Environment;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    Auto,
    Tract,
    Onnxruntime,
}

impl std::str::FromStr for BackendChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(BackendChoice::Auto),
            "tract" => Ok(BackendChoice::Tract),
            "onnxruntime" | "ort" => Ok(BackendChoice::Onnxruntime),
            _ => Err(format!("unknown backend {s:?} (auto, tract, onnxruntime)")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Tract,
    Onnxruntime,
}

impl BackendKind {
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Tract => "tract",
            BackendKind::Onnxruntime => "onnxruntime",
        }
    }
}

/// The backend in use and why it was chosen.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackendInfo {
    pub kind: BackendKind,
    pub library: Option<PathBuf>,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("ONNX Runtime library {path}: {msg}")]
    Library { path: PathBuf, msg: String },
    #[error(
        "ONNX Runtime requested but no library found: give --ort-lib or ORT_DYLIB_PATH, or pip install onnxruntime==1.31.1"
    )]
    NotFound,
    #[error("a different backend ({0}) is already in use in this process")]
    AlreadyChosen(&'static str),
    #[error("cannot create the ort environment: {0}")]
    Environment(String),
}

static BACKEND: OnceLock<BackendInfo> = OnceLock::new();
static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();

/// The backend chosen for this process, if `init` has run.
pub fn current() -> Option<&'static BackendInfo> {
    BACKEND.get()
}

/// The process's one ort environment (after `init`).
pub fn environment() -> Option<&'static Environment> {
    ENVIRONMENT.get()
}

/// Where an installed `onnxruntime` Python package keeps its library. The package is found,
/// not imported: importing it loads numpy (and its BLAS threads), which cost every run of the
/// onnxruntime backend about 0.1 s of wall time and 0.2 s of CPU before any spectrum was read.
fn python_package_library() -> Option<PathBuf> {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import importlib.util as u; print(u.find_spec('onnxruntime').submodule_search_locations[0])",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()).join("capi");
    let mut libs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("libonnxruntime.so."))
        })
        .collect();
    libs.sort();
    libs.pop()
}

/// Load `libonnxruntime` and install its API into ort by hand (ort's own loader is bypassed
/// when the alternative-backend feature is on). The library stays loaded for the process.
fn install_onnxruntime(path: &Path) -> Result<(), BackendError> {
    let err = |msg: String| BackendError::Library {
        path: path.to_path_buf(),
        msg,
    };
    if !path.is_file() {
        return Err(err("no such file".into()));
    }
    // SAFETY: loading a shared library runs its initialisers; this is the documented way to use
    // ONNX Runtime dynamically, and the path was given by the operator.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| err(e.to_string()))?;
    // SAFETY: the symbol has this signature in every ONNX Runtime release.
    let get_base: libloading::Symbol<unsafe extern "system" fn() -> *const ort::sys::OrtApiBase> =
        unsafe { lib.get(b"OrtGetApiBase") }
            .map_err(|e| err(format!("not an ONNX Runtime library: {e}")))?;
    let base = unsafe { get_base() };
    if base.is_null() {
        return Err(err("OrtGetApiBase returned null".into()));
    }
    // SAFETY: `base` is a valid OrtApiBase; GetApi returns null for unsupported versions.
    let api = unsafe { ((*base).GetApi)(ort::sys::ORT_API_VERSION) };
    if api.is_null() {
        return Err(err(format!(
            "does not provide ORT API version {} (too old?)",
            ort::sys::ORT_API_VERSION
        )));
    }
    let api = unsafe { (*api).clone() };
    std::mem::forget(lib); // the API's function pointers live in the library
    if !ort::set_api(api) {
        return Err(BackendError::AlreadyChosen("another"));
    }
    Ok(())
}

/// Choose and install the backend. Idempotent for the same choice; the first call wins.
pub fn init(
    choice: BackendChoice,
    ort_lib: Option<&Path>,
) -> Result<&'static BackendInfo, BackendError> {
    static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _once = INIT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(b) = BACKEND.get() {
        let ok = match choice {
            BackendChoice::Auto => true,
            BackendChoice::Tract => b.kind == BackendKind::Tract,
            BackendChoice::Onnxruntime => b.kind == BackendKind::Onnxruntime,
        };
        return if ok {
            Ok(b)
        } else {
            Err(BackendError::AlreadyChosen(b.kind.name()))
        };
    }
    let env_lib = std::env::var_os("ORT_DYLIB_PATH")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let info = match choice {
        BackendChoice::Tract => {
            ort::set_api(ort_tract::api());
            BackendInfo {
                kind: BackendKind::Tract,
                library: None,
                reason: "requested".into(),
            }
        }
        BackendChoice::Onnxruntime => {
            let (path, why) = match (ort_lib, env_lib) {
                (Some(p), _) => (p.to_path_buf(), "--ort-lib"),
                (None, Some(p)) => (p, "ORT_DYLIB_PATH"),
                (None, None) => (
                    python_package_library().ok_or(BackendError::NotFound)?,
                    "the onnxruntime Python package",
                ),
            };
            install_onnxruntime(&path)?;
            BackendInfo {
                kind: BackendKind::Onnxruntime,
                library: Some(path),
                reason: format!("requested; library from {why}"),
            }
        }
        BackendChoice::Auto => {
            // An explicitly given library must work: a bad path is an error, not a silent fallback.
            let given = ort_lib
                .map(|p| (p.to_path_buf(), "--ort-lib"))
                .or(env_lib.map(|p| (p, "ORT_DYLIB_PATH")));
            match given {
                Some((path, why)) => {
                    install_onnxruntime(&path)?;
                    BackendInfo {
                        kind: BackendKind::Onnxruntime,
                        library: Some(path),
                        reason: format!("auto: library given by {why}"),
                    }
                }
                None => match python_package_library() {
                    Some(path) if install_onnxruntime(&path).is_ok() => BackendInfo {
                        kind: BackendKind::Onnxruntime,
                        library: Some(path),
                        reason: "auto: found the onnxruntime Python package".into(),
                    },
                    _ => {
                        ort::set_api(ort_tract::api());
                        BackendInfo {
                            kind: BackendKind::Tract,
                            library: None,
                            reason: "auto: no ONNX Runtime library found (--ort-lib, ORT_DYLIB_PATH, python onnxruntime), using embedded tract".into(),
                        }
                    }
                },
            }
        }
    };
    let env = ort::init()
        .with_name("diamond-screen")
        .with_telemetry(false)
        .build()
        .map_err(|e| BackendError::Environment(e.to_string()))?;
    let _ = ENVIRONMENT.set(env);
    Ok(BACKEND.get_or_init(|| info))
}
