//! Helpers shared by integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/<name>`, or None when it is absent on a user's clone. Under CI (`CI=true`) its
/// absence is a failure, not a skip.
fn shared(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("../shared/{name} is missing under CI");
    }
    eprintln!("skipping: ../shared/{name} is absent on this clone");
    None
}

/// `../shared/fixtures`: real spectra nobody here wrote (JCAMP-DX test suites, micro-FTIR maps).
pub fn shared_fixtures() -> Option<PathBuf> {
    shared("fixtures")
}

/// `../shared/lab-files`: real lab files (PL of real stones, vendor binary and text formats).
pub fn shared_lab_files() -> Option<PathBuf> {
    shared("lab-files")
}

pub fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// This build's name as `--version` prints it (records' `tool_version`, `/v1/models`' `tool`),
/// checked to be the version with the commit checked out here (where git can say; with
/// `, modified` where the sources differ from it).
pub fn this_build() -> String {
    let out = bin().arg("--version").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let version = format!("diamond-screen {} (commit ", env!("CARGO_PKG_VERSION"));
    assert!(printed.starts_with(&version), "{printed}");
    if let Some(head) = git_head() {
        assert!(
            printed == format!("{version}{head})")
                || printed == format!("{version}{head}, modified)"),
            "{printed} does not name HEAD's commit {head}"
        );
    }
    printed
}

/// The commit checked out in the project (12 hex digits), or None where git cannot say (a copy
/// of the sources without the repository). Under CI (`CI=true`, a clean clone) None is a
/// failure, not a skip.
pub fn git_head() -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(project_dir())
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success());
    let head = out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if head.is_none() && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("git cannot name the commit checked out under CI");
    }
    head
}

/// The JSON lines a command printed, after checking that it succeeded.
pub fn json_lines(out: &std::process::Output) -> Vec<serde_json::Value> {
    assert_success(out);
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The diamond-screen binary, run from the project folder.
pub fn bin() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_diamond-screen"));
    c.current_dir(project_dir());
    c
}

/// Fail with the command's stderr unless it succeeded.
pub fn assert_success(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
pub mod server;

/// A simulated archive: `stones` stones with a PL 532 nm and an FTIR CSV each.
pub fn archive(dir: &std::path::Path, stones: u64, seed: u64) {
    use diamond_screen::channel::Channel;
    use diamond_screen::simulate::{archive::write_archive, write::Format};
    write_archive(
        dir,
        stones,
        seed,
        &[Channel::Pl532, Channel::Ftir],
        &[],
        &[],
        Format::Csv,
    )
    .unwrap();
}

/// A copy of the shipped model packages in `to`, to damage.
pub fn copy_models(to: &std::path::Path) {
    for entry in std::fs::read_dir(project_dir().join("models")).unwrap() {
        let src = entry.unwrap().path();
        if src.join("manifest.json").is_file() {
            let dst = to.join(src.file_name().unwrap());
            std::fs::create_dir_all(&dst).unwrap();
            for f in ["manifest.json", "model.onnx"] {
                std::fs::copy(src.join(f), dst.join(f)).unwrap();
            }
        }
    }
}

/// `y` on even pixels of `pixel` (its x unit) smoothed by a Gaussian of `fwhm` (the same
/// unit), the ends repeating the end points: a spectrum as software that smooths before
/// export delivers it.
pub fn smoothed(y: &[f64], pixel: f64, fwhm: f64) -> Vec<f64> {
    let sigma = fwhm / 2.3548 / pixel;
    let reach = (4.0 * sigma).ceil() as isize;
    let n = y.len() as isize;
    (0..n)
        .map(|i| {
            let (mut sum, mut weight) = (0.0, 0.0);
            for k in -reach..=reach {
                let w = (-0.5 * (k as f64 / sigma).powi(2)).exp();
                sum += w * y[(i + k).clamp(0, n - 1) as usize];
                weight += w;
            }
            sum / weight
        })
        .collect()
}
