//! The commit the binary is built from, so that every record names the code that gave its
//! verdict, not only the version number every commit shares. `DIAMOND_SCREEN_BUILD` holds
//! " (commit <12 hex digits>)", with ", modified" where the sources differ from that commit,
//! or " (commit unknown)" where neither git nor `DIAMOND_SCREEN_COMMIT` (a build without the
//! repository: the Docker image) says.

use std::path::Path;
use std::process::Command;

/// What the build depends on: a change here is a change of the code a record names.
const SOURCES: &[&str] = &["src", "models", "Cargo.toml", "Cargo.lock", "build.rs"];

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Build again when the file at `path` (relative to `dir`) changes; nothing where it does not
/// exist (cargo would build again every time).
fn watch(dir: &Path, path: Option<String>) {
    if let Some(p) = path.map(|p| dir.join(p)).filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&dir);
    println!("cargo:rerun-if-env-changed=DIAMOND_SCREEN_COMMIT");
    for s in SOURCES {
        println!("cargo:rerun-if-changed={s}");
    }
    let given = std::env::var("DIAMOND_SCREEN_COMMIT")
        .ok()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let build = match given {
        Some(c) => format!(" (commit {c})"),
        None => match git(dir, &["rev-parse", "--short=12", "HEAD"]) {
            Some(commit) => {
                // a commit moves HEAD, or the branch HEAD names: look again then
                watch(dir, git(dir, &["rev-parse", "--git-path", "HEAD"]));
                if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
                    watch(dir, git(dir, &["rev-parse", "--git-path", &branch]));
                }
                watch(dir, git(dir, &["rev-parse", "--git-path", "packed-refs"]));
                let mut status = vec!["status", "--porcelain", "--"];
                status.extend(SOURCES);
                let modified = git(dir, &status).is_none_or(|s| !s.is_empty());
                if modified {
                    format!(" (commit {commit}, modified)")
                } else {
                    format!(" (commit {commit})")
                }
            }
            None => " (commit unknown)".to_string(),
        },
    };
    println!("cargo:rustc-env=DIAMOND_SCREEN_BUILD={build}");
}
