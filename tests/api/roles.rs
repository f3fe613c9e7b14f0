//! Roles and region scopes (权限与区域范围) on every endpoint: a table of every API operation (the
//! table must cover every path and method of `GET /api/v1/openapi.json`, so a new endpoint without
//! a row fails here) × every role (admin, county staff, village accountant, auditor, no token) ×
//! three scopes (the accountant's own village; a second village of the same county; a village of
//! another county). A refused cell is a 401 or 403 and writes nothing (every ledger table's row
//! count, the audit log's included, is the same after it); an allowed cell is neither 401 nor 403.
//! The web pages are checked the same way: every list and item page, the new-item forms, and a
//! write form per resource.

use crate::common::*;
use axum::body::Body as HttpBody;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use relief_ledger::api::{AppState, router};
use relief_ledger::domain::vocab::Role as R;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

const COUNTY_A: &str = "371622000000";
const TOWN_A: &str = "371622101000";
const V1: &str = "371622101201";
const V2: &str = "371622101202";
const COUNTY_B: &str = "371623000000";
const TOWN_B: &str = "371623101000";
const W1: &str = "371623101201";

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    /// County staff of county A.
    Staff,
    /// The village accountant of V1.
    Accountant,
    /// The auditor of county A.
    Auditor,
    /// No token at all.
    Nobody,
}

const WHO: [Who; 5] = [Who::Nobody, Who::Auditor, Who::Accountant, Who::Staff, Who::Admin];

/// What a write is, in the words of API.md's "Roles:".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Duty {
    /// Regions: admin, county staff in their county.
    Regions,
    /// Households and the village's plan steps: village accountants.
    Village,
    /// Projects, assets, ownership, yields: county staff.
    County,
    /// Township review and county filing of a plan: county staff.
    Approval,
    /// Cancelling a plan: the village accountant or county staff.
    Cancel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// No login needed.
    Public,
    /// Any logged-in role (a page that lists what the user's scope holds).
    Any,
    /// Any role that sees the resource's region.
    Read,
    /// A list filtered to the scope's region: allowed in scope (and it lists the scope's item);
    /// outside, a 403 or an answer that lists nothing of the scope.
    List,
    /// The whole log: every role but the village accountant.
    AuditLog,
    /// A write: the duty's roles, in scope.
    Write(Duty),
    /// A web page that offers a write form: the duty's roles.
    Form(Duty),
}

fn may(who: Who, duty: Duty) -> bool {
    match who {
        Who::Admin => true,
        Who::Auditor | Who::Nobody => false,
        Who::Staff => matches!(duty, Duty::Regions | Duty::County | Duty::Approval | Duty::Cancel),
        Who::Accountant => matches!(duty, Duty::Village | Duty::Cancel),
    }
}

