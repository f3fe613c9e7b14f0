//! The OpenAPI 3 document (`GET /api/v1/openapi.json`), generated from the handlers' annotations.

use super::imports;
use super::resources::*;
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "relief-ledger", description = "扶贫项目资产台账与收益分配 — poverty-relief project assets and yield distribution"),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    paths(
        healthz, login, create_region, list_regions, region_account,
        create_household, list_households, get_household, change_household_status,
        create_project, list_projects, get_project, change_project_status, accept_project,
        list_assets, get_asset, confirm_ownership, ownership_history,
        change_asset_status, start_operation, name_caretaker, dispose_asset,
        post_yield, list_yields, get_yield, reverse_yield, receive_yield,
        create_distribution, list_distributions, get_distribution,
        resolve_distribution, publicize_distribution, review_distribution, file_distribution,
        pay_distribution, results_distribution, cancel_distribution, payments_csv,
        statement_pdf, all_statements_pdf, notice_pdf, verify_code, record_payment_results, payment_status,
        reconciliation, performance, performance_pdf, performance_xlsx, ledger_xlsx, ledger_csv, expiring_contracts, arrears, idle_assets, audit_log,
        imports::households,
    )
)]
struct ApiDoc;

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
