//! Who may do what where (权限与区域范围). `admin` everywhere; `county_staff` in its county
//! (projects, assets, yields, township review and county filing); `village_accountant` in its
//! village (households and plans); `auditor` reads its region and writes nothing.

use crate::domain::vocab::Role;
use crate::domain::{Error, Result};
use entity::regions;

/// The authenticated user a request acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i32,
    pub username: String,
    pub role: Role,
    pub region_code: Option<String>,
}

/// What a write touches, for the role check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Regions: admin, or county staff under their county.
    Regions,
    /// Households and the village's own plan steps: village accountants.
    Village,
    /// Projects, assets, ownership, yields: county staff.
    County,
    /// Township review and county filing of a plan: county staff.
    PlanApproval,
    /// Cancelling a plan: village accountants or county staff.
    PlanCancel,
}

impl Actor {
    /// The system itself (demo seeding, CLI batch commands).
    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: 0,
            username: name.to_string(),
            role: Role::Admin,
            region_code: None,
        }
    }

    /// Whether `region` (with its ancestry) lies in this user's scope.
    pub fn sees(&self, region: &regions::Model) -> bool {
        if self.role == Role::Admin {
            return true;
        }
        let Some(mine) = self.region_code.as_deref() else {
            return false;
        };
        region.code == mine
            || region.township_code.as_deref() == Some(mine)
            || region.county_code.as_deref() == Some(mine)
    }

    /// # Errors
    /// [`Error::Forbidden`] when the region is outside the user's scope.
    pub fn check_sees(&self, region: &regions::Model) -> Result<()> {
        if self.sees(region) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("无权访问区划 {}", region.code)))
        }
    }

    /// # Errors
    /// [`Error::Forbidden`] when the role may not do this duty at all.
    pub fn check_duty(&self, duty: Duty) -> Result<()> {
        let allowed = match self.role {
            Role::Admin => true,
            Role::Auditor => false,
            Role::CountyStaff => matches!(
                duty,
                Duty::Regions | Duty::County | Duty::PlanApproval | Duty::PlanCancel
            ),
            Role::VillageAccountant => matches!(duty, Duty::Village | Duty::PlanCancel),
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden(format!("角色“{}”无权执行此操作", self.role.label())))
        }
    }

    /// Role and scope together: may this user do `duty` in `region`?
    ///
    /// # Errors
    /// [`Error::Forbidden`].
    pub fn check_write(&self, duty: Duty, region: &regions::Model) -> Result<()> {
        self.check_duty(duty)?;
        self.check_sees(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(code: &str, township: Option<&str>, county: Option<&str>) -> regions::Model {
        regions::Model {
            code: code.into(),
            name: "村".into(),
            level: "village".into(),
            parent_code: township.map(Into::into),
            county_code: county.map(Into::into),
            township_code: township.map(Into::into),
        }
    }

    fn actor(role: Role, region: &str) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            region_code: Some(region.into()),
        }
    }

    #[test]
    fn a_village_accountant_sees_only_their_village() {
        let a = actor(Role::VillageAccountant, "371622101201");
        assert!(a.sees(&region("371622101201", Some("371622101000"), Some("371622000000"))));
        assert!(!a.sees(&region("371622101202", Some("371622101000"), Some("371622000000"))));
    }

    #[test]
    fn county_staff_see_every_village_of_their_county() {
        let a = actor(Role::CountyStaff, "371622000000");
        assert!(a.sees(&region("371622101201", Some("371622101000"), Some("371622000000"))));
        assert!(!a.sees(&region("371623101201", Some("371623101000"), Some("371623000000"))));
    }

    #[test]
    fn an_auditor_may_not_write() {
        let a = actor(Role::Auditor, "371622000000");
        assert!(a.check_duty(Duty::County).is_err());
        assert!(a.check_duty(Duty::Village).is_err());
    }

    #[test]
    fn county_staff_may_not_keep_the_household_roster() {
        assert!(
            actor(Role::CountyStaff, "371622000000")
                .check_duty(Duty::Village)
                .is_err()
        );
    }
}
