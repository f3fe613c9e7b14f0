//! Form login and the session cookie (会话). The cookie is `HttpOnly` and `SameSite=Lax`; it is
//! `Secure` only when the request came over https (a county intranet often has none).

use super::Form;
use super::layout::login_page;
use crate::api::AppState;
use crate::api::extract::{SESSION_COOKIE, session_token};
use crate::service::{Actor, auth};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// The logged-in user of a page, with the name of their region.
pub struct WebUser {
    pub actor: Actor,
    pub region_name: String,
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(token) = session_token(&parts.headers) else {
            return Err(Redirect::to("/login").into_response());
        };
        let actor = auth::authenticate(&state.store, token)
            .await
            .map_err(|_| Redirect::to("/login").into_response())?;
        let region_name = match &actor.region_code {
            Some(code) => entity::regions::Entity::find_by_id(code.clone())
                .one(&state.store.db)
                .await
                .ok()
                .flatten()
                .map_or_else(|| code.clone(), |r| r.name),
            None => "全部区划".to_string(),
        };
        Ok(WebUser { actor, region_name })
    }
}

use sea_orm::EntityTrait;

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub username: String,
    pub password: String,
}

pub async fn login_form() -> Response {
    login_page(None, "")
}

fn over_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) == Some("https")
}

pub async fn login(State(s): State<AppState>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    match auth::login(&s.store, form.username.trim(), &form.password).await {
        Ok(token) => {
            let secure = if over_https(&headers) { "; Secure" } else { "" };
            let cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}");
            let mut resp = Redirect::to("/").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                resp.headers_mut().insert(header::SET_COOKIE, v);
            }
            resp
        }
        Err(crate::domain::Error::Throttled(message)) => {
            let mut resp = login_page(Some(&message), form.username.trim());
            *resp.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
            resp
        }
        Err(_) => {
            let mut resp = login_page(Some("用户名或密码不正确"), form.username.trim());
            *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            resp
        }
    }
}

pub async fn logout() -> Response {
    let mut resp = Redirect::to("/login").into_response();
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}