fn sees(who: Who, s: &Scope) -> bool {
    match who {
        Who::Admin => true,
        Who::Staff | Who::Auditor => s.county == COUNTY_A,
        Who::Accountant => s.village == V1,
        Who::Nobody => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    Refused,
    /// Allowed as a request, but must not list the scope's item.
    Hidden,
}

fn expect(rule: Rule, who: Who, s: &Scope) -> Expect {
    use Expect::*;
    if who == Who::Nobody {
        return if rule == Rule::Public { Allowed } else { Refused };
    }
    let ok = match rule {
        Rule::Public | Rule::Any => true,
        Rule::Read => sees(who, s),
        Rule::List => return if sees(who, s) { Allowed } else { Hidden },
        Rule::AuditLog => who != Who::Accountant,
        Rule::Write(d) => may(who, d) && sees(who, s),
        Rule::Form(d) => may(who, d),
    };
    if ok { Allowed } else { Refused }
}

/// One village's worth of everything, seeded by the admin.
struct Scope {
    name: &'static str,
    county: &'static str,
    township: &'static str,
    village: &'static str,
    household: i64,
    number: String,
    project: i64,
    project_code: String,
    planned: i64,
    asset: i64,
    asset_value: &'static str,
    asset2: i64,
    yield_id: i64,
    to_reverse: i64,
    receivable: i64,
    paid: i64,
    draft: i64,
}

async fn seed(
    app: &TestApp,
    name: &'static str,
    county: &'static str,
    township: &'static str,
    village: &'static str,
    k: u32,
) -> Scope {
    let household_id = household(app, village, 10 * k + 1, 3, "none", "lifted", false).await;
    household(app, village, 10 * k + 2, 2, "full", "marginal", true).await;
    let code = format!("PRJ-{name}");
    let p = app
        .post("/api/v1/projects", json!({"code": code, "name": format!("项目{name}"), "county_code": county, "kind": "photovoltaic", "year": 2024,
            "implementing_unit": "x", "village_codes": [village], "funding": [{"source": "central", "amount": "50000.00", "fiscal_year": 2024, "document": "d"}]}))
        .await;
    let project = p["id"].as_i64().unwrap();
    for status in ["approved", "under_construction"] {
        app.post(&format!("/api/v1/projects/{project}/status"), json!({"status": status}))
            .await;
    }
    let assets = app
        .post(
            &format!("/api/v1/projects/{project}/accept"),
            json!({"accepted_on": "2024-05-01", "assets": [
                {"name": format!("ASSET-{name}-A"), "class": "operating", "value": "40000.00"},
                {"name": format!("ASSET-{name}-B"), "class": "operating", "value": "10000.00"}]}),
        )
        .await;
    let (asset, asset2) = (assets[0]["id"].as_i64().unwrap(), assets[1]["id"].as_i64().unwrap());
    for (a, value) in [(asset, "40000.00"), (asset2, "10000.00")] {
        app.post(
            &format!("/api/v1/assets/{a}/ownership"),
            json!({"confirmed_on": "2024-05-02", "owners": [{"region_code": village, "investment": value}]}),
        )
        .await;
    }
    let planned = app
        .post("/api/v1/projects", json!({"code": format!("PLAN-{name}"), "name": "规划项目", "county_code": county, "kind": "planting", "year": 2025,
            "implementing_unit": "x", "village_codes": [village], "funding": [{"source": "county", "amount": "1000.00", "fiscal_year": 2025, "document": "d"}]}))
        .await["id"]
        .as_i64()
        .unwrap();
    let rent = |revenue: &str, received: bool| {
        let mut y =
            json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30", "revenue": revenue});
        if received {
            y["received_on"] = json!("2025-07-01");
        }
        y
    };
    let yield_id = app
        .post(&format!("/api/v1/assets/{asset}/yields"), rent("20000.00", true))
        .await["id"]
        .as_i64()
        .unwrap();
    let to_reverse = app
        .post(&format!("/api/v1/assets/{asset}/yields"), rent("50.00", true))
        .await["id"]
        .as_i64()
        .unwrap();
    let receivable = app
        .post(&format!("/api/v1/assets/{asset}/yields"), rent("60.00", false))
        .await["id"]
        .as_i64()
        .unwrap();
    let plan = |amount: &str| {
        json!({"village_code": village, "year": 2025, "record_date": "2025-06-30", "amount": amount,
        "retention_rate": "0.1", "management_rate": "0.05", "public_works": "0.00", "dividend": {}})
    };
    let paid = app.post("/api/v1/distributions", plan("3000.00")).await["id"]
        .as_i64()
        .unwrap();
    walk_to_paid(app, paid, 2025).await;
    let draft = app.post("/api/v1/distributions", plan("1000.00")).await["id"]
        .as_i64()
        .unwrap();
    Scope {
        name,
        county,
        township,
        village,
        household: household_id,
        number: format!("{village}{:03}", 10 * k + 1),
        project,
        project_code: code,
        planned,
        asset,
        asset_value: "40000.00",
        asset2,
        yield_id,
        to_reverse,
        receivable,
        paid,
        draft,
    }
}

static N: AtomicU32 = AtomicU32::new(0);

/// A number unique to the cell (new codes, numbers).
fn n() -> u32 {
    N.fetch_add(1, Ordering::SeqCst)
}

type PathFn = fn(&Scope) -> String;
type BodyFn = fn(&Scope, u32) -> Option<Value>;

/// One API operation: its method and path as the OpenAPI document names them, the rule, the
/// concrete path for a scope, and a valid body (so a refusal is about the role, not the input).
struct Row {
    method: &'static str,
    template: &'static str,
    rule: Rule,
    path: PathFn,
    body: BodyFn,
    /// For lists: what shows the scope's item in the answer.
    marker: Option<fn(&Scope) -> String>,
}

fn none(_: &Scope, _: u32) -> Option<Value> {
    None
}

macro_rules! row {
    ($m:literal, $t:literal, $rule:expr, $path:expr) => {
        Row {
            method: $m,
            template: $t,
            rule: $rule,
            path: $path,
            body: none,
            marker: None,
        }
    };
    ($m:literal, $t:literal, $rule:expr, $path:expr, body = $body:expr) => {
        Row {
            method: $m,
            template: $t,
            rule: $rule,
            path: $path,
            body: $body,
            marker: None,
        }
    };
    ($m:literal, $t:literal, $rule:expr, $path:expr, marker = $marker:expr) => {
        Row {
            method: $m,
            template: $t,
            rule: $rule,
            path: $path,
            body: none,
            marker: Some($marker),
        }
    };
}

fn steps() -> Value {
    let steps: Vec<Value> = ["proposal", "consultation", "party_review", "representatives_resolution"]
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"step": s, "date": format!("2025-07-0{}", i + 1), "attendance": "9/9", "minutes_ref": "记录"}))
        .collect();
    json!({"steps": steps})
}

