//! Finding spectrum files: files and folders (recursive), skipping what is not a spectrum
//! (labels.csv, documentation, scripts, hidden files).

use std::path::{Path, PathBuf};

fn is_spectrum_file(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.starts_with('.') || name == "labels.csv" {
        return false;
    }
    let ext = p
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    !matches!(
        ext.as_str(),
        "md" | "sh" | "py" | "png" | "jsonl" | "parquet" | "toml" | "lock" | "gz" | "zip"
    )
}

/// What a walk found: the spectrum files, and what it passed over (with why).
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<PathBuf>,
    /// Paths that are not regular files (FIFOs, sockets, devices) or that would revisit a folder
    /// (a symlink loop), with the reason.
    pub skipped: Vec<(PathBuf, &'static str)>,
}

/// Expand paths: files are taken as given, folders are walked (sorted, recursively); what was
/// skipped is reported on stderr.
pub fn expand(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let found = find(paths)?;
    for (p, why) in &found.skipped {
        eprintln!("skipped {}: {why}", p.display());
    }
    Ok(found.files)
}

/// Expand paths, visiting each real folder once (a symlink to a folder already seen, such as
/// `ln -s . loop`, is skipped) and taking only regular files (a FIFO would block the reader
/// forever): bounded time and memory whatever the tree holds.
pub fn find(paths: &[PathBuf]) -> std::io::Result<Found> {
    let mut found = Found::default();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let meta = std::fs::metadata(p)?;
        if meta.is_dir() {
            walk(p, &mut seen, &mut found)?;
        } else if meta.is_file() {
            found.files.push(p.clone());
        } else {
            found.skipped.push((p.clone(), "not a regular file"));
        }
    }
    Ok(found)
}

/// A folder's identity: device and inode (its canonical path where those are not available).
fn identity(dir: &Path, meta: &std::fs::Metadata) -> (u64, u64, Option<PathBuf>) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = dir;
        (meta.dev(), meta.ino(), None)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        (0, 0, std::fs::canonicalize(dir).ok())
    }
}

fn walk(
    dir: &Path,
    seen: &mut std::collections::HashSet<(u64, u64, Option<PathBuf>)>,
    found: &mut Found,
) -> std::io::Result<()> {
    let meta = std::fs::metadata(dir)?;
    if !seen.insert(identity(dir, &meta)) {
        found
            .skipped
            .push((dir.to_path_buf(), "a folder already visited (symlink loop)"));
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        // A dangling symlink or an entry removed meanwhile: nothing to screen.
        let Ok(meta) = std::fs::metadata(&p) else {
            found.skipped.push((p, "cannot be read (a dangling link?)"));
            continue;
        };
        if meta.is_dir() {
            walk(&p, seen, found)?;
        } else if !is_spectrum_file(&p) {
            continue;
        } else if meta.is_file() {
            found.files.push(p);
        } else {
            found.skipped.push((p, "not a regular file"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_fifos_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("A_pl532.csv"), "1,2\n").unwrap();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/B_pl532.csv"), "1,2\n").unwrap();
        std::os::unix::fs::symlink(".", d.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", d.join("sub/up")).unwrap();
        let fifo = d.join("x_pl532.csv");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let found = find(&[d.to_path_buf()]).unwrap();
        let names: Vec<String> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["A_pl532.csv", "sub/B_pl532.csv"]);
        let why: Vec<&str> = found.skipped.iter().map(|s| s.1).collect();
        assert_eq!(
            why.iter().filter(|w| w.contains("loop")).count(),
            2,
            "{why:?}"
        );
        assert_eq!(
            why.iter().filter(|w| w.contains("regular")).count(),
            1,
            "{why:?}"
        );
    }
}
