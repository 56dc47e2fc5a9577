//! Collected figures, the comparison table and `RESULTS.md`.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use crate::proc::CpuUse;
use crate::rt::Rt;
use crate::verdict::{Verdict, MIN_DECISIVE_PAIRS, SIGNIFICANT};

/// One measured value of one run.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub unit: &'static str,
    pub higher_is_better: bool,
    pub value: f64,
    /// For a detail of where the time goes (user CPU per request,
    /// `recvfrom` per request...): the column of the breakdown table it
    /// belongs in, under the row `name`. Details are not in the main table.
    pub column: Option<&'static str>,
}

impl Figure {
    /// A throughput-like figure: higher is better.
    pub fn rate(name: impl Into<String>, unit: &'static str, value: f64) -> Figure {
        Figure {
            name: name.into(),
            unit,
            higher_is_better: true,
            value,
            column: None,
        }
    }

    /// A detail for the breakdown table: `column` of row `name`.
    pub fn detail(name: impl Into<String>, column: &'static str, value: f64) -> Figure {
        Figure {
            column: Some(column),
            ..Figure::cost(name, "", value)
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

/// The server's CPU figures of a load run with `completed` requests: CPU
/// per request, and its user/kernel split as details.
pub fn server_cpu_figures(label: &str, server_cpu: CpuUse, completed: f64) -> [Figure; 3] {
    let per_request = |d: std::time::Duration| d.as_secs_f64() * 1e6 / completed.max(1.0);
    let (user, kernel) = server_cpu.split();
    [
        Figure::cost(
            format!("{label}: server CPU per request"),
            "µs",
            per_request(server_cpu.total),
        ),
        Figure::detail(label, "user µs", per_request(user)),
        Figure::detail(label, "kernel µs", per_request(kernel)),
    ]
}

/// All runs of one figure on both runtimes, each value with the
/// repetition it came from (the two runs of a repetition ran back to back).
#[derive(Debug)]
struct Row {
    group: String,
    name: String,
    unit: &'static str,
    higher_is_better: bool,
    edgeio: Vec<(usize, f64)>,
    tokio: Vec<(usize, f64)>,
    /// The floor server's runs, on the rows that have one.
    floor: Vec<(usize, f64)>,
}

impl Row {
    /// edgeio/tokio for every repetition in which both runs succeeded.
    ///
    /// This machine's speed drifts by tens of percent over minutes, so the
    /// medians of two samples can differ by more than the runtimes do; two
    /// runs made seconds apart mostly see the same machine, and their ratio
    /// cancels the drift.
    fn paired_ratios(&self) -> Vec<f64> {
        self.edgeio
            .iter()
            .filter_map(|&(rep, e)| {
                let &(_, t) = self.tokio.iter().find(|&&(r, _)| r == rep)?;
                (t != 0.0).then(|| e / t)
            })
            .collect()
    }

    /// In how many of the pairs `ratios` edgeio did better than tokio.
    fn pairs_won(&self, ratios: &[f64]) -> usize {
        ratios
            .iter()
            .filter(|&&r| if self.higher_is_better { r > 1.0 } else { r < 1.0 })
            .count()
    }

    /// How many of the pairs `ratios` edgeio won, and the verdict they
    /// give, if there are any.
    fn judge(&self, ratios: &[f64]) -> Option<(usize, Verdict)> {
        let won = self.pairs_won(ratios);
        (!ratios.is_empty()).then(|| (won, Verdict::of(won, ratios.len()).0))
    }

    /// The kind of figure, as the summary counts them.
    fn kind(&self) -> Option<&'static str> {
        if self.higher_is_better {
            return Some("throughput");
        }
        KINDS.iter().find(|kind| self.name.ends_with(*kind)).copied()
    }
}

/// The cost figures summarised by [`Report::summary`], by how their names
/// end.
const KINDS: [&str; 6] = [
    "p99 latency",
    "p50 latency",
    // h2load gives no percentiles (the hyper HTTP/2 row).
    "mean latency",
    "server CPU per request",
    "server memory per idle connection",
    "memory per pending timer",
];

/// What the breakdown table's columns mean.
const BREAKDOWN_INTRO: &str = "Per request answered (warm-up included), for the server process: \
CPU time in user and in kernel mode (the exact CPU time of `schedstat`, split \
in the proportion of `utime` to `stime` in `/proc/PID/stat`, which the kernel \
samples every 10 ms tick: a coarse split, median of the runs), and system calls by kind, counted by `perf stat` \
on the `syscalls:sys_enter_*` tracepoints in one extra run per server. `recv` is \
`recvfrom` + `read` + `readv`, `send` is `sendto` + `writev`, `epoll_wait` includes \
`epoll_pwait`; `eventfd write` is `write(2)`, which none of these servers uses for \
sockets (Rust's `TcpStream` sends with `send`), so it counts the wake-ups written \
to an eventfd. The floor is the single-threaded epoll loop without a runtime.\n\n";

fn values(runs: &[(usize, f64)]) -> Vec<f64> {
    runs.iter().map(|&(_, v)| v).collect()
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

fn ratio_cell(ratios: &[f64]) -> String {
    match summary(ratios) {
        Some((median, min, max)) => format!("{median:.2} ({min:.2}–{max:.2})"),
        None => "–".to_owned(),
    }
}

/// Everything one invocation measured, plus notes for the reader.
#[derive(Debug, Default)]
pub struct Report {
    rows: Vec<Row>,
    details: Vec<Detail>,
    notes: Vec<String>,
}

/// One row of a group's chart.
#[derive(Debug, Clone)]
pub struct ChartRow {
    pub name: String,
    pub higher_is_better: bool,
    /// Median, minimum and maximum of the per-pair ratios edgeio/tokio.
    pub pairs: (f64, f64, f64),
    /// Ratios of the medians to the floor's, where the floor ran.
    pub edgeio_floor: Option<f64>,
    pub tokio_floor: Option<f64>,
}

/// One row of the breakdown table: where one server's time went on one
/// workload, each column's values over the runs that measured it.
#[derive(Debug)]
struct Detail {
    group: String,
    name: String,
    rt: Rt,
    values: Vec<(&'static str, Vec<f64>)>,
}

/// The breakdown table's columns, in order: CPU time per request split
/// by mode, then system calls per request by kind.
pub const DETAIL_COLUMNS: [&str; 9] = [
    "user µs",
    "kernel µs",
    "recv",
    "send",
    "epoll_wait",
    "futex",
    "eventfd write",
    "other",
    "all syscalls",
];

impl Report {
    /// Records the figures of repetition `rep` of `group` on `rt`.
    pub fn add(&mut self, group: &str, rep: usize, rt: Rt, figures: Vec<Figure>) {
        for figure in figures {
            if let Some(column) = figure.column {
                self.add_detail(group, rt, &figure.name, column, figure.value);
                continue;
            }
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
                        floor: Vec::new(),
                    });
                    self.rows.len() - 1
                }
            };
            let row = &mut self.rows[index];
            match rt {
                Rt::Edgeio => row.edgeio.push((rep, figure.value)),
                Rt::Tokio => row.tokio.push((rep, figure.value)),
                Rt::Floor => row.floor.push((rep, figure.value)),
            }
        }
    }

