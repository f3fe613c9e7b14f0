//! The ledger's first schema: regions, users, households with status history, projects with
//! funding lines, assets with ownership periods, yields with reversal links, owner income
//! entries, distribution plans with steps and allocations, and the hash-chained audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables in creation order; dropped in reverse.
const TABLES: &[&str] = &[
    "regions",
    "users",
    "api_tokens",
    "households",
    "household_statuses",
    "projects",
    "project_villages",
    "funding_lines",
    "assets",
    "ownership_periods",
    "ownership_shares",
    "yields",
    "yield_credits",
    "income_entries",
    "distributions",
    "distribution_steps",
    "allocations",
    "audit_log",
];

fn index(table: &str, name: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut idx = Index::create();
    idx.name(name).table(String::from(table));
    for c in cols {
        idx.col(String::from(*c));
    }
    if unique {
        idx.unique();
    }
    idx.take()
}

fn tables() -> Vec<TableCreateStatement> {
    let t = |name: &str| Table::create().table(String::from(name)).take();
    vec![
        t("regions")
            .col(string_len("code", 12).primary_key())
            .col(string("name"))
            .col(string("level"))
            .col(string_len_null("parent_code", 12))
            .col(string_len_null("county_code", 12))
            .col(string_len_null("township_code", 12))
            .take(),
        t("users")
            .col(pk_auto("id"))
            .col(string_uniq("username"))
            .col(string("password_hash"))
            .col(string("role"))
            .col(string_len_null("region_code", 12))
            .col(string("created_at"))
            .take(),
        t("api_tokens")
            .col(pk_auto("id"))
            .col(integer("user_id"))
            .col(string_uniq("token_hash"))
            .col(string("created_at"))
            .col(string("expires_at"))
            .col(boolean("revoked"))
            .take(),
        t("households")
            .col(pk_auto("id"))
            .col(string_len("village_code", 12))
            .col(string_uniq("number"))
            .col(string("head_name"))
            .col(string("id_number"))
            .col(integer("members"))
            .col(boolean("disabled"))
            .col(string("group_name"))
            .col(string("bank_account"))
            .col(string("created_at"))
            .take(),
        t("household_statuses")
            .col(pk_auto("id"))
            .col(integer("household_id"))
            .col(date_null("effective_date"))
            .col(string("status"))
            .col(string("labour"))
            .col(string("created_at"))
            .take(),
        t("projects")
            .col(pk_auto("id"))
            .col(string_uniq("code"))
            .col(string("name"))
            .col(string_len("county_code", 12))
            .col(string("kind"))
            .col(integer("year"))
            .col(string("implementing_unit"))
            .col(string("status"))
            .col(big_integer("investment_fen"))
            .col(date_null("accepted_on"))
            .col(string("created_at"))
            .take(),
        t("project_villages")
            .col(pk_auto("id"))
            .col(integer("project_id"))
            .col(string_len("village_code", 12))
            .take(),
        t("funding_lines")
            .col(pk_auto("id"))
            .col(integer("project_id"))
            .col(string("source"))
            .col(big_integer("amount_fen"))
            .col(integer("fiscal_year"))
            .col(string("document"))
            .take(),
        t("assets")
            .col(pk_auto("id"))
            .col(string_uniq("code"))
            .col(integer("project_id"))
            .col(string_len("county_code", 12))
            .col(string("name"))
            .col(string("class"))
            .col(string("form"))
            .col(big_integer("value_fen"))
            .col(string_null("operation_mode"))
            .col(string_null("operator"))
            .col(string_null("pv_capacity_kw"))
            .col(string("status"))
            .col(date("formed_on"))
            .take(),
        t("ownership_periods")
            .col(pk_auto("id"))
            .col(integer("asset_id"))
            .col(date("confirmed_on"))
            .col(string("created_at"))
            .take(),
        t("ownership_shares")
            .col(pk_auto("id"))
            .col(integer("period_id"))
            .col(integer("asset_id"))
            .col(string_len_null("region_code", 12))
            .col(integer_null("household_id"))
            .col(big_integer("investment_fen"))
            .take(),
        t("yields")
            .col(pk_auto("id"))
            .col(integer("asset_id"))
            .col(string("kind"))
            .col(date("period_start"))
            .col(date("period_end"))
            .col(date_null("received_on"))
            .col(big_integer("revenue_fen"))
            .col(big_integer("om_fen"))
            .col(big_integer("rent_fen"))
            .col(big_integer("tax_fen"))
            .col(big_integer("insurance_fen"))
            .col(big_integer("other_fen"))
            .col(big_integer("net_fen"))
            .col(string_null("kwh"))
            .col(string_null("tariff"))
            .col(string_null("voucher"))
            .col(integer_null("reverses_id"))
            .col(string_null("reason"))
            .col(string("created_at"))
            .take(),
        t("yield_credits")
            .col(pk_auto("id"))
            .col(integer("yield_id"))
            .col(string_len_null("region_code", 12))
            .col(integer_null("household_id"))
            .col(big_integer("amount_fen"))
            .take(),
        t("income_entries")
            .col(pk_auto("id"))
            .col(string_len_null("region_code", 12))
            .col(integer_null("household_id"))
            .col(date("entry_date"))
            .col(integer("year"))
            .col(string("kind"))
            .col(big_integer("amount_fen"))
            .col(integer_null("yield_id"))
            .col(integer_null("distribution_id"))
            .col(integer_null("asset_id"))
            .col(string("memo"))
            .take(),
        t("distributions")
            .col(pk_auto("id"))
            .col(string_len("village_code", 12))
            .col(integer("year"))
            .col(date("record_date"))
            .col(big_integer("amount_fen"))
            .col(string("retention_rate"))
            .col(string("management_rate"))
            .col(big_integer("retention_fen"))
            .col(big_integer("management_fen"))
            .col(big_integer("public_works_fen"))
            .col(big_integer("post_wages_fen"))
            .col(big_integer("incentives_fen"))
            .col(big_integer("dividends_fen"))
            .col(text("rule_json"))
            .col(text("warnings_json"))
            .col(string("state"))
            .col(string("created_at"))
            .take(),
        t("distribution_steps")
            .col(pk_auto("id"))
            .col(integer("distribution_id"))
            .col(string("step"))
            .col(date("date"))
            .col(date_null("date_to"))
            .col(string_null("attendance"))
            .col(string_null("minutes_ref"))
            .col(string_null("reference"))
            .col(string_null("actor"))
            .col(string("created_at"))
            .take(),
        t("allocations")
            .col(pk_auto("id"))
            .col(integer("distribution_id"))
            .col(integer("household_id"))
            .col(string("number"))
            .col(string("head_name"))
            .col(integer("members"))
            .col(string("status"))
            .col(string("labour"))
            .col(string("weight"))
            .col(big_integer("dividend_fen"))
            .col(big_integer("post_wage_fen"))
            .col(big_integer("incentive_fen"))
            .col(big_integer("tax_withheld_fen"))
            .col(big_integer("total_fen"))
            .take(),
        t("audit_log")
            .col(big_integer("seq").primary_key())
            .col(string("at"))
            .col(string("actor"))
            .col(string("action"))
            .col(string("entity"))
            .col(string("entity_id"))
            .col(text("before_json"))
            .col(text("after_json"))
            .col(string("prev_hash"))
            .col(string("hash"))
            .take(),
    ]
}

