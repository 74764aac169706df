//! Treadmill-aware gait events: initial contact (IC) and toe-off (TO) of each foot, with sub-frame
//! timing.
//!
//! On a treadmill the belt carries the stance foot backwards, so the foot is not still in the image
//! during stance (methods made for overground walking, which look for a still foot, fail). Two things
//! stay true: the stance foot is at its lowest — on the belt — and, in side views, it moves backwards;
//! the swing foot comes forward. So:
//! - side views ([`contacts_side`], `side_view`): each forward-most turn of the heel is a landing —
//!   IC is the instant the heel stops coming forward, fitted to a fraction of a frame; the foot must
//!   then be on the belt, and TO is where its lowest point leaves the belt;
//! - frontal views ([`contacts`], `frontal`), where forward motion is not seen: the foot's lowest
//!   point (heel or toe; the ankle where the foot landmarks are missing) measured above the belt line
//!   (`belt`), and contact where it stays within a threshold set from the leg length and the
//!   signal's noise; IC and TO are the corners where it reaches and leaves the belt (`corner`).
//!
//! The belt line is fitted through the stance samples (it also gives the camera's tilt). Timing
//! uncertainty is stated from the frame rate by the caller. This module holds the contact and what
//! both views share, and [`detect`], which runs one foot through them.

pub(crate) use super::belt::{belt_speed, foot_lowest, height};
use super::belt::{fit_belt, heel_sole_offset, BeltLine, BELT_BAND_LEG};
use super::frontal::{contacts, refine_frontal};
use super::series::Series;
pub use super::side::Side;
pub(crate) use super::side_view::refine_side;
use super::side_view::{contacts_side, foot_tracks, FootTracks};
use super::signal::{median3, velocity};
use super::stats::median_upper;
use crate::pose::idx::*;

/// Shortest contact accepted, seconds (running stance is ≥ 0.15 s; this rejects a swing foot grazing
/// the threshold).
pub(crate) const MIN_CONTACT_S: f64 = 0.04;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contact {
    pub side: Side,
    pub ic_time_s: f64,
    /// Toe-off time; None when the video ends (or the foot is lost) before it.
    pub to_time_s: Option<f64>,
    /// First and last sample index inside the contact.
    pub first: usize,
    pub last: usize,
    /// Which foot point the timing used.
    pub foot_point: FootPoint,
    /// ± seconds on `ic_time_s`: half a frame, and in side views the landing model's cues' SDs and
    /// disagreement ([`super::landing::Event`]).
    pub ic_uncertainty_s: f64,
    /// Side views: the landing model's two cues (seconds; None where a cue could not be fitted), and
    /// the forward turn that bounds IC from below.
    pub ic_by_motion_s: Option<f64>,
    pub ic_by_height_s: Option<f64>,
    pub forward_turn_s: Option<f64>,
    /// Side views: the point that touched the belt first.
    pub touching: Option<Touching>,
    /// Side views: the landing's height cue came from the sole measured in the pixels (else from
    /// the heel or toe landmark).
    pub sole_from_pixels: bool,
}

/// The part of the foot that touches the belt first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Touching {
    Heel,
    Toe,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FootPoint {
    HeelOrToe,
    Ankle,
}

