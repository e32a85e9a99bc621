//! The one stage from a spectrum to everything the models and the verdict need: its x axis
//! converted once, the detector's findings ([`Detection`]), and the feature row of every model
//! asked for. Screening (and so the service), featurize, plot and inspect (findings only) and
//! the fuzz targets all go through here, so a spectrum is read the same way on every path.
//!
//! The detector and a protocol read the spectrum in the same unit (nm for PL, cm^-1 for
//! FTIR): the conversion is shared. Each still despikes its own copy: the protocol crops first,
//! and the despiker's noise estimate is global, so sharing the detector's despiked points
//! changes the features the shipped models were trained on. Measured (2,000 simulated stones of
//! every family): p(synthetic) moved for 503 stones, by up to 0.16, and one verdict changed.
//! Sharing waits for a crop-independent (local) noise estimate and a retrain.

use crate::lines::{Detection, detect_converted, detector_unit};
use crate::model::ModelSpec;
use crate::preprocess::PrepareError;
use crate::spectrum::Spectrum;

/// A spectrum's findings and the outcome of each feature row asked for.
pub struct Staged {
    pub detection: Detection,
    /// One per model asked for, in order: the row was written, or why not.
    pub rows: Vec<Result<(), PrepareError>>,
}

/// Detect on `s` and write the feature row of each (`spec`, `row`) in `models`.
pub fn stage(s: &Spectrum, models: &mut [(&ModelSpec, &mut [f32])]) -> Staged {
    let unit = s.meta.technique.map(detector_unit);
    let converted = unit.as_ref().map(|u| s.converted(u));
    // The protocols' copies of the converted points, taken before the detector consumes them.
    let shared: Vec<Option<(Vec<f64>, Vec<f64>)>> = models
        .iter()
        .map(|(spec, _)| match (&converted, &unit) {
            (Some(Ok(xy)), Some(u)) if *u == spec.protocol.x_unit => Some(xy.clone()),
            _ => None,
        })
        .collect();
    // the protocols read only the specs: a shared reborrow, no copy per spectrum
    let specs: &[(&ModelSpec, &mut [f32])] = models;
    // The detector and the protocols are independent until the row is written: side by side
    // (rayon runs them one after the other when no core is idle), so that a lone stone's few
    // spectra spread over every core (a single-stone request's latency).
    let (detection, prepared) = rayon::join(
        || detect_converted(s, converted.map(|r| r.map_err(|e| e.to_string()))),
        || {
            specs
                .iter()
                .zip(shared)
                .map(|((spec, _), xy)| match xy {
                    Some((x, y)) => spec.protocol.prepare_converted(x, y, s.meta.excitation_nm),
                    None => spec.protocol.prepare(s),
                })
                .collect::<Vec<_>>()
        },
    );
    let rows = models
        .iter_mut()
        .zip(prepared)
        .map(|((spec, row), prepared)| spec.write_prepared(prepared?, &detection, row))
        .collect();
    Staged { detection, rows }
}

/// The detector's findings alone (plot, inspect).
pub fn findings(s: &Spectrum) -> Detection {
    stage(s, &mut []).detection
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::detect;
    use crate::simulate::{Channel, Kind, simulate_kind, stone_rng};

    /// The shared conversion gives exactly what the separate paths give.
    #[test]
    fn one_stage_gives_what_the_separate_steps_give() {
        let spec: ModelSpec =
            serde_json::from_str(include_str!("../models/train/specs/pl532.json")).unwrap();
        let ftir: ModelSpec =
            serde_json::from_str(include_str!("../models/train/specs/ftir.json")).unwrap();
        for i in 0..6 {
            let mut rng = stone_rng(12, i);
            let st = simulate_kind(
                &mut rng,
                format!("S{i}"),
                Kind::ALL[i as usize % Kind::ALL.len()],
                &[Channel::Pl532, Channel::Ftir],
                crate::simulate::Family::ALL[i as usize % 7],
            );
            for ((_, s), spec) in st.spectra.iter().zip([&spec, &ftir]) {
                let mut row = vec![0f32; spec.n_features()];
                let staged = stage(s, &mut [(spec, row.as_mut_slice())]);
                let alone = detect(s);
                assert_eq!(staged.detection, alone);
                let mut want = vec![0f32; spec.n_features()];
                let a = (spec.protocol.prepare(s))
                    .and_then(|p| spec.write_prepared(p, &alone, &mut want));
                assert_eq!(staged.rows[0].is_ok(), a.is_ok());
                assert_eq!(row, want);
            }
        }
    }
}
