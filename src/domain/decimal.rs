//! Non-money decimals (数量、电价、比例、系数): carried in JSON as decimal strings such as
//! `"0.3949"`; a JSON number is accepted too and read through its shortest decimal form, never
//! kept as a float.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serializer};
use std::str::FromStr;

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Text(String),
    Number(serde_json::Number),
}

fn read<E: serde::de::Error>(raw: Raw) -> Result<Decimal, E> {
    let text = match raw {
        Raw::Text(t) => t,
        Raw::Number(n) => n.to_string(),
    };
    let trimmed = text.trim();
    Decimal::from_str(trimmed)
        .or_else(|_| Decimal::from_scientific(trimmed))
        .map_err(|_| E::custom(format!("应为十进制数字字符串, 如 \"0.3949\", 收到 {text:?}")))
}

/// Parses a decimal string (for query parameters and files).
///
/// # Errors
/// A message when the text is not a decimal.
pub fn parse(text: &str) -> Result<Decimal, String> {
    read::<serde::de::value::Error>(Raw::Text(text.to_string())).map_err(|e| e.to_string())
}

/// Formats a decimal without trailing zeros: `1.50` → `"1.5"`.
pub fn format(value: Decimal) -> String {
    value.normalize().to_string()
}

pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format(*value))
}

/// # Errors
/// When the value is neither a decimal string nor a number.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    read(Raw::deserialize(d)?)
}

/// The same for an optional field.
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.collect_str(&format(*v)),
            None => s.serialize_none(),
        }
    }

    /// # Errors
    /// When the value is present and not a decimal.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Option::<Raw>::deserialize(d)?.map(read).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[serde(with = "super")]
        v: Decimal,
    }

    #[test]
    fn a_decimal_string_and_a_json_number_both_read_exactly() {
        let a: Probe = serde_json::from_str(r#"{"v":"0.3949"}"#).unwrap();
        let b: Probe = serde_json::from_str(r#"{"v":0.3949}"#).unwrap();
        assert_eq!(a.v, Decimal::new(3949, 4));
        assert_eq!(b.v, Decimal::new(3949, 4));
    }

    #[test]
    fn text_that_is_not_a_number_is_refused() {
        assert!(serde_json::from_str::<Probe>(r#"{"v":"abc"}"#).is_err());
    }

    #[test]
    fn decimals_print_without_trailing_zeros() {
        assert_eq!(format(Decimal::new(150, 2)), "1.5");
    }
}
