//! Plausibility gates: what a gait lab checks before it believes a number. Each gate is a pure
//! function of measured values and returns nothing (plausible), a warning (doubtful: the report
//! shows it loudly, in report.html, report.json and the console) or a refusal (impossible: the run
//! stops with one line saying what is wrong and what to do, before any output is swapped in).
//!
//! The limits are physiological, each with its reason; they are not tuned to any clip.

use serde::Serialize;

use super::series::Series;
use super::stats::percentile;
use super::view::View;
use crate::pose::idx::*;

/// Running cadence a treadmill runner can plausibly have, steps/min: endurance running is
/// 150–200 (Heiderscheit 2011: preferred 170 ± 10 on a treadmill); jogging slower than ~130 or
/// sprinting faster than ~230 is outside what a treadmill assessment films. Outside it: a warning.
pub(crate) const RUNNING_CADENCE_TYPICAL_SPM: (f64, f64) = (130.0, 230.0);
/// Running cadence a human can have at all: elite sprinters peak at about 4.7 steps/s (≈ 280
/// steps/min); below 100 steps/min a flight phase every 0.6 s or more is bounding, not running.
pub(crate) const RUNNING_CADENCE_POSSIBLE_SPM: (f64, f64) = (100.0, 280.0);
/// Walking cadence: 70–150 steps/min covers slow to brisk walking (Tudor-Locke 2011: 100–120
/// typical for adults); outside it, a warning.
pub(crate) const WALKING_CADENCE_TYPICAL_SPM: (f64, f64) = (70.0, 150.0);
/// Walking cadence a human can have: race walkers reach about 200–220 steps/min; continuous
/// walking starts at about 60 (Tudor-Locke 2018's cadence bands: 60–79 "slow walking", below it
/// sporadic steps), 50 leaving a margin for a very slow pathological gait.
pub(crate) const WALKING_CADENCE_POSSIBLE_SPM: (f64, f64) = (50.0, 220.0);
/// No gait at all outside this: refused (the clip's time base is wrong — slow motion, or frames
/// stamped too fast). Inside it but outside the detected gait's own range, the walk/run call or
/// the time base is doubtful: a warning.
pub(crate) const ANY_GAIT_CADENCE_SPM: (f64, f64) = (WALKING_CADENCE_POSSIBLE_SPM.0, RUNNING_CADENCE_POSSIBLE_SPM.1);
/// Cadence a typical runner has (Heiderscheit 2011's preferred step rate): used only to suggest
/// the capture rate of a clip whose time base is wrong.
pub(crate) const TYPICAL_RUNNING_CADENCE_SPM: f64 = 170.0;
/// Frame rates phones and cameras film at, for the suggested `--capture-fps`.
pub(crate) const COMMON_CAPTURE_FPS: [f64; 12] = [24.0, 25.0, 30.0, 48.0, 50.0, 60.0, 100.0, 120.0, 200.0, 240.0, 480.0, 960.0];

