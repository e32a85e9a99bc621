//! The physics-based spectrum simulator. No public labelled set of natural and laboratory-grown
//! diamond spectra exists, so models are trained and tested on spectra simulated here, and say
//! so. Everything it makes is marked `simulated` in its metadata.
//!
//! A stone is drawn from a class (natural type Ia or IIa, CVD as-grown or HPHT-treated, HPHT
//! with nickel, low-nitrogen or boron-doped, and four simulants) with the centres its class
//! carries in random amounts; each channel (PL at 532 nm, PL at 405 nm, FTIR) is then measured
//! by a randomly drawn instrument (see [`pl`] and [`ftir`]). The simulator is deterministic:
//! stone `i` of seed `s` is the same whatever else is simulated.

pub mod archive;
pub mod ftir;
pub mod instrument;
mod kinds;
pub mod pl;
pub mod write;

pub use instrument::Family;
pub use kinds::{Kind, Truth};

use crate::spectrum::Spectrum;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use crate::channel::Channel;

/// One simulated stone and its spectra.
#[derive(Debug, Clone)]
pub struct SimStone {
    pub id: String,
    pub kind: Kind,
    /// The instrument family that measured every spectrum of the stone.
    pub family: Family,
    pub spectra: Vec<(Channel, Spectrum)>,
}

/// The random source for stone `index` of run `seed`.
pub fn stone_rng(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// Simulate stone `index` of run `seed`, drawing its class from the standard mix.
pub fn simulate_stone(seed: u64, index: u64, channels: &[Channel]) -> SimStone {
    simulate_stone_from(seed, index, channels, &[], &[])
}

/// As [`simulate_stone`], but with `kinds` non-empty stone `index` is of `kinds[index % len]`
/// (for sample files and class-balanced sets), and with `families` non-empty it is measured by
/// one of them, drawn from a random stream of its own (so the stone's class and spectra under
/// the original instrument do not change with the families asked for).
pub fn simulate_stone_from(
    seed: u64,
    index: u64,
    channels: &[Channel],
    kinds: &[Kind],
    families: &[Family],
) -> SimStone {
    let mut rng = stone_rng(seed, index);
    let drawn = Kind::draw(&mut rng);
    let kind = if kinds.is_empty() {
        drawn
    } else {
        kinds[index as usize % kinds.len()]
    };
    let family = if families.is_empty() {
        Family::Original
    } else {
        let mut pick = stone_rng(seed ^ 0x00fa_0111_u64, index);
        families[pick.gen_range(0..families.len())]
    };
    simulate_kind(
        &mut rng,
        format!("SIM{seed}-{index:06}"),
        kind,
        channels,
        family,
    )
}

/// Simulate a stone of a given class, measured by an instrument of `family`.
pub fn simulate_kind<R: Rng>(
    rng: &mut R,
    id: String,
    kind: Kind,
    channels: &[Channel],
    family: Family,
) -> SimStone {
    let recipe = kind.recipe(rng);
    let spectra = channels
        .iter()
        .map(|&ch| {
            let mut s = match ch {
                Channel::Pl532 => pl::measure_with(rng, &recipe, 532.0, family),
                Channel::Pl405 => pl::measure_with(rng, &recipe, 405.0, family),
                Channel::Ftir => ftir::measure_with(rng, &recipe, family),
            };
            s.meta.stone_id = Some(id.clone());
            s.meta.simulated = true;
            s.meta.source = Some(if family == Family::Original {
                format!("diamond-screen simulate ({})", kind.subtype())
            } else {
                format!(
                    "diamond-screen simulate ({}, {} instrument)",
                    kind.subtype(),
                    family.name()
                )
            });
            (ch, s)
        })
        .collect();
    SimStone {
        id,
        kind,
        family,
        spectra,
    }
}

/// Log-uniform draw in [lo, hi].
pub(crate) fn log_uniform<R: Rng>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    (rng.gen_range(lo.ln()..=hi.ln())).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_per_index() {
        let a = simulate_stone(7, 3, &Channel::ALL);
        let b = simulate_stone(7, 3, &Channel::ALL);
        assert_eq!(a.kind, b.kind);
        for ((_, x), (_, y)) in a.spectra.iter().zip(&b.spectra) {
            assert_eq!(x, y);
        }
        let c = simulate_stone(8, 3, &Channel::ALL);
        assert_ne!(a.spectra[0].1.y, c.spectra[0].1.y);
    }
}
