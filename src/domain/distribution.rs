//! The yearly distribution plan (收益分配方案): fixed carve-outs first, then the dividend pool by
//! weight (因素法). Pure arithmetic over plain data; the service loads the households and stores
//! the result.
//!
//! weight = basis (1 per household, or the number of members)
//!        × labour factor (无 / 弱 / 有劳动能力)
//!        × monitored factor (监测对象: 脱贫不稳定户、边缘易致贫户、突发严重困难户), else 1
//!        × disability factor (家庭有残疾人), else 1
//!        × extra factor named for the household (e.g. 突发严重困难), else 1

use super::allocation::allocate_decimal;
use super::error::{Error, FieldError, OnField, Result};
use super::money::Fen;
use super::vocab::{DividendBasis, HouseholdStatus, Labour};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// 公益岗位: a named household, a post, months × monthly wage.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Post {
    pub household_id: i32,
    pub post: String,
    pub months: i32,
    #[schema(value_type = String, example = "500.00")]
    pub monthly_wage: Fen,
}

/// 奖励补助: a named household, a reason, an amount.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Incentive {
    pub household_id: i32,
    pub reason: String,
    #[schema(value_type = String, example = "300.00")]
    pub amount: Fen,
}

/// 劳动能力系数
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LabourFactors {
    #[serde(with = "super::decimal")]
    #[schema(value_type = String, example = "1.5")]
    pub none: Decimal,
    #[serde(with = "super::decimal")]
    #[schema(value_type = String, example = "1.2")]
    pub weak: Decimal,
    #[serde(with = "super::decimal")]
    #[schema(value_type = String, example = "1.0")]
    pub full: Decimal,
}

impl Default for LabourFactors {
    /// Policy's default: priority to households without labour capacity.
    fn default() -> Self {
        LabourFactors {
            none: Decimal::new(15, 1),
            weak: Decimal::new(12, 1),
            full: Decimal::ONE,
        }
    }
}

impl LabourFactors {
    fn of(&self, labour: Labour) -> Decimal {
        match labour {
            Labour::None => self.none,
            Labour::Weak => self.weak,
            Labour::Full => self.full,
        }
    }
}

/// An extra weight factor for a named household (e.g. 突发严重困难).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExtraFactor {
    pub household_id: i32,
    #[serde(with = "super::decimal")]
    #[schema(value_type = String, example = "1.5")]
    pub factor: Decimal,
}

fn default_basis() -> DividendBasis {
    DividendBasis::Member
}
fn default_eligible() -> Vec<HouseholdStatus> {
    vec![
        HouseholdStatus::Lifted,
        HouseholdStatus::Unstable,
        HouseholdStatus::Marginal,
        HouseholdStatus::SuddenHardship,
    ]
}
fn default_disability() -> Decimal {
    Decimal::new(12, 1)
}
fn default_monitored() -> Decimal {
    Decimal::new(11, 1)
}

/// The dividend rule (分红规则).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DividendRule {
    #[serde(default = "default_basis")]
    pub basis: DividendBasis,
    #[serde(default = "default_eligible")]
    pub eligible_statuses: Vec<HouseholdStatus>,
    #[serde(default)]
    pub labour_factors: LabourFactors,
    #[serde(default = "default_disability", with = "super::decimal")]
    #[schema(value_type = String, example = "1.2")]
    pub disability_factor: Decimal,
    #[serde(default = "default_monitored", with = "super::decimal")]
    #[schema(value_type = String, example = "1.1")]
    pub monitored_factor: Decimal,
    #[serde(default)]
    pub extra: Vec<ExtraFactor>,
    /// Per-household dividend cap (封顶); what it cuts off is redistributed.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub cap: Option<Fen>,
    /// Per-household dividend floor (保底).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub floor: Option<Fen>,
}

impl Default for DividendRule {
    fn default() -> Self {
        DividendRule {
            basis: default_basis(),
            eligible_statuses: default_eligible(),
            labour_factors: LabourFactors::default(),
            disability_factor: default_disability(),
            monitored_factor: default_monitored(),
            extra: Vec::new(),
            cap: None,
            floor: None,
        }
    }
}

/// What a plan is asked to split.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub amount: Fen,
    pub retention_rate: Decimal,
    pub management_rate: Decimal,
    pub public_works: Fen,
    pub posts: Vec<Post>,
    pub incentives: Vec<Incentive>,
    pub rule: DividendRule,
}

