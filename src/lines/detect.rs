//! The detector: spectrum in, evidence out.
//!
//! PL, UV-Vis and Raman spectra: despike, find the diamond Raman line (PL and Raman), correct
//! positions by its calibration offset, find peaks on a lightly smoothed copy (SNR against the
//! local noise of the raw data, widths a zero-phonon line can have at the measured temperature)
//! and match them to the centres the technique and excitation can show. FTIR spectra are typed
//! by [`super::ftir`].

use super::Evidence;
use super::blank::only_nitrogen;
use super::detect_ftir::detect_ftir;
use super::fringes::{FRINGES_FROM_NM, above_fringes, drop_fringes, fringe_level};
use super::ftir::{FtirTyping, ShapeSays};
use super::peaks::{Peak, PeakOptions, block_noise, find_peaks};
use super::quality::{Quality, coverage, saturated};
use super::table::{CENTRES, Centre, Indicates, PosUnit};
use crate::preprocess::despike::{
    SHARED_HALF_WINDOW, SHARED_THRESHOLD, curvature_sigma, despike_measured, grid_step_of,
    noise_sigma, shared_noise_factor,
};
use crate::preprocess::median::median_in_place;
use crate::preprocess::savgol::savgol;
use crate::preprocess::window::block_means;
use crate::preprocess::{RamanLine, find_raman_line, fit_raman_line, raman_line_at_peak};
use crate::spectrum::{Spectrum, Technique, XUnit};
use serde::{Deserialize, Serialize};

/// Smallest peak SNR (smoothed prominence over raw local noise) reported as a line.
pub const MIN_LINE_SNR: f64 = 6.0;

/// Where a spectrum's measured values lie on a grid (normalised and exported with 2-3
/// decimals, integer counts of a weak signal), the fewest steps of the last written digit a
/// line must rise. Natural spectra of every family (simulated, 140) normalised and written with
/// 2 or 3 decimals showed centres the spectrum as measured does not, among them synthetic
/// markers, every one under 2.0 steps high. The price, with 2 decimals: 26 of the measured
/// spectra's centres lost instead of 19 (lines under 2.5 steps). Where the noise is well above
/// the step, the SNR floor asks more than this.
pub const MIN_LINE_STEPS: f64 = 2.5;

/// Below this SNR an FTIR spectrum shows no two-phonon band, so no diamond; between it and
/// [`MIN_LINE_SNR`] it cannot tell. Simulated simulants (every family, 298 spectra) reach
/// -5.9..3.8 (99% below 2.8); of 2,526 diamonds one lies below 6 (2.5, the field family), and
/// a thin natural of the field family at 4.4 had been called `simulant` despite a diamond
/// Raman line in its PL.
pub const TWO_PHONON_ABSENT_SNR: f64 = 3.0;

/// The note for a Raman line the despiker took for a cosmic ray.
pub const RAMAN_LIKE_A_SPIKE: &str = "the diamond Raman line spans one or two pixels, like a \
     cosmic-ray spike; it is taken as the Raman line because it lies where the line should \
     (two accumulations or finer sampling would make sure)";

/// The note for a Raman line found only as a peak of the measured points.
pub const RAMAN_AS_A_PEAK: &str = "the diamond Raman line was found as a peak of the measured \
     points, against its own neighbourhood: a band under one of its flanks hid it from a straight \
     baseline, or it is narrow enough (under two pixels) to be taken for a cosmic ray";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    /// The diamond Raman line (PL and Raman spectra covering it).
    pub raman: Option<RamanLine>,
    /// Whether the spectrum shows diamond: the Raman line (PL, Raman) or the two-phonon band
    /// (FTIR); None where it cannot tell.
    pub diamond: Option<bool>,
    pub evidence: Vec<Evidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ftir: Option<FtirTyping>,
    pub quality: Quality,
}

impl Detection {
    /// Whether the spectrum's model may vote on it: not where the detector read another
    /// material's absorption in place of diamond's two-phonon band (FTIR). No model was trained
    /// on such a spectrum, and normalised to that band its features mean nothing: the FTIR
    /// model called polyethylene CVD-grown at 0.9998.
    pub fn model_may_vote(&self) -> bool {
        self.ftir
            .as_ref()
            .and_then(|t| t.two_phonon_shape)
            .is_none_or(|s| s.says() == ShapeSays::Diamond)
    }
}

/// The FTIR range the typing reads (the one-phonon region to the end of the two-phonon band),
/// cm^-1: where a spectrum must not be opaque.
const FTIR_READ_FROM: f64 = 1000.0;
const FTIR_READ_TO: f64 = 2700.0;

/// The x unit the detector reads a spectrum of `technique` in.
pub fn detector_unit(technique: Technique) -> XUnit {
    match technique {
        Technique::Ftir => XUnit::Wavenumber,
        Technique::Raman => XUnit::RamanShift,
        Technique::Pl | Technique::Uvvis => XUnit::Nm,
    }
}

/// Detect on a spectrum (converting its x axis and despiking it here). [`crate::stage`]
/// calls [`convert`] once and shares its points with the models' protocols.
pub fn detect(s: &Spectrum) -> Detection {
    detect_converted(s, convert(s))
}

/// A spectrum's points in [`detector_unit`], read once for the detector and every protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    pub x: Vec<f64>,
    /// As measured (the saturation and plausibility checks, the Raman line before despiking).
    pub y: Vec<f64>,
    /// `y` after the shared despike ([`crate::preprocess::despike::SHARED`]); None for FTIR,
    /// which has no cosmic rays to remove.
    pub despiked: Option<Despiked>,
    /// A PL spectrum that reaches its laser: the points left out below
    /// [`LASER_MARGIN_NM`] past it (how many, and where the kept part starts).
    pub laser_cut: Option<(usize, f64)>,
}