/// Heel ahead of (or behind) the centre of mass at initial contact by more than half a leg length:
/// the hip–heel line would meet the belt more than 30° from vertical (asin 0.5), a landing no
/// runner makes (typical heel-to-COM distances are a few to ~25 % of leg length). Such a step is a
/// landmark or contact-timing error: it is left out of the means.
pub(crate) const OVERSTRIDE_POSSIBLE_PCT_LEG: f64 = 50.0;
/// Knee flexion at initial contact a human knee can show: beyond ~15° of hyperextension the knee
/// would be injured (genu recurvatum of 5–10° is already pathological); more than 60° of flexion
/// at contact is a crouch, not a running or walking landing (running 10–30°, Heiderscheit 2011).
pub(crate) const KNEE_IC_POSSIBLE_DEG: (f64, f64) = (-15.0, 60.0);
/// Peak knee flexion in stance: running 35–55° (Heiderscheit 2011: 46.3 ± 4.5°); 90° or more under
/// body weight is a deep squat.
pub(crate) const KNEE_PEAK_POSSIBLE_DEG: f64 = 90.0;
/// The trunk (hip centre → shoulder centre) leans forward 2–15° in running; more than this from
/// the image's vertical is a tilted camera or a wrong rotation, not a lean: a warning.
pub(crate) const TRUNK_TILT_WARN_DEG: f64 = 30.0;
/// More than this from vertical and the body is lying in the picture (a wrong 90° rotation tag) or
/// upside down: refused.
pub(crate) const TRUNK_TILT_REFUSE_DEG: f64 = 60.0;
/// The ankles move relative to the pelvis by about a leg length per stride in running and by more
/// than half of one in the slowest walk; less than this and the person is not moving their legs
/// (a still photo, someone standing): refused.
pub(crate) const MIN_FOOT_MOVEMENT_PCT_LEG: f64 = 20.0;
/// More than this share of steps impossible and the landmarks are not a runner's body: refused.
pub(crate) const MAX_IMPOSSIBLE_SHARE: f64 = 0.5;
/// The view detector's width ratio (shoulder and hip width over torso length) clearly of a side
/// view below this, clearly frontal above [`FRONTAL_CLEAR_RATIO`] (side-on shoulders and hips
/// overlap; from behind they are about 0.6–0.9 of the torso wide). Between, the detection is not
/// sure and a requested view is only warned about.
pub(crate) const SIDE_CLEAR_RATIO: f64 = 0.2;
pub(crate) const FRONTAL_CLEAR_RATIO: f64 = 0.5;
/// A runner whose landmarks span less than this fraction of the frame's height, and whose pose
/// was found on fewer than half the frames, is too small for the model: refused with its size.
pub(crate) const MIN_BODY_FRAC_OF_FRAME: f64 = 1.0 / 3.0;
/// Below this share of frames with the runner's pose, a small runner is the likely cause.
pub(crate) const MIN_POSE_SHARE: f64 = 0.5;
/// A runner whose landmarks span fewer pixels than this (nose to heel) has a leg of ~55 px: one
/// pixel of landmark error is ~2 % of leg length of overstride and 2–4° of a joint angle, on the
/// order of every effect the report reads. Refused.
pub(crate) const MIN_BODY_PX: f64 = 120.0;
/// Below this (leg ~110 px, a pixel ≈ 1 % of leg length) the landmarks are coarse: a warning.
pub(crate) const SMALL_BODY_PX: f64 = 240.0;

/// What a gate found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertKind {
    Cadence,
    SlowMotion,
    RepeatedFrames,
    Overstride,
    KneeAngle,
    NotUpright,
    ViewMismatch,
    NoMovement,
    RunnerTooSmall,
}

/// A loud warning, shown at the top of report.html, in report.json `alerts` and on the console.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub kind: AlertKind,
    pub message: String,
}

/// A gate's verdict.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Gate {
    Warn(Alert),
    Refuse(String),
}

fn warn(kind: AlertKind, message: String) -> Option<Gate> {
    Some(Gate::Warn(Alert { kind, message }))
}

/// The common capture rate nearest (in ratio) to `fps`.
pub(crate) fn nearest_common_fps(fps: f64) -> f64 {
    COMMON_CAPTURE_FPS.iter().copied().min_by(|a, b| (a / fps).ln().abs().total_cmp(&(b / fps).ln().abs())).unwrap_or(fps)
}

/// Cadence against what a runner or walker can do. `fps` is the rate the analysis used (the
/// timestamps', or `--capture-fps`); `capture_given` says whether that was given or read from the
/// metadata (then the time base is not the likely cause, the clip is).
pub(crate) fn cadence(cadence_spm: f64, running: bool, fps: f64, capture_given: bool) -> Option<Gate> {
    if !cadence_spm.is_finite() || cadence_spm <= 0.0 {
        return None;
    }
    let (gait, typical, possible) = if running {
        ("running", RUNNING_CADENCE_TYPICAL_SPM, RUNNING_CADENCE_POSSIBLE_SPM)
    } else {
        ("walking", WALKING_CADENCE_TYPICAL_SPM, WALKING_CADENCE_POSSIBLE_SPM)
    };
    let suggest = nearest_common_fps(fps * TYPICAL_RUNNING_CADENCE_SPM / cadence_spm);
    let cause = |low: bool| {
        if low {
            format!("the clip is probably slow motion (played back slower than it was filmed): give the rate it was filmed at, e.g. --capture-fps {suggest:.0}")
        } else {
            format!(
                "the frames' timestamps are probably too fast (frames stamped at {fps:.0} fps but filmed at a lower rate): give the rate it was filmed at, e.g. --capture-fps {suggest:.0}"
            )
        }
    };
    let given = if capture_given { format!(" (with a capture rate of {fps:.0} fps: check it)") } else { String::new() };
    let any = ANY_GAIT_CADENCE_SPM;
    if cadence_spm < any.0 || cadence_spm > any.1 {
        return Some(Gate::Refuse(format!(
            "cadence {cadence_spm:.0} steps/min{given} is impossible for walking or running ({:.0}–{:.0}): {}",
            any.0,
            any.1,
            cause(cadence_spm < any.0)
        )));
    }
    if cadence_spm < possible.0 || cadence_spm > possible.1 {
        let other = if running { "walking" } else { "running" };
        return warn(
            AlertKind::Cadence,
            format!(
                "cadence {cadence_spm:.0} steps/min{given} is not possible for {gait} ({:.0}–{:.0}): either this is {other} and the walk/run call is wrong, or {}",
                possible.0,
                possible.1,
                cause(cadence_spm < possible.0)
            ),
        );
    }
    if cadence_spm < typical.0 || cadence_spm > typical.1 {
        return warn(
            AlertKind::Cadence,
            format!(
                "cadence {cadence_spm:.0} steps/min is unusual for {gait} (typically {:.0}–{:.0}): if the clip is slow motion or its frame rate is wrong, give --capture-fps with the rate it was filmed at",
                typical.0, typical.1
            ),
        );
    }
    None
}

