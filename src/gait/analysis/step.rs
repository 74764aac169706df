//! One step and what was measured over it.

use serde::{Serialize, Serializer};

use crate::gait::side::Side;

/// Why a step is left out of the summary. Written as its sentence ([`std::fmt::Display`]); the
/// report's step table shows [`Exclusion::short`].
#[derive(Debug, Clone, PartialEq)]
pub enum Exclusion {
    /// The leg's landmarks averaged this visibility at IC, below the step minimum.
    LowConfidence { confidence: f64 },
    /// A number beyond what a body can do; the sentence says which.
    Impossible(String),
    /// Step or contact time far from the side's median (seconds; None where not measured).
    ImplausibleTiming { step_s: Option<f64>, contact_s: Option<f64>, median_step_s: Option<f64>, median_contact_s: Option<f64> },
    /// Another contact of the same foot `gap_s` away, too soon for a stride of `median_stride_s`.
    OutOfSequence { side: Side, gap_s: f64, median_stride_s: f64 },
}

impl Exclusion {
    /// A word or two for a table cell.
    pub fn short(&self) -> &'static str {
        match self {
            Exclusion::LowConfidence { .. } => "low confidence",
            Exclusion::Impossible(_) => "impossible value",
            Exclusion::ImplausibleTiming { .. } => "timing",
            Exclusion::OutOfSequence { .. } => "out of sequence",
        }
    }
}

impl std::fmt::Display for Exclusion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s2 = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.2}"));
        match self {
            Exclusion::LowConfidence { confidence } => {
                write!(f, "low landmark confidence {confidence:.2} at initial contact (occluded or blurred leg)")
            }
            Exclusion::Impossible(why) => f.write_str(why),
            Exclusion::ImplausibleTiming { step_s, contact_s, median_step_s, median_contact_s } => write!(
                f,
                "implausible timing (step {} s, contact {} s; this side's medians {} s and {} s): likely a mis-detected contact",
                s2(*step_s),
                s2(*contact_s),
                s2(*median_step_s),
                s2(*median_contact_s)
            ),
            Exclusion::OutOfSequence { side, gap_s, median_stride_s } => write!(
                f,
                "implausible timing: out of sequence (another {} contact {gap_s:.2} s away; this side's median stride {median_stride_s:.2} s): likely the other foot's landing or a wobble taken for this one",
                side.as_str()
            ),
        }
    }
}

impl Serialize for Exclusion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FootStrike {
    Rearfoot,
    Midfoot,
    Forefoot,
}

impl FootStrike {
    /// Its name in report.json, steps.csv and the report.
    pub fn as_str(self) -> &'static str {
        match self {
            FootStrike::Rearfoot => "rearfoot",
            FootStrike::Midfoot => "midfoot",
            FootStrike::Forefoot => "forefoot",
        }
    }
}

/// Foot-strike angle class limits (Altman & Davis 2012): > 8° rearfoot, < −1.6° forefoot.
pub(crate) fn foot_strike_class(angle_deg: f64) -> FootStrike {
    if angle_deg > 8.0 {
        FootStrike::Rearfoot
    } else if angle_deg < -1.6 {
        FootStrike::Forefoot
    } else {
        FootStrike::Midfoot
    }
}

/// One step: one initial contact and what was measured over it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Step {
    pub side: Side,
    pub ic_frame: usize,
    pub ic_time_s: f64,
    /// ± on `ic_time_s`, ms: half a frame, and in side views the landing model's cues' SDs and
    /// disagreement.
    pub ic_uncertainty_ms: f64,
    /// Side views: IC by each cue of the landing model (the foot at belt speed; at the belt's
    /// level), and the forward turn that bounds it from below, seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ic_by_motion_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ic_by_height_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_turn_s: Option<f64>,
    /// Side views: the height cue came from the sole measured in the pixels (the shoe's lowest
    /// point), not from the heel or toe landmark.
    pub ic_sole_from_pixels: bool,
    pub to_time_s: Option<f64>,
    pub contact_time_s: Option<f64>,
    /// From this toe-off to the other foot's next initial contact (0 when both feet are down).
    pub flight_time_s: Option<f64>,
    /// From this initial contact to the other foot's next one.
    pub step_time_s: Option<f64>,
    /// Contact time over stride time (this IC to this foot's next IC).
    pub duty_factor: Option<f64>,
    // side view
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_cm: Option<f64>,
    /// "heel", or "ankle" where the heel landmark was missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_point: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shank_angle_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knee_flexion_ic_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knee_flexion_peak_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foot_strike_angle_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foot_strike: Option<FootStrike>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trunk_lean_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertical_oscillation_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertical_oscillation_cm: Option<f64>,
    // frontal views
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pelvic_drop_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fppa_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_width_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_width_cm: Option<f64>,
    /// The belt's travel during the step (step time × belt speed): side views in % of leg length,
    /// in cm with a scale (`scale.step_length_source` says which).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_length_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_length_cm: Option<f64>,
    /// What the IC's timing uncertainty does to each at-contact number (±, same units).
    #[serde(skip_serializing_if = "AtContactTiming::is_empty")]
    pub timing: AtContactTiming,
    /// Mean visibility of the leg's landmarks at IC (0–1).
    pub confidence: f64,
    /// Why this step is left out of the summary, if it is (in report.json and steps.csv: its text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<Exclusion>,
    /// Where things were in the image at IC (pixels), for drawing the key frame; not in report.json.
    #[serde(skip)]
    pub at_ic: Option<ImagePoints>,
    /// Frontal views: the frame of this stance's peak pelvic drop (the key frame shows it).
    #[serde(skip)]
    pub peak_drop_frame: Option<usize>,
}

/// The at-contact numbers' uncertainty from the IC's timing alone: each read at IC ∓ its timing
/// uncertainty, half the difference (±, in the metric's units).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct AtContactTiming {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_pct_leg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overstride_cm: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shank_angle_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub knee_flexion_ic_deg: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foot_strike_angle_deg: Option<f64>,
}

impl AtContactTiming {
    pub(crate) fn is_empty(&self) -> bool {
        *self == AtContactTiming::default()
    }
}

/// Image positions (pixels, as in landmarks.csv) at an initial contact.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ImagePoints {
    pub com: [f64; 2],
    pub heel: [f64; 2],
    pub knee: [f64; 2],
    pub ankle: [f64; 2],
    pub hip: [f64; 2],
    pub left_hip: [f64; 2],
    pub right_hip: [f64; 2],
}
