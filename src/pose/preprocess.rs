//! Frame → model input: an affine warp of the BGR frame into an NxN crop, then RGB float values in
//! the model's range, NHWC. Mirrors MediaPipe's ImageToTensorCalculator (OpenCV converter).

use opencv::core::{Mat, Scalar, Size, BORDER_CONSTANT, BORDER_REPLICATE};
use opencv::imgproc;
use opencv::prelude::*;

use super::roi::Affine;
use crate::Result;

#[derive(Debug, Clone, Copy)]
pub(crate) enum Border {
    /// Black outside the frame (the detector's letterbox).
    Zero,
    /// Edge pixels repeated (the landmark crop).
    Replicate,
}

/// Warps `frame` (8-bit BGR) with `crop_to_frame` into an `n`x`n` RGB tensor scaled to [lo, hi].
pub(crate) fn warp_to_tensor(frame: &Mat, crop_to_frame: &Affine, n: i32, border: Border, lo: f32, hi: f32) -> Result<Vec<f32>> {
    let m = Mat::from_slice_2d(&[
        [crop_to_frame[0], crop_to_frame[1], crop_to_frame[2]],
        [crop_to_frame[3], crop_to_frame[4], crop_to_frame[5]],
    ])?;
    let mut crop = Mat::default();
    let border_mode = match border {
        Border::Zero => BORDER_CONSTANT,
        Border::Replicate => BORDER_REPLICATE,
    };
    imgproc::warp_affine(
        frame,
        &mut crop,
        &m,
        Size::new(n, n),
        imgproc::INTER_LINEAR | imgproc::WARP_INVERSE_MAP,
        border_mode,
        Scalar::all(0.0),
    )?;
    let bytes = crop.data_bytes()?;
    let scale = (hi - lo) / 255.0;
    let mut out = Vec::with_capacity(bytes.len());
    for px in bytes.chunks_exact(3) {
        out.push(px[2] as f32 * scale + lo);
        out.push(px[1] as f32 * scale + lo);
        out.push(px[0] as f32 * scale + lo);
    }
    Ok(out)
}
