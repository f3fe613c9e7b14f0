//! Bad input at every endpoint is refused with a 4xx problem that names the field, and writes
//! nothing: the row counts of every ledger table are the same before and after.

use crate::common::*;
use axum::http::StatusCode;
use relief_ledger::domain::vocab::Role;
use serde_json::{Value, json};

const V1: &str = "371622101201";

struct Fixture {
    app: TestApp,
    project: i64,
    asset: i64,
    unconfirmed: i64,
    household: i64,
}

/// A county with one village, a household, an accepted project with two assets (one confirmed),
/// and a yield on the confirmed one.
async fn fixture() -> Fixture {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let household = household(&app, V1, 1, 3, "none", "lifted", false).await;
    let p = app
        .post("/api/v1/projects", json!({"code": "P-1", "name": "大棚", "county_code": "371622000000", "kind": "planting", "year": 2024,
            "implementing_unit": "镇政府", "village_codes": [V1], "funding": [{"source": "central", "amount": "1000.00", "fiscal_year": 2024, "document": "d"}]}))
        .await;
    let project = p["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/projects/{project}/status"),
        json!({"status": "approved"}),
    )
    .await;
    app.post(
        &format!("/api/v1/projects/{project}/status"),
        json!({"status": "under_construction"}),
    )
    .await;
    let assets = app
        .post(&format!("/api/v1/projects/{project}/accept"), json!({"accepted_on": "2024-05-01", "assets": [
            {"name": "大棚一", "class": "operating", "value": "600.00"}, {"name": "大棚二", "class": "operating", "value": "400.00"}]}))
        .await;
    let asset = assets[0]["id"].as_i64().unwrap();
    let unconfirmed = assets[1]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2024-05-02", "owners": [{"region_code": V1, "investment": "600.00"}]}),
    )
    .await;
    app.post(
        &format!("/api/v1/assets/{asset}/yields"),
        json!({"kind": "rent", "period_start": "2024-01-01", "period_end": "2024-12-31",
        "received_on": "2024-12-31", "revenue": "500.00"}),
    )
    .await;
    Fixture {
        app,
        project,
        asset,
        unconfirmed,
        household,
    }
}

/// Each case: path, body, the field the problem must name (None: a state refusal).
async fn refuse_all(f: &Fixture, cases: Vec<(String, Value, Option<&str>)>) {
    for (path, body, field) in cases {
        let before = f.app.counts().await;
        f.app.refused(&path, body.clone(), field).await;
        assert_eq!(f.app.counts().await, before, "{path} {body} wrote something");
    }
}

fn household_body(over: Value) -> Value {
    let mut b = json!({"village_code": V1, "number": "X-9", "head_name": "新户", "id_number": id_number(9), "members": 2,
                       "labour": "full", "status": "lifted", "disabled": false, "group": "二组", "bank_account": "6217000000000099999"});
    for (k, v) in over.as_object().unwrap() {
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v.clone();
        }
    }
    b
}

