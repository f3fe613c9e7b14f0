//! Extractors whose rejections use the problem+json envelope and name the field: the JSON body,
//! query strings, numeric ids, and the authenticated actor.

use super::AppState;
use super::error::ApiError;
use crate::domain::identity::redact;
use crate::domain::{Error, FieldError};
use crate::service::{Actor, auth};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

/// A JSON body. A syntax error is a 400; a value of the wrong type, a missing field or a bad
/// money string is a 422 naming the field (`funding[0].amount`).
pub struct Body<T>(pub T);

/// The field a serde error is about: its path, plus the name of a missing field.
fn field_of(path: &str, message: &str) -> String {
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string);
    let path = if path == "." { String::new() } else { path.to_string() };
    match (path.is_empty(), missing) {
        (true, Some(m)) => m,
        (false, Some(m)) => format!("{path}.{m}"),
        (_, None) => path,
    }
}

/// serde's English message, said in Chinese (the detail after the colon kept for the developer).
fn in_chinese(message: &str) -> String {
    let (what, detail) = if message.starts_with("missing field") {
        ("缺少必填项", message)
    } else if message.starts_with("invalid type") {
        ("类型不对", message)
    } else if message.starts_with("unknown variant") {
        ("不是可选的取值", message)
    } else if message.starts_with("unknown field") {
        ("不认识的字段", message)
    } else if message.starts_with("invalid digit") || message.starts_with("number too large") {
        ("应为非负整数", message)
    } else if message.starts_with("invalid value") || message.starts_with("input contains invalid characters") {
        ("取值无效", message)
    } else {
        return message.to_string();
    };
    format!("{what} ({detail})")
}

/// Turns a deserialization error into the domain error.
pub fn body_error(e: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = e.path().to_string();
    let inner = e.into_inner();
    match inner.classify() {
        serde_json::error::Category::Data => {
            // serde quotes the offending value (`integer `371621…``): never echo an ID or account.
            let message = redact(&inner.to_string());
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            let field = field_of(&path, &message);
            let field = if field.is_empty() { "body".to_string() } else { field };
            Error::Invalid(vec![FieldError {
                field,
                message: in_chinese(&message),
            }])
        }
        _ => Error::Malformed(redact(&format!("请求体不是有效的 JSON: {inner}"))),
    }
}

/// Parses JSON bytes as `T`, naming the field on error.
///
/// # Errors
/// [`Error::Malformed`] or [`Error::Invalid`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(body_error)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawBody(bytes) = RawBody::from_request(req, state).await?;
        Ok(Body(parse_json(&bytes)?))
    }
}

/// The request body as bytes, within the route's size limit (`DefaultBodyLimit`): a larger body
/// is a 413 problem, an unreadable one a 400.
pub struct RawBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(RawBody)
            .map_err(|e| ApiError(body_rejection(e.status(), &e.body_text())))
    }
}

/// A body that could not be read: too large (413) or broken (400).
pub fn body_rejection(status: axum::http::StatusCode, text: &str) -> Error {
    if status == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        Error::TooLarge("请求体超过该接口允许的大小".into())
    } else {
        Error::Malformed(format!("无法读取请求体: {text}"))
    }
}

/// A query string, its errors naming the parameter.
pub struct Q<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(Q).map_err(|e| {
            let field = e.path().to_string();
            ApiError(Error::field(
                if field == "." { "query".into() } else { field },
                in_chinese(&redact(&e.into_inner().to_string())),
            ))
        })
    }
}

/// A numeric id in the path; anything else is a 404.
pub struct Id(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw) = axum::extract::Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(Error::NotFound("资源")))?;
        let raw = raw.strip_suffix(".pdf").unwrap_or(&raw);
        raw.parse().map(Id).map_err(|_| ApiError(Error::NotFound("资源")))
    }
}

/// The authenticated user: `Authorization: Bearer <token>`.
pub struct Auth(pub Actor);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(Authenticated(actor)) = parts.extensions.get::<Authenticated>() {
            return Ok(Auth(actor.clone()));
        }
        let token = request_token(&parts.headers).ok_or(ApiError(Error::Unauthorized))?;
        Ok(Auth(auth::authenticate(&state.store, token).await?))
    }
}

/// The actor a layer in front of the handler has already authenticated (the read cache), so that
/// [`Auth`] does not ask the database again.
#[derive(Clone)]
pub struct Authenticated(pub Actor);

/// The credentials of a request: its bearer token, or else the web pages' session cookie (which
/// also opens the API, for document downloads from a page).
pub fn request_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .or_else(|| session_token(headers))
}

/// The name of the web session cookie.
pub const SESSION_COOKIE: &str = "rl_session";

/// The session token from the `Cookie` header, if any.
pub fn session_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == SESSION_COOKIE && !value.is_empty()).then_some(value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_is_named_with_its_path() {
        assert_eq!(field_of(".", "missing field `amount`"), "amount");
        assert_eq!(field_of("funding[0]", "missing field `amount`"), "funding[0].amount");
        assert_eq!(field_of("funding[0].amount", "金额最多两位小数"), "funding[0].amount");
    }

    #[test]
    fn a_bad_money_string_is_an_invalid_value_naming_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct F {
            amount: crate::domain::Fen,
        }
        let err = parse_json::<F>(br#"{"amount":"1.005"}"#).unwrap_err();
        assert!(
            matches!(err, Error::Invalid(ref f) if f[0].field == "amount"),
            "{err:?}"
        );
        assert!(matches!(parse_json::<F>(b"{"), Err(Error::Malformed(_))));
    }

    #[test]
    fn an_id_number_sent_as_a_json_number_is_not_echoed_in_full() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct H {
            id_number: String,
        }
        let Err(Error::Invalid(f)) = parse_json::<H>(br#"{"id_number":371621198001011234}"#) else {
            panic!("a number is not an ID text");
        };
        assert!(!f[0].message.contains("371621198001011234"), "{}", f[0].message);
        assert!(f[0].message.contains("371621********1234"), "{}", f[0].message);
    }

    #[test]
    fn serde_messages_are_said_in_chinese_with_the_detail_kept() {
        assert_eq!(
            in_chinese("missing field `amount`"),
            "缺少必填项 (missing field `amount`)"
        );
        assert!(in_chinese("invalid digit found in string").starts_with("应为非负整数"));
        assert_eq!(in_chinese("金额最多两位小数"), "金额最多两位小数");
    }
}
