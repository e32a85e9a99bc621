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

/// Expand paths: files are taken as given, folders are walked (sorted, recursively).
pub fn expand(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if is_spectrum_file(&p) {
            out.push(p);
        }
    }
    Ok(())
}
