//! Server-rendered pages in Simplified Chinese (网页界面) for county staff, village accountants
//! and auditors: plain HTML and forms, no JavaScript framework, behind the same login, roles and
//! region scopes as the API, through the same services. The session is a cookie holding an API
//! token; write forms are shown only to roles that may write, and a refused POST is a 403 page.

mod assets;
mod audit;
mod dashboard;
mod distributions;
mod form;
mod households;
mod layout;
mod places;
mod plan_steps;
mod projects;
mod session;
mod watch;

use crate::api::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::de::DeserializeOwned;

/// The largest form a page may post (a plan's form for a whole village is a few kilobytes).
pub const FORM_LIMIT: usize = 1024 * 1024;

/// A posted form (`application/x-www-form-urlencoded`), at most [`FORM_LIMIT`] bytes: a larger
/// one is a 413 page, nothing done.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err((
                StatusCode::PAYLOAD_TOO_LARGE,
                Html(format!(
                    "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>提交的内容过大</title>\
                     <p>提交的内容超过 {} MiB, 未做任何修改。</p><p><a href=\"/\">返回首页</a></p></html>",
                    FORM_LIMIT / (1024 * 1024)
                )),
            )
                .into_response()),
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The pages, merged into the service's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::dashboard))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", get(session::logout))
        .route("/projects", get(projects::list))
        .route("/projects/new", get(projects::new_form).post(projects::create))
        .route("/projects/{id}", get(projects::show))
        .route("/projects/{id}/status", post(projects::change_status))
        .route(
            "/projects/{id}/accept",
            get(projects::accept_page).post(projects::accept),
        )
        .route("/assets", get(assets::list))
        .route("/assets/{id}", get(assets::show))
        .route("/assets/{id}/ownership", post(assets::confirm))
        .route("/assets/{id}/yields", post(assets::post_yield))
        .route("/yields/{id}/reverse", post(assets::reverse))
        .route("/households", get(households::list))
        .route("/households/new", get(households::new_form).post(households::create))
        .route("/households/{id}", get(households::show))
        .route("/households/{id}/status", post(households::change_status))
        .route("/distributions", get(distributions::list))
        .route(
            "/distributions/new",
            get(distributions::new_form).post(distributions::create),
        )
        .route("/distributions/{id}", get(distributions::show))
        .route("/distributions/{id}/step", post(plan_steps::submit))
        .route("/audit", get(audit::log))
        .route("/reconciliation", get(audit::reconciliation))
        .route("/watch", get(watch::watch))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
}
