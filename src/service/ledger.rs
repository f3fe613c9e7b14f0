//! The county asset ledger (资产台账): every asset with its project, its funding by source (the
//! project's lines split over its assets by value, largest remainder), owners and shares,
//! operation, status and cumulative income.

use super::{Actor, Store, regions};
use crate::domain::allocation::allocate;
use crate::domain::vocab::{AssetClass, AssetForm, AssetStatus, FundingSource, OperationMode};
use crate::domain::{Fen, OnField, Result};
use entity::{funding_lines, income_entries, projects};
use reports::xlsx::LedgerRow;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// The ledger rows of the assets in the region (or the actor's scope), by asset code.
///
/// # Errors
/// Region errors or a database error.
pub async fn rows(store: &Store, actor: &Actor, region_code: Option<&str>) -> Result<Vec<LedgerRow>> {
    let scope = regions::subtree_codes(store, actor, region_code).await?;
    let names: HashMap<String, entity::regions::Model> = entity::regions::Entity::find()
        .all(&store.db)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    let views = super::assets::views_in(store, &scope).await?;
    let projects: HashMap<i32, projects::Model> = projects::Entity::find()
        .all(&store.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut lines: HashMap<i32, Vec<funding_lines::Model>> = HashMap::new();
    for f in funding_lines::Entity::find()
        .order_by_asc(funding_lines::Column::Id)
        .all(&store.db)
        .await?
    {
        lines.entry(f.project_id).or_default().push(f);
    }
    let mut income: HashMap<i32, i64> = HashMap::new();
    for e in income_entries::Entity::find()
        .filter(income_entries::Column::AssetId.is_not_null())
        .all(&store.db)
        .await?
    {
        *income.entry(e.asset_id.unwrap_or_default()).or_default() += e.amount_fen;
    }
    let mut out = Vec::with_capacity(views.len());
    for a in views {
        let project = projects.get(&a.project_id);
        let funding_of_project = lines.get(&a.project_id).cloned().unwrap_or_default();
        let weights: Vec<i64> = funding_of_project.iter().map(|f| f.amount_fen).collect();
        let parts = if weights.iter().any(|w| *w > 0) {
            allocate(a.value, &weights).on("funding")?
        } else {
            vec![]
        };
        let funding = funding_of_project
            .iter()
            .zip(parts)
            .map(|(f, part)| (FundingSource::label_of(&f.source), part.0))
            .collect();
        let place = a
            .owners
            .iter()
            .find_map(|o| o.region_code.as_ref())
            .and_then(|c| names.get(c));
        let township = place
            .and_then(|p| p.township_code.as_ref())
            .and_then(|t| names.get(t))
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let owners = a
            .owners
            .iter()
            .map(|o| {
                let who = o
                    .region_code
                    .as_ref()
                    .and_then(|c| names.get(c))
                    .map_or_else(|| o.key.clone(), |r| r.name.clone());
                format!("{who} {}", share_percent(o.investment, a.value))
            })
            .collect::<Vec<_>>()
            .join("; ");
        out.push(LedgerRow {
            asset_code: a.code.clone(),
            asset_name: a.name.clone(),
            project_code: project.map(|p| p.code.clone()).unwrap_or_default(),
            project_name: project.map(|p| p.name.clone()).unwrap_or_default(),
            township,
            village: place.map(|p| p.name.clone()).unwrap_or_default(),
            class_label: AssetClass::label_of(&a.class),
            form_label: AssetForm::label_of(&a.form),
            value_fen: a.value.0,
            funding,
            owners,
            operation_label: a
                .operation_mode
                .as_deref()
                .map(OperationMode::label_of)
                .unwrap_or_default(),
            operator: a.operator.clone().unwrap_or_default(),
            status_label: AssetStatus::label_of(&a.status),
            formed_on: a.formed_on.to_string(),
            cumulative_income_fen: income.get(&a.id).copied().unwrap_or(0),
        });
    }
    Ok(out)
}

/// A share of the value as a percentage with two decimals, half-up (`60.00%`).
fn share_percent(part: Fen, whole: Fen) -> String {
    if whole.0 == 0 {
        return "0.00%".into();
    }
    let pct =
        rust_decimal::Decimal::from(part.0) * rust_decimal::Decimal::ONE_HUNDRED / rust_decimal::Decimal::from(whole.0);
    format!(
        "{:.2}%",
        pct.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}
