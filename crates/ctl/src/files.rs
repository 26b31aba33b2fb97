//! Files the tool writes for people (reports, RGPD exports): whole or
//! not at all.

use std::io::Write;
use std::path::Path;

use crate::CliError;

/// Writes `bytes` as `path` through a temporary file in the same folder,
/// synced then renamed: the file is there whole, or not at all (an
/// earlier one stays as it was).
pub(crate) fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
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
        CliError {
            code: "export_not_written",
            message: format!(
                "Export impossible dans {} : {e}. Rien n'a été écrit ; choisissez un dossier \
                 où vous pouvez enregistrer.",
                dir.display()
            ),
        }
    };
    let mut f = std::fs::File::create(&tmp).map_err(&not_written)?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(&not_written)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(not_written)
}
