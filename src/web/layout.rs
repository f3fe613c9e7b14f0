//! The page shell (页面框架): header with the user's name, role and region, the navigation, a small
//! stylesheet of our own, and the helpers every page uses (money, labels, tables, paging).

use crate::domain::{Error, Fen};
use crate::service::Actor;
use crate::service::access::Duty;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = r#"
*{box-sizing:border-box}body{margin:0;font-family:"Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;color:#1f2933;background:#f5f7fa;font-size:15px}
header{background:#9b1c1c;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:1rem}
header h1{font-size:1.1rem;margin:0;font-weight:600}header nav{display:flex;flex-wrap:wrap;gap:.8rem;flex:1}
header a{color:#fff;text-decoration:none}header a:hover{text-decoration:underline}.who{font-size:.85rem;opacity:.95}
main{max-width:1280px;margin:0 auto;padding:1rem}h2{font-size:1.25rem;margin:.4rem 0 1rem}h3{font-size:1.05rem;margin:1.4rem 0 .6rem}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9rem}th,td{border:1px solid #d9e2ec;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f7;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:.8rem;margin-bottom:1rem}
.card{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:.8rem}.card .v{font-size:1.3rem;font-weight:600;margin-top:.3rem}
form.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin-bottom:.8rem}label{display:flex;flex-direction:column;font-size:.85rem;gap:.2rem}
input,select{padding:.35rem .45rem;border:1px solid #bcccdc;border-radius:4px;font-size:.95rem}button,.btn{background:#9b1c1c;color:#fff;border:0;border-radius:4px;padding:.45rem .9rem;font-size:.95rem;cursor:pointer;text-decoration:none;display:inline-block}
.flag{display:inline-block;background:#fde8e8;color:#9b1c1c;border-radius:3px;padding:0 .35rem;font-size:.8rem;margin-right:.2rem}
.ok{color:#046c4e}.bad{color:#9b1c1c}.muted{color:#627d98;font-size:.85rem}.pager{margin:.8rem 0;display:flex;gap:1rem}
.login{max-width:360px;margin:4rem auto;background:#fff;border:1px solid #d9e2ec;border-radius:8px;padding:1.5rem}.login form{display:flex;flex-direction:column;gap:.8rem}
.error{color:#9b1c1c;font-size:.85rem}.bar{background:#9b1c1c;height:.8rem;border-radius:2px;min-width:1px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}.chart td{border:0;padding:.2rem .4rem}.chart td.track{width:60%}.chart .bar.alt{background:#3e7cb1}
form.edit{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:1rem;margin:1rem 0}
form.edit .row{display:flex;flex-wrap:wrap;gap:.6rem;align-items:start;margin-bottom:.6rem}
label.field{min-width:9rem}label.check{flex-direction:row;align-items:center;gap:.3rem;padding-top:1.2rem}
input[aria-invalid=true]{border-color:#9b1c1c;background:#fff5f5}
fieldset{border:1px solid #d9e2ec;border-radius:4px;display:flex;flex-wrap:wrap;gap:.5rem;padding:.5rem}legend{font-size:.85rem;color:#486581}
.alert{background:#fde8e8;color:#9b1c1c;border:1px solid #f8b4b4;border-radius:4px;padding:.5rem .8rem;margin:.6rem 0}
.alert ul{margin:.3rem 0 0;padding-left:1.2rem}.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin:.6rem 0}
button.secondary,.btn.secondary{background:#fff;color:#9b1c1c;border:1px solid #9b1c1c}
@media(max-width:700px){th,td{padding:.25rem;font-size:.8rem}header nav{gap:.5rem}main{padding:.6rem}
table{display:block;overflow-x:auto;white-space:nowrap}label.field{min-width:0;flex:1 1 45%}header .who{width:100%}}
"#;

/// A whole page for a logged-in user.
pub fn page(actor: &Actor, region_name: &str, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · 扶贫项目资产台账" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { a href="/" { "扶贫项目资产台账与收益分配" } }
                    nav {
                        a href="/" { "首页" }
                        a href="/projects" { "项目" }
                        a href="/assets" { "资产" }
                        a href="/households" { "农户" }
                        a href="/distributions" { "收益分配" }
                        a href="/watch" { "监管清单" }
                        @if actor.role != crate::domain::vocab::Role::VillageAccountant { a href="/audit" { "审计日志" } }
                    }
                    span.who { (actor.username) " · " (actor.role.label()) " · " (region_name) " · " a href="/logout" { "退出" } }
                }
                main { h2 { (title) } (body) }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// The login page, with an error when the last try failed.
pub fn login_page(error: Option<&str>, username: &str) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "登录 · 扶贫项目资产台账" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                div.login {
                    h2 { "扶贫项目资产台账与收益分配" }
                    form method="post" action="/login" {
                        label { "用户名" input name="username" value=(username) autocomplete="username" required; }
                        label { "密码" input name="password" type="password" autocomplete="current-password" required; }
                        @if let Some(e) = error { p.error { (e) } }
                        button type="submit" { "登录" }
                    }
                }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// Whether the user's role may do `duty` at all: write forms are shown only then (an auditor
/// sees none).
pub fn may(actor: &Actor, duty: Duty) -> bool {
    actor.check_duty(duty).is_ok()
}

/// A refusal or failure as a page with its status (403 for a role or region, 404, 422, 500).
pub fn error_page(actor: &Actor, region_name: &str, e: Error) -> Response {
    let (status, text) = match &e {
        Error::NotFound(what) => (StatusCode::NOT_FOUND, format!("{what}不存在")),
        Error::Forbidden(why) => (StatusCode::FORBIDDEN, why.clone()),
        Error::Unauthorized => (StatusCode::UNAUTHORIZED, e.to_string()),
        Error::Internal(cause) => {
            let cause = crate::domain::identity::redact(cause);
            tracing::error!(%cause, "page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误".into())
        }
        Error::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "),
        ),
        other => (StatusCode::UNPROCESSABLE_ENTITY, other.to_string()),
    };
    let mut resp = page(
        actor,
        region_name,
        "出错了",
        html! { p.bad { (text) } p { a href="/" { "返回首页" } } },
    );
    *resp.status_mut() = status;
    resp
}

/// Options of a vocabulary for a select, with a leading blank one labelled `blank`.
pub fn options<T: Copy>(
    all: &[T],
    id: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    blank: Option<&'static str>,
) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = blank.map(|b| ("", b)).into_iter().collect();
    out.extend(all.iter().map(|v| (id(*v), label(*v))));
    out
}

/// Money with thousands separators, as Chinese finance forms print it.
pub fn money(f: Fen) -> String {
    reports::numerals::yuan_grouped(f.0)
}

/// A right-aligned money cell.
pub fn money_cell(f: Fen) -> Markup {
    html! { td.num { (money(f)) } }
}

/// Previous/next links for a list page.
pub fn pager(base: &str, offset: u64, limit: u64, total: u64) -> Markup {
    let sep = if base.contains('?') { '&' } else { '?' };
    html! {
        div.pager {
            span.muted { "共 " (total) " 条, 第 " ((offset + 1).min(total)) "–" ((offset + limit).min(total)) " 条" }
            @if offset > 0 { a href=(format!("{base}{sep}offset={}", offset.saturating_sub(limit))) { "上一页" } }
            @if offset + limit < total { a href=(format!("{base}{sep}offset={}", offset + limit)) { "下一页" } }
        }
    }
}
