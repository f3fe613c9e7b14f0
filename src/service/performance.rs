//! The yearly performance report (绩效报告): per asset, the investment, the year's net income, the
//! yield rate, the households and people its owner villages' paid plans benefited, the benefit per
//! person, PV equivalent utilisation hours, and flags for idle, low-yield, loss-making and
//! unconfirmed assets. Rates are fractions (`"0.0523"` is 5.23 %), exact to four decimals.

use super::assets::AssetView;
use super::{Actor, Store, regions};
use crate::domain::money::round_to_fen;
use crate::domain::vocab::{AssetStatus, PlanState, YieldKind};
use crate::domain::{Error, Fen, OnField, Result};
use chrono::NaiveDate;
use entity::{allocations, distributions, projects, yields};
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PerformanceQuery {
    pub region_code: Option<String>,
    pub year: Option<i32>,
    /// Below this yield rate an earning asset is flagged low-yield (default 0.03).
    pub low_yield_threshold: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PerformanceItem {
    pub project_id: i32,
    pub project_code: String,
    pub project_name: String,
    pub kind: String,
    pub asset_id: i32,
    pub asset_code: String,
    pub asset_name: String,
    pub township: String,
    #[schema(value_type = String)]
    pub investment: Fen,
    #[schema(value_type = String)]
    pub net_income: Fen,
    pub yield_rate: String,
    pub households: u64,
    pub people: u64,
    #[schema(value_type = String)]
    pub benefit_per_person: Fen,
    pub pv_hours: Option<String>,
    /// `idle`, `low_yield`, `loss_making`, `unconfirmed`
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TownshipRate {
    pub code: String,
    pub name: String,
    #[schema(value_type = String)]
    pub investment: Fen,
    #[schema(value_type = String)]
    pub net_income: Fen,
    pub yield_rate: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Performance {
    pub region_code: Option<String>,
    pub region_name: String,
    pub year: i32,
    #[schema(value_type = String)]
    pub investment: Fen,
    #[schema(value_type = String)]
    pub net_income: Fen,
    pub yield_rate: String,
    pub households: u64,
    pub people: u64,
    /// What the paid plans gave households, per person benefited.
    #[schema(value_type = String)]
    pub benefit_per_person: Fen,
    pub low_yield_threshold: String,
    pub summary: Vec<String>,
    pub items: Vec<PerformanceItem>,
    pub townships: Vec<TownshipRate>,
}

/// net ÷ investment as a fraction, half-up to four decimals.
pub fn rate(net: Fen, investment: Fen) -> Decimal {
    if investment.0 == 0 {
        return Decimal::ZERO;
    }
    (Decimal::from(net.0) / Decimal::from(investment.0))
        .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// A fraction as a percentage for people: `0.0523` → `5.23%`.
pub fn percent(r: Decimal) -> String {
    format!("{}%", (r * Decimal::ONE_HUNDRED).round_dp(2))
}

fn per_person(amount: Fen, people: u64) -> Result<Fen> {
    if people == 0 {
        return Ok(Fen::ZERO);
    }
    round_to_fen(Decimal::from(amount.0) / Decimal::from(people)).on("benefit_per_person")
}

/// Who the paid plans of a village benefited in the year: (households, people, amount to households).
type Reach = (HashSet<i32>, u64, Fen);

/// # Errors
/// Region errors, [`Error::Invalid`] for a bad year or threshold.
pub async fn report(store: &Store, actor: &Actor, q: &PerformanceQuery) -> Result<Performance> {
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&super::today()));
    let (Some(first), Some(last)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(Error::field("year", "年度有误"));
    };
    let threshold = match &q.low_yield_threshold {
        Some(t) => Decimal::from_str(t).map_err(|_| Error::field("low_yield_threshold", "应为小数, 如 0.03"))?,
        None => Decimal::new(3, 2),
    };
    let scope = regions::subtree_codes(store, actor, q.region_code.as_deref()).await?;
    let region_name = match &q.region_code {
        Some(code) => regions::get(store, actor, code).await?.name,
        None => "辖区".to_string(),
    };
    let all_regions: HashMap<String, entity::regions::Model> = entity::regions::Entity::find()
        .all(&store.db)
        .await?
        .into_iter()
        .map(|r| (r.code.clone(), r))
        .collect();
    let views: Vec<AssetView> = super::assets::views_in(store, &scope)
        .await?
        .into_iter()
        .filter(|a| a.status != AssetStatus::Disposed.as_str() && a.formed_on <= last)
        .collect();
    let ids: Vec<i32> = views.iter().map(|a| a.id).collect();

    // The year's yields by asset: net (received in the year) and PV kWh sold.
    let mut net: HashMap<i32, Fen> = HashMap::new();
    let mut kwh: HashMap<i32, Decimal> = HashMap::new();
    for chunk in ids.chunks(500) {
        for y in yields::Entity::find()
            .filter(yields::Column::AssetId.is_in(chunk.to_vec()))
            .filter(yields::Column::ReceivedOn.between(first, last))
            .all(&store.db)
            .await?
        {
            let n = net.entry(y.asset_id).or_default();
            *n = n.checked_add(Fen(y.net_fen)).on("net")?;
            if y.kind == YieldKind::PvSales.as_str() {
                *kwh.entry(y.asset_id).or_default() += y
                    .kwh
                    .as_deref()
                    .and_then(|k| Decimal::from_str(k).ok())
                    .unwrap_or_default();
            }
        }
    }
    let reach = reach_by_village(store, &scope, first, last).await?;
    let projects: HashMap<i32, projects::Model> = projects::Entity::find()
        .all(&store.db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();

    let mut items = Vec::new();
    let mut towns: BTreeMap<String, (Fen, Fen)> = BTreeMap::new();
    for a in &views {
        let income = net.get(&a.id).copied().unwrap_or_default();
        let r = rate(income, a.value);
        let villages: Vec<&String> = a.owners.iter().filter_map(|o| o.region_code.as_ref()).collect();
        let mut hh: HashSet<i32> = HashSet::new();
        let mut people = 0;
        for v in &villages {
            if let Some((set, p, _)) = reach.get(*v) {
                hh.extend(set);
                people += p;
            }
        }
        let township = villages
            .first()
            .and_then(|v| all_regions.get(*v))
            .and_then(|r| {
                r.township_code
                    .clone()
                    .or_else(|| (r.level == "township").then(|| r.code.clone()))
            })
            .unwrap_or_default();
        let t = towns.entry(township.clone()).or_default();
        *t = (
            t.0.checked_add(a.value).on("investment")?,
            t.1.checked_add(income).on("net")?,
        );
        let mut flags = Vec::new();
        if !a.confirmed {
            flags.push("unconfirmed".to_string());
        }
        if !net.contains_key(&a.id) {
            flags.push("idle".to_string());
        } else if income.is_negative() {
            flags.push("loss_making".to_string());
        } else if r < threshold {
            flags.push("low_yield".to_string());
        }
        let capacity = a
            .pv_capacity_kw
            .as_deref()
            .and_then(|k| Decimal::from_str(k).ok())
            .filter(|k| !k.is_zero());
        let project = projects.get(&a.project_id);
        items.push(PerformanceItem {
            project_id: a.project_id,
            project_code: project.map(|p| p.code.clone()).unwrap_or_default(),
            project_name: project.map(|p| p.name.clone()).unwrap_or_default(),
            kind: project.map(|p| p.kind.clone()).unwrap_or_default(),
            asset_id: a.id,
            asset_code: a.code.clone(),
            asset_name: a.name.clone(),
            township: all_regions.get(&township).map(|r| r.name.clone()).unwrap_or_default(),
            investment: a.value,
            net_income: income,
            yield_rate: crate::domain::decimal::format(r),
            households: hh.len() as u64,
            people,
            benefit_per_person: per_person(income, people)?,
            pv_hours: capacity.map(|c| {
                (kwh.get(&a.id).copied().unwrap_or_default() / c)
                    .round_dp(1)
                    .to_string()
            }),
            flags,
        });
    }
    let investment = Fen::sum(views.iter().map(|a| a.value)).on("investment")?;
    let net_income = Fen::sum(items.iter().map(|i| i.net_income)).on("net")?;
    let households: u64 = reach.values().map(|(h, _, _)| h.len() as u64).sum();
    let people: u64 = reach.values().map(|(_, p, _)| *p).sum();
    let given = Fen::sum(reach.values().map(|(_, _, g)| *g)).on("amount")?;
    let benefit = per_person(given, people)?;
    let total_rate = rate(net_income, investment);
    let flagged = items.iter().filter(|i| !i.flags.is_empty()).count();
    let summary = vec![
        format!(
            "{region_name}{year}年度扶贫项目资产 {} 项, 总投资 {} 元",
            items.len(),
            reports::numerals::yuan_grouped(investment.0)
        ),
        format!(
            "年度项目收益 {} 元, 收益率 {}",
            reports::numerals::yuan_grouped(net_income.0),
            percent(total_rate)
        ),
        format!(
            "带动受益农户 {households} 户 {people} 人, 受益脱贫人口人均 {} 元",
            reports::numerals::yuan_grouped(benefit.0)
        ),
        format!("闲置、低收益、亏损或未确权资产 {flagged} 项, 需重点关注"),
    ];
    let townships = towns
        .into_iter()
        .filter(|(code, _)| !code.is_empty())
        .map(|(code, (inv, inc))| TownshipRate {
            name: all_regions.get(&code).map(|r| r.name.clone()).unwrap_or_default(),
            code,
            investment: inv,
            net_income: inc,
            yield_rate: crate::domain::decimal::format(rate(inc, inv)),
        })
        .collect();
    Ok(Performance {
        region_code: q.region_code.clone(),
        region_name,
        year,
        investment,
        net_income,
        yield_rate: crate::domain::decimal::format(total_rate),
        households,
        people,
        benefit_per_person: benefit,
        low_yield_threshold: crate::domain::decimal::format(threshold),
        summary,
        items,
        townships,
    })
}

/// For each village in scope: the households with a positive line in the year's paid plans, their
/// people, and what the plans gave households.
async fn reach_by_village(
    store: &Store,
    scope: &HashSet<String>,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<HashMap<String, Reach>> {
    let paid = [PlanState::Paid.as_str(), PlanState::ResultsPublicized.as_str()];
    let plans = distributions::Entity::find()
        .filter(distributions::Column::State.is_in(paid))
        .filter(distributions::Column::RecordDate.between(first, last))
        .all(&store.db)
        .await?;
    let mut out: HashMap<String, Reach> = HashMap::new();
    for p in plans.into_iter().filter(|p| scope.contains(&p.village_code)) {
        let lines = allocations::Entity::find()
            .filter(allocations::Column::DistributionId.eq(p.id))
            .filter(allocations::Column::TotalFen.gt(0))
            .all(&store.db)
            .await?;
        let entry = out.entry(p.village_code.clone()).or_default();
        for l in lines {
            if entry.0.insert(l.household_id) {
                entry.1 += u64::try_from(l.members).unwrap_or(0);
            }
            entry.2 = entry.2.checked_add(Fen(l.total_fen)).on("amount")?;
        }
    }
    Ok(out)
}

/// The Chinese words for the flags.
fn flag_label(flag: &str) -> &str {
    match flag {
        "idle" => "闲置",
        "low_yield" => "低收益",
        "loss_making" => "亏损",
        "unconfirmed" => "未确权",
        other => other,
    }
}

/// The report as the document renderers take it (rates as percentages, flags in Chinese).
pub fn document(p: &Performance) -> reports::Performance {
    let pct = |r: &str| percent(Decimal::from_str(r).unwrap_or_default());
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    reports::Performance {
        region_name: p.region_name.clone(),
        year: p.year,
        investment_fen: p.investment.0,
        net_income_fen: p.net_income.0,
        yield_rate: pct(&p.yield_rate),
        households: count(p.households),
        people: count(p.people),
        benefit_per_person_fen: p.benefit_per_person.0,
        summary: p.summary.clone(),
        items: p
            .items
            .iter()
            .map(|i| reports::PerformanceItem {
                project_code: i.project_code.clone(),
                project_name: i.project_name.clone(),
                asset_code: i.asset_code.clone(),
                asset_name: i.asset_name.clone(),
                township: i.township.clone(),
                kind_label: crate::domain::vocab::ProjectKind::parse(&i.kind)
                    .map_or(i.kind.as_str(), |k| k.label())
                    .to_string(),
                investment_fen: i.investment.0,
                net_income_fen: i.net_income.0,
                yield_rate: pct(&i.yield_rate),
                households: count(i.households),
                people: count(i.people),
                benefit_per_person_fen: i.benefit_per_person.0,
                pv_hours: i.pv_hours.clone(),
                flags: i.flags.iter().map(|f| flag_label(f).to_string()).collect(),
            })
            .collect(),
        townships: p
            .townships
            .iter()
            .map(|t| {
                let permille = Decimal::from_str(&t.yield_rate).unwrap_or_default() * Decimal::ONE_THOUSAND;
                reports::TownshipRate {
                    township: t.name.clone(),
                    yield_rate_permille: permille.round().try_into().unwrap_or(0),
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yield_rate_is_a_fraction_half_up_to_four_decimals() {
        assert_eq!(rate(Fen(523), Fen(10_000)), Decimal::new(523, 4));
        assert_eq!(rate(Fen(1), Fen(30_000)), Decimal::new(0, 4));
        assert_eq!(rate(Fen(5), Fen(100_000)), Decimal::new(1, 4)); // 0.00005 → 0.0001
        assert_eq!(percent(Decimal::new(523, 4)), "5.23%");
    }
}
