//! Documents people sign and post: the household statement (收益分配到户明细单), the village public
//! notice (收益分配公示表), and the verification code printed on each statement (核验码). This
//! module gathers the plain data; `reports` renders it.

use super::distributions::load_in_scope;
use super::{Actor, Store};
use crate::domain::allocation::allocate;
use crate::domain::identity::mask_id_number;
use crate::domain::vocab::{DeliberationStep, HouseholdStatus, Labour, PlanState};
use crate::domain::{Error, Fen, OnField, Result};
use entity::{allocations, assets, distribution_steps, distributions, households, income_entries, regions};
use reports::pdf::{Notice, NoticeLine, Statement, StatementAsset};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The national supervision hotline for poverty-relief funds (全国扶贫监督举报电话), printed on
/// every notice unless `RELIEF_SUPERVISION_PHONE` names a local one.
const SUPERVISION_PHONE: &str = "12317";

/// The verification code of one household's line: plan, household and a hash over the amounts, so a
/// printed statement whose figures were altered no longer matches the ledger.
pub fn verification_code(a: &allocations::Model) -> String {
    let text = format!(
        "{}|{}|{}|{}|{}|{}|{}|{}",
        a.distribution_id,
        a.household_id,
        a.number,
        a.dividend_fen,
        a.post_wage_fen,
        a.incentive_fen,
        a.tax_withheld_fen,
        a.total_fen
    );
    let digest = hex::encode_upper(Sha256::digest(text.as_bytes()));
    format!("{}-{}-{}", a.distribution_id, a.household_id, &digest[..8])
}

/// What `GET /verify/{code}` answers: the ledger's figures for the line the code names.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verified {
    pub valid: bool,
    pub distribution_id: i32,
    pub village_code: String,
    pub year: i32,
    pub state: String,
    pub household_number: String,
    #[schema(value_type = String)]
    pub total: Fen,
}

/// Confirms a verification code against the ledger.
///
/// # Errors
/// [`Error::NotFound`] when the code names no line or its hash does not match the ledger.
pub async fn verify(store: &Store, code: &str) -> Result<Verified> {
    let mut parts = code.trim().splitn(3, '-');
    let (Some(plan), Some(household), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(Error::NotFound("核验码"));
    };
    let (Ok(plan), Ok(household)) = (plan.parse::<i32>(), household.parse::<i32>()) else {
        return Err(Error::NotFound("核验码"));
    };
    let line = allocations::Entity::find()
        .filter(allocations::Column::DistributionId.eq(plan))
        .filter(allocations::Column::HouseholdId.eq(household))
        .one(&store.db)
        .await?
        .ok_or(Error::NotFound("核验码"))?;
    if !verification_code(&line).eq_ignore_ascii_case(code.trim()) {
        return Err(Error::NotFound("核验码"));
    }
    let p = distributions::Entity::find_by_id(plan)
        .one(&store.db)
        .await?
        .ok_or(Error::NotFound("核验码"))?;
    Ok(Verified {
        valid: true,
        distribution_id: p.id,
        village_code: p.village_code,
        year: p.year,
        state: p.state,
        household_number: line.number,
        total: Fen(line.total_fen),
    })
}

/// Names of the village, its township and county.
async fn place<C: ConnectionTrait>(db: &C, village: &regions::Model) -> Result<(String, String, String)> {
    let name = |code: &Option<String>| {
        let code = code.clone();
        async move {
            match code {
                Some(c) => Ok::<_, Error>(
                    regions::Entity::find_by_id(c)
                        .one(db)
                        .await?
                        .map(|r| r.name)
                        .unwrap_or_default(),
                ),
                None => Ok(String::new()),
            }
        }
    };
    Ok((
        name(&village.county_code).await?,
        name(&village.township_code).await?,
        village.name.clone(),
    ))
}

/// A plan whose allocations are frozen, with its village and step records.
struct Frozen {
    plan: distributions::Model,
    village: regions::Model,
    steps: Vec<distribution_steps::Model>,
    lines: Vec<allocations::Model>,
}

