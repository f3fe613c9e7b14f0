//! Money as it is written on finance forms: grouped yuan for table columns and the Chinese capital
//! numerals (大写金额) for totals.

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/// Place units inside a group of four digits: 个, 拾, 佰, 仟.
const PLACES: [&str; 4] = ["", "拾", "佰", "仟"];
/// Units of the four-digit groups: 个, 万, 亿, 万亿 (10¹²), 亿亿 (10¹⁶; i64 fen stays below 10¹⁷ yuan).
const GROUPS: [&str; 5] = ["", "万", "亿", "万亿", "亿亿"];

/// Formats fen as yuan with thousands separators and two decimals (`123456789` → `"1,234,567.89"`).
pub fn yuan_grouped(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

/// A rate in ‰ as a percentage with one decimal (`52` → `"5.2%"`, `-7` → `"-0.7%"`).
pub fn permille_percent(permille: i64) -> String {
    let sign = if permille < 0 { "-" } else { "" };
    let abs = permille.unsigned_abs();
    format!("{sign}{}.{}%", abs / 10, abs % 10)
}

/// The amount in Chinese capital numerals (大写金额), following the rules for filling in bills and
/// settlement vouchers: `123456` fen → `"壹仟贰佰叁拾肆元伍角陆分"`, `100` → `"壹元整"`.
///
/// - one 零 stands for any run of skipped places, also across 万/亿 groups (`壹万零壹拾元整`);
/// - 零 follows 元 when 角 is zero but 分 is not (`壹佰元零伍分`);
/// - 整 ends an amount without 角 and 分; amounts below one yuan start at 角 or 分 (`伍分`);
/// - a negative amount is prefixed with 负.
pub fn capital_yuan(fen: i64) -> String {
    let abs = fen.unsigned_abs();
    let (whole, jiao, fen_digit) = (abs / 100, (abs / 10 % 10) as usize, (abs % 10) as usize);
    let mut out = String::new();
    if fen < 0 {
        out.push('负');
    }
    if whole > 0 {
        out.push_str(&capital_integer(whole));
        out.push('元');
    }
    match (jiao, fen_digit) {
        (0, 0) if whole == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        _ => {
            if jiao > 0 {
                out.push(DIGITS[jiao]);
                out.push('角');
            } else if whole > 0 {
                out.push('零');
            }
            if fen_digit > 0 {
                out.push(DIGITS[fen_digit]);
                out.push('分');
            }
        }
    }
    out
}

/// A positive whole number in capital numerals, without a unit (`10010` → `"壹万零壹拾"`).
fn capital_integer(n: u64) -> String {
    let digits: Vec<usize> = n.to_string().bytes().map(|b| usize::from(b - b'0')).collect();
    let mut out = String::new();
    let mut zero_pending = false;
    let mut group_has_digit = false;
    for (i, &d) in digits.iter().enumerate() {
        let place = digits.len() - 1 - i;
        if d == 0 {
            zero_pending = true;
        } else {
            if zero_pending {
                out.push('零');
                zero_pending = false;
            }
            out.push(DIGITS[d]);
            out.push_str(PLACES[place % 4]);
            group_has_digit = true;
        }
        if place.is_multiple_of(4) && group_has_digit {
            out.push_str(GROUPS[place / 4]);
            group_has_digit = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_yuan_has_thousands_separators_and_two_decimals() {
        for (fen, text) in [
            (123_456_789, "1,234,567.89"),
            (0, "0.00"),
            (5, "0.05"),
            (99_999, "999.99"),
            (100_000, "1,000.00"),
            (-123_456_789, "-1,234,567.89"),
            (100_000_000_000, "1,000,000,000.00"),
            (i64::MIN, "-92,233,720,368,547,758.08"),
        ] {
            assert_eq!(yuan_grouped(fen), text, "{fen}");
        }
    }

    #[test]
    fn permille_becomes_a_percentage_with_one_decimal() {
        for (permille, text) in [
            (52, "5.2%"),
            (0, "0.0%"),
            (5, "0.5%"),
            (-7, "-0.7%"),
            (1000, "100.0%"),
            (-123, "-12.3%"),
        ] {
            assert_eq!(permille_percent(permille), text, "{permille}");
        }
    }

    #[test]
    fn capital_yuan_gives_the_examples_of_the_brief() {
        assert_eq!(capital_yuan(123_456), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(capital_yuan(100), "壹元整");
        assert_eq!(capital_yuan(10_005), "壹佰元零伍分");
        assert_eq!(capital_yuan(100_000_000), "壹佰万元整");
        assert_eq!(capital_yuan(0), "零元整");
        // 10,010.00 yuan. (The brief's 1000010 fen is 10,000.10 yuan: see the next test.)
        assert_eq!(capital_yuan(1_001_000), "壹万零壹拾元整");
    }

    #[test]
    fn capital_yuan_handles_jiao_and_fen() {
        assert_eq!(capital_yuan(1_000_010), "壹万元壹角");
        assert_eq!(capital_yuan(150), "壹元伍角");
        assert_eq!(capital_yuan(5), "伍分");
        assert_eq!(capital_yuan(50), "伍角");
        assert_eq!(capital_yuan(55), "伍角伍分");
        assert_eq!(capital_yuan(1_640_902), "壹万陆仟肆佰零玖元零贰分");
        assert_eq!(capital_yuan(32_504), "叁佰贰拾伍元零肆分");
        assert_eq!(capital_yuan(168_032), "壹仟陆佰捌拾元叁角贰分");
    }

    #[test]
    fn capital_yuan_writes_one_zero_for_a_run_of_skipped_places() {
        assert_eq!(capital_yuan(1_000), "壹拾元整");
        assert_eq!(capital_yuan(1_500), "壹拾伍元整");
        assert_eq!(capital_yuan(10_100), "壹佰零壹元整");
        assert_eq!(capital_yuan(100_100), "壹仟零壹元整");
        assert_eq!(capital_yuan(101_000), "壹仟零壹拾元整");
        assert_eq!(capital_yuan(1_000_100), "壹万零壹元整");
        assert_eq!(capital_yuan(10_700_053), "壹拾万零柒仟元伍角叁分");
        assert_eq!(capital_yuan(100_100_000), "壹佰万零壹仟元整");
        assert_eq!(capital_yuan(110_000_000), "壹佰壹拾万元整");
        assert_eq!(capital_yuan(1_000_000_000), "壹仟万元整");
    }

    #[test]
    fn capital_yuan_handles_yi_groups() {
        assert_eq!(capital_yuan(10_000_000_000), "壹亿元整");
        assert_eq!(capital_yuan(10_000_000_100), "壹亿零壹元整");
        assert_eq!(capital_yuan(10_001_000_000), "壹亿零壹万元整");
        assert_eq!(
            capital_yuan(12_345_678_901),
            "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元零壹分"
        );
        assert_eq!(capital_yuan(100_000_000_000), "壹拾亿元整");
        assert_eq!(capital_yuan(100_000_100_000), "壹拾亿零壹仟元整");
        assert_eq!(capital_yuan(300_005_000_012), "叁拾亿零伍万元壹角贰分");
        assert_eq!(capital_yuan(300_050_000_012), "叁拾亿零伍拾万元壹角贰分");
        assert_eq!(capital_yuan(100_000_000_000_000), "壹万亿元整");
        assert_eq!(capital_yuan(100_000_100_000_000), "壹万亿零壹佰万元整");
        assert_eq!(
            capital_yuan(i64::MAX),
            "玖亿亿贰仟贰佰叁拾叁万亿柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"
        );
        assert_eq!(
            capital_yuan(i64::MIN),
            "负玖亿亿贰仟贰佰叁拾叁万亿柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零捌分"
        );
    }

    #[test]
    fn capital_yuan_prefixes_negative_amounts() {
        assert_eq!(capital_yuan(-123_456), "负壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(capital_yuan(-5), "负伍分");
    }
}
