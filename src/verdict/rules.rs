//! The decision rules: one verdict per stone from all its spectra.
//!
//! The rule of the trade: a stone passes (`natural`) only on positive evidence of natural origin
//! and only when nothing points elsewhere. In order:
//! 1. no usable spectrum -> `refer` when a synthetic marker stands clear of the noise in any
//!    spectrum ([`clear_markers`]: a spectrum too short or too partial for a pass still shows
//!    SiV- at SNR 24), else `inconclusive`;
//! 2. no channel shows diamond (Raman line, two-phonon band) while a usable channel that should
//!    show it does not, or a usable FTIR spectrum lacks the two-phonon band that every diamond
//!    has -> `simulant`, unless a model calls the stone a diamond, then `refer`;
//! 3. `natural` when all of ([`pass_obstacles`]): diamond shown; a centre that is decisive for a
//!    pass (the centre table's `decisive_for_pass` column: N3, nitrogen aggregates A/B,
//!    platelets, cape lines) in a usable channel; no FTIR spectrum typed II (nitrogen-free,
//!    like most synthetics: referred for PL testing) or `unknown` (the one-phonon fit could not
//!    determine nitrogen, so type II is not ruled out); no centre pointing to CVD or HPHT; every
//!    channel usable; no model refused its spectrum as unlike what it was trained on; the
//!    models' fused p(cvd)+p(hpht) ([`combine`]) at or below the calibrated threshold, and their
//!    fused p(simulant) below 0.5;
//! 4. otherwise, when the only obstacle is an unusable spectrum -> `inconclusive`;
//! 5. otherwise `refer`, with the likely origin ([`likely_origin`]) from the synthetic centres,
//!    or from two or more models that agree.

use super::{ChannelResult, Origin, Probabilities, StoneEvidence, Verdict, VerdictKind, combine};
use crate::channel::Channel;
use crate::lines::Indicates;
use crate::lines::table::decisive_for_pass;

/// A synthetic marker in a spectrum that is otherwise unusable (too short a range, too little
/// of a model's grid) still counts when it stands this far above the noise: referring is
/// always safe, and a gemmologist refers a stone with a clear SiV- line at once.
pub const CLEAR_MARKER_SNR: f64 = 10.0;

fn synthetic(i: Indicates) -> bool {
    matches!(i, Indicates::Cvd | Indicates::Hpht)
}

/// The synthetic centres that count: every one seen in a usable spectrum, and those standing
/// clear of the noise ([`CLEAR_MARKER_SNR`]) in any other.
fn clear_markers(v: &Verdict) -> Vec<StoneEvidence> {
    let usable_channel = |name: &str| {
        v.channels.iter().any(|c| {
            c.usable
                && c.channel.map_or_else(
                    || c.technique.as_deref() == Some(name),
                    |ch| ch.name() == name,
                )
        })
    };
    v.evidence
        .iter()
        .filter(|e| synthetic(e.evidence.indicates))
        .filter(|e| e.evidence.snr >= CLEAR_MARKER_SNR || usable_channel(&e.channel))
        .cloned()
        .collect()
}

/// The pass obstacle of a stone without a centre decisive for a pass.
const NO_NATURAL_EVIDENCE: &str = "no positive evidence of natural origin";

