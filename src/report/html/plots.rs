//! The page's plots, inline SVG: per-step values over time with reference bands, series over
//! time with the events marked, and per-side distributions.

use std::fmt::Write;

use super::{esc, LEFT_COLOUR, RIGHT_COLOUR};
use crate::gait::analysis::{Analysis, Step};
use crate::gait::events::Side;

/// A scatter plot of one per-step metric over time, left and right, with an optional reference band.
pub(super) fn plot(a: &Analysis, title: &str, unit: &str, get: fn(&Step) -> Option<f64>, bands: &[(f64, f64, &str)]) -> Option<String> {
    let pts: Vec<(f64, f64, Side)> =
        a.steps.iter().filter(|s| s.excluded.is_none()).filter_map(|s| get(s).map(|v| (s.ic_time_s, v, s.side))).collect();
    if pts.len() < 2 {
        return None;
    }
    let (w, h, l, r, t, b) = (640.0, 220.0, 56.0, 12.0, 24.0, 36.0);
    let t0 = 0.0f64;
    let t1 = a.duration_s.max(pts.iter().map(|p| p.0).fold(0.0, f64::max)).max(1e-3);
    let (dlo, dhi) = (pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min), pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max));
    // the range shows the data, widened to band edges that lie near it (a far edge is not shown)
    let span = (dhi - dlo).max(1.0);
    let (mut lo, mut hi) = (dlo, dhi);
    for &(a0, a1, _) in bands {
        for e in [a0, a1] {
            if e > dlo - 0.25 * span && e < dhi + 0.25 * span {
                lo = lo.min(e);
                hi = hi.max(e);
            }
        }
    }
    let pad = ((hi - lo) * 0.1).max(0.5);
    let (lo, hi) = (lo - pad, hi + pad);
    let x = |v: f64| l + (w - l - r) * (v - t0) / (t1 - t0);
    let y = |v: f64| t + (h - t - b) * (1.0 - (v - lo) / (hi - lo));
    let mut s = format!("<figure><svg viewBox='0 0 {w} {h}' role=img aria-label='{}'>", esc(title));
    for &(a0, a1, colour) in bands {
        let (ya, yb) = (y(a1.min(hi)), y(a0.max(lo)));
        if yb > ya {
            let _ =
                write!(s, "<rect x='{l}' y='{ya:.1}' width='{:.1}' height='{:.1}' fill='{colour}' opacity='0.18'/>", w - l - r, yb - ya);
        }
    }
    // axes and ticks
    let _ = write!(s, "<line x1='{l}' y1='{:.1}' x2='{:.1}' y2='{:.1}' stroke='#444'/>", h - b, w - r, h - b);
    let _ = write!(s, "<line x1='{l}' y1='{t}' x2='{l}' y2='{:.1}' stroke='#444'/>", h - b);
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let _ = write!(s, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=end>{v:.1}</text>", l - 4.0, y(v) + 4.0);
        let tv = t0 + (t1 - t0) * k as f64 / 4.0;
        let _ = write!(s, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=middle>{tv:.1}</text>", x(tv), h - b + 14.0);
    }
    let _ = write!(s, "<text x='{:.1}' y='{:.1}' class=axis text-anchor=middle>time (s)</text>", (l + w - r) / 2.0, h - 4.0);
    let _ = write!(
        s,
        "<text x='12' y='{:.1}' class=axis text-anchor=middle transform='rotate(-90 12 {:.1})'>{}</text>",
        (t + h - b) / 2.0,
        (t + h - b) / 2.0,
        esc(unit)
    );
    for &(tt, v, side) in &pts {
        let c = if side == Side::Left { LEFT_COLOUR } else { RIGHT_COLOUR };
        let _ = write!(s, "<circle cx='{:.1}' cy='{:.1}' r='3.5' fill='{c}'/>", x(tt), y(v));
    }
    let _ = write!(
        s,
        "<text x='{l}' y='14' class=title>{}</text><text x='{:.1}' y='14' class=legend fill='{LEFT_COLOUR}'>● left</text><text x='{:.1}' y='14' class=legend fill='{RIGHT_COLOUR}'>● right</text></svg></figure>",
        esc(title),
        w - 110.0,
        w - 56.0
    );
    Some(s)
}

