//! Telling a win from a tie: the sign test over paired runs.
//!
//! This machine's speed drifts by more than the runtimes differ, so a
//! figure is judged by its pairs (the two runtimes' runs made back to
//! back), not by its medians: if the runtimes were equal, each pair would
//! go either way with probability 1/2, and a split as uneven as the one
//! seen would be unlikely. The suite's table judges one run's pairs; `pool`
//! judges the pairs of several runs added up.

use std::fmt;

/// Below this sign-test probability a figure counts as won or lost.
pub const SIGNIFICANT: f64 = 0.05;

/// Fewest pairs that can reach [`SIGNIFICANT`] at all (6 of 6: p = 0.031;
/// 5 of 5 is 0.0625).
pub const MIN_DECISIVE_PAIRS: usize = 6;

/// Two-sided sign test: the probability that `n` fair coin flips split at
/// least as unevenly as `k` against `n - k`.
pub fn sign_test(k: usize, n: usize) -> f64 {
    let tail = k.min(n - k);
    // Binomial(n, 1/2) terms from i = 0 up, in log space so that large n
    // cannot overflow the coefficients.
    let mut ln_term = -(n as f64) * std::f64::consts::LN_2;
    let mut sum = 0.0;
    for i in 0..=tail {
        sum += ln_term.exp();
        ln_term += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
    }
    (2.0 * sum).min(1.0)
}

/// Which runtime did better on a figure, by its pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Edgeio,
    Tie,
    Tokio,
}

impl Verdict {
    /// The verdict of `won` pairs won by edgeio out of `pairs`, and the
    /// sign test's probability behind it.
    pub fn of(won: usize, pairs: usize) -> (Verdict, f64) {
        let p = sign_test(won, pairs);
        let verdict = if p >= SIGNIFICANT {
            Verdict::Tie
        } else if 2 * won > pairs {
            Verdict::Edgeio
        } else {
            Verdict::Tokio
        };
        (verdict, p)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Edgeio => "edgeio",
            Verdict::Tie => "tie",
            Verdict::Tokio => "tokio",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_test_matches_the_binomial() {
        // 7 of 7: 2 / 128.
        assert!((sign_test(7, 7) - 2.0 / 128.0).abs() < 1e-12);
        assert!((sign_test(0, 7) - 2.0 / 128.0).abs() < 1e-12);
        // An even split is no evidence at all.
        assert_eq!(sign_test(14, 28), 1.0);
        // 9 of 28: 2 * sum_{i<=9} C(28, i) / 2^28 = 0.0872...
        assert!((sign_test(9, 28) - 0.087_158).abs() < 1e-5);
        // Large n neither overflows nor loses the answer.
        assert!(sign_test(0, 2000) < 1e-300);
        assert!((sign_test(1000, 2000) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn fewer_pairs_than_the_minimum_can_only_tie() {
        let n = MIN_DECISIVE_PAIRS;
        assert_eq!(Verdict::of(n - 1, n - 1).0, Verdict::Tie);
        assert_eq!(Verdict::of(0, n - 1).0, Verdict::Tie);
        assert_eq!(Verdict::of(n, n).0, Verdict::Edgeio);
        assert_eq!(Verdict::of(0, n).0, Verdict::Tokio);
    }

    #[test]
    fn a_split_run_is_a_tie() {
        assert_eq!(Verdict::of(6, 7).0, Verdict::Tie);
        assert_eq!(Verdict::of(1, 7).0, Verdict::Tie);
        assert_eq!(Verdict::of(7, 7).0, Verdict::Edgeio);
        assert_eq!(Verdict::of(0, 7).0, Verdict::Tokio);
    }
}
