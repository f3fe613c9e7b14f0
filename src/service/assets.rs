//! Assets (扶贫项目资产) and ownership confirmation (确权): who owns each asset and by what share
//! (产权份额, the investment attributed to the owner in fen), period by period.

use super::access::Duty;
use super::{Actor, Page, Paging, Store, audit, now_text, regions};
use crate::domain::vocab::{AssetClass, AssetStatus, RegionLevel, Role};
use crate::domain::{Error, Fen, FieldError, OnField, Result};
use chrono::NaiveDate;
use entity::{assets, households, ownership_periods, ownership_shares};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

/// One owner of `POST /assets/{id}/ownership`: a collective (region) or a household.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewOwner {
    #[serde(default)]
    pub region_code: Option<String>,
    #[serde(default)]
    pub household_id: Option<i32>,
    #[schema(value_type = String, example = "90000.00")]
    pub investment: Fen,
}

/// `POST /assets/{id}/ownership`
#[derive(Debug, Deserialize, ToSchema)]
pub struct Confirmation {
    pub confirmed_on: NaiveDate,
    pub owners: Vec<NewOwner>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnerView {
    pub region_code: Option<String>,
    pub household_id: Option<i32>,
    /// The owner's stable key: region code or household number (ties in every split).
    pub key: String,
    #[schema(value_type = String)]
    pub investment: Fen,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    pub confirmed_on: NaiveDate,
    pub owners: Vec<OwnerView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnershipHistory {
    pub asset_id: i32,
    pub items: Vec<PeriodView>,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssetView {
    pub id: i32,
    pub code: String,
    pub project_id: i32,
    pub county_code: String,
    pub name: String,
    pub class: String,
    pub form: String,
    #[schema(value_type = String)]
    pub value: Fen,
    pub operation_mode: Option<String>,
    pub operator: Option<String>,
    pub pv_capacity_kw: Option<String>,
    pub status: String,
    pub formed_on: NaiveDate,
    pub confirmed: bool,
    pub confirmed_on: Option<NaiveDate>,
    pub owners: Vec<OwnerView>,
}

/// Asset list filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetFilter {
    pub county_code: Option<String>,
    pub village_code: Option<String>,
    pub class: Option<String>,
    pub status: Option<String>,
}

/// An ownership period with its shares in key order.
#[derive(Debug, Clone)]
pub struct Period {
    pub id: i32,
    pub confirmed_on: NaiveDate,
    pub owners: Vec<OwnerView>,
}

/// All ownership periods of the given assets, oldest first, shares in key order.
///
/// # Errors
/// A database error.
pub async fn periods_of<C: ConnectionTrait>(db: &C, asset_ids: &[i32]) -> Result<HashMap<i32, Vec<Period>>> {
    let mut out: HashMap<i32, Vec<Period>> = HashMap::new();
    for chunk in asset_ids.chunks(500) {
        let periods = ownership_periods::Entity::find()
            .filter(ownership_periods::Column::AssetId.is_in(chunk.to_vec()))
            .order_by_asc(ownership_periods::Column::ConfirmedOn)
            .all(db)
            .await?;
        let shares = ownership_shares::Entity::find()
            .filter(ownership_shares::Column::AssetId.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        let hh_ids: Vec<i32> = shares.iter().filter_map(|s| s.household_id).collect();
        let numbers: HashMap<i32, String> = if hh_ids.is_empty() {
            HashMap::new()
        } else {
            households::Entity::find()
                .filter(households::Column::Id.is_in(hh_ids))
                .all(db)
                .await?
                .into_iter()
                .map(|h| (h.id, h.number))
                .collect()
        };
        let mut by_period: HashMap<i32, Vec<OwnerView>> = HashMap::new();
        for s in shares {
            let key = match (&s.region_code, s.household_id) {
                (Some(r), _) => r.clone(),
                (None, Some(h)) => numbers.get(&h).cloned().unwrap_or_default(),
                (None, None) => String::new(),
            };
            by_period.entry(s.period_id).or_default().push(OwnerView {
                region_code: s.region_code,
                household_id: s.household_id,
                key,
                investment: Fen(s.investment_fen),
            });
        }
        for p in periods {
            let mut owners = by_period.remove(&p.id).unwrap_or_default();
            owners.sort_by(|a, b| a.key.cmp(&b.key));
            out.entry(p.asset_id).or_default().push(Period {
                id: p.id,
                confirmed_on: p.confirmed_on,
                owners,
            });
        }
    }
    Ok(out)
}

/// The owners on `date`: the latest period confirmed on or before it.
pub fn owners_on(periods: &[Period], date: NaiveDate) -> Option<&Period> {
    periods
        .iter()
        .filter(|p| p.confirmed_on <= date)
        .max_by_key(|p| (p.confirmed_on, p.id))
}

/// Views of the given assets with their current owners.
///
/// # Errors
/// A database error.
pub async fn asset_views<C: ConnectionTrait>(db: &C, rows: Vec<assets::Model>) -> Result<Vec<AssetView>> {
    let ids: Vec<i32> = rows.iter().map(|a| a.id).collect();
    let periods = periods_of(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|a| {
            let current = periods.get(&a.id).and_then(|ps| ps.last());
            AssetView {
                id: a.id,
                code: a.code,
                project_id: a.project_id,
                county_code: a.county_code,
                name: a.name,
                class: a.class,
                form: a.form,
                value: Fen(a.value_fen),
                operation_mode: a.operation_mode,
                operator: a.operator,
                pv_capacity_kw: a.pv_capacity_kw,
                status: a.status,
                formed_on: a.formed_on,
                confirmed: current.is_some(),
                confirmed_on: current.map(|p| p.confirmed_on),
                owners: current.map(|p| p.owners.clone()).unwrap_or_default(),
            }
        })
        .collect())
}

/// The assets of a region subtree (see `regions::subtree_codes`): of a county in it, or owned now
/// by a region in it; by asset code.
///
/// # Errors
/// A database error.
pub async fn views_in(store: &Store, scope: &std::collections::HashSet<String>) -> Result<Vec<AssetView>> {
    let all = assets::Entity::find()
        .order_by_asc(assets::Column::Code)
        .all(&store.db)
        .await?;
    Ok(asset_views(&store.db, all)
        .await?
        .into_iter()
        .filter(|a| {
            scope.contains(&a.county_code)
                || a.owners
                    .iter()
                    .any(|o| o.region_code.as_ref().is_some_and(|r| scope.contains(r)))
        })
        .collect())
}

/// Loads an asset the actor may read: county staff and auditors of its county, or anyone whose
/// region owns (or owned) a share of it.
///
/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn load_in_scope<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> Result<assets::Model> {
    let a = assets::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("资产"))?;
    let county = regions::find(db, &a.county_code, "county_code").await?;
    if actor.sees(&county) {
        return Ok(a);
    }
    let shares = ownership_shares::Entity::find()
        .filter(ownership_shares::Column::AssetId.eq(id))
        .all(db)
        .await?;
    for s in shares {
        if let Some(code) = s.region_code
            && let Some(r) = entity::regions::Entity::find_by_id(code).one(db).await?
            && actor.sees(&r)
        {
            return Ok(a);
        }
    }
    Err(Error::Forbidden("无权访问该资产".into()))
}

/// # Errors
/// A database error.
pub async fn list(store: &Store, actor: &Actor, f: &AssetFilter) -> Result<Vec<AssetView>> {
    let rows = filtered(f).all(&store.db).await?;
    visible_views(store, actor, f, rows).await
}

/// One page of [`list`]. When the user sees the whole county asked for (an admin, or a user of
/// that county) and no village narrows it, the page is cut in SQL and only its rows are loaded;
/// otherwise every row is checked for scope first.
///
/// # Errors
/// [`Error::Invalid`] naming `limit`; a database error.
pub async fn page(store: &Store, actor: &Actor, f: &AssetFilter, paging: Paging) -> Result<Page<AssetView>> {
    let (limit, offset) = paging.checked()?;
    let whole_county = f.village_code.is_none()
        && (actor.role == Role::Admin
            || f.county_code.is_some() && f.county_code.as_deref() == actor.region_code.as_deref());
    if !whole_county {
        return paging.page(list(store, actor, f).await?);
    }
    let total = filtered(f).count(&store.db).await?;
    let rows = filtered(f).offset(offset).limit(limit).all(&store.db).await?;
    Ok(Page {
        items: asset_views(&store.db, rows).await?,
        total,
    })
}

/// The assets that match the filter's columns, by code.
fn filtered(f: &AssetFilter) -> sea_orm::Select<assets::Entity> {
    let mut q = assets::Entity::find().order_by_asc(assets::Column::Code);
    if let Some(c) = &f.county_code {
        q = q.filter(assets::Column::CountyCode.eq(c.clone()));
    }
    if let Some(c) = &f.class {
        q = q.filter(assets::Column::Class.eq(c.clone()));
    }
    if let Some(s) = &f.status {
        q = q.filter(assets::Column::Status.eq(s.clone()));
    }
    q
}

/// The views of `rows` that the actor may see and that the village filter keeps.
async fn visible_views(
    store: &Store,
    actor: &Actor,
    f: &AssetFilter,
    rows: Vec<assets::Model>,
) -> Result<Vec<AssetView>> {
    let views = asset_views(&store.db, rows).await?;
    let mut region_cache: HashMap<String, bool> = HashMap::new();
    let mut out = Vec::new();
    for v in views {
        if let Some(village) = &f.village_code
            && !v
                .owners
                .iter()
                .any(|o| o.region_code.as_deref() == Some(village.as_str()))
        {
            continue;
        }
        let mut codes = vec![v.county_code.clone()];
        codes.extend(v.owners.iter().filter_map(|o| o.region_code.clone()));
        let mut visible = false;
        for code in codes {
            let seen = match region_cache.get(&code) {
                Some(s) => *s,
                None => {
                    let s = entity::regions::Entity::find_by_id(code.clone())
                        .one(&store.db)
                        .await?
                        .is_some_and(|r| actor.sees(&r));
                    region_cache.insert(code, s);
                    s
                }
            };
            visible |= seen;
        }
        if visible {
            out.push(v);
        }
    }
    Ok(out)
}

/// Checks each owner and returns their shares in key order.
async fn check_owners<C: ConnectionTrait>(
    db: &C,
    asset: &assets::Model,
    owners: &[NewOwner],
) -> Result<Vec<OwnerView>> {
    let mut errors = Vec::new();
    let mut out = Vec::new();
    if owners.is_empty() {
        return Err(Error::field("owners", "至少需要一个产权主体"));
    }
    for (i, o) in owners.iter().enumerate() {
        if o.investment.0 <= 0 {
            errors.push(FieldError {
                field: format!("owners[{i}].investment"),
                message: "份额应大于零".into(),
            });
        }
        match (&o.region_code, o.household_id) {
            (Some(code), None) => {
                let field = format!("owners[{i}].region_code");
                let r = regions::find(db, code, &field).await?;
                let in_county =
                    r.code == asset.county_code || r.county_code.as_deref() == Some(asset.county_code.as_str());
                if !in_county {
                    errors.push(FieldError {
                        field,
                        message: "产权主体应为本县的村、乡镇或县级集体".into(),
                    });
                } else if RegionLevel::parse(&r.level).is_none() {
                    errors.push(FieldError {
                        field,
                        message: "区划级别有误".into(),
                    });
                }
                out.push(OwnerView {
                    region_code: Some(r.code.clone()),
                    household_id: None,
                    key: r.code,
                    investment: o.investment,
                });
            }
            (None, Some(hid)) => {
                let field = format!("owners[{i}].household_id");
                if asset.class != AssetClass::Household.as_str() {
                    errors.push(FieldError {
                        field: field.clone(),
                        message: "只有到户类资产可以确权到户".into(),
                    });
                }
                let h = households::Entity::find_by_id(hid).one(db).await?;
                match h {
                    Some(h) => out.push(OwnerView {
                        region_code: None,
                        household_id: Some(hid),
                        key: h.number,
                        investment: o.investment,
                    }),
                    None => errors.push(FieldError {
                        field,
                        message: format!("农户 {hid} 不存在"),
                    }),
                }
            }
            _ => errors.push(FieldError {
                field: format!("owners[{i}]"),
                message: "应填写 region_code 或 household_id 之一".into(),
            }),
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    if out.windows(2).any(|w| w[0].key == w[1].key) {
        errors.push(FieldError {
            field: "owners".into(),
            message: "同一产权主体重复出现".into(),
        });
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let total = Fen::sum(out.iter().map(|o| o.investment)).on("owners")?;
    if total.0 != asset.value_fen {
        return Err(Error::field(
            "owners",
            format!("产权份额合计 {total} 元, 应等于资产原值 {} 元", Fen(asset.value_fen)),
        ));
    }
    Ok(out)
}

/// Confirms ownership from `confirmed_on` (a first confirmation, or a handover 移交 that starts a
/// new period); Σ investment must equal the asset value.
///
/// # Errors
/// [`Error::Invalid`] naming the field, [`Error::Conflict`] for a disposed asset or a date not
/// after the last confirmation.
pub async fn confirm(store: &Store, actor: &Actor, id: i32, input: Confirmation) -> Result<OwnershipHistory> {
    let w = store.write().await?;
    let asset = load_in_scope(&*w, actor, id).await?;
    let county = regions::find(&*w, &asset.county_code, "county_code").await?;
    actor.check_write(Duty::County, &county)?;
    if asset.status == AssetStatus::Disposed.as_str() {
        return Err(Error::conflict("disposed", "资产已处置, 不能再确权"));
    }
    if input.confirmed_on < asset.formed_on {
        return Err(Error::field("confirmed_on", "确权日期不能早于资产形成 (竣工验收) 日期"));
    }
    let owners = check_owners(&*w, &asset, &input.owners).await?;
    let existing = periods_of(&*w, &[id]).await?.remove(&id).unwrap_or_default();
    if existing.last().is_some_and(|p| p.confirmed_on >= input.confirmed_on) {
        return Err(Error::conflict_on(
            "out_of_order",
            "confirmed_on",
            "确权日期应晚于上一次确权日期",
        ));
    }
    let period = ownership_periods::ActiveModel {
        asset_id: Set(id),
        confirmed_on: Set(input.confirmed_on),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(&*w)
    .await?;
    for o in &owners {
        ownership_shares::ActiveModel {
            period_id: Set(period.id),
            asset_id: Set(id),
            region_code: Set(o.region_code.clone()),
            household_id: Set(o.household_id),
            investment_fen: Set(o.investment.0),
            ..Default::default()
        }
        .insert(&*w)
        .await?;
    }
    let after = PeriodView {
        confirmed_on: input.confirmed_on,
        owners,
    };
    audit::append(&*w, actor, "asset.ownership", "asset", id, &(), &after).await?;
    let history = history_of(&*w, id).await?;
    w.commit().await?;
    Ok(history)
}

async fn history_of<C: ConnectionTrait>(db: &C, id: i32) -> Result<OwnershipHistory> {
    let periods = periods_of(db, &[id]).await?.remove(&id).unwrap_or_default();
    let items: Vec<PeriodView> = periods
        .into_iter()
        .map(|p| PeriodView {
            confirmed_on: p.confirmed_on,
            owners: p.owners,
        })
        .collect();
    Ok(OwnershipHistory {
        asset_id: id,
        total: items.len() as u64,
        items,
    })
}

/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn ownership(store: &Store, actor: &Actor, id: i32) -> Result<OwnershipHistory> {
    load_in_scope(&store.db, actor, id).await?;
    history_of(&store.db, id).await
}
