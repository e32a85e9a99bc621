//! Readers against real files in `../shared/fixtures/` (see its SOURCES.md). They are read where
//! they lie; the tests skip when the folder is absent on a user's clone and fail under CI.

mod common;

use diamond_screen::spectrum::{Technique, XUnit, read_path};
use std::collections::HashMap;
use std::path::Path;

/// The numeric header values a JCAMP-DX file declares about itself.
fn declared(path: &Path) -> HashMap<String, f64> {
    let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let mut out = HashMap::new();
    for line in text.lines() {
        let line = line.split("$$").next().unwrap();
        if let Some(rest) = line.trim().strip_prefix("##")
            && let Some((k, v)) = rest.split_once('=')
        {
            let k: String = k.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            if let Ok(v) = v.trim().parse::<f64>() {
                out.entry(k.to_ascii_uppercase()).or_insert(v);
            }
        }
    }
    out
}

#[test]
fn every_jcamp_fixture_matches_its_own_header() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(dir.join("jcamp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "expected the 8 JCAMP fixtures, found {}",
        files.len()
    );
    for path in files {
        let d = declared(&path);
        let spectra = read_path(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(spectra.len(), 1);
        let s = &spectra[0];
        let name = path.display();
        assert_eq!(s.len() as f64, d["NPOINTS"], "{name}: NPOINTS");
        let (x0, y0) = s.first_in_source();
        let (x1, _) = s.last_in_source();
        assert!(
            (x0 - d["FIRSTX"]).abs() < 1e-9 * d["FIRSTX"].abs().max(1.0),
            "{name}: FIRSTX {x0}"
        );
        assert!(
            (x1 - d["LASTX"]).abs() < 1e-9 * d["LASTX"].abs().max(1.0),
            "{name}: LASTX {x1}"
        );
        // FIRSTY is written with limited digits; compare to 1e-4 relative.
        let fy = d["FIRSTY"];
        assert!(
            (y0 - fy).abs() <= 1e-4 * fy.abs().max(1e-3),
            "{name}: FIRSTY {fy} vs {y0}"
        );
        assert!(s.y.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn jcamp_units_and_types() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let uv = &read_path(&dir.join("jcamp/dupinc1.jdx")).unwrap()[0];
    assert_eq!(uv.x_unit, XUnit::Nm);
    assert_eq!(uv.meta.technique, Some(Technique::Uvvis));
    let ir = &read_path(&dir.join("jcamp/BRUKER1.JCM")).unwrap()[0];
    assert_eq!(ir.x_unit, XUnit::Wavenumber);
    assert_eq!(ir.meta.technique, Some(Technique::Ftir));
    assert!(ir.source_descending);
    assert_eq!(ir.meta.instrument.as_deref(), Some("BRUKER IFS-113V"));
    // NMR in Hz: kept by name, not rejected
    let nmr = &read_path(&dir.join("jcamp/sqzdec1.jdx")).unwrap()[0];
    assert_eq!(nmr.x_unit, XUnit::Other("HZ".into()));
    assert_eq!(nmr.meta.technique, None);
}

#[test]
fn omnic_csv_exports_are_ftir_without_help() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let mut n = 0;
    for e in std::fs::read_dir(dir.join("ftir")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "csv") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let rows: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let first: Vec<f64> = rows[0]
            .split(',')
            .map(|v| v.trim().parse().unwrap())
            .collect();
        let last: Vec<f64> = rows[rows.len() - 1]
            .split(',')
            .map(|v| v.trim().parse().unwrap())
            .collect();
        let s = &read_path(&path).unwrap_or_else(|e| panic!("{e}"))[0];
        assert_eq!(s.len(), rows.len(), "{}", path.display());
        assert_eq!(s.first_in_source(), (first[0], first[1]));
        assert_eq!(s.last_in_source(), (last[0], last[1]));
        assert_eq!(s.meta.technique, Some(Technique::Ftir));
        assert_eq!(s.x_unit, XUnit::Wavenumber);
        // the whole name: none of these names ends in words naming the measurement (map
        // points of one stone, and two natural stones, are stones of their own)
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(s.meta.stone_id.as_deref(), Some(stem.as_str()));
        n += 1;
    }
    assert_eq!(n, 5);
}

#[test]
fn omnic_spa_binary_is_read_as_the_hpht_iia_stone_it_is() {
    let Some(dir) = common::shared_fixtures() else {
        return;
    };
    let v = read_path(&dir.join("ftir/hpht_IIa.SPA")).unwrap();
    assert_eq!(v.len(), 1, "only the absorbance, not the interferograms");
    let s = &v[0];
    assert_eq!(s.x_unit, XUnit::Wavenumber);
    assert_eq!(s.meta.technique, Some(Technique::Ftir));
    assert_eq!(
        s.meta.excitation_nm, None,
        "the HeNe reference laser is not an excitation"
    );
    assert_eq!(s.len(), 18253);
    let t = diamond_screen::lines::detect(s).ftir.unwrap();
    assert!(t.diamond_type.starts_with("II"), "typed {}", t.diamond_type);
}
