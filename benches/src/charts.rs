//! The pictures `RESULTS.md` opens with, drawn with `plotters` into SVG
//! files next to it: per group, edgeio/tokio per row with the spread of
//! its pairs and the floor's ratios; and the scaling curve.

use std::io;
use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::echo::SCALING_CONNS;
use crate::report::{ChartRow, Report};
use crate::rt::Rt;

/// Pixels per row of a ratio chart.
const ROW_HEIGHT: u32 = 20;
const WIDTH: u32 = 1040;
/// Left margin for the rows' names.
const LABELS: u32 = 460;

const EDGEIO: RGBColor = RGBColor(31, 119, 180);
const TOKIO: RGBColor = RGBColor(214, 95, 14);
const FLOOR_EDGEIO: RGBColor = RGBColor(44, 160, 44);
const BETTER: RGBColor = RGBColor(226, 244, 226);

/// Draws every chart the report has data for into the charts folder of
/// `results` and returns (caption, path relative to `results`) of each.
pub fn write(report: &Report, results: &Path) -> io::Result<Vec<(String, String)>> {
    let (dir, relative) = folder(results);
    std::fs::create_dir_all(&dir)?;
    let mut charts = Vec::new();
    for group in report.groups() {
        let rows = report.chart_rows(&group);
        if rows.is_empty() {
            continue;
        }
        let file = format!("{group}-ratios.svg");
        ratio_chart(&group, &rows, &dir.join(&file)).map_err(|e| io::Error::other(e.to_string()))?;
        charts.push((
            format!("{group}: edgeio/tokio per row"),
            format!("{relative}/{file}"),
        ));
    }
    let points = scaling_points(report);
    if points.len() >= 2 {
        scaling_chart(&points, &dir.join("scaling-curve.svg"))
            .map_err(|e| io::Error::other(e.to_string()))?;
        charts.push((
            "scaling: requests/s against worker count".to_owned(),
            format!("{relative}/scaling-curve.svg"),
        ));
    }
    Ok(charts)
}