/// A line plot of series over time (downsampled to ~1200 points), with event ticks along the top
/// (solid: initial contact, dashed: toe-off) in each side's colour.
pub(super) fn series_plot(a: &Analysis, title: &str, unit: &str, series: &[(&[f64], &str, &str)], events: bool) -> Option<String> {
    let t = &a.traces.t;
    if t.len() < 2 || series.iter().all(|(v, _, _)| v.iter().all(|x| !x.is_finite())) {
        return None;
    }
    let (w, h, l, r, top, b) = (640.0, 200.0, 56.0, 12.0, 24.0, 36.0);
    let (t0, t1) = (t[0], t[t.len() - 1].max(t[0] + 1e-3));
    let vals = series.iter().flat_map(|(v, _, _)| v.iter().copied().filter(|x| x.is_finite()));
    let (mut lo, mut hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
    let pad = ((hi - lo) * 0.08).max(0.5);
    lo -= pad;
    hi += pad;
    let x = |v: f64| l + (w - l - r) * (v - t0) / (t1 - t0);
    let y = |v: f64| top + (h - top - b) * (1.0 - (v - lo) / (hi - lo));
    let step = (t.len() / 1200).max(1);
    let mut svg = format!("<figure><svg viewBox='0 0 {w} {h}' role=img aria-label='{}'>", esc(title));
    let _ = write!(
        svg,
        "<line x1='{l}' y1='{:.1}' x2='{:.1}' y2='{:.1}' stroke='#444'/><line x1='{l}' y1='{top}' x2='{l}' y2='{:.1}' stroke='#444'/>",
        h - b,
        w - r,
        h - b,
        h - b
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let tv = t0 + (t1 - t0) * k as f64 / 4.0;
        let _ = write!(svg, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=end>{v:.0}</text>", l - 4.0, y(v) + 4.0);
        let _ = write!(svg, "<text x='{:.1}' y='{:.1}' class=tick text-anchor=middle>{tv:.1}</text>", x(tv), h - b + 14.0);
    }
    let _ = write!(svg, "<text x='{:.1}' y='{:.1}' class=axis text-anchor=middle>time (s)</text>", (l + w - r) / 2.0, h - 4.0);
    let _ = write!(
        svg,
        "<text x='12' y='{:.1}' class=axis text-anchor=middle transform='rotate(-90 12 {:.1})'>{}</text>",
        (top + h - b) / 2.0,
        (top + h - b) / 2.0,
        esc(unit)
    );
    if events {
        for s in &a.steps {
            let c = if s.side == Side::Left { LEFT_COLOUR } else { RIGHT_COLOUR };
            let _ = write!(
                svg,
                "<line x1='{0:.1}' x2='{0:.1}' y1='{top}' y2='{1:.1}' stroke='{c}' stroke-width='1' opacity='0.55'/>",
                x(s.ic_time_s),
                h - b
            );
            if let Some(to) = s.to_time_s {
                let _ = write!(svg, "<line x1='{0:.1}' x2='{0:.1}' y1='{top}' y2='{1:.1}' stroke='{c}' stroke-width='1' stroke-dasharray='3 3' opacity='0.55'/>", x(to), h - b);
            }
        }
    }
    for (v, colour, _) in series {
        let mut d = String::new();
        let mut pen = false;
        for i in (0..t.len().min(v.len())).step_by(step) {
            if v[i].is_finite() {
                let _ = write!(d, "{}{:.1},{:.1} ", if pen { "L" } else { "M" }, x(t[i]), y(v[i]));
                pen = true;
            } else {
                pen = false;
            }
        }
        let _ = write!(svg, "<path d='{d}' fill='none' stroke='{colour}' stroke-width='1.4'/>");
    }
    let _ = write!(svg, "<text x='{l}' y='14' class=title>{}</text>", esc(title));
    for (i, (_, colour, label)) in series.iter().enumerate() {
        let _ = write!(svg, "<text x='{:.1}' y='14' class=legend fill='{colour}'>— {}</text>", w - 150.0 + 70.0 * i as f64, esc(label));
    }
    svg.push_str("</svg></figure>");
    Some(svg)
}

/// The x range of a plot of these values: their extent padded by 8 % (at least 0.5) each side.
pub(crate) fn padded_range(all: &[f64]) -> (f64, f64) {
    let (lo, hi) = all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)));
    let pad = ((hi - lo) * 0.08).max(0.5);
    (lo - pad, hi + pad)
}

