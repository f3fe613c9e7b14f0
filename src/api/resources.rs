//! The API's handlers, one per operation, in the order of the contract.

use super::AppState;
use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Auth, Body, Id, Q};
use crate::domain::Error;
use crate::domain::identity::mask_bank_account;
use crate::domain::vocab::Role;
use crate::service::accounts::{AccountView, YearQuery};
use crate::service::asset_life::{
    AssetDetail, NewCaretaker, NewDisposal, NewOperation, StatusChange as AssetStatusChange,
};
use crate::service::assets::{AssetFilter, AssetView, Confirmation, OwnershipHistory};
use crate::service::audit::EntryView;
use crate::service::distributions::{
    Cancel, File, NewDrafts, NewPlan, Pay, PlanFilter, PlanSummary, PlanView, Publicize, Resolve, Results, Review,
};
use crate::service::documents::Verified;
use crate::service::households::{HouseholdView, NewHousehold, StatusChange as HouseholdStatusChange};
use crate::service::payments::{PaymentReturn, PaymentSummary};
use crate::service::performance::{Performance, PerformanceQuery};
use crate::service::projects::{
    Acceptance, NewProject, ProjectFilter, ProjectView, StatusChange as ProjectStatusChange,
};
use crate::service::reconciliation::{Reconciliation, ReportQuery};
use crate::service::regions::{NewRegion, RegionView};
use crate::service::watch::{
    Arrears as ArrearsItem, ArrearsQuery, ContractsQuery, ExpiringContract, IdleAsset, IdleQuery,
};
use crate::service::yields::{NewYield, Receipt, Reversal, YieldView};
use crate::service::{self, Page, Paging};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct Login {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub token: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    pub parent_code: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HouseholdQuery {
    pub village_code: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

fn paging(limit: Option<u64>, offset: Option<u64>) -> Paging {
    Paging { limit, offset }
}

fn created<T: Serialize>(v: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(v))
}

/// Any path under `/api/v1` that is not an operation.
pub async fn not_found() -> ApiError {
    ApiError(Error::NotFound("接口"))
}

#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "数据库可用"), (status = 503, description = "数据库不可用")))]
pub async fn healthz(State(s): State<AppState>) -> impl IntoResponse {
    if s.store.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = Login,
    responses((status = 200, body = TokenView), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn login(State(s): State<AppState>, Body(b): Body<Login>) -> ApiResult<Json<TokenView>> {
    let token = service::auth::login(&s.store, &b.username, &b.password).await?;
    Ok(Json(TokenView { token }))
}

#[utoipa::path(post, path = "/api/v1/regions", tag = "regions", request_body = NewRegion,
    responses((status = 201, body = RegionView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_region(
    State(s): State<AppState>,
    Auth(a): Auth,
    Body(b): Body<NewRegion>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::regions::create(&s.store, &a, b).await?))
}

#[utoipa::path(get, path = "/api/v1/regions", tag = "regions", params(RegionQuery),
    responses((status = 200, body = Page<RegionView>)))]
pub async fn list_regions(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<RegionQuery>,
) -> ApiResult<Json<Page<RegionView>>> {
    let items = service::regions::list(&s.store, &a, q.parent_code.as_deref()).await?;
    Ok(Json(paging(q.limit, q.offset).page(items)?))
}

#[utoipa::path(get, path = "/api/v1/regions/{code}/account", tag = "regions", params(("code" = String, Path), YearQuery),
    responses((status = 200, body = AccountView), (status = 404, body = Problem)))]
pub async fn region_account(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path(code): Path<String>,
    Q(q): Q<YearQuery>,
) -> ApiResult<Json<AccountView>> {
    Ok(Json(service::accounts::account(&s.store, &a, &code, q.year).await?))
}

#[utoipa::path(post, path = "/api/v1/households", tag = "households", request_body = NewHousehold,
    responses((status = 201, body = HouseholdView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_household(
    State(s): State<AppState>,
    Auth(a): Auth,
    Body(b): Body<NewHousehold>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::households::create(&s.store, &a, b).await?))
}

