//! Points in the plane: the midpoint, the distance, the point a fraction of the way along.

/// A point or a vector, [x, y].
pub(crate) type P = [f64; 2];

pub(crate) fn mid(a: P, b: P) -> P {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

pub(crate) fn dist(a: P, b: P) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// The point the fraction `f` of the way from a to b (not [`mid`] at one half: a + ½(b − a) and
/// (a + b)/2 can differ in the last bit).
pub(crate) fn lerp(a: P, b: P, f: f64) -> P {
    [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])]
}

pub(crate) fn finite(p: P) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midpoint_distance_and_fraction() {
        assert_eq!(mid([0.0, 0.0], [2.0, 4.0]), [1.0, 2.0]);
        assert_eq!(dist([0.0, 0.0], [3.0, 4.0]), 5.0);
        assert_eq!(lerp([0.0, 0.0], [10.0, 20.0], 0.25), [2.5, 5.0]);
        assert!(finite([1.0, 2.0]) && !finite([1.0, f64::NAN]));
    }
}
