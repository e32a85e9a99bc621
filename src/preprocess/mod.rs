//! Preprocessing: small steps over slices, composed into a named, serialisable *protocol*.
//! A model's manifest stores its protocol, so training features and served features come from
//! this one implementation.

pub mod baseline;
pub mod calibration;
pub mod despike;
pub mod least_squares;
pub mod median;
mod normalise;
pub mod peak_shape;
pub mod raman_fit;
pub mod resample;
pub mod savgol;
pub mod window;

pub use calibration::{RamanLine, find_raman_line, raman_line_at_peak};
pub use normalise::{NormMethod, TWO_PHONON_AT_1992, divisor};
pub use raman_fit::fit_raman_line;
pub use resample::Grid;

use crate::spectrum::{ConvertError, Spectrum, XUnit};
use serde::{Deserialize, Serialize};

/// One preprocessing step with its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// Keep lo <= x <= hi (protocol units).
    Crop { lo: f64, hi: f64 },
    /// Remove cosmic-ray spikes (see [`despike`]).
    Despike { threshold: f64, half_window: usize },
    /// Linear interpolation onto a uniform grid.
    Resample { grid: Grid },
    /// Savitzky-Golay smoothing.
    Smooth { window: usize, polyorder: usize },
    /// Subtract an arPLS baseline, solved on the means of blocks of `decimate` points
    /// (1, the default: on every point; see [`baseline::arpls_decimated`]).
    Baseline {
        lam: f64,
        max_iter: usize,
        tol: f64,
        #[serde(default = "one", skip_serializing_if = "is_one")]
        decimate: usize,
    },
    /// Divide by a reference (Raman line area, two-phonon absorption, max, area).
    Normalise { method: NormMethod },
    /// y <- asinh(y / scale): linear near zero, logarithmic for strong lines, so that a model
    /// sees weak and strong centres on one scale.
    Compress { scale: f64 },
}

fn one() -> usize {
    1
}

fn is_one(k: &usize) -> bool {
    *k == 1
}

/// A named list of steps applied after converting x to `x_unit`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Protocol {
    pub name: String,
    pub x_unit: XUnit,
    pub steps: Vec<Step>,
}

/// A spectrum part-way through its protocol, waiting for the detector's findings
/// ([`Protocol::begin`], [`Protocol::finish`]).
#[derive(Debug)]
pub struct Partial {
    p: Prepared,
    /// The first step not yet run.
    next: usize,
}

/// A spectrum after its protocol.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prepared {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub x_unit: XUnit,
    /// Share of the resampling grid the measured data cover (1.0 without a resample step).
    pub coverage: f64,
    /// Points replaced as cosmic-ray spikes.
    pub despiked: usize,
    /// The reference the spectrum was divided by, if a normalise step ran.
    pub norm_divisor: Option<f64>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    #[error("cannot bring x to the protocol's unit: {0}")]
    Convert(#[from] ConvertError),
    #[error("fewer than 3 points left after cropping to {lo}..{hi}")]
    CroppedAway { lo: f64, hi: f64 },
    #[error("invalid protocol: {0}")]
    Invalid(String),
    #[error(
        "the measured range covers {:.1}% of the model's grid (at least {:.0}% needed); measure the full range",
        (1000.0 * .0).floor() / 10.0,
        100.0 * MIN_GRID_COVERAGE
    )]
    Coverage(f64),
}

/// A model is not asked about a spectrum that covers less of its grid than this: it would
/// answer from extrapolated values (a PL 405 nm spectrum cut in half was called a simulant).
/// Three quarters, not nine tenths: a 405 nm spectrometer whose range ends at 600-630 nm holds
/// every decisive 405 nm line (N3, 468, 484.4, H3, NV0) but 80-90% of the 413-640 nm grid, and
/// at 0.9 half the naturals of the held-out family measured so were `inconclusive` ("measure
/// the full range"); at 0.75 they are scored (0.7% inconclusive), and no synthetic of 5,000 of
/// every family with such spectra passed (test `pl405_spectra_ending_short_of_the_model_grid_are_scored`).
pub const MIN_GRID_COVERAGE: f64 = 0.75;