#[utoipa::path(get, path = "/api/v1/households", tag = "households", params(HouseholdQuery),
    responses((status = 200, body = Page<HouseholdView>)))]
pub async fn list_households(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<HouseholdQuery>,
) -> ApiResult<Json<Page<HouseholdView>>> {
    let items = service::households::list(&s.store, &a, q.village_code.as_deref()).await?;
    Ok(Json(paging(q.limit, q.offset).page(items)?))
}

#[utoipa::path(get, path = "/api/v1/households/{id}", tag = "households", params(("id" = i32, Path)),
    responses((status = 200, body = HouseholdView), (status = 404, body = Problem)))]
pub async fn get_household(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<Json<HouseholdView>> {
    Ok(Json(service::households::get(&s.store, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/households/{id}/status", tag = "households", params(("id" = i32, Path)), request_body = HouseholdStatusChange,
    responses((status = 200, body = HouseholdView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change_household_status(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<HouseholdStatusChange>,
) -> ApiResult<Json<HouseholdView>> {
    Ok(Json(service::households::change_status(&s.store, &a, id, b).await?))
}

#[utoipa::path(post, path = "/api/v1/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = ProjectView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_project(
    State(s): State<AppState>,
    Auth(a): Auth,
    Body(b): Body<NewProject>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::projects::create(&s.store, &a, b).await?))
}

#[utoipa::path(get, path = "/api/v1/projects", tag = "projects", params(ProjectFilter, Paging),
    responses((status = 200, body = Page<ProjectView>)))]
pub async fn list_projects(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(f): Q<ProjectFilter>,
    Q(p): Q<Paging>,
) -> ApiResult<Json<Page<ProjectView>>> {
    let items = service::projects::list(&s.store, &a, &f).await?;
    Ok(Json(p.page(items)?))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "projects", params(("id" = i32, Path)),
    responses((status = 200, body = ProjectView), (status = 404, body = Problem)))]
pub async fn get_project(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<Json<ProjectView>> {
    Ok(Json(service::projects::get(&s.store, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/status", tag = "projects", params(("id" = i32, Path)), request_body = ProjectStatusChange,
    responses((status = 200, body = ProjectView), (status = 409, body = Problem)))]
pub async fn change_project_status(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<ProjectStatusChange>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(service::projects::change_status(&s.store, &a, id, b).await?))
}

#[utoipa::path(post, path = "/api/v1/projects/{id}/accept", tag = "projects", params(("id" = i32, Path)), request_body = Acceptance,
    responses((status = 201, body = Vec<AssetView>), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn accept_project(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<Acceptance>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::projects::accept(&s.store, &a, id, b).await?))
}

#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(AssetFilter, Paging),
    responses((status = 200, body = Page<AssetView>)))]
pub async fn list_assets(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(f): Q<AssetFilter>,
    Q(p): Q<Paging>,
) -> ApiResult<Json<Page<AssetView>>> {
    Ok(Json(service::assets::page(&s.store, &a, &f, p).await?))
}

#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "assets", params(("id" = i32, Path)),
    responses((status = 200, body = AssetDetail), (status = 404, body = Problem)))]
