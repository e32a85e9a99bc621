//! The command line on every sample file and on the shared real fixtures: `inspect --json`
//! prints the promised fields, `plot` writes a PNG, and an unreadable file exits 1 with the
//! error on stderr.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn spectrum_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(spectrum_files(&p));
        } else if p.file_name().is_some_and(|n| {
            n != "labels.csv" && n != "SOURCES.md" && n != "README.md" && n != "make.sh"
        }) && p.extension().is_none_or(|x| x != "SPA")
        {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn inspect_json(files: &[PathBuf]) -> Vec<Value> {
    let out = common::bin()
        .arg("inspect")
        .arg("--json")
        .args(files)
        .output()
        .unwrap();
    common::json_lines(&out)
}

const FIELDS: [&str; 12] = [
    "file",
    "stone_id",
    "technique",
    "excitation_nm",
    "x_unit",
    "points",
    "x_first",
    "x_last",
    "y_first",
    "y_last",
    "raman",
    "evidence",
];

#[test]
fn inspect_every_sample_file() {
    let files = spectrum_files(&common::project_dir().join("sample-spectra"));
    assert_eq!(files.len(), 28, "{files:?}");
    let records = inspect_json(&files);
    // 12 csv + 12 jcamp + 4 json stones with 3 spectra each
    assert_eq!(records.len(), 36);
    for r in &records {
        for f in FIELDS {
            assert!(r.get(f).is_some(), "missing {f} in {r}");
        }
        assert_eq!(r["simulated"], Value::Bool(true), "{}", r["file"]);
    }
    // The CVD stone shows SiV- at 532 nm in every format
    let siv = records
        .iter()
        .filter(|r| r["stone_id"] == "SIM103-000001" && r["excitation_nm"] == 532.0)
        .filter(|r| {
            r["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["centre"] == "SiV-")
        })
        .count();
    assert_eq!(siv, 3);
}

#[test]
fn inspect_every_shared_fixture() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let files = spectrum_files(&dir);
    assert_eq!(files.len(), 13, "{files:?}");
    let records = inspect_json(&files);
    assert_eq!(records.len(), 13);
    let bruker = records
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with("BRUKER1.JCM"))
        .unwrap();
    assert_eq!(bruker["points"], 3735);
    assert!((bruker["x_first"].as_f64().unwrap() - 4000.655017).abs() < 1e-6);
    assert!((bruker["x_last"].as_f64().unwrap() - 400.1619262).abs() < 1e-6);
    assert_eq!(bruker["technique"], "ftir");
}

#[test]
fn plot_every_sample_and_fixture_file() {
    let mut files = spectrum_files(&common::project_dir().join("sample-spectra"));
    if let Some(dir) = common::shared_fixtures() {
        files.extend(spectrum_files(&dir));
    }
    let tmp = tempfile::tempdir().unwrap();
    for (i, f) in files.iter().enumerate() {
        let png = tmp.path().join(format!("{i}.png"));
        let out = common::bin()
            .arg("plot")
            .arg(f)
            .arg("-o")
            .arg(&png)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = std::fs::read(&png).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", f.display());
        assert!(
            bytes.len() > 5_000,
            "{}: suspiciously small picture",
            f.display()
        );
    }
}

#[test]
fn unreadable_file_exits_1_with_the_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, "1,2\n3,x\n").unwrap();
    let good = common::project_dir().join("sample-spectra/csv/SIM103-000000_ftir.csv");
    let out = common::bin()
        .arg("inspect")
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv:2"), "{err}");
    // the good file was still inspected
    assert!(String::from_utf8_lossy(&out.stdout).contains("SIM103-000000"));
}

