//! A photoluminescence measurement: zero-phonon lines with phonon sidebands (Huang-Rhys
//! progression), 77 K or room-temperature widths and shifts, the diamond Raman line and its
//! second-order band, a broad fluorescence background, the laser tail past the edge filter,
//! a wavelength-calibration offset, a drawn range and pixel count with non-uniform spacing,
//! instrument resolution, shot and read noise, dark offset, cosmic-ray spikes and, now and
//! then, a saturated detector.

use super::instrument::{Family, PlInstrument, Processing, process};
use super::kinds::Recipe;
use crate::lines::table::CENTRES;
use crate::preprocess::calibration::DIAMOND_RAMAN_SHIFT;
use crate::preprocess::peak_shape::gauss;
use crate::spectrum::{Metadata, Spectrum, Technique, XUnit, YUnit, raman_line_nm};
use rand::Rng;
use rand_distr::{Distribution, Normal, Poisson};

const HC_EV_NM: f64 = 1239.841984;

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

/// One PL spectrum of `recipe` under `excitation` nm, by the project's first instrument.
pub fn measure<R: Rng>(rng: &mut R, recipe: &Recipe, excitation: f64) -> Spectrum {
    measure_with(rng, recipe, excitation, Family::Original)
}

/// One PL spectrum of `recipe` under `excitation` nm, by an instrument of `family`.
pub fn measure_with<R: Rng>(
    rng: &mut R,
    recipe: &Recipe,
    excitation: f64,
    family: Family,
) -> Spectrum {
    let cold = rng.gen_bool(0.8);
    let temperature = if cold { 77.0 } else { 295.0 };
    let inst = family.draw_pl(rng, excitation, cold);
    let PlInstrument {
        npix,
        resolution,
        cal_offset,
        gain,
        read_noise,
        dark,
        tail_h,
        tail_tau,
        eta,
        ..
    } = inst;
    let raman_nm = raman_line_nm(excitation, DIAMOND_RAMAN_SHIFT);
    let raman_fwhm = (raman_nm.powi(2) * 1e-7 * inst.raman_width).hypot(resolution);
    let (bg_c, bg_w, bg_h) = recipe.background;

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
        let amp = amp * inst.emission;
        let s = inst.sideband.0
            * if cold {
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
            let w = c * c / HC_EV_NM * 0.06 * inst.sideband.1 * (n as f64).sqrt();
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
    // The skin's or a coating's own glow on rough stones (field instruments): broad and red.
    let glow =
        (inst.skin_glow > 0.0).then(|| (rng.gen_range(550.0..800.0), rng.gen_range(80.0..300.0)));
    for p in 0..npix {
        let lam = inst.wavelength(p);
        let mut v = bg_h * inst.emission * gauss(lam, bg_c, bg_w)
            + tail_h * (-(lam - excitation) / tail_tau).exp();
        if let Some((c, w)) = glow {
            v += inst.skin_glow * gauss(lam, c, w);
        }
        let (fh, decay) = inst.fluorescence;
        if fh > 0.0 {
            let from = if decay > 0.0 { inst.start } else { inst.end };
            v += fh * inst.emission * (-(lam - from).abs() / decay.abs()).exp();
        }
        for l in &lines {
            // Lorentzian wings reach further than Gaussian ones.
            let reach = if l.lorentzian || eta > 0.0 {
                40.0
            } else {
                12.0
            };
            if (lam - l.c).abs() < reach * l.w {
                v += l.h
                    * if l.lorentzian {
                        lorentz(lam, l.c, l.w)
                    } else if eta > 0.0 {
                        (1.0 - eta) * gauss(lam, l.c, l.w) + eta * lorentz(lam, l.c, l.w)
                    } else {
                        gauss(lam, l.c, l.w)
                    };
            }
        }
        x.push(((lam + cal_offset) * 1e4).round() / 1e4); // 4 decimals, as exports print
        clean.push(v * inst.throughput(lam));
    }
    if inst.stray > 0.0 {
        let mean = clean.iter().sum::<f64>() / clean.len() as f64;
        clean.iter_mut().for_each(|v| *v += inst.stray * mean);
    }
    // Exposure: the operator (or auto-exposure) fills the detector to a fraction of its well;
    // now and then too little (a noisy spectrum) or too much (saturated).
    let vmax = clean.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
    let fill = match rng.gen_range(0.0..1.0) {
        u if u < 0.005 => rng.gen_range(0.002..0.02),
        u if u < 0.01 => rng.gen_range(1.2..3.0),
        _ => rng.gen_range(inst.fill.0..inst.fill.1),
    };
    let full_well = inst.full_well;
    let raman_height = fill * (full_well - dark).max(full_well * 0.2) / vmax;
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
        let h = (full_well - dark).max(full_well * 0.2) * rng.gen_range(0.02..0.5);
        y[i] += h;
        if rng.gen_bool(0.3) {
            y[i + 1] += h * rng.gen_range(0.5..1.0);
        }
    }
    for v in y.iter_mut() {
        *v = (v.clamp(0.0, full_well) * 10.0).round() / 10.0;
    }
    process(&mut y, dark, inst.processing);
    let normalised = matches!(
        inst.processing,
        Processing::Normalised | Processing::FlattenedNormalised
    );
    Spectrum {
        x,
        y,
        x_unit: XUnit::Nm,
        y_unit: if normalised {
            YUnit::Arbitrary
        } else {
            YUnit::Counts
        },
        meta: Metadata {
            technique: Some(Technique::Pl),
            excitation_nm: Some(excitation),
            temperature_k: Some(temperature),
            instrument: Some(if family == Family::Original {
                "simulated spectrometer".into()
            } else {
                format!("simulated spectrometer ({})", family.name())
            }),
            ..Metadata::default()
        },
        source_descending: false,
    }
}
