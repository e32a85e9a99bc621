//! Instrument families: distinct spectrometer models, each with its own dispersion, pixel
//! count, range, resolution and line shape, calibration error, detector response and
//! etaloning, dark offset and read noise, intensity scale, stray light and laser tail, and the
//! processing its software applies before the file is written. A simulated stone is measured
//! by one family (`simulate --families`), so that models can be trained on some families,
//! calibrated on another and evaluated on one never used in either.
//!
//! `original` is the project's first simulated instrument, drawn exactly as before (the same
//! random numbers in the same order), so its figures stay comparable.

use super::log_uniform;
use crate::preprocess::window::running_mean;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// A spectrometer model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// The project's first instrument: a cooled CCD spectrograph with jitter.
    Original,
    /// A general-purpose bench spectrograph: cubic dispersion, 1,024-2,048 pixels, NIR
    /// etaloning, 18-bit readout, raw or dark-subtracted files.
    Bench,
    /// A compact USB spectrometer: 2,048-3,648 pixels over a wide range, 1-2 nm resolution,
    /// 12-bit readout with high read noise and stray light.
    Compact,
    /// A high-resolution spectrograph: 0.05-0.12 nm, Voigt line shapes, summed frames of up to
    /// 10^6 counts.
    HighResolution,
    /// A Raman microscope: Lorentzian line shapes, strong deep-depletion etaloning, spectra
    /// delivered normalised to their maximum.
    Microscope,
    /// Software that flattens the spectrum before writing it (the background removed, as the
    /// EnSpectr files are), sometimes normalised too.
    Flattened,
    /// A portable screener for rough parcels: 512-1,024 pixels, about 2 nm, weak and variable
    /// signal from frosted or coated skins, low counts.
    Field,
}

impl Family {
    pub const ALL: [Family; 7] = [
        Family::Original,
        Family::Bench,
        Family::Compact,
        Family::HighResolution,
        Family::Microscope,
        Family::Flattened,
        Family::Field,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Original => "original",
            Family::Bench => "bench",
            Family::Compact => "compact",
            Family::HighResolution => "high_resolution",
            Family::Microscope => "microscope",
            Family::Flattened => "flattened",
            Family::Field => "field",
        }
    }

    pub fn parse(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == s.trim())
    }
}

/// What the instrument's software does to the counts before writing the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    Raw,
    DarkSubtracted,
    /// A smooth background (running minimum, then smoothed) subtracted.
    Flattened,
    /// Divided by its maximum.
    Normalised,
    FlattenedNormalised,
}

/// One PL measurement's instrument, drawn from a family.
#[derive(Debug, Clone, PartialEq)]
pub struct PlInstrument {
    pub start: f64,
    pub end: f64,
    pub npix: usize,
    /// Quadratic and cubic terms of the pixel-to-wavelength dispersion (shares of the range).
    pub q: f64,
    pub cubic: f64,
    /// Instrument FWHM, nm.
    pub resolution: f64,
    /// Lorentzian share of the instrument line shape (0 Gaussian, 1 Lorentzian).
    pub eta: f64,
    pub cal_offset: f64,
    pub gain: f64,
    pub read_noise: f64,
    pub dark: f64,
    /// Intrinsic FWHM factor of the diamond Raman line (cm^-1 = factor x 1.0).
    pub raman_width: f64,
    pub tail_h: f64,
    pub tail_tau: f64,
    /// The detector's full well (counts): its intensity scale.
    pub full_well: f64,
    /// Fringe amplitude, period at 800 nm (nm) and phase; fringes grow past 650 nm.
    pub etalon: (f64, f64, f64),
    /// Detector response: centre (nm), width (nm) of a broad Gaussian; width 0 = flat.
    pub response: (f64, f64),
    /// Stray light as a share of the mean signal.
    pub stray: f64,
    /// Signal scale of the stone under this instrument (a rough skin scatters most light away).
    pub fill: (f64, f64),
    /// Extra broad background (the skin's or a coating's fluorescence): height relative to the
    /// Raman line; 0 for none.
    pub skin_glow: f64,
    pub processing: Processing,
    /// The stone as this measurement meets it (drawn here for the new families only, so the
    /// original family's spectra stay as they were): sideband strength (Huang-Rhys factor) and
    /// width factors, the emission's strength against the Raman line (above 1: a weak Raman
    /// line), and a second fluorescence component (height relative to the Raman line, decay
    /// length in nm; negative decay = rising to the red).
    pub sideband: (f64, f64),
    pub emission: f64,
    pub fluorescence: (f64, f64),
}

