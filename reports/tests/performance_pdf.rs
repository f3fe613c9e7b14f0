//! The performance report PDF: every asset, rate and township comes back through `pdftotext`,
//! the table runs over pages with 第 N 页 共 M 页 on each.

mod common;

use common::{TOWNSHIPS, pdftotext, performance};
use reports::numerals::{permille_percent, yuan_grouped};
use reports::pdf::performance_pdf;

fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pages(text: &str) -> Vec<&str> {
    text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect()
}

#[test]
fn a_short_report_is_one_page_with_everything() {
    let p = performance(5);
    let pdf = performance_pdf(&p);
    assert!(pdf.starts_with(b"%PDF-"));
    println!("performance report with 5 items: {} bytes", pdf.len());
    let Some(text) = pdftotext("performance-5.pdf", &pdf) else {
        return;
    };
    assert_eq!(pages(&text).len(), 1, "{text}");
    let flat = squeezed(&text);
    assert!(flat.contains("禄丰市2025年度扶贫项目资产收益绩效报告"), "{text}");
    assert!(flat.contains("第1页共1页"), "{text}");
    for figure in [
        yuan_grouped(p.investment_fen),
        yuan_grouped(p.net_income_fen),
        p.yield_rate.clone(),
    ] {
        assert!(flat.contains(&figure), "{figure} missing from\n{text}");
    }
    for sentence in &p.summary {
        assert!(flat.contains(&squeezed(sentence)), "{sentence} missing from\n{text}");
    }
    for item in &p.items {
        for word in [
            &item.asset_name,
            &item.asset_code,
            &item.yield_rate,
            &yuan_grouped(item.investment_fen),
        ] {
            assert!(flat.contains(&squeezed(word)), "{word} missing from\n{text}");
        }
    }
}

#[test]
fn a_long_report_gives_back_every_item_over_numbered_pages() {
    let p = performance(120);
    let pdf = performance_pdf(&p);
    println!("performance report with 120 items: {} bytes", pdf.len());
    let Some(text) = pdftotext("performance-120.pdf", &pdf) else {
        return;
    };
    let pages = pages(&text);
    assert!(pages.len() >= 4, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        let flat = squeezed(page);
        let footer = format!("第{}页共{}页", i + 1, pages.len());
        assert!(flat.contains(&footer), "{footer} missing from page {}:\n{page}", i + 1);
        if i > 0 {
            assert!(
                flat.contains("资产名称") && flat.contains("预警标记"),
                "header on page {}",
                i + 1
            );
        }
    }
    let flat = squeezed(&text);
    for township in TOWNSHIPS {
        assert!(pages[0].contains(township), "{township} missing from the chart");
    }
    for rate in &p.townships {
        let label = permille_percent(rate.yield_rate_permille);
        assert!(squeezed(pages[0]).contains(&label), "{label} missing from the chart");
    }
    let mut position = 0;
    for (n, item) in p.items.iter().enumerate() {
        // Every asset, in order, with its rate and flags.
        let found = flat[position..].find(&squeezed(&item.asset_name));
        let Some(at) = found else {
            panic!("item {} {} missing or out of order", n + 1, item.asset_name);
        };
        position += at;
        assert!(flat.contains(&item.yield_rate), "{} missing", item.yield_rate);
        if !item.flags.is_empty() {
            assert!(
                flat.contains(&item.flags.join("、")),
                "flags of {} missing",
                item.asset_name
            );
        }
    }
    let last = squeezed(pages.last().unwrap());
    assert!(
        last.contains("合计（120项）") && last.contains(&yuan_grouped(p.investment_fen)),
        "{last}"
    );
}

#[test]
fn a_report_without_townships_or_items_still_renders() {
    let mut p = performance(0);
    p.townships.clear();
    p.summary.clear();
    let Some(text) = pdftotext("performance-empty.pdf", &performance_pdf(&p)) else {
        return;
    };
    assert_eq!(pages(&text).len(), 1);
    assert!(squeezed(&text).contains("合计（0项）"), "{text}");
}

/// Whether the characters of `needle` appear in `haystack` in order (a wrapped cell comes back
/// as two pieces with other cells between them).
fn in_order(haystack: &str, needle: &str) -> bool {
    let mut rest = haystack.chars();
    needle.chars().all(|c| rest.any(|h| h == c))
}

#[test]
fn long_names_and_many_flags_go_on_two_lines_and_come_back() {
    let mut p = performance(4);
    p.items[1].asset_name = "扶贫车间第12号厂房及配套冷库设施（租赁收益）".into();
    p.items[2].flags = ["闲置", "低收益", "亏损", "未确权"].map(String::from).to_vec();
    p.townships[0].township = "某某彝族苗族自治乡".into();
    let Some(text) = pdftotext("performance-long-names.pdf", &performance_pdf(&p)) else {
        return;
    };
    assert_eq!(pages(&text).len(), 1, "{text}");
    let flat = squeezed(&text);
    for word in [
        &p.items[1].asset_name,
        &"闲置、低收益、亏损、未确权".to_string(),
        &p.townships[0].township,
    ] {
        assert!(in_order(&flat, word), "{word} missing from\n{text}");
    }
}