/// Why a diamond with a usable spectrum cannot pass; empty when it passes.
fn pass_obstacles(v: &Verdict, diamond_shown: bool, markers: &[StoneEvidence]) -> Vec<String> {
    let usable: Vec<&ChannelResult> = v.channels.iter().filter(|c| c.usable).collect();
    let mut why = Vec::new();
    if !diamond_shown {
        why.push("no channel shows the diamond Raman line or two-phonon band".to_string());
    }
    let natural_hit = usable
        .iter()
        .any(|c| c.evidence.iter().any(|e| decisive_for_pass(&e.centre)));
    if !natural_hit {
        why.push(NO_NATURAL_EVIDENCE.into());
    }
    // Nitrogen-free (type II) diamonds look like most synthetics: the trade refers them for PL
    // testing whatever else is seen. An FTIR spectrum whose nitrogen the fit could not determine
    // (a broad band, a noisy region) cannot rule out type II either, so it holds the stone
    // back the same way.
    let type_ii: Vec<&str> = usable
        .iter()
        .filter_map(|c| c.diamond_type.as_deref())
        .filter(|t| t.starts_with("II") || *t == "unknown")
        .collect();
    if !type_ii.is_empty() {
        why.push(format!(
            "FTIR type {}: no aggregated nitrogen shown (type II cannot be ruled out); \
             referred for PL testing",
            type_ii.join(", ")
        ));
    }
    for c in v.channels.iter().filter(|c| c.refused()) {
        why.push(format!(
            "{}: unlike the spectra its model was trained on; it gets no vote and cannot pass the stone",
            c.file
        ));
    }
    if v.probabilities.is_some_and(|p| p.simulant > 0.5) {
        why.push("the models call this stone a simulant although a channel shows diamond".into());
    }
    for e in markers {
        why.push(format!(
            "{} ({}) points to {:?}",
            e.evidence.centre, e.channel, e.evidence.indicates
        ));
    }
    if let (Some(p), Some(t)) = (v.p_synthetic, v.threshold)
        && p > t
    {
        why.push(format!(
            "models: p(synthetic) {p:.4} above the pass threshold {t:.4}"
        ));
    }
    why
}

/// Fuse a stone's channel results into its verdict. `prior` is the class balance the models
/// were trained on (natural, cvd, hpht, simulant).
pub fn fuse(
    stone_id: &str,
    channels: Vec<ChannelResult>,
    mut warnings: Vec<String>,
    prior: &[f64; 4],
) -> Verdict {
    let evidence: Vec<StoneEvidence> = channels
        .iter()
        .flat_map(|c| {
            let name = c.channel.map_or_else(
                || c.technique.clone().unwrap_or_default(),
                |ch| ch.name().to_string(),
            );
            c.evidence.iter().map(move |e| StoneEvidence {
                channel: name.clone(),
                evidence: e.clone(),
            })
        })
        .collect();
    let mut models: Vec<String> = channels.iter().filter_map(|c| c.model.clone()).collect();
    models.sort();
    models.dedup();
    let probs: Vec<Probabilities> = channels.iter().filter_map(|c| c.probabilities).collect();
    let fused = combine(&probs, prior);
    let threshold = channels
        .iter()
        .filter(|c| c.probabilities.is_some())
        .filter_map(|c| c.threshold)
        .fold(None, |m: Option<f64>, t| Some(m.map_or(t, |m| m.min(t))));
    let mut v = Verdict {
        stone_id: stone_id.to_string(),
        verdict: VerdictKind::Refer,
        likely_origin: None,
        p_synthetic: fused.map(|p| p.synthetic()),
        probabilities: fused,
        threshold,
        evidence,
        channels,
        warnings: Vec::new(),
        models,
        error: None,
        files: Vec::new(),
        file_sha256: Vec::new(),
    };
    for c in &v.channels {
        for p in c.problems.iter().chain(&c.notes) {
            warnings.push(format!("{}: {p}", c.file));
        }
    }
    let markers = clear_markers(&v);
    let usable: Vec<&ChannelResult> = v.channels.iter().filter(|c| c.usable).collect();
    if usable.is_empty() {
        if markers.is_empty() {
            v.verdict = VerdictKind::Inconclusive;
            warnings.push("no spectrum of this stone can support a verdict".into());
        } else {
            v.verdict = VerdictKind::Refer;
            for e in &markers {
                warnings.push(format!(
                    "{} ({}, SNR {:.0}) points to {:?}: referred on the detector alone, \
                     though no spectrum is usable for a pass",
                    e.evidence.centre, e.channel, e.evidence.snr, e.evidence.indicates
                ));
            }
            v.likely_origin = Some(likely_origin(&[], None, &markers));
        }
        v.warnings = warnings;
        return v;
    }
    // Every diamond absorbs in the two-phonon band: a usable FTIR spectrum without it is not a
    // diamond, whatever a PL channel's Raman search found.
    let no_two_phonon = usable
        .iter()
        .any(|c| c.channel == Some(Channel::Ftir) && c.diamond == Some(false));
    let diamond_shown = !no_two_phonon && v.channels.iter().any(|c| c.diamond == Some(true));
    let diamond_missing = usable.iter().any(|c| c.diamond == Some(false));
    let model_says_diamond = v.probabilities.is_some_and(|p| p.simulant < 0.5);
    if !diamond_shown && diamond_missing {
        if model_says_diamond {
            warnings.push(
                "no diamond Raman line or two-phonon band, but a model calls this a diamond".into(),
            );
            v.verdict = VerdictKind::Refer;
            v.likely_origin = Some(Origin::Unknown);
        } else {
            v.verdict = VerdictKind::Simulant;
        }
        v.warnings = warnings;
        return v;
    }
    let all_usable = usable.len() == v.channels.len();
    let obstacles = pass_obstacles(&v, diamond_shown, &markers);
    let model_flag = matches!((v.p_synthetic, v.threshold), (Some(p), Some(t)) if p > t);
    let clean = markers.is_empty() && !model_flag;
    // held back only for want of a decisive centre that a spectrum may show when measured
    // again (a line it cannot tell from a cosmic ray): measure again, not a lab referral
    let remeasure: Vec<String> = usable
        .iter()
        .flat_map(|c| c.remeasure.iter().map(move |r| format!("{}: {r}", c.file)))
        .collect();
    // nothing against a pass, but a spectrum that cannot support one until measured again (a
    // spike where a synthetic marker lies, that may be its line)
    let held: Vec<String> = usable
        .iter()
        .flat_map(|c| c.held.iter().map(move |r| format!("{}: {r}", c.file)))
        .collect();
    if obstacles.is_empty() && all_usable && held.is_empty() {
        v.verdict = VerdictKind::Natural;
    } else if obstacles.is_empty() && all_usable {
        v.verdict = VerdictKind::Inconclusive;
        warnings.extend(held);
    } else if clean && all_usable && !remeasure.is_empty() && obstacles == [NO_NATURAL_EVIDENCE] {
        v.verdict = VerdictKind::Inconclusive;
        warnings.extend(remeasure);
        warnings.extend(held);
    } else if clean && !all_usable {
        v.verdict = VerdictKind::Inconclusive;
        warnings.push("a spectrum is unusable; re-measure it before the stone can pass".into());
    } else {
        v.verdict = VerdictKind::Refer;
        warnings.extend(obstacles);
        v.likely_origin = Some(likely_origin(&v.channels, v.probabilities, &markers));
    }
    v.warnings = warnings;
    v
}

