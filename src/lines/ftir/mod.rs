//! FTIR typing (domain.md section 4): normalise the intrinsic two-phonon absorption to
//! 12.3 cm^-1 at 1992 cm^-1, fit the one-phonon region with the nitrogen component spectra
//! ([`fit`]: [NC], [NA], [NB], [N+] in ppm, or "not determined" where a broad band the
//! components do not explain fills the region), fit the platelet, hydrogen and lattice CO2
//! peaks ([`peak_fit`]), and type the diamond from the fitted nitrogen: II below 10 ppm
//! (IIb with the 2802 cm^-1 boron band), Ib where single nitrogen (C, N+) dominates, otherwise
//! Ia (IaA, IaAB, IaB by which aggregates are present). Sharp lines (C 1344, boron 2802) are
//! measured as peaks above their own flanks.

pub mod band_shape;
pub mod fit;
pub mod fringes;
mod nnls;
pub mod peak_fit;

use super::Evidence;
use super::detect::MIN_LINE_SNR;
use super::table::{Indicates, PosUnit, by_name};
use crate::preprocess::TWO_PHONON_AT_1992;
use crate::preprocess::despike::noise_sigma;
use crate::preprocess::median::median_in_place;
pub use band_shape::{BandShape, Below, ShapeSays};
pub use fit::{BroadBand, FitCurves, NitrogenFit, NitrogenPpm};
use fit::{CENTRE_MIN_PPM, PPM_PER_CM, TYPE_IA_MIN_PPM};
use peak_fit::{PeakFit, PeakWindow, fit_peak};
use serde::{Deserialize, Serialize};

/// Smallest sharp-line height (cm^-1, normalised) and SNR taken as present.
const MIN_SHARP: f64 = 0.1;
const MIN_SNR: f64 = 5.0;
/// Boron's 2802 cm^-1 band needs more: weak bumps there come from the two-phonon tail.
const MIN_BORON: f64 = 0.3;

const PLATELET: PeakWindow = PeakWindow {
    from: 1342.0,
    to: 1420.0,
    centre: (1355.0, 1385.0),
    fwhm: (3.0, 40.0),
};
const H3107: PeakWindow = PeakWindow {
    from: 3075.0,
    to: 3140.0,
    centre: (3102.0, 3112.0),
    fwhm: (1.5, 15.0),
};
const H3123: PeakWindow = PeakWindow {
    from: 3100.0,
    to: 3150.0,
    centre: (3119.0, 3127.0),
    fwhm: (1.5, 15.0),
};
/// Lattice CO2 (solid CO2-I in natural CO2-rich diamonds): nu3 near 2370 and nu2 near
/// 659 cm^-1, apart from the atmospheric gas lines (nu3 branches at 2340 and 2360 around
/// 2349 cm^-1; the nu2 Q branch at 667-668 cm^-1).
const CO2_V3: PeakWindow = PeakWindow {
    from: 2352.0,
    to: 2410.0,
    centre: (2364.0, 2385.0),
    fwhm: (2.0, 25.0),
};
const CO2_V2: PeakWindow = PeakWindow {
    from: 635.0,
    to: 664.0,
    centre: (645.0, 662.0),
    fwhm: (1.5, 12.0),
};

/// The lattice CO2 bands of CO2-rich natural diamonds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Co2Bands {
    pub v3: Option<PeakFit>,
    pub v2: Option<PeakFit>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FtirTyping {
    /// Two-phonon absorbance at 1992 cm^-1 above its baseline (raw units), the scale reference.
    pub two_phonon_raw: f64,
    pub two_phonon_snr: f64,
    /// How the absorption over 1700-2660 cm^-1 compares with diamond's band
    /// ([`band_shape`]); None where the band is absent or the range too short.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_phonon_shape: Option<BandShape>,
    /// Where the absorption at 1992 cm^-1 lies below the line through 1500 and 2700 cm^-1,
    /// what that is ([`band_shape::below_baseline`], set by the detector).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_baseline: Option<Below>,
    /// The one-phonon fit: nitrogen_determined, nitrogen_ppm {a, b, c, x, total},
    /// nitrogen_uncertainty_ppm, percent_b, fit_residual, broad_band...
    #[serde(flatten)]
    pub nitrogen: NitrogenFit,
    /// The platelet (B') peak, fitted (position, FWHM, height, area).
    pub platelet: Option<PeakFit>,
    /// Integrated absorption of the 3107 cm^-1 hydrogen (VN3H) line, cm^-2.
    pub h3107_area: Option<f64>,
    pub h3107: Option<PeakFit>,
    pub h3123: Option<PeakFit>,
    /// Heights (cm^-1, normalised) of the sharp C-centre line at 1344 and the boron band at 2802.
    pub c_1344: f64,
    pub boron_2802: f64,
    pub co2: Co2Bands,
    /// Interference fringes measured above 3150 cm^-1 ([`fringes`]): their period (cm^-1) and
    /// amplitude (cm^-1, normalised like the line heights); sharp lines then count only when
    /// [`fringes::ABOVE_FRINGES`] times that amplitude.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fringe_period: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fringe_amplitude: Option<f64>,
    /// Ia, IaA, IaAB, IaB, Ib, IIa, IIb; `unknown` where nitrogen is not determined; `none`
    /// without a two-phonon band.
    pub diamond_type: String,
}

