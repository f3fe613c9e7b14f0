//! Region codes (统计用区划代码): 12 digits for a county, township or village.

use super::error::{Error, Result};

/// Checks a 12-digit statistical division code.
///
/// # Errors
/// [`Error::Invalid`] naming `field` when the code is not 12 digits.
pub fn check_code(code: &str, field: &str) -> Result<()> {
    if code.len() == 12 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::field(field, "区划代码应为12位数字"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_code_is_twelve_digits() {
        assert!(check_code("371622101201", "code").is_ok());
        assert!(check_code("37162210120", "code").is_err());
        assert!(check_code("37162210120a", "code").is_err());
    }
}
