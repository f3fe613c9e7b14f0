//! `serve --demo` seeds a synthetic county that reconciles, only into an empty database, keeping
//! users already added.

use crate::common::*;
use relief_ledger::service::demo;

#[tokio::test]
async fn the_demo_county_is_seeded_once_and_reconciles_every_year() {
    let app = TestApp::new().await;
    let seeded = demo::seed_if_empty(&app.store)
        .await
        .unwrap()
        .expect("an empty database is seeded");
    assert_eq!(seeded.villages, 30);
    assert!((1_200..=1_800).contains(&seeded.households), "{}", seeded.households);
    assert!(seeded.projects >= 20);
    // The admin added before seeding is kept; the demo adds the other roles.
    let names: Vec<&str> = seeded.logins.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(names, ["county", "village", "auditor"]);
    app.login("admin", ADMIN_PASSWORD).await;

    let plans = app.get("/api/v1/distributions?limit=1000").await;
    let states: std::collections::BTreeSet<String> = plans["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["state"].as_str().unwrap().to_string())
        .collect();
    for s in [
        "draft",
        "resolved",
        "publicized",
        "reviewed",
        "filed",
        "paid",
        "results_publicized",
        "cancelled",
    ] {
        assert!(states.contains(s), "no demo plan is {s}: {states:?}");
    }
    for year in [2024, 2025, 2026] {
        let rec = app
            .get(&format!(
                "/api/v1/reports/reconciliation?region_code={}&year={year}",
                demo::COUNTY
            ))
            .await;
        assert_eq!(rec["balanced"], true, "{year}: {rec}");
    }
    let rec = app
        .get(&format!(
            "/api/v1/reports/reconciliation?region_code={}&year=2025",
            demo::COUNTY
        ))
        .await;
    assert!(rec["plans_paid"].as_u64().unwrap() > 10);
    // Every ID number is masked in listings.
    let hh = app.get("/api/v1/households?limit=5").await;
    assert!(
        hh["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["id_number"].as_str().unwrap().contains("********"))
    );

    assert!(
        demo::seed_if_empty(&app.store).await.unwrap().is_none(),
        "a second run seeds nothing"
    );
    // Every row the demo wrote is sealed by the audit log.
    assert_audit_verifies(&app);
}
