//! `relief-ledger bench` (性能基准): generates a synthetic region of N households, runs the
//! year-end phases through the same services the API uses, and prints each phase's rate beside the
//! machine's reference figures measured in the same run (raw bulk insert, bare allocation loop).

use crate::api::{AppState, router};
use crate::domain::allocation::allocate;
use crate::domain::distribution::DividendRule;
use crate::domain::identity::IdNumber;
use crate::domain::vocab::{
    AssetClass, FundingSource, HouseholdStatus, Labour, OperationMode, ProjectStatus, RegionLevel, YieldKind,
};
use crate::domain::{Error, Fen, Result};
use crate::service::{
    Actor, Store, assets, distributions, documents, households, projects, reconciliation, regions, yields,
};
use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, Statement};
use serde::Serialize;
use std::time::Instant;

/// Every phase, in the order they run.
pub const PHASES: &[&str] = &[
    "insert",
    "yields",
    "distribute",
    "resolve",
    "reconcile",
    "statements",
    "reads",
    "reads_plan",
    "ref_bulk_insert",
    "ref_allocate",
    "ref_bare_handler",
];

/// One line of the result.
#[derive(Debug, Serialize)]
pub struct PhaseResult {
    pub phase: String,
    pub items: u64,
    pub seconds: f64,
    pub items_per_s: f64,
    pub peak_rss_mib: f64,
    /// The 99th-percentile latency of the read phases, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p99_ms: Option<f64>,
}

/// The peak resident memory of this process (VmHWM), in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    (kib / 1024.0 * 10.0).round() / 10.0
}

fn result(phase: &str, items: u64, started: Instant) -> PhaseResult {
    timed(phase, items, started.elapsed())
}