impl FtirTyping {
    /// The fringes measured, for the channel's notes.
    pub fn fringe_note(&self) -> Option<String> {
        let (period, amplitude) = (self.fringe_period?, self.fringe_amplitude?);
        Some(format!(
            "interference fringes (period {period:.1} cm^-1, amplitude {amplitude:.2} cm^-1 at \
             the two-phonon scale: a plate with parallel faces, a film?): sharp lines count \
             only when {:.0} times stronger",
            fringes::ABOVE_FRINGES
        ))
    }

    /// What keeps this spectrum from typing the stone, for the channel's notes.
    pub fn note(&self) -> Option<String> {
        if self.diamond_type != "unknown" {
            return None;
        }
        Some(match &self.nitrogen.broad_band {
            Some(b) => format!(
                "FTIR one-phonon region: a broad band near {:.0} cm^-1 (FWHM about {:.0} cm^-1, \
                 {:.2} cm^-1 high) that the nitrogen components do not explain (the O-band of \
                 CO2-rich diamonds, a polymer or oil film, a coating or a poor baseline); \
                 nitrogen not determined, so this spectrum cannot type the stone",
                b.centre, b.fwhm, b.height
            ),
            None => "FTIR one-phonon region (1000-1400 cm^-1) not fitted by the nitrogen \
                     components (or not covered): nitrogen not determined"
                .into(),
        })
    }
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

fn mean_in(x: &[f64], y: &[f64], lo: f64, hi: f64) -> Option<f64> {
    let a = x.partition_point(|&v| v < lo);
    let b = x.partition_point(|&v| v <= hi);
    (b > a).then(|| y[a..b].iter().sum::<f64>() / (b - a) as f64)
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

/// Mean intrinsic absorption (cm^-1, at the 12.3 cm^-1 scale) in the two anchor windows of the
/// two-phonon baseline, 1480-1520 and 2680-2720 cm^-1: the band does not fall to zero there
/// (QUIDDIT's type IIa spectrum gives 0.52, the simulator 0.48), so the height above the
/// anchors' line is this much less than the absorption at 1992 cm^-1 (about 4% of it).
const INTRINSIC_AT_ANCHORS: f64 = 0.5;

/// The two-phonon scale: raw height at 1992 cm^-1 above the 1500-2700 cm^-1 baseline, and the
/// factor that brings the absorption there to 12.3 cm^-1. None when the range misses the band.
pub fn two_phonon_scale(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let tp_base = line(x, y, (1480.0, 1520.0), (2680.0, 2720.0))?;
    let tp_raw = mean_in(x, y, 1987.0, 1997.0)? - tp_base(1992.0);
    Some((tp_raw, (TWO_PHONON_AT_1992 - INTRINSIC_AT_ANCHORS) / tp_raw))
}

/// Whether a two-phonon band of this raw height and SNR shows diamond: positive and
/// [`MIN_LINE_SNR`] above its noise. The detector's `diamond` and the one-phonon fit's
/// chi-square route both ask this.
pub fn two_phonon_shows_diamond(raw: f64, snr: f64) -> bool {
    raw > 0.0 && snr >= MIN_LINE_SNR
}

/// The one-phonon fit's curves of a spectrum (x ascending, cm^-1), for plots.
pub fn fit_curves(x: &[f64], y: &[f64], typing: &FtirTyping) -> Option<FitCurves> {
    let (tp_raw, k) = two_phonon_scale(x, y)?;
    (tp_raw > 0.0).then_some(())?;
    let shown = two_phonon_shows_diamond(tp_raw, typing.two_phonon_snr);
    fit::fit(
        x,
        y,
        k,
        typing.platelet.map(|p| (p.position, p.fwhm)),
        shown,
    )
    .map(|(_, c)| c)
}

/// Type an FTIR absorbance spectrum (x ascending in cm^-1). None when the range does not
/// reach the two-phonon band.
pub fn analyse(x: &[f64], y: &[f64]) -> Option<(FtirTyping, Vec<Evidence>)> {
    analyse_measured(x, y, noise_sigma(y))
}

/// [`analyse`] of a spectrum whose noise `sigma` (`noise_sigma(y)`) the caller has measured.
pub fn analyse_measured(x: &[f64], y: &[f64], sigma: f64) -> Option<(FtirTyping, Vec<Evidence>)> {
    let (tp_raw, k) = two_phonon_scale(x, y)?;
    let sigma_raw = sigma.max(f64::MIN_POSITIVE);
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
    // A band that is not diamond's (another material's absorption) types nothing and shows
    // no centre: its "lines" are that material's.
    let shape = two_phonon_shows_diamond(tp_raw, tp_snr)
        .then(|| band_shape::band_shape(x, y, sigma_raw))
        .flatten();
    if let Some(says) = shape.map(|s| s.says()).filter(|&s| s != ShapeSays::Diamond) {
        return Some((
            FtirTyping {
                two_phonon_raw: tp_raw,
                two_phonon_snr: tp_snr,
                two_phonon_shape: shape,
                diamond_type: if says == ShapeSays::NotDiamond {
                    "none"
                } else {
                    "unknown"
                }
                .into(),
                ..FtirTyping::default()
            },
            Vec::new(),
        ));
    }
    let sigma = sigma_raw * k;
    let scaled: Vec<f64> = y.iter().map(|v| v * k).collect();
    // where a ripple is measured, a sharp line must stand well above it
    let ripple = fringes::measure(x, y);
    let floor = ripple.map_or(0.0, |f| fringes::ABOVE_FRINGES * f.amplitude * k.abs());
    let peak = |w: &PeakWindow| {
        fit_peak(x, &scaled, w, sigma)
            .filter(|p| p.height >= MIN_SHARP && p.snr >= MIN_SNR && p.height >= floor)
    };
    let platelet = peak(&PLATELET);
    let shown = two_phonon_shows_diamond(tp_raw, tp_snr);
    let nitrogen = fit::fit(x, y, k, platelet.map(|p| (p.position, p.fwhm)), shown).map(|(f, _)| f);
    let h3107 = peak(&H3107);
    let h3123 = peak(&H3123);
    // Atmospheric CO2 shows both nu3 branches around 2349 cm^-1 and the nu2 Q branch at
    // 667 cm^-1; a lattice band stands alone.
    let gas = |pos: f64, half: f64| sharp(x, &scaled, pos, half, 2.0 * half).map_or(0.0, |p| p.0);
    let co2 = Co2Bands {
        v3: peak(&CO2_V3).filter(|p| gas(2340.0, 6.0) < 0.5 * p.height),
        v2: peak(&CO2_V2).filter(|p| gas(667.5, 2.0) < 0.5 * p.height),
    };
    let sharp_k =
        |pos: f64, half: f64, flank: f64| sharp(x, y, pos, half, flank).map(|(h, at)| (h * k, at));
    let c1344 = sharp_k(1344.0, 2.0, 6.0);
    let boron = sharp_k(2802.0, 5.0, 15.0);
    let val = |o: Option<(f64, f64)>| o.map_or(0.0, |p| p.0);
    // A sharp line stands above the noise around it (water vapour makes 1300-2000 cm^-1 far
    // noisier than the spectrum as a whole).
    let local_sigma = |at: f64| {
        let a = x.partition_point(|&v| v < at - 40.0);
        let b = x.partition_point(|&v| v <= at + 40.0);
        if b > a + 8 {
            (noise_sigma(&y[a..b]) * k).max(sigma)
        } else {
            sigma
        }
    };
    let present = |o: Option<(f64, f64)>| {
        o.filter(|p| p.0 >= MIN_SHARP && p.0 / local_sigma(p.1) >= MIN_SNR && p.0 >= floor)
    };
    let boron_ok = present(boron).filter(|p| p.0 >= MIN_BORON);

    let diamond_type = match nitrogen.as_ref().filter(|f| f.determined) {
        None => "unknown",
        Some(f) => {
            let get = |v: Option<f64>| v.unwrap_or(0.0);
            let (a, b, c, xx) = (get(f.ppm.a), get(f.ppm.b), get(f.ppm.c), get(f.ppm.x));
            let total = a + b + c + xx;
            if total >= TYPE_IA_MIN_PPM && c + xx >= 0.5 * total {
                "Ib"
            } else if a + b >= TYPE_IA_MIN_PPM {
                match (a >= CENTRE_MIN_PPM, b >= CENTRE_MIN_PPM) {
                    (true, false) => "IaA",
                    (false, true) => "IaB",
                    _ => "IaAB",
                }
            } else if boron_ok.is_some() {
                "IIb"
            } else {
                "IIa"
            }
        }
    }
    .to_string();

    let mut ev = Vec::new();
    let mut add = |name: &str, observed: f64, strength: f64, snr: f64| {
        if let Some(c) = by_name(name) {
            ev.push(Evidence {
                centre: c.name.to_string(),
                expected: c.position,
                observed,
                unit: PosUnit::Wavenumber,
                snr,
                strength,
                intensity_rel_raman: None,
                indicates: c.indicates,
            });
        }
    };
    let is_ia = diamond_type.starts_with("Ia");
    if let Some(f) = nitrogen.as_ref().filter(|_| is_ia) {
        // An aggregate counts when its fitted nitrogen clears the detection limit and three
        // standard errors; strength is its absorption coefficient at 1282 cm^-1.
        for (name, v, se, factor) in [
            ("A-centre", f.ppm.a, f.uncertainty_ppm.a, PPM_PER_CM[1]),
            ("B-centre", f.ppm.b, f.uncertainty_ppm.b, PPM_PER_CM[3]),
        ] {
            let (v, se) = (v.unwrap_or(0.0), se.unwrap_or(0.0));
            if v >= CENTRE_MIN_PPM && v >= 3.0 * se {
                let strength = v / factor;
                add(name, 1282.0, strength, strength / f.noise.max(sigma));
            }
        }
        if let Some(p) = platelet {
            add("platelets", p.position, p.height, p.snr);
        }
    }
    // The sharp 1344 cm^-1 line of single nitrogen marks HPHT growth whatever the type says
    // (mixed Ib/IaA stones exist).
    if let Some((h, at)) = present(c1344) {
        add("C-centre", at, h, h / local_sigma(at));
    } else if diamond_type == "Ib"
        && let Some(f) = &nitrogen
    {
        let strength = f.ppm.c.unwrap_or(0.0) / PPM_PER_CM[0];
        add("C-centre", 1130.0, strength, strength / f.noise.max(sigma));
    }
    if let Some((h, at)) = boron_ok {
        add("boron", at, h, h / local_sigma(at));
    }
    for (name, p) in [
        ("H 3107", h3107),
        ("H 3123", h3123),
        ("CO2 2370", co2.v3),
        ("CO2 659", co2.v2),
    ] {
        if let Some(p) = p {
            add(name, p.position, p.height, p.snr);
        }
    }
    // HPHT-grown diamonds are essentially never of type IaB or IaAB: B aggregates need geological
    // time at mantle temperatures. A weak C-centre beside B aggregates is a natural mixed-type
    // stone (or an atmospheric-compensation artefact), so it is recorded but points nowhere.
    if ev.iter().any(|e| e.centre == "B-centre") {
        for e in ev.iter_mut().filter(|e| e.centre == "C-centre") {
            e.indicates = Indicates::Neutral;
        }
    }
    let typing = FtirTyping {
        two_phonon_raw: tp_raw,
        two_phonon_snr: tp_snr,
        two_phonon_shape: shape,
        below_baseline: None,
        nitrogen: nitrogen.unwrap_or_default(),
        platelet,
        h3107_area: h3107.map(|p| p.area),
        h3107,
        h3123,
        c_1344: val(c1344),
        boron_2802: val(boron),
        co2,
        fringe_period: ripple.map(|f| f.period),
        fringe_amplitude: ripple.map(|f| f.amplitude * k.abs()),
        diamond_type,
    };
    Some((typing, ev))
}
