//! The next step of a plan as a form on its page (下一步操作): the four deliberations, the notice,
//! the township review, county filing, payment, results — and cancelling. Each posts to
//! `/distributions/{id}/step` and goes through the same service as the API.

use super::session::WebUser;
use crate::api::AppState;
use crate::api::extract::Id;
use crate::domain::vocab::{DeliberationStep, PlanState};
use crate::domain::{Error, Result};
use crate::service::distributions::{
    self, Cancel, File, Pay, PlanView, Publicize, Resolve, Results, Review, StepInput,
};
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use std::collections::HashMap;

/// The form for the plan's next step (empty when nothing is left to do).
pub fn next_step(p: &PlanView) -> Markup {
    let state = PlanState::parse(&p.state).unwrap_or(PlanState::Draft);
    let action = format!("/distributions/{}/step", p.id);
    let date = |name: &str, label: &str| html! { label { (label) input type="date" name=(name) required; } };
    let text = |name: &str, label: &str| html! { label { (label) input name=(name) required; } };
    html! {
        @match state {
            PlanState::Draft => form.filters method="post" action=(action) {
                input type="hidden" name="action" value="resolve";
                @for step in DeliberationStep::ALL {
                    fieldset {
                        legend { (step.label()) }
                        (date(&format!("{}_date", step.as_str()), "日期"))
                        (text(&format!("{}_attendance", step.as_str()), "到会 (如 21/25)"))
                        (text(&format!("{}_minutes", step.as_str()), "会议记录编号"))
                    }
                }
                button { "记录四议并决议" }
            },
            PlanState::Resolved => form.filters method="post" action=(action) {
                input type="hidden" name="action" value="publicize";
                (date("from", "公示开始")) (date("to", "公示结束")) button { "决议公开" }
            },
            PlanState::Publicized => form.filters method="post" action=(action) {
                input type="hidden" name="action" value="review";
                (date("date", "审核日期")) (text("reviewer", "审核单位")) button { "乡镇审核通过" }
            },
            PlanState::Reviewed => form.filters method="post" action=(action) {
                input type="hidden" name="action" value="file";
                (date("date", "备案日期")) (text("reference", "备案文号")) button { "县级备案" }
            },
            PlanState::Filed => form.filters method="post" action=(action) {
                input type="hidden" name="action" value="pay";
                (date("date", "发放日期")) (text("reference", "发放凭证")) button { "确认已发放" }
            },
            PlanState::Paid => form.filters method="post" action=(action) {
                input type="hidden" name="action" value="results";
                (date("date", "结果公开日期")) button { "结果公开" }
            },
            PlanState::ResultsPublicized | PlanState::Cancelled => {},
        }
        @if !matches!(state, PlanState::Paid | PlanState::ResultsPublicized | PlanState::Cancelled) {
            form.filters method="post" action=(action) {
                input type="hidden" name="action" value="cancel";
                (text("reason", "取消原因")) button { "取消方案" }
            }
        }
    }
}

fn date_of(form: &HashMap<String, String>, name: &str) -> Result<NaiveDate> {
    form.get(name)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| Error::field(name, "请填写日期 (YYYY-MM-DD)"))
}

fn text_of(form: &HashMap<String, String>, name: &str) -> String {
    form.get(name).map(|t| t.trim().to_string()).unwrap_or_default()
}

/// `POST /distributions/{id}/step`
pub async fn submit(
    State(s): State<AppState>,
    u: WebUser,
    Id(id): Id,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    match apply(&s, &u, id, &form).await {
        Ok(()) => Redirect::to(&format!("/distributions/{id}")).into_response(),
        Err(e) => super::pages::render_distribution(&s, &u, id, Some(describe(&e))).await,
    }
}

/// A refusal in words for the page, fields named.
fn describe(e: &Error) -> String {
    match e {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn apply(s: &AppState, u: &WebUser, id: i32, form: &HashMap<String, String>) -> Result<()> {
    let (store, actor) = (&s.store, &u.actor);
    match form.get("action").map(String::as_str) {
        Some("resolve") => {
            let mut steps = Vec::new();
            for step in DeliberationStep::ALL {
                let k = step.as_str();
                steps.push(StepInput {
                    step: *step,
                    date: date_of(form, &format!("{k}_date"))?,
                    attendance: text_of(form, &format!("{k}_attendance")),
                    minutes_ref: text_of(form, &format!("{k}_minutes")),
                });
            }
            distributions::resolve(store, actor, id, Resolve { steps }).await?;
        }
        Some("publicize") => {
            distributions::publicize(
                store,
                actor,
                id,
                Publicize {
                    from: date_of(form, "from")?,
                    to: date_of(form, "to")?,
                },
            )
            .await?;
        }
        Some("review") => {
            distributions::review(
                store,
                actor,
                id,
                Review {
                    date: date_of(form, "date")?,
                    reviewer: text_of(form, "reviewer"),
                },
            )
            .await?;
        }
        Some("file") => {
            distributions::file(
                store,
                actor,
                id,
                File {
                    date: date_of(form, "date")?,
                    reference: text_of(form, "reference"),
                },
            )
            .await?;
        }
        Some("pay") => {
            distributions::pay(
                store,
                actor,
                id,
                Pay {
                    paid_on: date_of(form, "date")?,
                    reference: text_of(form, "reference"),
                },
            )
            .await?;
        }
        Some("results") => {
            distributions::results(
                store,
                actor,
                id,
                Results {
                    date: date_of(form, "date")?,
                },
            )
            .await?;
        }
        Some("cancel") => {
            distributions::cancel(
                store,
                actor,
                id,
                Cancel {
                    reason: text_of(form, "reason"),
                },
            )
            .await?;
        }
        _ => return Err(Error::field("action", "未知的操作")),
    }
    Ok(())
}
