//! Key frames for the report: each side's most typical initial contact, with the skeleton, a plumb
//! line through the centre of mass, the heel marked and the overstride and shank angle drawn (side
//! views), or the pelvis line and the knee's FPPA (frontal views). Encoded as PNG.

use opencv::core::{Mat, Point, Scalar, Vector};
use opencv::imgcodecs;
use opencv::imgproc;
use opencv::prelude::*;

use super::annotate::draw_skeleton;
use crate::gait::analysis::{Analysis, Step};
use crate::pose::FramePose;
use crate::video::VideoReader;
use crate::Result;

fn pt(p: [f64; 2]) -> Point {
    Point::new(p[0].round() as i32, p[1].round() as i32)
}

fn text(img: &mut Mat, s: &str, at: Point, scale: f64, colour: Scalar) -> Result<()> {
    super::annotate::outlined_text(img, s, at, scale, colour, 5)
}

/// The time of the frame [`render`] draws for `step` (`time_fps`: the reader's `VideoInfo::time_fps`).
pub(crate) fn frame_time(frames: &[FramePose], a: &Analysis, step: &Step, time_fps: f64) -> f64 {
    // side views: the initial contact; frontal views: the stance's peak pelvic drop
    let at = if a.view.is_side() { step.ic_frame } else { step.peak_drop_frame.unwrap_or(step.ic_frame) };
    // found by its time, which does not depend on how the container numbers or stamps its frames
    frames.iter().find(|f| f.frame == at).map(|f| f.time_s).unwrap_or(at as f64 / time_fps)
}

/// Draws one key frame; returns (caption, PNG bytes).
pub fn render(reader: &mut VideoReader, frames: &[FramePose], a: &Analysis, step: &Step) -> Result<Option<(String, Vec<u8>)>> {
    let at = if a.view.is_side() { step.ic_frame } else { step.peak_drop_frame.unwrap_or(step.ic_frame) };
    let time = frame_time(frames, a, step, reader.info().time_fps());
    let Some(frame) = reader.frame_at_time(time)? else { return Ok(None) };
    let Some(k) = step.at_ic else { return Ok(None) };
    let mut img = frame.image;
    let size = img.size()?;
    let thick = ((size.width.max(size.height) as f32) / 400.0).round().max(2.0) as i32;
    let scale = (size.width.max(size.height) as f64 / 1400.0).max(0.6);
    let pose = frames.iter().find(|f| f.frame == at).and_then(|f| f.pose.as_ref());
    if let Some(p) = pose {
        draw_skeleton(&mut img, p)?;
    }
    let white = Scalar::new(255.0, 255.0, 255.0, 0.0);
    let magenta = Scalar::new(200.0, 40.0, 220.0, 0.0);
    let red = Scalar::new(40.0, 40.0, 230.0, 0.0);
    let caption = if a.view.is_side() {
        // plumb line through the centre of mass
        let cx = k.com[0].round() as i32;
        imgproc::line(&mut img, Point::new(cx, 0), Point::new(cx, size.height), white, thick, imgproc::LINE_AA, 0)?;
        imgproc::circle(&mut img, pt(k.com), thick * 3, white, -1, imgproc::LINE_AA, 0)?;
        // heel and the overstride distance, at the heel's height
        imgproc::circle(&mut img, pt(k.heel), thick * 3, magenta, -1, imgproc::LINE_AA, 0)?;
        imgproc::arrowed_line(&mut img, Point::new(cx, pt(k.heel).y), pt(k.heel), magenta, thick, imgproc::LINE_AA, 0, 0.15)?;
        // the shank
        imgproc::line(&mut img, pt(k.knee), pt(k.ankle), red, thick * 2, imgproc::LINE_AA, 0)?;
        let os = step.overstride_pct_leg.map(|v| format!("overstride {v:.1} % leg")).unwrap_or_default();
        let cm = step.overstride_cm.map(|v| format!(" ({v:.1} cm)")).unwrap_or_default();
        let sh = step.shank_angle_deg.map(|v| format!("shank {v:.1} deg")).unwrap_or_default();
        let y0 = (pt(k.heel).y - 30 * thick).max(40);
        text(&mut img, &format!("{os}{cm}"), Point::new(20, y0), scale, magenta)?;
        text(&mut img, &sh, Point::new(20, y0 + (40.0 * scale) as i32), scale, red)?;
        format!(
            "{} foot, initial contact at {:.2} s (frame {}): the most typical of its steps. White: plumb line through the centre of mass; magenta: heel and overstride; red: shank.",
            step.side.as_str(),
            step.ic_time_s,
            step.ic_frame
        )
    } else {
        // the landmarks of the peak-drop frame (those at IC where the frame has no pose)
        let lm = |i: usize, fallback: [f64; 2]| pose.map(|p| [p.landmarks[i].x as f64, p.landmarks[i].y as f64]).unwrap_or(fallback);
        let o = step.side.offset();
        let (lh, rh) = (lm(crate::pose::idx::LEFT_HIP, k.left_hip), lm(crate::pose::idx::RIGHT_HIP, k.right_hip));
        let (hip, knee, ankle) = (
            lm(crate::pose::idx::LEFT_HIP + o, k.hip),
            lm(crate::pose::idx::LEFT_KNEE + o, k.knee),
            lm(crate::pose::idx::LEFT_ANKLE + o, k.ankle),
        );
        imgproc::line(&mut img, pt(lh), pt(rh), magenta, thick * 2, imgproc::LINE_AA, 0)?;
        imgproc::line(&mut img, pt(hip), pt(knee), red, thick * 2, imgproc::LINE_AA, 0)?;
        imgproc::line(&mut img, pt(knee), pt(ankle), red, thick * 2, imgproc::LINE_AA, 0)?;
        let d = step.pelvic_drop_deg.map(|v| format!("pelvic drop (peak) {v:.1} deg")).unwrap_or_default();
        let f = step.fppa_deg.map(|v| format!("FPPA (peak) {v:.1} deg")).unwrap_or_default();
        text(&mut img, &d, Point::new(20, 50), scale, magenta)?;
        text(&mut img, &f, Point::new(20, 50 + (40.0 * scale) as i32), scale, red)?;
        format!(
            "Stance on the {} foot (initial contact at {:.2} s), frame {} of its peak pelvic drop: its most typical step. Magenta: the line through the hips; red: thigh and shank.",
            step.side.as_str(),
            step.ic_time_s,
            at
        )
    };
    // keep the page light: at most 900 px on the long side
    let long = size.width.max(size.height) as f64;
    if long > 900.0 {
        let f = 900.0 / long;
        let mut small = Mat::default();
        imgproc::resize(&img, &mut small, opencv::core::Size::new(0, 0), f, f, imgproc::INTER_AREA)?;
        img = small;
    }
    let mut buf = Vector::<u8>::new();
    imgcodecs::imencode(".png", &img, &mut buf, &Vector::new())?;
    Ok(Some((caption, buf.to_vec())))
}
