//! The embedded backend: one SQLite file (WAL). Every write transaction
//! starts with `BEGIN IMMEDIATE`, so writers queue on the file lock and a
//! change's `seq` (AUTOINCREMENT) is taken in commit order: the feed is
//! `seq` alone.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use comptoir_sync::ChangeEnvelope;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use uuid::Uuid;

use super::*;
use crate::audit::StoredAudit;
use crate::import::apply::{ImportTx, ImportWrites, MatchKey, StoredOrder};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

#[derive(Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
}

impl SqliteStorage {
    /// Opens (creating when missing) and migrates the file.
    pub async fn open(path: &Path) -> Result<SqliteStorage> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        let s = SqliteStorage { pool };
        let applied = s.applied().await.unwrap_or_default();
        check_not_newer(&applied, &expected_versions(&MIGRATOR))?;
        MIGRATOR.run(&s.pool).await?;
        Ok(s)
    }

    async fn applied(&self) -> Result<Vec<i64>> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success = 1 ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|r| r.get::<i64, _>(0)).collect())
    }
}

fn device_from(r: &sqlx::sqlite::SqliteRow) -> DeviceRow {
    DeviceRow {
        id: r.get("id"),
        store_code: r.get("store_code"),
        name: r.get("name"),
        enrolled_at: r.get("enrolled_at"),
        revoked_at: r.get("revoked_at"),
        head_office: r.get("head_office"),
    }
}

