//! Grouping spectra into stones: by the stone id in the metadata, else the file name up to its
//! first `_` (the readers fill that in). Files that cannot be read still belong to a stone (by
//! file name) so that the stone gets an error record.

pub use crate::spectrum::stone_id_from_path;
use crate::spectrum::{ReadOptions, Spectrum, read_path_with};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct SpectrumInput {
    pub file: String,
    pub spectrum: Spectrum,
}

#[derive(Debug, Clone, Default)]
pub struct StoneInput {
    pub id: String,
    pub spectra: Vec<SpectrumInput>,
    /// Read errors of this stone's files.
    pub errors: Vec<String>,
    /// Every file of the stone, read or not.
    pub files: Vec<String>,
}

/// Read files and group them into stones (sorted by stone id). `opts` is what the user said
/// about files that do not say it (command-line defaults).
pub fn group_files(paths: &[std::path::PathBuf], opts: &ReadOptions) -> Vec<StoneInput> {
    use rayon::prelude::*;
    let read: Vec<(String, Result<Vec<Spectrum>, String>)> = paths
        .par_iter()
        .map(|p| {
            let file = p.display().to_string();
            let r = read_path_with(p, opts).map_err(|e| e.to_string());
            (file, r)
        })
        .collect();
    let mut stones: BTreeMap<String, StoneInput> = BTreeMap::new();
    for ((file, r), path) in read.into_iter().zip(paths) {
        match r {
            Ok(spectra) => {
                for s in spectra {
                    let id = s
                        .meta
                        .stone_id
                        .clone()
                        .unwrap_or_else(|| stone_id_from_path(path));
                    let st = stones.entry(id.clone()).or_insert_with(|| StoneInput {
                        id,
                        ..Default::default()
                    });
                    if !st.files.contains(&file) {
                        st.files.push(file.clone());
                    }
                    st.spectra.push(SpectrumInput {
                        file: file.clone(),
                        spectrum: s,
                    });
                }
            }
            Err(e) => {
                let id = stone_id_from_path(path);
                let st = stones.entry(id.clone()).or_insert_with(|| StoneInput {
                    id,
                    ..Default::default()
                });
                st.files.push(file);
                st.errors.push(e);
            }
        }
    }
    stones.into_values().collect()
}

/// Plan a large run: paths grouped by the stone id their file names give (sorted), so that a
/// stone's files are read together and memory holds only a chunk of stones at a time.
pub fn plan_by_name(paths: Vec<std::path::PathBuf>) -> Vec<(String, Vec<std::path::PathBuf>)> {
    let mut m: BTreeMap<String, Vec<std::path::PathBuf>> = BTreeMap::new();
    for p in paths {
        m.entry(stone_id_from_path(&p)).or_default().push(p);
    }
    m.into_iter().collect()
}
