//! Privacy (个人信息保护): the real server, logging at debug (trace for the app and the request
//! layer), walks a full flow over HTTP — households, refused households carrying ID numbers and
//! bank accounts, an import with bad rows, searches, a paid plan and its documents — and then its
//! logs are searched for every synthetic ID number and bank account used: none may appear in full.
//! No error answer and no JSON answer (but the payment roll, for the roles that pay) carries one.

use crate::common::*;
use crate::proc::{Answer, Client, Server};
use serde_json::json;

const V1: &str = "371622101201";

/// Every request made and its answer, to check the answers too.
struct Walk {
    c: Client,
    answers: Vec<(String, Answer)>,
}

impl Walk {
    fn send(&mut self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Answer {
        let a = self
            .c
            .send(method, path, content_type, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        self.answers.push((format!("{method} {path}"), a.clone()));
        a
    }
    fn json(&mut self, method: &str, path: &str, body: serde_json::Value) -> Answer {
        self.send(method, path, "application/json", &serde_json::to_vec(&body).unwrap())
    }
    fn ok(&mut self, method: &str, path: &str, body: serde_json::Value) -> serde_json::Value {
        let a = self.json(method, path, body);
        assert!(a.ok(), "{method} {path} -> {}: {}", a.status, a.body);
        a.json()
    }
    fn get(&mut self, path: &str) -> Answer {
        let a = self.send("GET", path, "", b"");
        assert!(a.ok(), "GET {path} -> {}: {}", a.status, a.body);
        a
    }
}

fn household_body(number: &str, id: &str, bank: &str) -> serde_json::Value {
    json!({"village_code": V1, "number": number, "head_name": format!("户主{number}"), "id_number": id,
           "members": 3, "labour": "none", "status": "lifted", "disabled": false, "group": "一组", "bank_account": bank})
}

#[tokio::test]
async fn no_id_number_or_bank_account_appears_in_full_in_the_logs_or_an_error() {
    let app = TestApp::new().await;
    let ids: Vec<String> = (0..12).map(|n| id_number(700 + n)).collect();
    let banks: Vec<String> = (0..12)
        .map(|n| format!("622848{:013}", 9_000_000_000_u64 + n))
        .collect();
    // A mistyped ID (wrong check digit) is still somebody's number.
    let wrong_check = {
        let good = &ids[5];
        let last = if good.ends_with('1') { '2' } else { '1' };
        format!("{}{last}", &good[..17])
    };
    let mut secrets: Vec<String> = ids.iter().chain(&banks).cloned().collect();
    secrets.push(wrong_check.clone());

    let server = Server::start(&app.url, &[("RUST_LOG", "debug,relief_ledger=trace,tower_http=trace")]);
    let admin = server.client(None).login("admin", ADMIN_PASSWORD);
    let mut w = Walk {
        c: admin.clone(),
        answers: Vec::new(),
    };
    w.ok(
        "POST",
        "/api/v1/regions",
        json!({"code": "371622000000", "name": "示范县", "level": "county"}),
    );
    w.ok(
        "POST",
        "/api/v1/regions",
        json!({"code": "371622101000", "name": "城关镇", "level": "township", "parent_code": "371622000000"}),
    );
    w.ok(
        "POST",
        "/api/v1/regions",
        json!({"code": V1, "name": "南关村", "level": "village", "parent_code": "371622101000"}),
    );
    let mut households = Vec::new();
    for i in 0..3 {
        let h = w.ok(
            "POST",
            "/api/v1/households",
            household_body(&format!("P{i}"), &ids[i], &banks[i]),
        );
        assert!(h["id_number"].as_str().unwrap().contains('*'), "{h}");
        households.push(h["id"].as_i64().unwrap());
    }

    // Refusals that carry personal numbers: a duplicate, a wrong check digit, numbers sent as JSON
    // numbers, an account of the wrong length, a body cut short.
    let numeric_id: u64 = ids[6..]
        .iter()
        .find_map(|s| s.parse().ok())
        .expect("an ID of digits only");
    let refusals = [
        (household_body("P0", &ids[3], &banks[3]), 409),
        (household_body("P9", &wrong_check, &banks[4]), 422),
        (
            json!({"village_code": V1, "number": "P8", "head_name": "x", "id_number": numeric_id,
                   "members": 1, "labour": "none", "status": "lifted", "bank_account": banks[6]}),
            422,
        ),
        (
            json!({"village_code": V1, "number": "P7", "head_name": "x", "id_number": ids[7],
                   "members": 1, "labour": "none", "status": "lifted", "bank_account": banks[7].parse::<u64>().unwrap()}),
            422,
        ),
        (
            household_body("P6", &ids[8], &format!("{}0000000000000", banks[8])),
            422,
        ),
    ];
    for (body, status) in refusals {
        let a = w.json("POST", "/api/v1/households", body);
        assert_eq!(a.status, status, "{}", a.body);
    }
    // serde names the value it could not take: the answer says which, masked.
    let numeric = w.answers[w.answers.len() - 3].1.body.clone();
    let masked = relief_ledger::domain::identity::mask_id_number(&numeric_id.to_string());
    assert!(numeric.contains(&masked), "{numeric}");
    let cut = format!(
        r#"{{"village_code": "{V1}", "id_number": "{}", "bank_account": "{}""#,
        ids[9], banks[9]
    );
    let a = w.send("POST", "/api/v1/households", "application/json", cut.as_bytes());
    assert_eq!(a.status, 400, "{}", a.body);

    // An import with one good and one bad row: refused whole.
    let csv = format!(
        "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村,银行账号\n\
         Q1,户主Q1,{},2,有劳动能力,脱贫户,南关村,{}\n\
         Q2,户主Q2,{},2,有劳动能力,脱贫户,南关村,{}\n",
        ids[10], banks[10], wrong_check, banks[11]
    );
    let a = w.send("POST", "/api/v1/imports/households", "text/csv", csv.as_bytes());
    assert_eq!(a.status, 422, "{}", a.body);

    // Searches and filters that carry an ID number in the query string, and the pages.
    w.get(&format!("/api/v1/households?village_code={V1}&q={}", ids[0]));
    w.get(&format!("/api/v1/households/{}", households[0]));
    w.ok(
        "POST",
        &format!("/api/v1/households/{}/status", households[1]),
        json!({"status": "unstable", "labour": "weak", "effective_date": "2025-03-01"}),
    );
    let login = w.send(
        "POST",
        "/login",
        "application/x-www-form-urlencoded",
        format!("username=admin&password={ADMIN_PASSWORD}").as_bytes(),
    );
    assert_eq!(login.status, 303, "{}", login.body);
    // The session cookie holds an API token: the pages take the admin's.
    let session = admin.token.clone().unwrap();
    let mut page = Walk {
        c: Client {
            cookie: Some(format!("rl_session={session}")),
            token: None,
            ..admin.clone()
        },
        answers: Vec::new(),
    };
    let households_page = page.get(&format!("/households?q={}", ids[1]));
    assert!(!households_page.body.contains(&ids[2]), "the roster page masks IDs");
    page.get(&format!("/households/{}", households[0]));

    // Money: an asset, a yield, a plan paid, and its documents.
    let p = w.ok("POST", "/api/v1/projects", json!({"code": "PV-1", "name": "光伏", "county_code": "371622000000", "kind": "photovoltaic", "year": 2024,
        "implementing_unit": "x", "village_codes": [V1], "funding": [{"source": "central", "amount": "50000.00", "fiscal_year": 2024, "document": "d"}]}));
    let pid = p["id"].as_i64().unwrap();
    for status in ["approved", "under_construction"] {
        w.ok(
            "POST",
            &format!("/api/v1/projects/{pid}/status"),
            json!({"status": status}),
        );
    }
    let assets = w.ok(
        "POST",
        &format!("/api/v1/projects/{pid}/accept"),
        json!({"accepted_on": "2024-05-01", "assets": [{"name": "电站", "class": "operating", "value": "50000.00"}]}),
    );
    let asset = assets[0]["id"].as_i64().unwrap();
    w.ok(
        "POST",
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2024-05-02", "owners": [{"region_code": V1, "investment": "50000.00"}]}),
    );
    w.ok(
        "POST",
        &format!("/api/v1/assets/{asset}/yields"),
        json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-06-30", "received_on": "2025-07-01", "revenue": "6000.00"}),
    );
    let plan = w.ok(
        "POST",
        "/api/v1/distributions",
        json!({"village_code": V1, "year": 2025, "record_date": "2025-06-30", "amount": "3000.00",
               "retention_rate": "0.1", "management_rate": "0.05", "public_works": "0.00", "dividend": {}}),
    );
    let id = plan["id"].as_i64().unwrap();
    let steps: Vec<_> = ["proposal", "consultation", "party_review", "representatives_resolution"]
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"step": s, "date": format!("2025-07-0{}", i + 1), "attendance": "9/9", "minutes_ref": "记录"}))
        .collect();
    for (step, body) in [
        ("resolve", json!({"steps": steps})),
        ("publicize", json!({"from": "2025-07-05", "to": "2025-07-12"})),
        ("review", json!({"date": "2025-07-14", "reviewer": "城关镇"})),
        ("file", json!({"date": "2025-07-15", "reference": "备1"})),
        ("pay", json!({"paid_on": "2025-07-20", "reference": "一卡通"})),
    ] {
        w.ok("POST", &format!("/api/v1/distributions/{id}/{step}"), body);
    }
    w.get(&format!("/api/v1/distributions/{id}"));
    let roll = w.get(&format!("/api/v1/distributions/{id}/payments.csv"));
    assert!(
        roll.body.contains(&banks[0]),
        "the roll carries the account for a role that pays"
    );
    w.get(&format!("/api/v1/distributions/{id}/statements.pdf"));
    w.get(&format!("/api/v1/distributions/{id}/notice.pdf"));
    w.get(&format!("/api/v1/distributions/{id}/statements/{}.pdf", households[0]));
    w.get("/api/v1/audit?limit=1000");
    w.get(&format!("/api/v1/reports/reconciliation?region_code={V1}&year=2025"));

    let mut logs = server.stop();

    // The same bad file through the CLI, logging at trace: its report and its logs name rows and
    // reasons, never the numbers.
    let dir = std::env::temp_dir().join(format!("rl-privacy-{}-{}", std::process::id(), households[0]));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("roster.csv");
    std::fs::write(&file, &csv).unwrap();
    let out = std::process::Command::new(crate::proc::BIN)
        .args(["--db", &app.url, "import", "households"])
        .arg(&file)
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success(), "a file with a bad row is refused");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(report.contains("第3行 身份证号"), "{report}");
    logs.push_str(&report);
    logs.push_str(&String::from_utf8_lossy(&out.stderr));
    assert!(
        logs.contains("started processing request") && logs.contains("finished processing request"),
        "the request lines are logged: {logs}"
    );
    assert!(logs.contains("/api/v1/households"), "{logs}");
    assert!(
        logs.contains(&format!(
            "q={}",
            relief_ledger::domain::identity::mask_id_number(&ids[0])
        )),
        "the query is logged, masked"
    );
    for s in &secrets {
        assert!(!logs.contains(s.as_str()), "the logs carry {s} in full");
    }
    let mut checked = 0;
    for (request, a) in w.answers.iter().chain(&page.answers) {
        if request.ends_with(".csv") || request.ends_with(".pdf") {
            continue;
        }
        checked += 1;
        for s in &secrets {
            assert!(
                !a.body.contains(s.as_str()),
                "{request} -> {} answers with {s} in full: {}",
                a.status,
                a.body
            );
        }
    }
    println!(
        "privacy: {} log lines, {checked} answers, {} ID numbers and accounts never in full",
        logs.lines().count(),
        secrets.len()
    );
}