fn api_rows() -> Vec<Row> {
    use Duty::*;
    use Rule::*;
    vec![
        row!("GET", "/healthz", Public, |_| "/healthz".into()),
        row!(
            "POST",
            "/api/v1/auth/login",
            Public,
            |_| "/api/v1/auth/login".into(),
            body = |_, _| Some(json!({"username": "admin", "password": ADMIN_PASSWORD}))
        ),
        row!("GET", "/verify/{code}", Public, |s| format!(
            "/verify/{}-0-00000000",
            s.paid
        )),
        row!(
            "POST",
            "/api/v1/regions",
            Write(Regions),
            |_| "/api/v1/regions".into(),
            body = |s, n| Some(
                json!({"code": format!("{}{:03}", &s.township[..9], 300 + n), "name": format!("新村{n}"), "level": "village", "parent_code": s.township})
            )
        ),
        row!(
            "GET",
            "/api/v1/regions",
            List,
            |s| format!("/api/v1/regions?parent_code={}", s.township),
            marker = |s| format!("\"{}\"", s.village)
        ),
        row!("GET", "/api/v1/regions/{code}/account", Read, |s| format!(
            "/api/v1/regions/{}/account?year=2025",
            s.village
        )),
        row!(
            "POST",
            "/api/v1/households",
            Write(Village),
            |_| "/api/v1/households".into(),
            body = |s, n| Some(
                json!({"village_code": s.village, "number": format!("NEW{n}"), "head_name": "新户", "id_number": id_number(500 + n % 400),
                "members": 2, "labour": "full", "status": "lifted", "bank_account": format!("62170000{n:011}")})
            )
        ),
        row!(
            "GET",
            "/api/v1/households",
            List,
            |s| format!("/api/v1/households?village_code={}", s.village),
            marker = |s| s.number.clone()
        ),
        row!("GET", "/api/v1/households/{id}", Read, |s| format!(
            "/api/v1/households/{}",
            s.household
        )),
        row!(
            "POST",
            "/api/v1/households/{id}/status",
            Write(Village),
            |s| format!("/api/v1/households/{}/status", s.household),
            body = |_, n| Some(
                json!({"status": "unstable", "labour": "weak", "effective_date": format!("2025-02-{:02}", 1 + n % 28)})
            )
        ),
        row!(
            "POST",
            "/api/v1/projects",
            Write(County),
            |_| "/api/v1/projects".into(),
            body = |s, n| Some(
                json!({"code": format!("NEWP-{n}"), "name": "新项目", "county_code": s.county, "kind": "planting", "year": 2025,
                "implementing_unit": "x", "village_codes": [s.village], "funding": [{"source": "county", "amount": "100.00", "fiscal_year": 2025, "document": "d"}]})
            )
        ),
        row!(
            "GET",
            "/api/v1/projects",
            List,
            |s| format!("/api/v1/projects?county_code={}", s.county),
            marker = |s| s.project_code.clone()
        ),
        row!("GET", "/api/v1/projects/{id}", Read, |s| format!(
            "/api/v1/projects/{}",
            s.project
        )),
        row!(
            "POST",
            "/api/v1/projects/{id}/status",
            Write(County),
            |s| format!("/api/v1/projects/{}/status", s.planned),
            body = |_, _| Some(json!({"status": "approved"}))
        ),
        row!(
            "POST",
            "/api/v1/projects/{id}/accept",
            Write(County),
            |s| format!("/api/v1/projects/{}/accept", s.planned),
            body = |_, _| Some(
                json!({"accepted_on": "2025-06-01", "assets": [{"name": "新资产", "class": "operating", "value": "1000.00"}]})
            )
        ),
        row!(
            "GET",
            "/api/v1/assets",
            List,
            |s| format!("/api/v1/assets?village_code={}", s.village),
            marker = |s| format!("ASSET-{}-A", s.name)
        ),
        row!("GET", "/api/v1/assets/{id}", Read, |s| format!(
            "/api/v1/assets/{}",
            s.asset
        )),
        row!(
            "POST",
            "/api/v1/assets/{id}/ownership",
            Write(County),
            |s| format!("/api/v1/assets/{}/ownership", s.asset),
            body = |s, _| Some(
                json!({"confirmed_on": "2025-09-01", "owners": [{"region_code": s.village, "investment": s.asset_value}]})
            )
        ),
        row!("GET", "/api/v1/assets/{id}/ownership", Read, |s| format!(
            "/api/v1/assets/{}/ownership",
            s.asset
        )),
        row!(
            "POST",
            "/api/v1/assets/{id}/status",
            Write(County),
            |s| format!("/api/v1/assets/{}/status", s.asset),
            body = |_, n| Some(
                json!({"status": if n % 2 == 0 { "idle" } else { "in_use" }, "effective_date": "2025-08-01", "reason": "检修"})
            )
        ),
        row!(
            "POST",
            "/api/v1/assets/{id}/operation",
            Write(County),
            |s| format!("/api/v1/assets/{}/operation", s.asset),
            body = |_, _| Some(
                json!({"operation_mode": "leased", "operator": "合作社", "start": "2025-01-01", "end": "2027-12-31", "annual_amount": "1200.00", "contract_ref": "合同1"})
            )
        ),
        row!(
            "POST",
            "/api/v1/assets/{id}/caretaker",
            Write(County),
            |s| format!("/api/v1/assets/{}/caretaker", s.asset),
            body = |_, _| Some(json!({"name": "管护员", "phone": "13800000000", "from": "2025-01-01"}))
        ),
        row!(
            "POST",
            "/api/v1/assets/{id}/disposal",
            Write(County),
            |s| format!("/api/v1/assets/{}/disposal", s.asset2),
            body = |_, _| Some(
                json!({"disposed_on": "2025-10-01", "method": "scrap", "proceeds": "0.00", "approvals": [
                {"level": "village", "date": "2025-09-01", "reference": "村1"}, {"level": "township", "date": "2025-09-02", "reference": "镇1"},
                {"level": "county", "date": "2025-09-03", "reference": "县1"}]})
            )
        ),
        row!(
            "POST",
            "/api/v1/assets/{id}/yields",
            Write(County),
            |s| format!("/api/v1/assets/{}/yields", s.asset),
            body = |_, _| Some(
                json!({"kind": "rent", "period_start": "2025-07-01", "period_end": "2025-07-31", "received_on": "2025-08-01", "revenue": "10.00"})
            )
        ),
        row!("GET", "/api/v1/assets/{id}/yields", Read, |s| format!(
            "/api/v1/assets/{}/yields",
            s.asset
        )),
        row!("GET", "/api/v1/yields/{id}", Read, |s| format!(
            "/api/v1/yields/{}",
            s.yield_id
        )),
        row!(
            "POST",
            "/api/v1/yields/{id}/reverse",
            Write(County),
            |s| format!("/api/v1/yields/{}/reverse", s.to_reverse),
            body = |_, _| Some(json!({"reason": "录入错误", "reversed_on": "2025-08-01"}))
        ),
        row!(
            "POST",
            "/api/v1/yields/{id}/receive",
            Write(County),
            |s| format!("/api/v1/yields/{}/receive", s.receivable),
            body = |_, _| Some(json!({"received_on": "2025-08-01"}))
        ),
        row!(
            "POST",
            "/api/v1/distributions",
            Write(Village),
            |_| "/api/v1/distributions".into(),
            body = |s, _| Some(
                json!({"village_code": s.village, "year": 2025, "record_date": "2025-06-30", "amount": "10.00",
                "retention_rate": "0", "management_rate": "0", "public_works": "0.00", "dividend": {}})
            )
        ),
        row!(
            "POST",
            "/api/v1/distributions/drafts",
            Write(Village),
            |_| "/api/v1/distributions/drafts".into(),
            body = |s, _| Some(json!({"region_code": s.village, "year": 2026, "record_date": "2026-06-30"}))
        ),
        row!(
            "GET",
            "/api/v1/distributions",
            List,
            |s| format!("/api/v1/distributions?village_code={}", s.village),
            marker = |s| format!("\"village_code\":\"{}\"", s.village)
        ),
        row!("GET", "/api/v1/distributions/{id}", Read, |s| format!(
            "/api/v1/distributions/{}",
            s.paid
        )),
        row!(
            "POST",
            "/api/v1/distributions/{id}/resolve",
            Write(Village),
            |s| format!("/api/v1/distributions/{}/resolve", s.draft),
            body = |_, _| Some(steps())
        ),
        row!(
            "POST",
            "/api/v1/distributions/{id}/publicize",
            Write(Village),
            |s| format!("/api/v1/distributions/{}/publicize", s.draft),
            body = |_, _| Some(json!({"from": "2025-07-05", "to": "2025-07-12"}))
        ),
        row!(
            "POST",
            "/api/v1/distributions/{id}/review",
            Write(Approval),
            |s| format!("/api/v1/distributions/{}/review", s.draft),
            body = |_, _| Some(json!({"date": "2025-07-14", "reviewer": "城关镇"}))
        ),
        row!(
            "POST",
            "/api/v1/distributions/{id}/file",
            Write(Approval),
            |s| format!("/api/v1/distributions/{}/file", s.draft),
            body = |_, _| Some(json!({"date": "2025-07-15", "reference": "备1"}))
        ),
        row!(
            "POST",
            "/api/v1/distributions/{id}/pay",
            Write(Village),
            |s| format!("/api/v1/distributions/{}/pay", s.draft),
            body = |_, _| Some(json!({"paid_on": "2025-07-20", "reference": "一卡通"}))
        ),
        row!(
            "POST",
            "/api/v1/distributions/{id}/results",
            Write(Village),
            |s| format!("/api/v1/distributions/{}/results", s.draft),
            body = |_, _| Some(json!({"date": "2025-07-25"}))
        ),
        row!(
            "POST",
            "/api/v1/distributions/{id}/cancel",
            Write(Cancel),
            |s| format!("/api/v1/distributions/{}/cancel", s.draft),
            body = |_, _| Some(json!({"reason": "重新测算"}))
        ),
        row!("GET", "/api/v1/distributions/{id}/payments.csv", Read, |s| format!(
            "/api/v1/distributions/{}/payments.csv",
            s.paid
        )),
        row!(
            "POST",
            "/api/v1/distributions/{id}/payment-results",
            Write(Village),
            |s| format!("/api/v1/distributions/{}/payment-results", s.paid),
            body = |s, _| Some(
                json!({"recorded_on": "2025-08-01", "results": [{"household_id": s.household, "status": "paid"}]})
            )
        ),
        row!("GET", "/api/v1/distributions/{id}/payment-results", Read, |s| format!(
            "/api/v1/distributions/{}/payment-results",
            s.paid
        )),
        row!("GET", "/api/v1/distributions/{id}/statements.pdf", Read, |s| format!(
            "/api/v1/distributions/{}/statements.pdf",
            s.paid
        )),
        row!(
            "GET",
            "/api/v1/distributions/{id}/statements/{household_id}.pdf",
            Read,
            |s| format!("/api/v1/distributions/{}/statements/{}.pdf", s.paid, s.household)
        ),
        row!("GET", "/api/v1/distributions/{id}/notice.pdf", Read, |s| format!(
            "/api/v1/distributions/{}/notice.pdf",
            s.paid
        )),
        row!("GET", "/api/v1/reports/reconciliation", Read, |s| format!(
            "/api/v1/reports/reconciliation?region_code={}&year=2025",
            s.village
        )),
        row!("GET", "/api/v1/reports/performance", Read, |s| format!(
            "/api/v1/reports/performance?region_code={}&year=2025",
            s.village
        )),
        row!("GET", "/api/v1/reports/performance.pdf", Read, |s| format!(
            "/api/v1/reports/performance.pdf?region_code={}&year=2025",
            s.village
        )),
        row!("GET", "/api/v1/reports/performance.xlsx", Read, |s| format!(
            "/api/v1/reports/performance.xlsx?region_code={}&year=2025",
            s.village
        )),
        row!("GET", "/api/v1/reports/ledger.xlsx", Read, |s| format!(
            "/api/v1/reports/ledger.xlsx?region_code={}",
            s.village
        )),
        row!("GET", "/api/v1/reports/ledger.csv", Read, |s| format!(
            "/api/v1/reports/ledger.csv?region_code={}",
            s.village
        )),
        row!("GET", "/api/v1/reports/contracts", Read, |s| format!(
            "/api/v1/reports/contracts?region_code={}&as_of=2025-06-01&within_days=3650",
            s.village
        )),
        row!("GET", "/api/v1/reports/arrears", Read, |s| format!(
            "/api/v1/reports/arrears?region_code={}&year=2025",
            s.village
        )),
        row!("GET", "/api/v1/reports/idle", Read, |s| format!(
            "/api/v1/reports/idle?region_code={}",
            s.village
        )),
        row!("GET", "/api/v1/audit", AuditLog, |_| "/api/v1/audit?limit=10".into()),
        row!(
            "POST",
            "/api/v1/imports/households",
            Write(Village),
            |_| "/api/v1/imports/households?dry_run=true".into(),
            body = |s, n| Some(Value::String(format!(
                "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村\nIMP{n},户主,{},2,有劳动能力,脱贫户,{}\n",
                id_number(600 + n % 300),
                s.village
            )))
        ),
    ]
}