/// An SVG figure's opening, with its title.
pub(crate) fn svg_figure(w: f64, h: f64, title: &str) -> String {
    let mut svg = format!("<figure><svg viewBox='0 0 {w} {h}' role=img aria-label='{}'>", esc(title));
    let _ = write!(svg, "<text x='8' y='14' class=title>{}</text>", esc(title));
    svg
}

/// Closes a figure with a value axis along its bottom: five ticks from `lo` to `hi` at height
/// `tick_y` (placed by `x`) and the unit centred at `label_at`.
pub(crate) fn close_with_value_axis(
    svg: &mut String,
    (lo, hi): (f64, f64),
    x: impl Fn(f64) -> f64,
    tick_y: f64,
    label_at: (f64, f64),
    unit: &str,
) {
    for k in 0..=4 {
        let v = lo + (hi - lo) * k as f64 / 4.0;
        let _ = write!(svg, "<text x='{:.1}' y='{tick_y:.1}' class=tick text-anchor=middle>{v:.1}</text>", x(v));
    }
    let _ =
        write!(svg, "<text x='{:.1}' y='{:.1}' class=axis text-anchor=middle>{}</text></svg></figure>", label_at.0, label_at.1, esc(unit));
}

/// Per-side distribution of a metric over the steps: a box (quartiles, median) with every step's
/// value beside it.
pub(super) fn distribution(a: &Analysis, title: &str, unit: &str, get: fn(&Step) -> Option<f64>) -> Option<String> {
    let sides: Vec<(Side, Vec<f64>)> = [Side::Left, Side::Right]
        .into_iter()
        .map(|sd| {
            let mut v: Vec<f64> =
                a.steps.iter().filter(|s| s.side == sd && s.excluded.is_none()).filter_map(get).filter(|x| x.is_finite()).collect();
            v.sort_by(f64::total_cmp);
            (sd, v)
        })
        .collect();
    if sides.iter().all(|(_, v)| v.len() < 2) {
        return None;
    }
    let (w, h, l, top, b) = (640.0, 150.0, 90.0, 24.0, 30.0);
    let all: Vec<f64> = sides.iter().flat_map(|(_, v)| v.iter().copied()).collect();
    let (lo, hi) = padded_range(&all);
    let x = |v: f64| l + (w - l - 16.0) * (v - lo) / (hi - lo);
    let mut svg = svg_figure(w, h, title);
    for (row, (sd, v)) in sides.iter().enumerate() {
        if v.is_empty() {
            continue;
        }
        let c = if *sd == Side::Left { LEFT_COLOUR } else { RIGHT_COLOUR };
        let yc = top + 20.0 + row as f64 * 42.0;
        let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        let _ = write!(svg, "<text x='8' y='{:.1}' class=axis fill='{c}'>{} (n = {})</text>", yc + 4.0, sd.as_str(), v.len());
        let _ = write!(svg, "<line x1='{:.1}' x2='{:.1}' y1='{yc:.1}' y2='{yc:.1}' stroke='{c}'/>", x(v[0]), x(v[v.len() - 1]));
        let _ = write!(
            svg,
            "<rect x='{:.1}' y='{:.1}' width='{:.1}' height='18' fill='{c}' opacity='0.25' stroke='{c}'/>",
            x(q(0.25)),
            yc - 9.0,
            (x(q(0.75)) - x(q(0.25))).max(1.0)
        );
        let _ = write!(
            svg,
            "<line x1='{0:.1}' x2='{0:.1}' y1='{1:.1}' y2='{2:.1}' stroke='{c}' stroke-width='2.5'/>",
            x(q(0.5)),
            yc - 9.0,
            yc + 9.0
        );
        for val in v {
            let _ = write!(svg, "<circle cx='{:.1}' cy='{:.1}' r='2.2' fill='{c}'/>", x(*val), yc + 14.0);
        }
    }
    close_with_value_axis(&mut svg, (lo, hi), x, h - b + 12.0, ((l + w) / 2.0, h - 4.0), unit);
    Some(svg)
}
