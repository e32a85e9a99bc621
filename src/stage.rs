//! The one stage from a spectrum to everything the models and the verdict need: its x axis
//! converted once, the detector's findings ([`Detection`]), and the feature row of every model
//! asked for. Screening (and so the service), featurize, plot and inspect (findings only) and
//! the fuzz targets all go through here, so a spectrum is read the same way on every path.
//!
//! The detector and a protocol read the spectrum in the same unit (nm for PL, cm^-1 for
//! FTIR), and a PL, UV-Vis or Raman spectrum is despiked once, over its whole converted range
//! ([`crate::lines::convert`]): the detector reads those points, and so does every protocol
//! whose first step is that same despike (the shipped PL protocols despike before they crop,
//! so that their features are computed from the detector's points). A protocol that starts
//! otherwise (an older manifest) gets the converted points as measured.

use crate::lines::{Detection, convert, detect_converted};
use crate::model::ModelSpec;
use crate::preprocess::PrepareError;
use crate::spectrum::Spectrum;

/// A spectrum's findings and the outcome of each feature row asked for.
pub struct Staged {
    pub detection: Detection,
    /// One per model asked for, in order: the row was written, or why not.
    pub rows: Vec<Result<(), PrepareError>>,
}

/// A protocol's starting points: x, y, and the shared despike's count where y is its result
/// ([`crate::preprocess::Protocol::begin`]).
type Start = (Vec<f64>, Vec<f64>, Option<usize>);