/// A PL spectrum is read from this far past its laser (nm): what lies nearer is the laser
/// line, its filter's edge and the laser's own tail, not the stone's emission. Every simulated
/// instrument starts at least 3 nm past the laser (3.5 nm nominal, less its calibration error
/// of up to 0.5 nm; 3.02 nm the nearest in 20,000 simulated spectra), so no simulated spectrum
/// loses a point to this and the models never saw nearer points.
pub const LASER_MARGIN_NM: f64 = 2.5;

/// Leave out the points of a PL spectrum at and below `exc` + [`LASER_MARGIN_NM`], where the
/// spectrum reaches its laser (a full-range spectrometer behind a notch or edge filter): how
/// many, and where the kept part starts. Only where the laser shows: a line at it at least
/// five times the kept part's median (what a notch filter lets through), or darkness below it
/// (an edge filter's, at most a tenth of that median). Otherwise, or where most of the range
/// lies below the laser, the laser given is more likely wrong (a 700 nm laser written for a
/// 532 nm spectrum): nothing is left out, and the quality check refuses the spectrum.
fn cut_laser(x: &mut Vec<f64>, y: &mut Vec<f64>, exc: f64) -> Option<(usize, f64)> {
    let from = exc + LASER_MARGIN_NM;
    let k = x.partition_point(|&v| v < from);
    let (first, last) = (*x.first()?, *x.last()?);
    if k == 0 || k == x.len() || exc - first > last - exc {
        return None;
    }
    let m = median_in_place(&mut y[k..].to_vec()).abs();
    // x ascends: the points within 2 nm of the laser, and those below them
    let (lo, hi) = (
        x.partition_point(|&v| v < exc - 2.0),
        x.partition_point(|&v| v <= exc + 2.0),
    );
    let near = y[lo..hi].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let dark = lo > 0 && median_in_place(&mut y[..lo].to_vec()) <= 0.1 * m;
    if !(near >= 5.0 * m || dark) {
        return None;
    }
    x.drain(..k);
    y.drain(..k);
    Some((k, x[0]))
}

/// A spectrum's [`Points`], or why they could not be had.
pub type Converted = Result<Points, String>;

/// Bring `s` to [`detector_unit`] of its technique and despike it: None when the technique
/// is unknown.
pub fn convert(s: &Spectrum) -> Option<Converted> {
    let technique = s.meta.technique?;
    Some(match s.converted(&detector_unit(technique)) {
        Ok((mut x, mut y)) => {
            let laser_cut = match (technique, s.meta.excitation_nm) {
                (Technique::Pl, Some(e)) => cut_laser(&mut x, &mut y, e),
                _ => None,
            };
            let despiked = (technique != Technique::Ftir).then(|| shared_despike(y.clone()));
            Ok(Points {
                x,
                y,
                despiked,
                laser_cut,
            })
        }
        Err(e) => Err(e.to_string()),
    })
}

/// A spectrum after the shared despike.
#[derive(Debug, Clone, PartialEq)]
pub struct Despiked {
    pub y: Vec<f64>,
    /// How many points it replaced.
    pub replaced: usize,
    /// `noise_sigma(&y)` where the despike measured it and replaced nothing (so that it is
    /// the noise of the result too), else None.
    noise: Option<f64>,
}

impl Despiked {
    /// `noise_sigma(&self.y)`, measured again only where the despike changed the points.
    fn noise(&self) -> f64 {
        self.noise.unwrap_or_else(|| noise_sigma(&self.y))
    }
}

/// `y` after the shared despike.
fn shared_despike(mut y: Vec<f64>) -> Despiked {
    let (replaced, noise) = despike_measured(&mut y, SHARED_THRESHOLD, SHARED_HALF_WINDOW);
    Despiked {
        y,
        replaced,
        noise: noise.filter(|_| replaced == 0),
    }
}

