//! Capture quality: is the film good enough, and how to refilm it. Each check is a pure function of
//! one measured value (taken from the analysis' own data: frame rate, landmarks, belt line, steps)
//! and returns the value, a pass/warn verdict and one plain instruction for the next film.
//!
//! The plausibility gates (`plausibility`) refuse or warn about impossible *results*; these checks
//! are about the *film*, and a film can pass every gate and still be worth refilming. Thresholds
//! are optical or physiological, each with its reason.

use serde::Serialize;

use super::events::Side;
use super::geometry::dist;
use super::metrics::leg_landmarks;
use super::series::Series;
use super::stats::percentile;
use super::view::View;

/// Frame rate of a good film: at 100 fps half a frame is 5 ms, below the 10–14 ms of kinematic
/// foot-strike detection with BlazePose (Young 2023), so the frame rate no longer dominates the
/// timing of initial contact — and on a treadmill that timing *is* the overstride measurement
/// (the heel rides the belt: at 3 m/s and 100 fps half a frame moves it 1.5 cm, ≈ 1.7 % of leg).
pub(crate) const GOOD_FPS: f64 = 100.0;
/// Runner's height (nose to heel) in pixels of a good film: the leg is then ≈ 220 px, so one pixel
/// of landmark error is under 0.5 % of leg length of overstride and ≈ 0.3° of a shank angle —
/// well below the effects the report reads. (Below `plausibility::SMALL_BODY_PX` the gates warn.)
pub(crate) const GOOD_BODY_PX: f64 = 480.0;
/// Steps per side of a good film: with a step-to-step SD of overstride of ~5–8 % of leg length,
/// 15 steps give a standard error of the mean of ≈ 1.5–2 % — small beside the 7-point bands.
/// (Below `analysis::MIN_STEPS_PER_SIDE` the means are flagged as unreliable.)
pub(crate) const GOOD_STEPS_PER_SIDE: usize = 15;
/// Median visibility of the leg landmarks of a good film. BlazePose reports ≥ 0.9 on a clearly
/// seen, sharp limb; a median below 0.7 means the legs are often blurred, dark or cut off.
pub(crate) const GOOD_LEG_VISIBILITY: f64 = 0.7;
/// Camera tilt (the belt line's angle in the image) of a good film: every angle is measured against
/// the image's vertical, so a tilt adds itself to shank angle, trunk lean and pelvic drop; 2° is
/// below the smallest detectable difference of 2-D pelvic drop (2.7°, Dingenen 2018).
pub(crate) const GOOD_TILT_DEG: f64 = 2.0;
/// Change of the thigh's or shank's length in the image through the stride (90th over 10th
/// percentile, %) of a good side film. A limb swinging in a plane square to the camera keeps its
/// length; with the camera turned by θ a segment at angle φ from vertical shows
/// √(cos²φ + sin²φ·cos²θ) of it: the shank (φ up to ≈ 70° in swing) loses ≈ 12 % at θ = 30° and
/// ≈ 3 % at 15°, while landmark noise alone changes it by a few %. Beyond 12 %: the camera is not
/// square to the runner, and horizontal distances (overstride) are foreshortened.
pub(crate) const GOOD_SEGMENT_CHANGE_PCT: f64 = 12.0;
/// Share of leg-landmark samples below the cleaning's visibility threshold (`signal::MIN_VISIBILITY`)
/// of a good film. In a side view the far leg hides behind the near one for part of each swing
/// (≈ 10–20 % of its samples, half that over both legs); beyond 20 % of all leg samples something
/// else hides the legs — handrails, a console, a box in the foreground, the frame's edge.
pub(crate) const GOOD_OCCLUDED_SHARE: f64 = 0.2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    FrameRate,
    RunnerHeight,
    StepsPerSide,
    LandmarkConfidence,
    CameraTilt,
    CameraSquare,
    Occlusion,
}