fn pick<R: Rng, T: Copy>(rng: &mut R, v: &[T]) -> T {
    v[rng.gen_range(0..v.len())]
}

impl Family {
    /// Draw the PL instrument for one spectrum under `excitation` nm (`cold`: 77 K).
    pub fn draw_pl<R: Rng>(self, rng: &mut R, excitation: f64, cold: bool) -> PlInstrument {
        let blue = excitation < 450.0;
        if self == Family::Original {
            return original_pl(rng, excitation, cold);
        }
        let (start, end) = {
            let start = excitation + rng.gen_range(3.5..12.0);
            let end = if blue {
                rng.gen_range(620.0..800.0)
            } else {
                rng.gen_range(740.0..1000.0)
            };
            (start, end)
        };
        let base = PlInstrument {
            start,
            end,
            npix: 2048,
            q: rng.gen_range(-0.1..0.1),
            cubic: 0.0,
            resolution: 0.3,
            eta: 0.0,
            cal_offset: rng.gen_range(-0.5..0.5),
            gain: rng.gen_range(0.5..3.0),
            read_noise: rng.gen_range(2.0..15.0),
            dark: rng.gen_range(50.0..1000.0),
            raman_width: rng.gen_range(1.5..2.5),
            tail_h: log_uniform(rng, 0.02, 10.0),
            tail_tau: rng.gen_range(1.0..8.0),
            full_well: 65535.0,
            etalon: (0.0, 5.0, 0.0),
            response: (rng.gen_range(450.0..800.0), rng.gen_range(300.0..900.0)),
            stray: 0.0,
            fill: (0.15, 0.85),
            skin_glow: 0.0,
            processing: Processing::Raw,
            sideband: (rng.gen_range(0.7..1.5), rng.gen_range(0.7..2.5)),
            emission: log_uniform(rng, 0.5, 8.0),
            fluorescence: if rng.gen_bool(0.6) {
                (
                    log_uniform(rng, 0.05, 20.0),
                    rng.gen_range(30.0..300.0) * if rng.gen_bool(0.5) { 1.0 } else { -1.0 },
                )
            } else {
                (0.0, 1.0)
            },
        };
        let phase = rng.gen_range(0.0..std::f64::consts::TAU);
        match self {
            Family::Original => unreachable!("drawn above"),
            Family::Bench => PlInstrument {
                npix: pick(rng, &[1024, 1340, 2048]),
                cubic: rng.gen_range(-0.05..0.05),
                resolution: if cold {
                    rng.gen_range(0.1..0.4)
                } else {
                    rng.gen_range(0.3..1.0)
                },
                eta: rng.gen_range(0.0..0.3),
                full_well: 262_143.0,
                etalon: (rng.gen_range(0.02..0.1), rng.gen_range(3.0..7.0), phase),
                stray: rng.gen_range(0.0..0.02),
                processing: pick(rng, &[Processing::Raw, Processing::DarkSubtracted]),
                ..base
            },
            Family::Compact => PlInstrument {
                start: excitation + rng.gen_range(4.0..15.0),
                end: if blue {
                    rng.gen_range(700.0..850.0)
                } else {
                    rng.gen_range(850.0..1000.0)
                },
                npix: pick(rng, &[2048, 3648]),
                resolution: rng.gen_range(1.0..2.0),
                eta: rng.gen_range(0.2..0.5),
                read_noise: rng.gen_range(5.0..30.0),
                dark: rng.gen_range(200.0..1500.0),
                full_well: 4095.0,
                stray: rng.gen_range(0.005..0.05),
                ..base
            },
            Family::HighResolution => PlInstrument {
                npix: pick(rng, &[2048, 4096]),
                resolution: rng.gen_range(0.05..0.12),
                eta: rng.gen_range(0.3..0.6),
                read_noise: rng.gen_range(1.0..5.0),
                full_well: log_uniform(rng, 1e5, 1e6),
                processing: pick(rng, &[Processing::Raw, Processing::DarkSubtracted]),
                ..base
            },
            Family::Microscope => PlInstrument {
                npix: pick(rng, &[1024, 1340]),
                resolution: rng.gen_range(0.3..0.8),
                eta: rng.gen_range(0.5..1.0),
                cal_offset: rng.gen_range(-0.3..0.3),
                etalon: (rng.gen_range(0.05..0.25), rng.gen_range(2.0..6.0), phase),
                processing: Processing::Normalised,
                ..base
            },
            Family::Flattened => PlInstrument {
                npix: pick(rng, &[2048, 3648]),
                resolution: rng.gen_range(0.2..0.6),
                eta: rng.gen_range(0.0..0.4),
                processing: pick(
                    rng,
                    &[Processing::Flattened, Processing::FlattenedNormalised],
                ),
                ..base
            },
            Family::Field => PlInstrument {
                npix: pick(rng, &[512, 1024]),
                resolution: rng.gen_range(1.5..2.0),
                eta: rng.gen_range(0.0..0.5),
                read_noise: rng.gen_range(5.0..20.0),
                full_well: log_uniform(rng, 1e3, 1e4),
                stray: rng.gen_range(0.0..0.03),
                fill: (0.05, 0.6),
                skin_glow: if rng.gen_bool(0.5) {
                    log_uniform(rng, 0.1, 5.0)
                } else {
                    0.0
                },
                processing: pick(rng, &[Processing::Raw, Processing::Normalised]),
                ..base
            },
        }
    }
}

