//! The web pages: form login sets a session cookie (not `Secure` over plain http), every page's
//! header shows the user's name, role and region, and pages outside the scope are refused.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use relief_ledger::api::{AppState, router};
use relief_ledger::domain::vocab::Role;
use tower::ServiceExt;

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> (u16, String, String) {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let resp = router(AppState {
        store: app.store.clone(),
    })
    .oneshot(req.body(Body::empty()).unwrap())
    .await
    .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, location, body)
}

async fn form_login(app: &TestApp, user: &str, password: &str) -> Result<String, u16> {
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username={user}&password={password}")))
        .unwrap();
    let resp = router(AppState {
        store: app.store.clone(),
    })
    .oneshot(req)
    .await
    .unwrap();
    let cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_string());
    match cookie {
        Some(c) if resp.status().is_redirection() => Ok(c),
        _ => Err(resp.status().as_u16()),
    }
}

#[tokio::test]
async fn pages_need_a_login_and_show_who_is_logged_in() {
    let app = TestApp::new().await;
    county(&app, &[("371622101201", "南关村"), ("371622101202", "北关村")]).await;
    let h = household(&app, "371622101201", 1, 3, "none", "lifted", false).await;
    let other = household(&app, "371622101202", 2, 3, "none", "lifted", false).await;

    // Not logged in: the dashboard is the login form, other pages redirect to it.
    let (st, _, body) = get(&app, "/", None).await;
    assert_eq!(st, 200);
    assert!(body.contains("name=\"password\""), "{body}");
    let (st, location, _) = get(&app, "/projects", None).await;
    assert_eq!((st, location.as_str()), (303, "/login"));
    assert_eq!(form_login(&app, "admin", "wrong").await, Err(401));

    app.user("acc", Role::VillageAccountant, Some("371622101201")).await;
    let cookie = form_login(&app, "acc", "secret-pass-1").await.unwrap();
    assert!(cookie.contains("HttpOnly") && !cookie.contains("Secure"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_string();
    for path in [
        "/",
        "/projects",
        "/assets",
        "/households",
        "/distributions",
        &format!("/households/{h}"),
    ] {
        let (st, _, body) = get(&app, path, Some(&session)).await;
        assert_eq!(st, 200, "{path}: {body}");
        for shown in ["acc", "村会计", "南关村"] {
            assert!(body.contains(shown), "{path} header lacks {shown}");
        }
    }
    // Another village's household and the county's audit log are not this accountant's.
    let (st, _, _) = get(&app, &format!("/households/{other}"), Some(&session)).await;
    assert_eq!(st, 403);
    let (st, _, _) = get(&app, "/audit", Some(&session)).await;
    assert_eq!(st, 403);
    // The session cookie opens the API too (document links on the pages).
    let (st, _, _) = get(&app, "/api/v1/households?village_code=371622101201", Some(&session)).await;
    assert_eq!(st, 200);
    let (st, _, body) = get(&app, "/households?q=户主1", Some(&session)).await;
    assert_eq!(st, 200);
    assert!(body.contains("371622********"), "IDs are masked on pages");
}

async fn post_form(app: &TestApp, path: &str, cookie: &str, body: &str) -> (u16, String, String) {
    let req = Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap();
    let resp = router(AppState {
        store: app.store.clone(),
    })
    .oneshot(req)
    .await
    .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, location, body)
}

#[tokio::test]
async fn an_accountant_walks_a_plan_to_paid_with_the_page_forms() {
    let app = TestApp::new().await;
    relief_ledger::service::demo::seed_if_empty(&app.store).await.unwrap();
    let drafts = app
        .get("/api/v1/distributions?state=draft&village_code=341822100201")
        .await;
    let id = drafts["items"][0]["id"]
        .as_i64()
        .expect("the demo's first village has a draft");
    app.user("acc", Role::VillageAccountant, Some("341822100201")).await;
    app.user("staff", Role::CountyStaff, Some(relief_ledger::service::demo::COUNTY))
        .await;
    let acc = form_login(&app, "acc", "secret-pass-1")
        .await
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let staff = form_login(&app, "staff", "secret-pass-1")
        .await
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let step = format!("/distributions/{id}/step");

    let (_, _, page) = get(&app, &format!("/distributions/{id}"), Some(&acc)).await;
    assert!(page.contains("记录四议并决议"), "a draft offers the deliberations");
    // Out of order: refused on the page, nothing changes.
    let bad = "action=resolve&proposal_date=2026-04-03&proposal_attendance=5/5&proposal_minutes=a\
               &consultation_date=2026-04-02&consultation_attendance=7/7&consultation_minutes=b\
               &party_review_date=2026-04-04&party_review_attendance=30/32&party_review_minutes=c\
               &representatives_resolution_date=2026-04-05&representatives_resolution_attendance=21/25&representatives_resolution_minutes=d";
    let (st, _, body) = post_form(&app, &step, &acc, bad).await;
    assert_eq!(st, 422);
    assert!(body.contains("未能完成"), "{body}");
    assert_eq!(app.get(&format!("/api/v1/distributions/{id}")).await["state"], "draft");

    let good = bad.replace("proposal_date=2026-04-03", "proposal_date=2026-04-01");
    for (who, body) in [
        (&acc, good.as_str()),
        (&acc, "action=publicize&from=2026-04-06&to=2026-04-13"),
        (&staff, "action=review&date=2026-04-15&reviewer=城关镇"),
        (&staff, "action=file&date=2026-04-16&reference=备案1号"),
        (&acc, "action=pay&date=2026-04-20&reference=一卡通"),
    ] {
        let (st, location, page) = post_form(&app, &step, who, body).await;
        assert_eq!(
            (st, location.as_str()),
            (303, format!("/distributions/{id}").as_str()),
            "{body}: {page}"
        );
    }
    assert_eq!(app.get(&format!("/api/v1/distributions/{id}")).await["state"], "paid");
    // The next step offered is the results notice.
    let (_, _, page) = get(&app, &format!("/distributions/{id}"), Some(&acc)).await;
    assert!(page.contains("结果公开"), "a paid plan offers the results step");
}
