//! Assets over their whole life: handover mid-stream, contracts and arrears prorated by days,
//! disposal proceeds split by share, and everything a disposed asset refuses.

use crate::common::*;
use serde_json::{Value, json};

const V1: &str = "371622101201";
const V2: &str = "371622101202";
const V3: &str = "371622101203";
const TOWNSHIP: &str = "371622101000";

async fn accepted_asset(app: &TestApp, code: &str, value: &str) -> i64 {
    let p = app
        .post("/api/v1/projects", json!({"code": code, "name": "资产项目", "county_code": "371622000000", "kind": "photovoltaic", "year": 2023,
            "implementing_unit": "x", "village_codes": [V1], "funding": [{"source": "central", "amount": value, "fiscal_year": 2023, "document": "d"}]}))
        .await;
    let id = p["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/projects/{id}/status"), json!({"status": "approved"}))
        .await;
    app.post(
        &format!("/api/v1/projects/{id}/status"),
        json!({"status": "under_construction"}),
    )
    .await;
    let assets = app
        .post(&format!("/api/v1/projects/{id}/accept"), json!({"accepted_on": "2023-06-01", "assets": [{"name": "联村电站", "class": "operating", "value": value}]}))
        .await;
    assets[0]["id"].as_i64().unwrap()
}

fn credits(y: &Value) -> Vec<(String, String)> {
    y["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["region_code"].as_str().unwrap().to_string(), m(&c["amount"])))
        .collect()
}

fn approvals(village: &str, township: &str, county: &str) -> Value {
    json!([{"level": "village", "date": village, "reference": "村民会议决议"},
           {"level": "township", "date": township, "reference": "镇政府批复"},
           {"level": "county", "date": county, "reference": "县农业农村局批复"}])
}

#[tokio::test]
async fn a_handover_credits_each_yield_to_the_owners_of_the_day_its_period_ends() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "一村"), (V2, "二村"), (V3, "三村")]).await;
    let asset = accepted_asset(&app, "P-H", "900.00").await;
    app.post(&format!("/api/v1/assets/{asset}/ownership"), json!({"confirmed_on": "2023-07-01", "owners": [
        {"region_code": V1, "investment": "300.00"}, {"region_code": V2, "investment": "300.00"}, {"region_code": V3, "investment": "300.00"}]})).await;
    // Handed over to the township from 2024-07-01.
    app.post(
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2024-07-01", "owners": [{"region_code": TOWNSHIP, "investment": "900.00"}]}),
    )
    .await;
    let history = app.get(&format!("/api/v1/assets/{asset}/ownership")).await;
    assert_eq!(history["total"], 2);

    let y = |end: &str| json!({"kind": "rent", "period_start": "2024-01-01", "period_end": end, "received_on": "2024-08-01", "revenue": "100.00"});
    // Ends the day before the handover: three villages, 33.34 / 33.33 / 33.33 (the tie to the smallest code).
    let before = app
        .post(&format!("/api/v1/assets/{asset}/yields"), y("2024-06-30"))
        .await;
    assert_eq!(
        credits(&before),
        vec![
            (V1.into(), "33.34".into()),
            (V2.into(), "33.33".into()),
            (V3.into(), "33.33".into())
        ]
    );
    // Ends on the handover day: all to the township.
    let after = app
        .post(&format!("/api/v1/assets/{asset}/yields"), y("2024-07-01"))
        .await;
    assert_eq!(credits(&after), vec![(TOWNSHIP.into(), "100.00".into())]);

    let rec = app
        .get("/api/v1/reports/reconciliation?region_code=371622000000&year=2024")
        .await;
    assert_eq!(rec["balanced"], true, "{rec}");
    assert_eq!(m(&rec["owner_credits"]), "200.00");
}

