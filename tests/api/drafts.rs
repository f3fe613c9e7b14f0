//! Year-end drafts for every village at once (`POST /distributions/drafts`, 年度分配方案草案):
//! each village with a balance gets the plan a single `POST /distributions` would give it, in one
//! transaction the audit log seals; a second run drafts nothing; outside the actor's villages it
//! writes nothing.

use crate::common::*;
use relief_ledger::domain::vocab::Role;
use serde_json::{Value, json};

const V1: &str = "371622101201";
const V2: &str = "371622101202";
const V3: &str = "371622101203";

/// Three villages; V1 and V2 have households and a PV yield, V3 has neither.
async fn region() -> TestApp {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村"), (V3, "西关村")]).await;
    for (village, base) in [(V1, 0), (V2, 10)] {
        household(&app, village, base + 1, 3, "none", "lifted", false).await;
        household(&app, village, base + 2, 4, "full", "unstable", true).await;
        household(&app, village, base + 3, 1, "weak", "ordinary", false).await;
        let asset = confirmed_asset(&app, &format!("TP-{village}"), village, "100000.00").await;
        app.post(
            &format!("/api/v1/assets/{asset}/yields"),
            json!({"kind": "pv_sales", "period_start": "2025-04-01", "period_end": "2025-04-30", "received_on": "2025-05-20",
                   "kwh": format!("{}", 3100 + base * 7), "tariff": "0.3949", "deductions": {"om": "30.00"}}),
        )
        .await;
    }
    app
}

fn body() -> Value {
    json!({"region_code": "371622000000", "year": 2025, "record_date": "2025-06-30",
           "retention_rate": "0.15", "management_rate": "0.05", "dividend": {"basis": "member"}})
}

