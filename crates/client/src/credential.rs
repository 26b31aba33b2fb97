//! The device token, the counter's secret with the central server: kept
//! beside the database in a file of its own, readable by its owner only
//! (mode 0600, written whole through a temporary file and a rename). The
//! database holds everything else of the link but never the token — a
//! copied database does not carry the counter's identity.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{ClientError, Result};

/// Where the token of the counter whose database is `db` lives:
/// `comptoir.sqlite` → `comptoir.sqlite.device-token`.
pub fn path_for(db: &Path) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".device-token");
    db.with_file_name(name)
}

/// Writes the token (replacing any previous one).
pub fn save(db: &Path, token: &str) -> Result<()> {
    let path = path_for(db);
    let tmp = path.with_extension("device-token.tmp");
    let fail = |e: std::io::Error| ClientError::Credential(format!("{}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(&tmp).map_err(fail)?;
    f.write_all(token.as_bytes()).map_err(fail)?;
    f.sync_all().map_err(fail)?;
    drop(f);
    std::fs::rename(&tmp, &path).map_err(fail)?;
    Ok(())
}

/// Reads the token. A token file that others may read is refused: the
/// credential must be re-issued (`credential_unreadable`).
pub fn load(db: &Path) -> Result<String> {
    let path = path_for(db);
    let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ClientError::NotEnrolled,
        _ => ClientError::Credential(format!("{}: {e}", path.display())),
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .map_err(|e| ClientError::Credential(e.to_string()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(ClientError::Credential(format!(
                "{} is readable by others (mode {:o})",
                path.display(),
                mode & 0o777
            )));
        }
    }
    let token = text.trim().to_owned();
    if token.is_empty() {
        return Err(ClientError::Credential(format!(
            "{} is empty",
            path.display()
        )));
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_is_the_owners_only() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = dir.path().join("comptoir.sqlite");
        assert!(matches!(load(&db), Err(ClientError::NotEnrolled)));
        save(&db, "cpt1_abc").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(load(&db).ok().as_deref(), Some("cpt1_abc"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = path_for(&db);
            let mode = std::fs::metadata(&p)
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                load(&db).err().map(|e| e.code()),
                Some("credential_unreadable")
            );
        }
    }
}