/// One check: the measured value, its verdict, what it means and how to refilm.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub check: CheckKind,
    pub label: &'static str,
    pub value: f64,
    pub unit: &'static str,
    /// The limit the value is compared with (same unit).
    pub limit: f64,
    pub verdict: Verdict,
    /// What the value means here, in one sentence.
    pub detail: String,
    /// What to do at the next film (also given on a pass, as the standard to keep).
    pub instruction: &'static str,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CaptureQuality {
    /// Pass when every check passes.
    pub verdict: Option<Verdict>,
    pub checks: Vec<Check>,
}

impl CaptureQuality {
    pub(crate) fn from_checks(checks: Vec<Check>) -> CaptureQuality {
        let verdict = Some(if checks.iter().all(|c| c.verdict == Verdict::Pass) { Verdict::Pass } else { Verdict::Warn });
        CaptureQuality { verdict, checks }
    }
    pub fn warnings(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.verdict == Verdict::Warn)
    }
}

fn verdict(ok: bool) -> Verdict {
    if ok {
        Verdict::Pass
    } else {
        Verdict::Warn
    }
}

/// Frame rate (distinct frames per second), with the timing and overstride uncertainty it gives:
/// `ic_uncertainty_ms` the median per-contact timing uncertainty, `overstride_pct_leg` the median
/// timing uncertainty of overstride (side views only).
pub(crate) fn frame_rate(fps: f64, ic_uncertainty_ms: Option<f64>, overstride_pct_leg: Option<f64>) -> Check {
    let mut detail = format!("half a frame is {:.0} ms", 500.0 / fps);
    if let Some(u) = ic_uncertainty_ms {
        detail += &format!("; initial contact timed to ±{u:.0} ms");
    }
    if let Some(o) = overstride_pct_leg {
        detail += &format!(", which moves overstride by ±{o:.1} % of leg length (the heel rides the belt)");
    }
    Check {
        check: CheckKind::FrameRate,
        label: "Frame rate",
        value: fps,
        unit: "fps",
        limit: GOOD_FPS,
        verdict: verdict(fps >= GOOD_FPS),
        detail,
        instruction: "film at 120 fps or more (the phone's slow-motion mode), in good light so the feet are sharp",
    }
}

pub(crate) fn runner_height(body_px: f64) -> Check {
    Check {
        check: CheckKind::RunnerHeight,
        label: "Runner's height in the picture",
        value: body_px,
        unit: "px",
        limit: GOOD_BODY_PX,
        verdict: verdict(body_px >= GOOD_BODY_PX),
        detail: format!("one pixel is {:.1} % of the runner's height", 100.0 / body_px.max(1.0)),
        instruction: "frame the runner head to feet filling most of the picture's height (about 3 m away, closer with a wide lens)",
    }
}

/// Steps per side used in the summary (the fewer of the two sides).
pub(crate) fn steps_per_side(left: usize, right: usize) -> Check {
    let n = left.min(right);
    Check {
        check: CheckKind::StepsPerSide,
        label: "Steps per side",
        value: n as f64,
        unit: "steps",
        limit: GOOD_STEPS_PER_SIDE as f64,
        verdict: verdict(n >= GOOD_STEPS_PER_SIDE),
        detail: format!("{left} left and {right} right steps measured"),
        instruction: "film at least 15 s of steady running at the speed to assess (after a minute of warm-up on the belt)",
    }
}

/// Median visibility (0–1) of the leg landmarks over the frames with a pose.
pub(crate) fn landmark_confidence(median_visibility: f64) -> Check {
    Check {
        check: CheckKind::LandmarkConfidence,
        label: "Landmark confidence (legs)",
        value: median_visibility,
        unit: "",
        limit: GOOD_LEG_VISIBILITY,
        verdict: verdict(median_visibility >= GOOD_LEG_VISIBILITY),
        detail: "median visibility the pose model gives the hips, knees, ankles, heels and toes (0–1)".into(),
        instruction: "light the legs well, wear shorts and shoes that contrast with the belt and background, film at a fast shutter",
    }
}

