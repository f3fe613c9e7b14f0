//! Request size limits: a body over the limit is a 413 (problem+json on the API, a page on the web
//! forms) and writes nothing — JSON posts take 4 MiB, the roster upload 64 MiB, a web form 1 MiB.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use relief_ledger::api::{AppState, router};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A household whose head's name is `size` bytes long, as a JSON body.
fn household_body(size: usize) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"village_code": "371622101201", "number": "371622101201001", "head_name": "王".repeat(size / 3),
        "id_number": id_number(1), "members": 3, "labour": "none", "status": "lifted", "disabled": false,
        "group": "一组", "bank_account": "6217000000000000001"}),
    )
    .unwrap()
}

fn assert_too_large(status: StatusCode, ct: &str, body: &[u8]) {
    assert_eq!(
        status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        String::from_utf8_lossy(body)
    );
    assert!(ct.starts_with("application/problem+json"), "content type {ct}");
    let v: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(
        (v["status"].as_u64(), v["code"].as_str()),
        (Some(413), Some("too_large")),
        "{v}"
    );
}

#[tokio::test]
async fn an_api_body_over_four_mib_is_a_413_problem_and_writes_nothing() {
    let app = TestApp::new().await;
    county(&app, &[("371622101201", "南关村")]).await;
    let before = app.counts().await;

    let (st, ct, body) = app
        .raw(
            Some(&app.token),
            "POST",
            "/api/v1/households",
            Some(household_body(5 << 20)),
        )
        .await;
    assert_too_large(st, &ct, &body);

    // The same with an Idempotency-Key, whose middleware reads the body first.
    let req = Request::post("/api/v1/households")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", "big-1")
        .body(Body::from(household_body(5 << 20)))
        .unwrap();
    let (st, ct, body) = app.send(req).await;
    assert_too_large(st, &ct, &body);
    assert_eq!(app.counts().await, before);

    // Just under the limit it is an ordinary request, judged by its content, not its size.
    let (st, _, _) = app
        .raw(
            Some(&app.token),
            "POST",
            "/api/v1/households",
            Some(household_body(3 << 20)),
        )
        .await;
    assert_ne!(st, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_roster_upload_over_sixty_four_mib_is_a_413_problem_and_writes_nothing() {
    let app = TestApp::new().await;
    county(&app, &[("371622101201", "南关村")]).await;
    let before = app.counts().await;
    let mut csv = "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村\n"
        .as_bytes()
        .to_vec();
    csv.resize((64 << 20) + 1, b' ');
    let req = Request::post("/api/v1/imports/households")
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .unwrap();
    let (st, ct, body) = app.send(req).await;
    assert_too_large(st, &ct, &body);
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn a_web_form_over_one_mib_is_a_413_page_and_writes_nothing() {
    let app = TestApp::new().await;
    county(&app, &[("371622101201", "南关村")]).await;
    let login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username=admin&password={ADMIN_PASSWORD}")))
        .unwrap();
    let resp = router(AppState {
        store: app.store.clone(),
    })
    .oneshot(login)
    .await
    .unwrap();
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    let session = cookie.split(';').next().unwrap().to_string();
    let before = app.counts().await;

    let form = format!(
        "village_code=371622101201&number=371622101201001&head_name={}&id_number={}&members=3&labour=none&status=lifted",
        "a".repeat(2 << 20),
        id_number(1)
    );
    let req = Request::post("/households/new")
        .header(header::COOKIE, &session)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (st, ct, body) = app.send(req).await;
    assert_eq!(st, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(ct.starts_with("text/html"), "content type {ct}");
    assert!(String::from_utf8(body).unwrap().contains("提交的内容超过 1 MiB"));
    assert_eq!(app.counts().await, before);
}

#[tokio::test]
async fn a_paging_offset_beyond_i64_is_a_422_not_a_dropped_connection() {
    // Found by schemathesis: the offset reached the SQL driver, which panicked binding it.
    let app = TestApp::new().await;
    for path in ["/api/v1/assets", "/api/v1/audit", "/api/v1/regions"] {
        let (st, v) = app
            .call_as(
                Some(&app.token),
                "GET",
                &format!("{path}?offset=9223372036854775808"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
        assert_eq!(v["errors"][0]["field"], "offset", "{path}: {v}");
        let (st, _) = app
            .call_as(
                Some(&app.token),
                "GET",
                &format!("{path}?offset=9223372036854775807"),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn the_openapi_document_says_what_the_responses_are() {
    // Found by schemathesis: enums listed the Rust names, two schemas shared the name
    // `EntryView`, and problems were documented as plain JSON.
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    let statuses = schemas["HouseholdStatus"]["enum"].as_array().unwrap();
    assert!(statuses.contains(&json!("sudden_hardship")), "{statuses:?}");
    let sources = schemas["FundingSource"]["enum"].as_array().unwrap();
    assert!(sources.contains(&json!("east_west")), "{sources:?}");
    assert!(schemas["AccountEntry"]["properties"]["date"].is_object());
    assert!(schemas["EntryView"]["properties"]["seq"].is_object());
    let refused = &doc["paths"]["/api/v1/households"]["post"]["responses"]["422"]["content"];
    assert!(refused["application/problem+json"].is_object(), "{refused}");
}
