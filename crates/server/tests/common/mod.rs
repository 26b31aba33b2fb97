//! Test harness: the real server in-process on port 0, driven over real HTTP
//! (reqwest), on a real SQLite file or a real PostgreSQL database.
//!
//! PostgreSQL: `COMPTOIR_TEST_PG_URL` (set by `scripts/test.sh`) names a
//! server and a role allowed to create databases; each test gets a fresh
//! database. When the variable is set and the server does not answer, the
//! test FAILS. When it is not set, the PostgreSQL variants print that they
//! did not run and pass (a plain `cargo test` on a laptop).
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use chrono::Utc;
use comptoir_server::app::{launch, Running};
use comptoir_server::settings::Settings;
use comptoir_server::storage::postgres::PgStorage;
use comptoir_server::storage::sqlite::SqliteStorage;
use comptoir_server::storage::Storage;
use comptoir_sync::{ChangeEnvelope, EnrolResponse};
use serde_json::Value;
use sqlx::Connection;
use uuid::Uuid;

pub const PG_ENV: &str = "COMPTOIR_TEST_PG_URL";

pub enum Db {
    Sqlite {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
    },
    Postgres {
        url: String,
    },
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comptoir-server.sqlite");
        Db::Sqlite { _dir: dir, path }
    }

    /// A fresh database on the test PostgreSQL, or `None` when
    /// `COMPTOIR_TEST_PG_URL` is not set. Panics when it is set and the
    /// server cannot be reached.
    pub async fn postgres() -> Option<Db> {
        let Ok(base) = std::env::var(PG_ENV) else {
            eprintln!("PostgreSQL variant not run: {PG_ENV} is not set");
            return None;
        };
        let mut admin = sqlx::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "{PG_ENV} is set but PostgreSQL cannot be reached ({e}): failing, not skipping"
                )
            });
        let name = format!("comptoir_t_{}", Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        admin.close().await.unwrap();
        let url = match base.rsplit_once('/') {
            Some((server, _db)) => format!("{server}/{name}"),
            None => panic!("{PG_ENV} must end with /DATABASE"),
        };
        Some(Db::Postgres { url })
    }

    pub async fn storage(&self) -> Arc<dyn Storage> {
        match self {
            Db::Sqlite { path, .. } => Arc::new(SqliteStorage::open(path).await.unwrap()),
            Db::Postgres { url } => Arc::new(PgStorage::connect(url, 8).await.unwrap()),
        }
    }

    pub fn pg_url(&self) -> Option<&str> {
        match self {
            Db::Postgres { url } => Some(url),
            Db::Sqlite { .. } => None,
        }
    }

    /// The `--data DIR` / `--database URL` arguments of the CLI.
    pub fn cli_args(&self) -> Vec<String> {
        match self {
            Db::Sqlite { path, .. } => vec![
                "--data".into(),
                path.parent().unwrap().display().to_string(),
            ],
            Db::Postgres { url } => vec!["--database".into(), url.clone()],
        }
    }
}

/// Runs a story on SQLite and on PostgreSQL: `both!(name)` expects an
/// `async fn name(db: Db)` and makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Db::sqlite().await).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::common::Db::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    };
}

pub fn test_settings() -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        max_body_bytes: 64 * 1024,
        max_batch: 50,
        max_pull: 100,
        shutdown_grace_secs: 10,
        ..Settings::default()
    }
}

pub async fn serve(storage: Arc<dyn Storage>, settings: Settings) -> Running {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    launch(storage, settings, listener).await.unwrap()
}