#[test]
fn parcel_and_sampling_plan_from_the_command_line() {
    let out = common::bin()
        .args([
            "sampling-plan",
            "--parcel-size",
            "1000000",
            "--max-share",
            "0.01",
            "--confidence",
            "0.95",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("screen 299 of 1000000 stones"));
    // the sample stones: a CVD, an HPHT and a moissanite among them -> hold
    let out = common::bin()
        .args([
            "parcel",
            "sample-spectra/csv",
            "--parcel-size",
            "100",
            "--backend",
            "tract",
            "--json",
        ])
        .output()
        .unwrap();
    common::assert_success(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["recommendation"], "hold");
    assert_eq!(v["stones"].as_array().unwrap().len(), 4);
    // a sample larger than the parcel is a clear error
    let out = common::bin()
        .args([
            "parcel",
            "sample-spectra/csv",
            "--parcel-size",
            "2",
            "--backend",
            "tract",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than the parcel"));
}

#[test]
fn several_spectra_of_a_file_are_stones_of_their_own_or_one_is_picked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("S7_PL.csv");
    let mut t = String::from("Wavelength (nm),10 K,77 K,295 K\n");
    for i in 0..100 {
        t.push_str(&format!(
            "{},{},{},{}\n",
            540.0 + 0.5 * i as f64,
            i,
            2 * i,
            3 * i
        ));
    }
    std::fs::write(&path, t).unwrap();
    let all = inspect_json(std::slice::from_ref(&path));
    let ids: Vec<&str> = all
        .iter()
        .map(|r| r["stone_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["S7#1", "S7#2", "S7#3"]);
    let out = common::bin()
        .args(["inspect", "--json", "--spectrum", "2"])
        .arg(&path)
        .output()
        .unwrap();
    let one = common::json_lines(&out);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["stone_id"], "S7");
    assert_eq!(one[0]["y_last"], 198.0);
    let out = common::bin()
        .args(["inspect", "--spectrum", "4"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no spectrum 4"));
}

#[test]
fn an_x_unit_the_file_does_not_give_is_taken_from_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("U1.txt");
    let t: String = (0..100)
        .map(|i| format!("{}\t{}\n", 168 + 30 * i, i))
        .collect();
    std::fs::write(&path, t).unwrap();
    let r = &inspect_json(std::slice::from_ref(&path))[0];
    assert_eq!(r["x_unit"], "unknown");
    let out = common::bin()
        .args(["inspect", "--json", "--x-unit", "raman_shift"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(common::json_lines(&out)[0]["x_unit"], "raman_shift_cm-1");
    let out = common::bin()
        .args(["inspect", "--x-unit", "furlong"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    common::archive(dir.path(), 400, 7);
    for cmd in [&["screen", "--backend", "tract"][..], &["inspect"][..]] {
        let mut args: Vec<std::ffi::OsString> = cmd.iter().map(|a| a.into()).collect();
        if cmd[0] == "inspect" {
            for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
                args.push(e.path().into());
            }
        } else {
            args.push(dir.path().into());
        }
        let mut child = common::bin()
            .args(&args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        {
            use std::io::BufRead;
            let mut r = std::io::BufReader::new(child.stdout.take().unwrap());
            r.read_line(&mut first).unwrap();
        } // the reader goes, as `| head -1` does
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!first.is_empty());
        assert!(out.status.success(), "{cmd:?}: {:?}\n{err}", out.status);
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_and_a_fifo_are_skipped_and_said() {
    let dir = tempfile::tempdir().unwrap();
    common::archive(dir.path(), 3, 9);
    std::os::unix::fs::symlink(".", dir.path().join("loop")).unwrap();
    let fifo = dir.path().join("x_pl532.csv");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let out = common::bin()
        .args(["screen", "--backend", "tract"])
        .arg(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(common::json_lines(&out).len(), 3);
    assert!(
        err.contains("symlink loop") && err.contains("not a regular file"),
        "{err}"
    );
}

/// Run from a folder holding no models (a binary copied to a fresh machine), `screen` uses the
/// models built into the binary: the same bytes (checksums) and the same records as the
/// project's `models/`; `--models` still names a folder, and the commands that write a
/// manifest refuse the built-in ones.
#[test]
fn a_binary_run_away_from_its_project_screens_with_its_built_in_models() {
    let elsewhere = tempfile::tempdir().unwrap();
    let sample = common::project_dir().join("sample-spectra/csv");
    let screen = |cwd: &Path, models: Option<&Path>| {
        let mut c = common::bin();
        c.current_dir(cwd)
            .env_remove("DIAMOND_SCREEN_MODELS")
            .args(["screen", "--backend", "tract"])
            .arg(&sample);
        if let Some(m) = models {
            c.arg("--models").arg(m);
        }
        let out = c.output().unwrap();
        let records = common::json_lines(&out);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (records, stderr)
    };
    let (built_in, said) = screen(elsewhere.path(), None);
    assert!(said.contains("models: built into this binary"), "{said}");
    let (project, said_there) = screen(&common::project_dir(), None);
    assert!(!said_there.contains("built into"), "{said_there}");
    assert_eq!(built_in.len(), 4);
    // the same records, provenance (each model's id, version and sha256) included
    assert_eq!(built_in, project);
    let sha: Vec<&str> = built_in[0]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sha256"].as_str().unwrap())
        .collect();
    for (id, sha) in ["ftir-mlp", "pl405-mlp", "pl532-mlp"].iter().zip(sha) {
        let manifest: Value = serde_json::from_str(
            &std::fs::read_to_string(
                common::project_dir()
                    .join("models")
                    .join(id)
                    .join("manifest.json"),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(manifest["sha256"], sha, "{id}");
    }
    // a folder given is read, built-in models or not: an empty one is an error
    let empty = tempfile::tempdir().unwrap();
    let out = common::bin()
        .current_dir(elsewhere.path())
        .args(["screen", "--backend", "tract", "--models"])
        .arg(empty.path())
        .arg(&sample)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no models found"));
    // calibrating would write the manifests: not the built-in ones
    let out = common::bin()
        .current_dir(elsewhere.path())
        .env_remove("DIAMOND_SCREEN_MODELS")
        .args(["calibrate", "--backend", "tract"])
        .arg(&sample)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot be updated"), "{err}");
}

/// `--version` names the commit the binary was built from, as every record's `tool_version`
/// does (`tests/batch.rs` checks the records).
#[test]
fn the_version_names_the_commit() {
    common::this_build();
}
