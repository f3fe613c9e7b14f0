//! Money (`Fen::parse`) and decimal strings (`domain::decimal::parse`) on arbitrary text.
//!
//! Properties: the money parser accepts exactly `-?digits(.d{1,2})?` within i64 fen and gives the
//! value an independent reading gives; what it accepts prints back to the same amount; a JSON
//! string reads the same as the text; `parse_non_negative` refuses exactly the negatives; an
//! accepted amount is the same value as a decimal. An accepted decimal prints and reads back to
//! the same value. Rounding an amount by a rate never panics and a rate in [0, 1] never grows it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relief_ledger_fuzz::decimal;
use relief_ledger_fuzz::money::{Fen, MoneyError, yuan_product_to_fen};
use rust_decimal::Decimal;

/// What the money parser should say, read another way: i128 arithmetic on the characters.
fn reference(text: &str) -> Result<i64, MoneyError> {
    let body = text.strip_prefix('-').unwrap_or(text);
    let negative = body.len() != text.len();
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || (body.contains('.') && frac.is_empty()) {
        return Err(MoneyError::Format);
    }
    if frac.len() > 2 {
        return Err(MoneyError::TooManyDecimals);
    }
    let mut fen: i128 = 0;
    for b in whole.bytes().chain(frac.bytes()).chain("00"[frac.len()..].bytes()) {
        fen = (fen * 10 + i128::from(b - b'0')).min(i128::from(u64::MAX));
    }
    if fen > i128::from(i64::MAX) {
        return Err(MoneyError::Overflow);
    }
    let fen = fen as i64;
    Ok(if negative { -fen } else { fen })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = Fen::parse(text);
    assert_eq!(parsed.clone().map(|f| f.0), reference(text), "Fen::parse({text:?})");
    let as_json = serde_json::to_string(text).expect("a str serializes");
    let from_json: Result<Fen, _> = serde_json::from_str(&as_json);
    assert_eq!(from_json.ok(), parsed.clone().ok(), "JSON string {as_json}");
    match parsed {
        Ok(fen) => {
            let shown = fen.to_string();
            assert_eq!(Fen::parse(&shown), Ok(fen), "{text:?} printed as {shown:?}");
            assert_eq!(serde_json::to_string(&fen).unwrap(), format!("\"{shown}\""));
            let non_negative = Fen::parse_non_negative(text);
            if fen.0 < 0 {
                assert_eq!(non_negative, Err(MoneyError::Negative));
            } else {
                assert_eq!(non_negative, Ok(fen));
            }
            if text.len() <= 24 {
                let d = decimal::parse(text).expect("an amount is a decimal");
                assert_eq!(d * Decimal::ONE_HUNDRED, Decimal::from(fen.0), "{text:?} as a decimal");
            }
        }
        Err(_) => assert!(Fen::parse_non_negative(text).is_err()),
    }

    // Decimal strings: what reads prints back to the same value.
    if let Ok(d) = decimal::parse(text) {
        let shown = decimal::format(d);
        assert_eq!(decimal::parse(&shown), Ok(d), "{text:?} printed as {shown:?}");
    }

    // An amount and a rate, split at the first '|': rounding never panics, and a rate between 0
    // and 1 never gives more than the amount.
    if let Some((amount, rate)) = text.split_once('|') {
        if let (Ok(fen), Ok(rate)) = (Fen::parse(amount), decimal::parse(rate)) {
            if let Ok(part) = fen.times_rate(rate) {
                if rate >= Decimal::ZERO && rate <= Decimal::ONE {
                    assert!(part.0.unsigned_abs() <= fen.0.unsigned_abs(), "{fen} × {rate} = {part}");
                    assert!(part.0 == 0 || (part.0 < 0) == (fen.0 < 0), "{fen} × {rate} = {part}");
                }
            }
            let _ = yuan_product_to_fen(Decimal::from(fen.0), rate);
        }
    }
});
