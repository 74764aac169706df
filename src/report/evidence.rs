//! Evidence frames: what a physiotherapist shows the runner. Side views: per side the typical
//! landing and the most and least overstriding ones, each a strip of frames around initial contact
//! cropped to the lower body and enlarged, with the heel, the plumb line through the centre of mass
//! (at IC) and the overstride drawn. Frontal views: the frame of the typical stance's peak pelvic
//! drop, cropped to the pelvis and knees. Drawing uses OpenCV (as the key frames do); cropping,
//! scaling, the strip's composition and PNG encoding use the `image` crate.

use image::imageops::{self, FilterType};
use image::RgbImage;
use opencv::core::{Mat, Point, Scalar};
use opencv::imgproc;
use opencv::prelude::*;

use super::export::Sink;
use crate::gait::analysis::{Analysis, Step};
use crate::gait::events::Side;
use crate::pose::idx::*;
use crate::pose::FramePose;
use crate::video::VideoReader;
use crate::Result;

/// Frames either side of initial contact in a strip (5 frames: IC and two each side — at 30 fps
/// ±67 ms, the last of the swing and the first of the stance).
pub(crate) const STRIP_HALF: usize = 2;
/// Height of each enlarged panel, pixels.
pub const PANEL_HEIGHT_PX: u32 = 480;
/// Margin around the cropped body parts, as a fraction of the box's larger side.
pub(crate) const CROP_MARGIN: f64 = 0.15;

/// A crop in pixels (x, y of the top-left corner, width, height).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CropBox {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// The box around `points` with `margin` (fraction of its larger side) added on every side,
/// clamped to the frame; None when no point is finite or the box is empty.
pub(crate) fn crop_box(points: &[[f64; 2]], frame_w: u32, frame_h: u32, margin: f64) -> Option<CropBox> {
    let pts: Vec<&[f64; 2]> = points.iter().filter(|p| p[0].is_finite() && p[1].is_finite()).collect();
    if pts.is_empty() {
        return None;
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for p in pts {
        x0 = x0.min(p[0]);
        x1 = x1.max(p[0]);
        y0 = y0.min(p[1]);
        y1 = y1.max(p[1]);
    }
    let m = margin * (x1 - x0).max(y1 - y0);
    let cx0 = (x0 - m).floor().clamp(0.0, frame_w as f64) as u32;
    let cy0 = (y0 - m).floor().clamp(0.0, frame_h as f64) as u32;
    let cx1 = (x1 + m).ceil().clamp(0.0, frame_w as f64) as u32;
    let cy1 = (y1 + m).ceil().clamp(0.0, frame_h as f64) as u32;
    (cx1 > cx0 && cy1 > cy0).then_some(CropBox { x: cx0, y: cy0, w: cx1 - cx0, h: cy1 - cy0 })
}

/// The frames of a strip around `centre`: `half` either side, kept inside `0..n_frames`.
pub(crate) fn strip_frames(centre: usize, half: usize, n_frames: usize) -> Vec<usize> {
    (centre.saturating_sub(half)..=(centre + half).min(n_frames.saturating_sub(1))).collect()
}

/// Size of a `w`×`h` image scaled to `height` (aspect kept, at least 1 px wide).
pub(crate) fn scaled_size(w: u32, h: u32, height: u32) -> (u32, u32) {
    (((w as f64 * height as f64 / h.max(1) as f64).round() as u32).max(1), height)
}

/// Side views: the steps shown — per side the typical, the most and the least overstriding.
pub(crate) fn side_selection(a: &Analysis, side: Side) -> Vec<(&'static str, &Step)> {
    let mut steps: Vec<(&Step, f64)> =
        a.steps.iter().filter(|s| s.side == side && s.excluded.is_none()).filter_map(|s| s.overstride_pct_leg.map(|v| (s, v))).collect();
    if steps.is_empty() {
        return Vec::new();
    }
    steps.sort_by(|x, y| x.1.total_cmp(&y.1));
    vec![("typical", steps[steps.len() / 2].0), ("most", steps[steps.len() - 1].0), ("least", steps[0].0)]
}

fn pt(p: [f64; 2]) -> Point {
    Point::new(p[0].round() as i32, p[1].round() as i32)
}

fn xy(f: &FramePose, i: usize) -> Option<[f64; 2]> {
    f.pose.as_ref().map(|p| [p.landmarks[i].x as f64, p.landmarks[i].y as f64])
}

/// The box `b` of a continuous 8-bit BGR frame, as RGB (only the box converted).
fn to_rgb_box(m: &Mat, b: &CropBox) -> Result<RgbImage> {
    let cols = m.cols() as usize;
    let bytes = m.data_bytes()?;
    let mut img = RgbImage::new(b.w, b.h);
    for (y, row) in img.rows_mut().enumerate() {
        let start = ((b.y as usize + y) * cols + b.x as usize) * 3;
        for (px, bgr) in row.zip(bytes[start..start + b.w as usize * 3].chunks_exact(3)) {
            *px = image::Rgb([bgr[2], bgr[1], bgr[0]]);
        }
    }
    Ok(img)
}

fn png(img: &RgbImage) -> Result<Vec<u8>> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).map_err(|e| crate::Error::OpenCv(format!("PNG encoding: {e}")))?;
    Ok(out.into_inner())
}

