//! Files a manager takes away: the dashboard's tables as CSV, written
//! whole or not at all, each export recorded in the audit log.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use comptoir_core::report::{
    write_csv, CsvOptions, ExportWritten, Figure, ReportExport, ReportQuery,
};

use crate::{Result, Store, StoreError};

/// Writes `bytes` as `path` through a temporary file in the same folder,
/// synced then renamed: the file is there whole, or not at all (an
/// earlier file of that name stays as it was).
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let not_written = |e: std::io::Error| {
        let _ = std::fs::remove_file(&tmp);
        StoreError::ExportNotWritten {
            dir: dir.to_path_buf(),
            detail: e.to_string(),
        }
    };
    let mut f = std::fs::File::create(&tmp).map_err(&not_written)?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(&not_written)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(not_written)
}

impl Store {
    /// One table of the dashboard for `q` as CSV in `path` (whole or
    /// nothing), then a `report_exported` entry in the audit log. Should
    /// the entry fail, the file is removed: no export without its trace.
    pub async fn export_report(
        &self,
        q: &ReportQuery,
        export: &ReportExport,
        path: &Path,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<ExportWritten> {
        q.validate()?;
        export.validate()?;
        let actor = crate::customers::check_actor(actor)?;
        let table = if export.table == "dossiers" {
            let figure = export.figure.clone().unwrap_or(Figure::Opened);
            self.drill_down(q, &figure, usize::MAX, now).await?.table()
        } else {
            self.dashboard(q, now)
                .await?
                .table(&export.table)
                .ok_or_else(|| comptoir_core::CoreError::UnknownTable {
                    name: export.table.clone(),
                })?
        };
        let timezone = {
            let mut conn = self.pool.acquire().await?;
            Self::local_calendar(&mut conn).await?.timezone()
        };
        let opts = CsvOptions {
            delimiter: export.separator,
            bom: export.bom,
            timezone,
        };
        let mut bytes = Vec::new();
        write_csv(&table, &opts, &mut bytes).map_err(StoreError::Io)?;
        let rows = u32::try_from(table.rows.len()).unwrap_or(u32::MAX);
        let path: PathBuf = path.to_path_buf();
        let written = path.clone();
        let data = bytes.clone();
        tokio::task::spawn_blocking(move || write_whole(&written, &data))
            .await
            .map_err(|e| StoreError::Io(std::io::Error::other(e)))??;
        let recorded = async {
            let mut conn = self.pool.acquire().await?;
            let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
            crate::audit::append(
                &mut tx,
                now,
                &actor,
                crate::audit::REPORT_EXPORTED,
                &export.table,
                &serde_json::json!({
                    "from": q.from,
                    "to": q.to,
                    "filters": q.filters,
                    "scope": q.scope,
                    "figure": export.figure,
                    "rows": rows,
                    "file": path.display().to_string(),
                }),
            )
            .await?;
            tx.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await;
        if let Err(e) = recorded {
            let _ = std::fs::remove_file(&path);
            return Err(e);
        }
        Ok(ExportWritten {
            path: path.display().to_string(),
            bytes: bytes.len() as u64,
            rows,
        })
    }
}
