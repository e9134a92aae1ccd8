//! Statistics formulas used by eir's reports and fairness checks.
//!
//! Pure functions over `f64`/`u64` with no I/O: ratios, inequality measures
//! (Gini coefficient, coefficient of variation), the median, and Pearson's
//! chi-square goodness-of-fit test with an accurate upper-tail p-value
//! (regularized upper incomplete gamma function, Numerical Recipes style).

/// Result of a chi-square goodness-of-fit test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    /// Pearson's statistic Σ (observed − expected)² / expected.
    pub statistic: f64,
    /// Degrees of freedom: number of categories used minus one.
    pub degrees_of_freedom: u32,
    /// Upper-tail probability P(X ≥ statistic) for X ~ χ²(degrees_of_freedom).
    pub p_value: f64,
}

/// `num / den` as `f64`, or `None` when `den == 0`.
pub fn ratio(num: u64, den: u64) -> Option<f64> {
    if den == 0 {
        None
    } else {
        Some(num as f64 / den as f64)
    }
}

/// Gini coefficient of non-negative values.
///
/// Uses the mean-absolute-difference definition
/// G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² mean), evaluated in O(n log n) by sorting:
/// with x₍₁₎ ≤ … ≤ x₍ₙ₎, G = Σᵢ (2i − n − 1) x₍ᵢ₎ / (n Σ x).
///
/// Returns `None` for an empty slice, when all values are zero, or when any
/// value is negative or not finite.
pub fn gini(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let total: f64 = sorted.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, x)| (2.0 * (i as f64 + 1.0) - n - 1.0) * x)
        .sum();
    Some(weighted / (n * total))
}

/// Coefficient of variation: **population** standard deviation (divisor n,
/// not n − 1) divided by the mean.
///
/// Returns `None` when the slice is empty or the mean is zero.
pub fn coefficient_of_variation(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if mean == 0.0 {
        return None;
    }
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    Some(variance.sqrt() / mean)
}

/// Median (mean of the two middle values for an even count); `None` when empty.
///
/// NaN values are ordered by [`f64::total_cmp`].
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        Some(sorted[mid])
    } else {
        Some((sorted[mid - 1] + sorted[mid]) / 2.0)
    }
}

/// Pearson's chi-square goodness-of-fit test.
///
/// `expected_weights` gives the hypothesised relative frequency of each
/// category (they need not sum to 1). Categories whose weight is zero are
/// skipped entirely — their observations are ignored too, since the
/// hypothesis gives them no expected mass — and the remaining k categories are
/// tested with expectedᵢ = total × weightᵢ / Σ weights, where total is the sum
/// of the observations over those k categories; degrees of freedom are k − 1.
///
/// Returns `None` when the slices differ in length, a weight is negative or
/// not finite, fewer than 2 categories have a positive weight, or the total
/// observed count is 0.
pub fn chi_square_goodness_of_fit(observed: &[u64], expected_weights: &[f64]) -> Option<ChiSquare> {
    if observed.len() != expected_weights.len()
        || expected_weights.iter().any(|w| !w.is_finite() || *w < 0.0)
    {
        return None;
    }
    let used = || {
        observed
            .iter()
            .zip(expected_weights)
            .filter(|(_, w)| **w > 0.0)
    };
    let categories = used().count();
    if categories < 2 {
        return None;
    }
    let total: u64 = used().map(|(o, _)| *o).sum();
    if total == 0 {
        return None;
    }
    let weight_sum: f64 = used().map(|(_, w)| *w).sum();
    let total = total as f64;
    let statistic: f64 = used()
        .map(|(o, w)| {
            let expected = total * w / weight_sum;
            let diff = *o as f64 - expected;
            diff * diff / expected
        })
        .sum();
    let degrees_of_freedom = u32::try_from(categories - 1).ok()?;
    Some(ChiSquare {
        statistic,
        degrees_of_freedom,
        p_value: chi_square_p_value(statistic, degrees_of_freedom),
    })
}

