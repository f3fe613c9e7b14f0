//! The read cache of the asset list and the distribution page (查询缓存): a repeated read gets the
//! same answer; any write — through this service, or another process on the same database — is
//! seen by the next read; one user's answer is never another's.

use crate::common::*;
use relief_ledger::domain::vocab::Role;
use serde_json::{Value, json};

const V1: &str = "371622101201";
const V2: &str = "371622101202";
const LIST: &str = "/api/v1/assets?county_code=371622000000&limit=100";

fn codes(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_write_here_or_in_another_process_shows_in_the_next_read() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    confirmed_asset(&app, "RC-1", V1, "1000.00").await;
    let first = app.get(LIST).await;
    assert_eq!(first["total"], 1, "{first}");
    let (st, content_type, again) = app.raw(Some(&app.token), "GET", LIST, None).await;
    assert_eq!(st, 200);
    assert_eq!(content_type, "application/json");
    assert_eq!(
        serde_json::from_slice::<Value>(&again).unwrap(),
        first,
        "the same answer twice"
    );

    // A write through this service.
    confirmed_asset(&app, "RC-2", V2, "2000.00").await;
    let after = app.get(LIST).await;
    assert_eq!(after["total"], 2, "{after}");
    assert_eq!(codes(&after).len(), 2);

    // A write by another process on the same database (the CLI beside `serve`).
    let other = app.other_process().await;
    let third = confirmed_asset(&other, "RC-3", V2, "3000.00").await;
    let seen = app.get(LIST).await;
    assert_eq!(seen["total"], 3, "another process's asset: {seen}");

    // The distribution page moves with its plan's state, whoever moves it.
    other
        .post(
            &format!("/api/v1/assets/{third}/yields"),
            json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30", "revenue": "900.00",
                   "received_on": "2025-07-01"}),
        )
        .await;
    household(&app, V2, 1, 3, "full", "lifted", false).await;
    let plan = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V2, "year": 2025, "record_date": "2025-06-30", "amount": "900.00",
                   "retention_rate": "0", "management_rate": "0", "public_works": "0.00", "dividend": {}}),
        )
        .await;
    let path = format!("/api/v1/distributions/{}", plan["id"]);
    assert_eq!(app.get(&path).await["state"], "draft");
    assert_eq!(app.get(&path).await["state"], "draft");
    walk_to_paid(&other, plan["id"].as_i64().unwrap(), 2025).await;
    assert_eq!(app.get(&path).await["state"], "paid");
}

#[tokio::test]
async fn one_users_cached_answer_is_not_anothers() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    confirmed_asset(&app, "RC-1", V1, "1000.00").await;
    let acct = app.user("acct", Role::VillageAccountant, Some(V2)).await;
    let path = format!("/api/v1/assets?county_code=371622000000&village_code={V1}");
    assert_eq!(app.get(&path).await["total"], 1);
    let (st, _, body) = app.raw(Some(&acct), "GET", &path, None).await;
    let body = String::from_utf8_lossy(&body).into_owned();
    assert!(st == 403 || !body.contains("RC-1"), "{st}: {body}");
    let (st, _, body) = app.raw(Some("not-a-token"), "GET", &path, None).await;
    assert_eq!(st, 401, "{}", String::from_utf8_lossy(&body));
}
