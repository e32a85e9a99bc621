//! A peak finder in the manner of scipy's `find_peaks`: local maxima, their topographic
//! prominence and width at half prominence, and a signal-to-noise ratio against the local
//! noise (robust sigma of first differences in the surrounding block).

use crate::preprocess::despike::noise_sigma;
pub use crate::preprocess::peak_shape::{crossings, vertex};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    pub index: usize,
    /// Sub-sample position (parabola through the top three points).
    pub x: f64,
    pub height: f64,
    pub prominence: f64,
    /// Full width at half prominence, x units.
    pub fwhm: f64,
    /// Area estimate: prominence * fwhm * 1.0645 (Gaussian), y units times x units.
    pub area: f64,
    pub snr: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct PeakOptions {
    pub min_snr: f64,
    /// Widths outside [min_fwhm, max_fwhm] (x units) are not lines.
    pub min_fwhm: f64,
    pub max_fwhm: f64,
    /// Points on each side searched for the prominence bases.
    pub window: usize,
}

/// Block length for local noise estimates.
pub const NOISE_BLOCK: usize = 64;

/// Local noise for every block of NOISE_BLOCK points (robust sigma of differences); `global`
/// is `noise_sigma(y)`, which the caller has already measured.
pub fn block_noise(y: &[f64], global: f64) -> Vec<f64> {
    y.chunks(NOISE_BLOCK)
        .map(|b| if b.len() >= 8 { noise_sigma(b) } else { global })
        .map(|s| {
            if s > 0.0 {
                s
            } else {
                global.max(f64::MIN_POSITIVE)
            }
        })
        .collect()
}

pub fn find_peaks(x: &[f64], y: &[f64], noise: &[f64], opt: &PeakOptions) -> Vec<Peak> {
    let n = y.len();
    let mut out = Vec::new();
    if n < 5 {
        return out;
    }
    let mut i = 1;
    while i + 1 < n {
        if !(y[i] > y[i - 1]) {
            i += 1;
            continue;
        }
        // plateau: find its end
        let mut j = i;
        while j + 1 < n && y[j + 1] == y[i] {
            j += 1;
        }
        if j + 1 >= n || y[j + 1] > y[i] {
            i = j + 1;
            continue;
        }
        let peak = (i + j) / 2;
        if let Some(p) = measure(x, y, peak, noise, opt) {
            out.push(p);
        }
        i = j + 1;
    }
    out
}

fn measure(x: &[f64], y: &[f64], i: usize, noise: &[f64], opt: &PeakOptions) -> Option<Peak> {
    let n = y.len();
    let top = y[i];
    let lo_lim = i.saturating_sub(opt.window);
    let hi_lim = (i + opt.window).min(n - 1);
    let mut left_min = top;
    let mut k = i;
    while k > lo_lim {
        k -= 1;
        if y[k] > top {
            break;
        }
        left_min = left_min.min(y[k]);
    }
    let sigma = noise[i / NOISE_BLOCK];
    // The prominence is at most the drop on the left: most maxima (noise) fail already there,
    // and the right side is not searched for them.
    if (top - left_min) / sigma < opt.min_snr {
        return None;
    }
    let mut right_min = top;
    let mut k = i;
    while k < hi_lim {
        k += 1;
        if y[k] > top {
            break;
        }
        right_min = right_min.min(y[k]);
    }
    let prominence = top - left_min.max(right_min);
    let snr = prominence / sigma;
    if snr < opt.min_snr {
        return None;
    }
    let (lo, hi) = crossings(x, |k| y[k], i, top - prominence / 2.0);
    if lo <= x[0] || hi >= x[n - 1] {
        return None; // runs into the edge of the data: not a measurable line
    }
    let fwhm = hi - lo;
    if fwhm < opt.min_fwhm || fwhm > opt.max_fwhm {
        return None;
    }
    let xv = vertex(x, y, i);
    Some(Peak {
        index: i,
        x: xv,
        height: top,
        prominence,
        fwhm,
        area: prominence * fwhm * 1.0645,
        snr,
    })
}
