//! Server settings: defaults, then a TOML file, then `COMPTOIR_SERVER_…`
//! environment variables, then the command line — each later source
//! overrides the earlier ones (figment). The file is `--config FILE` or
//! `COMPTOIR_SERVER_CONFIG`; it is optional.
//!
//! | setting | env | default |
//! |---|---|---|
//! | `listen` | `COMPTOIR_SERVER_LISTEN` | `127.0.0.1:8443` |
//! | `data_dir` | `COMPTOIR_SERVER_DATA_DIR` | none (SQLite file `comptoir-server.sqlite` inside) |
//! | `database_url` | `COMPTOIR_SERVER_DATABASE_URL` | none (`postgres://…`; wins over `data_dir`) |
//! | `tls_cert`, `tls_key` | `COMPTOIR_SERVER_TLS_CERT`, `…_TLS_KEY` | none: plain HTTP, loopback only |
//! | `log_json` | `COMPTOIR_SERVER_LOG_JSON` | `false` |
//! | `max_body_bytes` | `COMPTOIR_SERVER_MAX_BODY_BYTES` | 4 MiB |
//! | `max_import_bytes` | `COMPTOIR_SERVER_MAX_IMPORT_BYTES` | 64 MiB (import endpoints) |
//! | `max_batch` | `COMPTOIR_SERVER_MAX_BATCH` | 500 changes per push |
//! | `max_pull` | `COMPTOIR_SERVER_MAX_PULL` | 1000 changes per pull |
//! | `max_hlc_ahead_secs` | `COMPTOIR_SERVER_MAX_HLC_AHEAD_SECS` | 300 |
//! | `enrol_code_ttl_secs` | `COMPTOIR_SERVER_ENROL_CODE_TTL_SECS` | 86400 (24 h) |
//! | `shutdown_grace_secs` | `COMPTOIR_SERVER_SHUTDOWN_GRACE_SECS` | 30 |

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A value that must never reach a log: `Debug` prints `"***"`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Keep the scheme of a URL (useful in logs), hide the rest.
        match self.0.split_once("://") {
            Some((scheme, _)) => write!(f, "\"{scheme}://***\""),
            None => f.write_str("\"***\""),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<Secret>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub log_json: bool,
    pub max_body_bytes: usize,
    pub max_import_bytes: usize,
    pub max_batch: usize,
    pub max_pull: usize,
    pub max_hlc_ahead_secs: i64,
    pub enrol_code_ttl_secs: i64,
    pub shutdown_grace_secs: u64,
    /// Days between a web parcel's dispatch and its assumed receipt when the
    /// export has no delivery date (1 to 60).
    pub import_transit_days: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8443)),
            data_dir: None,
            database_url: None,
            tls_cert: None,
            tls_key: None,
            log_json: false,
            max_body_bytes: 4 * 1024 * 1024,
            max_import_bytes: 64 * 1024 * 1024,
            max_batch: 500,
            max_pull: 1000,
            max_hlc_ahead_secs: 300,
            enrol_code_ttl_secs: 24 * 3600,
            shutdown_grace_secs: 30,
            import_transit_days: comptoir_core::fulfilment::DEFAULT_TRANSIT_DAYS,
        }
    }
}

/// What the command line may override (only the values actually given).
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_json: Option<bool>,
}

impl Settings {
    /// Defaults < TOML file < `COMPTOIR_SERVER_*` environment < command line.
    pub fn load(file: Option<&std::path::Path>, cli: &Overrides) -> Result<Settings, ApiError> {
        let mut fig = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ApiError::Config(format!(
                    "fichier de réglages introuvable : {}",
                    file.display()
                )));
            }
            fig = fig.merge(Toml::file(file));
        }
        fig = fig
            .merge(Env::prefixed("COMPTOIR_SERVER_").ignore(&["CONFIG"]))
            .merge(Serialized::defaults(cli));
        let settings: Settings = fig.extract().map_err(|e| ApiError::Config(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ApiError> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err(ApiError::Config(
                "tls_cert et tls_key vont ensemble : donnez les deux ou aucun".into(),
            ));
        }
        if self.max_batch == 0 || self.max_pull == 0 || self.max_body_bytes < 1024 {
            return Err(ApiError::Config(
                "max_batch, max_pull doivent être positifs et max_body_bytes ≥ 1024".into(),
            ));
        }
        if !(1..=comptoir_core::fulfilment::MAX_TRANSIT_DAYS).contains(&self.import_transit_days) {
            return Err(ApiError::Config(format!(
                "import_transit_days doit être entre 1 et {} jours",
                comptoir_core::fulfilment::MAX_TRANSIT_DAYS
            )));
        }
        Ok(())
    }

    /// The import's options from these settings.
    pub fn import_options(&self) -> crate::import::ImportOptions {
        crate::import::ImportOptions {
            transit_days: self.import_transit_days,
        }
    }

    /// Where the data lives: PostgreSQL when a URL is given, else the SQLite
    /// file in `data_dir`.
    pub fn backend(&self) -> Result<Backend, ApiError> {
        match (&self.database_url, &self.data_dir) {
            (Some(url), _) => {
                if url.expose().starts_with("postgres://")
                    || url.expose().starts_with("postgresql://")
                {
                    Ok(Backend::Postgres(url.clone()))
                } else {
                    Err(ApiError::Config(
                        "--database attend une URL postgres://…".into(),
                    ))
                }
            }
            (None, Some(dir)) => Ok(Backend::Sqlite(dir.join("comptoir-server.sqlite"))),
            (None, None) => Err(ApiError::Config(
                "indiquez --data DIR (SQLite) ou --database postgres://…".into(),
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite(PathBuf),
    Postgres(Secret),
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail's closures return figment::Error
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted_in_debug() {
        let s = Settings {
            database_url: Some(Secret("postgres://u:hunter2@db/x".into())),
            ..Settings::default()
        };
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("postgres://***"), "{dbg}");
    }

    #[test]
    fn precedence_defaults_file_env_cli() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "server.toml",
                "listen = \"127.0.0.1:9000\"\nmax_batch = 10\nmax_pull = 20\n",
            )?;
            jail.set_env("COMPTOIR_SERVER_MAX_BATCH", "11");
            let cli = Overrides {
                listen: Some("127.0.0.1:9100".parse().expect("addr")),
                ..Overrides::default()
            };
            let s = Settings::load(Some(std::path::Path::new("server.toml")), &cli)
                .map_err(|e| e.to_string())?;
            assert_eq!(s.listen.port(), 9100, "command line wins");
            assert_eq!(s.max_batch, 11, "environment beats the file");
            assert_eq!(s.max_pull, 20, "file beats the default");
            assert_eq!(s.max_hlc_ahead_secs, 300, "default");
            Ok(())
        });
    }

    #[test]
    fn unknown_key_and_half_tls_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("a.toml", "listn = \"127.0.0.1:1\"\n")?;
            assert!(
                Settings::load(Some(std::path::Path::new("a.toml")), &Overrides::default())
                    .is_err()
            );
            jail.create_file("b.toml", "tls_cert = \"c.pem\"\n")?;
            assert!(
                Settings::load(Some(std::path::Path::new("b.toml")), &Overrides::default())
                    .is_err()
            );
            Ok(())
        });
    }
}
