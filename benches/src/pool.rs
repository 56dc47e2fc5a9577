//! `pool`: the pairs of several results files, added up per figure.
//!
//! One run at R = 7 calls a row won or lost only when all seven pairs
//! agree; a row whose pairs split is a tie *in that run*, and such a row
//! lands on either side of 1.0 from run to run. Pooling the pairs of
//! several runs of the same code tells a tie from a small but steady
//! difference: for every figure this adds up "edgeio better in k of R" and
//! gives the two-sided sign-test probability of a split at least that
//! uneven if the runtimes were equal.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;

use crate::verdict::{Verdict, SIGNIFICANT};

/// One figure's row of one results file.
#[derive(Debug, Clone)]
struct Row {
    group: String,
    figure: String,
    better: String,
    /// The median per-pair ratio, as printed ("1.03").
    per_pair: String,
    won: usize,
    pairs: usize,
}

/// The rows of the results table in `text` (a `RESULTS.md`); other lines,
/// and rows without pairs, are skipped.
fn rows(text: &str) -> Vec<Row> {
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .strip_prefix('|')?
                .strip_suffix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            // Results files from before the verdict column have no tenth cell.
            let [group, figure, _unit, better, _e, _t, _ratio, per_pair, won_of, ..] = cells[..] else {
                return None;
            };
            let (won, pairs) = won_of.split_once(" of ")?;
            Some(Row {
                group: group.to_owned(),
                figure: figure.to_owned(),
                better: better.to_owned(),
                per_pair: per_pair.split_whitespace().next()?.to_owned(),
                won: won.parse().ok()?,
                pairs: pairs.parse().ok()?,
            })
        })
        .collect()
}

/// The pooled table of the results files `texts` (in that order).
fn table(texts: &[String]) -> String {
    let mut figures: Vec<(Row, Vec<String>)> = Vec::new();
    for (run, text) in texts.iter().enumerate() {
        for row in rows(text) {
            let index = match figures
                .iter()
                .position(|(f, _)| f.group == row.group && f.figure == row.figure)
            {
                Some(index) => {
                    let pooled = &mut figures[index].0;
                    pooled.won += row.won;
                    pooled.pairs += row.pairs;
                    index
                }
                None => {
                    figures.push((row.clone(), vec!["–".to_owned(); texts.len()]));
                    figures.len() - 1
                }
            };
            figures[index].1[run] = row.per_pair;
        }
    }
    let mut out = String::from(
        "| group | figure | better | per pair, by run | edgeio better in | sign test p | pooled verdict |\n\
         |---|---|---|---:|---:|---:|---|\n",
    );
    for (row, per_pair) in &figures {
        let (verdict, p) = Verdict::of(row.won, row.pairs);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} of {} | {:.3} | {} |",
            row.group,
            row.figure,
            row.better,
            per_pair.join(" · "),
            row.won,
            row.pairs,
            p,
            verdict,
        );
    }
    out
}

/// `pool FILE...`: prints the pooled table of the given results files.
pub fn run(paths: &[PathBuf]) -> io::Result<()> {
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        let text = std::fs::read_to_string(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if rows(&text).is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: no results table", path.display()),
            ));
        }
        let produced = text
            .lines()
            .find(|l| l.starts_with("Produced by"))
            .unwrap_or("(no date)");
        println!("- {}: {produced}", path.display());
        texts.push(text);
    }
    println!(
        "\nPairs added up over {} files; \"pooled verdict\" names the runtime that did better \
         when the sign test gives p < {SIGNIFICANT} (with many figures, expect about one in \
         twenty ties to pass by chance).\n\n{}",
        texts.len(),
        table(&texts)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "\
Produced by `x` on 2026-11-23 17:06 UTC, in 483 s.

| group | figure | unit | better | edgeio median (min–max) | tokio median (min–max) | edgeio/tokio | per pair (min–max) | edgeio better in |
|---|---|---|---|---:|---:|---:|---:|---:|
| echo | 1 conn × 64 B, 1w: throughput | req/s | higher | 34.1k (30.8k–38.7k) | 33.0k (29.0k–37.9k) | 1.03 | 1.04 (0.99–1.06) | 6 of 7 |
| micro | yield_now round trip, 1w | ops/s | higher | 10.26M (9.44M–10.74M) | 1.39M (1.32M–1.42M) | 7.38 | 7.32 (6.94–7.78) | 7 of 7 |
| c10k | memory | KiB | lower | failed | 20.9 (20.9–20.9) | – | – | – |

- a note | with bars |
";

    #[test]
    fn reads_the_results_rows_only() {
        let rows = rows(RUN);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].figure, "1 conn × 64 B, 1w: throughput");
        assert_eq!(
            (rows[0].per_pair.as_str(), rows[0].won, rows[0].pairs),
            ("1.04", 6, 7)
        );
    }

    #[test]
    fn reads_rows_with_a_verdict_column() {
        let row = "| echo | f | req/s | higher | 1 (1–1) | 1 (1–1) | 1.00 | 0.98 (0.9–1.1) | 3 of 7 | tie |";
        let rows = rows(row);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].per_pair.as_str(), rows[0].won, rows[0].pairs),
            ("0.98", 3, 7)
        );
    }

    #[test]
    fn pools_pairs_across_runs() {
        let second = RUN
            .replace("| 6 of 7 |", "| 1 of 7 |")
            .replace("1.04 (0.99", "0.97 (0.99");
        let table = table(&[RUN.to_owned(), second]);
        assert!(table.contains(
            "| echo | 1 conn × 64 B, 1w: throughput | higher | 1.04 · 0.97 | 7 of 14 | 1.000 | tie |"
        ));
        assert!(table.contains(
            "| micro | yield_now round trip, 1w | higher | 7.32 · 7.32 | 14 of 14 | 0.000 | edgeio |"
        ));
    }
}
