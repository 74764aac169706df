//! The BlazePose landmark model on one ROI: a 256x256 crop in, 39 landmarks (33 body + 6 auxiliary,
//! of which 33/34 place the next ROI) and the pose-presence probability out, mapped back to frame
//! pixels (MediaPipe's TensorsToLandmarks + LandmarkProjection).

use ort::session::{HasSelectedOutputs, OutputSelector, RunOptions, Session};
use ort::value::TensorRef;

use super::preprocess::{warp_to_tensor, Border};
use super::roi::Roi;
use super::{sigmoid, Landmark, NUM_LANDMARKS};
use crate::Result;

pub(crate) const INPUT_SIZE: usize = 256;
/// Landmarks in the model output: 33 body + auxiliary ones.
pub(crate) const NUM_OUTPUT_LANDMARKS: usize = 39;
pub(crate) const VALUES_PER_LANDMARK: usize = 5;
/// Auxiliary landmarks that define the next frame's ROI: hip centre and a point above the head.
pub(crate) const AUX_CENTRE: usize = 33;
pub(crate) const AUX_SCALE: usize = 34;
/// Heatmap refinement (MediaPipe's RefineLandmarksFromHeatmapCalculator in
/// tensors_to_pose_landmarks_and_segmentation.pbtxt): 64x64 heatmap per landmark, 7x7 kernel,
/// applied where the heatmap's peak confidence reaches 0.5.
pub(crate) const HEATMAP_SIZE: usize = 64;
pub(crate) const HEATMAP_KERNEL: usize = 7;
pub(crate) const HEATMAP_MIN_CONFIDENCE: f32 = 0.5;

/// Replaces each landmark's crop x, y (pixels of the NxN crop, in `raw`) by the confidence-weighted
/// mean position of the heatmap cells in a 7x7 window around it, as MediaPipe does (its window
/// centre is the truncated cell index and the mean is of cell indices, without a half-cell offset).
pub(crate) fn refine_from_heatmap(raw: &mut [f32], heatmap: &[f32], n: f32) {
    let (hw, ch) = (HEATMAP_SIZE as i64, NUM_OUTPUT_LANDMARKS);
    if heatmap.len() != HEATMAP_SIZE * HEATMAP_SIZE * ch || raw.len() < ch * VALUES_PER_LANDMARK {
        return;
    }
    let off = (HEATMAP_KERNEL as i64 - 1) / 2;
    for lm in 0..ch {
        let (x, y) = (raw[lm * VALUES_PER_LANDMARK] / n, raw[lm * VALUES_PER_LANDMARK + 1] / n);
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        let (cc, cr) = ((x * hw as f32) as i64, (y * hw as f32) as i64);
        if cc < 0 || cc >= hw || cr < 0 || cr >= hw {
            continue;
        }
        let (mut sum, mut wc, mut wr, mut max) = (0f32, 0f32, 0f32, 0f32);
        for row in (cr - off).max(0)..(cr + off + 1).min(hw) {
            for col in (cc - off).max(0)..(cc + off + 1).min(hw) {
                let c = sigmoid(heatmap[((row * hw + col) as usize) * ch + lm]);
                sum += c;
                max = max.max(c);
                wc += col as f32 * c;
                wr += row as f32 * c;
            }
        }
        if max >= HEATMAP_MIN_CONFIDENCE && sum > 0.0 {
            raw[lm * VALUES_PER_LANDMARK] = wc / hw as f32 / sum * n;
            raw[lm * VALUES_PER_LANDMARK + 1] = wr / hw as f32 / sum * n;
        }
    }
}

/// The landmark model's answer for one ROI.
#[derive(Debug, Clone)]
pub struct RoiLandmarks {
    pub landmarks: [Landmark; NUM_LANDMARKS],
    /// Frame pixels of the auxiliary centre and scale points.
    pub aux: [[f32; 2]; 2],
    /// Pose presence probability.
    pub presence: f32,
}

/// Converts the raw 39x5 output (crop pixels, logits) into frame-pixel landmarks.
pub fn project(raw: &[f32], roi: &Roi) -> Option<([Landmark; NUM_LANDMARKS], [[f32; 2]; 2])> {
    if raw.len() < NUM_OUTPUT_LANDMARKS * VALUES_PER_LANDMARK {
        return None;
    }
    let n = INPUT_SIZE as f32;
    let m = roi.crop_to_frame(n);
    let lm = |i: usize| &raw[i * VALUES_PER_LANDMARK..(i + 1) * VALUES_PER_LANDMARK];
    let mut out = [Landmark::default(); NUM_LANDMARKS];
    for (i, o) in out.iter_mut().enumerate() {
        let r = lm(i);
        let p = super::roi::apply(&m, r[0], r[1]);
        *o = Landmark { x: p[0], y: p[1], z: r[2] / n * roi.size, visibility: sigmoid(r[3]), presence: sigmoid(r[4]) };
    }
    let a = lm(AUX_CENTRE);
    let b = lm(AUX_SCALE);
    let aux = [super::roi::apply(&m, a[0], a[1]), super::roi::apply(&m, b[0], b[1])];
    Some((out, aux))
}