#[async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn schema_state(&self) -> Result<SchemaState> {
        Ok(SchemaState {
            applied: self.applied().await?,
            expected: expected_versions(&MIGRATOR),
        })
    }

    async fn add_store(
        &self,
        code: &str,
        name: &str,
        head_office: bool,
        now: DateTime<Utc>,
    ) -> Result<StoreRow> {
        check_store_code(code)?;
        let r = sqlx::query(
            "INSERT INTO stores (code, name, head_office, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
        )
        .bind(code)
        .bind(name)
        .bind(head_office)
        .bind(now)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 0 {
            return Err(ApiError::StoreExists(code.to_owned()));
        }
        Ok(StoreRow {
            code: code.to_owned(),
            name: name.to_owned(),
            head_office,
            created_at: now,
        })
    }

    async fn list_stores(&self) -> Result<Vec<StoreRow>> {
        let rows =
            sqlx::query("SELECT code, name, head_office, created_at FROM stores ORDER BY code")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .iter()
            .map(|r| StoreRow {
                code: r.get(0),
                name: r.get(1),
                head_office: r.get(2),
                created_at: r.get(3),
            })
            .collect())
    }

    async fn create_enrolment(
        &self,
        store_code: &str,
        code_hash: &[u8],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let known = sqlx::query("SELECT 1 FROM stores WHERE code = ?")
            .bind(store_code)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(ApiError::StoreUnknown(store_code.to_owned()));
        }
        sqlx::query(
            "INSERT INTO enrolments (code_hash, store_code, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(code_hash)
        .bind(store_code)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn redeem_enrolment(&self, code_hash: &[u8], device: NewDevice) -> Result<DeviceRow> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query(
            "SELECT e.store_code, e.expires_at, e.used_at, s.head_office FROM enrolments e JOIN stores s ON s.code = e.store_code WHERE e.code_hash = ?",
        )
        .bind(code_hash)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(ApiError::EnrolCodeUnknown)?;
        let store_code: String = row.get(0);
        let expires_at: DateTime<Utc> = row.get(1);
        let used_at: Option<DateTime<Utc>> = row.get(2);
        let head_office: bool = row.get(3);
        if used_at.is_some() {
            return Err(ApiError::EnrolCodeUsed);
        }
        if expires_at <= device.now {
            return Err(ApiError::EnrolCodeExpired);
        }
        sqlx::query(
            "INSERT INTO devices (id, store_code, name, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(device.id)
        .bind(&store_code)
        .bind(&device.name)
        .bind(&device.token_hash)
        .bind(device.now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE enrolments SET used_at = ?, device_id = ? WHERE code_hash = ?")
            .bind(device.now)
            .bind(device.id)
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(DeviceRow {
            id: device.id,
            store_code,
            head_office,
            name: device.name,
            enrolled_at: device.now,
            revoked_at: None,
        })
    }

    async fn device_by_token(&self, token_hash: &[u8]) -> Result<Option<DeviceRow>> {
        let row = sqlx::query(
            "SELECT d.id, d.store_code, d.name, d.enrolled_at, d.revoked_at, s.head_office FROM devices d JOIN stores s ON s.code = d.store_code WHERE d.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(device_from))
    }

    async fn list_devices(&self, store_code: Option<&str>) -> Result<Vec<DeviceRow>> {
        let rows = sqlx::query(
            "SELECT d.id, d.store_code, d.name, d.enrolled_at, d.revoked_at, s.head_office FROM devices d JOIN stores s ON s.code = d.store_code
             WHERE ?1 IS NULL OR d.store_code = ?1 ORDER BY d.store_code, d.enrolled_at",
        )
        .bind(store_code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(device_from).collect())
    }

    async fn revoke_device(&self, id: Uuid, now: DateTime<Utc>) -> Result<DeviceRow> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE devices SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(
            "SELECT d.id, d.store_code, d.name, d.enrolled_at, d.revoked_at, s.head_office FROM devices d JOIN stores s ON s.code = d.store_code WHERE d.id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApiError::DeviceUnknown(id.to_string()))?;
        tx.commit().await?;
        Ok(device_from(&row))
    }

    async fn insert_changes(&self, changes: &[NewChange]) -> Result<Vec<Inserted>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let out = insert_changes_on(&mut tx, changes).await?;
        tx.commit().await?;
        Ok(out)
    }

    async fn begin_import(&self) -> Result<Box<dyn ImportTx>> {
        Ok(Box::new(SqliteImport {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
        }))
    }

    async fn insert_numbered(
        &self,
        prefix: &str,
        year: i32,
        build: &(dyn Fn(u32) -> Result<NewChange> + Send + Sync),
    ) -> Result<NewChange> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let n: i64 = sqlx::query_scalar(
            "INSERT INTO dossier_numbers (prefix, year, last) VALUES (?, ?, 1)
             ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1 RETURNING last",
        )
        .bind(prefix)
        .bind(year)
        .fetch_one(&mut *tx)
        .await?;
        let change = build(u32::try_from(n).unwrap_or(u32::MAX))?;
        insert_changes_on(&mut tx, std::slice::from_ref(&change)).await?;
        tx.commit().await?;
        Ok(change)
    }

    async fn customer_known(&self, id: Uuid) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS(SELECT 1 FROM web_customers WHERE id = ?1)
                 OR EXISTS(SELECT 1 FROM changes WHERE entity_id = ?1
                           AND kind IN ('customer.created', 'customer.imported'))",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn web_line_customer(&self, line: Uuid) -> Result<Option<Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT customer_id FROM web_order_lines WHERE line_id = ?")
                .bind(line)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn dossier_known(&self, id: Uuid) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS(SELECT 1 FROM changes WHERE entity_id = ? AND kind = 'dossier.event')",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn begin_audit(
        &self,
        store_code: &str,
        device_id: Uuid,
    ) -> Result<Box<dyn crate::audit::AuditTx>> {
        Ok(Box::new(SqliteAudit {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            store_code: store_code.to_owned(),
            device_id,
        }))
    }

    async fn audit_chain(&self, store_code: &str) -> Result<Vec<StoredAudit>> {
        let rows = sqlx::query(
            "SELECT store_code, device_id, seq, at, actor, kind, subject, detail, prev_hash, hash
               FROM audit_entries WHERE store_code = ? ORDER BY device_id, seq",
        )
        .bind(store_code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_from).collect())
    }

    async fn audit_list(
        &self,
        store_code: &str,
        kind: Option<&str>,
        limit: u32,
    ) -> Result<Vec<StoredAudit>> {
        let rows = sqlx::query(
            "SELECT store_code, device_id, seq, at, actor, kind, subject, detail, prev_hash, hash
               FROM audit_entries WHERE store_code = ?1 AND (?2 IS NULL OR kind = ?2)
              ORDER BY at DESC, device_id, seq DESC LIMIT ?3",
        )
        .bind(store_code)
        .bind(kind)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(audit_from).collect())
    }

    async fn feed_count(&self, store_code: &str, after: Cursor) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM changes WHERE seq > ? AND (scope = 'chain' OR store_code = ?)",
        )
        .bind(after.seq)
        .bind(store_code)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn feed(&self, store_code: &str, after: Cursor, limit: usize) -> Result<Vec<FeedRow>> {
        let rows = sqlx::query(
            "SELECT seq, id, kind, entity_id, store_code, device_id, hlc, payload, scope FROM changes
             WHERE seq > ? AND (scope = 'chain' OR store_code = ?) ORDER BY seq LIMIT ?",
        )
        .bind(after.seq)
        .bind(store_code)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let payload: String = r.get("payload");
                Ok(FeedRow {
                    cursor: Cursor {
                        xid: 0,
                        seq: r.get("seq"),
                    },
                    scope: Scope::from_code(r.get("scope")).unwrap_or(Scope::Chain),
                    envelope: ChangeEnvelope {
                        id: r.get("id"),
                        kind: r.get("kind"),
                        entity_id: r.get("entity_id"),
                        store_code: r.get("store_code"),
                        device_id: r.get("device_id"),
                        hlc: r.get("hlc"),
                        payload: serde_json::from_str(&payload)
                            .map_err(|e| ApiError::BadJson(e.to_string()))?,
                    },
                })
            })
            .collect()
    }
}

