//! The `Idempotency-Key` header on money-moving POSTs: a retried request gets the first answer
//! and writes nothing; the key on another request is refused naming the header; two copies sent
//! at once write once.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use relief_ledger::api::{AppState, router};
use serde_json::{Value, json};
use tower::ServiceExt;

const V1: &str = "371622101201";

async fn keyed(app: &TestApp, path: &str, key: &str, body: &Value) -> (u16, Option<String>, Value) {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
        .header(header::CONTENT_TYPE, "application/json")
        .header("Idempotency-Key", key)
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    let resp = router(AppState {
        store: app.store.clone(),
    })
    .oneshot(req)
    .await
    .unwrap();
    let status = resp.status().as_u16();
    let replayed = resp
        .headers()
        .get("idempotent-replayed")
        .map(|v| v.to_str().unwrap().to_string());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, replayed, serde_json::from_slice(&bytes).unwrap())
}

fn rent(revenue: &str) -> Value {
    json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-01-31", "received_on": "2025-02-01", "revenue": revenue})
}

#[tokio::test]
async fn a_retried_yield_is_answered_once_and_written_once() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let asset = confirmed_asset(&app, "I-1", V1, "1000.00").await;
    let path = format!("/api/v1/assets/{asset}/yields");
    let (st, replayed, first) = keyed(&app, &path, "k-1", &rent("500.00")).await;
    assert_eq!((st, replayed), (201, None));
    let (st, replayed, again) = keyed(&app, &path, "k-1", &rent("500.00")).await;
    assert_eq!((st, replayed.as_deref()), (201, Some("true")));
    assert_eq!(again, first);

    // The same key on another request is refused, naming the header, and writes nothing.
    let before = app.counts().await;
    let (st, _, problem) = keyed(&app, &path, "k-1", &rent("600.00")).await;
    assert_eq!(st, 422);
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    assert_eq!(app.counts().await, before);

    // Two copies of a new request sent at once: one yield.
    let body = rent("700.00");
    let ((a, _, ya), (b, _, yb)) = tokio::join!(keyed(&app, &path, "k-2", &body), keyed(&app, &path, "k-2", &body));
    assert_eq!((a, b), (201, 201));
    assert_eq!(ya["id"], yb["id"]);
    let list = app.get(&path).await;
    assert_eq!(list["total"], 2, "{list}");
    let acc = app.get(&format!("/api/v1/regions/{V1}/account?year=2025")).await;
    assert_eq!(m(&acc["credited"]), "1200.00");
}
