//! Server-rendered pages in Simplified Chinese (网页界面) for county staff, village accountants
//! and auditors: plain HTML and forms, no JavaScript framework, behind the same login, roles and
//! region scopes as the API. The session is a cookie holding an API token.

mod layout;
mod pages;
mod plan_steps;
mod session;

use crate::api::AppState;
use axum::Router;
use axum::routing::get;

/// The pages, merged into the service's router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", get(session::logout))
        .route("/projects", get(pages::projects))
        .route("/projects/{id}", get(pages::project))
        .route("/assets", get(pages::assets))
        .route("/assets/{id}", get(pages::asset))
        .route("/households", get(pages::households))
        .route("/households/{id}", get(pages::household))
        .route("/distributions", get(pages::distributions))
        .route("/distributions/{id}", get(pages::distribution))
        .route("/distributions/{id}/step", axum::routing::post(plan_steps::submit))
        .route("/audit", get(pages::audit))
        .route("/watch", get(pages::watch))
}
