//! Allocation rows (分配到户明细) written in bulk. On SQLite, prepared multi-row `INSERT`s of 2,000
//! rows with bound values (measured at the raw bulk-insert rate, ~500,000 rows/s); on PostgreSQL a
//! batch of 5,000 goes as one array a column that the server reads back into rows (`unnest`):
//! fourteen parameters a batch instead of fourteen a row. Their ids are taken from the table's
//! sequence before they are written, so rows are sealed while they are written.

use crate::domain::distribution::Line;
use crate::domain::{Error, Result};
use entity::allocations;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};

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

/// The columns written, in the order of [`values`].
const COLUMNS: &str = "id, distribution_id, household_id, number, head_name, members, status, labour, weight, \
    dividend_fen, post_wage_fen, incentive_fen, tax_withheld_fen, total_fen";

/// Rows a statement on SQLite: 14 parameters a row, under its limit of 32,766.
const SQLITE_ROWS: usize = 2_000;

fn values(r: &allocations::Model) -> [sea_orm::Value; 14] {
    [
        r.id.into(),
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

/// The rows as one array a column, in the order of [`COLUMNS`] (PostgreSQL's `unnest` reads them
/// back into rows).
fn columns(rows: &[allocations::Model]) -> [sea_orm::Value; 14] {
    fn column<T>(rows: &[allocations::Model], field: impl Fn(&allocations::Model) -> T) -> sea_orm::Value
    where
        sea_orm::Value: From<Vec<T>>,
    {
        rows.iter().map(field).collect::<Vec<T>>().into()
    }
    [
        column(rows, |r| r.id),
        column(rows, |r| r.distribution_id),
        column(rows, |r| r.household_id),
        column(rows, |r| r.number.clone()),
        column(rows, |r| r.head_name.clone()),
        column(rows, |r| r.members),
        column(rows, |r| r.status.clone()),
        column(rows, |r| r.labour.clone()),
        column(rows, |r| r.weight.clone()),
        column(rows, |r| r.dividend_fen),
        column(rows, |r| r.post_wage_fen),
        column(rows, |r| r.incentive_fen),
        column(rows, |r| r.tax_withheld_fen),
        column(rows, |r| r.total_fen),
    ]
}

/// Gives the rows ids of their own, in their order, from the table's id sequence, so that they
/// can be sealed while they are written and need not be read back. On PostgreSQL each id is a
/// `nextval` (safe beside other sessions); on SQLite the ids follow the highest the table ever gave
/// (`sqlite_sequence`, which `AUTOINCREMENT` keeps), which no other writer can move while the write
/// transaction holds the database. Rows numbered must be written ([`write`]) before more are numbered
/// in the same transaction.
///
/// # Errors
/// A database error.
pub async fn number<C: ConnectionTrait>(db: &C, rows: &mut [allocations::Model]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    let internal = |m: String| Error::Internal(format!("allocation ids: {m}"));
    let ids: Vec<i64> = if backend == DatabaseBackend::Postgres {
        let sql = "SELECT json_agg(n ORDER BY n)::text AS ids FROM (SELECT nextval((SELECT \
                   pg_get_serial_sequence('allocations', 'id'))::regclass) AS n FROM generate_series(1, $1)) q";
        let n = i64::try_from(rows.len()).map_err(|e| internal(e.to_string()))?;
        let row = db
            .query_one_raw(Statement::from_sql_and_values(backend, sql, [n.into()]))
            .await?
            .ok_or_else(|| internal("no row".into()))?;
        let text: String = row.try_get("", "ids")?;
        serde_json::from_str(&text).map_err(|e| internal(e.to_string()))?
    } else {
        let sql = "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'allocations'), 0), \
                   COALESCE((SELECT MAX(id) FROM allocations), 0)) AS last";
        let row = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await?
            .ok_or_else(|| internal("no row".into()))?;
        let last: i64 = row.try_get("", "last")?;
        (last + 1..).take(rows.len()).collect()
    };
    if ids.len() != rows.len() {
        return Err(internal(format!("{} ids for {} rows", ids.len(), rows.len())));
    }
    for (r, id) in rows.iter_mut().zip(ids) {
        r.id = i32::try_from(id).map_err(|e| internal(e.to_string()))?;
    }
    Ok(())
}

/// Writes rows that [`number`] gave their ids.
///
/// # Errors
/// A database error.
pub async fn write<C: ConnectionTrait>(db: &C, rows: &[allocations::Model]) -> Result<()> {
    let backend = db.get_database_backend();
    if backend == DatabaseBackend::Postgres {
        let sql = format!(
            "INSERT INTO allocations ({COLUMNS}) SELECT * FROM unnest($1::int4[], $2::int4[], $3::int4[], \
             $4::text[], $5::text[], $6::int4[], $7::text[], $8::text[], $9::text[], $10::int8[], $11::int8[], \
             $12::int8[], $13::int8[], $14::int8[])"
        );
        for chunk in rows.chunks(BATCH) {
            db.execute_raw(Statement::from_sql_and_values(backend, &sql, columns(chunk)))
                .await?;
        }
        return Ok(());
    }
    // Each statement's values are bound while the one before runs on the database's thread.
    let row = format!("({})", ["?"; 14].join(","));
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

/// Numbers the rows and writes them; gives them back with their ids.
///
/// # Errors
/// A database error.
pub async fn insert<C: ConnectionTrait>(db: &C, mut rows: Vec<allocations::Model>) -> Result<Vec<allocations::Model>> {
    number(db, &mut rows).await?;
    write(db, &rows).await?;
    Ok(rows)
}