/// Why one step's at-contact numbers are impossible, if they are.
pub(crate) fn impossible_step(
    overstride_pct_leg: Option<f64>,
    knee_ic_deg: Option<f64>,
    knee_peak_deg: Option<f64>,
) -> Option<(AlertKind, String)> {
    if let Some(o) = overstride_pct_leg.filter(|o| o.abs() > OVERSTRIDE_POSSIBLE_PCT_LEG) {
        return Some((
            AlertKind::Overstride,
            format!("impossible overstride {o:.0} % of leg length (beyond half a leg): a landmark or contact error"),
        ));
    }
    if let Some(k) = knee_ic_deg.filter(|k| *k < KNEE_IC_POSSIBLE_DEG.0 || *k > KNEE_IC_POSSIBLE_DEG.1) {
        return Some((
            AlertKind::KneeAngle,
            format!(
                "impossible knee flexion at initial contact {k:.0}° (a landing knee is within {:.0}–{:.0}°): a landmark error",
                KNEE_IC_POSSIBLE_DEG.0, KNEE_IC_POSSIBLE_DEG.1
            ),
        ));
    }
    if let Some(k) = knee_peak_deg.filter(|k| *k > KNEE_PEAK_POSSIBLE_DEG) {
        return Some((
            AlertKind::KneeAngle,
            format!("impossible peak knee flexion in stance {k:.0}° (over {KNEE_PEAK_POSSIBLE_DEG:.0}° is a deep squat): a landmark error"),
        ));
    }
    None
}

/// The verdict over a run's impossible steps: `impossible` of `total` steps of this kind. Where
/// the view was given (`--view`, `--side-facing`) rather than detected, the refusal names it too:
/// a side view read facing the wrong way puts the heel a leg length ahead of the body.
pub(crate) fn impossible_steps(kind: AlertKind, impossible: usize, total: usize, view_given: bool) -> Option<Gate> {
    if impossible == 0 || total == 0 {
        return None;
    }
    let what = match kind {
        AlertKind::Overstride => "overstride beyond half a leg length",
        _ => "knee angles outside a human knee's range",
    };
    if impossible as f64 > MAX_IMPOSSIBLE_SHARE * total as f64 {
        if view_given {
            return Some(Gate::Refuse(format!(
                "{impossible} of {total} steps show {what}: the view given (--view or --side-facing) may not be the clip's — leave it out (the view is detected) — or the landmarks do not follow the runner's body (too small or unclear in the picture: film the whole body, side-on, filling at least half the frame height)"
            )));
        }
        return Some(Gate::Refuse(format!(
            "{impossible} of {total} steps show {what}: the landmarks do not follow the runner's body (too small or unclear in the picture); film the whole body, side-on, filling at least half the frame height"
        )));
    }
    warn(kind, format!("{impossible} of {total} steps left out: {what} (landmark or contact errors); check the key frames"))
}

/// How upright the body stands in the picture, from the raw landmarks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Posture {
    /// Median angle of the trunk (hip centre → shoulder centre) from the image's up, 0–180°.
    pub trunk_from_vertical_deg: f64,
}

pub(crate) fn posture(s: &Series) -> Option<Posture> {
    let a: Vec<f64> = (0..s.len())
        .filter_map(|i| {
            let (ls, rs, lh, rh) = (s.point(LEFT_SHOULDER, i), s.point(RIGHT_SHOULDER, i), s.point(LEFT_HIP, i), s.point(RIGHT_HIP, i));
            let dx = (ls[0] + rs[0] - lh[0] - rh[0]) / 2.0;
            let up = -(ls[1] + rs[1] - lh[1] - rh[1]) / 2.0;
            let ang = dx.abs().atan2(up).to_degrees();
            ang.is_finite().then_some(ang)
        })
        .collect();
    percentile(&a, 0.5).map(|t| Posture { trunk_from_vertical_deg: t })
}

