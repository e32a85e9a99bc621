//! Interference fringes (etaloning of back-illuminated CCDs in the red and near infrared, thin
//! films): a ripple of 1-12 nm period whose crests the peak finder would take for zero-phonon
//! lines (SiV- at 737, NE8 at 793, Ni+ at 883 nm). Two defences: runs of evenly spaced peaks of
//! like prominence are dropped ([`drop_fringes`]), and where a periodic ripple is measured in
//! the spectrum ([`fringe_level`]) a peak must stand well above it ([`above_fringes`]).

use super::peaks::Peak;
use crate::preprocess::median::median_in_place;
use crate::preprocess::window::running_mean;

/// Fringes are looked for past this wavelength (nm), where silicon turns transparent.
pub const FRINGES_FROM_NM: f64 = 650.0;

/// The ripple measured in a spectrum: per 40 nm window past [`FRINGES_FROM_NM`] (fringes are
/// periodic in wavenumber, so their period in nm grows to the red), the period (nm) and the
/// amplitude relative to the smoothed signal where a ripple stands out; and that smoothed
/// signal at every point (for [`above_fringes`]).
#[derive(Clone, PartialEq)]
pub struct Fringes {
    /// (from nm, to nm, period nm, relative amplitude)
    pub windows: Vec<(f64, f64, f64, f64)>,
    smooth: Vec<f64>,
}

impl std::fmt::Debug for Fringes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fringes")
            .field("windows", &self.windows)
            .finish_non_exhaustive()
    }
}

impl Fringes {
    /// The strongest window's (period, amplitude).
    pub fn strongest(&self) -> (f64, f64) {
        self.windows
            .iter()
            .map(|w| (w.2, w.3))
            .fold((0.0, 0.0), |a, b| if b.1 > a.1 { b } else { a })
    }

    fn amplitude_at(&self, x: f64) -> f64 {
        self.windows
            .iter()
            .filter(|w| x >= w.0 && x <= w.1)
            .map(|w| w.3)
            .fold(0.0, f64::max)
    }
}

/// Measure a periodic ripple (period 1-12 nm) in the part of (`x` nm, `y`) past
/// [`FRINGES_FROM_NM`], window by window: the relative residual off a 20 nm running mean,
/// clipped at three robust sigmas (so that lines do not make it), projected on sines of every
/// trial period. A window's ripple counts when its amplitude stands five times above what noise
/// alone gives.
pub fn fringe_level(x: &[f64], y: &[f64]) -> Option<Fringes> {
    let n = x.len();
    let from = x.partition_point(|&v| v < FRINGES_FROM_NM);
    if n < 8 || n - from < 100 {
        return None;
    }
    let dx = (x[n - 1] - x[0]) / (n - 1) as f64;
    if !(dx > 0.0) || dx > 0.4 {
        return None; // too coarse to resolve a 1 nm ripple
    }
    let smooth = clipped_running_mean(y, ((10.0 / dx) as usize).max(3));
    let rel: Vec<f64> = y
        .iter()
        .zip(&smooth)
        .map(|(&v, &s)| if s > 0.0 { v / s - 1.0 } else { 0.0 })
        .collect();
    let mut windows = Vec::new();
    let mut scratch = RippleScratch::default();
    let mut lo = FRINGES_FROM_NM;
    while lo + 20.0 < x[n - 1] {
        let hi = lo + 40.0;
        let (a, b) = (
            x.partition_point(|&v| v < lo),
            x.partition_point(|&v| v <= hi),
        );
        lo += 20.0;
        if b < a + 40 {
            continue;
        }
        if let Some((period, amp)) =
            ripple(&rel[a..b], x[b - 1] - x[a], (1.0, 12.0), 1.02, &mut scratch)
        {
            windows.push((x[a], x[b - 1], period, amp));
        }
    }
    (!windows.is_empty()).then_some(Fringes { windows, smooth })
}

/// The running mean over `half` points each side of a copy of `y` whose lines are clipped off
/// (at three robust sigmas off a first running mean), so that a strong line does not raise its
/// neighbourhood (and leave a box-shaped residual that looks like a long ripple).
pub(crate) fn clipped_running_mean(y: &[f64], half: usize) -> Vec<f64> {
    let first = running_mean(y, half);
    let mut dev: Vec<f64> = y.iter().zip(&first).map(|(v, s)| (v - s).abs()).collect();
    let spread = 3.0 * 1.4826 * median_in_place(&mut dev);
    let clipped: Vec<f64> = y
        .iter()
        .zip(&first)
        .map(|(&v, &s)| s + (v - s).clamp(-spread, spread))
        .collect();
    running_mean(&clipped, half)
}