/// Detect on `s` whose points [`convert`] gave (None when the technique is unknown).
pub fn detect_converted(s: &Spectrum, converted: Option<Converted>) -> Detection {
    let technique = s.meta.technique;
    let exc = s.meta.excitation_nm;
    let temp = s.meta.temperature_k;
    let mut d = Detection {
        raman: None,
        diamond: None,
        evidence: Vec::new(),
        ftir: None,
        quality: Quality::default(),
    };
    let (Some(technique), Some(converted)) = (technique, converted) else {
        d.quality
            .problems
            .push("technique unknown (give it in the file or on the command line)".into());
        return d;
    };
    let unit = detector_unit(technique);
    let Points {
        x,
        y,
        despiked,
        laser_cut,
    } = match converted {
        Ok(v) => v,
        Err(e) => {
            d.quality.problems.push(format!("x axis: {e}"));
            return d;
        }
    };
    if let Some(full) = s.transmittance_scale() {
        d.quality.notes.push(format!(
            "transmittance{} read as absorbance (-log10 T)",
            if full > 1.0 { " in percent" } else { "" }
        ));
    }
    if let (Some((n, from)), Some(e)) = (laser_cut, exc) {
        d.quality.notes.push(format!(
            "the spectrum reaches its laser ({e} nm): the {n} points below {from:.1} nm (the \
             laser line, its filter's edge and tail) are left out"
        ));
    }
    d.quality.saturated = if technique == Technique::Ftir {
        // Opaque where the typing reads (the one- and two-phonon regions); elsewhere (a
        // polymer's C-H stretch) an opaque band hides nothing that is read.
        let (a, b) = (
            x.partition_point(|&v| v < FTIR_READ_FROM),
            x.partition_point(|&v| v <= FTIR_READ_TO),
        );
        saturated(&y[a..b.max(a)])
    } else {
        saturated(&y)
    };
    implausible(technique, exc, &x, &y, &mut d.quality.problems);
    let (cov, missing) = coverage(technique, exc, x[0], x[x.len() - 1]);
    d.quality.coverage = cov;
    d.quality.missing = missing;

    if technique == Technique::Ftir {
        detect_ftir(&mut d, s, &x, &y);
        d.quality = d.quality.judge();
        return d;
    }

    let shows_raman = matches!(technique, Technique::Pl | Technique::Raman);
    let raw_raman = if shows_raman {
        find_raman_line(&x, &y, &unit, exc)
    } else {
        None
    };
    // the step the values are written on, of the measured points (a despiked pair is
    // replaced by points a third of the way between its neighbours)
    let written = grid_step_of(&y);
    // Points built without [`convert`] may lack the despiked copy.
    let despiked = match despiked {
        Some(d) => d,
        None => shared_despike(y.clone()),
    };
    // the noise of the despiked spectrum, measured once for the quality figure and the peaks
    let (raw_sigma, unchanged) = (despiked.noise(), despiked.replaced == 0);
    let (measured, y) = (y, despiked.y);
    // where the despike took something away: the position of each run it replaced
    let spikes = if unchanged {
        Vec::new()
    } else {
        despiked_runs(&x, &measured, &y)
    };
    // whether the Raman line is the template fit's (whose width reads up to 2.7 times the
    // line's on the curved top of a band: N3's under 405 nm, simulated)
    let mut raman_by_fit = false;
    if shows_raman {
        // the line as measured is the line despiked where the despike replaced no point
        d.raman = if unchanged {
            raw_raman.clone()
        } else {
            find_raman_line(&x, &y, &unit, exc)
        };
        d.diamond = d.raman.as_ref().map(|r| r.present);
        // On a coarse detector the Raman line lights one or two pixels, like a cosmic ray, and
        // the despiker removes it.
        let removed = d.raman.as_ref().is_some_and(|r| !r.present);
        if removed && let Some(raw) = raw_raman.as_ref().filter(|r| r.present).cloned() {
            // A cosmic ray (under one per spectrum) lands within the line's search window of a
            // few pixels in about 1 spectrum of 300; the line is where it should be, so it is
            // taken as the Raman line (it proves diamond only, never natural origin), noted.
            d.diamond = Some(true);
            d.raman = Some(raw);
            d.quality.notes.push(RAMAN_LIKE_A_SPIKE.into());
        } else if removed || d.raman.is_none() {
            // A line the plain finder misses: broadened by a coarse instrument, or on the
            // curved top of a broad band (N3 vibronic band, fluorescence).
            let fitted = fit_raman_line(&x, &y, &unit, exc);
            if fitted.as_ref().is_some_and(|r| r.present) || d.raman.is_none() {
                raman_by_fit = true;
                d.diamond = fitted.as_ref().map(|r| r.present);
                d.raman = fitted;
            }
        }
        // the line as a peak of the measured points, where every finder missed it (a band
        // under a flank, a line as narrow as a cosmic ray)
        if d.diamond != Some(true)
            && let Some(r) = raw_raman
                .as_ref()
                .filter(|r| !r.present)
                .and_then(|r| raman_as_peak(&x, &measured, r.expected, &unit, exc))
        {
            raman_by_fit = false;
            d.diamond = Some(true);
            d.raman = Some(r);
            d.quality.notes.push(RAMAN_AS_A_PEAK.into());
        }
    }
    // A zero-phonon line is never narrower than the instrument's own line, which the diamond
    // Raman line's width gives (its own width, 1.5-2.5 cm^-1, is below the resolution of every
    // spectrometer here): where that spans SPIKE_WIDE_PIXELS or more, the despike took cosmic
    // rays only (without the Raman line the spectrum cannot say). At room temperature a
    // zero-phonon line is several nm wide: a spike can be one only on pixels of
    // WARM_ZPL_MIN_NM / SPIKE_WIDE_PIXELS (0.6 nm) and more.
    let warm = temp.is_some_and(|t| t >= 150.0);
    let coarse = || {
        let pitch = (x[x.len() - 1] - x[0]).abs() / x.len().saturating_sub(1).max(1) as f64;
        pitch * SPIKE_WIDE_PIXELS > WARM_ZPL_MIN_NM
    };
    let lines_can_be_spikes = !spikes.is_empty()
        && (!warm || unit != XUnit::Nm || coarse())
        && d.raman
            .as_ref()
            .filter(|r| r.present)
            .is_none_or(|r| raman_pixels(&x, r, &unit) < SPIKE_WIDE_PIXELS);
    // Signal quality is how far the spectrum stands above its noise; a weak Raman line on a
    // strong fluorescence is a finding (`diamond`), not a bad measurement.
    // (the quality floor keeps the point-to-point figure it was set by; lines are judged
    // against the noise as it is)
    d.quality.snr = dynamic_range(&y, raw_sigma);
    let cold = temp.is_some_and(|t| t < 150.0);
    let max_fwhm = match (technique, cold) {
        (Technique::Raman, _) => 30.0,
        (Technique::Uvvis, _) => 10.0,
        (_, true) => 2.0,
        (_, false) => 8.0,
    };
    let OwnPoints {
        x,
        y,
        sigma: raw_sigma,
        step,
        sharing,
        note,
    } = own_points(technique, x, y, raw_sigma, max_fwhm);
    d.quality.notes.extend(note);

    let dx = (x[x.len() - 1] - x[0]) / (x.len() - 1) as f64;
    let mut smooth = Vec::new();
    savgol(&y, 5, 2, &mut smooth);
    let shared = if step > 1 {
        // The block means still share some noise, and smoothing takes out less of shared
        // noise than of independent noise: the smoothed spectrum's noise, read past both at a
        // lag of eight, against what independent noise would leave of `raw_sigma`.
        let left = curvature_sigma(&smooth, 8);
        (left / (SAVGOL_5_NOISE * raw_sigma).max(f64::MIN_POSITIVE)).max(1.0)
    } else {
        sharing
    };
    let mut noise = block_noise(&y, raw_sigma);
    noise.iter_mut().for_each(|s| *s *= shared);
    // Prominence bases are sought within a few line widths, not across the whole spectrum.
    let window = ((3.0 * max_fwhm / dx).ceil() as usize).clamp(8, 1000);
    let opt = PeakOptions {
        min_snr: MIN_LINE_SNR,
        min_fwhm: 1.2 * dx,
        max_fwhm,
        window,
    };
    let mut peaks = find_peaks(&x, &smooth, &noise, &opt);
    if let Some(q) = written {
        // Written on a step, a spectrum is a staircase where its noise is below the step,
        // whose steps the noise floor ([`noise_sigma`]'s step/sqrt(12)) lets pass at 1.7
        // steps and more: a line must rise MIN_LINE_STEPS steps of the last written digit
        // (where the noise is well above the step, the SNR floor asks more).
        peaks.retain(|p| p.prominence >= MIN_LINE_STEPS * q);
    }
    if technique == Technique::Pl {
        // Etaloning in the red and near infrared (fringe periods of 1-12 nm): combs of evenly
        // spaced crests go, and where a ripple is measured a line must stand above it.
        peaks = drop_fringes(peaks, (1.0, 12.0));
        if let Some(f) = fringe_level(&x, &y) {
            peaks.retain(|p| above_fringes(p, &f));
            let (period, amplitude) = f.strongest();
            d.quality.notes.push(format!(
                "interference fringes past 650 nm (period {:.1} nm, {:.1}% of the signal): lines \
                 there count only when three times stronger",
                period,
                100.0 * amplitude
            ));
        }
    }
    if technique == Technique::Raman
        && let Some(r) = d.raman.as_mut().filter(|r| r.present)
        && let Some(narrowest) = narrowest_clear_line(&peaks, r)
        && let own = (r.fwhm_cm.powi(2) - narrowest.powi(2)).max(0.0).sqrt()
        && own > MAX_OWN_RAMAN_WIDTH_CM
        && r.fwhm_cm > narrowest * if raman_by_fit { 4.0 } else { 2.0 }
    {
        r.present = false;
        d.diamond = Some(false);
        d.quality.notes.push(format!(
            "the line near 1332 cm^-1 is {:.0} cm^-1 wide where the spectrum's narrowest clear \
             line is {narrowest:.1} cm^-1: {own:.0} cm^-1 of its own, more than any diamond's \
             Raman line, so it is another material's band",
            r.fwhm_cm
        ));
    }

    // Calibration: shift every position by the Raman line's offset (in this unit).
    let offset = match &d.raman {
        Some(r) if r.present => r.observed - r.expected,
        _ => 0.0,
    };

    let pos_unit = match technique {
        Technique::Raman => PosUnit::Shift,
        _ => PosUnit::Nm,
    };
    let raman_area = d.raman.as_ref().filter(|r| r.present).map(|r| r.area);
    let mut best: Vec<Option<Evidence>> = vec![None; CENTRES.len()];
    for p in &peaks {
        if let Some(r) = d.raman.as_ref().filter(|r| r.present)
            && (p.x - r.observed).abs() < 3.0 * p.fwhm.max(dx)
        {
            continue; // the Raman line itself
        }
        if technique == Technique::Pl && exc.is_some_and(|e| p.x < e + 3.0) {
            continue; // laser tail
        }
        let corrected = p.x - offset;
        let hit = CENTRES
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.unit == pos_unit && c.visible_in(technique, exc) && (cold || !c.only_77k)
            })
            .filter(|(_, c)| {
                let (lo, hi) = c.window(temp);
                corrected >= lo && corrected <= hi
            })
            .min_by(|(_, a), (_, b)| {
                let da = (corrected - (a.window(temp).0 + a.window(temp).1) / 2.0).abs();
                let db = (corrected - (b.window(temp).0 + b.window(temp).1) / 2.0).abs();
                da.total_cmp(&db)
            });
        if let Some((i, c)) = hit
            && best[i].as_ref().is_none_or(|e| e.snr < p.snr)
        {
            best[i] = Some(Evidence {
                centre: c.name.to_string(),
                expected: c.position,
                observed: p.x,
                unit: pos_unit,
                snr: p.snr,
                strength: p.prominence,
                intensity_rel_raman: raman_area.map(|a| p.area / a),
                indicates: c.indicates,
            });
        }
    }
    d.evidence = best.into_iter().flatten().collect();
    if shows_raman
        && d.diamond != Some(true)
        && d.evidence.is_empty()
        && let Some(e) = exc
        && let Some(why) = only_nitrogen(&peaks, &unit, e)
    {
        d.quality.problems.push(why);
    }
    let seen = Seen {
        technique,
        exc,
        temp,
        offset,
    };
    if let Some(why) = decisive_centre_despiked(&spikes, &d.evidence, &seen) {
        d.quality.remeasure.push(why);
    }
    if lines_can_be_spikes && let Some(why) = synthetic_marker_despiked(&spikes, &d.evidence, &seen)
    {
        d.quality.held.push(why);
    }
    d.quality = d.quality.judge();
    d
}

