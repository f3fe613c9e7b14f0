//! Distribution plans (收益分配方案) and their path: draft → resolved (四议) → publicized (决议公开)
//! → reviewed (乡镇审核) → filed (县级备案) → paid (发放) → results_publicized (结果公开), or
//! cancelled. Allocations are recomputed and frozen at `resolved`; a paid plan never changes.

use super::access::Duty;
use super::seal::Aggregate;
use super::{Actor, Store, accounts, allocation_rows, audit, households, now_text, regions, today};
use crate::domain::distribution::{self, DividendRule, Incentive, PlanInput, Post, Warning};
use crate::domain::vocab::{DeliberationStep, PlanState};
use crate::domain::{Error, Fen, FieldError, OnField, Result};
use chrono::{Datelike, NaiveDate};
use entity::{allocations, distribution_steps, distributions, income_entries};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::str::FromStr;
use utoipa::ToSchema;

/// `POST /distributions`
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewPlan {
    pub village_code: String,
    pub year: i32,
    /// 基准日: household membership and status are taken as of this date.
    pub record_date: NaiveDate,
    #[schema(value_type = String, example = "114000.00")]
    pub amount: Fen,
    #[serde(default, with = "crate::domain::decimal::option")]
    #[schema(value_type = Option<String>, example = "0.15")]
    pub retention_rate: Option<Decimal>,
    #[serde(default, with = "crate::domain::decimal::option")]
    #[schema(value_type = Option<String>, example = "0.05")]
    pub management_rate: Option<Decimal>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "1000.00")]
    pub public_works: Option<Fen>,
    #[serde(default)]
    pub posts: Vec<Post>,
    #[serde(default)]
    pub incentives: Vec<Incentive>,
    #[serde(default)]
    pub dividend: DividendRule,
}

/// The rule as stored with the plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredRule {
    posts: Vec<Post>,
    incentives: Vec<Incentive>,
    dividend: DividendRule,
}

