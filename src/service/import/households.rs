//! The household roster (建档立卡户花名册 / 监测对象名单). Households are keyed by 户编号: a
//! re-import updates them (a changed status or labour capacity is appended to the history) and
//! never duplicates them. A clean file is written in batches of 500 rows a statement inside the
//! one transaction, with one audit entry per household written.

use super::{AuditEntry, Columns, Field, LOST_DIGITS, Report, RowError, audit_batch, lost_digits, parse_date};
use crate::domain::identity::{IdNumber, mask_bank_account, mask_id_number, parse_bank_account};
use crate::domain::vocab::{HouseholdStatus, Labour, RegionLevel};
use crate::domain::{Error, Result};
use crate::service::access::Duty;
use crate::service::{Actor, Store, audit, now_text, today};
use crate::sheet::Sheet;
use chrono::NaiveDate;
use entity::{household_statuses, households, regions};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use std::collections::HashMap;

/// The roster's fields and the headers each is known by, the usual one first.
const FIELDS: &[Field] = &[
    ("number", &["户编号", "农户编号", "户码"], true),
    ("head_name", &["户主姓名", "户主", "姓名"], true),
    (
        "id_number",
        &["身份证号", "户主身份证号", "身份证号码", "证件号码"],
        true,
    ),
    ("members", &["家庭人口", "家庭人口数", "人口数", "家庭人数"], true),
    ("labour", &["劳动能力", "劳动力状况"], true),
    (
        "status",
        &["户类别", "脱贫户属性", "监测对象类别", "户属性", "人口类型"],
        true,
    ),
    ("village", &["所属村", "行政村", "村"], true),
    ("disabled", &["是否残疾", "是否有残疾人", "残疾"], false),
    ("group", &["村民小组", "所属组", "组"], false),
    ("bank_account", &["银行账号", "银行卡号", "账号"], false),
    ("effective_date", &["纳入日期", "认定日期", "生效日期"], false),
];

/// How to read the file.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The header of the village column (default 所属村).
    pub village_column: Option<String>,
    /// Field → header, where a county's headers differ (from `--mapping`).
    pub mapping: HashMap<String, String>,
    pub dry_run: bool,
}

/// A row that passed every check.
#[derive(Debug, Clone)]
struct Row {
    village: String,
    number: String,
    head_name: String,
    id_number: String,
    members: i32,
    labour: Labour,
    status: HouseholdStatus,
    disabled: bool,
    group: String,
    bank_account: String,
    effective_date: Option<NaiveDate>,
}

/// Reads the words offices write for labour capacity.
pub fn labour_word(word: &str) -> Option<Labour> {
    match word.trim() {
        "有劳动能力" | "有" | "有劳动力" | "普通劳动力" | "技能劳动力" | "full" => {
            Some(Labour::Full)
        }
        "弱劳动能力" | "弱" | "弱劳动力" | "半劳动力" | "weak" => Some(Labour::Weak),
        "无劳动能力" | "无" | "丧失劳动能力" | "无劳动力" | "none" => Some(Labour::None),
        _ => None,
    }
}

/// Reads the words offices write for a household's status.
pub fn status_word(word: &str) -> Option<HouseholdStatus> {
    let w = word.trim();
    HouseholdStatus::ALL
        .iter()
        .copied()
        .find(|s| s.label() == w || s.as_str() == w)
}

fn yes_no(word: &str) -> Option<bool> {
    match word.trim() {
        "是" | "有" | "1" | "Y" | "y" | "true" => Some(true),
        "否" | "无" | "0" | "" | "N" | "n" | "false" => Some(false),
        _ => None,
    }
}

/// Villages by code and by name (a name shared by two villages must be given as a code).
struct Villages {
    by_code: HashMap<String, regions::Model>,
    by_name: HashMap<String, Vec<String>>,
}

