//! Stones whose ids come from their files' names and whose names begin with the same word
//! (`X_PL_avg.csv` and `X_FTIR.csv`; `scan_0001.csv` and `scan_0002.csv`): the names cannot say
//! whether they are one stone's files or different stones. They are screened as different
//! stones, and a part of one stone may pass where the whole would be referred, so each record
//! says so. Found from the plan (every stone's id and files, before shards), so every shard and
//! chunk says the same.

use crate::spectrum::stone_id_from_path;
use std::collections::HashMap;
use std::path::PathBuf;

/// Names of kin listed in a warning, at most.
const LISTED: usize = 3;

/// For each first word that two or more stones' name-given ids share: how many share it, and
/// the first few of them (enough to list [`LISTED`] others than any one). Memory and time grow
/// with the stones once (an archive of a million `scan_*` files is one word), never with their
/// pairs.
#[derive(Debug, Default)]
pub struct NameKin {
    words: HashMap<String, (usize, Vec<String>)>,
}

/// Whether `id` is what the names of all of `paths` give.
fn named(id: &str, paths: &[PathBuf]) -> bool {
    !paths.is_empty() && paths.iter().all(|p| stone_id_from_path(p) == id)
}

/// An id's first word (up to its first `_`).
fn first_word(id: &str) -> &str {
    id.split('_').next().unwrap_or(id)
}

impl NameKin {
    /// The kin of a run's whole plan (every stone's id and files).
    pub fn of(plan: &[(String, Vec<PathBuf>)]) -> NameKin {
        let mut words: HashMap<String, (usize, Vec<String>)> = HashMap::new();
        for (id, _) in plan.iter().filter(|(id, paths)| named(id, paths)) {
            let (count, some) = words.entry(first_word(id).to_string()).or_default();
            *count += 1;
            if some.len() <= LISTED {
                some.push(id.clone());
            }
        }
        words.retain(|_, (count, _)| *count > 1);
        NameKin { words }
    }

    /// The warning for the stone `id` with `paths`, where its name-given id shares its first
    /// word with another stone's.
    pub fn warning(&self, id: &str, paths: &[PathBuf]) -> Option<String> {
        // the map first: most stones' words have no kin, and need no name read again
        let word = first_word(id);
        let (count, some) = self.words.get(word)?;
        if !named(id, paths) {
            return None;
        }
        let others: Vec<&str> = some
            .iter()
            .map(String::as_str)
            .filter(|&o| o != id)
            .take(LISTED)
            .collect();
        let more = (count - 1).saturating_sub(others.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        Some(format!(
            "stone id from file names, which begin with the same word ('{word}') as other \
             stones' ({}{more}): if any are this stone's files, it was screened in parts, and a \
             part may pass where the whole would be referred; name a stone's files alike or \
             put its id inside them",
            others.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(files: &[(&str, &str)]) -> Vec<(String, Vec<PathBuf>)> {
        files
            .iter()
            .map(|(id, f)| (id.to_string(), vec![PathBuf::from(f)]))
            .collect()
    }

    #[test]
    fn stones_named_alike_are_told_and_others_are_not() {
        let p = plan(&[
            ("X", "d/X_FTIR.csv"),
            ("X_PL_avg", "d/X_PL_avg.csv"),
            ("scan_0001", "d/scan_0001.csv"),
            ("scan_0002", "d/scan_0002.csv"),
            ("scan_0003", "d/scan_0003.csv"),
            ("scan_0004", "d/scan_0004.csv"),
            ("scan_0005", "d/scan_0005.csv"),
            ("Y", "d/Y_pl532.csv"),
            // ids from inside the files: the names say nothing of them
            ("S-17", "d/scan_0009.csv"),
            ("S-17_b", "d/scan_0010.csv"),
        ]);
        let kin = NameKin::of(&p);
        let w: HashMap<&str, String> = p
            .iter()
            .filter_map(|(id, paths)| Some((id.as_str(), kin.warning(id, paths)?)))
            .collect();
        assert!(w["X"].contains("('X')") && w["X"].contains("X_PL_avg"));
        assert!(w["X_PL_avg"].contains("(X)"));
        assert!(w["scan_0001"].contains("(scan_0002, scan_0003, scan_0004 and 1 more)"));
        assert!(w["scan_0005"].contains("(scan_0001, scan_0002, scan_0003 and 1 more)"));
        assert_eq!(w.len(), 7);
        assert!(!w.contains_key("Y") && !w.contains_key("S-17"));
    }
}
