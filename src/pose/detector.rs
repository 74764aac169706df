//! The BlazePose person detector: letterboxed frame in, detections in frame pixels out.
//!
//! Decoding follows MediaPipe's TensorsToDetectionsCalculator options in pose_detection_cpu.pbtxt
//! (12 values per anchor: box x, y, w, h then 4 keypoints, offsets in 224-px units from the anchor
//! centre; scores are logits clipped to ±100), then weighted non-max suppression at IoU 0.3.
//! The box is around the face; the keypoints carry the body: 0 hip centre, 1 a point above the head
//! setting size and rotation (2, 3: the upper-body pair, unused here).

use ort::session::Session;
use ort::value::TensorRef;

use super::anchors::{self, Anchor};
use super::preprocess::{warp_to_tensor, Border};
use super::roi::{Letterbox, Roi};
use super::sigmoid;
use crate::Result;

pub(crate) const NUM_COORDS: usize = 12;
pub(crate) const NUM_KEYPOINTS: usize = 4;
pub(crate) const SCORE_CLIP: f32 = 100.0;
/// `min_detection_confidence` of mp.solutions.pose (default 0.5).
pub(crate) const MIN_SCORE: f32 = 0.5;
pub(crate) const NMS_IOU: f32 = 0.3;

/// A detection in normalised coordinates of whatever space it was decoded in.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    pub score: f32,
    /// x_min, y_min, x_max, y_max
    pub bbox: [f32; 4],
    pub keypoints: [[f32; 2]; NUM_KEYPOINTS],
}

impl Detection {
    /// The body ROI: centred on the hip centre, sized and turned by the point above the head.
    pub fn roi(&self) -> Roi {
        Roi::from_alignment(self.keypoints[0], self.keypoints[1])
    }

    fn area(&self) -> f32 {
        (self.bbox[2] - self.bbox[0]).max(0.0) * (self.bbox[3] - self.bbox[1]).max(0.0)
    }

    fn iou(&self, o: &Detection) -> f32 {
        let w = (self.bbox[2].min(o.bbox[2]) - self.bbox[0].max(o.bbox[0])).max(0.0);
        let h = (self.bbox[3].min(o.bbox[3]) - self.bbox[1].max(o.bbox[1])).max(0.0);
        let inter = w * h;
        let union = self.area() + o.area() - inter;
        if union <= 0.0 {
            0.0
        } else {
            inter / union
        }
    }
}

/// Decodes raw model outputs (`boxes`: NUM_ANCHORS x 12, `logits`: NUM_ANCHORS) into detections with
/// normalised coordinates of the 224x224 input, keeping those scoring at least `min_score`.
pub fn decode(boxes: &[f32], logits: &[f32], anchors: &[Anchor], min_score: f32) -> Vec<Detection> {
    let s = anchors::INPUT_SIZE as f32;
    let mut out = Vec::new();
    for (i, a) in anchors.iter().enumerate() {
        let Some(&logit) = logits.get(i) else { break };
        let score = sigmoid(logit.clamp(-SCORE_CLIP, SCORE_CLIP));
        if score < min_score || !score.is_finite() {
            continue;
        }
        let Some(r) = boxes.get(i * NUM_COORDS..(i + 1) * NUM_COORDS) else { break };
        let (cx, cy) = (r[0] / s + a.x, r[1] / s + a.y);
        let (w, h) = (r[2] / s, r[3] / s);
        let mut keypoints = [[0.0; 2]; NUM_KEYPOINTS];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = [r[4 + 2 * k] / s + a.x, r[5 + 2 * k] / s + a.y];
        }
        out.push(Detection { score, bbox: [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0], keypoints });
    }
    out
}

