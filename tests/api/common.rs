//! The test harness: a fresh database per test through the real migrations — a SQLite file, or a
//! fresh PostgreSQL database when `TEST_DATABASE_URL` names a server — and the real router.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use relief_ledger::api::{AppState, router};
use relief_ledger::domain::identity::IdNumber;
use relief_ledger::domain::vocab::Role;
use relief_ledger::service::{Store, auth};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestApp {
    pub store: Store,
    pub url: String,
    pub token: String,
    _dir: Option<tempfile_dir::Dir>,
}

/// A scratch directory removed on drop (no extra crate needed for this).
mod tempfile_dir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A database URL for one test: a new PostgreSQL database or a new SQLite file.
pub async fn fresh_database() -> (String, Option<tempfile_dir::Dir>) {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let tag = format!("{}_{}_{}", std::process::id(), n, rand_suffix());
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            let admin = Database::connect(&base).await.expect("connect to TEST_DATABASE_URL");
            let name = format!("rl_test_{tag}");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create test database");
            let (prefix, _) = base.rsplit_once('/').expect("database URL with a path");
            (format!("{prefix}/{name}"), None)
        }
        _ => {
            let dir = std::env::temp_dir().join(format!("relief-ledger-test-{tag}"));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}/test.db", dir.display());
            (url, Some(tempfile_dir::Dir(dir)))
        }
    }
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

pub const ADMIN_PASSWORD: &str = "admin-pass-2025";

impl TestApp {
    /// A migrated database with one admin, logged in.
    pub async fn new() -> TestApp {
        let (url, dir) = fresh_database().await;
        let store = Store::open(&url).await.expect("open test database");
        auth::add_user(&store, "admin", Role::Admin, None, ADMIN_PASSWORD)
            .await
            .unwrap();
        let mut app = TestApp {
            store,
            url,
            token: String::new(),
            _dir: dir,
        };
        app.token = app.login("admin", ADMIN_PASSWORD).await;
        app
    }

    /// The same database as another process sees it (the CLI beside `serve`): its own store,
    /// connections and read cache; the same admin token.
    pub async fn other_process(&self) -> TestApp {
        TestApp {
            store: Store::open(&self.url).await.expect("open the database again"),
            url: self.url.clone(),
            token: self.token.clone(),
            _dir: None,
        }
    }

    pub async fn login(&self, user: &str, password: &str) -> String {
        let (st, body) = self
            .call_as(
                None,
                "POST",
                "/api/v1/auth/login",
                Some(json!({"username": user, "password": password})),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "login {user}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// Adds a user with a role and region and returns their token.
    pub async fn user(&self, name: &str, role: Role, region: Option<&str>) -> String {
        auth::add_user(&self.store, name, role, region, "secret-pass-1")
            .await
            .unwrap();
        self.login(name, "secret-pass-1").await
    }

    pub async fn raw(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, String, Vec<u8>) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        self.send(req).await
    }

    /// Sends one request through the router: (status, content type, body).
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, String, Vec<u8>) {
        let resp = router(AppState {
            store: self.store.clone(),
        })
        .oneshot(req)
        .await
        .unwrap();
        let status = resp.status();
        let ct = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, ct, bytes)
    }

    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (st, _, bytes) = self
            .raw(token, method, path, body.map(|b| serde_json::to_vec(&b).unwrap()))
            .await;
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        (st, v)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (st, v) = self.call_as(Some(&self.token), "GET", path, None).await;
        assert!(st.is_success(), "GET {path} -> {st}: {v}");
        v
    }

    /// A POST that must succeed.
    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (st, v) = self.call_as(Some(&self.token), "POST", path, Some(body)).await;
        assert!(st.is_success(), "POST {path} -> {st}: {v}");
        v
    }

    /// A POST that must be refused with a problem naming `field` (or any refusal when `None`),
    /// returning the status.
    pub async fn refused(&self, path: &str, body: Value, field: Option<&str>) -> StatusCode {
        self.refused_as(&self.token, path, body, field).await
    }

    pub async fn refused_as(&self, token: &str, path: &str, body: Value, field: Option<&str>) -> StatusCode {
        let (st, ct, bytes) = self
            .raw(Some(token), "POST", path, Some(serde_json::to_vec(&body).unwrap()))
            .await;
        let v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(st.is_client_error(), "POST {path} should be refused, got {st}: {v}");
        assert!(ct.starts_with("application/problem+json"), "content type {ct}");
        for k in ["type", "title", "status", "code"] {
            assert!(v.get(k).is_some(), "problem lacks {k}: {v}");
        }
        if let Some(f) = field {
            let named = v["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"].as_str().unwrap_or("").contains(f));
            assert!(named, "problem does not name {f}: {v}");
        }
        st
    }

    /// Row counts of the ledger tables, to show a refusal wrote nothing.
    pub async fn counts(&self) -> Vec<(String, i64)> {
        let mut out = Vec::new();
        for t in [
            "regions",
            "households",
            "household_statuses",
            "projects",
            "funding_lines",
            "assets",
            "ownership_shares",
            "yields",
            "yield_credits",
            "income_entries",
            "distributions",
            "allocations",
            "distribution_steps",
            "audit_log",
        ] {
            let row = self
                .store
                .db
                .query_one_raw(sea_orm::Statement::from_string(
                    self.store.db.get_database_backend(),
                    format!("SELECT COUNT(*) AS n FROM {t}"),
                ))
                .await
                .unwrap()
                .unwrap();
            out.push((t.to_string(), row.try_get::<i64>("", "n").unwrap()));
        }
        out
    }
}