/// Run options asking for the outputs we use (landmarks, presence, heatmap), recognised by their
/// element counts. (ONNX Runtime runs every node of a graph whatever a run asks for: the unused
/// outputs — segmentation mask, world landmarks — are cut from the model itself when it is
/// converted, scripts/convert_models.py.)
pub(crate) fn run_options(session: &Session) -> Result<RunOptions<HasSelectedOutputs>> {
    let wanted = [NUM_OUTPUT_LANDMARKS * VALUES_PER_LANDMARK, 1, HEATMAP_SIZE * HEATMAP_SIZE * NUM_OUTPUT_LANDMARKS];
    let mut sel = OutputSelector::no_default();
    let mut found = 0;
    for o in session.outputs() {
        let count = o.dtype().tensor_shape().map(|s| s.iter().map(|&d| d.max(1)).product::<i64>() as usize);
        if count.is_some_and(|c| wanted.contains(&c)) {
            sel = sel.with(o.name());
            found += 1;
        }
    }
    if found != wanted.len() {
        return Err(crate::Error::Inference("landmark model has unexpected outputs".into()));
    }
    Ok(RunOptions::new()?.with_outputs(sel))
}

pub fn run(session: &mut Session, opts: &RunOptions<HasSelectedOutputs>, frame: &opencv::core::Mat, roi: &Roi) -> Result<RoiLandmarks> {
    let n = INPUT_SIZE;
    let input = warp_to_tensor(frame, &roi.crop_to_frame(n as f32), n as i32, Border::Replicate, 0.0, 1.0)?;
    let outputs = session.run_with_options(ort::inputs![TensorRef::from_array_view(([1usize, n, n, 3], &*input))?], opts)?;
    let mut raw: Option<Vec<f32>> = None;
    let mut presence = None;
    let mut heatmap = None;
    for (_, v) in outputs.iter() {
        let (_, data) = v.try_extract_tensor::<f32>()?;
        if data.len() == NUM_OUTPUT_LANDMARKS * VALUES_PER_LANDMARK {
            raw = Some(data.to_vec());
        } else if data.len() == 1 {
            presence = Some(data[0]);
        } else if data.len() == HEATMAP_SIZE * HEATMAP_SIZE * NUM_OUTPUT_LANDMARKS {
            heatmap = Some(data.to_vec());
        }
    }
    let (Some(mut raw), Some(presence), Some(heatmap)) = (raw, presence, heatmap) else {
        return Err(crate::Error::Inference("landmark model has unexpected outputs".into()));
    };
    refine_from_heatmap(&mut raw, &heatmap, n as f32);
    let (landmarks, aux) = project(&raw, roi).ok_or_else(|| crate::Error::Inference("short landmark output".into()))?;
    Ok(RoiLandmarks { landmarks, aux, presence })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_maps_crop_centre_to_roi_centre_and_scales_z() {
        let roi = Roi { cx: 400.0, cy: 600.0, size: 512.0, rotation: 0.0 };
        let mut raw = vec![0.0; NUM_OUTPUT_LANDMARKS * VALUES_PER_LANDMARK];
        raw[0] = 128.0;
        raw[1] = 128.0;
        raw[2] = 10.0;
        raw[3] = 0.0; // visibility logit 0 → 0.5
        raw[5] = 0.0; // landmark 1 at crop (0,0)
        let (lms, _) = project(&raw, &roi).unwrap();
        assert!((lms[0].x - 400.0).abs() < 1e-3 && (lms[0].y - 600.0).abs() < 1e-3);
        assert!((lms[0].z - 20.0).abs() < 1e-4);
        assert!((lms[0].visibility - 0.5).abs() < 1e-6);
        assert!((lms[1].x - 144.0).abs() < 1e-3 && (lms[1].y - 344.0).abs() < 1e-3);
    }

    #[test]
    fn heatmap_refinement_moves_to_the_weighted_peak_only_when_confident() {
        let ch = NUM_OUTPUT_LANDMARKS;
        let mut hm = vec![-20.0f32; HEATMAP_SIZE * HEATMAP_SIZE * ch];
        // landmark 0: a confident peak at cell (col 33, row 20)
        hm[(20 * HEATMAP_SIZE + 33) * ch] = 20.0;
        let mut raw = vec![0.0f32; ch * VALUES_PER_LANDMARK];
        raw[0] = 31.0 * 4.0; // crop x → cell 31
        raw[1] = 21.0 * 4.0;
        raw[5] = 100.0; // landmark 1: no confident heatmap → untouched
        raw[6] = 50.0;
        refine_from_heatmap(&mut raw, &hm, 256.0);
        assert!((raw[0] - 33.0 * 4.0).abs() < 0.01 && (raw[1] - 20.0 * 4.0).abs() < 0.01, "{} {}", raw[0], raw[1]);
        assert_eq!((raw[5], raw[6]), (100.0, 50.0));
    }
}