pub async fn get_asset(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<Json<AssetDetail>> {
    Ok(Json(service::asset_life::detail(&s.store.db, &a, id).await?))
}

/// Defines an asset-life handler: one body type, one service call, the asset detail back.
macro_rules! asset_step {
    ($name:ident, $path:literal, $body:ty, $call:path) => {
        #[utoipa::path(post, path = $path, tag = "assets", params(("id" = i32, Path)), request_body = $body,
            responses((status = 200, body = AssetDetail), (status = 409, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(State(s): State<AppState>, Auth(a): Auth, Id(id): Id, Body(b): Body<$body>) -> ApiResult<Json<AssetDetail>> {
            Ok(Json($call(&s.store, &a, id, b).await?))
        }
    };
}

asset_step!(
    change_asset_status,
    "/api/v1/assets/{id}/status",
    AssetStatusChange,
    service::asset_life::change_status
);
asset_step!(
    start_operation,
    "/api/v1/assets/{id}/operation",
    NewOperation,
    service::asset_life::start_operation
);
asset_step!(
    name_caretaker,
    "/api/v1/assets/{id}/caretaker",
    NewCaretaker,
    service::asset_life::caretaker
);
asset_step!(
    dispose_asset,
    "/api/v1/assets/{id}/disposal",
    NewDisposal,
    service::asset_life::dispose
);

#[utoipa::path(post, path = "/api/v1/assets/{id}/ownership", tag = "assets", params(("id" = i32, Path)), request_body = Confirmation,
    responses((status = 201, body = OwnershipHistory), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_ownership(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<Confirmation>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::assets::confirm(&s.store, &a, id, b).await?))
}

#[utoipa::path(get, path = "/api/v1/assets/{id}/ownership", tag = "assets", params(("id" = i32, Path)),
    responses((status = 200, body = OwnershipHistory), (status = 404, body = Problem)))]
pub async fn ownership_history(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
) -> ApiResult<Json<OwnershipHistory>> {
    Ok(Json(service::assets::ownership(&s.store, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/assets/{id}/yields", tag = "yields", params(("id" = i32, Path)), request_body = NewYield,
    responses((status = 201, body = YieldView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn post_yield(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<NewYield>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::yields::post(&s.store, &a, id, b).await?))
}

#[utoipa::path(get, path = "/api/v1/assets/{id}/yields", tag = "yields", params(("id" = i32, Path), Paging),
    responses((status = 200, body = Page<YieldView>)))]
pub async fn list_yields(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Q(p): Q<Paging>,
) -> ApiResult<Json<Page<YieldView>>> {
    let items = service::yields::list_for_asset(&s.store, &a, id).await?;
    Ok(Json(p.page(items)?))
}

#[utoipa::path(get, path = "/api/v1/yields/{id}", tag = "yields", params(("id" = i32, Path)),
    responses((status = 200, body = YieldView), (status = 404, body = Problem)))]