/// Upper-tail p-value P(X ≥ statistic) of the chi-square distribution with
/// `df` degrees of freedom: the regularized upper incomplete gamma function
/// Q(df/2, statistic/2).
///
/// Accurate to about 1e-10 relative or better. A statistic ≤ 0 gives 1;
/// `df == 0` (a point mass at 0) gives 0 for any positive statistic; a NaN
/// statistic gives NaN.
pub fn chi_square_p_value(statistic: f64, df: u32) -> f64 {
    if statistic.is_nan() {
        return f64::NAN;
    }
    if statistic <= 0.0 {
        return 1.0;
    }
    if df == 0 || statistic == f64::INFINITY {
        return 0.0;
    }
    regularized_gamma_q(f64::from(df) / 2.0, statistic / 2.0)
}

/// Regularized upper incomplete gamma Q(a, x) for a > 0, x > 0.
fn regularized_gamma_q(a: f64, x: f64) -> f64 {
    if x < a + 1.0 {
        (1.0 - gamma_p_series(a, x)).clamp(0.0, 1.0)
    } else {
        gamma_q_continued_fraction(a, x).clamp(0.0, 1.0)
    }
}

const MAX_ITERATIONS: usize = 10_000;
const EPSILON: f64 = 1e-16;
const TINY: f64 = 1e-300;

/// P(a, x) by its series expansion; converges quickly for x < a + 1.
fn gamma_p_series(a: f64, x: f64) -> f64 {
    let mut ap = a;
    let mut term = 1.0 / a;
    let mut sum = term;
    for _ in 0..MAX_ITERATIONS {
        ap += 1.0;
        term *= x / ap;
        sum += term;
        if term.abs() < sum.abs() * EPSILON {
            break;
        }
    }
    sum * (-x + a * x.ln() - ln_gamma(a)).exp()
}

/// Q(a, x) by its continued fraction (modified Lentz); for x ≥ a + 1.
fn gamma_q_continued_fraction(a: f64, x: f64) -> f64 {
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..=MAX_ITERATIONS {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < EPSILON {
            break;
        }
    }
    (-x + a * x.ln() - ln_gamma(a)).exp() * h
}

