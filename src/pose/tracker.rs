//! Frame-to-frame tracking of everyone in view along a run of frames (a chain).
//!
//! Each person is a [`Track`]: the ROI of a frame comes from the auxiliary landmarks of the track's
//! previous frame, smoothed by the One Euro filter (as MediaPipe's tracking mode does); when the
//! landmark model's pose presence falls below [`MIN_TRACKING_CONFIDENCE`] the track ends.
//! MediaPipe follows one person, whoever the detector scores best first — in a clinic that can be
//! the physio beside the treadmill, and the runner is then never measured. So a [`Tracker`] follows
//! up to [`MAX_PEOPLE`]: the detector runs when no one is tracked, after a track ends, and every
//! [`CENSUS_S`] to find people not yet followed (a runner stepping on the belt, a coach walking in).
//! Who the runner is is decided later, from the whole video (`runner`). With one person in view the
//! cost is MediaPipe's plus a detector run per census.

use ort::session::Session;

use super::detector::Detector;
use super::landmark_model;
use super::one_euro::{OneEuro, AUX_BETA, AUX_DERIVATE_CUTOFF, AUX_MIN_CUTOFF};
use super::roi::Roi;
use super::Pose;
use crate::video::Frame;
use crate::Result;

/// `min_tracking_confidence` of mp.solutions.pose (default 0.5).
pub(crate) const MIN_TRACKING_CONFIDENCE: f32 = 0.5;
/// Most people followed at once.
pub(crate) const MAX_PEOPLE: usize = 3;
/// The detector looks for people not yet followed this often, seconds.
pub(crate) const CENSUS_S: f64 = 1.0;
/// A census that sees no one is repeated on the next frames for up to this long, seconds.
pub(crate) const CENSUS_RETRY_S: f64 = 0.25;
/// A track followed this many frames is a person, not a false detection.
pub(crate) const ESTABLISHED_FRAMES: usize = 3;
/// A detection or track whose ROI centre lies within this fraction of a followed one's ROI size is
/// the same person.
pub(crate) const SAME_PERSON_ROI: f32 = 0.35;

/// The ONNX sessions one worker uses.
pub struct Sessions {
    pub detector: Session,
    pub landmarks: Session,
    pub landmark_run_options: ort::session::RunOptions<ort::session::HasSelectedOutputs>,
}

/// One person followed from frame to frame.
#[derive(Debug, Clone)]
pub(crate) struct Track {
    roi: Roi,
    filters: [OneEuro; 4],
    /// Frames followed.
    age: usize,
}

impl Track {
    fn new(roi: Roi) -> Track {
        let f = || OneEuro::new(AUX_MIN_CUTOFF, AUX_BETA, AUX_DERIVATE_CUTOFF);
        Track { roi, filters: [f(), f(), f(), f()], age: 0 }
    }

    /// The landmark model on this track's ROI; the ROI for its next frame. None: the person is lost.
    fn step(&mut self, s: &mut Sessions, frame: &Frame) -> Result<Option<Pose>> {
        let out = landmark_model::run(&mut s.landmarks, &s.landmark_run_options, &frame.image, &self.roi)?;
        if out.presence < MIN_TRACKING_CONFIDENCE || !out.presence.is_finite() {
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
        self.roi = Roi::from_alignment([p[0], p[1]], [p[2], p[3]]);
        self.age += 1;
        Ok(Some(Pose { landmarks: out.landmarks, score: out.presence }))
    }

    fn same_person(&self, roi: &Roi) -> bool {
        (self.roi.cx - roi.cx).hypot(self.roi.cy - roi.cy) < SAME_PERSON_ROI * self.roi.size.max(roi.size)
    }
}

/// Everyone followed along one chain of frames.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tracker {
    tracks: Vec<Track>,
    /// Time of the last detector run.
    last_census: Option<f64>,
    /// A person followed for a while was lost on the previous frame: look again at once (as
    /// MediaPipe does), not at the next census. (A detection that never became a pose — a poster,
    /// a reflection — does not count, or the detector would run on every frame.)
    lost: bool,
    /// The last census saw no one: look again.
    retry: bool,
}

impl Tracker {
    /// One frame: the detector when due, then the landmark model for each person followed. Returns
    /// their poses (any order).
    pub fn step(&mut self, s: &mut Sessions, det: &Detector, frame: &Frame) -> Result<Vec<Pose>> {
        let due = self.tracks.is_empty() || self.lost || self.retry || self.last_census.is_none_or(|t| frame.time_s - t >= CENSUS_S);
        if due && self.tracks.len() < MAX_PEOPLE {
            let dets = det.detect(&mut s.detector, &frame.image, frame.width, frame.height)?;
            // a census that sees no one at all (even those followed) says nothing: look again on
            // the next frame, for up to CENSUS_RETRY_S
            let first_try = !self.retry;
            if first_try {
                self.last_census = Some(frame.time_s);
            }
            self.retry = dets.is_empty() && !self.tracks.is_empty() && self.last_census.is_some_and(|t| frame.time_s - t < CENSUS_RETRY_S);
            self.lost = false;
            for d in dets {
                let roi = d.roi();
                if self.tracks.len() < MAX_PEOPLE && !self.tracks.iter().any(|t| t.same_person(&roi)) {
                    self.tracks.push(Track::new(roi));
                }
            }
        }
        let mut poses = Vec::with_capacity(self.tracks.len());
        let mut keep = Vec::with_capacity(self.tracks.len());
        for mut t in std::mem::take(&mut self.tracks) {
            match t.step(s, frame)? {
                // two tracks that have drifted onto the same person: the first one stays
                Some(p) if !keep.iter().any(|k: &Track| k.same_person(&t.roi)) => {
                    poses.push(p);
                    keep.push(t);
                }
                Some(_) => {}
                None => self.lost |= t.age >= ESTABLISHED_FRAMES,
            }
        }
        self.tracks = keep;
        Ok(poses)
    }
}
