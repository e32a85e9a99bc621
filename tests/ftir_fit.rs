//! The one-phonon nitrogen fit on real spectra (`../shared/fixtures/ftir/`, read where they
//! lie; skipped on a clone without that folder, a failure under CI): broad bands added to the
//! real HPHT-grown type IIa spectra are never read as nitrogen and never pass a stone; the
//! CO2-rich natural FN7112 reports no nitrogen it does not have; the HPHT spectra are type II
//! with at most a few ppm.

mod common;

use diamond_screen::lines::detect;
use diamond_screen::model::{BackendChoice, ModelSet, backend};
use diamond_screen::screen::{Screener, SpectrumInput, StoneInput};
use diamond_screen::spectrum::{Spectrum, read_path};
use diamond_screen::verdict::VerdictKind;

fn read(name: &str) -> Option<Spectrum> {
    let dir = common::shared_fixtures()?;
    Some(read_path(&dir.join("ftir").join(name)).unwrap().remove(0))
}

/// The raw two-phonon absorbance at 1992 cm^-1, the scale of the added bands.
fn two_phonon(s: &Spectrum) -> f64 {
    detect(s).ftir.unwrap().two_phonon_raw
}

fn gauss(x: f64, c: f64, fwhm: f64) -> f64 {
    let s = fwhm / 2.354_820_045;
    (-0.5 * ((x - c) / s).powi(2)).exp()
}

#[test]
fn broad_bands_on_real_hpht_spectra_are_never_nitrogen_and_never_pass() {
    let Some(first) = read("hpht_IIa_0001.csv") else {
        return;
    };
    let second = read("hpht_IIa_0005.csv").unwrap();
    backend::init(BackendChoice::Tract, None).unwrap();
    let models = ModelSet::load_dir(&common::project_dir().join("models"), 2).unwrap();
    let screener = Screener::new(models);
    let mut stones = Vec::new();
    for base in [&first, &second] {
        let tp = two_phonon(base);
        for centre in [950.0, 1050.0, 1180.0, 1250.0, 1300.0, 1400.0, 1450.0] {
            for fwhm in [150.0, 250.0, 330.0, 500.0, 800.0] {
                for share in [0.05, 0.1, 0.2, 0.35, 0.7, 1.5] {
                    for slope in [0.0, -0.2, 0.2] {
                        let mut s = base.clone();
                        for (x, y) in s.x.iter().zip(s.y.iter_mut()) {
                            *y += share * tp * gauss(*x, centre, fwhm)
                                + slope * tp * (x - 1200.0) / 1000.0;
                        }
                        let d = detect(&s);
                        let t = d.ftir.as_ref().unwrap();
                        let what = format!("band {centre}/{fwhm} x{share}, slope {slope}");
                        assert!(!t.diamond_type.starts_with("Ia"), "{what}: {t:?}");
                        assert!(
                            !d.evidence.iter().any(|e| matches!(
                                e.centre.as_str(),
                                "A-centre" | "B-centre" | "platelets"
                            )),
                            "{what}: {:?}",
                            d.evidence
                        );
                        if t.nitrogen.determined {
                            let n = t.nitrogen.ppm.a.unwrap() + t.nitrogen.ppm.b.unwrap();
                            assert!(n < 10.0, "{what}: A+B {n:.1} ppm");
                        }
                        stones.push(StoneInput {
                            id: what.clone(),
                            spectra: vec![SpectrumInput {
                                file: what.clone(),
                                spectrum: s,
                            }],
                            errors: Vec::new(),
                            files: vec![what],
                            sha256: vec![None],
                        });
                    }
                }
            }
        }
    }
    let verdicts = screener.screen(&stones);
    assert_eq!(verdicts.len(), stones.len());
    let passed: Vec<&str> = verdicts
        .iter()
        .filter(|v| v.verdict == VerdictKind::Natural)
        .map(|v| v.stone_id.as_str())
        .collect();
    assert!(passed.is_empty(), "synthetics passed: {passed:?}");
    // The broad band is named where it stops the fit.
    assert!(
        verdicts
            .iter()
            .any(|v| v.warnings.iter().any(|w| w.contains("broad band near")))
    );
}