/// The allocations of a plan as (number, total) pairs.
fn totals(plan: &Value) -> Vec<(String, String)> {
    plan["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["number"].as_str().unwrap().to_string(), m(&a["total"])))
        .collect()
}

#[tokio::test]
async fn every_village_with_a_balance_gets_the_plan_a_single_draft_would_give_it() {
    let app = region().await;
    let (st, drafts) = app
        .call_as(Some(&app.token), "POST", "/api/v1/distributions/drafts", Some(body()))
        .await;
    assert_eq!(st, 201, "{drafts}");
    let items = drafts["items"].as_array().unwrap();
    let villages: Vec<&str> = items.iter().map(|p| p["village_code"].as_str().unwrap()).collect();
    assert_eq!(villages, [V1, V2], "V3 has no balance: {drafts}");
    assert_eq!(drafts["total"], 2);
    for item in items {
        let village = item["village_code"].as_str().unwrap();
        let plan = app.get(&format!("/api/v1/distributions/{}", item["id"])).await;
        assert_eq!(plan["state"], "draft");
        let account = app.get(&format!("/api/v1/regions/{village}/account?year=2025")).await;
        assert_eq!(
            m(&plan["amount"]),
            m(&account["available"]),
            "the whole available balance"
        );
        // The same plan drafted alone (drafts reserve nothing) splits to the same fen.
        let single = app
            .post(
                "/api/v1/distributions",
                json!({"village_code": village, "year": 2025, "record_date": "2025-06-30", "amount": plan["amount"],
                       "retention_rate": "0.15", "management_rate": "0.05", "dividend": {"basis": "member"}}),
            )
            .await;
        assert_eq!(totals(&plan), totals(&single));
        assert_eq!(plan["parts"], single["parts"]);
        assert_eq!(totals(&plan).len(), 2, "the ordinary household is no beneficiary");
    }
    assert_audit_verifies(&app);

    // Resolving a draft whose roster has not changed keeps its rows; the log still verifies.
    let id = items[0]["id"].as_i64().unwrap();
    let before = app.get(&format!("/api/v1/distributions/{id}")).await;
    walk_to_paid(&app, id, 2025).await;
    let after = app.get(&format!("/api/v1/distributions/{id}")).await;
    assert_eq!(after["state"], "paid");
    assert_eq!(totals(&before), totals(&after));
    assert_audit_verifies(&app);
}

#[tokio::test]
async fn a_second_run_drafts_nothing_and_says_so() {
    let app = region().await;
    let (st, _) = app
        .call_as(Some(&app.token), "POST", "/api/v1/distributions/drafts", Some(body()))
        .await;
    assert_eq!(st, 201);
    let counts = app.counts().await;
    let st = app
        .refused("/api/v1/distributions/drafts", body(), Some("region_code"))
        .await;
    assert_eq!(st, 422);
    assert_eq!(app.counts().await, counts, "a refused run writes nothing");
}

#[tokio::test]
async fn a_village_accountant_may_draft_their_own_village_but_not_the_county() {
    let app = region().await;
    let token = app.user("acct1", Role::VillageAccountant, Some(V1)).await;
    let counts = app.counts().await;
    let st = app
        .refused_as(&token, "/api/v1/distributions/drafts", body(), None)
        .await;
    assert_eq!(st, 403);
    assert_eq!(app.counts().await, counts);
    let mut own = body();
    own["region_code"] = json!(V1);
    let (st, drafts) = app
        .call_as(Some(&token), "POST", "/api/v1/distributions/drafts", Some(own))
        .await;
    assert_eq!(st, 201, "{drafts}");
    assert_eq!(drafts["items"][0]["village_code"], V1);
    assert_eq!(drafts["total"], 1);
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let app = region().await;
    let counts = app.counts().await;
    let mut bad = body();
    bad["region_code"] = json!("371622999999");
    assert_eq!(
        app.refused("/api/v1/distributions/drafts", bad, Some("region_code"))
            .await,
        422
    );
    let mut bad = body();
    bad["year"] = json!(1900);
    assert_eq!(
        app.refused("/api/v1/distributions/drafts", bad, Some("year")).await,
        422
    );
    let mut bad = body();
    bad["retention_rate"] = json!("1.50");
    assert!(
        app.refused("/api/v1/distributions/drafts", bad, Some("rate"))
            .await
            .is_client_error()
    );
    assert_eq!(app.counts().await, counts);
}

/// A draft past every batch the writer uses (2,000 rows a SQLite statement, 5,000 rows a sealed
/// batch): two villages of 2,600 households each store every line, each line exactly what the
/// same plan drafted alone stores, and the audit log's seals match the rows (ids included).
#[tokio::test]
async fn a_draft_larger_than_a_batch_stores_and_seals_every_line() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;
    let header = "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村,是否残疾,村民小组,开户行,银行账号";
    let lines: Vec<String> = (0..5_200u32)
        .map(|i| {
            let village = if i % 2 == 0 { V1 } else { V2 };
            format!(
                "H{i:06},户主{i},{},{},{},脱贫户,{village},否,1组,农商银行,62170000{i:010}",
                id_number(i),
                1 + i % 6,
                ["有劳动能力", "弱劳动能力", "无劳动能力"][i as usize % 3]
            )
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("rl-big-draft-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("roster.csv");
    std::fs::write(&file, format!("{header}\n{}\n", lines.join("\n"))).unwrap();
    let out = cli(&app.url, &["import", "households", file.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for village in [V1, V2] {
        let asset = confirmed_asset(&app, &format!("BIG-{village}"), village, "500000.00").await;
        app.post(
            &format!("/api/v1/assets/{asset}/yields"),
            json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30", "revenue": "123456.78",
                   "received_on": "2025-06-30"}),
        )
        .await;
    }
    let (st, drafts) = app
        .call_as(Some(&app.token), "POST", "/api/v1/distributions/drafts", Some(body()))
        .await;
    assert_eq!(st, 201, "{drafts}");
    let items = drafts["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        let plan = app.get(&format!("/api/v1/distributions/{}", item["id"])).await;
        let stored = totals(&plan);
        assert_eq!(stored.len(), 2_600, "every household of the village");
        let single = app
            .post(
                "/api/v1/distributions",
                json!({"village_code": item["village_code"], "year": 2025, "record_date": "2025-06-30", "amount": plan["amount"],
                       "retention_rate": "0.15", "management_rate": "0.05", "dividend": {"basis": "member"}}),
            )
            .await;
        assert_eq!(stored, totals(&single));
    }
    assert_audit_verifies(&app);
    std::fs::remove_dir_all(&dir).ok();
}
