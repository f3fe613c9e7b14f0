//! Personal identifiers: the resident ID number (居民身份证号码, GB 11643 check digit) and the bank
//! account (银行账号, 10–30 digits), validated at the edge and masked wherever a role does not need
//! them in full.

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("身份证号应为18位 (17位数字加校验位)")]
    IdFormat,
    #[error("身份证号出生日期不正确")]
    IdBirthDate,
    #[error("校验位不正确")]
    IdCheckDigit,
    #[error("银行账号应为10至30位数字")]
    BankAccount,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character of the first 17 digits.
fn check_char(body: &[u8]) -> u8 {
    let sum: u32 = body.iter().zip(WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

/// A resident ID number with a valid birth date and check digit (a lower-case `x` is accepted and
/// stored upper-case).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    /// # Errors
    /// [`IdentityError`] naming what is wrong: length/characters, birth date or check digit.
    pub fn parse(text: &str) -> Result<IdNumber, IdentityError> {
        let upper = text.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 18
            || !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(IdentityError::IdFormat);
        }
        let birth = &upper[6..14];
        if chrono::NaiveDate::parse_from_str(birth, "%Y%m%d").is_err() {
            return Err(IdentityError::IdBirthDate);
        }
        if check_char(&bytes[..17]) != bytes[17] {
            return Err(IdentityError::IdCheckDigit);
        }
        Ok(IdNumber(upper))
    }

    /// Completes 17 digits with their check character (for synthetic demo data).
    pub fn with_check_digit(body17: &str) -> String {
        format!("{body17}{}", char::from(check_char(body17.as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Masks an ID number as `371621********1234`: the region prefix and the last four stay.
pub fn mask_id_number(id: &str) -> String {
    mask(id, 6, 4)
}

/// Masks a bank account as `6217*********1234`.
pub fn mask_bank_account(account: &str) -> String {
    mask(account, 4, 4)
}

fn mask(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let stars = "*".repeat(chars.len() - head - tail);
    let start: String = chars[..head].iter().collect();
    let end: String = chars[chars.len() - tail..].iter().collect();
    format!("{start}{stars}{end}")
}

/// Validates a bank account: 10–30 digits, no check digit required (cards and passbooks).
///
/// # Errors
/// [`IdentityError::BankAccount`] otherwise.
pub fn parse_bank_account(text: &str) -> Result<String, IdentityError> {
    let t = text.trim();
    if (10..=30).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_string())
    } else {
        Err(IdentityError::BankAccount)
    }
}

/// Masks every run of 10 or more digits in free text (an ID number, with its `X`, or a bank
/// account) that a log line or a message quoting raw input might carry; runs of exactly 12 digits
/// stay, as they are region codes (统计用区划代码). For log lines and parser messages: it also masks
/// 15-digit household numbers, so messages written by the services use [`redact_id_numbers`].
pub fn redact(text: &str) -> String {
    mask_runs(text, |run| match run.len() {
        18 | 15 => Some(mask_id_number(run)),
        12 => None,
        n if n >= 10 => Some(mask_bank_account(run)),
        _ => None,
    })
}

/// Masks only what is certainly a resident ID number (18 characters with a valid check digit), so
/// household numbers and amounts in a message stay readable.
pub fn redact_id_numbers(text: &str) -> String {
    mask_runs(text, |run| {
        IdNumber::parse(run).ok().map(|id| mask_id_number(id.as_str()))
    })
}

/// Replaces each run of digits (with the `X` that may end an 18-character ID number) for which
/// `mask` gives a replacement.
fn mask_runs(text: &str, mask: impl Fn(&str) -> Option<String>) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 17 && i < chars.len() && matches!(chars[i], 'X' | 'x') {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        match mask(&run) {
            Some(masked) => out.push_str(&masked),
            None => out.push_str(&run),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_loses_its_id_numbers_and_accounts_but_keeps_region_codes() {
        assert_eq!(
            redact("invalid type: integer `371621198001011234`, expected a string"),
            "invalid type: integer `371621********1234`, expected a string"
        );
        assert_eq!(
            redact("q=11010519491231002X&v=371622101201"),
            "q=110105********002X&v=371622101201"
        );
        assert_eq!(
            redact("账号 6217000000000123456 与 12345"),
            "账号 6217***********3456 与 12345"
        );
        assert_eq!(redact("第18行"), "第18行");
        let id = IdNumber::with_check_digit("37162219800101000");
        assert_eq!(
            redact_id_numbers(&format!("户编号 371622101201001 与 {id}")),
            format!("户编号 371622101201001 与 {}", mask_id_number(&id))
        );
    }

    #[test]
    fn an_id_number_with_the_right_check_digit_is_accepted() {
        let id = IdNumber::with_check_digit("37162219800101000");
        assert_eq!(IdNumber::parse(&id).unwrap().as_str(), id);
        // The well-known GB 11643 example.
        assert!(IdNumber::parse("11010519491231002X").is_ok());
        assert!(IdNumber::parse("11010519491231002x").is_ok());
    }

    #[test]
    fn an_id_number_with_a_wrong_check_digit_is_refused() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdentityError::IdCheckDigit));
    }

    #[test]
    fn an_id_number_of_the_wrong_shape_or_date_is_refused() {
        assert_eq!(IdNumber::parse("12345"), Err(IdentityError::IdFormat));
        assert_eq!(IdNumber::parse("1101051949123100AX"), Err(IdentityError::IdFormat));
        let bad_date = IdNumber::with_check_digit("11010519491331002");
        assert_eq!(IdNumber::parse(&bad_date), Err(IdentityError::IdBirthDate));
    }

    #[test]
    fn masking_keeps_only_the_prefix_and_the_last_four() {
        assert_eq!(mask_id_number("371621198001011234"), "371621********1234");
        assert_eq!(mask_bank_account("6217000000000123456"), "6217***********3456");
    }

    #[test]
    fn a_bank_account_is_ten_to_thirty_digits() {
        assert!(parse_bank_account("1234567890").is_ok());
        assert!(parse_bank_account("123456789").is_err());
        assert!(parse_bank_account("12345678901234567890123456789012").is_err());
        assert!(parse_bank_account("62170000a0000123").is_err());
    }
}
