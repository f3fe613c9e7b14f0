//! Money (金额): an exact count of fen (分), never a float.
//!
//! JSON and documents carry money as a string in yuan with exactly two decimals, `"1234.56"`.
//! Parsing refuses anything else — three decimals, a thousands separator, a float number — so a
//! value that passed the edge cannot hold a bad amount.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// An amount of money in fen (分), 1 yuan = 100 fen. Arithmetic is checked: an overflow is an
/// error, never a wrap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Fen(pub i64);

/// Why a money string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额格式应为两位小数的字符串, 如 \"1234.56\"")]
    Format,
    #[error("金额最多两位小数")]
    TooManyDecimals,
    #[error("金额超出范围")]
    Overflow,
    #[error("金额不能为负数")]
    Negative,
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    /// Parses `"1234.56"`, `"1234.5"`, `"1234"` or `"-12.00"`: digits, an optional minus, at most two
    /// decimals, nothing else.
    ///
    /// # Errors
    /// [`MoneyError`] when the text is not such a number or does not fit in i64 fen.
    pub fn parse(text: &str) -> Result<Fen, MoneyError> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, frac) = match body.split_once('.') {
            Some((w, f)) => (w, f),
            None => (body, ""),
        };
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits_only(whole) || !digits_only(frac) {
            return Err(MoneyError::Format);
        }
        if body.contains('.') && frac.is_empty() {
            return Err(MoneyError::Format);
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooManyDecimals);
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let mut cents: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            let d = i64::from(b - b'0');
            cents += if i == 0 { d * 10 } else { d };
        }
        let fen = whole
            .checked_mul(100)
            .and_then(|f| f.checked_add(cents))
            .ok_or(MoneyError::Overflow)?;
        Ok(Fen(if negative { -fen } else { fen }))
    }

    /// Like [`Fen::parse`], refusing a negative amount.
    ///
    /// # Errors
    /// [`MoneyError::Negative`] for an amount below zero, else as [`Fen::parse`].
    pub fn parse_non_negative(text: &str) -> Result<Fen, MoneyError> {
        let fen = Fen::parse(text)?;
        if fen.0 < 0 {
            return Err(MoneyError::Negative);
        }
        Ok(fen)
    }

    /// # Errors
    /// [`MoneyError::Overflow`] when the sum does not fit.
    pub fn checked_add(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0.checked_add(other.0).map(Fen).ok_or(MoneyError::Overflow)
    }

    /// # Errors
    /// [`MoneyError::Overflow`] when the difference does not fit.
    pub fn checked_sub(self, other: Fen) -> Result<Fen, MoneyError> {
        self.0.checked_sub(other.0).map(Fen).ok_or(MoneyError::Overflow)
    }

    /// Multiplies by a count (months × monthly wage).
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when the product does not fit.
    pub fn checked_mul(self, count: i64) -> Result<Fen, MoneyError> {
        self.0.checked_mul(count).map(Fen).ok_or(MoneyError::Overflow)
    }

    /// Sums amounts with overflow checking.
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when the total does not fit.
    pub fn sum<I: IntoIterator<Item = Fen>>(items: I) -> Result<Fen, MoneyError> {
        items.into_iter().try_fold(Fen::ZERO, Fen::checked_add)
    }

    /// This amount times a rate, rounded half-up (away from zero) to the fen — the one rule for a
    /// single rounded amount (管理费、集体留存、电费).
    ///
    /// # Errors
    /// [`MoneyError::Overflow`] when the product does not fit in i64 fen.
    pub fn times_rate(self, rate: Decimal) -> Result<Fen, MoneyError> {
        round_to_fen(Decimal::from(self.0).checked_mul(rate).ok_or(MoneyError::Overflow)?)
    }

    pub fn negate(self) -> Fen {
        Fen(-self.0)
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// Rounds a decimal amount of fen half-up (away from zero) to a whole fen.
///
/// # Errors
/// [`MoneyError::Overflow`] when the result does not fit in i64.
pub fn round_to_fen(fen: Decimal) -> Result<Fen, MoneyError> {
    let rounded = fen.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
    i64::try_from(rounded).map(Fen).map_err(|_| MoneyError::Overflow)
}

/// Yuan (元) × a quantity, e.g. kWh × tariff in yuan per kWh, rounded half-up to the fen.
///
/// # Errors
/// [`MoneyError::Overflow`] when the product does not fit.
pub fn yuan_product_to_fen(quantity: Decimal, yuan_per_unit: Decimal) -> Result<Fen, MoneyError> {
    let fen = quantity
        .checked_mul(yuan_per_unit)
        .and_then(|y| y.checked_mul(Decimal::ONE_HUNDRED))
        .ok_or(MoneyError::Overflow)?;
    round_to_fen(fen)
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Fen {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Money arrives only as a string; a JSON number (a float) is refused rather than rounded.
impl<'de> Deserialize<'de> for Fen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Fen;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("金额字符串, 如 \"1234.56\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Fen, E> {
                Fen::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_money_string_with_two_decimals_is_parsed_to_fen() {
        assert_eq!(Fen::parse("1234.56"), Ok(Fen(123_456)));
        assert_eq!(Fen::parse("0.05"), Ok(Fen(5)));
        assert_eq!(Fen::parse("7.5"), Ok(Fen(750)));
        assert_eq!(Fen::parse("12"), Ok(Fen(1200)));
        assert_eq!(Fen::parse("-3.01"), Ok(Fen(-301)));
    }

    #[test]
    fn a_money_string_with_three_decimals_is_rejected() {
        assert_eq!(Fen::parse("1.005"), Err(MoneyError::TooManyDecimals));
    }

    #[test]
    fn malformed_money_strings_are_rejected() {
        for bad in ["", "-", ".5", "1.", "1,000.00", "1e3", " 1.00", "+1.00", "1.0a", "--1"] {
            assert_eq!(Fen::parse(bad), Err(MoneyError::Format), "{bad:?}");
        }
    }

    #[test]
    fn an_amount_beyond_i64_fen_is_an_overflow() {
        assert_eq!(Fen::parse("92233720368547758.08"), Err(MoneyError::Overflow));
        assert_eq!(Fen::parse("99999999999999999999"), Err(MoneyError::Overflow));
        assert_eq!(Fen(i64::MAX).checked_add(Fen(1)), Err(MoneyError::Overflow));
    }

    #[test]
    fn a_negative_amount_is_refused_where_none_is_allowed() {
        assert_eq!(Fen::parse_non_negative("-0.01"), Err(MoneyError::Negative));
    }

    #[test]
    fn a_float_number_in_json_is_refused() {
        assert!(serde_json::from_str::<Fen>("12.5").is_err());
        assert_eq!(serde_json::from_str::<Fen>("\"12.50\"").unwrap(), Fen(1250));
    }

    #[test]
    fn money_prints_with_two_decimals() {
        assert_eq!(Fen(123_456).to_string(), "1234.56");
        assert_eq!(Fen(-5).to_string(), "-0.05");
        assert_eq!(Fen(0).to_string(), "0.00");
    }

    #[test]
    fn a_rate_is_rounded_half_up_to_the_fen() {
        // 0.5 fen rounds up, 0.49 fen rounds down.
        assert_eq!(Fen(10).times_rate(Decimal::new(5, 2)), Ok(Fen(1)));
        assert_eq!(Fen(9).times_rate(Decimal::new(5, 2)), Ok(Fen(0)));
        assert_eq!(Fen(1_140_000).times_rate(Decimal::new(15, 2)), Ok(Fen(171_000)));
    }

    #[test]
    fn kwh_times_tariff_is_rounded_half_up() {
        // 1234.5 kWh × 0.3949 元 = 487.50405 元 → 48750 fen
        let kwh = Decimal::new(12345, 1);
        let tariff = Decimal::new(3949, 4);
        assert_eq!(yuan_product_to_fen(kwh, tariff), Ok(Fen(48_750)));
        // 1 kWh × 0.125 元 = 12.5 fen → 13 fen
        assert_eq!(yuan_product_to_fen(Decimal::ONE, Decimal::new(125, 3)), Ok(Fen(13)));
    }

    proptest! {
        #[test]
        fn printing_then_parsing_gives_the_same_amount(fen in any::<i64>().prop_filter("not MIN", |f| *f != i64::MIN)) {
            prop_assert_eq!(Fen::parse(&Fen(fen).to_string()), Ok(Fen(fen)));
        }
    }
}
