//! Tampering behind the service's back (审计篡改检测): an `UPDATE`, `DELETE` or `INSERT` run directly
//! on the database — on a ledger row or on the log itself — makes `audit verify` exit non-zero and
//! name the row. Runs on SQLite and, with `TEST_DATABASE_URL`, on PostgreSQL.

use crate::common::*;
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::json;

const V1: &str = "371622101201";

/// A county with two households, a PV yield and a plan paid to them: every kind of ledger row.
async fn ledger() -> (TestApp, i64) {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let h1 = household(&app, V1, 1, 3, "none", "lifted", false).await;
    household(&app, V1, 2, 4, "full", "unstable", true).await;
    let asset = confirmed_asset(&app, "TP-1", V1, "100000.00").await;
    app.post(
        &format!("/api/v1/assets/{asset}/yields"),
        json!({"kind": "pv_sales", "period_start": "2025-04-01", "period_end": "2025-04-30", "received_on": "2025-05-20",
               "kwh": "3100", "tariff": "0.3949", "deductions": {"om": "30.00"}}),
    )
    .await;
    app.post(
        &format!("/api/v1/households/{h1}/status"),
        json!({"status": "lifted", "labour": "weak", "effective_date": "2025-05-01"}),
    )
    .await;
    let plan = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V1, "year": 2025, "record_date": "2025-06-30", "amount": "1000.00",
                   "retention_rate": "0.15", "management_rate": "0.05", "public_works": "0.00", "dividend": {"basis": "member"}}),
        )
        .await;
    walk_to_paid(&app, plan["id"].as_i64().unwrap(), 2025).await;
    (app, h1)
}

async fn sql(app: &TestApp, statement: &str) {
    app.store.db.execute_unprepared(statement).await.unwrap();
}

/// `audit verify` fails; its message.
fn refused(app: &TestApp) -> String {
    let out = cli(&app.url, &["audit", "verify"], None);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "audit verify passed a tampered ledger: {err}");
    err
}

#[tokio::test]
async fn an_update_of_a_households_members_behind_the_service_is_named_and_undoing_it_clears_it() {
    let (app, h1) = ledger().await;
    assert_audit_verifies(&app);

    sql(
        &app,
        &format!("UPDATE households SET members = members + 1 WHERE id = {h1}"),
    )
    .await;
    let err = refused(&app);
    assert!(
        err.contains(&format!("表 households id={h1}: 与审计日志记录的状态不符")),
        "{err}"
    );
    assert!(err.contains("账簿有 1 行"), "{err}");

    sql(
        &app,
        &format!("UPDATE households SET members = members - 1 WHERE id = {h1}"),
    )
    .await;
    assert_audit_verifies(&app);
}

#[tokio::test]
async fn an_allocations_amount_changed_behind_the_service_is_named() {
    let (app, _) = ledger().await;
    let first = entity::allocations::Entity::find()
        .order_by_asc(entity::allocations::Column::Id)
        .one(&app.store.db)
        .await
        .unwrap()
        .expect("the paid plan has allocations");
    sql(
        &app,
        &format!(
            "UPDATE allocations SET total_fen = total_fen + 100, dividend_fen = dividend_fen + 100 WHERE id = {}",
            first.id
        ),
    )
    .await;
    let err = refused(&app);
    assert!(
        err.contains(&format!("表 allocations id={}: 与审计日志记录的状态不符", first.id)),
        "{err}"
    );
    assert!(err.contains("最后记录于审计日志第"), "{err}");
}

