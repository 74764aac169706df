//! Cadence retraining: the runner's step rate, the +5, +7.5 and +10 % targets, and the tempo of a
//! metronome to practise one of them. Heiderscheit et al. 2011 (Med Sci Sports Exerc 43:296):
//! raising the step rate 5–10 % above the preferred one reduces hip and knee loading (and the
//! overstride); the usual way to practise it on a treadmill is a metronome at the target rate.
//! Pure: the audio itself is made by `report::metronome`.

use serde::Serialize;

use super::analysis::{Analysis, Gait};

/// The step-rate increases the report lists, % (Heiderscheit 2011 studied +5 and +10 %; +7.5 % is
/// the middle of the advised range).
pub(crate) const TARGETS_PCT: [f64; 3] = [5.0, 7.5, 10.0];
/// The metronome's default target, % above the measured step rate (the middle of Heiderscheit's
/// 5–10 %).
pub const DEFAULT_METRONOME_PCT: f64 = 7.5;
/// The `--metronome-target` values accepted, % (beyond 15 % is not what the evidence supports).
pub const METRONOME_PCT_RANGE: (f64, f64) = (1.0, 15.0);
/// A metronome tempo outside this range (steps/min) is not a running step rate: none is written.
pub(crate) const METRONOME_SPM_RANGE: (f64, f64) = (120.0, 240.0);
pub(crate) const SOURCE: &str = "Heiderscheit et al. 2011, Med Sci Sports Exerc 43:296";

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Target {
    /// % above the measured step rate.
    pub increase_pct: f64,
    pub spm: f64,
}

/// The metronome to practise a target with: a whole number of steps per minute (as a runner's
/// metronome shows it), one click per step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metronome {
    /// The target asked for, % above the measured step rate.
    pub target_pct: f64,
    /// Its tempo: the target rounded to a whole step per minute.
    pub spm: u32,
    /// What that rounded tempo is above the measured rate, %.
    pub increase_pct: f64,
    /// The click track's file name in the output folder (`metronome_<spm>.wav`).
    pub file: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retraining {
    /// The measured step rate (steps/min, both feet).
    pub cadence_spm: f64,
    pub targets: Vec<Target>,
    /// None when no click track was asked for or one would not make sense (`note` says why).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metronome: Option<Metronome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub source: &'static str,
}

/// The advised step-rate range, steps/min: the lowest and the highest target above `cadence_spm`.
pub(crate) fn advised_range_spm(cadence_spm: f64) -> (f64, f64) {
    let at = |p: f64| cadence_spm * (1.0 + p / 100.0);
    (at(TARGETS_PCT[0]), at(TARGETS_PCT[TARGETS_PCT.len() - 1]))
}

/// The file name of a click track at `spm`.
pub(crate) fn metronome_file(spm: u32) -> String {
    format!("metronome_{spm}.wav")
}

/// The targets for a measured step rate, and the metronome at `metronome_pct` above it (None: no
/// metronome asked for).
pub(crate) fn plan(cadence_spm: f64, metronome_pct: Option<f64>) -> Retraining {
    let targets = TARGETS_PCT.iter().map(|&p| Target { increase_pct: p, spm: cadence_spm * (1.0 + p / 100.0) }).collect();
    let mut note = None;
    let metronome = metronome_pct.and_then(|pct| {
        let spm = (cadence_spm * (1.0 + pct / 100.0)).round();
        let (lo, hi) = METRONOME_SPM_RANGE;
        if !(lo..=hi).contains(&spm) {
            note = Some(format!(
                "no metronome: +{pct} % of {cadence_spm:.0} steps/min is {spm:.0}, outside a running step rate ({lo:.0}–{hi:.0})"
            ));
            return None;
        }
        let spm = spm as u32;
        Some(Metronome { target_pct: pct, spm, increase_pct: 100.0 * (spm as f64 / cadence_spm - 1.0), file: metronome_file(spm) })
    });
    Retraining { cadence_spm, targets, metronome, note, source: SOURCE }
}

/// The retraining plan of an analysis: None without a cadence; for walking the targets are given
/// but no metronome (the evidence is for running).
pub(crate) fn for_analysis(a: &Analysis, metronome_pct: Option<f64>) -> Option<Retraining> {
    let c = a.cadence_spm.filter(|c| c.is_finite() && *c > 0.0)?;
    if a.gait == Gait::Walking {
        let mut r = plan(c, None);
        r.note = Some("no metronome: this was walking, and the step-rate advice is for running".into());
        return Some(r);
    }
    Some(plan(c, metronome_pct))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_advised_range_is_five_to_ten_per_cent_above() {
        let (lo, hi) = advised_range_spm(160.0);
        assert!((lo - 168.0).abs() < 1e-9 && (hi - 176.0).abs() < 1e-9, "{lo} {hi}");
    }

    #[test]
    fn targets_and_a_whole_number_tempo() {
        let r = plan(160.0, Some(7.5));
        let spm: Vec<f64> = r.targets.iter().map(|t| t.spm).collect();
        assert_eq!(spm, vec![168.0, 172.0, 176.0]);
        let m = r.metronome.unwrap();
        assert_eq!((m.spm, m.file.as_str()), (172, "metronome_172.wav"));
        assert!((m.increase_pct - 7.5).abs() < 1e-9);
        // 163 × 1.05 = 171.15 → 171, 4.91 % above
        let m = plan(163.0, Some(5.0)).metronome.unwrap();
        assert_eq!(m.spm, 171);
        assert!((m.increase_pct - 100.0 * (171.0 / 163.0 - 1.0)).abs() < 1e-9);
        assert!(plan(170.0, None).metronome.is_none());
    }

    #[test]
    fn no_metronome_outside_a_running_step_rate() {
        let r = plan(100.0, Some(7.5));
        assert!(r.metronome.is_none());
        assert!(r.note.unwrap().contains("outside a running step rate"));
    }
}
