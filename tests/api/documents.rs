//! Statements, the public notice and the verification code, served as the contract names them.

use crate::common::*;
use serde_json::json;

const V1: &str = "371622101201";

fn pdftotext(bytes: &[u8]) -> Option<String> {
    let path = std::env::temp_dir().join(format!("rl-doc-{}-{}.pdf", std::process::id(), bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&path);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[tokio::test]
async fn a_paid_plan_prints_statements_a_notice_and_verifiable_codes() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村")]).await;
    let h1 = household(&app, V1, 1, 2, "none", "lifted", false).await;
    household(&app, V1, 2, 4, "full", "marginal", false).await;
    household(&app, V1, 3, 3, "weak", "lifted", true).await;
    let p = app
        .post("/api/v1/projects", json!({"code": "D-1", "name": "光伏", "county_code": "371622000000", "kind": "photovoltaic", "year": 2024,
            "implementing_unit": "x", "village_codes": [V1], "funding": [{"source": "central", "amount": "100000.00", "fiscal_year": 2024, "document": "d"}]}))
        .await;
    let pid = p["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/projects/{pid}/status"), json!({"status": "approved"}))
        .await;
    app.post(
        &format!("/api/v1/projects/{pid}/status"),
        json!({"status": "under_construction"}),
    )
    .await;
    let assets = app
        .post(&format!("/api/v1/projects/{pid}/accept"), json!({"accepted_on": "2024-05-01", "assets": [{"name": "村级光伏电站", "class": "operating", "value": "100000.00"}]}))
        .await;
    let asset = assets[0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/assets/{asset}/ownership"),
        json!({"confirmed_on": "2024-05-02", "owners": [{"region_code": V1, "investment": "100000.00"}]}),
    )
    .await;
    app.post(
        &format!("/api/v1/assets/{asset}/yields"),
        json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-12-31",
        "received_on": "2025-03-01", "revenue": "123456.78"}),
    )
    .await;
    let plan = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V1, "year": 2025, "record_date": "2025-06-30", "amount": "123456.78",
            "retention_rate": "0.1", "management_rate": "0.05", "public_works": "0.00", "dividend": {}}),
        )
        .await;
    let id = plan["id"].as_i64().unwrap();

    // A draft has no documents yet.
    let (st, _, _) = app
        .raw(
            Some(&app.token),
            "GET",
            &format!("/api/v1/distributions/{id}/notice.pdf"),
            None,
        )
        .await;
    assert_eq!(st.as_u16(), 409);
    walk_to_paid(&app, id, 2025).await;
    let paid = app.get(&format!("/api/v1/distributions/{id}")).await;
    let line = paid["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["household_id"] == h1)
        .unwrap()
        .clone();

    let (st, ct, one) = app
        .raw(
            Some(&app.token),
            "GET",
            &format!("/api/v1/distributions/{id}/statements/{h1}.pdf"),
            None,
        )
        .await;
    assert!(st.is_success(), "{st}");
    assert_eq!(ct, "application/pdf");
    assert!(one.starts_with(b"%PDF"));
    assert!(one.len() <= 30 * 1024, "a statement is {} bytes", one.len());
    let (_, _, all) = app
        .raw(
            Some(&app.token),
            "GET",
            &format!("/api/v1/distributions/{id}/statements.pdf"),
            None,
        )
        .await;
    assert!(all.starts_with(b"%PDF"));
    let (_, _, notice) = app
        .raw(
            Some(&app.token),
            "GET",
            &format!("/api/v1/distributions/{id}/notice.pdf"),
            None,
        )
        .await;
    assert!(notice.starts_with(b"%PDF"));

    // The bank's return: a row for a household not on the roll refuses the whole file.
    let dir = std::env::temp_dir().join(format!("rl-return-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let numbers: Vec<String> = paid["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["number"].as_str().unwrap().to_string())
        .collect();
    let run = |body: String| {
        let file = dir.join("return.csv");
        std::fs::write(&file, body).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_relief-ledger"))
            .args([
                "--db",
                &app.url,
                "import",
                "payments",
                "--distribution",
                &id.to_string(),
                "--date",
                "2025-07-22",
            ])
            .arg(&file)
            .output()
            .unwrap()
    };
    let bad = run(format!("户编号,结果,失败原因\n{},成功,\nNOPE,成功,\n", numbers[0]));
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("第3行 户编号 该户不在本方案的发放花名册中"),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );
    assert_eq!(
        app.get(&format!("/api/v1/distributions/{id}/payment-results")).await["pending"],
        numbers.len()
    );
    let good = run(format!(
        "户编号,结果,失败原因\n{},成功,\n{},失败,账户已销户\n",
        numbers[0], numbers[1]
    ));
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    let status = app.get(&format!("/api/v1/distributions/{id}/payment-results")).await;
    assert_eq!((status["paid"].as_u64(), status["failed"].as_u64()), (Some(1), Some(1)));
    assert_eq!(status["failures"][0]["reason"], "账户已销户");
    let _ = std::fs::remove_dir_all(&dir);

    if let Some(text) = pdftotext(&one) {
        assert!(text.contains("户主1"), "{text}");
        let total = m(&line["total"]);
        let (yuan, fen) = total.split_once('.').unwrap();
        let grouped = format!("{},{}.{fen}", &yuan[..yuan.len() - 3], &yuan[yuan.len() - 3..]);
        assert!(text.contains(&grouped), "statement lacks {grouped}: {text}");
        assert!(text.contains("371622********"), "masked ID missing");
        // The verification code on the page confirms against the ledger.
        let code = text
            .split_whitespace()
            .find(|w| w.starts_with(&format!("{id}-{h1}-")))
            .expect("a verification code")
            .to_string();
        let (st, v) = app.call_as(None, "GET", &format!("/verify/{code}"), None).await;
        assert!(st.is_success(), "{v}");
        assert_eq!(m(&v["total"]), total);
        let forged = format!(
            "{}{}",
            &code[..code.len() - 1],
            if code.ends_with('A') { 'B' } else { 'A' }
        );
        let (st, _) = app.call_as(None, "GET", &format!("/verify/{forged}"), None).await;
        assert_eq!(st.as_u16(), 404);
        let pages = pdftotext(&all).unwrap().matches("收益分配到户明细单").count();
        assert_eq!(pages, paid["allocations"].as_array().unwrap().len());
        let notice_text = pdftotext(&notice).unwrap();
        assert!(notice_text.replace(' ', "").contains("第1页共1页"), "{notice_text}");
    } else {
        eprintln!("NOTICE: pdftotext is not installed; the text of the documents was not checked");
    }
}
