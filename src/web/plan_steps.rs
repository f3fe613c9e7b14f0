//! The next step of a plan as a form on its page (下一步操作): the four deliberations, the notice,
//! the township review, county filing, payment, results — and cancelling. Each posts to
//! `/distributions/{id}/step` and goes through the same service as the API.

use super::Form;
use super::layout::{error_page, may};
use super::session::WebUser;
use crate::api::AppState;
use crate::api::extract::Id;
use crate::domain::vocab::{DeliberationStep, PlanState, Role};
use crate::domain::{Error, Result};
use crate::service::Actor;
use crate::service::access::Duty;
use crate::service::distributions::{
    self, Cancel, File, Pay, PlanView, Publicize, Resolve, Results, Review, StepInput,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use std::collections::HashMap;

/// Who records a plan's step in a state: township review and county filing are county staff's,
/// the rest the village accountant's.
fn duty_in(state: PlanState) -> Duty {
    match state {
        PlanState::Publicized | PlanState::Reviewed => Duty::PlanApproval,
        _ => Duty::Village,
    }
}

/// The duty an action of the step form needs.
fn duty_of(action: &str) -> Duty {
    match action {
        "review" | "file" => Duty::PlanApproval,
        "cancel" => Duty::PlanCancel,
        _ => Duty::Village,
    }
}

/// The form for the plan's next step, when this user's role records it (empty when nothing is
/// left to do; a note saying who acts next when it is another role's step).
pub fn next_step(actor: &Actor, p: &PlanView) -> Markup {
    let state = PlanState::parse(&p.state).unwrap_or(PlanState::Draft);
    let open = !matches!(state, PlanState::ResultsPublicized | PlanState::Cancelled);
    if !may(actor, duty_in(state)) {
        return html! {
            @if open && actor.role != Role::Auditor {
                p.muted { "下一步由" @if duty_in(state) == Duty::PlanApproval { "县级业务人员 (乡镇审核、县级备案)" } @else { "村会计" } "办理。" }
            }
            @if open && may(actor, Duty::PlanCancel) && !matches!(state, PlanState::Paid) { (cancel_form(p.id)) }
        };
    }
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
        @if !matches!(state, PlanState::Paid | PlanState::ResultsPublicized | PlanState::Cancelled) { (cancel_form(p.id)) }
    }
}

fn cancel_form(id: i32) -> Markup {
    html! {
        form.filters method="post" action=(format!("/distributions/{id}/step")) {
            input type="hidden" name="action" value="cancel";
            label { "取消原因" input name="reason" required; }
            button.secondary { "取消方案" }
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
    let action = form.get("action").map_or("", String::as_str);
    if let Err(e) = u.actor.check_duty(duty_of(action)) {
        return error_page(&u.actor, &u.region_name, e);
    }
    match apply(&s, &u, id, &form).await {
        Ok(()) => Redirect::to(&format!("/distributions/{id}")).into_response(),
        Err(e @ Error::Forbidden(_)) => error_page(&u.actor, &u.region_name, e),
        Err(e) => {
            let mut resp = super::distributions::render_plan(&s, &u, id, Some(describe(&e))).await;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
    }
}

/// A refusal in words for the page.
fn describe(e: &Error) -> String {
    match e {
        Error::Invalid(fields) => fields.iter().map(|f| f.message.clone()).collect::<Vec<_>>().join("; "),
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