/// MediaPipe's WEIGHTED non-max suppression: each cluster of boxes overlapping the best remaining one
/// by more than `iou` becomes one detection, its coordinates the score-weighted mean of the cluster's
/// and its score the best one's.
pub(crate) fn weighted_nms(mut dets: Vec<Detection>, iou: f32) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    while !dets.is_empty() {
        let best = dets[0].clone();
        let (cluster, rest): (Vec<_>, Vec<_>) = dets.into_iter().partition(|d| best.iou(d) > iou || *d == best);
        dets = rest;
        let total: f32 = cluster.iter().map(|d| d.score).sum();
        let mut merged = Detection { score: best.score, bbox: [0.0; 4], keypoints: [[0.0; 2]; NUM_KEYPOINTS] };
        for d in &cluster {
            let w = d.score / total;
            for j in 0..4 {
                merged.bbox[j] += d.bbox[j] * w;
            }
            for k in 0..NUM_KEYPOINTS {
                merged.keypoints[k][0] += d.keypoints[k][0] * w;
                merged.keypoints[k][1] += d.keypoints[k][1] * w;
            }
        }
        out.push(merged);
    }
    out
}

/// Runs the detector on a whole frame; detections in frame pixels, best first.
pub(crate) struct Detector {
    anchors: Vec<Anchor>,
}

impl Default for Detector {
    fn default() -> Self {
        Self::new()
    }
}

impl Detector {
    pub fn new() -> Self {
        Detector { anchors: anchors::generate() }
    }

    /// People in the frame, in frame pixels: the whole frame letterboxed, as MediaPipe does; when
    /// that finds no one in an elongated frame (a wide landscape shot), square tiles of its short
    /// side across it (see [`search_tiles`]), where a small person is up to 1.8× larger.
    pub fn detect(&self, session: &mut Session, frame: &opencv::core::Mat, width: u32, height: u32) -> Result<Vec<Detection>> {
        let n = anchors::INPUT_SIZE as u32;
        let whole = self.detect_in(session, frame, &Letterbox::new(width, height, n))?;
        if !whole.is_empty() {
            return Ok(whole);
        }
        let mut all = Vec::new();
        for lb in search_tiles(width, height, n) {
            all.extend(self.detect_in(session, frame, &lb)?);
        }
        all.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(weighted_nms(all, NMS_IOU))
    }

    fn detect_in(&self, session: &mut Session, frame: &opencv::core::Mat, lb: &Letterbox) -> Result<Vec<Detection>> {
        let n = anchors::INPUT_SIZE;
        let input = warp_to_tensor(frame, &lb.input_to_frame(), n as i32, Border::Zero, -1.0, 1.0)?;
        let outputs = session.run(ort::inputs![TensorRef::from_array_view(([1usize, n, n, 3], &*input))?])?;
        let mut boxes = Vec::new();
        let mut logits = Vec::new();
        for (_, v) in outputs.iter() {
            let (_, data) = v.try_extract_tensor::<f32>()?;
            if data.len() == anchors::NUM_ANCHORS * NUM_COORDS {
                boxes = data.to_vec();
            } else if data.len() == anchors::NUM_ANCHORS {
                logits = data.to_vec();
            }
        }
        if boxes.is_empty() || logits.is_empty() {
            return Err(crate::Error::Inference("detector model has unexpected outputs".into()));
        }
        let dets = weighted_nms(decode(&boxes, &logits, &self.anchors, MIN_SCORE), NMS_IOU);
        Ok(dets
            .into_iter()
            .map(|mut d| {
                let a = lb.normalized_to_frame(d.bbox[0], d.bbox[1]);
                let b = lb.normalized_to_frame(d.bbox[2], d.bbox[3]);
                d.bbox = [a[0], a[1], b[0], b[1]];
                for kp in d.keypoints.iter_mut() {
                    *kp = lb.normalized_to_frame(kp[0], kp[1]);
                }
                d
            })
            .collect())
    }
}

/// A frame whose long side exceeds its short one by more than this is searched in tiles when the
/// whole frame finds no one.
pub(crate) const TILE_ASPECT: f32 = 1.25;

