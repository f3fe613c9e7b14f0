//! `relief-ledger report contracts|arrears|idle`: the watch lists (监管清单) as CSV for the
//! county office's spreadsheets (UTF-8 with BOM so Excel shows the Chinese headers).

use crate::cli::describe;
use crate::service::{Actor, Store, watch};
use chrono::NaiveDate;

/// Which list.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum List {
    /// Contracts ending within a window (到期合同).
    Contracts,
    /// Rent and guaranteed returns owed (欠缴租金/保底收益).
    Arrears,
    /// Idle or damaged assets and since when (闲置/损毁资产).
    Idle,
}

/// The options of the lists.
#[derive(Debug, Clone)]
pub struct Filter {
    pub region: Option<String>,
    pub year: Option<i32>,
    pub as_of: Option<NaiveDate>,
    pub within_days: Option<i64>,
}

/// The list as CSV bytes.
///
/// # Errors
/// A message for the user.
pub async fn csv(store: &Store, list: List, f: Filter) -> Result<Vec<u8>, String> {
    let actor = Actor::system("cli");
    let (header, rows): (&[&str], Vec<Vec<String>>) = match list {
        List::Contracts => {
            let q = watch::ContractsQuery {
                region_code: f.region,
                as_of: f.as_of,
                within_days: f.within_days,
            };
            let items = watch::expiring(store, &actor, &q).await.map_err(describe)?;
            (
                &[
                    "资产ID",
                    "资产名称",
                    "经营主体",
                    "合同到期日",
                    "剩余天数",
                    "年租金/保底收益",
                ],
                items
                    .into_iter()
                    .map(|i| {
                        vec![
                            i.asset_id.to_string(),
                            i.asset_name,
                            i.operator,
                            i.end.to_string(),
                            i.days_left.to_string(),
                            i.annual_amount.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        List::Arrears => {
            let q = watch::ArrearsQuery {
                region_code: f.region,
                year: f.year,
            };
            let items = watch::arrears(store, &actor, &q).await.map_err(describe)?;
            (
                &["资产ID", "资产名称", "经营主体", "应收", "实收", "欠缴"],
                items
                    .into_iter()
                    .map(|i| {
                        vec![
                            i.asset_id.to_string(),
                            i.asset_name,
                            i.operator,
                            i.due.to_string(),
                            i.received.to_string(),
                            i.arrears.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
        List::Idle => {
            let q = watch::IdleQuery {
                region_code: f.region,
                as_of: f.as_of,
            };
            let items = watch::idle(store, &actor, &q).await.map_err(describe)?;
            (
                &["资产ID", "资产名称", "状态", "起始日期", "持续天数", "资产原值"],
                items
                    .into_iter()
                    .map(|i| {
                        vec![
                            i.asset_id.to_string(),
                            i.asset_name,
                            i.status,
                            i.since.to_string(),
                            i.days.to_string(),
                            i.value.to_string(),
                        ]
                    })
                    .collect(),
            )
        }
    };
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header).map_err(|e| e.to_string())?;
    for r in rows {
        w.write_record(&r).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}