/// `charts/` beside `RESULTS.md`; `NAME-charts/` beside any other file,
/// so a run saved elsewhere does not overwrite the committed pictures.
fn folder(results: &Path) -> (PathBuf, String) {
    let stem = results.file_stem().and_then(|s| s.to_str()).unwrap_or("results");
    let name = if stem == "RESULTS" {
        "charts".to_owned()
    } else {
        format!("{stem}-charts")
    };
    let parent = results.parent().unwrap_or(Path::new("."));
    (parent.join(&name), name)
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// One row per figure, top to bottom as in the table: a dot at the median
/// of the per-pair ratios edgeio/tokio, a whisker from the smallest to the
/// largest, a line at 1.0, and the side of 1.0 where edgeio did better
/// shaded (right for throughput, left for latency, CPU and memory). Where
/// the floor ran, a triangle marks edgeio/floor and a cross tokio/floor.
fn ratio_chart(group: &str, rows: &[ChartRow], path: &Path) -> DrawResult {
    let n = rows.len() as i32;
    // Two empty rows on top hold the legend.
    let height = 110 + ROW_HEIGHT * (n as u32 + 2);
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let (lo, hi) = x_range(rows);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{group}: edgeio/tokio per row (dot: median of the pairs, whisker: min–max)"),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(LABELS)
        .build_cartesian_2d((lo..hi).log_scale(), (0..n + 2).into_segmented())?;
    // Row i of the table is drawn at height n - 1 - i, so the first is on top.
    let at = |i: usize| SegmentValue::CenterOf(n - 1 - i as i32);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(rows.len() + 2)
        .x_labels(24)
        .x_label_formatter(&|x| {
            if round_ratio(*x) {
                format!("{x}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(y) if (0..n).contains(y) => rows[(n - 1 - y) as usize].name.clone(),
            _ => String::new(),
        })
        .x_desc("edgeio/tokio (log scale); shaded: the side where edgeio did better")
        .label_style(("sans-serif", 12))
        .draw()?;
    chart.draw_series(rows.iter().enumerate().map(|(i, row)| {
        let y = n - 1 - i as i32;
        let (from, to) = if row.higher_is_better {
            (1.0, hi)
        } else {
            (lo, 1.0)
        };
        Rectangle::new(
            [(from, SegmentValue::Exact(y)), (to, SegmentValue::Exact(y + 1))],
            BETTER.filled(),
        )
    }))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Exact(n))],
        BLACK.stroke_width(1),
    )))?;
    chart.draw_series(rows.iter().enumerate().map(|(i, row)| {
        let (_, min, max) = row.pairs;
        PathElement::new(
            vec![(min.max(lo), at(i)), (max.min(hi), at(i))],
            EDGEIO.stroke_width(2),
        )
    }))?;
    chart
        .draw_series(
            rows.iter()
                .enumerate()
                .map(|(i, row)| Circle::new((row.pairs.0.clamp(lo, hi), at(i)), 4, EDGEIO.filled())),
        )?
        .label("edgeio/tokio")
        .legend(|(x, y)| Circle::new((x, y), 4, EDGEIO.filled()));
    if rows.iter().any(|row| row.edgeio_floor.is_some()) {
        chart
            .draw_series(rows.iter().enumerate().filter_map(|(i, row)| {
                let r = row.edgeio_floor?;
                Some(TriangleMarker::new(
                    (r.clamp(lo, hi), at(i)),
                    5,
                    FLOOR_EDGEIO.filled(),
                ))
            }))?
            .label("edgeio/floor")
            .legend(|(x, y)| TriangleMarker::new((x, y), 5, FLOOR_EDGEIO.filled()));
        chart
            .draw_series(rows.iter().enumerate().filter_map(|(i, row)| {
                let r = row.tokio_floor?;
                Some(Cross::new((r.clamp(lo, hi), at(i)), 5, TOKIO.stroke_width(2)))
            }))?
            .label("tokio/floor")
            .legend(|(x, y)| Cross::new((x, y), 5, TOKIO.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .draw()?;
    root.present()?;
    Ok(())
}

/// Whether the axis labels a ratio: a power of two, or 1.5 times one
/// (…, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, …); plotters offers many more
/// candidates on a log axis, and labelling all of them makes them overlap.
fn round_ratio(x: f64) -> bool {
    let k = x.log2().floor();
    let m = x / k.exp2();
    (m - 1.0).abs() < 1e-9 || (m - 1.5).abs() < 1e-9
}

/// A log-scale range around 1.0 that holds every whisker and floor mark,
/// with a margin, at least 0.5–2.
fn x_range(rows: &[ChartRow]) -> (f64, f64) {
    let values = rows.iter().flat_map(|row| {
        [
            Some(row.pairs.1),
            Some(row.pairs.2),
            row.edgeio_floor,
            row.tokio_floor,
        ]
        .into_iter()
        .flatten()
    });
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((0.5f64, 2.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    ((lo / 1.15).max(1e-3), (hi * 1.15).min(1e3))
}

/// One worker count's medians and spreads (requests/s) on both runtimes.
struct ScalingPoint {
    workers: usize,
    edgeio: (f64, f64, f64),
    tokio: (f64, f64, f64),
}

/// Echo with `SCALING_CONNS` connections × 64 B at every worker count the
/// report has, from the scaling group or the echo group.
fn scaling_points(report: &Report) -> Vec<ScalingPoint> {
    (1..=1024)
        .filter_map(|workers| {
            let name = format!("{SCALING_CONNS} conn × 64 B, {workers}w: throughput");
            Some(ScalingPoint {
                workers,
                edgeio: report.spread(&name, Rt::Edgeio)?,
                tokio: report.spread(&name, Rt::Tokio)?,
            })
        })
        .collect()
}

/// Requests/s against worker count, a line per runtime through the
/// medians, whiskers from min to max.
fn scaling_chart(points: &[ScalingPoint], path: &Path) -> DrawResult {
    let root = SVGBackend::new(path, (720, 420)).into_drawing_area();
    root.fill(&WHITE)?;
    // One column per worker count measured, evenly spaced whatever the
    // counts (1, 2, 4, ... 2 × nproc).
    let columns = points.len() as f64;
    let top = points
        .iter()
        .map(|p| p.edgeio.2.max(p.tokio.2))
        .fold(0.0, f64::max)
        * 1.1;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("scaling: echo, {SCALING_CONNS} connections × 64 B (median, min–max)"),
            ("sans-serif", 16),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..columns - 0.5, 0.0..top.max(1.0))?;
    chart
        .configure_mesh()
        .x_desc("server worker threads")
        .y_desc("requests/s")
        .x_labels(points.len() * 10)
        .x_label_formatter(&|x| {
            let i = x.round();
            match points.get(i as usize) {
                Some(p) if (x - i).abs() < 1e-6 && i >= 0.0 => p.workers.to_string(),
                _ => String::new(),
            }
        })
        .y_label_formatter(&|y| format!("{:.0}k", y / 1e3))
        .label_style(("sans-serif", 12))
        .draw()?;
    for (rt, color, offset) in [(Rt::Edgeio, EDGEIO, -0.05), (Rt::Tokio, TOKIO, 0.05)] {
        let pick = |p: &ScalingPoint| if rt == Rt::Edgeio { p.edgeio } else { p.tokio };
        let at = |i: usize| i as f64 + offset;
        chart
            .draw_series(LineSeries::new(
                points.iter().enumerate().map(|(i, p)| (at(i), pick(p).0)),
                color.stroke_width(2),
            ))?
            .label(rt.name())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().enumerate().map(|(i, p)| {
            let (_, min, max) = pick(p);
            PathElement::new(vec![(at(i), min), (at(i), max)], color.stroke_width(1))
        }))?;
        chart.draw_series(
            points
                .iter()
                .enumerate()
                .map(|(i, p)| Circle::new((at(i), pick(p).0), 4, color.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Figure;

    #[test]
    fn draws_a_chart_per_group_and_the_scaling_curve() {
        let mut report = Report::default();
        for rep in 0..3 {
            let spread = 1.0 + rep as f64 * 0.05;
            for (workers, rate) in [(1, 100e3), (2, 150e3), (4, 140e3)] {
                let name = format!("{SCALING_CONNS} conn × 64 B, {workers}w");
                for (rt, factor) in [(Rt::Edgeio, 1.1 * spread), (Rt::Tokio, 1.0), (Rt::Floor, 1.05)] {
                    let figures = vec![
                        Figure::rate(format!("{name}: throughput"), "req/s", rate * factor),
                        Figure::cost(format!("{name}: p99 latency"), "µs", 900.0 / factor),
                    ];
                    report.add("echo", rep, rt, figures);
                }
            }
        }
        let dir = std::env::temp_dir().join(format!("edgeio-bench-charts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let charts = write(&report, &dir.join("test.md")).unwrap();
        let files: Vec<&str> = charts.iter().map(|(_, file)| file.as_str()).collect();
        assert_eq!(
            files,
            ["test-charts/echo-ratios.svg", "test-charts/scaling-curve.svg"]
        );
        for file in files {
            let svg = std::fs::read_to_string(dir.join(file)).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains("edgeio"), "{file}");
        }
        if std::env::var_os("KEEP_CHARTS").is_none() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn labels_round_ratios_only() {
        assert!(round_ratio(1.0) && round_ratio(0.5) && round_ratio(1.5) && round_ratio(4.0));
        assert!(!round_ratio(7.0) && !round_ratio(0.9));
    }
}
