//! 扶贫项目资产收益绩效报告: the data of the annual performance report, rendered as a spreadsheet by
//! [`crate::xlsx::performance_xlsx`] and as a PDF by [`crate::pdf::performance_pdf`]. Strings are
//! formatted by the caller (rates are computed exactly there); money is in fen.

/// One asset (or project) line of the 绩效报告.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PerformanceItem {
    pub project_code: String,
    pub project_name: String,
    pub asset_code: String,
    pub asset_name: String,
    pub township: String,
    /// 类型, e.g. "光伏电站", "扶贫车间".
    pub kind_label: String,
    /// 投资额.
    pub investment_fen: i64,
    /// 年度净收益.
    pub net_income_fen: i64,
    /// 收益率, already formatted, e.g. "5.23%".
    pub yield_rate: String,
    /// 受益户数.
    pub households: i64,
    /// 受益人口.
    pub people: i64,
    /// 人均受益.
    pub benefit_per_person_fen: i64,
    /// 等效利用小时数 of a photovoltaic station, e.g. "1180.5".
    pub pv_hours: Option<String>,
    /// 预警标记, e.g. ["闲置", "低收益", "亏损", "未确权"].
    pub flags: Vec<String>,
}

/// One township's bar in the yield-rate chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownshipRate {
    pub township: String,
    /// 收益率 in ‰ (52 = 5.2%).
    pub yield_rate_permille: i64,
}

/// 扶贫项目资产收益绩效报告 of one region and year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Performance {
    /// 县 (or 乡镇) name, e.g. "禄丰市".
    pub region_name: String,
    pub year: i32,
    /// 项目资产总投资.
    pub investment_fen: i64,
    /// 年度净收益.
    pub net_income_fen: i64,
    /// 资产收益率, already formatted.
    pub yield_rate: String,
    /// 受益户数 (each household once).
    pub households: i64,
    /// 受益人口.
    pub people: i64,
    /// 人均受益.
    pub benefit_per_person_fen: i64,
    /// Sentences like "年度项目收益 X 元, 受益脱贫人口人均 Y 元".
    pub summary: Vec<String>,
    pub items: Vec<PerformanceItem>,
    pub townships: Vec<TownshipRate>,
}

impl Performance {
    /// "<region>YYYY年度扶贫项目资产收益绩效报告".
    pub fn title(&self) -> String {
        format!("{}{}年度扶贫项目资产收益绩效报告", self.region_name, self.year)
    }

    /// How many items carry at least one flag.
    pub fn flagged(&self) -> usize {
        self.items.iter().filter(|i| !i.flags.is_empty()).count()
    }
}

/// An item's flags as one string, joined by "、" (empty when there is none).
pub fn flags_joined(flags: &[String]) -> String {
    flags.join("、")
}
