//! Collected figures, the comparison table and `RESULTS.md`.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::rt::Rt;

/// One measured value of one run.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub unit: &'static str,
    pub higher_is_better: bool,
    pub value: f64,
}

impl Figure {
    /// A throughput-like figure: higher is better.
    pub fn rate(name: impl Into<String>, unit: &'static str, value: f64) -> Figure {
        Figure {
            name: name.into(),
            unit,
            higher_is_better: true,
            value,
        }
    }

    /// A cost-like figure (latency, memory): lower is better.
    pub fn cost(name: impl Into<String>, unit: &'static str, value: f64) -> Figure {
        Figure {
            higher_is_better: false,
            ..Figure::rate(name, unit, value)
        }
    }
}

/// All runs of one figure on both runtimes.
#[derive(Debug)]
struct Row {
    group: String,
    name: String,
    unit: &'static str,
    higher_is_better: bool,
    edgeio: Vec<f64>,
    tokio: Vec<f64>,
}

/// Median, minimum and maximum of a non-empty sample.
fn summary(values: &[f64]) -> Option<(f64, f64, f64)> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (&min, &max) = (sorted.first()?, sorted.last()?);
    let mid = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    };
    Some((median, min, max))
}

/// Three significant digits or so, with a k/M suffix for large values.
fn number(value: f64) -> String {
    let abs = value.abs();
    if abs >= 1e6 {
        format!("{:.2}M", value / 1e6)
    } else if abs >= 1e4 {
        format!("{:.1}k", value / 1e3)
    } else if abs >= 100.0 {
        format!("{value:.0}")
    } else if abs >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

fn cell(values: &[f64]) -> String {
    match summary(values) {
        Some((median, min, max)) => format!("{} ({}–{})", number(median), number(min), number(max)),
        None => "failed".to_owned(),
    }
}

/// Everything one invocation measured, plus notes for the reader.
#[derive(Debug, Default)]
pub struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Report {
    /// Records the figures of one run of `group` on `rt`.
    pub fn add(&mut self, group: &str, rt: Rt, figures: Vec<Figure>) {
        for figure in figures {
            let index = match self
                .rows
                .iter()
                .position(|r| r.group == group && r.name == figure.name)
            {
                Some(index) => index,
                None => {
                    self.rows.push(Row {
                        group: group.to_owned(),
                        name: figure.name,
                        unit: figure.unit,
                        higher_is_better: figure.higher_is_better,
                        edgeio: Vec::new(),
                        tokio: Vec::new(),
                    });
                    self.rows.len() - 1
                }
            };
            let row = &mut self.rows[index];
            match rt {
                Rt::Edgeio => row.edgeio.push(figure.value),
                Rt::Tokio => row.tokio.push(figure.value),
            }
        }
    }

    /// A remark printed under the table (failures, scaled-down loads...).
    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    /// The comparison as a Markdown table.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| group | figure | unit | better | edgeio median (min–max) | tokio median (min–max) | edgeio/tokio |\n\
             |---|---|---|---|---:|---:|---:|\n",
        );
        for row in &self.rows {
            let ratio = match (summary(&row.edgeio), summary(&row.tokio)) {
                (Some((e, _, _)), Some((t, _, _))) if t != 0.0 => format!("{:.2}", e / t),
                _ => "–".to_owned(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                row.group,
                row.name,
                row.unit,
                if row.higher_is_better { "higher" } else { "lower" },
                cell(&row.edgeio),
                cell(&row.tokio),
                ratio
            );
        }
        out
    }

    /// The notes as a Markdown list (empty if there are none).
    pub fn notes(&self) -> String {
        self.notes.iter().map(|n| format!("- {n}\n")).collect()
    }

    /// Writes `RESULTS.md`: how and where it was measured, the table, then
    /// the profiling findings kept by hand in `benches/FINDINGS.md` (so a
    /// new run keeps the analysis next to the numbers it explains).
    pub fn write_results(&self, path: &Path, header: &str) -> io::Result<()> {
        let mut text = String::from("# edgeio vs tokio: benchmark results\n\n");
        text.push_str(header);
        text.push_str("\n## Results\n\n");
        text.push_str(&self.table());
        if !self.notes.is_empty() {
            text.push_str("\n## Notes\n\n");
            text.push_str(&self.notes());
        }
        let findings = Path::new(env!("CARGO_MANIFEST_DIR")).join("FINDINGS.md");
        if let Ok(findings) = std::fs::read_to_string(findings) {
            text.push('\n');
            text.push_str(&findings);
        }
        std::fs::write(path, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_spread() {
        assert_eq!(summary(&[3.0, 1.0, 2.0]), Some((2.0, 1.0, 3.0)));
        assert_eq!(summary(&[4.0, 1.0, 2.0, 3.0]), Some((2.5, 1.0, 4.0)));
        assert_eq!(summary(&[]), None);
    }

    #[test]
    fn ratio_is_edgeio_over_tokio() {
        let mut report = Report::default();
        for (rt, value) in [(Rt::Edgeio, 150.0), (Rt::Tokio, 100.0)] {
            report.add("g", rt, vec![Figure::rate("f", "ops/s", value)]);
        }
        assert!(report
            .table()
            .contains("| g | f | ops/s | higher | 150 (150–150) | 100 (100–100) | 1.50 |"));
    }
}
