//! The project list (项目库): one row per project with its funding by source in columns
//! (中央资金, 省级资金, 市级资金, 县级资金, 东西部协作, 定点帮扶, 社会捐赠, 村自筹, 其他资金). Projects are
//! keyed by 项目编号: a new one is created through the same service as `POST /projects`; a
//! changed one is updated while it is still 计划 (planned), and refused once approved, since its
//! funding is then fixed.

use super::{Columns, Field, Report, RowError};
use crate::domain::vocab::{FundingSource, ProjectKind, ProjectStatus, RegionLevel};
use crate::domain::{Error, Fen, Result};
use crate::service::access::Duty;
use crate::service::projects::{Funding, NewProject, create_in};
use crate::service::{Actor, Store, audit};
use crate::sheet::Sheet;
use entity::{funding_lines, project_villages, projects, regions};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

const FIELDS: &[Field] = &[
    ("code", &["项目编号", "项目代码", "项目编码"], true),
    ("name", &["项目名称"], true),
    ("county", &["所属县", "县(市、区)", "县区", "县"], true),
    ("kind", &["项目类型", "项目类别"], true),
    ("year", &["年度", "项目年度", "实施年度"], true),
    ("implementing_unit", &["实施单位", "项目实施单位"], false),
    ("villages", &["受益村", "受益村名称", "实施地点"], false),
    ("document", &["文号", "资金文号", "批复文号"], false),
    ("investment", &["总投资", "项目总投资", "资金合计"], false),
];

/// The funding columns (资金来源), each source with the headers offices use for it.
const SOURCES: &[(FundingSource, &[&str])] = &[
    (
        FundingSource::Central,
        &["中央资金", "中央财政衔接资金", "中央衔接资金"],
    ),
    (
        FundingSource::Provincial,
        &["省级资金", "省级财政衔接资金", "省级衔接资金"],
    ),
    (FundingSource::City, &["市级资金", "市级财政衔接资金", "市级衔接资金"]),
    (FundingSource::County, &["县级资金", "县级财政衔接资金", "县级衔接资金"]),
    (FundingSource::EastWest, &["东西部协作", "东西部协作资金"]),
    (FundingSource::PairedSupport, &["定点帮扶", "定点帮扶资金"]),
    (FundingSource::Donation, &["社会捐赠", "社会捐赠资金"]),
    (FundingSource::VillageOwn, &["村自筹", "村集体自筹", "自筹资金"]),
    (FundingSource::Other, &["其他资金", "其他"]),
];

/// Reads the words offices write for a project type (项目类型).
fn kind_word(word: &str) -> Option<ProjectKind> {
    let w = word.trim();
    let alias = match w {
        "种植" | "种植类" => Some(ProjectKind::Planting),
        "养殖" | "养殖类" | "畜牧业" => Some(ProjectKind::Livestock),
        "加工" | "农产品加工" => Some(ProjectKind::Processing),
        "光伏发电" | "光伏电站" | "光伏扶贫" => Some(ProjectKind::Photovoltaic),
        "旅游" | "乡村旅游业" => Some(ProjectKind::Tourism),
        "扶贫车间" | "帮扶车间" => Some(ProjectKind::Workshop),
        "电商" | "农村电商" => Some(ProjectKind::Ecommerce),
        "基础设施建设" | "村内基础设施" => Some(ProjectKind::Infrastructure),
        _ => None,
    };
    alias.or_else(|| {
        ProjectKind::ALL
            .iter()
            .copied()
            .find(|k| k.label() == w || k.as_str() == w)
    })
}

/// Regions by code and by name, of one level.
struct Places {
    by_code: HashMap<String, regions::Model>,
    by_name: HashMap<String, Vec<String>>,
}

impl Places {
    async fn load<C: ConnectionTrait>(db: &C, level: RegionLevel) -> Result<Places> {
        let rows = regions::Entity::find()
            .filter(regions::Column::Level.eq(level.as_str()))
            .all(db)
            .await?;
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        for r in &rows {
            by_name.entry(r.name.clone()).or_default().push(r.code.clone());
        }
        Ok(Places {
            by_code: rows.into_iter().map(|r| (r.code.clone(), r)).collect(),
            by_name,
        })
    }