/// A synthetic ID number with a valid check digit.
pub fn id_number(seq: u32) -> String {
    IdNumber::with_check_digit(&format!("37162219800101{:03}", seq % 1000))
}

/// Money as the API prints it.
pub fn m(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("money should be a string: {v}"))
        .to_string()
}

/// A county with one township and the given villages.
pub async fn county(app: &TestApp, villages: &[(&str, &str)]) {
    app.post(
        "/api/v1/regions",
        json!({"code": "371622000000", "name": "示范县", "level": "county"}),
    )
    .await;
    app.post(
        "/api/v1/regions",
        json!({"code": "371622101000", "name": "城关镇", "level": "township", "parent_code": "371622000000"}),
    )
    .await;
    for (code, name) in villages {
        app.post(
            "/api/v1/regions",
            json!({"code": code, "name": name, "level": "village", "parent_code": "371622101000"}),
        )
        .await;
    }
}

/// Adds a household and returns its id.
pub async fn household(
    app: &TestApp,
    village: &str,
    n: u32,
    members: i64,
    labour: &str,
    status: &str,
    disabled: bool,
) -> i64 {
    let h = app
        .post(
            "/api/v1/households",
            json!({"village_code": village, "number": format!("{village}{n:03}"), "head_name": format!("户主{n}"),
                   "id_number": id_number(n), "members": members, "labour": labour, "status": status, "disabled": disabled,
                   "group": "一组", "bank_account": format!("62170000000{n:08}")}),
        )
        .await;
    h["id"].as_i64().unwrap()
}

/// Walks a drafted plan through every step to paid.
pub async fn walk_to_paid(app: &TestApp, id: i64, year: i32) {
    let steps: Vec<Value> = ["proposal", "consultation", "party_review", "representatives_resolution"]
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"step": s, "date": format!("{year}-07-0{}", i + 1), "attendance": "21/25", "minutes_ref": format!("会议-{}", i + 1)}))
        .collect();
    app.post(&format!("/api/v1/distributions/{id}/resolve"), json!({"steps": steps}))
        .await;
    app.post(
        &format!("/api/v1/distributions/{id}/publicize"),
        json!({"from": format!("{year}-07-05"), "to": format!("{year}-07-12")}),
    )
    .await;
    app.post(
        &format!("/api/v1/distributions/{id}/review"),
        json!({"date": format!("{year}-07-14"), "reviewer": "城关镇"}),
    )
    .await;
    app.post(
        &format!("/api/v1/distributions/{id}/file"),
        json!({"date": format!("{year}-07-15"), "reference": "备〔1〕号"}),
    )
    .await;
    app.post(
        &format!("/api/v1/distributions/{id}/pay"),
        json!({"paid_on": format!("{year}-07-20"), "reference": "一卡通"}),
    )
    .await;
}

/// A project of one asset worth `value`, accepted and confirmed wholly to `village`; the asset's id.
pub async fn confirmed_asset(app: &TestApp, code: &str, village: &str, value: &str) -> i64 {
    let p = app
        .post("/api/v1/projects", json!({"code": code, "name": "测试项目", "county_code": "371622000000", "kind": "photovoltaic", "year": 2024,
            "implementing_unit": "x", "village_codes": [village], "funding": [{"source": "central", "amount": value, "fiscal_year": 2024, "document": "d"}]}))
        .await;
    let pid = p["id"].as_i64().unwrap();
    for status in ["approved", "under_construction"] {
        app.post(&format!("/api/v1/projects/{pid}/status"), json!({"status": status}))
            .await;
    }
    let assets = app
        .post(
            &format!("/api/v1/projects/{pid}/accept"),
            json!({"accepted_on": "2024-05-01", "assets": [{"name": "资产", "class": "operating", "value": value}]}),
        )
        .await;
    let asset = assets[0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2024-05-02", "owners": [{"region_code": village, "investment": value}]}),
    )
    .await;
    asset
}

/// Runs the command line on the test's database.
pub fn cli(url: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_relief-ledger"))
        .arg("--db")
        .arg(url)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        // A command refused by its arguments may exit before it reads: a broken pipe is fine.
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    }
    child.wait_with_output().unwrap()
}

/// `audit verify` passes: the chain holds and every ledger row is in the state the log left it.
pub fn assert_audit_verifies(app: &TestApp) {
    let out = cli(&app.url, &["audit", "verify"], None);
    assert!(
        out.status.success(),
        "audit verify: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("与日志一致"));
}
