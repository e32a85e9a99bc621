//! A file's stone ids without parsing all of it, for planning a run: every stone with all its
//! files before any is screened (a stone's files can carry a `stone_id` that their names do
//! not, as `scan_0001.csv` archives do).
//!
//! The ids are exactly what [`super::read_path_with`] gives (the same reader runs), learnt from a
//! prefix of the file where that provably gives the same ids: a text file whose bytes past
//! the prefix are nothing but numbers, separators and line ends. A delimited reader takes its
//! metadata, its column layout (and so the number of spectra) and its encoding from the text
//! before or within the prefix, so the rest cannot change an id; a JCAMP-DX file with plain
//! XY data past the prefix holds one spectrum whose id its header gives. Anything else (binary
//! files, JSON, compressed JCAMP data, a label, metadata line or non-ASCII byte after the
//! prefix, a prefix that does not read) is read whole. A file that does not read belongs to the
//! stone its name gives.

use super::{ReadOptions, binary, read_bytes_with, read_file, stone_id_from_path};
use std::path::Path;

/// Bytes of a large text file parsed to learn its ids: a header of up to about 4,000
/// characters (a longer one sends the file to a full read, never to a wrong id). 16 KiB parsed
/// half of a typical 34 kB spectrum again; this is an eighth.
pub const PREFIX_BYTES: usize = 4 * 1024;

/// Bytes a numeric data row can hold: digits, a decimal point or comma, signs, exponents, the
/// separators (tab, space, `,`, `;`) and line ends.
fn numeric_row_byte(b: u8) -> bool {
    // compares only (no table or bit test), so that a block of bytes is tested in vectors
    (b.wrapping_sub(b'0') < 10)
        | (b == b'.')
        | (b == b',')
        | (b == b';')
        | (b == b'+')
        | (b == b'-')
        | (b == b'e')
        | (b == b'E')
        | (b == b' ')
        | (b == b'\t')
        | (b == b'\r')
        | (b == b'\n')
}

/// The stone id of every spectrum `read_path_with(path, opts)` gives (in order), or the name's
/// stone id when the file does not read.
pub fn stone_ids(path: &Path, opts: &ReadOptions) -> Vec<String> {
    let by_name = || vec![stone_id_from_path(path)];
    let ids = |spectra: Vec<crate::spectrum::Spectrum>| -> Vec<String> {
        let v: Vec<String> = spectra
            .into_iter()
            .map(|s| s.meta.stone_id.unwrap_or_else(|| stone_id_from_path(path)))
            .collect();
        if v.is_empty() { by_name() } else { v }
    };
    // The same bytes read_path_with reads, with its size and kind checks.
    let Ok(bytes) = read_file(path) else {
        return by_name();
    };
    let name = path.display().to_string();
    if let Some(cut) = prefix_end(&bytes) {
        let head = &bytes[..cut];
        if binary::read(&name, head).is_none()
            && let Ok(spectra) = read_bytes_with(&name, head, opts)
        {
            return ids(spectra);
        }
    }
    read_bytes_with(&name, &bytes, opts).map_or_else(|_| by_name(), ids)
}

/// Where the prefix ends (after its last line end) when everything after it is numeric rows.
fn prefix_end(bytes: &[u8]) -> Option<usize> {
    if bytes.len() <= PREFIX_BYTES {
        return None;
    }
    let cut = bytes[..PREFIX_BYTES].iter().rposition(|&b| b == b'\n')? + 1;
    // Whole blocks folded without an early exit, so that the test runs as vector compares
    // (this scan touches every byte of the archive while planning).
    let rest = &bytes[cut..];
    let blocks = rest.chunks_exact(64);
    let tail = blocks.remainder();
    let numeric = |chunk: &[u8]| chunk.iter().fold(true, |ok, &b| ok & numeric_row_byte(b));
    (blocks.into_iter().all(numeric) && numeric(tail)).then_some(cut)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spectrum::read_path_with;

    fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn rows(n: usize, cols: usize) -> String {
        (0..n)
            .map(|i| {
                let ys: Vec<String> = (0..cols).map(|c| format!("{}.25", i + c)).collect();
                format!("{:.3},{}\n", 500.0 + i as f64 * 0.05, ys.join(","))
            })
            .collect()
    }

    fn full(p: &Path, opts: &ReadOptions) -> Vec<String> {
        read_path_with(p, opts)
            .unwrap()
            .into_iter()
            .map(|s| s.meta.stone_id.unwrap())
            .collect()
    }

    #[test]
    fn ids_are_those_of_the_full_read() {
        let dir = tempfile::tempdir().unwrap();
        let opts = ReadOptions::default();
        let one = write(
            dir.path(),
            "scan_0001.csv",
            &format!("# stone_id: S-17\nwavelength_nm,counts\n{}", rows(3000, 1)),
        );
        assert!(prefix_end(&std::fs::read(&one).unwrap()).is_some());
        assert_eq!(stone_ids(&one, &opts), vec!["S-17"]);
        assert_eq!(stone_ids(&one, &opts), full(&one, &opts));
        // three intensity columns: three spectra, S-18#1..#3
        let three = write(
            dir.path(),
            "scan_0002.csv",
            &format!("# stone_id: S-18\nnm,a,b,c\n{}", rows(3000, 3)),
        );
        assert_eq!(stone_ids(&three, &opts), full(&three, &opts));
        assert_eq!(stone_ids(&three, &opts).len(), 3);
        let pick = ReadOptions {
            spectrum: Some(2),
            ..ReadOptions::default()
        };
        assert_eq!(stone_ids(&three, &pick), full(&three, &pick));
        // no id inside: the name's
        let named = write(dir.path(), "A9_pl532.csv", &rows(3000, 1));
        assert_eq!(stone_ids(&named, &opts), vec!["A9"]);
    }

    #[test]
    fn metadata_past_the_prefix_sends_the_file_to_a_full_read() {
        let dir = tempfile::tempdir().unwrap();
        let opts = ReadOptions::default();
        // a stone id after the data: only a full read sees it
        let late = write(
            dir.path(),
            "scan_0003.csv",
            &format!("{}# stone_id: LATE\n", rows(3000, 1)),
        );
        assert!(prefix_end(&std::fs::read(&late).unwrap()).is_none());
        assert_eq!(stone_ids(&late, &opts), full(&late, &opts));
        assert_eq!(stone_ids(&late, &opts), vec!["LATE"]);
        // a file that does not read belongs to its name's stone
        let bad = write(
            dir.path(),
            "B7_pl532.csv",
            &format!("{}nan,1\n", rows(3000, 1)),
        );
        assert!(read_path_with(&bad, &opts).is_err());
        assert_eq!(stone_ids(&bad, &opts), vec!["B7"]);
        let missing = dir.path().join("C3_pl532.csv");
        assert_eq!(stone_ids(&missing, &opts), vec!["C3"]);
    }
}