    fn resolve(&self, text: &str) -> std::result::Result<&regions::Model, String> {
        let t = text.trim();
        if let Some(r) = self.by_code.get(t) {
            return Ok(r);
        }
        match self.by_name.get(t).map(Vec::as_slice) {
            Some([one]) => self.by_code.get(one).ok_or_else(|| format!("未知的区划 {t}")),
            Some(_) => Err(format!("{t} 不唯一, 请填写12位区划代码")),
            None if t.is_empty() => Err("不能为空".into()),
            None => Err(format!("未知的区划 {t}")),
        }
    }
}

/// A checked row: the project as `POST /projects` takes it.
struct Row {
    n: usize,
    input: NewProject,
}

fn check_row(
    n: usize,
    cells: &[String],
    cols: &Columns,
    sources: &[(FundingSource, usize, String)],
    counties: &Places,
    villages: &Places,
) -> std::result::Result<Row, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell = |field: &str| cols.cell(cells, field);
    let code = cell("code").to_string();
    if code.is_empty() {
        errors.push(cols.error(n, "code", "不能为空"));
    }
    let name = cell("name").to_string();
    if name.is_empty() {
        errors.push(cols.error(n, "name", "不能为空"));
    }
    let county = counties
        .resolve(cell("county"))
        .map_err(|r| errors.push(cols.error(n, "county", r)))
        .ok();
    let kind = kind_word(cell("kind"));
    if kind.is_none() {
        errors.push(cols.error(
            n,
            "kind",
            "未知的项目类型, 应为 种植业/养殖业/加工业/光伏/乡村旅游/就业帮扶车间/电子商务/基础设施/其他",
        ));
    }
    let year = cell("year").parse::<i32>().ok().filter(|y| (1990..=2100).contains(y));
    if year.is_none() {
        errors.push(cols.error(n, "year", "应为 1990 至 2100 之间的年份"));
    }
    let mut village_codes = Vec::new();
    for part in cell("villages")
        .split(['、', ',', '，', ';', '；', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match villages.resolve(part) {
            Ok(v) if county.is_some_and(|c| v.county_code.as_deref() != Some(c.code.as_str())) => {
                errors.push(cols.error(n, "villages", format!("{part} 不在本县")));
            }
            Ok(v) if village_codes.contains(&v.code) => {
                errors.push(cols.error(n, "villages", format!("{part} 重复")));
            }
            Ok(v) => village_codes.push(v.code.clone()),
            Err(r) => errors.push(cols.error(n, "villages", r)),
        }
    }
    let mut funding = Vec::new();
    for (source, col, header) in sources {
        let text = cells.get(*col).map_or("", |s| s.trim());
        if text.is_empty() {
            continue;
        }
        match Fen::parse_non_negative(text) {
            Ok(f) if f == Fen::ZERO => {}
            Ok(amount) => funding.push(Funding {
                source: *source,
                amount,
                fiscal_year: year.unwrap_or_default(),
                document: cell("document").to_string(),
            }),
            Err(e) => errors.push(RowError {
                row: n,
                column: header.clone(),
                reason: e.to_string(),
            }),
        }
    }
    if funding.is_empty() && errors.iter().all(|e| !sources.iter().any(|(_, _, h)| *h == e.column)) {
        errors.push(RowError {
            row: n,
            column: sources.first().map(|(_, _, h)| h.clone()).unwrap_or_default(),
            reason: "至少需要一项资金来源".into(),
        });
    }
    if cols.has("investment") && !cell("investment").is_empty() {
        match (
            Fen::parse_non_negative(cell("investment")),
            Fen::sum(funding.iter().map(|f| f.amount)),
        ) {
            (Ok(total), Ok(sum)) if total != sum && !funding.is_empty() => {
                errors.push(cols.error(n, "investment", format!("与各来源资金合计 {sum} 元不符")));
            }
            (Err(e), _) => errors.push(cols.error(n, "investment", e.to_string())),
            _ => {}
        }
    }
    match (county, kind, year) {
        (Some(county), Some(kind), Some(year)) if errors.is_empty() => Ok(Row {
            n,
            input: NewProject {
                code,
                name,
                county_code: county.code.clone(),
                kind: kind.as_str().into(),
                year,
                implementing_unit: cell("implementing_unit").to_string(),
                village_codes,
                funding,
            },
        }),
        _ => Err(errors),
    }
}

