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

mod mp4 {
    use super::*;

    fn be32(b: &[u8], i: usize) -> Option<u32> {
        Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?))
    }
    fn be64(b: &[u8], i: usize) -> Option<u64> {
        Some(u64::from_be_bytes(b.get(i..i + 8)?.try_into().ok()?))
    }

    /// The children of a box body: (type, body).
    fn children(mut b: &[u8]) -> Vec<([u8; 4], &[u8])> {
        let mut out = Vec::new();
        while b.len() >= 8 {
            let size = be32(b, 0).unwrap_or(0) as u64;
            let kind: [u8; 4] = b[4..8].try_into().unwrap_or_default();
            let (size, head) = match size {
                1 => match be64(b, 8) {
                    Some(s) => (s, 16),
                    None => break,
                },
                0 => (b.len() as u64, 8),
                s => (s, 8),
            };
            if size < head as u64 || size > b.len() as u64 {
                break;
            }
            out.push((kind, &b[head..size as usize]));
            b = &b[size as usize..];
        }
        out
    }

    fn child<'a>(b: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
        children(b).into_iter().find(|(k, _)| k == kind).map(|(_, v)| v)
    }

    pub(super) fn probe<R: Read + Seek>(r: &mut R, len: u64) -> Option<ContainerInfo> {
        // find moov among the top-level boxes, skipping mdat by seeking
        let mut pos = 0u64;
        let moov = loop {
            if pos + 8 > len {
                return None;
            }
            r.seek(SeekFrom::Start(pos)).ok()?;
            let mut h = [0u8; 16];
            r.read_exact(&mut h[..8]).ok()?;
            let mut size = be32(&h, 0)? as u64;
            let mut head = 8u64;
            if size == 1 {
                r.read_exact(&mut h[8..16]).ok()?;
                size = be64(&h, 8)?;
                head = 16;
            } else if size == 0 {
                size = len - pos;
            }
            if size < head || pos + size > len {
                return None; // a truncated file: OpenCV says what it can
            }
            if &h[4..8] == b"moov" {
                if size - head > MAX_MOOV {
                    return None;
                }
                let mut body = vec![0u8; (size - head) as usize];
                r.read_exact(&mut body).ok()?;
                break body;
            }
            pos += size;
        };
        let movie_timescale = child(&moov, b"mvhd").and_then(|m| match m.first()? {
            1 => be32(m, 20),
            _ => be32(m, 12),
        })?;
        for (k, trak) in children(&moov) {
            if &k != b"trak" {
                continue;
            }
            let Some(mdia) = child(trak, b"mdia") else { continue };
            if child(mdia, b"hdlr").and_then(|h| h.get(8..12)) != Some(b"vide") {
                continue;
            }
            let mut info = video_track(trak, mdia, movie_timescale)?;
            info.capture_fps = capture_fps(&moov);
            return Some(info);
        }
        None
    }

    /// The capture rate from `moov/meta` or `moov/udta/meta` (QuickTime metadata keys).
    pub(super) fn capture_fps(moov: &[u8]) -> Option<f64> {
        let metas = [child(moov, b"meta"), child(moov, b"udta").and_then(|u| child(u, b"meta"))];
        metas.into_iter().flatten().find_map(meta_capture_fps)
    }

    fn meta_capture_fps(meta: &[u8]) -> Option<f64> {
        // ISO's meta is a full box (4 bytes of version and flags), QuickTime's is not
        let boxes = if children(meta).first().is_some_and(|(k, _)| k == b"hdlr") { children(meta) } else { children(meta.get(4..)?) };
        let keys = boxes.iter().find(|(k, _)| k == b"keys")?.1;
        let ilst = boxes.iter().find(|(k, _)| k == b"ilst")?.1;
        let n = be32(keys, 4)? as usize;
        let mut at = 8usize;
        let mut index = None;
        for i in 0..n.min(4096) {
            let size = be32(keys, at)? as usize;
            if size < 8 {
                return None;
            }
            let name = keys.get(at + 8..at + size)?;
            if name.ends_with(b"capture.fps") {
                index = Some(i as u32 + 1);
                break;
            }
            at += size;
        }
        let index = index?;
        let item = children(ilst).into_iter().find(|(k, _)| u32::from_be_bytes(*k) == index)?.1;
        let data = child(item, b"data")?;
        let kind = be32(data, 0)? & 0x00FF_FFFF;
        let v = data.get(8..)?;
        let fps = match (kind, v.len()) {
            (1, _) => std::str::from_utf8(v).ok()?.trim_matches(char::from(0)).trim().parse::<f64>().ok()?,
            (23, 4) => f32::from_be_bytes(v.try_into().ok()?) as f64,
            (24, 8) => f64::from_be_bytes(v.try_into().ok()?),
            (21 | 22, 1..=8) => v.iter().fold(0u64, |a, b| (a << 8) | *b as u64) as f64,
            _ => return None,
        };
        (fps.is_finite() && fps > 0.0 && fps <= 10_000.0).then_some(fps)
    }

    fn video_track(trak: &[u8], mdia: &[u8], movie_timescale: u32) -> Option<ContainerInfo> {
        let mdhd = child(mdia, b"mdhd")?;
        let timescale = match mdhd.first()? {
            1 => be32(mdhd, 20)?,
            _ => be32(mdhd, 12)?,
        };
        if timescale == 0 || movie_timescale == 0 {
            return None;
        }
        let stbl = child(child(mdia, b"minf")?, b"stbl")?;
        // decode times from stts
        let stts = child(stbl, b"stts")?;
        let n = be32(stts, 4)? as usize;
        let mut durations: Vec<(u32, u32)> = Vec::with_capacity(n.min(1 << 16));
        for i in 0..n {
            durations.push((be32(stts, 8 + 8 * i)?, be32(stts, 12 + 8 * i)?));
        }
        let samples: u64 = durations.iter().map(|&(c, _)| c as u64).sum();
        if samples == 0 || samples > 50_000_000 {
            return None;
        }
        // the nominal frame duration: the one most samples have
        let modal = durations.iter().filter(|d| d.1 > 0).max_by_key(|d| d.0).map(|d| d.1)?;
        let nominal_fps = timescale as f64 / modal as f64;
        let mut cts: Vec<i64> = Vec::with_capacity(samples as usize);
        let mut t = 0i64;
        for &(c, d) in &durations {
            for _ in 0..c {
                cts.push(t);
                t += d as i64;
            }
        }
        let media_end = t;
        if let Some(ctts) = child(stbl, b"ctts") {
            let signed = ctts.first() == Some(&1);
            let n = be32(ctts, 4)? as usize;
            let mut i = 0usize;
            for e in 0..n {
                let count = be32(ctts, 8 + 8 * e)? as usize;
                let raw = be32(ctts, 12 + 8 * e)?;
                let off = if signed { raw as i32 as i64 } else { raw as i64 };
                for _ in 0..count {
                    if let Some(c) = cts.get_mut(i) {
                        *c += off;
                    }
                    i += 1;
                }
            }
        }
        // frames before the first keyframe (in decode order) cannot be decoded
        let first_sync = child(stbl, b"stss").and_then(|s| be32(s, 8)).map(|s| s.max(1) as usize - 1).unwrap_or(0);
        let decodable = &cts[first_sync.min(cts.len())..];
        // the presented spans from the edit list (media time, duration in media units)
        let mut spans: Vec<(i64, i64)> = Vec::new();
        if let Some(elst) = child(trak, b"edts").and_then(|e| child(e, b"elst")) {
            let v1 = elst.first() == Some(&1);
            let n = be32(elst, 4)? as usize;
            let w = if v1 { 20 } else { 12 };
            for e in 0..n {
                let at = 8 + w * e;
                let (seg, media) = if v1 {
                    (be64(elst, at)? as i64, be64(elst, at + 8)? as i64)
                } else {
                    (be32(elst, at)? as i64, be32(elst, at + 4)? as i32 as i64)
                };
                if media < 0 {
                    continue; // an empty edit: a delay, no frames
                }
                // a segment duration of 0 means "to the end of the media"
                let dur = if seg == 0 { media_end - media } else { (seg as i128 * timescale as i128 / movie_timescale as i128) as i64 };
                spans.push((media, dur));
            }
        }
        let edited = !spans.is_empty();
        let frames = decodable.iter().filter(|&&c| !edited || spans.iter().any(|&(m, d)| c >= m && c < m + d)).count();
        let duration: i64 = if edited { spans.iter().map(|s| s.1).sum() } else { media_end };
        Some(ContainerInfo {
            nominal_fps: Some(nominal_fps),
            frames: Some(frames),
            duration_s: Some(duration as f64 / timescale as f64),
            capture_fps: None,
        })
    }
}

