//! The OpenAPI 3 document (`GET /api/v1/openapi.json`), generated from the handlers' annotations.

use super::imports;
use super::resources::*;
use axum::Json;
use utoipa::openapi::RefOr;
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

/// Errors are `application/problem+json` (the contract): every response documented with the
/// `Problem` schema (or one ending in `Problem`) says that content type.
struct ProblemJson;

impl Modify for ProblemJson {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
            ];
            for op in operations.into_iter().flatten() {
                for response in op.responses.responses.values_mut() {
                    let RefOr::T(response) = response else { continue };
                    let problem = response
                        .content
                        .get("application/json")
                        .and_then(|c| c.schema.as_ref())
                        .is_some_and(|s| matches!(s, RefOr::Ref(r) if r.ref_location.ends_with("Problem")));
                    if problem && let Some(content) = response.content.shift_remove("application/json") {
                        response.content.insert("application/problem+json".to_string(), content);
                    }
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "relief-ledger", description = "扶贫项目资产台账与收益分配 — poverty-relief project assets and yield distribution"),
    modifiers(&BearerAuth, &ProblemJson),
    security(("bearer" = [])),
    paths(
        healthz, login, create_region, list_regions, region_account,
        create_household, list_households, get_household, change_household_status,
        create_project, list_projects, get_project, change_project_status, accept_project,
        list_assets, get_asset, confirm_ownership, ownership_history,
        change_asset_status, start_operation, name_caretaker, dispose_asset,
        post_yield, list_yields, get_yield, reverse_yield, receive_yield,
        create_distribution, draft_distributions, list_distributions, get_distribution,
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
