//! One storage trait, one implementation per backend: [`sqlite::SqliteStorage`]
//! (the default, one embedded file) and [`postgres::PgStorage`] (a real
//! chain; several stateless server instances may share one database).
//! Each backend has its own migrations (`migrations/sqlite`,
//! `migrations/postgres`), embedded in the binary and applied at open.

/// A multi-row `INSERT` on a connection of backend `$db`: `$head`
/// (`INSERT INTO t (a, b) `), one `VALUES` tuple a row bound by `$bind`
/// (as `QueryBuilder::push_values` takes it), then `$tail` (`ON CONFLICT
/// …`), in as many statements as the parameter limit needs. (A macro: a
/// function generic over the backend cannot shorten SQLite's argument
/// lifetime to the statement's.)
macro_rules! insert_many {
    ($db:ty, $conn:expr, $head:expr, $tail:expr, $columns:expr, $rows:expr, $bind:expr $(,)?) => {{
        for chunk in $rows.chunks($crate::storage::rows_per_statement($columns)) {
            let mut qb = sqlx::QueryBuilder::<$db>::new($head);
            qb.push_values(chunk, $bind);
            qb.push($tail);
            qb.build().execute(&mut *$conn).await?;
        }
    }};
}

pub mod postgres;
pub mod sqlite;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use comptoir_sync::ChangeEnvelope;
use serde::Serialize;
use uuid::Uuid;

use crate::error::{ApiError, Result};
use crate::settings::Backend;

/// Who sees a change in the feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Only the counters of the change's store.
    Store,
    /// Every counter of the chain.
    Chain,
}

impl Scope {
    pub fn code(self) -> &'static str {
        match self {
            Scope::Store => "store",
            Scope::Chain => "chain",
        }
    }
    pub fn from_code(s: &str) -> Option<Scope> {
        match s {
            "store" => Some(Scope::Store),
            "chain" => Some(Scope::Chain),
            _ => None,
        }
    }
}

/// A position in the feed. On PostgreSQL `xid` is the id of the
/// transaction that wrote the change (commit-ordered through the snapshot
/// horizon, see `postgres.rs`); on SQLite, whose writers are serialised,
/// it is always 0 and `seq` alone is commit-ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub xid: i64,
    pub seq: i64,
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.xid, self.seq)
    }
}

impl std::str::FromStr for Cursor {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Cursor> {
        let bad = || ApiError::BadCursor(s.chars().take(40).collect());
        let (x, q) = s.split_once('-').ok_or_else(bad)?;
        let xid: i64 = x.parse().map_err(|_| bad())?;
        let seq: i64 = q.parse().map_err(|_| bad())?;
        if xid < 0 || seq < 0 {
            return Err(bad());
        }
        Ok(Cursor { xid, seq })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreRow {
    pub code: String,
    pub name: String,
    pub head_office: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRow {
    pub id: Uuid,
    pub store_code: String,
    /// The device's store is head office's.
    pub head_office: bool,
    pub name: String,
    pub enrolled_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A device about to be created by redeeming an enrolment code.
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: Uuid,
    pub name: String,
    pub token_hash: Vec<u8>,
    pub now: DateTime<Utc>,
}

/// A checked change about to be stored.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub envelope: ChangeEnvelope,
    pub scope: Scope,
    /// The device that pushed it (`None`: the server itself, e.g. an import).
    pub pushed_by: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Applied,
    Duplicate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedRow {
    pub cursor: Cursor,
    pub scope: Scope,
    pub envelope: ChangeEnvelope,
}

/// `/health`: the database answered, and the migrations applied are exactly
/// the ones this build embeds.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaState {
    pub applied: Vec<i64>,
    pub expected: Vec<i64>,
}

impl SchemaState {
    pub fn current(&self) -> bool {
        self.applied == self.expected
    }
}

/// A test hook: called inside a push transaction just before its commit,
/// so a test can make transactions commit out of order.
pub type CommitHook = Arc<dyn Fn(&[NewChange]) -> std::time::Duration + Send + Sync>;

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    fn backend(&self) -> &'static str;

    /// Pings the database and reads the applied migrations.
    async fn schema_state(&self) -> Result<SchemaState>;

    async fn add_store(
        &self,
        code: &str,
        name: &str,
        head_office: bool,
        now: DateTime<Utc>,
    ) -> Result<StoreRow>;
    async fn list_stores(&self) -> Result<Vec<StoreRow>>;

