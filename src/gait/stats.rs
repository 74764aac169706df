//! The order statistics every stage uses — one definition of each. Two medians, because two are in
//! use and their results differ for an even count: [`median_upper`] (nearest rank, the upper of the
//! two middle values; every median of the analysis) and [`median_mean`] (the mean of the two middle
//! values; the Hampel filter's window median and MAD).

/// The `p` quantile (0–1) of the finite values, by nearest rank (index round((n−1)·p) of the sorted
/// values; p = 0.5 is the upper median for an even count). None when there is no finite value.
pub(crate) fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[((v.len() - 1) as f64 * p.clamp(0.0, 1.0)).round() as usize])
}

/// The median of the finite values by nearest rank: the middle one, the upper of the two middle
/// ones for an even count (the sorted values' index n/2, since round((n−1)/2) = n/2). None when
/// there is no finite value.
pub(crate) fn median_upper(values: &[f64]) -> Option<f64> {
    percentile(values, 0.5)
}

/// The median as the mean of the two middle values for an even count; sorts `v` in place (no
/// allocation: the Hampel filter calls it per sample). NaN for no values; the values must be finite.
pub(crate) fn median_mean(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(median_upper(&[3.0, 1.0, f64::NAN, 2.0]), Some(2.0));
        assert_eq!(median_upper(&[4.0, 1.0, 3.0, 2.0]), Some(3.0)); // upper median
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0], 0.9), Some(10.0));
        assert_eq!(median_upper(&[f64::NAN]), None);
    }

    #[test]
    fn the_two_medians_agree_on_odd_counts_and_differ_on_even_ones() {
        assert_eq!(median_mean(&mut [4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median_mean(&mut [5.0, 1.0, 3.0]), 3.0);
        assert_eq!(median_upper(&[5.0, 1.0, 3.0]), Some(3.0));
        assert!(median_mean(&mut []).is_nan());
        // the upper median is the sorted values' element n/2, for every count
        for n in 1..50usize {
            let v: Vec<f64> = (0..n).rev().map(|i| i as f64).collect();
            assert_eq!(median_upper(&v), Some((n / 2) as f64), "n = {n}");
        }
    }
}
