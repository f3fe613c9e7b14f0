//! The HTTP API under `/api/v1` (JSON; problem+json errors; OpenAPI at `/api/v1/openapi.json`).
//! Handlers are thin: extract, call one service, wrap the answer.

pub mod error;
pub mod extract;
mod idempotency;
mod imports;
mod openapi;
mod read_cache;
mod resources;

use crate::service::Store;
use axum::Router;
use axum::routing::{get, post};

/// The span of a request in the logs: method, path and query with every ID number and bank
/// account masked (a search box or a filter may carry one), version; never the headers.
fn request_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        uri = %crate::domain::identity::redact(&req.uri().to_string()),
        version = ?req.version(),
    )
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

/// The whole service: API, health check and the web pages.
pub fn router(state: AppState) -> Router {
    use resources::*;
    // The read cache on the hottest JSON reads.
    let cached = axum::middleware::from_fn_with_state(state.clone(), read_cache::layer);
    let api = Router::new()
        .route("/auth/login", post(login))
        .route("/openapi.json", get(openapi::document))
        .route("/regions", post(create_region).get(list_regions))
        .route("/regions/{code}/account", get(region_account))
        .route("/households", post(create_household).get(list_households))
        .route("/households/{id}", get(get_household))
        .route("/households/{id}/status", post(change_household_status))
        .route("/projects", post(create_project).get(list_projects))
        .route("/projects/{id}", get(get_project))
        .route("/projects/{id}/status", post(change_project_status))
        .route("/projects/{id}/accept", post(accept_project))
        .route("/assets", get(list_assets).layer(cached.clone()))
        .route("/assets/{id}", get(get_asset))
        .route("/assets/{id}/status", post(change_asset_status))
        .route("/assets/{id}/operation", post(start_operation))
        .route("/assets/{id}/caretaker", post(name_caretaker))
        .route("/assets/{id}/disposal", post(dispose_asset))
        .route("/assets/{id}/ownership", post(confirm_ownership).get(ownership_history))
        .route("/assets/{id}/yields", post(post_yield).get(list_yields))
        .route("/yields/{id}", get(get_yield))
        .route("/yields/{id}/reverse", post(reverse_yield))
        .route("/yields/{id}/receive", post(receive_yield))
        .route("/distributions", post(create_distribution).get(list_distributions))
        .route("/distributions/drafts", post(draft_distributions))
        .route("/distributions/{id}", get(get_distribution).layer(cached))
        .route("/distributions/{id}/resolve", post(resolve_distribution))
        .route("/distributions/{id}/publicize", post(publicize_distribution))
        .route("/distributions/{id}/review", post(review_distribution))
        .route("/distributions/{id}/file", post(file_distribution))
        .route("/distributions/{id}/pay", post(pay_distribution))
        .route("/distributions/{id}/results", post(results_distribution))
        .route("/distributions/{id}/cancel", post(cancel_distribution))
        .route("/distributions/{id}/payments.csv", get(payments_csv))
        .route(
            "/distributions/{id}/payment-results",
            post(record_payment_results).get(payment_status),
        )
        .route("/distributions/{id}/statements.pdf", get(all_statements_pdf))
        .route("/distributions/{id}/statements/{household}", get(statement_pdf))
        .route("/distributions/{id}/notice.pdf", get(notice_pdf))
        .route("/verify/{code}", get(verify_code))
        .route("/reports/reconciliation", get(reconciliation))
        .route("/reports/contracts", get(expiring_contracts))
        .route("/reports/performance", get(performance))
        .route("/reports/performance.pdf", get(performance_pdf))
        .route("/reports/performance.xlsx", get(performance_xlsx))
        .route("/reports/ledger.xlsx", get(ledger_xlsx))
        .route("/reports/ledger.csv", get(ledger_csv))
        .route("/reports/arrears", get(arrears))
        .route("/reports/idle", get(idle_assets))
        .route("/audit", get(audit_log))
        .route(
            "/imports/households",
            post(imports::households).layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024)),
        )
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), idempotency::layer));
    Router::new()
        .nest("/api/v1", api)
        .route("/healthz", get(healthz))
        .merge(crate::web::routes())
        .route("/verify/{code}", get(verify_code))
        .layer(axum::extract::DefaultBodyLimit::max(4 * 1024 * 1024))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}