/// The widest the diamond Raman line of a Raman spectrum may be beyond the instrument's own
/// line width (cm^-1; widths taken to add in quadrature). Its own width is 1.5-2.5 cm^-1 in gem
/// diamonds and a few cm^-1 in strained CVD material, below or near every Raman spectrometer's
/// resolution, so it shows about as narrow as the narrowest line the instrument resolves, and
/// that line's width stands for the instrument's. A band near 1332 cm^-1 far wider is another
/// material's: polystyrene's at 1325 cm^-1 (29 cm^-1 beside its 6.5-10 cm^-1 lines), the broad
/// bumps of anatase and of an unnamed Horiba sample (121 cm^-1 beside 10-19 cm^-1 lines) had
/// "shown diamond". The line must also be twice that narrowest line's width (four times where
/// the template fit found it), so that a width misread on a coarse instrument (a narrowest
/// line of 20-60 cm^-1) cannot take diamond's line away: the fit tries widths 1.4 times apart,
/// and on the curved top of a band it reads them 2.0-2.7 times the narrowest line's (simulated
/// PL under 405 nm, 103 natural spectra of the 10,000 held-out stones, had the test been
/// applied to PL; it is not).
const MAX_OWN_RAMAN_WIDTH_CM: f64 = 15.0;
/// SNR of a line whose width is measured well enough to stand for the instrument's.
const CLEAR_LINE_SNR: f64 = 20.0;

