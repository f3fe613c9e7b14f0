//! Spreadsheets in and out (issue 6): 10,000 households with every kind of bad row reported and
//! nothing written, fixed, imported, exported to XLSX and CSV and compared on the way back; the
//! roster as an API upload; the project list (项目库) and monthly PV meter readings imported
//! idempotently.

use crate::common::*;
use axum::http::StatusCode;
use relief_ledger::domain::vocab::Role;
use relief_ledger::service::import::{labour_word, status_word};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

const V1: &str = "371622101201";
const V2: &str = "371622101202";
const HEADER: &str = "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村,是否残疾,村民小组,银行账号,纳入日期";

fn cli(url: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_relief-ledger"))
        .args(["--db", url])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("rl-sheets-{tag}-{}-{}", std::process::id(), rand()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn rand() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

/// A synthetic ID number, distinct for every `i` below 1,000,000 (valid check digit).
fn id_of(i: usize) -> String {
    relief_ledger::domain::identity::IdNumber::with_check_digit(&format!(
        "371622{}{:03}",
        19_500_101 + (i / 1000) % 28,
        i % 1000
    ))
}

/// `n` good roster rows, alternating between the two villages (by name and by code), with the
/// words offices use.
fn roster(n: usize) -> Vec<String> {
    let labours = ["有劳动能力", "弱劳动能力", "无劳动能力", "丧失劳动能力", "有"];
    let statuses = ["脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户", "一般农户"];
    (0..n)
        .map(|i| {
            let village = if i % 2 == 0 { "南关村" } else { V2 };
            let date = if i % 3 == 0 { "2020/6/1" } else { "" };
            format!(
                "H{i:06},户主{i},{},{},{},{},{village},{},{}组,62170000{i:010},{date}",
                id_of(i),
                1 + i % 6,
                labours[i % 5],
                statuses[i % 5],
                if i % 7 == 0 { "是" } else { "否" },
                1 + i % 4
            )
        })
        .collect()
}

fn csv(lines: &[String]) -> String {
    format!("{HEADER}\n{}\n", lines.join("\n"))
}

/// A household as compared across the round trip: every field, normalised.
type Line = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn normalise(sheet: &relief_ledger::sheet::Sheet) -> HashMap<String, Line> {
    let col = |h: &str| sheet.column(h).unwrap_or_else(|| panic!("no column {h}"));
    let c: Vec<usize> = [
        "户编号",
        "户主姓名",
        "身份证号",
        "家庭人口",
        "劳动能力",
        "户类别",
        "所属村",
        "是否残疾",
        "村民小组",
        "银行账号",
        "纳入日期",
    ]
    .iter()
    .map(|h| col(h))
    .collect();
    sheet
        .rows
        .iter()
        .map(|(_, r)| {
            let village = match r[c[6]].as_str() {
                "南关村" => V1.to_string(),
                other => other.to_string(),
            };
            let date = r[c[10]].replace('/', "-").replace("-6-1", "-06-01");
            (
                r[c[0]].clone(),
                (
                    r[c[1]].clone(),
                    r[c[2]].clone(),
                    r[c[3]].clone(),
                    format!("{:?}", labour_word(&r[c[4]]).unwrap()),
                    format!("{:?}", status_word(&r[c[5]]).unwrap()),
                    village,
                    r[c[7]].clone(),
                    r[c[8]].clone(),
                    r[c[9]].clone(),
                    date,
                ),
            )
        })
        .collect()
}

fn read(path: &str) -> relief_ledger::sheet::Sheet {
    relief_ledger::sheet::read(&std::fs::read(path).unwrap()).unwrap()
}

#[tokio::test]
async fn ten_thousand_households_bad_rows_named_then_imported_exported_and_round_tripped() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    let dir = Scratch::new("10k");
    let good = roster(10_000);

    // Every kind of bad row, sprinkled; N is the spreadsheet row (header = row 1, data i at i+2).
    let mut bad = good.clone();
    let id = id_of(16);
    let wrong = format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' });
    bad[16] = bad[16].replace(&id, &wrong);
    bad[1099] = bad[1099].replace(V2, "371622101299");
    bad[2000] = bad[2000].replace("户主2000", "");
    bad[3000] = bad[3000].replace(",脱贫户,", ",富裕户,");
    bad[4001] = bad[4001].replace(",弱劳动能力,", ",强,");
    bad[5000] = bad[5000].replace(",3,有劳动能力", ",0,有劳动能力");
    bad[6000] = bad[6000].replace("H006000", "H005999");
    bad[7000] = bad[7000].replace("62170000", "62AB0000");
    bad[8000] = bad[8000].replace(&id_of(8000), "3.71622195E+17");
    bad[9000] = bad[9000].replace("2020/6/1", "2020-13-45");
    bad[9998] = bad[9998].replace(",否,", ",不详,");
    let file = dir.file("bad.csv", &csv(&bad));
    let report = dir.path("report.xlsx");
    let before = app.counts().await;
    let (ok, out) = cli(
        &app.url,
        &["import", "households", file.to_str().unwrap(), "--report", &report],
    );
    assert!(!ok, "a file with bad rows must exit non-zero");
    let expected = [
        "第18行 身份证号 校验位不正确",
        "第1101行 所属村 未知的村",
        "第2002行 户主姓名 不能为空",
        "第3002行 户类别 未知的户类别",
        "第4003行 劳动能力 未知的劳动能力",
        "第5002行 家庭人口 应为 1 至 99 的整数",
        "第6002行 户编号 户编号重复 (与第6001行)",
        "第7002行 银行账号 银行账号应为10至30位数字",
        "第8002行 身份证号 以数字形式保存",
        "第9002行 纳入日期 日期格式应为 YYYY-MM-DD",
        "第10000行 是否残疾 应为 是 或 否",
    ];
    for e in expected {
        assert!(out.lines().any(|l| l.starts_with(e)), "report lacks {e:?}:\n{out}");
    }
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with('第')).collect();
    assert_eq!(lines.len(), expected.len(), "{out}");
    assert!(!out.contains(&wrong), "an ID number may not appear in a report");
    assert_eq!(app.counts().await, before, "nothing may be written");

    // The XLSX report: the sheet as read, each row at its row number, 错误原因 on the bad rows only.
    let marked = read(&report);
    let reason_col = marked.column("错误原因").unwrap();
    let flagged: Vec<usize> = marked
        .rows
        .iter()
        .filter(|(_, r)| r.get(reason_col).is_some_and(|c| !c.is_empty()))
        .map(|(n, _)| *n)
        .collect();
    assert_eq!(
        flagged,
        [18, 1101, 2002, 3002, 4003, 5002, 6002, 7002, 8002, 9002, 10000]
    );
    assert_eq!(marked.rows.len(), 10_000);
    let row18 = &marked.rows.iter().find(|(n, _)| *n == 18).unwrap().1;
    assert_eq!(row18[reason_col], "身份证号 校验位不正确");

    // A dry run of the fixed file writes nothing; the real run writes all of it.
    let file = dir.file("good.csv", &csv(&good));
    let (ok, out) = cli(&app.url, &["import", "households", file.to_str().unwrap(), "--dry-run"]);
    assert!(ok && out.contains("新增 10000 户"), "{out}");
    assert_eq!(app.counts().await, before);
    let (ok, out) = cli(&app.url, &["import", "households", file.to_str().unwrap()]);
    assert!(ok && out.contains("新增 10000 户"), "{out}");
    assert_eq!(app.get("/api/v1/households?limit=1").await["total"], 10_000);
    let audit = app.get("/api/v1/audit?limit=1").await["total"].as_i64().unwrap();
    let (ok, out) = cli(&app.url, &["audit", "verify"]);
    assert!(ok, "{out}");
    assert!(
        audit >= 10_001,
        "one audit entry per household and one for the import: {audit}"
    );

    // Export in full (the CLI on the server) as XLSX and CSV: both carry every field of the input.
    let input = normalise(&relief_ledger::sheet::read(csv(&good).as_bytes()).unwrap());
    for name in ["roster.xlsx", "roster.csv"] {
        let out_path = dir.path(name);
        let (ok, out) = cli(&app.url, &["export", "households", "--full", "--out", &out_path]);
        assert!(ok && out.contains("已导出 10000 行"), "{out}");
        let exported = normalise(&read(&out_path));
        assert_eq!(exported.len(), 10_000);
        assert_eq!(exported, input, "{name} differs from what was imported");
        let (ok, out) = cli(&app.url, &["import", "households", &out_path]);
        assert!(ok && out.contains("无变化 10000 户"), "{name}: {out}");
    }
    assert_eq!(app.get("/api/v1/households?limit=1").await["total"], 10_000);

    // Without --full the roster is masked, and a masked file cannot be imported back by mistake.
    let masked = dir.path("masked.csv");
    let (ok, _) = cli(&app.url, &["export", "households", "--region", V1, "--out", &masked]);
    assert!(ok);
    let m = read(&masked);
    assert_eq!(m.rows.len(), 5_000);
    let id_col = m.column("身份证号").unwrap();
    assert!(m.rows.iter().all(|(_, r)| r[id_col].contains("********")));
    assert!(!std::fs::read_to_string(&masked).unwrap().contains(&id_of(0)));
    let (ok, out) = cli(&app.url, &["import", "households", &masked]);
    assert!(!ok && out.contains("第2行 身份证号"), "{out}");
    assert_audit_verifies(&app);
}

