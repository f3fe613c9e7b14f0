//! ID numbers (`IdNumber::parse`, GB 11643) and bank accounts on arbitrary text, and masking.
//!
//! Properties: an accepted ID number is 18 characters with a valid check digit, its own parse
//! gives it back (parse → display round-trips), and its mask keeps only the region prefix and the
//! last four: the masked text never contains the full number. An accepted bank account is 10–30
//! digits and its mask never contains it. Masking any text keeps its length in characters and
//! gives the text back only where the hidden part was stars already.
#![no_main]

use libfuzzer_sys::fuzz_target;
use relief_ledger_fuzz::identity::{IdNumber, mask_bank_account, mask_id_number, parse_bank_account};

/// The masked text is the same length and equals the text only if the hidden middle was stars.
fn check_mask(text: &str, masked: &str, head: usize, tail: usize) {
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(masked.chars().count(), chars.len(), "mask of {text:?} is {masked:?}");
    if masked == text {
        let hidden = if chars.len() <= head + tail {
            &chars[..]
        } else {
            &chars[head..chars.len() - tail]
        };
        assert!(hidden.iter().all(|c| *c == '*'), "mask of {text:?} shows it whole");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_mask(text, &mask_id_number(text), 6, 4);
    check_mask(text, &mask_bank_account(text), 4, 4);

    if let Ok(id) = IdNumber::parse(text) {
        let s = id.as_str();
        assert_eq!(s.len(), 18, "{text:?} → {s:?}");
        assert!(s[..17].bytes().all(|b| b.is_ascii_digit()), "{s:?}");
        assert_eq!(IdNumber::with_check_digit(&s[..17]), s, "check digit of {s:?}");
        assert_eq!(IdNumber::parse(s).as_ref(), Ok(&id), "{s:?} does not parse back");
        assert_eq!(s, text.trim().to_ascii_uppercase());
        let masked = mask_id_number(s);
        assert!(!masked.contains(s), "{masked:?} shows {s:?}");
        assert_eq!(&masked[..6], &s[..6]);
        assert_eq!(&masked[6..14], "********");
        assert_eq!(&masked[14..], &s[14..]);
    }

    if let Ok(account) = parse_bank_account(text) {
        assert!((10..=30).contains(&account.len()), "{account:?}");
        assert!(account.bytes().all(|b| b.is_ascii_digit()), "{account:?}");
        assert_eq!(parse_bank_account(&account).as_ref(), Ok(&account));
        let masked = mask_bank_account(&account);
        assert!(!masked.contains(&account), "{masked:?} shows {account:?}");
        assert_eq!(masked.len(), account.len());
    }
});
