//! `backup` and `restore` (备份与恢复) through the CLI: a restore brings back exactly the state of
//! the backup moment and its audit chain verifies; a backup whose chain is broken is refused and
//! changes nothing. On SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

use crate::common::*;
use crate::proc::cli;
use serde_json::{Value, json};

const V1: &str = "371622101201";

/// What the API answers about the ledger: the roster, the village account, the asset's yields and
/// the audit log.
async fn state(app: &TestApp, asset: i64) -> Value {
    json!({
        "households": app.get(&format!("/api/v1/households?village_code={V1}&limit=1000")).await,
        "account": app.get(&format!("/api/v1/regions/{V1}/account?year=2025")).await,
        "yields": app.get(&format!("/api/v1/assets/{asset}/yields")).await,
        "projects": app.get("/api/v1/projects").await,
        "audit": app.get("/api/v1/audit?limit=1000").await,
    })
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn a_restore_brings_back_the_backup_moment_and_refuses_a_broken_chain() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    household(&app, V1, 1, 3, "none", "lifted", false).await;
    let h2 = household(&app, V1, 2, 4, "full", "marginal", true).await;
    let asset = confirmed_asset(&app, "BK-1", V1, "80000.00").await;
    let rent = json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30", "received_on": "2025-07-01", "revenue": "4000.00"});
    app.post(&format!("/api/v1/assets/{asset}/yields"), rent.clone()).await;

    let dir = std::env::temp_dir().join(format!("rl-backup-{}-{}", std::process::id(), app.token.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ledger.backup");
    let file_text = file.display().to_string();
    let before = state(&app, asset).await;
    let out = cli(&app.url, &["backup", "--out", &file_text]);
    assert!(out.status.success(), "backup: {}", text(&out));
    assert!(file.is_file());

    // Life goes on after the backup: a new household, a status change, a second yield.
    household(&app, V1, 3, 2, "weak", "unstable", false).await;
    app.post(
        &format!("/api/v1/households/{h2}/status"),
        json!({"status": "lifted", "labour": "full", "effective_date": "2025-05-01"}),
    )
    .await;
    app.post(&format!("/api/v1/assets/{asset}/yields"), rent).await;
    let later = state(&app, asset).await;
    assert_ne!(later, before);

    let out = cli(&app.url, &["restore", &file_text]);
    assert!(out.status.success(), "restore: {}", text(&out));
    assert_eq!(state(&app, asset).await, before, "the state of the backup moment");
    let verify = cli(&app.url, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    // The ledger goes on from the restored state.
    household(&app, V1, 4, 1, "none", "lifted", false).await;
    let verify = cli(&app.url, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    assert_eq!(
        app.get(&format!("/api/v1/households?village_code={V1}")).await["total"],
        3
    );

    // A backup of a tampered log is written (it is evidence) but never restored.
    use sea_orm::ConnectionTrait;
    app.store
        .db
        .execute_unprepared("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
        .await
        .unwrap();
    let bad = dir.join("tampered.backup");
    let bad_text = bad.display().to_string();
    let out = cli(&app.url, &["backup", "--out", &bad_text]);
    assert!(out.status.success(), "backup: {}", text(&out));
    app.store
        .db
        .execute_unprepared("UPDATE audit_log SET actor = 'admin' WHERE seq = 2")
        .await
        .unwrap();
    let now = state(&app, asset).await;
    let out = cli(&app.url, &["restore", &bad_text]);
    assert!(!out.status.success(), "a broken chain must be refused: {}", text(&out));
    assert!(text(&out).contains("第 2 条"), "{}", text(&out));
    assert_eq!(state(&app, asset).await, now, "a refused restore changes nothing");
    let out = cli(
        &app.url,
        &["restore", &dir.join("missing.backup").display().to_string()],
    );
    assert!(!out.status.success());
    let verify = cli(&app.url, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    println!(
        "backup round trip on {}: restored {} households, {} audit entries; tampered backup refused",
        if app.url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        before["households"]["total"],
        before["audit"]["total"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