/// Buffers [`ripple`] reuses between calls.
#[derive(Default)]
pub(crate) struct RippleScratch {
    periods: Vec<f64>,
    amps: Vec<f64>,
}

impl RippleScratch {
    /// The median amplitude over every trial period of the last [`ripple`] call (reordering
    /// them): the floor a true ripple's one period stands out from (a smooth residue raises
    /// many periods alike).
    pub(crate) fn median_amplitude(&mut self) -> f64 {
        median_in_place(&mut self.amps)
    }
}

/// The ripple in `residual` (evenly spaced over `span` x units, a smooth signal taken off):
/// clipped at three robust sigmas (so that lines do not make it), projected on sines of every
/// trial period from `periods.0` (or 2.5 points) to `periods.1` (or a third of the span), each
/// `factor` times the last (the phase a trial period misses by grows with the cycles in the
/// data: 2% suits a few dozen). (period, amplitude) of the strongest, where it stands five
/// times above what noise alone gives (about 2 sigma / sqrt(points) on any one period) and
/// each half of the data shows it (a single strong line does not); None otherwise.
pub(crate) fn ripple(
    residual: &[f64],
    span: f64,
    periods: (f64, f64),
    factor: f64,
    scratch: &mut RippleScratch,
) -> Option<(f64, f64)> {
    let mut r = residual.to_vec();
    let mut dev: Vec<f64> = r.iter().map(|v| v.abs()).collect();
    let mad = 1.4826 * median_in_place(&mut dev);
    if !(mad > 0.0) {
        return None;
    }
    r.iter_mut()
        .for_each(|v| *v = v.clamp(-3.0 * mad, 3.0 * mad));
    let m = r.len() as f64;
    let step = span / (m - 1.0);
    let mut best = (0.0, 0.0);
    let RippleScratch {
        periods: trial,
        amps,
    } = scratch;
    trial.clear();
    let mut period = (2.5 * step).max(periods.0);
    while period <= periods.1.min(span / 3.0) {
        trial.push(period);
        period *= factor;
    }
    projections(&r, step, trial, amps);
    for (&period, &amp) in trial.iter().zip(amps.iter()) {
        if amp > best.1 {
            best = (period, amp);
        }
    }
    let half = r.len() / 2;
    let even = |part: &[f64]| {
        let a = projection(part, step, best.0);
        a > 0.5 * best.1 && a < 2.0 * best.1
    };
    (best.1 > 5.0 * 2.0 * mad / m.sqrt() && even(&r[..half]) && even(&r[half..])).then_some(best)
}

/// Periods one Goertzel pass serves: one lane each, side by side.
const BANK: usize = 16;

/// [`projection`] for every period of `periods` into `out`, by Goertzel's recurrence
/// (s_k = r_k + 2 cos w s_(k-1) - s_(k-2); |sum r_k e^(-i w k)|^2 from the last two s), run
/// for sixteen periods side by side in one pass over `r`: a multiply-add and a subtraction
/// per point and period, where the rotators of [`projection`] take six operations. Equal to
/// [`projection`] to 1e-11 of the window's rms (tested, on both code paths); the power is taken as
/// (s1 - s2)^2 + 4 sin^2(w/2) s1 s2, which keeps its cancellation small at the long periods.
fn projections(r: &[f64], step: f64, periods: &[f64], out: &mut Vec<f64>) {
    out.clear();
    for bank in periods.chunks(BANK) {
        let mut coef = [0.0; BANK];
        let mut q = [0.0; BANK];
        for (j, &p) in bank.iter().enumerate() {
            let w = std::f64::consts::TAU / p * step;
            coef[j] = 2.0 * w.cos();
            q[j] = 4.0 * (0.5 * w).sin().powi(2);
        }
        let (s1, s2) = goertzel(r, &coef);
        out.extend((0..bank.len()).map(|j| {
            let power = (s1[j] - s2[j]).powi(2) + q[j] * s1[j] * s2[j];
            2.0 * power.max(0.0).sqrt() / r.len() as f64
        }));
    }
}

/// The last two Goertzel states of each lane (`coef` = 2 cos w of its period).
fn goertzel(r: &[f64], coef: &[f64; BANK]) -> ([f64; BANK], [f64; BANK]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the features the function is compiled for were detected just above.
        return unsafe { goertzel_avx2_fma(r, coef) };
    }
    goertzel_lanes::<false>(r, coef)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn goertzel_avx2_fma(r: &[f64], coef: &[f64; BANK]) -> ([f64; BANK], [f64; BANK]) {
    goertzel_lanes::<true>(r, coef)
}

