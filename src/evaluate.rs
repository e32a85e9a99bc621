//! ASSURE-style evaluation of verdicts against labels: the confusion matrix (truth natural / CVD
//! / HPHT / simulant by verdict natural / refer / simulant / inconclusive / error) and the figures
//! derived from it.

use crate::channel::Channel;
use crate::labels::Label;
use crate::simulate::Truth;
use crate::verdict::{Probabilities, Verdict, VerdictKind};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

const TRUTHS: [Truth; 4] = [Truth::Natural, Truth::Cvd, Truth::Hpht, Truth::Simulant];
const VERDICTS: [VerdictKind; 5] = [
    VerdictKind::Natural,
    VerdictKind::Refer,
    VerdictKind::Simulant,
    VerdictKind::Inconclusive,
    VerdictKind::Error,
];

#[derive(Debug, Clone, Serialize)]
pub struct Rate {
    pub count: usize,
    pub of: usize,
    pub share: f64,
}

impl Rate {
    fn new(count: usize, of: usize) -> Rate {
        Rate {
            count,
            of,
            share: if of == 0 {
                0.0
            } else {
                count as f64 / of as f64
            },
        }
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} / {} ({:.3}%)",
            self.count,
            self.of,
            100.0 * self.share
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub stones: usize,
    pub unlabelled: usize,
    /// confusion[truth][verdict]
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// Synthetics (CVD + HPHT) passed as natural: must be zero.
    pub synthetics_passed: Rate,
    pub simulants_passed: Rate,
    /// Share of synthetics referred or otherwise not passed.
    pub synthetic_accuracy: Rate,
    /// Naturals not called simulant (ASSURE's diamond accuracy; refer is not a call of synthetic).
    pub diamond_accuracy: Rate,
    /// Naturals referred.
    pub natural_referral: Rate,
    pub natural_referral_type_ia: Rate,
    /// Naturals not passed for any reason (refer, inconclusive, simulant, error).
    pub natural_not_passed: Rate,
    pub natural_inconclusive: Rate,
    /// Simulants called simulant.
    pub simulant_accuracy: Rate,
    /// Naturals called simulant (ASSURE: at most 0.2% on a held-out instrument).
    pub natural_called_simulant: Rate,
    /// Type Ia naturals with a 405 nm channel that were referred.
    pub natural_referral_type_ia_405: Rate,
    /// Expected calibration error of the fused probabilities (natural / synthetic / simulant,
    /// the most probable class, 10 equal-width bins), and the largest fused probability given.
    pub calibration_error: Option<f64>,
    pub max_probability: Option<f64>,
    /// The same figures per instrument family (the labels' fourth column).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub per_family: BTreeMap<String, FamilyFigures>,
    pub seconds: f64,
    pub stones_per_second: f64,
    /// Synthetic stones that passed, by id (for inspection).
    pub synthetic_passes: Vec<String>,
}

/// The figures that count, for one instrument family.
#[derive(Debug, Clone, Serialize)]
pub struct FamilyFigures {
    pub stones: usize,
    pub synthetics_passed: Rate,
    pub simulants_passed: Rate,
    pub natural_referral_type_ia: Rate,
    pub natural_referral_type_ia_405: Rate,
    pub natural_called_simulant: Rate,
    pub natural_not_passed: Rate,
    pub simulant_accuracy: Rate,
    pub calibration_error: Option<f64>,
}

pub fn evaluate(verdicts: &[Verdict], labels: &HashMap<String, Label>, seconds: f64) -> Evaluation {
    let all: Vec<&Verdict> = verdicts.iter().collect();
    let mut ev = figures(&all, labels, seconds);
    let mut families: Vec<&str> = labels.values().map(|l| l.family.as_str()).collect();
    families.sort_unstable();
    families.dedup();
    if families.iter().any(|f| !f.is_empty()) {
        for family in families {
            let of: Vec<&Verdict> = verdicts
                .iter()
                .filter(|v| labels.get(&v.stone_id).is_some_and(|l| l.family == family))
                .collect();
            let e = figures(&of, labels, 0.0);
            let name = if family.is_empty() {
                "unstated"
            } else {
                family
            };
            ev.per_family.insert(
                name.to_string(),
                FamilyFigures {
                    stones: e.stones,
                    synthetics_passed: e.synthetics_passed,
                    simulants_passed: e.simulants_passed,
                    natural_referral_type_ia: e.natural_referral_type_ia,
                    natural_referral_type_ia_405: e.natural_referral_type_ia_405,
                    natural_called_simulant: e.natural_called_simulant,
                    natural_not_passed: e.natural_not_passed,
                    simulant_accuracy: e.simulant_accuracy,
                    calibration_error: e.calibration_error,
                },
            );
        }
    }
    ev
}

