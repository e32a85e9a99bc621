//! An FTIR absorbance measurement: diamond's intrinsic two- and three-phonon absorption, the
//! nitrogen (A, B, C, platelets), boron and hydrogen centres, atmospheric CO2 and water vapour,
//! baseline offset, tilt and curvature, a drawn thickness, range, spacing and noise.

use super::kinds::Recipe;
use crate::preprocess::TWO_PHONON_AT_1992;
use crate::spectrum::{Metadata, Spectrum, Technique, XUnit, YUnit};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

fn g(x: f64, c: f64, fwhm: f64) -> f64 {
    let s = fwhm / 2.354_820_045;
    (-0.5 * ((x - c) / s).powi(2)).exp()
}

/// Intrinsic absorption shape (unscaled): two-phonon band 1500-2665 cm^-1, weak three-phonon.
fn intrinsic_shape(k: f64) -> f64 {
    // Overlapping components give the smooth shape of the real band: a rise from ~1500,
    // maxima near 1975, 2030 and 2160, a shoulder to 2450, and the end at 2665 cm^-1.
    const BANDS: [(f64, f64, f64); 8] = [
        (2120.0, 560.0, 6.0),
        (1600.0, 200.0, 0.6),
        (1850.0, 120.0, 1.5),
        (1975.0, 45.0, 4.0),
        (2030.0, 45.0, 4.0),
        (2160.0, 70.0, 5.5),
        (2450.0, 150.0, 1.5),
        (2560.0, 100.0, 0.8),
    ];
    const THREE_PHONON: [(f64, f64, f64); 2] = [(3000.0, 300.0, 0.5), (3700.0, 250.0, 0.25)];
    // The two-phonon band ends at twice the Raman frequency, 2665 cm^-1.
    let edge = if k > 2665.0 {
        (1.0 - (k - 2665.0) / 60.0).max(0.0)
    } else {
        1.0
    };
    BANDS.iter().map(|&(c, w, h)| h * g(k, c, w)).sum::<f64>() * edge
        + THREE_PHONON
            .iter()
            .map(|&(c, w, h)| h * g(k, c, w))
            .sum::<f64>()
}

/// Absorption coefficient (cm^-1) of the intrinsic band, scaled to 12.3 at 1992 cm^-1.
pub fn intrinsic(k: f64) -> f64 {
    intrinsic_shape(k) * TWO_PHONON_AT_1992 / intrinsic_shape(1992.0)
}

/// Absorption coefficient of the defect centres at wavenumber k.
fn defects(k: f64, r: &Recipe) -> f64 {
    let a = &r.absorbers;
    let mut v = 0.0;
    let w = a.band_width;
    // A-centre: a broad band peaking at 1282 with shoulders at 1203 and 1093 over a continuum
    v += a.a_1282
        * (g(k, 1282.0, 80.0 * w)
            + 0.6 * g(k, 1203.0, 80.0 * w)
            + 0.55 * g(k, 1093.0, 90.0 * w)
            + 0.3 * g(k, 1150.0, 250.0 * w));
    // B-centre: 1175 main, 1100, 1010, the sharp 1332 and a continuum
    v += a.b_1175
        * (g(k, 1175.0, 80.0 * w)
            + 0.5 * g(k, 1100.0, 100.0 * w)
            + 0.6 * g(k, 1010.0, 60.0 * w)
            + 0.35 * g(k, 1332.0, 10.0)
            + 0.3 * g(k, 1150.0, 250.0 * w));
    // C-centre: broad 1130, sharp 1344
    v += a.c_1130 * (g(k, 1130.0, 60.0 * w) + 0.25 * g(k, 1344.0, 3.0));
    v += a.platelets * g(k, 1368.0, a.platelet_width);
    // boron: 2802 with 2456, 2930 and the continuum
    v += a.boron
        * (g(k, 2802.0, 25.0)
            + 0.4 * g(k, 2456.0, 40.0)
            + 0.3 * g(k, 2930.0, 40.0)
            + 0.1 * g(k, 2600.0, 600.0));
    v += a.h_3107 * (g(k, 3107.0, 3.0) + 0.1 * g(k, 1405.0, 3.0));
    v += a.h_3123 * g(k, 3123.0, 4.0);
    v
}

/// Water-vapour line positions: fixed for every instrument, as in the atmosphere.
fn water_lines() -> Vec<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x4820);
    let mut v: Vec<f64> = (0..60).map(|_| rng.gen_range(1350.0..1950.0)).collect();
    v.extend((0..60).map(|_| rng.gen_range(3550.0..3900.0)));
    v
}

pub fn measure<R: Rng>(rng: &mut R, recipe: &Recipe) -> Spectrum {
    let start = rng.gen_range(400.0..700.0);
    let end = rng.gen_range(3990.0..4200.0);
    let step = [0.482, 0.964, 1.929, 3.857][rng.gen_range(0..4)];
    let thickness_cm = rng.gen_range(0.05..0.35);
    let offset = rng.gen_range(-0.4..0.3);
    let tilt = rng.gen_range(-0.05..0.05);
    let curve = rng.gen_range(-0.05..0.05);
    let noise = Normal::new(0.0, 1.0).expect("unit normal");
    let noise_level = crate::simulate::log_uniform(rng, 0.0005, 0.006);
    let co2 = rng.gen_range(0.0..0.05);
    let water = rng.gen_range(0.0..0.01);
    let water_at = water_lines();
    let n = ((end - start) / step) as usize + 1;
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let k = start + i as f64 * step;
        let u = (k - 2000.0) / 2000.0;
        let alpha = if recipe.diamond {
            intrinsic(k) + defects(k, recipe)
        } else {
            0.0
        };
        let sim: f64 = recipe
            .ir_bands
            .iter()
            .map(|&(c, w, h)| h * g(k, c, w))
            .sum();
        let mut a = alpha * thickness_cm * std::f64::consts::LOG10_E + sim;
        a += offset + tilt * u + curve * u * u;
        a += co2 * (g(k, 2340.0, 12.0) - 0.8 * g(k, 2362.0, 12.0));
        for &w in &water_at {
            if (k - w).abs() < 6.0 {
                a += water * g(k, w, 1.5);
            }
        }
        a += noise_level * noise.sample(rng);
        x.push(k);
        y.push((a * 1e6).round() / 1e6); // the 6 decimals an FTIR export carries
    }
    // OMNIC and most FTIR software list wavenumbers from high to low: the reader sorts.
    Spectrum {
        x,
        y,
        x_unit: XUnit::Wavenumber,
        y_unit: YUnit::Absorbance,
        meta: Metadata {
            technique: Some(Technique::Ftir),
            temperature_k: Some(295.0),
            instrument: Some("simulated FTIR".into()),
            ..Metadata::default()
        },
        source_descending: true,
    }
}