impl Villages {
    async fn load<C: ConnectionTrait>(db: &C) -> Result<Villages> {
        let rows = regions::Entity::find()
            .filter(regions::Column::Level.eq(RegionLevel::Village.as_str()))
            .all(db)
            .await?;
        let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
        for r in &rows {
            by_name.entry(r.name.clone()).or_default().push(r.code.clone());
        }
        Ok(Villages {
            by_code: rows.into_iter().map(|r| (r.code.clone(), r)).collect(),
            by_name,
        })
    }

    fn resolve(&self, text: &str) -> std::result::Result<String, &'static str> {
        let t = text.trim();
        if self.by_code.contains_key(t) {
            return Ok(t.to_string());
        }
        match self.by_name.get(t).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some(_) => Err("村名不唯一, 请填写12位区划代码"),
            None if t.is_empty() => Err("不能为空"),
            None => Err("未知的村"),
        }
    }
}

/// Checks one row; every bad cell is reported.
fn check_row(
    n: usize,
    cells: &[String],
    cols: &Columns,
    villages: &Villages,
) -> std::result::Result<Row, Vec<RowError>> {
    let mut errors = Vec::new();
    let cell = |field: &str| cols.cell(cells, field);
    let mut bad = |field: &str, reason: &str| errors.push(cols.error(n, field, reason));
    let village = villages.resolve(cell("village")).map_err(|r| bad("village", r)).ok();
    let number = cell("number").to_string();
    if number.is_empty() {
        bad("number", "不能为空");
    }
    let head_name = cell("head_name").to_string();
    if head_name.is_empty() {
        bad("head_name", "不能为空");
    }
    let id_number = if lost_digits(cell("id_number")) {
        bad("id_number", LOST_DIGITS);
        None
    } else {
        IdNumber::parse(cell("id_number"))
            .map_err(|e| bad("id_number", &e.to_string()))
            .ok()
    };
    let members = cell("members").parse::<i32>().ok().filter(|m| (1..=99).contains(m));
    if members.is_none() {
        bad("members", "应为 1 至 99 的整数");
    }
    let labour = labour_word(cell("labour"));
    if labour.is_none() {
        bad("labour", "未知的劳动能力, 应为 有劳动能力/弱劳动能力/无劳动能力");
    }
    let status = status_word(cell("status"));
    if status.is_none() {
        bad(
            "status",
            "未知的户类别, 应为 脱贫户/脱贫不稳定户/边缘易致贫户/突发严重困难户/一般农户",
        );
    }
    let disabled = yes_no(cell("disabled"));
    if disabled.is_none() {
        bad("disabled", "应为 是 或 否");
    }
    let bank = match cell("bank_account") {
        "" => Some(String::new()),
        b if lost_digits(b) => {
            bad("bank_account", LOST_DIGITS);
            None
        }
        b => parse_bank_account(b)
            .map_err(|e| bad("bank_account", &e.to_string()))
            .ok(),
    };
    let effective_date = match cell("effective_date") {
        "" => Some(None),
        d => parse_date(d).map(Some),
    };
    if effective_date.is_none() {
        bad("effective_date", "日期格式应为 YYYY-MM-DD");
    }
    match (
        village,
        id_number,
        members,
        labour,
        status,
        disabled,
        bank,
        effective_date,
    ) {
        (
            Some(village),
            Some(id),
            Some(members),
            Some(labour),
            Some(status),
            Some(disabled),
            Some(bank_account),
            Some(effective_date),
        ) if errors.is_empty() => Ok(Row {
            village,
            number,
            head_name,
            id_number: id.as_str().to_string(),
            members,
            labour,
            status,
            disabled,
            group: cell("group").to_string(),
            bank_account,
            effective_date,
        }),
        _ => Err(errors),
    }
}

/// Checks every row of the sheet; the good rows (a repeated 户编号 is an error on the later row).
fn check_rows(sheet: &Sheet, cols: &Columns, villages: &Villages, errors: &mut Vec<RowError>) -> Vec<(usize, Row)> {
    let mut rows = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (n, cells) in &sheet.rows {
        match check_row(*n, cells, cols, villages) {
            Ok(row) => {
                if let Some(first) = first_seen.insert(row.number.clone(), *n) {
                    errors.push(cols.error(*n, "number", format!("户编号重复 (与第{first}行)")));
                } else {
                    rows.push((*n, row));
                }
            }
            Err(errs) => errors.extend(errs),
        }
    }
    rows
}