#[inline(always)]
fn goertzel_lanes<const FMA: bool>(r: &[f64], coef: &[f64; BANK]) -> ([f64; BANK], [f64; BANK]) {
    let (mut s1, mut s2) = ([0.0f64; BANK], [0.0f64; BANK]);
    for &v in r {
        for j in 0..BANK {
            let rest = v - s2[j];
            let s0 = if FMA {
                coef[j].mul_add(s1[j], rest)
            } else {
                coef[j] * s1[j] + rest
            };
            s2[j] = s1[j];
            s1[j] = s0;
        }
    }
    (s1, s2)
}

/// The amplitude of the sine of `period` (x units) in `r`, sampled every `step`.
///
/// The phase advances by `w = 2 pi step / period` a point: a rotation, not a sin/cos per point.
/// `L` rotators take every `L`-th point each (phases k w, advancing by L w), so that the
/// recurrences run side by side instead of one long chain. Where the processor has AVX2 and
/// FMA (checked at run time; the binary itself targets every x86-64), sixteen rotators run in
/// four vector registers with fused multiply-adds, equal to the plain loop to rounding. The
/// trial periods go through [`projections`] (many periods a pass); this serves the one period
/// each half of a window is checked at, and the plain loop is the tests' reference. The same
/// sixteen lanes in AVX-512 registers were measured slower on an AVX-512 Xeon: not used.
fn projection(r: &[f64], step: f64, period: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the features the function is compiled for were detected just above.
        return unsafe { projection_avx2_fma(r, step, period) };
    }
    projection_lanes::<4, false>(r, step, period)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn projection_avx2_fma(r: &[f64], step: f64, period: f64) -> f64 {
    projection_lanes::<16, true>(r, step, period)
}

/// [`projection`] with `L` rotators; `FMA` fuses each multiply-add (only where the processor
/// has FMA: elsewhere `mul_add` is a slow library call).
#[inline(always)]
fn projection_lanes<const L: usize, const FMA: bool>(r: &[f64], step: f64, period: f64) -> f64 {
    let madd = |a: f64, b: f64, c: f64| if FMA { a.mul_add(b, c) } else { a * b + c };
    let w = std::f64::consts::TAU / period * step;
    // The lanes' starting phases k w and the step L w by rotating one sin_cos: sixteen calls
    // of it per projection cost more than the projection itself.
    let (s1, c1) = w.sin_cos();
    let mut sn = [0.0f64; L];
    let mut cs = [1.0f64; L];
    for k in 1..L {
        (sn[k], cs[k]) = (
            sn[k - 1] * c1 + cs[k - 1] * s1,
            cs[k - 1] * c1 - sn[k - 1] * s1,
        );
    }
    let (rs, rc) = (
        sn[L - 1] * c1 + cs[L - 1] * s1,
        cs[L - 1] * c1 - sn[L - 1] * s1,
    );
    let (mut pa, mut pb) = ([0.0f64; L], [0.0f64; L]);
    let blocks = r.chunks_exact(L);
    let rest = blocks.remainder();
    for q in blocks {
        for k in 0..L {
            pa[k] = madd(q[k], sn[k], pa[k]);
            pb[k] = madd(q[k], cs[k], pb[k]);
            (sn[k], cs[k]) = (madd(sn[k], rc, cs[k] * rs), madd(cs[k], rc, -(sn[k] * rs)));
        }
    }
    // lane k now holds the phase of point (len - rest.len() + k)
    for (k, &rv) in rest.iter().enumerate() {
        pa[k] = madd(rv, sn[k], pa[k]);
        pb[k] = madd(rv, cs[k], pb[k]);
    }
    let (a, b): (f64, f64) = (pa.iter().sum(), pb.iter().sum());
    2.0 * (a * a + b * b).sqrt() / r.len() as f64
}

/// Keep a peak past [`FRINGES_FROM_NM`] only if its prominence is at least three times the
/// ripple's amplitude there.
pub fn above_fringes(p: &Peak, f: &Fringes) -> bool {
    p.x < FRINGES_FROM_NM
        || f.smooth
            .get(p.index)
            .is_none_or(|&s| p.prominence >= 3.0 * f.amplitude_at(p.x) * s.abs())
}

