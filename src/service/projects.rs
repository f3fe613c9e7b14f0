//! Projects (扶贫项目) with their funding lines (资金来源), lifecycle, and acceptance (竣工验收)
//! that forms the assets.

use super::access::Duty;
use super::assets::{AssetView, asset_views};
use super::seal::Aggregate;
use super::{Actor, Store, audit, now_text, regions};
use crate::domain::vocab::{
    AssetClass, AssetForm, AssetStatus, FundingSource, OperationMode, ProjectStatus, RegionLevel,
};
use crate::domain::{Error, Fen, FieldError, OnField, Result};
use chrono::NaiveDate;
use entity::{assets, funding_lines, project_villages, projects};
use rust_decimal::Decimal;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A funding line of `POST /projects`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Funding {
    pub source: FundingSource,
    #[schema(value_type = String, example = "120000.00")]
    pub amount: Fen,
    pub fiscal_year: i32,
    #[serde(default)]
    pub document: String,
}

/// `POST /projects`
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewProject {
    pub code: String,
    pub name: String,
    pub county_code: String,
    /// planting, livestock, processing, photovoltaic, tourism, workshop, e_commerce, infrastructure…
    pub kind: String,
    pub year: i32,
    #[serde(default)]
    pub implementing_unit: String,
    #[serde(default)]
    pub village_codes: Vec<String>,
    pub funding: Vec<Funding>,
}

/// `POST /projects/{id}/status`
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusChange {
    pub status: ProjectStatus,
}

/// An asset formed at acceptance.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAsset {
    pub name: String,
    pub class: AssetClass,
    #[serde(default)]
    pub form: Option<AssetForm>,
    #[schema(value_type = String, example = "150000.00")]
    pub value: Fen,
    #[serde(default)]
    pub operation_mode: Option<OperationMode>,
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default, with = "crate::domain::decimal::option")]
    #[schema(value_type = Option<String>, example = "300")]
    pub pv_capacity_kw: Option<Decimal>,
}

/// `POST /projects/{id}/accept`
#[derive(Debug, Deserialize, ToSchema)]
pub struct Acceptance {
    pub accepted_on: NaiveDate,
    pub assets: Vec<NewAsset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub county_code: String,
    pub kind: String,
    pub year: i32,
    pub implementing_unit: String,
    pub village_codes: Vec<String>,
    pub status: String,
    #[schema(value_type = String)]
    pub investment: Fen,
    pub accepted_on: Option<NaiveDate>,
    pub funding: Vec<Funding>,
    pub assets: Vec<AssetView>,
}

/// Project list filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectFilter {
    pub county_code: Option<String>,
    pub year: Option<i32>,
    pub kind: Option<String>,
    pub status: Option<String>,
}

