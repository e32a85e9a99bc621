//! The shipped models: they load and verify, a tampered package is refused, a 500-stone
//! simulated set (seed 4, never used for training or calibration) meets the screening targets,
//! and the real FTIR spectra in ../shared/fixtures are typed and screened as they must be.

mod common;

use diamond_screen::evaluate::evaluate;
use diamond_screen::labels::read_labels;
use diamond_screen::model::registry::LoadError;
use diamond_screen::model::{BackendChoice, LoadedModel, ModelSet, backend};
use diamond_screen::screen::{Screener, files, group_files};
use diamond_screen::simulate::{Family, archive::write_archive, write::Format};
use diamond_screen::verdict::VerdictKind;
use std::path::{Path, PathBuf};

fn models_dir() -> PathBuf {
    common::project_dir().join("models")
}

fn load() -> ModelSet {
    backend::init(BackendChoice::Tract, None).unwrap();
    ModelSet::load_dir(&models_dir(), 2).unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn shipped_models_load_one_per_channel() {
    let set = load();
    assert_eq!(set.models.len(), 3);
    for m in &set.models {
        let man = &m.manifest;
        assert_eq!(man.input_shape[1] as usize, man.spec.n_features());
        assert_eq!(man.spec.feature_names().len(), man.spec.n_features());
        assert!(
            man.training["simulated"].as_bool().unwrap(),
            "{}: training must say simulated",
            man.spec.id
        );
        assert!(
            man.training["description"]
                .as_str()
                .unwrap()
                .contains("simulated")
        );
        assert!(man.thresholds.p_synthetic_pass > 0.0 && man.thresholds.p_synthetic_pass <= 0.5);
    }
}

#[test]
fn tampered_packages_are_refused() {
    backend::init(BackendChoice::Tract, None).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let src = models_dir().join("ftir-mlp");
    // one byte changed in the ONNX file: checksum
    let d = tmp.path().join("bad-sha");
    copy_dir(&src, &d);
    let mut onnx = std::fs::read(d.join("model.onnx")).unwrap();
    let n = onnx.len();
    onnx[n / 2] ^= 0x55;
    std::fs::write(d.join("model.onnx"), onnx).unwrap();
    let e = LoadedModel::load(&d, 1)
        .err()
        .expect("tampered model must not load");
    assert!(e.to_string().contains("sha256"), "{e}");
    // a manifest whose input shape disagrees with its features
    let d = tmp.path().join("bad-shape");
    copy_dir(&src, &d);
    let text = std::fs::read_to_string(d.join("manifest.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["input_shape"][1] = serde_json::json!(v["input_shape"][1].as_i64().unwrap() + 1);
    std::fs::write(d.join("manifest.json"), v.to_string()).unwrap();
    let e = LoadedModel::load(&d, 1)
        .err()
        .expect("inconsistent manifest must not load");
    assert!(e.to_string().contains("input_shape"), "{e}");
    // a protocol grid that no longer matches the ONNX input (consistent manifest, other model)
    let d = tmp.path().join("bad-grid");
    copy_dir(&src, &d);
    let pl = std::fs::read(models_dir().join("pl532-mlp/model.onnx")).unwrap();
    std::fs::write(d.join("model.onnx"), &pl).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["sha256"] = serde_json::json!(diamond_screen::model::manifest::sha256_hex(&pl));
    std::fs::write(d.join("manifest.json"), v.to_string()).unwrap();
    let e = LoadedModel::load(&d, 1)
        .err()
        .expect("wrong input shape must not load");
    assert!(matches!(e, LoadError::Shape { .. }), "{e}");
}

/// Screen `n` simulated stones of seed `seed` measured by `families`, and evaluate them.
fn unseen(n: u64, seed: u64, families: &[Family]) -> diamond_screen::evaluate::Evaluation {
    unseen_edited(n, seed, families, |_| ())
}

/// [`unseen`], with `edit` applied to the written archive's folder before screening.
fn unseen_edited(
    n: u64,
    seed: u64,
    families: &[Family],
    edit: impl Fn(&Path),
) -> diamond_screen::evaluate::Evaluation {
    let screener = Screener::new(load());
    let tmp = tempfile::tempdir().unwrap();
    write_archive(
        tmp.path(),
        n,
        seed,
        &diamond_screen::channel::Channel::ALL,
        &[],
        families,
        Format::Csv,
    )
    .unwrap();
    edit(tmp.path());
    let labels = read_labels(&tmp.path().join("labels.csv")).unwrap();
    let stones = group_files(
        &files::expand(&[tmp.path().to_path_buf()]).unwrap(),
        &diamond_screen::spectrum::ReadOptions::default(),
    );
    assert_eq!(stones.len(), n as usize);
    let verdicts = screener.screen(&stones);
    let ev = evaluate(&verdicts, &labels, 0.0);
    println!("{ev}");
    ev
}

/// The rule of the trade, on enough synthetics and simulants to mean something.
fn never_a_synthetic_or_simulant_passed(ev: &diamond_screen::evaluate::Evaluation) {
    assert_eq!(
        ev.synthetics_passed.count, 0,
        "synthetic passed: {:?}",
        ev.synthetic_passes
    );
    assert_eq!(ev.simulants_passed.count, 0);
    assert!(
        ev.synthetics_passed.of > 50 && ev.simulants_passed.of > 40,
        "too few to mean anything"
    );
}

/// The rule of the trade and the ASSURE figures on an instrument family the models never saw in
/// training or calibration (`bench`; models/train/run.sh), seed 4 (training used 1,
/// calibration 2, the model card's evaluation 3).
#[test]
fn five_hundred_stones_of_a_held_out_instrument_family_meet_the_targets() {
    let ev = unseen(500, 4, &[Family::Bench]);
    never_a_synthetic_or_simulant_passed(&ev);
    assert!(
        ev.natural_called_simulant.count <= 1,
        "naturals called simulant {}",
        ev.natural_called_simulant
    );
    assert!(
        ev.natural_referral_type_ia_405.share <= 0.03,
        "type Ia with 405 nm referred {}",
        ev.natural_referral_type_ia_405
    );
    assert!(
        ev.simulant_accuracy.share >= 0.97,
        "simulant accuracy {}",
        ev.simulant_accuracy
    );
    assert!(ev.max_probability.unwrap() <= diamond_screen::verdict::MAX_FUSED + 1e-9);
}

/// A 405 nm spectrometer whose range ends at 600-630 nm (short of the model's grid, 413-640 nm,
/// but past every decisive 405 nm line: N3, 468, 484.4, H3, NV0) is scored by its model: the
/// naturals are not left `inconclusive` ("measure the full range": 52% of the naturals of the
/// model card's held-out set when the models needed 90% of their grid), and no synthetic or
/// simulant passes. Held-out family, seed 6 (unused elsewhere).
#[test]
fn pl405_spectra_ending_short_of_the_model_grid_are_scored() {
    let cut = |dir: &Path| {
        // sorted, so that each file's cut does not hang on the file system's order
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with("_pl405.csv"))
            .collect();
        paths.sort();
        for (i, path) in paths.iter().enumerate() {
            let end = 600.0 + (i % 31) as f64;
            let text = std::fs::read_to_string(path).unwrap();
            let kept: Vec<&str> = text
                .lines()
                .filter(|l| {
                    let x = l.split(',').next().and_then(|v| v.parse::<f64>().ok());
                    x.is_none_or(|x| x <= end)
                })
                .collect();
            std::fs::write(path, kept.join("\n") + "\n").unwrap();
        }
    };
    let ev = unseen_edited(500, 6, &[Family::Bench], cut);
    never_a_synthetic_or_simulant_passed(&ev);
    assert!(
        ev.natural_inconclusive.share <= 0.03,
        "naturals inconclusive {}",
        ev.natural_inconclusive
    );
    assert!(
        ev.natural_referral_type_ia_405.share <= 0.03,
        "type Ia with 405 nm referred {}",
        ev.natural_referral_type_ia_405
    );
}

/// The project's original instrument must not get worse.
#[test]
fn five_hundred_stones_of_the_original_instrument_meet_the_targets() {
    let ev = unseen(500, 4, &[]);
    never_a_synthetic_or_simulant_passed(&ev);
    assert!(
        ev.natural_referral.share <= 0.03,
        "natural referral {}",
        ev.natural_referral
    );
    assert!(
        ev.natural_referral_type_ia.share <= 0.01,
        "type Ia referral {}",
        ev.natural_referral_type_ia
    );
    assert!(
        ev.simulant_accuracy.share >= 0.97,
        "simulant accuracy {}",
        ev.simulant_accuracy
    );
}

#[test]
fn real_ftir_spectra_are_screened_as_the_lab_would() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let screener = Screener::new(load());
    for (name, natural) in [
        ("natural_FN7112_map0001.csv", true),
        ("natural_FN7112_map0060.csv", true),
        ("natural_FN7114_map0004.csv", true),
        ("hpht_IIa_0001.csv", false),
        ("hpht_IIa_0005.csv", false),
    ] {
        let stones = group_files(
            &[dir.join("ftir").join(name)],
            &diamond_screen::spectrum::ReadOptions::default(),
        );
        let v = &screener.screen(&stones)[0];
        let t = v.channels[0].diamond_type.clone().unwrap();
        if natural {
            // CO2-rich naturals: a broad band fills the one-phonon region, nitrogen is not
            // determined, and FTIR alone cannot pass them: they are referred, with no likely
            // origin (one model alone never names one).
            assert_eq!(t, "unknown", "{name}");
            assert_eq!(v.verdict, VerdictKind::Refer, "{name}: {:?}", v.warnings);
            assert_eq!(
                v.likely_origin,
                Some(diamond_screen::verdict::Origin::Unknown),
                "{name}"
            );
            assert!(
                v.warnings
                    .iter()
                    .any(|w| w.contains("nitrogen not determined")),
                "{name}: {:?}",
                v.warnings
            );
        } else {
            assert!(t.starts_with("II"), "{name}: typed {t}");
            assert_ne!(v.verdict, VerdictKind::Natural, "{name}");
        }
    }
}

/// How far a PL model's p(synthetic) moves when each spectrum of 90 simulated stones of the
/// held-out family (type Ia naturals, CVD- and HPHT-grown) is screened as measured and through
/// a response tilted 30% across its range with a broad band added at `band_from` + 0-120 nm
/// (a detector's efficiency, a stray fluorescence: no line): the median move must stay under
/// 0.002 and the 90th percentile under 0.02.
fn assert_vote_holds_under_a_response(channel: diamond_screen::simulate::Channel, band_from: f64) {
    use diamond_screen::screen::{SpectrumInput, StoneInput};
    use diamond_screen::simulate::{Kind, simulate_kind, stone_rng};
    let screener = Screener::new(load());
    let stone = |id: String, s: diamond_screen::spectrum::Spectrum| StoneInput {
        id: id.clone(),
        spectra: vec![SpectrumInput {
            file: id.clone(),
            spectrum: s,
        }],
        errors: Vec::new(),
        files: vec![id],
        sha256: vec![None],
    };
    let (mut measured, mut responded) = (Vec::new(), Vec::new());
    for i in 0..90u64 {
        let kind = [Kind::NaturalIa, Kind::CvdAsGrown, Kind::HphtNi][i as usize % 3];
        let st = simulate_kind(
            &mut stone_rng(44, i),
            format!("R{i}"),
            kind,
            &[channel],
            Family::Bench,
        );
        let s = st.spectra[0].1.clone();
        let mut t = s.clone();
        let (lo, hi) = (s.x[0], s.x[s.x.len() - 1]);
        let mut level: Vec<f64> = s.y.iter().map(|v| v.abs()).collect();
        level.sort_by(f64::total_cmp);
        let median = level[level.len() / 2];
        let (sign, centre) = (
            if i % 2 == 0 { 1.0 } else { -1.0 },
            band_from + (i % 5) as f64 * 30.0,
        );
        for (x, y) in t.x.iter().zip(t.y.iter_mut()) {
            let u = (x - lo) / (hi - lo) - 0.5;
            *y = *y * (1.0 + 0.3 * sign * u)
                + 0.5 * median * (-0.5 * ((x - centre) / 40.0).powi(2)).exp();
        }
        measured.push(stone(format!("R{i}"), s));
        responded.push(stone(format!("R{i}"), t));
    }
    let p_syn =
        |v: &diamond_screen::verdict::Verdict| v.channels[0].probabilities.map(|p| p.cvd + p.hpht);
    let (a, b) = (screener.screen(&measured), screener.screen(&responded));
    let mut moved: Vec<f64> = a
        .iter()
        .zip(&b)
        .filter_map(|(a, b)| Some((p_syn(a)? - p_syn(b)?).abs()))
        .collect();
    assert!(
        moved.len() >= 80,
        "only {} stones scored both ways",
        moved.len()
    );
    moved.sort_by(f64::total_cmp);
    let (median, p90) = (moved[moved.len() / 2], moved[moved.len() * 9 / 10]);
    println!(
        "{channel:?}: p(synthetic) moved: median {median:.4}, 90th percentile {p90:.4}, largest {:.4}",
        moved[moved.len() - 1]
    );
    assert!(
        median < 0.002 && p90 < 0.02,
        "{channel:?}: median {median:.4}, 90th percentile {p90:.4}"
    );
}

/// The 532 nm model's vote hangs on what the detector finds in a spectrum, not on the
/// instrument's response. On the prepared spectrum (pl532-mlp 2.1.0) the model had learnt such
/// things of each instrument (99% right on its training families, 62% on an unseen one, 30% on
/// an independent probe); on its findings, the vote moves only where a finding does.
#[test]
fn the_532_nm_models_vote_does_not_hang_on_the_instruments_response() {
    // (the model on the spectrum, 2.1.0, failed this: median 0.0052, 90th percentile 0.068, for
    // all its temperature of 8.9 flattening its votes; on the findings 0.0001 and 0.0035)
    assert_vote_holds_under_a_response(diamond_screen::simulate::Channel::Pl532, 600.0);
}

/// The same for the 405 nm model (pl405-mlp 3.0.0 reads the findings: on the spectrum, 2.1.0,
/// it called an independent probe's cubic zirconia HPHT- or CVD-grown at 0.99).
#[test]
fn the_405_nm_models_vote_does_not_hang_on_the_instruments_response() {
    // (2.1.0 failed this: median 0.0053, 90th percentile 0.171; 3.0.0 0.0001 and 0.0028)
    assert_vote_holds_under_a_response(diamond_screen::simulate::Channel::Pl405, 450.0);
}
