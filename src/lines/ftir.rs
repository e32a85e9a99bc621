//! FTIR typing in the manner of QUIDDIT (domain.md section 4): normalise the intrinsic
//! two-phonon absorption to 12.3 cm^-1 at 1992 cm^-1, measure the one-phonon nitrogen region
//! against a local baseline, and apply the type rules: II below 0.19 cm^-1 mean absorption in
//! 1000-1330 cm^-1 (IIb with the 2802 boron line), Ib when C (1344) dominates A (1282),
//! otherwise Ia (IaA, IaAB, IaB by the B/A ratio). Sharp lines (C 1344, boron 2802, hydrogen
//! 3107 and 3123) are measured as peaks above their own flanks.

use super::Evidence;
use super::table::{PosUnit, by_name};
use crate::preprocess::TWO_PHONON_AT_1992;
use crate::preprocess::despike::{median_in_place, noise_sigma};
use serde::{Deserialize, Serialize};

/// QUIDDIT's type II threshold on the mean one-phonon absorption, cm^-1.
pub const TYPE_II_MAX_N: f64 = 0.19;
/// Smallest sharp-line height (cm^-1, normalised) and SNR taken as present.
const MIN_SHARP: f64 = 0.1;
const MIN_SNR: f64 = 5.0;
/// Boron's 2802 cm^-1 band needs more: weak bumps there come from the two-phonon tail.
const MIN_BORON: f64 = 0.3;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FtirTyping {
    /// Two-phonon absorbance at 1992 cm^-1 above its baseline (raw units), the scale reference.
    pub two_phonon_raw: f64,
    pub two_phonon_snr: f64,
    /// Absorption coefficients (cm^-1) after normalisation.
    pub n_mean: f64,
    pub a_1282: f64,
    pub b_1175: f64,
    pub c_1344: f64,
    pub c_1130: f64,
    pub platelets_1365: f64,
    pub boron_2802: f64,
    pub h_3107: f64,
    pub h_3123: f64,
    /// Ia, IaA, IaAB, IaB, Ib, IIa, IIb.
    pub diamond_type: String,
}

fn mean_in(x: &[f64], y: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let a = x.partition_point(|&v| v < lo);
    let b = x.partition_point(|&v| v <= hi);
    (b > a).then(|| y[a..b].iter().sum::<f64>() / (b - a) as f64)
}

fn median_in(x: &[f64], y: &[f64], lo: f64, hi: f64) -> Option<(f64, f64)> {
    let a = x.partition_point(|&v| v < lo);
    let b = x.partition_point(|&v| v <= hi);
    if b <= a {
        return None;
    }
    let mut v = y[a..b].to_vec();
    Some(((x[a] + x[b - 1]) / 2.0, median_in_place(&mut v)))
}

/// Linear baseline through the medians of two anchor windows.
fn line(x: &[f64], y: &[f64], left: (f64, f64), right: (f64, f64)) -> Option<impl Fn(f64) -> f64> {
    let (x0, y0) = median_in(x, y, left.0, left.1)?;
    let (x1, y1) = median_in(x, y, right.0, right.1)?;
    Some(move |v: f64| y0 + (y1 - y0) * (v - x0) / (x1 - x0))
}

/// Height of a sharp line at `pos` above the line through its flanks, and the position of the
/// maximum; None when the range misses it.
fn sharp(x: &[f64], y: &[f64], pos: f64, half: f64, flank: f64) -> Option<(f64, f64)> {
    let base = line(
        x,
        y,
        (pos - half - flank, pos - half),
        (pos + half, pos + half + flank),
    )?;
    let a = x.partition_point(|&v| v < pos - half);
    let b = x.partition_point(|&v| v <= pos + half);
    (a..b)
        .map(|i| (y[i] - base(x[i]), x[i]))
        .max_by(|p, q| p.0.total_cmp(&q.0))
}