/// One evidence image: (PNG bytes, width, height).
pub type Evidence = (Vec<u8>, u32, u32);

/// The strip of frames around a side view's initial contact.
pub(crate) fn side_strip(reader: &mut VideoReader, frames: &[FramePose], step: &Step) -> Result<Option<Evidence>> {
    let Some(k) = step.at_ic else { return Ok(None) };
    let idx: Vec<usize> = strip_frames(step.ic_frame, STRIP_HALF, frames.len());
    // one box for the whole strip: both legs from the hips down, over all its frames
    let mut pts = vec![k.com, k.heel];
    for &i in &idx {
        if let Some(f) = frames.iter().find(|f| f.frame == i) {
            for l in [
                LEFT_HIP,
                RIGHT_HIP,
                LEFT_KNEE,
                RIGHT_KNEE,
                LEFT_ANKLE,
                RIGHT_ANKLE,
                LEFT_HEEL,
                RIGHT_HEEL,
                LEFT_FOOT_INDEX,
                RIGHT_FOOT_INDEX,
            ] {
                pts.extend(xy(f, l));
            }
        }
    }
    // the frames read in order (one reader), then each panel drawn, cropped and scaled in parallel
    let mut got = Vec::new();
    for &i in &idx {
        let Some(fp) = frames.iter().find(|f| f.frame == i) else { continue };
        let Some(frame) = reader.frame_at_time(fp.time_s)? else { continue };
        got.push((i, fp, frame.image));
    }
    use rayon::prelude::*;
    let drawn: Vec<Option<RgbImage>> =
        got.into_par_iter().map(|(i, fp, img)| side_panel(img, i, fp, step, k, &pts)).collect::<Result<_>>()?;
    // a frame the box does not fit leaves the strip out, as it did drawn one by one
    let Some(panels) = drawn.into_iter().collect::<Option<Vec<RgbImage>>>() else { return Ok(None) };
    if panels.is_empty() {
        return Ok(None);
    }
    let gap = 4;
    let width: u32 = panels.iter().map(|p| p.width()).sum::<u32>() + gap * (panels.len() as u32 - 1);
    let mut strip = RgbImage::from_pixel(width, PANEL_HEIGHT_PX, image::Rgb([255, 255, 255]));
    let mut x = 0;
    for p in &panels {
        imageops::replace(&mut strip, p, x as i64, 0);
        x += p.width() + gap;
    }
    Ok(Some((png(&strip)?, strip.width(), strip.height())))
}

