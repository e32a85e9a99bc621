//! tract and ONNX Runtime give the same probabilities (within 1e-5) and the same verdicts for
//! every shipped model. One process holds one backend, so each runs in its own `screen`.
//! ONNX Runtime comes from the onnxruntime Python wheel (CI installs it); without it the test
//! skips, except under CI where it fails.

mod common;

use serde_json::Value;
use std::process::Command;

fn onnxruntime_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import onnxruntime"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "the onnxruntime Python package is missing under CI (pip install onnxruntime==1.31.1)"
            );
        }
        eprintln!("skipping: no onnxruntime Python package, so no ONNX Runtime library");
    }
    ok
}

fn screen(backend: &str, dir: &std::path::Path) -> Vec<Value> {
    let out = common::bin()
        .args(["screen", "--backend", backend])
        .arg(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("backend: {backend}")), "{err}");
    common::json_lines(&out)
}

#[test]
fn tract_and_onnxruntime_agree() {
    if !onnxruntime_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    diamond_screen::simulate::archive::write_archive(
        tmp.path(),
        150,
        5,
        &diamond_screen::channel::Channel::ALL,
        &[],
        &[],
        diamond_screen::simulate::write::Format::Csv,
    )
    .unwrap();
    let a = screen("tract", tmp.path());
    let b = screen("onnxruntime", tmp.path());
    assert_eq!(a.len(), 150);
    assert_eq!(a.len(), b.len());
    let mut compared = 0;
    let mut familiarities = 0;
    let mut max_diff: f64 = 0.0;
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x["stone_id"], y["stone_id"]);
        assert_eq!(x["verdict"], y["verdict"], "{}", x["stone_id"]);
        assert_eq!(x["likely_origin"], y["likely_origin"], "{}", x["stone_id"]);
        for (cx, cy) in x["channels"]
            .as_array()
            .unwrap()
            .iter()
            .zip(y["channels"].as_array().unwrap())
        {
            assert_eq!(cx["model"], cy["model"]);
            // the out-of-distribution check agrees too (a distance, so relatively)
            let (fx, fy) = (
                &cx["familiarity"]["distance"],
                &cy["familiarity"]["distance"],
            );
            assert_eq!(fx.is_null(), fy.is_null());
            if let (Some(fx), Some(fy)) = (fx.as_f64(), fy.as_f64()) {
                assert!((fx - fy).abs() <= 1e-3 * fx.abs().max(1.0), "{fx} {fy}");
                familiarities += 1;
            }
            assert_eq!(cx["probabilities"].is_null(), cy["probabilities"].is_null());
            if cx["probabilities"].is_null() {
                continue;
            }
            for k in ["natural", "cvd", "hpht", "simulant"] {
                let d = (cx["probabilities"][k].as_f64().unwrap()
                    - cy["probabilities"][k].as_f64().unwrap())
                .abs();
                max_diff = max_diff.max(d);
                assert!(d <= 1e-5, "{} {} {k}: {d}", x["stone_id"], cx["model"]);
                compared += 1;
            }
        }
    }
    // every model took part
    for m in ["pl532-mlp", "pl405-mlp", "ftir-mlp"] {
        assert!(a.iter().any(|v| {
            v["models"]
                .as_array()
                .unwrap()
                .iter()
                .any(|model| model["id"] == m)
        }));
    }
    assert!(
        familiarities > 0,
        "the models' familiarity output was compared"
    );
    println!(
        "{compared} probabilities and {familiarities} familiarity distances compared, max \
         probability difference {max_diff:e}"
    );
}

#[test]
fn a_bad_library_path_is_a_clear_error() {
    for lib in ["/nonexistent/libonnxruntime.so", "/etc/hostname"] {
        for backend in ["onnxruntime", "auto"] {
            let out = common::bin()
                .args([
                    "screen",
                    "--backend",
                    backend,
                    "--ort-lib",
                    lib,
                    "sample-spectra/csv",
                ])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{backend} {lib}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains(lib) && !err.contains("panicked"), "{err}");
        }
    }
}

#[test]
fn tract_is_the_embedded_default_when_no_library_is_found() {
    // With no ORT_DYLIB_PATH and python3 unable to import onnxruntime, auto falls back to tract.
    let out = common::bin()
        .env_remove("ORT_DYLIB_PATH")
        .env("PYTHONPATH", "/nonexistent")
        .env("PYTHONNOUSERSITE", "1")
        .env("PATH", "/nonexistent")
        .args(["screen", "sample-spectra/csv"])
        .output()
        .unwrap();
    common::assert_success(&out);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("backend: tract (auto: no ONNX Runtime library found"),
        "{err}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
}
