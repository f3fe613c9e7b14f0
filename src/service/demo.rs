//! The synthetic demo county (`serve --demo`), modelled on a real one: three townships, thirty
//! villages, about 1,500 households, some 25 projects (village PV stations, a cross-village
//! station, greenhouses, a workshop, a road…), two years of monthly PV yields with a late
//! subsidy, and distribution plans in every state. Every name and ID number is synthetic (valid
//! check digits), and everything is written through the same services the API uses.

use super::access::Actor;
use super::{Store, assets, auth, distributions, households, projects, regions, yields};
use crate::domain::distribution::{DividendRule, Incentive, Post};
use crate::domain::identity::IdNumber;
use crate::domain::vocab::{
    AssetClass, DeliberationStep, FundingSource, HouseholdStatus, Labour, OperationMode, ProjectStatus, RegionLevel,
    Role, YieldKind,
};
use crate::domain::{Fen, Result};
use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use sea_orm::EntityTrait;

pub const COUNTY: &str = "341822000000";
const COUNTY_NAME: &str = "青山县";
const TOWNSHIPS: [(&str, &str); 3] = [
    ("341822100000", "城关镇"),
    ("341822101000", "河口乡"),
    ("341822102000", "山前镇"),
];
const VILLAGE_NAMES: [&str; 30] = [
    "东关村",
    "西关村",
    "南街村",
    "北街村",
    "柳树村",
    "杨庄村",
    "李家村",
    "王家村",
    "张湾村",
    "石桥村",
    "河口村",
    "沙坝村",
    "渡口村",
    "芦花村",
    "新河村",
    "高庄村",
    "前进村",
    "红旗村",
    "双塘村",
    "马营村",
    "山前村",
    "后山村",
    "桃园村",
    "杏花村",
    "石门村",
    "泉水村",
    "松林村",
    "竹园村",
    "青龙村",
    "白云村",
];
const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗",
];
const GIVEN: [&str; 24] = [
    "建国", "秀英", "桂兰", "志强", "玉梅", "德华", "春生", "淑珍", "永福", "金凤", "国庆", "海燕", "堃", "赟", "喆",
    "昇", "长顺", "凤英", "明亮", "红梅", "守义", "兰芳", "振华", "小军",
];

/// What seeding created, for the start-up message.
pub struct Seeded {
    pub villages: usize,
    pub households: usize,
    pub projects: usize,
    pub plans: usize,
    pub logins: Vec<(String, String, String)>,
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid demo date")
}

fn village_codes() -> Vec<(String, String, &'static str)> {
    (0..30)
        .map(|i| {
            let (township, _) = TOWNSHIPS[i / 10];
            (
                format!("{}{:03}", &township[..9], 200 + i % 10 + 1),
                township.to_string(),
                VILLAGE_NAMES[i],
            )
        })
        .collect()
}

/// Seeds the demo county when the database has no regions yet; users already added are kept.
///
/// # Errors
/// The first error of any service call.
pub async fn seed_if_empty(store: &Store) -> Result<Option<Seeded>> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    if entity::regions::Entity::find().count(&store.db).await? > 0 {
        return Ok(None);
    }
    let actor = Actor::system("demo");
    let mut rng = StdRng::seed_from_u64(20_251_125);
    let villages = seed_regions(store, &actor).await?;
    let mut roster = Vec::new();
    for (code, _, _) in &villages {
        roster.push(seed_households(store, &actor, code, &mut rng).await?);
    }
    let households = roster.iter().map(Vec::len).sum();
    let (project_count, pv, others) = seed_projects(store, &actor, &villages, &mut rng).await?;
    seed_year_of_yields(store, &actor, 2024, &pv, &others, &mut rng).await?;
    let mut plans = seed_plans(store, &actor, 2024, &villages, &roster, false).await?;
    seed_year_of_yields(store, &actor, 2025, &pv, &others, &mut rng).await?;
    plans += seed_plans(store, &actor, 2025, &villages, &roster, true).await?;
    seed_asset_life(store, &actor, &pv, &others).await?;
    let logins = seed_users(store, &villages).await?;
    Ok(Some(Seeded {
        villages: villages.len(),
        households,
        projects: project_count,
        plans,
        logins,
    }))
}

