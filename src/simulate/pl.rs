//! A photoluminescence measurement: zero-phonon lines with phonon sidebands (Huang-Rhys
//! progression), 77 K or room-temperature widths and shifts, the diamond Raman line and its
//! second-order band, a broad fluorescence background, the laser tail past the edge filter,
//! a wavelength-calibration offset, a drawn range and pixel count with non-uniform spacing,
//! instrument resolution, shot and read noise, dark offset, cosmic-ray spikes and, now and
//! then, a saturated detector.

use super::kinds::Recipe;
use super::log_uniform;
use crate::lines::table::CENTRES;
use crate::preprocess::calibration::DIAMOND_RAMAN_SHIFT;
use crate::spectrum::{Metadata, Spectrum, Technique, XUnit, YUnit, raman_line_nm};
use rand::Rng;
use rand_distr::{Distribution, Normal, Poisson};

const HC_EV_NM: f64 = 1239.841984;
const FULL_WELL: f64 = 65535.0;

fn gauss(x: f64, c: f64, fwhm: f64) -> f64 {
    let s = fwhm / 2.354_820_045;
    (-0.5 * ((x - c) / s).powi(2)).exp()
}

fn lorentz(x: f64, c: f64, fwhm: f64) -> f64 {
    let g = fwhm / 2.0;
    g * g / ((x - c).powi(2) + g * g)
}

/// Red shift (nm) of a zero-phonon line at room temperature, from the centre table where the
/// line is listed, else 0.5 nm.
fn rt_shift(zpl: f64) -> f64 {
    CENTRES
        .iter()
        .find(|c| (c.position - zpl).abs() < 0.3)
        .map_or(0.5, |c| c.rt_shift)
}

