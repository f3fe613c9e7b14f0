//! The one error type of the domain and services. It knows nothing of HTTP: the API maps each
//! kind to a status and a problem+json body once, in `api::error`.

use super::allocation::AllocationError;
use super::money::MoneyError;

/// A message about one input field (`funding[0].amount`, `owners`, `id_number`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// What went wrong, by kind.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input value is invalid (422 `invalid`).
    #[error("输入有误")]
    Invalid(Vec<FieldError>),
    /// The request body is not JSON or not the expected shape (400 `malformed`).
    #[error("请求格式有误: {0}")]
    Malformed(String),
    /// The request body is larger than the endpoint takes (413 `too_large`).
    #[error("{0}")]
    TooLarge(String),
    /// The current state forbids the request (409).
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("{0}不存在")]
    NotFound(&'static str),
    #[error("未登录或令牌无效")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed attempts; try again later (429).
    #[error("{0}")]
    Throttled(String),
    /// A database or other internal failure; its detail is logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An invalid value of one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    /// A state conflict that may name a field.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Error {
        Error::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }

    pub fn conflict_on(code: &'static str, field: &str, message: impl Into<String>) -> Error {
        Error::Conflict {
            code,
            message: message.into(),
            field: Some(field.to_string()),
        }
    }
}

/// Attaches a field name to a money or allocation error.
pub trait OnField<T> {
    /// # Errors
    /// [`Error::Invalid`] naming `field`.
    fn on(self, field: &str) -> Result<T>;
}

impl<T> OnField<T> for std::result::Result<T, MoneyError> {
    fn on(self, field: &str) -> Result<T> {
        self.map_err(|e| Error::field(field, e.to_string()))
    }
}

impl<T> OnField<T> for std::result::Result<T, AllocationError> {
    fn on(self, field: &str) -> Result<T> {
        self.map_err(|e| Error::field(field, e.to_string()))
    }
}