#[tokio::test]
async fn contracts_ending_soon_and_arrears_prorated_by_days_half_up() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "一村")]).await;
    let asset = accepted_asset(&app, "P-C", "500000.00").await;
    app.post(
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2023-07-01", "owners": [{"region_code": V1, "investment": "500000.00"}]}),
    )
    .await;
    // A first contract, then a new one from 2025-04-01 that closes it on 2025-03-31.
    let op = |start: &str, end: &str, operator: &str, amount: &str| {
        json!({"operation_mode": "leased", "operator": operator,
        "start": start, "end": end, "annual_amount": amount, "contract_ref": "合同"})
    };
    app.post(
        &format!("/api/v1/assets/{asset}/operation"),
        op("2023-07-01", "2028-06-30", "甲合作社", "10000.00"),
    )
    .await;
    let detail = app
        .post(
            &format!("/api/v1/assets/{asset}/operation"),
            op("2025-04-01", "2026-02-15", "乙公司", "36500.01"),
        )
        .await;
    let ops = detail["operations"].as_array().unwrap();
    assert_eq!(ops[0]["end"], "2025-03-31");
    assert_eq!(detail["operator"], "乙公司");

    // 2025: first contract 90 days × 10000.00/365 = 2465.7534… → 2465.75;
    // second 275 days × 36500.01/365 = 27500.0075… → 27500.01. Due 29965.76.
    app.post(
        &format!("/api/v1/assets/{asset}/yields"),
        json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30",
        "received_on": "2025-07-05", "revenue": "12000.00", "deductions": {"tax": "600.00"}}),
    )
    .await;
    let arrears = app
        .get(&format!("/api/v1/reports/arrears?region_code={V1}&year=2025"))
        .await;
    assert_eq!(arrears["total"], 1, "{arrears}");
    let item = &arrears["items"][0];
    assert_eq!(m(&item["due"]), "29965.76");
    assert_eq!(m(&item["received"]), "12000.00");
    assert_eq!(m(&item["arrears"]), "17965.76");
    assert_eq!(item["operator"], "乙公司");

    let soon = app
        .get("/api/v1/reports/contracts?region_code=371622000000&as_of=2026-01-01&within_days=60")
        .await;
    assert_eq!(soon["total"], 1);
    assert_eq!(soon["items"][0]["days_left"], 45);
    assert_eq!(m(&soon["items"][0]["annual_amount"]), "36500.01");
    let later = app
        .get("/api/v1/reports/contracts?region_code=371622000000&as_of=2026-01-01&within_days=30")
        .await;
    assert_eq!(later["total"], 0);
}

