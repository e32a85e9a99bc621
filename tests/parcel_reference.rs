//! Sampling plans and parcel bounds against scipy's hypergeometric distribution, settled exactly
//! with mpmath where scipy's precision moves the boundary (`tests/reference/make_sampling_plans.py`
//! wrote `sampling_plans.json`): parcels of 10 to 10^9
//! stones, shares of 50% to 0.0001%, confidences of 90% to 99.9999%; and the plans no sample can
//! meet are refused with their reason, on the CLI and in the service.

mod common;

use diamond_screen::parcel::{
    ParcelError, bad_stones, hypergeometric_upper, ln_p_none, plan, sampling_plan,
};
use serde_json::Value;

fn reference() -> Value {
    let text =
        std::fs::read_to_string(common::project_dir().join("tests/reference/sampling_plans.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn plans_match_scipy_from_ten_stones_to_a_billion() {
    let r = reference();
    let plans = r["plans"].as_array().unwrap();
    assert!(plans.len() > 200);
    let mut largest = 0;
    let mut ties = 0;
    for p in plans {
        let (n, share, conf) = (
            p["parcel_size"].as_u64().unwrap(),
            p["max_share"].as_f64().unwrap(),
            p["confidence"].as_f64().unwrap(),
        );
        // Exact (mpmath, 50 digits); scipy's own answer is a stone off on 13 of 234 plans, where
        // its logpmf (a few 1e-7 off at 10^8 stones) or a tie moves the boundary.
        let want = p["sample_size"].as_u64().unwrap();
        let scipy = p["scipy"].as_u64().unwrap();
        let got = plan(n, share, conf).unwrap();
        assert!(
            got.abs_diff(scipy) <= 1,
            "parcel {n}, share {share}: {got}, scipy {scipy}"
        );
        // Where P(none) equals 1 - confidence exactly (one bad stone in a round parcel), the
        // two sides of the tie are a float rounding apart: either answer is the exact one.
        let bad = bad_stones(n, share);
        let tie = |m: u64| (ln_p_none(n, bad, m) - (1.0 - conf).ln()).abs() < 1e-12;
        assert!(
            got == want || (got + 1 == want && tie(got)) || (got == want + 1 && tie(want)),
            "parcel {n}, share {share}, confidence {conf}: {got}, scipy {want}"
        );
        ties += usize::from(got != want);
        largest = largest.max(n);
    }
    assert_eq!(largest, 1_000_000_000);
    assert!(ties < plans.len() / 20, "{ties} ties");
}

#[test]
fn parcel_bounds_match_scipy() {
    let r = reference();
    for u in r["uppers"].as_array().unwrap() {
        let g = |k: &str| u[k].as_u64().unwrap();
        let conf = u["confidence"].as_f64().unwrap();
        assert_eq!(
            hypergeometric_upper(g("k"), g("n"), g("parcel_size"), conf),
            g("upper"),
            "{u}"
        );
    }
}

#[test]
fn plans_no_sample_can_meet_are_refused_with_the_reason() {
    // The two requests that once took minutes of CPU (issue 15).
    assert!(matches!(
        plan(100_000, 0.000_000_1, 0.999_999),
        Err(ParcelError::ShareBelowOneStone { .. })
    ));
    let n = plan(10_000_000, 0.000_001, 0.999_999_9).unwrap();
    assert!(n < 10_000_000 && n == sampling_plan(10_000_000, 0.000_001, 0.999_999_9));
    assert!(matches!(
        plan(20, 0.05, 0.999_999),
        Err(ParcelError::WholeParcel { .. })
    ));
    assert!(matches!(
        plan(10, 0.5, 1.0),
        Err(ParcelError::Range("confidence"))
    ));
    assert!(matches!(
        plan(u64::MAX, 0.01, 0.95),
        Err(ParcelError::ParcelSize(_))
    ));

    let out = common::bin()
        .args([
            "sampling-plan",
            "--parcel-size",
            "100000",
            "--max-share",
            "0.0000001",
        ])
        .args(["--confidence", "0.999999"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("less than one stone"));
    let out = common::bin()
        .args([
            "sampling-plan",
            "--parcel-size",
            "10000000",
            "--max-share",
            "0.000001",
        ])
        .args(["--confidence", "0.9999999"])
        .output()
        .unwrap();
    common::assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("screen {n} of 10000000")));

    let s = common::server::Server::start(&[]);
    let c = reqwest::blocking::Client::new();
    let r = c
        .get(s.url("/v1/sampling-plan?parcel_size=100000&max_share=0.0000001&confidence=0.999999"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().unwrap().contains("less than one stone"));
    let v: Value = c
        .get(
            s.url("/v1/sampling-plan?parcel_size=10000000&max_share=0.000001&confidence=0.9999999"),
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(v["sample_size"], n);
}
