//! Regions of interest and the maps between frame pixels and model-input pixels.
//!
//! A [`Roi`] is a rotated square in frame pixels. The landmark model sees it warped to an NxN crop:
//! crop pixel (u, v) comes from frame point `centre + R(rotation) · ((u/N − ½)·size, (v/N − ½)·size)`,
//! the corners mapping onto the crop's corners as in MediaPipe's ImageToTensorCalculator. The detector
//! sees the whole frame letterboxed into 224x224 ([`Letterbox`]).

/// MediaPipe's RectTransformationCalculator scale for pose ROIs (pose_detection_to_roi.pbtxt and
/// pose_landmarks_to_roi.pbtxt, v0.10.14): the body box is enlarged by 25 % and made square.
pub(crate) const ROI_SCALE: f32 = 1.25;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Roi {
    pub cx: f32,
    pub cy: f32,
    /// Side of the square, pixels.
    pub size: f32,
    /// Radians; 0 when the body is upright, positive when the head leans towards +x.
    pub rotation: f32,
}

/// A 2x3 affine matrix `[a b c; d e f]`: x' = a·x + b·y + c, y' = d·x + e·y + f.
pub(crate) type Affine = [f64; 6];

fn normalize_radians(a: f32) -> f32 {
    let two_pi = 2.0 * std::f32::consts::PI;
    a - two_pi * ((a + std::f32::consts::PI) / two_pi).floor()
}

impl Roi {
    /// MediaPipe's AlignmentPointsRectsCalculator (target angle 90°) followed by the ROI scale: the
    /// centre point (hip centre) and a scale point (above the head) define a square of side
    /// 2·|scale − centre|·1.25 rotated so that centre→scale points up.
    pub fn from_alignment(centre: [f32; 2], scale_point: [f32; 2]) -> Roi {
        let dx = scale_point[0] - centre[0];
        let dy = scale_point[1] - centre[1];
        let size = 2.0 * dx.hypot(dy) * ROI_SCALE;
        let rotation = normalize_radians(std::f32::consts::FRAC_PI_2 - (-dy).atan2(dx));
        Roi { cx: centre[0], cy: centre[1], size, rotation }
    }

    /// Map from crop pixels (NxN) to frame pixels.
    pub fn crop_to_frame(&self, n: f32) -> Affine {
        let (s, c) = (self.rotation as f64).sin_cos();
        let k = self.size as f64 / n as f64;
        let half = self.size as f64 / 2.0;
        [c * k, -s * k, self.cx as f64 - c * half + s * half, s * k, c * k, self.cy as f64 - s * half - c * half]
    }

    /// A crop point (u, v) of an NxN crop in frame pixels.
    pub fn to_frame(&self, n: f32, u: f32, v: f32) -> [f32; 2] {
        apply(&self.crop_to_frame(n), u, v)
    }

    /// A frame point in crop pixels of an NxN crop.
    pub fn to_crop(&self, n: f32, x: f32, y: f32) -> [f32; 2] {
        apply(&invert(&self.crop_to_frame(n)), x, y)
    }
}

pub fn apply(m: &Affine, x: f32, y: f32) -> [f32; 2] {
    let (x, y) = (x as f64, y as f64);
    [(m[0] * x + m[1] * y + m[2]) as f32, (m[3] * x + m[4] * y + m[5]) as f32]
}

pub(crate) fn invert(m: &Affine) -> Affine {
    let det = m[0] * m[4] - m[1] * m[3];
    let (a, b, d, e) = (m[4] / det, -m[1] / det, -m[3] / det, m[0] / det);
    [a, b, -(a * m[2] + b * m[5]), d, e, -(d * m[2] + e * m[5])]
}

/// The whole frame fitted into an NxN square keeping its aspect ratio, centred, padded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Letterbox {
    pub scale: f32,
    pub pad_x: f32,
    pub pad_y: f32,
    pub n: f32,
}

impl Letterbox {
    pub fn new(width: u32, height: u32, n: u32) -> Letterbox {
        let n = n as f32;
        let scale = (n / width as f32).min(n / height as f32);
        Letterbox { scale, pad_x: (n - width as f32 * scale) / 2.0, pad_y: (n - height as f32 * scale) / 2.0, n }
    }

