//! Nothing lost (断电不丢账): the real server is killed (SIGKILL) in the middle of a batch of
//! concurrent writes; on restart every write it acknowledged is there with all its rows, no write
//! is there in part, and the audit chain verifies. On SQLite and (with `TEST_DATABASE_URL`)
//! PostgreSQL.

use crate::common::*;
use crate::proc::{Client, Server, cli};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const V1: &str = "371622101201";
const ROUNDS: usize = 5;
const CLIENTS: usize = 4;

/// The writes a round's clients saw acknowledged.
#[derive(Default)]
struct Acked {
    households: BTreeSet<String>,
    yields: BTreeSet<i64>,
    /// Requests the kill cut off mid-way (sent, never answered), not refused connections after it.
    in_flight: usize,
}

fn cut_off(e: &std::io::Error, acked: &Mutex<Acked>) {
    if e.kind() != std::io::ErrorKind::ConnectionRefused {
        acked.lock().unwrap().in_flight += 1;
    }
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let row = app
        .store
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.store.db.get_database_backend(),
            sql.to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// One client's loop: a household, then a yield, … until the server goes away or the batch ends.
fn writer(
    c: Client,
    round: usize,
    me: usize,
    asset: i64,
    acked: Arc<Mutex<Acked>>,
    count: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) {
    for i in 0..400 {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let number = format!("K{round}-{me}-{i:03}");
        let id = 100 + (round * 1000 + me * 100 + i) as u32 % 900;
        let h = c.call(
            "POST",
            "/api/v1/households",
            Some(
                &json!({"village_code": V1, "number": number, "head_name": format!("户主{number}"),
                "id_number": id_number(id), "members": 1 + (i % 5), "labour": "full", "status": "lifted",
                "bank_account": format!("62170000{round}{me}{i:09}")}),
            ),
        );
        match h {
            Ok(a) if a.ok() => {
                acked.lock().unwrap().households.insert(number);
                count.fetch_add(1, Ordering::SeqCst);
            }
            Ok(a) => panic!("household {number} refused: {} {}", a.status, a.body),
            Err(e) => return cut_off(&e, &acked),
        }
        let y = c.call(
            "POST",
            &format!("/api/v1/assets/{asset}/yields"),
            Some(&json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-01-31",
                "received_on": "2025-02-01", "revenue": format!("{}.{:02}", 10 + i, me), "voucher": format!("V{round}-{me}-{i}")})),
        );
        match y {
            Ok(a) if a.ok() => {
                let id = a.json()["id"].as_i64().expect("a yield id");
                acked.lock().unwrap().yields.insert(id);
                count.fetch_add(1, Ordering::SeqCst);
            }
            Ok(a) => panic!("yield refused: {} {}", a.status, a.body),
            Err(e) => return cut_off(&e, &acked),
        }
    }
}

