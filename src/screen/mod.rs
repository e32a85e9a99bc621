//! The screening core every path goes through (evaluate, screen, the service): many stones in,
//! verdicts out. Detection and feature rows are computed in parallel (rayon) and written
//! straight into one contiguous `[rows, features]` batch per model; each model runs over its
//! batch in chunks; the probabilities are fanned back to their stones and fused.

pub mod files;
mod group;

pub use group::{
    SpectrumInput, StoneInput, group_files, group_planned, plan_stones, stone_id_from_path,
};

use crate::channel::Channel;
use crate::lines::Detection;
use crate::model::ModelSet;
use crate::model::runner::Scores;
use crate::stage::stage;
use crate::verdict::{ChannelResult, Familiarity, Probabilities, Verdict, fuse};
use ndarray::{Array2, Axis, s};
use rayon::prelude::*;

/// Rows per model call.
pub const DEFAULT_CHUNK: usize = 256;

pub struct Screener {
    pub models: ModelSet,
    pub chunk: usize,
    /// Class balance the models were trained on (natural, cvd, hpht, simulant).
    pub prior: [f64; 4],
}

/// A spectrum's feature row for its model, or why it has none.
type FeatureRow = Result<Vec<f32>, String>;

/// Per spectrum: its detection, channel, and the model outcome.
struct Scored {
    detection: Detection,
    channel: Option<Channel>,
    model: Option<usize>,
    probabilities: Option<Probabilities>,
    familiarity: Option<Familiarity>,
    failure: Option<String>,
}

impl Screener {
    pub fn new(models: ModelSet) -> Screener {
        let prior = models.prior();
        Screener {
            models,
            chunk: DEFAULT_CHUNK,
            prior,
        }
    }

