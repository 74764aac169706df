//! The annotated video: the skeleton drawn over each frame. Written under a temporary name and moved
//! into place by [`VideoSink::finish`], so a failed run never leaves a video that looks complete.

use std::path::Path;

use opencv::core::{Mat, Point, Scalar};
use opencv::imgproc;
use opencv::prelude::*;

use crate::pose::{Pose, SKELETON};
use crate::video::encode::VideoSink;
use crate::Result;

/// Landmarks below this visibility are drawn thin and grey: the model is not sure of them.
const SURE_VISIBILITY: f32 = 0.5;

/// Text in `colour` over a black outline `outline` pixels thick, readable on any background.
pub(crate) fn outlined_text(img: &mut Mat, s: &str, at: Point, scale: f64, colour: Scalar, outline: i32) -> Result<()> {
    imgproc::put_text(img, s, at, imgproc::FONT_HERSHEY_SIMPLEX, scale, Scalar::new(0.0, 0.0, 0.0, 0.0), outline, imgproc::LINE_AA, false)?;
    imgproc::put_text(img, s, at, imgproc::FONT_HERSHEY_SIMPLEX, scale, colour, 2, imgproc::LINE_AA, false)?;
    Ok(())
}

/// Left side in blue, right in orange (BGR), the centre line white.
fn side_colour(a: usize, b: usize) -> Scalar {
    let left = |i: usize| i >= 11 && !i.is_multiple_of(2);
    let right = |i: usize| i >= 11 && i.is_multiple_of(2);
    if left(a) && left(b) {
        Scalar::new(255.0, 160.0, 40.0, 0.0)
    } else if right(a) && right(b) {
        Scalar::new(30.0, 140.0, 255.0, 0.0)
    } else {
        Scalar::new(240.0, 240.0, 240.0, 0.0)
    }
}

pub(crate) fn draw_skeleton(img: &mut Mat, pose: &Pose) -> Result<()> {
    let size = img.size()?;
    let thick = ((size.width.max(size.height) as f32) / 400.0).round().max(2.0) as i32;
    let pt = |i: usize| Point::new(pose.landmarks[i].x.round() as i32, pose.landmarks[i].y.round() as i32);
    for &(a, b) in SKELETON {
        let sure = pose.landmarks[a].visibility >= SURE_VISIBILITY && pose.landmarks[b].visibility >= SURE_VISIBILITY;
        let (colour, t) = if sure { (side_colour(a, b), thick) } else { (Scalar::new(128.0, 128.0, 128.0, 0.0), 1.max(thick / 2)) };
        imgproc::line(img, pt(a), pt(b), colour, t, imgproc::LINE_AA, 0)?;
    }
    for i in 11..pose.landmarks.len() {
        imgproc::circle(img, pt(i), thick + 1, Scalar::new(0.0, 255.0, 255.0, 0.0), -1, imgproc::LINE_AA, 0)?;
    }
    Ok(())
}

/// How long a strike marker stays on screen after the initial contact, frames.
const STRIKE_MARKER_FRAMES: usize = 6;

