//! Spreadsheet uploads (表格导入): the household roster as the request body, checked and written
//! by the same service as `relief-ledger import households`.

use super::AppState;
use super::error::{ApiResult, Problem};
use super::extract::{Auth, Q, RawBody};
use crate::domain::Error;
use crate::service::import::{self, Report};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// `?dry_run=&village_column=`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check and report without writing (default false).
    pub dry_run: Option<bool>,
    /// The header of the village column (default 所属村).
    pub village_column: Option<String>,
}

/// A bad cell in the problem document: `field`/`message` as every problem has them, and the
/// spreadsheet `row` (the header is row 1), `column` header and `reason`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BadCell {
    pub field: String,
    pub message: String,
    /// On a bad cell (a 422 for a bad query parameter names only `field` and `message`).
    #[schema(required = false)]
    pub row: usize,
    #[schema(required = false)]
    pub column: String,
    #[schema(required = false)]
    pub reason: String,
}

/// The 422 of an import with bad rows: a problem document that also carries the report's
/// `rows`, `written` (false) and every bad cell.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    /// With bad rows (a 422 for a bad query parameter is a plain problem document).
    #[schema(required = false)]
    pub rows: usize,
    #[schema(required = false)]
    pub written: bool,
    pub errors: Vec<BadCell>,
}

fn rejected(report: Report) -> Response {
    let errors: Vec<BadCell> = report
        .errors
        .into_iter()
        .map(|e| BadCell {
            field: format!("第{}行 {}", e.row, e.column),
            message: e.reason.clone(),
            row: e.row,
            column: e.column,
            reason: e.reason,
        })
        .collect();
    let problem = ImportProblem {
        kind: "https://relief-ledger.cn/problems/invalid_rows".into(),
        title: "表格有误, 未写入任何数据".into(),
        status: StatusCode::UNPROCESSABLE_ENTITY.as_u16(),
        detail: format!("共 {} 处错误", errors.len()),
        code: "invalid_rows".into(),
        rows: report.rows,
        written: false,
        errors,
    };
    let mut resp = (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(problem)).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    resp
}

/// Imports the household roster sent as the request body: the file's bytes as they are (XLSX,
/// or CSV in UTF-8 or GB18030/GBK), any content type. The role rule is that of
/// `POST /households` for every village the file names.
#[utoipa::path(post, path = "/api/v1/imports/households", tag = "imports", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "花名册: the XLSX or CSV file itself (UTF-8 or GB18030/GBK), up to 64 MiB"),
    responses((status = 200, body = Report, description = "checked (dry run) or written"),
        (status = 400, body = Problem, description = "not a readable XLSX or CSV"),
        (status = 403, body = Problem),
        (status = 422, body = ImportProblem, content_type = "application/problem+json",
            description = "bad rows; nothing written")))]
pub async fn households(
    State(s): State<AppState>,
    Auth(a): Auth,
    Q(q): Q<ImportQuery>,
    RawBody(body): RawBody,
) -> ApiResult<Response> {
    let sheet = crate::sheet::read(&body).map_err(Error::Malformed)?;
    let opts = import::Options {
        village_column: q.village_column,
        mapping: Default::default(),
        dry_run: q.dry_run.unwrap_or(false),
    };
    let report = import::households(&s.store, &a, &sheet, &opts).await?;
    if report.errors.is_empty() {
        Ok(axum::Json(report).into_response())
    } else {
        Ok(rejected(report))
    }
}
