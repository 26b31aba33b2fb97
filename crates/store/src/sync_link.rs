//! The counter's side of the sync with the central server, as far as the
//! database goes: the link (server, device, feed cursor, last attempt), the
//! acknowledgement of pushed changes (outbox rows leave only then), pulled
//! pages applied together with their cursor, and the changes refused on
//! either side, kept with their reason. The HTTP client is in
//! `comptoir-client`; nothing here talks to the network.

use chrono::{DateTime, Utc};
use comptoir_core::changes::ChangeEnvelope;
use comptoir_core::views::{RejectedChangeView, SyncActivity, SyncStatus};
use sqlx::{Connection, SqliteConnection};
use uuid::Uuid;

use crate::{Result, Store, StoreError};

/// One connection of the store held to write pulled pages one after the
/// other ([`Store::pinned_writer`]); each page is still its own write
/// transaction, behind the store's write gate like every other write.
pub struct PinnedWriter<'s> {
    store: &'s Store,
    conn: sqlx::pool::PoolConnection<sqlx::Sqlite>,
}

impl PinnedWriter<'_> {
    /// [`Store::apply_pulled`] through the held connection.
    pub async fn apply_pulled(
        &mut self,
        from: &str,
        changes: &[ChangeEnvelope],
        cursor: &str,
        now: DateTime<Utc>,
    ) -> Result<PulledPage> {
        self.store
            .apply_pulled_on(&mut self.conn, from, changes, cursor, now)
            .await
    }
}

/// What the server said when the counter enrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncLink {
    pub server_url: String,
    pub device_id: Uuid,
    pub store_code: String,
    /// Where the next pull continues.
    pub cursor: String,
    /// Whether the first load (bootstrap) has been received to its end.
    pub bootstrapped: bool,
}

/// The server's answer about one pushed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushAck {
    /// Applied, or seen before: the outbox row goes.
    Acknowledged(Uuid),
    /// Refused: the row moves to the rejected changes, with the reason.
    Rejected {
        id: Uuid,
        code: String,
        reason: String,
    },
}

/// What applying one pulled page did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PulledPage {
    /// Changes that were new here.
    pub applied: usize,
    /// Changes that could not be applied here (kept as rejected).
    pub rejected: usize,
    /// Nothing applied: the counter's cursor had moved past `from`.
    pub stale: bool,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    server_url: String,
    device_id: Uuid,
    store_code: String,
    cursor: String,
    last_attempt_at: Option<DateTime<Utc>>,
    last_success_at: Option<DateTime<Utc>>,
    last_error_code: Option<String>,
    last_error: Option<String>,
    received: i64,
    bootstrapped_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct RejectedRow {
    id: Uuid,
    direction: String,
    kind: String,
    entity_id: Uuid,
    store_code: String,
    device_id: Uuid,
    hlc: String,
    payload: String,
    code: String,
    reason: String,
    rejected_at: DateTime<Utc>,
}

impl RejectedRow {
    fn envelope(&self) -> Result<ChangeEnvelope> {
        Ok(ChangeEnvelope {
            id: self.id,
            kind: self.kind.clone(),
            entity_id: self.entity_id,
            store_code: self.store_code.clone(),
            device_id: self.device_id,
            hlc: self.hlc.clone(),
            payload: crate::projection::decode("changement refusé", &self.payload)?,
        })
    }
}

/// Whether an error says something about the data (the change is kept
/// aside and the feed goes on) rather than about the database (the whole
/// page is retried later).
fn is_about_the_data(e: &StoreError) -> bool {
    !matches!(
        e,
        StoreError::Sqlx(_)
            | StoreError::Io(_)
            | StoreError::Busy
            | StoreError::DiskFull
            | StoreError::ChangedMeanwhile
    )
}

