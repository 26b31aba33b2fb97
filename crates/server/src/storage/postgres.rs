//! The PostgreSQL backend, for a real chain: several stateless server
//! instances share one database.
//!
//! **The feed is commit-ordered.** A `bigserial` alone is not: transaction A
//! takes seq 10, B takes 11 and commits first, a puller reads 11 and moves
//! its cursor past it, then A commits 10 — skipped forever. So each change
//! records the id of the transaction that wrote it (`xid`, from
//! `pg_current_xact_id()`), and a pull serves only rows with
//! `xid < pg_snapshot_xmin(pg_current_snapshot())`: every transaction below
//! that horizon has ended (committed or rolled back), and any transaction
//! still to commit has an xid at or above it. The position is `(xid, seq)`:
//! a row that becomes visible later always sorts after every row already
//! served. A long transaction delays the feed; it never makes it skip.
//! `tests/feed_order.rs` proves it with two server instances and commits
//! delayed out of order.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use comptoir_sync::ChangeEnvelope;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::types::Json;
use sqlx::Row;
use uuid::Uuid;

use super::*;
use crate::audit::StoredAudit;
use crate::import::apply::{ImportTx, ImportWrites, MatchKey, StoredOrder};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone)]
pub struct PgStorage {
    pool: PgPool,
    commit_hook: Option<CommitHook>,
}

impl PgStorage {
    /// Connects and migrates (sqlx takes an advisory lock, so instances
    /// starting together migrate once).
    pub async fn connect(url: &str, max_connections: u32) -> Result<PgStorage> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await?;
        let s = PgStorage {
            pool,
            commit_hook: None,
        };
        let applied = s.applied().await.unwrap_or_default();
        check_not_newer(&applied, &expected_versions(&MIGRATOR))?;
        MIGRATOR.run(&s.pool).await?;
        Ok(s)
    }

    /// Test hook: sleep for what it returns inside each push transaction,
    /// after the rows are written and before the commit.
    pub fn with_commit_hook(mut self, hook: CommitHook) -> PgStorage {
        self.commit_hook = Some(hook);
        self
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn applied(&self) -> Result<Vec<i64>> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.iter().map(|r| r.get::<i64, _>(0)).collect())
    }
}

