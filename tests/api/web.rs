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

fn session_of(cookie: String) -> String {
    cookie.split(';').next().unwrap().to_string()
}

/// A form body with its values percent-encoded.
fn encoded(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[tokio::test]
async fn a_refused_form_names_the_field_in_chinese_and_keeps_what_was_typed() {
    let app = TestApp::new().await;
    county(&app, &[("371622101201", "南关村")]).await;
    app.user("staff", Role::CountyStaff, Some("371622000000")).await;
    let staff = session_of(form_login(&app, "staff", "secret-pass-1").await.unwrap());
    let (st, _, form) = get(&app, "/projects/new", Some(&staff)).await;
    assert_eq!(st, 200);
    assert!(
        form.contains("name=\"funding[0].amount\"") && form.contains("添加一行"),
        "{form}"
    );

    // Caught on the page: an amount with three decimals, next to its own line's field.
    let typed = [
        ("code", "XM-2026-01"),
        ("name", "南关村光伏电站"),
        ("kind", "photovoltaic"),
        ("year", "2026"),
        ("county_code", "371622000000"),
        ("village.371622101201", "1"),
        ("funding_lines", "2"),
        ("funding[0].source", "central"),
        ("funding[0].amount", "120000.00"),
        ("funding[0].document", "财农〔2026〕8号"),
        ("funding[1].source", "county"),
        ("funding[1].amount", "30000.005"),
        ("op", "save"),
    ];
    let (st, _, body) = post_form(&app, "/projects/new", &staff, &encoded(&typed)).await;
    assert_eq!(st, 422);
    let field = body.find("name=\"funding[1].amount\"").expect("the field is shown");
    let error = body.find("金额最多两位小数").expect("the message is in Chinese");
    assert!(
        error > field && !body[field..error].contains("<label"),
        "the message is next to funding[1].amount"
    );
    for kept in [
        "value=\"30000.005\"",
        "value=\"XM-2026-01\"",
        "value=\"财农〔2026〕8号\"",
        "value=\"南关村光伏电站\"",
    ] {
        assert!(body.contains(kept), "kept {kept}");
    }
    assert!(
        body.contains("name=\"village.371622101201\" value=\"1\" checked"),
        "the village stays ticked"
    );

    // Caught by the service: a blank middle line is left out, and the zero amount of the third
    // form line is named as that line, not as the service's second.
    let mut typed = typed.to_vec();
    typed.retain(|(k, _)| !k.starts_with("funding[1]"));
    typed.extend([
        ("funding_lines", "3"),
        ("funding[2].source", "county"),
        ("funding[2].amount", "0"),
    ]);
    let (st, _, body) = post_form(&app, "/projects/new", &staff, &encoded(&typed)).await;
    assert_eq!(st, 422);
    let field = body.find("name=\"funding[2].amount\"").unwrap();
    let error = body.find("资金金额应大于零").expect("the service's message");
    assert!(error > field, "on funding[2].amount");
    assert_eq!(app.get("/api/v1/projects").await["total"], 0, "nothing saved");

    // Adding a line re-renders with one more and saves nothing.
    let mut more = typed.clone();
    more.retain(|(k, _)| *k != "op");
    more.push(("op", "add_funding"));
    let (st, _, body) = post_form(&app, "/projects/new", &staff, &encoded(&more)).await;
    assert_eq!(st, 200);
    assert!(body.contains("name=\"funding[3].amount\""));

    // Fixed, it saves and shows the project.
    let fixed: Vec<(&str, &str)> = typed
        .iter()
        .map(|(k, v)| {
            if *k == "funding[2].amount" {
                (*k, "30000.00")
            } else {
                (*k, *v)
            }
        })
        .collect();
    let (st, location, _) = post_form(&app, "/projects/new", &staff, &encoded(&fixed)).await;
    assert_eq!(st, 303);
    let (_, _, page) = get(&app, &location, Some(&staff)).await;
    assert!(page.contains("150,000.00") && page.contains("批复立项"), "{page}");
}

#[tokio::test]
async fn an_auditor_sees_no_write_form_and_every_post_is_refused_with_nothing_written() {
    let app = TestApp::new().await;
    relief_ledger::service::demo::seed_if_empty(&app.store).await.unwrap();
    let county_code = relief_ledger::service::demo::COUNTY;
    app.user("aud", Role::Auditor, Some(county_code)).await;
    let aud = session_of(form_login(&app, "aud", "secret-pass-1").await.unwrap());
    let asset = app.get("/api/v1/assets?limit=1").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let project = app.get("/api/v1/projects").await["items"][0]["id"].as_i64().unwrap();
    let plan = app.get("/api/v1/distributions?state=draft").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let household = app.get("/api/v1/households?village_code=341822100201").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    for path in [
        format!("/assets/{asset}"),
        format!("/projects/{project}"),
        format!("/distributions/{plan}"),
        format!("/households/{household}"),
        "/projects".into(),
        "/households".into(),
        "/distributions".into(),
    ] {
        let (st, _, body) = get(&app, &path, Some(&aud)).await;
        assert_eq!(st, 200, "{path}");
        assert!(
            !body.contains("method=\"post\""),
            "{path} shows an auditor a write form"
        );
        assert!(body.contains("审计人员"), "{path} header");
    }
    let audit_before = app.get("/api/v1/audit?limit=1").await["total"].clone();
    let posts = [
        (
            "/projects/new".to_string(),
            "code=X&name=X&kind=other&year=2026&funding[0].amount=1.00&op=save".to_string(),
        ),
        (format!("/projects/{project}/status"), "status=cancelled".into()),
        (
            format!("/assets/{asset}/ownership"),
            format!("confirmed_on=2026-01-01&owners[0].region_code={county_code}&owners[0].investment=1.00"),
        ),
        (
            format!("/assets/{asset}/yields"),
            "kind=rent&period_start=2026-01-01&period_end=2026-01-31&revenue=100.00".into(),
        ),
        (
            format!("/households/{household}/status"),
            "status=ordinary&labour=full&effective_date=2026-01-01".into(),
        ),
        (
            "/households/new".into(),
            "village_code=341822100201&number=X1&head_name=X&members=1".into(),
        ),
        (
            "/distributions/new".into(),
            "village_code=341822100201&year=2026&record_date=2026-01-01&amount=1.00&op=preview".into(),
        ),
        (format!("/distributions/{plan}/step"), "action=cancel&reason=x".into()),
    ];
    for (path, body) in &posts {
        let (st, _, page) = post_form(&app, path, &aud, body).await;
        assert_eq!(st, 403, "{path}: {page}");
        assert!(page.contains("无权"), "{path} says why");
    }
    assert_eq!(
        app.get("/api/v1/audit?limit=1").await["total"],
        audit_before,
        "nothing written"
    );
    assert_eq!(
        app.get(&format!("/api/v1/distributions/{plan}")).await["state"],
        "draft"
    );
}