/// The row checks of [`households`] without a database, against the given villages (code, name):
/// `created` counts the rows that passed, `errors` lists every bad cell. Nothing is written. For
/// the fuzz targets (`fuzz/`), which run without a database.
#[doc(hidden)]
pub fn check_offline(sheet: &Sheet, village_column: Option<&str>, villages: &[(&str, &str)]) -> Report {
    let mut report = Report::new(sheet);
    let mut mapping = HashMap::new();
    if let Some(h) = village_column {
        mapping.insert("village".to_string(), h.to_string());
    }
    let cols = match Columns::locate(sheet, FIELDS, &mapping) {
        Ok(c) => c,
        Err(missing) => {
            report.errors = missing;
            return report;
        }
    };
    let mut by_name: HashMap<String, Vec<String>> = HashMap::new();
    let mut by_code = HashMap::new();
    for (code, name) in villages {
        by_name.entry(name.to_string()).or_default().push(code.to_string());
        let region = regions::Model {
            code: code.to_string(),
            name: name.to_string(),
            level: RegionLevel::Village.as_str().to_string(),
            parent_code: None,
            county_code: None,
            township_code: None,
        };
        by_code.insert(code.to_string(), region);
    }
    let villages = Villages { by_code, by_name };
    report.created = check_rows(sheet, &cols, &villages, &mut report.errors).len();
    report.finish_errors();
    report
}

/// Checks every row, then (unless a dry run or any row is bad) writes them all in one transaction.
/// The actor must be allowed to keep the roster of every village the file names (the rule of
/// `POST /households`).
///
/// # Errors
/// [`Error::Forbidden`] for a village outside the actor's scope or role; a database error. Bad
/// rows are in the report, not an error.
pub async fn households(store: &Store, actor: &Actor, sheet: &Sheet, opts: &Options) -> Result<Report> {
    let mut report = Report::new(sheet);
    let mut mapping = opts.mapping.clone();
    if let Some(h) = &opts.village_column {
        mapping.entry("village".into()).or_insert_with(|| h.clone());
    }
    let cols = match Columns::locate(sheet, FIELDS, &mapping) {
        Ok(c) => c,
        Err(missing) => {
            report.errors = missing;
            return Ok(report);
        }
    };
    let w = store.write().await?;
    let villages = Villages::load(&*w).await?;
    let rows = check_rows(sheet, &cols, &villages, &mut report.errors);
    // The role and scope rule of `POST /households`, for every village the file names.
    let mut named: Vec<&str> = rows.iter().map(|(_, r)| r.village.as_str()).collect();
    named.sort_unstable();
    named.dedup();
    for code in named {
        if let Some(v) = villages.by_code.get(code) {
            actor.check_write(Duty::Village, v)?;
        }
    }
    let existing = existing(&*w, rows.iter().map(|(_, r)| r.number.clone()).collect()).await?;
    for (n, row) in &rows {
        let Some(current) = existing.get(&row.number) else {
            continue;
        };
        if current.0.village_code != row.village {
            report.errors.push(cols.error(*n, "number", "户编号已属于其他村"));
        } else if status_changed(current, row)
            && current
                .1
                .as_ref()
                .is_some_and(|s| s.effective_date == Some(row.effective_date.unwrap_or_else(today)))
        {
            report.errors.push(cols.error(
                *n,
                if cols.has("effective_date") {
                    "effective_date"
                } else {
                    "status"
                },
                "该日期已有一条属性记录; 属性变化须另填一个纳入日期",
            ));
        }
    }
    if !report.errors.is_empty() {
        report.finish_errors();
        return Ok(report);
    }
    let mut new = Vec::new();
    let mut changed_rows = Vec::new();
    for (_, row) in &rows {
        match existing.get(&row.number) {
            None => new.push(row),
            Some(current) if changed(current, row) => changed_rows.push((current, row)),
            Some(_) => report.unchanged += 1,
        }
    }
    report.created = new.len();
    report.updated = changed_rows.len();
    if opts.dry_run {
        return Ok(report);
    }
    let mut entries = create(&*w, &new).await?;
    entries.extend(update(&*w, &changed_rows).await?);
    let summary = json!({"rows": report.rows, "created": report.created, "updated": report.updated});
    audit_batch(&*w, actor, entries).await?;
    audit::append(&*w, actor, "household.import", "import", report.rows, &(), &summary).await?;
    w.commit().await?;
    report.written = true;
    Ok(report)
}

