//! Batch printing for the CLI: every household statement of a plan as its own PDF, the whole
//! plan in one PDF (one page a household) and the notice, rendered on every core with the font
//! parsed once.

use crate::cli::describe;
use crate::service::{Actor, Store, documents};
use indicatif::{ProgressBar, ProgressStyle};
use reports::pdf::{Statement, notice_pdf, statement_pdf, statements_pdf};
use std::path::Path;

/// Writes `DIR/distribution-ID/{number}.pdf`, `statements.pdf` and `notice.pdf`; returns how many
/// statements were written.
///
/// # Errors
/// A message for the user: the plan cannot be printed or a file cannot be written.
pub async fn write_plan(store: &Store, actor: &Actor, id: i32, out: &Path) -> Result<usize, String> {
    let list = documents::statements(store, actor, id, None).await.map_err(describe)?;
    let notice = documents::notice(store, actor, id).await.map_err(describe)?;
    let dir = out.join(format!("distribution-{id}"));
    std::fs::create_dir_all(&dir).map_err(|e| format!("无法创建目录 {}: {e}", dir.display()))?;
    let bar = ProgressBar::new(list.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("方案 {prefix} {bar:40} {pos}/{len} 户 ({per_sec}, 剩余 {eta})")
            .map_err(|e| e.to_string())?,
    );
    bar.set_prefix(id.to_string());
    let count = list.len();
    let dir_for_work = dir.clone();
    let (whole, notice) = tokio::task::spawn_blocking(move || {
        render_all(&list, &dir_for_work, &bar)?;
        bar.finish();
        Ok::<_, String>((statements_pdf(&list), notice_pdf(&notice)))
    })
    .await
    .map_err(|e| e.to_string())??;
    write(&dir.join("statements.pdf"), &whole)?;
    write(&dir.join("notice.pdf"), &notice)?;
    Ok(count)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("无法写入 {}: {e}", path.display()))
}

/// Renders one PDF per household on every core.
fn render_all(list: &[Statement], dir: &Path, bar: &ProgressBar) -> Result<(), String> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = list.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = list
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    for s in part {
                        write(&dir.join(format!("{}.pdf", s.household_number)), &statement_pdf(s))?;
                        bar.inc(1);
                    }
                    Ok::<(), String>(())
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().map_err(|_| "渲染线程异常退出".to_string())?)
    })
}
