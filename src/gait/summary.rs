//! Uncertainty beside every number: mean, SD, standard error and count over steps, per side.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stat {
    pub mean: f64,
    pub sd: f64,
    /// Standard error of the mean (SD/√n).
    pub se: f64,
    pub n: usize,
    pub unit: &'static str,
    /// At-contact metrics: the uncertainty from the timing of initial contact (±, same unit; the
    /// mean of the steps' — it does not shrink with more steps, unlike the SE).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timing: Option<f64>,
}

impl Stat {
    pub(crate) fn of(values: &[f64], unit: &'static str) -> Option<Stat> {
        let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        let n = v.len();
        let mean = v.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 { (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt() } else { f64::NAN };
        let se = if n > 1 { sd / (n as f64).sqrt() } else { f64::NAN };
        Some(Stat { mean, sd, se, n, unit, timing: None })
    }
}

/// Left/right difference of a metric with what it can and cannot tell.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Asymmetry {
    /// right mean − left mean
    pub difference: f64,
    pub unit: &'static str,
    /// 2·SE of the difference: differences smaller than this are within measurement noise.
    pub noise_2se: f64,
    /// Smallest detectable difference from the literature, where one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smallest_detectable_difference: Option<f64>,
    /// Whether the difference exceeds both the noise and the smallest detectable difference.
    pub meaningful: bool,
}

pub(crate) fn asymmetry(left: &Stat, right: &Stat, sdd: Option<f64>) -> Asymmetry {
    let difference = right.mean - left.mean;
    let se = (left.se.powi(2) + right.se.powi(2)).sqrt();
    let noise_2se = 2.0 * se;
    let meaningful = se.is_finite() && difference.abs() > noise_2se && sdd.is_none_or(|d| difference.abs() > d);
    Asymmetry { difference, unit: left.unit, noise_2se, smallest_detectable_difference: sdd, meaningful }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_values() {
        let s = Stat::of(&[1.0, 2.0, 3.0, f64::NAN], "deg").unwrap();
        assert_eq!(s.n, 3);
        assert!((s.mean - 2.0).abs() < 1e-12 && (s.sd - 1.0).abs() < 1e-12);
        assert!((s.se - 1.0 / 3f64.sqrt()).abs() < 1e-12);
        let a = asymmetry(&Stat::of(&[1.0, 1.1, 0.9], "deg").unwrap(), &Stat::of(&[5.0, 5.1, 4.9], "deg").unwrap(), Some(2.7));
        assert!(a.meaningful && (a.difference - 4.0).abs() < 1e-9);
        let a = asymmetry(&Stat::of(&[1.0, 1.1, 0.9], "deg").unwrap(), &Stat::of(&[3.0, 3.1, 2.9], "deg").unwrap(), Some(2.7));
        assert!(!a.meaningful, "2° is below the 2.7° smallest detectable difference");
    }
}