pub async fn get_yield(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<Json<YieldView>> {
    Ok(Json(service::yields::get(&s.store, &a, id).await?))
}

#[utoipa::path(post, path = "/api/v1/yields/{id}/reverse", tag = "yields", params(("id" = i32, Path)), request_body = Reversal,
    responses((status = 201, body = YieldView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reverse_yield(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<Reversal>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::yields::reverse(&s.store, &a, id, b).await?))
}

#[utoipa::path(post, path = "/api/v1/yields/{id}/receive", tag = "yields", params(("id" = i32, Path)), request_body = Receipt,
    responses((status = 200, body = YieldView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn receive_yield(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<Receipt>,
) -> ApiResult<Json<YieldView>> {
    Ok(Json(service::yields::receive(&s.store, &a, id, b).await?))
}

#[utoipa::path(post, path = "/api/v1/distributions", tag = "distributions", request_body = NewPlan,
    responses((status = 201, body = PlanView), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_distribution(
    State(s): State<AppState>,
    Auth(a): Auth,
    Body(b): Body<NewPlan>,
) -> ApiResult<impl IntoResponse> {
    Ok(created(service::distributions::create(&s.store, &a, b).await?))
}

#[utoipa::path(post, path = "/api/v1/distributions/drafts", tag = "distributions", request_body = NewDrafts,
    responses((status = 201, body = Page<PlanSummary>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn draft_distributions(
    State(s): State<AppState>,
    Auth(a): Auth,
    Body(b): Body<NewDrafts>,
) -> ApiResult<impl IntoResponse> {
    let items = service::distributions::draft_all(&s.store, &a, b).await?;
    let total = items.len() as u64;
    Ok(created(Page { items, total }))
}

#[utoipa::path(get, path = "/api/v1/distributions", tag = "distributions", params(PlanFilter, Paging),
    responses((status = 200, body = Page<PlanSummary>)))]
pub async fn list_distributions(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(f): Q<PlanFilter>,
    Q(p): Q<Paging>,
) -> ApiResult<Json<Page<PlanSummary>>> {
    let items = service::distributions::list(&s.store, &a, &f).await?;
    Ok(Json(p.page(items)?))
}

#[utoipa::path(get, path = "/api/v1/distributions/{id}", tag = "distributions", params(("id" = i32, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = Problem)))]
pub async fn get_distribution(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<Json<PlanView>> {
    Ok(Json(service::distributions::get(&s.store, &a, id).await?))
}

/// Defines a plan-step handler: one body type, one service call.
macro_rules! plan_step {
    ($name:ident, $path:literal, $body:ty, $call:path) => {
        #[utoipa::path(post, path = $path, tag = "distributions", params(("id" = i32, Path)), request_body = $body,
            responses((status = 200, body = PlanView), (status = 409, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(State(s): State<AppState>, Auth(a): Auth, Id(id): Id, Body(b): Body<$body>) -> ApiResult<Json<PlanView>> {
            Ok(Json($call(&s.store, &a, id, b).await?))
        }
    };
}

plan_step!(
    resolve_distribution,
    "/api/v1/distributions/{id}/resolve",
    Resolve,
    service::distributions::resolve
);
plan_step!(
    publicize_distribution,
    "/api/v1/distributions/{id}/publicize",
    Publicize,
    service::distributions::publicize
);
plan_step!(
    review_distribution,
    "/api/v1/distributions/{id}/review",
    Review,
    service::distributions::review
);
plan_step!(
    file_distribution,
    "/api/v1/distributions/{id}/file",
    File,
    service::distributions::file
);
plan_step!(
    pay_distribution,
    "/api/v1/distributions/{id}/pay",
    Pay,
    service::distributions::pay
);
plan_step!(
    results_distribution,
    "/api/v1/distributions/{id}/results",
    Results,
    service::distributions::results
);
plan_step!(
    cancel_distribution,
    "/api/v1/distributions/{id}/cancel",
    Cancel,
    service::distributions::cancel
);

#[utoipa::path(get, path = "/api/v1/distributions/{id}/payments.csv", tag = "distributions", params(("id" = i32, Path)),
    responses((status = 200, description = "发放花名册 CSV (household_number,head_name,bank_account,amount)", content_type = "text/csv"), (status = 409, body = Problem)))]
pub async fn payments_csv(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<impl IntoResponse> {
    let rows = service::distributions::payment_roll(&s.store, &a, id).await?;
    let full_accounts = matches!(a.role, Role::Admin | Role::VillageAccountant | Role::CountyStaff);
    let rows: Vec<reports::PaymentRow> = rows
        .into_iter()
        .map(|mut r| {
            if !full_accounts {
                r.bank_account = mask_bank_account(&r.bank_account);
            }
            r
        })
        .collect();
    let csv = reports::payments_csv(&rows).map_err(|e| ApiError(Error::Internal(e.to_string())))?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}

#[utoipa::path(post, path = "/api/v1/distributions/{id}/payment-results", tag = "distributions", params(("id" = i32, Path)),
    request_body = PaymentReturn, responses((status = 200, body = PaymentSummary), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_payment_results(
    State(s): State<AppState>,
    Auth(a): Auth,
    Id(id): Id,
    Body(b): Body<PaymentReturn>,
) -> ApiResult<Json<PaymentSummary>> {
    Ok(Json(service::payments::record(&s.store, &a, id, b).await?))
}

#[utoipa::path(get, path = "/api/v1/distributions/{id}/payment-results", tag = "distributions", params(("id" = i32, Path)),
    responses((status = 200, body = PaymentSummary), (status = 404, body = Problem)))]
pub async fn payment_status(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<Json<PaymentSummary>> {
    Ok(Json(service::payments::status(&s.store, &a, id).await?))
}

/// A PDF response, rendered off the async threads (rendering is CPU-bound).
async fn pdf(render: impl FnOnce() -> Vec<u8> + Send + 'static, filename: String) -> ApiResult<impl IntoResponse> {
    let bytes = tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| ApiError(Error::Internal(e.to_string())))?;
    let disposition = format!("inline; filename=\"{filename}\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/distributions/{id}/statements/{household_id}.pdf", tag = "documents",
    params(("id" = i32, Path), ("household_id" = i32, Path)),
    responses((status = 200, description = "收益分配到户明细单 (PDF)", content_type = "application/pdf"), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn statement_pdf(
    State(s): State<AppState>,
    Auth(a): Auth,
    Path((id, household)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let parse = |t: &str| {
        t.strip_suffix(".pdf")
            .unwrap_or(t)
            .parse::<i32>()
            .map_err(|_| ApiError(Error::NotFound("文书")))
    };
    let (id, household) = (parse(&id)?, parse(&household)?);
    let mut list = service::documents::statements(&s.store, &a, id, Some(household)).await?;
    let one = list.remove(0);
    let name = format!("statement-{id}-{}.pdf", one.household_number);
    pdf(move || reports::pdf::statement_pdf(&one), name).await
}

#[utoipa::path(get, path = "/api/v1/distributions/{id}/statements.pdf", tag = "documents", params(("id" = i32, Path)),
    responses((status = 200, description = "全部农户明细单, 每户一页 (PDF)", content_type = "application/pdf"), (status = 409, body = Problem)))]
pub async fn all_statements_pdf(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<impl IntoResponse> {
    let list = service::documents::statements(&s.store, &a, id, None).await?;
    pdf(
        move || reports::pdf::statements_pdf(&list),
        format!("statements-{id}.pdf"),
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/distributions/{id}/notice.pdf", tag = "documents", params(("id" = i32, Path)),
    responses((status = 200, description = "收益分配公示表 (PDF)", content_type = "application/pdf"), (status = 409, body = Problem)))]
pub async fn notice_pdf(State(s): State<AppState>, Auth(a): Auth, Id(id): Id) -> ApiResult<impl IntoResponse> {
    let notice = service::documents::notice(&s.store, &a, id).await?;
    pdf(move || reports::pdf::notice_pdf(&notice), format!("notice-{id}.pdf")).await
}

#[utoipa::path(get, path = "/verify/{code}", tag = "documents", params(("code" = String, Path)),
    responses((status = 200, body = Verified), (status = 404, body = Problem)), security(()))]
pub async fn verify_code(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Verified>> {
    Ok(Json(service::documents::verify(&s.store, &code).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/reconciliation", tag = "reports", params(ReportQuery),
    responses((status = 200, body = Reconciliation)))]
pub async fn reconciliation(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<ReportQuery>,
) -> ApiResult<Json<Reconciliation>> {
    Ok(Json(service::reconciliation::reconcile(&s.store, &a, &q).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/performance", tag = "reports", params(PerformanceQuery),
    responses((status = 200, body = Performance)))]
pub async fn performance(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<PerformanceQuery>,
) -> ApiResult<Json<Performance>> {
    Ok(Json(service::performance::report(&s.store, &a, &q).await?))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download, rendered off the async threads.
async fn download(
    render: impl FnOnce() -> Vec<u8> + Send + 'static,
    content_type: &'static str,
    filename: String,
) -> ApiResult<impl IntoResponse> {
    let bytes = tokio::task::spawn_blocking(render)
        .await
        .map_err(|e| ApiError(Error::Internal(e.to_string())))?;
    let disposition = format!("attachment; filename=\"{filename}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    ))
}

#[utoipa::path(get, path = "/api/v1/reports/performance.pdf", tag = "reports", params(PerformanceQuery),
    responses((status = 200, description = "绩效报告 (PDF)", content_type = "application/pdf")))]
pub async fn performance_pdf(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<PerformanceQuery>,
) -> ApiResult<impl IntoResponse> {
    let report = service::performance::document(&service::performance::report(&s.store, &a, &q).await?);
    let name = format!("performance-{}.pdf", report.year);
    download(move || reports::pdf::performance_pdf(&report), "application/pdf", name).await
}

#[utoipa::path(get, path = "/api/v1/reports/performance.xlsx", tag = "reports", params(PerformanceQuery),
    responses((status = 200, description = "绩效报告 (XLSX)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn performance_xlsx(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<PerformanceQuery>,
) -> ApiResult<impl IntoResponse> {
    let report = service::performance::document(&service::performance::report(&s.store, &a, &q).await?);
    let name = format!("performance-{}.xlsx", report.year);
    download(move || reports::xlsx::performance_xlsx(&report), XLSX, name).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    pub region_code: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reports/ledger.xlsx", tag = "reports", params(LedgerQuery),
    responses((status = 200, description = "资产台账 (XLSX)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn ledger_xlsx(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<LedgerQuery>,
) -> ApiResult<impl IntoResponse> {
    let rows = service::ledger::rows(&s.store, &a, q.region_code.as_deref()).await?;
    download(
        move || reports::xlsx::ledger_xlsx("扶贫项目资产台账", &rows),
        XLSX,
        "ledger.xlsx".into(),
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/reports/ledger.csv", tag = "reports", params(LedgerQuery),
    responses((status = 200, description = "资产台账 (CSV, UTF-8 with BOM)", content_type = "text/csv")))]
pub async fn ledger_csv(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<LedgerQuery>,
) -> ApiResult<impl IntoResponse> {
    let rows = service::ledger::rows(&s.store, &a, q.region_code.as_deref()).await?;
    download(
        move || reports::xlsx::ledger_csv(&rows),
        "text/csv; charset=utf-8",
        "ledger.csv".into(),
    )
    .await
}

#[utoipa::path(get, path = "/api/v1/reports/contracts", tag = "reports", params(ContractsQuery),
    responses((status = 200, body = Page<ExpiringContract>)))]
pub async fn expiring_contracts(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<ContractsQuery>,
) -> ApiResult<Json<Page<ExpiringContract>>> {
    let items = service::watch::expiring(&s.store, &a, &q).await?;
    Ok(Json(Page {
        total: items.len() as u64,
        items,
    }))
}

#[utoipa::path(get, path = "/api/v1/reports/arrears", tag = "reports", params(ArrearsQuery),
    responses((status = 200, body = Page<ArrearsItem>)))]
pub async fn arrears(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<ArrearsQuery>,
) -> ApiResult<Json<Page<ArrearsItem>>> {
    let items = service::watch::arrears(&s.store, &a, &q).await?;
    Ok(Json(Page {
        total: items.len() as u64,
        items,
    }))
}

#[utoipa::path(get, path = "/api/v1/reports/idle", tag = "reports", params(IdleQuery),
    responses((status = 200, body = Page<IdleAsset>)))]
pub async fn idle_assets(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<IdleQuery>,
) -> ApiResult<Json<Page<IdleAsset>>> {
    let items = service::watch::idle(&s.store, &a, &q).await?;
    Ok(Json(Page {
        total: items.len() as u64,
        items,
    }))
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(Paging),
    responses((status = 200, body = Page<EntryView>), (status = 403, body = Problem)))]
pub async fn audit_log(State(s): State<AppState>, Auth(a): Auth, Q(p): Q<Paging>) -> ApiResult<Json<Page<EntryView>>> {
    if a.role == Role::VillageAccountant {
        return Err(ApiError(Error::Forbidden("村会计无权查看全县审计日志".into())));
    }
    let (limit, offset) = p.checked()?;
    let (items, total) = service::audit::list(&s.store.db, &a, limit, offset).await?;
    Ok(Json(Page { items, total }))
}