/// The first instrument, drawn as it always was.
fn original_pl<R: Rng>(rng: &mut R, excitation: f64, cold: bool) -> PlInstrument {
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
    let raman_width = rng.gen_range(1.5..2.5);
    let tail_h = log_uniform(rng, 0.05, 5.0);
    let tail_tau = rng.gen_range(1.5..5.0);
    PlInstrument {
        start,
        end,
        npix,
        q,
        cubic: 0.0,
        resolution,
        eta: 0.0,
        cal_offset,
        gain,
        read_noise,
        dark,
        raman_width,
        tail_h,
        tail_tau,
        full_well: 65535.0,
        etalon: (0.0, 5.0, 0.0),
        response: (0.0, 0.0),
        stray: 0.0,
        fill: (0.15, 0.85),
        skin_glow: 0.0,
        processing: Processing::Raw,
        sideband: (1.0, 1.0),
        emission: 1.0,
        fluorescence: (0.0, 1.0),
    }
}

impl PlInstrument {
    /// Wavelength (before the calibration error) of pixel `p`.
    pub fn wavelength(&self, p: usize) -> f64 {
        let u = p as f64 / (self.npix - 1) as f64;
        self.start
            + (self.end - self.start)
                * (u + self.q * u * (1.0 - u) + self.cubic * u * (1.0 - u) * (0.5 - u))
    }

    /// The detector's relative response and fringes at `lam` (1 for the original).
    pub fn throughput(&self, lam: f64) -> f64 {
        let (c, w) = self.response;
        let response = if w > 0.0 {
            0.3 + 0.7 * (-0.5 * ((lam - c) / w).powi(2)).exp()
        } else {
            1.0
        };
        let (amp, period, phase) = self.etalon;
        let fringe = if amp > 0.0 && lam > 650.0 {
            let grow = ((lam - 650.0) / 150.0).min(1.0);
            // an etalon's fringes are periodic in wavenumber: `period` is their period at
            // 800 nm, growing as the square of the wavelength
            1.0 + amp
                * grow
                * (std::f64::consts::TAU * 800.0 * 800.0 / (period * lam) + phase).sin()
        } else {
            1.0
        };
        response * fringe
    }
}

/// Apply the software's processing to the written counts.
pub fn process(y: &mut [f64], dark: f64, processing: Processing) {
    match processing {
        Processing::Raw => {}
        Processing::DarkSubtracted => y.iter_mut().for_each(|v| *v -= dark),
        Processing::Flattened => flatten(y),
        Processing::Normalised => normalise(y),
        Processing::FlattenedNormalised => {
            flatten(y);
            normalise(y);
        }
    }
}

/// Subtract a smooth lower envelope: a running minimum over 1/15 of the pixels, then a running
/// mean over the same width (what instrument software calls flattening).
fn flatten(y: &mut [f64]) {
    let n = y.len();
    let w = (n / 15).max(5);
    let min: Vec<f64> = (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(w), (i + w + 1).min(n));
            y[a..b].iter().copied().fold(f64::INFINITY, f64::min)
        })
        .collect();
    for (v, m) in y.iter_mut().zip(running_mean(&min, w)) {
        *v -= m;
    }
}

fn normalise(y: &mut [f64]) {
    let max = y.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
    y.iter_mut().for_each(|v| *v /= max);
}