/// The FWHM of the narrowest line of `peaks` at [`CLEAR_LINE_SNR`] or more, other than the
/// Raman line `r` itself; None where there is none.
fn narrowest_clear_line(peaks: &[Peak], r: &RamanLine) -> Option<f64> {
    peaks
        .iter()
        .filter(|p| p.snr >= CLEAR_LINE_SNR && (p.x - r.observed).abs() > 3.0 * r.fwhm_cm)
        .map(|p| p.fwhm)
        .filter(|w| *w > 0.0)
        .min_by(f64::total_cmp)
}

/// Each run of points the despike replaced in `measured` (giving `despiked`): the position of
/// the point it took most from.
fn despiked_runs(x: &[f64], measured: &[f64], despiked: &[f64]) -> Vec<f64> {
    // (position, what the despike took there) of the run's highest point so far
    let mut runs: Vec<(f64, f64)> = Vec::new();
    let mut last = usize::MAX;
    for (i, (m, d)) in measured.iter().zip(despiked).enumerate() {
        let taken = m - d;
        if taken == 0.0 || !taken.is_finite() {
            continue;
        }
        match runs.last_mut() {
            Some(run) if i == last + 1 => {
                if taken > run.1 {
                    *run = (x[i], taken);
                }
            }
            _ => runs.push((x[i], taken)),
        }
        last = i;
    }
    runs.into_iter().map(|(at, _)| at).collect()
}

/// The width in pixels of a line the shared despike can take for a cosmic ray: its
/// neighbours under 30% of its height (20% outside a pair) ask for a full width at half
/// maximum under 1.5 pixels (2.0 for a line centred between two), and the Raman line's width
/// read from so few points is rough, so with a margin.
const SPIKE_WIDE_PIXELS: f64 = 2.5;

/// The narrowest a zero-phonon line is at room temperature (nm): "several nm" (domain.md);
/// the simulator draws 1.5-4 nm.
const WARM_ZPL_MIN_NM: f64 = 1.5;

/// The Raman line `r`'s full width at half maximum in pixels of `x` (in `unit`) around it.
fn raman_pixels(x: &[f64], r: &RamanLine, unit: &XUnit) -> f64 {
    // (the Raman line is sought in nm and Raman shift only)
    let Some(width) = width_from_cm(r.fwhm_cm, r.observed, unit) else {
        return 0.0;
    };
    let i = x.partition_point(|&v| v < r.observed);
    let (lo, hi) = (i.saturating_sub(2), (i + 2).min(x.len() - 1));
    let pitch = (x[hi] - x[lo]).abs() / (hi - lo).max(1) as f64;
    if pitch > 0.0 { width / pitch } else { 0.0 }
}

/// A width of `cm` cm^-1 near `at`, in `unit` (nm or Raman shift); None in any other unit.
fn width_from_cm(cm: f64, at: f64, unit: &XUnit) -> Option<f64> {
    match unit {
        XUnit::Nm => Some(cm * 1e-7 * at * at),
        XUnit::RamanShift => Some(cm),
        _ => None,
    }
}

/// How a spectrum was measured, for matching a position to the centres it can show.
struct Seen {
    technique: Technique,
    exc: Option<f64>,
    temp: Option<f64>,
    /// The calibration offset (the Raman line's, in the detector's unit).
    offset: f64,
}

/// The first spike of `spikes` (positions the shared despike replaced) inside the window of a
/// centre `wanted` picks, in nm, that the spectrum can show and the detector did not find:
/// (its position, the centre).
fn centre_despiked(
    spikes: &[f64],
    evidence: &[Evidence],
    seen: &Seen,
    wanted: impl Fn(&Centre) -> bool,
) -> Option<(f64, &'static Centre)> {
    let cold = seen.temp.is_some_and(|t| t < 150.0);
    CENTRES
        .iter()
        .filter(|c| {
            wanted(c)
                && c.unit == PosUnit::Nm
                && c.visible_in(seen.technique, seen.exc)
                && (cold || !c.only_77k)
                && !evidence.iter().any(|e| e.centre == c.name)
        })
        .find_map(|c| {
            let (lo, hi) = c.window(seen.temp);
            spikes
                .iter()
                .find(|&&at| (lo..=hi).contains(&(at - seen.offset)))
                .map(|&at| (at, c))
        })
}

/// A centre decisive for a pass (N3) that the detector did not find, where the despike took a
/// spike away: a zero-phonon line under two pixels wide (an instrument whose pixels are as wide
/// as its lines at 77 K) and a cosmic ray look alike, so the spectrum cannot say whether the
/// stone shows it. Not a finding: a reason to measure again (two accumulations tell them
/// apart), so the stone is `inconclusive` rather than referred for want of the centre, and it
/// never passes on it.
fn decisive_centre_despiked(spikes: &[f64], evidence: &[Evidence], seen: &Seen) -> Option<String> {
    centre_despiked(spikes, evidence, seen, |c| c.decisive_for_pass).map(|(at, c)| {
        format!(
            "a spike under two pixels wide at {at:.2} nm, where {} lies, was taken for a cosmic \
             ray: it may be the line on an instrument whose pixels are as wide as its lines; \
             measure again with two accumulations (or finer sampling) to tell",
            c.name
        )
    })
}