/// What is stored of a project, to compare with a row: (name, county, kind, year, unit,
/// villages, funding lines (source, fen, fiscal year, document)).
type Stored = (
    String,
    String,
    String,
    i32,
    String,
    Vec<String>,
    Vec<(String, i64, i32, String)>,
);

fn stored_of(input: &NewProject) -> Stored {
    let mut lines: Vec<_> = input
        .funding
        .iter()
        .map(|f| {
            (
                f.source.as_str().to_string(),
                f.amount.0,
                f.fiscal_year,
                f.document.clone(),
            )
        })
        .collect();
    lines.sort();
    let mut villages = input.village_codes.clone();
    villages.sort();
    (
        input.name.clone(),
        input.county_code.clone(),
        input.kind.clone(),
        input.year,
        input.implementing_unit.clone(),
        villages,
        lines,
    )
}

async fn load_stored<C: ConnectionTrait>(db: &C, p: &projects::Model) -> Result<Stored> {
    let mut villages: Vec<String> = project_villages::Entity::find()
        .filter(project_villages::Column::ProjectId.eq(p.id))
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.village_code)
        .collect();
    villages.sort();
    let mut lines: Vec<_> = funding_lines::Entity::find()
        .filter(funding_lines::Column::ProjectId.eq(p.id))
        .order_by_asc(funding_lines::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.source, f.amount_fen, f.fiscal_year, f.document))
        .collect();
    lines.sort();
    Ok((
        p.name.clone(),
        p.county_code.clone(),
        p.kind.clone(),
        p.year,
        p.implementing_unit.clone(),
        villages,
        lines,
    ))
}

/// Checks every row of a project list, then (unless a dry run or any row is bad) creates or
/// updates the projects in one transaction, each with its audit entry.
///
/// # Errors
/// [`Error::Forbidden`] for a county outside the actor's scope; a database error. Bad rows are
/// in the report.
pub async fn projects(store: &Store, actor: &Actor, sheet: &Sheet, dry_run: bool) -> Result<Report> {
    let mut report = Report::new(sheet);
    let cols = match Columns::locate(sheet, FIELDS, &HashMap::new()) {
        Ok(c) => c,
        Err(missing) => {
            report.errors = missing;
            return Ok(report);
        }
    };
    let sources: Vec<(FundingSource, usize, String)> = SOURCES
        .iter()
        .filter_map(|(s, headers)| {
            headers
                .iter()
                .find_map(|h| sheet.column(h).map(|c| (*s, c, h.to_string())))
        })
        .collect();
    if sources.is_empty() {
        report.errors.push(RowError {
            row: 1,
            column: "中央资金".into(),
            reason: "缺少资金来源列 (中央资金、省级资金、市级资金、县级资金、东西部协作、定点帮扶、社会捐赠、村自筹…)"
                .into(),
        });
        return Ok(report);
    }
    let w = store.write().await?;
    let counties = Places::load(&*w, RegionLevel::County).await?;
    let villages = Places::load(&*w, RegionLevel::Village).await?;
    let mut rows = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (n, cells) in &sheet.rows {
        match check_row(*n, cells, &cols, &sources, &counties, &villages) {
            Ok(row) => match first_seen.insert(row.input.code.clone(), *n) {
                Some(first) => report
                    .errors
                    .push(cols.error(*n, "code", format!("项目编号重复 (与第{first}行)"))),
                None => rows.push(row),
            },
            Err(errs) => report.errors.extend(errs),
        }
    }
    for row in &rows {
        if let Some(county) = counties.by_code.get(&row.input.county_code) {
            actor.check_write(Duty::County, county)?;
        }
    }
    let mut existing: HashMap<String, projects::Model> = HashMap::new();
    let codes: Vec<String> = rows.iter().map(|r| r.input.code.clone()).collect();
    for chunk in codes.chunks(500) {
        for p in projects::Entity::find()
            .filter(projects::Column::Code.is_in(chunk.to_vec()))
            .all(&*w)
            .await?
        {
            existing.insert(p.code.clone(), p);
        }
    }
    let mut plan = Vec::new();
    for row in rows {
        match existing.get(&row.input.code) {
            None => plan.push((row, None)),
            Some(p) if p.county_code != row.input.county_code => {
                report.errors.push(cols.error(row.n, "county", "项目编号已属于其他县"));
            }
            Some(p) => {
                if load_stored(&*w, p).await? == stored_of(&row.input) {
                    report.unchanged += 1;
                } else if p.status != ProjectStatus::Planned.as_str() {
                    let status = ProjectStatus::label_of(&p.status);
                    report.errors.push(cols.error(
                        row.n,
                        "code",
                        format!("项目已{status}, 资金与内容不能再通过导入修改"),
                    ));
                } else {
                    plan.push((row, Some(p.clone())));
                }
            }
        }
    }
    if !report.errors.is_empty() {
        report.finish_errors();
        return Ok(report);
    }
    report.created = plan.iter().filter(|(_, p)| p.is_none()).count();
    report.updated = plan.len() - report.created;
    if dry_run {
        return Ok(report);
    }
    for (row, current) in plan {
        let n = row.n;
        let outcome = match current {
            None => create_in(&*w, actor, row.input).await.map(|_| ()),
            Some(p) => update(&*w, actor, p, row.input).await,
        };
        match outcome {
            Ok(()) => {}
            Err(Error::Invalid(fields)) => {
                report.errors.extend(fields.into_iter().map(|f| RowError {
                    row: n,
                    column: cols.header("code"),
                    reason: format!("{}: {}", f.field, f.message),
                }));
            }
            Err(Error::Conflict { message, .. }) => report.errors.push(cols.error(n, "code", message)),
            Err(e) => return Err(e),
        }
    }
    if !report.errors.is_empty() {
        // Dropping the transaction rolls back whatever the rows before wrote.
        report.created = 0;
        report.updated = 0;
        report.finish_errors();
        return Ok(report);
    }
    w.commit().await?;
    report.written = true;
    Ok(report)
}

