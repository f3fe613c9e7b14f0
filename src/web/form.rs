//! Form state (表单回显与字段错误): what the user typed, read back field by field into typed
//! values, and the Chinese message of each refused field shown next to it. Field names are the
//! services' (`funding[0].amount`, `owners`, `id_number`), so a service's `Error::Invalid` lands on
//! the input it names.

use crate::domain::{Error, Fen};
use chrono::NaiveDate;
use maud::{Markup, html};
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// Fields never echoed back into a re-rendered form (they stay masked on every page).
const SECRET: [&str; 2] = ["id_number", "bank_account"];

/// A submitted (or blank) form: values, per-field errors, and which fields the page has shown.
#[derive(Default)]
pub struct FormState {
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    shown: RefCell<HashSet<String>>,
}

impl FormState {
    /// A form as submitted.
    pub fn new(values: HashMap<String, String>) -> FormState {
        FormState {
            values,
            ..FormState::default()
        }
    }

    /// What the user typed in `name` (empty when nothing).
    pub fn value(&self, name: &str) -> &str {
        if SECRET.contains(&name) {
            return "";
        }
        self.values.get(name).map_or("", |v| v.as_str())
    }

    /// Sets a value shown in the form (a default, or a computed fill-in).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), value.into());
    }

    pub fn add_error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_string(), message.into()));
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Takes a service's refusal: per-field messages onto their fields, anything else as a message
    /// for the whole form.
    pub fn take_error(&mut self, e: &Error) {
        match e {
            Error::Invalid(fields) => {
                for f in fields {
                    self.add_error(&f.field, f.message.clone());
                }
            }
            Error::Conflict {
                message,
                field: Some(field),
                ..
            } => self.add_error(field, message.clone()),
            Error::Internal(cause) => {
                let cause = crate::domain::identity::redact(cause);
                tracing::error!(%cause, "form failed");
                self.add_error("", "服务器内部错误");
            }
            other => self.add_error("", other.to_string()),
        }
    }

    /// The trimmed text of a field.
    pub fn text(&self, name: &str) -> String {
        self.values.get(name).map(|v| v.trim().to_string()).unwrap_or_default()
    }

    /// Whether a field was left blank.
    pub fn blank(&self, name: &str) -> bool {
        self.text(name).is_empty()
    }

    /// A required text field.
    pub fn required(&mut self, name: &str) -> String {
        let t = self.text(name);
        if t.is_empty() {
            self.add_error(name, "此项必填");
        }
        t
    }

    /// An amount in yuan with at most two decimals; blank is `None`.
    pub fn money(&mut self, name: &str) -> Option<Fen> {
        let t = self.text(name).replace(',', "");
        if t.is_empty() {
            return None;
        }
        match Fen::parse_non_negative(&t) {
            Ok(f) => Some(f),
            Err(e) => {
                self.add_error(name, e.to_string());
                None
            }
        }
    }

    /// A required amount.
    pub fn money_required(&mut self, name: &str) -> Fen {
        let f = self.money(name);
        if f.is_none() && self.blank(name) {
            self.add_error(name, "请填写金额");
        }
        f.unwrap_or(Fen::ZERO)
    }

    /// A date `YYYY-MM-DD`; blank is `None`.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let t = self.text(name);
        if t.is_empty() {
            return None;
        }
        let d = t.parse().ok();
        if d.is_none() {
            self.add_error(name, "日期格式应为 YYYY-MM-DD");
        }
        d
    }

    /// A required date (today's date stands in while the error is shown).
    pub fn date_required(&mut self, name: &str) -> NaiveDate {
        let d = self.date(name);
        if d.is_none() && self.blank(name) {
            self.add_error(name, "请填写日期");
        }
        d.unwrap_or_else(crate::service::today)
    }

    /// A whole number; blank is `None`.
    pub fn int(&mut self, name: &str) -> Option<i32> {
        let t = self.text(name);
        if t.is_empty() {
            return None;
        }
        let n = t.parse().ok();
        if n.is_none() {
            self.add_error(name, "应为整数");
        }
        n
    }

    /// A required whole number.
    pub fn int_required(&mut self, name: &str) -> i32 {
        let n = self.int(name);
        if n.is_none() && self.blank(name) {
            self.add_error(name, "此项必填");
        }
        n.unwrap_or_default()
    }

    /// A decimal such as a rate or a quantity; blank is `None`.
    pub fn decimal(&mut self, name: &str) -> Option<Decimal> {
        let t = self.text(name);
        if t.is_empty() {
            return None;
        }
        let d = Decimal::from_str(&t).ok();
        if d.is_none() {
            self.add_error(name, "应为数字, 如 0.05");
        }
        d
    }

    /// One of a vocabulary's identifiers.
    pub fn choice<T>(&mut self, name: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
        let t = self.text(name);
        let v = parse(&t);
        if v.is_none() {
            self.add_error(name, "请选择");
        }
        v
    }

    /// The messages of one field, marked as shown.
    pub fn errors_of(&self, name: &str) -> Markup {
        self.shown.borrow_mut().insert(name.to_string());
        html! {
            @for (f, m) in &self.errors {
                @if f == name { span.error role="alert" { (m) } }
            }
        }
    }

    /// A labelled input with its value and its errors.
    pub fn input(&self, name: &str, label: &str, kind: &str) -> Markup {
        let bad = self.errors.iter().any(|(f, _)| f == name);
        html! {
            label.field {
                (label)
                input type=(kind) name=(name) value=(self.value(name)) aria-invalid=[bad.then_some("true")] step=[(kind == "number").then_some("any")];
                (self.errors_of(name))
            }
        }
    }

    /// A labelled select over `(value, label)` options, the typed one selected.
    pub fn select(&self, name: &str, label: &str, options: &[(&str, &str)]) -> Markup {
        html! {
            label.field {
                (label)
                select name=(name) {
                    @for (v, l) in options { option value=(v) selected[self.value(name) == *v] { (l) } }
                }
                (self.errors_of(name))
            }
        }
    }

    /// A labelled checkbox.
    pub fn checkbox(&self, name: &str, label: &str) -> Markup {
        html! {
            label.check { input type="checkbox" name=(name) value="1" checked[!self.value(name).is_empty()]; (label) (self.errors_of(name)) }
        }
    }

    /// The errors no field on the page has shown (whole-form refusals, list-level fields such as
    /// `funding`): call after building the fields.
    pub fn others(&self) -> Markup {
        let shown = self.shown.borrow();
        let rest: Vec<&String> = self
            .errors
            .iter()
            .filter(|(f, _)| !shown.contains(f))
            .map(|(_, m)| m)
            .collect();
        html! {
            @if !rest.is_empty() {
                div.alert role="alert" {
                    "未能保存, 请修改:"
                    ul { @for m in rest { li { (m) } } }
                }
            } @else if self.has_errors() {
                div.alert role="alert" { "未能保存, 请按提示修改标红的内容。" }
            }
        }
    }

    /// How many lines a repeated group (funding lines, assets, owners…) shows: the submitted
    /// count, one more after "添加一行", one fewer after "删除一行", never below one.
    pub fn lines(&self, group: &str, default: usize) -> usize {
        let n: usize = self
            .text(&format!("{group}_lines"))
            .parse()
            .unwrap_or(default)
            .clamp(1, 200);
        let op = self.text("op");
        if op == format!("add_{group}") {
            n + 1
        } else if op == format!("remove_{group}") {
            n.saturating_sub(1).max(1)
        } else {
            n
        }
    }

    /// The lines of a group with anything typed in one of `keys` (blank lines are left out).
    pub fn filled(&self, group: &str, n: usize, keys: &[&str]) -> Vec<usize> {
        (0..n)
            .filter(|i| keys.iter().any(|k| !self.blank(&format!("{group}[{i}].{k}"))))
            .collect()
    }

    /// Whether the submit was one of a group's add/remove buttons (re-render, save nothing).
    pub fn reshaping(&self, group: &str) -> bool {
        let op = self.text("op");
        op == format!("add_{group}") || op == format!("remove_{group}")
    }

    /// The hidden line count and the add/remove buttons of a group.
    pub fn line_buttons(&self, group: &str, n: usize) -> Markup {
        html! {
            input type="hidden" name=(format!("{group}_lines")) value=(n);
            div.actions {
                button.secondary type="submit" name="op" value=(format!("add_{group}")) formnovalidate { "添加一行" }
                @if n > 1 { button.secondary type="submit" name="op" value=(format!("remove_{group}")) formnovalidate { "删除最后一行" } }
            }
        }
    }
}

/// Renames the fields of a service's refusal from the compacted lines it was given
/// (`funding[k].amount`) back to the form's lines (`funding[idx[k]].amount`).
pub fn remap(e: Error, group: &str, idx: &[usize]) -> Error {
    let Error::Invalid(fields) = e else { return e };
    let prefix = format!("{group}[");
    Error::Invalid(
        fields
            .into_iter()
            .map(|mut f| {
                if let Some(rest) = f.field.strip_prefix(&prefix)
                    && let Some((k, tail)) = rest.split_once(']')
                    && let Some(i) = k.parse::<usize>().ok().and_then(|k| idx.get(k))
                {
                    f.field = format!("{group}[{i}]{tail}");
                }
                f
            })
            .collect(),
    )
}
