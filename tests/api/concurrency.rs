//! Concurrent writers (并发写入): two village accountants paying the same plan at once, or two clerks
//! posting the same yield at once, end in one success and one clear conflict, never a double debit
//! or a double credit of the village's account.

use crate::common::*;
use relief_ledger::domain::vocab::Role;
use serde_json::json;

const V1: &str = "371622101201";

#[tokio::test]
async fn two_accountants_paying_one_plan_at_once_pay_it_once() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    household(&app, V1, 1, 2, "none", "lifted", false).await;
    household(&app, V1, 2, 4, "full", "marginal", false).await;
    let asset = confirmed_asset(&app, "C-1", V1, "50000.00").await;
    app.post(
        &format!("/api/v1/assets/{asset}/yields"),
        json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-12-31", "received_on": "2025-03-01", "revenue": "3000.00"}),
    )
    .await;
    let plan = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V1, "year": 2025, "record_date": "2025-06-30", "amount": "3000.00",
            "retention_rate": "0.1", "management_rate": "0.05", "public_works": "0.00", "dividend": {}}),
        )
        .await;
    let id = plan["id"].as_i64().unwrap();
    let steps: Vec<_> = ["proposal", "consultation", "party_review", "representatives_resolution"]
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"step": s, "date": format!("2025-07-0{}", i + 1), "attendance": "9/9", "minutes_ref": "记录"}))
        .collect();
    app.post(&format!("/api/v1/distributions/{id}/resolve"), json!({"steps": steps}))
        .await;
    app.post(
        &format!("/api/v1/distributions/{id}/publicize"),
        json!({"from": "2025-07-05", "to": "2025-07-12"}),
    )
    .await;
    app.post(
        &format!("/api/v1/distributions/{id}/review"),
        json!({"date": "2025-07-14", "reviewer": "城关镇"}),
    )
    .await;
    app.post(
        &format!("/api/v1/distributions/{id}/file"),
        json!({"date": "2025-07-15", "reference": "备1"}),
    )
    .await;

    let a = app.user("acct-a", Role::VillageAccountant, Some(V1)).await;
    let b = app.user("acct-b", Role::VillageAccountant, Some(V1)).await;
    let path = format!("/api/v1/distributions/{id}/pay");
    let pay = |token: String| {
        let path = path.clone();
        let app = &app;
        async move {
            app.call_as(
                Some(&token),
                "POST",
                &path,
                Some(json!({"paid_on": "2025-07-20", "reference": "一卡通"})),
            )
            .await
        }
    };
    let ((st_a, _), (st_b, body_b)) = tokio::join!(pay(a), pay(b));
    let mut statuses = [st_a.as_u16(), st_b.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "one payment, one conflict ({body_b})");

    // The account is debited once: the whole amount leaves as dividends and retention, nothing more.
    let acc = app.get(&format!("/api/v1/regions/{V1}/account?year=2025")).await;
    let debited = fen(&m(&acc["distributed"])) + fen(&m(&acc["retained"])) + fen(&m(&acc["public_works"]));
    assert_eq!(debited, 300_000);
    assert_eq!(m(&acc["balance"]), "0.00");
    let plan = app.get(&format!("/api/v1/distributions/{id}")).await;
    assert_eq!(plan["state"], "paid");
    assert_eq!(
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["step"] == "pay")
            .count(),
        1
    );
}

#[tokio::test]
async fn two_clerks_posting_one_assets_yield_at_once_credit_it_once() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let asset = confirmed_asset(&app, "C-2", V1, "50000.00").await;
    let a = app.user("clerk-a", Role::CountyStaff, Some("371622000000")).await;
    let b = app.user("clerk-b", Role::CountyStaff, Some("371622000000")).await;
    let path = format!("/api/v1/assets/{asset}/yields");
    // Both clerks key the same settlement slip (结算单号).
    let post = |token: String, voucher: &'static str| {
        let path = path.clone();
        let app = &app;
        async move {
            let body = json!({"kind": "pv_sales", "period_start": "2025-04-01", "period_end": "2025-04-30",
                              "received_on": "2025-05-20", "kwh": "3100", "tariff": "0.3949", "voucher": voucher});
            app.call_as(Some(&token), "POST", &path, Some(body)).await
        }
    };
    let ((st_a, body_a), (st_b, body_b)) = tokio::join!(post(a, "电费结算-202504"), post(b, "电费结算-202504"));
    let mut statuses = [st_a.as_u16(), st_b.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "one yield, one conflict ({body_a} {body_b})");
    let refusal = if st_a.as_u16() == 409 { body_a } else { body_b };
    assert_eq!(refusal["code"], "duplicate_voucher", "{refusal}");
    assert_eq!(refusal["errors"][0]["field"], "voucher", "{refusal}");

    // Credited once: 3,100 kWh × 0.3949 = 1,224.19.
    let acc = app.get(&format!("/api/v1/regions/{V1}/account?year=2025")).await;
    assert_eq!(m(&acc["credited"]), "1224.19");
    let listed = app.get(&format!("/api/v1/assets/{asset}/yields")).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");

    // After a reversal (红字冲销) the slip may be posted again; another slip or kind never collided.
    let id = listed["items"][0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/yields/{id}/reverse"),
        json!({"reason": "电量录错", "reversed_on": "2025-05-21"}),
    )
    .await;
    let (again, body) = post(app.token.clone(), "电费结算-202504").await;
    assert_eq!(again.as_u16(), 201, "{body}");
    let (subsidy, body) = app
        .call_as(
            Some(&app.token),
            "POST",
            &path,
            Some(json!({"kind": "pv_subsidy", "period_start": "2025-04-01", "period_end": "2025-04-30", "kwh": "3100", "tariff": "0.03"})),
        )
        .await;
    assert_eq!(subsidy.as_u16(), 201, "{body}");
    let (other, body) = post(app.token.clone(), "电费结算-202504补").await;
    assert_eq!(other.as_u16(), 201, "{body}");
    assert_audit_verifies(&app);
}

fn fen(text: &str) -> i64 {
    let (y, f) = text.split_once('.').unwrap();
    y.parse::<i64>().unwrap() * 100 + f.parse::<i64>().unwrap()
}
