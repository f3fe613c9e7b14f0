//! Dated membership (基准日): a plan takes each household with the status and labour it had on
//! the record date — the latest change effective on or before it (an undated entry holds for any
//! date and yields to any dated one) — and leaves out a household that joined after it. The single plan and the year-end drafts read the same roster.

use crate::common::*;
use serde_json::{Value, json};

const V1: &str = "371622101201";

async fn add(app: &TestApp, n: u32, status: &str, labour: &str, effective: Option<&str>) -> i64 {
    let mut body = json!({"village_code": V1, "number": format!("{V1}{n:03}"), "head_name": format!("户主{n}"),
        "id_number": id_number(n), "members": 2, "labour": labour, "status": status, "disabled": false,
        "group": "一组", "bank_account": format!("62170000000{n:08}")});
    if let Some(d) = effective {
        body["effective_date"] = json!(d);
    }
    app.post("/api/v1/households", body).await["id"].as_i64().unwrap()
}

async fn change(app: &TestApp, id: i64, status: &str, labour: &str, effective: &str) {
    app.post(
        &format!("/api/v1/households/{id}/status"),
        json!({"status": status, "labour": labour, "effective_date": effective}),
    )
    .await;
}

/// (number suffix, status, labour) of every allocation line.
fn roster(plan: &Value) -> Vec<(String, String, String)> {
    plan["allocations"]
        .as_array()
        .unwrap_or_else(|| panic!("no allocations: {plan}"))
        .iter()
        .map(|a| {
            let number = a["number"].as_str().unwrap();
            (
                number[V1.len()..].to_string(),
                a["status"].as_str().unwrap().to_string(),
                a["labour"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_plan_takes_each_household_as_it_stood_on_the_record_date() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let asset = confirmed_asset(&app, "MB-1", V1, "50000.00").await;
    app.post(
        &format!("/api/v1/assets/{asset}/yields"),
        json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30", "revenue": "6000.00",
               "received_on": "2025-06-30"}),
    )
    .await;
    // Changed after the record date: the earlier status counts.
    let h1 = add(&app, 1, "unstable", "weak", Some("2024-01-01")).await;
    change(&app, h1, "lifted", "full", "2025-08-01").await;
    // Joined after the record date: not in the plan.
    add(&app, 2, "lifted", "full", Some("2025-07-15")).await;
    // Undated, then changed before the record date: the change counts.
    let h3 = add(&app, 3, "lifted", "none", None).await;
    change(&app, h3, "marginal", "full", "2025-03-01").await;
    // Two changes before: the later counts, one on the record date itself included.
    let h4 = add(&app, 4, "lifted", "full", Some("2024-01-01")).await;
    change(&app, h4, "unstable", "none", "2025-05-01").await;
    change(&app, h4, "sudden_hardship", "weak", "2025-06-30").await;
    // Joined on the record date itself: in the plan.
    add(&app, 5, "lifted", "weak", Some("2025-06-30")).await;
    // Undated only: holds for any date.
    add(&app, 6, "unstable", "full", None).await;

    let want: Vec<(String, String, String)> = [
        ("001", "unstable", "weak"),
        ("003", "marginal", "full"),
        ("004", "sudden_hardship", "weak"),
        ("005", "lifted", "weak"),
        ("006", "unstable", "full"),
    ]
    .iter()
    .map(|(n, s, l)| (n.to_string(), s.to_string(), l.to_string()))
    .collect();

    let plan = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V1, "year": 2025, "record_date": "2025-06-30", "amount": "1000.00",
                   "retention_rate": "0", "management_rate": "0", "public_works": "0.00", "dividend": {}}),
        )
        .await;
    assert_eq!(roster(&plan), want, "{plan}");

    // The year-end drafts of another year, dated the same, read the same roster.
    let (st, drafts) = app
        .call_as(
            Some(&app.token),
            "POST",
            "/api/v1/distributions/drafts",
            Some(json!({"region_code": V1, "year": 2026, "record_date": "2025-06-30"})),
        )
        .await;
    assert_eq!(st, 201, "{drafts}");
    let drafted = app
        .get(&format!("/api/v1/distributions/{}", drafts["items"][0]["id"]))
        .await;
    assert_eq!(roster(&drafted), want);

    // A record date before anyone dated joined: only the undated households.
    let early = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V1, "year": 2023, "record_date": "2023-12-31", "amount": "10.00",
                   "retention_rate": "0", "management_rate": "0", "public_works": "0.00", "dividend": {}}),
        )
        .await;
    let numbers: Vec<String> = roster(&early).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(numbers, ["003", "006"], "{early}");
}