    fn add_detail(&mut self, group: &str, rt: Rt, name: &str, column: &'static str, value: f64) {
        let index = match self
            .details
            .iter()
            .position(|d| d.group == group && d.name == name && d.rt == rt)
        {
            Some(index) => index,
            None => {
                self.details.push(Detail {
                    group: group.to_owned(),
                    name: name.to_owned(),
                    rt,
                    values: Vec::new(),
                });
                self.details.len() - 1
            }
        };
        let detail = &mut self.details[index];
        match detail.values.iter_mut().find(|(c, _)| *c == column) {
            Some((_, values)) => values.push(value),
            None => detail.values.push((column, vec![value])),
        }
    }

    /// The groups measured, in the order they ran.
    pub fn groups(&self) -> Vec<String> {
        let mut groups: Vec<String> = Vec::new();
        for row in &self.rows {
            if !groups.contains(&row.group) {
                groups.push(row.group.clone());
            }
        }
        groups
    }

    /// What a chart shows of each row of `group` that has pairs.
    pub fn chart_rows(&self, group: &str) -> Vec<ChartRow> {
        self.rows
            .iter()
            .filter(|row| row.group == group)
            .filter_map(|row| {
                let pairs = summary(&row.paired_ratios())?;
                let floor = summary(&values(&row.floor)).map(|(f, _, _)| f);
                let over_floor = |side: &[(usize, f64)]| {
                    let (median, _, _) = summary(&values(side))?;
                    floor.filter(|&f| f != 0.0).map(|f| median / f)
                };
                Some(ChartRow {
                    name: row.name.clone(),
                    higher_is_better: row.higher_is_better,
                    pairs,
                    edgeio_floor: over_floor(&row.edgeio),
                    tokio_floor: over_floor(&row.tokio),
                })
            })
            .collect()
    }