impl Protocol {
    /// Check parameters once, before running on many spectra.
    pub fn validate(&self) -> Result<(), PrepareError> {
        let bad = |m: String| Err(PrepareError::Invalid(format!("{}: {m}", self.name)));
        for s in &self.steps {
            match *s {
                Step::Crop { lo, hi } if !(lo < hi) => return bad(format!("crop {lo}..{hi}")),
                Step::Resample { grid } if !(grid.start < grid.stop) || grid.n < 2 => {
                    return bad(format!("grid {grid:?}"));
                }
                Step::Smooth { window, polyorder } if window % 2 == 0 || window <= polyorder => {
                    return bad(format!("savgol window {window} order {polyorder}"));
                }
                Step::Baseline { lam, .. } if !(lam > 0.0) => return bad(format!("lam {lam}")),
                Step::Baseline { decimate: 0, .. } => return bad("baseline decimate 0".into()),
                Step::Compress { scale } if !(scale > 0.0) => {
                    return bad(format!("compress scale {scale}"));
                }
                Step::Despike { threshold, .. } if !(threshold > 0.0) => {
                    return bad(format!("despike threshold {threshold}"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The grid of the last resample step: the shape of the model input.
    pub fn grid(&self) -> Option<Grid> {
        self.steps.iter().rev().find_map(|s| match s {
            Step::Resample { grid } => Some(*grid),
            _ => None,
        })
    }

    /// Run the protocol on one spectrum; `raman` is the detector's Raman line (in the
    /// protocol's unit) for a [`NormMethod::RamanLine`] step.
    pub fn prepare(
        &self,
        s: &Spectrum,
        raman: Option<&RamanLine>,
    ) -> Result<Prepared, PrepareError> {
        let (x, y) = s.converted(&self.x_unit)?;
        self.prepare_converted(x, y, s.meta.excitation_nm, raman)
    }

    /// Run the protocol on points already in the protocol's x unit (ascending), the spectrum's
    /// laser `exc`.
    pub fn prepare_converted(
        &self,
        x: Vec<f64>,
        y: Vec<f64>,
        exc: Option<f64>,
        raman: Option<&RamanLine>,
    ) -> Result<Prepared, PrepareError> {
        let part = self.begin(x, y, None, exc)?;
        self.finish(part, exc, raman)
    }

    /// Whether the first step is the despike every PL, UV-Vis and Raman spectrum already had
    /// ([`despike::SHARED`]): then [`Self::begin`] can start from its result.
    pub fn starts_with_shared_despike(&self) -> bool {
        self.steps.first() == Some(&despike::SHARED)
    }

    /// The steps before the first that reads the detector's findings (a
    /// [`NormMethod::RamanLine`] normalisation), so that they run beside the detector; the rest
    /// is [`Self::finish`]. `despiked`: the points are the shared despike's result, which
    /// replaced that many points, and the protocol's own first step, the same despike, is
    /// skipped (the one-stage path, [`crate::stage`]); for a protocol that does not start
    /// with it (see [`Self::starts_with_shared_despike`]) that is an error.
    pub fn begin(
        &self,
        x: Vec<f64>,
        y: Vec<f64>,
        despiked: Option<usize>,
        exc: Option<f64>,
    ) -> Result<Partial, PrepareError> {
        let first = match despiked {
            Some(_) if !self.starts_with_shared_despike() => {
                return Err(PrepareError::Invalid(format!(
                    "{}: does not start with the shared despike",
                    self.name
                )));
            }
            Some(_) => 1,
            None => 0,
        };
        let reads_detection = |s: &Step| {
            matches!(
                s,
                Step::Normalise {
                    method: NormMethod::RamanLine
                }
            )
        };
        let next = (self.steps.iter().position(reads_detection)).unwrap_or(self.steps.len());
        let mut p = Prepared {
            x,
            y,
            x_unit: self.x_unit.clone(),
            coverage: 1.0,
            despiked: despiked.unwrap_or(0),
            norm_divisor: None,
            warnings: Vec::new(),
        };
        self.run(&self.steps[first..next.max(first)], &mut p, exc, None)?;
        Ok(Partial { p, next })
    }

    /// The steps [`Self::begin`] left, with the detector's Raman line (`raman`, in the
    /// protocol's unit; None where it found none).
    pub fn finish(
        &self,
        part: Partial,
        exc: Option<f64>,
        raman: Option<&RamanLine>,
    ) -> Result<Prepared, PrepareError> {
        let Partial { mut p, next } = part;
        self.run(&self.steps[next..], &mut p, exc, raman)?;
        Ok(p)
    }

    fn run(
        &self,
        steps: &[Step],
        p: &mut Prepared,
        exc: Option<f64>,
        raman: Option<&RamanLine>,
    ) -> Result<(), PrepareError> {
        let mut x = std::mem::take(&mut p.x);
        let mut y = std::mem::take(&mut p.y);
        let mut tmp = Vec::new();
        for step in steps {
            match *step {
                Step::Crop { lo, hi } => {
                    let a = x.partition_point(|&v| v < lo);
                    let b = x.partition_point(|&v| v <= hi);
                    if b < a + 3 {
                        return Err(PrepareError::CroppedAway { lo, hi });
                    }
                    x.truncate(b);
                    y.truncate(b);
                    x.drain(..a);
                    y.drain(..a);
                }
                Step::Despike {
                    threshold,
                    half_window,
                } => {
                    p.despiked += despike::despike(&mut y, threshold, half_window);
                }
                Step::Resample { grid } => {
                    p.coverage = p.coverage.min(resample::resample(&x, &y, &grid, &mut tmp));
                    std::mem::swap(&mut y, &mut tmp);
                    x.clear();
                    x.extend(grid.xs());
                }
                Step::Smooth { window, polyorder } => {
                    savgol::savgol(&y, window, polyorder, &mut tmp);
                    std::mem::swap(&mut y, &mut tmp);
                }
                Step::Baseline {
                    lam,
                    max_iter,
                    tol,
                    decimate,
                } => {
                    // arPLS's buffers are kept per thread: no allocation per spectrum once a
                    // worker has seen one as long.
                    thread_local! {
                        static SCRATCH: std::cell::RefCell<baseline::ArplsScratch> =
                            std::cell::RefCell::default();
                    }
                    SCRATCH.with_borrow_mut(|scratch| {
                        baseline::arpls_decimated(
                            &y, lam, max_iter, tol, decimate, scratch, &mut tmp,
                        )
                    });
                    for (v, b) in y.iter_mut().zip(&tmp) {
                        *v -= b;
                    }
                }
                Step::Normalise { method } => {
                    let reference = match method {
                        NormMethod::RamanLine => raman.filter(|r| r.present).map(|r| r.area),
                        _ => divisor(method, &x, &y, &self.x_unit, exc),
                    };
                    let d = match reference.filter(|d| d.is_finite() && *d > 0.0) {
                        Some(d) => d,
                        None => {
                            p.warnings.push(match method {
                                NormMethod::RamanLine => "the detector found no diamond Raman \
                                    line; normalised to the maximum"
                                    .into(),
                                _ => format!(
                                    "{method:?} reference not found; normalised to the maximum"
                                ),
                            });
                            divisor(NormMethod::Max, &x, &y, &self.x_unit, exc).unwrap_or(1.0)
                        }
                    };
                    for v in y.iter_mut() {
                        *v /= d;
                    }
                    p.norm_divisor = Some(d);
                }
                Step::Compress { scale } => {
                    for v in y.iter_mut() {
                        *v = (*v / scale).asinh();
                    }
                }
            }
        }
        p.x = x;
        p.y = y;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn protocol(first: bool) -> Protocol {
        let crop = Step::Crop { lo: 5.0, hi: 195.0 };
        let steps = if first {
            vec![despike::SHARED, crop]
        } else {
            vec![crop, despike::SHARED]
        };
        Protocol {
            name: "t".into(),
            x_unit: XUnit::Nm,
            steps,
        }
    }

    /// Starting from the shared despike's points gives what the whole protocol gives on the
    /// points as measured; a protocol that despikes after its crop cannot start from them.
    #[test]
    fn prepare_despiked_skips_only_the_shared_despike() {
        let x: Vec<f64> = (0..200).map(f64::from).collect();
        let mut y: Vec<f64> = x.iter().map(|v| 50.0 + (v * 12.9898).sin()).collect();
        y[40] += 400.0;
        y[120] += 300.0;
        let mut d = y.clone();
        let n = despike::despike(
            &mut d,
            despike::SHARED_THRESHOLD,
            despike::SHARED_HALF_WINDOW,
        );
        assert_eq!(n, 2);
        let p = protocol(true);
        assert!(p.starts_with_shared_despike());
        let whole = p
            .prepare_converted(x.clone(), y.clone(), None, None)
            .unwrap();
        let part = p.begin(x.clone(), d.clone(), Some(n), None).unwrap();
        let shared = p.finish(part, None, None).unwrap();
        assert_eq!(whole, shared);
        assert_eq!(shared.despiked, 2);
        assert!(shared.y.iter().all(|v| *v < 60.0));
        let late = protocol(false);
        assert!(!late.starts_with_shared_despike());
        assert!(matches!(
            late.begin(x, d, Some(n), None),
            Err(PrepareError::Invalid(_))
        ));
    }

    /// A `raman_line` normalisation divides by the area of the line it is given, runs after
    /// the steps before it (begin / finish), and without a line falls back to the maximum,
    /// saying so.
    #[test]
    fn raman_line_normalisation_uses_the_given_line() {
        let x: Vec<f64> = (0..100).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 1.0 + v).collect();
        let p = Protocol {
            name: "t".into(),
            x_unit: XUnit::Nm,
            steps: vec![
                Step::Crop { lo: 10.0, hi: 89.0 },
                Step::Normalise {
                    method: NormMethod::RamanLine,
                },
                Step::Compress { scale: 1.0 },
            ],
        };
        let line = RamanLine {
            present: true,
            expected: 50.0,
            observed: 50.0,
            offset_cm: 0.0,
            height: 2.0,
            area: 4.0,
            fwhm_cm: 2.0,
            snr: 30.0,
        };
        let part = p.begin(x.clone(), y.clone(), None, None).unwrap();
        let done = p.finish(part, None, Some(&line)).unwrap();
        assert_eq!(done.norm_divisor, Some(4.0));
        assert_eq!(done.x.len(), 80);
        assert_eq!(done.y[0], (11.0f64 / 4.0).asinh());
        assert!(done.warnings.is_empty());
        let absent = RamanLine {
            present: false,
            ..line.clone()
        };
        for given in [None, Some(&absent)] {
            let done = p
                .prepare_converted(x.clone(), y.clone(), None, given)
                .unwrap();
            assert_eq!(done.norm_divisor, Some(90.0));
            assert_eq!(done.warnings.len(), 1);
        }
    }
}
