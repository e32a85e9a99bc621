//! Verdict fusion: one decision per stone from all its spectra.
//!
//! The rule of the trade: a stone passes (`natural`) only on positive evidence of natural origin
//! and only when nothing points elsewhere. In order:
//! 1. no usable spectrum -> `inconclusive`;
//! 2. no channel shows diamond (Raman line, two-phonon band) while a usable channel that should
//!    show it does not, or a usable FTIR spectrum lacks the two-phonon band that every diamond
//!    has -> `simulant`, unless a model calls the stone a diamond, then `refer`;
//! 3. `natural` when all of: diamond shown; a decisive natural centre in a usable channel
//!    ([`PASS_EVIDENCE`]: N3, nitrogen aggregates A/B/platelets, cape lines); no FTIR spectrum
//!    typed II (nitrogen-free, like most synthetics: referred for PL testing) or `unknown` (the
//!    one-phonon fit could not determine nitrogen, so type II is not ruled out); no centre pointing to
//!    CVD or HPHT in any channel; every channel usable; the models' fused p(cvd)+p(hpht)
//!    ([`combine`]) at or below the calibrated threshold, and their fused p(simulant) below 0.5;
//! 4. otherwise, when the only obstacle is an unusable spectrum -> `inconclusive`;
//! 5. otherwise `refer`, with the likely origin from the synthetic centres and the models.

use crate::channel::Channel;
use crate::lines::{Evidence, Indicates};
use serde::{Deserialize, Serialize};

/// Centres that count as positive evidence of natural origin.
pub const PASS_EVIDENCE: [&str; 7] = [
    "N3",
    "A-centre",
    "B-centre",
    "platelets",
    "N2 (cape 452)",
    "N2 (cape 465)",
    "N2 (cape 478)",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerdictKind {
    Natural,
    Refer,
    Simulant,
    Inconclusive,
    /// The stone's files could not be read (batch screening keeps going).
    Error,
}

impl VerdictKind {
    pub fn name(self) -> &'static str {
        match self {
            VerdictKind::Natural => "natural",
            VerdictKind::Refer => "refer",
            VerdictKind::Simulant => "simulant",
            VerdictKind::Inconclusive => "inconclusive",
            VerdictKind::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Cvd,
    Hpht,
    Unknown,
}

/// Class probabilities of one model on one spectrum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Probabilities {
    pub natural: f64,
    pub cvd: f64,
    pub hpht: f64,
    pub simulant: f64,
}

impl Probabilities {
    pub fn from_row(r: &[f32]) -> Probabilities {
        Probabilities {
            natural: r[0] as f64,
            cvd: r[1] as f64,
            hpht: r[2] as f64,
            simulant: r[3] as f64,
        }
    }

    pub fn synthetic(&self) -> f64 {
        self.cvd + self.hpht
    }

    fn array(&self) -> [f64; 4] {
        [self.natural, self.cvd, self.hpht, self.simulant]
    }
}

/// What one spectrum of a stone contributed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChannelResult {
    pub file: String,
    pub channel: Option<Channel>,
    pub technique: Option<String>,
    pub excitation_nm: Option<f64>,
    pub model: Option<String>,
    pub probabilities: Option<Probabilities>,
    /// The model's pass threshold on p(cvd) + p(hpht).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    pub diamond: Option<bool>,
    pub usable: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// Findings that leave the spectrum usable (copied into the stone's warnings).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diamond_type: Option<String>,
    /// FTIR spectra: the typing, with the one-phonon fit (nitrogen in ppm, or null where not
    /// determined), the platelet, hydrogen and CO2 peaks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ftir: Option<crate::lines::ftir::FtirTyping>,
    pub evidence: Vec<Evidence>,
}

/// One centre seen in one channel (the stone-level evidence list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StoneEvidence {
    pub channel: String,
    #[serde(flatten)]
    pub evidence: Evidence,
}

/// The record of one stone: what `screen` prints and the service returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verdict {
    pub stone_id: String,
    pub verdict: VerdictKind,
    pub likely_origin: Option<Origin>,
    /// p(cvd) + p(hpht) of the fused probabilities (None without models).
    pub p_synthetic: Option<f64>,
    /// The channels' probabilities combined ([`combine`]).
    pub probabilities: Option<Probabilities>,
    /// The pass threshold on `p_synthetic` (the strictest of the stone's models).
    pub threshold: Option<f64>,
    pub evidence: Vec<StoneEvidence>,
    pub channels: Vec<ChannelResult>,
    pub warnings: Vec<String>,
    pub models: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The stone's source files (read or not): what `--resume` checks.
    #[serde(default)]
    pub files: Vec<String>,
}

