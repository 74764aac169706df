//! Matroska/WebM (EBML): the timestamp scale, duration, the video track's default frame duration
//! and its blocks from the first keyframe (see the parent module).

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