fn indexes() -> Vec<IndexCreateStatement> {
    vec![
        index("regions", "ix_regions_parent", &["parent_code"], false),
        index(
            "households",
            "ix_households_village",
            &["village_code", "number"],
            false,
        ),
        index("household_statuses", "ix_hstatus_household", &["household_id"], false),
        index("projects", "ix_projects_county_year", &["county_code", "year"], false),
        index("project_villages", "ix_pvillages_project", &["project_id"], false),
        index("funding_lines", "ix_funding_project", &["project_id"], false),
        index("assets", "ix_assets_project", &["project_id"], false),
        index("assets", "ix_assets_county", &["county_code"], false),
        index(
            "ownership_periods",
            "ix_operiods_asset",
            &["asset_id", "confirmed_on"],
            false,
        ),
        index("ownership_shares", "ix_oshares_period", &["period_id"], false),
        index("ownership_shares", "ix_oshares_region", &["region_code"], false),
        index("yields", "ix_yields_asset", &["asset_id"], false),
        index("yields", "ux_yields_reverses", &["reverses_id"], true),
        index("yield_credits", "ix_ycredits_yield", &["yield_id"], false),
        index(
            "income_entries",
            "ix_income_owner_year",
            &["region_code", "year"],
            false,
        ),
        index(
            "distributions",
            "ix_distributions_village",
            &["village_code", "year"],
            false,
        ),
        index(
            "distribution_steps",
            "ix_dsteps_distribution",
            &["distribution_id"],
            false,
        ),
        index(
            "allocations",
            "ix_allocations_distribution",
            &["distribution_id"],
            false,
        ),
        index("api_tokens", "ix_tokens_user", &["user_id"], false),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in tables() {
            manager.create_table(table).await?;
        }
        for idx in indexes() {
            manager.create_index(idx).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in TABLES.iter().rev() {
            manager
                .drop_table(Table::drop().table(String::from(*name)).take())
                .await?;
        }
        Ok(())
    }
}