fn device_from(r: &sqlx::postgres::PgRow) -> DeviceRow {
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
impl Storage for PgStorage {
    fn backend(&self) -> &'static str {
        "postgres"
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
            "INSERT INTO stores (code, name, head_office, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING",
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
        let mut tx = self.pool.begin().await?;
        let known = sqlx::query("SELECT 1 FROM stores WHERE code = $1")
            .bind(store_code)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(ApiError::StoreUnknown(store_code.to_owned()));
        }
        sqlx::query(
            "INSERT INTO enrolments (code_hash, store_code, created_at, expires_at) VALUES ($1, $2, $3, $4)",
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
        let mut tx = self.pool.begin().await?;
        // FOR UPDATE: two counters racing with one code — one wins, the
        // other sees it used.
        let row = sqlx::query(
            "SELECT e.store_code, e.expires_at, e.used_at, s.head_office FROM enrolments e JOIN stores s ON s.code = e.store_code WHERE e.code_hash = $1 FOR UPDATE OF e",
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
            "INSERT INTO devices (id, store_code, name, token_hash, enrolled_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(device.id)
        .bind(&store_code)
        .bind(&device.name)
        .bind(&device.token_hash)
        .bind(device.now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE enrolments SET used_at = $1, device_id = $2 WHERE code_hash = $3")
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
            "SELECT d.id, d.store_code, d.name, d.enrolled_at, d.revoked_at, s.head_office FROM devices d JOIN stores s ON s.code = d.store_code WHERE d.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(device_from))
    }

    async fn list_devices(&self, store_code: Option<&str>) -> Result<Vec<DeviceRow>> {
        let rows = sqlx::query(
            "SELECT d.id, d.store_code, d.name, d.enrolled_at, d.revoked_at, s.head_office FROM devices d JOIN stores s ON s.code = d.store_code
             WHERE $1::text IS NULL OR d.store_code = $1 ORDER BY d.store_code, d.enrolled_at",
        )
        .bind(store_code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(device_from).collect())
    }

    async fn revoke_device(&self, id: Uuid, now: DateTime<Utc>) -> Result<DeviceRow> {
        let row = sqlx::query(
            "UPDATE devices d SET revoked_at = COALESCE(d.revoked_at, $1) FROM stores s
             WHERE d.id = $2 AND s.code = d.store_code
             RETURNING d.id, d.store_code, d.name, d.enrolled_at, d.revoked_at, s.head_office",
        )
        .bind(now)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| ApiError::DeviceUnknown(id.to_string()))?;
        Ok(device_from(&row))
    }

    async fn insert_changes(&self, changes: &[NewChange]) -> Result<Vec<Inserted>> {
        let mut tx = self.pool.begin().await?;
        let out = insert_changes_on(&mut tx, changes).await?;
        if let Some(hook) = &self.commit_hook {
            let wait = hook(changes);
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn begin_import(&self) -> Result<Box<dyn ImportTx>> {
        Ok(Box::new(PgImport {
            tx: self.pool.begin().await?,
        }))
    }

    async fn insert_numbered(
        &self,
        prefix: &str,
        year: i32,
        build: &(dyn Fn(u32) -> Result<NewChange> + Send + Sync),
    ) -> Result<NewChange> {
        let mut tx = self.pool.begin().await?;
        let n: i32 = sqlx::query_scalar(
            "INSERT INTO dossier_numbers (prefix, year, last) VALUES ($1, $2, 1)
             ON CONFLICT (prefix, year) DO UPDATE SET last = dossier_numbers.last + 1
             RETURNING last",
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
            "SELECT EXISTS(SELECT 1 FROM web_customers WHERE id = $1)
                 OR EXISTS(SELECT 1 FROM changes WHERE entity_id = $1
                           AND kind IN ('customer.created', 'customer.imported'))",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn web_line_customer(&self, line: Uuid) -> Result<Option<Uuid>> {
        Ok(
            sqlx::query_scalar("SELECT customer_id FROM web_order_lines WHERE line_id = $1")
                .bind(line)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn dossier_known(&self, id: Uuid) -> Result<bool> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS(SELECT 1 FROM changes WHERE entity_id = $1 AND kind = 'dossier.event')",
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
        let mut tx = self.pool.begin().await?;
        lock_chain(&mut tx, store_code, device_id).await?;
        Ok(Box::new(PgAudit {
            tx,
            store_code: store_code.to_owned(),
            device_id,
        }))
    }

    async fn audit_chain(&self, store_code: &str) -> Result<Vec<StoredAudit>> {
        let rows = sqlx::query(
            "SELECT store_code, device_id, seq, at, actor, kind, subject, detail, prev_hash, hash
               FROM audit_entries WHERE store_code = $1 ORDER BY device_id, seq",
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
               FROM audit_entries WHERE store_code = $1 AND ($2::text IS NULL OR kind = $2)
              ORDER BY at DESC, device_id, seq DESC LIMIT $3",
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
            "SELECT count(*) FROM changes
             WHERE (xid, seq) > ($1, $2)
               AND xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
               AND (scope = 'chain' OR store_code = $3)",
        )
        .bind(after.xid)
        .bind(after.seq)
        .bind(store_code)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn feed(&self, store_code: &str, after: Cursor, limit: usize) -> Result<Vec<FeedRow>> {
        let rows = sqlx::query(
            "SELECT seq, xid, id, kind, entity_id, store_code, device_id, hlc, payload, scope FROM changes
             WHERE (xid, seq) > ($1, $2)
               AND xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
               AND (scope = 'chain' OR store_code = $3)
             ORDER BY xid, seq LIMIT $4",
        )
        .bind(after.xid)
        .bind(after.seq)
        .bind(store_code)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let payload: Json<serde_json::Value> = r.get("payload");
                FeedRow {
                    cursor: Cursor {
                        xid: r.get("xid"),
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
                        payload: payload.0,
                    },
                }
            })
            .collect())
    }
}

async fn insert_changes_on(
    conn: &mut sqlx::PgConnection,
    changes: &[NewChange],
) -> Result<Vec<Inserted>> {
    let mut out = Vec::with_capacity(changes.len());
    // Changes about an erased customer are redacted before they are stored
    // (none to look up while no customer is erased).
    let mut any_erased: bool = sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM erased_customers)")
        .fetch_one(&mut *conn)
        .await?;
    if !any_erased && changes.iter().all(|c| stored_by_its_row(&c.envelope)) {
        return insert_rows_of(conn, changes).await;
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
        let r = sqlx::query(
            "INSERT INTO changes (id, kind, entity_id, store_code, device_id, hlc, payload, scope, pushed_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(e.id)
        .bind(&e.kind)
        .bind(e.entity_id)
        .bind(&e.store_code)
        .bind(e.device_id)
        .bind(&e.hlc)
        .bind(Json(&e.payload))
        .bind(c.scope.code())
        .bind(c.pushed_by)
        .execute(&mut *conn)
        .await?;
        if r.rows_affected() == 1 {
            if let Some((id, email, phone, record)) = super::counter_customer(&e) {
                sqlx::query(
                    "INSERT INTO web_customers (id, email_norm, phone_norm, record)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING",
                )
                .bind(id)
                .bind(email)
                .bind(phone)
                .bind(Json(&record))
                .execute(&mut *conn)
                .await?;
            }
            if let Some(x) = crate::erasure::erasure_of(&e) {
                apply_erasure(conn, &x).await?;
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

/// Stores changes that need nothing but their row, in one statement over
/// arrays (see [`insert_changes_on`]): the rows are inserted in the
/// batch's order, so their positions in the feed follow it.
async fn insert_rows_of(
    conn: &mut sqlx::PgConnection,
    changes: &[NewChange],
) -> Result<Vec<Inserted>> {
    let env = |f: fn(&NewChange) -> Uuid| changes.iter().map(f).collect::<Vec<Uuid>>();
    let text = |f: fn(&NewChange) -> &str| changes.iter().map(f).collect::<Vec<&str>>();
    let written: Vec<Uuid> = sqlx::query_scalar(
        "INSERT INTO changes (id, kind, entity_id, store_code, device_id, hlc, payload, scope, pushed_by)
         SELECT id, kind, entity_id, store_code, device_id, hlc, payload, scope, pushed_by
           FROM UNNEST($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::uuid[], $6::text[],
                       $7::jsonb[], $8::text[], $9::uuid[]) WITH ORDINALITY
                AS t (id, kind, entity_id, store_code, device_id, hlc, payload, scope, pushed_by, n)
          ORDER BY n
         ON CONFLICT (id) DO NOTHING RETURNING id",
    )
    .bind(env(|c| c.envelope.id))
    .bind(text(|c| c.envelope.kind.as_str()))
    .bind(env(|c| c.envelope.entity_id))
    .bind(text(|c| c.envelope.store_code.as_str()))
    .bind(env(|c| c.envelope.device_id))
    .bind(text(|c| c.envelope.hlc.as_str()))
    .bind(
        changes
            .iter()
            .map(|c| Json(&c.envelope.payload))
            .collect::<Vec<_>>(),
    )
    .bind(text(|c| c.scope.code()))
    .bind(changes.iter().map(|c| c.pushed_by).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    Ok(inserted_from(changes, written.into_iter().collect()))
}

/// Serialises the writers of one audit chain until the transaction ends
/// (two instances never check an entry against a stale head).
async fn lock_chain(conn: &mut sqlx::PgConnection, store_code: &str, device: Uuid) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(format!("audit:{store_code}:{device}"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When the customer a change is about was erased, if they were.
async fn erased_at_of(
    conn: &mut sqlx::PgConnection,
    e: &ChangeEnvelope,
) -> Result<Option<DateTime<Utc>>> {
    let customer = match crate::erasure::customer_of(e) {
        Some(c) => Some(c),
        None if e.kind == comptoir_core::changes::KIND_DOSSIER_EVENT => {
            let c: Option<String> = sqlx::query_scalar(
                "SELECT payload->'event'->>'customer_id' FROM changes
                  WHERE entity_id = $1 AND kind = 'dossier.event'
                    AND payload->'event'->>'type' = 'opened' LIMIT 1",
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
        sqlx::query_scalar("SELECT erased_at FROM erased_customers WHERE customer_id = $1")
            .bind(customer)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

fn envelope_from(r: &sqlx::postgres::PgRow) -> ChangeEnvelope {
    let payload: Json<serde_json::Value> = r.get("payload");
    ChangeEnvelope {
        id: r.get("id"),
        kind: r.get("kind"),
        entity_id: r.get("entity_id"),
        store_code: r.get("store_code"),
        device_id: r.get("device_id"),
        hlc: r.get("hlc"),
        payload: payload.0,
    }
}

/// Applies a customer's erasure in the transaction that stores it (see the
/// SQLite backend's `apply_erasure`: the same writes).
async fn apply_erasure(conn: &mut sqlx::PgConnection, x: &crate::erasure::Erasure) -> Result<()> {
    let recorded = sqlx::query(
        "INSERT INTO erased_customers (customer_id, change_id, store_code, erased_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO NOTHING",
    )
    .bind(x.customer_id)
    .bind(x.change_id)
    .bind(&x.store_code)
    .bind(x.at)
    .execute(&mut *conn)
    .await?;
    if recorded.rows_affected() == 0 {
        return Ok(());
    }
    let mut done = crate::erasure::Redacted::default();
    let mut rows = sqlx::query(
        "SELECT id, kind, entity_id, store_code, device_id, hlc, payload FROM changes
          WHERE entity_id = $1 AND kind IN ('customer.created', 'customer.imported', 'customer.field')",
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
                       AND payload->'event'->>'type' = 'opened'
                       AND payload->'event'->>'customer_id' = $1)",
        )
        .bind(x.customer_id.to_string())
        .fetch_all(&mut *conn)
        .await?,
    );
    for (i, r) in rows.iter().enumerate() {
        let e = envelope_from(r);
        if let Some(p) = crate::erasure::redacted(&e, x.at)? {
            sqlx::query("UPDATE changes SET payload = $1 WHERE id = $2")
                .bind(Json(&p))
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
    let record: Option<Json<serde_json::Value>> =
        sqlx::query_scalar("SELECT record FROM web_customers WHERE id = $1")
            .bind(x.customer_id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(Json(old)) = record {
        let new = crate::erasure::tombstone_record(&old, x.at)
            .unwrap_or_else(|| serde_json::json!({ "id": x.customer_id }));
        sqlx::query(
            "UPDATE web_customers SET email_norm = NULL, phone_norm = NULL, record = $1 WHERE id = $2",
        )
        .bind(Json(&new))
        .bind(x.customer_id)
        .execute(&mut *conn)
        .await?;
        done.import_matches += 1;
    }
    lock_chain(conn, &x.store_code, crate::audit::SERVER_CHAIN).await?;
    let head: Option<(i64, Vec<u8>)> = sqlx::query_as(
        "SELECT seq, hash FROM audit_entries WHERE store_code = $1 AND device_id = $2
          ORDER BY seq DESC LIMIT 1",
    )
    .bind(&x.store_code)
    .bind(crate::audit::SERVER_CHAIN)
    .fetch_optional(&mut *conn)
    .await?;
    let entry = crate::audit::server_entry(
        &x.store_code,
        head,
        Utc::now(),
        &x.actor,
        crate::audit::CUSTOMER_ERASED,
        &x.customer_id.to_string(),
        &done.detail(x),
    );
    insert_audit_on(conn, &entry).await
}

async fn insert_audit_on(conn: &mut sqlx::PgConnection, e: &StoredAudit) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_entries (store_code, device_id, seq, at, actor, kind, subject, detail,
                                    prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn audit_from(r: &sqlx::postgres::PgRow) -> StoredAudit {
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

struct PgAudit {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    store_code: String,
    device_id: Uuid,
}

#[async_trait]
impl crate::audit::AuditTx for PgAudit {
    async fn head(&mut self) -> Result<Option<(i64, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "SELECT seq, hash FROM audit_entries WHERE store_code = $1 AND device_id = $2
              ORDER BY seq DESC LIMIT 1",
        )
        .bind(&self.store_code)
        .bind(self.device_id)
        .fetch_optional(&mut *self.tx)
        .await?)
    }
    async fn hash_at(&mut self, seq: i64) -> Result<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(
            "SELECT hash FROM audit_entries WHERE store_code = $1 AND device_id = $2 AND seq = $3",
        )
        .bind(&self.store_code)
        .bind(self.device_id)
        .bind(seq)
        .fetch_optional(&mut *self.tx)
        .await?)
    }
    async fn insert(&mut self, e: &StoredAudit) -> Result<()> {
        insert_audit_on(&mut self.tx, e).await
    }
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// A line of a stored order, as far as an import reads it.
#[derive(serde::Deserialize)]
struct LineId {
    id: Uuid,
}

struct PgImport {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
}

#[async_trait]
impl ImportTx for PgImport {
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
            "SELECT {column}, id FROM web_customers WHERE {column} = ANY($1) ORDER BY id"
        ))
        .bind(values)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(first_by_key(rows))
    }
    async fn products_by_sku(&mut self, skus: &[String]) -> Result<HashMap<String, Uuid>> {
        if skus.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, Uuid)> =
            sqlx::query_as("SELECT sku, id FROM products WHERE sku = ANY($1)")
                .bind(skus)
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
            "SELECT number, id, content_hash, record->'lines' FROM web_orders
              WHERE source = $1 AND number = ANY($2)",
        )
        .bind(source)
        .bind(numbers)
        .fetch_all(&mut *self.tx)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let lines: Option<Json<Vec<LineId>>> = r.get(3);
                (
                    r.get(0),
                    StoredOrder {
                        id: r.get(1),
                        content_hash: r.get(2),
                        line_ids: lines
                            .map(|l| l.0.into_iter().map(|l| l.id).collect())
                            .unwrap_or_default(),
                    },
                )
            })
            .collect())
    }
    async fn write(&mut self, w: &ImportWrites) -> Result<()> {
        let conn = &mut *self.tx;
        insert_many!(
            sqlx::Postgres,
            conn,
            "INSERT INTO web_customers (id, email_norm, phone_norm, record) ",
            "",
            4,
            &w.customers,
            |mut b, c| {
                b.push_bind(c.id)
                    .push_bind(c.email_norm.as_deref())
                    .push_bind(c.phone_norm.as_deref())
                    .push_bind(Json(&c.record));
            },
        );
        insert_many!(
            sqlx::Postgres,
            conn,
            "INSERT INTO products (id, sku, record) ",
            "",
            3,
            &w.products,
            |mut b, p| {
                b.push_bind(p.id)
                    .push_bind(p.sku.as_str())
                    .push_bind(Json(&p.record));
            },
        );
        insert_many!(
            sqlx::Postgres,
            conn,
            "INSERT INTO web_orders (source, number, id, content_hash, record) ",
            " ON CONFLICT (source, number) DO UPDATE SET content_hash = excluded.content_hash,
                  record = excluded.record",
            5,
            &w.orders,
            |mut b, o| {
                b.push_bind(o.source.as_str())
                    .push_bind(o.number.as_str())
                    .push_bind(o.id)
                    .push_bind(o.content_hash.as_slice())
                    .push_bind(Json(&o.record));
            },
        );
        // Each order's lines as it is now (the lines of an updated order
        // replaced).
        let ids: Vec<Uuid> = w.orders.iter().map(|o| o.id).collect();
        sqlx::query("DELETE FROM web_order_lines WHERE order_id = ANY($1)")
            .bind(&ids)
            .execute(&mut *conn)
            .await?;
        let lines = order_line_rows(&w.orders);
        insert_many!(
            sqlx::Postgres,
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