/// Square tiles of the frame's short side, overlapping by at least half a tile, covering the long
/// side (16:9: three tiles), each as the letterbox of its square (the detector's input scale
/// n / short side instead of n / long side).
pub(crate) fn search_tiles(width: u32, height: u32, n: u32) -> Vec<Letterbox> {
    let (long, short) = (width.max(height) as f32, width.min(height) as f32);
    if short <= 0.0 || long < TILE_ASPECT * short {
        return Vec::new();
    }
    let count = ((long - short) / (0.5 * short)).ceil() as usize + 1;
    let scale = n as f32 / short;
    (0..count)
        .map(|k| {
            let off = (long - short) * k as f32 / (count - 1) as f32;
            let (ox, oy) = if width >= height { (off, 0.0) } else { (0.0, off) };
            Letterbox { scale, pad_x: -ox * scale, pad_y: -oy * scale, n: n as f32 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn tiles_cover_a_wide_frame_and_map_back_to_it() {
        assert!(search_tiles(720, 1280, 224).len() == 3);
        assert!(search_tiles(1000, 1100, 224).is_empty());
        let t = search_tiles(1920, 1080, 224);
        assert_eq!(t.len(), 3);
        // the last tile's far corner is the frame's
        let c = t[2].normalized_to_frame(1.0, 1.0);
        assert!((c[0] - 1920.0).abs() < 0.01 && (c[1] - 1080.0).abs() < 0.01, "{c:?}");
        let c = t[1].normalized_to_frame(0.0, 0.0);
        assert!((c[0] - 420.0).abs() < 0.01 && c[1].abs() < 0.01, "{c:?}");
    }

    use super::*;

    fn raw_for(anchor: usize, anchors: &[Anchor], centre_px: [f32; 2]) -> Vec<f32> {
        let mut v = vec![0.0; NUM_COORDS];
        let a = anchors[anchor];
        v[0] = centre_px[0] - a.x * 224.0;
        v[1] = centre_px[1] - a.y * 224.0;
        v[2] = 20.0;
        v[3] = 20.0;
        for k in 0..NUM_KEYPOINTS {
            v[4 + 2 * k] = centre_px[0] + 10.0 * k as f32 - a.x * 224.0;
            v[5 + 2 * k] = centre_px[1] - 30.0 * k as f32 - a.y * 224.0;
        }
        v
    }

    #[test]
    fn decode_places_boxes_and_keypoints_from_anchor_offsets() {
        let anchors = anchors::generate();
        let mut boxes = vec![0.0; anchors::NUM_ANCHORS * NUM_COORDS];
        let mut logits = vec![-10.0; anchors::NUM_ANCHORS];
        boxes[300 * NUM_COORDS..301 * NUM_COORDS].copy_from_slice(&raw_for(300, &anchors, [100.0, 80.0]));
        logits[300] = 3.0;
        let d = decode(&boxes, &logits, &anchors, 0.5);
        assert_eq!(d.len(), 1);
        assert!((d[0].score - sigmoid(3.0)).abs() < 1e-6);
        let c = [(d[0].bbox[0] + d[0].bbox[2]) / 2.0 * 224.0, (d[0].bbox[1] + d[0].bbox[3]) / 2.0 * 224.0];
        assert!((c[0] - 100.0).abs() < 1e-3 && (c[1] - 80.0).abs() < 1e-3);
        assert!((d[0].keypoints[1][0] * 224.0 - 110.0).abs() < 1e-3);
        assert!((d[0].keypoints[1][1] * 224.0 - 50.0).abs() < 1e-3);
    }

    #[test]
    fn weighted_nms_merges_overlaps_and_keeps_separate_people() {
        let mk = |score: f32, x: f32| Detection { score, bbox: [x, 0.1, x + 0.1, 0.2], keypoints: [[x + 0.05, 0.5]; NUM_KEYPOINTS] };
        let out = weighted_nms(vec![mk(0.9, 0.10), mk(0.6, 0.11), mk(0.8, 0.60)], NMS_IOU);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        // weighted mean of 0.10 and 0.11 by 0.9 and 0.6
        let expect = (0.10 * 0.9 + 0.11 * 0.6) / 1.5;
        assert!((out[0].bbox[0] - expect).abs() < 1e-6);
        assert!((out[1].bbox[0] - 0.60).abs() < 1e-6);
    }
}