/// Camera tilt: the belt line's angle in the image, degrees.
pub(crate) fn camera_tilt(belt_tilt_deg: f64) -> Check {
    Check {
        check: CheckKind::CameraTilt,
        label: "Camera tilt (belt line)",
        value: belt_tilt_deg,
        unit: "°",
        limit: GOOD_TILT_DEG,
        verdict: verdict(belt_tilt_deg.abs() <= GOOD_TILT_DEG),
        detail: "a tilted camera adds its tilt to every angle measured against vertical".into(),
        instruction:
            "level the camera on a tripod at hip height: the belt's edge horizontal in the picture (use the phone's grid or level)",
    }
}

/// Camera square to the runner: the larger change of thigh and shank length through the stride, %.
pub(crate) fn camera_square(segment_change_pct: f64) -> Check {
    Check {
        check: CheckKind::CameraSquare,
        label: "Camera square to the runner",
        value: segment_change_pct,
        unit: "%",
        limit: GOOD_SEGMENT_CHANGE_PCT,
        verdict: verdict(segment_change_pct <= GOOD_SEGMENT_CHANGE_PCT),
        detail: "how much the thigh or shank changes length in the picture through the stride; it does not when the camera is square"
            .into(),
        instruction: "place the camera square to the treadmill's side (its axis at right angles to the belt), level with the hip, 3 m away",
    }
}

/// Occlusion: the share (0–1) of leg-landmark samples the model could not see.
pub(crate) fn occlusion(occluded_share: f64) -> Check {
    Check {
        check: CheckKind::Occlusion,
        label: "Legs in view (occlusion)",
        value: 100.0 * occluded_share,
        unit: "%",
        limit: 100.0 * GOOD_OCCLUDED_SHARE,
        verdict: verdict(occluded_share <= GOOD_OCCLUDED_SHARE),
        detail: "share of the leg landmarks' samples the model could not see (handrails, console, objects in front, the frame's edge)"
            .into(),
        instruction:
            "keep handrails, the console and objects out of the line between camera and legs; the whole foot and belt in the picture",
    }
}

/// Leg landmarks of both sides: hip, knee, ankle, heel, toe.
fn leg_points() -> Vec<usize> {
    [Side::Left, Side::Right]
        .into_iter()
        .flat_map(|side| {
            let (h, k, a, he, t) = leg_landmarks(side);
            [h, k, a, he, t]
        })
        .collect()
}

/// The median visibility of the leg landmarks and the share of their samples below `min_vis`, over
/// the frames with a pose (any landmark seen).
pub(crate) fn leg_visibility(s: &Series, min_vis: f64) -> Option<(f64, f64)> {
    let pts = leg_points();
    let with_pose: Vec<usize> = (0..s.len()).filter(|&i| s.x.iter().any(|c| c[i].is_finite())).collect();
    let v: Vec<f64> = with_pose.iter().flat_map(|&i| pts.iter().map(move |&l| s.vis[l][i])).collect();
    if v.is_empty() {
        return None;
    }
    let low = v.iter().filter(|&&x| x < min_vis).count() as f64 / v.len() as f64;
    Some((percentile(&v, 0.5)?, low))
}

/// The change of thigh and shank length in the image through the stride, %: per segment the 90th
/// over the 10th percentile of its length, over samples where both its ends are seen (`min_vis`);
/// per segment the better-seen side (the smaller change — noise only adds), then the larger of the
/// two segments.
pub(crate) fn segment_change_pct(s: &Series, min_vis: f64) -> Option<f64> {
    let change = |a: usize, b: usize| -> Option<f64> {
        let l: Vec<f64> = (0..s.len())
            .filter(|&i| s.vis[a][i] >= min_vis && s.vis[b][i] >= min_vis)
            .map(|i| dist(s.point(a, i), s.point(b, i)))
            .filter(|v| v.is_finite())
            .collect();
        if l.len() < 20 {
            return None;
        }
        let (p10, p90) = (percentile(&l, 0.1)?, percentile(&l, 0.9)?);
        (p10 > 0.0).then(|| 100.0 * (p90 / p10 - 1.0))
    };
    let seg = |upper: bool| -> Option<f64> {
        [Side::Left, Side::Right]
            .into_iter()
            .filter_map(|side| {
                let (h, k, a, _, _) = leg_landmarks(side);
                if upper {
                    change(h, k)
                } else {
                    change(k, a)
                }
            })
            .min_by(f64::total_cmp)
    };
    [seg(true), seg(false)].into_iter().flatten().max_by(f64::total_cmp)
}