/// All contacts of one foot, from the smoothed series `s` and the unsmoothed `raw` (timing).
/// `x_sign` turns image x into the runner's forward; `pelvis_fwd` is the pelvis's forward coordinate
/// per sample in side views ([`contacts_side`]: the forward path finds and times the landings) and
/// None in frontal views ([`contacts`]: the height alone). Two passes: the first finds stances with
/// the landmarks as they are, the second moves the heel down to the sole using them and detects again.
pub(crate) fn detect(
    s: &Series,
    raw: &Series,
    side: Side,
    x_sign: f64,
    pelvis_fwd: Option<&[f64]>,
    leg_px: f64,
) -> (Vec<Contact>, Option<BeltLine>, Option<FootTracks>) {
    let o = side.offset();
    let once = |offset: f64| -> (Vec<Contact>, Option<BeltLine>) {
        let (fx, fy, point) = foot_lowest(s, side, offset);
        // forward speed relative to the pelvis (side views): backwards in stance
        let rel: Option<Vec<f64>> = pelvis_fwd.map(|p| {
            let fwd: Vec<f64> = fx.iter().map(|x| x_sign * x).collect();
            let v = velocity(&s.t, &fwd);
            let vp = velocity(&s.t, p);
            v.iter().zip(&vp).map(|(a, b)| a - b).collect()
        });
        let Some(belt) = fit_belt(&fx, &fy, rel.as_deref(), BELT_BAND_LEG * leg_px) else { return (Vec::new(), None) };
        let (rx, ry, _) = foot_lowest(raw, side, offset);
        // a 3-sample median removes one-frame dips (a blurred foot's landmark jumping to the belt)
        // and leaves monotonic descents, steps and plateaus as they are
        let h_raw = median3(&height(&rx, &ry, &belt));
        let h = median3(&height(&fx, &fy, &belt));
        let c = match pelvis_fwd {
            None => {
                let mut c = contacts(&s.t, &h, Some(&h_raw), side, point, leg_px);
                refine_frontal(&s.t, &h_raw, &mut c);
                c
            }
            Some(p) => {
                // the heel's path (the ankle's where the foot points are not tracked), relative to
                // the pelvis to find the turns (a runner drifting on the belt moves them all), in
                // the image to time them (where the heel stops coming forward)
                let back = if point == FootPoint::HeelOrToe { LEFT_HEEL + o } else { LEFT_ANKLE + o };
                // the foot's forward position as the median of heel, ankle and toe (a landmark that
                // jumps to the other foot for a frame or two is outvoted), then a 3-sample median
                // in time: the turns are found on it
                let foot = [back, LEFT_ANKLE + o, LEFT_FOOT_INDEX + o];
                let fwd_rel: Vec<f64> = median3(
                    &(0..s.len())
                        .map(|i| {
                            let v: Vec<f64> = foot.iter().map(|&lm| raw.x[lm][i]).collect();
                            median_upper(&v).map_or(f64::NAN, |m| x_sign * m - p[i])
                        })
                        .collect::<Vec<_>>(),
                );
                // measured samples only: a gap filled by interpolation would cut the turn's corner
                let fwd_raw: Vec<f64> = raw.x[back]
                    .iter()
                    .zip(&raw.vis[back])
                    .map(|(x, v)| if *v >= super::signal::MIN_VISIBILITY { x_sign * x } else { f64::NAN })
                    .collect();
                contacts_side(&s.t, &h, &h_raw, &fwd_rel, &fwd_raw, side, point, leg_px)
            }
        };
        (c, Some(belt))
    };
    let (first, _) = once(0.0);
    let offset = heel_sole_offset(s, side, &first);
    let (c, belt) = once(offset);
    // side views: the touching points, for the landing model ([`refine_side`])
    let tracks = match (pelvis_fwd, belt) {
        (Some(_), Some(b)) => Some(foot_tracks(raw, side, x_sign, &b, offset)),
        _ => None,
    };
    (c, belt, tracks)
}

/// Side views: the stance portion whose samples give a point's level on the belt and the belt's
/// speed — the heel between these fractions of the stance (foot flat, before heel-off)…
pub(crate) const HEEL_FLAT: (f64, f64) = (0.2, 0.55);
/// …and the toe (flat until push-off).
pub(crate) const TOE_FLAT: (f64, f64) = (0.2, 0.75);
/// The landing is searched from half a frame before the forward turn to this after it, seconds.
pub(crate) const LANDING_SEARCH_S: f64 = 0.12;
/// The air side of a landing is fitted over at least this before the forward turn
/// ([`LANDING_AIR_FRAMES`] frames, if longer), seconds: enough air samples for the air curve to be
/// fitted, not only passed through, when the foot lands right at its turn.
pub(crate) const LANDING_AIR_S: f64 = 0.065;
pub(crate) const LANDING_AIR_FRAMES: f64 = 3.0;
/// A contact the landing model could not time keeps its forward turn, with this timing
/// uncertainty added (the typical turn-to-contact lag of real runners), seconds.
pub(crate) const UNTIMED_UNCERTAINTY_S: f64 = 0.04;
