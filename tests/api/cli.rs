//! The command line against the same database the API uses.

use crate::common::*;
use std::process::Command;

#[tokio::test]
async fn a_user_added_by_the_cli_can_log_in_and_audit_verify_names_a_tampered_row() {
    let app = TestApp::new().await;
    county(&app, &[("371622101201", "南关村")]).await;
    let out = cli(
        &app.url,
        &[
            "user",
            "add",
            "clerk",
            "--role",
            "county_staff",
            "--region",
            "371622000000",
            "--password-stdin",
        ],
        Some("clerk-pass-99\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    app.login("clerk", "clerk-pass-99").await;
    let bad = cli(
        &app.url,
        &["user", "add", "x", "--role", "wizard", "--password-stdin"],
        Some("whatever-123\n"),
    );
    assert!(!bad.status.success());

    let ok = cli(&app.url, &["audit", "verify"], None);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));

    // An edit behind the service's back breaks the chain at that row.
    use sea_orm::ConnectionTrait;
    app.store
        .db
        .execute_unprepared("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
        .await
        .unwrap();
    let tampered = cli(&app.url, &["audit", "verify"], None);
    assert!(!tampered.status.success());
    let err = String::from_utf8_lossy(&tampered.stderr);
    assert!(err.contains("第 3 条"), "{err}");
}

#[test]
fn bench_json_prints_one_object_a_line_for_each_phase_asked() {
    let dir = std::env::temp_dir().join(format!("rl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/bench.db", dir.display());
    let out = Command::new(env!("CARGO_BIN_EXE_relief-ledger"))
        .args([
            "--db",
            &url,
            "bench",
            "--households",
            "300",
            "--phases",
            "insert,distribute,reconcile,ref_bulk_insert,ref_allocate",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let phases: Vec<&str> = lines.iter().map(|l| l["phase"].as_str().unwrap()).collect();
    assert_eq!(
        phases,
        ["insert", "distribute", "reconcile", "ref_bulk_insert", "ref_allocate"]
    );
    for l in &lines {
        for k in ["items", "seconds", "items_per_s", "peak_rss_mib"] {
            assert!(l[k].is_number(), "{k} in {l}");
        }
    }
    assert_eq!(lines[0]["items"], 300);
    let bad = Command::new(env!("CARGO_BIN_EXE_relief-ledger"))
        .args(["--db", &url, "bench", "--households", "10", "--phases", "warp"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_watch_lists_export_as_csv() {
    let app = TestApp::new().await;
    relief_ledger::service::demo::seed_if_empty(&app.store).await.unwrap();
    let out = cli(
        &app.url,
        &[
            "report",
            "arrears",
            "--region",
            relief_ledger::service::demo::COUNTY,
            "--year",
            "2025",
        ],
        None,
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert_eq!(lines.next(), Some("资产ID,资产名称,经营主体,应收,实收,欠缴"));
    assert!(lines.count() >= 1, "{text}");
    let idle = cli(&app.url, &["report", "idle", "--as-of", "2025-06-30"], None);
    assert!(String::from_utf8_lossy(&idle.stdout).contains("idle"));
}

#[tokio::test]
async fn users_are_listed_revoked_and_given_new_passwords_and_guessing_is_throttled() {
    let app = TestApp::new().await;
    let token = app
        .user(
            "clerk",
            relief_ledger::domain::vocab::Role::Auditor,
            Some("371622000000"),
        )
        .await;
    let list = cli(&app.url, &["user", "list"], None);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("clerk\tauditor\t371622000000\t1"), "{text}");

    let (st, _) = app.call_as(Some(&token), "GET", "/api/v1/regions", None).await;
    assert_eq!(st.as_u16(), 200);
    assert!(cli(&app.url, &["user", "revoke", "clerk"], None).status.success());
    let (st, _) = app.call_as(Some(&token), "GET", "/api/v1/regions", None).await;
    assert_eq!(st.as_u16(), 401, "a revoked token no longer works");

    assert!(
        cli(
            &app.url,
            &["user", "passwd", "clerk", "--password-stdin"],
            Some("new-secret-42\n")
        )
        .status
        .success()
    );
    app.login("clerk", "new-secret-42").await;

    // Five wrong passwords lock the name, even against the right one.
    for _ in 0..5 {
        let (st, _) = app
            .call_as(
                None,
                "POST",
                "/api/v1/auth/login",
                Some(serde_json::json!({"username": "clerk", "password": "guess-guess"})),
            )
            .await;
        assert_eq!(st.as_u16(), 401);
    }
    let (st, body) = app
        .call_as(
            None,
            "POST",
            "/api/v1/auth/login",
            Some(serde_json::json!({"username": "clerk", "password": "new-secret-42"})),
        )
        .await;
    assert_eq!(st.as_u16(), 429, "{body}");
    assert_eq!(body["code"], "throttled");
}
