//! Asset life (后续管理): status with history, operation contracts (经营合同), caretakers
//! (管护责任人) and disposal (处置) with its approval chain and proceeds credited to the owners.

use super::access::Duty;
use super::assets::{AssetView, asset_views, load_in_scope, owners_on, periods_of};
use super::{Actor, Store, audit, now_text, regions};
use crate::domain::allocation::allocate;
use crate::domain::vocab::{AssetStatus, DisposalMethod, OperationMode, RegionLevel, Role};
use crate::domain::{Error, Fen, FieldError, OnField, Result};
use chrono::{Datelike, NaiveDate};
use entity::{asset_caretakers, asset_disposals, asset_operations, asset_statuses, assets, income_entries};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /assets/{id}/status` — `disposed` only through disposal.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusChange {
    pub status: AssetStatus,
    pub effective_date: NaiveDate,
    #[serde(default)]
    pub reason: String,
}

/// `POST /assets/{id}/operation` — starts a contract; the previous one ends the day before.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewOperation {
    pub operation_mode: OperationMode,
    pub operator: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The yearly rent or guaranteed return the contract promises.
    #[schema(value_type = String, example = "30000.00")]
    pub annual_amount: Fen,
    #[serde(default)]
    pub contract_ref: String,
}

/// `POST /assets/{id}/caretaker`
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewCaretaker {
    pub name: String,
    #[serde(default)]
    pub phone: String,
    pub from: NaiveDate,
}

/// One approval of a disposal (村 → 乡镇 → 县).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Approval {
    pub level: RegionLevel,
    pub date: NaiveDate,
    #[serde(default)]
    pub reference: String,
}

/// `POST /assets/{id}/disposal`
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewDisposal {
    pub disposed_on: NaiveDate,
    pub method: DisposalMethod,
    #[schema(value_type = String, example = "0.00")]
    pub proceeds: Fen,
    pub approvals: Vec<Approval>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatusEntry {
    pub status: String,
    pub effective_date: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationView {
    pub id: i32,
    pub operation_mode: String,
    pub operator: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    #[schema(value_type = String)]
    pub annual_amount: Fen,
    pub contract_ref: String,
    pub superseded_by: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaretakerView {
    pub name: String,
    pub phone: String,
    pub from: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreditView {
    pub region_code: Option<String>,
    pub household_id: Option<i32>,
    #[schema(value_type = String)]
    pub amount: Fen,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisposalView {
    pub disposed_on: NaiveDate,
    pub method: String,
    #[schema(value_type = String)]
    pub proceeds: Fen,
    pub approvals: Vec<Approval>,
    pub credits: Vec<CreditView>,
}

/// `GET /assets/{id}`: the asset with its whole life.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssetDetail {
    #[serde(flatten)]
    pub asset: AssetView,
    pub status_history: Vec<StatusEntry>,
    pub operations: Vec<OperationView>,
    pub caretakers: Vec<CaretakerView>,
    pub disposal: Option<DisposalView>,
}

/// Masks a phone number as `138****5678` for roles that do not call caretakers.
fn mask_phone(phone: &str, actor: &Actor) -> String {
    if matches!(actor.role, Role::Admin | Role::CountyStaff | Role::VillageAccountant) || phone.chars().count() < 7 {
        return phone.to_string();
    }
    let chars: Vec<char> = phone.chars().collect();
    let n = chars.len();
    format!(
        "{}****{}",
        chars[..3].iter().collect::<String>(),
        chars[n - 4..].iter().collect::<String>()
    )
}

async fn operations_of<C: ConnectionTrait>(db: &C, id: i32) -> Result<Vec<asset_operations::Model>> {
    Ok(asset_operations::Entity::find()
        .filter(asset_operations::Column::AssetId.eq(id))
        .order_by_asc(asset_operations::Column::Start)
        .order_by_asc(asset_operations::Column::Id)
        .all(db)
        .await?)
}

fn operation_view(o: asset_operations::Model) -> OperationView {
    OperationView {
        id: o.id,
        operation_mode: o.operation_mode,
        operator: o.operator,
        start: o.start,
        end: o.end,
        annual_amount: Fen(o.annual_amount_fen),
        contract_ref: o.contract_ref,
        superseded_by: o.superseded_by,
    }
}

async fn disposal_of<C: ConnectionTrait>(db: &C, id: i32) -> Result<Option<DisposalView>> {
    let Some(d) = asset_disposals::Entity::find()
        .filter(asset_disposals::Column::AssetId.eq(id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let credits = income_entries::Entity::find()
        .filter(income_entries::Column::AssetId.eq(id))
        .filter(income_entries::Column::Kind.eq("disposal"))
        .order_by_asc(income_entries::Column::Id)
        .all(db)
        .await?;
    Ok(Some(DisposalView {
        disposed_on: d.disposed_on,
        method: d.method,
        proceeds: Fen(d.proceeds_fen),
        approvals: serde_json::from_str(&d.approvals_json).unwrap_or_default(),
        credits: credits
            .into_iter()
            .map(|c| CreditView {
                region_code: c.region_code,
                household_id: c.household_id,
                amount: Fen(c.amount_fen),
            })
            .collect(),
    }))
}

/// The asset with its status history, contracts, caretakers, owners and disposal.
///
/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn detail<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> Result<AssetDetail> {
    let a = load_in_scope(db, actor, id).await?;
    let asset = asset_views(db, vec![a]).await?.remove(0);
    let statuses = asset_statuses::Entity::find()
        .filter(asset_statuses::Column::AssetId.eq(id))
        .order_by_asc(asset_statuses::Column::EffectiveDate)
        .order_by_asc(asset_statuses::Column::Id)
        .all(db)
        .await?;
    let caretakers = asset_caretakers::Entity::find()
        .filter(asset_caretakers::Column::AssetId.eq(id))
        .order_by_asc(asset_caretakers::Column::From)
        .all(db)
        .await?;
    Ok(AssetDetail {
        status_history: statuses
            .into_iter()
            .map(|s| StatusEntry {
                status: s.status,
                effective_date: s.effective_date,
                reason: s.reason,
            })
            .collect(),
        operations: operations_of(db, id).await?.into_iter().map(operation_view).collect(),
        caretakers: caretakers
            .into_iter()
            .map(|c| CaretakerView {
                phone: mask_phone(&c.phone, actor),
                name: c.name,
                from: c.from,
            })
            .collect(),
        disposal: disposal_of(db, id).await?,
        asset,
    })
}

/// Opens a write on an asset the actor may manage that has not been disposed of.
async fn open_live(store: &Store, actor: &Actor, id: i32) -> Result<(super::store::Write, assets::Model)> {
    let w = store.write().await?;
    let asset = load_in_scope(&*w, actor, id).await?;
    let county = regions::find(&*w, &asset.county_code, "county_code").await?;
    actor.check_write(Duty::County, &county)?;
    if asset.status == AssetStatus::Disposed.as_str() {
        return Err(Error::conflict("disposed", "资产已处置, 不能再变更"));
    }
    Ok((w, asset))
}

async fn finish(
    w: super::store::Write,
    actor: &Actor,
    id: i32,
    action: &str,
    after: &impl Serialize,
) -> Result<AssetDetail> {
    audit::append(&*w, actor, action, "asset", id, &(), after).await?;
    let d = detail(&*w, actor, id).await?;
    w.commit().await?;
    Ok(d)
}

/// Records a status (在用/闲置/损毁) from a date.
///
/// # Errors
/// [`Error::Invalid`] for `disposed` or a date before the last change; [`Error::Conflict`] once
/// disposed.
pub async fn change_status(store: &Store, actor: &Actor, id: i32, input: StatusChange) -> Result<AssetDetail> {
    if input.status == AssetStatus::Disposed {
        return Err(Error::field(
            "status",
            "“已处置”只能通过处置登记 (POST /assets/{id}/disposal) 产生",
        ));
    }
    let (w, asset) = open_live(store, actor, id).await?;
    let last = asset_statuses::Entity::find()
        .filter(asset_statuses::Column::AssetId.eq(id))
        .order_by_desc(asset_statuses::Column::EffectiveDate)
        .one(&*w)
        .await?;
    if last.is_some_and(|l| input.effective_date < l.effective_date) || input.effective_date < asset.formed_on {
        return Err(Error::field(
            "effective_date",
            "生效日期不能早于上一次状态变更或资产形成日期",
        ));
    }
    asset_statuses::ActiveModel {
        asset_id: Set(id),
        status: Set(input.status.as_str().into()),
        effective_date: Set(input.effective_date),
        reason: Set(input.reason.trim().into()),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    let mut am: assets::ActiveModel = asset.into();
    am.status = Set(input.status.as_str().into());
    am.update(&*w).await?;
    finish(
        w,
        actor,
        id,
        "asset.status",
        &(input.status, input.effective_date, input.reason),
    )
    .await
}

/// Starts an operation contract; the previous one ends the day before `start`.
///
/// # Errors
/// [`Error::Invalid`] for an end before the start or a start not after the previous contract's.
pub async fn start_operation(store: &Store, actor: &Actor, id: i32, input: NewOperation) -> Result<AssetDetail> {
    let mut errors = Vec::new();
    if input.end < input.start {
        errors.push(FieldError {
            field: "end".into(),
            message: "合同结束日不能早于开始日".into(),
        });
    }
    if input.operator.trim().is_empty() {
        errors.push(FieldError {
            field: "operator".into(),
            message: "请填写经营主体".into(),
        });
    }
    if input.annual_amount.is_negative() {
        errors.push(FieldError {
            field: "annual_amount".into(),
            message: "金额不能为负数".into(),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let (w, asset) = open_live(store, actor, id).await?;
    let previous = operations_of(&*w, id)
        .await?
        .into_iter()
        .rfind(|o| o.superseded_by.is_none());
    if let Some(prev) = &previous
        && input.start <= prev.start
    {
        return Err(Error::field(
            "start",
            format!("新合同应晚于上一份合同的开始日 {}", prev.start),
        ));
    }
    let op = asset_operations::ActiveModel {
        asset_id: Set(id),
        operation_mode: Set(input.operation_mode.as_str().into()),
        operator: Set(input.operator.trim().into()),
        start: Set(input.start),
        end: Set(input.end),
        annual_amount_fen: Set(input.annual_amount.0),
        contract_ref: Set(input.contract_ref.trim().into()),
        superseded_by: Set(None),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    if let Some(prev) = previous {
        let day_before = input.start.pred_opt().unwrap_or(input.start);
        let mut am: asset_operations::ActiveModel = prev.clone().into();
        am.superseded_by = Set(Some(op.id));
        if prev.end > day_before {
            am.end = Set(day_before);
        }
        am.update(&*w).await?;
    }
    let mut am: assets::ActiveModel = asset.into();
    am.operation_mode = Set(Some(input.operation_mode.as_str().into()));
    am.operator = Set(Some(input.operator.trim().into()));
    am.update(&*w).await?;
    finish(w, actor, id, "asset.operation", &operation_view(op)).await
}

/// Names a caretaker from a date.
///
/// # Errors
/// [`Error::Invalid`] for an empty name.
pub async fn caretaker(store: &Store, actor: &Actor, id: i32, input: NewCaretaker) -> Result<AssetDetail> {
    if input.name.trim().is_empty() {
        return Err(Error::field("name", "请填写管护责任人姓名"));
    }
    let (w, _) = open_live(store, actor, id).await?;
    asset_caretakers::ActiveModel {
        asset_id: Set(id),
        name: Set(input.name.trim().into()),
        phone: Set(input.phone.trim().into()),
        from: Set(input.from),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    finish(w, actor, id, "asset.caretaker", &(input.name.trim(), input.from)).await
}

/// Checks the approval chain: village, township and county, in that order, none after disposal.
fn check_approvals(input: &NewDisposal) -> Result<()> {
    let order = [RegionLevel::Village, RegionLevel::Township, RegionLevel::County];
    let mut last: Option<NaiveDate> = None;
    for level in order {
        let found: Vec<&Approval> = input.approvals.iter().filter(|a| a.level == level).collect();
        let [approval] = found.as_slice() else {
            return Err(Error::field(
                "approvals",
                format!("需要且仅需要一条{}级审批", level.label()),
            ));
        };
        if last.is_some_and(|d| approval.date < d) {
            return Err(Error::field("approvals", "审批应依次为村、乡镇、县, 日期不能倒序"));
        }
        if approval.date > input.disposed_on {
            return Err(Error::field("approvals", "审批日期不能晚于处置日期"));
        }
        last = Some(approval.date);
    }
    if input.approvals.len() != order.len() {
        return Err(Error::field("approvals", "审批应为村、乡镇、县三级各一条"));
    }
    Ok(())
}

/// Disposes of an asset; the proceeds are credited to the owners of that day by share, in the year
/// of `disposed_on`, and the asset changes nothing more.
///
/// # Errors
/// [`Error::Invalid`] naming `approvals` or `proceeds`; [`Error::Conflict`] when already disposed
/// or, with proceeds, unconfirmed on that day.
pub async fn dispose(store: &Store, actor: &Actor, id: i32, input: NewDisposal) -> Result<AssetDetail> {
    if input.proceeds.is_negative() {
        return Err(Error::field("proceeds", "处置收入不能为负数"));
    }
    check_approvals(&input)?;
    let (w, asset) = open_live(store, actor, id).await?;
    if input.disposed_on < asset.formed_on {
        return Err(Error::field("disposed_on", "处置日期不能早于资产形成日期"));
    }
    let periods = periods_of(&*w, &[id]).await?.remove(&id).unwrap_or_default();
    let owners = owners_on(&periods, input.disposed_on)
        .map(|p| p.owners.clone())
        .unwrap_or_default();
    if owners.is_empty() && input.proceeds.0 != 0 {
        return Err(Error::conflict_on(
            "unconfirmed",
            "disposed_on",
            "处置日资产尚未确权, 处置收入无法入账",
        ));
    }
    asset_disposals::ActiveModel {
        asset_id: Set(id),
        disposed_on: Set(input.disposed_on),
        method: Set(input.method.as_str().into()),
        proceeds_fen: Set(input.proceeds.0),
        approvals_json: Set(serde_json::to_string(&input.approvals).map_err(|e| Error::Internal(e.to_string()))?),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    if !owners.is_empty() {
        let weights: Vec<i64> = owners.iter().map(|o| o.investment.0).collect();
        let parts = allocate(input.proceeds, &weights).on("proceeds")?;
        for (o, amount) in owners.iter().zip(parts) {
            income_entries::ActiveModel {
                region_code: Set(o.region_code.clone()),
                household_id: Set(o.household_id),
                entry_date: Set(input.disposed_on),
                year: Set(input.disposed_on.year()),
                kind: Set("disposal".into()),
                amount_fen: Set(amount.0),
                yield_id: Set(None),
                distribution_id: Set(None),
                asset_id: Set(Some(id)),
                memo: Set(format!("{}{} 处置收入", asset.name, input.method.label())),
                ..Default::default()
            }
            .insert(&*w)
            .await?;
        }
    }
    let mut am: assets::ActiveModel = asset.into();
    am.status = Set(AssetStatus::Disposed.as_str().into());
    am.update(&*w).await?;
    finish(
        w,
        actor,
        id,
        "asset.disposal",
        &(input.method, input.disposed_on, input.proceeds),
    )
    .await
}

/// The contracts of the given assets (for the watch lists).
///
/// # Errors
/// A database error.
pub async fn contracts_of<C: ConnectionTrait>(db: &C, asset_ids: &[i32]) -> Result<Vec<asset_operations::Model>> {
    let mut out = Vec::new();
    for chunk in asset_ids.chunks(500) {
        out.extend(
            asset_operations::Entity::find()
                .filter(asset_operations::Column::AssetId.is_in(chunk.to_vec()))
                .order_by_asc(asset_operations::Column::Start)
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(level: RegionLevel, date: &str) -> Approval {
        Approval {
            level,
            date: date.parse().unwrap(),
            reference: "批复".into(),
        }
    }

    fn disposal(approvals: Vec<Approval>) -> NewDisposal {
        NewDisposal {
            disposed_on: "2025-06-30".parse().unwrap(),
            method: DisposalMethod::Scrap,
            proceeds: Fen(0),
            approvals,
        }
    }

    #[test]
    fn a_disposal_needs_village_township_and_county_in_order() {
        let ok = disposal(vec![
            approval(RegionLevel::Village, "2025-06-01"),
            approval(RegionLevel::Township, "2025-06-10"),
            approval(RegionLevel::County, "2025-06-20"),
        ]);
        assert!(check_approvals(&ok).is_ok());
        let missing = disposal(vec![
            approval(RegionLevel::Village, "2025-06-01"),
            approval(RegionLevel::County, "2025-06-20"),
        ]);
        assert!(check_approvals(&missing).is_err());
        let reversed = disposal(vec![
            approval(RegionLevel::Village, "2025-06-11"),
            approval(RegionLevel::Township, "2025-06-10"),
            approval(RegionLevel::County, "2025-06-20"),
        ]);
        assert!(check_approvals(&reversed).is_err());
        let late = disposal(vec![
            approval(RegionLevel::Village, "2025-06-01"),
            approval(RegionLevel::Township, "2025-06-10"),
            approval(RegionLevel::County, "2025-07-01"),
        ]);
        assert!(check_approvals(&late).is_err());
    }

    #[test]
    fn a_phone_is_masked_for_auditors() {
        let auditor = Actor {
            user_id: 1,
            username: "a".into(),
            role: Role::Auditor,
            region_code: None,
        };
        assert_eq!(mask_phone("13812345678", &auditor), "138****5678");
    }
}
