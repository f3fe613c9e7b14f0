//! The closed vocabularies of the ledger: each is an enum whose JSON form is the English
//! identifier of the contract and whose `label` is the Chinese term printed on documents.

/// Defines a string enum: serde name = the contract identifier, `label` = the Chinese term.
macro_rules! vocabulary {
    // `$id` is a token tree, not a `literal` fragment: utoipa reads the serde rename only from a
    // plain literal token, and the OpenAPI enums must list the contract identifiers.
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $id:tt / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $id)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The contract identifier, as stored in the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// The Chinese term.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// The Chinese term of a stored identifier, or the text itself when it is not one.
            pub fn label_of(text: &str) -> String {
                $name::parse(text).map_or_else(|| text.to_string(), |v| v.label().to_string())
            }

            /// Reads a stored identifier.
            pub fn parse(text: &str) -> Option<$name> {
                match text { $($id => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary!(
    /// 区划级别
    RegionLevel { County = "county" / "县", Township = "township" / "乡镇", Village = "village" / "村" }
);

vocabulary!(
    /// 户类别: 脱贫户 · 脱贫不稳定户 · 边缘易致贫户 · 突发严重困难户 · 一般农户
    HouseholdStatus {
        Lifted = "lifted" / "脱贫户",
        Unstable = "unstable" / "脱贫不稳定户",
        Marginal = "marginal" / "边缘易致贫户",
        SuddenHardship = "sudden_hardship" / "突发严重困难户",
        Ordinary = "ordinary" / "一般农户",
    }
);

impl HouseholdStatus {
    /// 监测对象: the three statuses under monitoring for a return to poverty.
    pub fn is_monitored(self) -> bool {
        matches!(self, Self::Unstable | Self::Marginal | Self::SuddenHardship)
    }
}

vocabulary!(
    /// 劳动能力: 有 / 弱 / 无
    Labour { Full = "full" / "有劳动能力", Weak = "weak" / "弱劳动能力", None = "none" / "无劳动能力" }
);

vocabulary!(
    /// 项目类型
    ProjectKind {
        Planting = "planting" / "种植业",
        Livestock = "livestock" / "养殖业",
        Processing = "processing" / "加工业",
        Photovoltaic = "photovoltaic" / "光伏",
        Tourism = "tourism" / "乡村旅游",
        Workshop = "workshop" / "就业帮扶车间",
        Ecommerce = "e_commerce" / "电子商务",
        Infrastructure = "infrastructure" / "基础设施",
        Other = "other" / "其他",
    }
);

vocabulary!(
    /// 项目状态: 计划 → 批复 → 在建 → 竣工验收 (或 取消)
    ProjectStatus {
        Planned = "planned" / "计划",
        Approved = "approved" / "已批复",
        UnderConstruction = "under_construction" / "在建",
        Accepted = "accepted" / "已验收",
        Cancelled = "cancelled" / "已取消",
    }
);

vocabulary!(
    /// 资金来源
    FundingSource {
        Central = "central" / "中央财政衔接资金",
        Provincial = "provincial" / "省级财政衔接资金",
        City = "city" / "市级财政衔接资金",
        County = "county" / "县级财政衔接资金",
        EastWest = "east_west" / "东西部协作资金",
        PairedSupport = "paired_support" / "定点帮扶资金",
        Donation = "donation" / "社会捐赠",
        VillageOwn = "village_own" / "村自筹",
        Other = "other" / "其他",
    }
);

vocabulary!(
    /// 资产类别: 公益性 / 经营性 / 到户类
    AssetClass {
        PublicWelfare = "public_welfare" / "公益性",
        Operating = "operating" / "经营性",
        Household = "household" / "到户类",
    }
);

vocabulary!(
    /// 资产形态: 固定资产 / 生物资产 / 股权 / 债权
    AssetForm { Fixed = "fixed" / "固定资产", Biological = "biological" / "生物资产", Equity = "equity" / "股权", Debt = "debt" / "债权" }
);

vocabulary!(
    /// 经营方式: 自营 / 合作社经营 / 承包 / 租赁 / 入股(委托经营)
    OperationMode {
        SelfOperated = "self_operated" / "自营",
        Cooperative = "cooperative" / "合作社经营",
        Contracted = "contracted" / "承包",
        Leased = "leased" / "租赁",
        Entrusted = "entrusted" / "委托经营",
    }
);

vocabulary!(
    /// 处置方式: 拍卖 / 转让 / 转产 / 报损 / 报废
    DisposalMethod {
        Auction = "auction" / "拍卖",
        Transfer = "transfer" / "转让",
        Conversion = "conversion" / "转产",
        Loss = "loss" / "报损",
        Scrap = "scrap" / "报废",
    }
);

vocabulary!(
    /// 资产状态
    AssetStatus { InUse = "in_use" / "在用", Idle = "idle" / "闲置", Damaged = "damaged" / "损毁", Disposed = "disposed" / "已处置" }
);

vocabulary!(
    /// 收益类型: 光伏售电 / 国家补贴 / 租金 / 保底收益 / 分红 / 其他
    YieldKind {
        PvSales = "pv_sales" / "光伏售电收入",
        PvSubsidy = "pv_subsidy" / "光伏国家补贴",
        Rent = "rent" / "租金",
        FixedReturn = "fixed_return" / "保底收益",
        Dividend = "dividend" / "入股分红",
        Other = "other" / "其他收益",
    }
);

impl YieldKind {
    /// PV kinds may leave out revenue: it is then kWh × tariff.
    pub fn is_pv(self) -> bool {
        matches!(self, Self::PvSales | Self::PvSubsidy)
    }
}

vocabulary!(
    /// 分配方案状态
    PlanState {
        Draft = "draft" / "草案",
        Resolved = "resolved" / "已决议",
        Publicized = "publicized" / "公示中",
        Reviewed = "reviewed" / "乡镇已审核",
        Filed = "filed" / "县级已备案",
        Paid = "paid" / "已发放",
        ResultsPublicized = "results_publicized" / "结果已公开",
        Cancelled = "cancelled" / "已取消",
    }
);

vocabulary!(
    /// 四议: 党支部提议、两委商议、党员大会审议、村民代表会议决议
    DeliberationStep {
        Proposal = "proposal" / "村党组织提议",
        Consultation = "consultation" / "村两委会议商议",
        PartyReview = "party_review" / "党员大会审议",
        RepresentativesResolution = "representatives_resolution" / "村民代表会议决议",
    }
);

vocabulary!(
    /// 分红基数: 按户 / 按人
    DividendBasis { Household = "household" / "按户", Member = "member" / "按人" }
);

vocabulary!(
    /// 用户角色
    Role {
        Admin = "admin" / "系统管理员",
        CountyStaff = "county_staff" / "县级业务人员",
        VillageAccountant = "village_accountant" / "村会计",
        Auditor = "auditor" / "审计人员",
    }
);
