//! The page shell (页面框架): header with the user's name, role and region, the navigation, a small
//! stylesheet of our own, and the helpers every page uses (money, labels, tables, paging).

use crate::domain::Fen;
use crate::service::Actor;
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
.error{color:#9b1c1c;font-size:.85rem}.bar{background:#9b1c1c;height:.8rem;border-radius:2px}
@media(max-width:700px){th,td{padding:.25rem;font-size:.8rem}header nav{gap:.5rem}}
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