/// Writes the annotated video of an analysed run: skeleton, a plumb line through the centre of
/// mass, a marker at each initial contact with its overstride (side views) and live knee angles.
/// Decodes the input a second time (the measurements exist only once the run is analysed).
pub(crate) fn write_analysed(
    input: &Path,
    dest: &Path,
    frames: &[crate::pose::FramePose],
    a: &crate::gait::Analysis,
    keep: crate::video::Keep,
) -> Result<(&'static str, crate::video::Keep)> {
    let mut reader = crate::video::VideoReader::open(input)?;
    // the frames the key frames and evidence strips are drawn from, kept as this pass decodes them
    reader.keep_while_reading(keep);
    // (the pose stage counted the repeated frames: no thumbnail compared here)
    reader.skip_repeat_check();
    let info = reader.info().clone();
    let mut w = VideoSink::create(dest, info.fps, info.width, info.height)?;
    let codec = w.codec;
    let tr = &a.traces;
    let scale = (info.width.max(info.height) as f64 / 1400.0).max(0.6);
    let thick = ((info.width.max(info.height) as f32) / 400.0).round().max(2.0) as i32;
    let white = Scalar::new(255.0, 255.0, 255.0, 0.0);
    let magenta = Scalar::new(200.0, 40.0, 220.0, 0.0);
    // per frame, looked up by index rather than searched for: its pose, its trace sample, the
    // steps whose strike marker is on screen
    let n = frames
        .iter()
        .map(|f| f.frame + 1)
        .chain(tr.frame.iter().map(|&f| f + 1))
        .chain(a.steps.iter().map(|s| s.ic_frame + STRIKE_MARKER_FRAMES))
        .max()
        .unwrap_or(0);
    let mut pose_at: Vec<Option<&Pose>> = vec![None; n];
    for f in frames.iter().rev() {
        pose_at[f.frame] = f.pose.as_ref(); // the first entry for a frame wins, as a search would find
    }
    let mut trace_at: Vec<Option<usize>> = vec![None; n];
    for (k, &f) in tr.frame.iter().enumerate() {
        trace_at[f].get_or_insert(k);
    }
    let mut strikes_at: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in a.steps.iter().enumerate() {
        for on_screen in &mut strikes_at[s.ic_frame..s.ic_frame + STRIKE_MARKER_FRAMES] {
            on_screen.push(i);
        }
    }
    let none: Vec<usize> = Vec::new();
    let mut lines: Vec<(String, Scalar)> = Vec::new();
    while let Some(frame) = reader.next_frame()? {
        crate::interrupt::check()?;
        // the decoder hands out a new image each frame: drawn on in place, then queued
        let mut img = frame.image;
        if let Some(p) = pose_at.get(frame.index).copied().flatten() {
            draw_skeleton(&mut img, p)?;
        }
        let here = trace_at.get(frame.index).copied().flatten();
        if let (Some(k), true) = (here, a.view.is_side()) {
            if let Some(c) = tr.com_px.get(k).filter(|c| c[0].is_finite()) {
                let x = c[0].round() as i32;
                imgproc::line(
                    &mut img,
                    Point::new(x, 0),
                    Point::new(x, info.height as i32),
                    white,
                    thick.max(2) / 2 + 1,
                    imgproc::LINE_AA,
                    0,
                )?;
            }
        }
        lines.clear();
        lines.push((format!("{:>5}  {:6.2} s", frame.index, frame.time_s), white));
        if let Some(k) = here {
            let kn = |s: usize| tr.knee_flexion_deg[s].get(k).copied().filter(|v| v.is_finite());
            if let (Some(l), Some(r)) = (kn(0), kn(1)) {
                lines.push((format!("knee flexion  L {l:4.0}  R {r:4.0} deg"), white));
            }
            if !a.view.is_side() {
                if let Some(p) = tr.pelvis_tilt_deg.get(k).filter(|v| v.is_finite()) {
                    lines.push((format!("pelvis tilt {p:+5.1} deg"), white));
                }
            }
        }
        for s in strikes_at.get(frame.index).unwrap_or(&none).iter().map(|&i| &a.steps[i]) {
            let colour = if s.side == crate::gait::events::Side::Left {
                Scalar::new(255.0, 160.0, 40.0, 0.0)
            } else {
                Scalar::new(30.0, 140.0, 255.0, 0.0)
            };
            if let Some(p) = s.at_ic {
                let c = Point::new(p.heel[0].round() as i32, p.heel[1].round() as i32);
                imgproc::circle(&mut img, c, thick * 5, magenta, thick, imgproc::LINE_AA, 0)?;
            }
            let what = match (s.overstride_pct_leg, s.pelvic_drop_deg) {
                (Some(o), _) => format!("{} strike: overstride {o:.1} % leg", s.side.as_str()),
                (None, Some(d)) => format!("{} stance: pelvic drop {d:.1} deg", s.side.as_str()),
                _ => format!("{} strike", s.side.as_str()),
            };
            lines.push((what, colour));
        }
        for (i, (t, c)) in lines.iter().enumerate() {
            let at = Point::new(12, (36.0 + i as f64 * 34.0 * scale) as i32);
            outlined_text(&mut img, t, at, 0.8 * scale, *c, 4)?;
        }
        w.write(img)?;
    }
    w.finish()?;
    Ok((codec, reader.take_kept()))
}
