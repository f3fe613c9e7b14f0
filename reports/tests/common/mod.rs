//! Sample data for the PDF tests: households whose names use rare characters, amounts across
//! the thousands separators, and a notice of any length.

#![allow(dead_code)] // each test crate uses a part of it

use std::path::PathBuf;
use std::process::Command;

use reports::pdf::{Notice, NoticeLine, Statement, StatementAsset};
use reports::{Performance, PerformanceItem, TownshipRate};

/// Names with characters outside the common set (堃 赟 喆 昇 䶮 㛃), used for heads of household.
pub const NAMES: [&str; 10] = [
    "王堃",
    "李赟",
    "张喆",
    "刘昇",
    "龚䶮",
    "陈㛃",
    "欧阳明",
    "赵小梅",
    "钱一",
    "孙建国",
];

pub fn masked_id(i: usize) -> String {
    format!("5323{:02}********{:04}", i % 100, (i * 37) % 10_000)
}

pub fn statement(i: usize) -> Statement {
    let dividend = 123_456 + i as i64 * 1_001;
    Statement {
        county: "禄丰市".into(),
        township: "金山镇".into(),
        village: "大箐村".into(),
        year: 2025,
        plan_id: 17,
        resolution_date: Some("2025-07-04".into()),
        household_number: format!("DQ-{i:04}"),
        head_name: NAMES[i % NAMES.len()].into(),
        members: 4,
        id_number_masked: masked_id(i),
        status_label: "脱贫户".into(),
        labour_label: "有劳动能力".into(),
        dividend_fen: dividend,
        post_wage_fen: 360_000,
        incentive_fen: 50_050,
        tax_withheld_fen: 0,
        total_fen: dividend + 360_000 + 50_050,
        assets: vec![
            StatementAsset {
                asset_code: "ZC-2021-003".into(),
                asset_name: "光伏电站（村级）".into(),
                amount_fen: dividend - 23_456,
            },
            StatementAsset {
                asset_code: "ZC-2022-011".into(),
                asset_name: "冷链仓储中心".into(),
                amount_fen: 23_456,
            },
        ],
        paid_on: Some("2025-07-20".into()),
        payment_reference: Some("PZ-2025-0712".into()),
        verification_code: format!("7KQ2-{i:04}-X9"),
    }
}

pub fn notice_line(i: usize) -> NoticeLine {
    let dividend = (i as i64 * 7_919_311) % 250_000_000 + i as i64;
    let post_wage = if i.is_multiple_of(3) { 360_000 } else { 0 };
    let incentive = (i as i64 % 5) * 10_005;
    NoticeLine {
        number: format!("DQ-{i:04}"),
        head_name: NAMES[i % NAMES.len()].into(),
        id_number_masked: masked_id(i),
        members: (i % 6) as i32 + 1,
        status_label: if i.is_multiple_of(4) { "监测户" } else { "脱贫户" }.into(),
        weight: format!("{}.{:02}", 1 + i % 3, (i * 7) % 100),
        dividend_fen: dividend,
        post_wage_fen: post_wage,
        incentive_fen: incentive,
        total_fen: dividend + post_wage + incentive,
    }
}

pub fn notice(households: usize) -> Notice {
    let lines: Vec<_> = (1..=households).map(notice_line).collect();
    let sum = |f: fn(&NoticeLine) -> i64| lines.iter().map(f).sum::<i64>();
    let (dividends, wages, incentives) = (
        sum(|l| l.dividend_fen),
        sum(|l| l.post_wage_fen),
        sum(|l| l.incentive_fen),
    );
    Notice {
        county: "禄丰市".into(),
        township: "金山镇".into(),
        village: "大箐村".into(),
        year: 2025,
        plan_id: 17,
        amount_fen: dividends + wages + incentives + 1_500_000 + 300_000 + 1_200_000,
        retention_fen: 1_500_000,
        management_fen: 300_000,
        public_works_fen: 1_200_000,
        post_wages_fen: wages,
        incentives_fen: incentives,
        dividends_fen: dividends,
        notice_from: Some("2025-07-05".into()),
        notice_to: Some("2025-07-12".into()),
        deliberations: vec![
            ("村党组织提议".into(), "2025-06-20".into()),
            ("村两委会议商议".into(), "2025-06-23".into()),
            ("党员大会审议".into(), "2025-06-27".into()),
            ("村民代表会议决议".into(), "2025-07-04".into()),
        ],
        supervision_phone: "0878-4123456".into(),
        lines,
    }
}

