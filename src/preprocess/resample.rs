//! Linear resampling onto a uniform grid (numpy.interp semantics: points outside the data take
//! the edge value). The share of the grid the data actually cover is returned, so that a
//! spectrum missing part of a model's range can be called inconclusive rather than guessed.

use serde::{Deserialize, Serialize};

/// `n` points from `start` to `stop` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub start: f64,
    pub stop: f64,
    pub n: usize,
}

impl Grid {
    pub fn step(&self) -> f64 {
        if self.n > 1 {
            (self.stop - self.start) / (self.n - 1) as f64
        } else {
            0.0
        }
    }

    pub fn at(&self, i: usize) -> f64 {
        if i + 1 == self.n {
            self.stop
        } else {
            self.start + i as f64 * self.step()
        }
    }

    pub fn xs(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.n).map(|i| self.at(i))
    }
}

/// Interpolate ascending (`x`, `y`) onto `grid`, writing into `out`; returns the covered share.
pub fn resample(x: &[f64], y: &[f64], grid: &Grid, out: &mut Vec<f64>) -> f64 {
    out.clear();
    if x.is_empty() || grid.n == 0 {
        return 0.0;
    }
    let last = x.len() - 1;
    let mut j = 0;
    let mut covered = 0usize;
    for g in grid.xs() {
        let v = if g <= x[0] {
            if g == x[0] {
                covered += 1;
            }
            y[0]
        } else if g >= x[last] {
            if g == x[last] {
                covered += 1;
            }
            y[last]
        } else {
            covered += 1;
            while x[j + 1] < g {
                j += 1;
            }
            let t = (g - x[j]) / (x[j + 1] - x[j]);
            y[j] + t * (y[j + 1] - y[j])
        };
        out.push(v);
    }
    covered as f64 / grid.n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_and_clamped() {
        let x = [1.0, 2.0, 4.0];
        let y = [10.0, 20.0, 0.0];
        let mut out = Vec::new();
        let cov = resample(
            &x,
            &y,
            &Grid {
                start: 0.0,
                stop: 5.0,
                n: 11,
            },
            &mut out,
        );
        assert_eq!(
            out,
            vec![10.0, 10.0, 10.0, 15.0, 20.0, 15.0, 10.0, 5.0, 0.0, 0.0, 0.0]
        );
        assert!((cov - 7.0 / 11.0).abs() < 1e-12);
    }
}