async fn insert_changes_on(
    conn: &mut sqlx::SqliteConnection,
    changes: &[NewChange],
) -> Result<Vec<Inserted>> {
    let now = Utc::now();
    let mut out = Vec::with_capacity(changes.len());
    // Changes about an erased customer are redacted before they are stored
    // (none to look up while no customer is erased).
    let mut any_erased: bool = sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM erased_customers)")
        .fetch_one(&mut *conn)
        .await?;
    if !any_erased && changes.iter().all(|c| stored_by_its_row(&c.envelope)) {
        return insert_rows_of(conn, changes, now).await;
    }
    for c in changes {
        let mut e = std::borrow::Cow::Borrowed(&c.envelope);
        if any_erased {
            if let Some(at) = erased_at_of(conn, &e).await? {
                if let Some(p) = crate::erasure::redacted(&e, at)? {
                    e.to_mut().payload = p;
                }
            }
        }
        let payload =
            serde_json::to_string(&e.payload).map_err(|err| ApiError::BadJson(err.to_string()))?;
        let r = sqlx::query(
            "INSERT INTO changes (id, kind, entity_id, store_code, device_id, hlc, payload, scope, pushed_by, received_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        )
        .bind(e.id)
        .bind(&e.kind)
        .bind(e.entity_id)
        .bind(&e.store_code)
        .bind(e.device_id)
        .bind(&e.hlc)
        .bind(payload)
        .bind(c.scope.code())
        .bind(c.pushed_by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if r.rows_affected() == 1 {
            if let Some((id, email, phone, record)) = super::counter_customer(&e) {
                sqlx::query(
                    "INSERT INTO web_customers (id, email_norm, phone_norm, record)
                     VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(email)
                .bind(phone)
                .bind(json_text(&record)?)
                .execute(&mut *conn)
                .await?;
            }
            if let Some(x) = crate::erasure::erasure_of(&e) {
                apply_erasure(conn, &x, now).await?;
                any_erased = true;
            }
        }
        out.push(if r.rows_affected() == 1 {
            Inserted::Applied
        } else {
            Inserted::Duplicate
        });
    }
    Ok(out)
}

/// Stores changes that need nothing but their row, in multi-row
/// statements (see [`insert_changes_on`]).
async fn insert_rows_of(
    conn: &mut sqlx::SqliteConnection,
    changes: &[NewChange],
    now: DateTime<Utc>,
) -> Result<Vec<Inserted>> {
    const COLUMNS: usize = 10;
    let payloads = changes
        .iter()
        .map(|c| json_text(&c.envelope.payload))
        .collect::<Result<Vec<String>>>()?;
    let rows: Vec<(&NewChange, &String)> = changes.iter().zip(&payloads).collect();
    let mut written = std::collections::HashSet::with_capacity(changes.len());
    for chunk in rows.chunks(rows_per_statement(COLUMNS)) {
        let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO changes (id, kind, entity_id, store_code, device_id, hlc, payload, scope, pushed_by, received_at) ",
        );
        qb.push_values(chunk, |mut b, (c, payload)| {
            let e = &c.envelope;
            b.push_bind(e.id)
                .push_bind(e.kind.as_str())
                .push_bind(e.entity_id)
                .push_bind(e.store_code.as_str())
                .push_bind(e.device_id)
                .push_bind(e.hlc.as_str())
                .push_bind(payload.as_str())
                .push_bind(c.scope.code())
                .push_bind(c.pushed_by)
                .push_bind(now);
        });
        qb.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
        let ids: Vec<Uuid> = qb.build_query_scalar().fetch_all(&mut *conn).await?;
        written.extend(ids);
    }
    Ok(inserted_from(changes, written))
}

/// A JSON array of strings, for `IN (SELECT value FROM json_each(?))`.
fn json_list(values: &[String]) -> Result<String> {
    serde_json::to_string(values).map_err(|e| ApiError::BadJson(e.to_string()))
}

/// When the customer a change is about was erased, if they were.
async fn erased_at_of(
    conn: &mut sqlx::SqliteConnection,
    e: &ChangeEnvelope,
) -> Result<Option<DateTime<Utc>>> {
    let customer = match crate::erasure::customer_of(e) {
        Some(c) => Some(c),
        None if e.kind == comptoir_core::changes::KIND_DOSSIER_EVENT => {
            let c: Option<String> = sqlx::query_scalar(
                "SELECT json_extract(payload, '$.event.customer_id') FROM changes
                  WHERE entity_id = ? AND kind = 'dossier.event'
                    AND json_extract(payload, '$.event.type') = 'opened' LIMIT 1",
            )
            .bind(e.entity_id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
            c.and_then(|s| s.parse().ok())
        }
        None => None,
    };
    let Some(customer) = customer else {
        return Ok(None);
    };
    Ok(
        sqlx::query_scalar("SELECT erased_at FROM erased_customers WHERE customer_id = ?")
            .bind(customer)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

fn envelope_from(r: &sqlx::sqlite::SqliteRow) -> Result<ChangeEnvelope> {
    let payload: String = r.get("payload");
    Ok(ChangeEnvelope {
        id: r.get("id"),
        kind: r.get("kind"),
        entity_id: r.get("entity_id"),
        store_code: r.get("store_code"),
        device_id: r.get("device_id"),
        hlc: r.get("hlc"),
        payload: serde_json::from_str(&payload).map_err(|e| ApiError::BadJson(e.to_string()))?,
    })
}

/// Applies a customer's erasure in the transaction that stores it: the
/// identity leaves every change of the feed that holds it (same ids, same
/// positions), the import's matching row, and the free texts of the
/// customer's dossiers; the server's chain of the store records it. A
/// customer erased before is left as it is. What is rewritten is
/// overwritten in the file (`secure_delete`, while the erasure writes).
async fn apply_erasure(
    conn: &mut sqlx::SqliteConnection,
    x: &crate::erasure::Erasure,
    now: DateTime<Utc>,
) -> Result<()> {
    let recorded = sqlx::query(
        "INSERT INTO erased_customers (customer_id, change_id, store_code, erased_at, applied_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (customer_id) DO NOTHING",
    )
    .bind(x.customer_id)
    .bind(x.change_id)
    .bind(&x.store_code)
    .bind(x.at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if recorded.rows_affected() == 0 {
        return Ok(());
    }
    let previous: i64 = sqlx::query_scalar("PRAGMA secure_delete")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("PRAGMA secure_delete = 1")
        .execute(&mut *conn)
        .await?;
    let done = redact_all(conn, x).await;
    sqlx::query(&format!("PRAGMA secure_delete = {}", previous.clamp(0, 2)))
        .execute(&mut *conn)
        .await?;
    let done = done?;
    let head: Option<(i64, Vec<u8>)> = sqlx::query_as(
        "SELECT seq, hash FROM audit_entries WHERE store_code = ? AND device_id = ?
          ORDER BY seq DESC LIMIT 1",
    )
    .bind(&x.store_code)
    .bind(crate::audit::SERVER_CHAIN)
    .fetch_optional(&mut *conn)
    .await?;
    let entry = crate::audit::server_entry(
        &x.store_code,
        head,
        now,
        &x.actor,
        crate::audit::CUSTOMER_ERASED,
        &x.customer_id.to_string(),
        &done.detail(x),
    );
    insert_audit_on(conn, &entry, now).await
}

async fn redact_all(
    conn: &mut sqlx::SqliteConnection,
    x: &crate::erasure::Erasure,
) -> Result<crate::erasure::Redacted> {
    let mut done = crate::erasure::Redacted::default();
    let mut rows = sqlx::query(
        "SELECT id, kind, entity_id, store_code, device_id, hlc, payload FROM changes
          WHERE entity_id = ? AND kind IN ('customer.created', 'customer.imported', 'customer.field')",
    )
    .bind(x.customer_id)
    .fetch_all(&mut *conn)
    .await?;
    let customer_rows = rows.len();
    rows.extend(
        sqlx::query(
            "SELECT id, kind, entity_id, store_code, device_id, hlc, payload FROM changes
              WHERE kind = 'dossier.event' AND entity_id IN (
                    SELECT entity_id FROM changes
                     WHERE kind = 'dossier.event'
                       AND json_extract(payload, '$.event.type') = 'opened'
                       AND json_extract(payload, '$.event.customer_id') = ?)",
        )
        .bind(x.customer_id.to_string())
        .fetch_all(&mut *conn)
        .await?,
    );
    for (i, r) in rows.iter().enumerate() {
        let e = envelope_from(r)?;
        if let Some(p) = crate::erasure::redacted(&e, x.at)? {
            sqlx::query("UPDATE changes SET payload = ? WHERE id = ?")
                .bind(json_text(&p)?)
                .bind(e.id)
                .execute(&mut *conn)
                .await?;
            if i < customer_rows {
                done.customer_changes += 1;
            } else {
                done.dossier_events += 1;
            }
        }
    }
    let record: Option<String> =
        sqlx::query_scalar("SELECT record FROM web_customers WHERE id = ?")
            .bind(x.customer_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(record) = record {
        let old: serde_json::Value = serde_json::from_str(&record).unwrap_or_default();
        let new = crate::erasure::tombstone_record(&old, x.at)
            .unwrap_or_else(|| serde_json::json!({ "id": x.customer_id }));
        sqlx::query(
            "UPDATE web_customers SET email_norm = NULL, phone_norm = NULL, record = ? WHERE id = ?",
        )
        .bind(json_text(&new)?)
        .bind(x.customer_id)
        .execute(&mut *conn)
        .await?;
        done.import_matches += 1;
    }
    Ok(done)
}

async fn insert_audit_on(
    conn: &mut sqlx::SqliteConnection,
    e: &StoredAudit,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_entries (store_code, device_id, seq, at, actor, kind, subject, detail,
                                    prev_hash, hash, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&e.store_code)
    .bind(e.device_id)
    .bind(e.seq)
    .bind(&e.at)
    .bind(&e.actor)
    .bind(&e.kind)
    .bind(&e.subject)
    .bind(&e.detail)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn audit_from(r: &sqlx::sqlite::SqliteRow) -> StoredAudit {
    StoredAudit {
        store_code: r.get("store_code"),
        device_id: r.get("device_id"),
        seq: r.get("seq"),
        at: r.get("at"),
        actor: r.get("actor"),
        kind: r.get("kind"),
        subject: r.get("subject"),
        detail: r.get("detail"),
        prev_hash: r.get("prev_hash"),
        hash: r.get("hash"),
    }
}

struct SqliteAudit {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    store_code: String,
    device_id: Uuid,
}

#[async_trait]
impl crate::audit::AuditTx for SqliteAudit {
    async fn head(&mut self) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "SELECT seq, hash FROM audit_entries WHERE store_code = ? AND device_id = ?
              ORDER BY seq DESC LIMIT 1",
        )
        .bind(&self.store_code)
        .bind(self.device_id)
        .fetch_optional(&mut *self.tx)
        .await?)
    }
    async fn hash_at(&mut self, seq: i64) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(
            "SELECT hash FROM audit_entries WHERE store_code = ? AND device_id = ? AND seq = ?",
        )
        .bind(&self.store_code)
        .bind(self.device_id)
        .bind(seq)
        .fetch_optional(&mut *self.tx)
        .await?)
    }
    async fn insert(&mut self, e: &StoredAudit) -> Result<()> {
        insert_audit_on(&mut self.tx, e, Utc::now()).await
    }
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

fn json_text(v: &serde_json::Value) -> Result<String> {
    serde_json::to_string(v).map_err(|e| ApiError::BadJson(e.to_string()))
}

struct SqliteImport {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
}

#[async_trait]
impl ImportTx for SqliteImport {
    async fn customers_by(
        &mut self,
        key: MatchKey,
        values: &[String],
    ) -> Result<HashMap<String, Uuid>> {
        if values.is_empty() {
            return Ok(HashMap::new());
        }
        let column = key.column();
        let rows: Vec<(String, Uuid)> = sqlx::query_as(&format!(
            "SELECT {column}, id FROM web_customers
              WHERE {column} IN (SELECT value FROM json_each(?)) ORDER BY id"
        ))
        .bind(json_list(values)?)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(first_by_key(rows))
    }
    async fn products_by_sku(&mut self, skus: &[String]) -> Result<HashMap<String, Uuid>> {
        if skus.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, Uuid)> = sqlx::query_as(
            "SELECT sku, id FROM products WHERE sku IN (SELECT value FROM json_each(?))",
        )
        .bind(json_list(skus)?)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows.into_iter().collect())
    }
    async fn orders(
        &mut self,
        source: &str,
        numbers: &[String],
    ) -> Result<HashMap<String, StoredOrder>> {
        if numbers.is_empty() {
            return Ok(HashMap::new());
        }
        let rows = sqlx::query(
            "SELECT number, id, content_hash, record FROM web_orders
              WHERE source = ? AND number IN (SELECT value FROM json_each(?))",
        )
        .bind(source)
        .bind(json_list(numbers)?)
        .fetch_all(&mut *self.tx)
        .await?;
        rows.into_iter()
            .map(|r| {
                let text: &str = r.get(3);
                Ok((
                    r.get(0),
                    StoredOrder {
                        id: r.get(1),
                        content_hash: r.get(2),
                        line_ids: crate::import::apply::line_ids_of(text)?,
                    },
                ))
            })
            .collect()
    }
    async fn write(&mut self, w: &ImportWrites) -> Result<()> {
        let conn = &mut *self.tx;
        let records = |v: &[&serde_json::Value]| -> Result<Vec<String>> {
            v.iter().map(|r| json_text(r)).collect()
        };
        let texts = records(&w.customers.iter().map(|c| &c.record).collect::<Vec<_>>())?;
        let customers: Vec<_> = w.customers.iter().zip(&texts).collect();
        insert_many!(
            sqlx::Sqlite,
            conn,
            "INSERT INTO web_customers (id, email_norm, phone_norm, record) ",
            "",
            4,
            &customers,
            |mut b, (c, text)| {
                b.push_bind(c.id)
                    .push_bind(c.email_norm.as_deref())
                    .push_bind(c.phone_norm.as_deref())
                    .push_bind(text.as_str());
            },
        );
        let texts = records(&w.products.iter().map(|p| &p.record).collect::<Vec<_>>())?;
        let products: Vec<_> = w.products.iter().zip(&texts).collect();
        insert_many!(
            sqlx::Sqlite,
            conn,
            "INSERT INTO products (id, sku, record) ",
            "",
            3,
            &products,
            |mut b, (p, text)| {
                b.push_bind(p.id)
                    .push_bind(p.sku.as_str())
                    .push_bind(text.as_str());
            },
        );
        let texts = records(&w.orders.iter().map(|o| &o.record).collect::<Vec<_>>())?;
        let orders: Vec<_> = w.orders.iter().zip(&texts).collect();
        insert_many!(
            sqlx::Sqlite,
            conn,
            "INSERT INTO web_orders (source, number, id, content_hash, record) ",
            " ON CONFLICT (source, number) DO UPDATE SET content_hash = excluded.content_hash,
                  record = excluded.record",
            5,
            &orders,
            |mut b, (o, text)| {
                b.push_bind(o.source.as_str())
                    .push_bind(o.number.as_str())
                    .push_bind(o.id)
                    .push_bind(o.content_hash.as_slice())
                    .push_bind(text.as_str());
            },
        );
        // Each order's lines as it is now (the lines of an updated order
        // replaced).
        let ids: Vec<String> = w.orders.iter().map(|o| o.id.simple().to_string()).collect();
        sqlx::query(
            "DELETE FROM web_order_lines WHERE order_id IN (SELECT unhex(value) FROM json_each(?))",
        )
        .bind(json_list(&ids)?)
        .execute(&mut *conn)
        .await?;
        let lines = order_line_rows(&w.orders);
        insert_many!(
            sqlx::Sqlite,
            conn,
            "INSERT INTO web_order_lines (line_id, order_id, customer_id) ",
            " ON CONFLICT (line_id) DO UPDATE SET order_id = excluded.order_id,
                  customer_id = excluded.customer_id",
            3,
            &lines,
            |mut b, (line, order, customer)| {
                b.push_bind(*line).push_bind(*order).push_bind(*customer);
            },
        );
        insert_changes_on(conn, &w.changes).await?;
        Ok(())
    }
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}