async fn frozen(store: &Store, actor: &Actor, id: i32) -> Result<Frozen> {
    let (plan, village) = load_in_scope(&store.db, actor, id).await?;
    let state = PlanState::parse(&plan.state).unwrap_or(PlanState::Draft);
    if matches!(state, PlanState::Draft | PlanState::Cancelled) {
        return Err(Error::conflict(
            "invalid_state",
            format!("方案状态为“{}”, 分配尚未冻结, 不能出具文书", state.label()),
        ));
    }
    let steps = distribution_steps::Entity::find()
        .filter(distribution_steps::Column::DistributionId.eq(id))
        .order_by_asc(distribution_steps::Column::Id)
        .all(&store.db)
        .await?;
    let lines = allocations::Entity::find()
        .filter(allocations::Column::DistributionId.eq(id))
        .order_by_asc(allocations::Column::Number)
        .all(&store.db)
        .await?;
    Ok(Frozen {
        plan,
        village,
        steps,
        lines,
    })
}

fn step<'a>(steps: &'a [distribution_steps::Model], kind: &str) -> Option<&'a distribution_steps::Model> {
    steps.iter().rev().find(|s| s.step == kind)
}

fn status_label(s: &str) -> String {
    HouseholdStatus::parse(s).map_or(s, |v| v.label()).to_string()
}

/// The village's income by asset that a dividend is traced back to: the credits of the plan's year,
/// or of every year when that one has none; each asset weighted by what it brought (losses count 0).
async fn income_by_asset<C: ConnectionTrait>(db: &C, p: &distributions::Model) -> Result<Vec<(assets::Model, i64)>> {
    let entries = income_entries::Entity::find()
        .filter(income_entries::Column::RegionCode.eq(p.village_code.clone()))
        .filter(income_entries::Column::AssetId.is_not_null())
        .all(db)
        .await?;
    let sum_by = |same_year: bool| {
        let mut m: HashMap<i32, i64> = HashMap::new();
        for e in entries.iter().filter(|e| !same_year || e.year == p.year) {
            *m.entry(e.asset_id.unwrap_or_default()).or_default() += e.amount_fen;
        }
        m.retain(|_, v| *v > 0);
        m
    };
    let mut by_asset = sum_by(true);
    if by_asset.is_empty() {
        by_asset = sum_by(false);
    }
    let ids: Vec<i32> = by_asset.keys().copied().collect();
    let mut rows = assets::Entity::find()
        .filter(assets::Column::Id.is_in(ids))
        .all(db)
        .await?;
    rows.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(rows
        .into_iter()
        .map(|a| {
            let weight = by_asset.get(&a.id).copied().unwrap_or(0);
            (a, weight)
        })
        .collect())
}

/// Every household statement of a plan, in household-number order.
///
/// # Errors
/// [`Error::Conflict`] for a draft or cancelled plan; scope errors.
pub async fn statements(store: &Store, actor: &Actor, id: i32, only: Option<i32>) -> Result<Vec<Statement>> {
    let f = frozen(store, actor, id).await?;
    let (county, township, village) = place(&store.db, &f.village).await?;
    let sources = income_by_asset(&store.db, &f.plan).await?;
    let weights: Vec<i64> = sources.iter().map(|(_, w)| *w).collect();
    let resolution = step(&f.steps, DeliberationStep::RepresentativesResolution.as_str()).map(|s| s.date.to_string());
    let paid = step(&f.steps, "pay");
    let lines: Vec<&allocations::Model> = f
        .lines
        .iter()
        .filter(|l| only.is_none_or(|h| l.household_id == h))
        .collect();
    if only.is_some() && lines.is_empty() {
        return Err(Error::NotFound("该户的分配明细"));
    }
    let ids: Vec<i32> = lines.iter().map(|l| l.household_id).collect();
    let id_numbers: HashMap<i32, String> = households::Entity::find()
        .filter(households::Column::Id.is_in(ids))
        .all(&store.db)
        .await?
        .into_iter()
        .map(|h| (h.id, h.id_number))
        .collect();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let traced = if weights.iter().any(|w| *w > 0) && l.dividend_fen > 0 {
            allocate(Fen(l.dividend_fen), &weights).on("dividend")?
        } else {
            vec![Fen::ZERO; weights.len()]
        };
        out.push(Statement {
            county: county.clone(),
            township: township.clone(),
            village: village.clone(),
            year: f.plan.year,
            plan_id: f.plan.id,
            resolution_date: resolution.clone(),
            household_number: l.number.clone(),
            head_name: l.head_name.clone(),
            members: l.members,
            id_number_masked: mask_id_number(id_numbers.get(&l.household_id).map_or("", String::as_str)),
            status_label: status_label(&l.status),
            labour_label: Labour::parse(&l.labour)
                .map_or(l.labour.as_str(), |v| v.label())
                .to_string(),
            dividend_fen: l.dividend_fen,
            post_wage_fen: l.post_wage_fen,
            incentive_fen: l.incentive_fen,
            tax_withheld_fen: l.tax_withheld_fen,
            total_fen: l.total_fen,
            assets: sources
                .iter()
                .zip(traced)
                .filter(|(_, part)| part.0 != 0)
                .map(|((a, _), part)| StatementAsset {
                    asset_code: a.code.clone(),
                    asset_name: a.name.clone(),
                    amount_fen: part.0,
                })
                .collect(),
            paid_on: paid.map(|s| s.date.to_string()),
            payment_reference: paid.and_then(|s| s.reference.clone()),
            verification_code: verification_code(l),
        });
    }
    Ok(out)
}