#[test]
fn real_spectra_report_the_nitrogen_they_have() {
    let Some(_) = common::shared_fixtures() else {
        return;
    };
    // FN7112: its authors fitted no nitrogen; under 10 ppm or not determined.
    for name in ["natural_FN7112_map0001.csv", "natural_FN7112_map0060.csv"] {
        let t = detect(&read(name).unwrap()).ftir.unwrap();
        let total = t.nitrogen.ppm.total;
        assert!(
            !t.nitrogen.determined || total.is_some_and(|n| n < 10.0),
            "{name}: {t:?}"
        );
        assert!(!t.diamond_type.starts_with("Ia"), "{name}: {t:?}");
    }
    // HPHT-grown type IIa: type II, a few ppm at most.
    for name in ["hpht_IIa_0001.csv", "hpht_IIa_0005.csv"] {
        let t = detect(&read(name).unwrap()).ftir.unwrap();
        assert_eq!(t.diamond_type, "IIa", "{name}: {t:?}");
        assert!(t.nitrogen.ppm.total.unwrap() <= 3.0, "{name}: {t:?}");
        assert!(t.nitrogen.residual < 0.05, "{name}: {t:?}");
        // No lattice CO2 in a synthetic.
        assert!(t.co2.v3.is_none() && t.co2.v2.is_none(), "{name}: {t:?}");
    }
}

#[test]
fn the_json_record_carries_the_fit() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let out = common::bin()
        .args(["inspect", "--json"])
        .arg(dir.join("ftir/hpht_IIa_0001.csv"))
        .output()
        .unwrap();
    common::assert_success(&out);
    let v = &common::json_lines(&out)[0];
    let f = &v["ftir"];
    for key in ["a", "b", "c", "total"] {
        assert!(f["nitrogen_ppm"][key].is_number(), "{key}: {f}");
    }
    assert!(f["fit_residual"].is_number(), "{f}");
    assert!(
        f.get("percent_b").is_some() && f.get("platelet").is_some(),
        "{f}"
    );
    assert!(f.get("h3107_area").is_some(), "{f}");
}

/// A weak C-centre (the sharp 1344 cm^-1 line) beside B aggregates is a natural mixed-type stone,
/// never evidence of HPHT growth: HPHT-grown diamonds are essentially never of type IaB or IaAB.
/// The same line in a stone whose nitrogen is mostly single (type Ib) still points to HPHT.
/// Built on a real type IIa spectrum (`../shared/fixtures/ftir/`) with the published component
/// shapes added; skipped where the folder is absent (fails under CI).
#[test]
fn a_c_centre_beside_b_aggregates_is_not_hpht_evidence() {
    use diamond_screen::lines::Indicates;
    use diamond_screen::lines::ftir::fit::component;
    let Some(base) = read("hpht_IIa_0001.csv") else {
        return;
    };
    let scale = two_phonon(&base) / 12.3; // absorbance per cm^-1 of absorption coefficient
    let stone = |a: f64, b: f64, c: f64| {
        let mut s = base.clone();
        for (x, y) in s.x.iter().zip(s.y.iter_mut()) {
            let k = *x;
            *y += scale
                * (a * component(1, k)
                    + b * component(3, k)
                    + c * component(0, k)
                    + 0.5 * c * gauss(k, 1344.0, 3.0));
        }
        detect(&s)
    };
    let c_indicates = |d: &diamond_screen::lines::Detection| {
        d.evidence
            .iter()
            .find(|e| e.centre == "C-centre")
            .map(|e| e.indicates)
    };
    // IaAB with a trace of single nitrogen.
    let d = stone(3.0, 1.0, 0.4);
    let t = d.ftir.as_ref().unwrap();
    assert!(t.diamond_type.starts_with("IaAB"), "{t:?}");
    assert!(d.evidence.iter().any(|e| e.centre == "B-centre"));
    assert_eq!(
        c_indicates(&d),
        Some(Indicates::Neutral),
        "{:?}",
        d.evidence
    );
    // Type Ib (HPHT-grown): the same line still points to HPHT.
    let d = stone(0.1, 0.0, 4.0);
    assert_eq!(c_indicates(&d), Some(Indicates::Hpht), "{:?}", d.evidence);
}