async fn seed_regions(store: &Store, actor: &Actor) -> Result<Vec<(String, String, &'static str)>> {
    let region = |code: &str, name: &str, level, parent: Option<&str>| regions::NewRegion {
        code: code.into(),
        name: name.into(),
        level,
        parent_code: parent.map(Into::into),
    };
    regions::create(store, actor, region(COUNTY, COUNTY_NAME, RegionLevel::County, None)).await?;
    for (code, name) in TOWNSHIPS {
        regions::create(store, actor, region(code, name, RegionLevel::Township, Some(COUNTY))).await?;
    }
    let villages = village_codes();
    for (code, township, name) in &villages {
        regions::create(store, actor, region(code, name, RegionLevel::Village, Some(township))).await?;
    }
    Ok(villages)
}

fn pick<T: Copy>(rng: &mut StdRng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut roll = rng.gen_range(0..total);
    for (v, w) in table {
        if roll < *w {
            return *v;
        }
        roll -= w;
    }
    table[0].0
}

/// 40–60 households, with the status and labour mix of a real roster.
async fn seed_households(store: &Store, actor: &Actor, village: &str, rng: &mut StdRng) -> Result<Vec<(i32, Labour)>> {
    let n = rng.gen_range(40..=60);
    let mut out = Vec::new();
    for i in 1..=n {
        let status = pick(
            rng,
            &[
                (HouseholdStatus::Lifted, 70),
                (HouseholdStatus::Unstable, 5),
                (HouseholdStatus::Marginal, 8),
                (HouseholdStatus::SuddenHardship, 2),
                (HouseholdStatus::Ordinary, 15),
            ],
        );
        let labour = pick(rng, &[(Labour::Full, 55), (Labour::Weak, 25), (Labour::None, 20)]);
        let birth = date(rng.gen_range(1940..=1990), rng.gen_range(1..=12), rng.gen_range(1..=28));
        let body = format!("341822{}{:03}", birth.format("%Y%m%d"), rng.gen_range(0..1000));
        let name = format!(
            "{}{}",
            SURNAMES[rng.gen_range(0..SURNAMES.len())],
            GIVEN[rng.gen_range(0..GIVEN.len())]
        );
        let h = households::create(
            store,
            actor,
            households::NewHousehold {
                village_code: village.into(),
                number: format!("{village}{i:03}"),
                head_name: name,
                id_number: IdNumber::with_check_digit(&body),
                members: rng.gen_range(1..=6),
                labour,
                status,
                disabled: rng.gen_bool(0.1),
                group: Some(format!("{}组", ["一", "二", "三", "四"][i as usize % 4])),
                bank_account: Some(format!(
                    "621700{}{:09}",
                    &village[6..9],
                    rng.gen_range(0..1_000_000_000_u32)
                )),
                effective_date: None,
            },
        )
        .await?;
        out.push((h.id, labour));
    }
    Ok(out)
}

/// An income-earning asset of the demo: id, kind of income, a yearly base in fen, capacity.
struct Earner {
    asset_id: i32,
    project_kind: &'static str,
    kind: YieldKind,
    yearly_fen: i64,
    capacity_kw: i64,
}

struct ProjectSpec<'a> {
    code: String,
    name: String,
    kind: &'a str,
    year: i32,
    villages: Vec<String>,
    value_fen: i64,
    class: AssetClass,
    mode: Option<OperationMode>,
    operator: Option<&'a str>,
    capacity_kw: Option<i64>,
}