/// A household of the village on the record date, with its status as of that date.
#[derive(Debug, Clone)]
pub struct Member {
    pub household_id: i32,
    pub number: String,
    pub head_name: String,
    pub members: i32,
    pub status: HouseholdStatus,
    pub labour: Labour,
    pub disabled: bool,
}

/// One household's line of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub household_id: i32,
    pub number: String,
    pub head_name: String,
    pub members: i32,
    pub status: HouseholdStatus,
    pub labour: Labour,
    pub weight: Decimal,
    pub dividend: Fen,
    pub post_wage: Fen,
    pub incentive: Fen,
    pub tax_withheld: Fen,
    pub total: Fen,
}

/// A flag the plan's reviewers should see (not an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

/// The plan's parts (summing to its amount) and its lines.
#[derive(Debug, Clone)]
pub struct Computed {
    pub retention: Fen,
    pub management: Fen,
    pub public_works: Fen,
    pub post_wages: Fen,
    pub incentives: Fen,
    pub dividends: Fen,
    pub lines: Vec<Line>,
    pub warnings: Vec<Warning>,
}

fn check_rate(rate: Decimal, field: &str, errors: &mut Vec<FieldError>) {
    if rate < Decimal::ZERO || rate > Decimal::ONE {
        errors.push(FieldError {
            field: field.into(),
            message: "比例应在 0 到 1 之间 (0.05 即 5%)".into(),
        });
    }
}

fn check_factor(f: Decimal, field: &str, errors: &mut Vec<FieldError>) {
    if f < Decimal::ZERO {
        errors.push(FieldError {
            field: field.into(),
            message: "系数不能为负数".into(),
        });
    }
}