type Current = (households::Model, Option<household_statuses::Model>);

/// The households already known by these numbers, with their latest status entry.
async fn existing<C: ConnectionTrait>(db: &C, numbers: Vec<String>) -> Result<HashMap<String, Current>> {
    let mut out = HashMap::new();
    for chunk in numbers.chunks(500) {
        let hs = households::Entity::find()
            .filter(households::Column::Number.is_in(chunk.to_vec()))
            .all(db)
            .await?;
        let ids: Vec<i32> = hs.iter().map(|h| h.id).collect();
        let mut latest: HashMap<i32, household_statuses::Model> = HashMap::new();
        for s in household_statuses::Entity::find()
            .filter(household_statuses::Column::HouseholdId.is_in(ids))
            .order_by_asc(household_statuses::Column::EffectiveDate)
            .order_by_asc(household_statuses::Column::Id)
            .all(db)
            .await?
        {
            latest.insert(s.household_id, s);
        }
        for h in hs {
            let s = latest.remove(&h.id);
            out.insert(h.number.clone(), (h, s));
        }
    }
    Ok(out)
}

fn status_changed(current: &Current, row: &Row) -> bool {
    current
        .1
        .as_ref()
        .is_none_or(|s| s.status != row.status.as_str() || s.labour != row.labour.as_str())
}

fn changed(current: &Current, row: &Row) -> bool {
    let h = &current.0;
    h.head_name != row.head_name
        || h.id_number != row.id_number
        || h.members != row.members
        || h.disabled != row.disabled
        || h.group_name != row.group
        || h.bank_account != row.bank_account
        || status_changed(current, row)
}

/// What the audit log keeps of a row: identifiers masked.
fn audit_view(row: &Row) -> serde_json::Value {
    json!({"number": row.number, "village_code": row.village, "head_name": row.head_name, "id_number": mask_id_number(&row.id_number),
           "members": row.members, "labour": row.labour, "status": row.status, "disabled": row.disabled,
           "bank_account": mask_bank_account(&row.bank_account)})
}

fn status_model(household_id: i32, row: &Row, date: Option<NaiveDate>, now: &str) -> household_statuses::ActiveModel {
    household_statuses::ActiveModel {
        household_id: Set(household_id),
        effective_date: Set(date),
        status: Set(row.status.as_str().into()),
        labour: Set(row.labour.as_str().into()),
        created_at: Set(now.to_string()),
        ..Default::default()
    }
}

/// Inserts the new households 500 a statement, then their first status entries; gives their
/// audit entries.
async fn create<C: ConnectionTrait>(db: &C, rows: &[&Row]) -> Result<Vec<AuditEntry>> {
    let now = now_text();
    let mut entries = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(500) {
        let models: Vec<households::ActiveModel> = chunk
            .iter()
            .map(|r| households::ActiveModel {
                village_code: Set(r.village.clone()),
                number: Set(r.number.clone()),
                head_name: Set(r.head_name.clone()),
                id_number: Set(r.id_number.clone()),
                members: Set(r.members),
                disabled: Set(r.disabled),
                group_name: Set(r.group.clone()),
                bank_account: Set(r.bank_account.clone()),
                created_at: Set(now.clone()),
                ..Default::default()
            })
            .collect();
        households::Entity::insert_many(models)
            .exec_without_returning(db)
            .await?;
        let numbers: Vec<String> = chunk.iter().map(|r| r.number.clone()).collect();
        let ids: HashMap<String, i32> = households::Entity::find()
            .filter(households::Column::Number.is_in(numbers))
            .all(db)
            .await?
            .into_iter()
            .map(|h| (h.number, h.id))
            .collect();
        let mut statuses = Vec::with_capacity(chunk.len());
        for r in chunk {
            let id = *ids
                .get(&r.number)
                .ok_or_else(|| Error::Internal(format!("household {} not found after insert", r.number)))?;
            statuses.push(status_model(id, r, r.effective_date, &now));
            entries.push(AuditEntry {
                action: "household.create",
                entity: "household",
                entity_id: id.to_string(),
                after: audit_view(r),
                region_code: r.village.clone(),
            });
        }
        household_statuses::Entity::insert_many(statuses)
            .exec_without_returning(db)
            .await?;
    }
    Ok(entries)
}