async fn build_project(store: &Store, actor: &Actor, spec: ProjectSpec<'_>, rng: &mut StdRng) -> Result<i32> {
    let central = spec.value_fen * 6 / 10;
    let provincial = spec.value_fen * 25 / 100;
    let county = spec.value_fen - central - provincial;
    let line = |source, amount: i64, doc: String| projects::Funding {
        source,
        amount: Fen(amount),
        fiscal_year: spec.year,
        document: doc,
    };
    let donor = if rng.gen_bool(0.3) {
        FundingSource::EastWest
    } else {
        FundingSource::County
    };
    let p = projects::create(
        store,
        actor,
        projects::NewProject {
            code: spec.code.clone(),
            name: spec.name.clone(),
            county_code: COUNTY.into(),
            kind: spec.kind.into(),
            year: spec.year,
            implementing_unit: "青山县乡村振兴局".into(),
            village_codes: spec.villages.clone(),
            funding: vec![
                line(
                    FundingSource::Central,
                    central,
                    format!("财农〔{}〕{}号", spec.year, rng.gen_range(10..99)),
                ),
                line(
                    FundingSource::Provincial,
                    provincial,
                    format!("皖财农〔{}〕{}号", spec.year, rng.gen_range(10..99)),
                ),
                line(
                    donor,
                    county,
                    format!("青财〔{}〕{}号", spec.year, rng.gen_range(10..99)),
                ),
            ],
        },
    )
    .await?;
    for status in [ProjectStatus::Approved, ProjectStatus::UnderConstruction] {
        projects::change_status(store, actor, p.id, projects::StatusChange { status }).await?;
    }
    let accepted = date(spec.year, 11, 20);
    let formed = projects::accept(
        store,
        actor,
        p.id,
        projects::Acceptance {
            accepted_on: accepted,
            assets: vec![projects::NewAsset {
                name: spec.name.clone(),
                class: spec.class,
                form: None,
                value: Fen(spec.value_fen),
                operation_mode: spec.mode,
                operator: spec.operator.map(Into::into),
                pv_capacity_kw: spec.capacity_kw.map(Decimal::from),
            }],
        },
    )
    .await?;
    let asset = formed[0].id;
    // Shares by investment: the first village contributes the rounding fen.
    let n = spec.villages.len() as i64;
    let owners = spec
        .villages
        .iter()
        .enumerate()
        .map(|(i, v)| assets::NewOwner {
            region_code: Some(v.clone()),
            household_id: None,
            investment: Fen(spec.value_fen / n + if i == 0 { spec.value_fen % n } else { 0 }),
        })
        .collect();
    assets::confirm(
        store,
        actor,
        asset,
        assets::Confirmation {
            confirmed_on: date(spec.year, 12, 1),
            owners,
        },
    )
    .await?;
    Ok(asset)
}

/// A kind of non-PV project: kind, label, class, operation mode, operator, what it earns.
type OtherKind = (
    &'static str,
    &'static str,
    AssetClass,
    Option<OperationMode>,
    Option<&'static str>,
    YieldKind,
);

