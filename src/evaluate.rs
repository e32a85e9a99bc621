//! ASSURE-style evaluation of verdicts against labels: the confusion matrix (truth natural / CVD
//! / HPHT / simulant by verdict natural / refer / simulant / inconclusive / error) and the figures
//! derived from it.

use crate::labels::Label;
use crate::simulate::Truth;
use crate::verdict::{Verdict, VerdictKind};
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
    pub seconds: f64,
    pub stones_per_second: f64,
    /// Synthetic stones that passed, by id (for inspection).
    pub synthetic_passes: Vec<String>,
}

pub fn evaluate(verdicts: &[Verdict], labels: &HashMap<String, Label>, seconds: f64) -> Evaluation {
    let mut m: HashMap<(Truth, VerdictKind), usize> = HashMap::new();
    let mut unlabelled = 0;
    let mut ia = (0, 0);
    let mut synthetic_passes = Vec::new();
    for v in verdicts {
        let Some(l) = labels.get(&v.stone_id) else {
            unlabelled += 1;
            continue;
        };
        *m.entry((l.truth, v.verdict)).or_default() += 1;
        if l.truth == Truth::Natural && l.subtype == "natural_ia" {
            ia.1 += 1;
            if v.verdict == VerdictKind::Refer {
                ia.0 += 1;
            }
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
        write!(
            f,
            "simulant accuracy              {}",
            self.simulant_accuracy
        )
    }
}