/// The request's raw body: JSON, or a CSV carried as a JSON string.
fn bytes_of(body: Option<Value>) -> Option<Vec<u8>> {
    body.map(|b| match b {
        Value::String(text) => text.into_bytes(),
        other => serde_json::to_vec(&other).unwrap(),
    })
}

struct Tally {
    cells: usize,
    refused: usize,
    allowed: usize,
    hidden: usize,
    failures: Vec<String>,
    /// The statuses of the allowed cells.
    statuses: std::collections::BTreeMap<u16, usize>,
}

#[allow(clippy::too_many_arguments)]
async fn run_cell(
    app: &TestApp,
    tally: &mut Tally,
    who: Who,
    s: &Scope,
    rule: Rule,
    method: &str,
    label: &str,
    send: impl AsyncFnOnce() -> (u16, String),
    marker: Option<String>,
) {
    let want = expect(rule, who, s);
    let before = if want == Expect::Refused || method == "GET" {
        Some(app.counts().await)
    } else {
        None
    };
    let (status, body) = send().await;
    tally.cells += 1;
    let cell = format!("{method} {label} as {who:?} in {}", s.name);
    let denied = status == 401 || status == 403;
    match want {
        Expect::Allowed => {
            tally.allowed += 1;
            if denied || (who == Who::Nobody && status == 303) {
                tally
                    .failures
                    .push(format!("{cell}: refused with {status}, should be allowed: {body}"));
            }
            // Allowed means the operation ran: no missing route or resource, no server error.
            if status == 405 || status >= 500 || (status == 404 && !label.starts_with("/verify/")) {
                tally.failures.push(format!("{cell}: {status}: {body}"));
            }
            *tally.statuses.entry(status).or_default() += 1;
            if let Some(m) = &marker
                && !body.contains(m.as_str())
            {
                tally.failures.push(format!("{cell}: the list lacks {m}: {body}"));
            }
        }
        Expect::Hidden => {
            tally.hidden += 1;
            if status == 401 || !(status == 403 || (200..300).contains(&status)) {
                tally.failures.push(format!("{cell}: {status}: {body}"));
            }
            if let Some(m) = &marker
                && (200..300).contains(&status)
                && body.contains(m.as_str())
            {
                tally
                    .failures
                    .push(format!("{cell}: lists {m}, which is outside the scope"));
            }
        }
        Expect::Refused => {
            tally.refused += 1;
            let expected = if who == Who::Nobody { [401, 303] } else { [403, 403] };
            if !expected.contains(&status) {
                tally
                    .failures
                    .push(format!("{cell}: {status}, expected {}: {body}", expected[0]));
            }
        }
    }
    if let Some(before) = before {
        let after = app.counts().await;
        if after != before {
            tally.failures.push(format!(
                "{cell}: a {} wrote: {before:?} -> {after:?}",
                if method == "GET" { "read" } else { "refusal" }
            ));
        }
    }
}

