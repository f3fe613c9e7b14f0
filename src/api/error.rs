//! Errors as `application/problem+json` (RFC 9457): `{"type","title","status","detail","code",
//! "errors":[{"field","message"}]}`. A 500 says nothing of internals; its cause is logged.

use crate::domain::identity::{redact, redact_id_numbers};
use crate::domain::{Error, FieldError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    pub errors: Vec<FieldError>,
}

/// An error on its way out of a handler.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

impl ApiError {
    fn parts(self) -> (StatusCode, String, String, String, Vec<FieldError>) {
        match self.0 {
            Error::Invalid(errors) => {
                let detail = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid".into(),
                    "输入有误".into(),
                    detail,
                    errors,
                )
            }
            Error::Malformed(detail) => (
                StatusCode::BAD_REQUEST,
                "malformed".into(),
                "请求格式有误".into(),
                detail,
                vec![],
            ),
            Error::TooLarge(detail) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large".into(),
                "请求体过大".into(),
                detail,
                vec![],
            ),
            Error::Conflict { code, message, field } => {
                let errors = field
                    .map(|f| {
                        vec![FieldError {
                            field: f,
                            message: message.clone(),
                        }]
                    })
                    .unwrap_or_default();
                (
                    StatusCode::CONFLICT,
                    code.into(),
                    "当前状态不允许该操作".into(),
                    message,
                    errors,
                )
            }
            Error::NotFound(what) => (
                StatusCode::NOT_FOUND,
                "not_found".into(),
                "不存在".into(),
                format!("{what}不存在"),
                vec![],
            ),
            Error::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized".into(),
                "未登录".into(),
                "未登录或令牌无效".into(),
                vec![],
            ),
            Error::Throttled(detail) => (
                StatusCode::TOO_MANY_REQUESTS,
                "throttled".into(),
                "尝试次数过多".into(),
                detail,
                vec![],
            ),
            Error::Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                "forbidden".into(),
                "无权操作".into(),
                detail,
                vec![],
            ),
            Error::Internal(cause) => {
                let cause = redact(&cause);
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal".into(),
                    "内部错误".into(),
                    "服务器内部错误, 请联系管理员".into(),
                    vec![],
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, title, detail, mut errors) = self.parts();
        // The last line of defence: no message carries an ID number in full (parser messages,
        // which quote raw input, are masked harder where they are made, in `extract`).
        let detail = redact_id_numbers(&detail);
        for e in &mut errors {
            e.message = redact_id_numbers(&e.message);
        }
        let problem = Problem {
            kind: format!("https://relief-ledger.cn/problems/{code}"),
            title,
            status: status.as_u16(),
            detail,
            code,
            errors,
        };
        let mut resp = (status, axum::Json(problem)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            resp.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
