//! Largest-remainder allocation (最大余额法): the one function every split in the ledger uses —
//! funding → assets, a yield → its owners, the dividend pool → households, a household's amount →
//! the assets it came from.
//!
//! Each part is the floor of its exact share `total × w / Σw`; the fen left over go one each to the
//! parts with the largest remainders, ties to the smaller index. Callers order the weights by their
//! stable key (region code, household number, asset code), so a tie goes to the smaller key and the
//! same input always gives the same output, on any database.

use super::money::Fen;
use rust_decimal::Decimal;

/// Why an allocation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("权重不能为负数 (第 {0} 项)")]
    NegativeWeight(usize),
    #[error("权重全部为零, 无法分配")]
    AllZero,
    #[error("权重过大")]
    WeightTooLarge,
}

/// Splits `total` over `weights` (in key order) so that the parts sum exactly to `total` and each
/// is within one fen of its exact share. A negative total is split as its absolute value, negated.
///
/// # Errors
/// [`AllocationError::NegativeWeight`] for a weight below zero; [`AllocationError::AllZero`] when
/// there is something to split but no positive weight.
pub fn allocate(total: Fen, weights: &[i64]) -> Result<Vec<Fen>, AllocationError> {
    if let Some(i) = weights.iter().position(|w| *w < 0) {
        return Err(AllocationError::NegativeWeight(i));
    }
    let weight_sum: u128 = weights.iter().map(|w| *w as u128).sum();
    if weight_sum == 0 {
        return if total.0 == 0 {
            Ok(vec![Fen::ZERO; weights.len()])
        } else {
            Err(AllocationError::AllZero)
        };
    }
    let magnitude = u128::from(total.0.unsigned_abs());
    let mut parts = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: u128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let product = magnitude * (*w as u128);
        let q = product / weight_sum;
        given += q;
        parts.push(q as i64);
        remainders.push((product % weight_sum, i));
    }
    // Fewer leftover fen than parts, by construction.
    let leftover = (magnitude - given) as usize;
    if leftover > 0 {
        let by_largest_remainder = |a: &(u128, usize), b: &(u128, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if leftover < remainders.len() {
            remainders.select_nth_unstable_by(leftover - 1, by_largest_remainder);
        }
        for (_, i) in &remainders[..leftover] {
            parts[*i] += 1;
        }
    }
    let sign = if total.0 < 0 { -1 } else { 1 };
    Ok(parts.into_iter().map(|p| Fen(sign * p)).collect())
}

/// [`allocate`] over decimal weights (e.g. 1.5 × 4 members = 6.0): the weights are scaled to
/// integers by the largest scale among them, which keeps every ratio exact.
///
/// # Errors
/// As [`allocate`], and [`AllocationError::WeightTooLarge`] when a scaled weight exceeds i64.
pub fn allocate_decimal(total: Fen, weights: &[Decimal]) -> Result<Vec<Fen>, AllocationError> {
    let scale = weights.iter().map(|w| w.normalize().scale()).max().unwrap_or(0);
    let factor = Decimal::from_i128_with_scale(10_i128.pow(scale), 0);
    let scaled = weights
        .iter()
        .map(|w| {
            w.checked_mul(factor)
                .and_then(|v| i64::try_from(v.trunc()).ok())
                .ok_or(AllocationError::WeightTooLarge)
        })
        .collect::<Result<Vec<_>, _>>()?;
    allocate(total, &scaled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_60_40_split_of_an_odd_amount_sums_to_the_whole() {
        let parts = allocate(Fen(1001), &[60, 40]).unwrap();
        assert_eq!(parts, vec![Fen(601), Fen(400)]);
    }

    #[test]
    fn a_tie_goes_to_the_smaller_key() {
        assert_eq!(allocate(Fen(1), &[1, 1]).unwrap(), vec![Fen(1), Fen(0)]);
        assert_eq!(allocate(Fen(2), &[1, 1, 1]).unwrap(), vec![Fen(1), Fen(1), Fen(0)]);
    }

    #[test]
    fn the_largest_remainder_wins_the_leftover_fen() {
        // exact shares 3.3333, 6.6666 → floors 3, 6; the leftover fen goes to the second part.
        assert_eq!(allocate(Fen(10), &[1, 2]).unwrap(), vec![Fen(3), Fen(7)]);
    }

    #[test]
    fn a_zero_weight_gets_zero() {
        assert_eq!(allocate(Fen(100), &[0, 3, 0]).unwrap(), vec![Fen(0), Fen(100), Fen(0)]);
    }

    #[test]
    fn negative_or_all_zero_weights_are_refused() {
        assert_eq!(allocate(Fen(100), &[1, -1]), Err(AllocationError::NegativeWeight(1)));
        assert_eq!(allocate(Fen(100), &[0, 0]), Err(AllocationError::AllZero));
        assert_eq!(allocate(Fen(100), &[]), Err(AllocationError::AllZero));
    }

    #[test]
    fn a_negative_total_mirrors_the_positive_split() {
        assert_eq!(allocate(Fen(-1001), &[60, 40]).unwrap(), vec![Fen(-601), Fen(-400)]);
    }

    #[test]
    fn decimal_weights_keep_their_ratio() {
        let w = [Decimal::new(15, 1), Decimal::new(3, 0)]; // 1.5 : 3 = 1 : 2
        assert_eq!(allocate_decimal(Fen(300), &w).unwrap(), vec![Fen(100), Fen(200)]);
    }

    proptest! {
        #[test]
        fn parts_sum_exactly_and_sit_within_one_fen_of_the_exact_share(
            total in -10_000_000_000_i64..10_000_000_000,
            weights in proptest::collection::vec(0_i64..1_000_000, 1..200),
        ) {
            prop_assume!(weights.iter().any(|w| *w > 0));
            let parts = allocate(Fen(total), &weights).unwrap();
            prop_assert_eq!(parts.iter().map(|p| p.0).sum::<i64>(), total);
            let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
            for (p, w) in parts.iter().zip(&weights) {
                // |p × Σw − total × w| < Σw  ⇔  |p − exact share| < 1 fen
                let diff = i128::from(p.0) * sum - i128::from(total) * i128::from(*w);
                prop_assert!(diff.abs() < sum, "part {} weight {}", p.0, w);
                if *w == 0 { prop_assert_eq!(p.0, 0); }
            }
        }

        #[test]
        fn the_same_input_gives_the_same_output(
            total in 0_i64..1_000_000_000,
            weights in proptest::collection::vec(1_i64..50, 1..100),
        ) {
            prop_assert_eq!(allocate(Fen(total), &weights), allocate(Fen(total), &weights));
        }

        #[test]
        fn equal_weights_give_the_leftover_to_the_first_keys(
            total in 0_i64..1_000_000,
            n in 1_usize..60,
        ) {
            let parts = allocate(Fen(total), &vec![7; n]).unwrap();
            let base = total / n as i64;
            let extra = (total % n as i64) as usize;
            for (i, p) in parts.iter().enumerate() {
                prop_assert_eq!(p.0, base + i64::from(i < extra));
            }
        }
    }
}