mod mkv {
    use super::*;

    const SEGMENT: u32 = 0x1853_8067;
    const INFO: u32 = 0x1549_A966;
    const TRACKS: u32 = 0x1654_AE6B;
    const CLUSTER: u32 = 0x1F43_B675;
    const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
    const DURATION: u32 = 0x4489;
    const TRACK_ENTRY: u32 = 0xAE;
    const TRACK_NUMBER: u32 = 0xD7;
    const TRACK_TYPE: u32 = 0x83;
    const DEFAULT_DURATION: u32 = 0x23_E383;
    const SIMPLE_BLOCK: u32 = 0xA3;
    const BLOCK_GROUP: u32 = 0xA0;
    const BLOCK: u32 = 0xA1;
    const REFERENCE_BLOCK: u32 = 0xFB;
    /// Level-1 elements: one of these ends a Cluster of unknown size.
    const LEVEL1: [u32; 7] = [CLUSTER, INFO, TRACKS, 0x1C53_BB6B, 0x1254_C367, 0x1941_A469, 0x1043_A770];
    const UNKNOWN: u64 = u64::MAX;

    /// A variable-length integer: (value, length). `id` keeps the marker bit (element IDs).
    fn vint(b: &[u8], id: bool) -> Option<(u64, usize)> {
        let first = *b.first()?;
        let len = first.leading_zeros() as usize + 1;
        if len > 8 || b.len() < len {
            return None;
        }
        let mut v = if id { first as u64 } else { (first as u64) & (0xFF >> len) };
        let mut all_ones = v == (0xFF >> len) as u64;
        for &x in &b[1..len] {
            v = (v << 8) | x as u64;
            all_ones &= x == 0xFF;
        }
        if !id && all_ones {
            return Some((UNKNOWN, len));
        }
        Some((v, len))
    }

