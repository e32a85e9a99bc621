//! Writing a labelled folder of simulated stones: one file per spectrum (or per stone for
//! JSON) and `labels.csv` with `stone_id,truth,subtype,family`.

use super::write::{Format, write_stone};
use super::{Channel, Family, Kind, simulate_stone_from};
use rayon::prelude::*;
use std::io::Write as _;
use std::path::Path;

/// Simulate `stones` stones of run `seed` into `dir`; returns the number of files written.
pub fn write_archive(
    dir: &Path,
    stones: u64,
    seed: u64,
    channels: &[Channel],
    kinds: &[Kind],
    families: &[Family],
    format: Format,
) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir)?;
    let rows: Vec<std::io::Result<(String, usize)>> = (0..stones)
        .into_par_iter()
        .map(|i| {
            let stone = simulate_stone_from(seed, i, channels, kinds, families);
            let files = write_stone(dir, &stone, format)?;
            Ok((
                format!(
                    "{},{},{},{}\n",
                    stone.id,
                    stone.kind.truth().name(),
                    stone.kind.subtype(),
                    stone.family.name()
                ),
                files.len(),
            ))
        })
        .collect();
    let mut labels = std::io::BufWriter::new(std::fs::File::create(dir.join("labels.csv"))?);
    labels.write_all(b"stone_id,truth,subtype,family\n")?;
    let mut files = 0;
    for r in rows {
        let (line, n) = r?;
        labels.write_all(line.as_bytes())?;
        files += n;
    }
    labels.flush()?;
    Ok(files)
}
