//! Frame-to-frame tracking of one runner along a run of consecutive frames (a chain).
//!
//! Within a chain the ROI of frame t comes from the auxiliary landmarks of frame t−1, smoothed by the
//! One Euro filter (as MediaPipe's tracking mode does); when the landmark model's pose presence falls
//! below [`MIN_TRACKING_CONFIDENCE`] the pose is lost and the detector runs on the next frame.
//! [`TrackerState`] is what links one frame to the next; the pipeline hands it from one chain to the
//! next when the chains are consecutive, or starts a fresh one (see `pipeline`).

use ort::session::Session;

use super::detector::{Detection, Detector};
use super::landmark_model;
use super::one_euro::{OneEuro, AUX_BETA, AUX_DERIVATE_CUTOFF, AUX_MIN_CUTOFF};
use super::roi::Roi;
use super::Pose;
use crate::video::Frame;
use crate::Result;

/// `min_tracking_confidence` of mp.solutions.pose (default 0.5).
pub const MIN_TRACKING_CONFIDENCE: f32 = 0.5;

/// The ONNX sessions one worker uses.
pub struct Sessions {
    pub detector: Session,
    pub landmarks: Session,
    pub landmark_run_options: ort::session::RunOptions<ort::session::HasSelectedOutputs>,
}

#[derive(Debug, Clone)]
pub struct TrackerState {
    roi: Option<Roi>,
    /// Last known hip centre, to pick the same person when re-detecting.
    last_centre: Option<[f32; 2]>,
    filters: [OneEuro; 4],
}

impl Default for TrackerState {
    fn default() -> Self {
        let f = || OneEuro::new(AUX_MIN_CUTOFF, AUX_BETA, AUX_DERIVATE_CUTOFF);
        TrackerState { roi: None, last_centre: None, filters: [f(), f(), f(), f()] }
    }
}

impl TrackerState {
    /// A fresh state that, when it has to detect, picks the person nearest `centre` (the runner's
    /// last known hip centre: on a treadmill the runner stays where they were).
    pub fn with_hint(centre: Option<[f32; 2]>) -> TrackerState {
        TrackerState { last_centre: centre, ..TrackerState::default() }
    }

    pub fn last_centre(&self) -> Option<[f32; 2]> {
        self.last_centre
    }

    fn lose(&mut self) {
        let last_centre = self.last_centre;
        *self = TrackerState::default();
        self.last_centre = last_centre;
    }

    /// Picks the detection to follow: the best one when nothing is known, else the one nearest the
    /// last known hip centre, so that a second person in the frame never takes the runner's place.
    fn choose<'a>(&self, dets: &'a [Detection]) -> Option<&'a Detection> {
        let best = dets.first()?;
        match self.last_centre {
            None => Some(best),
            Some(c) => dets.iter().min_by(|a, b| dist2(a.keypoints[0], c).total_cmp(&dist2(b.keypoints[0], c))),
        }
    }

    /// One frame: detect if needed, run the landmark model, update the ROI for the next frame.
    pub fn step(&mut self, s: &mut Sessions, det: &Detector, frame: &Frame) -> Result<Option<Pose>> {
        let roi = match self.roi {
            Some(r) => r,
            None => {
                let dets = det.detect(&mut s.detector, &frame.image, frame.width, frame.height)?;
                match self.choose(&dets) {
                    Some(d) => d.roi(),
                    None => return Ok(None),
                }
            }
        };
        let out = landmark_model::run(&mut s.landmarks, &s.landmark_run_options, &frame.image, &roi)?;
        if out.presence < MIN_TRACKING_CONFIDENCE || !out.presence.is_finite() {
            self.lose();
            return Ok(None);
        }
        // Object scale for the filter: the side of the unscaled alignment square.
        let raw = Roi::from_alignment(out.aux[0], out.aux[1]);
        let scale = (raw.size / super::roi::ROI_SCALE).max(1e-6) as f64;
        let mut p = [0.0f32; 4];
        let vals = [out.aux[0][0], out.aux[0][1], out.aux[1][0], out.aux[1][1]];
        for k in 0..4 {
            p[k] = self.filters[k].apply(frame.time_s, 1.0 / scale, vals[k] as f64) as f32;
        }
        self.roi = Some(Roi::from_alignment([p[0], p[1]], [p[2], p[3]]));
        self.last_centre = Some(out.aux[0]);
        Ok(Some(Pose { landmarks: out.landmarks, score: out.presence }))
    }
}

fn dist2(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}
