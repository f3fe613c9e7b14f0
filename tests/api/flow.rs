//! The whole flow of money through HTTP: a project with three funding lines, accepted into two
//! assets, one shared by two villages 60/40, a year of PV yields, a distribution in each village,
//! paid — every amount asserted to the fen, and the county reconciles.

use crate::common::*;
use serde_json::{Value, json};

const V1: &str = "371622101201";
const V2: &str = "371622101202";

/// Largest remainder written out plainly for the test, independent of the service's `allocate`.
fn largest_remainder(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| *w as i128).sum();
    let mut parts: Vec<i64> = weights
        .iter()
        .map(|w| ((total as i128 * *w as i128) / sum) as i64)
        .collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|i| (std::cmp::Reverse((total as i128 * weights[*i] as i128) % sum), *i));
    let left = total - parts.iter().sum::<i64>();
    for i in order.into_iter().take(left as usize) {
        parts[i] += 1;
    }
    parts
}

/// Half-up rounding of a fen amount given in hundredths of a fen.
fn half_up(hundredths: i64) -> i64 {
    (hundredths + 50) / 100
}

fn fen(text: &str) -> i64 {
    let (y, f) = text.split_once('.').unwrap();
    y.parse::<i64>().unwrap() * 100
        + if y.starts_with('-') {
            -f.parse::<i64>().unwrap()
        } else {
            f.parse::<i64>().unwrap()
        }
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[tokio::test]
async fn the_money_flows_from_funding_to_households_and_reconciles_to_the_fen() {
    let app = TestApp::new().await;
    county(&app, &[(V1, "南关村"), (V2, "北关村")]).await;

    // Households: village 1 has four, village 2 three.
    let h1 = [
        household(&app, V1, 1, 2, "none", "lifted", false).await,
        household(&app, V1, 2, 4, "full", "marginal", false).await,
        household(&app, V1, 3, 3, "weak", "lifted", true).await,
        household(&app, V1, 4, 5, "full", "ordinary", false).await,
    ];
    let h2 = [
        household(&app, V2, 1, 1, "none", "unstable", true).await,
        household(&app, V2, 2, 3, "full", "lifted", false).await,
        household(&app, V2, 3, 6, "weak", "sudden_hardship", false).await,
    ];

    // A project with three funding lines.
    let p = app
        .post(
            "/api/v1/projects",
            json!({"code": "SF-2024-GF-01", "name": "联村光伏扶贫电站", "county_code": "371622000000", "kind": "photovoltaic",
                   "year": 2024, "implementing_unit": "示范县乡村振兴局", "village_codes": [V1, V2],
                   "funding": [
                       {"source": "central", "amount": "600000.00", "fiscal_year": 2024, "document": "财农〔2024〕1号"},
                       {"source": "provincial", "amount": "300000.00", "fiscal_year": 2024, "document": "省财〔2024〕2号"},
                       {"source": "county", "amount": "100000.01", "fiscal_year": 2024, "document": "示财〔2024〕3号"}]}),
        )
        .await;
    assert_eq!(m(&p["investment"]), "1000000.01");
    assert_eq!(p["status"], "planned");
    let pid = p["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/projects/{pid}/status"), json!({"status": "approved"}))
        .await;
    app.post(
        &format!("/api/v1/projects/{pid}/status"),
        json!({"status": "under_construction"}),
    )
    .await;

    // Accepted into two assets whose values sum to the investment.
    let assets = app
        .post(
            &format!("/api/v1/projects/{pid}/accept"),
            json!({"accepted_on": "2024-12-01", "assets": [
                {"name": "联村光伏电站", "class": "operating", "value": "800000.00", "operation_mode": "entrusted", "operator": "示范县光伏运维公司", "pv_capacity_kw": "300"},
                {"name": "南关村光伏电站", "class": "operating", "value": "200000.01", "operation_mode": "leased", "operator": "南关村合作社"}]}),
        )
        .await;
    let shared = assets[0]["id"].as_i64().unwrap();
    let own = assets[1]["id"].as_i64().unwrap();
    let project = app.get(&format!("/api/v1/projects/{pid}")).await;
    assert_eq!(project["status"], "accepted");
    assert_eq!(project["funding"].as_array().unwrap().len(), 3);
    assert_eq!(project["assets"].as_array().unwrap().len(), 2);

    // Ownership: the shared station 60/40, the other to village 1 alone.
    app.post(
        &format!("/api/v1/assets/{shared}/ownership"),
        json!({"confirmed_on": "2024-12-10", "owners": [
        {"region_code": V1, "investment": "480000.00"}, {"region_code": V2, "investment": "320000.00"}]}),
    )
    .await;
    app.post(
        &format!("/api/v1/assets/{own}/ownership"),
        json!({"confirmed_on": "2024-12-10", "owners": [
        {"region_code": V1, "investment": "200000.01"}]}),
    )
    .await;
    let a = app.get(&format!("/api/v1/assets/{shared}")).await;
    assert_eq!(a["owners"].as_array().unwrap().len(), 2);

    // A year of monthly PV sales: revenue = kWh × 0.3949 half-up, O&M 500.00 a month.
    let (mut v1_2025, mut v2_2025, mut v1_2026, mut v2_2026) = (0_i64, 0_i64, 0_i64, 0_i64);
    for month in 1..=12_u32 {
        let kwh = 30_000 + i64::from(month) * 7;
        let revenue = half_up(kwh * 3949);
        let net = revenue - 50_000;
        let (received, end) = if month == 12 {
            ("2026-01-20".to_string(), "2025-12-31".to_string())
        } else {
            (format!("2025-{:02}-20", month + 1), format!("2025-{month:02}-28"))
        };
        let y = app
            .post(&format!("/api/v1/assets/{shared}/yields"), json!({"kind": "pv_sales", "period_start": format!("2025-{month:02}-01"),
                "period_end": end, "received_on": received, "kwh": kwh.to_string(), "tariff": "0.3949", "deductions": {"om": "500.00"},
                "voucher": format!("记-2025-{month:03}")}))
            .await;
        assert_eq!(m(&y["revenue"]), yuan(revenue), "month {month}");
        assert_eq!(m(&y["net"]), yuan(net));
        let split = largest_remainder(net, &[48_000_000, 32_000_000]);
        let credits = y["credits"].as_array().unwrap();
        assert_eq!(credits[0]["region_code"], V1);
        assert_eq!(m(&credits[0]["amount"]), yuan(split[0]));
        assert_eq!(m(&credits[1]["amount"]), yuan(split[1]));
        if month == 12 {
            v1_2026 += split[0];
            v2_2026 += split[1];
        } else {
            v1_2025 += split[0];
            v2_2025 += split[1];
        }
    }
    // The national subsidy for the year, paid late and entered on its own.
    let s = app
        .post(
            &format!("/api/v1/assets/{shared}/yields"),
            json!({"kind": "pv_subsidy", "period_start": "2025-01-01", "period_end": "2025-06-30",
            "received_on": "2025-11-15", "kwh": "180500", "tariff": "0.0333"}),
        )
        .await;
    let subsidy = half_up(180_500 * 333);
    assert_eq!(m(&s["net"]), yuan(subsidy));
    let split = largest_remainder(subsidy, &[3, 2]);
    v1_2025 += split[0];
    v2_2025 += split[1];
    // Rent of the village's own station.
    let r = app
        .post(
            &format!("/api/v1/assets/{own}/yields"),
            json!({"kind": "rent", "period_start": "2025-01-01", "period_end": "2025-12-31",
            "received_on": "2025-01-20", "revenue": "12000.00", "deductions": {"tax": "600.00"}}),
        )
        .await;
    assert_eq!(m(&r["net"]), "11400.00");
    v1_2025 += 1_140_000;

    // A mistaken entry, reversed: the account shows both and nets to zero.
    let wrong = app
        .post(
            &format!("/api/v1/assets/{own}/yields"),
            json!({"kind": "other", "period_start": "2025-03-01", "period_end": "2025-03-31",
            "received_on": "2025-04-01", "revenue": "999.99"}),
        )
        .await;
    let rev = app
        .post(
            &format!("/api/v1/yields/{}/reverse", wrong["id"]),
            json!({"reason": "重复录入", "reversed_on": "2025-04-02"}),
        )
        .await;
    assert_eq!(m(&rev["net"]), "-999.99");
    assert_eq!(rev["reverses_id"], wrong["id"]);
    app.refused(
        &format!("/api/v1/yields/{}/reverse", wrong["id"]),
        json!({"reason": "again"}),
        None,
    )
    .await;
    let listed = app.get(&format!("/api/v1/assets/{own}/yields")).await;
    assert_eq!(listed["total"], 3, "rent, the mistake and its reversal");
    let items = listed["items"].as_array().unwrap();
    assert_eq!(items[1]["reversed_by"], rev["id"]);
    assert_eq!(m(&items[1]["credits"][0]["amount"]), "999.99");
    assert_eq!(m(&items[2]["credits"][0]["amount"]), "-999.99");

    let acc1 = app.get(&format!("/api/v1/regions/{V1}/account?year=2025")).await;
    assert_eq!(m(&acc1["brought_forward"]), "0.00");
    assert_eq!(m(&acc1["credited"]), yuan(v1_2025));
    assert_eq!(m(&acc1["balance"]), yuan(v1_2025));
    let acc2 = app.get(&format!("/api/v1/regions/{V2}/account?year=2025")).await;
    assert_eq!(m(&acc2["credited"]), yuan(v2_2025));

    // A distribution in each village of its whole 2025 balance.
    let plan1 = app
        .post("/api/v1/distributions", json!({"village_code": V1, "year": 2025, "record_date": "2025-06-30", "amount": yuan(v1_2025),
            "retention_rate": "0.15", "management_rate": "0.05", "public_works": "1000.00",
            "posts": [{"household_id": h1[3], "post": "保洁员", "months": 12, "monthly_wage": "300.00"}],
            "incentives": [{"household_id": h1[1], "reason": "发展庭院经济", "amount": "500.00"}],
            "dividend": {"basis": "member", "eligible_statuses": ["lifted", "unstable", "marginal", "sudden_hardship"],
                         "labour_factors": {"none": "1.5", "weak": "1.2", "full": "1.0"}, "disability_factor": "1.2", "monitored_factor": "1.1", "extra": []}}))
        .await;
    assert_eq!(plan1["state"], "draft");
    let retention = half_up(v1_2025 * 15);
    let management = half_up(v1_2025 * 5);
    let pool = v1_2025 - retention - management - 100_000 - 360_000 - 50_000;
    assert_eq!(m(&plan1["dividend_pool"]), yuan(pool));
    // weights ×100: 2×1.5=3.00, 4×1.0×1.1=4.40, 3×1.2×1.2=4.32; the ordinary household has none.
    let dividends = largest_remainder(pool, &[300, 440, 432]);
    let allocs = plan1["allocations"].as_array().unwrap();
    assert_eq!(allocs.len(), 4, "three eligible households and the post holder");
    assert_eq!(m(&allocs[0]["dividend"]), yuan(dividends[0]));
    assert_eq!(m(&allocs[1]["dividend"]), yuan(dividends[1]));
    assert_eq!(m(&allocs[1]["incentive"]), "500.00");
    assert_eq!(m(&allocs[1]["total"]), yuan(dividends[1] + 50_000));
    assert_eq!(m(&allocs[2]["dividend"]), yuan(dividends[2]));
    assert_eq!(allocs[2]["weight"], "4.32");
    assert_eq!(m(&allocs[3]["post_wage"]), "3600.00");
    assert_eq!(m(&allocs[3]["dividend"]), "0.00");

    let plan2 = app
        .post(
            "/api/v1/distributions",
            json!({"village_code": V2, "year": 2025, "record_date": "2025-06-30", "amount": yuan(v2_2025),
            "retention_rate": "0.1", "management_rate": "0.05", "public_works": "0.00", "posts": [], "incentives": [],
            "dividend": {"basis": "member", "extra": [{"household_id": h2[2], "factor": "1.5"}]}}),
        )
        .await;
    let retention2 = half_up(v2_2025 * 10);
    let management2 = half_up(v2_2025 * 5);
    let pool2 = v2_2025 - retention2 - management2;
    // 1×1.5×1.1×1.2 = 1.98; 3×1.0 = 3; 6×1.2×1.1×1.5 = 11.88
    let d2 = largest_remainder(pool2, &[198, 300, 1188]);
    let allocs2 = plan2["allocations"].as_array().unwrap();
    for (a, d) in allocs2.iter().zip(&d2) {
        assert_eq!(m(&a["dividend"]), yuan(*d));
    }

    // Paying a draft is refused; walked through every step, both are paid.
    app.refused(
        &format!("/api/v1/distributions/{}/pay", plan1["id"]),
        json!({"paid_on": "2025-07-20", "reference": "x"}),
        None,
    )
    .await;
    for plan in [&plan1, &plan2] {
        walk_to_paid(&app, plan["id"].as_i64().unwrap(), 2025).await;
    }
    let paid = app.get(&format!("/api/v1/distributions/{}", plan1["id"])).await;
    assert_eq!(paid["state"], "paid");
    let parts = &paid["parts"];
    let parts_sum: i64 = [
        "retention",
        "management",
        "public_works",
        "post_wages",
        "incentives",
        "dividends",
    ]
    .iter()
    .map(|k| fen(&m(&parts[k])))
    .sum();
    assert_eq!(parts_sum, v1_2025);
    let totals: i64 = paid["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| fen(&m(&a["total"])))
        .sum();
    assert_eq!(totals, pool + 360_000 + 50_000);
    // A paid plan cannot be cancelled or resolved again.
    app.refused(
        &format!("/api/v1/distributions/{}/cancel", plan1["id"]),
        json!({"reason": "改"}),
        None,
    )
    .await;
    app.post(
        &format!("/api/v1/distributions/{}/results", plan1["id"]),
        json!({"date": "2025-07-25"}),
    )
    .await;

    // The accounts close at zero for 2025 and carry the December sale into 2026.
    let acc1 = app.get(&format!("/api/v1/regions/{V1}/account?year=2025")).await;
    assert_eq!(m(&acc1["distributed"]), yuan(pool + 360_000 + 50_000));
    assert_eq!(m(&acc1["retained"]), yuan(retention + management));
    assert_eq!(m(&acc1["public_works"]), "1000.00");
    assert_eq!(m(&acc1["balance"]), "0.00");
    let acc1_2026 = app.get(&format!("/api/v1/regions/{V1}/account?year=2026")).await;
    assert_eq!(m(&acc1_2026["brought_forward"]), "0.00");
    assert_eq!(m(&acc1_2026["credited"]), yuan(v1_2026));
    let acc2_2026 = app.get(&format!("/api/v1/regions/{V2}/account?year=2026")).await;
    assert_eq!(m(&acc2_2026["balance"]), yuan(v2_2026));

    // The county reconciles to the fen.
    let rec = app
        .get("/api/v1/reports/reconciliation?region_code=371622000000&year=2025")
        .await;
    assert_eq!(rec["balanced"], true, "{rec}");
    assert_eq!(m(&rec["posted_net_yields"]), yuan(v1_2025 + v2_2025));
    assert_eq!(m(&rec["owner_credits"]), yuan(v1_2025 + v2_2025));
    let hh_total = pool + 360_000 + 50_000 + d2.iter().sum::<i64>();
    assert_eq!(m(&rec["distributed"]), yuan(hh_total));
    assert_eq!(m(&rec["undistributed_balance"]), "0.00");
    let rec26 = app
        .get("/api/v1/reports/reconciliation?region_code=371622000000&year=2026")
        .await;
    assert_eq!(rec26["balanced"], true);
    assert_eq!(m(&rec26["undistributed_balance"]), yuan(v1_2026 + v2_2026));

    // The payment roll lists every household with a positive total; its control sum is the plan's.
    let (st, ct, csv) = app
        .raw(
            Some(&app.token),
            "GET",
            &format!("/api/v1/distributions/{}/payments.csv", plan1["id"]),
            None,
        )
        .await;
    assert!(st.is_success() && ct.starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("household_number,head_name,bank_account,amount"));
    let control: i64 = lines.map(|l| fen(l.rsplit(',').next().unwrap())).sum();
    assert_eq!(control, pool + 360_000 + 50_000);

    // The performance report: investment, the year's net income and its rate, people reached.
    let perf = app
        .get("/api/v1/reports/performance?region_code=371622000000&year=2025")
        .await;
    assert_eq!(m(&perf["investment"]), "1000000.01");
    assert_eq!(m(&perf["net_income"]), yuan(v1_2025 + v2_2025));
    let expected_rate = rust_decimal::Decimal::from(v1_2025 + v2_2025) / rust_decimal::Decimal::from(100_000_001_i64);
    let expected_rate = expected_rate
        .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .normalize();
    assert_eq!(perf["yield_rate"], expected_rate.to_string());
    assert_eq!(perf["items"].as_array().unwrap().len(), 2);
    assert_eq!(perf["households"], 7);
    assert_eq!(perf["people"], 2 + 4 + 3 + 5 + 1 + 3 + 6);
    assert!(perf["items"][0]["pv_hours"].is_string());

    // The same report and the asset ledger as files.
    for (path, magic) in [
        (
            "/api/v1/reports/performance.pdf?region_code=371622000000&year=2025",
            &b"%PDF"[..],
        ),
        (
            "/api/v1/reports/performance.xlsx?region_code=371622000000&year=2025",
            &b"PK"[..],
        ),
        ("/api/v1/reports/ledger.xlsx?region_code=371622000000", &b"PK"[..]),
    ] {
        let (st, _, bytes) = app.raw(Some(&app.token), "GET", path, None).await;
        assert!(st.is_success() && bytes.starts_with(magic), "{path}: {st}");
    }
    let (_, _, csv) = app
        .raw(
            Some(&app.token),
            "GET",
            "/api/v1/reports/ledger.csv?region_code=371622000000",
            None,
        )
        .await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 3, "a header and two assets: {csv}");
    assert!(csv.contains("800000.00") && csv.contains("200000.01"), "{csv}");

    // The audit chain is intact and records every write.
    let audit: Value = app.get("/api/v1/audit?limit=1000").await;
    assert!(audit["total"].as_u64().unwrap() > 30);
    assert_audit_verifies(&app);
}