    /// Screen stones; one verdict per stone, in order.
    pub fn screen(&self, stones: &[StoneInput]) -> Vec<Verdict> {
        let flat: Vec<(usize, &SpectrumInput)> = stones
            .iter()
            .enumerate()
            .flat_map(|(i, st)| st.spectra.iter().map(move |s| (i, s)))
            .collect();
        // One stage per spectrum: x converted once, the detector's findings, and the feature
        // row of the spectrum's model.
        let staged: Vec<(Scored, Option<FeatureRow>)> = flat
            .par_iter()
            .map(|(_, inp)| {
                let channel = Channel::of(&inp.spectrum);
                let model = channel
                    .and_then(|c| self.models.for_channel(c))
                    .map(|(i, _)| i);
                let (detection, row) = match model {
                    Some(i) => {
                        let spec = &self.models.models[i].manifest.spec;
                        let mut row = vec![0f32; spec.n_features()];
                        let st = stage(&inp.spectrum, &mut [(spec, row.as_mut_slice())]);
                        let outcome = match st.rows.into_iter().next() {
                            Some(Ok(())) => Ok(row),
                            Some(Err(e)) => Err(e.to_string()),
                            None => Err("no feature row".to_string()),
                        };
                        (st.detection, Some(outcome))
                    }
                    None => (stage(&inp.spectrum, &mut []).detection, None),
                };
                (
                    Scored {
                        detection,
                        channel,
                        model,
                        probabilities: None,
                        familiarity: None,
                        failure: None,
                    },
                    row,
                )
            })
            .collect();
        let (mut scored, mut feature_rows): (Vec<Scored>, Vec<_>) = staged.into_iter().unzip();
        for (mi, m) in self.models.models.iter().enumerate() {
            let rows: Vec<usize> = (0..flat.len())
                .filter(|&k| scored[k].model == Some(mi))
                .collect();
            if rows.is_empty() {
                continue;
            }
            let nf = m.manifest.spec.n_features();
            let mut batch = Array2::<f32>::zeros((rows.len(), nf));
            let mut failures: Vec<Option<String>> = Vec::with_capacity(rows.len());
            for (mut out, &k) in batch.axis_iter_mut(Axis(0)).zip(&rows) {
                match feature_rows[k].take() {
                    Some(Ok(row)) => {
                        out.assign(&ndarray::ArrayView1::from(&row[..]));
                        failures.push(None);
                    }
                    Some(Err(e)) => failures.push(Some(e)),
                    None => failures.push(Some("no feature row".into())),
                }
            }
            let chunks: Vec<(usize, Result<Scores, String>)> = (0..rows.len())
                .step_by(self.chunk.max(1))
                .collect::<Vec<_>>()
                .into_par_iter()
                .map(|start| {
                    let end = (start + self.chunk.max(1)).min(rows.len());
                    (
                        start,
                        m.runner
                            .score(batch.slice(s![start..end, ..]))
                            .map_err(|e| e.to_string()),
                    )
                })
                .collect();
            for (start, res) in chunks {
                match res {
                    Ok(p) => {
                        let check = m.manifest.familiarity.as_ref();
                        for (r, probs) in p.probabilities.axis_iter(Axis(0)).enumerate() {
                            let k = rows[start + r];
                            let familiarity = check
                                .zip(p.familiarity.as_ref())
                                .map(|(c, d)| Familiarity::measured(d[r] as f64, c.threshold));
                            scored[k].familiarity = familiarity;
                            // A spectrum unlike the training set gets no vote, nor one
                            // the detector read as another material's band.
                            if !familiarity.is_some_and(|f| f.refuses())
                                && scored[k].detection.model_may_vote()
                            {
                                scored[k].probabilities = Some(Probabilities::from_row(
                                    probs.as_slice().unwrap_or(&[0.0; 4]),
                                ));
                            }
                        }
                    }
                    Err(e) => {
                        let end = (start + self.chunk.max(1)).min(rows.len());
                        for &k in &rows[start..end] {
                            scored[k].failure =
                                Some(format!("model {} failed: {e}", m.manifest.spec.id));
                        }
                    }
                }
            }
            for (r, f) in failures.into_iter().enumerate() {
                if let Some(f) = f {
                    let k = rows[r];
                    scored[k].probabilities = None;
                    scored[k].failure = Some(format!("features for {}: {f}", m.manifest.spec.id));
                }
            }
        }
        // Fan back to stones.
        let mut per_stone: Vec<Vec<ChannelResult>> = vec![Vec::new(); stones.len()];
        for ((stone, inp), sc) in flat.iter().zip(scored) {
            let model = sc.model.map(|i| &self.models.models[i]);
            let mut problems = sc.detection.quality.problems.clone();
            let mut notes = sc.detection.quality.notes.clone();
            if let (Some(f), Some(m)) = (sc.familiarity, model)
                && f.refuses()
                && sc.failure.is_none()
            {
                notes.push(format!(
                    "unlike the spectra {} was trained on (distance {:.2}, its limit {:.2}): the \
                     model gets no vote and the stone cannot pass on this spectrum",
                    m.manifest.spec.id, f.distance, f.threshold
                ));
            }
            if let Some(f) = &sc.failure {
                problems.push(f.clone());
            }
            let s = &inp.spectrum;
            per_stone[*stone].push(ChannelResult {
                file: inp.file.clone(),
                channel: sc.channel,
                technique: s.meta.technique.map(|t| t.name().to_string()),
                excitation_nm: s.meta.excitation_nm,
                model: model.map(|m| format!("{}@{}", m.manifest.spec.id, m.manifest.spec.version)),
                probabilities: sc.probabilities,
                threshold: model.map(|m| m.manifest.thresholds.p_synthetic_pass),
                diamond: sc.detection.diamond,
                usable: sc.detection.quality.usable && sc.failure.is_none(),
                problems,
                notes,
                remeasure: sc.detection.quality.remeasure.clone(),
                held: sc.detection.quality.held.clone(),
                diamond_type: sc.detection.ftir.as_ref().map(|t| t.diamond_type.clone()),
                ftir: sc.detection.ftir,
                familiarity: sc.familiarity,
                evidence: sc.detection.evidence,
            });
        }
        stones
            .iter()
            .zip(per_stone)
            .map(|(st, chans)| {
                if !st.errors.is_empty() {
                    let mut v = Verdict::error(&st.id, st.errors.join("; "));
                    v.files = st.files.clone();
                    v.file_sha256 = st.sha256.clone();
                    return v;
                }
                let mut warnings = Vec::new();
                if chans.iter().all(|c| c.model.is_none()) {
                    warnings.push("no model covers any spectrum of this stone".into());
                }
                for c in chans.iter().filter(|c| c.channel.is_none()) {
                    warnings.push(format!(
                        "{}: no model for this technique/excitation; detector evidence only",
                        c.file
                    ));
                }
                let mut v = fuse(&st.id, chans, warnings, &self.prior);
                v.files = st.files.clone();
                v.file_sha256 = st.sha256.clone();
                v
            })
            .collect()
    }
}