fn timed(phase: &str, items: u64, elapsed: std::time::Duration) -> PhaseResult {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { items as f64 / seconds } else { 0.0 };
    PhaseResult {
        phase: phase.into(),
        items,
        seconds: (seconds * 1000.0).round() / 1000.0,
        items_per_s: rate.round(),
        peak_rss_mib: peak_rss_mib(),
        p99_ms: None,
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid bench date")
}

/// The synthetic region the phases work on.
struct Region {
    county: String,
    townships: Vec<String>,
    villages: Vec<String>,
    stations: Vec<i32>,
    plans: Vec<i32>,
    allocations: u64,
}

/// Runs the chosen phases and hands each result to `report` as it finishes.
///
/// # Errors
/// A phase that fails.
pub async fn run(
    store: &Store,
    households: u64,
    phases: &[String],
    mut report: impl FnMut(&PhaseResult),
) -> Result<()> {
    let wants = |p: &str| phases.iter().any(|x| x == p);
    let actor = Actor::system("bench");
    let mut rng = StdRng::seed_from_u64(households);
    let mut region = Region {
        county: String::new(),
        townships: Vec::new(),
        villages: Vec::new(),
        stations: Vec::new(),
        plans: Vec::new(),
        allocations: 0,
    };
    // The later phases need the region: generate it even when `insert` is not reported.
    let started = Instant::now();
    generate(store, &actor, households, &mut rng, &mut region).await?;
    analyze(store).await?;
    if wants("insert") {
        report(&result("insert", households, started));
    }
    let needs_yields = ["yields", "distribute", "reconcile", "statements", "reads", "reads_plan"]
        .iter()
        .any(|p| wants(p));
    if needs_yields {
        let started = Instant::now();
        let n = post_yields(store, &actor, &region, &mut rng).await?;
        analyze(store).await?;
        if wants("yields") {
            report(&result("yields", n, started));
        }
    }
    if [
        "distribute",
        "resolve",
        "reconcile",
        "statements",
        "reads",
        "reads_plan",
        "ref_bulk_insert",
    ]
    .iter()
    .any(|p| wants(p))
    {
        let started = Instant::now();
        distribute(store, &actor, &mut region).await?;
        let elapsed = started.elapsed();
        region.allocations = allocations_of(store, &region.county).await?;
        if wants("distribute") {
            report(&timed("distribute", region.allocations, elapsed));
        }
    }
    if ["resolve", "reconcile", "statements", "reads", "reads_plan"]
        .iter()
        .any(|p| wants(p))
    {
        let started = Instant::now();
        resolve(store, &actor, &region).await?;
        if wants("resolve") {
            report(&result("resolve", region.plans.len() as u64, started));
        }
    }
    if wants("reconcile") {
        let started = Instant::now();
        let q = reconciliation::ReportQuery {
            region_code: Some(region.county.clone()),
            year: Some(2025),
        };
        let rec = reconciliation::reconcile(store, &actor, &q).await?;
        if !rec.balanced {
            return Err(Error::Internal("bench region does not reconcile".into()));
        }
        report(&result("reconcile", households, started));
    }
    if wants("statements") {
        let started = Instant::now();
        let mut pages = 0;
        for id in &region.plans {
            let list = documents::statements(store, &actor, *id, None).await?;
            pages += list.len() as u64;
            tokio::task::spawn_blocking(move || reports::pdf::statements_pdf(&list))
                .await
                .map_err(|e| Error::Internal(e.to_string()))?;
        }
        report(&result("statements", pages, started));
    }
    let reads = [
        (
            "reads",
            format!("/api/v1/assets?county_code={}&limit=100", region.county),
        ),
        (
            "reads_plan",
            format!("/api/v1/distributions/{}", region.plans.first().copied().unwrap_or(0)),
        ),
    ];
    for (phase, path) in reads {
        if wants(phase) {
            let started = Instant::now();
            let latencies = authenticated_reads(store, path).await?;
            let mut r = result(phase, latencies.len() as u64, started);
            r.p99_ms = Some(p99(&latencies));
            report(&r);
        }
    }
    if wants("ref_bare_handler") {
        let started = Instant::now();
        let latencies = bare_handler_reads().await?;
        let mut r = result("ref_bare_handler", latencies.len() as u64, started);
        r.p99_ms = Some(p99(&latencies));
        report(&r);
    }
    if wants("ref_bulk_insert") {
        let rows = region.allocations.max(households);
        let started = Instant::now();
        bulk_insert(store, rows).await?;
        report(&result("ref_bulk_insert", rows, started));
    }
    if wants("ref_allocate") {
        let weights: Vec<i64> = (0..households.max(1)).map(|i| 10 + (i as i64 * 7919) % 90).collect();
        let started = Instant::now();
        let parts = allocate(Fen(130_000_000), &weights).map_err(|e| Error::Internal(e.to_string()))?;
        std::hint::black_box(parts);
        report(&result("ref_allocate", weights.len() as u64, started));
    }
    Ok(())
}

/// On PostgreSQL, what autovacuum does after a bulk load: the planner's statistics of every
/// table that now holds rows (this machine's server runs with autovacuum off). A table still
/// empty is left alone: analysed empty, it would be planned as empty however much it grows.
async fn analyze(store: &Store) -> Result<()> {
    if !store.is_postgres() {
        return Ok(());
    }
    let rows = store
        .db
        .query_all_raw(Statement::from_string(
            store.db.get_database_backend(),
            "SELECT relname FROM pg_stat_user_tables WHERE n_live_tup > 0".to_string(),
        ))
        .await?;
    let tables: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "relname").map(|t| format!("\"{t}\"")))
        .collect::<std::result::Result<_, _>>()?;
    if !tables.is_empty() {
        store
            .db
            .execute_unprepared(&format!("ANALYZE {}", tables.join(", ")))
            .await?;
    }
    Ok(())
}

async fn generate(store: &Store, actor: &Actor, households: u64, rng: &mut StdRng, region: &mut Region) -> Result<()> {
    let county = format!("99{:04}000000", rng.gen_range(0..10_000));
    region.county = county.clone();
    let new = |code: &str, name: &str, level, parent: Option<&str>| regions::NewRegion {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
    };
    regions::create(store, actor, new(&county, "基准县", RegionLevel::County, None)).await?;
    let mut remaining = households;
    let mut v = 0_u64;
    while remaining > 0 {
        let township = format!("{}{:03}000", &county[..6], v / 100 + 1);
        if v.is_multiple_of(100) {
            region.townships.push(township.clone());
            regions::create(
                store,
                actor,
                new(&township, "基准乡", RegionLevel::Township, Some(&county)),
            )
            .await?;
        }
        let code = format!("{}{:03}", &township[..9], v % 100 + 1);
        regions::create(
            store,
            actor,
            new(&code, &format!("基准村{v}"), RegionLevel::Village, Some(&township)),
        )
        .await?;
        let size = rng.gen_range(100..=400).min(remaining);
        let rows: Vec<households::BulkRow> = (0..size)
            .map(|i| households::BulkRow {
                number: format!("{code}{i:04}"),
                head_name: format!("基准户{i}"),
                id_number: IdNumber::with_check_digit(&format!("{}19800101{:03}", &county[..6], i % 1000)),
                members: rng.gen_range(1..=6),
                disabled: rng.gen_bool(0.1),
                bank_account: format!("6217{:015}", v * 1000 + i),
                status: [
                    HouseholdStatus::Lifted,
                    HouseholdStatus::Lifted,
                    HouseholdStatus::Lifted,
                    HouseholdStatus::Marginal,
                    HouseholdStatus::Ordinary,
                ][rng.gen_range(0..5)],
                labour: [Labour::Full, Labour::Full, Labour::Weak, Labour::None][rng.gen_range(0..4)],
            })
            .collect();
        households::bulk_insert(store, actor, &code, &rows).await?;
        region.villages.push(code.clone());
        region.stations.push(station(store, actor, &county, &code, v).await?);
        remaining -= size;
        v += 1;
    }
    Ok(())
}

