//! The metronome click track (`metronome_<spm>.wav`): one click per step at the target step rate,
//! for a runner to play on the treadmill. Mono, 16-bit PCM, 44.1 kHz, written with `hound`.
//!
//! Click k starts on sample round(k · rate · 60 / spm), so the tempo does not drift over the track
//! (each interval is within one sample of 60/spm s); the track holds a whole number of beats, so
//! it loops without a hiccup. A click is a 2 kHz tone with a 4 ms decay, 30 ms long, starting at
//! its peak (a sharp onset that any player reproduces and a test can find to the sample).

use std::io::Cursor;

use crate::{Error, Result};

pub(crate) const SAMPLE_RATE: u32 = 44_100;
/// The track's length, seconds (rounded to a whole number of beats): a few minutes, to loop.
pub(crate) const DURATION_S: f64 = 180.0;
const CLICK_HZ: f64 = 2000.0;
const CLICK_DECAY_S: f64 = 0.004;
const CLICK_LEN_S: f64 = 0.030;
/// The click's peak, as a fraction of full scale.
const CLICK_PEAK: f64 = 0.8;

/// Sample index at which click `k` starts.
pub(crate) fn click_start(k: u64, spm: f64, rate: u32) -> u64 {
    (k as f64 * rate as f64 * 60.0 / spm).round() as u64
}

/// The samples of a click track at `spm` steps per minute lasting about `duration_s` (a whole
/// number of beats, at least one).
pub fn samples(spm: f64, duration_s: f64, rate: u32) -> Vec<i16> {
    let beats = ((duration_s * spm / 60.0).round() as u64).max(1);
    let total = click_start(beats, spm, rate) as usize;
    let mut out = vec![0i16; total];
    let len = (CLICK_LEN_S * rate as f64) as usize;
    let click: Vec<i16> = (0..len)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let v = CLICK_PEAK * (2.0 * std::f64::consts::PI * CLICK_HZ * t).cos() * (-t / CLICK_DECAY_S).exp();
            (v * i16::MAX as f64).round() as i16
        })
        .collect();
    for k in 0..beats {
        let s = click_start(k, spm, rate) as usize;
        for (i, v) in click.iter().enumerate() {
            if let Some(o) = out.get_mut(s + i) {
                *o = *v;
            }
        }
    }
    out
}

/// The WAV file's bytes for a click track at `spm`.
pub fn wav(spm: u32) -> Result<Vec<u8>> {
    let spec = hound::WavSpec { channels: 1, sample_rate: SAMPLE_RATE, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let s = samples(spm as f64, DURATION_S, SAMPLE_RATE);
    let mut buf = Cursor::new(Vec::with_capacity(44 + 2 * s.len()));
    let err = |e: hound::Error| Error::Input(format!("cannot encode the metronome track: {e}"));
    {
        let mut w = hound::WavWriter::new(&mut buf, spec).map_err(err)?;
        let mut w16 = w.get_i16_writer(s.len() as u32);
        for v in &s {
            w16.write_sample(*v);
        }
        w16.flush().map_err(err)?;
        w.finalize().map_err(err)?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_on_the_beat_without_drift() {
        let s = samples(172.0, 10.0, SAMPLE_RATE);
        // 10 s at 172 steps/min: 28.67 → 29 beats; the length is exactly 29 beat periods
        assert_eq!(s.len() as u64, click_start(29, 172.0, SAMPLE_RATE));
        assert_eq!(s.len(), (29.0f64 * 44100.0 * 60.0 / 172.0).round() as usize);
        for k in 0..29 {
            let i = click_start(k, 172.0, SAMPLE_RATE) as usize;
            assert!(s[i] > 25_000, "click {k} starts at its peak");
            if k > 0 {
                assert_eq!(s[i - 1], 0, "silence before click {k}");
            }
        }
    }
}
