//! The preview of a distribution plan (分配方案预览): the same checks and computation as drafting
//! one, every household's amount and the warnings, written nowhere.

use super::access::Duty;
use super::distributions::NewPlan;
use super::{Actor, Store, accounts, households, regions};
use crate::domain::distribution::{self, Computed, PlanInput};
use crate::domain::{Error, Result};

/// Computes what `distributions::create` would draft, without saving it.
///
/// # Errors
/// As `distributions::create`: [`Error::Invalid`] naming the field, [`Error::Forbidden`] outside
/// the village.
pub async fn preview(store: &Store, actor: &Actor, input: &NewPlan) -> Result<Computed> {
    if !(1990..=2100).contains(&input.year) {
        return Err(Error::field("year", "年度应在 1990 至 2100 之间"));
    }
    if input.amount.0 <= 0 {
        return Err(Error::field("amount", "分配金额应大于零"));
    }
    let village = regions::find_village(&store.db, &input.village_code, "village_code").await?;
    actor.check_write(Duty::Village, &village)?;
    let available = accounts::available(&store.db, &village.code, None).await?;
    if input.amount > available {
        return Err(Error::field(
            "amount",
            format!("分配金额 {} 元超过可分配余额 {available} 元", input.amount),
        ));
    }
    let plan_input = PlanInput {
        amount: input.amount,
        retention_rate: input.retention_rate.unwrap_or_default(),
        management_rate: input.management_rate.unwrap_or_default(),
        public_works: input.public_works.unwrap_or_default(),
        posts: input.posts.clone(),
        incentives: input.incentives.clone(),
        rule: input.dividend.clone(),
    };
    let members = households::members_on(&store.db, &village.code, input.record_date).await?;
    distribution::compute(&plan_input, &members)
}