/// One FTIR measurement's instrument.
#[derive(Debug, Clone, PartialEq)]
pub struct FtirInstrument {
    /// Resolution (cm^-1 FWHM) the spectrum is smoothed to; 0 leaves it as computed.
    pub resolution: f64,
    /// Scattering baseline of a rough or frosted skin: absorbance at 4000 cm^-1 and power.
    pub scatter: (f64, f64),
    /// Path-length range (cm): short and uneven through rough stones and melee.
    pub thickness: (f64, f64),
    pub noise: (f64, f64),
}

impl Family {
    /// Draw the FTIR instrument (the original draws nothing: its parameters stay in `ftir`).
    pub fn draw_ftir<R: Rng>(self, rng: &mut R) -> FtirInstrument {
        let plain = FtirInstrument {
            resolution: 0.0,
            scatter: (0.0, 0.0),
            thickness: (0.05, 0.35),
            noise: (0.0005, 0.006),
        };
        match self {
            Family::Original => plain,
            Family::Field => FtirInstrument {
                resolution: rng.gen_range(4.0..16.0),
                scatter: (log_uniform(rng, 0.05, 1.5), rng.gen_range(1.5..4.0)),
                thickness: (0.01, 0.2),
                noise: (0.001, 0.01),
            },
            Family::Microscope => FtirInstrument {
                resolution: rng.gen_range(4.0..8.0),
                scatter: (log_uniform(rng, 0.01, 0.3), rng.gen_range(1.0..3.0)),
                thickness: (0.02, 0.3),
                noise: (0.001, 0.01),
            },
            Family::Compact => FtirInstrument {
                resolution: rng.gen_range(4.0..8.0),
                ..plain
            },
            _ => FtirInstrument {
                resolution: rng.gen_range(0.5..4.0),
                scatter: (log_uniform(rng, 0.005, 0.2), rng.gen_range(1.0..3.0)),
                ..plain
            },
        }
    }
}

/// Smooth `y` (on an even grid of `step`) to a Gaussian resolution of `fwhm`.
pub fn smooth_to(y: &[f64], step: f64, fwhm: f64) -> Vec<f64> {
    let sigma = fwhm / 2.354_820_045 / step;
    if sigma < 0.5 {
        return y.to_vec();
    }
    let half = (3.0 * sigma).ceil() as usize;
    let kernel: Vec<f64> = (0..=2 * half)
        .map(|i| (-0.5 * ((i as f64 - half as f64) / sigma).powi(2)).exp())
        .collect();
    (0..y.len())
        .map(|i| {
            let (mut s, mut w) = (0.0, 0.0);
            for (j, k) in kernel.iter().enumerate() {
                if let Some(v) = (i + j).checked_sub(half).and_then(|t| y.get(t)) {
                    s += k * v;
                    w += k;
                }
            }
            s / w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::stone_rng;

    #[test]
    fn families_differ_and_stay_in_their_ranges() {
        for f in Family::ALL {
            assert_eq!(Family::parse(f.name()), Some(f));
            let mut rng = stone_rng(5, 1);
            for _ in 0..50 {
                let i = f.draw_pl(&mut rng, 405.0, true);
                assert!((512..=4096).contains(&i.npix), "{f:?}");
                assert!((0.05..=2.0).contains(&i.resolution), "{f:?}");
                assert!(i.cal_offset.abs() <= 0.5, "{f:?}");
                assert!((1e2..=1e6).contains(&i.full_well), "{f:?}");
                assert!(i.start > 405.0 && i.end > i.start + 200.0, "{f:?}");
                // dispersion stays monotonic
                assert!(i.wavelength(1) > i.wavelength(0), "{f:?}");
                assert!(i.wavelength(i.npix - 1) > i.wavelength(i.npix - 2), "{f:?}");
            }
        }
    }

    #[test]
    fn flattening_removes_a_smooth_background_and_keeps_a_line() {
        let mut y: Vec<f64> = (0..1000)
            .map(|i| 1000.0 + 0.5 * i as f64 + if i == 500 { 300.0 } else { 0.0 })
            .collect();
        process(&mut y, 0.0, Processing::Flattened);
        assert!(
            y[100].abs() < 60.0 && y[900].abs() < 60.0,
            "{} {}",
            y[100],
            y[900]
        );
        assert!(y[500] > 250.0);
        process(&mut y, 0.0, Processing::Normalised);
        assert!((y.iter().copied().fold(f64::MIN, f64::max) - 1.0).abs() < 1e-12);
        let s = smooth_to(&y, 1.0, 10.0);
        assert!(s[500] < 0.5 && s[500] > 0.05);
    }
}
