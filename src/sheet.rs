//! Reading a spreadsheet the way a county office saves it (表格读取): XLSX, or CSV in UTF-8 (with
//! or without BOM) or GB18030/GBK, detected. Every cell comes back as text, with the row number
//! the spreadsheet shows (the header is row 1).

use calamine::{Data, Reader};
use std::io::Cursor;

/// A table of text cells under one header row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    /// (row number as the spreadsheet shows it, cells)
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Sheet {
    /// The column of a header, trimmed.
    pub fn column(&self, header: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == header.trim())
    }
}

/// Reads XLSX (by its ZIP signature) or CSV.
///
/// # Errors
/// A message when the file is neither.
pub fn read(bytes: &[u8]) -> Result<Sheet, String> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)
    } else {
        read_csv(&decode(bytes))
    }
}

/// UTF-8 (a BOM is dropped) or, failing that, GB18030 (a superset of GBK).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    }
}

fn read_csv(text: &str) -> Result<Sheet, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let headers = match records.next() {
        Some(r) => r
            .map_err(|e| format!("CSV 格式有误: {e}"))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect(),
        None => return Err("文件为空".into()),
    };
    let mut rows = Vec::new();
    for (i, r) in records.enumerate() {
        let r = r.map_err(|e| format!("第{}行 CSV 格式有误: {e}", i + 2))?;
        let cells: Vec<String> = r.iter().map(csv_text).collect();
        if cells.iter().any(|c| !c.is_empty()) {
            rows.push((i + 2, cells));
        }
    }
    Ok(Sheet { headers, rows })
}

/// A CSV cell as text, trimmed, without the marks that keep a number as text in Excel: a leading
/// apostrophe (`'371622…`) or a formula wrapper (`="371622…"`).
fn csv_text(cell: &str) -> String {
    let t = cell.trim();
    let t = t
        .strip_prefix("=\"")
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\''))
        .unwrap_or(t);
    t.trim().to_string()
}

/// A cell as text: integral numbers without ".0", dates as YYYY-MM-DD.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1.0e15 => format!("{}", *f as i64),
        // A long number Excel stored as a float has kept only 15 significant digits: written in
        // E notation, an ID number or account saved this way is refused as such, not misread.
        Data::Float(f) if f.abs() >= 1.0e15 => format!("{f:E}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => dt.as_datetime().map(|t| t.date().to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.chars().take(10).collect(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Sheet, String> {
    let mut book =
        calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| format!("无法读取 XLSX: {e}"))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or("工作簿没有工作表")?
        .map_err(|e| format!("无法读取工作表: {e}"))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let pad = |cells: Vec<String>| {
        let mut v = vec![String::new(); first_col];
        v.extend(cells);
        v
    };
    let mut rows_iter = range.rows().enumerate();
    let headers = match rows_iter.next() {
        Some((_, r)) => pad(r.iter().map(cell_text).collect()),
        None => return Err("工作表为空".into()),
    };
    let rows = rows_iter
        .map(|(i, r)| (first_row + i + 1, pad(r.iter().map(cell_text).collect())))
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect();
    Ok(Sheet { headers, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gbk_csv_reads_the_same_as_utf8() {
        let text = "户编号,户主姓名\n001,王建国\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let from_gbk = read(&gbk).unwrap();
        let from_utf8 = read(format!("\u{feff}{text}").as_bytes()).unwrap();
        assert_eq!(from_gbk, from_utf8);
        assert_eq!(from_gbk.headers, ["户编号", "户主姓名"]);
        assert_eq!(from_gbk.rows, vec![(2, vec!["001".to_string(), "王建国".to_string()])]);
    }

    #[test]
    fn blank_lines_are_skipped_but_row_numbers_are_kept() {
        let s = read("a,b\n1,2\n,\n3,4\n".as_bytes()).unwrap();
        assert_eq!(s.rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 4]);
    }

    #[test]
    fn numbers_stored_as_numbers_lose_no_digits_and_no_decimal_point() {
        assert_eq!(cell_text(&Data::Float(3.0)), "3");
        assert_eq!(cell_text(&Data::Float(6217000000001.0)), "6217000000001");
        assert_eq!(cell_text(&Data::String(" 2 ".into())), "2");
        assert_eq!(cell_text(&Data::Float(371622198001010011.0)), "3.7162219800101E17");
    }

    #[test]
    fn numbers_kept_as_text_in_a_csv_lose_their_marks() {
        let s = read("身份证号,账号\n'371622198001010011,=\"6217000000001\"\n".as_bytes()).unwrap();
        assert_eq!(s.rows[0].1, ["371622198001010011", "6217000000001"]);
    }
}