async fn seed_projects(
    store: &Store,
    actor: &Actor,
    villages: &[(String, String, &str)],
    rng: &mut StdRng,
) -> Result<(usize, Vec<Earner>, Vec<Earner>)> {
    let mut pv = Vec::new();
    let mut others = Vec::new();
    let mut count = 0;
    // Eleven village PV stations (村级光伏电站), 100–300 kW at about 4,000 yuan a kW.
    for (i, (code, _, name)) in villages
        .iter()
        .step_by(3)
        .chain(villages.iter().skip(1).take(1))
        .enumerate()
    {
        let kw = [100, 150, 200, 300][i % 4];
        let spec = ProjectSpec {
            code: format!("QS-2023-GF-{:02}", i + 1),
            name: format!("{name}村级光伏电站"),
            kind: "photovoltaic",
            year: 2023,
            villages: vec![code.clone()],
            value_fen: kw * 400_000,
            class: AssetClass::Operating,
            mode: Some(OperationMode::Entrusted),
            operator: Some("青山县光伏运维有限公司"),
            capacity_kw: Some(kw),
        };
        let asset_id = build_project(store, actor, spec, rng).await?;
        pv.push(Earner {
            asset_id,
            project_kind: "photovoltaic",
            kind: YieldKind::PvSales,
            yearly_fen: 0,
            capacity_kw: kw,
        });
        count += 1;
    }
    // A cross-village station (联村光伏电站) shared by four villages of 河口乡.
    let shared: Vec<String> = villages[10..14].iter().map(|v| v.0.clone()).collect();
    let spec = ProjectSpec {
        code: "QS-2023-GF-LC".into(),
        name: "河口乡联村光伏电站".into(),
        kind: "photovoltaic",
        year: 2023,
        villages: shared,
        value_fen: 200_000_001,
        class: AssetClass::Operating,
        mode: Some(OperationMode::Entrusted),
        operator: Some("青山县光伏运维有限公司"),
        capacity_kw: Some(500),
    };
    let asset_id = build_project(store, actor, spec, rng).await?;
    pv.push(Earner {
        asset_id,
        project_kind: "photovoltaic",
        kind: YieldKind::PvSales,
        yearly_fen: 0,
        capacity_kw: 500,
    });
    count += 1;
    // Other kinds: leased greenhouses and workshops, entrusted livestock with a fixed return, a road.
    let kinds: [OtherKind; 6] = [
        (
            "planting",
            "蔬菜大棚",
            AssetClass::Operating,
            Some(OperationMode::Leased),
            Some("青山县绿源蔬菜合作社"),
            YieldKind::Rent,
        ),
        (
            "workshop",
            "就业帮扶车间",
            AssetClass::Operating,
            Some(OperationMode::Leased),
            Some("青山县锦程服饰有限公司"),
            YieldKind::Rent,
        ),
        (
            "livestock",
            "肉牛养殖场",
            AssetClass::Operating,
            Some(OperationMode::Entrusted),
            Some("青山县牧原养殖公司"),
            YieldKind::FixedReturn,
        ),
        (
            "processing",
            "农产品加工厂",
            AssetClass::Operating,
            Some(OperationMode::Contracted),
            Some("青山县丰收食品厂"),
            YieldKind::Rent,
        ),
        (
            "tourism",
            "乡村旅游服务中心",
            AssetClass::Operating,
            Some(OperationMode::Cooperative),
            Some("村旅游合作社"),
            YieldKind::Dividend,
        ),
        (
            "infrastructure",
            "产业路",
            AssetClass::PublicWelfare,
            None,
            None,
            YieldKind::Other,
        ),
    ];
    for i in 0..13 {
        let (kind, label, class, mode, operator, income) = kinds[i % kinds.len()];
        let (code, _, name) = &villages[(i * 7 + 2) % villages.len()];
        let value_fen = rng.gen_range(300_000..1_200_000) * 100;
        let spec = ProjectSpec {
            code: format!(
                "QS-2023-{}-{:02}",
                kind.to_uppercase().chars().take(2).collect::<String>(),
                i + 1
            ),
            name: format!("{name}{label}"),
            kind,
            year: 2023,
            villages: vec![code.clone()],
            value_fen,
            class,
            mode,
            operator,
            capacity_kw: None,
        };
        let asset_id = build_project(store, actor, spec, rng).await?;
        if class == AssetClass::Operating {
            // Rent or a guaranteed return of 5–8 % a year; one workshop stands idle and earns nothing.
            let rate = rng.gen_range(5..=8);
            let yearly_fen = if i == 7 { 0 } else { value_fen * rate / 100 };
            others.push(Earner {
                asset_id,
                project_kind: kind,
                kind: income,
                yearly_fen,
                capacity_kw: 0,
            });
        }
        count += 1;
    }
    Ok((count, pv, others))
}

