//! The regions in the user's scope (区划), for the selects of the forms and for names in tables.

use crate::domain::vocab::RegionLevel;
use crate::service::{Actor, Store, regions};
use std::collections::HashMap;

/// The regions a user sees, in code order.
pub struct Places {
    pub all: Vec<regions::RegionView>,
    names: HashMap<String, String>,
}

impl Places {
    /// # Errors
    /// A database error.
    pub async fn load(store: &Store, actor: &Actor) -> crate::domain::Result<Places> {
        let all = regions::list(store, actor, None).await?;
        let names = all.iter().map(|r| (r.code.clone(), r.name.clone())).collect();
        Ok(Places { all, names })
    }

    /// A region's name, or its code when it is not in scope.
    pub fn name<'a>(&'a self, code: &'a str) -> &'a str {
        self.names.get(code).map_or(code, String::as_str)
    }

    /// `(code, name)` of the regions of a level, for a select.
    pub fn of_level(&self, level: RegionLevel) -> Vec<(&str, &str)> {
        self.all
            .iter()
            .filter(|r| r.level == level.as_str())
            .map(|r| (r.code.as_str(), r.name.as_str()))
            .collect()
    }

    /// `(code, "name (level)")` of every region, for an owner select.
    pub fn owners(&self) -> Vec<(String, String)> {
        self.all
            .iter()
            .map(|r| {
                (
                    r.code.clone(),
                    format!("{} ({})", r.name, RegionLevel::label_of(&r.level)),
                )
            })
            .collect()
    }
}
