//! What the container itself says about the video stream, read from the file's own index (no
//! decoding): the nominal frame rate, how many frames a player presents and for how long.
//!
//! OpenCV exposes one frame rate and one frame count, and both can mislead: a Matroska remux of an
//! MP4 (millisecond timestamps) makes the guessed rate drift, and an MP4 cut losslessly
//! (`ffmpeg -ss 2 -i in.mp4 -t 4 -c copy`) keeps the samples back to the previous keyframe and
//! an edit list that tells players to skip them — so its sample count is far more than the frames
//! anyone decodes. Two small readers:
//!
//! - ISO BMFF (MP4/MOV/M4V/3GP): `moov` → the video `trak` (`hdlr` = `vide`): `mdhd` timescale,
//!   `stts` (decode durations), `ctts` (composition offsets), `stss` (keyframes), `elst` (the edit
//!   list: which span of the media is presented). Frames presented = samples whose composition time
//!   falls in an edit; the nominal rate = timescale / the most common sample duration.
//! - Matroska/WebM (EBML): `Info` (TimestampScale, Duration), the video `TrackEntry`
//!   (TrackNumber, DefaultDuration = the nominal frame duration) and every `Cluster`'s blocks of
//!   that track, counted from the first keyframe (frames before it cannot be decoded).
//!
//! - The capture rate: an MP4's `meta` box (in `moov` or `moov/udta`, QuickTime `mdta` keys + `ilst`
//!   values) with a key ending in `capture.fps` — Android's `com.android.capture.fps` — as a
//!   UTF-8 string, a float or an integer.
//!
//! Anything else, or a file these readers cannot follow, gives `None` fields and the caller falls
//! back on OpenCV's numbers. Only headers are read (media data is skipped by seeking), with every
//! size bounded, so a hostile file cannot make this read or allocate much.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Largest `moov` box read into memory (a 2-hour 240 fps clip's index is a few MB).
const MAX_MOOV: u64 = 64 << 20;
/// Largest Matroska `Info`/`Tracks` element read into memory.
const MAX_MKV_HEADER: u64 = 4 << 20;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerInfo {
    /// The stream's nominal frame rate (frames per second), as the container defines it.
    pub nominal_fps: Option<f64>,
    /// Frames a player presents (after the edit list; from the first keyframe).
    pub frames: Option<usize>,
    /// Presented duration of the video stream, seconds.
    pub duration_s: Option<f64>,
    /// The frame rate the clip was filmed at, when the file says (Android writes
    /// `com.android.capture.fps` into the MP4's `meta` keys; a slow-motion export keeps it).
    pub capture_fps: Option<f64>,
}

/// Reads what it can; never fails (an unknown or unreadable container gives `None`s).
pub fn probe(path: &Path) -> ContainerInfo {
    let Ok(f) = File::open(path) else { return ContainerInfo::default() };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut r = BufReader::new(f);
    let mut magic = [0u8; 8];
    if r.read_exact(&mut magic).is_err() || r.seek(SeekFrom::Start(0)).is_err() {
        return ContainerInfo::default();
    }
    if magic[..4] == [0x1A, 0x45, 0xDF, 0xA3] {
        mkv::probe(&mut r, len).unwrap_or_default()
    } else if matches!(&magic[4..8], b"ftyp" | b"moov" | b"mdat" | b"free" | b"wide" | b"skip") {
        mp4::probe(&mut r, len).unwrap_or_default()
    } else {
        ContainerInfo::default()
    }
}

mod mkv;
mod mp4;

#[cfg(test)]
mod tests;