/// What the checks read from an analysis, gathered in one place.
#[derive(Debug, Clone, Default)]
pub(crate) struct Measured {
    pub effective_fps: f64,
    pub ic_uncertainty_ms: Option<f64>,
    pub overstride_timing_pct_leg: Option<f64>,
    pub body_px: Option<f64>,
    pub steps: [usize; 2],
    pub leg_visibility: Option<(f64, f64)>,
    pub belt_tilt_deg: Option<f64>,
    pub segment_change_pct: Option<f64>,
}

/// Every check that applies to the view and has its value.
pub(crate) fn assess(view: View, m: &Measured) -> CaptureQuality {
    let mut c = vec![frame_rate(m.effective_fps, m.ic_uncertainty_ms, m.overstride_timing_pct_leg.filter(|_| view.is_side()))];
    c.extend(m.body_px.map(runner_height));
    c.push(steps_per_side(m.steps[0], m.steps[1]));
    if let Some((med, low)) = m.leg_visibility {
        c.push(landmark_confidence(med));
        c.push(occlusion(low));
    }
    c.extend(m.belt_tilt_deg.map(camera_tilt));
    // from behind or in front the thigh and shank swing towards the camera: their length changes
    // by design, so only a side view is checked for squareness
    if view.is_side() {
        c.extend(m.segment_change_pct.map(camera_square));
    }
    CaptureQuality::from_checks(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_check_passes_good_and_warns_bad() {
        assert_eq!(frame_rate(120.0, Some(6.0), Some(1.0)).verdict, Verdict::Pass);
        assert_eq!(frame_rate(30.0, Some(26.0), Some(8.0)).verdict, Verdict::Warn);
        assert_eq!(runner_height(1000.0).verdict, Verdict::Pass);
        assert_eq!(runner_height(300.0).verdict, Verdict::Warn);
        assert_eq!(steps_per_side(17, 16).verdict, Verdict::Pass);
        assert_eq!(steps_per_side(17, 6).verdict, Verdict::Warn);
        assert_eq!(landmark_confidence(0.95).verdict, Verdict::Pass);
        assert_eq!(landmark_confidence(0.4).verdict, Verdict::Warn);
        assert_eq!(camera_tilt(-1.0).verdict, Verdict::Pass);
        assert_eq!(camera_tilt(-5.0).verdict, Verdict::Warn);
        assert_eq!(camera_square(3.0).verdict, Verdict::Pass);
        assert_eq!(camera_square(20.0).verdict, Verdict::Warn);
        assert_eq!(occlusion(0.05).verdict, Verdict::Pass);
        assert_eq!(occlusion(0.4).verdict, Verdict::Warn);
    }

    #[test]
    fn frame_rate_states_the_uncertainty() {
        let c = frame_rate(30.0, Some(26.0), Some(8.1));
        assert!(c.detail.contains("17 ms") && c.detail.contains("±26 ms") && c.detail.contains("±8.1 %"), "{}", c.detail);
        assert!(c.instruction.contains("120 fps"));
    }

    #[test]
    fn overall_verdict_is_warn_when_any_check_warns() {
        assert_eq!(CaptureQuality::from_checks(vec![camera_tilt(0.0), runner_height(900.0)]).verdict, Some(Verdict::Pass));
        let q = CaptureQuality::from_checks(vec![camera_tilt(0.0), runner_height(100.0)]);
        assert_eq!(q.verdict, Some(Verdict::Warn));
        assert_eq!(q.warnings().count(), 1);
    }
}