/// A body that is not upright: lying (a wrong 90° rotation tag, or a camera turned sideways) or
/// upside down. `rotation_deg`: the video's rotation tag, when the input is a video.
pub(crate) fn upright(p: &Posture, rotation_deg: Option<i32>) -> Option<Gate> {
    let t = p.trunk_from_vertical_deg;
    if t > 180.0 - TRUNK_TILT_REFUSE_DEG {
        let fix = match rotation_deg {
            Some(r) if r != 0 => format!(
                "the video's rotation tag ({r}°) is probably wrong: correct it (e.g. ffmpeg -i IN -c copy -metadata:s:v:0 rotate={} OUT.mp4) and run again",
                (r + 180) % 360
            ),
            Some(_) => "the camera was probably upside down: rotate the video (e.g. ffmpeg -i IN -vf hflip,vflip OUT.mp4) and run again".to_string(),
            None => "rotate the video upright and analyse it again".to_string(),
        };
        return Some(Gate::Refuse(format!(
            "the runner is upside down in the picture (head below the hips, trunk {t:.0}° from vertical): {fix}"
        )));
    }
    if t > TRUNK_TILT_REFUSE_DEG {
        let fix = match rotation_deg {
            Some(r) if r != 0 => format!(
                "the video's rotation tag ({r}°) is probably wrong: correct it (e.g. ffmpeg -i IN -c copy -metadata:s:v:0 rotate=0 OUT.mp4, or rotate={}) and run again",
                (r + 180) % 360
            ),
            Some(_) => "the video's rotation tag is probably wrong or missing (the phone was turned sideways): rotate it upright (e.g. ffmpeg -i IN -c copy -metadata:s:v:0 rotate=90 OUT.mp4, or rotate=270) and run again".to_string(),
            None => "the video was probably rotated wrongly: rotate it upright, analyse it again".to_string(),
        };
        return Some(Gate::Refuse(format!("the runner is lying on their side in the picture (trunk {t:.0}° from vertical): {fix}")));
    }
    if t > TRUNK_TILT_WARN_DEG {
        return warn(
            AlertKind::NotUpright,
            format!("the trunk is {t:.0}° from the image's vertical (runners lean 2–15°): the camera is probably tilted; angles to the vertical (shank, trunk) are off by the tilt — level the camera"),
        );
    }
    None
}

/// How far the feet move, % of leg length: the largest range (5th to 95th percentile), along x or
/// y, of either ankle relative to the pelvis or of one ankle relative to the other (from behind
/// the feet move mostly up and down and in depth, which the image shows as the two ankles'
/// vertical separation alternating).
pub(crate) fn foot_movement_pct_leg(s: &Series, leg_px: f64) -> Option<f64> {
    let mut best: Option<f64> = None;
    for axis in [&s.x, &s.y] {
        let series: [Box<dyn Fn(usize) -> f64>; 3] = [
            Box::new(|i| axis[LEFT_ANKLE][i] - (axis[LEFT_HIP][i] + axis[RIGHT_HIP][i]) / 2.0),
            Box::new(|i| axis[RIGHT_ANKLE][i] - (axis[LEFT_HIP][i] + axis[RIGHT_HIP][i]) / 2.0),
            Box::new(|i| axis[LEFT_ANKLE][i] - axis[RIGHT_ANKLE][i]),
        ];
        for f in &series {
            let rel: Vec<f64> = (0..s.len()).map(f).collect();
            if let (Some(lo), Some(hi)) = (percentile(&rel, 0.05), percentile(&rel, 0.95)) {
                let r = 100.0 * (hi - lo) / leg_px;
                best = Some(best.map_or(r, |b: f64| b.max(r)));
            }
        }
    }
    best
}

/// A clip where the legs do not move: a still photo or someone standing.
pub(crate) fn movement(range_pct_leg: f64) -> Option<Gate> {
    (range_pct_leg < MIN_FOOT_MOVEMENT_PCT_LEG).then(|| {
        Gate::Refuse(format!(
            "the legs do not move (the ankles move by {range_pct_leg:.0} % of a leg length; running or walking moves them by more than half of one): a still image or someone standing — film the runner running on the treadmill"
        ))
    })
}