/// Type an FTIR absorbance spectrum (x ascending in cm^-1). None when the range does not
/// reach the two-phonon band and the nitrogen region.
pub fn analyse(x: &[f64], y: &[f64]) -> Option<(FtirTyping, Vec<Evidence>)> {
    let tp_base = line(x, y, (1480.0, 1520.0), (2680.0, 2720.0))?;
    let tp_raw = mean_in(x, y, 1987.0, 1997.0)? - tp_base(1992.0);
    let sigma_raw = noise_sigma(y).max(f64::MIN_POSITIVE);
    let tp_snr = tp_raw / sigma_raw;
    if !(tp_raw > 0.0) {
        return Some((
            FtirTyping {
                two_phonon_raw: tp_raw,
                two_phonon_snr: tp_snr,
                diamond_type: "none".into(),
                ..FtirTyping::default()
            },
            Vec::new(),
        ));
    }
    let k = TWO_PHONON_AT_1992 / tp_raw;
    let sigma = sigma_raw * k;
    // Nitrogen region baseline: 760-860 and 1420-1520 cm^-1 (flat from the high anchor when the
    // range starts above 860).
    let n_base: Box<dyn Fn(f64) -> f64> = match line(x, y, (760.0, 860.0), (1420.0, 1520.0)) {
        Some(f) => Box::new(f),
        None => {
            let (_, v) = median_in(x, y, 1420.0, 1520.0)?;
            Box::new(move |_| v)
        }
    };
    let n_val = |lo: f64, hi: f64| -> Option<f64> {
        let a = x.partition_point(|&v| v < lo);
        let b = x.partition_point(|&v| v <= hi);
        (b > a).then(|| (a..b).map(|i| y[i] - n_base(x[i])).sum::<f64>() / (b - a) as f64 * k)
    };
    let n_mean = n_val(1000.0, 1330.0)?;
    let a = n_val(1279.0, 1285.0).unwrap_or(0.0);
    let b = n_val(1172.0, 1178.0).unwrap_or(0.0);
    let c1130 = n_val(1127.0, 1133.0).unwrap_or(0.0);
    let platelets = n_val(1360.0, 1372.0).unwrap_or(0.0);
    let sharp_k =
        |pos: f64, half: f64, flank: f64| sharp(x, y, pos, half, flank).map(|(h, at)| (h * k, at));
    let c1344 = sharp_k(1344.0, 2.0, 6.0);
    let boron = sharp_k(2802.0, 5.0, 15.0);
    let h3107 = sharp_k(3107.0, 3.0, 8.0);
    let h3123 = sharp_k(3123.0, 3.0, 8.0);
    let val = |o: Option<(f64, f64)>| o.map_or(0.0, |p| p.0);
    let present = |o: Option<(f64, f64)>| o.filter(|p| p.0 >= MIN_SHARP && p.0 / sigma >= MIN_SNR);

    let diamond_type = if n_mean < TYPE_II_MAX_N {
        if present(boron).is_some_and(|p| p.0 >= MIN_BORON) {
            "IIb"
        } else {
            "IIa"
        }
    } else if a > 0.0 && val(c1344) / a >= 1.8 || a <= 0.0 && present(c1344).is_some() {
        "Ib"
    } else {
        let r = if a > 0.0 { b / a } else { f64::INFINITY };
        if r < 0.5 {
            "IaA"
        } else if r > 1.5 {
            "IaB"
        } else {
            "IaAB"
        }
    }
    .to_string();

    let mut ev = Vec::new();
    let mut add = |name: &str, observed: f64, strength: f64| {
        if let Some(c) = by_name(name) {
            ev.push(Evidence {
                centre: c.name.to_string(),
                expected: c.position,
                observed,
                unit: PosUnit::Wavenumber,
                snr: strength / sigma,
                strength,
                intensity_rel_raman: None,
                indicates: c.indicates,
            });
        }
    };
    let is_ia = diamond_type.starts_with("Ia");
    if is_ia && a >= TYPE_II_MAX_N {
        add("A-centre", 1282.0, a);
    }
    if is_ia && b >= TYPE_II_MAX_N {
        add("B-centre", 1175.0, b);
    }
    if is_ia && platelets >= 2.0 * TYPE_II_MAX_N {
        add("platelets", 1365.0, platelets);
    }
    // The sharp 1344 cm^-1 line of single nitrogen marks HPHT growth whatever the type says
    // (mixed Ib/IaA stones exist).
    if let Some((h, at)) = present(c1344) {
        add("C-centre", at, h);
    } else if diamond_type == "Ib" {
        add("C-centre", 1344.0, c1130);
    }
    let boron_ok = boron.filter(|p| p.0 >= MIN_BORON);
    for (name, o) in [("boron", boron_ok), ("H 3107", h3107), ("H 3123", h3123)] {
        if let Some((h, at)) = present(o) {
            add(name, at, h);
        }
    }
    let typing = FtirTyping {
        two_phonon_raw: tp_raw,
        two_phonon_snr: tp_snr,
        n_mean,
        a_1282: a,
        b_1175: b,
        c_1344: val(c1344),
        c_1130: c1130,
        platelets_1365: platelets,
        boron_2802: val(boron),
        h_3107: val(h3107),
        h_3123: val(h3123),
        diamond_type,
    };
    Some((typing, ev))
}
