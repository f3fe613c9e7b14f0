//! The PDFs render, stay small, and give back every name, ID and amount through `pdftotext`.

mod common;

use common::{NAMES, notice, pdftotext, statement};
use reports::numerals::{capital_yuan, yuan_grouped};
use reports::pdf::{NoticeLine, StatementAsset, notice_pdf, statement_pdf, statements_pdf};

/// The whitespace-separated words of each line of `text`.
fn words(text: &str) -> Vec<Vec<&str>> {
    text.lines().map(|l| l.split_whitespace().collect()).collect()
}

fn has_word(text: &str, word: &str) -> bool {
    words(text).iter().flatten().any(|w| *w == word)
}

#[test]
fn a_statement_is_one_small_page() {
    for i in 0..NAMES.len() {
        let pdf = statement_pdf(&statement(i));
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() <= 30 * 1024, "statement {i} is {} bytes", pdf.len());
    }
}

#[test]
fn a_statement_gives_back_its_names_ids_and_amounts() {
    for i in 0..NAMES.len() {
        let s = statement(i);
        let Some(text) = pdftotext(&format!("statement-{i}.pdf"), &statement_pdf(&s)) else {
            return;
        };
        assert_eq!(text.matches('\u{c}').count(), 1, "one page");
        for word in [
            "收益分配到户明细单",
            &s.head_name,
            &s.id_number_masked,
            &s.household_number,
            &s.verification_code,
            "2025-07-04",
            "2025-07-20",
            "PZ-2025-0712",
            "光伏电站（村级）",
            "ZC-2022-011",
            &yuan_grouped(s.assets[0].amount_fen),
            &yuan_grouped(s.assets[1].amount_fen),
        ] {
            assert!(has_word(&text, word), "{word:?} missing from\n{text}");
        }
        for (label, fen) in [
            ("分红", s.dividend_fen),
            ("公益岗位工资", s.post_wage_fen),
            ("奖励补助", s.incentive_fen),
            ("代扣税费", s.tax_withheld_fen),
            ("合计", s.total_fen),
        ] {
            let amount = yuan_grouped(fen);
            let row = vec![label, amount.as_str()];
            assert!(words(&text).contains(&row), "row {row:?} missing from\n{text}");
        }
        let capital = capital_yuan(s.total_fen);
        assert!(has_word(&text, &capital), "{capital} missing from\n{text}");
    }
}

#[test]
fn an_unpaid_statement_with_many_assets_stays_on_one_page() {
    let mut s = statement(3);
    s.assets = (1..=13)
        .map(|i| StatementAsset {
            asset_code: format!("ZC-2024-{i:03}"),
            asset_name: format!("扶贫车间第{i}号厂房及配套冷库设施（租赁收益）"),
            amount_fen: 10_000 * i,
        })
        .collect();
    s.paid_on = None;
    s.payment_reference = None;
    s.resolution_date = None;
    let pdf = statement_pdf(&s);
    println!("statement with 13 assets: {} bytes", pdf.len());
    let Some(text) = pdftotext("statement-many-assets.pdf", &pdf) else {
        return;
    };
    assert_eq!(text.matches('\u{c}').count(), 1, "one page");
    // Assets 10..=13 are summed up: 1,000 + 1,100 + 1,200 + 1,300 yuan.
    assert!(text.contains("其余 4 项资产") && has_word(&text, "4,600.00"), "{text}");
    assert!(has_word(&text, "未发放") && has_word(&text, "9,100.00"), "{text}");
}

#[test]
fn statements_share_one_document_with_a_page_each() {
    let all: Vec<_> = (0..25).map(statement).collect();
    let pdf = statements_pdf(&all);
    let Some(text) = pdftotext("statements-25.pdf", &pdf) else {
        return;
    };
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), all.len());
    for (page, s) in pages.iter().zip(&all) {
        assert!(has_word(page, &s.head_name) && has_word(page, &s.id_number_masked));
        assert!(has_word(page, &yuan_grouped(s.total_fen)));
    }
}

fn line_words(index: usize, l: &NoticeLine) -> Vec<String> {
    vec![
        index.to_string(),
        l.number.clone(),
        l.head_name.clone(),
        l.id_number_masked.clone(),
        l.members.to_string(),
        l.status_label.clone(),
        l.weight.clone(),
        yuan_grouped(l.dividend_fen),
        yuan_grouped(l.post_wage_fen),
        yuan_grouped(l.incentive_fen),
        yuan_grouped(l.total_fen),
    ]
}

#[test]
fn a_long_notice_gives_back_every_line_page_numbers_and_the_totals() {
    let n = notice(250);
    let Some(text) = pdftotext("notice-250.pdf", &notice_pdf(&n)) else {
        return;
    };
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    // 23 lines on the first page, 26 on the next eight, 18 and 1 on the last two.
    assert_eq!(pages.len(), 11);
    for (i, page) in pages.iter().enumerate() {
        let footer = format!("第 {} 页 共 {} 页", i + 1, pages.len());
        assert!(page.contains(&footer), "{footer:?} missing from page {}", i + 1);
        assert!(
            page.contains("序号") && page.contains("身份证号"),
            "header on page {}",
            i + 1
        );
    }
    let rows = words(&text);
    for (i, line) in n.lines.iter().enumerate() {
        let expected = line_words(i + 1, line);
        assert!(rows.iter().any(|r| *r == expected), "row {expected:?} missing");
    }
    let sum = |f: fn(&NoticeLine) -> i64| n.lines.iter().map(f).sum::<i64>();
    let totals = vec![
        "合计（250".to_string(),
        "户）".into(),
        n.lines.iter().map(|l| i64::from(l.members)).sum::<i64>().to_string(),
        yuan_grouped(sum(|l| l.dividend_fen)),
        yuan_grouped(sum(|l| l.post_wage_fen)),
        yuan_grouped(sum(|l| l.incentive_fen)),
        yuan_grouped(sum(|l| l.total_fen)),
    ];
    let last = words(pages.last().unwrap());
    assert!(
        last.iter().any(|r| *r == totals),
        "totals row {totals:?} missing from\n{}",
        pages.last().unwrap()
    );
    for word in [
        "2025-07-05",
        "2025-07-12",
        "村党组织提议",
        "2025-06-27",
        "0878-4123456",
        "村民委员会（盖章）",
    ] {
        assert!(
            has_word(pages.last().unwrap(), word),
            "{word} missing from the last page"
        );
    }
    let summary = [n.amount_fen, n.retention_fen, n.dividends_fen].map(yuan_grouped);
    for amount in &summary {
        assert!(has_word(pages[0], amount), "{amount} missing from the summary");
    }
}

#[test]
fn the_rare_characters_of_names_come_back() {
    let Some(text) = pdftotext("notice-names.pdf", &notice_pdf(&notice(NAMES.len()))) else {
        return;
    };
    for name in NAMES {
        assert!(has_word(&text, name), "{name} missing from\n{text}");
    }
    for c in ['堃', '赟', '喆', '昇', '䶮', '㛃'] {
        assert!(text.contains(c), "{c} missing");
    }
}