/// Writes `pdf` under the test target's temp dir (kept for looking at) and returns its path.
pub fn write_pdf(name: &str, pdf: &[u8]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, pdf).expect("write the PDF");
    path
}

/// `pdftotext -layout` of the PDF, or `None` (with a notice) where poppler-utils is missing.
pub fn pdftotext(name: &str, pdf: &[u8]) -> Option<String> {
    let path = write_pdf(name, pdf);
    match Command::new("pdftotext").arg("-layout").arg(&path).arg("-").output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("pdftotext writes UTF-8"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("NOTICE: pdftotext not installed (poppler-utils); text extraction not checked");
            None
        }
        Err(e) => panic!("pdftotext: {e}"),
    }
}

pub const TOWNSHIPS: [&str; 10] = [
    "金山镇",
    "勤丰镇",
    "一平浪镇",
    "妥安乡",
    "中村乡",
    "黑井镇",
    "广通镇",
    "恐龙山镇",
    "仁兴镇",
    "碧城镇",
];
const KINDS: [&str; 4] = ["光伏电站", "扶贫车间", "冷链仓储", "农贸市场"];

/// A performance item with a unique asset name; every 7th is idle, every 11th loses money.
pub fn performance_item(i: usize) -> PerformanceItem {
    let kind = KINDS[i % KINDS.len()];
    let investment = 50_000_000 + i as i64 * 1_234_567;
    let mut flags = Vec::new();
    if i.is_multiple_of(7) {
        flags.push("闲置".to_string());
    }
    if i.is_multiple_of(11) {
        flags.extend(["低收益".to_string(), "亏损".to_string()]);
    }
    let net = if i.is_multiple_of(11) {
        -(i as i64) * 1_001
    } else {
        investment / 19 + i as i64
    };
    // The rate as the caller would format it: ‱ with two decimals.
    let basis = net * 10_000 / investment;
    PerformanceItem {
        project_code: format!("XM-2021-{i:03}"),
        project_name: format!("{}{kind}建设项目", TOWNSHIPS[i % TOWNSHIPS.len()]),
        asset_code: format!("ZC-2022-{i:03}"),
        asset_name: format!("{kind}第{i}号"),
        township: TOWNSHIPS[i % TOWNSHIPS.len()].into(),
        kind_label: kind.into(),
        investment_fen: investment,
        net_income_fen: net,
        yield_rate: format!(
            "{}{}.{:02}%",
            if basis < 0 { "-" } else { "" },
            basis.abs() / 100,
            basis.abs() % 100
        ),
        households: 20 + (i as i64 % 30),
        people: 70 + (i as i64 % 90),
        benefit_per_person_fen: 35_620 + i as i64,
        pv_hours: (kind == "光伏电站").then(|| format!("{}.{}", 1100 + i, i % 10)),
        flags,
    }
}

pub fn performance(items: usize) -> Performance {
    let items: Vec<_> = (1..=items).map(performance_item).collect();
    let investment = items.iter().map(|i| i.investment_fen).sum();
    let net = items.iter().map(|i| i.net_income_fen).sum();
    Performance {
        region_name: "禄丰市".into(),
        year: 2025,
        investment_fen: investment,
        net_income_fen: net,
        yield_rate: "5.07%".into(),
        households: 1_234,
        people: 4_321,
        benefit_per_person_fen: 35_620,
        summary: vec![
            "全市扶贫项目资产年度收益 2,345,678.90 元，较上年增长 8.3%，受益脱贫人口人均 356.20 元。".into(),
            "村级光伏电站平均等效利用小时数 1,180.5 小时，发电收益按村集体经济组织产权份额分配；闲置资产 3 项已制定盘活方案，低收益和亏损资产纳入下一年度重点监管清单。".into(),
            "未确权资产 2 项，须在年底前完成确权登记。".into(),
        ],
        items,
        townships: TOWNSHIPS
            .iter()
            .enumerate()
            .map(|(i, t)| TownshipRate {
                township: (*t).into(),
                yield_rate_permille: [52, 31, 80, -12, 45, 0, 67, 23, 38, 59][i],
            })
            .collect(),
    }
}
