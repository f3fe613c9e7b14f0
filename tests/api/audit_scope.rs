//! The audit log read by region (审计日志的区域范围): county staff and auditors read the entries of
//! their own region only; entries of the system (users) are an admin's alone.

use crate::common::*;
use relief_ledger::domain::vocab::Role;
use serde_json::{Value, json};

const COUNTY_B: &str = "371623000000";
const W1: &str = "371623101201";

fn regions_of(page: &Value) -> Vec<Option<String>> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["region_code"].as_str().map(String::from))
        .collect()
}

#[tokio::test]
async fn an_auditor_reads_the_entries_of_their_county_only() {
    let app = TestApp::new().await;
    county(&app, &[("371622101201", "南关村")]).await;
    for (code, name, level, parent) in [
        (COUNTY_B, "邻县", "county", None),
        ("371623101000", "邻镇", "township", Some(COUNTY_B)),
        (W1, "西村", "village", Some("371623101000")),
    ] {
        app.post(
            "/api/v1/regions",
            json!({"code": code, "name": name, "level": level, "parent_code": parent}),
        )
        .await;
    }
    household(&app, "371622101201", 1, 3, "none", "lifted", false).await;
    household(&app, W1, 2, 3, "none", "lifted", false).await;
    confirmed_asset(&app, "A-1", "371622101201", "1000.00").await;
    let auditor_a = app.user("aud-a", Role::Auditor, Some("371622000000")).await;
    let staff_b = app.user("staff-b", Role::CountyStaff, Some(COUNTY_B)).await;

    let all = app.get("/api/v1/audit?limit=1000").await;
    let (st, a) = app
        .call_as(Some(&auditor_a), "GET", "/api/v1/audit?limit=1000", None)
        .await;
    assert_eq!(st.as_u16(), 200);
    let (_, b) = app
        .call_as(Some(&staff_b), "GET", "/api/v1/audit?limit=1000", None)
        .await;

    let a_regions = regions_of(&a);
    let b_regions = regions_of(&b);
    assert!(
        a_regions
            .iter()
            .all(|r| r.as_deref().is_some_and(|c| c.starts_with("371622"))),
        "{a}"
    );
    assert!(
        b_regions
            .iter()
            .all(|r| r.as_deref().is_some_and(|c| c.starts_with("371623"))),
        "{b}"
    );
    assert!(
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "household.create"),
        "{a} {all}"
    );
    assert!(
        a["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "project.accept")
    );
    assert_eq!(
        b["total"], 4,
        "the neighbour county, its township and village, its household: {b}"
    );

    // The admin reads everything: both counties and the system's own entries.
    let system = regions_of(&all).iter().filter(|r| r.is_none()).count() as u64;
    assert!(system >= 2, "the two users added: {all}");
    assert_eq!(
        all["total"].as_u64().unwrap(),
        a["total"].as_u64().unwrap() + b["total"].as_u64().unwrap() + system
    );
}