fn synthetic(i: Indicates) -> bool {
    matches!(i, Indicates::Cvd | Indicates::Hpht)
}

impl Verdict {
    /// A stone whose files could not be read.
    pub fn error(stone_id: &str, message: String) -> Verdict {
        Verdict {
            stone_id: stone_id.to_string(),
            verdict: VerdictKind::Error,
            likely_origin: None,
            p_synthetic: None,
            probabilities: None,
            threshold: None,
            evidence: Vec::new(),
            channels: Vec::new(),
            warnings: Vec::new(),
            models: Vec::new(),
            error: Some(message),
            files: Vec::new(),
        }
    }
}

/// Combine per-channel class probabilities as independent experts on the question that
/// decides: natural, synthetic (CVD or HPHT) or simulant.
/// p(c | all) is proportional to prod_k p_k(c) / prior(c)^(K-1), each p_k floored at 1e-4 so
/// that no single channel's certainty is unbounded (disagreement lands near the middle, and the
/// stone is referred). Synthetic is one class here, so that one channel ruling out CVD and
/// another ruling out HPHT cannot together rule out "synthetic"; the fused synthetic mass is
/// split between CVD and HPHT as the channels split it.
pub fn combine(ps: &[Probabilities], prior: &[f64; 4]) -> Option<Probabilities> {
    const FLOOR: f64 = 1e-4;
    if ps.is_empty() {
        return None;
    }
    let k = ps.len() as f64;
    let three = |p: [f64; 4]| [p[0], p[1] + p[2], p[3]];
    let pri = three(*prior);
    let mut logit = [0.0f64; 3];
    for (c, l) in logit.iter_mut().enumerate() {
        *l = ps
            .iter()
            .map(|p| three(p.array())[c].max(FLOOR).ln())
            .sum::<f64>()
            - (k - 1.0) * pri[c].max(FLOOR).ln();
    }
    let m = logit.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = logit.iter().map(|l| (l - m).exp()).collect();
    let z: f64 = e.iter().sum();
    let (cvd, hpht) = ps
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.cvd, b + p.hpht));
    let cvd_share = if cvd + hpht > 0.0 {
        cvd / (cvd + hpht)
    } else {
        0.5
    };
    let synthetic = e[1] / z;
    Some(Probabilities {
        natural: e[0] / z,
        cvd: synthetic * cvd_share,
        hpht: synthetic * (1.0 - cvd_share),
        simulant: e[2] / z,
    })
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
    };
    for c in &v.channels {
        for p in c.problems.iter().chain(&c.notes) {
            warnings.push(format!("{}: {p}", c.file));
        }
    }
    let usable: Vec<&ChannelResult> = v.channels.iter().filter(|c| c.usable).collect();
    if usable.is_empty() {
        v.verdict = VerdictKind::Inconclusive;
        warnings.push("no spectrum of this stone can support a verdict".into());
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
    let synthetic_hits: Vec<&StoneEvidence> = v
        .evidence
        .iter()
        .filter(|e| synthetic(e.evidence.indicates))
        .collect();
    let model_flag = matches!((v.p_synthetic, v.threshold), (Some(p), Some(t)) if p > t);
    let models_say_simulant = v.probabilities.is_some_and(|p| p.simulant > 0.5);
    // Nitrogen-free (type II) diamonds look like most synthetics: the trade refers them for PL
    // testing whatever else is seen. An FTIR spectrum whose nitrogen the fit could not determine
    // (a broad band, a noisy region) cannot rule out type II either, so it holds the stone
    // back the same way.
    let type_ii: Vec<&str> = usable
        .iter()
        .filter_map(|c| c.diamond_type.as_deref())
        .filter(|t| t.starts_with("II") || *t == "unknown")
        .collect();
    let natural_hit = usable.iter().any(|c| {
        c.evidence
            .iter()
            .any(|e| PASS_EVIDENCE.contains(&e.centre.as_str()))
    });
    let all_usable = usable.len() == v.channels.len();
    let clean = synthetic_hits.is_empty() && !model_flag;
    if diamond_shown
        && natural_hit
        && clean
        && all_usable
        && !models_say_simulant
        && type_ii.is_empty()
    {
        v.verdict = VerdictKind::Natural;
    } else if clean && !all_usable {
        v.verdict = VerdictKind::Inconclusive;
        warnings.push("a spectrum is unusable; re-measure it before the stone can pass".into());
    } else {
        v.verdict = VerdictKind::Refer;
        if !diamond_shown {
            warnings.push("no channel shows the diamond Raman line or two-phonon band".into());
        }
        if !natural_hit {
            warnings.push("no positive evidence of natural origin".into());
        }
        if !type_ii.is_empty() {
            warnings.push(format!(
                "FTIR type {}: no aggregated nitrogen shown (type II cannot be ruled out); \
                 referred for PL testing",
                type_ii.join(", ")
            ));
        }
        if models_say_simulant {
            warnings.push(
                "the models call this stone a simulant although a channel shows diamond".into(),
            );
        }
        for e in &synthetic_hits {
            warnings.push(format!(
                "{} ({}) points to {:?}",
                e.evidence.centre, e.channel, e.evidence.indicates
            ));
        }
        if model_flag {
            warnings.push(format!(
                "models: p(synthetic) {:.4} above the pass threshold {:.4}",
                v.p_synthetic.unwrap_or(0.0),
                v.threshold.unwrap_or(0.0)
            ));
        }
        v.likely_origin = Some(likely_origin(v.probabilities, &synthetic_hits));
    }
    v.warnings = warnings;
    v
}

