//! The read cache in front of the hottest GETs (the county asset list, a distribution page): one
//! query authenticates the caller and reads the ledger version (账簿版本号); an answer kept for
//! that user, URI and version is sent as it was; otherwise the handler runs (once for readers
//! asking at once) and its `200` answer, unless larger than `KEEP_BYTES`, is kept. See
//! `service::read_cache` for why a kept answer is never stale.

use super::AppState;
use super::extract::{Authenticated, request_token};
use crate::service::read_cache::KEEP_BYTES;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest answer read back from a handler (a page of 1,000 assets is ~450 KiB).
const MAX_ANSWER: usize = 64 * 1024 * 1024;

pub async fn layer(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(token) = request_token(req.headers()) else {
        return next.run(req).await;
    };
    // An unknown or expired token: the handler answers it as it answers any.
    let Ok((actor, version)) = crate::service::auth::authenticate_at(&s.store, token).await else {
        return next.run(req).await;
    };
    let uri = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("").to_string();
    let slot = s.store.reads.slot(version, (actor.user_id, uri));
    req.extensions_mut().insert(Authenticated(actor));
    let answer = slot
        .get_or_try_init(|| async {
            let resp = next.run(req).await;
            if resp.status() != StatusCode::OK {
                return Err(resp);
            }
            match axum::body::to_bytes(resp.into_body(), MAX_ANSWER).await {
                Ok(bytes) if bytes.len() <= KEEP_BYTES => Ok(bytes),
                Ok(too_big) => Err(json(too_big)),
                Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
            }
        })
        .await;
    match answer {
        Ok(bytes) => json(bytes.clone()),
        Err(resp) => resp,
    }
}

fn json(answer: axum::body::Bytes) -> Response {
    let mut resp = Response::new(Body::from(answer));
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}
