//! The `Idempotency-Key` header (幂等键) on every POST under `/api/v1`: the first successful answer
//! is kept for the caller and key; a retry with the same method, path and body gets it back (with
//! `Idempotent-Replayed: true`) and writes nothing; the same key on a different request is a 422
//! naming `Idempotency-Key`. Keyed requests run one at a time per process, so two copies of a
//! request sent at once cannot both write.

use super::AppState;
use super::error::ApiError;
use crate::domain::Error;
use crate::service::idempotency::{self, Remembered};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest body a keyed request may carry (the roster upload's limit).
const MAX_BODY: usize = 64 * 1024 * 1024;

pub async fn layer(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let Some(key) = req.headers().get("idempotency-key") else {
        return next.run(req).await;
    };
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let key = match key.to_str() {
        Ok(k) if !k.trim().is_empty() && k.len() <= 255 => k.trim().to_string(),
        _ => return refuse("幂等键应为 1 至 255 个可见字符"),
    };
    // The caller is whoever the credentials name; only their hash is kept.
    let credentials = req
        .headers()
        .get(header::AUTHORIZATION)
        .or_else(|| req.headers().get(header::COOKIE))
        .map(|v| v.as_bytes().to_vec());
    let Some(credentials) = credentials else {
        return next.run(req).await;
    };
    let caller = idempotency::digest(&[&credentials]);
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError(Error::TooLarge("请求体超过 64 MiB 或无法读取".into())).into_response();
    };
    let target = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("");
    let fingerprint = idempotency::digest(&[parts.method.as_str().as_bytes(), target.as_bytes(), &bytes]);
    let _one_at_a_time = s.store.idempotency_guard().await;
    match idempotency::recall(&s.store, &caller, &key).await {
        Err(e) => return ApiError(e).into_response(),
        Ok(Some(first)) if first.fingerprint == fingerprint => return replay(first),
        Ok(Some(_)) => return refuse("此幂等键已用于另一个请求"),
        Ok(None) => {}
    }
    let resp = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    if !resp.status().is_success() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError(Error::Internal("response body".into())).into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let answer = Remembered {
            fingerprint,
            status: parts.status.as_u16(),
            content_type,
            body: text.to_string(),
        };
        if let Err(e) = idempotency::remember(&s.store, &caller, &key, &answer).await {
            // The write itself is committed: answer it, and say why a retry may not be recognised.
            tracing::error!(error = %e, "idempotency key not kept");
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn refuse(message: &str) -> Response {
    ApiError(Error::field("Idempotency-Key", message)).into_response()
}

fn replay(first: Remembered) -> Response {
    let status = axum::http::StatusCode::from_u16(first.status).unwrap_or(axum::http::StatusCode::OK);
    let mut resp = (status, first.body).into_response();
    if let Ok(ct) = HeaderValue::from_str(&first.content_type) {
        resp.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    resp.headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    resp
}