/// Fused p(synthetic) the models must reach to name an origin without a marker.
pub const ORIGIN_FROM_MODELS: f64 = 0.95;

/// CVD or HPHT from the synthetic centres seen (one vote each; the models' shares break a tie),
/// or, without any, from the models only when at least two channels' models (different physics:
/// PL under two lasers, FTIR) each call the stone synthetic with the same origin and their fused
/// p(synthetic) reaches [`ORIGIN_FROM_MODELS`], counting only channels whose spectra are usable.
/// One model alone never names the origin: trained on simulated spectra, a single model's
/// CVD-or-HPHT is not evidence a lab can act on (on the real natural FN7112 single models said
/// cvd or hpht). Otherwise `unknown`.
fn likely_origin(
    channels: &[ChannelResult],
    fused: Option<Probabilities>,
    hits: &[StoneEvidence],
) -> Origin {
    let (mut cvd, mut hpht) = (0.0, 0.0);
    for e in hits {
        match e.evidence.indicates {
            Indicates::Cvd => cvd += 1.0,
            Indicates::Hpht => hpht += 1.0,
            _ => {}
        }
    }
    if cvd + hpht > 0.0 {
        if let Some(p) = fused {
            cvd += p.cvd;
            hpht += p.hpht;
        }
        return if cvd >= hpht {
            Origin::Cvd
        } else {
            Origin::Hpht
        };
    }
    // a model's vote on a spectrum the quality checks refuse (saturated, too short, too
    // noisy) counts in the fused probabilities, as it was calibrated, but never names an
    // origin: on a saturated spectrum it is noise (one simulated HPHT-grown stone's flipped
    // between simulant 0.9998 and natural 0.9998 at rounding level)
    let votes: Vec<Origin> = channels
        .iter()
        .filter(|c| c.usable)
        .filter_map(|c| c.probabilities)
        .filter(|p| p.synthetic() >= 0.5)
        .map(|p| {
            if p.cvd >= p.hpht {
                Origin::Cvd
            } else {
                Origin::Hpht
            }
        })
        .collect();
    let sure = fused.is_some_and(|p| p.synthetic() >= ORIGIN_FROM_MODELS);
    match votes.first() {
        Some(&o) if sure && votes.len() >= 2 && votes.iter().all(|&v| v == o) => o,
        _ => Origin::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::{Evidence, PosUnit};
    use crate::verdict::Familiarity;

    fn ev(centre: &str, indicates: Indicates) -> Evidence {
        Evidence {
            centre: centre.into(),
            expected: 0.0,
            observed: 0.0,
            unit: PosUnit::Nm,
            snr: 20.0,
            strength: 1.0,
            intensity_rel_raman: None,
            indicates,
        }
    }

    fn ch(
        channel: Channel,
        diamond: Option<bool>,
        evidence: Vec<Evidence>,
        p: Option<[f64; 4]>,
    ) -> ChannelResult {
        ChannelResult {
            file: format!("{channel}.csv"),
            channel: Some(channel),
            technique: None,
            excitation_nm: None,
            model: p.map(|_| format!("m-{channel}")),
            probabilities: p.map(|p| Probabilities {
                natural: p[0],
                cvd: p[1],
                hpht: p[2],
                simulant: p[3],
            }),
            threshold: p.map(|_| 0.05),
            diamond,
            usable: true,
            problems: Vec::new(),
            notes: Vec::new(),
            remeasure: Vec::new(),
            held: Vec::new(),
            diamond_type: None,
            ftir: None,
            familiarity: None,
            evidence,
        }
    }

    const NAT: Option<[f64; 4]> = Some([0.99, 0.005, 0.004, 0.001]);
    const P: [f64; 4] = [0.25; 4];

    #[test]
    fn passes_only_on_positive_natural_evidence() {
        let ok = vec![
            ch(
                Channel::Pl405,
                Some(true),
                vec![ev("N3", Indicates::Natural)],
                NAT,
            ),
            ch(
                Channel::Ftir,
                Some(true),
                vec![ev("A-centre", Indicates::Natural)],
                NAT,
            ),
        ];
        assert_eq!(
            fuse("s", ok.clone(), vec![], &P).verdict,
            VerdictKind::Natural
        );
        // no natural centre: refer
        let none = vec![ch(Channel::Pl532, Some(true), vec![], NAT)];
        let v = fuse("s", none, vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Unknown));
        // a synthetic centre anywhere: refer with origin
        let mut siv = ok.clone();
        siv.push(ch(
            Channel::Pl532,
            Some(true),
            vec![ev("SiV-", Indicates::Cvd)],
            NAT,
        ));
        let v = fuse("s", siv, vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Cvd));
        // the models together above the threshold: refer
        let mut m = ok.clone();
        for c in m.iter_mut() {
            c.probabilities = Some(Probabilities {
                natural: 0.05,
                cvd: 0.02,
                hpht: 0.93,
                simulant: 0.0,
            });
        }
        let v = fuse("s", m, vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Hpht));
    }

    /// A stone held back only for want of a decisive centre, where a spectrum cannot tell that
    /// centre's line from a cosmic ray, is measured again (`inconclusive`), never passed; with
    /// anything else against it, it is referred as before.
    #[test]
    fn a_decisive_centre_a_cosmic_ray_could_have_made_asks_for_a_new_measurement() {
        let doubt = || {
            let mut c = ch(Channel::Pl405, Some(true), vec![], NAT);
            c.remeasure.push("a spike where N3 lies".into());
            c
        };
        let v = fuse("s", vec![doubt()], vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Inconclusive);
        assert!(
            v.warnings.iter().any(|w| w.contains("where N3 lies")),
            "{:?}",
            v.warnings
        );
        // without the doubt: referred for want of natural evidence
        let v = fuse(
            "s",
            vec![ch(Channel::Pl405, Some(true), vec![], NAT)],
            vec![],
            &P,
        );
        assert_eq!(v.verdict, VerdictKind::Refer);
        // a synthetic marker, a type II FTIR spectrum, the models over the threshold: referred
        let marker = vec![
            doubt(),
            ch(
                Channel::Pl532,
                Some(true),
                vec![ev("SiV-", Indicates::Cvd)],
                NAT,
            ),
        ];
        assert_eq!(fuse("s", marker, vec![], &P).verdict, VerdictKind::Refer);
        let mut type_ii = ch(Channel::Ftir, Some(true), vec![], NAT);
        type_ii.diamond_type = Some("IIa".into());
        assert_eq!(
            fuse("s", vec![doubt(), type_ii], vec![], &P).verdict,
            VerdictKind::Refer
        );
        let mut synthetic = doubt();
        synthetic.probabilities = Some(Probabilities {
            natural: 0.05,
            cvd: 0.9,
            hpht: 0.04,
            simulant: 0.01,
        });
        assert_eq!(
            fuse("s", vec![synthetic], vec![], &P).verdict,
            VerdictKind::Refer
        );
    }

    /// A stone that would pass, where a spectrum cannot tell a synthetic marker's line from a
    /// cosmic ray, is measured again (`inconclusive`, the reason in its warnings), never
    /// passed; the doubt names no origin, and a stone referred on other grounds stays referred.
    #[test]
    fn a_synthetic_marker_a_cosmic_ray_could_hide_holds_the_pass() {
        let n3 = || vec![ev("N3", Indicates::Natural)];
        let held = || {
            let mut c = ch(Channel::Pl532, Some(true), vec![], NAT);
            c.held.push("a spike where SiV- lies".into());
            c
        };
        let passes = vec![ch(Channel::Pl405, Some(true), n3(), NAT)];
        assert_eq!(
            fuse("s", passes.clone(), vec![], &P).verdict,
            VerdictKind::Natural
        );
        let mut doubted = passes.clone();
        doubted.push(held());
        let v = fuse("s", doubted.clone(), vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Inconclusive);
        assert_eq!(v.likely_origin, None);
        assert!(
            v.warnings.iter().any(|w| w.contains("where SiV- lies")),
            "{:?}",
            v.warnings
        );
        // on an unusable spectrum the doubt counts for nothing: that spectrum holds the stone
        // back already
        let mut unusable = doubted.clone();
        unusable[1].usable = false;
        assert!(
            !fuse("s", unusable, vec![], &P)
                .warnings
                .iter()
                .any(|w| w.contains("where SiV- lies"))
        );
        // a clear marker elsewhere: referred with its origin
        let mut marked = doubted;
        marked[0].evidence.push(ev("Ni 484.4", Indicates::Hpht));
        let v = fuse("s", marked, vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Hpht));
    }

    #[test]
    fn an_unusable_spectrum_names_no_origin() {
        let hpht = Some([0.005, 0.005, 0.985, 0.005]);
        let mut c = vec![
            ch(Channel::Pl405, Some(true), vec![], hpht),
            ch(Channel::Pl532, Some(true), vec![], hpht),
        ];
        let v = fuse("s", c.clone(), vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Hpht));
        // the same votes, one of them on a saturated spectrum: counted, but naming nothing
        c[1].usable = false;
        c[1].problems = vec!["saturated".into()];
        let u = fuse("s", c, vec![], &P);
        assert_eq!(u.probabilities, v.probabilities);
        assert_eq!(u.verdict, VerdictKind::Refer);
        assert_eq!(u.likely_origin, Some(Origin::Unknown));
    }

    #[test]
    fn unusable_spectra_make_it_inconclusive() {
        let mut c = vec![
            ch(
                Channel::Pl405,
                Some(true),
                vec![ev("N3", Indicates::Natural)],
                NAT,
            ),
            ch(Channel::Pl532, Some(true), vec![], NAT),
        ];
        c[1].usable = false;
        c[1].problems = vec!["saturated".into()];
        assert_eq!(
            fuse("s", c.clone(), vec![], &P).verdict,
            VerdictKind::Inconclusive
        );
        c[0].usable = false;
        assert_eq!(fuse("s", c, vec![], &P).verdict, VerdictKind::Inconclusive);
    }

    #[test]
    fn a_channel_that_cannot_tell_diamond_is_referred_with_its_note() {
        let mut c = ch(
            Channel::Pl405,
            None,
            vec![ev("N3", Indicates::Natural)],
            NAT,
        );
        c.notes = vec!["Raman line like a spike".into()];
        let v = fuse("s", vec![c.clone()], vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert!(
            v.warnings
                .iter()
                .any(|w| w.ends_with("Raman line like a spike")),
            "{:?}",
            v.warnings
        );
        // Not a simulant either, whatever the model says.
        c.probabilities = Some(Probabilities {
            natural: 0.01,
            cvd: 0.0,
            hpht: 0.0,
            simulant: 0.99,
        });
        assert_eq!(fuse("s", vec![c], vec![], &P).verdict, VerdictKind::Refer);
    }

    #[test]
    fn ftir_nitrogen_not_determined_holds_the_stone_back_like_type_ii() {
        let stone = |ftir_type: &str| {
            let pl = ch(
                Channel::Pl405,
                Some(true),
                vec![ev("N3", Indicates::Natural)],
                NAT,
            );
            let mut ftir = ch(Channel::Ftir, Some(true), vec![], NAT);
            ftir.diamond_type = Some(ftir_type.into());
            fuse("s", vec![pl, ftir], vec![], &P)
        };
        assert_eq!(stone("IaAB").verdict, VerdictKind::Natural);
        for t in ["IIa", "unknown"] {
            let v = stone(t);
            assert_eq!(v.verdict, VerdictKind::Refer, "{t}");
            assert!(
                v.warnings
                    .iter()
                    .any(|w| w.contains("type II cannot be ruled out")),
                "{t}: {:?}",
                v.warnings
            );
        }
    }

    #[test]
    fn a_clear_synthetic_marker_refers_even_without_a_usable_spectrum() {
        // A short high-resolution spectrum around SiV-: too little of the range for a pass.
        let mut siv = ev("SiV-", Indicates::Cvd);
        siv.snr = 24.0;
        let mut c = ch(Channel::Pl532, None, vec![siv.clone()], None);
        c.usable = false;
        c.problems = vec!["range misses 7 of the decisive lines".into()];
        let v = fuse("s", vec![c.clone()], vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Cvd));
        // The same line barely above the noise of an unusable spectrum: re-measure.
        c.evidence[0].snr = CLEAR_MARKER_SNR - 1.0;
        let v = fuse("s", vec![c.clone()], vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Inconclusive);
        // A clear marker in an unusable spectrum beside a passing one still refers.
        c.evidence[0].snr = 30.0;
        let ok = ch(
            Channel::Pl405,
            Some(true),
            vec![ev("N3", Indicates::Natural)],
            NAT,
        );
        let v = fuse("s", vec![ok, c], vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Cvd));
    }

    #[test]
    fn a_refused_model_gives_no_vote_no_origin_and_no_pass() {
        // The model of a spectrum unlike its training set had said HPHT; refused, its
        // probabilities are not fused and the likely origin is not taken from it.
        let mut odd = ch(
            Channel::Pl532,
            Some(true),
            vec![ev("N3", Indicates::Natural)],
            None,
        );
        odd.model = Some("m-pl532".into());
        odd.familiarity = Some(Familiarity {
            distance: 3.0,
            threshold: 2.0,
        });
        let ftir = ch(
            Channel::Ftir,
            Some(true),
            vec![ev("A-centre", Indicates::Natural)],
            NAT,
        );
        let v = fuse("s", vec![odd.clone(), ftir.clone()], vec![], &P);
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Unknown));
        assert!(
            v.warnings.iter().any(|w| w.contains("unlike the spectra")),
            "{:?}",
            v.warnings
        );
        // Within the threshold it votes as before, and the stone passes.
        odd.familiarity = Some(Familiarity {
            distance: 1.0,
            threshold: 2.0,
        });
        odd.probabilities = ftir.probabilities;
        assert_eq!(
            fuse("s", vec![odd, ftir], vec![], &P).verdict,
            VerdictKind::Natural
        );
    }

    #[test]
    fn one_model_alone_never_names_the_origin() {
        let sure_cvd = Some([0.001, 0.998, 0.0005, 0.0005]);
        // one channel, no marker: referred, origin unknown
        let v = fuse(
            "s",
            vec![ch(Channel::Ftir, Some(true), vec![], sure_cvd)],
            vec![],
            &P,
        );
        assert_eq!(v.verdict, VerdictKind::Refer);
        assert_eq!(v.likely_origin, Some(Origin::Unknown));
        // two channels agreeing: cvd
        let two = vec![
            ch(Channel::Ftir, Some(true), vec![], sure_cvd),
            ch(Channel::Pl532, Some(true), vec![], sure_cvd),
        ];
        assert_eq!(fuse("s", two, vec![], &P).likely_origin, Some(Origin::Cvd));
        // two channels disagreeing: unknown
        let split = vec![
            ch(Channel::Ftir, Some(true), vec![], sure_cvd),
            ch(
                Channel::Pl532,
                Some(true),
                vec![],
                Some([0.001, 0.0005, 0.998, 0.0005]),
            ),
        ];
        assert_eq!(
            fuse("s", split, vec![], &P).likely_origin,
            Some(Origin::Unknown)
        );
    }

    #[test]
    fn pass_evidence_is_the_centre_tables_column() {
        for (centre, passes) in [
            ("N3", true),
            ("B-centre", true),
            ("H 3107", false),
            ("CO2 2370", false),
        ] {
            let c = vec![ch(
                Channel::Ftir,
                Some(true),
                vec![ev(centre, Indicates::Natural)],
                NAT,
            )];
            let v = fuse("s", c, vec![], &P);
            assert_eq!(v.verdict == VerdictKind::Natural, passes, "{centre}");
        }
    }

    #[test]
    fn no_diamond_signature_is_a_simulant() {
        let sim = Some([0.0, 0.0, 0.01, 0.99]);
        let c = vec![
            ch(Channel::Pl532, Some(false), vec![], sim),
            ch(Channel::Ftir, Some(false), vec![], sim),
        ];
        assert_eq!(fuse("s", c, vec![], &P).verdict, VerdictKind::Simulant);
        // one channel shows diamond: not a simulant
        let c = vec![
            ch(Channel::Pl532, Some(false), vec![], NAT),
            ch(Channel::Ftir, Some(true), vec![], NAT),
        ];
        assert_ne!(fuse("s", c, vec![], &P).verdict, VerdictKind::Simulant);
        // no diamond signature but the model says diamond: refer, never pass
        let c = vec![ch(
            Channel::Pl405,
            Some(false),
            vec![ev("N3", Indicates::Natural)],
            NAT,
        )];
        assert_eq!(fuse("s", c, vec![], &P).verdict, VerdictKind::Refer);
        // an FTIR two-phonon band too weak to tell (None) does not outweigh a Raman line
        let c = vec![
            ch(Channel::Pl532, Some(true), vec![], sim),
            ch(Channel::Ftir, None, vec![], sim),
        ];
        assert_ne!(fuse("s", c, vec![], &P).verdict, VerdictKind::Simulant);
        // while an FTIR spectrum clearly without one does (a diamond-coated simulant)
        let c = vec![
            ch(Channel::Pl532, Some(true), vec![], sim),
            ch(Channel::Ftir, Some(false), vec![], sim),
        ];
        assert_eq!(fuse("s", c, vec![], &P).verdict, VerdictKind::Simulant);
    }
}