fn validate(input: &PlanInput) -> Result<()> {
    let mut errors = Vec::new();
    check_rate(input.retention_rate, "retention_rate", &mut errors);
    check_rate(input.management_rate, "management_rate", &mut errors);
    if input.retention_rate + input.management_rate > Decimal::ONE {
        errors.push(FieldError {
            field: "management_rate".into(),
            message: "留存与管理费比例之和不能超过 1".into(),
        });
    }
    if input.amount.is_negative() {
        errors.push(FieldError {
            field: "amount".into(),
            message: "金额不能为负数".into(),
        });
    }
    if input.public_works.is_negative() {
        errors.push(FieldError {
            field: "public_works".into(),
            message: "金额不能为负数".into(),
        });
    }
    let r = &input.rule;
    check_factor(r.labour_factors.none, "dividend.labour_factors.none", &mut errors);
    check_factor(r.labour_factors.weak, "dividend.labour_factors.weak", &mut errors);
    check_factor(r.labour_factors.full, "dividend.labour_factors.full", &mut errors);
    check_factor(r.disability_factor, "dividend.disability_factor", &mut errors);
    check_factor(r.monitored_factor, "dividend.monitored_factor", &mut errors);
    for (i, e) in r.extra.iter().enumerate() {
        check_factor(e.factor, &format!("dividend.extra[{i}].factor"), &mut errors);
    }
    for (name, v) in [("dividend.cap", r.cap), ("dividend.floor", r.floor)] {
        if v.is_some_and(Fen::is_negative) {
            errors.push(FieldError {
                field: name.into(),
                message: "金额不能为负数".into(),
            });
        }
    }
    if let (Some(cap), Some(floor)) = (r.cap, r.floor)
        && floor > cap
    {
        errors.push(FieldError {
            field: "dividend.floor".into(),
            message: "保底金额不能高于封顶金额".into(),
        });
    }
    for (i, p) in input.posts.iter().enumerate() {
        if !(1..=12).contains(&p.months) {
            errors.push(FieldError {
                field: format!("posts[{i}].months"),
                message: "月数应为 1 至 12".into(),
            });
        }
        if p.monthly_wage.is_negative() {
            errors.push(FieldError {
                field: format!("posts[{i}].monthly_wage"),
                message: "金额不能为负数".into(),
            });
        }
        if p.post.trim().is_empty() {
            errors.push(FieldError {
                field: format!("posts[{i}].post"),
                message: "请填写岗位名称".into(),
            });
        }
    }
    for (i, inc) in input.incentives.iter().enumerate() {
        if inc.amount.0 <= 0 {
            errors.push(FieldError {
                field: format!("incentives[{i}].amount"),
                message: "奖励金额应大于零".into(),
            });
        }
        if inc.reason.trim().is_empty() {
            errors.push(FieldError {
                field: format!("incentives[{i}].reason"),
                message: "请填写奖励事由".into(),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(errors))
    }
}

/// The weight of one eligible household (see the module doc).
pub fn weight(rule: &DividendRule, m: &Member) -> Decimal {
    let basis = match rule.basis {
        DividendBasis::Household => Decimal::ONE,
        DividendBasis::Member => Decimal::from(m.members),
    };
    let mut w = basis * rule.labour_factors.of(m.labour);
    if m.status.is_monitored() {
        w *= rule.monitored_factor;
    }
    if m.disabled {
        w *= rule.disability_factor;
    }
    if let Some(extra) = rule.extra.iter().find(|e| e.household_id == m.household_id) {
        w *= extra.factor;
    }
    w
}

/// Splits the pool by weight, fixing any household above the cap at the cap and below the floor at
/// the floor and re-splitting the rest among the others, until no one is out of bounds.
fn split_pool(pool: Fen, weights: &[Decimal], cap: Option<Fen>, floor: Option<Fen>) -> Result<Vec<Fen>> {
    let n = weights.len() as i64;
    if let Some(cap) = cap
        && cap.0.checked_mul(n).is_some_and(|c| c < pool.0)
    {
        return Err(Error::field("dividend.cap", "封顶金额过低: 分红池无法在封顶内分完"));
    }
    if let Some(floor) = floor
        && floor.0.checked_mul(n).is_none_or(|f| f > pool.0)
    {
        return Err(Error::field("dividend.floor", "保底金额过高: 分红池不足以保证每户保底"));
    }
    let mut fixed: Vec<Option<Fen>> = vec![None; weights.len()];
    loop {
        let free: Vec<usize> = (0..weights.len()).filter(|i| fixed[*i].is_none()).collect();
        let taken = Fen::sum(fixed.iter().flatten().copied()).on("dividend")?;
        let remaining = pool.checked_sub(taken).on("dividend")?;
        if free.is_empty() {
            if remaining.0 != 0 {
                return Err(Error::field("dividend.cap", "封顶金额过低: 分红池无法在封顶内分完"));
            }
            break;
        }
        if remaining.is_negative() {
            return Err(Error::field("dividend.floor", "保底金额过高: 分红池不足以保证每户保底"));
        }
        let free_weights: Vec<Decimal> = free.iter().map(|i| weights[*i]).collect();
        let parts = allocate_decimal(remaining, &free_weights).on("dividend.eligible_statuses")?;
        let over: Vec<usize> = match cap {
            Some(cap) => free
                .iter()
                .zip(&parts)
                .filter(|(_, p)| **p > cap)
                .map(|(i, _)| *i)
                .collect(),
            None => Vec::new(),
        };
        let under: Vec<usize> = match floor {
            Some(floor) if over.is_empty() => free
                .iter()
                .zip(&parts)
                .filter(|(_, p)| **p < floor)
                .map(|(i, _)| *i)
                .collect(),
            _ => Vec::new(),
        };
        if over.is_empty() && under.is_empty() {
            for (i, p) in free.iter().zip(parts) {
                fixed[*i] = Some(p);
            }
            break;
        }
        for i in over {
            fixed[i] = cap;
        }
        for i in under {
            fixed[i] = floor;
        }
    }
    Ok(fixed.into_iter().map(|f| f.unwrap_or(Fen::ZERO)).collect())
}

fn warnings(input: &PlanInput, weights: &[Decimal], pool: Fen) -> Vec<Warning> {
    let r = &input.rule;
    let mut out = Vec::new();
    let mut warn = |code: &str, message: &str| {
        out.push(Warning {
            code: code.into(),
            message: message.into(),
        })
    };
    let all_equal = weights.windows(2).all(|w| w[0] == w[1]);
    let undifferentiated = r.labour_factors.none == r.labour_factors.full
        && r.labour_factors.weak == r.labour_factors.full
        && r.disability_factor == Decimal::ONE
        && r.monitored_factor == Decimal::ONE
        && r.extra.is_empty();
    if weights.len() > 1 && (all_equal || undifferentiated) {
        warn(
            "equal_split",
            "平均分配: 政策不允许“简单发钱、一发了之”, 请在决议中说明理由",
        );
    }
    if r.labour_factors.none <= r.labour_factors.full {
        warn(
            "no_priority_without_labour",
            "未向无劳动能力户倾斜 (无劳动能力系数不高于有劳动能力系数)",
        );
    }
    if r.eligible_statuses.contains(&HouseholdStatus::Ordinary) {
        warn(
            "ordinary_households_included",
            "一般农户参与分红, 请确认符合村规民约和决议",
        );
    }
    if pool.0 == 0 {
        warn("empty_dividend_pool", "分红池为零, 本方案不向农户分红");
    }
    out
}

/// Computes a plan over the households of the village on its record date (in household-number
/// order). Retention and management are `amount × rate`, each half-up to the fen; the dividend pool
/// is what is left after them, public works, post wages and incentives.
///
/// # Errors
/// [`Error::Invalid`] naming the field: a bad rate or factor, a named household not in the
/// village, a pool below zero, no eligible household for a positive pool, an infeasible cap/floor.
pub fn compute(input: &PlanInput, households: &[Member]) -> Result<Computed> {
    validate(input)?;
    let index_of = |id: i32| households.iter().position(|h| h.household_id == id);
    let mut post_wage = vec![Fen::ZERO; households.len()];
    let mut incentive = vec![Fen::ZERO; households.len()];
    for (i, p) in input.posts.iter().enumerate() {
        let field = format!("posts[{i}].household_id");
        let at = index_of(p.household_id).ok_or_else(|| Error::field(&field, "该户在基准日不属于本村"))?;
        let wage = p
            .monthly_wage
            .checked_mul(i64::from(p.months))
            .on(&format!("posts[{i}].monthly_wage"))?;
        post_wage[at] = post_wage[at].checked_add(wage).on(&field)?;
    }
    for (i, inc) in input.incentives.iter().enumerate() {
        let field = format!("incentives[{i}].household_id");
        let at = index_of(inc.household_id).ok_or_else(|| Error::field(&field, "该户在基准日不属于本村"))?;
        incentive[at] = incentive[at].checked_add(inc.amount).on(&field)?;
    }
    let retention = input.amount.times_rate(input.retention_rate).on("retention_rate")?;
    let management = input.amount.times_rate(input.management_rate).on("management_rate")?;
    let post_wages = Fen::sum(post_wage.iter().copied()).on("posts")?;
    let incentives = Fen::sum(incentive.iter().copied()).on("incentives")?;
    let carve_outs = Fen::sum([retention, management, input.public_works, post_wages, incentives]).on("amount")?;
    let pool = input.amount.checked_sub(carve_outs).on("amount")?;
    if pool.is_negative() {
        return Err(Error::field(
            "amount",
            format!(
                "分配金额不足: 留存、管理费、小型公益事业、岗位工资和奖励合计 {carve_outs} 元, 超过分配金额 {} 元",
                input.amount
            ),
        ));
    }

    let rule = &input.rule;
    let eligible: Vec<usize> = (0..households.len())
        .filter(|i| rule.eligible_statuses.contains(&households[*i].status))
        .collect();
    for (i, e) in rule.extra.iter().enumerate() {
        if !eligible.iter().any(|at| households[*at].household_id == e.household_id) {
            return Err(Error::field(
                format!("dividend.extra[{i}].household_id"),
                "该户在基准日不是本村符合条件的分红户",
            ));
        }
    }
    let weights: Vec<Decimal> = eligible.iter().map(|i| weight(rule, &households[*i])).collect();
    if pool.0 > 0 && !weights.iter().any(|w| *w > Decimal::ZERO) {
        return Err(Error::field(
            "dividend.eligible_statuses",
            "基准日没有符合条件 (权重大于零) 的分红户",
        ));
    }
    let dividends = split_pool(pool, &weights, rule.cap, rule.floor)?;

    let mut weight_of = vec![None; households.len()];
    let mut dividend_of = vec![Fen::ZERO; households.len()];
    for ((at, w), d) in eligible.iter().zip(&weights).zip(&dividends) {
        weight_of[*at] = Some(*w);
        dividend_of[*at] = *d;
    }
    let mut lines = Vec::new();
    for (i, h) in households.iter().enumerate() {
        if weight_of[i].is_none() && post_wage[i].0 == 0 && incentive[i].0 == 0 {
            continue;
        }
        let total = Fen::sum([dividend_of[i], post_wage[i], incentive[i]]).on("amount")?;
        lines.push(Line {
            household_id: h.household_id,
            number: h.number.clone(),
            head_name: h.head_name.clone(),
            members: h.members,
            status: h.status,
            labour: h.labour,
            weight: weight_of[i].unwrap_or(Decimal::ZERO),
            dividend: dividend_of[i],
            post_wage: post_wage[i],
            incentive: incentive[i],
            tax_withheld: Fen::ZERO,
            total,
        });
    }
    Ok(Computed {
        retention,
        management,
        public_works: input.public_works,
        post_wages,
        incentives,
        dividends: pool,
        warnings: warnings(input, &weights, pool),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn member(id: i32, members: i32, status: HouseholdStatus, labour: Labour, disabled: bool) -> Member {
        Member {
            household_id: id,
            number: format!("H{id:04}"),
            head_name: format!("户主{id}"),
            members,
            status,
            labour,
            disabled,
        }
    }

    fn input(amount: i64) -> PlanInput {
        PlanInput {
            amount: Fen(amount),
            retention_rate: Decimal::new(15, 2),
            management_rate: Decimal::new(5, 2),
            public_works: Fen(100_000),
            posts: vec![],
            incentives: vec![],
            rule: DividendRule::default(),
        }
    }

    fn parts_sum(c: &Computed) -> i64 {
        c.retention.0 + c.management.0 + c.public_works.0 + c.post_wages.0 + c.incentives.0 + c.dividends.0
    }

    #[test]
    fn the_weight_multiplies_basis_labour_monitored_disability_and_extra() {
        let mut rule = DividendRule::default();
        rule.extra.push(ExtraFactor {
            household_id: 1,
            factor: Decimal::new(2, 0),
        });
        let m = member(1, 3, HouseholdStatus::Marginal, Labour::None, true);
        // 3 × 1.5 × 1.1 × 1.2 × 2 = 11.88
        assert_eq!(weight(&rule, &m), Decimal::new(1188, 2));
    }

    #[test]
    fn carve_outs_come_first_and_the_parts_sum_to_the_amount() {
        let hs = vec![
            member(1, 2, HouseholdStatus::Lifted, Labour::None, false),
            member(2, 4, HouseholdStatus::Lifted, Labour::Full, false),
            member(3, 3, HouseholdStatus::Ordinary, Labour::Full, false),
        ];
        let mut inp = input(1_140_000);
        inp.posts.push(Post {
            household_id: 3,
            post: "保洁员".into(),
            months: 12,
            monthly_wage: Fen(20_000),
        });
        let c = compute(&inp, &hs).unwrap();
        assert_eq!(c.retention, Fen(171_000));
        assert_eq!(c.management, Fen(57_000));
        assert_eq!(c.post_wages, Fen(240_000));
        assert_eq!(c.dividends, Fen(1_140_000 - 171_000 - 57_000 - 100_000 - 240_000));
        assert_eq!(parts_sum(&c), 1_140_000);
        // weights 3 (2×1.5) and 4 (4×1.0): pool 572000 → 245142.857…, 326857.142… → 245143, 326857
        let d: Vec<i64> = c.lines.iter().map(|l| l.dividend.0).collect();
        assert_eq!(d, vec![245_143, 326_857, 0]);
        assert_eq!(c.lines[2].total, Fen(240_000));
    }

    #[test]
    fn a_pool_below_zero_is_refused_naming_the_amount() {
        let hs = vec![member(1, 2, HouseholdStatus::Lifted, Labour::None, false)];
        let err = compute(&input(50_000), &hs).unwrap_err();
        assert!(
            matches!(err, Error::Invalid(ref f) if f[0].field == "amount"),
            "{err:?}"
        );
    }

    #[test]
    fn a_post_for_a_household_outside_the_village_is_refused() {
        let hs = vec![member(1, 2, HouseholdStatus::Lifted, Labour::None, false)];
        let mut inp = input(1_000_000);
        inp.posts.push(Post {
            household_id: 99,
            post: "护路员".into(),
            months: 6,
            monthly_wage: Fen(10_000),
        });
        let err = compute(&inp, &hs).unwrap_err();
        assert!(
            matches!(err, Error::Invalid(ref f) if f[0].field == "posts[0].household_id"),
            "{err:?}"
        );
    }

    #[test]
    fn a_cap_redistributes_what_it_cuts_off() {
        let hs = vec![
            member(1, 8, HouseholdStatus::Lifted, Labour::Full, false),
            member(2, 1, HouseholdStatus::Lifted, Labour::Full, false),
            member(3, 1, HouseholdStatus::Lifted, Labour::Full, false),
        ];
        let mut inp = input(0);
        inp.amount = Fen(10_000);
        inp.retention_rate = Decimal::ZERO;
        inp.management_rate = Decimal::ZERO;
        inp.public_works = Fen::ZERO;
        inp.rule.cap = Some(Fen(5_000));
        let c = compute(&inp, &hs).unwrap();
        let d: Vec<i64> = c.lines.iter().map(|l| l.dividend.0).collect();
        assert_eq!(d, vec![5_000, 2_500, 2_500]);
    }

    #[test]
    fn a_floor_lifts_small_households_and_takes_from_the_rest() {
        let hs = vec![
            member(1, 9, HouseholdStatus::Lifted, Labour::Full, false),
            member(2, 1, HouseholdStatus::Lifted, Labour::Full, false),
        ];
        let mut inp = input(0);
        inp.amount = Fen(10_000);
        inp.retention_rate = Decimal::ZERO;
        inp.management_rate = Decimal::ZERO;
        inp.public_works = Fen::ZERO;
        inp.rule.floor = Some(Fen(2_000));
        let c = compute(&inp, &hs).unwrap();
        let d: Vec<i64> = c.lines.iter().map(|l| l.dividend.0).collect();
        assert_eq!(d, vec![8_000, 2_000]);
    }

    #[test]
    fn an_equal_split_for_everyone_is_flagged() {
        let hs = vec![
            member(1, 2, HouseholdStatus::Lifted, Labour::Full, false),
            member(2, 2, HouseholdStatus::Lifted, Labour::Full, false),
        ];
        let mut inp = input(1_000_000);
        inp.rule.basis = DividendBasis::Household;
        let c = compute(&inp, &hs).unwrap();
        assert!(c.warnings.iter().any(|w| w.code == "equal_split"));
    }

    #[test]
    fn ineligible_households_get_no_dividend_line() {
        let hs = vec![
            member(1, 2, HouseholdStatus::Lifted, Labour::Full, false),
            member(2, 2, HouseholdStatus::Ordinary, Labour::Full, false),
        ];
        let c = compute(&input(1_000_000), &hs).unwrap();
        assert_eq!(c.lines.len(), 1);
        assert_eq!(c.lines[0].household_id, 1);
    }

    proptest! {
        #[test]
        fn the_parts_and_lines_always_sum_to_the_amount(
            amount in 0_i64..100_000_000,
            sizes in proptest::collection::vec((1_i32..9, 0_usize..5, 0_usize..3, any::<bool>()), 1..40),
            cap_pct in proptest::option::of(5_i64..200),
        ) {
            let statuses = HouseholdStatus::ALL;
            let labours = Labour::ALL;
            let hs: Vec<Member> = sizes.iter().enumerate().map(|(i, (m, s, l, d))| {
                member(i as i32 + 1, *m, statuses[*s], labours[*l], *d)
            }).collect();
            let mut inp = input(amount);
            inp.public_works = Fen(0);
            let eligible = hs.iter().filter(|h| inp.rule.eligible_statuses.contains(&h.status)).count() as i64;
            if let Some(pct) = cap_pct {
                // a cap that is always feasible: at least the pool over the eligible count
                if eligible > 0 {
                    inp.rule.cap = Some(Fen(amount / eligible * pct / 100 + amount / eligible + 1));
                }
            }
            match compute(&inp, &hs) {
                Ok(c) => {
                    prop_assert_eq!(parts_sum(&c), amount);
                    let lines: i64 = c.lines.iter().map(|l| l.dividend.0).sum();
                    prop_assert_eq!(lines, c.dividends.0);
                    if let Some(cap) = inp.rule.cap {
                        prop_assert!(c.lines.iter().all(|l| l.dividend <= cap));
                    }
                }
                Err(Error::Invalid(f)) => prop_assert!(eligible == 0 && f[0].field == "dividend.eligible_statuses"),
                Err(e) => prop_assert!(false, "unexpected {e:?}"),
            }
        }
    }
}