/// The requested view against the detected one, by the detector's width ratio.
pub(crate) fn view_requested(requested: View, width_ratio: f64) -> Option<Gate> {
    let (detected, clear) = if width_ratio < SIDE_WIDTH_RATIO_DETECTED {
        ("a side view (shoulders and hips overlap)", width_ratio < SIDE_CLEAR_RATIO)
    } else {
        ("a rear or front view (shoulders and hips spread across the image)", width_ratio > FRONTAL_CLEAR_RATIO)
    };
    let contradicts = requested.is_side() != (width_ratio < SIDE_WIDTH_RATIO_DETECTED);
    if !contradicts {
        return None;
    }
    let what = format!(
        "--view {} was given but the landmarks show {detected}: shoulder and hip width {:.2} of the torso length",
        requested.as_str(),
        width_ratio
    );
    if clear {
        Some(Gate::Refuse(format!(
            "{what}; its numbers would be meaningless — drop --view (the view is detected), or give the view the camera had"
        )))
    } else {
        warn(AlertKind::ViewMismatch, format!("{what} (not clearly): the numbers are measured as {} — check the view", requested.as_str()))
    }
}

const SIDE_WIDTH_RATIO_DETECTED: f64 = super::view::SIDE_WIDTH_RATIO;

/// The runner's height in the picture: the median over frames of the landmarks' vertical extent,
/// pixels.
pub(crate) fn body_height_px(s: &Series) -> Option<f64> {
    let h: Vec<f64> = (0..s.len())
        .filter_map(|i| {
            let ys: Vec<f64> = s.y.iter().map(|c| c[i]).filter(|v| v.is_finite()).collect();
            if ys.len() < 10 {
                return None;
            }
            let (lo, hi) = ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            Some(hi - lo)
        })
        .collect();
    percentile(&h, 0.5)
}

/// A runner too small for the model: seen on too few frames, and small in the frame.
pub(crate) fn runner_size(body_px: f64, frame_height_px: u32, pose_share: f64) -> Option<Gate> {
    let frac = body_px / frame_height_px as f64;
    if frac < MIN_BODY_FRAC_OF_FRAME && pose_share < MIN_POSE_SHARE {
        return Some(Gate::Refuse(format!(
            "runner is {body_px:.0} px tall in a {frame_height_px} px high frame ({:.0} %) and the pose was found on only {:.0} % of the frames: too small for the pose model — film closer, the runner filling at least half the frame height",
            100.0 * frac,
            100.0 * pose_share
        )));
    }
    if body_px < MIN_BODY_PX {
        return Some(Gate::Refuse(format!(
            "runner is {body_px:.0} px tall ({:.0} % of the frame height): too small to measure (a pixel is ~2 % of leg length) — film closer, the runner filling at least half the frame height",
            100.0 * frac
        )));
    }
    if body_px < SMALL_BODY_PX {
        return warn(
            AlertKind::RunnerTooSmall,
            format!(
                "runner is only {body_px:.0} px tall ({:.0} % of the frame height): the landmarks are coarse (a pixel is ~{:.0} % of leg length) — film closer, the runner filling at least half the frame height",
                100.0 * frac,
                100.0 / (0.46 * body_px)
            ),
        );
    }
    None
}

/// A runner too small to measure in a landmarks file (no frame to compare with): the same pixel
/// bounds as a video's ([`MIN_BODY_PX`] refused, [`SMALL_BODY_PX`] warned). Landmarks are in pixels
/// of the frame they came from, so a runner a few pixels tall is one no pose model can measure.
pub(crate) fn runner_size_in_landmarks(body_px: f64) -> Option<Gate> {
    if body_px < MIN_BODY_PX {
        return Some(Gate::Refuse(format!(
            "the runner is {body_px:.1} px tall in these landmarks: too small to measure (at least {MIN_BODY_PX:.0} px; a pixel would be more than ~2 % of leg length) — landmarks are pixels of the frame: film closer, the runner filling at least half the frame height"
        )));
    }
    if body_px < SMALL_BODY_PX {
        return warn(
            AlertKind::RunnerTooSmall,
            format!(
                "the runner is only {body_px:.0} px tall in these landmarks: they are coarse (a pixel is ~{:.0} % of leg length) — film closer, the runner filling at least half the frame height",
                100.0 / (0.46 * body_px)
            ),
        );
    }
    None
}

/// The timing ± of an event whose frame-interval term was half of `dt_s`, restated for frames that
/// are really `dt_eff_s` apart (repeated frames): the other terms (the cues' SDs and
/// disagreement) are kept, as they were combined in quadrature.
pub(crate) fn with_frame_interval(uncertainty_s: f64, dt_s: f64, dt_eff_s: f64) -> f64 {
    let rest = (uncertainty_s * uncertainty_s - (dt_s / 2.0) * (dt_s / 2.0)).max(0.0);
    (rest + (dt_eff_s / 2.0) * (dt_eff_s / 2.0)).sqrt()
}

#[cfg(test)]
mod tests;
