//! The import report (导入错误报告): the sheet as read, bad cells filled red with a note giving the
//! reason, and a last column 错误原因; the table export keeps long digit strings as text.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use reports::xlsx::{Mark, TableCell, marked_xlsx, table_csv, table_xlsx};

fn unzip(xlsx: &[u8]) -> BTreeMap<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).expect("an XLSX is a zip");
    let mut files = BTreeMap::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        if file.read_to_string(&mut text).is_ok() {
            files.insert(file.name().expect("a file name").into_owned(), text);
        }
    }
    files
}

#[test]
fn bad_cells_are_red_with_their_reason_in_a_note_and_in_the_last_column() {
    let headers = vec!["户编号".to_string(), "身份证号".to_string()];
    let rows = vec![
        (2, vec!["H1".to_string(), "371622195001010007".to_string()]),
        (4, vec!["H2".to_string(), "371622195001010008".to_string()]),
    ];
    let marks = [Mark {
        row: 4,
        column: Some(1),
        reason: "校验位不正确".into(),
    }];
    let files = unzip(&marked_xlsx(&headers, &rows, &marks));
    let sheet = &files["xl/worksheets/sheet1.xml"];
    let styles = &files["xl/styles.xml"];
    assert!(styles.contains("FFFF7C80"), "a red fill exists");
    assert!(sheet.contains(r#"<row r="4""#), "the bad row keeps its row number");
    assert!(!sheet.contains(r#"<row r="3""#), "the blank row stays blank");
    let comments = files
        .iter()
        .find(|(name, _)| name.starts_with("xl/comments"))
        .map(|(_, xml)| xml.clone())
        .expect("a note on the bad cell");
    assert!(
        comments.contains(r#"ref="B4""#) && comments.contains("校验位不正确"),
        "{comments}"
    );
    let strings = &files["xl/sharedStrings.xml"];
    assert!(strings.contains("错误原因") && strings.contains("身份证号 校验位不正确"));
}

#[test]
fn a_table_keeps_digit_strings_as_text_and_its_csv_has_plain_amounts() {
    let headers = vec!["身份证号".to_string(), "金额".to_string(), "日期".to_string()];
    let rows = vec![vec![
        TableCell::Text("371622195001010007".into()),
        TableCell::Money(123_456),
        TableCell::Date("2025-03-01".into()),
    ]];
    let files = unzip(&table_xlsx("花名册", &headers, &rows));
    assert!(files["xl/sharedStrings.xml"].contains("371622195001010007"));
    assert!(files["xl/worksheets/sheet1.xml"].contains("<v>1234.56</v>"));
    let csv = String::from_utf8(table_csv(&headers, &rows)).unwrap();
    assert_eq!(
        csv,
        "\u{feff}身份证号,金额,日期\n371622195001010007,1234.56,2025-03-01\n"
    );
}