#[tokio::test]
async fn disposal_proceeds_are_split_by_share_and_the_asset_takes_nothing_more() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "一村"), (V2, "二村"), (V3, "三村")]).await;
    let asset = accepted_asset(&app, "P-D", "700.00").await;
    app.post(&format!("/api/v1/assets/{asset}/ownership"), json!({"confirmed_on": "2023-07-01", "owners": [
        {"region_code": V1, "investment": "100.00"}, {"region_code": V2, "investment": "300.00"}, {"region_code": V3, "investment": "300.00"}]})).await;
    app.post(
        &format!("/api/v1/assets/{asset}/status"),
        json!({"status": "idle", "effective_date": "2024-01-01", "reason": "承租方退租"}),
    )
    .await;
    app.post(
        &format!("/api/v1/assets/{asset}/caretaker"),
        json!({"name": "管护员甲", "phone": "13812345678", "from": "2024-01-01"}),
    )
    .await;

    // The idle list names it, with the days since it stood idle.
    let idle = app
        .get(&format!("/api/v1/reports/idle?region_code={V1}&as_of=2024-03-01"))
        .await;
    assert_eq!(idle["total"], 1);
    assert_eq!(idle["items"][0]["since"], "2024-01-01");
    assert_eq!(idle["items"][0]["days"], 60);

    // Refusals, each writing nothing.
    let path = format!("/api/v1/assets/{asset}/disposal");
    for (body, field) in [
        (
            json!({"disposed_on": "2025-06-30", "method": "auction", "proceeds": "100.00", "approvals": [{"level": "village", "date": "2025-06-01"}, {"level": "county", "date": "2025-06-20"}]}),
            "approvals",
        ),
        (
            json!({"disposed_on": "2025-06-30", "method": "auction", "proceeds": "100.00", "approvals": approvals("2025-06-11", "2025-06-10", "2025-06-20")}),
            "approvals",
        ),
        (
            json!({"disposed_on": "2025-06-30", "method": "auction", "proceeds": "100.00", "approvals": approvals("2025-06-01", "2025-06-10", "2025-07-02")}),
            "approvals",
        ),
        (
            json!({"disposed_on": "2025-06-30", "method": "auction", "proceeds": "-1.00", "approvals": approvals("2025-06-01", "2025-06-10", "2025-06-20")}),
            "proceeds",
        ),
        (
            json!({"disposed_on": "2025-06-30", "method": "melt", "proceeds": "1.00", "approvals": approvals("2025-06-01", "2025-06-10", "2025-06-20")}),
            "method",
        ),
    ] {
        let before = app.counts().await;
        app.refused(&path, body, Some(field)).await;
        assert_eq!(app.counts().await, before);
    }
    app.refused(
        &format!("/api/v1/assets/{asset}/status"),
        json!({"status": "disposed", "effective_date": "2025-01-01"}),
        Some("status"),
    )
    .await;
    app.refused(
        &format!("/api/v1/assets/{asset}/operation"),
        json!({"operation_mode": "leased", "operator": "丙", "start": "2025-01-01",
        "end": "2024-12-31", "annual_amount": "1.00"}),
        Some("end"),
    )
    .await;

    // Auctioned for 100.01: shares 1:3:3 → 14.29 / 42.86 / 42.86 (the odd fen to the largest remainder).
    let d = app
        .post(
            &path,
            json!({"disposed_on": "2025-06-30", "method": "auction", "proceeds": "100.01",
        "approvals": approvals("2025-06-01", "2025-06-10", "2025-06-20")}),
        )
        .await;
    assert_eq!(d["status"], "disposed");
    let cs: Vec<String> = d["disposal"]["credits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| m(&c["amount"]))
        .collect();
    assert_eq!(cs, ["14.29", "42.86", "42.86"]);
    assert_eq!(d["status_history"][0]["status"], "idle");
    assert_eq!(d["caretakers"][0]["name"], "管护员甲");
    let acc = app.get(&format!("/api/v1/regions/{V2}/account?year=2025")).await;
    assert_eq!(m(&acc["credited"]), "42.86");

    // A disposed asset takes no yield, status, operation or second disposal.
    for (p, body) in [
        (
            format!("/api/v1/assets/{asset}/yields"),
            json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30", "received_on": "2025-07-01", "revenue": "1.00"}),
        ),
        (
            format!("/api/v1/assets/{asset}/status"),
            json!({"status": "in_use", "effective_date": "2025-07-01"}),
        ),
        (
            format!("/api/v1/assets/{asset}/operation"),
            json!({"operation_mode": "leased", "operator": "丙", "start": "2025-07-01", "end": "2026-06-30", "annual_amount": "1.00"}),
        ),
        (
            path.clone(),
            json!({"disposed_on": "2025-07-30", "method": "scrap", "proceeds": "0.00", "approvals": approvals("2025-07-01", "2025-07-10", "2025-07-20")}),
        ),
    ] {
        let before = app.counts().await;
        let st = app.refused(&p, body, None).await;
        assert_eq!(st.as_u16(), 409, "{p}");
        assert_eq!(app.counts().await, before);
    }

    // A scrapped asset with no proceeds.
    let other = accepted_asset(&app, "P-S", "50.00").await;
    app.post(
        &format!("/api/v1/assets/{other}/ownership"),
        json!({"confirmed_on": "2023-07-01", "owners": [{"region_code": V1, "investment": "50.00"}]}),
    )
    .await;
    let s = app
        .post(
            &format!("/api/v1/assets/{other}/disposal"),
            json!({"disposed_on": "2025-08-01", "method": "scrap", "proceeds": "0.00",
        "approvals": approvals("2025-07-01", "2025-07-10", "2025-07-20")}),
        )
        .await;
    assert_eq!(m(&s["disposal"]["proceeds"]), "0.00");

    let rec = app
        .get("/api/v1/reports/reconciliation?region_code=371622000000&year=2025")
        .await;
    assert_eq!(rec["balanced"], true, "{rec}");
    assert_eq!(m(&rec["disposal_proceeds"]), "100.01");
    assert_audit_verifies(&app);
}