    /// Map from input-tensor pixels to frame pixels.
    pub fn input_to_frame(&self) -> Affine {
        let k = 1.0 / self.scale as f64;
        [k, 0.0, -self.pad_x as f64 * k, 0.0, k, -self.pad_y as f64 * k]
    }

    /// A point given in normalised [0,1] coordinates of the input tensor, in frame pixels.
    pub fn normalized_to_frame(&self, u: f32, v: f32) -> [f32; 2] {
        apply(&self.input_to_frame(), u * self.n, v * self.n)
    }

    /// A frame point in the input tensor's pixels (the inverse of `input_to_frame`; for the tests).
    #[cfg(test)]
    pub fn frame_to_input(&self, x: f32, y: f32) -> [f32; 2] {
        [x * self.scale + self.pad_x, y * self.scale + self.pad_y]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f32; 2], b: [f32; 2], tol: f32) -> bool {
        (a[0] - b[0]).abs() < tol && (a[1] - b[1]).abs() < tol
    }

    #[test]
    fn upright_alignment_gives_zero_rotation_and_scaled_size() {
        let r = Roi::from_alignment([100.0, 500.0], [100.0, 200.0]);
        assert!(r.rotation.abs() < 1e-6);
        assert!((r.size - 2.0 * 300.0 * 1.25).abs() < 1e-3);
        // the crop's top-left corner is up-left of the centre by half the side
        assert!(close(r.to_frame(256.0, 0.0, 0.0), [100.0 - 375.0, 500.0 - 375.0], 1e-3));
        assert!(close(r.to_frame(256.0, 128.0, 128.0), [100.0, 500.0], 1e-3));
    }

    #[test]
    fn tilted_alignment_turns_crop_up_towards_scale_point() {
        // scale point up and to the right at 45°
        let r = Roi::from_alignment([0.0, 0.0], [100.0, -100.0]);
        assert!((r.rotation - std::f32::consts::FRAC_PI_4).abs() < 1e-5);
        // the crop's top-centre lies on the centre→scale direction
        let top = r.to_frame(256.0, 128.0, 0.0);
        assert!(top[0] > 0.0 && top[1] < 0.0 && (top[0] + top[1]).abs() < 1e-3);
        // lying body (scale point to the left) → rotation -90°
        let r = Roi::from_alignment([0.0, 0.0], [-50.0, 0.0]);
        assert!((r.rotation + std::f32::consts::FRAC_PI_2).abs() < 1e-5);
    }

    #[test]
    fn roi_round_trip() {
        let r = Roi { cx: 312.5, cy: 640.0, size: 861.0, rotation: -0.3 };
        for &(u, v) in &[(0.0, 0.0), (255.0, 3.0), (17.5, 200.25), (128.0, 128.0)] {
            let p = r.to_frame(256.0, u, v);
            assert!(close(r.to_crop(256.0, p[0], p[1]), [u, v], 1e-3));
        }
    }

    #[test]
    fn letterbox_portrait_and_landscape_round_trip() {
        let lb = Letterbox::new(720, 1280, 224);
        assert!((lb.scale - 224.0 / 1280.0).abs() < 1e-7);
        assert!(lb.pad_y.abs() < 1e-6 && (lb.pad_x - (224.0 - 126.0) / 2.0).abs() < 1e-4);
        for &(x, y) in &[(0.0, 0.0), (719.0, 1279.0), (360.0, 640.0)] {
            let i = lb.frame_to_input(x, y);
            assert!(close(lb.normalized_to_frame(i[0] / 224.0, i[1] / 224.0), [x, y], 1e-2));
        }
        let lb = Letterbox::new(1920, 1080, 224);
        assert!(lb.pad_x.abs() < 1e-6 && lb.pad_y > 0.0);
        assert!(close(lb.normalized_to_frame(0.5, 0.5), [960.0, 540.0], 1e-2));
    }

    #[test]
    fn invert_is_inverse() {
        let m: Affine = [1.3, -0.4, 10.0, 0.2, 0.9, -5.0];
        let p = apply(&m, 3.0, 4.0);
        let q = apply(&invert(&m), p[0], p[1]);
        assert!(close(q, [3.0, 4.0], 1e-5));
    }
}