async fn keep_rejected(
    conn: &mut SqliteConnection,
    env: &ChangeEnvelope,
    direction: &str,
    code: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_rejected (id, direction, kind, entity_id, store_code, device_id, hlc,
                                    payload, code, reason, rejected_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, reason = excluded.reason,
                                        rejected_at = excluded.rejected_at",
    )
    .bind(env.id)
    .bind(direction)
    .bind(&env.kind)
    .bind(env.entity_id)
    .bind(&env.store_code)
    .bind(env.device_id)
    .bind(&env.hlc)
    .bind(env.payload.to_string())
    .bind(code.chars().take(64).collect::<String>())
    .bind(reason.chars().take(1000).collect::<String>())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The link to the central server, if this counter is enrolled.
    pub async fn sync_link(&self) -> Result<Option<SyncLink>> {
        let row: Option<LinkRow> = sqlx::query_as("SELECT * FROM sync_link WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| SyncLink {
            server_url: r.server_url,
            device_id: r.device_id,
            store_code: r.store_code,
            cursor: r.cursor,
            bootstrapped: r.bootstrapped_at.is_some(),
        }))
    }

    /// Records the enrolment. The server's store must be this counter's
    /// (`sync_store_mismatch` otherwise, nothing written). Enrolling again
    /// with the same server keeps the cursor; another server starts over.
    /// The audit log is sent again from its first entry unless it is the
    /// same server and the same device (head office keeps a chain a device).
    pub async fn save_sync_link(
        &self,
        server_url: &str,
        device_id: Uuid,
        store_code: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let local = self.local_store().await?.ok_or(StoreError::NoLocalStore)?;
        if local.code != store_code {
            return Err(StoreError::SyncStoreMismatch {
                local: local.code,
                server: store_code.to_owned(),
            });
        }
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        sqlx::query(
            "INSERT INTO sync_link (id, server_url, device_id, store_code, enrolled_at)
             VALUES (1, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET
               cursor = CASE WHEN server_url = excluded.server_url THEN cursor ELSE '' END,
               received = CASE WHEN server_url = excluded.server_url THEN received ELSE 0 END,
               bootstrapped_at = CASE WHEN server_url = excluded.server_url
                                      THEN bootstrapped_at ELSE NULL END,
               audit_pushed = CASE WHEN server_url = excluded.server_url
                                    AND device_id = excluded.device_id
                                   THEN audit_pushed ELSE 0 END,
               audit_error_code = NULL, audit_error = NULL,
               server_url = excluded.server_url, device_id = excluded.device_id,
               store_code = excluded.store_code, enrolled_at = excluded.enrolled_at,
               last_error_code = NULL, last_error = NULL",
        )
        .bind(server_url)
        .bind(device_id)
        .bind(store_code)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes the server's answers for pushed changes, in one transaction:
    /// acknowledged rows leave the outbox, refused ones move to the rejected
    /// changes with their reason (they no longer hold up the queue).
    pub async fn acknowledge_pushed(&self, acks: &[PushAck], now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        for ack in acks {
            match ack {
                PushAck::Acknowledged(id) => {
                    sqlx::query("DELETE FROM outbox WHERE id = ?")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                PushAck::Rejected { id, code, reason } => {
                    sqlx::query(
                        "INSERT INTO sync_rejected (id, direction, kind, entity_id, store_code,
                                device_id, hlc, payload, code, reason, rejected_at)
                         SELECT id, 'push', kind, entity_id, store_code, device_id, hlc, payload,
                                ?, ?, ?
                         FROM outbox WHERE id = ?
                         ON CONFLICT (id) DO UPDATE SET code = excluded.code,
                                reason = excluded.reason, rejected_at = excluded.rejected_at",
                    )
                    .bind(code.chars().take(64).collect::<String>())
                    .bind(reason.chars().take(1000).collect::<String>())
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("DELETE FROM outbox WHERE id = ?")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Applies one page pulled from the server's feed and stores the cursor
    /// that follows it, in one transaction: after a kill the page is either
    /// all here with its cursor or not at all. A change that cannot be
    /// applied here (it does not decode, it refers to what this counter
    /// does not have) is kept as rejected with the reason, and the page goes
    /// on without it; a database failure applies nothing.
    ///
    /// `from` is the cursor the page was pulled after: when the stored one
    /// is no longer it (another sync of this counter went further
    /// meanwhile), nothing is applied and the page is `stale`.
    pub async fn apply_pulled(
        &self,
        from: &str,
        changes: &[ChangeEnvelope],
        cursor: &str,
        now: DateTime<Utc>,
    ) -> Result<PulledPage> {
        let mut conn = self.pool.acquire().await?;
        self.apply_pulled_on(&mut conn, from, changes, cursor, now)
            .await
    }

    /// A connection of the pool held for a run of pages (a bootstrap):
    /// every batch is written through it, so its page cache stays warm
    /// from one batch to the next. (A connection that did not write the
    /// last transaction starts its next one with its cache thrown away,
    /// and the pool hands its connections out in turn: batch after batch
    /// re-read the indexes they grow from the operating system.)
    pub async fn pinned_writer(&self) -> Result<PinnedWriter<'_>> {
        Ok(PinnedWriter {
            store: self,
            conn: self.pool.acquire().await?,
        })
    }

    async fn apply_pulled_on(
        &self,
        conn: &mut SqliteConnection,
        from: &str,
        changes: &[ChangeEnvelope],
        cursor: &str,
        now: DateTime<Utc>,
    ) -> Result<PulledPage> {
        let mut tx = crate::tx::begin_write(Some(&self.gate), conn).await?;
        let mut page = PulledPage::default();
        let stored: Option<String> =
            sqlx::query_scalar("SELECT cursor FROM sync_link WHERE id = 1")
                .fetch_optional(&mut *tx)
                .await?;
        match stored {
            None => return Err(StoreError::NotEnrolled),
            Some(c) if c != from => {
                page.stale = true;
                return Ok(page);
            }
            Some(_) => {}
        }
        let whole = {
            let mut sp = tx.begin().await?;
            match crate::apply::apply_received(&mut sp, changes, now).await {
                Ok(n) => {
                    sp.commit().await?;
                    Ok(n)
                }
                Err(e) => {
                    sp.rollback().await?;
                    Err(e)
                }
            }
        };
        match whole {
            Ok(n) => page.applied = n,
            Err(e) if is_about_the_data(&e) => {
                // One by one: the bad ones aside, the others applied.
                for env in changes {
                    let mut sp = tx.begin().await?;
                    match crate::apply::apply_received(&mut sp, std::slice::from_ref(env), now)
                        .await
                    {
                        Ok(n) => {
                            sp.commit().await?;
                            page.applied += n;
                        }
                        Err(e) if is_about_the_data(&e) => {
                            sp.rollback().await?;
                            tracing::warn!(change = %env.id, kind = %env.kind, error = %e,
                                "received change not applicable here: kept aside");
                            keep_rejected(&mut tx, env, "pull", e.code(), &e.message_fr(), now)
                                .await?;
                            page.rejected += 1;
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
        let n = i64::try_from(changes.len()).unwrap_or(i64::MAX);
        let updated =
            sqlx::query("UPDATE sync_link SET cursor = ?, received = received + ? WHERE id = 1")
                .bind(cursor)
                .bind(n)
                .execute(&mut *tx)
                .await?;
        debug_assert_eq!(updated.rows_affected(), 1);
        tx.commit().await?;
        Ok(page)
    }

    /// Records that the bootstrap stream was received to its end, at
    /// `cursor` (the cursor its last batch stored): the counter follows
    /// the feed with pulls from now on. A stream that ended while another
    /// sync of this counter had gone further leaves the cursor as it is.
    pub async fn finish_bootstrap(&self, cursor: &str, now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let done = sqlx::query(
            "UPDATE sync_link SET bootstrapped_at = ? WHERE id = 1 AND bootstrapped_at IS NULL",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let first = done.rows_affected() == 1;
        if first {
            // As a bulk load ends: the search index's segments, written
            // batch by batch (each batch searchable as soon as it is
            // committed), merged into one b-tree.
            crate::search::merge_index(&mut tx).await?;
        }
        tracing::info!(cursor, first, "bootstrap received to its end");
        tx.commit().await?;
        if first {
            // The planner's statistics, for tables that were empty.
            sqlx::query("PRAGMA optimize").execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Records an attempt to sync: a success clears the last error.
    pub async fn record_sync_attempt(
        &self,
        now: DateTime<Utc>,
        failure: Option<(&str, &str)>,
    ) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        match failure {
            None => {
                sqlx::query(
                    "UPDATE sync_link SET last_attempt_at = ?1, last_success_at = ?1,
                            last_error_code = NULL, last_error = NULL WHERE id = 1",
                )
                .bind(now)
                .execute(&mut *tx)
                .await?
            }
            Some((code, message)) => {
                sqlx::query(
                    "UPDATE sync_link SET last_attempt_at = ?, last_error_code = ?,
                            last_error = ? WHERE id = 1",
                )
                .bind(now)
                .bind(code)
                .bind(message)
                .execute(&mut *tx)
                .await?
            }
        };
        tx.commit().await?;
        Ok(())
    }

    /// The sync status: link, last attempt, outbox length, rejected changes.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let row: Option<LinkRow> = sqlx::query_as("SELECT * FROM sync_link WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        let rejected: Vec<RejectedRow> =
            sqlx::query_as("SELECT * FROM sync_rejected ORDER BY rejected_at, id LIMIT 200")
                .fetch_all(&self.pool)
                .await?;
        let rejected = rejected
            .into_iter()
            .map(|r| RejectedChangeView {
                id: r.id,
                direction: r.direction,
                kind: r.kind,
                entity_id: r.entity_id,
                code: r.code,
                reason: r.reason,
                rejected_at: r.rejected_at,
            })
            .collect();
        let outbox = self.outbox_len().await?;
        Ok(match row {
            None => SyncStatus {
                enrolled: false,
                activity: SyncActivity::NotEnrolled,
                activity_label: SyncActivity::NotEnrolled.label_fr().to_owned(),
                server_url: None,
                device_id: None,
                store_code: None,
                cursor: String::new(),
                last_attempt_at: None,
                last_success_at: None,
                last_error_code: None,
                last_error: None,
                outbox,
                received: 0,
                bootstrapped_at: None,
                rejected,
            },
            Some(r) => {
                let activity = match (r.last_attempt_at, r.last_error_code.as_deref()) {
                    (None, _) => SyncActivity::Offline,
                    (Some(_), None) => SyncActivity::Online,
                    (Some(_), Some("offline")) => SyncActivity::Offline,
                    (Some(_), Some(_)) => SyncActivity::Failing,
                };
                SyncStatus {
                    enrolled: true,
                    activity,
                    activity_label: activity.label_fr().to_owned(),
                    server_url: Some(r.server_url),
                    device_id: Some(r.device_id),
                    store_code: Some(r.store_code),
                    cursor: r.cursor,
                    last_attempt_at: r.last_attempt_at,
                    last_success_at: r.last_success_at,
                    last_error_code: r.last_error_code,
                    last_error: r.last_error,
                    outbox,
                    received: u64::try_from(r.received).unwrap_or(0),
                    bootstrapped_at: r.bootstrapped_at,
                    rejected,
                }
            }
        })
    }

    /// Tries a rejected change again: one refused by the server goes back
    /// to the outbox (pushed at the next sync); one that could not be
    /// applied here is applied now (and stays rejected, with the new reason,
    /// if it still cannot be).
    pub async fn retry_rejected(&self, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let row: RejectedRow = sqlx::query_as("SELECT * FROM sync_rejected WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound {
                what: "changement refusé",
            })?;
        let env = row.envelope()?;
        if row.direction == "push" {
            sqlx::query(
                "INSERT INTO outbox (id, kind, entity_id, store_code, device_id, hlc, payload, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
            )
            .bind(env.id)
            .bind(&env.kind)
            .bind(env.entity_id)
            .bind(&env.store_code)
            .bind(env.device_id)
            .bind(&env.hlc)
            .bind(&row.payload)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            let mut sp = tx.begin().await?;
            match crate::apply::apply_received(&mut sp, std::slice::from_ref(&env), now).await {
                Ok(_) => sp.commit().await?,
                Err(e) if is_about_the_data(&e) => {
                    sp.rollback().await?;
                    keep_rejected(&mut tx, &env, "pull", e.code(), &e.message_fr(), now).await?;
                    tx.commit().await?;
                    return Err(e);
                }
                Err(e) => return Err(e),
            }
        }
        sqlx::query("DELETE FROM sync_rejected WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drops a rejected change for good (a manager's decision).
    pub async fn drop_rejected(&self, id: Uuid) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let done = sqlx::query("DELETE FROM sync_rejected WHERE id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "changement refusé",
            });
        }
        tx.commit().await?;
        Ok(())
    }
}