/// The web pages with a session cookie (the pages accept the API token as the session).
async fn page(app: &TestApp, method: &str, path: &str, token: Option<&str>, form: Option<String>) -> (u16, String) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header(header::COOKIE, format!("rl_session={t}"));
    }
    let req = match form {
        Some(f) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(HttpBody::from(f))
            .unwrap(),
        None => req.body(HttpBody::empty()).unwrap(),
    };
    let resp = router(AppState {
        store: app.store.clone(),
    })
    .oneshot(req)
    .await
    .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

type FormFn = fn(&Scope, u32) -> String;

type WebRow = (&'static str, PathFn, Rule, Option<FormFn>);

fn w(method: &'static str, path: PathFn, rule: Rule, form: Option<FormFn>) -> WebRow {
    (method, path, rule, form)
}

fn f(form: FormFn) -> Option<FormFn> {
    Some(form)
}

/// The web pages: (method, path, rule, form body).
fn web_rows() -> Vec<WebRow> {
    use Duty::*;
    use Rule::*;
    vec![
        w("GET", |_| "/projects".into(), Any, None),
        w("GET", |_| "/assets".into(), Any, None),
        w("GET", |_| "/households".into(), Any, None),
        w("GET", |_| "/distributions".into(), Any, None),
        w("GET", |_| "/reconciliation".into(), Any, None),
        w("GET", |_| "/watch".into(), Any, None),
        w("GET", |_| "/audit".into(), AuditLog, None),
        w("GET", |_| "/projects/new".into(), Form(County), None),
        w("GET", |_| "/households/new".into(), Form(Village), None),
        w("GET", |_| "/distributions/new".into(), Form(Village), None),
        w("GET", |s| format!("/projects/{}", s.project), Read, None),
        w(
            "GET",
            |s| format!("/projects/{}/accept", s.planned),
            Write(County),
            None,
        ),
        w("GET", |s| format!("/assets/{}", s.asset), Read, None),
        w("GET", |s| format!("/households/{}", s.household), Read, None),
        w("GET", |s| format!("/distributions/{}", s.paid), Read, None),
        w(
            "POST",
            |_| "/projects/new".into(),
            Write(County),
            f(|s, n| {
                format!(
                    "code=WP-{n}&name=%E9%A1%B9%E7%9B%AE&kind=planting&year=2025&county_code={}&implementing_unit=x&village.{}=1&funding_lines=1&funding%5B0%5D.source=county&funding%5B0%5D.amount=100.00&funding%5B0%5D.fiscal_year=2025&funding%5B0%5D.document=d&op=save",
                    s.county, s.village
                )
            }),
        ),
        w(
            "POST",
            |s| format!("/projects/{}/status", s.planned),
            Write(County),
            f(|_, _| "status=approved".into()),
        ),
        w(
            "POST",
            |s| format!("/assets/{}/yields", s.asset),
            Write(County),
            f(|_, _| {
                "kind=rent&period_start=2025-08-01&period_end=2025-08-31&received_on=2025-09-01&revenue=10.00".into()
            }),
        ),
        w(
            "POST",
            |s| format!("/assets/{}/ownership", s.asset),
            Write(County),
            f(|s, _| {
                format!(
                    "confirmed_on=2025-09-02&owners%5B0%5D.region_code={}&owners%5B0%5D.investment={}",
                    s.village, s.asset_value
                )
            }),
        ),
        w(
            "POST",
            |s| format!("/yields/{}/reverse", s.to_reverse),
            Write(County),
            f(|_, _| "reason=x&reversed_on=2025-08-02".into()),
        ),
        w(
            "POST",
            |_| "/households/new".into(),
            Write(Village),
            f(|s, n| {
                format!(
                    "village_code={}&number=WH{n}&head_name=x&id_number={}&members=1&labour=full&status=lifted",
                    s.village,
                    id_number(200 + n % 300)
                )
            }),
        ),
        w(
            "POST",
            |s| format!("/households/{}/status", s.household),
            Write(Village),
            f(|_, n| format!("status=ordinary&labour=full&effective_date=2025-03-{:02}", 1 + n % 28)),
        ),
        w(
            "POST",
            |_| "/distributions/new".into(),
            Write(Village),
            f(|s, _| {
                format!(
                    "village_code={}&year=2025&record_date=2025-06-30&amount=10.00&op=preview",
                    s.village
                )
            }),
        ),
        w(
            "POST",
            |s| format!("/distributions/{}/step", s.draft),
            Write(Cancel),
            f(|_, _| "action=cancel&reason=x".into()),
        ),
    ]
}

#[tokio::test]
async fn every_endpoint_refuses_every_role_and_region_that_may_not_and_writes_nothing() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    app.post(
        "/api/v1/regions",
        json!({"code": COUNTY_B, "name": "邻县", "level": "county"}),
    )
    .await;
    app.post(
        "/api/v1/regions",
        json!({"code": TOWN_B, "name": "邻镇", "level": "township", "parent_code": COUNTY_B}),
    )
    .await;
    app.post(
        "/api/v1/regions",
        json!({"code": W1, "name": "西村", "level": "village", "parent_code": TOWN_B}),
    )
    .await;
    let scopes = [
        seed(&app, "V1", COUNTY_A, TOWN_A, V1, 1).await,
        seed(&app, "V2", COUNTY_A, TOWN_A, V2, 2).await,
        seed(&app, "W1", COUNTY_B, TOWN_B, W1, 3).await,
    ];
    let tokens = [
        (Who::Admin, Some(app.token.clone())),
        (
            Who::Staff,
            Some(app.user("staff", R::CountyStaff, Some(COUNTY_A)).await),
        ),
        (
            Who::Accountant,
            Some(app.user("acct", R::VillageAccountant, Some(V1)).await),
        ),
        (Who::Auditor, Some(app.user("aud", R::Auditor, Some(COUNTY_A)).await)),
        (Who::Nobody, None),
    ];
    let token_of = |who: Who| tokens.iter().find(|(w, _)| *w == who).unwrap().1.clone();

    // The table covers the OpenAPI document, no more and no less.
    let doc = app.get("/api/v1/openapi.json").await;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(|m| (m.to_uppercase(), path.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    let rows = api_rows();
    let covered: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r.method.to_string(), r.template.to_string()))
        .collect();
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(missing.is_empty(), "endpoints without a row in the matrix: {missing:?}");
    let stale: Vec<_> = covered.difference(&documented).collect();
    assert!(
        stale.is_empty(),
        "rows for endpoints the document does not have: {stale:?}"
    );
    assert_eq!(covered.len(), rows.len(), "one row per endpoint");

    let mut api = Tally {
        cells: 0,
        refused: 0,
        allowed: 0,
        hidden: 0,
        failures: Vec::new(),
        statuses: Default::default(),
    };
    for row in &rows {
        for s in &scopes {
            for who in WHO {
                let token = token_of(who);
                let path = (row.path)(s);
                let body = bytes_of((row.body)(s, n()));
                let marker = row.marker.map(|m| m(s));
                let send = async || {
                    let (st, _, bytes) = app.raw(token.as_deref(), row.method, &path, body.clone()).await;
                    (st.as_u16(), String::from_utf8_lossy(&bytes).into_owned())
                };
                run_cell(&app, &mut api, who, s, row.rule, row.method, row.template, send, marker).await;
            }
        }
    }

    let mut web = Tally {
        cells: 0,
        refused: 0,
        allowed: 0,
        hidden: 0,
        failures: Vec::new(),
        statuses: Default::default(),
    };
    let pages = web_rows();
    for (method, path, rule, form) in &pages {
        for s in &scopes {
            for who in WHO {
                let token = token_of(who);
                let path = path(s);
                let form = form.map(|make| make(s, n()));
                let label = path.clone();
                let send = async || page(&app, method, &path, token.as_deref(), form.clone()).await;
                run_cell(&app, &mut web, who, s, *rule, method, &label, send, None).await;
            }
        }
    }
    // Not logged in, the dashboard is the login form.
    let (st, body) = page(&app, "GET", "/", None, None).await;
    assert_eq!(st, 200);
    assert!(body.contains("name=\"password\""));

    let mut failures = api.failures.clone();
    failures.extend(web.failures.clone());
    assert!(
        failures.is_empty(),
        "{} of {} cells wrong:\n{}",
        failures.len(),
        api.cells + web.cells,
        failures.join("\n")
    );
    println!(
        "role matrix: API {} endpoints × {} roles × {} scopes = {} cells ({} allowed, {} refused, {} filtered); web {} pages/forms × {} × {} = {} cells ({} allowed, {} refused)",
        rows.len(),
        WHO.len(),
        scopes.len(),
        api.cells,
        api.allowed,
        api.refused,
        api.hidden,
        pages.len(),
        WHO.len(),
        scopes.len(),
        web.cells,
        web.allowed,
        web.refused,
    );
    println!(
        "allowed cells by status: API {:?}; web {:?}",
        api.statuses, web.statuses
    );
}
