//! The detector's findings on an FTIR absorbance spectrum: whether it shows diamond's
//! two-phonon band (height over its baseline, shape, and what a band below that baseline is),
//! the typing and the centres ([`super::ftir`]), and what keeps the spectrum from being read.

use super::detect::{Detection, MIN_LINE_SNR, TWO_PHONON_ABSENT_SNR, dynamic_range};
use super::ftir::band_shape::{Below, below_baseline};
use super::ftir::{FtirTyping, ShapeSays, analyse_measured, two_phonon_shows_diamond};
use crate::preprocess::despike::noise_sigma;
use crate::spectrum::Spectrum;

/// Fill `d` from the FTIR spectrum `s` whose points (cm^-1 ascending, absorbance) are `x`, `y`.
pub(super) fn detect_ftir(d: &mut Detection, s: &Spectrum, x: &[f64], y: &[f64]) {
    if s.y_unit.is_single_beam() {
        d.quality.problems.push(
            "a single-beam spectrum (the sample's intensity, not ratioed to a background): not \
             an absorbance; export absorbance or transmittance"
                .into(),
        );
        return;
    }
    // measured once: for the typing, the quality figure and a band below its baseline
    let sigma = noise_sigma(y);
    match analyse_measured(x, y, sigma) {
        Some((typing, ev)) => {
            // Signal quality is the spectrum's dynamic range over its noise, so that a
            // clean spectrum without a two-phonon band (a simulant) stays usable.
            d.quality.snr = typing.two_phonon_snr.max(dynamic_range(y, sigma));
            let below =
                (typing.two_phonon_snr <= -MIN_LINE_SNR).then(|| below_baseline(x, y, sigma));
            match below {
                Some(Below::UnderACurve) => d.quality.problems.push(
                    "less absorption at 1992 cm^-1 than at 1500 and 2700 cm^-1, but on a \
                     curved baseline a band like diamond's two-phonon band stands out: a \
                     diamond under a rough surface's scattering, or another material; \
                     re-measure through a polished window, or correct the baseline"
                        .into(),
                ),
                Some(Below::UpsideDown) => d.quality.problems.push(
                    "the two-phonon band points down (a diamond's absorbance upside down, \
                     or transmittance without its unit? give the y unit)"
                        .into(),
                ),
                Some(Below::NoBand) => d.quality.notes.push(
                    "less absorption at 1992 cm^-1 than at 1500 and 2700 cm^-1: no \
                     two-phonon band"
                        .into(),
                ),
                None => {}
            }
            let tp = typing.two_phonon_snr;
            let shape = typing.two_phonon_shape;
            d.diamond = if matches!(below, Some(Below::UnderACurve | Below::UpsideDown)) {
                // the measurement cannot say
                None
            } else if let Some(s) = shape.filter(|s| s.says() != ShapeSays::Diamond) {
                let what = if s.says() == ShapeSays::NotDiamond {
                    "another material's absorption, not diamond"
                } else {
                    "not clearly diamond's: another material, or a distorted measurement; \
                     re-measure"
                };
                let said = format!(
                    "the absorption at 1992 cm^-1 does not have the shape of diamond's \
                     two-phonon band (the band explains {:.0}% of 1700-2660 cm^-1, leaving \
                     {:.0} noise levels): {what}; no centre is read from it and its model \
                     gets no vote",
                    100.0 * s.r2.max(0.0),
                    s.misfit
                );
                // another material is a finding (not diamond); a doubtful band, a reason
                // to measure again
                if s.says() == ShapeSays::NotDiamond {
                    d.quality.notes.push(said);
                    Some(false)
                } else {
                    d.quality.problems.push(said);
                    None
                }
            } else if two_phonon_shows_diamond(typing.two_phonon_raw, tp) {
                Some(true)
            } else if tp < TWO_PHONON_ABSENT_SNR {
                Some(false)
            } else {
                // A thin stone or a short path through a rough skin: too weak a band to
                // prove diamond, too strong to say there is none; and a model reading the
                // spectrum normalised to that band reads mostly noise.
                d.quality.problems.push(format!(
                    "two-phonon band at SNR {tp:.1}: too weak to show diamond, too strong \
                     to rule it out (a thin stone or a short path?); re-measure with a \
                     longer accumulation"
                ));
                None
            };
            d.evidence = ev;
            if d.diamond == Some(true) {
                d.quality.notes.extend(typing.fringe_note());
                d.quality.notes.extend(typing.note());
            }
            d.ftir = Some(FtirTyping {
                below_baseline: below,
                ..typing
            });
        }
        None => d
            .quality
            .problems
            .push("range misses the two-phonon band or the nitrogen region".into()),
    }
}