/// Every acknowledged write is there, whole; nothing is there in part; the chain verifies.
async fn check(app: &TestApp, server: &Server, acked: &Acked) -> usize {
    let admin = server.client(None).login("admin", ADMIN_PASSWORD);
    let mut numbers = BTreeSet::new();
    let mut offset = 0;
    loop {
        let page = admin.must(
            "GET",
            &format!("/api/v1/households?village_code={V1}&limit=1000&offset={offset}"),
            None,
        );
        let items = page["items"].as_array().unwrap();
        for h in items {
            assert_eq!(h["status_history"].as_array().unwrap().len(), 1, "{h}");
            numbers.insert(h["number"].as_str().unwrap().to_string());
        }
        offset += items.len();
        if items.is_empty() || offset as u64 >= page["total"].as_u64().unwrap() {
            break;
        }
    }
    let lost: Vec<_> = acked.households.difference(&numbers).collect();
    assert!(lost.is_empty(), "acknowledged households lost: {lost:?}");
    for id in &acked.yields {
        let y: Value = admin.must("GET", &format!("/api/v1/yields/{id}"), None);
        assert_eq!(y["credits"].as_array().map(Vec::len), Some(1), "yield {id}: {y}");
    }
    // Nothing partial: every household has its status row and its audit entry; every yield its
    // credit, its income entry and its audit entry.
    for (what, sql) in [
        (
            "households without a status row",
            "SELECT COUNT(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM household_statuses s WHERE s.household_id = h.id)",
        ),
        (
            "households without an audit entry",
            "SELECT COUNT(*) AS n FROM households h WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'household' AND a.entity_id = CAST(h.id AS TEXT))",
        ),
        (
            "yields without a credit",
            "SELECT COUNT(*) AS n FROM yields y WHERE NOT EXISTS (SELECT 1 FROM yield_credits c WHERE c.yield_id = y.id)",
        ),
        (
            "yields without an income entry",
            "SELECT COUNT(*) AS n FROM yields y WHERE NOT EXISTS (SELECT 1 FROM income_entries e WHERE e.yield_id = y.id)",
        ),
        (
            "yields without an audit entry",
            "SELECT COUNT(*) AS n FROM yields y WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'yield' AND a.entity_id = CAST(y.id AS TEXT))",
        ),
        (
            "audit entries of households that are not there",
            "SELECT COUNT(*) AS n FROM audit_log a WHERE a.action = 'household.create' AND NOT EXISTS (SELECT 1 FROM households h WHERE CAST(h.id AS TEXT) = a.entity_id)",
        ),
        (
            "audit entries of yields that are not there",
            "SELECT COUNT(*) AS n FROM audit_log a WHERE a.action = 'yield.post' AND NOT EXISTS (SELECT 1 FROM yields y WHERE CAST(y.id AS TEXT) = a.entity_id)",
        ),
    ] {
        assert_eq!(scalar(app, sql).await, 0, "{what}");
    }
    let verify = cli(&app.url, &["audit", "verify"]);
    assert!(
        verify.status.success(),
        "audit verify after a kill: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
    acked.households.len() + acked.yields.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_keeps_every_acknowledged_write_and_no_partial_one() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let asset = confirmed_asset(&app, "KILL-1", V1, "500000.00").await;
    let mut total = Acked::default();
    let mut checked = 0;
    let mut server = Server::start(&app.url, &[]);
    for round in 0..ROUNDS {
        let admin = server.client(None).login("admin", ADMIN_PASSWORD);
        let acked = Arc::new(Mutex::new(Acked::default()));
        let count = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let threads: Vec<_> = (0..CLIENTS)
            .map(|me| {
                let (c, acked, count, stop) = (admin.clone(), acked.clone(), count.clone(), stop.clone());
                std::thread::spawn(move || writer(c, round, me, asset, acked, count, stop))
            })
            .collect();
        // Kill once a few dozen writes are through, while the clients are still writing.
        let target = 20 + 15 * round;
        let started = Instant::now();
        while count.load(Ordering::SeqCst) < target && started.elapsed() < Duration::from_secs(120) {
            std::thread::sleep(Duration::from_millis(2));
        }
        server.kill();
        stop.store(true, Ordering::SeqCst);
        for t in threads {
            t.join().expect("a writer thread");
        }
        let acked = Arc::try_unwrap(acked).ok().unwrap().into_inner().unwrap();
        assert!(
            acked.households.len() + acked.yields.len() >= target,
            "round {round}: the batch was under way when killed"
        );
        total.households.extend(acked.households);
        total.yields.extend(acked.yields);
        total.in_flight += acked.in_flight;
        // Restart on the same database; everything acknowledged so far must be there.
        server = Server::start(&app.url, &[]);
        checked = check(&app, &server, &total).await;
    }
    let _ = server.stop();
    assert!(total.in_flight > 0, "the kills cut requests off mid-way");
    println!(
        "kill-restart: {ROUNDS} rounds, {CLIENTS} concurrent clients, {checked} acknowledged writes verified ({} households, {} yields), {} requests cut off in flight",
        total.households.len(),
        total.yields.len(),
        total.in_flight
    );
}