fn validate(input: &NewProject) -> Result<Fen> {
    let mut errors = Vec::new();
    let mut err = |field: String, message: &str| {
        errors.push(FieldError {
            field,
            message: message.into(),
        })
    };
    if input.code.trim().is_empty() {
        err("code".into(), "项目编号不能为空");
    }
    if input.name.trim().is_empty() {
        err("name".into(), "项目名称不能为空");
    }
    let kind_ok = !input.kind.is_empty()
        && input
            .kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'_' || b == b'-');
    if !kind_ok {
        err("kind".into(), "项目类型应为英文标识, 如 planting、photovoltaic");
    }
    if !(1990..=2100).contains(&input.year) {
        err("year".into(), "年度应在 1990 至 2100 之间");
    }
    if input.funding.is_empty() {
        err("funding".into(), "至少需要一条资金来源");
    }
    for (i, f) in input.funding.iter().enumerate() {
        if f.amount.0 <= 0 {
            err(format!("funding[{i}].amount"), "资金金额应大于零");
        }
        if !(1990..=2100).contains(&f.fiscal_year) {
            err(format!("funding[{i}].fiscal_year"), "资金年度应在 1990 至 2100 之间");
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    Fen::sum(input.funding.iter().map(|f| f.amount)).on("funding")
}

/// # Errors
/// [`Error::Invalid`] naming the field, [`Error::Conflict`] for a duplicate code,
/// [`Error::Forbidden`] outside the county.
pub async fn create(store: &Store, actor: &Actor, input: NewProject) -> Result<ProjectView> {
    validate(&input)?;
    let w = store.write().await?;
    let v = create_in(&*w, actor, input).await?;
    w.commit().await?;
    Ok(v)
}

/// [`create`] inside the caller's transaction (the project-list import writes a whole file in one).
///
/// # Errors
/// As [`create`].
pub async fn create_in<C: ConnectionTrait>(db: &C, actor: &Actor, input: NewProject) -> Result<ProjectView> {
    let investment = validate(&input)?;
    let county = regions::find(db, &input.county_code, "county_code").await?;
    if county.level != RegionLevel::County.as_str() {
        return Err(Error::field("county_code", "应为县级区划代码"));
    }
    actor.check_write(Duty::County, &county)?;
    for (i, code) in input.village_codes.iter().enumerate() {
        let field = format!("village_codes[{i}]");
        let v = regions::find_village(db, code, &field).await?;
        if v.county_code.as_deref() != Some(county.code.as_str()) {
            return Err(Error::field(field, "受益村不在本县"));
        }
    }
    let code = input.code.trim().to_string();
    if projects::Entity::find()
        .filter(projects::Column::Code.eq(&code))
        .one(db)
        .await?
        .is_some()
    {
        return Err(Error::conflict_on(
            "duplicate",
            "code",
            format!("项目编号 {code} 已存在"),
        ));
    }
    let p = projects::ActiveModel {
        code: Set(code),
        name: Set(input.name.trim().into()),
        county_code: Set(county.code.clone()),
        kind: Set(input.kind.clone()),
        year: Set(input.year),
        implementing_unit: Set(input.implementing_unit.clone()),
        status: Set(ProjectStatus::Planned.as_str().into()),
        investment_fen: Set(investment.0),
        accepted_on: Set(None),
        created_at: Set(now_text()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    for code in &input.village_codes {
        project_villages::ActiveModel {
            project_id: Set(p.id),
            village_code: Set(code.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for f in &input.funding {
        funding_lines::ActiveModel {
            project_id: Set(p.id),
            source: Set(f.source.as_str().into()),
            amount_fen: Set(f.amount.0),
            fiscal_year: Set(f.fiscal_year),
            document: Set(f.document.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    let v = view(db, p).await?;
    audit::append(db, actor, "project.create", "project", v.id, &(), &v).await?;
    Ok(v)
}

async fn view<C: ConnectionTrait>(db: &C, p: projects::Model) -> Result<ProjectView> {
    let villages = project_villages::Entity::find()
        .filter(project_villages::Column::ProjectId.eq(p.id))
        .order_by_asc(project_villages::Column::Id)
        .all(db)
        .await?;
    let funding = funding_lines::Entity::find()
        .filter(funding_lines::Column::ProjectId.eq(p.id))
        .order_by_asc(funding_lines::Column::Id)
        .all(db)
        .await?;
    let asset_rows = assets::Entity::find()
        .filter(assets::Column::ProjectId.eq(p.id))
        .order_by_asc(assets::Column::Code)
        .all(db)
        .await?;
    Ok(ProjectView {
        id: p.id,
        code: p.code,
        name: p.name,
        county_code: p.county_code,
        kind: p.kind,
        year: p.year,
        implementing_unit: p.implementing_unit,
        village_codes: villages.into_iter().map(|v| v.village_code).collect(),
        status: p.status,
        investment: Fen(p.investment_fen),
        accepted_on: p.accepted_on,
        funding: funding
            .into_iter()
            .map(|f| Funding {
                source: FundingSource::parse(&f.source).unwrap_or(FundingSource::Other),
                amount: Fen(f.amount_fen),
                fiscal_year: f.fiscal_year,
                document: f.document,
            })
            .collect(),
        assets: asset_views(db, asset_rows).await?,
    })
}

async fn load_in_scope<C: ConnectionTrait>(db: &C, actor: &Actor, id: i32) -> Result<projects::Model> {
    let p = projects::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("项目"))?;
    let county = regions::find(db, &p.county_code, "county_code").await?;
    if !actor.sees(&county) {
        // A village accountant or township user may read projects that benefit their area.
        let villages = project_villages::Entity::find()
            .filter(project_villages::Column::ProjectId.eq(id))
            .all(db)
            .await?;
        let mut visible = false;
        for v in villages {
            if let Some(r) = entity::regions::Entity::find_by_id(v.village_code).one(db).await? {
                visible |= actor.sees(&r);
            }
        }
        if !visible {
            return Err(Error::Forbidden("无权访问该项目".into()));
        }
    }
    Ok(p)
}

/// # Errors
/// [`Error::NotFound`] or [`Error::Forbidden`].
pub async fn get(store: &Store, actor: &Actor, id: i32) -> Result<ProjectView> {
    let p = load_in_scope(&store.db, actor, id).await?;
    view(&store.db, p).await
}

/// # Errors
/// A database error.
pub async fn list(store: &Store, actor: &Actor, f: &ProjectFilter) -> Result<Vec<ProjectView>> {
    let mut q = projects::Entity::find().order_by_asc(projects::Column::Code);
    if let Some(c) = &f.county_code {
        q = q.filter(projects::Column::CountyCode.eq(c.clone()));
    }
    if let Some(y) = f.year {
        q = q.filter(projects::Column::Year.eq(y));
    }
    if let Some(k) = &f.kind {
        q = q.filter(projects::Column::Kind.eq(k.clone()));
    }
    if let Some(s) = &f.status {
        q = q.filter(projects::Column::Status.eq(s.clone()));
    }
    let mut out = Vec::new();
    for p in q.all(&store.db).await? {
        if load_in_scope(&store.db, actor, p.id).await.is_ok() {
            out.push(view(&store.db, p).await?);
        }
    }
    Ok(out)
}

/// Moves a project along `planned → approved → under_construction`, or cancels it.
///
/// # Errors
/// [`Error::Conflict`] for a move the lifecycle does not allow.
pub async fn change_status(store: &Store, actor: &Actor, id: i32, input: StatusChange) -> Result<ProjectView> {
    let w = store.write().await?;
    let p = load_in_scope(&*w, actor, id).await?;
    let county = regions::find(&*w, &p.county_code, "county_code").await?;
    actor.check_write(Duty::County, &county)?;
    let from = ProjectStatus::parse(&p.status).unwrap_or(ProjectStatus::Planned);
    let allowed = matches!(
        (from, input.status),
        (ProjectStatus::Planned, ProjectStatus::Approved)
            | (ProjectStatus::Approved, ProjectStatus::UnderConstruction)
            | (
                ProjectStatus::Planned | ProjectStatus::Approved | ProjectStatus::UnderConstruction,
                ProjectStatus::Cancelled
            )
    );
    if !allowed {
        return Err(Error::conflict_on(
            "invalid_state",
            "status",
            format!("项目状态不能从“{}”变为“{}”", from.label(), input.status.label()),
        ));
    }
    let mut am: projects::ActiveModel = p.into();
    am.status = Set(input.status.as_str().into());
    let p = am.update(&*w).await?;
    audit::append(&*w, actor, "project.status", "project", id, &from, &input.status).await?;
    let v = view(&*w, p).await?;
    w.commit().await?;
    Ok(v)
}

/// Accepts a project under construction and forms its assets; Σ asset values = the investment.
///
/// # Errors
/// [`Error::Invalid`] naming `assets` when the values do not sum, [`Error::Conflict`] when the
/// project is not under construction.
pub async fn accept(store: &Store, actor: &Actor, id: i32, input: Acceptance) -> Result<Vec<AssetView>> {
    let mut errors = Vec::new();
    if input.assets.is_empty() {
        errors.push(FieldError {
            field: "assets".into(),
            message: "至少形成一项资产".into(),
        });
    }
    for (i, a) in input.assets.iter().enumerate() {
        if a.name.trim().is_empty() {
            errors.push(FieldError {
                field: format!("assets[{i}].name"),
                message: "资产名称不能为空".into(),
            });
        }
        if a.value.0 <= 0 {
            errors.push(FieldError {
                field: format!("assets[{i}].value"),
                message: "资产原值应大于零".into(),
            });
        }
        if a.pv_capacity_kw.is_some_and(|k| k <= Decimal::ZERO) {
            errors.push(FieldError {
                field: format!("assets[{i}].pv_capacity_kw"),
                message: "装机容量应大于零".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Error::Invalid(errors));
    }
    let w = store.write().await?;
    let p = load_in_scope(&*w, actor, id).await?;
    let county = regions::find(&*w, &p.county_code, "county_code").await?;
    actor.check_write(Duty::County, &county)?;
    if p.status != ProjectStatus::UnderConstruction.as_str() {
        return Err(Error::conflict("invalid_state", "只有在建项目可以竣工验收"));
    }
    let total = Fen::sum(input.assets.iter().map(|a| a.value)).on("assets")?;
    if total.0 != p.investment_fen {
        return Err(Error::field(
            "assets",
            format!("资产原值合计 {total} 元, 应等于项目投资 {} 元", Fen(p.investment_fen)),
        ));
    }
    let mut rows = Vec::new();
    for (i, a) in input.assets.iter().enumerate() {
        let row = assets::ActiveModel {
            code: Set(format!("{}-{:02}", p.code, i + 1)),
            project_id: Set(p.id),
            county_code: Set(p.county_code.clone()),
            name: Set(a.name.trim().into()),
            class: Set(a.class.as_str().into()),
            form: Set(a.form.unwrap_or(AssetForm::Fixed).as_str().into()),
            value_fen: Set(a.value.0),
            operation_mode: Set(a.operation_mode.map(|m| m.as_str().to_string())),
            operator: Set(a.operator.clone()),
            pv_capacity_kw: Set(a.pv_capacity_kw.map(crate::domain::decimal::format)),
            status: Set(AssetStatus::InUse.as_str().into()),
            formed_on: Set(input.accepted_on),
            ..Default::default()
        }
        .insert(&*w)
        .await?;
        rows.push(row);
    }
    let mut am: projects::ActiveModel = p.into();
    am.status = Set(ProjectStatus::Accepted.as_str().into());
    am.accepted_on = Set(Some(input.accepted_on));
    am.update(&*w).await?;
    let formed: Vec<Aggregate> = rows.iter().map(|a| Aggregate::Asset(a.id)).collect();
    let views = asset_views(&*w, rows).await?;
    let change = audit::Change::new("project.accept", "project", id, &(), &views);
    audit::append_change(&*w, actor, change, &formed).await?;
    w.commit().await?;
    Ok(views)
}