/// A village PV station, accepted and confirmed to the village.
async fn station(store: &Store, actor: &Actor, county: &str, village: &str, n: u64) -> Result<i32> {
    let funding = vec![projects::Funding {
        source: FundingSource::Central,
        amount: Fen(40_000_000),
        fiscal_year: 2024,
        document: "基准".into(),
    }];
    let p = projects::create(
        store,
        actor,
        projects::NewProject {
            code: format!("B{county}-{n:05}"),
            name: "村级光伏电站".into(),
            county_code: county.into(),
            kind: "photovoltaic".into(),
            year: 2024,
            implementing_unit: "基准".into(),
            village_codes: vec![village.into()],
            funding,
        },
    )
    .await?;
    for status in [ProjectStatus::Approved, ProjectStatus::UnderConstruction] {
        projects::change_status(store, actor, p.id, projects::StatusChange { status }).await?;
    }
    let asset = projects::NewAsset {
        name: "光伏电站".into(),
        class: AssetClass::Operating,
        form: None,
        value: Fen(40_000_000),
        operation_mode: Some(OperationMode::Entrusted),
        operator: Some("运维公司".into()),
        pv_capacity_kw: Some(Decimal::from(100)),
    };
    let formed = projects::accept(
        store,
        actor,
        p.id,
        projects::Acceptance {
            accepted_on: date(2024, 6, 1),
            assets: vec![asset],
        },
    )
    .await?;
    let owners = vec![assets::NewOwner {
        region_code: Some(village.into()),
        household_id: None,
        investment: Fen(40_000_000),
    }];
    assets::confirm(
        store,
        actor,
        formed[0].id,
        assets::Confirmation {
            confirmed_on: date(2024, 6, 2),
            owners,
        },
    )
    .await?;
    Ok(formed[0].id)
}

/// Twelve monthly readings per station, a station's year in one transaction (as the settlement
/// sheet import posts a file), through the service of `POST /assets/{id}/yields`.
async fn post_yields(store: &Store, actor: &Actor, region: &Region, rng: &mut StdRng) -> Result<u64> {
    let mut n = 0;
    for station in &region.stations {
        let w = store.write().await?;
        for m in 1..=12_u32 {
            let end = date(2025, m, 28);
            let y = yields::NewYield {
                kind: YieldKind::PvSales,
                period_start: date(2025, m, 1),
                period_end: end,
                received_on: Some(end),
                revenue: None,
                deductions: yields::Deductions::default(),
                kwh: Some(Decimal::from(rng.gen_range(9_000..14_000))),
                tariff: Some(Decimal::new(3949, 4)),
                voucher: None,
            };
            yields::post_in(&*w, actor, *station, y).await?;
            n += 1;
        }
        w.commit().await?;
    }
    Ok(n)
}

/// A draft plan per village with its allocations stored, a township's drafts in one transaction
/// (the service of `POST /distributions/drafts`).
async fn distribute(store: &Store, actor: &Actor, region: &mut Region) -> Result<()> {
    for township in &region.townships {
        let made = distributions::draft_all(
            store,
            actor,
            distributions::NewDrafts {
                region_code: township.clone(),
                year: 2025,
                record_date: date(2025, 12, 31),
                retention_rate: Some(Decimal::new(15, 2)),
                management_rate: Some(Decimal::new(5, 2)),
                dividend: DividendRule::default(),
            },
        )
        .await?;
        region.plans.extend(made.into_iter().map(|p| p.id));
    }
    Ok(())
}