    /// Reads an element header at the reader's position: (id, size, header length).
    fn header<R: Read>(r: &mut R) -> Option<(u32, u64, u64)> {
        let mut b = [0u8; 12];
        r.read_exact(&mut b[..1]).ok()?;
        let il = b[0].leading_zeros() as usize + 1;
        if il > 4 {
            return None;
        }
        r.read_exact(&mut b[1..il]).ok()?;
        let (id, _) = vint(&b[..il], true)?;
        r.read_exact(&mut b[il..il + 1]).ok()?;
        let sl = b[il].leading_zeros() as usize + 1;
        if sl > 8 {
            return None;
        }
        r.read_exact(&mut b[il + 1..il + sl]).ok()?;
        let (size, _) = vint(&b[il..il + sl], false)?;
        Some((id as u32, size, (il + sl) as u64))
    }

    /// The elements in a body held in memory: (id, body).
    fn elements(mut b: &[u8]) -> Vec<(u32, &[u8])> {
        let mut out = Vec::new();
        while !b.is_empty() {
            let Some((id, il)) = vint(b, true) else { break };
            let Some((size, sl)) = vint(&b[il..], false) else { break };
            let start = il + sl;
            let end = if size == UNKNOWN { b.len() as u64 } else { start as u64 + size };
            if end > b.len() as u64 {
                break;
            }
            out.push((id as u32, &b[start..end as usize]));
            b = &b[end as usize..];
        }
        out
    }

