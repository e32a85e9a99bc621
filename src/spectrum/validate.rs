//! The rules every reader's output passes before it becomes a [`Spectrum`](super::Spectrum).
//!
//! - at least [`MIN_POINTS`] and at most [`MAX_POINTS`] points, every value finite;
//! - x runs one way: ascending, or descending (then it is reversed and `source_descending` set);
//! - runs of exactly equal x are merged into one point with the mean of their y (spectrometers
//!   repeat a pixel where two detector windows are stitched);
//! - any other reversal of direction is an error naming the line of the offending point.

use super::read::ReadErrorKind;

pub const MIN_POINTS: usize = 16;
pub const MAX_POINTS: usize = 2_000_000;

/// Points in ascending order, and whether the source listed them descending.
pub struct Ordered {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub source_descending: bool,
}

/// Check and order raw points. `line_of(i)` gives the source line of point `i` for messages.
pub fn order_points(
    mut x: Vec<f64>,
    mut y: Vec<f64>,
    line_of: impl Fn(usize) -> Option<usize>,
) -> Result<Ordered, (Option<usize>, ReadErrorKind)> {
    debug_assert_eq!(x.len(), y.len());
    if x.is_empty() {
        return Err((None, ReadErrorKind::Empty));
    }
    if x.len() > MAX_POINTS {
        return Err((None, ReadErrorKind::TooManyPoints(x.len())));
    }
    if let Some(i) = (0..x.len()).find(|&i| !x[i].is_finite() || !y[i].is_finite()) {
        return Err((line_of(i), ReadErrorKind::NonFinite));
    }
    let descending = match x.windows(2).find(|w| w[0] != w[1]) {
        Some(w) => w[1] < w[0],
        None => false,
    };
    if descending {
        x.reverse();
        y.reverse();
    }
    let n = x.len();
    let src_index = |i: usize| if descending { n - 1 - i } else { i };
    // Merge runs of equal x; reject reversals.
    let mut out_x = Vec::with_capacity(n);
    let mut out_y = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        let mut sum = y[i];
        while j < n && x[j] == x[i] {
            sum += y[j];
            j += 1;
        }
        if j < n && x[j] < x[i] {
            return Err((
                line_of(src_index(j)),
                ReadErrorKind::NotMonotonic(x[j], x[i]),
            ));
        }
        out_x.push(x[i]);
        out_y.push(sum / (j - i) as f64);
        i = j;
    }
    if out_x.len() < MIN_POINTS {
        return Err((None, ReadErrorKind::TooFewPoints(out_x.len())));
    }
    Ok(Ordered {
        x: out_x,
        y: out_y,
        source_descending: descending,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(n: usize) -> Vec<f64> {
        (0..n).map(|i| i as f64).collect()
    }

    #[test]
    fn descending_is_reversed_and_flagged() {
        let x: Vec<f64> = ramp(20).into_iter().rev().collect();
        let y = ramp(20);
        let o = order_points(x, y, |_| None).ok().unwrap();
        assert!(o.source_descending);
        assert_eq!(o.x[0], 0.0);
        assert_eq!(o.y[0], 19.0);
    }

    #[test]
    fn duplicates_are_merged_and_reversals_rejected() {
        let mut x = ramp(20);
        x.insert(5, 4.0);
        let mut y = ramp(20);
        y.insert(5, 6.0);
        let o = order_points(x, y, |_| None).ok().unwrap();
        assert_eq!(o.x.len(), 20);
        assert_eq!(o.y[4], 5.0);

        let mut x = ramp(20);
        x.swap(7, 8);
        let err = order_points(x, ramp(20), |i| Some(i + 100)).err().unwrap();
        assert_eq!(err.0, Some(108));
        assert!(matches!(err.1, ReadErrorKind::NotMonotonic(..)));
    }

    #[test]
    fn limits() {
        assert!(matches!(
            order_points(vec![], vec![], |_| None).err().unwrap().1,
            ReadErrorKind::Empty
        ));
        assert!(matches!(
            order_points(ramp(15), ramp(15), |_| None).err().unwrap().1,
            ReadErrorKind::TooFewPoints(15)
        ));
        let mut y = ramp(20);
        y[3] = f64::NAN;
        assert_eq!(order_points(ramp(20), y, Some).err().unwrap().0, Some(3));
        // constant x collapses to one point
        assert!(matches!(
            order_points(vec![1.0; 30], ramp(30), |_| None)
                .err()
                .unwrap()
                .1,
            ReadErrorKind::TooFewPoints(1)
        ));
    }
}