/// One panel of a side strip: frame `i` (the runner's pose `fp`) with the plumb line through the
/// centre of mass at IC, the heel, and on the IC frame the overstride; cropped to the strip's box
/// around `pts` and scaled to the panel height. None when the box does not fit the frame.
fn side_panel(
    mut img: Mat,
    i: usize,
    fp: &FramePose,
    step: &Step,
    k: crate::gait::analysis::ImagePoints,
    pts: &[[f64; 2]],
) -> Result<Option<RgbImage>> {
    let o = step.side.offset();
    let size = img.size()?;
    let Some(b) = crop_box(pts, size.width as u32, size.height as u32, CROP_MARGIN) else { return Ok(None) };
    let thick = ((b.h as f32) / 250.0).round().max(1.0) as i32;
    let white = Scalar::new(255.0, 255.0, 255.0, 0.0);
    let magenta = Scalar::new(200.0, 40.0, 220.0, 0.0);
    let cx = k.com[0].round() as i32;
    imgproc::line(&mut img, Point::new(cx, b.y as i32), Point::new(cx, (b.y + b.h) as i32), white, thick, imgproc::LINE_AA, 0)?;
    if let Some(h) = xy(fp, LEFT_HEEL + o) {
        imgproc::circle(&mut img, pt(h), thick * 4, magenta, -1, imgproc::LINE_AA, 0)?;
    }
    if i == step.ic_frame {
        imgproc::arrowed_line(&mut img, Point::new(cx, pt(k.heel).y), pt(k.heel), magenta, thick * 2, imgproc::LINE_AA, 0, 0.2)?;
        let t = step.overstride_pct_leg.map(|v| format!("IC {v:.1} % leg")).unwrap_or_else(|| "IC".into());
        super::annotate::outlined_text(&mut img, &t, Point::new(b.x as i32 + 6, b.y as i32 + 30 * thick), 0.5 * thick as f64, magenta, 3)?;
    }
    let crop = to_rgb_box(&img, &b)?;
    let (w, h) = scaled_size(b.w, b.h, PANEL_HEIGHT_PX);
    Ok(Some(imageops::resize(&crop, w, h, FilterType::Lanczos3)))
}

/// Frontal views: the frame of the stance's peak pelvic drop, cropped to the pelvis and knees.
pub(crate) fn frontal_drop(reader: &mut VideoReader, frames: &[FramePose], step: &Step) -> Result<Option<Evidence>> {
    let Some(at) = step.peak_drop_frame else { return Ok(None) };
    let Some(fp) = frames.iter().find(|f| f.frame == at) else { return Ok(None) };
    let Some(frame) = reader.frame_at_time(fp.time_s)? else { return Ok(None) };
    let mut img = frame.image;
    let size = img.size()?;
    let pts: Vec<[f64; 2]> = [LEFT_HIP, RIGHT_HIP, LEFT_KNEE, RIGHT_KNEE].iter().filter_map(|&l| xy(fp, l)).collect();
    let Some(b) = crop_box(&pts, size.width as u32, size.height as u32, 0.3) else { return Ok(None) };
    let thick = ((b.h as f32) / 200.0).round().max(1.0) as i32;
    let magenta = Scalar::new(200.0, 40.0, 220.0, 0.0);
    let red = Scalar::new(40.0, 40.0, 230.0, 0.0);
    if let (Some(l), Some(r)) = (xy(fp, LEFT_HIP), xy(fp, RIGHT_HIP)) {
        imgproc::line(&mut img, pt(l), pt(r), magenta, thick * 2, imgproc::LINE_AA, 0)?;
    }
    let o = step.side.offset();
    if let (Some(h), Some(k)) = (xy(fp, LEFT_HIP + o), xy(fp, LEFT_KNEE + o)) {
        imgproc::line(&mut img, pt(h), pt(k), red, thick * 2, imgproc::LINE_AA, 0)?;
    }
    let crop = to_rgb_box(&img, &b)?;
    let (w, h) = scaled_size(b.w, b.h, PANEL_HEIGHT_PX);
    let out = imageops::resize(&crop, w, h, FilterType::Lanczos3);
    Ok(Some((png(&out)?, w, h)))
}