    fn uint(b: &[u8]) -> Option<u64> {
        (b.len() <= 8).then(|| b.iter().fold(0u64, |v, &x| (v << 8) | x as u64))
    }

    fn float(b: &[u8]) -> Option<f64> {
        match b.len() {
            4 => Some(f32::from_be_bytes(b.try_into().ok()?) as f64),
            8 => Some(f64::from_be_bytes(b.try_into().ok()?)),
            _ => None,
        }
    }

    fn read_body<R: Read>(r: &mut R, size: u64) -> Option<Vec<u8>> {
        if size > MAX_MKV_HEADER {
            return None;
        }
        let mut v = vec![0u8; size as usize];
        r.read_exact(&mut v).ok()?;
        Some(v)
    }

    /// Frames in a block's body of `track`: 0 for another track; `Some(key)` tells if it is a keyframe.
    fn block_frames(head: &[u8], track: u64, simple: bool) -> (usize, Option<bool>) {
        let Some((t, tl)) = vint(head, false) else { return (0, None) };
        if t != track || head.len() < tl + 3 {
            return (0, None);
        }
        let flags = head[tl + 2];
        let laced = (flags >> 1) & 3 != 0;
        let n = if laced { head.get(tl + 3).map(|&c| c as usize + 1).unwrap_or(1) } else { 1 };
        (n, simple.then_some(flags & 0x80 != 0))
    }