#[tokio::test]
async fn the_roster_uploads_through_the_api_under_the_household_rule() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    let accountant = app.user("nanguan", Role::VillageAccountant, Some(V1)).await;
    let staff = app.user("county", Role::CountyStaff, Some("371622000000")).await;
    let mine: Vec<String> = roster(40).into_iter().step_by(2).collect();
    let body = csv(&mine).into_bytes();
    let path = "/api/v1/imports/households";

    // A dry run checks and writes nothing.
    let before = app.counts().await;
    let (st, _, bytes) = app
        .raw(
            Some(&accountant),
            "POST",
            &format!("{path}?dry_run=true"),
            Some(body.clone()),
        )
        .await;
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(
        (v["rows"].as_u64(), v["created"].as_u64(), v["written"].as_bool()),
        (Some(20), Some(20), Some(false))
    );
    assert_eq!(app.counts().await, before);

    // Bad rows: a 422 problem naming each row and column, nothing written.
    let mut bad = mine.clone();
    bad[3] = bad[3]
        .replace(",脱贫户,", ",富裕户,")
        .replace(",一般农户,", ",富裕户,")
        .replace(",边缘易致贫户,", ",富裕户,")
        .replace(",突发严重困难户,", ",富裕户,")
        .replace(",脱贫不稳定户,", ",富裕户,");
    bad[5] = bad[5]
        .replace(",1,", ",100,")
        .replace(",3,", ",100,")
        .replace(",5,", ",100,");
    let (st, ct, bytes) = app
        .raw(Some(&accountant), "POST", path, Some(csv(&bad).into_bytes()))
        .await;
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(ct.starts_with("application/problem+json"));
    assert_eq!(v["written"], false);
    let errors: Vec<(u64, String)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(errors, [(5, "户类别".to_string()), (7, "家庭人口".to_string())], "{v}");
    assert!(v["errors"][0]["field"].as_str().unwrap().starts_with("第5行"));
    assert_eq!(app.counts().await, before);

    // The accountant's own village is written; a file naming another village is refused whole.
    let (st, _, bytes) = app.raw(Some(&accountant), "POST", path, Some(body.clone())).await;
    assert_eq!(st, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        app.get(&format!("/api/v1/households?village_code={V1}")).await["total"],
        20
    );
    let after = app.counts().await;
    let (st, _, _) = app
        .raw(Some(&accountant), "POST", path, Some(csv(&roster(4)).into_bytes()))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    // County staff do not keep the roster (as with POST /households); a non-file is a 400.
    let (st, _, _) = app.raw(Some(&staff), "POST", path, Some(body.clone())).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = app.raw(Some(&accountant), "POST", path, Some(b"".to_vec())).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_eq!(app.counts().await, after);
    let doc = app.get("/api/v1/openapi.json").await;
    assert!(doc["paths"]["/api/v1/imports/households"]["post"].is_object());
}

