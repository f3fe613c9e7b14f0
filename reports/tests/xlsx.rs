//! The spreadsheets open as XLSX with typed cells: money as numbers, a frozen header, Chinese
//! headers; the CSV has the BOM and plain amounts.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

mod common;

use common::performance;
use reports::xlsx::{LedgerRow, ledger_csv, ledger_xlsx, performance_xlsx};

/// The files of an XLSX (a zip) by name.
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

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The shared strings, in order.
fn shared_strings(files: &BTreeMap<String, String>) -> Vec<String> {
    let Some(xml) = files.get("xl/sharedStrings.xml") else {
        return Vec::new();
    };
    xml.split("<si>")
        .skip(1)
        .map(|si| {
            let si = &si[..si.find("</si>").unwrap()];
            let start = si.find('>').unwrap() + 1;
            unescape(&si[start..si.rfind("</t>").unwrap()])
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    /// The number as written in the XML.
    Number(String),
    /// A cell with a style and no value.
    Blank,
}

/// A sheet's cells by reference ("A1"), with the raw XML of each.
fn cells(xml: &str, strings: &[String]) -> BTreeMap<String, (Value, String)> {
    let mut cells = BTreeMap::new();
    for part in xml.split("<c r=\"").skip(1) {
        let reference = part[..part.find('"').unwrap()].to_owned();
        let tag_end = part.find('>').unwrap();
        if part[..tag_end].ends_with('/') {
            cells.insert(reference, (Value::Blank, format!("<c r=\"{}", &part[..=tag_end])));
            continue;
        }
        let raw = format!("<c r=\"{}", &part[..part.find("</c>").unwrap() + 4]);
        let value = &part[part.find("<v>").unwrap() + 3..part.find("</v>").unwrap()];
        let value = if part[..tag_end].contains("t=\"s\"") {
            Value::Text(strings[value.parse::<usize>().unwrap()].clone())
        } else {
            Value::Number(value.to_owned())
        };
        cells.insert(reference, (value, raw));
    }
    cells
}

struct Sheet {
    xml: String,
    cells: BTreeMap<String, (Value, String)>,
}

impl Sheet {
    fn text(&self, reference: &str) -> &str {
        match self.cells.get(reference) {
            Some((Value::Text(s), _)) => s,
            other => panic!("{reference} is not text: {other:?}"),
        }
    }

    fn number(&self, reference: &str) -> &str {
        match self.cells.get(reference) {
            Some((Value::Number(n), raw)) => {
                assert!(!raw.contains("t=\""), "{raw}");
                n
            }
            other => panic!("{reference} is not a number: {other:?}"),
        }
    }

    /// The texts of `row` from column A on, up to the first blank.
    fn row_texts(&self, row: u32) -> Vec<String> {
        (0..)
            .map_while(|col| match self.cells.get(&format!("{}{row}", column_name(col))) {
                Some((Value::Text(s) | Value::Number(s), _)) => Some(s.clone()),
                _ => None,
            })
            .collect()
    }
}

fn column_name(mut col: usize) -> String {
    let mut name = String::new();
    loop {
        name.insert(0, char::from(b'A' + (col % 26) as u8));
        if col < 26 {
            return name;
        }
        col = col / 26 - 1;
    }
}

/// Keeps `bytes` under the test target's temp dir, for opening by hand.
fn keep(name: &str, bytes: &[u8]) {
    std::fs::write(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name), bytes).expect("write");
}

fn sheets(xlsx: &[u8]) -> (BTreeMap<String, String>, Vec<Sheet>) {
    assert!(xlsx.starts_with(b"PK"), "a zip");
    let files = unzip(xlsx);
    let strings = shared_strings(&files);
    let sheets = (1..)
        .map_while(|i| files.get(&format!("xl/worksheets/sheet{i}.xml")))
        .map(|xml| Sheet {
            cells: cells(xml, &strings),
            xml: xml.clone(),
        })
        .collect();
    (files, sheets)
}

fn ledger_row(i: i64) -> LedgerRow {
    let value = 123_456 + i * 1_000_001;
    let mut funding = vec![("中央财政衔接资金".to_string(), value * 3 / 5)];
    if i % 2 == 0 {
        funding.push(("省级财政衔接资金".into(), value - value * 3 / 5));
    } else {
        funding.push(("东西部协作资金".into(), value - value * 3 / 5 - 5));
        funding.push(("村自筹".into(), 5));
    }
    LedgerRow {
        asset_code: format!("ZC-2022-{i:03}"),
        asset_name: format!("村级光伏电站{i}号"),
        project_code: format!("XM-2021-{i:03}"),
        project_name: "南关村光伏扶贫项目".into(),
        township: "金山镇".into(),
        village: "南关村".into(),
        class_label: "经营性".into(),
        form_label: "固定资产".into(),
        value_fen: value,
        funding,
        owners: "南关村 60.00%; 北关村 40.00%".into(),
        operation_label: "租赁".into(),
        operator: "禄丰市绿能运维有限公司".into(),
        status_label: "正常运营".into(),
        formed_on: if i == 2 {
            "待定".into()
        } else {
            format!("2022-06-{:02}", 10 + i)
        },
        cumulative_income_fen: 98_765 * i,
    }
}

#[test]
fn the_ledger_xlsx_has_typed_cells_a_frozen_header_and_totals() {
    let rows: Vec<_> = (0..3).map(ledger_row).collect();
    let xlsx = ledger_xlsx("禄丰市扶贫项目资产台账", &rows);
    keep("ledger.xlsx", &xlsx);
    let (files, sheets) = sheets(&xlsx);
    assert!(files["xl/workbook.xml"].contains("name=\"资产台账\""));
    let sheet = &sheets[0];
    assert_eq!(sheet.text("A1"), "禄丰市扶贫项目资产台账");
    assert_eq!(
        sheet.row_texts(2),
        [
            "资产编号",
            "资产名称",
            "项目编号",
            "项目名称",
            "乡镇",
            "村",
            "资产类别",
            "资产形态",
            "资产价值",
            "中央财政衔接资金",
            "省级财政衔接资金",
            "东西部协作资金",
            "村自筹",
            "资金合计",
            "产权归属",
            "经营方式",
            "经营主体",
            "资产状态",
            "形成日期",
            "累计收益",
        ]
    );
    // The frozen pane is under the header and right of 资产名称.
    assert!(
        sheet
            .xml
            .contains(r#"<pane xSplit="2" ySplit="2" topLeftCell="C3" activePane="bottomRight" state="frozen"/>"#),
        "{}",
        sheet.xml
    );
    assert!(sheet.xml.contains("<autoFilter ref=\"A2:T5\"/>"), "{}", sheet.xml);
    assert!(sheet.xml.contains("<col "), "column widths");
    // Money: numbers in yuan, exactly two decimals' worth, formatted #,##0.00.
    assert_eq!(sheet.number("I3"), "1234.56");
    assert!(
        sheet.cells["I3"].1.starts_with("<c r=\"I3\" s=\""),
        "{}",
        sheet.cells["I3"].1
    );
    assert_eq!(sheet.number("J3"), "740.73");
    assert_eq!(sheet.number("K3"), "493.83");
    assert_eq!(sheet.cells["L3"].0, Value::Blank, "no such source");
    assert_eq!(sheet.number("N3"), "1234.56");
    assert_eq!(sheet.number("I4"), "11234.57");
    assert_eq!(sheet.number("M4"), "0.05");
    assert!(files["xl/styles.xml"].contains("formatCode=\"#,##0.00\""));
    // A date is a date (a serial number), anything else stays text.
    assert_eq!(sheet.number("S3"), "44722");
    assert_eq!(sheet.text("S5"), "待定");
    assert_eq!(sheet.text("O3"), "南关村 60.00%; 北关村 40.00%");
    // 合计.
    assert_eq!(sheet.text("A6"), "合计");
    assert_eq!(sheet.text("B6"), "共 3 项");
    let total: i64 = rows.iter().map(|r| r.value_fen).sum();
    assert_eq!(sheet.number("I6"), reports::yuan(total));
    assert_eq!(sheet.number("N6"), reports::yuan(total));
    assert_eq!(sheet.number("M6"), "0.05");
    assert_eq!(sheet.number("T6"), "2962.95");
}

#[test]
fn an_empty_ledger_is_still_a_workbook() {
    let (_, sheets) = sheets(&ledger_xlsx("空台账", &[]));
    assert_eq!(sheets[0].row_texts(2).len(), 16);
    assert_eq!(sheets[0].text("A3"), "合计");
}

#[test]
fn the_ledger_csv_has_a_bom_the_header_and_plain_amounts() {
    let rows: Vec<_> = (0..3).map(ledger_row).collect();
    let csv = ledger_csv(&rows);
    keep("ledger.csv", &csv);
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "header and rows, no totals");
    assert_eq!(
        lines[0],
        "资产编号,资产名称,项目编号,项目名称,乡镇,村,资产类别,资产形态,资产价值,中央财政衔接资金,省级财政衔接资金,东西部协作资金,村自筹,资金合计,产权归属,经营方式,经营主体,资产状态,形成日期,累计收益"
    );
    assert_eq!(
        lines[1],
        "ZC-2022-000,村级光伏电站0号,XM-2021-000,南关村光伏扶贫项目,金山镇,南关村,经营性,固定资产,1234.56,740.73,493.83,,,1234.56,南关村 60.00%; 北关村 40.00%,租赁,禄丰市绿能运维有限公司,正常运营,2022-06-10,0.00"
    );
    assert!(
        lines[2].contains(",11234.57,6740.74,,4493.78,0.05,11234.57,"),
        "{}",
        lines[2]
    );
    assert!(lines[3].contains(",待定,1975.30"), "{}", lines[3]);
}

#[test]
fn the_performance_xlsx_has_a_summary_and_the_items() {
    let p = performance(30);
    let xlsx = performance_xlsx(&p);
    keep("performance.xlsx", &xlsx);
    let (files, sheets) = sheets(&xlsx);
    let workbook = &files["xl/workbook.xml"];
    assert!(
        workbook.contains("name=\"汇总\"") && workbook.contains("name=\"明细\""),
        "{workbook}"
    );
    assert!(files.contains_key("xl/charts/chart1.xml"), "the township chart");

    let summary = &sheets[0];
    assert_eq!(summary.text("A1"), "禄丰市2025年度扶贫项目资产收益绩效报告");
    assert_eq!(summary.row_texts(2), ["指标", "数值", "单位"]);
    assert_eq!(summary.text("A5"), "项目资产总投资");
    assert_eq!(summary.number("B5"), reports::yuan(p.investment_fen));
    assert_eq!(summary.text("A7"), "资产收益率");
    assert_eq!(summary.number("B7"), "0.0507");
    assert_eq!(summary.text("A8"), "受益户数");
    assert_eq!(summary.number("B8"), "1234");
    assert_eq!(summary.number("B10"), "356.2");
    let texts: Vec<&str> = summary
        .cells
        .values()
        .filter_map(|(v, _)| match v {
            Value::Text(s) => Some(s.as_str()),
            Value::Number(_) | Value::Blank => None,
        })
        .collect();
    for sentence in &p.summary {
        assert!(texts.contains(&sentence.as_str()), "{sentence}");
    }
    for t in &p.townships {
        assert!(texts.contains(&t.township.as_str()), "{}", t.township);
    }

    let items = &sheets[1];
    assert!(
        items.xml.contains("ySplit=\"2\"") && items.xml.contains("state=\"frozen\""),
        "frozen header"
    );
    assert_eq!(
        items.row_texts(2),
        [
            "序号",
            "项目编号",
            "项目名称",
            "资产编号",
            "资产名称",
            "乡镇",
            "类型",
            "投资额",
            "年度净收益",
            "收益率",
            "受益户数",
            "受益人口",
            "人均受益",
            "等效利用小时数",
            "预警标记",
        ]
    );
    for (n, item) in p.items.iter().enumerate() {
        let row = n + 3;
        assert_eq!(items.number(&format!("A{row}")), (n + 1).to_string());
        assert_eq!(items.text(&format!("E{row}")), item.asset_name);
        assert_eq!(
            items.number(&format!("H{row}")),
            reports::yuan(item.investment_fen)
                .trim_end_matches('0')
                .trim_end_matches('.')
        );
        let rate: f64 = items.number(&format!("J{row}")).parse().unwrap();
        let given: f64 = item.yield_rate.trim_end_matches('%').parse().unwrap();
        assert!((rate * 100.0 - given).abs() < 1e-9, "{rate} vs {}", item.yield_rate);
        match &item.pv_hours {
            Some(hours) => assert_eq!(items.number(&format!("N{row}")), hours.trim_end_matches(".0")),
            None => assert_eq!(items.cells[&format!("N{row}")].0, Value::Blank),
        }
        if !item.flags.is_empty() {
            assert_eq!(items.text(&format!("O{row}")), item.flags.join("、"));
        }
    }
    assert_eq!(items.text("O9"), "闲置");
    assert_eq!(items.text("O13"), "低收益、亏损");
    // The flagged cells have their own style.
    assert_ne!(style(&items.cells["O9"].1), style(&items.cells["O10"].1));
    assert_eq!(items.text("A33"), "合计");
    assert_eq!(items.number("H33"), reports::yuan(p.investment_fen));
}

/// The style index of a cell's raw XML.
fn style(raw: &str) -> &str {
    let start = raw.find(" s=\"").expect("a style") + 4;
    &raw[start..start + raw[start..].find('"').unwrap()]
}
