//! The least work any screener must do on a folder of two-column CSV spectra: read every file
//! and convert every number (fast-float2, on all cores), with no checks, no metadata, no
//! spectrum built. Its time bounds from below what any implementation can reach on the same
//! files and machine; `benches/python_reference/compare.sh` prints it beside the real runs.
//!
//!     cargo run --release --example parse_floor -- DIR

use rayon::prelude::*;
use std::path::PathBuf;
use std::time::Instant;

fn files(dir: PathBuf, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            files(path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Numbers converted and their sum (kept so the work cannot be optimised away).
fn numbers(bytes: &[u8]) -> (u64, f64) {
    let (mut n, mut sum) = (0u64, 0.0f64);
    for line in bytes.split(|&b| b == b'\n') {
        if line.first() == Some(&b'#') {
            continue;
        }
        for field in line.split(|&b| b == b',') {
            if let Ok(v) = fast_float2::parse::<f64, _>(field) {
                n += 1;
                sum += v;
            }
        }
    }
    (n, sum)
}

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os().nth(1).expect("usage: parse_floor DIR");
    let start = Instant::now();
    let mut paths = Vec::new();
    files(dir.into(), &mut paths)?;
    let (bytes, n, sum) = paths
        .par_iter()
        .map(|p| {
            let b = std::fs::read(p).expect("readable file");
            let (n, sum) = numbers(&b);
            (b.len() as u64, n, sum)
        })
        .reduce(|| (0, 0, 0.0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "floor: read {} files ({:.2} GB) and converted {} numbers in {secs:.2} s \
         ({:.0} MB/s on {} threads; checksum {sum:.3e})",
        paths.len(),
        bytes as f64 / 1e9,
        n,
        bytes as f64 / 1e6 / secs,
        rayon::current_num_threads()
    );
    Ok(())
}
