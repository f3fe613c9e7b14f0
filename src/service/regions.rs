//! Regions (区划): county → township → village, each a collective that can own assets.

use super::access::Duty;
use super::{Actor, Store, audit};
use crate::domain::region::check_code;
use crate::domain::vocab::{RegionLevel, Role};
use crate::domain::{Error, Result};
use entity::regions;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::ToSchema;

/// `POST /regions`
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRegion {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    #[serde(default)]
    pub parent_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub county_code: Option<String>,
    pub township_code: Option<String>,
}

impl From<regions::Model> for RegionView {
    fn from(r: regions::Model) -> Self {
        RegionView {
            code: r.code,
            name: r.name,
            level: r.level,
            parent_code: r.parent_code,
            county_code: r.county_code,
            township_code: r.township_code,
        }
    }
}

/// Loads a region or fails naming the field that referred to it.
///
/// # Errors
/// [`Error::Invalid`] naming `field` when there is no such region.
pub async fn find<C: ConnectionTrait>(db: &C, code: &str, field: &str) -> Result<regions::Model> {
    regions::Entity::find_by_id(code.to_string())
        .one(db)
        .await?
        .ok_or_else(|| Error::field(field, format!("区划 {code} 不存在")))
}

/// Loads a region that must be a village.
///
/// # Errors
/// [`Error::Invalid`] naming `field` when missing or not a village.
pub async fn find_village<C: ConnectionTrait>(db: &C, code: &str, field: &str) -> Result<regions::Model> {
    let r = find(db, code, field).await?;
    if r.level != RegionLevel::Village.as_str() {
        return Err(Error::field(field, format!("{code} 不是村级区划")));
    }
    Ok(r)
}

/// The county a region belongs to (itself for a county).
pub fn county_of(r: &regions::Model) -> String {
    r.county_code.clone().unwrap_or_else(|| r.code.clone())
}

/// # Errors
/// [`Error::Invalid`] for a bad code, level or parent; [`Error::Conflict`] for a duplicate code;
/// [`Error::Forbidden`] outside the user's scope.
pub async fn create(store: &Store, actor: &Actor, input: NewRegion) -> Result<RegionView> {
    check_code(&input.code, "code")?;
    if input.name.trim().is_empty() {
        return Err(Error::field("name", "名称不能为空"));
    }
    let w = store.write().await?;
    let wanted_parent = match input.level {
        RegionLevel::County => None,
        RegionLevel::Township => Some(RegionLevel::County),
        RegionLevel::Village => Some(RegionLevel::Township),
    };
    let (county_code, township_code) = match (wanted_parent, input.parent_code.as_deref()) {
        (None, _) => {
            if actor.role != Role::Admin {
                return Err(Error::Forbidden("只有系统管理员可以新增县级区划".into()));
            }
            (None, None)
        }
        (Some(_), None) => return Err(Error::field("parent_code", "乡镇和村必须指定上级区划")),
        (Some(level), Some(code)) => {
            let parent = find(&*w, code, "parent_code").await?;
            if parent.level != level.as_str() {
                return Err(Error::field("parent_code", format!("上级区划应为{}", level.label())));
            }
            actor.check_write(Duty::Regions, &parent)?;
            match input.level {
                RegionLevel::Township => (Some(parent.code.clone()), None),
                _ => (parent.county_code.clone(), Some(parent.code.clone())),
            }
        }
    };
    if regions::Entity::find_by_id(input.code.clone())
        .one(&*w)
        .await?
        .is_some()
    {
        return Err(Error::conflict_on(
            "duplicate",
            "code",
            format!("区划代码 {} 已存在", input.code),
        ));
    }
    let model = regions::ActiveModel {
        code: Set(input.code.clone()),
        name: Set(input.name.trim().to_string()),
        level: Set(input.level.as_str().to_string()),
        parent_code: Set(if wanted_parent.is_some() {
            input.parent_code.clone()
        } else {
            None
        }),
        county_code: Set(county_code),
        township_code: Set(township_code),
    }
    .insert(&*w)
    .await?;
    let view = RegionView::from(model);
    audit::append(&*w, actor, "region.create", "region", &view.code, &(), &view).await?;
    w.commit().await?;
    Ok(view)
}

/// Regions under a parent (or all), limited to the user's scope.
///
/// # Errors
/// A database error.
pub async fn list(store: &Store, actor: &Actor, parent_code: Option<&str>) -> Result<Vec<RegionView>> {
    let mut q = regions::Entity::find().order_by_asc(regions::Column::Code);
    if let Some(p) = parent_code {
        q = q.filter(regions::Column::ParentCode.eq(p));
    }
    let rows = q.all(&store.db).await?;
    Ok(rows
        .into_iter()
        .filter(|r| actor.sees(r))
        .map(RegionView::from)
        .collect())
}

/// One region.
///
/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn get(store: &Store, actor: &Actor, code: &str) -> Result<regions::Model> {
    let r = regions::Entity::find_by_id(code.to_string())
        .one(&store.db)
        .await?
        .ok_or(Error::NotFound("区划"))?;
    actor.check_sees(&r)?;
    Ok(r)
}

/// The regions under `region_code` (itself included), or every region the actor sees.
///
/// # Errors
/// [`Error::NotFound`]/[`Error::Forbidden`] for the region.
pub async fn subtree_codes(store: &Store, actor: &Actor, region_code: Option<&str>) -> Result<HashSet<String>> {
    let root = match region_code {
        Some(code) => Some(get(store, actor, code).await?),
        None => None,
    };
    let all = entity::regions::Entity::find().all(&store.db).await?;
    Ok(all
        .into_iter()
        .filter(|r| match &root {
            Some(root) => {
                r.code == root.code
                    || r.township_code.as_deref() == Some(root.code.as_str())
                    || r.county_code.as_deref() == Some(root.code.as_str())
            }
            None => actor.sees(r),
        })
        .map(|r| r.code)
        .collect())
}