/// A plain reqwest client. reqwest is built for the whole workspace with
/// `rustls-no-provider` (comptoir-client's choice: rustls on ring, no
/// aws-lc-rs to build), so the process's crypto provider is installed first.
pub fn http_client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            http: http_client(),
            base: base.to_owned(),
            token: None,
        }
    }

    pub fn with_token(base: &str, token: &str) -> Client {
        Client {
            token: Some(token.to_owned()),
            ..Client::new(base)
        }
    }

    fn auth(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .auth(self.http.get(format!("{}{path}", self.base)))
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .auth(self.http.post(format!("{}{path}", self.base)))
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post_raw(&self, path: &str, body: Vec<u8>) -> (u16, Value) {
        let r = self
            .auth(self.http.post(format!("{}{path}", self.base)))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn push(&self, changes: &[ChangeEnvelope]) -> (u16, Value) {
        self.post_json("/v1/push", &serde_json::json!({ "changes": changes }))
            .await
    }

    /// Pulls until at least `n` changes arrived (at most 10 s). On
    /// PostgreSQL a committed change becomes visible once every older
    /// transaction of the cluster has ended (the feed's horizon), so a
    /// test that runs beside others may wait a moment; it never skips.
    pub async fn pull_at_least(&self, cursor: String, n: usize) -> (Vec<Value>, String) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let (mut all, mut cursor) = self.pull_all(cursor).await;
        while all.len() < n && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            let (more, c) = self.pull_all(cursor).await;
            all.extend(more);
            cursor = c;
        }
        (all, cursor)
    }

    /// Pulls until nothing is left; returns the changes and the last cursor.
    pub async fn pull_all(&self, mut cursor: String) -> (Vec<Value>, String) {
        let mut all = Vec::new();
        loop {
            let (s, v) = self
                .get(&format!("/v1/pull?after={cursor}&limit=100"))
                .await;
            assert_eq!(s, 200, "{v}");
            all.extend(v["changes"].as_array().unwrap().iter().cloned());
            cursor = v["cursor"].as_str().unwrap().to_owned();
            if !v["more"].as_bool().unwrap() {
                return (all, cursor);
            }
        }
    }
}

/// Creates a store (if needed), an enrolment code and redeems it.
pub async fn enrol(storage: &dyn Storage, base: &str, store: &str) -> EnrolResponse {
    if !storage
        .list_stores()
        .await
        .unwrap()
        .iter()
        .any(|s| s.code == store)
    {
        storage
            .add_store(store, &format!("Magasin {store}"), false, Utc::now())
            .await
            .unwrap();
    }
    let code = comptoir_server::admin::enrol_code(storage, store, 3600, Utc::now())
        .await
        .unwrap();
    let (s, v) = Client::new(base)
        .post_json(
            "/v1/enrol",
            &serde_json::json!({"code": code.code, "device_name": format!("Comptoir {store}")}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    serde_json::from_value(v).unwrap()
}

/// A well-formed change of this store, HLC at the current time.
pub fn change(store: &str, device: Uuid, kind: &str, payload: Value) -> ChangeEnvelope {
    use comptoir_core::changes::{Change, CustomerCreated, CustomerFieldChange};
    use comptoir_core::events::{DossierEvent, EventRecord};
    use comptoir_core::ids::{CustomerId, DossierEventId, DossierId};
    let now = Utc::now();
    let hlc = comptoir_core::hlc::Hlc::at(now);
    // The kinds core types are pushed as real typed changes (the server
    // decodes them); the test's JSON rides in a free field — a note's text,
    // a field's new value, a customer's city — so that changes differ.
    let typed = match kind {
        "dossier.event" => Some(Change::DossierEvent(EventRecord {
            id: DossierEventId::new(),
            dossier_id: DossierId::new(),
            hlc,
            device_id: device,
            at: now,
            actor: "Julie M.".to_owned(),
            note: Some(payload.to_string()),
            event: DossierEvent::Note,
        })),
        "customer.field" => Some(Change::CustomerField(CustomerFieldChange {
            id: Uuid::now_v7(),
            customer_id: CustomerId::new(),
            hlc,
            device_id: device,
            at: now,
            actor: "Julie M.".to_owned(),
            field: comptoir_core::customer::CustomerField::FirstName,
            old: Value::Null,
            value: payload.clone(),
        })),
        "customer.created" => Some(Change::CustomerCreated(Box::new(CustomerCreated {
            id: Uuid::now_v7(),
            hlc,
            device_id: device,
            actor: "Julie M.".to_owned(),
            customer: comptoir_core::records::CustomerRecord {
                id: CustomerId::new(),
                title: None,
                first_name: "Hélène".to_owned(),
                last_name: "Dupré".to_owned(),
                address_line1: "3 rue de la République".to_owned(),
                address_line2: None,
                postal_code: "69002".to_owned(),
                city: payload.to_string(),
                country: "FR".to_owned(),
                email_marketing: false,
                sms_marketing: false,
                consents_updated_at: None,
                created_at: now,
                updated_at: now,
                contacts: Vec::new(),
            },
        }))),
        _ => None,
    };
    match typed {
        Some(c) => c.to_envelope(store).unwrap(),
        None => ChangeEnvelope {
            id: Uuid::now_v7(),
            kind: kind.to_owned(),
            entity_id: Uuid::now_v7(),
            store_code: store.to_owned(),
            device_id: device,
            hlc: hlc.to_string(),
            payload,
        },
    }
}
