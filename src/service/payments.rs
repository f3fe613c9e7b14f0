//! Payment returns (银行回盘): after the bank runs the payment roll, each household's line is
//! marked paid or failed. Results are appended (a later return supersedes an earlier one for the
//! same household); the frozen allocations themselves never change.

use super::access::Duty;
use super::distributions::load_in_scope;
use super::{Actor, Store, audit, now_text};
use crate::domain::vocab::PlanState;
use crate::domain::{Error, FieldError, Result};
use chrono::NaiveDate;
use entity::{allocations, payment_results};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// paid | failed
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Paid,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Paid => "paid",
            Outcome::Failed => "failed",
        }
    }

    /// Reads the words a bank's return file uses (成功/失败, paid/failed).
    pub fn from_word(word: &str) -> Option<Outcome> {
        match word.trim() {
            "paid" | "成功" | "已发放" | "发放成功" | "1" => Some(Outcome::Paid),
            "failed" | "失败" | "退回" | "发放失败" | "0" => Some(Outcome::Failed),
            _ => None,
        }
    }
}

/// One household's result; either `household_id` or `household_number` names it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResultLine {
    #[serde(default)]
    pub household_id: Option<i32>,
    #[serde(default)]
    pub household_number: Option<String>,
    pub status: Outcome,
    #[serde(default)]
    pub reason: String,
}

/// `POST /distributions/{id}/payment-results`
#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentReturn {
    pub recorded_on: NaiveDate,
    pub results: Vec<ResultLine>,
}

/// Where the plan's payments stand.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentSummary {
    pub paid: u64,
    pub failed: u64,
    pub pending: u64,
    /// The failed households, to pay again once their accounts are fixed.
    pub failures: Vec<Failure>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Failure {
    pub household_id: i32,
    pub number: String,
    pub head_name: String,
    pub reason: String,
}

/// Records a bank return; any line naming a household outside the roll refuses the whole return.
///
/// # Errors
/// [`Error::Invalid`] naming the bad line; [`Error::Conflict`] before the plan is filed.
pub async fn record(store: &Store, actor: &Actor, id: i32, input: PaymentReturn) -> Result<PaymentSummary> {
    let w = store.write().await?;
    let (plan, village) = load_in_scope(&*w, actor, id).await?;
    actor.check_write(Duty::Village, &village)?;
    let state = PlanState::parse(&plan.state).unwrap_or(PlanState::Draft);
    if !matches!(state, PlanState::Filed | PlanState::Paid | PlanState::ResultsPublicized) {
        return Err(Error::conflict(
            "invalid_state",
            format!("方案状态为“{}”, 备案后才能登记银行回盘", state.label()),
        ));
    }
    let roll = roll(&*w, id).await?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (i, line) in input.results.iter().enumerate() {
        let found = roll
            .iter()
            .find(|a| Some(a.household_id) == line.household_id || Some(&a.number) == line.household_number.as_ref());
        match found {
            Some(a) => rows.push(payment_results::ActiveModel {
                distribution_id: Set(id),
                household_id: Set(a.household_id),
                status: Set(line.status.as_str().into()),
                reason: Set(line.reason.trim().into()),
                recorded_on: Set(input.recorded_on),
                created_at: Set(now_text()),
                ..Default::default()
            }),
            None => errors.push(FieldError {
                field: format!("results[{i}]"),
                message: "该户不在本方案的发放花名册中".into(),
            }),
        }
    }
    if input.results.is_empty() {
        errors.push(FieldError {
            field: "results".into(),
            message: "回盘结果为空".into(),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    payment_results::Entity::insert_many(rows)
        .exec_without_returning(&*w)
        .await?;
    audit::append(
        &*w,
        actor,
        "distribution.payment_results",
        "distribution",
        id,
        &(),
        &input.results.len(),
    )
    .await?;
    let summary = summarize(&*w, id).await?;
    w.commit().await?;
    Ok(summary)
}

/// The lines of the payment roll: households with a positive total.
async fn roll<C: sea_orm::ConnectionTrait>(db: &C, id: i32) -> Result<Vec<allocations::Model>> {
    Ok(allocations::Entity::find()
        .filter(allocations::Column::DistributionId.eq(id))
        .filter(allocations::Column::TotalFen.gt(0))
        .order_by_asc(allocations::Column::Number)
        .all(db)
        .await?)
}

/// The latest result of each household on the roll.
///
/// # Errors
/// A database error.
pub async fn summarize<C: sea_orm::ConnectionTrait>(db: &C, id: i32) -> Result<PaymentSummary> {
    let results = payment_results::Entity::find()
        .filter(payment_results::Column::DistributionId.eq(id))
        .order_by_asc(payment_results::Column::Id)
        .all(db)
        .await?;
    let latest: HashMap<i32, payment_results::Model> = results.into_iter().map(|r| (r.household_id, r)).collect();
    let mut summary = PaymentSummary {
        paid: 0,
        failed: 0,
        pending: 0,
        failures: Vec::new(),
    };
    for a in roll(db, id).await? {
        match latest.get(&a.household_id) {
            Some(r) if r.status == "paid" => summary.paid += 1,
            Some(r) => {
                summary.failed += 1;
                summary.failures.push(Failure {
                    household_id: a.household_id,
                    number: a.number,
                    head_name: a.head_name,
                    reason: r.reason.clone(),
                });
            }
            None => summary.pending += 1,
        }
    }
    Ok(summary)
}

/// # Errors
/// Scope errors.
pub async fn status(store: &Store, actor: &Actor, id: i32) -> Result<PaymentSummary> {
    load_in_scope(&store.db, actor, id).await?;
    summarize(&store.db, id).await
}