#[tokio::test]
async fn bad_households_are_refused_naming_the_field() {
    let f = fixture().await;
    let bad_check = {
        let id = id_number(9);
        let last = if id.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &id[..17])
    };
    refuse_all(
        &f,
        vec![
            (
                "/api/v1/households".into(),
                household_body(json!({"id_number": bad_check})),
                Some("id_number"),
            ),
            (
                "/api/v1/households".into(),
                household_body(json!({"village_code": "371622101299"})),
                Some("village_code"),
            ),
            (
                "/api/v1/households".into(),
                household_body(json!({"head_name": null})),
                Some("head_name"),
            ),
            (
                "/api/v1/households".into(),
                household_body(json!({"members": "three"})),
                Some("members"),
            ),
            (
                "/api/v1/households".into(),
                household_body(json!({"members": 0})),
                Some("members"),
            ),
            (
                "/api/v1/households".into(),
                household_body(json!({"labour": "strong"})),
                Some("labour"),
            ),
            (
                "/api/v1/households".into(),
                household_body(json!({"bank_account": "12ab"})),
                Some("bank_account"),
            ),
            (
                "/api/v1/households".into(),
                household_body(json!({"number": format!("{V1}001")})),
                Some("number"),
            ),
            (
                format!("/api/v1/households/{}/status", f.household),
                json!({"status": "rich", "labour": "full", "effective_date": "2025-01-01"}),
                Some("status"),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn bad_projects_and_acceptances_are_refused_naming_the_field() {
    let f = fixture().await;
    let project = |funding: Value| {
        json!({"code": "P-2", "name": "新项目", "county_code": "371622000000", "kind": "planting", "year": 2025,
        "implementing_unit": "x", "village_codes": [V1], "funding": funding})
    };
    let line = |amount: Value| json!([{"source": "county", "amount": amount, "fiscal_year": 2025, "document": "x"}]);
    refuse_all(&f, vec![
        ("/api/v1/projects".into(), project(line(json!("1.005"))), Some("amount")),
        ("/api/v1/projects".into(), project(line(json!(12.5))), Some("amount")),
        ("/api/v1/projects".into(), project(line(json!("-5.00"))), Some("amount")),
        ("/api/v1/projects".into(), project(line(json!("99999999999999999999.00"))), Some("amount")),
        ("/api/v1/projects".into(), project(json!([])), Some("funding")),
        ("/api/v1/projects".into(), json!({"code": "P-3"}), Some("name")),
        ("/api/v1/projects".into(), json!({"code": "P-1", "name": "重复", "county_code": "371622000000", "kind": "planting", "year": 2025,
            "funding": line(json!("1.00"))}), Some("code")),
        ("/api/v1/projects".into(), json!({"code": "P-4", "name": "x", "county_code": "371622000000", "kind": "planting", "year": 2025,
            "village_codes": ["371699999999"], "funding": line(json!("1.00"))}), Some("village_codes[0]")),
        (format!("/api/v1/projects/{}/status", f.project), json!({"status": "approved"}), Some("status")),
        (format!("/api/v1/projects/{}/accept", f.project), json!({"accepted_on": "2024-06-01", "assets": [{"name": "a", "class": "operating", "value": "1000.00"}]}), None),
    ]).await;
    // Acceptance whose values do not sum to the investment.
    let p = f.app.post("/api/v1/projects", project(line(json!("100.00")))).await;
    let id = p["id"].as_i64().unwrap();
    f.app
        .post(&format!("/api/v1/projects/{id}/status"), json!({"status": "approved"}))
        .await;
    f.app
        .post(
            &format!("/api/v1/projects/{id}/status"),
            json!({"status": "under_construction"}),
        )
        .await;
    refuse_all(
        &f,
        vec![
            (
                format!("/api/v1/projects/{id}/accept"),
                json!({"accepted_on": "2025-06-01", "assets": [{"name": "a", "class": "operating", "value": "99.99"}]}),
                Some("assets"),
            ),
            (
                format!("/api/v1/projects/{id}/accept"),
                json!({"accepted_on": "2025-06-01", "assets": [{"name": "a", "class": "leasing", "value": "100.00"}]}),
                Some("class"),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn bad_ownership_and_yields_are_refused_naming_the_field() {
    let f = fixture().await;
    let (a, u) = (f.asset, f.unconfirmed);
    refuse_all(&f, vec![
        (format!("/api/v1/assets/{u}/ownership"), json!({"confirmed_on": "2024-06-01", "owners": [{"region_code": V1, "investment": "399.99"}]}), Some("owners")),
        (format!("/api/v1/assets/{u}/ownership"), json!({"confirmed_on": "2024-06-01", "owners": [{"region_code": "371622101299", "investment": "400.00"}]}), Some("region_code")),
        (format!("/api/v1/assets/{u}/ownership"), json!({"confirmed_on": "2024-06-01", "owners": [{"household_id": f.household, "investment": "400.00"}]}), Some("household_id")),
        (format!("/api/v1/assets/{a}/ownership"), json!({"confirmed_on": "2024-05-01", "owners": [{"region_code": V1, "investment": "600.00"}]}), Some("confirmed_on")),
        (format!("/api/v1/assets/{u}/yields"), json!({"kind": "rent", "period_start": "2024-01-01", "period_end": "2024-12-31", "received_on": "2024-12-31", "revenue": "10.00"}), Some("period_end")),
        (format!("/api/v1/assets/{a}/yields"), json!({"kind": "rent", "period_start": "2024-01-01", "period_end": "2024-12-31", "received_on": "2024-12-31", "revenue": "10.001"}), Some("revenue")),
        (format!("/api/v1/assets/{a}/yields"), json!({"kind": "rent", "period_start": "2024-01-01", "period_end": "2024-12-31", "received_on": "2024-12-31", "revenue": "10.00", "deductions": {"om": "-1.00"}}), Some("deductions.om")),
        (format!("/api/v1/assets/{a}/yields"), json!({"kind": "rent", "period_start": "2024-01-01", "period_end": "2024-12-31", "received_on": "2024-12-31"}), Some("revenue")),
        (format!("/api/v1/assets/{a}/yields"), json!({"kind": "pv_sales", "period_start": "2024-01-01", "period_end": "2024-12-31", "received_on": "2024-12-31", "kwh": "abc", "tariff": "0.39"}), Some("kwh")),
        (format!("/api/v1/assets/{a}/yields"), json!({"kind": "rent", "period_start": "2024-12-31", "period_end": "2024-01-01", "received_on": "2024-12-31", "revenue": "1.00"}), Some("period_end")),
        (format!("/api/v1/assets/{a}/yields"), json!({"kind": "rent", "period_start": "2024-13-01", "period_end": "2024-12-31", "revenue": "1.00"}), Some("period_start")),
        ("/api/v1/yields/1/reverse".into(), json!({"reason": ""}), Some("reason")),
    ]).await;
}

#[tokio::test]
async fn bad_plans_and_out_of_order_steps_are_refused() {
    let f = fixture().await;
    let plan = |amount: &str, over: Value| {
        let mut b = json!({"village_code": V1, "year": 2024, "record_date": "2024-12-31", "amount": amount, "retention_rate": "0.1",
            "management_rate": "0.05", "public_works": "0.00", "posts": [], "incentives": [], "dividend": {}});
        for (k, v) in over.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    refuse_all(&f, vec![
        ("/api/v1/distributions".into(), plan("500.01", json!({})), Some("amount")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"village_code": "371622101299"})), Some("village_code")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"retention_rate": "1.5"})), Some("retention_rate")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"public_works": "399.00"})), Some("amount")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"posts": [{"household_id": 999, "post": "保洁", "months": 2, "monthly_wage": "1.00"}]})), Some("posts[0].household_id")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"posts": [{"household_id": f.household, "post": "保洁", "months": 13, "monthly_wage": "1.00"}]})), Some("posts[0].months")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"dividend": {"eligible_statuses": ["ordinary"]}})), Some("dividend.eligible_statuses")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"dividend": {"cap": "1.00"}})), Some("dividend.cap")),
        ("/api/v1/distributions".into(), plan("400.00", json!({"year": "2024"})), Some("year")),
    ]).await;
    let p = f.app.post("/api/v1/distributions", plan("400.00", json!({}))).await;
    let id = p["id"].as_i64().unwrap();
    let steps = |dates: [&str; 4]| {
        let kinds = ["proposal", "consultation", "party_review", "representatives_resolution"];
        let list: Vec<Value> = kinds
            .iter()
            .zip(dates)
            .map(|(s, d)| json!({"step": s, "date": d, "attendance": "9/9", "minutes_ref": "m"}))
            .collect();
        json!({"steps": list})
    };
    refuse_all(
        &f,
        vec![
            (
                format!("/api/v1/distributions/{id}/pay"),
                json!({"paid_on": "2025-01-20", "reference": "x"}),
                None,
            ),
            (
                format!("/api/v1/distributions/{id}/publicize"),
                json!({"from": "2025-01-05", "to": "2025-01-12"}),
                None,
            ),
            (
                format!("/api/v1/distributions/{id}/resolve"),
                steps(["2025-01-03", "2025-01-02", "2025-01-04", "2025-01-05"]),
                Some("steps[1].date"),
            ),
            (
                format!("/api/v1/distributions/{id}/resolve"),
                json!({"steps": [{"step": "proposal", "date": "2025-01-01", "attendance": "9/9", "minutes_ref": "m"}]}),
                Some("steps"),
            ),
        ],
    )
    .await;
    f.app
        .post(
            &format!("/api/v1/distributions/{id}/resolve"),
            steps(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"]),
        )
        .await;
    refuse_all(
        &f,
        vec![
            (
                format!("/api/v1/distributions/{id}/publicize"),
                json!({"from": "2025-01-05", "to": "2025-01-08"}),
                Some("to"),
            ),
            (
                format!("/api/v1/distributions/{id}/publicize"),
                json!({"from": "2025-01-03", "to": "2025-01-12"}),
                Some("from"),
            ),
            (
                format!("/api/v1/distributions/{id}/resolve"),
                steps(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-04"]),
                None,
            ),
        ],
    )
    .await;
    f.app
        .post(
            &format!("/api/v1/distributions/{id}/publicize"),
            json!({"from": "2025-01-05", "to": "2025-01-12"}),
        )
        .await;
    refuse_all(
        &f,
        vec![(
            format!("/api/v1/distributions/{id}/review"),
            json!({"date": "2025-01-10", "reviewer": "镇"}),
            Some("date"),
        )],
    )
    .await;
    // A second plan cannot claim what the first reserved.
    refuse_all(
        &f,
        vec![(
            "/api/v1/distributions".into(),
            plan("100.01", json!({})),
            Some("amount"),
        )],
    )
    .await;
    f.app
        .post(
            &format!("/api/v1/distributions/{id}/review"),
            json!({"date": "2025-01-13", "reviewer": "镇"}),
        )
        .await;
    f.app
        .post(
            &format!("/api/v1/distributions/{id}/file"),
            json!({"date": "2025-01-14", "reference": "r"}),
        )
        .await;
    f.app
        .post(
            &format!("/api/v1/distributions/{id}/pay"),
            json!({"paid_on": "2025-01-15", "reference": "r"}),
        )
        .await;
    // Editing a paid plan: every step and a cancel are refused.
    refuse_all(
        &f,
        vec![
            (
                format!("/api/v1/distributions/{id}/cancel"),
                json!({"reason": "x"}),
                None,
            ),
            (
                format!("/api/v1/distributions/{id}/pay"),
                json!({"paid_on": "2025-01-16", "reference": "again"}),
                None,
            ),
            (
                format!("/api/v1/distributions/{id}/review"),
                json!({"date": "2025-01-16", "reviewer": "镇"}),
                None,
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn malformed_bodies_are_400_and_unknown_ids_404() {
    let f = fixture().await;
    let (st, ct, _) = f
        .app
        .raw(
            Some(&f.app.token),
            "POST",
            "/api/v1/regions",
            Some(b"{not json".to_vec()),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(ct.starts_with("application/problem+json"));
    let (st, _) = f
        .app
        .call_as(Some(&f.app.token), "GET", "/api/v1/assets/99999", None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = f.app.call_as(None, "GET", "/api/v1/assets", None).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    let (st, _) = f
        .app
        .call_as(Some(&f.app.token), "GET", "/api/v1/regions?limit=5000", None)
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn roles_and_regions_limit_who_writes_what() {
    let f = fixture().await;
    f.app
        .post(
            "/api/v1/regions",
            json!({"code": "371622101202", "name": "北关村", "level": "village", "parent_code": "371622101000"}),
        )
        .await;
    let accountant = f.app.user("acc", Role::VillageAccountant, Some(V1)).await;
    let other = f.app.user("acc2", Role::VillageAccountant, Some("371622101202")).await;
    let auditor = f.app.user("aud", Role::Auditor, Some("371622000000")).await;
    let staff = f.app.user("staff", Role::CountyStaff, Some("371622000000")).await;
    let hh = household_body(json!({}));
    // The accountant of another village, an auditor and county staff may not add to this roster.
    for token in [&other, &auditor, &staff] {
        let before = f.app.counts().await;
        let st = f.app.refused_as(token, "/api/v1/households", hh.clone(), None).await;
        assert_eq!(st, StatusCode::FORBIDDEN);
        assert_eq!(f.app.counts().await, before);
    }
    let (st, _) = f
        .app
        .call_as(Some(&accountant), "POST", "/api/v1/households", Some(hh))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    // A village accountant may not post yields; county staff may.
    let y = json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-12-31", "received_on": "2025-12-31", "revenue": "1.00"});
    assert_eq!(
        f.app
            .refused_as(
                &accountant,
                &format!("/api/v1/assets/{}/yields", f.asset),
                y.clone(),
                None
            )
            .await,
        StatusCode::FORBIDDEN
    );
    let (st, _) = f
        .app
        .call_as(
            Some(&staff),
            "POST",
            &format!("/api/v1/assets/{}/yields", f.asset),
            Some(y),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    // The other village's accountant cannot read this village's roster; the auditor can.
    let (st, _) = f
        .app
        .call_as(
            Some(&other),
            "GET",
            &format!("/api/v1/households?village_code={V1}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, list) = f
        .app
        .call_as(
            Some(&auditor),
            "GET",
            &format!("/api/v1/households?village_code={V1}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["total"], 2);
    assert!(list["items"][0]["id_number"].as_str().unwrap().contains("********"));
}

#[tokio::test]
async fn the_openapi_document_names_only_real_path_parameters() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with('3'));
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 40, "{} paths", paths.len());
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" => assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: path parameter {name} is not in the path"
                    ),
                    "query" => assert!(
                        !path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name} is both"
                    ),
                    other => panic!("{method} {path}: parameter {name} in {other}"),
                }
            }
        }
    }
}