/// Updates the changed households (one `UPDATE` each) and appends their status changes 500 a
/// statement, dated by the file's 纳入日期, else today (the history keeps the old entry).
async fn update<C: ConnectionTrait>(db: &C, rows: &[(&Current, &Row)]) -> Result<Vec<AuditEntry>> {
    let now = now_text();
    let mut entries = Vec::with_capacity(rows.len());
    let mut statuses = Vec::new();
    for (current, row) in rows {
        let h = &current.0;
        let mut am: households::ActiveModel = h.clone().into();
        am.head_name = Set(row.head_name.clone());
        am.id_number = Set(row.id_number.clone());
        am.members = Set(row.members);
        am.disabled = Set(row.disabled);
        am.group_name = Set(row.group.clone());
        am.bank_account = Set(row.bank_account.clone());
        am.update(db).await?;
        if status_changed(current, row) {
            statuses.push(status_model(
                h.id,
                row,
                Some(row.effective_date.unwrap_or_else(today)),
                &now,
            ));
        }
        entries.push(AuditEntry {
            action: "household.update",
            entity: "household",
            entity_id: h.id.to_string(),
            after: audit_view(row),
            region_code: h.village_code.clone(),
        });
    }
    let mut statuses = statuses.into_iter().peekable();
    while statuses.peek().is_some() {
        let chunk: Vec<_> = statuses.by_ref().take(500).collect();
        household_statuses::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_offices_use_are_understood() {
        assert_eq!(labour_word("丧失劳动能力"), Some(Labour::None));
        assert_eq!(labour_word("弱"), Some(Labour::Weak));
        assert_eq!(labour_word("强"), None);
        assert_eq!(status_word("边缘易致贫户"), Some(HouseholdStatus::Marginal));
        assert_eq!(status_word("富裕户"), None);
    }

    #[test]
    fn the_row_checks_run_without_a_database() {
        let id = IdNumber::with_check_digit("37162219800101001");
        let csv = format!(
            "户编号,户主姓名,身份证号,家庭人口,劳动能力,户类别,所属村\n\
             001,王建国,{id},3,无,脱贫户,南关村\n\
             002,李秀英,110105194912310021,0,强,脱贫户,东关村\n\
             001,张三,{id},2,有,一般农户,371622101201\n"
        );
        let sheet = crate::sheet::read(csv.as_bytes()).unwrap();
        let report = check_offline(&sheet, None, &[("371622101201", "南关村")]);
        assert_eq!((report.rows, report.created, report.written), (3, 1, false));
        let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "第3行 所属村 未知的村",
                "第3行 身份证号 校验位不正确",
                "第3行 家庭人口 应为 1 至 99 的整数",
                "第3行 劳动能力 未知的劳动能力, 应为 有劳动能力/弱劳动能力/无劳动能力",
                "第4行 户编号 户编号重复 (与第2行)",
            ]
        );
        let missing = check_offline(&sheet, Some("行政村"), &[]);
        assert_eq!(missing.errors.len(), 1);
        assert_eq!(missing.errors[0].to_string(), "第1行 行政村 缺少该列");
    }
}
