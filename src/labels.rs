//! `labels.csv`: `stone_id,truth,subtype[,family]` for a labelled folder (simulated or a lab's
//! own reference stones); `family` is the instrument family that measured the stone.

use crate::simulate::Truth;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub truth: Truth,
    pub subtype: String,
    /// The instrument family (simulated sets); empty where not given.
    pub family: String,
}

pub fn read_labels(path: &Path) -> Result<HashMap<String, Label>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (i == 0 && line.starts_with("stone_id")) {
            continue;
        }
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() < 2 {
            return Err(format!(
                "{}:{}: expected stone_id,truth[,subtype]",
                path.display(),
                i + 1
            ));
        }
        let truth = Truth::parse(f[1]).ok_or_else(|| {
            format!(
                "{}:{}: unknown truth {:?} (natural, cvd, hpht, simulant)",
                path.display(),
                i + 1,
                f[1]
            )
        })?;
        out.insert(
            f[0].to_string(),
            Label {
                truth,
                subtype: f.get(2).unwrap_or(&"").to_string(),
                family: f.get(3).unwrap_or(&"").to_string(),
            },
        );
    }
    Ok(out)
}