/// A synthetic marker (SiV-, 596/597, Ni+, 484 nm...) the detector did not find, where the
/// despike took a spike away on an instrument whose lines can be as narrow as a spike: the
/// spectrum cannot say whether the stone shows the marker, so it cannot pass on this spectrum
/// until measured again. Never a finding (a cosmic ray is as likely): no likely origin comes
/// from it.
fn synthetic_marker_despiked(spikes: &[f64], evidence: &[Evidence], seen: &Seen) -> Option<String> {
    centre_despiked(spikes, evidence, seen, |c| {
        matches!(c.indicates, Indicates::Cvd | Indicates::Hpht)
    })
    .map(|(at, c)| {
        format!(
            "a spike under two pixels wide at {at:.2} nm, where the synthetic marker {} lies, \
             was taken for a cosmic ray, on an instrument whose lines are as narrow: it may be \
             the marker; measure again with two accumulations (or finer sampling) before the \
             stone can pass",
            c.name
        )
    })
}

/// Raman shifts (cm^-1) each side of the expected line searched by [`raman_as_peak`]: the line's
/// own search window and room for the minima either side of it.
const RAMAN_PEAK_REACH_CM: f64 = 150.0;

/// The diamond Raman line as a peak of the measured points `x`, `y` near `expected` (in the
/// detector's unit): the peak finder's prominence over the nearest minima on both sides,
/// against the noise of the points around it, where the plain finder's straight baseline
/// through fixed flanks fails (a band rising under one flank: NV0, 2.4 nm from the line under
/// 532 nm excitation and broad at room temperature) or the shared despike took a line under
/// two pixels wide for a cosmic ray. A cosmic ray within the line's window could be taken for
/// it (about 1 spectrum in 300, as [`RAMAN_LIKE_A_SPIKE`] says): the line proves diamond only,
/// never natural origin.
fn raman_as_peak(
    x: &[f64],
    y_all: &[f64],
    expected: f64,
    unit: &XUnit,
    exc: Option<f64>,
) -> Option<RamanLine> {
    let reach = width_from_cm(RAMAN_PEAK_REACH_CM, expected, unit)?;
    let lo = x.partition_point(|&v| v < expected - reach);
    let hi = x.partition_point(|&v| v <= expected + reach);
    if hi < lo + 12 {
        return None;
    }
    let (x, y) = (&x[lo..hi], &y_all[lo..hi]);
    // Second differences between neighbours: blind to the slope of a band under the line,
    // which first differences read as noise (a flattened spectrum with NV0 beside the line:
    // 7.5 against 30). Where the whole spectrum's neighbours share their noise (an
    // interpolated export), they read it low by the ratio to a longer lag, which scales it
    // back up (never down).
    let sigma = curvature_sigma(y, 1) * shared_noise_factor(y_all);
    if !(sigma > 0.0) {
        return None;
    }
    let mut smooth = Vec::new();
    savgol(y, 5, 2, &mut smooth);
    let dx = (x[x.len() - 1] - x[0]) / (x.len() - 1) as f64;
    let opt = PeakOptions {
        min_snr: crate::preprocess::calibration::MIN_SNR,
        min_fwhm: 1.2 * dx,
        max_fwhm: reach,
        window: x.len(),
    };
    let noise = vec![sigma; x.len().div_ceil(64)];
    find_peaks(x, &smooth, &noise, &opt)
        .iter()
        .filter_map(|p| raman_line_at_peak(p.x, p.prominence, p.fwhm, p.area, p.snr, unit, exc))
        .max_by(|a, b| a.snr.total_cmp(&b.snr))
}

/// The points lines are sought on, their point-to-point noise, the means taken (`step`, 1 for
/// none), the sharing left to scale that noise by, and the note saying what was done.
struct OwnPoints {
    x: Vec<f64>,
    y: Vec<f64>,
    sigma: f64,
    step: usize,
    sharing: f64,
    note: Option<String>,
}