/// Expected calibration error of the fused probabilities against the truth (natural, synthetic,
/// simulant), and the largest probability given.
fn calibration(pairs: &[(Truth, Probabilities)]) -> (Option<f64>, Option<f64>) {
    if pairs.is_empty() {
        return (None, None);
    }
    let mut bins = [(0usize, 0.0f64, 0usize); 10];
    let mut max = 0.0f64;
    for (t, p) in pairs {
        let three = [p.natural, p.synthetic(), p.simulant];
        let truth = match t {
            Truth::Natural => 0,
            Truth::Cvd | Truth::Hpht => 1,
            Truth::Simulant => 2,
        };
        let (top, conf) = three
            .iter()
            .copied()
            .enumerate()
            .fold((0, f64::MIN), |b, (i, v)| if v > b.1 { (i, v) } else { b });
        max = max.max(conf);
        let b = ((conf * 10.0) as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += conf;
        bins[b].2 += usize::from(top == truth);
    }
    let n = pairs.len() as f64;
    let ece = bins
        .iter()
        .filter(|b| b.0 > 0)
        .map(|&(k, conf, right)| (conf / k as f64 - right as f64 / k as f64).abs() * k as f64 / n)
        .sum();
    (Some(ece), Some(max))
}

fn figures(verdicts: &[&Verdict], labels: &HashMap<String, Label>, seconds: f64) -> Evaluation {
    let mut m: HashMap<(Truth, VerdictKind), usize> = HashMap::new();
    let mut unlabelled = 0;
    let mut ia = (0, 0);
    let mut ia405 = (0, 0);
    let mut probs = Vec::new();
    let mut synthetic_passes = Vec::new();
    for &v in verdicts {
        let Some(l) = labels.get(&v.stone_id) else {
            unlabelled += 1;
            continue;
        };
        *m.entry((l.truth, v.verdict)).or_default() += 1;
        if l.truth == Truth::Natural && l.subtype == "natural_ia" {
            let referred = usize::from(v.verdict == VerdictKind::Refer);
            ia.1 += 1;
            ia.0 += referred;
            if v.channels.iter().any(|c| c.channel == Some(Channel::Pl405)) {
                ia405.1 += 1;
                ia405.0 += referred;
            }
        }
        if let Some(p) = v.probabilities {
            probs.push((l.truth, p));
        }
        if matches!(l.truth, Truth::Cvd | Truth::Hpht) && v.verdict == VerdictKind::Natural {
            synthetic_passes.push(v.stone_id.clone());
        }
    }
    let get = |t: Truth, k: VerdictKind| m.get(&(t, k)).copied().unwrap_or(0);
    let total = |t: Truth| VERDICTS.iter().map(|&k| get(t, k)).sum::<usize>();
    let nat = total(Truth::Natural);
    let syn = total(Truth::Cvd) + total(Truth::Hpht);
    let sim = total(Truth::Simulant);
    let syn_passed = get(Truth::Cvd, VerdictKind::Natural) + get(Truth::Hpht, VerdictKind::Natural);
    let confusion = TRUTHS
        .iter()
        .map(|&t| {
            (
                t.name().to_string(),
                VERDICTS
                    .iter()
                    .map(|&k| (k.name().to_string(), get(t, k)))
                    .collect(),
            )
        })
        .collect();
    let stones = verdicts.len();
    let (ece, max_p) = calibration(&probs);
    Evaluation {
        stones,
        unlabelled,
        confusion,
        synthetics_passed: Rate::new(syn_passed, syn),
        simulants_passed: Rate::new(get(Truth::Simulant, VerdictKind::Natural), sim),
        synthetic_accuracy: Rate::new(syn - syn_passed, syn),
        diamond_accuracy: Rate::new(nat - get(Truth::Natural, VerdictKind::Simulant), nat),
        natural_referral: Rate::new(get(Truth::Natural, VerdictKind::Refer), nat),
        natural_referral_type_ia: Rate::new(ia.0, ia.1),
        natural_not_passed: Rate::new(nat - get(Truth::Natural, VerdictKind::Natural), nat),
        natural_inconclusive: Rate::new(get(Truth::Natural, VerdictKind::Inconclusive), nat),
        simulant_accuracy: Rate::new(get(Truth::Simulant, VerdictKind::Simulant), sim),
        natural_called_simulant: Rate::new(get(Truth::Natural, VerdictKind::Simulant), nat),
        natural_referral_type_ia_405: Rate::new(ia405.0, ia405.1),
        calibration_error: ece,
        max_probability: max_p,
        per_family: BTreeMap::new(),
        seconds,
        stones_per_second: if seconds > 0.0 {
            stones as f64 / seconds
        } else {
            0.0
        },
        synthetic_passes,
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} stones ({} unlabelled) in {:.2} s ({:.0} stones/s)",
            self.stones, self.unlabelled, self.seconds, self.stones_per_second
        )?;
        writeln!(f)?;
        write!(f, "{:<10}", "truth")?;
        for k in VERDICTS {
            write!(f, "{:>14}", k.name())?;
        }
        writeln!(f)?;
        for t in TRUTHS {
            write!(f, "{:<10}", t.name())?;
            for k in VERDICTS {
                write!(f, "{:>14}", self.confusion[t.name()][k.name()])?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "synthetics passed as natural   {}",
            self.synthetics_passed
        )?;
        writeln!(
            f,
            "simulants passed as natural    {}",
            self.simulants_passed
        )?;
        writeln!(
            f,
            "synthetic accuracy             {}",
            self.synthetic_accuracy
        )?;
        writeln!(
            f,
            "diamond accuracy               {}",
            self.diamond_accuracy
        )?;
        writeln!(
            f,
            "natural referral rate          {}",
            self.natural_referral
        )?;
        writeln!(
            f,
            "  type Ia naturals referred    {}",
            self.natural_referral_type_ia
        )?;
        writeln!(
            f,
            "naturals inconclusive          {}",
            self.natural_inconclusive
        )?;
        writeln!(
            f,
            "naturals not passed (any)      {}",
            self.natural_not_passed
        )?;
        writeln!(
            f,
            "simulant accuracy              {}",
            self.simulant_accuracy
        )?;
        writeln!(
            f,
            "naturals called simulant       {}",
            self.natural_called_simulant
        )?;
        writeln!(
            f,
            "type Ia with 405 nm referred   {}",
            self.natural_referral_type_ia_405
        )?;
        write!(
            f,
            "calibration error (fused)      {}; largest probability {}",
            self.calibration_error
                .map_or("-".into(), |e| format!("{e:.4}")),
            self.max_probability
                .map_or("-".into(), |e| format!("{e:.6}"))
        )?;
        if !self.per_family.is_empty() {
            writeln!(f)?;
            writeln!(f)?;
            write!(
                f,
                "{:<16}{:>7}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>8}",
                "family",
                "stones",
                "syn pass",
                "sim pass",
                "Ia ref",
                "Ia405 ref",
                "nat->sim",
                "sim acc",
                "ECE"
            )?;
            for (name, r) in &self.per_family {
                writeln!(f)?;
                write!(
                    f,
                    "{:<16}{:>7}{:>10}{:>10}{:>9.2}%{:>9.2}%{:>9.2}%{:>9.2}%{:>8}",
                    name,
                    r.stones,
                    r.synthetics_passed.count,
                    r.simulants_passed.count,
                    100.0 * r.natural_referral_type_ia.share,
                    100.0 * r.natural_referral_type_ia_405.share,
                    100.0 * r.natural_called_simulant.share,
                    100.0 * r.simulant_accuracy.share,
                    r.calibration_error
                        .map_or("-".into(), |e| format!("{e:.3}"))
                )?;
            }
        }
        Ok(())
    }
}