/// ln Γ(x) for x > 0 by the Lanczos approximation (g = 7, 9 terms), using the
/// reflection formula below 0.5. Relative accuracy about 1e-15.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Γ(x) Γ(1 − x) = π / sin(πx)
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, rel: f64) -> bool {
        if expected == 0.0 {
            actual.abs() < rel
        } else {
            ((actual - expected) / expected).abs() < rel
        }
    }

    #[test]
    fn ratio_handles_zero_denominator() {
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(0, 5), Some(0.0));
        assert_eq!(ratio(3, 4), Some(0.75));
    }

    #[test]
    fn gini_known_values() {
        assert_eq!(gini(&[1.0, 1.0, 1.0, 1.0]), Some(0.0));
        assert!(close(
            gini(&[0.0, 0.0, 0.0, 1.0]).unwrap_or(f64::NAN),
            0.75,
            1e-12
        ));
        assert!(close(
            gini(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap_or(f64::NAN),
            4.0 / 15.0,
            1e-12
        ));
        // Order does not matter.
        assert!(close(
            gini(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap_or(f64::NAN),
            4.0 / 15.0,
            1e-12
        ));
        assert_eq!(gini(&[]), None);
        assert_eq!(gini(&[0.0, 0.0]), None);
        assert_eq!(gini(&[1.0, -1.0]), None);
    }

    #[test]
    fn gini_matches_quadratic_definition() {
        let values = [3.0, 0.5, 7.25, 7.25, 1.0, 0.0, 12.0];
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let mut pairs = 0.0;
        for a in values {
            for b in values {
                pairs += (a - b).abs();
            }
        }
        let expected = pairs / (2.0 * n * n * mean);
        assert!(close(gini(&values).unwrap_or(f64::NAN), expected, 1e-12));
    }

    #[test]
    fn coefficient_of_variation_uses_population_sd() {
        let values = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(
            coefficient_of_variation(&values).unwrap_or(f64::NAN),
            0.4,
            1e-12
        ));
        assert_eq!(coefficient_of_variation(&[]), None);
        assert_eq!(coefficient_of_variation(&[1.0, -1.0]), None);
        assert_eq!(coefficient_of_variation(&[3.0, 3.0]), Some(0.0));
    }

    #[test]
    fn median_odd_even_empty() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[7.0]), Some(7.0));
    }

    #[test]
    fn chi_square_p_values_known() {
        let cases = [
            (3.841458820694124, 1, 0.05),
            (5.991464547107979, 2, 0.05),
            (18.307038053275146, 10, 0.05),
            (1.0, 1, 0.31731050786291415),
            (10.0, 3, 0.018566135463043),
            (10.0, 2, 0.006737946999085467),
        ];
        for (x, df, p) in cases {
            let got = chi_square_p_value(x, df);
            assert!(close(got, p, 1e-10), "x={x} df={df}: got {got}, want {p}");
        }
        for df in [1, 2, 5, 30] {
            assert_eq!(chi_square_p_value(0.0, df), 1.0);
        }
        assert_eq!(chi_square_p_value(3.0, 0), 0.0);
        assert!(chi_square_p_value(f64::NAN, 3).is_nan());
        // Both branches (series and continued fraction) meet smoothly at x = a + 1.
        let below = chi_square_p_value(2.0 * 3.0 - 1e-9, 4);
        let above = chi_square_p_value(2.0 * 3.0 + 1e-9, 4);
        assert!((below - above).abs() < 1e-9);
        // Even df has the closed form Q = e^(-x/2) Σ_{k<df/2} (x/2)^k / k!.
        let x: f64 = 7.3;
        let half = x / 2.0;
        let closed = (-half).exp() * (1.0 + half + half * half / 2.0);
        assert!(close(chi_square_p_value(x, 6), closed, 1e-12));
        // Far tail stays relatively accurate.
        let x: f64 = 200.0;
        assert!(close(chi_square_p_value(x, 2), (-x / 2.0).exp(), 1e-10));
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut factorial = 1.0_f64;
        for n in 1..20 {
            factorial *= n as f64;
            assert!(close(ln_gamma(n as f64 + 1.0), factorial.ln(), 1e-13));
        }
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-13
        ));
    }

    #[test]
    fn goodness_of_fit_by_hand() {
        let result = chi_square_goodness_of_fit(&[10, 20, 30], &[1.0, 1.0, 1.0]);
        let Some(result) = result else {
            panic!("expected a result");
        };
        assert!(close(result.statistic, 10.0, 1e-12));
        assert_eq!(result.degrees_of_freedom, 2);
        assert!(close(result.p_value, 0.006737946999085467, 1e-10));
    }

    #[test]
    fn goodness_of_fit_skips_zero_weights_and_rejects_degenerate_input() {
        let with_zero = chi_square_goodness_of_fit(&[10, 0, 20, 30], &[1.0, 0.0, 1.0, 1.0]);
        let without = chi_square_goodness_of_fit(&[10, 20, 30], &[2.0, 2.0, 2.0]);
        assert_eq!(with_zero, without);
        assert_eq!(chi_square_goodness_of_fit(&[5], &[1.0]), None);
        assert_eq!(chi_square_goodness_of_fit(&[5, 5], &[1.0, 0.0]), None);
        assert_eq!(chi_square_goodness_of_fit(&[0, 0], &[1.0, 1.0]), None);
        assert_eq!(chi_square_goodness_of_fit(&[1, 2], &[1.0]), None);
        assert_eq!(chi_square_goodness_of_fit(&[1, 2], &[1.0, -1.0]), None);
        let perfect = chi_square_goodness_of_fit(&[25, 75], &[1.0, 3.0]);
        assert_eq!(perfect.map(|r| r.p_value), Some(1.0));
    }
}
