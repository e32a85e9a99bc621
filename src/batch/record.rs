//! The one flat record of a stone that every output format writes: the same columns, in the
//! same order, with the same values, whether JSON lines, CSV or Parquet ([`super::output`]).
//! Scalars are columns of their own; the nested parts (evidence, channels, warnings, models,
//! files and their digests) are JSON values in JSON lines and JSON text in CSV and Parquet.
//!
//! Every record carries its provenance: the sha256 of each input file, each model's id,
//! version and sha256, and the tool's version, so that a verdict can be traced to the bytes
//! and the model that gave it.

use crate::model::ModelSet;
use crate::verdict::Verdict;
use serde_json::{Value, json};
use std::collections::HashMap;

/// What kind of values a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Number,
    /// A nested value: JSON in JSON lines, JSON text elsewhere.
    Json,
}

/// The columns of a record, in order.
pub const COLUMNS: [(&str, Kind); 17] = [
    ("stone_id", Kind::Text),
    ("verdict", Kind::Text),
    ("likely_origin", Kind::Text),
    ("p_synthetic", Kind::Number),
    ("threshold", Kind::Number),
    ("p_natural", Kind::Number),
    ("p_cvd", Kind::Number),
    ("p_hpht", Kind::Number),
    ("p_simulant", Kind::Number),
    ("error", Kind::Text),
    ("evidence", Kind::Json),
    ("channels", Kind::Json),
    ("warnings", Kind::Json),
    ("models", Kind::Json),
    ("files", Kind::Json),
    ("file_sha256", Kind::Json),
    ("tool_version", Kind::Text),
];

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(Option<String>),
    Number(Option<f64>),
    Json(Value),
}

impl Cell {
    pub fn kind(&self) -> Kind {
        match self {
            Cell::Text(_) => Kind::Text,
            Cell::Number(_) => Kind::Number,
            Cell::Json(_) => Kind::Json,
        }
    }

    /// The value as JSON (JSON lines).
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Text(t) => t.clone().map_or(Value::Null, Value::String),
            Cell::Number(x) => x
                .and_then(serde_json::Number::from_f64)
                .map_or(Value::Null, Value::Number),
            Cell::Json(v) => v.clone(),
        }
    }

    /// The value as text (CSV, Parquet's text columns); None for a missing scalar. Numbers are
    /// written in the shortest form that reads back to the same f64.
    pub fn to_text(&self) -> Option<String> {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(x) => x.map(|x| x.to_string()),
            Cell::Json(v) => Some(v.to_string()),
        }
    }
}

/// The tool's version and the commit it was built from ("0.1.0 (commit 1a2b3c4d5e6f)", with
/// ", modified" where the sources differed from it; "(commit unknown)" where the build could
/// not tell: see `build.rs`), as `--version` prints it.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), env!("DIAMOND_SCREEN_BUILD"));

/// The tool's name and version, as records carry it: every commit shares the version number,
/// so the commit says which code gave a verdict.
pub fn tool_version() -> String {
    format!("diamond-screen {VERSION}")
}

/// What a record says about the models and the tool, looked up once per run.
pub struct Provenance {
    /// "id@version" -> {id, version, sha256}
    models: HashMap<String, Value>,
    tool: String,
}

impl Provenance {
    pub fn new(models: &ModelSet) -> Provenance {
        let models = models
            .models
            .iter()
            .map(|m| {
                let s = &m.manifest.spec;
                (
                    format!("{}@{}", s.id, s.version),
                    json!({"id": s.id, "version": s.version, "sha256": m.manifest.sha256}),
                )
            })
            .collect();
        Provenance {
            models,
            tool: tool_version(),
        }
    }

    /// A stone's record, in the order of [`COLUMNS`].
    pub fn cells(&self, v: &Verdict) -> Vec<Cell> {
        let p = v.probabilities;
        let models: Vec<Value> = v
            .models
            .iter()
            .map(|m| {
                self.models
                    .get(m)
                    .cloned()
                    .unwrap_or_else(|| json!({"id": m, "version": null, "sha256": null}))
            })
            .collect();
        // One digest per file (null where the bytes could not be read or none were recorded).
        let digests: Vec<Option<&String>> = (0..v.files.len())
            .map(|i| v.file_sha256.get(i).and_then(Option::as_ref))
            .collect();
        vec![
            Cell::Text(Some(v.stone_id.clone())),
            Cell::Text(Some(v.verdict.name().to_string())),
            Cell::Text(v.likely_origin.map(|o| o.name().to_string())),
            Cell::Number(v.p_synthetic),
            Cell::Number(v.threshold),
            Cell::Number(p.map(|p| p.natural)),
            Cell::Number(p.map(|p| p.cvd)),
            Cell::Number(p.map(|p| p.hpht)),
            Cell::Number(p.map(|p| p.simulant)),
            Cell::Text(v.error.clone()),
            Cell::Json(json(&v.evidence)),
            Cell::Json(json(&v.channels)),
            Cell::Json(json(&v.warnings)),
            Cell::Json(Value::Array(models)),
            Cell::Json(json(&v.files)),
            Cell::Json(json(&digests)),
            Cell::Text(Some(self.tool.clone())),
        ]
    }
}

fn json<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::{Origin, Probabilities, VerdictKind};

    #[test]
    fn cells_follow_the_columns() {
        let mut v = Verdict::error("S1", "bad".into());
        v.verdict = VerdictKind::Refer;
        v.likely_origin = Some(Origin::Hpht);
        v.probabilities = Some(Probabilities {
            natural: 0.1,
            cvd: 0.2,
            hpht: 0.3,
            simulant: 0.4,
        });
        v.files = vec!["a.csv".into(), "b.csv".into()];
        v.file_sha256 = vec![Some("00ff".into())];
        let p = Provenance {
            models: HashMap::new(),
            tool: tool_version(),
        };
        let cells = p.cells(&v);
        assert_eq!(cells.len(), COLUMNS.len());
        for (c, (name, kind)) in cells.iter().zip(COLUMNS) {
            assert_eq!(c.kind(), kind, "{name}");
        }
        assert_eq!(cells[2].to_text().as_deref(), Some("hpht"));
        assert_eq!(cells[6].to_json(), json!(0.2));
        assert_eq!(cells[15].to_json(), json!(["00ff", null]));
        assert_eq!(cells[3].to_text(), None);
        assert_eq!(cells[3].to_json(), Value::Null);
    }
}
