//! Which way the camera looks at the runner, from the landmarks: a side view (runner facing image
//! left or right) when the shoulders and hips overlap in the image, a rear or front view when they
//! are spread across it. Front and rear are told apart by the face: its landmarks are visible from the
//! front; from behind, the runner's left side is on the image's left.

use super::geometry::{dist, mid};
use super::series::Series;
use super::stats::median_upper;
use crate::pose::idx::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum View {
    /// Side view, runner facing the image's left.
    SideLeft,
    /// Side view, runner facing the image's right.
    SideRight,
    Rear,
    Front,
}

impl View {
    pub(crate) fn is_side(self) -> bool {
        matches!(self, View::SideLeft | View::SideRight)
    }

    /// +1 when the runner's forward is image +x, −1 when it is −x (side views); 0 otherwise.
    pub(crate) fn forward_sign(self) -> f64 {
        match self {
            View::SideLeft => -1.0,
            View::SideRight => 1.0,
            _ => 0.0,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            View::SideLeft => "side-left",
            View::SideRight => "side-right",
            View::Rear => "rear",
            View::Front => "front",
        }
    }
}

/// Width of shoulders and hips over torso length below which the view is a side view.
pub(crate) const SIDE_WIDTH_RATIO: f64 = 0.35;

#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewEvidence {
    pub view: View,
    /// Median (shoulder width + hip width) / (2 · torso length).
    pub width_ratio: f64,
}

pub(crate) fn detect(s: &Series) -> Option<ViewEvidence> {
    let n = s.len();
    let mut width = Vec::with_capacity(n);
    let mut facing = Vec::with_capacity(n);
    let mut lr = Vec::with_capacity(n);
    let mut face_vis = Vec::with_capacity(n);
    for i in 0..n {
        let (ls, rs, lh, rh) = (s.point(LEFT_SHOULDER, i), s.point(RIGHT_SHOULDER, i), s.point(LEFT_HIP, i), s.point(RIGHT_HIP, i));
        let (sc, hc) = (mid(ls, rs), mid(lh, rh));
        let torso = dist(sc, hc);
        if !(torso > 0.0) {
            continue;
        }
        width.push(((ls[0] - rs[0]).abs() + (lh[0] - rh[0]).abs()) / (2.0 * torso));
        // nose ahead of the ears' midpoint along x gives the facing direction
        let ears = (s.x[7][i] + s.x[8][i]) / 2.0;
        facing.push((s.x[NOSE][i] - ears) / torso);
        lr.push(((ls[0] - rs[0]) + (lh[0] - rh[0])) / torso);
        face_vis.push(s.vis[NOSE][i]);
    }
    let width_ratio = median_upper(&width)?;
    let view = if width_ratio < SIDE_WIDTH_RATIO {
        if median_upper(&facing)? < 0.0 {
            View::SideLeft
        } else {
            View::SideRight
        }
    } else {
        // From behind the runner's left is on the image's left (left x < right x); the face is hidden.
        let left_on_left = median_upper(&lr)? < 0.0;
        let face = median_upper(&face_vis).unwrap_or(0.0) > 0.5;
        match (left_on_left, face) {
            (true, false) => View::Rear,
            (false, true) => View::Front,
            (true, true) => View::Rear,
            (false, false) => View::Front,
        }
    };
    Some(ViewEvidence { view, width_ratio })
}
