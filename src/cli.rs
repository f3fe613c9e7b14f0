//! The command line (`relief-ledger`): the same services as the API, one transaction per command.

use crate::api::{AppState, router};
use crate::audit_cli::AuditCommand;
use crate::domain::vocab::Role;
use crate::service::{Store, auth, store::DEFAULT_URL};
use clap::{Parser, Subcommand};
use std::io::BufRead;

#[derive(Debug, Parser)]
#[command(
    name = "relief-ledger",
    version,
    about = "扶贫项目资产台账与收益分配 — ledger of poverty-relief project assets and yields"
)]
pub struct Cli {
    /// Database URL: sqlite://relief-ledger.db (default) or postgres://…
    #[arg(long, global = true, env = "DATABASE_URL")]
    pub db: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seed a synthetic demo county into a database that has no regions yet.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending migrations.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write the household statements (and the notice) of a plan, or of every plan of a region
    /// and year, as PDF files under DIR.
    Statements {
        #[arg(long, conflicts_with_all = ["region", "year"], required_unless_present = "region")]
        distribution: Option<i32>,
        /// Every frozen plan under this region (with --year).
        #[arg(long, requires = "year")]
        region: Option<String>,
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Measure the year-end phases on a synthetic region of N households (on a scratch SQLite file
    /// unless --db or DATABASE_URL names a database).
    Bench {
        #[arg(long)]
        households: u64,
        /// A comma list of phases (default all): insert,yields,distribute,reconcile,statements,reads,
        /// ref_bulk_insert,ref_allocate
        #[arg(long, value_delimiter = ',')]
        phases: Option<Vec<String>>,
        /// One JSON object a line per phase.
        #[arg(long)]
        json: bool,
    },
    /// A watch list (contracts ending, arrears, idle assets) as CSV.
    Report {
        #[arg(value_enum)]
        list: crate::watch_cli::List,
        #[arg(long)]
        region: Option<String>,
        /// The year of the arrears list (default this year).
        #[arg(long)]
        year: Option<i32>,
        /// The date the lists are read on (default today).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// The window of the contracts list in days (default 90).
        #[arg(long)]
        within_days: Option<i64>,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Import from a spreadsheet (XLSX, or CSV in UTF-8 or GBK).
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Export to XLSX or CSV (by the extension of --out) in the layouts the imports read.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent copy of the database to FILE while it may be in use (SQLite: VACUUM
    /// INTO; PostgreSQL: pg_dump -Fc).
    Backup {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Replace the database's content with a backup, once the backup's audit chain verifies
    /// (SQLite: in one transaction; PostgreSQL: pg_restore). Writes made after the backup are lost.
    Restore { file: std::path::PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a user; the password is read from one line of standard input.
    Add {
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        #[arg(long)]
        region: Option<String>,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the users with their role, region and live tokens.
    List,
    /// Revoke every token of a user (they must log in again).
    Revoke { name: String },
    /// Set a new password, read from one line of standard input; revokes the user's tokens.
    Passwd {
        name: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The household roster (花名册): every row checked first; any bad row and nothing is written.
    Households {
        file: std::path::PathBuf,
        /// The header of the village column (default 所属村); it holds a village name or code.
        #[arg(long)]
        village_column: Option<String>,
        /// A JSON object of field → header where the county's headers differ, e.g.
        /// {"number": "农户编号", "head_name": "户主"}.
        #[arg(long)]
        mapping: Option<std::path::PathBuf>,
        /// Check and report without writing.
        #[arg(long)]
        dry_run: bool,
        /// Also write the sheet with its bad cells marked red (and 错误原因) to this XLSX file.
        #[arg(long)]
        report: Option<std::path::PathBuf>,
    },
    /// The project list (项目库): 项目编号, 项目名称, 所属县, 项目类型, 年度, 实施单位, 受益村, 文号 and
    /// a column per funding source (中央资金, 省级资金, 市级资金, 县级资金, 东西部协作, 定点帮扶,
    /// 社会捐赠, 村自筹, 其他资金); keyed by 项目编号.
    Projects {
        file: std::path::PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        report: Option<std::path::PathBuf>,
    },
    /// Monthly PV meter readings (上网电量结算单): 资产编号/电站编号, 月份, 上网电量, 电价, and
    /// optionally 电费, 运维费, 到账日期, 结算单号; each row a pv_sales yield, keyed by asset + month.
    Yields {
        file: std::path::PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        report: Option<std::path::PathBuf>,
    },
    /// The bank's payment return (银行回盘) for a plan: household_number/户编号, status/结果
    /// (成功/失败, paid/failed) and reason/失败原因 columns.
    Payments {
        file: std::path::PathBuf,
        #[arg(long)]
        distribution: i32,
        /// The date of the return (default today).
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The household roster (花名册) in the layout `import households` reads. ID numbers and bank
    /// accounts are masked unless --full (the CLI runs on the server as the system admin).
    Households {
        /// A county, township or village code (default everything).
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Write ID numbers and bank accounts in full (for a round trip through the import).
        #[arg(long)]
        full: bool,
    },
    /// A plan's allocations (分配明细) with a 合计 row.
    Allocations {
        #[arg(long)]
        distribution: i32,
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// The asset ledger (资产台账), as `GET /reports/ledger.xlsx` / `.csv` render it.
    Ledger {
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "角色应为 admin、county_staff、village_accountant 或 auditor".to_string())
}

/// Runs a command; the error text is what the user sees.
///
/// # Errors
/// A message for the user, printed by `main` with a non-zero exit.
pub async fn run(cli: Cli) -> Result<(), String> {
    // Checking an exported log needs no database.
    if let Command::Audit {
        command: AuditCommand::Check { file, anchor },
    } = &cli.command
    {
        return crate::audit_cli::check(file, anchor.as_deref());
    }
    let scratch = matches!(cli.command, Command::Bench { .. }) && cli.db.is_none();
    let url = match (&cli.db, scratch) {
        (Some(url), _) => url.clone(),
        (None, true) => format!(
            "sqlite://{}/relief-ledger-bench-{}.db",
            std::env::temp_dir().display(),
            std::process::id()
        ),
        (None, false) => DEFAULT_URL.to_string(),
    };
    let store = Store::open(&url)
        .await
        .map_err(|e| format!("无法打开数据库 {url}: {e}"))?;
    match cli.command {
        Command::Migrate => {
            println!("数据库已是最新结构");
            Ok(())
        }
        Command::Serve { bind, demo } => serve(store, &bind, demo).await,
        Command::User {
            command: UserCommand::Add { name, role, region, .. },
        } => {
            let password = read_password()?;
            auth::add_user(&store, &name, role, region.as_deref(), &password)
                .await
                .map_err(describe)?;
            println!("已添加用户 {name} ({})", role.label());
            Ok(())
        }
        Command::Statements {
            distribution,
            region,
            year,
            out,
        } => {
            let actor = crate::service::Actor::system("cli");
            let plans = match (distribution, region, year) {
                (Some(id), _, _) => vec![id],
                (None, Some(region), Some(year)) => crate::service::documents::plans_of(&store, &actor, &region, year)
                    .await
                    .map_err(describe)?,
                _ => return Err("请指定 --distribution ID, 或 --region CODE --year YEAR".into()),
            };
            let mut pages = 0;
            for id in &plans {
                pages += crate::documents_cli::write_plan(&store, &actor, *id, &out).await?;
            }
            println!("已输出 {} 个方案的 {pages} 份明细单到 {}", plans.len(), out.display());
            Ok(())
        }
        Command::Import {
            what:
                ImportCommand::Households {
                    file,
                    village_column,
                    mapping,
                    dry_run,
                    report,
                },
        } => {
            import_households(
                &store,
                &file,
                village_column,
                mapping.as_deref(),
                dry_run,
                report.as_deref(),
            )
            .await
        }
        Command::Import {
            what: ImportCommand::Projects { file, dry_run, report },
        } => {
            let sheet = read_sheet(&file)?;
            let actor = crate::service::Actor::system("import");
            let r = crate::service::import::projects(&store, &actor, &sheet, dry_run)
                .await
                .map_err(describe)?;
            print_report(&r, &sheet, report.as_deref(), "个项目")
        }
        Command::Import {
            what: ImportCommand::Yields { file, dry_run, report },
        } => {
            let sheet = read_sheet(&file)?;
            let actor = crate::service::Actor::system("import");
            let r = crate::service::import::yields(&store, &actor, &sheet, dry_run)
                .await
                .map_err(describe)?;
            print_report(&r, &sheet, report.as_deref(), "笔收益")
        }
        Command::Export { what } => export(&store, what).await,
        Command::Bench {
            households,
            phases,
            json,
        } => {
            let phases = phases.unwrap_or_else(|| crate::bench::PHASES.iter().map(|p| p.to_string()).collect());
            if let Some(bad) = phases.iter().find(|p| !crate::bench::PHASES.contains(&p.as_str())) {
                return Err(format!("未知的阶段 {bad}; 可选: {}", crate::bench::PHASES.join(",")));
            }
            if !json {
                println!(
                    "{:<16} {:>10} {:>10} {:>12} {:>10} {:>8}",
                    "phase", "items", "seconds", "items/s", "peak MiB", "p99 ms"
                );
            }
            let outcome = crate::bench::run(&store, households, &phases, |r| {
                if json {
                    println!("{}", serde_json::to_string(r).unwrap_or_default());
                } else {
                    println!(
                        "{:<16} {:>10} {:>10.3} {:>12.0} {:>10.1} {:>8}",
                        r.phase,
                        r.items,
                        r.seconds,
                        r.items_per_s,
                        r.peak_rss_mib,
                        r.p99_ms.map(|p| format!("{p:.2}")).unwrap_or_default()
                    );
                }
            })
            .await
            .map_err(describe);
            if scratch {
                let path = url.trim_start_matches("sqlite://");
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            outcome
        }
        Command::Report {
            list,
            region,
            year,
            as_of,
            within_days,
            out,
        } => {
            let filter = crate::watch_cli::Filter {
                region,
                year,
                as_of,
                within_days,
            };
            let bytes = crate::watch_cli::csv(&store, list, filter).await?;
            match out {
                Some(path) => std::fs::write(&path, bytes).map_err(|e| format!("无法写入 {}: {e}", path.display())),
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes).map_err(|e| e.to_string())
                }
            }
        }
        Command::User {
            command: UserCommand::List,
        } => {
            for u in auth::list_users(&store).await.map_err(describe)? {
                println!(
                    "{}\t{}\t{}\t{} 个有效令牌",
                    u.username,
                    u.role,
                    u.region_code.unwrap_or_else(|| "-".into()),
                    u.active_tokens
                );
            }
            Ok(())
        }
        Command::User {
            command: UserCommand::Revoke { name },
        } => {
            let n = auth::revoke(&store, &name).await.map_err(describe)?;
            println!("已撤销用户 {name} 的 {n} 个令牌");
            Ok(())
        }
        Command::User {
            command: UserCommand::Passwd { name, .. },
        } => {
            let password = read_password()?;
            auth::set_password(&store, &name, &password).await.map_err(describe)?;
            println!("已修改用户 {name} 的密码, 原有令牌已撤销");
            Ok(())
        }
        Command::Import {
            what:
                ImportCommand::Payments {
                    file,
                    distribution,
                    date,
                },
        } => import_payments(&store, &file, distribution, date).await,
        Command::Audit { command } => crate::audit_cli::run(&store, command).await,
        Command::Backup { out } => {
            let o = crate::backup::backup(&store, &url, &out).await?;
            if let Some(why) = &o.broken {
                eprintln!("警告: 备份中的{why}; 该备份不能用于恢复");
            }
            match o.audit_entries {
                Some(n) if o.broken.is_some() => println!("已备份到 {}: 审计日志 {n} 条 (校验未通过)", out.display()),
                Some(n) => println!(
                    "已备份到 {}: 审计日志 {n} 条完整, 末条 hash {}",
                    out.display(),
                    o.last_hash
                ),
                None => println!("已备份到 {} (pg_dump); 恢复时将校验审计日志", out.display()),
            }
            Ok(())
        }
        Command::Restore { file } => {
            let o = crate::backup::restore(&store, &url, &file).await?;
            println!(
                "已从 {} 恢复: 审计日志 {} 条完整, 末条 hash {}",
                file.display(),
                o.audit_entries.unwrap_or_default(),
                o.last_hash
            );
            Ok(())
        }
    }
}

fn read_sheet(file: &std::path::Path) -> Result<crate::sheet::Sheet, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}: {e}", file.display()))?;
    crate::sheet::read(&bytes)
}

/// Prints an import's report: every bad cell as `第N行 <表头> <原因>`, or the counts; writes the
/// marked sheet when asked; a file with bad rows is an error (non-zero exit).
fn print_report(
    report: &crate::service::import::Report,
    sheet: &crate::sheet::Sheet,
    marked: Option<&std::path::Path>,
    unit: &str,
) -> Result<(), String> {
    for e in &report.errors {
        println!("{e}");
    }
    if let Some(path) = marked {
        let marks: Vec<reports::xlsx::Mark> = report
            .errors
            .iter()
            .map(|e| reports::xlsx::Mark {
                row: e.row,
                column: sheet.column(&e.column),
                reason: e.reason.clone(),
            })
            .collect();
        let bytes = reports::xlsx::marked_xlsx(&sheet.headers, &sheet.rows, &marks);
        std::fs::write(path, bytes).map_err(|e| format!("无法写入 {}: {e}", path.display()))?;
    }
    if !report.errors.is_empty() {
        return Err(format!("共 {} 处错误, 未写入任何数据", report.errors.len()));
    }
    let verb = if report.written {
        "已导入"
    } else {
        "检查通过 (未写入)"
    };
    println!(
        "{verb}: {} 行, 新增 {} {unit}, 更新 {} {unit}, 无变化 {} {unit}",
        report.rows, report.created, report.updated, report.unchanged
    );
    Ok(())
}

/// Writes an export as XLSX or CSV, by the extension of `out`.
async fn export(store: &Store, what: ExportCommand) -> Result<(), String> {
    use crate::service::export;
    let actor = crate::service::Actor::system("export");
    let xlsx = |out: &std::path::Path| -> Result<bool, String> {
        match out
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("xlsx") => Ok(true),
            Some("csv") => Ok(false),
            _ => Err(format!("{}: 输出文件应以 .xlsx 或 .csv 结尾", out.display())),
        }
    };
    let (out, bytes, count) = match what {
        ExportCommand::Households { region, out, full } => {
            let t = export::households(store, &actor, region.as_deref(), full)
                .await
                .map_err(describe)?;
            let bytes = if xlsx(&out)? {
                reports::xlsx::table_xlsx("花名册", &t.headers, &t.rows)
            } else {
                reports::xlsx::table_csv(&t.headers, &t.rows)
            };
            (out, bytes, t.rows.len())
        }
        ExportCommand::Allocations { distribution, out } => {
            let t = export::allocations(store, &actor, distribution)
                .await
                .map_err(describe)?;
            let bytes = if xlsx(&out)? {
                reports::xlsx::table_xlsx("分配明细", &t.headers, &t.rows)
            } else {
                reports::xlsx::table_csv(&t.headers, &t.rows)
            };
            (out, bytes, t.rows.len().saturating_sub(1))
        }
        ExportCommand::Ledger { region, out } => {
            let rows = crate::service::ledger::rows(store, &actor, region.as_deref())
                .await
                .map_err(describe)?;
            let bytes = if xlsx(&out)? {
                reports::xlsx::ledger_xlsx("扶贫项目资产台账", &rows)
            } else {
                reports::xlsx::ledger_csv(&rows)
            };
            (out, bytes, rows.len())
        }
    };
    std::fs::write(&out, bytes).map_err(|e| format!("无法写入 {}: {e}", out.display()))?;
    println!("已导出 {count} 行到 {}", out.display());
    Ok(())
}

async fn import_households(
    store: &Store,
    file: &std::path::Path,
    village_column: Option<String>,
    mapping: Option<&std::path::Path>,
    dry_run: bool,
    marked: Option<&std::path::Path>,
) -> Result<(), String> {
    use crate::service::import;
    let sheet = read_sheet(file)?;
    let mapping = match mapping {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("无法读取映射文件 {}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("映射文件应为 JSON 对象 (字段 → 表头): {e}"))?
        }
        None => Default::default(),
    };
    let opts = import::Options {
        village_column,
        mapping,
        dry_run,
    };
    let report = import::households(store, &crate::service::Actor::system("import"), &sheet, &opts)
        .await
        .map_err(describe)?;
    print_report(&report, &sheet, marked, "户")
}

async fn import_payments(
    store: &Store,
    file: &std::path::Path,
    id: i32,
    date: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    use crate::service::payments::{Outcome, PaymentReturn, ResultLine};
    let bytes = std::fs::read(file).map_err(|e| format!("无法读取 {}: {e}", file.display()))?;
    let sheet = crate::sheet::read(&bytes)?;
    let col = |names: &[&str]| names.iter().find_map(|n| sheet.column(n).map(|c| (c, n.to_string())));
    let number = col(&["household_number", "户编号"]).ok_or("第1行 户编号 缺少该列")?;
    let status = col(&["status", "结果", "发放结果", "状态"]).ok_or("第1行 结果 缺少该列")?;
    let reason = col(&["reason", "失败原因", "原因", "备注"]);
    let mut bad = Vec::new();
    let mut lines = Vec::new();
    let mut rows = Vec::new();
    for (n, cells) in &sheet.rows {
        let cell = |c: usize| cells.get(c).cloned().unwrap_or_default();
        match Outcome::from_word(&cell(status.0)) {
            Some(outcome) => {
                rows.push(*n);
                lines.push(ResultLine {
                    household_id: None,
                    household_number: Some(cell(number.0)),
                    status: outcome,
                    reason: reason.as_ref().map(|r| cell(r.0)).unwrap_or_default(),
                });
            }
            None => bad.push(format!("第{n}行 {} 未知的结果, 应为 成功 或 失败", status.1)),
        }
    }
    if !bad.is_empty() {
        bad.iter().for_each(|b| println!("{b}"));
        return Err(format!("共 {} 处错误, 未写入任何数据", bad.len()));
    }
    let input = PaymentReturn {
        recorded_on: date.unwrap_or_else(crate::service::today),
        results: lines,
    };
    match crate::service::payments::record(store, &crate::service::Actor::system("import"), id, input).await {
        Ok(s) => {
            println!(
                "已登记回盘: 成功 {} 户, 失败 {} 户, 未回盘 {} 户",
                s.paid, s.failed, s.pending
            );
            Ok(())
        }
        Err(crate::domain::Error::Invalid(fields)) => {
            for f in &fields {
                let row = f
                    .field
                    .trim_start_matches("results[")
                    .trim_end_matches(']')
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| rows.get(i));
                match row {
                    Some(n) => println!("第{n}行 {} {}", number.1, f.message),
                    None => println!("{}: {}", f.field, f.message),
                }
            }
            Err(format!("共 {} 处错误, 未写入任何数据", fields.len()))
        }
        Err(e) => Err(describe(e)),
    }
}

/// One line of standard input, without its line ending.
fn read_password() -> Result<String, String> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| format!("无法读取密码: {e}"))?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

/// A domain error as one line for the terminal, fields named.
pub(crate) fn describe(e: crate::domain::Error) -> String {
    match e {
        crate::domain::Error::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

async fn serve(store: Store, bind: &str, demo: bool) -> Result<(), String> {
    let seeded = if demo {
        crate::service::demo::seed_if_empty(&store).await.map_err(describe)?
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("无法监听 {bind}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    match (demo, seeded) {
        (true, Some(s)) => {
            println!(
                "已生成演示数据: {} 个村, {} 户, {} 个项目, {} 个分配方案 (均为虚构数据)",
                s.villages, s.households, s.projects, s.plans
            );
            for (name, role, password) in &s.logins {
                println!("  登录: 用户名 {name}  密码 {password}  ({role})");
            }
        }
        (true, None) => println!("数据库已有区划数据, 未重复生成演示数据; 请使用已有账号登录"),
        _ => {}
    }
    println!("relief-ledger 已启动: http://{addr}/  (API: http://{addr}/api/v1/, 健康检查: /healthz)");
    tracing::info!(%addr, "listening");
    axum::serve(listener, router(AppState { store }))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
