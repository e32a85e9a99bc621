//! Stones whose ids come from their files' names and whose names begin with the same word
//! (`X_PL_avg.csv` and `X_FTIR.csv`; `scan_0001.csv` and `scan_0002.csv`): the names cannot say
//! whether they are one stone's files or different stones. They are screened as different
//! stones, and a part of one stone may pass where the whole would be referred, so each record
//! says so. Found from the plan (every stone's id and files, before shards), so every shard and
//! chunk says the same.

use crate::spectrum::stone_id_from_path;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// Names of kin listed in a warning, at most.
const LISTED: usize = 3;

/// The warning for each stone of `plan` whose id its files' names gave and whose first word
/// (up to the first `_`) another such stone's id shares.
pub fn name_kin(plan: &[(String, Vec<PathBuf>)]) -> HashMap<String, String> {
    let mut by_word: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, paths) in plan {
        let named = !paths.is_empty() && paths.iter().all(|p| stone_id_from_path(p) == *id);
        if named {
            let word = id.split('_').next().unwrap_or(id);
            by_word.entry(word).or_default().push(id);
        }
    }
    let mut warnings = HashMap::new();
    for (word, ids) in by_word.into_iter().filter(|(_, ids)| ids.len() > 1) {
        for &id in &ids {
            let others: Vec<&str> = ids.iter().copied().filter(|&o| o != id).collect();
            let listed = others[..others.len().min(LISTED)].join(", ");
            let more = others.len().saturating_sub(LISTED);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            warnings.insert(
                id.to_string(),
                format!(
                    "stone id from file names, which begin with the same word ('{word}') as \
                     other stones' ({listed}{more}): if any are this stone's files, it was \
                     screened in parts, and a part may pass where the whole would be referred; \
                     name a stone's files alike or put its id inside them"
                ),
            );
        }
    }
    warnings
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
        let w = name_kin(&plan(&[
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
        ]));
        assert!(w["X"].contains("('X')") && w["X"].contains("X_PL_avg"));
        assert!(w["X_PL_avg"].contains("(X)"));
        assert!(w["scan_0001"].contains("scan_0002, scan_0003, scan_0004 and 1 more"));
        assert_eq!(w.len(), 7);
        assert!(!w.contains_key("Y") && !w.contains_key("S-17"));
    }
}
