//! The page's per-step table and its reference ranges with their sources.

use std::fmt::Write;

use super::esc;
use crate::gait::analysis::Analysis;

pub(super) fn table(a: &Analysis, out: &mut String) {
    let side_view = a.view.is_side();
    out.push_str("<section class=steps><h2>Every step</h2><table><thead><tr><th>#</th><th>side</th><th>IC (s)</th><th>frame</th><th>contact (s)</th><th>flight (s)</th>");
    if side_view {
        out.push_str("<th>overstride (% leg)</th><th>overstride (cm)</th><th>shank (°)</th><th>knee at IC (°)</th><th>knee peak (°)</th><th>foot strike</th>");
    } else {
        out.push_str("<th>pelvic drop (°)</th><th>FPPA (°)</th><th>step width (% leg)</th>");
    }
    out.push_str("<th>confidence</th></tr></thead><tbody>");
    let f = |v: Option<f64>, d: usize| v.map(|x| format!("{x:.d$}")).unwrap_or_else(|| "–".into());
    for (i, s) in a.steps.iter().enumerate() {
        let class = if s.excluded.is_some() { " class=excluded" } else { "" };
        let _ = write!(
            out,
            "<tr{class}><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td>",
            i + 1,
            s.side.as_str(),
            s.ic_time_s,
            s.ic_frame,
            f(s.contact_time_s, 3),
            f(s.flight_time_s, 3)
        );
        if side_view {
            let _ = write!(
                out,
                "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                f(s.overstride_pct_leg, 1),
                f(s.overstride_cm, 1),
                f(s.shank_angle_deg, 1),
                f(s.knee_flexion_ic_deg, 1),
                f(s.knee_flexion_peak_deg, 1),
                s.foot_strike.map(|x| x.as_str().to_string()).unwrap_or_else(|| "–".into())
            );
        } else {
            let _ = write!(out, "<td>{}</td><td>{}</td><td>{}</td>", f(s.pelvic_drop_deg, 1), f(s.fppa_deg, 1), f(s.step_width_pct_leg, 1));
        }
        // the reason in a tooltip; the cell stays short so that the table prints compactly
        let note = s.excluded.as_ref().map(|e| format!(" <span title=\"{}\">left out: {}</span>", esc(&e.to_string()), e.short()));
        let _ = write!(out, "<td>{:.2}{}</td></tr>", s.confidence, note.unwrap_or_default());
    }
    out.push_str("</tbody></table>");
    if a.steps.iter().any(|s| s.excluded.is_some()) {
        let _ = write!(
            out,
            "<p class=meta>Steps marked “left out” are not in the means: “timing” — step or contact time below {low}× or above {high}× the side's median (a mis-detected contact); “out of sequence” — another contact of the same foot within {low}× the side's median stride (the other foot's landing taken for this one); “low confidence” — the leg's landmarks averaged a visibility below {conf} at foot strike; “impossible value” — a number beyond what a body can do (a landmark or contact error). Hover over the note for the numbers.</p>",
            low = crate::gait::IMPLAUSIBLE_LOW,
            high = crate::gait::IMPLAUSIBLE_HIGH,
            conf = crate::gait::MIN_STEP_CONFIDENCE
        );
    }
    out.push_str("</section>");
}

pub(super) const REFERENCES: &str = "<section class=refs><h2>Reference ranges and sources</h2><table><thead><tr><th>measure</th><th>reference</th><th>source</th></tr></thead><tbody>\
<tr><td>Overstride (heel ahead of the centre of mass at foot strike)</td><td>≤ 8 % of leg length none, ≤ 15 % borderline: the tool's own bands (no published normal range for this definition in % of leg length; the scale of GaitLab's ankle-to-hip bands); it falls as step rate rises 5–10 %</td><td>Heiderscheit 2011; Wille 2014 relates it to knee and hip loading</td></tr>\
<tr><td>Shank angle at foot strike</td><td>near vertical; the ankle well ahead of the knee marks overstriding</td><td>Souza 2016</td></tr>\
<tr><td>Knee flexion</td><td>17.8 ± 4.0° at foot strike, 46.3 ± 4.5° peak in stance (preferred step rate; 19.6° and 42.8° at +10 %); below 5° at foot strike is flagged as suspect</td><td>Heiderscheit 2011, Table 3</td></tr>\
<tr><td>Foot-strike angle</td><td>&gt; 8° rearfoot, −1.6° to 8° midfoot, &lt; −1.6° forefoot; typical rearfoot 17.7 ± 4.4°, midfoot 2.6 ± 1.5°, forefoot −7.9 ± 2.8°</td><td>Altman &amp; Davis 2012</td></tr>\
<tr><td>Initial contact</td><td>the instant the foot joins the belt (at the belt's level and moving with it), not its forward-most point, which comes 20–50 ms earlier; every at-contact number shows its timing uncertainty</td><td>this tool's landing model</td></tr>\
<tr><td>Cadence</td><td>typically 160–180 steps/min; +5–10 % lowers hip and knee loading</td><td>Heiderscheit 2011</td></tr>\
<tr><td>Duty factor</td><td>below 50 % in running</td><td></td></tr>\
<tr><td>Contralateral pelvic drop</td><td>each +1° ≈ 80 % higher odds of injury; smallest detectable difference in 2-D video 2.7–2.8°</td><td>Bramah 2018; Dingenen 2018</td></tr>\
<tr><td>Timing of foot strike from video</td><td>kinematic detection error about 10–25 ms</td><td>Fellin 2010; Young 2023</td></tr>\
</tbody></table></section>";
