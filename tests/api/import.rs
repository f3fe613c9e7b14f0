//! `relief-ledger import households`: every bad row reported as `第N行 <表头> <原因>` with nothing
//! written; a clean file imported once, and re-imported without duplicates; GBK read like UTF-8.

use crate::common::*;
use std::process::Command;

const V1: &str = "371622101201";
const V2: &str = "371622101202";

fn import(url: &str, file: &std::path::Path, extra: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_relief-ledger"))
        .args(["--db", url, "import", "households"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const HEADER: &str = "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村,是否残疾,村民小组,开户行,银行账号";

/// `n` good rows, alternating between the two villages (by name and by code).
fn roster(n: usize) -> Vec<String> {
    let labours = ["有劳动能力", "弱劳动能力", "无劳动能力", "丧失劳动能力", "有"];
    let statuses = ["脱贫户", "脱贫不稳定户", "边缘易致贫户", "突发严重困难户", "一般农户"];
    (0..n)
        .map(|i| {
            let village = if i % 2 == 0 {
                "南关村".to_string()
            } else {
                V2.to_string()
            };
            format!(
                "H{i:06},户主{i},{},{},{},{},{village},{},{}组,农商银行,62170000{i:010}",
                id_number(i as u32),
                1 + i % 6,
                labours[i % 5],
                statuses[i % 5],
                if i % 7 == 0 { "是" } else { "否" },
                1 + i % 4
            )
        })
        .collect()
}

fn write(dir: &std::path::Path, name: &str, lines: &[String]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{HEADER}\n{}\n", lines.join("\n"))).unwrap();
    path
}

#[tokio::test]
async fn a_file_with_bad_rows_writes_nothing_and_names_each_then_imports_idempotently() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    let dir = std::env::temp_dir().join(format!("rl-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = roster(2_000);

    // A sprinkling of every kind of bad row; N is the spreadsheet row (header = row 1).
    let mut bad = good.clone();
    let wrong_check = {
        let id = id_number(16);
        format!("{}{}", &id[..17], if id.ends_with('0') { '1' } else { '0' })
    };
    bad[16] = bad[16].replace(&id_number(16), &wrong_check); // row 18
    bad[99] = bad[99].replace("北关村", "不存在村").replace(V2, "371622101299"); // row 101
    bad[200] = bad[200].replace("户主200", ""); // row 202
    bad[300] = bad[300]
        .replace(",一般农户,", ",富裕户,")
        .replace(",脱贫户,", ",富裕户,")
        .replace(",脱贫不稳定户,", ",富裕户,")
        .replace(",边缘易致贫户,", ",富裕户,")
        .replace(",突发严重困难户,", ",富裕户,"); // row 302
    bad[401] = bad[401]
        .replace(",有劳动能力,", ",强,")
        .replace(",弱劳动能力,", ",强,")
        .replace(",无劳动能力,", ",强,")
        .replace(",丧失劳动能力,", ",强,")
        .replace(",有,", ",强,"); // row 403
    bad[500] = bad[500]
        .replacen(",1,", ",0,", 1)
        .replacen(",2,", ",0,", 1)
        .replacen(",3,", ",0,", 1); // row 502
    bad[600] = bad[600].replace("H000600", "H000599"); // row 602, duplicate of row 601
    bad[700] = bad[700].replace("62170000", "62AB0000"); // row 702
    let file = write(&dir, "bad.csv", &bad);
    let before = app.counts().await;
    let (ok, stdout, _) = import(&app.url, &file, &[]);
    assert!(!ok, "a file with bad rows must exit non-zero");
    for expected in [
        "第18行 身份证号 校验位不正确",
        "第101行 所属村 未知的村",
        "第202行 户主姓名 不能为空",
        "第302行 户类别",
        "第403行 劳动能力",
        "第502行 家庭人口",
        "第602行 户编号 户编号重复 (与第601行)",
        "第702行 银行账号",
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(expected)),
            "report lacks {expected:?}:\n{stdout}"
        );
    }
    assert_eq!(stdout.lines().count(), 8, "{stdout}");
    assert_eq!(app.counts().await, before, "nothing may be written");

    // A dry run of the clean file writes nothing either.
    let file = write(&dir, "good.csv", &good);
    let (ok, stdout, stderr) = import(&app.url, &file, &["--dry-run"]);
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("新增 2000 户"), "{stdout}");
    assert_eq!(app.counts().await, before);

    let (ok, stdout, stderr) = import(&app.url, &file, &[]);
    assert!(ok, "{stdout}{stderr}");
    let listed = app.get(&format!("/api/v1/households?village_code={V1}&limit=1")).await;
    assert_eq!(listed["total"], 1000);
    // Re-importing updates nothing and duplicates nothing; a changed status is appended to history.
    let (ok, stdout, _) = import(&app.url, &file, &[]);
    assert!(ok && stdout.contains("无变化 2000 户"), "{stdout}");
    let mut changed = good.clone();
    changed[0] = changed[0].replace(",脱贫户,", ",脱贫不稳定户,");
    let (ok, stdout, _) = import(&app.url, &write(&dir, "changed.csv", &changed), &[]);
    assert!(ok && stdout.contains("更新 1 户"), "{stdout}");
    let h = app.get(&format!("/api/v1/households?village_code={V1}&limit=1")).await;
    assert_eq!(h["items"][0]["status"], "unstable");
    assert_eq!(h["items"][0]["status_history"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/v1/households?limit=1").await["total"], 2000);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_gbk_file_with_other_headers_imports_through_a_mapping() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let dir = std::env::temp_dir().join(format!("rl-import-gbk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        "农户编号,户主,身份证号,家庭人口,劳动能力,户类别,行政村名称\nG001,王堃,{},3,弱,脱贫户,南关村\n",
        id_number(1)
    );
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    let file = dir.join("gbk.csv");
    std::fs::write(&file, &gbk).unwrap();
    let mapping = dir.join("mapping.json");
    std::fs::write(&mapping, r#"{"number": "农户编号", "head_name": "户主"}"#).unwrap();
    let (ok, stdout, stderr) = import(
        &app.url,
        &file,
        &["--mapping", mapping.to_str().unwrap(), "--village-column", "行政村名称"],
    );
    assert!(ok, "{stdout}{stderr}");
    let h = app.get(&format!("/api/v1/households?village_code={V1}")).await;
    assert_eq!(h["items"][0]["head_name"], "王堃");
    assert_eq!(h["items"][0]["labour"], "weak");
    // Without the village column the missing column is named on row 1 (the other headers are known aliases).
    let (ok, stdout, _) = import(&app.url, &file, &[]);
    assert!(!ok);
    assert_eq!(stdout.trim(), "第1行 所属村 缺少该列");
    let _ = std::fs::remove_dir_all(&dir);
}
