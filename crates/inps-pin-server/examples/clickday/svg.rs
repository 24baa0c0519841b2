//! The picture of the run, written by hand as SVG: throughput above (offered, admitted,
//! shed, a second at a time, with the measured capacity), latency below (p50 and p99 of
//! admitted and of shed answers, on a log scale), and the faults marked on both.

use std::fmt::Write as _;

/// A line: its name, colour, whether dashed, and its points (seconds, value).
pub struct Series {
    pub name: &'static str,
    pub colour: &'static str,
    pub dashed: bool,
    pub points: Vec<(f64, f64)>,
}

/// A moment to mark: when, and what.
pub struct Mark {
    pub at: f64,
    pub label: String,
}

const WIDTH: f64 = 960.0;
const PANEL: f64 = 300.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const GAP: f64 = 70.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Where a panel goes and what it says.
struct Panel<'a> {
    top: f64,
    title: &'a str,
    unit: &'a str,
    /// Values on a log scale.
    log: bool,
}

/// One panel: the series over `0..=span` seconds.
fn panel(out: &mut String, spec: &Panel<'_>, span: f64, series: &[Series], marks: &[Mark]) {
    let Panel {
        top,
        title,
        unit,
        log,
    } = *spec;
    let plot_width = WIDTH - LEFT - RIGHT;
    let highest = series
        .iter()
        .flat_map(|line| line.points.iter().map(|(_, value)| *value))
        .fold(1.0f64, f64::max);
    let (low, high) = if log {
        (0.0f64, highest.max(10.0).log10().ceil())
    } else {
        let step = nice_step(highest / 5.0);
        (0.0, (highest / step).ceil() * step)
    };
    let scale = |value: f64| -> f64 {
        let v = if log { value.max(1.0).log10() } else { value };
        top + PANEL - (v - low) / (high - low).max(1e-9) * PANEL
    };
    let x = |t: f64| LEFT + t / span.max(1e-9) * plot_width;
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="{}" font-size="15" font-weight="bold">{}</text>"#,
        top - 12.0,
        escape(title)
    );
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="{top}" width="{plot_width}" height="{PANEL}" fill="none" stroke="#888"/>"##
    );
    // Horizontal grid.
    let ticks: Vec<f64> = if log {
        (0..=high as i32).map(|p| 10f64.powi(p)).collect()
    } else {
        let step = nice_step(high / 5.0);
        (0..=((high / step).round() as i32))
            .map(|i| f64::from(i) * step)
            .collect()
    };
    for tick in ticks {
        let y = scale(tick);
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end">{tick}</text>"##,
            LEFT + plot_width,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        out,
        r#"<text x="14" y="{:.1}" font-size="12" transform="rotate(-90 14 {:.1})">{}</text>"#,
        top + PANEL / 2.0,
        top + PANEL / 2.0,
        escape(unit)
    );
    // Time axis.
    let step = nice_step(span / 10.0);
    let mut t = 0.0;
    while t <= span + 1e-9 {
        let _ = writeln!(
            out,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{t}</text>"#,
            x(t),
            top + PANEL + 15.0
        );
        t += step;
    }
    for mark in marks {
        let _ = writeln!(
            out,
            r##"<line x1="{0:.1}" y1="{top}" x2="{0:.1}" y2="{1:.1}" stroke="#a33" stroke-dasharray="3,3"/><text x="{2:.1}" y="{3:.1}" font-size="10" fill="#a33">{4}</text>"##,
            x(mark.at),
            top + PANEL,
            x(mark.at) + 3.0,
            top + 12.0,
            escape(&mark.label)
        );
    }
    for (index, line) in series.iter().enumerate() {
        let points: Vec<String> = line
            .points
            .iter()
            .map(|(t, value)| format!("{:.1},{:.1}", x(*t), scale(*value)))
            .collect();
        let dash = if line.dashed {
            r#" stroke-dasharray="6,4""#
        } else {
            ""
        };
        let _ = writeln!(
            out,
            r#"<polyline fill="none" stroke="{}" stroke-width="1.6"{dash} points="{}"/>"#,
            line.colour,
            points.join(" ")
        );
        let y = top + 14.0 + 18.0 * index as f64;
        let _ = writeln!(
            out,
            r#"<line x1="{0:.1}" y1="{y:.1}" x2="{1:.1}" y2="{y:.1}" stroke="{2}" stroke-width="2"{dash}/><text x="{3:.1}" y="{4:.1}" font-size="12">{5}</text>"#,
            WIDTH - RIGHT + 10.0,
            WIDTH - RIGHT + 34.0,
            line.colour,
            WIDTH - RIGHT + 40.0,
            y + 4.0,
            escape(line.name)
        );
    }
}

fn nice_step(rough: f64) -> f64 {
    let rough = rough.max(1e-9);
    let power = 10f64.powf(rough.log10().floor());
    for factor in [1.0, 2.0, 5.0, 10.0] {
        if factor * power >= rough {
            return factor * power;
        }
    }
    10.0 * power
}

/// The whole picture.
pub fn chart(
    title: &str,
    span: f64,
    throughput: &[Series],
    latency: &[Series],
    marks: &[Mark],
) -> String {
    let height = TOP + 2.0 * PANEL + GAP + 40.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif">"#
    );
    let _ = writeln!(
        out,
        r#"<rect width="100%" height="100%" fill="white"/><text x="{LEFT}" y="18" font-size="13">{}</text>"#,
        escape(title)
    );
    let throughput_panel = Panel {
        top: TOP + 20.0,
        title: "Throughput (requests a second)",
        unit: "requests / s",
        log: false,
    };
    panel(&mut out, &throughput_panel, span, throughput, marks);
    let latency_panel = Panel {
        top: TOP + 20.0 + PANEL + GAP,
        title: "Latency (ms, log scale; seconds since the load began)",
        unit: "ms",
        log: true,
    };
    panel(&mut out, &latency_panel, span, latency, marks);
    out.push_str("</svg>\n");
    out
}