const PROJECT_HEADER: &str =
    "项目编号,项目名称,所属县,项目类型,年度,实施单位,受益村,中央资金,省级资金,县级资金,东西部协作,村自筹,总投资";

#[tokio::test]
async fn a_gbk_project_list_and_monthly_meter_readings_import_once_and_only_once() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    let dir = Scratch::new("projects");
    let good = [
        "XM-2024-001,南关村光伏电站,示范县,光伏,2024,县乡村振兴局,南关村、北关村,300000.00,100000,,50000.50,,450000.50",
        "XM-2024-002,北关村大棚,371622000000,种植业,2024,城关镇政府,371622101202,120000,,30000.00,,5000,155000.00",
        "XM-2024-003,道路硬化,示范县,基础设施,2024,县交通局,,80000,,,,,",
    ];
    let gbk = |lines: &[&str]| {
        let text = format!("{PROJECT_HEADER}\n{}\n", lines.join("\n"));
        let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
        assert!(!unmappable);
        bytes.into_owned()
    };
    let mut bad: Vec<String> = good.iter().map(|s| s.to_string()).collect();
    bad.push("XM-2024-004,三位小数,示范县,养殖业,2024,x,,1000.005,,,,,".into());
    bad.push("XM-2024-005,未知村,示范县,养殖业,2024,x,东关村,1000,,,,,".into());
    bad.push("XM-2024-006,类型,示范县,房地产,2024,x,,1000,,,,,".into());
    bad.push("XM-2024-001,重复,示范县,养殖业,2024,x,,1000,,,,,".into());
    bad.push("XM-2024-007,无资金,示范县,养殖业,2024,x,,,,,,,".into());
    bad.push("XM-2024-008,合计不符,示范县,养殖业,2024,x,,1000,,,,,999.99".into());
    bad.push("XM-2024-009,年度,示范县,养殖业,二〇二四,x,,1000,,,,,".into());
    let bad_refs: Vec<&str> = bad.iter().map(String::as_str).collect();
    let path = dir.0.join("projects-bad.csv");
    std::fs::write(&path, gbk(&bad_refs)).unwrap();
    let before = app.counts().await;
    let (ok, out) = cli(&app.url, &["import", "projects", path.to_str().unwrap()]);
    assert!(!ok);
    for e in [
        "第5行 中央资金 金额最多两位小数",
        "第6行 受益村 未知的区划 东关村",
        "第7行 项目类型 未知的项目类型",
        "第8行 项目编号 项目编号重复 (与第2行)",
        "第9行 中央资金 至少需要一项资金来源",
        "第10行 总投资 与各来源资金合计 1000.00 元不符",
        "第11行 年度 应为 1990 至 2100 之间的年份",
    ] {
        assert!(out.lines().any(|l| l.starts_with(e)), "lacks {e:?}:\n{out}");
    }
    assert_eq!(out.lines().filter(|l| l.starts_with('第')).count(), 7, "{out}");
    assert_eq!(app.counts().await, before);

    let path = dir.0.join("projects.csv");
    std::fs::write(&path, gbk(&good)).unwrap();
    let (ok, out) = cli(&app.url, &["import", "projects", path.to_str().unwrap()]);
    assert!(ok && out.contains("新增 3 个项目"), "{out}");
    let (ok, out) = cli(&app.url, &["import", "projects", path.to_str().unwrap()]);
    assert!(ok && out.contains("无变化 3 个项目"), "{out}");
    let list = app.get("/api/v1/projects?county_code=371622000000").await;
    assert_eq!(list["total"], 3);
    let pv = &list["items"][0];
    assert_eq!(
        (pv["code"].as_str(), m(&pv["investment"]).as_str()),
        (Some("XM-2024-001"), "450000.50")
    );
    assert_eq!(pv["kind"], "photovoltaic");
    assert_eq!(pv["village_codes"], json!([V1, V2]));
    let sources: Vec<(String, String)> = pv["funding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["source"].as_str().unwrap().to_string(), m(&f["amount"])))
        .collect();
    assert_eq!(
        sources,
        [
            ("central".to_string(), "300000.00".to_string()),
            ("provincial".to_string(), "100000.00".to_string()),
            ("east_west".to_string(), "50000.50".to_string())
        ]
    );

    // A planned project is updated from a changed row; once approved it is no longer.
    let mut changed = good;
    changed[2] = "XM-2024-003,道路硬化(一期),示范县,基础设施,2024,县交通局,,90000,,,,,";
    std::fs::write(&path, gbk(&changed)).unwrap();
    let (ok, out) = cli(&app.url, &["import", "projects", path.to_str().unwrap()]);
    assert!(ok && out.contains("更新 1 个项目"), "{out}");
    assert_eq!(
        m(&app.get("/api/v1/projects?county_code=371622000000").await["items"][2]["investment"]),
        "90000.00"
    );
    let pid = pv["id"].as_i64().unwrap();
    for s in ["approved", "under_construction"] {
        app.post(&format!("/api/v1/projects/{pid}/status"), json!({"status": s}))
            .await;
    }
    changed[0] =
        "XM-2024-001,南关村光伏电站,示范县,光伏,2024,县乡村振兴局,南关村、北关村,300000.00,100000,,50000.00,,450000.00";
    std::fs::write(&path, gbk(&changed)).unwrap();
    let (ok, out) = cli(&app.url, &["import", "projects", path.to_str().unwrap()]);
    assert!(!ok && out.contains("第2行 项目编号 项目已在建"), "{out}");

    // The station is accepted and confirmed 60/40 to the two villages; its readings are posted.
    let assets = app
        .post(
            &format!("/api/v1/projects/{pid}/accept"),
            json!({"accepted_on": "2024-12-01", "assets": [
            {"name": "联村光伏电站", "class": "operating", "value": "450000.50", "pv_capacity_kw": "300"}]}),
        )
        .await;
    let asset = assets[0]["id"].as_i64().unwrap();
    let code = assets[0]["code"].as_str().unwrap().to_string();
    app.post(
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2024-12-02", "owners": [{"region_code": V1, "investment": "270000.30"}, {"region_code": V2, "investment": "180000.20"}]}),
    )
    .await;
    let header = "电站编号,月份,上网电量(kWh),电价,运维费,结算单号";
    let readings: Vec<String> = (1..=12)
        .map(|month| {
            format!(
                "{code},2025-{month:02},{},0.3949,100.00,JS2025{month:02}",
                30_000 + month * 113
            )
        })
        .collect();
    let mut bad = readings.clone();
    bad[1] = bad[1].replace(&code, "XM-2099-001-01");
    bad[3] = bad[3].replace("2025-04", "2025-4月份");
    bad[5] = bad[5].replace(",0.3949,", ",-0.3949,");
    bad[7] = bad[7].replace("100.00", "100.001");
    bad[11] = bad[11].replace("2025-12", "2025-11");
    let file = dir.file("readings-bad.csv", &format!("{header}\n{}\n", bad.join("\n")));
    let before = app.counts().await;
    let (ok, out) = cli(&app.url, &["import", "yields", file.to_str().unwrap()]);
    assert!(!ok);
    for e in [
        "第3行 电站编号 未知的资产编号",
        "第5行 月份 月份格式应为 YYYY-MM",
        "第7行 电价 应大于零",
        "第9行 运维费 金额最多两位小数",
        "第13行 月份 同一资产同一月份重复 (与第12行)",
    ] {
        assert!(out.lines().any(|l| l.starts_with(e)), "lacks {e:?}:\n{out}");
    }
    assert_eq!(out.lines().filter(|l| l.starts_with('第')).count(), 5, "{out}");
    assert_eq!(app.counts().await, before);

    let file = dir.file("readings.csv", &format!("{header}\n{}\n", readings.join("\n")));
    let (ok, out) = cli(&app.url, &["import", "yields", file.to_str().unwrap()]);
    assert!(ok && out.contains("新增 12 笔收益"), "{out}");
    let posted = app.get(&format!("/api/v1/assets/{asset}/yields")).await;
    let items = posted["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    // March: 30,339 kWh × 0.3949 = 11,980.8711 → 11,980.87; less 100.00 O&M.
    let march = items.iter().find(|y| y["period_start"] == "2025-03-01").unwrap();
    assert_eq!(
        (m(&march["revenue"]), m(&march["net"])),
        ("11980.87".into(), "11880.87".into())
    );
    assert_eq!(march["kind"], "pv_sales");
    assert_eq!(march["received_on"], "2025-03-31");
    let credited: i64 = march["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (m(&c["amount"]).replace('.', "")).parse::<i64>().unwrap())
        .sum();
    assert_eq!(credited, 1_188_087);

    // Re-importing the same readings posts nothing twice; a changed posted month is refused.
    let before = app.counts().await;
    let (ok, out) = cli(&app.url, &["import", "yields", file.to_str().unwrap()]);
    assert!(ok && out.contains("无变化 12 笔收益"), "{out}");
    assert_eq!(app.counts().await, before);
    let mut changed = readings.clone();
    changed[2] = changed[2].replace("30339", "30400");
    let file = dir.file("readings-changed.csv", &format!("{header}\n{}\n", changed.join("\n")));
    let (ok, out) = cli(&app.url, &["import", "yields", file.to_str().unwrap()]);
    assert!(!ok && out.contains("第4行 月份 该月已入账"), "{out}");
    assert_eq!(app.counts().await, before);

    // The ledger export is the report's renderer; the CSV names the station.
    let ledger = dir.path("ledger.csv");
    let (ok, out) = cli(&app.url, &["export", "ledger", "--out", &ledger]);
    assert!(ok, "{out}");
    assert!(std::fs::read_to_string(&ledger).unwrap().contains(&code));
    assert_audit_verifies(&app);
}

/// The fixture of the import benchmark: a county of 100 villages in `BENCH_DATABASE_URL` (a
/// SQLite or PostgreSQL URL; the database must be new) and a roster of `BENCH_HOUSEHOLDS`
/// (default 100,000) households in the CSV file `BENCH_FILE`. Then time
/// `relief-ledger --db URL import households FILE` on a release build (see the README).
#[tokio::test]
#[ignore = "writes the benchmark fixture; run by hand"]
async fn write_the_import_benchmark_fixture() {
    use relief_ledger::service::regions::{NewRegion, create};
    use relief_ledger::service::{Actor, Store};
    let url = std::env::var("BENCH_DATABASE_URL").expect("BENCH_DATABASE_URL");
    let file = std::env::var("BENCH_FILE").expect("BENCH_FILE");
    let n: usize = std::env::var("BENCH_HOUSEHOLDS").map_or(100_000, |v| v.parse().unwrap());
    let store = Store::open(&url).await.unwrap();
    let actor = Actor::system("bench");
    let region = |code: &str, name: String, level: &str, parent: Option<&str>| {
        serde_json::from_value::<NewRegion>(json!({"code": code, "name": name, "level": level, "parent_code": parent}))
            .unwrap()
    };
    create(&store, &actor, region("371622000000", "示范县".into(), "county", None))
        .await
        .unwrap();
    create(
        &store,
        &actor,
        region("371622101000", "城关镇".into(), "township", Some("371622000000")),
    )
    .await
    .unwrap();
    let villages: Vec<String> = (1..=100).map(|v| format!("371622101{v:03}")).collect();
    for (i, code) in villages.iter().enumerate() {
        create(
            &store,
            &actor,
            region(code, format!("第{}村", i + 1), "village", Some("371622101000")),
        )
        .await
        .unwrap();
    }
    let rows: Vec<String> = roster(n)
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            line.replace("南关村", &villages[i % 100])
                .replace(V2, &villages[i % 100])
        })
        .collect();
    std::fs::write(&file, csv(&rows)).unwrap();
}