/// CVD or HPHT from the synthetic centres (one vote each) and the fused probabilities.
fn likely_origin(p: Option<Probabilities>, hits: &[&StoneEvidence]) -> Origin {
    let mut cvd = p.map_or(0.0, |p| p.cvd);
    let mut hpht = p.map_or(0.0, |p| p.hpht);
    for e in hits {
        match e.evidence.indicates {
            Indicates::Cvd => cvd += 1.0,
            Indicates::Hpht => hpht += 1.0,
            _ => {}
        }
    }
    if cvd.max(hpht) < 0.5 {
        Origin::Unknown
    } else if cvd >= hpht {
        Origin::Cvd
    } else {
        Origin::Hpht
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::PosUnit;

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
            diamond_type: None,
            ftir: None,
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
    }
}

#[cfg(test)]
mod combine_tests {
    use super::*;

    #[test]
    fn experts_multiply_and_disagreement_is_uncertain() {
        let nat = Probabilities {
            natural: 0.9,
            cvd: 0.05,
            hpht: 0.04,
            simulant: 0.01,
        };
        let p = combine(&[nat, nat], &[0.25; 4]).unwrap();
        assert!(p.natural > 0.99);
        let syn = Probabilities {
            natural: 0.0,
            cvd: 1.0,
            hpht: 0.0,
            simulant: 0.0,
        };
        let sure_nat = Probabilities {
            natural: 1.0,
            cvd: 0.0,
            hpht: 0.0,
            simulant: 0.0,
        };
        // equal priors on natural, synthetic and simulant
        let even = [1.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 3.0];
        let p = combine(&[syn, sure_nat], &even).unwrap();
        assert!(
            (p.natural - 0.5).abs() < 0.01 && (p.cvd - 0.5).abs() < 0.01,
            "{p:?}"
        );
        // a single channel is returned as it is (its prior is not divided out)
        let p = combine(&[nat], &[0.1, 0.3, 0.3, 0.3]).unwrap();
        assert!((p.natural - 0.9).abs() < 1e-9);
        // one channel rules out CVD, another HPHT: synthetic stays possible
        let not_cvd = Probabilities {
            natural: 0.5,
            cvd: 0.0,
            hpht: 0.5,
            simulant: 0.0,
        };
        let not_hpht = Probabilities {
            natural: 0.5,
            cvd: 0.5,
            hpht: 0.0,
            simulant: 0.0,
        };
        let p = combine(&[not_cvd, not_hpht], &even).unwrap();
        assert!(p.synthetic() > 0.4, "{p:?}");
        assert!(combine(&[], &[0.25; 4]).is_none());
    }
}