/// Rewrites a planned project from its row: its fields, beneficiary villages and funding lines.
async fn update<C: ConnectionTrait>(db: &C, actor: &Actor, p: projects::Model, input: NewProject) -> Result<()> {
    let investment =
        Fen::sum(input.funding.iter().map(|f| f.amount)).map_err(|e| Error::field("funding", e.to_string()))?;
    let before = load_stored(db, &p).await?;
    let id = p.id;
    let mut am: projects::ActiveModel = p.into();
    am.name = Set(input.name.clone());
    am.kind = Set(input.kind.clone());
    am.year = Set(input.year);
    am.implementing_unit = Set(input.implementing_unit.clone());
    am.investment_fen = Set(investment.0);
    am.update(db).await?;
    project_villages::Entity::delete_many()
        .filter(project_villages::Column::ProjectId.eq(id))
        .exec(db)
        .await?;
    funding_lines::Entity::delete_many()
        .filter(funding_lines::Column::ProjectId.eq(id))
        .exec(db)
        .await?;
    for code in &input.village_codes {
        project_villages::ActiveModel {
            project_id: Set(id),
            village_code: Set(code.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    for f in &input.funding {
        funding_lines::ActiveModel {
            project_id: Set(id),
            source: Set(f.source.as_str().into()),
            amount_fen: Set(f.amount.0),
            fiscal_year: Set(f.fiscal_year),
            document: Set(f.document.clone()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    audit::append(db, actor, "project.update", "project", id, &before, &stored_of(&input)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_types_read_in_the_words_offices_use() {
        assert_eq!(kind_word("光伏"), Some(ProjectKind::Photovoltaic));
        assert_eq!(kind_word("光伏电站"), Some(ProjectKind::Photovoltaic));
        assert_eq!(kind_word("种植业"), Some(ProjectKind::Planting));
        assert_eq!(kind_word("e_commerce"), Some(ProjectKind::Ecommerce));
        assert_eq!(kind_word("房地产"), None);
    }
}