#[tokio::test]
async fn a_plans_allocations_export_to_xlsx_and_csv_with_their_total() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    for (n, members, labour, status) in [
        (1, 2, "none", "lifted"),
        (2, 4, "full", "marginal"),
        (3, 3, "weak", "unstable"),
    ] {
        household(&app, V1, n, members, labour, status, false).await;
    }
    let p = app
        .post(
            "/api/v1/projects",
            json!({"code": "E-1", "name": "大棚", "county_code": "371622000000", "kind": "planting", "year": 2024,
            "village_codes": [V1], "funding": [{"source": "central", "amount": "50000.00", "fiscal_year": 2024}]}),
        )
        .await;
    let pid = p["id"].as_i64().unwrap();
    for s in ["approved", "under_construction"] {
        app.post(&format!("/api/v1/projects/{pid}/status"), json!({"status": s}))
            .await;
    }
    let assets = app
        .post(&format!("/api/v1/projects/{pid}/accept"), json!({"accepted_on": "2024-05-01", "assets": [{"name": "大棚", "class": "operating", "value": "50000.00"}]}))
        .await;
    let asset = assets[0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2024-05-02", "owners": [{"region_code": V1, "investment": "50000.00"}]}),
    )
    .await;
    app.post(&format!("/api/v1/assets/{asset}/yields"), json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-12-31", "received_on": "2025-03-01", "revenue": "10000.01"})).await;
    let plan = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V1, "year": 2025, "record_date": "2025-06-30", "amount": "10000.01",
            "retention_rate": "0.1", "management_rate": "0.05", "public_works": "0.00", "dividend": {}}),
        )
        .await;
    let id = plan["id"].as_i64().unwrap().to_string();
    let pool = m(&plan["dividend_pool"]);
    let dir = Scratch::new("alloc");
    for name in ["alloc.xlsx", "alloc.csv"] {
        let out = dir.path(name);
        let (ok, text) = cli(
            &app.url,
            &["export", "allocations", "--distribution", &id, "--out", &out],
        );
        assert!(ok && text.contains("已导出 3 行"), "{text}");
        let sheet = read(&out);
        assert_eq!(sheet.rows.len(), 4, "three households and 合计");
        let (number, dividend, total) = (
            sheet.column("户编号").unwrap(),
            sheet.column("分红金额").unwrap(),
            sheet.column("合计").unwrap(),
        );
        let fen = |s: &str| relief_ledger::domain::Fen::parse(s).unwrap().0;
        let lines = &sheet.rows[..3];
        let sum: i64 = lines.iter().map(|(_, r)| fen(&r[dividend])).sum();
        let last = &sheet.rows[3].1;
        assert_eq!(last[number], "合计");
        assert_eq!(fen(&last[dividend]), sum, "{name}");
        assert_eq!(fen(&last[total]), sum, "{name}");
        assert_eq!(sum, fen(&pool), "{name}: the dividends are the pool, to the fen");
        assert_eq!(lines[0].1[number], format!("{V1}001"));
    }
}