    pub(super) fn probe<R: Read + Seek>(r: &mut R, len: u64) -> Option<ContainerInfo> {
        // EBML header, then the Segment
        let (_, size, hl) = header(r)?;
        r.seek(SeekFrom::Start(hl + size)).ok()?;
        let (id, seg_size, shl) = header(r)?;
        if id != SEGMENT {
            return None;
        }
        let seg_start = hl + size + shl;
        let seg_end = if seg_size == UNKNOWN { len } else { (seg_start + seg_size).min(len) };
        let (mut scale, mut duration, mut track, mut default_ns) = (1_000_000u64, None, None::<u64>, None::<u64>);
        let (mut frames, mut seen_key) = (0usize, false);
        let mut pos = seg_start;
        while pos < seg_end {
            r.seek(SeekFrom::Start(pos)).ok()?;
            let Some((id, size, hl)) = header(r) else { break };
            let body = pos + hl;
            match id {
                INFO => {
                    for (id, v) in elements(&read_body(r, size)?) {
                        match id {
                            TIMESTAMP_SCALE => scale = uint(v).unwrap_or(scale),
                            DURATION => duration = float(v),
                            _ => {}
                        }
                    }
                }
                TRACKS => {
                    for (id, entry) in elements(&read_body(r, size)?) {
                        if id != TRACK_ENTRY || track.is_some() {
                            continue;
                        }
                        let els = elements(entry);
                        let get = |k: u32| els.iter().find(|e| e.0 == k).and_then(|e| uint(e.1));
                        if get(TRACK_TYPE) == Some(1) {
                            track = get(TRACK_NUMBER);
                            default_ns = get(DEFAULT_DURATION);
                        }
                    }
                }
                CLUSTER => {
                    let Some(track) = track else { break };
                    let end = if size == UNKNOWN { seg_end } else { body + size };
                    let mut p = body;
                    while p < end {
                        r.seek(SeekFrom::Start(p)).ok()?;
                        let Some((cid, csize, chl)) = header(r) else { break };
                        if size == UNKNOWN && LEVEL1.contains(&cid) {
                            break;
                        }
                        if csize == UNKNOWN {
                            return None;
                        }
                        let (n, key) = match cid {
                            SIMPLE_BLOCK => {
                                let mut h = [0u8; 12];
                                let k = (csize as usize).min(12);
                                r.read_exact(&mut h[..k]).ok()?;
                                block_frames(&h[..k], track, true)
                            }
                            BLOCK_GROUP => {
                                let group = read_body(r, csize)?;
                                let els = elements(&group);
                                let referenced = els.iter().any(|e| e.0 == REFERENCE_BLOCK);
                                match els.iter().find(|e| e.0 == BLOCK) {
                                    Some((_, b)) => (block_frames(b, track, false).0, Some(!referenced)),
                                    None => (0, None),
                                }
                            }
                            _ => (0, None),
                        };
                        if n > 0 {
                            seen_key |= key.unwrap_or(true);
                            if seen_key {
                                frames += n;
                            }
                        }
                        p += chl + csize;
                    }
                    if size == UNKNOWN {
                        pos = p;
                        continue;
                    }
                }
                _ => {}
            }
            if size == UNKNOWN {
                break;
            }
            pos = body + size;
        }
        track?;
        let nominal_fps = default_ns.filter(|&d| d > 0).map(|d| 1e9 / d as f64);
        let duration_s = duration.map(|d| d * scale as f64 / 1e9).filter(|d| d.is_finite() && *d > 0.0);
        Some(ContainerInfo { nominal_fps, frames: (frames > 0).then_some(frames), duration_s, capture_fps: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_or_missing_files_give_nothing() {
        assert_eq!(probe(Path::new("/nonexistent/x.mp4")), ContainerInfo::default());
        let d = std::env::temp_dir().join(format!("overstride-container-{}", std::process::id()));
        std::fs::write(&d, b"not a video at all").unwrap();
        assert_eq!(probe(&d), ContainerInfo::default());
        std::fs::remove_file(&d).unwrap();
    }

    #[test]
    fn the_sample_is_30_fps_360_frames_12_s() {
        let c = probe(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/male_side.mp4"));
        assert_eq!(c.nominal_fps, Some(30.0));
        assert_eq!(c.frames, Some(360));
        assert!((c.duration_s.unwrap() - 12.0).abs() < 1e-9, "{c:?}");
        assert_eq!(c.capture_fps, None);
    }

    fn in_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    #[test]
    fn the_capture_rate_is_read_from_the_meta_keys() {
        // moov/udta/meta (a full box) with keys [encoder, com.android.capture.fps] and their values
        let key = |name: &str| {
            let mut k = ((name.len() + 8) as u32).to_be_bytes().to_vec();
            k.extend_from_slice(b"mdta");
            k.extend_from_slice(name.as_bytes());
            k
        };
        let mut keys = vec![0, 0, 0, 0, 0, 0, 0, 2];
        keys.extend(key("encoder"));
        keys.extend(key("com.android.capture.fps"));
        let data = |kind: u32, v: &[u8]| {
            let mut d = kind.to_be_bytes().to_vec();
            d.extend_from_slice(&[0, 0, 0, 0]);
            d.extend_from_slice(v);
            in_box(b"data", &d)
        };
        for (kind, v) in [(1u32, b"120.000000".to_vec()), (23, 120.0f32.to_be_bytes().to_vec()), (24, 120.0f64.to_be_bytes().to_vec())] {
            let mut ilst = in_box(&1u32.to_be_bytes(), &data(1, b"x"));
            ilst.extend(in_box(&2u32.to_be_bytes(), &data(kind, &v)));
            let mut meta = vec![0, 0, 0, 0];
            meta.extend(in_box(b"hdlr", &[0; 24]));
            meta.extend(in_box(b"keys", &keys));
            meta.extend(in_box(b"ilst", &ilst));
            let moov = in_box(b"udta", &in_box(b"meta", &meta));
            assert_eq!(mp4::capture_fps(&moov), Some(120.0), "data type {kind}");
        }
    }
}