/// Drop the peaks of an interference comb (etaloning in back-illuminated CCDs, a thin film):
/// runs of at least four peaks spaced evenly (within 15%) by `spacing.0`-`spacing.1` x units,
/// each of a prominence within a factor of three of its neighbours'. No zero-phonon lines of
/// the centre table form such a run; a fringe that lands on a line's position is not a line.
pub fn drop_fringes(mut peaks: Vec<Peak>, spacing: (f64, f64)) -> Vec<Peak> {
    peaks.sort_by(|a, b| a.x.total_cmp(&b.x));
    let n = peaks.len();
    let mut in_comb = vec![false; n];
    let alike = |a: &Peak, b: &Peak| {
        let r = a.prominence / b.prominence.max(f64::MIN_POSITIVE);
        (1.0 / 3.0..=3.0).contains(&r)
    };
    let in_range = |s: f64| s >= spacing.0 && s <= spacing.1;
    for i in 1..n.saturating_sub(1) {
        let (l, m, r) = (&peaks[i - 1], &peaks[i], &peaks[i + 1]);
        let (s1, s2) = (m.x - l.x, r.x - m.x);
        let even = (s1 - s2).abs() <= 0.15 * s1.max(s2);
        if even && in_range(s1) && in_range(s2) && alike(l, m) && alike(r, m) {
            in_comb[i - 1] = true;
            in_comb[i] = true;
            in_comb[i + 1] = true;
        }
    }
    // A flagged peak goes only when it belongs to a run of four or more.
    let mut keep = vec![true; n];
    let mut i = 0;
    while i < n {
        if !in_comb[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && in_comb[i] {
            i += 1;
        }
        if i - start >= 4 {
            keep[start..i].iter_mut().for_each(|k| *k = false);
        }
    }
    peaks
        .into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn projection_is_the_sine_sum() {
        for (n, period) in [(5usize, 3.0), (401, 1.3), (802, 7.7), (1203, 11.9)] {
            let r: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 101) as f64 / 50.0 - 1.0 + (0.37 * i as f64).sin())
                .collect();
            let step = 0.05;
            let w = std::f64::consts::TAU / period * step;
            let (a, b) = r.iter().enumerate().fold((0.0, 0.0), |(a, b), (i, v)| {
                let (s, c) = (w * i as f64).sin_cos();
                (a + v * s, b + v * c)
            });
            let want = 2.0 * (a * a + b * b).sqrt() / n as f64;
            let got = super::projection(&r, step, period);
            let plain = super::projection_lanes::<4, false>(&r, step, period);
            for got in [got, plain] {
                assert!(
                    (got - want).abs() < 1e-12 * want.max(1.0),
                    "{n} {period}: {got} {want}"
                );
            }
        }
    }

    /// Goertzel's bank gives the rotators' amplitudes, over the periods and window lengths
    /// the fringe measure uses (a ripple, noise-like values, a strong line, an offset).
    #[test]
    fn the_goertzel_bank_is_the_projection() {
        for n in [3usize, 40, 401, 800, 1203, 4000] {
            let r: Vec<f64> = (0..n)
                .map(|i| {
                    let t = i as f64;
                    ((i * 7919) % 101) as f64 / 50.0 - 1.0
                        + 0.3 * (0.37 * t).sin()
                        + if i == n / 3 { 8.0 } else { 0.0 }
                        + 0.05
                })
                .collect();
            let rms = (r.iter().map(|v| v * v).sum::<f64>() / n as f64).sqrt();
            for step in [0.01, 0.05, 0.3] {
                let mut periods = Vec::new();
                let mut p = (2.5f64 * step).max(1.0);
                while p <= 12.0 {
                    periods.push(p);
                    p *= 1.02;
                }
                let mut got = Vec::new();
                super::projections(&r, step, &periods, &mut got);
                assert_eq!(got.len(), periods.len());
                // the plain path (no AVX2 + FMA) against the one this processor took
                for bank in periods.chunks(super::BANK) {
                    let mut coef = [0.0; super::BANK];
                    for (c, &p) in coef.iter_mut().zip(bank) {
                        *c = 2.0 * (std::f64::consts::TAU / p * step).cos();
                    }
                    let (a, b) = super::goertzel(&r, &coef);
                    let (pa, pb) = super::goertzel_lanes::<false>(&r, &coef);
                    for j in 0..bank.len() {
                        let scale = 1e-11 * rms * n as f64 * (1.0 + a[j].abs() + b[j].abs());
                        assert!((a[j] - pa[j]).abs() <= scale && (b[j] - pb[j]).abs() <= scale);
                    }
                }
                for (&p, &g) in periods.iter().zip(&got) {
                    let want = super::projection_lanes::<4, false>(&r, step, p);
                    assert!(
                        (g - want).abs() <= 1e-11 * rms,
                        "n {n} step {step} period {p}: {g} vs {want}"
                    );
                }
            }
        }
    }

    use super::*;
    use crate::lines::peaks::Peak;

    fn peak(x: f64, prominence: f64) -> Peak {
        Peak {
            index: 0,
            x,
            height: prominence,
            prominence,
            fwhm: 1.0,
            area: prominence,
            snr: 20.0,
        }
    }

    #[test]
    fn an_interference_comb_is_dropped_and_lone_lines_stay() {
        // fringes every 5 nm from 700 nm (slowly growing), and the Ni+ doublet far away
        let mut v: Vec<Peak> = (0..12)
            .map(|i| peak(700.0 + 5.0 * i as f64, 100.0 + 10.0 * i as f64))
            .collect();
        v.push(peak(883.0, 80.0));
        v.push(peak(884.7, 60.0));
        let kept = drop_fringes(v.clone(), (1.0, 12.0));
        let xs: Vec<f64> = kept.iter().map(|p| p.x).collect();
        assert_eq!(xs, vec![883.0, 884.7]);
        // three evenly spaced lines are not a comb
        let three = vec![peak(490.7, 50.0), peak(496.0, 60.0), peak(501.3, 55.0)];
        assert_eq!(drop_fringes(three, (1.0, 12.0)).len(), 3);
        // a strong line among weak fringes is not like them: it stays
        v.push(peak(737.5, 5000.0));
        let kept = drop_fringes(v, (1.0, 12.0));
        assert!(kept.iter().any(|p| p.x == 737.5));
    }
}