/// The spectrum brought back to points of its own. A spectrum interpolated onto a grid a
/// whole number of times finer through its measured points gives them back exactly (checked
/// wherever the sharing reads 1.2x or more, as it does even for a 2x cubic interpolation).
/// Otherwise, means of as many points as share their noise (never more), so the smoothing
/// and the width and noise tests meet the spectrum as the instrument measured it, lines
/// judged against the noise left in those means. Etaloning fringes (past FRINGES_FROM_NM)
/// read as shared noise too (and the longer-lag noise keeps lines off them): the means are
/// taken only where the part short of the fringes shares its noise, as an interpolation does
/// everywhere. `sigma` is `noise_sigma(&y)`; `max_fwhm` the widest line the detector allows
/// (it bounds the means).
fn own_points(
    technique: Technique,
    mut x: Vec<f64>,
    mut y: Vec<f64>,
    mut sigma: f64,
    max_fwhm: f64,
) -> OwnPoints {
    let (ratio, linear) = sharing_ratio(&y, sigma);
    let shared = gated_sharing(&y, ratio, linear);
    let mut kept_every = 1;
    if ratio >= CHECK_MEASURED_POINTS || linear {
        while let Some((k, phase)) = measured_points(&y).filter(|_| kept_every < MAX_DECIMATION) {
            (x, y) = (every(&x, k, phase), every(&y, k, phase));
            kept_every *= k;
        }
        if kept_every > 1 {
            // a cosmic ray spread over the points between, which the despiker let pass, is
            // one point again
            let despiked = shared_despike(y);
            sigma = despiked.noise();
            y = despiked.y;
        }
    }
    let sharing = if kept_every > 1 {
        noise_sharing(&y, sigma)
    } else {
        shared
    };
    let short = x.partition_point(|&v| v < FRINGES_FROM_NM);
    let sharing_short = if sharing <= 1.0 {
        1.0
    } else if technique == Technique::Pl && short >= MIN_SHARING_POINTS {
        noise_sharing(&y[..short], noise_sigma(&y[..short]))
    } else {
        sharing
    };
    // Never means so coarse that the widest line the detector allows spans fewer than
    // MEANS_PER_WIDEST_LINE of them (after the smoothing the peak finder adds): a spectrum
    // smoothed before export shares its noise over about its smoothing's width, and means of
    // that many points read its lines (as wide as the smoothing) 2.5 times wider, past the
    // limit (77 K lines smoothed to 1.2 nm on means of 12 points read 3.2 nm against 2).
    // What sharing the means keep is measured on them.
    let pixel = (x[x.len() - 1] - x[0]).abs() / (x.len() - 1).max(1) as f64;
    let coarsest = ((max_fwhm / (MEANS_PER_WIDEST_LINE * pixel)).floor() as usize).max(2);
    let step = if sharing_short > 1.0 {
        (sharing_short.round() as usize).clamp(2, MAX_DECIMATION.min(coarsest))
    } else {
        1
    };
    let note = (kept_every > 1 || shared > 1.0).then(|| {
        let how = if kept_every > 1 {
            format!(
                "the points as measured (every {kept_every}th of those given: the rest were \
                 interpolated between them) are read"
            )
        } else if step > 1 {
            format!("lines are sought on means of {step} points")
        } else {
            "lines are judged against the noise measured over a longer lag".to_string()
        };
        format!(
            "neighbouring points share their noise (a spectrum resampled or smoothed before \
             export?): point-to-point differences read it {ratio:.1}x low, so {how}"
        )
    });
    if step > 1 {
        x = block_means(&x, step).collect();
        y = block_means(&y, step).collect();
        sigma = noise_sigma(&y);
    }
    OwnPoints {
        x,
        y,
        sigma,
        step,
        sharing,
        note,
    }
}

/// (max - median) over the robust noise `sigma` (`noise_sigma(y)`): how far the signal stands
/// above its noise.
pub(super) fn dynamic_range(y: &[f64], sigma: f64) -> f64 {
    let sigma = sigma.max(f64::MIN_POSITIVE);
    let mut v = y.to_vec();
    let median = median_in_place(&mut v);
    let max = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (max - median) / sigma
}

/// Where neighbouring points share their noise (a spectrum interpolated onto a finer grid, or
/// smoothed, before export), the point-to-point differences the peak finder measures noise by
/// read it low and every noise bump becomes a line. The noise is read again by second
/// differences at doubling lags until it stops rising (by 30% a doubling, up to a lag of 16):
/// the factor by which `first_diff` (the point-to-point estimate) falls short of it, or 1
/// where it falls short by less than half (a spectrum whose noise is its own at every point,
/// as in every simulated spectrum but a few of two families: nothing changes for them).
fn noise_sharing(y: &[f64], first_diff: f64) -> f64 {
    let (ratio, linear) = sharing_ratio(y, first_diff);
    gated_sharing(y, ratio, linear)
}

/// The factor of [`noise_sharing`] where it counts: 1.5 and more, or any above 1 where
/// second differences between neighbours (nearly) vanish, the mark of a linear interpolation
/// (which at 2x reads only 1.3-1.6x low), or 1.2 and more where every part of `y` shares its
/// noise ([`shared_everywhere`]: a resampling onto a grid 1.2-1.9 times finer, unrelated to
/// the measured one, reads 1.2-1.5x).
fn gated_sharing(y: &[f64], ratio: f64, linear: bool) -> f64 {
    const MIN_FACTOR: f64 = 1.5;
    if ratio >= MIN_FACTOR
        || linear && ratio > 1.0
        || ratio >= CHECK_MEASURED_POINTS && shared_everywhere(y)
    {
        ratio
    } else {
        1.0
    }
}

/// Whether the noise reads shared in every part of `y`: in each of [`SHARING_PARTS`] equal
/// parts the second differences two points apart exceed those between neighbours by
/// [`SHARED_EVERYWHERE`] or more. A resampling does this everywhere; a native spectrum whose
/// sharing reads 1.2-1.5x owes it to its signal (narrow lines a pixel or two wide on a coarse
/// grid, curvature far above the noise), which some parts lack. Measured (simulated, every
/// family): the least-shared part of 6,000 native PL spectra reads at most 1.24 (99% below
/// 1.1); of spectra resampled linearly 1.25x finer 99% read 1.26 or more, 1.5x all 1.40 or
/// more; by cubic splines 1.25x 95% 1.23 or more.
fn shared_everywhere(y: &[f64]) -> bool {
    let part = y.len() / SHARING_PARTS;
    if part < MIN_SHARING_POINTS / 4 {
        return false;
    }
    y.chunks_exact(part).take(SHARING_PARTS).all(|p| {
        let s1 = curvature_sigma(p, 1);
        s1 > 0.0 && curvature_sigma(p, 2) >= SHARED_EVERYWHERE * s1
    })
}