/// One PL spectrum of `recipe` under `excitation` nm.
pub fn measure<R: Rng>(rng: &mut R, recipe: &Recipe, excitation: f64) -> Spectrum {
    let cold = rng.gen_bool(0.8);
    let temperature = if cold { 77.0 } else { 295.0 };
    // Instrument: range, pixels, dispersion, resolution, calibration.
    let start = excitation
        + if excitation < 450.0 {
            rng.gen_range(3.5..8.0)
        } else {
            rng.gen_range(4.0..12.0)
        };
    let end = if excitation < 450.0 {
        rng.gen_range(640.0..760.0)
    } else if rng.gen_bool(0.6) {
        rng.gen_range(900.0..960.0)
    } else {
        rng.gen_range(760.0..900.0)
    };
    let npix = *[1024usize, 1340, 2048, 2048, 2048, 3648]
        .get(rng.gen_range(0..6))
        .unwrap_or(&2048);
    let q = rng.gen_range(-0.08..0.08);
    let resolution = if cold {
        rng.gen_range(0.08..0.3)
    } else {
        rng.gen_range(0.3..0.9)
    };
    let cal_offset = rng.gen_range(-0.25..0.25);
    let gain = rng.gen_range(0.8..2.0);
    let read_noise = rng.gen_range(3.0..15.0);
    let dark = rng.gen_range(100.0..600.0);

    let raman_nm = raman_line_nm(excitation, DIAMOND_RAMAN_SHIFT);
    let raman_fwhm = (raman_nm.powi(2) * 1e-7 * rng.gen_range(1.5..2.5)).hypot(resolution);
    let (bg_c, bg_w, bg_h) = recipe.background;
    let tail_h = log_uniform(rng, 0.05, 5.0);
    let tail_tau = rng.gen_range(1.5..5.0);

    struct Line {
        c: f64,
        w: f64,
        h: f64,
        lorentzian: bool,
    }
    let mut lines: Vec<Line> = Vec::new();
    if recipe.diamond {
        lines.push(Line {
            c: raman_nm,
            w: raman_fwhm,
            h: 1.0,
            lorentzian: true,
        });
        // second-order Raman band 2400-2670 cm^-1
        let lo = raman_line_nm(excitation, 2400.0);
        let hi = raman_line_nm(excitation, 2670.0);
        lines.push(Line {
            c: 0.5 * (lo + hi),
            w: hi - lo,
            h: 0.015,
            lorentzian: false,
        });
    }
    for &(shift, h, w_cm) in &recipe.raman_lines {
        let c = raman_line_nm(excitation, shift);
        lines.push(Line {
            c,
            w: (c * c * 1e-7 * w_cm).hypot(resolution),
            h,
            lorentzian: true,
        });
    }
    for e in &recipe.emitters {
        let amp = if excitation < 450.0 {
            e.amp405
        } else {
            e.amp532
        };
        if amp <= 0.0 || e.zpl_nm < excitation + 2.0 {
            continue;
        }
        let s = if cold {
            e.huang_rhys
        } else {
            e.huang_rhys * 1.3
        };
        let zpl = if cold {
            e.zpl_nm
        } else {
            e.zpl_nm + rt_shift(e.zpl_nm)
        };
        let zpl_w = if cold {
            rng.gen_range(0.08..0.35)
        } else {
            rng.gen_range(1.5..4.0)
        };
        // The ZPL height is `amp`; the sideband carries (1 - e^-S) of the emission.
        let dw = (-s).exp();
        let zpl_w_total = f64::hypot(zpl_w, resolution);
        lines.push(Line {
            c: zpl,
            w: zpl_w_total,
            h: amp,
            lorentzian: false,
        });
        let e0 = HC_EV_NM / zpl;
        let zpl_area = amp * zpl_w_total;
        let total = zpl_area / dw.max(1e-3);
        let mut p = dw;
        for n in 1..=6 {
            p *= s / n as f64; // Poisson weight
            let en = e0 - n as f64 * e.phonon_mev / 1000.0;
            if en <= 0.0 {
                break;
            }
            let c = HC_EV_NM / en;
            let w = c * c / HC_EV_NM * 0.06 * (n as f64).sqrt();
            lines.push(Line {
                c,
                w,
                h: total * p / w,
                lorentzian: false,
            });
        }
    }

    let normal = Normal::new(0.0, 1.0).expect("unit normal");
    let mut x = Vec::with_capacity(npix);
    let mut clean = Vec::with_capacity(npix);
    for p in 0..npix {
        let u = p as f64 / (npix - 1) as f64;
        let lam = start + (end - start) * (u + q * u * (1.0 - u));
        let mut v = bg_h * gauss(lam, bg_c, bg_w) + tail_h * (-(lam - excitation) / tail_tau).exp();
        for l in &lines {
            if (lam - l.c).abs() < 12.0 * l.w {
                v += l.h
                    * if l.lorentzian {
                        lorentz(lam, l.c, l.w)
                    } else {
                        gauss(lam, l.c, l.w)
                    };
            }
        }
        x.push(((lam + cal_offset) * 1e4).round() / 1e4); // 4 decimals, as exports print
        clean.push(v);
    }
    // Exposure: the operator (or auto-exposure) fills the detector to a fraction of its well;
    // now and then too little (a noisy spectrum) or too much (saturated).
    let vmax = clean.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
    let fill = match rng.gen_range(0.0..1.0) {
        u if u < 0.005 => rng.gen_range(0.002..0.02),
        u if u < 0.01 => rng.gen_range(1.2..3.0),
        _ => rng.gen_range(0.15..0.85),
    };
    let raman_height = fill * (FULL_WELL - dark) / vmax;
    let mut y = Vec::with_capacity(npix);
    for v in &clean {
        let signal = v * raman_height;
        let sigma = (signal.max(0.0) * gain + read_noise * read_noise).sqrt();
        y.push(dark + signal + sigma * normal.sample(rng));
    }
    // cosmic rays
    let n_rays = Poisson::new(0.7)
        .map(|d| d.sample(rng) as usize)
        .unwrap_or(0);
    for _ in 0..n_rays {
        let i = rng.gen_range(1..npix - 2);
        let h = (FULL_WELL - dark) * rng.gen_range(0.02..0.5);
        y[i] += h;
        if rng.gen_bool(0.3) {
            y[i + 1] += h * rng.gen_range(0.5..1.0);
        }
    }
    for v in y.iter_mut() {
        *v = (v.clamp(0.0, FULL_WELL) * 10.0).round() / 10.0;
    }
    Spectrum {
        x,
        y,
        x_unit: XUnit::Nm,
        y_unit: YUnit::Counts,
        meta: Metadata {
            technique: Some(Technique::Pl),
            excitation_nm: Some(excitation),
            temperature_k: Some(temperature),
            instrument: Some("simulated spectrometer".into()),
            ..Metadata::default()
        },
        source_descending: false,
    }
}