#[cfg(test)]
mod level_tests {
    use super::*;

    /// A 532 nm spectrum 540-960 nm: a smooth background with `fringe` relative ripple of
    /// period 4.3 nm past 650 nm, and a line of `line` counts at 737 nm.
    fn spectrum(fringe: f64, line: f64) -> (Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..2048).map(|i| 540.0 + i as f64 * 0.205).collect();
        let y = x
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let base = 3000.0 + 2.0 * (l - 540.0);
                let grow = ((l - 650.0) / 150.0).clamp(0.0, 1.0);
                let ripple = 1.0 + fringe * grow * (std::f64::consts::TAU * l / 4.3).sin();
                let noise = ((i * 7919 % 101) as f64 - 50.0) * 0.4;
                base * ripple + line * (-0.5 * ((l - 737.0) / 0.3).powi(2)).exp() + noise
            })
            .collect();
        (x, y)
    }

    #[test]
    fn a_ripple_is_measured_and_its_crests_do_not_pass_for_lines() {
        let (x, y) = spectrum(0.05, 0.0);
        let f = fringe_level(&x, &y).expect("a 5% ripple");
        let (period, amplitude) = f.strongest();
        assert!((period - 4.3).abs() < 0.2, "{f:?}");
        assert!((amplitude - 0.05).abs() < 0.015, "{f:?}");
        // a crest near 737 nm, as prominent as the ripple makes it
        let i = x.partition_point(|&v| v < 737.0);
        // crest to trough: twice the ripple's amplitude there (it grows from 650 nm)
        let local = 0.05 * (737.0 - 650.0) / 150.0;
        let crest = Peak {
            index: i,
            x: 737.0,
            height: 0.0,
            prominence: 2.0 * local * y[i],
            fwhm: 2.0,
            area: 0.0,
            snr: 30.0,
        };
        assert!(!above_fringes(&crest, &f));
        // a real line five times the ripple's swing stays
        let line = Peak {
            prominence: 5.0 * 2.0 * local * y[i],
            ..crest.clone()
        };
        assert!(above_fringes(&line, &f));
        // lines before 650 nm are never judged against the ripple
        let early = Peak {
            x: 600.0,
            index: 100,
            ..crest
        };
        assert!(above_fringes(&early, &f));
    }

    #[test]
    fn no_ripple_no_fringes_even_with_a_strong_line() {
        let (x, y) = spectrum(0.0, 5000.0);
        assert_eq!(fringe_level(&x, &y), None);
    }

    #[test]
    fn a_strong_broad_line_in_a_short_spectrum_is_not_a_ripple() {
        // 731-749 nm around a room-temperature SiV- line, as a high-resolution instrument
        // records it
        let x: Vec<f64> = (0..1800).map(|i| 731.0 + i as f64 * 0.01).collect();
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                200.0
                    + 3000.0 * (-0.5 * ((l - 739.3) / 2.0).powi(2)).exp()
                    + ((i * 7919 % 101) as f64 - 50.0) * 0.2
            })
            .collect();
        assert_eq!(fringe_level(&x, &y), None);
    }
}