#[tokio::test]
async fn a_deleted_status_and_an_inserted_funding_line_are_named() {
    let (app, h1) = ledger().await;
    let status = entity::household_statuses::Entity::find()
        .order_by_desc(entity::household_statuses::Column::Id)
        .one(&app.store.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(i64::from(status.household_id), h1);
    sql(
        &app,
        &format!("DELETE FROM household_statuses WHERE id = {}", status.id),
    )
    .await;
    sql(
        &app,
        "INSERT INTO funding_lines (project_id, source, amount_fen, fiscal_year, document) VALUES (1, 'donation', 500000, 2025, '伪造')",
    )
    .await;
    let err = refused(&app);
    assert!(
        err.contains(&format!("表 household_statuses id={}: 已不存在", status.id)),
        "{err}"
    );
    assert!(err.contains("表 funding_lines id=2: 不在审计日志中"), "{err}");
    assert!(err.contains("账簿有 2 行"), "{err}");
}

#[tokio::test]
async fn rewriting_the_logs_seal_to_cover_an_edited_row_breaks_the_chain_at_that_entry() {
    let (app, h1) = ledger().await;
    let before = household_seal(&app, h1).await;
    sql(
        &app,
        &format!("UPDATE households SET head_name = '冒名' WHERE id = {h1}"),
    )
    .await;
    let err = refused(&app);
    assert!(err.contains(&format!("表 households id={h1}")), "{err}");

    // Whoever edits the row and then the log's record of it breaks the chain instead.
    let (seq, state) = before;
    let row = entity::households::Entity::find_by_id(h1 as i32)
        .one(&app.store.db)
        .await
        .unwrap()
        .unwrap();
    let forged_digest = relief_ledger::service::seal::row_digest("households", &serde_json::to_value(&row).unwrap());
    let mut seals: serde_json::Value = serde_json::from_str(&state).unwrap();
    seals[format!("household:{h1}")]["households"][h1.to_string()] = json!(forged_digest);
    let forged = seals.to_string().replace('\'', "''");
    sql(
        &app,
        &format!("UPDATE audit_log SET state_json = '{forged}' WHERE seq = {seq}"),
    )
    .await;
    let err = refused(&app);
    assert!(
        err.contains(&format!("审计日志第 {seq} 条不一致: hash 与内容不符")),
        "{err}"
    );
}

/// The last entry that sealed household `id`: its number and seals.
async fn household_seal(app: &TestApp, id: i64) -> (i64, String) {
    let entries = entity::audit_log::Entity::find()
        .order_by_desc(entity::audit_log::Column::Seq)
        .all(&app.store.db)
        .await
        .unwrap();
    let key = format!("\"household:{id}\"");
    let e = entries
        .into_iter()
        .find(|e| e.state_json.contains(&key))
        .expect("an entry seals the household");
    (e.seq, e.state_json)
}

#[tokio::test]
async fn an_exported_period_checks_against_its_anchor_and_an_edited_line_is_named() {
    let (app, _) = ledger().await;
    let dir = std::env::temp_dir().join(format!("rl-audit-export-{}-{}", std::process::id(), app.token.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("audit.jsonl");
    let file_arg = file.to_str().unwrap();
    let out = cli(&app.url, &["audit", "export", "--out", file_arg], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    let anchor = said
        .lines()
        .find_map(|l| l.strip_prefix("锚点 (请记下): "))
        .expect("the anchor is printed")
        .to_string();
    let audit = app.get("/api/v1/audit?limit=1000").await;
    let entries = audit["items"].as_array().unwrap();
    assert_eq!(entries.last().unwrap()["hash"], anchor.as_str());
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.lines().count(),
        entries.len() + 1,
        "every entry and the anchor line"
    );

    let ok = cli(&app.url, &["audit", "check", file_arg, "--anchor", &anchor], None);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let wrong = cli(
        &app.url,
        &["audit", "check", file_arg, "--anchor", &"0".repeat(64)],
        None,
    );
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("锚点"));
    assert!(!wrong.status.success());

    // An amount edited in the file is caught at its line.
    let line_no = text.lines().position(|l| l.contains("yield.post")).unwrap() + 1;
    let edited: Vec<String> = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == line_no {
                l.replacen("\\\"net\\\":\\\"", "\\\"net\\\":\\\"9", 1)
            } else {
                l.to_string()
            }
        })
        .collect();
    assert_ne!(edited.join("\n"), text.trim_end(), "the edit took");
    std::fs::write(&file, edited.join("\n")).unwrap();
    let bad = cli(&app.url, &["audit", "check", file_arg], None);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains(&format!("第{line_no}行")), "{err}");

    // A period before anything happened exports nothing and anchors at the genesis hash.
    let empty = cli(
        &app.url,
        &[
            "audit",
            "export",
            "--from",
            "2001-01-01",
            "--to",
            "2001-12-31",
            "--out",
            file_arg,
        ],
        None,
    );
    assert!(String::from_utf8_lossy(&empty.stdout).contains("已导出 0 条"));
    let _ = std::fs::remove_dir_all(&dir);
}
