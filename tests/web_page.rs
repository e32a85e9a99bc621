//! The web page in a real headless browser (Debian's chromium driven by playwright-core, from
//! `tests/browser/`): a technician's files in, the verdict, evidence and plot out, and a
//! screenshot (`target/web-page.png`) to look at. Skips when chromium or the node packages are
//! missing on a user's machine; fails under CI (`CI=true`), whose script installs them.

mod common;

use common::server::Server;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn browser_ready(dir: &Path) -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ok = Path::new(&chromium).exists()
        && dir.join("node_modules/playwright-core").is_dir()
        && Command::new("node").arg("--version").output().is_ok();
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium, node or tests/browser/node_modules missing under CI");
        }
        eprintln!("skipping: chromium, node or tests/browser/node_modules (npm ci) missing");
    }
    ok
}

#[test]
fn the_page_screens_dropped_files_in_headless_chromium() {
    let dir = common::project_dir().join("tests/browser");
    if !browser_ready(&dir) {
        return;
    }
    let s = Server::start(&[]);
    let shot = common::project_dir().join("target/web-page.png");
    let samples = common::project_dir().join("sample-spectra/csv");
    let files: Vec<String> = ["pl532", "pl405", "ftir"]
        .iter()
        .map(|ch| {
            samples
                .join(format!("SIM103-000000_{ch}.csv"))
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let out = Command::new("node")
        .current_dir(&dir)
        .arg("page.mjs")
        .arg(&s.base)
        .arg(&shot)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["stone"], "BENCH-1", "{r}");
    assert_eq!(r["verdict"], "natural", "{r}");
    assert_eq!(r["channels"], 3, "{r}");
    let evidence = r["evidence"].as_array().unwrap();
    assert!(
        evidence.iter().any(|row| row[1] == "N3"),
        "the natural sample's N3 centre is in the table: {r}"
    );
    assert_eq!(r["plotWidth"], 1000);
    let error = r["error"].as_str().unwrap();
    assert!(
        error.starts_with("422") && error.contains("junk.bin"),
        "{error}"
    );
    assert_eq!(r["consoleErrors"].as_array().unwrap().len(), 0, "{r}");
    assert!(shot.is_file());
}