/// Detect on `s` and write the feature row of each (`spec`, `row`) in `models`.
pub fn stage(s: &Spectrum, models: &mut [(&ModelSpec, &mut [f32])]) -> Staged {
    let converted = convert(s);
    let unit = s.meta.technique.map(crate::lines::detector_unit);
    // The protocols' copies of the points, taken before the detector consumes them: (x, y,
    // the despike's count) with the despiked points where the protocol starts with the shared
    // despike, else (x, y as measured, None).
    let shared: Vec<Option<Start>> = models
        .iter()
        .map(|(spec, _)| match (&converted, &unit) {
            (Some(Ok(p)), Some(u)) if *u == spec.protocol.x_unit => Some(match &p.despiked {
                Some(d) if spec.protocol.starts_with_shared_despike() => {
                    (p.x.clone(), d.y.clone(), Some(d.replaced))
                }
                _ => (p.x.clone(), p.y.clone(), None),
            }),
            _ => None,
        })
        .collect();
    // the protocols read only the specs: a shared reborrow, no copy per spectrum
    let specs: &[(&ModelSpec, &mut [f32])] = models;
    let exc = s.meta.excitation_nm;
    // The detector and the protocols' steps up to the normalisation (which reads the
    // detector's Raman line) are independent: side by side (rayon runs them one after the
    // other when no core is idle), so that a lone stone's few spectra spread over every core
    // (a single-stone request's latency).
    let (detection, begun) = rayon::join(
        || detect_converted(s, converted),
        || {
            specs
                .iter()
                .zip(shared)
                .map(|((spec, _), points)| {
                    points
                        .map(|(x, y, despiked)| spec.protocol.begin(x, y, despiked, exc))
                        .transpose()
                })
                .collect::<Vec<_>>()
        },
    );
    // the detector's line is in the protocol's unit wherever the points were shared
    let raman = detection.raman.as_ref();
    let rows = models
        .iter_mut()
        .zip(begun)
        .map(|((spec, row), begun)| {
            let prepared = match begun? {
                Some(part) => spec.protocol.finish(part, exc, raman)?,
                // not in the detector's unit: the protocol converts for itself, and has no
                // Raman line in its unit to normalise by
                None => spec.protocol.prepare(s, None)?,
            };
            spec.write_prepared(prepared, &detection, row)
        })
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

    /// `spec` with its despike step moved to the front (`first`) or after the crop.
    fn despike_at(spec: &ModelSpec, first: bool) -> ModelSpec {
        use crate::preprocess::Step;
        let mut spec = spec.clone();
        let steps = &mut spec.protocol.steps;
        let k = steps
            .iter()
            .position(|s| matches!(s, Step::Despike { .. }))
            .unwrap();
        let d = steps.remove(k);
        steps.insert(if first { 0 } else { 1 }, d);
        spec
    }

    /// A shipped PL spec (both stop at the grid: their models read the detector's findings)
    /// with the protocol the models on the spectrum used after the grid (the baseline, the
    /// Raman-line normalisation, the compression of pl405-mlp 2.1.0) and the spectrum in the
    /// row, so that the whole protocol is still tested on PL spectra.
    fn with_spectrum(spec_json: &str) -> ModelSpec {
        use crate::preprocess::Step;
        let mut spec: ModelSpec = serde_json::from_str(spec_json).unwrap();
        let after_grid: Vec<Step> = serde_json::from_str(
            r#"[{"step": "baseline", "lam": 1000000.0, "max_iter": 15, "tol": 0.001, "decimate": 2},
                {"step": "normalise", "method": "raman_line"},
                {"step": "compress", "scale": 0.1}]"#,
        )
        .unwrap();
        assert!(matches!(
            spec.protocol.steps.last(),
            Some(Step::Resample { .. })
        ));
        spec.protocol.steps.extend(after_grid);
        spec.features.spectrum = true;
        spec.validate().unwrap();
        spec
    }

    fn pl532_with_spectrum() -> ModelSpec {
        with_spectrum(include_str!("../models/train/specs/pl532.json"))
    }

    /// The shared conversion and despike give exactly what the separate paths give, for a
    /// protocol that despikes first (shares the detector's points) and one that crops first
    /// (an older manifest: despikes its own copy).
    #[test]
    fn one_stage_gives_what_the_separate_steps_give() {
        let shipped: ModelSpec =
            serde_json::from_str(include_str!("../models/train/specs/pl532.json")).unwrap();
        let whole = pl532_with_spectrum();
        let ftir: ModelSpec =
            serde_json::from_str(include_str!("../models/train/specs/ftir.json")).unwrap();
        let first = despike_at(&shipped, true);
        let after_crop = despike_at(&shipped, false);
        assert!(first.protocol.starts_with_shared_despike());
        assert!(!after_crop.protocol.starts_with_shared_despike());
        for spec in [
            &first,
            &after_crop,
            &despike_at(&whole, true),
            &despike_at(&whole, false),
        ] {
            stage_matches_separate_steps(spec, &ftir);
        }
    }

    fn stage_matches_separate_steps(spec: &ModelSpec, ftir: &ModelSpec) {
        for i in 0..6 {
            let mut rng = stone_rng(12, i);
            let st = simulate_kind(
                &mut rng,
                format!("S{i}"),
                Kind::ALL[i as usize % Kind::ALL.len()],
                &[Channel::Pl532, Channel::Ftir],
                crate::simulate::Family::ALL[i as usize % 7],
            );
            for ((_, s), spec) in st.spectra.iter().zip([spec, ftir]) {
                let mut row = vec![0f32; spec.n_features()];
                let staged = stage(s, &mut [(spec, row.as_mut_slice())]);
                let alone = detect(s);
                assert_eq!(staged.detection, alone);
                let mut want = vec![0f32; spec.n_features()];
                let a = (spec.protocol.prepare(s, alone.raman.as_ref()))
                    .and_then(|p| spec.write_prepared(p, &alone, &mut want));
                assert_eq!(staged.rows[0].is_ok(), a.is_ok());
                assert_eq!(row, want);
            }
        }
    }
    /// A PL spectrum that reaches its laser (a full-range spectrometer behind a notch filter,
    /// a clipped laser line before the emission, or behind an edge filter, darkness up to its
    /// edge) is screened as the same spectrum without those points: the same findings, with a
    /// note, and the same feature rows. A laser written where the spectrum shows none (in the
    /// middle of the emission) is more likely wrong: the spectrum is unusable.
    #[test]
    fn a_spectrum_that_reaches_its_laser_is_read_from_past_it() {
        let pl532 = pl532_with_spectrum();
        let pl405 = with_spectrum(include_str!("../models/train/specs/pl405.json"));
        for i in 0..6 {
            let mut rng = stone_rng(13, i);
            let st = simulate_kind(
                &mut rng,
                format!("L{i}"),
                [Kind::NaturalIa, Kind::CvdAsGrown, Kind::HphtNi][i as usize % 3],
                &[Channel::Pl532, Channel::Pl405],
                crate::simulate::Family::ALL[i as usize % 7],
            );
            for ((_, s), spec) in st.spectra.iter().zip([&pl532, &pl405]) {
                let exc = s.meta.excitation_nm.unwrap();
                let mut wide = s.clone();
                let (dx, top) = (s.x[1] - s.x[0], s.y.iter().copied().fold(0.0, f64::max));
                let med = crate::preprocess::median::median_in_place(&mut s.y.clone()).abs();
                let mut x = exc - 12.0;
                let (mut xs, mut ys) = (Vec::new(), Vec::new());
                // through a notch filter (a clipped laser line on the emission) or behind an
                // edge filter (darkness up to its edge)
                let notch = i % 2 == 0;
                while x < (exc + crate::lines::LASER_MARGIN_NM).min(s.x[0]) - 1e-9 {
                    let laser = 1e3 * top * (-0.5 * ((x - exc) / 0.5).powi(2)).exp();
                    xs.push(x);
                    ys.push(if notch {
                        (s.y[0] + laser).min(50.0 * top)
                    } else {
                        0.002 * med * (x - exc + 12.0)
                    });
                    x += dx;
                }
                wide.x.splice(0..0, xs);
                wide.y.splice(0..0, ys);
                let (mut a, mut b) = (vec![0f32; spec.n_features()], vec![0f32; spec.n_features()]);
                let alone = stage(s, &mut [(spec, a.as_mut_slice())]);
                let mut reached = stage(&wide, &mut [(spec, b.as_mut_slice())]);
                assert_eq!(
                    reached.detection.quality.notes.len(),
                    alone.detection.quality.notes.len() + 1
                );
                assert!(
                    reached
                        .detection
                        .quality
                        .notes
                        .remove(0)
                        .contains("reaches its laser")
                );
                assert_eq!(reached.detection, alone.detection, "{i} {exc}");
                assert_eq!(a, b);
                // the same points read as though the laser were 150 nm further on
                let mut wrong = wide.clone();
                wrong.meta.excitation_nm = Some(s.x[s.x.len() / 2] + 100.0);
                let q = findings(&wrong).quality;
                assert!(!q.usable, "{q:?}");
                assert!(
                    q.problems
                        .iter()
                        .any(|p| p.contains("inside the measured range"))
                );
            }
        }
    }
    /// A spectrum interpolated onto a grid four times finer before export (its neighbouring
    /// points share their noise) shows few lines the spectrum as measured does not. Before
    /// the detector measured that sharing, these 32 spectra of every kind showed 132 centres
    /// more (noise bumps read against point-to-point differences far too small); 25 when it
    /// judged lines against the longer-lag noise; 10 when it sought them on means of the
    /// points that share their noise; none now that it finds the measured points again.
    /// (Naturals of every family, linear and cubic, 2x-8x: `tests/detector.rs`.)
    #[test]
    fn an_interpolated_export_shows_few_lines_the_measured_spectrum_does_not() {
        use std::collections::BTreeSet;
        let centres = |s: &Spectrum| -> BTreeSet<String> {
            findings(s).evidence.into_iter().map(|e| e.centre).collect()
        };
        let (mut spectra, mut extra) = (0, 0);
        for i in 0..16 {
            let mut rng = stone_rng(14, i);
            let st = simulate_kind(
                &mut rng,
                format!("I{i}"),
                Kind::ALL[i as usize % Kind::ALL.len()],
                &[Channel::Pl532, Channel::Pl405],
                crate::simulate::Family::Original,
            );
            for (_, s) in &st.spectra {
                // k - 1 points on the straight line between every two measured ones
                let k = 4;
                let finer = |v: &[f64]| -> Vec<f64> {
                    (0..(v.len() - 1) * k + 1)
                        .map(|j| {
                            let (a, f) = (j / k, (j % k) as f64 / k as f64);
                            v[a] + f * (v[(a + 1).min(v.len() - 1)] - v[a])
                        })
                        .collect()
                };
                let mut fine = s.clone();
                fine.x = finer(&s.x);
                fine.y = finer(&s.y);
                let (measured, interpolated) = (centres(s), centres(&fine));
                extra += interpolated.difference(&measured).count();
                spectra += 1;
            }
        }
        assert!(extra == 0, "{extra} centres more over {spectra} spectra");
    }
}
