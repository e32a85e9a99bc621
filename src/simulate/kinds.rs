//! Stone classes and what each carries: emitting centres for PL and absorbing centres for FTIR,
//! in amounts drawn at random within ranges chosen from the literature's typical values
//! (domain.md), including the rare hard cases (natural IIa with a weak SiV, treated CVD with a
//! faint N3).

use super::log_uniform;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Truth {
    Natural,
    Cvd,
    Hpht,
    Simulant,
}

impl Truth {
    pub fn name(self) -> &'static str {
        match self {
            Truth::Natural => "natural",
            Truth::Cvd => "cvd",
            Truth::Hpht => "hpht",
            Truth::Simulant => "simulant",
        }
    }

    pub fn parse(s: &str) -> Option<Truth> {
        [Truth::Natural, Truth::Cvd, Truth::Hpht, Truth::Simulant]
            .into_iter()
            .find(|t| t.name() == s.trim().to_ascii_lowercase())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    NaturalIa,
    NaturalIIa,
    CvdAsGrown,
    CvdTreated,
    HphtNi,
    HphtLowN,
    HphtBoron,
    Cz,
    Moissanite,
    Glass,
    Corundum,
}

/// An emitting centre: zero-phonon line, Huang-Rhys factor, phonon energy, and its height
/// relative to the diamond Raman line under 405 and 532 nm excitation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Emitter {
    pub zpl_nm: f64,
    pub huang_rhys: f64,
    pub phonon_mev: f64,
    pub amp405: f64,
    pub amp532: f64,
}

/// FTIR absorption coefficients (cm^-1) of the centres a stone carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Absorbers {
    pub a_1282: f64,
    pub b_1175: f64,
    pub c_1130: f64,
    pub platelets: f64,
    pub boron: f64,
    pub h_3107: f64,
    pub h_3123: f64,
    /// Position of the platelet (B') peak, cm^-1 (it moves with platelet size).
    pub platelet_at: f64,
    /// FWHM of the platelet peak, cm^-1 (regular diamonds narrow, irregular broad).
    pub platelet_width: f64,
    /// A CO2-rich natural (Hainschwang et al. 2008): the lattice CO2 bands and the broad
    /// O-band over the one-phonon region ([`CO2_RICH`]); None for every other stone.
    pub co2_rich: Option<Co2Rich>,
}

/// What marks a CO2-rich natural diamond in FTIR: lattice CO2 (nu3 near 2370 cm^-1, nu2 near
/// 659) and the broad O-band in the one-phonon region. Modelled on the two real CO2-rich
/// naturals of the shared fixtures (FN7112, FN7114: nu3 at 2370.8 cm^-1, FWHM 21, about 5 cm^-1
/// high after normalisation; nu2 at 659, FWHM 3, 0.75; a band near 1090-1310 cm^-1, FWHM
/// 140-350, 0.8-1.0 cm^-1 high, with H 3107) and drawn over ranges around them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Co2Rich {
    /// nu3 position (cm^-1), FWHM (cm^-1) and absorption coefficient (cm^-1).
    pub v3: (f64, f64, f64),
    /// nu2 position, FWHM and absorption coefficient.
    pub v2: (f64, f64, f64),
    /// O-band centre, FWHM (cm^-1) and absorption coefficient (cm^-1).
    pub o_band: (f64, f64, f64),
}

/// Share of the simulated nitrogen-poor (type IIa) naturals that are CO2-rich, so that a
/// nitrogen-free spectrum with lattice CO2, H 3107 and a broad band is met in training as a
/// natural. Type Ia naturals are not made CO2-rich (a broad band over their nitrogen is the
/// simulator's band of every origin, and drawing more for them would change every Ia stone).
pub const CO2_RICH: f64 = 0.4;

impl Co2Rich {
    fn draw<R: Rng>(rng: &mut R) -> Co2Rich {
        let v3 = log_uniform(rng, 0.3, 10.0);
        Co2Rich {
            v3: (rng.gen_range(2366.0..2376.0), rng.gen_range(12.0..26.0), v3),
            v2: (
                rng.gen_range(657.0..661.0),
                rng.gen_range(2.0..4.5),
                v3 * rng.gen_range(0.08..0.25),
            ),
            o_band: (
                rng.gen_range(1050.0..1330.0),
                rng.gen_range(120.0..400.0),
                log_uniform(rng, 0.2, 2.0),
            ),
        }
    }
}