/// The allocation rows the county's plans hold.
async fn allocations_of(store: &Store, county: &str) -> Result<u64> {
    let sql = format!(
        "SELECT COUNT(*) AS n FROM allocations a JOIN distributions d ON d.id = a.distribution_id \
         WHERE d.village_code LIKE '{}%'",
        &county[..6]
    );
    let row = store
        .db
        .query_one_raw(Statement::from_string(store.db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| Error::Internal("no count".into()))?;
    Ok(row.try_get::<i64>("", "n")?.try_into().unwrap_or_default())
}

/// The four deliberations (四议) of every plan, each plan in its own transaction (the service of
/// `POST /distributions/{id}/resolve`).
async fn resolve(store: &Store, actor: &Actor, region: &Region) -> Result<()> {
    for id in &region.plans {
        let steps = crate::domain::vocab::DeliberationStep::ALL
            .iter()
            .map(|s| distributions::StepInput {
                step: *s,
                date: date(2026, 1, 5),
                attendance: "9/9".into(),
                minutes_ref: "基准".into(),
            })
            .collect();
        distributions::resolve(store, actor, *id, distributions::Resolve { steps }).await?;
    }
    Ok(())
}

/// Requests in the read phases, and how many run at once.
const READS: u64 = 20_000;
const CONNECTIONS: u64 = 50;

/// GETs of `path` (the county asset list of 100 rows, or a distribution page), 50 requests at a
/// time, through the router, as a logged-in admin.
async fn authenticated_reads(store: &Store, path: String) -> Result<Vec<f64>> {
    let token = bench_token(store).await?;
    let app = router(AppState { store: store.clone() });
    load(app, vec![path], Some(token)).await
}

/// The reference for the read phase: a bare JSON handler under the same load, the same way.
async fn bare_handler_reads() -> Result<Vec<f64>> {
    let app = axum::Router::new().route(
        "/bare",
        axum::routing::get(|| async { axum::Json(serde_json::json!({"ok": true})) }),
    );
    load(app, vec!["/bare".to_string()], None).await
}

/// [`READS`] GETs over `paths` from [`CONNECTIONS`] keep-alive HTTP/1.1 connections on loopback,
/// each sending its next request when the last answer is read (as `wrk` does); the app is served
/// by `axum::serve` on a fresh port. Each request's latency in ms, sorted.
async fn load(app: axum::Router, paths: Vec<String>, token: Option<String>) -> Result<Vec<f64>> {
    let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("bench load: {e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| internal(&e))?;
    let addr = listener.local_addr().map_err(|e| internal(&e))?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..CONNECTIONS {
        let (token, paths) = (token.clone(), paths.clone());
        tasks.spawn(async move { connection(addr, worker, &paths, token.as_deref()).await });
    }
    let mut all = Vec::with_capacity(READS as usize);
    while let Some(done) = tasks.join_next().await {
        all.extend(done.map_err(|e| internal(&e))?.map_err(|e| internal(&e))?);
    }
    server.abort();
    all.sort_by(f64::total_cmp);
    Ok(all)
}

/// One client connection of [`load`]: its share of the requests, in turn, timed.
async fn connection(
    addr: std::net::SocketAddr,
    worker: u64,
    paths: &[String],
    token: Option<&str>,
) -> std::result::Result<Vec<f64>, String> {
    use http_body_util::{BodyExt, Empty};
    let stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut sender, conn) = hyper::client::conn::http1::handshake::<_, Empty<axum::body::Bytes>>(io)
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut latencies = Vec::with_capacity((READS / CONNECTIONS) as usize);
    for i in 0..READS / CONNECTIONS {
        let path = &paths[((worker + i) % paths.len() as u64) as usize];
        let mut req = axum::http::Request::get(path.as_str()).header("host", addr.to_string());
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let req = req.body(Empty::new()).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
        let status = resp.status();
        resp.into_body().collect().await.map_err(|e| e.to_string())?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            return Err(format!("{path}: {status}"));
        }
    }
    Ok(latencies)
}

/// The 99th percentile of sorted latencies.
fn p99(sorted: &[f64]) -> f64 {
    let i = ((sorted.len() as f64 * 0.99).ceil() as usize).clamp(1, sorted.len().max(1)) - 1;
    sorted.get(i).map(|v| (v * 100.0).round() / 100.0).unwrap_or(0.0)
}

/// The columns of an allocation row (分配到户明细) as the reference writes them.
const REF_COLUMNS: &str = "distribution_id, household_id, number, head_name, members, status, labour, weight, \
    dividend_fen, post_wage_fen, incentive_fen, tax_withheld_fen, total_fen";

/// Reference rows a statement on SQLite (13 parameters a row, under its limit of 32,766).
const REF_SQLITE_ROWS: u64 = 2_000;