/// The times of the frames [`write_all`] reads (to decode them in one pass beforehand:
/// `VideoReader::prefetch`).
pub(crate) fn frame_times(frames: &[FramePose], a: &Analysis) -> Vec<f64> {
    let time = |i: usize| frames.iter().find(|f| f.frame == i).map(|f| f.time_s);
    let mut out = Vec::new();
    for side in [Side::Left, Side::Right] {
        if a.view.is_side() {
            for (_, step) in side_selection(a, side) {
                if step.at_ic.is_some() {
                    out.extend(strip_frames(step.ic_frame, STRIP_HALF, frames.len()).into_iter().filter_map(time));
                }
            }
        } else if let Some(at) = a.typical_step(side).and_then(|s| s.peak_drop_frame) {
            out.extend(time(at));
        }
    }
    out
}

/// Evidence frames written under `evidence/`; returns (caption, file) for the page.
pub(crate) fn write_all(reader: &mut VideoReader, frames: &[FramePose], a: &Analysis, sink: &mut Sink) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for side in [Side::Left, Side::Right] {
        let picks = if a.view.is_side() {
            side_selection(a, side)
        } else {
            a.typical_step(side).map(|s| vec![("peak_drop", s)]).unwrap_or_default()
        };
        for (kind, step) in picks {
            let img = if a.view.is_side() { side_strip(reader, frames, step)? } else { frontal_drop(reader, frames, step)? };
            let Some((png, w, h)) = img else { continue };
            let rel = format!("evidence/{}_{kind}.png", side.as_str());
            sink.write(&rel, &png)?;
            let what = match kind {
                "typical" => "the typical landing (median overstride)",
                "most" => "the most overstriding landing",
                "least" => "the least overstriding landing",
                _ => "the typical stance's peak pelvic drop, cropped to the pelvis and knees",
            };
            let caption = if a.view.is_side() {
                format!(
                    "{} foot, {what}: {:.1} % leg at {:.2} s (frame {}), frames {}–{} around initial contact ({w}×{h} px). White: plumb line through the centre of mass at IC; magenta: heel, and the overstride on the IC frame.",
                    side.as_str(),
                    step.overstride_pct_leg.unwrap_or(f64::NAN),
                    step.ic_time_s,
                    step.ic_frame,
                    step.ic_frame.saturating_sub(STRIP_HALF),
                    step.ic_frame + STRIP_HALF
                )
            } else {
                format!("{} foot, {what} ({w}×{h} px). Magenta: the line through the hips; red: the thigh.", side.as_str())
            };
            out.push((caption, rel));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crop_box_adds_the_margin_and_stays_in_the_frame() {
        let b = crop_box(&[[100.0, 200.0], [200.0, 400.0]], 720, 1280, 0.1).unwrap();
        assert_eq!(b, CropBox { x: 80, y: 180, w: 140, h: 240 });
        let b = crop_box(&[[5.0, 1270.0], [100.0, 1275.0], [f64::NAN, 0.0]], 720, 1280, 0.1).unwrap();
        assert_eq!((b.x, b.y + b.h), (0, 1280));
        assert!(crop_box(&[[f64::NAN, 1.0]], 720, 1280, 0.1).is_none());
        assert!(crop_box(&[[800.0, 10.0]], 720, 1280, 0.0).is_none());
    }

    #[test]
    fn strip_frames_are_centred_and_clipped() {
        assert_eq!(strip_frames(10, 2, 100), vec![8, 9, 10, 11, 12]);
        assert_eq!(strip_frames(1, 2, 100), vec![0, 1, 2, 3]);
        assert_eq!(strip_frames(99, 2, 100), vec![97, 98, 99]);
    }

    #[test]
    fn scaled_size_keeps_the_aspect() {
        assert_eq!(scaled_size(200, 240, 480), (400, 480));
        assert_eq!(scaled_size(1, 1000, 480), (1, 480));
    }
}