/// One deliberation step of `POST /distributions/{id}/resolve`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepInput {
    pub step: DeliberationStep,
    pub date: NaiveDate,
    #[serde(default)]
    pub attendance: String,
    #[serde(default)]
    pub minutes_ref: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Resolve {
    pub steps: Vec<StepInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Publicize {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Review {
    pub date: NaiveDate,
    pub reviewer: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct File {
    pub date: NaiveDate,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Pay {
    pub paid_on: NaiveDate,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Results {
    pub date: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Cancel {
    pub reason: String,
}

/// The plan's parts; they sum to its amount.
#[derive(Debug, Serialize, ToSchema)]
pub struct Parts {
    #[schema(value_type = String)]
    pub retention: Fen,
    #[schema(value_type = String)]
    pub management: Fen,
    #[schema(value_type = String)]
    pub public_works: Fen,
    #[schema(value_type = String)]
    pub post_wages: Fen,
    #[schema(value_type = String)]
    pub incentives: Fen,
    #[schema(value_type = String)]
    pub dividends: Fen,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AllocationView {
    pub household_id: i32,
    pub number: String,
    pub head_name: String,
    pub members: i32,
    pub status: String,
    pub labour: String,
    pub weight: String,
    #[schema(value_type = String)]
    pub dividend: Fen,
    #[schema(value_type = String)]
    pub post_wage: Fen,
    #[schema(value_type = String)]
    pub incentive: Fen,
    #[schema(value_type = String)]
    pub tax_withheld: Fen,
    /// dividend + post_wage + incentive − tax_withheld
    #[schema(value_type = String)]
    pub total: Fen,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub step: String,
    pub date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes_ref: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub recorded_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub id: i32,
    pub village_code: String,
    pub year: i32,
    pub record_date: NaiveDate,
    pub state: String,
    #[schema(value_type = String)]
    pub amount: Fen,
    pub retention_rate: String,
    pub management_rate: String,
    #[schema(value_type = String)]
    pub public_works: Fen,
    pub posts: Vec<Post>,
    pub incentives: Vec<Incentive>,
    pub dividend: DividendRule,
    #[schema(value_type = String)]
    pub dividend_pool: Fen,
    pub parts: Parts,
    pub warnings: Vec<Warning>,
    pub steps: Vec<StepView>,
    pub allocations: Vec<AllocationView>,
}

/// A row of `GET /distributions`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    pub id: i32,
    pub village_code: String,
    pub year: i32,
    pub record_date: NaiveDate,
    pub state: String,
    #[schema(value_type = String)]
    pub amount: Fen,
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    pub village_code: Option<String>,
    pub year: Option<i32>,
    pub state: Option<String>,
}

fn rate(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap_or_default()
}

fn plan_input(p: &distributions::Model, rule: &StoredRule) -> PlanInput {
    PlanInput {
        amount: Fen(p.amount_fen),
        retention_rate: rate(&p.retention_rate),
        management_rate: rate(&p.management_rate),
        public_works: Fen(p.public_works_fen),
        posts: rule.posts.clone(),
        incentives: rule.incentives.clone(),
        rule: rule.dividend.clone(),
    }
}

fn stored_rule(p: &distributions::Model) -> Result<StoredRule> {
    serde_json::from_str(&p.rule_json).map_err(|e| Error::Internal(format!("rule_json of plan {}: {e}", p.id)))
}

fn check_year(year: i32) -> Result<()> {
    if !(1990..=2100).contains(&year) {
        return Err(Error::field("year", "年度应在 1990 至 2100 之间"));
    }
    Ok(())
}

fn to_json(v: &impl Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// The row of a draft plan computed as `c`.
fn draft_row(
    village_code: &str,
    year: i32,
    record_date: NaiveDate,
    input: &PlanInput,
    rule: &StoredRule,
    c: &distribution::Computed,
) -> Result<distributions::ActiveModel> {
    Ok(distributions::ActiveModel {
        village_code: Set(village_code.to_string()),
        year: Set(year),
        record_date: Set(record_date),
        amount_fen: Set(input.amount.0),
        retention_rate: Set(crate::domain::decimal::format(input.retention_rate)),
        management_rate: Set(crate::domain::decimal::format(input.management_rate)),
        retention_fen: Set(c.retention.0),
        management_fen: Set(c.management.0),
        public_works_fen: Set(c.public_works.0),
        post_wages_fen: Set(c.post_wages.0),
        incentives_fen: Set(c.incentives.0),
        dividends_fen: Set(c.dividends.0),
        rule_json: Set(to_json(rule)?),
        warnings_json: Set(to_json(&c.warnings)?),
        state: Set(PlanState::Draft.as_str().into()),
        created_at: Set(now_text()),
        ..Default::default()
    })
}

/// The seals of plans just drafted, from their rows and their allocations' rows as written (run
/// on a blocking thread while the rows are being inserted). The rows come plan after plan.
fn sealed_drafts(plans: &[distributions::Model], rows: &[allocations::Model]) -> Result<super::seal::Seals> {
    let mut by_plan: HashMap<i32, &[allocations::Model]> = rows
        .chunk_by(|a, b| a.distribution_id == b.distribution_id)
        .map(|plan_rows| (plan_rows[0].distribution_id, plan_rows))
        .collect();
    let mut seals = super::seal::Seals::new();
    for plan in plans {
        let aggregate = Aggregate::Distribution(plan.id);
        super::seal::seal_written(&mut seals, &aggregate, "distributions", &[plan])?;
        let rows = by_plan.remove(&plan.id).unwrap_or_default();
        super::seal::seal_written(&mut seals, &aggregate, "allocations", rows)?;
    }
    Ok(seals)
}

/// A batch of drafts being sealed on a blocking thread.
type Sealing = tokio::task::JoinHandle<Result<super::seal::Seals>>;

/// Numbers a batch's allocation rows, starts sealing the batch's plans and rows, and writes the
/// rows while the seal runs.
async fn store_batch<C: ConnectionTrait>(
    db: &C,
    plans: Vec<distributions::Model>,
    mut rows: Vec<allocations::Model>,
) -> Result<Sealing> {
    allocation_rows::number(db, &mut rows).await?;
    let rows = std::sync::Arc::new(rows);
    let sealed = std::sync::Arc::clone(&rows);
    let sealing = tokio::task::spawn_blocking(move || sealed_drafts(&plans, &sealed));
    allocation_rows::write(db, &rows).await?;
    Ok(sealing)
}

/// Villages whose rosters [`rosters`] reads at once (about 6,000 households).
const ROSTER_GROUP: usize = 25;

/// A group of villages and their rosters on the record date.
type RosterGroup = (Vec<String>, HashMap<String, Vec<distribution::Member>>);

/// Reads the villages' rosters on the record date, [`ROSTER_GROUP`] villages at a time, on a
/// connection of the pool of its own, each group handed over as soon as it is read (two groups
/// ahead at most). Dropping the receiver stops it.
fn rosters(
    db: DatabaseConnection,
    codes: Vec<String>,
    date: NaiveDate,
) -> tokio::sync::mpsc::Receiver<Result<RosterGroup>> {
    let (tx, rx) = tokio::sync::mpsc::channel(2);
    tokio::spawn(async move {
        for group in codes.chunks(ROSTER_GROUP) {
            let read = households::members_of(&db, group, date).await;
            let failed = read.is_err();
            if tx.send(read.map(|m| (group.to_vec(), m))).await.is_err() || failed {
                break;
            }
        }
    });
    rx
}

/// Whether the stored rows are exactly the rows recomputed, ids aside (then resolving keeps them
/// as drafted).
fn same_allocations(stored: &[allocations::Model], fresh: &[allocations::Model]) -> bool {
    let by_household = |rows: &[allocations::Model]| {
        let mut rows: Vec<allocations::Model> =
            rows.iter().map(|r| allocations::Model { id: 0, ..r.clone() }).collect();
        rows.sort_by_key(|r| r.household_id);
        rows
    };
    by_household(stored) == by_household(fresh)
}

async fn check_available<C: ConnectionTrait>(db: &C, village: &str, amount: Fen, except: Option<i32>) -> Result<()> {
    let available = accounts::available(db, village, except).await?;
    if amount > available {
        return Err(Error::field(
            "amount",
            format!("分配金额 {amount} 元超过可分配余额 {available} 元"),
        ));
    }
    Ok(())
}

/// Drafts a plan and computes its preview.
///
/// # Errors
/// [`Error::Invalid`] naming the field (the amount above the undistributed balance, a pool below
/// zero, a household not in the village…), [`Error::Forbidden`] outside the village.
pub async fn create(store: &Store, actor: &Actor, input: NewPlan) -> Result<PlanView> {
    check_year(input.year)?;
    if input.amount.0 <= 0 {
        return Err(Error::field("amount", "分配金额应大于零"));
    }
    let w = store.write().await?;
    let village = regions::find_village(&*w, &input.village_code, "village_code").await?;
    actor.check_write(Duty::Village, &village)?;
    check_available(&*w, &village.code, input.amount, None).await?;
    let rule = StoredRule {
        posts: input.posts,
        incentives: input.incentives,
        dividend: input.dividend,
    };
    let plan_input = PlanInput {
        amount: input.amount,
        retention_rate: input.retention_rate.unwrap_or_default(),
        management_rate: input.management_rate.unwrap_or_default(),
        public_works: input.public_works.unwrap_or_default(),
        posts: rule.posts.clone(),
        incentives: rule.incentives.clone(),
        rule: rule.dividend.clone(),
    };
    let members = households::members_on(&*w, &village.code, input.record_date).await?;
    let c = distribution::compute(&plan_input, &members)?;
    let plan = draft_row(&village.code, input.year, input.record_date, &plan_input, &rule, &c)?
        .insert(&*w)
        .await?;
    let rows = allocation_rows::insert(&*w, allocation_rows::of_lines(plan.id, &c.lines)).await?;
    let v = assemble(&*w, plan, views_of(rows)).await?;
    audit::append(&*w, actor, "distribution.create", "distribution", v.id, &(), &v).await?;
    w.commit().await?;
    Ok(v)
}

/// `POST /distributions/drafts`: the year's draft plans (年度分配方案草案) for every village under
/// a region at once, each for the village's whole available balance.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDrafts {
    /// A county, township or village.
    pub region_code: String,
    pub year: i32,
    /// 基准日 of every plan.
    pub record_date: NaiveDate,
    #[serde(default, with = "crate::domain::decimal::option")]
    #[schema(value_type = Option<String>, example = "0.15")]
    pub retention_rate: Option<Decimal>,
    #[serde(default, with = "crate::domain::decimal::option")]
    #[schema(value_type = Option<String>, example = "0.05")]
    pub management_rate: Option<Decimal>,
    #[serde(default)]
    pub dividend: DividendRule,
}

/// Drafts a plan for every village under the region that has an available balance and no plan
/// for the year yet (cancelled ones aside), in one transaction with one audit entry: the rosters,
/// balances and existing plans are read once, the plans written 500 rows a statement and the
/// allocations in bulk ([`allocation_rows`]), each batch sealed from the rows as written (on a
/// blocking thread, while the next batch is written), nothing read back.
///
/// # Errors
/// [`Error::Invalid`] naming the field (no such region, a bad rate, a village whose split fails,
/// nothing to draft), [`Error::Forbidden`] when any of the villages is outside the actor's scope.
pub async fn draft_all(store: &Store, actor: &Actor, input: NewDrafts) -> Result<Vec<PlanSummary>> {
    use entity::regions as r;
    check_year(input.year)?;
    let w = store.write().await?;
    let root = regions::find(&*w, &input.region_code, "region_code").await?;
    let villages = r::Entity::find()
        .filter(r::Column::Level.eq(crate::domain::vocab::RegionLevel::Village.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(r::Column::Code.eq(&root.code))
                .add(r::Column::TownshipCode.eq(&root.code))
                .add(r::Column::CountyCode.eq(&root.code)),
        )
        .order_by_asc(r::Column::Code)
        .all(&*w)
        .await?;
    for v in &villages {
        actor.check_write(Duty::Village, v)?;
    }
    let codes: Vec<String> = villages.into_iter().map(|v| v.code).collect();
    let mut planned = std::collections::HashSet::new();
    for chunk in codes.chunks(500) {
        let rows: Vec<String> = distributions::Entity::find()
            .select_only()
            .column(distributions::Column::VillageCode)
            .filter(distributions::Column::VillageCode.is_in(chunk.iter().cloned()))
            .filter(distributions::Column::Year.eq(input.year))
            .filter(distributions::Column::State.ne(PlanState::Cancelled.as_str()))
            .into_tuple()
            .all(&*w)
            .await?;
        planned.extend(rows);
    }
    let available = accounts::available_of(&*w, &codes, None).await?;
    let amount_of = |code: &str| available.get(code).copied().unwrap_or_default();
    let todo: Vec<String> = codes
        .into_iter()
        .filter(|code| amount_of(code).0 > 0 && !planned.contains(code))
        .collect();
    if todo.is_empty() {
        return Err(Error::field(
            "region_code",
            format!("{} 辖区内没有可分配余额且本年度尚无方案的村", root.code),
        ));
    }
    let rule = StoredRule {
        posts: Vec::new(),
        incentives: Vec::new(),
        dividend: input.dividend,
    };
    // The rosters are read on another connection while the groups before are split and written:
    // from here this transaction holds the database, so that connection reads what this one would
    // (neither writes households nor their statuses).
    w.hold().await?;
    let mut groups = rosters(store.db.clone(), todo, input.record_date);
    let mut made = Vec::new();
    let mut plans = Vec::new();
    let mut rows = Vec::new();
    let mut sealing = Vec::new();
    while let Some(group) = groups.recv().await {
        let (codes, mut members) = group?;
        let mut batch = Vec::with_capacity(codes.len());
        let mut lines = HashMap::with_capacity(codes.len());
        for code in codes {
            let plan_input = PlanInput {
                amount: amount_of(&code),
                retention_rate: input.retention_rate.unwrap_or_default(),
                management_rate: input.management_rate.unwrap_or_default(),
                public_works: Fen(0),
                posts: Vec::new(),
                incentives: Vec::new(),
                rule: rule.dividend.clone(),
            };
            let roster = members.remove(&code).unwrap_or_default();
            let c = distribution::compute(&plan_input, &roster).map_err(|e| in_village(e, &code))?;
            batch.push(draft_row(&code, input.year, input.record_date, &plan_input, &rule, &c)?);
            lines.insert(code, c.lines);
        }
        // The group's plans in one statement, their rows back; their allocations a batch at a
        // time, each sealed on another thread while it is written.
        for plan in distributions::Entity::insert_many(batch)
            .exec_with_returning(&*w)
            .await?
        {
            let village_lines = lines
                .remove(&plan.village_code)
                .ok_or_else(|| Error::Internal(format!("plan of {} came back twice", plan.village_code)))?;
            rows.extend(allocation_rows::of_lines(plan.id, &village_lines));
            made.push(summary(plan.clone()));
            plans.push(plan);
            if rows.len() >= allocation_rows::BATCH {
                sealing.push(store_batch(&*w, std::mem::take(&mut plans), std::mem::take(&mut rows)).await?);
            }
        }
    }
    if !plans.is_empty() {
        sealing.push(store_batch(&*w, plans, rows).await?);
    }
    // Each plan is in one batch: the batches' seals name different aggregates.
    let mut seals = super::seal::Seals::new();
    for task in sealing {
        seals.extend(task.await.map_err(|e| Error::Internal(format!("sealing: {e}")))??);
    }
    made.sort_by_key(|p| p.id);
    let change = audit::Change::new("distribution.draft_all", "region", &root.code, &(), &made);
    audit::append_with_seals(&*w, actor, change, seals).await?;
    w.commit().await?;
    Ok(made)
}

/// A village's failed split, its messages naming the village.
fn in_village(e: Error, code: &str) -> Error {
    match e {
        Error::Invalid(errors) => Error::Invalid(
            errors
                .into_iter()
                .map(|f| FieldError {
                    field: f.field,
                    message: format!("村 {code}: {}", f.message),
                })
                .collect(),
        ),
        other => other,
    }
}

fn summary(p: distributions::Model) -> PlanSummary {
    PlanSummary {
        id: p.id,
        village_code: p.village_code,
        year: p.year,
        record_date: p.record_date,
        state: p.state,
        amount: Fen(p.amount_fen),
    }
}

async fn load<C: ConnectionTrait>(db: &C, id: i32) -> Result<distributions::Model> {
    distributions::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("分配方案"))
}

/// The plan as the API shows it.
///
/// # Errors
/// A database error or a stored rule that no longer parses.
pub async fn view<C: ConnectionTrait>(db: &C, p: distributions::Model) -> Result<PlanView> {
    let allocs = allocations::Entity::find()
        .filter(allocations::Column::DistributionId.eq(p.id))
        .order_by_asc(allocations::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(AllocationView::from)
        .collect();
    assemble(db, p, allocs).await
}

impl From<allocations::Model> for AllocationView {
    fn from(a: allocations::Model) -> AllocationView {
        AllocationView {
            household_id: a.household_id,
            number: a.number,
            head_name: a.head_name,
            members: a.members,
            status: a.status,
            labour: a.labour,
            weight: a.weight,
            dividend: Fen(a.dividend_fen),
            post_wage: Fen(a.post_wage_fen),
            incentive: Fen(a.incentive_fen),
            tax_withheld: Fen(a.tax_withheld_fen),
            total: Fen(a.total_fen),
        }
    }
}

/// The views of rows just computed and stored, in household-number order, as [`view`] would
/// read them back (spares reading a village's rows straight after writing them).
fn views_of(mut rows: Vec<allocations::Model>) -> Vec<AllocationView> {
    rows.sort_by(|a, b| a.number.cmp(&b.number));
    rows.into_iter().map(AllocationView::from).collect()
}

/// The plan with the given allocations and its recorded steps.
async fn assemble<C: ConnectionTrait>(
    db: &C,
    p: distributions::Model,
    allocations: Vec<AllocationView>,
) -> Result<PlanView> {
    let rule = stored_rule(&p)?;
    let warnings: Vec<Warning> = serde_json::from_str(&p.warnings_json).unwrap_or_default();
    let steps = distribution_steps::Entity::find()
        .filter(distribution_steps::Column::DistributionId.eq(p.id))
        .order_by_asc(distribution_steps::Column::Id)
        .all(db)
        .await?;
    Ok(PlanView {
        id: p.id,
        village_code: p.village_code,
        year: p.year,
        record_date: p.record_date,
        state: p.state,
        amount: Fen(p.amount_fen),
        retention_rate: p.retention_rate,
        management_rate: p.management_rate,
        public_works: Fen(p.public_works_fen),
        posts: rule.posts,
        incentives: rule.incentives,
        dividend: rule.dividend,
        dividend_pool: Fen(p.dividends_fen),
        parts: Parts {
            retention: Fen(p.retention_fen),
            management: Fen(p.management_fen),
            public_works: Fen(p.public_works_fen),
            post_wages: Fen(p.post_wages_fen),
            incentives: Fen(p.incentives_fen),
            dividends: Fen(p.dividends_fen),
        },
        warnings,
        steps: steps
            .into_iter()
            .map(|s| StepView {
                step: s.step,
                date: s.date,
                to: s.date_to,
                attendance: s.attendance,
                minutes_ref: s.minutes_ref,
                reference: s.reference,
                recorded_by: s.actor,
            })
            .collect(),
        allocations,
    })
}

/// Loads a plan the actor may read.
///
/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn load_in_scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i32,
) -> Result<(distributions::Model, entity::regions::Model)> {
    let p = load(db, id).await?;
    let village = regions::find(db, &p.village_code, "village_code").await?;
    actor.check_sees(&village)?;
    Ok((p, village))
}

/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn get(store: &Store, actor: &Actor, id: i32) -> Result<PlanView> {
    let (p, _) = load_in_scope(&store.db, actor, id).await?;
    view(&store.db, p).await
}

/// # Errors
/// A database error.
pub async fn list(store: &Store, actor: &Actor, f: &PlanFilter) -> Result<Vec<PlanSummary>> {
    let mut q = distributions::Entity::find().order_by_asc(distributions::Column::Id);
    if let Some(v) = &f.village_code {
        q = q.filter(distributions::Column::VillageCode.eq(v.clone()));
    }
    if let Some(y) = f.year {
        q = q.filter(distributions::Column::Year.eq(y));
    }
    if let Some(s) = &f.state {
        q = q.filter(distributions::Column::State.eq(s.clone()));
    }
    let mut out = Vec::new();
    let mut cache: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    for p in q.all(&store.db).await? {
        let visible = match cache.get(&p.village_code) {
            Some(v) => *v,
            None => {
                let v = entity::regions::Entity::find_by_id(p.village_code.clone())
                    .one(&store.db)
                    .await?
                    .is_some_and(|r| actor.sees(&r));
                cache.insert(p.village_code.clone(), v);
                v
            }
        };
        if visible {
            out.push(summary(p));
        }
    }
    Ok(out)
}

fn expect(p: &distributions::Model, allowed: &[PlanState], action: &str) -> Result<PlanState> {
    let state = PlanState::parse(&p.state).ok_or_else(|| Error::Internal(format!("bad state {}", p.state)))?;
    if allowed.contains(&state) {
        Ok(state)
    } else {
        Err(Error::conflict(
            "invalid_state",
            format!("方案当前状态为“{}”, 不能{action}", state.label()),
        ))
    }
}

/// The last recorded step of a kind.
async fn step_of<C: ConnectionTrait>(db: &C, id: i32, step: &str) -> Result<Option<distribution_steps::Model>> {
    Ok(distribution_steps::Entity::find()
        .filter(distribution_steps::Column::DistributionId.eq(id))
        .filter(distribution_steps::Column::Step.eq(step))
        .order_by_desc(distribution_steps::Column::Id)
        .one(db)
        .await?)
}

struct StepRecord<'a> {
    step: &'a str,
    date: NaiveDate,
    to: Option<NaiveDate>,
    attendance: Option<String>,
    minutes_ref: Option<String>,
    reference: Option<String>,
}

impl<'a> StepRecord<'a> {
    /// A step with a date and, for some, a reference (reviewer, filing number, payment batch, reason).
    fn dated(step: &'a str, date: NaiveDate, reference: Option<String>) -> Self {
        StepRecord {
            step,
            date,
            to: None,
            attendance: None,
            minutes_ref: None,
            reference,
        }
    }
}

async fn record<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32, r: StepRecord<'_>) -> Result<()> {
    distribution_steps::ActiveModel {
        distribution_id: Set(id),
        step: Set(r.step.into()),
        date: Set(r.date),
        date_to: Set(r.to),
        attendance: Set(r.attendance),
        minutes_ref: Set(r.minutes_ref),
        reference: Set(r.reference),
        actor: Set(Some(actor.username.clone())),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

async fn set_state<C: ConnectionTrait>(db: &C, p: distributions::Model, to: PlanState) -> Result<distributions::Model> {
    let mut am: distributions::ActiveModel = p.into();
    am.state = Set(to.as_str().into());
    Ok(am.update(db).await?)
}

/// Opens a write on a plan the actor may act on for `duty`.
async fn open(
    store: &Store,
    actor: &Actor,
    id: i32,
    duty: Duty,
) -> Result<(super::store::Write, distributions::Model)> {
    let w = store.write().await?;
    let (p, village) = load_in_scope(&*w, actor, id).await?;
    actor.check_write(duty, &village)?;
    Ok((w, p))
}

async fn finish(
    w: super::store::Write,
    actor: &Actor,
    p: distributions::Model,
    action: &str,
    detail: &impl Serialize,
) -> Result<PlanView> {
    audit::append(&*w, actor, action, "distribution", p.id, &(), detail).await?;
    let v = view(&*w, p).await?;
    w.commit().await?;
    Ok(v)
}

/// Records the four deliberations (四议) in order, recomputes the allocations as of the record date
/// and freezes them.
///
/// # Errors
/// [`Error::Invalid`] for missing or out-of-order steps, [`Error::Conflict`] unless a draft.
pub async fn resolve(store: &Store, actor: &Actor, id: i32, input: Resolve) -> Result<PlanView> {
    let mut errors = Vec::new();
    let mut dated = Vec::new();
    for (n, kind) in DeliberationStep::ALL.iter().enumerate() {
        let found: Vec<(usize, &StepInput)> = input
            .steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.step == *kind)
            .collect();
        match found.as_slice() {
            [(i, s)] => {
                if s.attendance.trim().is_empty() {
                    errors.push(FieldError {
                        field: format!("steps[{i}].attendance"),
                        message: "请填写到会情况, 如 \"21/25\"".into(),
                    });
                }
                if s.minutes_ref.trim().is_empty() {
                    errors.push(FieldError {
                        field: format!("steps[{i}].minutes_ref"),
                        message: "请填写会议记录编号".into(),
                    });
                }
                if let Some((_, prev)) = dated.last()
                    && s.date < *prev
                {
                    errors.push(FieldError {
                        field: format!("steps[{i}].date"),
                        message: format!("“{}”不能早于上一步", kind.label()),
                    });
                }
                dated.push((*s, s.date));
            }
            [] => errors.push(FieldError {
                field: "steps".into(),
                message: format!("缺少第{}步“{}”", n + 1, kind.label()),
            }),
            _ => errors.push(FieldError {
                field: "steps".into(),
                message: format!("“{}”重复", kind.label()),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (w, p) = open(store, actor, id, Duty::Village).await?;
    expect(&p, &[PlanState::Draft], "决议")?;
    check_available(&*w, &p.village_code, Fen(p.amount_fen), Some(p.id)).await?;
    let rule = stored_rule(&p)?;
    let members = households::members_on(&*w, &p.village_code, p.record_date).await?;
    let c = distribution::compute(&plan_input(&p, &rule), &members)?;
    let stored = allocations::Entity::find()
        .filter(allocations::Column::DistributionId.eq(p.id))
        .all(&*w)
        .await?;
    let fresh = allocation_rows::of_lines(p.id, &c.lines);
    let rows = if same_allocations(&stored, &fresh) {
        stored
    } else {
        allocations::Entity::delete_many()
            .filter(allocations::Column::DistributionId.eq(p.id))
            .exec(&*w)
            .await?;
        allocation_rows::insert(&*w, fresh).await?
    };
    for (s, _) in &dated {
        let r = StepRecord {
            step: s.step.as_str(),
            date: s.date,
            to: None,
            attendance: Some(s.attendance.trim().into()),
            minutes_ref: Some(s.minutes_ref.trim().into()),
            reference: None,
        };
        record(&*w, actor, p.id, r).await?;
    }
    let mut am: distributions::ActiveModel = p.into();
    am.state = Set(PlanState::Resolved.as_str().into());
    am.retention_fen = Set(c.retention.0);
    am.management_fen = Set(c.management.0);
    am.public_works_fen = Set(c.public_works.0);
    am.post_wages_fen = Set(c.post_wages.0);
    am.incentives_fen = Set(c.incentives.0);
    am.dividends_fen = Set(c.dividends.0);
    am.warnings_json = Set(to_json(&c.warnings)?);
    let p = am.update(&*w).await?;
    let lines: Vec<(String, String)> = c
        .lines
        .iter()
        .map(|l| (l.number.clone(), l.total.to_string()))
        .collect();
    audit::append(&*w, actor, "distribution.resolve", "distribution", p.id, &(), &lines).await?;
    let v = assemble(&*w, p, views_of(rows)).await?;
    w.commit().await?;
    Ok(v)
}

/// 决议公开: the notice period, at least 7 days counting both ends, from the resolution on.
///
/// # Errors
/// [`Error::Invalid`] for a short or early notice, [`Error::Conflict`] unless resolved.
pub async fn publicize(store: &Store, actor: &Actor, id: i32, input: Publicize) -> Result<PlanView> {
    if input.to < input.from {
        return Err(Error::field("to", "公示结束日不能早于开始日"));
    }
    if (input.to - input.from).num_days() + 1 < 7 {
        return Err(Error::field("to", "公示期不少于 7 天"));
    }
    let (w, p) = open(store, actor, id, Duty::Village).await?;
    expect(&p, &[PlanState::Resolved], "公示")?;
    let resolved = step_of(&*w, id, DeliberationStep::RepresentativesResolution.as_str()).await?;
    if resolved.is_some_and(|s| input.from < s.date) {
        return Err(Error::field("from", "公示不能早于村民代表会议决议日期"));
    }
    let r = StepRecord {
        to: Some(input.to),
        ..StepRecord::dated("publicize", input.from, None)
    };
    record(&*w, actor, id, r).await?;
    let p = set_state(&*w, p, PlanState::Publicized).await?;
    finish(w, actor, p, "distribution.publicize", &(input.from, input.to)).await
}

/// 乡镇审核, after the notice period has ended.
///
/// # Errors
/// [`Error::Invalid`] for a date inside the notice period, [`Error::Conflict`] unless publicized.
pub async fn review(store: &Store, actor: &Actor, id: i32, input: Review) -> Result<PlanView> {
    if input.reviewer.trim().is_empty() {
        return Err(Error::field("reviewer", "请填写审核单位或审核人"));
    }
    let (w, p) = open(store, actor, id, Duty::PlanApproval).await?;
    expect(&p, &[PlanState::Publicized], "审核")?;
    if let Some(notice) = step_of(&*w, id, "publicize").await?
        && notice.date_to.is_some_and(|to| input.date <= to)
    {
        return Err(Error::field("date", "公示期结束后才能审核"));
    }
    let r = StepRecord::dated("review", input.date, Some(input.reviewer.trim().into()));
    record(&*w, actor, id, r).await?;
    let p = set_state(&*w, p, PlanState::Reviewed).await?;
    finish(w, actor, p, "distribution.review", &input.reviewer).await
}

/// 县级备案.
///
/// # Errors
/// [`Error::Invalid`] for a date before the review, [`Error::Conflict`] unless reviewed.
pub async fn file(store: &Store, actor: &Actor, id: i32, input: File) -> Result<PlanView> {
    let (w, p) = open(store, actor, id, Duty::PlanApproval).await?;
    expect(&p, &[PlanState::Reviewed], "备案")?;
    if step_of(&*w, id, "review").await?.is_some_and(|s| input.date < s.date) {
        return Err(Error::field("date", "备案日期不能早于乡镇审核日期"));
    }
    let r = StepRecord::dated("file", input.date, Some(input.reference.clone()));
    record(&*w, actor, id, r).await?;
    let p = set_state(&*w, p, PlanState::Filed).await?;
    finish(w, actor, p, "distribution.file", &input.reference).await
}

/// 发放: debits the village account by the plan's parts, dated the record date.
///
/// # Errors
/// [`Error::Conflict`] unless filed, or when the balance no longer covers the plan.
pub async fn pay(store: &Store, actor: &Actor, id: i32, input: Pay) -> Result<PlanView> {
    let (w, p) = open(store, actor, id, Duty::Village).await?;
    expect(&p, &[PlanState::Filed], "发放")?;
    if step_of(&*w, id, "file").await?.is_some_and(|s| input.paid_on < s.date) {
        return Err(Error::field("paid_on", "发放日期不能早于县级备案日期"));
    }
    let available = accounts::available(&*w, &p.village_code, Some(p.id)).await?;
    if Fen(p.amount_fen) > available {
        return Err(Error::conflict(
            "insufficient_balance",
            format!("可分配余额 {available} 元不足以发放本方案"),
        ));
    }
    let distributed = Fen::sum([Fen(p.post_wages_fen), Fen(p.incentives_fen), Fen(p.dividends_fen)]).on("amount")?;
    let retained = Fen(p.retention_fen).checked_add(Fen(p.management_fen)).on("amount")?;
    for (kind, amount, memo) in [
        (
            accounts::DISTRIBUTED,
            distributed,
            "分配到户 (分红、公益岗位工资、奖励补助)",
        ),
        (accounts::RETAINED, retained, "集体留存及管理费"),
        (accounts::PUBLIC_WORKS, Fen(p.public_works_fen), "小型公益事业"),
    ] {
        if amount.0 == 0 {
            continue;
        }
        income_entries::ActiveModel {
            region_code: Set(Some(p.village_code.clone())),
            household_id: Set(None),
            entry_date: Set(p.record_date),
            year: Set(p.record_date.year()),
            kind: Set(kind.into()),
            amount_fen: Set(-amount.0),
            yield_id: Set(None),
            distribution_id: Set(Some(p.id)),
            asset_id: Set(None),
            memo: Set(format!("{}年度收益分配方案 #{}: {memo}", p.year, p.id)),
            ..Default::default()
        }
        .insert(&*w)
        .await?;
    }
    let r = StepRecord::dated("pay", input.paid_on, Some(input.reference.clone()));
    record(&*w, actor, id, r).await?;
    let p = set_state(&*w, p, PlanState::Paid).await?;
    finish(w, actor, p, "distribution.pay", &(input.paid_on, input.reference)).await
}

/// 结果公开.
///
/// # Errors
/// [`Error::Conflict`] unless paid.
pub async fn results(store: &Store, actor: &Actor, id: i32, input: Results) -> Result<PlanView> {
    let (w, p) = open(store, actor, id, Duty::Village).await?;
    expect(&p, &[PlanState::Paid], "公开结果")?;
    if step_of(&*w, id, "pay").await?.is_some_and(|s| input.date < s.date) {
        return Err(Error::field("date", "结果公开日期不能早于发放日期"));
    }
    let r = StepRecord::dated("results", input.date, None);
    record(&*w, actor, id, r).await?;
    let p = set_state(&*w, p, PlanState::ResultsPublicized).await?;
    finish(w, actor, p, "distribution.results", &input.date).await
}

/// Cancels a plan that has not been paid; a paid plan is corrected by a new reversing plan.
///
/// # Errors
/// [`Error::Conflict`] for a paid or cancelled plan.
pub async fn cancel(store: &Store, actor: &Actor, id: i32, input: Cancel) -> Result<PlanView> {
    if input.reason.trim().is_empty() {
        return Err(Error::field("reason", "请填写取消原因"));
    }
    let (w, p) = open(store, actor, id, Duty::PlanCancel).await?;
    expect(
        &p,
        &[
            PlanState::Draft,
            PlanState::Resolved,
            PlanState::Publicized,
            PlanState::Reviewed,
            PlanState::Filed,
        ],
        "取消",
    )?;
    let r = StepRecord::dated("cancel", today(), Some(input.reason.trim().into()));
    record(&*w, actor, id, r).await?;
    let p = set_state(&*w, p, PlanState::Cancelled).await?;
    finish(w, actor, p, "distribution.cancel", &input.reason).await
}

/// The payment roll for the bank (发放花名册): one row per household with a positive total, with
/// the full bank account (the caller masks it for roles that do not need it).
///
/// # Errors
/// [`Error::Conflict`] for a draft or cancelled plan, whose allocations are not frozen.
pub async fn payment_roll(store: &Store, actor: &Actor, id: i32) -> Result<Vec<reports::PaymentRow>> {
    let (p, _) = load_in_scope(&store.db, actor, id).await?;
    expect(
        &p,
        &[
            PlanState::Resolved,
            PlanState::Publicized,
            PlanState::Reviewed,
            PlanState::Filed,
            PlanState::Paid,
            PlanState::ResultsPublicized,
        ],
        "生成发放花名册",
    )?;
    let lines = allocations::Entity::find()
        .filter(allocations::Column::DistributionId.eq(id))
        .filter(allocations::Column::TotalFen.gt(0))
        .order_by_asc(allocations::Column::Number)
        .all(&store.db)
        .await?;
    let ids: Vec<i32> = lines.iter().map(|l| l.household_id).collect();
    let mut accounts = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for h in entity::households::Entity::find()
            .filter(entity::households::Column::Id.is_in(chunk.to_vec()))
            .all(&store.db)
            .await?
        {
            accounts.insert(h.id, h.bank_account);
        }
    }
    Ok(lines
        .into_iter()
        .map(|l| reports::PaymentRow {
            household_number: l.number,
            head_name: l.head_name,
            bank_account: accounts.remove(&l.household_id).unwrap_or_default(),
            amount_fen: l.total_fen,
        })
        .collect())
}