    /// Records a one-time enrolment code (its hash) for a store.
    async fn create_enrolment(
        &self,
        store_code: &str,
        code_hash: &[u8],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()>;

    /// Redeems a code (once, before it expires) and creates the device, in
    /// one transaction.
    async fn redeem_enrolment(&self, code_hash: &[u8], device: NewDevice) -> Result<DeviceRow>;

    async fn device_by_token(&self, token_hash: &[u8]) -> Result<Option<DeviceRow>>;
    async fn list_devices(&self, store_code: Option<&str>) -> Result<Vec<DeviceRow>>;
    async fn revoke_device(&self, id: Uuid, now: DateTime<Utc>) -> Result<DeviceRow>;

    /// Stores a batch in one transaction; a change id already stored is a
    /// duplicate and is not written again.
    async fn insert_changes(&self, changes: &[NewChange]) -> Result<Vec<Inserted>>;

    /// The feed after `after` for a store: its own changes and the chain's,
    /// in feed order, at most `limit`. Never skips a change that commits
    /// later with a smaller position.
    async fn feed(&self, store_code: &str, after: Cursor, limit: usize) -> Result<Vec<FeedRow>>;

    /// How many changes [`Storage::feed`] would serve after `after` now
    /// (a bootstrap's total, for the counter's progress bar).
    async fn feed_count(&self, store_code: &str, after: Cursor) -> Result<u64>;

    /// A transaction for an import (see `import::apply`).
    async fn begin_import(&self) -> Result<Box<dyn crate::import::apply::ImportTx>>;

    /// Takes the next number of head office's dossier series `prefix`
    /// (WEB, TEL) in `year` and stores the change `build` makes with it, in
    /// one transaction: when `build` refuses, or the write fails, no number
    /// is taken and nothing is stored.
    async fn insert_numbered(
        &self,
        prefix: &str,
        year: i32,
        build: &(dyn Fn(u32) -> Result<NewChange> + Send + Sync),
    ) -> Result<NewChange>;

    /// Head office knows this customer: imported, or created at a counter
    /// and pushed.
    async fn customer_known(&self, id: Uuid) -> Result<bool>;

    /// Whose the line of an imported web order is (`None`: no such line).
    async fn web_line_customer(&self, line: Uuid) -> Result<Option<Uuid>>;

    /// Head office has events of this dossier.
    async fn dossier_known(&self, id: Uuid) -> Result<bool>;

    /// A transaction on one device's audit chain (see `audit::receive`).
    async fn begin_audit(
        &self,
        store_code: &str,
        device_id: Uuid,
    ) -> Result<Box<dyn crate::audit::AuditTx>>;

    /// Every audit entry of a store, chain by chain (device id), in number
    /// order.
    async fn audit_chain(&self, store_code: &str) -> Result<Vec<crate::audit::StoredAudit>>;

    /// A store's audit entries, newest first, of one kind or all.
    async fn audit_list(
        &self,
        store_code: &str,
        kind: Option<&str>,
        limit: u32,
    ) -> Result<Vec<crate::audit::StoredAudit>>;
}

/// The customer and the line ids of an order record as the import stores it
/// (`customer_id`, `lines[].id`).
pub(crate) fn order_lines_of(record: &serde_json::Value) -> (Uuid, Vec<Uuid>) {
    let id = |v: &serde_json::Value| v.as_str().and_then(|s| s.parse::<Uuid>().ok());
    let customer = id(&record["customer_id"]).unwrap_or_default();
    let lines = record["lines"]
        .as_array()
        .map(|ls| ls.iter().filter_map(|l| id(&l["id"])).collect())
        .unwrap_or_default();
    (customer, lines)
}

/// A customer created at a counter, as imports match customers: its id,
/// first e-mail and phone (normalised) and its record. Head office keeps
/// it beside the imported ones, so that a web order of that e-mail lands
/// on the counter's card instead of making a second customer.
pub(crate) fn counter_customer(
    e: &ChangeEnvelope,
) -> Option<(Uuid, Option<String>, Option<String>, serde_json::Value)> {
    if e.kind != comptoir_core::changes::KIND_CUSTOMER_CREATED {
        return None;
    }
    match comptoir_core::changes::Change::from_envelope(e).ok()? {
        comptoir_core::changes::Change::CustomerCreated(c) => {
            let (email, phone) = crate::import::apply::match_keys(&c.customer);
            let record = serde_json::to_value(&c.customer).ok()?;
            Some((c.customer.id.0, email, phone, record))
        }
        _ => None,
    }
}

/// Whether a change is stored by its row alone: not a counter's new
/// customer (which also enters the import's matching table) nor an erasure
/// (which rewrites what the feed holds). A batch of only such changes,
/// while no customer is erased, is written in multi-row statements.
pub(crate) fn stored_by_its_row(e: &ChangeEnvelope) -> bool {
    e.kind != comptoir_core::changes::KIND_CUSTOMER_CREATED
        && e.kind != comptoir_core::changes::KIND_CUSTOMER_ERASED
}

/// Applied or duplicate, for every change of a batch, from the ids a
/// multi-row `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id` wrote: an
/// id the batch holds twice is applied once, a duplicate the second time.
pub(crate) fn inserted_from(
    changes: &[NewChange],
    mut written: std::collections::HashSet<Uuid>,
) -> Vec<Inserted> {
    changes
        .iter()
        .map(|c| {
            if written.remove(&c.envelope.id) {
                Inserted::Applied
            } else {
                Inserted::Duplicate
            }
        })
        .collect()
}

/// Rows a multi-row statement of `columns` columns carries: under both
/// backends' limit of bound parameters (SQLite 32,766; PostgreSQL 65,535).
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (30_000 / columns.max(1)).clamp(1, 2_000)
}

/// The `web_order_lines` rows of orders about to be written: (line,
/// order, customer).
pub(crate) fn order_line_rows(
    orders: &[crate::import::apply::OrderRow],
) -> Vec<(Uuid, Uuid, Uuid)> {
    orders
        .iter()
        .flat_map(|o| {
            let (customer, lines) = order_lines_of(&o.record);
            lines.into_iter().map(move |l| (l, o.id, customer))
        })
        .collect()
}

/// (key, id) rows in id order, as a map to the first (oldest) id of each
/// key.
pub(crate) fn first_by_key(rows: Vec<(String, Uuid)>) -> std::collections::HashMap<String, Uuid> {
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for (k, id) in rows {
        found.entry(k).or_insert(id);
    }
    found
}

/// Opens (and migrates) the configured backend.
pub async fn open(backend: &Backend) -> Result<Arc<dyn Storage>> {
    match backend {
        Backend::Sqlite(path) => Ok(Arc::new(sqlite::SqliteStorage::open(path).await?)),
        Backend::Postgres(url) => Ok(Arc::new(
            postgres::PgStorage::connect(url.expose(), 10).await?,
        )),
    }
}

/// The versions a migrator embeds, for `/health` and the "too new" check.
pub(crate) fn expected_versions(m: &sqlx::migrate::Migrator) -> Vec<i64> {
    m.iter().map(|m| m.version).collect()
}

/// Refuses a database migrated by a newer build (a version we do not know).
pub(crate) fn check_not_newer(applied: &[i64], expected: &[i64]) -> Result<()> {
    match applied.iter().find(|v| !expected.contains(v)) {
        Some(v) => Err(ApiError::SchemaTooNew(*v)),
        None => Ok(()),
    }
}

/// Store codes: 2–12 upper-case ASCII letters or digits (`LYO1`).
pub fn check_store_code(code: &str) -> Result<()> {
    let ok = (2..=12).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(ApiError::StoreCodeInvalid(code.chars().take(40).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip_and_order() {
        let c: Cursor = "12-345".parse().expect("cursor");
        assert_eq!(c, Cursor { xid: 12, seq: 345 });
        assert_eq!(c.to_string(), "12-345");
        assert!(Cursor { xid: 1, seq: 900 } < Cursor { xid: 2, seq: 1 });
        for bad in ["", "12", "a-1", "1-b", "-1-2", "1--2"] {
            assert!(bad.parse::<Cursor>().is_err(), "{bad}");
        }
    }

    #[test]
    fn store_codes() {
        assert!(check_store_code("LYO1").is_ok());
        for bad in ["L", "lyo1", "LYO-1", "ABCDEFGHIJKLM", ""] {
            assert!(check_store_code(bad).is_err(), "{bad}");
        }
    }
}
