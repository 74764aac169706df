//! ISO BMFF (MP4/MOV/M4V/3GP): the video track's timescale, sample durations and composition
//! offsets, keyframes, edit list and capture-rate metadata (see the parent module).

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