/// The `k`th reference row, shaped as an allocation: a plan of 200 households, a 15-digit
/// household number, a three-character head, the status and labour words, a decimal weight.
fn ref_row(k: u64) -> [sea_orm::Value; 13] {
    let fen = (k % 90_000) as i64 + 10_000;
    [
        ((k / 200) as i32 + 1).into(),
        (k as i32).into(),
        format!("{k:015}").into(),
        "王建国".into(),
        ((k % 6) as i32 + 1).into(),
        "lifted".into(),
        "full".into(),
        "1.5".into(),
        fen.into(),
        0i64.into(),
        0i64.into(),
        0i64.into(),
        fen.into(),
    ]
}

/// The physical reference: `rows` allocation rows in one transaction into a scratch table of the
/// allocations table's shape (its columns, key and index) — on SQLite prepared multi-row
/// `INSERT`s with bound values, on PostgreSQL one `COPY … FROM STDIN`.
async fn bulk_insert(store: &Store, rows: u64) -> Result<()> {
    let db = &store.db;
    let pg = store.is_postgres();
    db.execute_unprepared("DROP TABLE IF EXISTS bench_ref_rows").await?;
    let key = if pg {
        "id SERIAL PRIMARY KEY"
    } else {
        "id INTEGER PRIMARY KEY AUTOINCREMENT"
    };
    db.execute_unprepared(&format!(
        "CREATE TABLE bench_ref_rows ({key}, distribution_id INTEGER NOT NULL, household_id INTEGER NOT NULL, \
         number VARCHAR NOT NULL, head_name VARCHAR NOT NULL, members INTEGER NOT NULL, status VARCHAR NOT NULL, \
         labour VARCHAR NOT NULL, weight VARCHAR NOT NULL, dividend_fen BIGINT NOT NULL, \
         post_wage_fen BIGINT NOT NULL, incentive_fen BIGINT NOT NULL, tax_withheld_fen BIGINT NOT NULL, \
         total_fen BIGINT NOT NULL)"
    ))
    .await?;
    db.execute_unprepared("CREATE INDEX ix_bench_ref_rows ON bench_ref_rows (distribution_id)")
        .await?;
    if pg {
        copy_rows(db.get_postgres_connection_pool(), rows)
            .await
            .map_err(|e| Error::Internal(format!("COPY: {e}")))?;
    } else {
        let w = store.write().await?;
        let row = format!("({})", ["?"; 13].join(","));
        let mut i = 0;
        while i < rows {
            let n = (rows - i).min(REF_SQLITE_ROWS);
            let sql = format!(
                "INSERT INTO bench_ref_rows ({REF_COLUMNS}) VALUES {}",
                vec![row.as_str(); n as usize].join(",")
            );
            let values: Vec<sea_orm::Value> = (i..i + n).flat_map(ref_row).collect();
            w.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values))
                .await?;
            i += n;
        }
        w.commit().await?;
    }
    db.execute_unprepared("DROP TABLE bench_ref_rows").await?;
    Ok(())
}

/// `rows` reference rows through PostgreSQL's `COPY` in one transaction, sent 1 MiB at a time.
async fn copy_rows(pool: &sea_orm::sqlx::PgPool, rows: u64) -> std::result::Result<(), sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Connection;
    use std::fmt::Write as _;
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let mut copy = tx
        .copy_in_raw(&format!("COPY bench_ref_rows ({REF_COLUMNS}) FROM STDIN"))
        .await?;
    let mut buf = String::with_capacity(1 << 20);
    for k in 0..rows {
        let fen = k % 90_000 + 10_000;
        let _ = writeln!(
            buf,
            "{}\t{k}\t{k:015}\t王建国\t{}\tlifted\tfull\t1.5\t{fen}\t0\t0\t0\t{fen}",
            k / 200 + 1,
            k % 6 + 1
        );
        if buf.len() >= 1 << 20 {
            copy.send(buf.as_bytes()).await?;
            buf.clear();
        }
    }
    copy.send(buf.as_bytes()).await?;
    copy.finish().await?;
    tx.commit().await
}

/// A throw-away admin for the read phase, logged in.
async fn bench_token(store: &Store) -> Result<String> {
    use rand::distributions::Alphanumeric;
    let suffix: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(8)
        .map(char::from)
        .collect();
    let (name, password) = (format!("bench-{suffix}"), format!("bench-pass-{suffix}"));
    crate::service::auth::add_user(store, &name, crate::domain::vocab::Role::Admin, None, &password).await?;
    crate::service::auth::login(store, &name, &password).await
}