/// Low nitrogen under strong noise (a small aperture): the components explain the region down
/// to the noise, so the RMS ratio cannot show them, but the chi-square they remove does. The
/// same noise without nitrogen is never typed Ia. Built on a real type IIa spectrum
/// (`../shared/fixtures/ftir/`) with the A-centre's published shape added and Gaussian noise
/// (seeded); skipped where the folder is absent (fails under CI).
#[test]
fn low_nitrogen_under_noise_is_shown_by_its_chi_square() {
    use diamond_screen::lines::ftir::fit::component;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let Some(base) = read("hpht_IIa_0001.csv") else {
        return;
    };
    let scale = two_phonon(&base) / 12.3;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut by_chi2_only = 0;
    for sigma_cm in [0.1, 0.2, 0.3, 0.4] {
        for _ in 0..10 {
            let noise = Normal::new(0.0, sigma_cm * scale).unwrap();
            let mut with = base.clone();
            let mut without = base.clone();
            for ((x, y), y0) in with
                .x
                .iter()
                .zip(with.y.iter_mut())
                .zip(without.y.iter_mut())
            {
                let e = noise.sample(&mut rng);
                *y += scale * 1.5 * component(1, *x) + e;
                *y0 += e;
            }
            let t = detect(&without).ftir.unwrap();
            assert!(!t.diamond_type.starts_with("Ia"), "noise alone: {t:?}");
            let t = detect(&with).ftir.unwrap();
            let f = &t.nitrogen;
            if f.determined {
                assert!(t.diamond_type.starts_with("Ia"), "{t:?}");
                if f.residual_without_nitrogen < 1.5 * f.residual {
                    by_chi2_only += 1;
                }
            }
        }
    }
    assert!(
        by_chi2_only > 0,
        "no case where only the chi-square showed the nitrogen"
    );
}

/// The same on a coarser instrument, whose line shape makes neighbouring points share their
/// noise (here a 2 cm^-1 sampling of noise smoothed over three points, as a 4 cm^-1 resolution
/// gives): point-to-point differences read such noise 1.5-2x low, and an honest fit then
/// looked worse than noise, so low-nitrogen naturals of the microscope and field families
/// were left untyped. The chi-square route judges the residual against the noise of each
/// point. Noise alone is still never typed Ia. Real type IIa base as above (fails under CI
/// without the folder).
#[test]
fn low_nitrogen_under_correlated_noise_is_shown_by_its_chi_square() {
    use diamond_screen::lines::ftir::fit::component;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let Some(base) = read("hpht_IIa_0001.csv") else {
        return;
    };
    let scale = two_phonon(&base) / 12.3;
    // the fixture on a 1.93 cm^-1 grid (an instrument with a coarser sampling)
    let (lo, hi) = (base.x[0], base.x[base.x.len() - 1]);
    let xs: Vec<f64> = (0..)
        .map(|i| lo + 1.929 * i as f64)
        .take_while(|&v| v <= hi)
        .collect();
    let at = |v: f64| {
        let j = base
            .x
            .partition_point(|&b| b < v)
            .clamp(1, base.x.len() - 1);
        let t = (v - base.x[j - 1]) / (base.x[j] - base.x[j - 1]);
        base.y[j - 1] + t * (base.y[j] - base.y[j - 1])
    };
    let coarse = Spectrum {
        x: xs.clone(),
        y: xs.iter().map(|&v| at(v)).collect(),
        ..base.clone()
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let (mut typed, mut trials) = (0, 0);
    for sigma_cm in [0.3, 0.5] {
        for _ in 0..15 {
            // white noise of sigma * sqrt(3), averaged over three neighbours: sigma per point
            let white = Normal::new(0.0, sigma_cm * scale * 3f64.sqrt()).unwrap();
            let w: Vec<f64> = (0..xs.len() + 2).map(|_| white.sample(&mut rng)).collect();
            let noise: Vec<f64> = w.windows(3).map(|t| t.iter().sum::<f64>() / 3.0).collect();
            let mut with = coarse.clone();
            let mut without = coarse.clone();
            for (i, &x) in xs.iter().enumerate() {
                with.y[i] += scale * 1.5 * component(1, x) + noise[i];
                without.y[i] += noise[i];
            }
            let t = detect(&without).ftir.unwrap();
            assert!(!t.diamond_type.starts_with("Ia"), "noise alone: {t:?}");
            let t = detect(&with).ftir.unwrap();
            trials += 1;
            if t.diamond_type.starts_with("Ia") {
                typed += 1;
            }
        }
    }
    // 25 ppm of A nitrogen (1.5 cm^-1 at 1282) under 0.3-0.5 cm^-1 of noise per point
    assert!(
        typed * 2 >= trials,
        "typed Ia in {typed} of {trials} noisy spectra with 25 ppm of A nitrogen"
    );
}