/// Everything the instrument models need to know about a stone.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipe {
    pub kind: Kind,
    pub diamond: bool,
    pub emitters: Vec<Emitter>,
    /// Broad fluorescence: centre nm, FWHM nm, height relative to the Raman line.
    pub background: (f64, f64, f64),
    /// Raman lines of a simulant: (shift cm^-1, relative height, FWHM cm^-1).
    pub raman_lines: Vec<(f64, f64, f64)>,
    pub absorbers: Absorbers,
    /// Simulant infrared bands: (centre cm^-1, FWHM, absorbance).
    pub ir_bands: Vec<(f64, f64, f64)>,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::NaturalIa,
        Kind::NaturalIIa,
        Kind::CvdAsGrown,
        Kind::CvdTreated,
        Kind::HphtNi,
        Kind::HphtLowN,
        Kind::HphtBoron,
        Kind::Cz,
        Kind::Moissanite,
        Kind::Glass,
        Kind::Corundum,
    ];

    pub fn truth(self) -> Truth {
        match self {
            Kind::NaturalIa | Kind::NaturalIIa => Truth::Natural,
            Kind::CvdAsGrown | Kind::CvdTreated => Truth::Cvd,
            Kind::HphtNi | Kind::HphtLowN | Kind::HphtBoron => Truth::Hpht,
            _ => Truth::Simulant,
        }
    }

    pub fn subtype(self) -> &'static str {
        match self {
            Kind::NaturalIa => "natural_ia",
            Kind::NaturalIIa => "natural_iia",
            Kind::CvdAsGrown => "cvd_as_grown",
            Kind::CvdTreated => "cvd_hpht_treated",
            Kind::HphtNi => "hpht_ni",
            Kind::HphtLowN => "hpht_low_n",
            Kind::HphtBoron => "hpht_boron",
            Kind::Cz => "cz",
            Kind::Moissanite => "moissanite",
            Kind::Glass => "glass",
            Kind::Corundum => "corundum",
        }
    }

    pub fn parse_subtype(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.subtype() == s.trim())
    }

    /// The class mix of a simulated archive or evaluation set.
    pub fn draw<R: Rng>(rng: &mut R) -> Kind {
        // As in the ASSURE protocol: mostly naturals (98% of them type Ia), about 15%
        // laboratory-grown and 15% simulants.
        const MIX: [(Kind, f64); 11] = [
            (Kind::NaturalIa, 0.686),
            (Kind::NaturalIIa, 0.014),
            (Kind::CvdAsGrown, 0.04),
            (Kind::CvdTreated, 0.035),
            (Kind::HphtNi, 0.04),
            (Kind::HphtLowN, 0.02),
            (Kind::HphtBoron, 0.015),
            (Kind::Cz, 0.05),
            (Kind::Moissanite, 0.04),
            (Kind::Glass, 0.03),
            (Kind::Corundum, 0.03),
        ];
        let mut u: f64 = rng.r#gen();
        for (k, p) in MIX {
            if u < p {
                return k;
            }
            u -= p;
        }
        Kind::NaturalIa
    }

    /// Draw the centres and amounts one stone of this class carries.
    pub fn recipe<R: Rng>(self, rng: &mut R) -> Recipe {
        let mut r = Recipe {
            kind: self,
            diamond: self.truth() != Truth::Simulant,
            emitters: Vec::new(),
            background: (
                rng.gen_range(520.0..720.0),
                rng.gen_range(80.0..250.0),
                log_uniform(rng, 0.02, 3.0),
            ),
            raman_lines: Vec::new(),
            absorbers: Absorbers {
                a_1282: 0.0,
                b_1175: 0.0,
                c_1130: 0.0,
                platelets: 0.0,
                boron: 0.0,
                h_3107: 0.0,
                h_3123: 0.0,
                platelet_at: rng.gen_range(1360.0..1374.0),
                platelet_width: rng.gen_range(8.0..30.0),
                co2_rich: None,
            },
            ir_bands: Vec::new(),
        };
        // (zpl, S, phonon meV, amp405 (lo, hi), amp532 (lo, hi), probability)
        type Row = (f64, f64, f64, (f64, f64), (f64, f64), f64);
        let mut add = |rng: &mut R, rows: &[Row]| {
            for &(zpl, s, ph, a405, a532, p) in rows {
                if rng.gen_bool(p) {
                    let draw = |rng: &mut R, (lo, hi): (f64, f64)| {
                        if hi > 0.0 {
                            log_uniform(rng, lo, hi)
                        } else {
                            0.0
                        }
                    };
                    r.emitters.push(Emitter {
                        zpl_nm: zpl,
                        huang_rhys: s,
                        phonon_mev: ph,
                        amp405: draw(rng, a405),
                        amp532: draw(rng, a532),
                    });
                }
            }
        };
        const NONE: (f64, f64) = (0.0, 0.0);
        match self {
            Kind::NaturalIa => {
                add(
                    rng,
                    &[
                        (415.2, 2.0, 80.0, (1.0, 80.0), NONE, 0.97),
                        (503.2, 3.0, 70.0, (0.05, 5.0), NONE, 0.5),
                        (496.0, 3.0, 70.0, (0.05, 3.0), NONE, 0.3),
                        (490.7, 1.0, 60.0, (0.05, 2.0), NONE, 0.3),
                        (575.0, 3.0, 65.0, (0.01, 0.3), (0.02, 1.0), 0.5),
                        (637.0, 3.5, 65.0, (0.01, 0.2), (0.02, 1.0), 0.5),
                        (741.1, 2.0, 70.0, NONE, (0.02, 0.5), 0.15),
                    ],
                );
                r.absorbers.a_1282 = log_uniform(rng, 0.8, 40.0);
                r.absorbers.b_1175 = r.absorbers.a_1282 * log_uniform(rng, 0.05, 4.0);
                r.absorbers.platelets = if rng.gen_bool(0.6) {
                    r.absorbers.b_1175 * rng.gen_range(0.1..0.8)
                } else {
                    0.0
                };
                r.absorbers.h_3107 = if rng.gen_bool(0.7) {
                    log_uniform(rng, 0.1, 8.0)
                } else {
                    0.0
                };
            }
            Kind::NaturalIIa => {
                add(
                    rng,
                    &[
                        (415.2, 2.0, 80.0, (0.05, 1.0), NONE, 0.3),
                        (741.1, 2.0, 70.0, NONE, (0.05, 2.0), 0.5),
                        (503.4, 0.5, 60.0, (0.05, 1.0), NONE, 0.3),
                        (503.2, 3.0, 70.0, (0.05, 2.0), NONE, 0.3),
                        (575.0, 3.0, 65.0, (0.01, 0.3), (0.05, 1.0), 0.6),
                        (637.0, 3.5, 65.0, (0.01, 0.2), (0.05, 1.0), 0.6),
                        (490.7, 1.0, 60.0, (0.05, 1.0), NONE, 0.4),
                        (736.8, 0.3, 40.0, NONE, (0.01, 0.1), 0.03), // rare weak SiV: the hard case
                    ],
                );
                r.absorbers.a_1282 = log_uniform(rng, 0.005, 0.12);
                r.absorbers.b_1175 = r.absorbers.a_1282 * rng.gen_range(0.0..1.0);
                // From a stream of its own, seeded by the stone's nitrogen draw: every other
                // draw of the stone (its PL spectra among them) stays what it was before
                // CO2-rich stones were made, so the PL models' training data are unchanged.
                let mut side = rand_chacha::ChaCha8Rng::seed_from_u64(
                    r.absorbers.a_1282.to_bits() ^ 0xC02_51DE,
                );
                if side.gen_bool(CO2_RICH) {
                    r.absorbers.co2_rich = Some(Co2Rich::draw(&mut side));
                    r.absorbers.h_3107 = log_uniform(&mut side, 0.1, 3.0);
                }
            }
            Kind::CvdAsGrown => {
                add(
                    rng,
                    &[
                        (736.8, 0.3, 40.0, (0.02, 2.0), (0.2, 60.0), 0.95),
                        (575.0, 3.0, 65.0, (0.05, 2.0), (0.1, 20.0), 0.95),
                        (637.0, 3.5, 65.0, (0.02, 1.0), (0.1, 20.0), 0.95),
                        (596.8, 0.5, 50.0, NONE, (0.05, 3.0), 0.8),
                        (467.8, 1.0, 60.0, (0.05, 2.0), NONE, 0.6),
                        (503.4, 0.5, 60.0, (0.05, 1.0), NONE, 0.3),
                        (946.0, 0.3, 40.0, NONE, (0.05, 2.0), 0.3),
                    ],
                );
                r.absorbers.h_3123 = if rng.gen_bool(0.3) {
                    log_uniform(rng, 0.1, 1.0)
                } else {
                    0.0
                };
                r.absorbers.a_1282 = log_uniform(rng, 0.001, 0.05);
            }
            Kind::CvdTreated => {
                add(
                    rng,
                    &[
                        (736.8, 0.3, 40.0, (0.02, 2.0), (0.1, 40.0), 0.9),
                        (575.0, 3.0, 65.0, (0.05, 2.0), (0.1, 10.0), 0.9),
                        (637.0, 3.5, 65.0, (0.02, 1.0), (0.1, 10.0), 0.9),
                        (503.2, 3.0, 70.0, (0.1, 10.0), NONE, 0.8),
                        (467.8, 1.0, 60.0, (0.05, 1.0), NONE, 0.3),
                        (415.2, 2.0, 80.0, (0.02, 0.3), NONE, 0.05), // faint N3: the hard case
                    ],
                );
                r.absorbers.a_1282 = log_uniform(rng, 0.001, 0.08);
                r.absorbers.h_3107 = if rng.gen_bool(0.1) {
                    log_uniform(rng, 0.05, 0.5)
                } else {
                    0.0
                };
            }
            Kind::HphtNi => {
                add(
                    rng,
                    &[
                        (883.0, 0.5, 40.0, NONE, (0.1, 20.0), 0.9),
                        (884.7, 0.5, 40.0, NONE, (0.1, 20.0), 0.9),
                        (484.4, 1.0, 60.0, (0.1, 10.0), NONE, 0.8),
                        (793.6, 1.0, 50.0, NONE, (0.05, 5.0), 0.6),
                        (658.0, 1.0, 50.0, NONE, (0.05, 2.0), 0.3),
                        (575.0, 3.0, 65.0, (0.02, 1.0), (0.05, 3.0), 0.6),
                        (637.0, 3.5, 65.0, (0.02, 1.0), (0.05, 3.0), 0.6),
                    ],
                );
                r.absorbers.c_1130 = if rng.gen_bool(0.7) {
                    log_uniform(rng, 0.5, 20.0)
                } else {
                    0.0
                };
                r.absorbers.a_1282 = r.absorbers.c_1130 * rng.gen_range(0.0..0.3);
            }
            Kind::HphtLowN => {
                add(
                    rng,
                    &[
                        (575.0, 3.0, 65.0, (0.01, 0.2), (0.01, 0.3), 0.3),
                        (637.0, 3.5, 65.0, (0.01, 0.2), (0.01, 0.3), 0.3),
                        (883.0, 0.5, 40.0, NONE, (0.02, 0.5), 0.2),
                        (736.8, 0.3, 40.0, NONE, (0.02, 0.5), 0.1),
                    ],
                );
                r.absorbers.a_1282 = log_uniform(rng, 0.001, 0.05);
            }
            Kind::HphtBoron => {
                add(rng, &[(637.0, 3.5, 65.0, (0.01, 0.1), (0.01, 0.2), 0.2)]);
                r.absorbers.boron = log_uniform(rng, 0.5, 10.0);
            }
            Kind::Cz => {
                r.background = (
                    rng.gen_range(490.0..560.0),
                    rng.gen_range(60.0..140.0),
                    log_uniform(rng, 0.5, 20.0),
                );
                r.raman_lines = vec![(260.0, 0.3, 60.0), (470.0, 0.5, 60.0), (625.0, 0.8, 50.0)];
                r.ir_bands = vec![(650.0, 300.0, 3.0)];
            }
            Kind::Moissanite => {
                r.raman_lines = vec![
                    (767.0, 0.4, 4.0),
                    (789.0, 1.0, 4.0),
                    (797.0, 0.6, 4.0),
                    (965.0, 0.3, 8.0),
                ];
                r.ir_bands = vec![(900.0, 250.0, 3.0), (1550.0, 60.0, 0.2)];
            }
            Kind::Glass => {
                r.background = (
                    rng.gen_range(450.0..650.0),
                    rng.gen_range(150.0..300.0),
                    log_uniform(rng, 0.2, 5.0),
                );
                r.raman_lines = vec![(480.0, 0.2, 150.0), (1000.0, 0.1, 150.0)];
                r.ir_bands = vec![
                    (1000.0, 500.0, 3.0),
                    (2700.0, 300.0, 0.5),
                    (3550.0, 150.0, 0.4),
                ];
            }
            Kind::Corundum => {
                add(
                    rng,
                    &[
                        (692.8, 0.1, 30.0, (1.0, 30.0), (1.0, 30.0), 0.8),
                        (694.2, 0.1, 30.0, (1.0, 30.0), (1.0, 30.0), 0.8),
                    ],
                );
                r.raman_lines = vec![(418.0, 1.0, 5.0), (378.0, 0.3, 5.0), (750.0, 0.3, 6.0)];
                r.ir_bands = vec![(700.0, 250.0, 3.0)];
            }
        }
        r
    }
}
