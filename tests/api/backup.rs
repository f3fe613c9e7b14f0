//! `backup` and `restore` (备份与恢复) through the CLI: a restore brings back exactly the state of
//! the backup moment and its audit chain verifies; a backup whose chain is broken is refused and
//! changes nothing. On SQLite and (with `TEST_DATABASE_URL`) PostgreSQL.

use crate::common::*;
use crate::proc::{Server, cli};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
    let garbage = dir.join("garbage.backup");
    std::fs::write(&garbage, b"not a database at all").unwrap();
    let out = cli(&app.url, &["restore", &garbage.display().to_string()]);
    assert!(
        !out.status.success(),
        "a file that is no backup is refused: {}",
        text(&out)
    );
    assert_eq!(state(&app, asset).await, now, "and changes nothing");
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

/// A count from raw SQL on `url`'s database.
async fn count(url: &str, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let store = relief_ledger::service::Store::open(url).await.unwrap();
    let row = store
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            store.db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    let n = row.try_get::<i64>("", "n").unwrap();
    let _ = store.db.close().await;
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_server_writes_is_a_consistent_snapshot() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let server = Server::start(&app.url, &[]);
    let admin = server.client(None).login("admin", ADMIN_PASSWORD);
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..2)
        .map(|me| {
            let (c, stop, written) = (admin.clone(), stop.clone(), written.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::SeqCst) {
                    let a = c
                        .call(
                            "POST",
                            "/api/v1/households",
                            Some(&json!({"village_code": V1, "number": format!("ON-{me}-{i}"), "head_name": "户主", "id_number": id_number(i),
                                "members": 2, "labour": "full", "status": "lifted"})),
                        )
                        .expect("the server answers");
                    assert!(a.ok(), "{}", a.body);
                    written.fetch_add(1, Ordering::SeqCst);
                    i += 1;
                }
            })
        })
        .collect();
    while written.load(Ordering::SeqCst) < 20 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let dir = std::env::temp_dir().join(format!("rl-online-{}-{}", std::process::id(), app.token.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("online.backup");
    let out = cli(&app.url, &["backup", "--out", &file.display().to_string()]);
    let during = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.join().unwrap();
    }
    let _ = server.stop();
    assert!(out.status.success(), "backup under load: {}", text(&out));

    // Restored into a new database, the copy is whole: its chain verifies and every household has
    // its status row and its audit entry.
    let (copy, _dir) = fresh_database().await;
    let out = cli(&copy, &["restore", &file.display().to_string()]);
    assert!(out.status.success(), "restore into a new database: {}", text(&out));
    let verify = cli(&copy, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    let households = count(&copy, "SELECT COUNT(*) AS n FROM households").await;
    assert!(households >= 1, "the copy holds the writes before it");
    for sql in [
        "SELECT COUNT(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM household_statuses s WHERE s.household_id = h.id)",
        "SELECT COUNT(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'household' AND a.entity_id = CAST(h.id AS TEXT))",
        "SELECT COUNT(*) AS n FROM audit_log a WHERE a.action = 'household.create' AND NOT EXISTS (SELECT 1 FROM households h WHERE CAST(h.id AS TEXT) = a.entity_id)",
    ] {
        assert_eq!(count(&copy, sql).await, 0, "{sql}");
    }
    println!(
        "online backup: {households} households in the copy; {during} acknowledged by the time the backup finished, under 2 concurrent writers"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