/// Monthly equivalent full-load hours of a PV station in the region (more in summer).
const HOURS: [i64; 12] = [75, 85, 105, 120, 135, 130, 125, 125, 110, 95, 80, 70];

async fn seed_year_of_yields(
    store: &Store,
    actor: &Actor,
    year: i32,
    pv: &[Earner],
    others: &[Earner],
    rng: &mut StdRng,
) -> Result<()> {
    let tariff = Decimal::new(3949, 4);
    for e in pv {
        let mut year_kwh = 0_i64;
        for (m, hours) in (1..=12_u32).zip(HOURS) {
            let kwh = e.capacity_kw * hours * rng.gen_range(90..=110) / 100;
            year_kwh += kwh;
            let end = date(year, m, 1)
                .checked_add_months(chrono::Months::new(1))
                .expect("month")
                .pred_opt()
                .expect("day");
            let received = end.checked_add_days(chrono::Days::new(20)).expect("day");
            let revenue = crate::domain::money::yuan_product_to_fen(Decimal::from(kwh), tariff).unwrap_or(Fen::ZERO);
            yields::post(
                store,
                actor,
                e.asset_id,
                yields::NewYield {
                    kind: YieldKind::PvSales,
                    period_start: date(year, m, 1),
                    period_end: end,
                    received_on: Some(received),
                    revenue: None,
                    deductions: yields::Deductions {
                        om: Some(Fen(revenue.0 * 3 / 100)),
                        ..Default::default()
                    },
                    kwh: Some(Decimal::from(kwh)),
                    tariff: Some(tariff),
                    voucher: Some(format!("电费结算-{year}{m:02}")),
                },
            )
            .await?;
        }
        // The national subsidy (国补) for the year, paid the next summer — or still receivable.
        let received = (year < 2025).then(|| date(year + 1, 6, 30));
        yields::post(
            store,
            actor,
            e.asset_id,
            yields::NewYield {
                kind: YieldKind::PvSubsidy,
                period_start: date(year, 1, 1),
                period_end: date(year, 12, 31),
                received_on: received,
                revenue: None,
                deductions: yields::Deductions::default(),
                kwh: Some(Decimal::from(year_kwh)),
                tariff: Some(Decimal::new(1, 1)),
                voucher: Some(format!("国补-{year}")),
            },
        )
        .await?;
    }
    for e in others.iter().filter(|e| e.yearly_fen > 0) {
        yields::post(
            store,
            actor,
            e.asset_id,
            yields::NewYield {
                kind: e.kind,
                period_start: date(year, 1, 1),
                period_end: date(year, 12, 31),
                received_on: Some(date(year, 12, 25)),
                revenue: Some(Fen(e.yearly_fen)),
                deductions: yields::Deductions {
                    tax: Some(Fen(e.yearly_fen * 5 / 100)),
                    ..Default::default()
                },
                kwh: None,
                tariff: None,
                voucher: Some(format!("收据-{year}-{}", e.asset_id)),
            },
        )
        .await?;
    }
    Ok(())
}

