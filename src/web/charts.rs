//! Server-rendered SVG charts for the administrators' dashboard. Each chart is
//! drawn from the same figures as the table printed under it; text in the SVG is
//! escaped here, so the result can be placed in a page as it is.

use std::fmt::Write;

/// Escapes text for SVG/HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if max <= m * p {
            return m * p;
        }
    }
    10.0 * p
}

/// A line chart of percentages over labelled points (e.g. months); a missing
/// value (no searches that month) breaks the line. `title_id` names the
/// element holding the chart's caption, for `aria-labelledby`.
pub fn line_percent(title_id: &str, points: &[(String, Option<f64>)]) -> String {
    let (w, h) = (720.0, 300.0);
    let (left, right, top, bottom) = (56.0, 16.0, 16.0, 56.0);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}" xmlns="http://www.w3.org/2000/svg">"#,
        id = esc(title_id)
    );
    for i in 0..=4 {
        let y = top + ph - ph * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r#"<line class="grid" x1="{left}" x2="{x2}" y1="{y:.1}" y2="{y:.1}"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{p}%</text>"#,
            x2 = left + pw,
            tx = left - 6.0,
            ty = y + 4.0,
            p = i * 25
        );
    }
    let _ = write!(
        s,
        r#"<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{b}"/><line class="axis" x1="{left}" x2="{r}" y1="{b}" y2="{b}"/>"#,
        b = top + ph,
        r = left + pw
    );
    let n = points.len().max(1);
    let step = if n > 1 { pw / (n - 1) as f64 } else { 0.0 };
    let x_of = |i: usize| {
        if n > 1 {
            left + step * i as f64
        } else {
            left + pw / 2.0
        }
    };
    let y_of = |v: f64| top + ph - ph * v.clamp(0.0, 1.0);
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => {
                let _ = write!(
                    path,
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    x_of(i),
                    y_of(*v)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(s, r#"<path class="line" d="{}"/>"#, path.trim_end());
    }
    let every = n.div_ceil(12);
    for (i, (label, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                s,
                r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="4"><title>{}: {:.1}%</title></circle>"#,
                x_of(i),
                y_of(*v),
                esc(label),
                v * 100.0
            );
        }
        if i % every == 0 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end" transform="rotate(-40 {:.1} {:.1})">{}</text>"#,
                x_of(i),
                top + ph + 18.0,
                x_of(i),
                top + ph + 18.0,
                esc(label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// One bar of a horizontal bar chart.
pub struct Bar {
    pub label: String,
    pub value: f64,
    /// Drawn in the warning colour and marked with "▲" in its label.
    pub marked: bool,
}

/// A horizontal bar chart; `unit` follows each value (e.g. "人/千人").
pub fn bars(title_id: &str, bars: &[Bar], unit: &str, decimals: usize) -> String {
    let row = 28.0;
    let (left, right, top) = (150.0, 110.0, 8.0);
    let w = 720.0;
    let h = top * 2.0 + row * bars.len().max(1) as f64 + 8.0;
    let pw = w - left - right;
    let max = nice_max(bars.iter().map(|b| b.value).fold(0.0, f64::max));
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}" xmlns="http://www.w3.org/2000/svg">"#,
        id = esc(title_id)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let bw = if max > 0.0 { pw * b.value / max } else { 0.0 };
        let label = if b.marked {
            format!("▲ {}", b.label)
        } else {
            b.label.clone()
        };
        let _ = write!(
            s,
            r#"<text x="{tx}" y="{ty:.1}" text-anchor="end">{label}</text><rect class="bar{cls}" x="{left}" y="{y:.1}" width="{bw:.1}" height="{bh}"/><text x="{vx:.1}" y="{ty:.1}">{v:.decimals$} {unit}</text>"#,
            tx = left - 8.0,
            ty = y + row * 0.62,
            label = esc(&label),
            cls = if b.marked { " under" } else { "" },
            bh = row - 8.0,
            vx = left + bw + 6.0,
            v = b.value,
            unit = esc(unit),
        );
    }
    let _ = write!(
        s,
        r#"<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{b:.1}"/>"#,
        b = h - top
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = bars(
            "t",
            &[Bar {
                label: "<script>".into(),
                value: 1.0,
                marked: false,
            }],
            "件",
            0,
        );
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<script>"));
    }

    #[test]
    fn marked_bars_carry_a_text_marker_and_class() {
        let svg = bars(
            "t",
            &[Bar {
                label: "東地区".into(),
                value: 3.0,
                marked: true,
            }],
            "人",
            1,
        );
        assert!(svg.contains("▲ 東地区"));
        assert!(svg.contains("class=\"bar under\""));
    }

    #[test]
    fn a_month_without_searches_breaks_the_line() {
        let svg = line_percent(
            "t",
            &[
                ("2026-01".into(), Some(0.5)),
                ("2026-02".into(), None),
                ("2026-03".into(), Some(0.75)),
            ],
        );
        assert_eq!(svg.matches('M').count(), 2, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2);
    }

    #[test]
    fn axis_maximum_is_round() {
        assert_eq!(nice_max(7.3), 10.0);
        assert_eq!(nice_max(13.0), 20.0);
        assert_eq!(nice_max(0.0), 1.0);
    }
}
