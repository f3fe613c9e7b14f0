//! Allocation rows (分配到户明细) written in bulk. On SQLite, prepared multi-row `INSERT`s of 2,000
//! rows with bound values (measured at the raw bulk-insert rate, ~500,000 rows/s); on PostgreSQL a
//! batch goes as the rows' own JSON, one bound text that the server reads back into rows
//! (`json_populate_recordset`): one parameter a batch instead of thirteen a row. The ids the
//! database gave them come back as one JSON text.

use crate::domain::distribution::Line;
use crate::domain::{Error, Result};
use entity::allocations;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityName, Statement};
use std::collections::{BTreeSet, HashMap};

/// Rows a PostgreSQL statement (a few MiB of JSON), and of a batch drafts seal at once.
pub const BATCH: usize = 5_000;

/// The rows of a plan's lines, not yet stored (id 0).
pub fn of_lines(plan_id: i32, lines: &[Line]) -> Vec<allocations::Model> {
    lines
        .iter()
        .map(|l| allocations::Model {
            id: 0,
            distribution_id: plan_id,
            household_id: l.household_id,
            number: l.number.clone(),
            head_name: l.head_name.clone(),
            members: l.members,
            status: l.status.as_str().into(),
            labour: l.labour.as_str().into(),
            weight: crate::domain::decimal::format(l.weight),
            dividend_fen: l.dividend.0,
            post_wage_fen: l.post_wage.0,
            incentive_fen: l.incentive.0,
            tax_withheld_fen: l.tax_withheld.0,
            total_fen: l.total.0,
        })
        .collect()
}

/// The columns written (all but the id), in the order of [`values`].
const COLUMNS: &str = "distribution_id, household_id, number, head_name, members, status, labour, weight, \
    dividend_fen, post_wage_fen, incentive_fen, tax_withheld_fen, total_fen";

/// Rows a statement on SQLite: 13 parameters a row, under its limit of 32,766.
const SQLITE_ROWS: usize = 2_000;

fn values(r: &allocations::Model) -> [sea_orm::Value; 13] {
    [
        r.distribution_id.into(),
        r.household_id.into(),
        r.number.as_str().into(),
        r.head_name.as_str().into(),
        r.members.into(),
        r.status.as_str().into(),
        r.labour.as_str().into(),
        r.weight.as_str().into(),
        r.dividend_fen.into(),
        r.post_wage_fen.into(),
        r.incentive_fen.into(),
        r.tax_withheld_fen.into(),
        r.total_fen.into(),
    ]
}

/// Inserts the rows (their `id` is ignored: the database gives one).
///
/// # Errors
/// A database error.
pub async fn insert<C: ConnectionTrait>(db: &C, rows: &[allocations::Model]) -> Result<()> {
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        let sql = format!(
            "INSERT INTO allocations ({COLUMNS}) SELECT {COLUMNS} FROM json_populate_recordset(NULL::allocations, $1::json)"
        );
        for chunk in rows.chunks(BATCH) {
            let json = serde_json::to_string(chunk).map_err(|e| Error::Internal(e.to_string()))?;
            db.execute_raw(Statement::from_sql_and_values(backend, &sql, [json.into()]))
                .await?;
        }
        return Ok(());
    }
    // Each statement's values are bound while the one before runs on the database's thread.
    let row = format!("({})", ["?"; 13].join(","));
    let sql = |n: usize| {
        format!(
            "INSERT INTO allocations ({COLUMNS}) VALUES {}",
            vec![row.as_str(); n].join(",")
        )
    };
    let full = sql(SQLITE_ROWS);
    let statement = |chunk: &[allocations::Model]| {
        let text = if chunk.len() == SQLITE_ROWS {
            full.clone()
        } else {
            sql(chunk.len())
        };
        Statement::from_sql_and_values(backend, text, chunk.iter().flat_map(values))
    };
    let mut chunks = rows.chunks(SQLITE_ROWS);
    let mut next = chunks.next().map(statement);
    while let Some(current) = next.take() {
        let (done, following) = tokio::join!(biased; db.execute_raw(current), async { chunks.next().map(statement) });
        done?;
        next = following;
    }
    Ok(())
}

/// Inserts the rows of plans that have no other allocation rows and gives them back with the ids
/// they were stored under, so they can be sealed without reading them back.
///
/// # Errors
/// A database error.
pub async fn insert_returning<C: ConnectionTrait>(
    db: &C,
    mut rows: Vec<allocations::Model>,
) -> Result<Vec<allocations::Model>> {
    insert(db, &rows).await?;
    let plans: Vec<i32> = rows
        .iter()
        .map(|r| r.distribution_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let backend = db.get_database_backend();
    let aggregate = match backend {
        DatabaseBackend::Postgres => {
            "COALESCE(json_agg(json_build_array(id, distribution_id, household_id)), '[]')::text"
        }
        _ => "json_group_array(json_array(id, distribution_id, household_id))",
    };
    let mut ids = HashMap::with_capacity(rows.len());
    for chunk in plans.chunks(500) {
        let query = Query::select()
            .expr_as(Expr::cust(aggregate), "ids")
            .from(allocations::Entity.table_ref())
            .and_where(Expr::col(allocations::Column::DistributionId).is_in(chunk.iter().copied()))
            .to_owned();
        let Some(row) = db.query_one_raw(backend.build(&query)).await? else {
            continue;
        };
        let text: String = row.try_get("", "ids")?;
        let stored: Vec<(i32, i32, i32)> = serde_json::from_str(&text).map_err(|e| Error::Internal(e.to_string()))?;
        ids.extend(stored.into_iter().map(|(id, plan, household)| ((plan, household), id)));
    }
    for r in &mut rows {
        r.id = *ids.get(&(r.distribution_id, r.household_id)).ok_or_else(|| {
            Error::Internal(format!(
                "allocation of household {} came back without an id",
                r.household_id
            ))
        })?;
    }
    Ok(rows)
}