/// The village public notice of a plan.
///
/// # Errors
/// [`Error::Conflict`] for a draft or cancelled plan; scope errors.
pub async fn notice(store: &Store, actor: &Actor, id: i32) -> Result<Notice> {
    let f = frozen(store, actor, id).await?;
    let (county, township, village) = place(&store.db, &f.village).await?;
    let ids: Vec<i32> = f.lines.iter().map(|l| l.household_id).collect();
    let id_numbers: HashMap<i32, String> = households::Entity::find()
        .filter(households::Column::Id.is_in(ids))
        .all(&store.db)
        .await?
        .into_iter()
        .map(|h| (h.id, h.id_number))
        .collect();
    let publicized = step(&f.steps, "publicize");
    let p = &f.plan;
    Ok(Notice {
        county,
        township,
        village,
        year: p.year,
        plan_id: p.id,
        amount_fen: p.amount_fen,
        retention_fen: p.retention_fen,
        management_fen: p.management_fen,
        public_works_fen: p.public_works_fen,
        post_wages_fen: p.post_wages_fen,
        incentives_fen: p.incentives_fen,
        dividends_fen: p.dividends_fen,
        notice_from: publicized.map(|s| s.date.to_string()),
        notice_to: publicized.and_then(|s| s.date_to).map(|d| d.to_string()),
        deliberations: DeliberationStep::ALL
            .iter()
            .map(|k| {
                (
                    k.label().to_string(),
                    step(&f.steps, k.as_str())
                        .map(|s| s.date.to_string())
                        .unwrap_or_default(),
                )
            })
            .collect(),
        supervision_phone: std::env::var("RELIEF_SUPERVISION_PHONE").unwrap_or_else(|_| SUPERVISION_PHONE.into()),
        lines: f
            .lines
            .iter()
            .map(|l| NoticeLine {
                number: l.number.clone(),
                head_name: l.head_name.clone(),
                id_number_masked: mask_id_number(id_numbers.get(&l.household_id).map_or("", String::as_str)),
                members: l.members,
                status_label: status_label(&l.status),
                weight: l.weight.clone(),
                dividend_fen: l.dividend_fen,
                post_wage_fen: l.post_wage_fen,
                incentive_fen: l.incentive_fen,
                total_fen: l.total_fen,
            })
            .collect(),
    })
}

/// The plans of a county (or any region) and year, for batch printing.
///
/// # Errors
/// Scope errors.
pub async fn plans_of(store: &Store, actor: &Actor, region: &str, year: i32) -> Result<Vec<i32>> {
    let codes = super::regions::subtree_codes(store, actor, Some(region)).await?;
    let plans = distributions::Entity::find()
        .filter(distributions::Column::Year.eq(year))
        .order_by_asc(distributions::Column::Id)
        .all(&store.db)
        .await?;
    let frozen = |s: &str| {
        !matches!(
            PlanState::parse(s),
            Some(PlanState::Draft | PlanState::Cancelled) | None
        )
    };
    Ok(plans
        .into_iter()
        .filter(|p| codes.contains(&p.village_code) && frozen(&p.state))
        .map(|p| p.id)
        .collect())
}
