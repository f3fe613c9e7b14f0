//! Yields (资产收益): revenue minus deductions, split to the owners of the day the period ends by
//! share, each credit entered in the owner's income account. Posted yields are never edited: a
//! mistake is reversed by a counter-entry (红字冲销) that says what it reverses.

use super::access::Duty;
use super::assets::{load_in_scope, owners_on, periods_of};
use super::{Actor, Store, audit, now_text, regions, today};
use crate::domain::allocation::allocate;
use crate::domain::money::yuan_product_to_fen;
use crate::domain::vocab::{AssetStatus, YieldKind};
use crate::domain::{Error, Fen, FieldError, OnField, Result};
use chrono::{Datelike, NaiveDate};
use entity::{income_entries, yield_credits, yields};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 扣除项: O&M, land or roof rent, taxes and fees, insurance, other.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct Deductions {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub om: Option<Fen>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub rent: Option<Fen>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub tax: Option<Fen>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub insurance: Option<Fen>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub other: Option<Fen>,
}

impl Deductions {
    fn items(&self) -> [(&'static str, Fen); 5] {
        let z = |f: Option<Fen>| f.unwrap_or(Fen::ZERO);
        [
            ("om", z(self.om)),
            ("rent", z(self.rent)),
            ("tax", z(self.tax)),
            ("insurance", z(self.insurance)),
            ("other", z(self.other)),
        ]
    }
}

/// `POST /assets/{id}/yields`
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewYield {
    pub kind: YieldKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// When the money arrived; left out, the yield is a receivable (e.g. 国补 paid a year late) and
    /// is credited when `POST /yields/{id}/receive` records its arrival.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "12000.00")]
    pub revenue: Option<Fen>,
    #[serde(default)]
    pub deductions: Deductions,
    #[serde(default, with = "crate::domain::decimal::option")]
    #[schema(value_type = Option<String>, example = "30000")]
    pub kwh: Option<Decimal>,
    #[serde(default, with = "crate::domain::decimal::option")]
    #[schema(value_type = Option<String>, example = "0.3949")]
    pub tariff: Option<Decimal>,
    #[serde(default)]
    pub voucher: Option<String>,
}

/// `POST /yields/{id}/reverse`
#[derive(Debug, Deserialize, ToSchema)]
pub struct Reversal {
    pub reason: String,
    #[serde(default)]
    pub reversed_on: Option<NaiveDate>,
}

/// `POST /yields/{id}/receive`
#[derive(Debug, Deserialize, ToSchema)]
pub struct Receipt {
    pub received_on: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreditView {
    pub region_code: Option<String>,
    pub household_id: Option<i32>,
    #[schema(value_type = String)]
    pub amount: Fen,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YieldView {
    pub id: i32,
    pub asset_id: i32,
    pub kind: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub received_on: Option<NaiveDate>,
    /// `receivable` until received, else `received`.
    pub state: String,
    #[schema(value_type = String)]
    pub revenue: Fen,
    pub deductions: Deductions,
    #[schema(value_type = String)]
    pub net: Fen,
    pub kwh: Option<String>,
    pub tariff: Option<String>,
    pub voucher: Option<String>,
    pub reverses_id: Option<i32>,
    pub reversed_by: Option<i32>,
    pub reason: Option<String>,
    pub credits: Vec<CreditView>,
}

fn revenue_of(input: &NewYield) -> Result<Fen> {
    let mut errors = Vec::new();
    if input.period_end < input.period_start {
        errors.push(FieldError {
            field: "period_end".into(),
            message: "收益期间结束日不能早于开始日".into(),
        });
    }
    for (name, v) in [("kwh", input.kwh), ("tariff", input.tariff)] {
        if v.is_some_and(|d| d < Decimal::ZERO) {
            errors.push(FieldError {
                field: name.into(),
                message: "不能为负数".into(),
            });
        }
    }
    for (name, d) in input.deductions.items() {
        if d.is_negative() {
            errors.push(FieldError {
                field: format!("deductions.{name}"),
                message: "扣除金额不能为负数".into(),
            });
        }
    }
    if input.revenue.is_some_and(Fen::is_negative) {
        errors.push(FieldError {
            field: "revenue".into(),
            message: "收入不能为负数".into(),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    match (input.revenue, input.kind.is_pv(), input.kwh, input.tariff) {
        (Some(r), _, _, _) => Ok(r),
        (None, true, Some(kwh), Some(tariff)) => yuan_product_to_fen(kwh, tariff).on("revenue"),
        (None, true, None, _) => Err(Error::field("kwh", "未填收入时须填上网电量 kwh 和电价 tariff")),
        (None, true, _, None) => Err(Error::field("tariff", "未填收入时须填上网电量 kwh 和电价 tariff")),
        (None, false, _, _) => Err(Error::field("revenue", "请填写收入金额")),
    }
}

async fn write_income<C: ConnectionTrait>(
    db: &C,
    y: &yields::Model,
    credits: &[yield_credits::Model],
    date: NaiveDate,
) -> Result<()> {
    let kind = if y.reverses_id.is_some() { "reversal" } else { "yield" };
    for c in credits {
        income_entries::ActiveModel {
            region_code: Set(c.region_code.clone()),
            household_id: Set(c.household_id),
            entry_date: Set(date),
            year: Set(date.year()),
            kind: Set(kind.into()),
            amount_fen: Set(c.amount_fen),
            yield_id: Set(Some(y.id)),
            distribution_id: Set(None),
            asset_id: Set(Some(y.asset_id)),
            memo: Set(format!(
                "{} {}~{}",
                YieldKind::parse(&y.kind).map_or("收益", |k| k.label()),
                y.period_start,
                y.period_end
            )),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// Posts a yield and credits its net to the owners of the day its period ends.
///
/// # Errors
/// [`Error::Invalid`] naming the field; [`Error::Conflict`] for an unconfirmed or disposed asset.
pub async fn post(store: &Store, actor: &Actor, asset_id: i32, input: NewYield) -> Result<YieldView> {
    revenue_of(&input)?;
    let w = store.write().await?;
    let v = post_in(&*w, actor, asset_id, input).await?;
    w.commit().await?;
    Ok(v)
}

/// [`post`] inside the caller's transaction (the meter-reading import posts a whole file in one).
///
/// # Errors
/// As [`post`].
pub async fn post_in<C: ConnectionTrait>(db: &C, actor: &Actor, asset_id: i32, input: NewYield) -> Result<YieldView> {
    let revenue = revenue_of(&input)?;
    let deductions = Fen::sum(input.deductions.items().map(|(_, f)| f)).on("deductions")?;
    let net = revenue.checked_sub(deductions).on("deductions")?;
    let asset = load_in_scope(db, actor, asset_id).await?;
    let county = regions::find(db, &asset.county_code, "county_code").await?;
    actor.check_write(Duty::County, &county)?;
    if asset.status == AssetStatus::Disposed.as_str() {
        return Err(Error::conflict("disposed", "资产已处置, 不再登记收益"));
    }
    if let Some(y) = same_voucher(db, asset_id, input.voucher.as_deref()).await? {
        return Err(Error::conflict_on(
            "duplicate_voucher",
            "voucher",
            format!(
                "结算单号 {} 已登记为本资产的收益 #{} ({} 至 {}), 不能重复登记; 如需更正请先红字冲销",
                y.voucher.as_deref().unwrap_or_default(),
                y.id,
                y.period_start,
                y.period_end
            ),
        ));
    }
    let periods = periods_of(db, &[asset_id]).await?.remove(&asset_id).unwrap_or_default();
    let Some(owners) = owners_on(&periods, input.period_end) else {
        return Err(Error::conflict_on(
            "unconfirmed",
            "period_end",
            "资产在收益期间结束日尚未确权, 未确权资产不能登记收益",
        ));
    };
    let weights: Vec<i64> = owners.owners.iter().map(|o| o.investment.0).collect();
    let amounts = allocate(net, &weights).on("owners")?;
    let d = &input.deductions;
    let z = |f: Option<Fen>| f.unwrap_or(Fen::ZERO).0;
    let y = yields::ActiveModel {
        asset_id: Set(asset_id),
        kind: Set(input.kind.as_str().into()),
        period_start: Set(input.period_start),
        period_end: Set(input.period_end),
        received_on: Set(input.received_on),
        revenue_fen: Set(revenue.0),
        om_fen: Set(z(d.om)),
        rent_fen: Set(z(d.rent)),
        tax_fen: Set(z(d.tax)),
        insurance_fen: Set(z(d.insurance)),
        other_fen: Set(z(d.other)),
        net_fen: Set(net.0),
        kwh: Set(input.kwh.map(crate::domain::decimal::format)),
        tariff: Set(input.tariff.map(crate::domain::decimal::format)),
        voucher: Set(input.voucher.clone()),
        reverses_id: Set(None),
        reason: Set(None),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let mut credits = Vec::new();
    for (o, amount) in owners.owners.iter().zip(amounts) {
        credits.push(
            yield_credits::ActiveModel {
                yield_id: Set(y.id),
                region_code: Set(o.region_code.clone()),
                household_id: Set(o.household_id),
                amount_fen: Set(amount.0),
                ..Default::default()
            }
            .insert(db)
            .await?,
        );
    }
    if let Some(date) = input.received_on {
        write_income(db, &y, &credits, date).await?;
    }
    let v = view(y, credits, None);
    audit::append(db, actor, "yield.post", "yield", v.id, &(), &v).await?;
    Ok(v)
}

/// A standing yield of the asset with the same settlement slip (结算单号, `voucher`): the same slip
/// keyed twice (two clerks at once, or a retry without an idempotency key). Reversed yields and
/// their counter-entries do not stand, so a corrected slip is posted again after the 红字冲销.
async fn same_voucher<C: ConnectionTrait>(
    db: &C,
    asset_id: i32,
    voucher: Option<&str>,
) -> Result<Option<yields::Model>> {
    let Some(voucher) = voucher.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let same = yields::Entity::find()
        .filter(yields::Column::AssetId.eq(asset_id))
        .filter(yields::Column::Voucher.eq(voucher))
        .filter(yields::Column::ReversesId.is_null())
        .order_by_asc(yields::Column::Id)
        .all(db)
        .await?;
    for y in same {
        let reversed = yields::Entity::find()
            .filter(yields::Column::ReversesId.eq(y.id))
            .one(db)
            .await?;
        if reversed.is_none() {
            return Ok(Some(y));
        }
    }
    Ok(None)
}

fn view(y: yields::Model, credits: Vec<yield_credits::Model>, reversed_by: Option<i32>) -> YieldView {
    let opt = |f: i64| Some(Fen(f));
    YieldView {
        id: y.id,
        asset_id: y.asset_id,
        kind: y.kind,
        period_start: y.period_start,
        period_end: y.period_end,
        received_on: y.received_on,
        state: if y.received_on.is_some() {
            "received"
        } else {
            "receivable"
        }
        .into(),
        revenue: Fen(y.revenue_fen),
        deductions: Deductions {
            om: opt(y.om_fen),
            rent: opt(y.rent_fen),
            tax: opt(y.tax_fen),
            insurance: opt(y.insurance_fen),
            other: opt(y.other_fen),
        },
        net: Fen(y.net_fen),
        kwh: y.kwh,
        tariff: y.tariff,
        voucher: y.voucher,
        reverses_id: y.reverses_id,
        reversed_by,
        reason: y.reason,
        credits: credits
            .into_iter()
            .map(|c| CreditView {
                region_code: c.region_code,
                household_id: c.household_id,
                amount: Fen(c.amount_fen),
            })
            .collect(),
    }
}

async fn load<C: ConnectionTrait>(db: &C, id: i32) -> Result<(yields::Model, Vec<yield_credits::Model>, Option<i32>)> {
    let y = yields::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("收益记录"))?;
    let credits = yield_credits::Entity::find()
        .filter(yield_credits::Column::YieldId.eq(id))
        .order_by_asc(yield_credits::Column::Id)
        .all(db)
        .await?;
    let reversed_by = yields::Entity::find()
        .filter(yields::Column::ReversesId.eq(id))
        .one(db)
        .await?
        .map(|r| r.id);
    Ok((y, credits, reversed_by))
}

/// Reverses a posted yield: a counter-entry with every amount negated, credited to the same owners
/// on `reversed_on` (default today).
///
/// # Errors
/// [`Error::Conflict`] for a reversal or an already reversed yield.
pub async fn reverse(store: &Store, actor: &Actor, id: i32, input: Reversal) -> Result<YieldView> {
    if input.reason.trim().is_empty() {
        return Err(Error::field("reason", "请填写冲销原因"));
    }
    let w = store.write().await?;
    let (y, credits, reversed_by) = load(&*w, id).await?;
    let asset = load_in_scope(&*w, actor, y.asset_id).await?;
    let county = regions::find(&*w, &asset.county_code, "county_code").await?;
    actor.check_write(Duty::County, &county)?;
    if y.reverses_id.is_some() {
        return Err(Error::conflict("invalid_state", "冲销记录本身不能再冲销"));
    }
    if reversed_by.is_some() {
        return Err(Error::conflict("already_reversed", "该收益已冲销"));
    }
    let date = input.reversed_on.unwrap_or_else(today);
    let r = yields::ActiveModel {
        asset_id: Set(y.asset_id),
        kind: Set(y.kind.clone()),
        period_start: Set(y.period_start),
        period_end: Set(y.period_end),
        received_on: Set(y.received_on.map(|_| date)),
        revenue_fen: Set(-y.revenue_fen),
        om_fen: Set(-y.om_fen),
        rent_fen: Set(-y.rent_fen),
        tax_fen: Set(-y.tax_fen),
        insurance_fen: Set(-y.insurance_fen),
        other_fen: Set(-y.other_fen),
        net_fen: Set(-y.net_fen),
        kwh: Set(y.kwh.as_ref().map(|k| format!("-{k}"))),
        tariff: Set(y.tariff.clone()),
        voucher: Set(y.voucher.clone()),
        reverses_id: Set(Some(y.id)),
        reason: Set(Some(input.reason.trim().to_string())),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    let mut counter = Vec::new();
    for c in &credits {
        counter.push(
            yield_credits::ActiveModel {
                yield_id: Set(r.id),
                region_code: Set(c.region_code.clone()),
                household_id: Set(c.household_id),
                amount_fen: Set(-c.amount_fen),
                ..Default::default()
            }
            .insert(&*w)
            .await?,
        );
    }
    // A receivable that never arrived was never credited: its reversal credits nothing either.
    if y.received_on.is_some() {
        write_income(&*w, &r, &counter, date).await?;
    }
    let v = view(r, counter, None);
    audit::append(&*w, actor, "yield.reverse", "yield", v.id, &y.id, &v).await?;
    w.commit().await?;
    Ok(v)
}

/// Records the arrival of a receivable (e.g. the national subsidy) and credits it.
///
/// # Errors
/// [`Error::Conflict`] when it was already received or has been reversed.
pub async fn receive(store: &Store, actor: &Actor, id: i32, input: Receipt) -> Result<YieldView> {
    let w = store.write().await?;
    let (y, credits, reversed_by) = load(&*w, id).await?;
    let asset = load_in_scope(&*w, actor, y.asset_id).await?;
    let county = regions::find(&*w, &asset.county_code, "county_code").await?;
    actor.check_write(Duty::County, &county)?;
    if y.received_on.is_some() || reversed_by.is_some() || y.reverses_id.is_some() {
        return Err(Error::conflict("invalid_state", "该收益已到账或已冲销"));
    }
    if input.received_on < y.period_start {
        return Err(Error::field("received_on", "到账日期不能早于收益期间开始日"));
    }
    let mut am: yields::ActiveModel = y.into();
    am.received_on = Set(Some(input.received_on));
    let y = am.update(&*w).await?;
    write_income(&*w, &y, &credits, input.received_on).await?;
    audit::append(&*w, actor, "yield.receive", "yield", id, &(), &input.received_on).await?;
    let v = view(y, credits, None);
    w.commit().await?;
    Ok(v)
}

/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn get(store: &Store, actor: &Actor, id: i32) -> Result<YieldView> {
    let (y, credits, reversed_by) = load(&store.db, id).await?;
    load_in_scope(&store.db, actor, y.asset_id).await?;
    Ok(view(y, credits, reversed_by))
}

/// The yields of an asset, oldest first.
///
/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn list_for_asset(store: &Store, actor: &Actor, asset_id: i32) -> Result<Vec<YieldView>> {
    load_in_scope(&store.db, actor, asset_id).await?;
    let rows = yields::Entity::find()
        .filter(yields::Column::AssetId.eq(asset_id))
        .order_by_asc(yields::Column::Id)
        .all(&store.db)
        .await?;
    // A reversal is a yield of the same asset, so the rows already say which were reversed.
    let reversed_by: std::collections::HashMap<i32, i32> = rows
        .iter()
        .filter_map(|y| y.reverses_id.map(|original| (original, y.id)))
        .collect();
    let ids: Vec<i32> = rows.iter().map(|y| y.id).collect();
    let mut credits: std::collections::HashMap<i32, Vec<yield_credits::Model>> = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        for c in yield_credits::Entity::find()
            .filter(yield_credits::Column::YieldId.is_in(chunk.to_vec()))
            .order_by_asc(yield_credits::Column::Id)
            .all(&store.db)
            .await?
        {
            credits.entry(c.yield_id).or_default().push(c);
        }
    }
    Ok(rows
        .into_iter()
        .map(|y| {
            let (c, r) = (
                credits.remove(&y.id).unwrap_or_default(),
                reversed_by.get(&y.id).copied(),
            );
            view(y, c, r)
        })
        .collect())
}
