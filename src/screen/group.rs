//! Grouping spectra into stones: by the stone id in the metadata, else the file name less the
//! words naming the measurement at its ends ([`stone_id_from_path`]; the readers fill that
//! in); a run plans every stone with all its files first ([`plan_stones`]). Files that cannot
//! be read still belong to a stone (by file name, or as the plan has them) so that the stone
//! gets an error record.

pub use crate::spectrum::stone_id_from_path;
use crate::spectrum::{ReadOptions, Spectrum, read_path_hashed, stone_ids};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// The sha256 of each file's bytes (as `files`; None where they could not be read).
    pub sha256: Vec<Option<String>>,
}

/// Read files and group them into stones (sorted by stone id). `opts` is what the user said
/// about files that do not say it (command-line defaults).
pub fn group_files(paths: &[PathBuf], opts: &ReadOptions) -> Vec<StoneInput> {
    group_planned(paths, opts, &|p: &Path| vec![stone_id_from_path(p)])
}

/// [`group_files`], with the stones a file that does not read belongs to given by `error_ids`
/// (a run's plan: the ids its header gave, or its name's).
pub fn group_planned(
    paths: &[PathBuf],
    opts: &ReadOptions,
    error_ids: &dyn Fn(&Path) -> Vec<String>,
) -> Vec<StoneInput> {
    use rayon::prelude::*;
    // (file, its spectra or why not, the sha256 of its bytes)
    type Read = (String, Result<Vec<Spectrum>, String>, Option<String>);
    let read: Vec<Read> = paths
        .par_iter()
        .map(|p| {
            let file = p.display().to_string();
            let (r, digest) = read_path_hashed(p, opts);
            (file, r.map_err(|e| e.to_string()), digest)
        })
        .collect();
    let mut stones: BTreeMap<String, StoneInput> = BTreeMap::new();
    fn stone(stones: &mut BTreeMap<String, StoneInput>, id: String) -> &mut StoneInput {
        stones.entry(id.clone()).or_insert_with(|| StoneInput {
            id,
            ..Default::default()
        })
    }
    for ((file, r, digest), path) in read.into_iter().zip(paths) {
        match r {
            Ok(spectra) => {
                for s in spectra {
                    let id = s
                        .meta
                        .stone_id
                        .clone()
                        .unwrap_or_else(|| stone_id_from_path(path));
                    let st = stone(&mut stones, id);
                    if !st.files.contains(&file) {
                        st.files.push(file.clone());
                        st.sha256.push(digest.clone());
                    }
                    st.spectra.push(SpectrumInput {
                        file: file.clone(),
                        spectrum: s,
                    });
                }
            }
            Err(e) => {
                for id in error_ids(path) {
                    let st = stone(&mut stones, id);
                    st.files.push(file.clone());
                    st.sha256.push(digest.clone());
                    st.errors.push(e.clone());
                }
            }
        }
    }
    stones.into_values().collect()
}

/// A run's plan: every stone (sorted by id) with all its files, from every file's stone ids
/// ([`stone_ids`]: the ids inside the file, else its name's), so that a stone is read, screened
/// and recorded once, whatever chunk, shard or resumed run its files fall in. Memory holds the
/// paths and ids, never the spectra.
pub fn plan_stones(paths: Vec<PathBuf>, opts: &ReadOptions) -> Vec<(String, Vec<PathBuf>)> {
    use rayon::prelude::*;
    let ids: Vec<Vec<String>> = paths.par_iter().map(|p| stone_ids(p, opts)).collect();
    let mut m: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for (p, ids) in paths.into_iter().zip(ids) {
        for id in ids {
            let files = m.entry(id).or_default();
            if files.last() != Some(&p) {
                files.push(p.clone());
            }
        }
    }
    m.into_iter().collect()
}