/// One plan per village with income; 2024's are all paid, 2025's spread over every state.
async fn seed_plans(
    store: &Store,
    actor: &Actor,
    year: i32,
    villages: &[(String, String, &str)],
    roster: &[Vec<(i32, Labour)>],
    spread: bool,
) -> Result<usize> {
    let mut made = 0;
    let record = date(year + 1, 3, 31);
    for (i, (code, _, _)) in villages.iter().enumerate() {
        let available = super::accounts::available(&store.db, code, None).await?;
        if available.0 < 2_000_000 {
            continue;
        }
        let amount = Fen(available.0 * 9 / 10 / 100 * 100);
        let weak: Vec<i32> = roster[i]
            .iter()
            .filter(|(_, l)| *l != Labour::Full)
            .map(|(id, _)| *id)
            .take(2)
            .collect();
        let posts = weak
            .iter()
            .zip(["保洁员", "护路员"])
            .map(|(id, post)| Post {
                household_id: *id,
                post: post.into(),
                months: 12,
                monthly_wage: Fen(30_000),
            })
            .collect();
        let incentives = roster[i]
            .iter()
            .find(|(_, l)| *l == Labour::Full)
            .map(|(id, _)| {
                vec![Incentive {
                    household_id: *id,
                    reason: "发展庭院经济奖补".into(),
                    amount: Fen(50_000),
                }]
            })
            .unwrap_or_default();
        let plan = distributions::create(
            store,
            actor,
            distributions::NewPlan {
                village_code: code.clone(),
                year,
                record_date: record,
                amount,
                retention_rate: Some(Decimal::new(15, 2)),
                management_rate: Some(Decimal::new(5, 2)),
                public_works: Some(Fen(amount.0 / 20 / 100 * 100)),
                posts,
                incentives,
                dividend: DividendRule::default(),
            },
        )
        .await?;
        made += 1;
        let target = if spread { i % 8 } else { 6 };
        walk(store, actor, plan.id, record, target).await?;
    }
    Ok(made)
}

/// Walks a plan `steps` states along its path (0 = stay a draft … 6 = results publicized,
/// 7 = cancelled after resolution).
async fn walk(store: &Store, actor: &Actor, id: i32, record: NaiveDate, steps: usize) -> Result<()> {
    let day = |n: u64| record.checked_add_days(chrono::Days::new(n)).expect("day");
    if steps == 0 {
        return Ok(());
    }
    let resolution = DeliberationStep::ALL
        .iter()
        .enumerate()
        .map(|(n, step)| distributions::StepInput {
            step: *step,
            date: day(n as u64 + 1),
            attendance: ["5/5", "7/7", "32/35", "21/25"][n].into(),
            minutes_ref: format!("{}会议记录-{}", record.year(), n + 1),
        })
        .collect();
    distributions::resolve(store, actor, id, distributions::Resolve { steps: resolution }).await?;
    if steps == 7 {
        distributions::cancel(
            store,
            actor,
            id,
            distributions::Cancel {
                reason: "村民代表提出异议, 重新拟定方案".into(),
            },
        )
        .await?;
        return Ok(());
    }
    let publicize = distributions::Publicize {
        from: day(5),
        to: day(12),
    };
    if steps >= 2 {
        distributions::publicize(store, actor, id, publicize).await?;
    }
    if steps >= 3 {
        distributions::review(
            store,
            actor,
            id,
            distributions::Review {
                date: day(14),
                reviewer: "乡镇人民政府".into(),
            },
        )
        .await?;
    }
    if steps >= 4 {
        let file = distributions::File {
            date: day(16),
            reference: format!("青乡振备〔{}〕{id}号", record.year()),
        };
        distributions::file(store, actor, id, file).await?;
    }
    if steps >= 5 {
        let pay = distributions::Pay {
            paid_on: day(20),
            reference: format!("一卡通批次-{id}"),
        };
        distributions::pay(store, actor, id, pay).await?;
    }
    if steps >= 6 {
        distributions::results(store, actor, id, distributions::Results { date: day(25) }).await?;
    }
    Ok(())
}