    /// Median, minimum and maximum of the runs of the figure `name` (in
    /// any group) on `rt`, if it was measured.
    pub fn spread(&self, name: &str, rt: Rt) -> Option<(f64, f64, f64)> {
        let row = self.rows.iter().find(|row| row.name == name)?;
        summary(&values(match rt {
            Rt::Edgeio => &row.edgeio,
            Rt::Tokio => &row.tokio,
            Rt::Floor => &row.floor,
        }))
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
            "| group | figure | unit | better | edgeio median (min–max) | tokio median (min–max) | edgeio/tokio | per pair (min–max) | edgeio better in | verdict | edgeio/floor | tokio/floor |\n\
             |---|---|---|---|---:|---:|---:|---:|---:|---|---:|---:|\n",
        );
        for row in &self.rows {
            let (edgeio, tokio) = (values(&row.edgeio), values(&row.tokio));
            let ratio = match (summary(&edgeio), summary(&tokio)) {
                (Some((e, _, _)), Some((t, _, _))) if t != 0.0 => format!("{:.2}", e / t),
                _ => "–".to_owned(),
            };
            let floor = summary(&values(&row.floor)).map(|(f, _, _)| f);
            let over_floor = |side: &[f64]| match (summary(side), floor) {
                (Some((v, _, _)), Some(f)) if f != 0.0 => format!("{:.2}", v / f),
                _ => "–".to_owned(),
            };
            let ratios = row.paired_ratios();
            let (won, verdict) = match row.judge(&ratios) {
                Some((won, verdict)) => (format!("{won} of {}", ratios.len()), verdict.to_string()),
                None => ("–".to_owned(), "–".to_owned()),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.group,
                row.name,
                row.unit,
                if row.higher_is_better { "higher" } else { "lower" },
                cell(&edgeio),
                cell(&tokio),
                ratio,
                ratio_cell(&ratios),
                won,
                verdict,
                over_floor(&edgeio),
                over_floor(&tokio),
            );
        }
        out
    }

    /// Where the time goes: per workload and server, the medians of the
    /// breakdown columns. Empty when nothing was broken down.
    pub fn breakdown(&self) -> String {
        if self.details.is_empty() {
            return String::new();
        }
        let mut out = String::from("| group | workload | server |");
        for column in DETAIL_COLUMNS {
            let _ = write!(out, " {column} |");
        }
        out.push_str("\n|---|---|---|");
        out.push_str(&"---:|".repeat(DETAIL_COLUMNS.len()));
        out.push('\n');
        for detail in &self.details {
            let _ = write!(out, "| {} | {} | {} |", detail.group, detail.name, detail.rt);
            for column in DETAIL_COLUMNS {
                let cell = detail
                    .values
                    .iter()
                    .find(|(c, _)| *c == column)
                    .and_then(|(_, values)| summary(values))
                    .map_or_else(|| "–".to_owned(), |(median, _, _)| number(median));
                let _ = write!(out, " {cell} |");
            }
            out.push('\n');
        }
        out
    }

    /// How many figures of each kind each runtime won, by this run's pairs:
    /// the table's verdicts added up, with the figures tokio won named.
    pub fn summary(&self) -> String {
        let mut out = String::from(
            "| figures | rows | edgeio better | tie | tokio better |\n|---|---:|---:|---:|---:|\n",
        );
        let mut lost = Vec::new();
        for kind in std::iter::once("throughput").chain(KINDS) {
            let verdicts: Vec<Verdict> = self
                .rows
                .iter()
                .filter(|row| row.kind() == Some(kind))
                .filter_map(|row| {
                    let (_, verdict) = row.judge(&row.paired_ratios())?;
                    if verdict == Verdict::Tokio {
                        lost.push(row.name.as_str());
                    }
                    Some(verdict)
                })
                .collect();
            if verdicts.is_empty() {
                continue;
            }
            let count = |v| verdicts.iter().filter(|&&x| x == v).count();
            let _ = writeln!(
                out,
                "| {kind} | {} | {} | {} | {} |",
                verdicts.len(),
                count(Verdict::Edgeio),
                count(Verdict::Tie),
                count(Verdict::Tokio),
            );
        }
        out.push_str(&format!(
            "\nA row's verdict names the runtime that did better in its pairs when a \
             two-sided sign test gives p < {SIGNIFICANT}, and is a tie otherwise{}. A tie in \
             one run can show a ratio on either side of 1.00; `pool` adds up the pairs of \
             several runs to tell a tie from a small, steady difference.\n",
            self.decisive_split()
                .map(|(k, n)| format!(" (with {n} pairs, at least {k} of {n} one way)"))
                .unwrap_or_default(),
        ));
        let undecidable = self.rows.iter().any(|row| {
            let pairs = row.paired_ratios().len();
            pairs > 0 && pairs < MIN_DECISIVE_PAIRS
        });
        if undecidable {
            out.push_str(&format!(
                "\nSome rows have fewer than {MIN_DECISIVE_PAIRS} pairs, which no split can \
                 tell from a tie: run with `--runs {MIN_DECISIVE_PAIRS}` or more.\n"
            ));
        }
        if !lost.is_empty() {
            out.push_str(&format!("\nTokio did better on: {}.\n", lost.join("; ")));
        }
        out.push_str(&self.floor_summary());
        out
    }

    /// The span of each runtime's throughput as a fraction of the floor's,
    /// over the rows where the floor ran: how close each comes to a bare
    /// epoll loop. Empty when the floor did not run.
    fn floor_summary(&self) -> String {
        let mut spans = [(Rt::Edgeio, Vec::new()), (Rt::Tokio, Vec::new())];
        for row in self.rows.iter().filter(|row| row.higher_is_better) {
            let Some((floor, _, _)) = summary(&values(&row.floor)) else {
                continue;
            };
            for (rt, ratios) in &mut spans {
                let side = if *rt == Rt::Edgeio {
                    &row.edgeio
                } else {
                    &row.tokio
                };
                if let Some((median, _, _)) = summary(&values(side)).filter(|_| floor != 0.0) {
                    ratios.push(median / floor);
                }
            }
        }
        let span = |ratios: &[f64]| {
            let min = ratios.iter().copied().fold(f64::INFINITY, f64::min);
            let max = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{min:.2}–{max:.2}")
        };
        match &spans {
            [(_, edgeio), (_, tokio)] if !edgeio.is_empty() && !tokio.is_empty() => format!(
                "\nAgainst the floor (the same server logic in a bare epoll loop, no runtime), \
                 over the {} throughput rows it ran beside: edgeio reached {} of its \
                 requests/s, tokio {} (medians).\n",
                edgeio.len(),
                span(edgeio),
                span(tokio),
            ),
            _ => String::new(),
        }
    }

    /// The fewest pairs of `n` that must go one way for a verdict, where
    /// `n` is the most pairs any row has.
    fn decisive_split(&self) -> Option<(usize, usize)> {
        let n = self.rows.iter().map(|row| row.paired_ratios().len()).max()?;
        (n / 2..=n)
            .find(|&k| Verdict::of(k, n).0 == Verdict::Edgeio)
            .map(|k| (k, n))
    }

    /// The notes as a Markdown list (empty if there are none).
    pub fn notes(&self) -> String {
        self.notes.iter().map(|n| format!("- {n}\n")).collect()
    }

    /// Writes `RESULTS.md`: how and where it was measured, the table, then
    /// the profiling findings kept by hand in `benches/FINDINGS.md` (so a
    /// new run keeps the analysis next to the numbers it explains).
    ///
    /// `charts` are (caption, path relative to the results file) of the
    /// pictures it opens with.
    pub fn write_results(&self, path: &Path, header: &str, charts: &[(String, String)]) -> io::Result<()> {
        let mut text = String::from("# edgeio vs tokio: benchmark results\n\n");
        for (caption, file) in charts {
            let _ = writeln!(text, "![{caption}]({file})\n");
        }
        text.push_str(header);
        text.push_str("\n## Summary\n\n");
        text.push_str(&self.summary());
        text.push_str("\n## Results\n\n");
        text.push_str(&self.table());
        let breakdown = self.breakdown();
        if !breakdown.is_empty() {
            text.push_str("\n## Where the time goes\n\n");
            text.push_str(BREAKDOWN_INTRO);
            text.push_str(&breakdown);
        }
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
            report.add("g", 0, rt, vec![Figure::rate("f", "ops/s", value)]);
        }
        assert!(report.table().contains(
            "| g | f | ops/s | higher | 150 (150–150) | 100 (100–100) | 1.50 | 1.50 (1.50–1.50) | 1 of 1 | tie |"
        ));
    }

    #[test]
    fn the_summary_adds_up_the_verdicts_by_kind() {
        let mut report = Report::default();
        for rep in 0..7 {
            let edgeio = vec![
                Figure::rate("a: throughput", "req/s", 110.0),
                Figure::rate("b: throughput", "req/s", 90.0),
                Figure::rate("c: throughput", "req/s", if rep < 4 { 99.0 } else { 101.0 }),
                Figure::cost("a: p99 latency", "µs", 80.0),
            ];
            report.add("g", rep, Rt::Edgeio, edgeio);
            let tokio = ["a", "b", "c"].map(|n| Figure::rate(format!("{n}: throughput"), "req/s", 100.0));
            let mut tokio = tokio.to_vec();
            tokio.push(Figure::cost("a: p99 latency", "µs", 100.0));
            report.add("g", rep, Rt::Tokio, tokio);
        }
        let summary = report.summary();
        assert!(summary.starts_with(
            "| figures | rows | edgeio better | tie | tokio better |\n|---|---:|---:|---:|---:|\n"
        ));
        assert!(summary.contains("| throughput | 3 | 1 | 1 | 1 |"), "{summary}");
        assert!(summary.contains("| p99 latency | 1 | 1 | 0 | 0 |"), "{summary}");
        assert!(
            summary.contains("Tokio did better on: b: throughput."),
            "{summary}"
        );
        assert!(!summary.contains("fewer than"), "{summary}");
        assert!(summary.contains("at least 7 of 7 one way"), "{summary}");
        assert!(report.table().contains("| 3 of 7 | tie |"));
        assert!(report.table().contains("| 0 of 7 | tokio |"));
    }

    #[test]
    fn the_summary_spans_the_floor_ratios() {
        let mut report = Report::default();
        for (name, floor) in [("a: throughput", 100.0), ("b: throughput", 125.0)] {
            for (rt, value) in [(Rt::Edgeio, 110.0), (Rt::Tokio, 100.0), (Rt::Floor, floor)] {
                report.add("g", 0, rt, vec![Figure::rate(name, "req/s", value)]);
            }
        }
        let summary = report.summary();
        assert!(
            summary.contains("2 throughput rows it ran beside: edgeio reached 0.88–1.10 of its requests/s, tokio 0.80–1.00"),
            "{summary}"
        );
    }

    #[test]
    fn five_pairs_cannot_decide() {
        let mut report = Report::default();
        for rep in 0..5 {
            report.add("g", rep, Rt::Edgeio, vec![Figure::rate("f", "ops/s", 2.0)]);
            report.add("g", rep, Rt::Tokio, vec![Figure::rate("f", "ops/s", 1.0)]);
        }
        assert!(report.table().contains("| 5 of 5 | tie |"));
        assert!(report.summary().contains("fewer than 6 pairs"));
    }

    #[test]
    fn pairs_are_runs_of_the_same_repetition() {
        let mut report = Report::default();
        // Repetition 1 of tokio failed; the machine slowed down after rep 0.
        for (rep, rt, value) in [
            (0, Rt::Edgeio, 200.0),
            (0, Rt::Tokio, 220.0),
            (1, Rt::Edgeio, 100.0),
            (2, Rt::Tokio, 90.0),
            (2, Rt::Edgeio, 99.0),
        ] {
            report.add("g", rep, rt, vec![Figure::cost("lat", "µs", value)]);
        }
        // Pairs: rep 0 (200/220) and rep 2 (99/90); lower is better, so
        // edgeio won rep 0 only.
        assert!(report
            .table()
            .contains("| 0.65 | 1.00 (0.91–1.10) | 1 of 2 | tie |"));
    }
}