/// The longer-lag noise over `first_diff` (1 where the second differences do not rise with
/// the lag at all), and whether second differences between neighbours (nearly) vanish.
fn sharing_ratio(y: &[f64], first_diff: f64) -> (f64, bool) {
    const RISE: f64 = 1.3;
    const INTERPOLATED: f64 = 0.3;
    let (s1, s2) = (curvature_sigma(y, 1), curvature_sigma(y, 2));
    let linear = s1 < INTERPOLATED * first_diff;
    let (mut lag, mut cur) = if s2 > RISE * s1 {
        (2, s2)
    } else {
        // A linear interpolation leaves second differences of (nearly) nought at lags short
        // of its step: the noise shows only past it, as a jump no independent noise makes.
        let s4 = curvature_sigma(y, 4);
        if !(s4 > 3.0 * s2) {
            return (1.0, linear);
        }
        (4, s4)
    };
    while lag < 16 {
        let next = curvature_sigma(y, 2 * lag);
        if !(next > RISE * cur) {
            break;
        }
        lag *= 2;
        cur = next;
    }
    // Against the point-to-point noise as the peak finder reads it (block by block), where
    // that is lower: over the whole spectrum, first differences read the slopes of broad
    // bands as noise, and on a spectrum smoothed before export the slopes are all they read
    // (a real natural smoothed to 0.5 nm: 34 counts against 2-17 in every block, so the
    // sharing read 0.93, nothing was scaled, and a ripple of the noise became SiV- at SNR 31).
    let base = block_point_noise(y).map_or(first_diff, |b| b.min(first_diff));
    if base > 0.0 {
        (cur / base, linear)
    } else {
        (1.0, linear)
    }
}

/// The point-to-point noise the peak finder judges lines by ([`block_noise`]): the median of
/// its blocks' that show any (None where no block of 8 points does).
fn block_point_noise(y: &[f64]) -> Option<f64> {
    let mut blocks: Vec<f64> = y
        .chunks(crate::lines::peaks::NOISE_BLOCK)
        .filter(|b| b.len() >= 8)
        .map(noise_sigma)
        .filter(|&s| s > 0.0)
        .collect();
    (!blocks.is_empty()).then(|| median_in_place(&mut blocks))
}

/// Where `y` was interpolated `k` times finer through its measured points (linearly, by
/// cubic segments, by splines), the second differences at the measured points (one phase
/// of every `k`) stand out above those at the points made between them; in measured
/// spectra every phase reads alike. The smallest such `k` (2-8) and the phase of the
/// measured points, where one phase reads at least OUTSTANDING times the next.
fn measured_points(y: &[f64]) -> Option<(usize, usize)> {
    const OUTSTANDING: f64 = 2.0;
    const MIN_PER_PHASE: usize = 32;
    let d: Vec<f64> = y
        .windows(3)
        .map(|w| (w[0] - 2.0 * w[1] + w[2]).abs())
        .collect();
    let mut phase = Vec::with_capacity(d.len() / 2 + 1);
    for k in 2..=8usize {
        if d.len() < k * MIN_PER_PHASE {
            break;
        }
        let mut medians: Vec<(f64, usize)> = (0..k)
            .map(|p| {
                phase.clear();
                // d[i] is the second difference at point i + 1
                phase.extend(d.iter().skip((p + k - 1) % k).step_by(k).copied());
                (median_in_place(&mut phase), p)
            })
            .collect();
        medians.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (top, next) = (medians[0].0, medians[1].0);
        if top > 0.0 && top >= OUTSTANDING * next {
            return Some((k, medians[0].1));
        }
    }
    None
}

/// Every `k`th point from `phase` on.
fn every(v: &[f64], k: usize, phase: usize) -> Vec<f64> {
    v.iter().skip(phase).step_by(k).copied().collect()
}

/// The fraction of independent noise a 5-point quadratic Savitzky-Golay filter leaves:
/// sqrt((9 + 144 + 289 + 144 + 9) / 35^2).
const SAVGOL_5_NOISE: f64 = 0.697;

/// The sharing at which a spectrum is checked for points interpolated between its measured
/// ones ([`measured_points`]).
const CHECK_MEASURED_POINTS: f64 = 1.2;

/// Points short of the fringes that suffice to read the noise sharing by.
const MIN_SHARING_POINTS: usize = 256;

/// The most points brought together into one (as every kth point, or as block means).
const MAX_DECIMATION: usize = 16;
/// See [`own_points`]: the widest line allowed spans at least this many means.
const MEANS_PER_WIDEST_LINE: f64 = 4.0;
/// Parts, and the least sharing of every part, of [`shared_everywhere`].
const SHARING_PARTS: usize = 8;
const SHARED_EVERYWHERE: f64 = 1.25;

/// Larger than any detector or absorbance reading gives: a corrupt file.
const MAX_ABS_INTENSITY: f64 = 1e12;

/// Data a measurement of this kind cannot produce: values beyond any detector, PL without its
/// laser or with the laser inside the measured range, emission counts mostly negative.
fn implausible(
    technique: Technique,
    exc: Option<f64>,
    x: &[f64],
    y: &[f64],
    problems: &mut Vec<String>,
) {
    if let Some(v) = y.iter().find(|v| v.abs() > MAX_ABS_INTENSITY) {
        problems.push(format!(
            "intensity {v:e} is beyond any detector (corrupt file?)"
        ));
    }
    if technique == Technique::Pl {
        match exc {
            None => problems.push("PL spectrum without a usable excitation wavelength".into()),
            Some(e) if e > x[0] + 1.0 && e < x[x.len() - 1] => problems.push(format!(
                "excitation {e} nm lies inside the measured range {:.1}-{:.1} nm",
                x[0],
                x[x.len() - 1]
            )),
            _ => {}
        }
    }
    if matches!(technique, Technique::Pl | Technique::Raman) {
        let negative = y.iter().filter(|v| **v < 0.0).count();
        if negative * 2 > y.len() {
            problems.push(format!(
                "{negative} of {} intensities are negative (emission counts cannot be)",
                y.len()
            ));
        }
    }
}
