//! The annotated video: the skeleton drawn over each frame. Written under a temporary name and moved
//! into place by [`AnnotatedWriter::finish`], so a failed run never leaves a video that looks complete.

use std::path::{Path, PathBuf};

use opencv::core::{Mat, Point, Scalar, Size};
use opencv::imgproc;
use opencv::prelude::*;
use opencv::videoio::{VideoWriter, VideoWriterTrait};

use crate::pose::{Pose, SKELETON};
use crate::{Error, Result};

/// Landmarks below this visibility are drawn thin and grey: the model is not sure of them.
const SURE_VISIBILITY: f32 = 0.5;

pub struct AnnotatedWriter {
    writer: VideoWriter,
    tmp: PathBuf,
    dest: PathBuf,
    pub codec: &'static str,
}

impl AnnotatedWriter {
    /// Opens `dest` for writing (as a temporary file beside it). H.264 when this OpenCV build can
    /// write it, MPEG-4 Part 2 otherwise; `codec` says which.
    pub fn create(dest: &Path, fps: f64, width: u32, height: u32) -> Result<AnnotatedWriter> {
        let tmp = dest.with_file_name(format!(".{}.partial.mp4", dest.file_stem().and_then(|s| s.to_str()).unwrap_or("annotated")));
        let size = Size::new(width as i32, height as i32);
        for (codec, cc) in [("h264", ['a', 'v', 'c', '1']), ("mpeg4", ['m', 'p', '4', 'v'])] {
            let fourcc = VideoWriter::fourcc(cc[0], cc[1], cc[2], cc[3])?;
            let name = tmp.to_str().ok_or_else(|| Error::Output { path: tmp.clone(), why: "path is not UTF-8".into() })?;
            if let Ok(w) = VideoWriter::new(name, fourcc, fps, size, true) {
                if w.is_opened().unwrap_or(false) {
                    return Ok(AnnotatedWriter { writer: w, tmp, dest: dest.to_path_buf(), codec });
                }
            }
        }
        Err(Error::Output { path: dest.to_path_buf(), why: "OpenCV cannot write an MP4 video here (no H.264 or MPEG-4 encoder)".into() })
    }

    pub fn write(&mut self, frame: &Mat, pose: Option<&Pose>, label: &str) -> Result<()> {
        let mut img = frame.try_clone()?;
        if let Some(p) = pose {
            draw_skeleton(&mut img, p)?;
        }
        imgproc::put_text(&mut img, label, Point::new(12, 36), imgproc::FONT_HERSHEY_SIMPLEX, 0.9, Scalar::new(0.0, 0.0, 0.0, 0.0), 4, imgproc::LINE_AA, false)?;
        imgproc::put_text(&mut img, label, Point::new(12, 36), imgproc::FONT_HERSHEY_SIMPLEX, 0.9, Scalar::new(255.0, 255.0, 255.0, 0.0), 2, imgproc::LINE_AA, false)?;
        self.writer.write(&img)?;
        Ok(())
    }

    /// Closes the file and moves it to its final name.
    pub fn finish(mut self) -> Result<PathBuf> {
        self.writer.release()?;
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| Error::Output { path: self.dest.clone(), why: e.to_string() })?;
        Ok(self.dest.clone())
    }
}

impl Drop for AnnotatedWriter {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// Left side in blue, right in orange (BGR), the centre line white.
fn side_colour(a: usize, b: usize) -> Scalar {
    let left = |i: usize| i >= 11 && i % 2 == 1;
    let right = |i: usize| i >= 11 && i % 2 == 0;
    if left(a) && left(b) {
        Scalar::new(255.0, 160.0, 40.0, 0.0)
    } else if right(a) && right(b) {
        Scalar::new(30.0, 140.0, 255.0, 0.0)
    } else {
        Scalar::new(240.0, 240.0, 240.0, 0.0)
    }
}

pub fn draw_skeleton(img: &mut Mat, pose: &Pose) -> Result<()> {
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