/// Contracts (one expired, one ending soon, one in arrears), an idle workshop, a scrapped and an
/// auctioned greenhouse, and a village station handed over to its township.
async fn seed_asset_life(store: &Store, actor: &Actor, pv: &[Earner], others: &[Earner]) -> Result<()> {
    use super::asset_life::{Approval, NewCaretaker, NewDisposal, NewOperation, StatusChange};
    use crate::domain::vocab::{AssetStatus, DisposalMethod};
    let leased: Vec<&Earner> = others.iter().filter(|e| e.kind == YieldKind::Rent).collect();
    let ends = [date(2025, 12, 31), date(2026, 12, 31), date(2028, 6, 30)];
    for (i, e) in leased.iter().enumerate() {
        let annual = if e.yearly_fen > 0 { e.yearly_fen } else { 4_800_000 };
        let contract = NewOperation {
            operation_mode: OperationMode::Leased,
            operator: ["青山县绿源蔬菜合作社", "青山县锦程服饰有限公司", "青山县丰收食品厂"][i % 3].into(),
            start: date(2024, 1, 1),
            end: ends[i % ends.len()],
            annual_amount: Fen(annual),
            contract_ref: format!("青山租赁合同〔2024〕{}号", i + 1),
        };
        super::asset_life::start_operation(store, actor, e.asset_id, contract).await?;
        let caretaker = NewCaretaker {
            name: format!("管护员{}", i + 1),
            phone: format!("1390556{:04}", i + 1),
            from: date(2024, 1, 1),
        };
        super::asset_life::caretaker(store, actor, e.asset_id, caretaker).await?;
    }
    // The workshop whose tenant left: idle, and its contract's rent unpaid.
    if let Some(idle) = others.iter().find(|e| e.yearly_fen == 0) {
        let change = StatusChange {
            status: AssetStatus::Idle,
            effective_date: date(2025, 1, 1),
            reason: "承租企业停产退租".into(),
        };
        super::asset_life::change_status(store, actor, idle.asset_id, change).await?;
    }
    let approvals = |y: i32| {
        [RegionLevel::Village, RegionLevel::Township, RegionLevel::County]
            .iter()
            .enumerate()
            .map(|(n, level)| Approval {
                level: *level,
                date: date(y, 2, 1 + 10 * n as u32),
                reference: format!("{}批复", level.label()),
            })
            .collect::<Vec<_>>()
    };
    let greenhouses: Vec<&Earner> = others.iter().filter(|e| e.project_kind == "planting").collect();
    for (e, method, proceeds) in greenhouses
        .iter()
        .skip(1)
        .zip([(DisposalMethod::Scrap, 0), (DisposalMethod::Auction, 8_650_000)])
        .map(|(e, (m, p))| (e, m, p))
    {
        let disposal = NewDisposal {
            disposed_on: date(2026, 3, 15),
            method,
            proceeds: Fen(proceeds),
            approvals: approvals(2026),
        };
        super::asset_life::dispose(store, actor, e.asset_id, disposal).await?;
    }
    // The first village station, handed over to its township (移交).
    if let Some(station) = pv.first() {
        let asset = super::assets::asset_views(
            &store.db,
            vec![
                entity::assets::Entity::find_by_id(station.asset_id)
                    .one(&store.db)
                    .await?
                    .ok_or(crate::domain::Error::NotFound("资产"))?,
            ],
        )
        .await?
        .remove(0);
        let owners = vec![assets::NewOwner {
            region_code: Some(TOWNSHIPS[0].0.into()),
            household_id: None,
            investment: asset.value,
        }];
        assets::confirm(
            store,
            actor,
            station.asset_id,
            assets::Confirmation {
                confirmed_on: date(2026, 1, 1),
                owners,
            },
        )
        .await?;
    }
    Ok(())
}

/// One user per role, sharing a random password printed at start-up; existing names are kept.
async fn seed_users(store: &Store, villages: &[(String, String, &str)]) -> Result<Vec<(String, String, String)>> {
    use rand::distributions::Alphanumeric;
    let password: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(12)
        .map(char::from)
        .collect();
    let wanted = [
        ("admin", Role::Admin, None),
        ("county", Role::CountyStaff, Some(COUNTY.to_string())),
        ("village", Role::VillageAccountant, Some(villages[0].0.clone())),
        ("auditor", Role::Auditor, Some(COUNTY.to_string())),
    ];
    let mut out = Vec::new();
    for (name, role, region) in wanted {
        if auth::add_user(store, name, role, region.as_deref(), &password)
            .await
            .is_ok()
        {
            out.push((name.to_string(), role.label().to_string(), password.clone()));
        }
    }
    Ok(out)
}
