//! Erasure of a customer on request (RGPD, art. 17), a manager's action.
//!
//! What names the customer goes, everywhere the counter holds it: the
//! identity, address and consents of the `customers` row (which stays as a
//! tombstone, « Client effacé », so that the orders and dossiers that point
//! at it still hold), the phones and e-mails, every correction of the card
//! (`customer_changes`), the search index (the full-text row, deleted with
//! FTS5's `secure-delete` so its words leave the index's pages too, and the
//! words of `search_terms` that no other customer uses), every free text of
//! the customer's dossiers (the customer's words, notes, messages, the
//! follow-up's outcome, the satisfaction comment), and the same in changes
//! not yet pushed (outbox) or kept after a refusal (`sync_rejected`).
//!
//! What the law makes the seller keep stays, without identity: the sales
//! (orders, lines, serials, parcels) and the dossiers with their structured
//! record (dates, reason, product, condition, decision, legal basis,
//! amounts, repair). See docs/ARCHITECTURE.md, « Audit log », for the texts.
//!
//! Dossier events are append-only (a trigger); their redaction is the one
//! exception, opened by migration 0014's trigger only while an erasure is
//! being written and recorded, and only for an UPDATE that replaces free
//! texts by [`ERASED_TEXT`] and changes nothing else.
//!
//! The erasure is a change (`customer.erased`) through the one write path:
//! queued in the outbox for head office, and applied the same way when it
//! is received from there (an erasure received for a customer not here yet
//! is recorded, and the customer is written as the tombstone when it
//! arrives: an erasure wins over every edit).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use comptoir_core::auth::Role;
use comptoir_core::changes::{Change, ChangeEnvelope, KIND_CUSTOMER_CREATED, KIND_DOSSIER_EVENT};
use comptoir_core::erasure::{redact_event, tombstone, CustomerErased, ERASED_NAME, ERASED_TEXT};
use comptoir_core::events::fold;
use comptoir_core::ids::{CustomerId, DossierId};
use comptoir_core::CoreError;
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::projection::{events_of, DossierRow};
use crate::{Result, Store, StoreError};

/// What an erasure did, for the manager (and the app).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ErasureReport {
    pub customer_id: CustomerId,
    pub erased_at: DateTime<Utc>,
    /// The manager's login.
    pub erased_by: String,
    /// Sales kept (without identity).
    pub orders_kept: u32,
    /// Dossiers kept (without identity).
    pub dossiers_kept: u32,
    /// Timeline events whose free texts were replaced.
    pub events_redacted: u32,
    pub contacts_removed: u32,
    pub corrections_removed: u32,
    /// Changes waiting for head office (or refused by it) rewritten or
    /// dropped so that they no longer carry the identity.
    pub pending_changes_redacted: u32,
}

/// Counts of one erasure's writes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Scrubbed {
    pub(crate) events: u32,
    pub(crate) contacts: u32,
    pub(crate) corrections: u32,
    pub(crate) pending: u32,
}

/// Whether a customer is erased here.
pub(crate) async fn is_erased(conn: &mut SqliteConnection, id: CustomerId) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM customer_erasures WHERE customer_id = ?)")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Whether any customer is erased here (pages of changes skip every other
/// lookup when none is).
pub(crate) async fn any_erased(conn: &mut SqliteConnection) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM customer_erasures)")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The dossiers among `ids` whose customer is erased.
pub(crate) async fn erased_dossiers(
    conn: &mut SqliteConnection,
    ids: &str,
) -> Result<HashSet<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT d.id FROM dossiers d JOIN customer_erasures e ON e.customer_id = d.customer_id
          WHERE d.id IN (SELECT unhex(value) FROM json_each(?))",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect())
}

/// The tombstone row of an erased customer whose creation arrives after
/// its erasure (the dossiers that follow need the row); nothing if the
/// customer is here already.
pub(crate) async fn write_tombstone(
    conn: &mut SqliteConnection,
    id: CustomerId,
    created_at: DateTime<Utc>,
) -> Result<()> {
    let at: DateTime<Utc> =
        sqlx::query_scalar("SELECT erased_at FROM customer_erasures WHERE customer_id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    let t = tombstone(id, created_at, at);
    sqlx::query(
        "INSERT INTO customers (id, title, first_name, last_name, address_line1, address_line2,
                postal_code, city, country, email_marketing, sms_marketing, consents_updated_at,
                created_at, updated_at)
         VALUES (?, NULL, ?, ?, ?, NULL, ?, ?, ?, 0, 0, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(&t.first_name)
    .bind(&t.last_name)
    .bind(&t.address_line1)
    .bind(&t.postal_code)
    .bind(&t.city)
    .bind(&t.country)
    .bind(t.consents_updated_at)
    .bind(t.created_at)
    .bind(t.updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The changes with the events on erased customers' dossiers redacted.
pub(crate) async fn redact_changes(
    conn: &mut SqliteConnection,
    changes: &[Change],
) -> Result<Vec<Change>> {
    let ids = serde_json::Value::Array(
        changes
            .iter()
            .filter_map(|c| match c {
                Change::DossierEvent(e) => Some(serde_json::Value::String(
                    e.dossier_id.0.simple().to_string(),
                )),
                _ => None,
            })
            .collect(),
    )
    .to_string();
    let erased = erased_dossiers(conn, &ids).await?;
    Ok(changes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            if let Change::DossierEvent(e) = &mut c {
                if erased.contains(&e.dossier_id.0) {
                    redact_event(e);
                }
            }
            c
        })
        .collect())
}

/// Applies an erasure (made here or received) in the caller's write
/// transaction. An erasure already recorded for this customer is a no-op.
pub(crate) async fn apply_erasure(
    conn: &mut SqliteConnection,
    x: &CustomerErased,
) -> Result<Option<Scrubbed>> {
    let recorded = sqlx::query(
        "INSERT INTO customer_erasures (customer_id, change_id, hlc, erased_at, actor)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(x.customer_id)
    .bind(x.id)
    .bind(x.hlc.to_string())
    .bind(x.at)
    .bind(&x.actor)
    .execute(&mut *conn)
    .await?;
    if recorded.rows_affected() == 0 {
        return Ok(None);
    }
    // What the erasure deletes or rewrites is overwritten with zeros in the
    // file, not only unlinked (SQLite's secure_delete, for this connection
    // and only while the erasure writes).
    let previous: i64 = sqlx::query_scalar("PRAGMA secure_delete")
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("PRAGMA secure_delete = 1")
        .execute(&mut *conn)
        .await?;
    let done = scrub_all(conn, x).await;
    sqlx::query(&format!("PRAGMA secure_delete = {}", previous.clamp(0, 2)))
        .execute(&mut *conn)
        .await?;
    Ok(Some(done?))
}

async fn scrub_all(conn: &mut SqliteConnection, x: &CustomerErased) -> Result<Scrubbed> {
    let mut done = scrub_identity(conn, x.customer_id, x.at).await?;
    done.events = redact_dossiers(conn, x.customer_id).await?;
    done.pending = redact_pending(conn, x.customer_id, x.at).await?;
    Ok(done)
}

/// Rewrites the customer's row as the tombstone and removes contacts,
/// corrections and search entries. Also run when an erased customer's
/// record arrives again from head office.
pub(crate) async fn scrub_identity(
    conn: &mut SqliteConnection,
    id: CustomerId,
    at: DateTime<Utc>,
) -> Result<Scrubbed> {
    let mut done = Scrubbed::default();
    let corrections = sqlx::query("DELETE FROM customer_changes WHERE customer_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    done.corrections = u32::try_from(corrections.rows_affected()).unwrap_or(u32::MAX);
    let Some(record) = crate::customers::load_record(conn, id).await? else {
        return Ok(done);
    };
    let words = comptoir_core::search::customer_index_entry(&record).terms;
    let t = tombstone(id, record.created_at, at);
    sqlx::query(
        "UPDATE customers SET title = NULL, first_name = ?, last_name = ?, address_line1 = ?,
                address_line2 = NULL, postal_code = ?, city = ?, country = ?,
                email_marketing = 0, sms_marketing = 0, consents_updated_at = ?, updated_at = ?
          WHERE id = ?",
    )
    .bind(&t.first_name)
    .bind(&t.last_name)
    .bind(&t.address_line1)
    .bind(&t.postal_code)
    .bind(&t.city)
    .bind(&t.country)
    .bind(t.consents_updated_at)
    .bind(t.updated_at)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let contacts = sqlx::query("DELETE FROM customer_contacts WHERE customer_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    done.contacts = u32::try_from(contacts.rows_affected()).unwrap_or(u32::MAX);
    // secure-delete: the row's tokens are removed from the index's
    // segments at once, not only marked deleted until a later merge.
    sqlx::query("INSERT INTO customer_fts (customer_fts, rank) VALUES ('secure-delete', 1)")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM customer_fts WHERE rowid = (SELECT seq FROM customers WHERE id = ?)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO customer_fts (customer_fts, rank) VALUES ('secure-delete', 0)")
        .execute(&mut *conn)
        .await?;
    // A word of the name or city that no other customer has leaves the
    // word list (and so the spelling and sound-alike corrections).
    for (word, _) in &words {
        let used: bool = sqlx::query_scalar(
            "SELECT EXISTS(SELECT 1 FROM customer_fts WHERE customer_fts MATCH ?)",
        )
        .bind(format!("\"{word}\""))
        .fetch_one(&mut *conn)
        .await?;
        if !used {
            sqlx::query("DELETE FROM search_terms WHERE term = ?")
                .bind(word)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(done)
}

/// Replaces the free texts of the customer's dossier events (the one
/// UPDATE migration 0014's trigger allows, while the erasure is being
/// written) and rewrites each dossier's row from the fold of its redacted
/// events. Returns how many events changed.
async fn redact_dossiers(conn: &mut SqliteConnection, id: CustomerId) -> Result<u32> {
    let dossiers: Vec<DossierId> =
        sqlx::query_scalar("SELECT id FROM dossiers WHERE customer_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    sqlx::query("INSERT INTO customer_erasure_running (customer_id) VALUES (?)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let mut redacted = 0u32;
    for d in dossiers {
        for e in events_of(conn, d).await? {
            let mut r = e.clone();
            if !redact_event(&mut r) {
                continue;
            }
            // The text is replaced in the stored body itself (json_replace
            // touches only keys that are there), so the body keeps every
            // other byte it had, whichever build wrote it.
            sqlx::query(
                "UPDATE dossier_events SET
                    note = CASE WHEN note IS NULL THEN NULL ELSE ?1 END,
                    data = NULL,
                    body = json_replace(body,
                        '$.customer_words', CASE WHEN json_extract(body, '$.customer_words') IS NULL THEN NULL ELSE ?1 END,
                        '$.condition_note', CASE WHEN json_extract(body, '$.condition_note') IS NULL THEN NULL ELSE ?1 END,
                        '$.outcome', CASE WHEN json_extract(body, '$.outcome') IS NULL THEN NULL ELSE ?1 END,
                        '$.comment', CASE WHEN json_extract(body, '$.comment') IS NULL THEN NULL ELSE ?1 END,
                        '$.decision.note', CASE WHEN json_extract(body, '$.decision.note') IS NULL THEN NULL ELSE ?1 END)
                  WHERE id = ?2",
            )
            .bind(ERASED_TEXT)
            .bind(e.id)
            .execute(&mut *conn)
            .await?;
            redacted += 1;
        }
        // The row is the fold of the events as they are now stored.
        let events = events_of(conn, d).await?;
        let state = fold(&events);
        DossierRow::from_state(d, &state)
            .ok_or(StoreError::NotFound { what: "dossier" })?
            .write(conn)
            .await?;
    }
    sqlx::query("DELETE FROM customer_erasure_running WHERE customer_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(redacted)
}

/// The pending changes (outbox) and the refused ones (`sync_rejected`)
/// about the customer: their edits dropped (the erasure supersedes them),
/// their creation rewritten as the tombstone, their dossiers' events
/// redacted. They still travel, so that head office keeps the same
/// records without the identity.
async fn redact_pending(
    conn: &mut SqliteConnection,
    id: CustomerId,
    at: DateTime<Utc>,
) -> Result<u32> {
    let mut n = 0u32;
    for table in ["outbox", "sync_rejected"] {
        let dropped = sqlx::query(&format!(
            "DELETE FROM {table} WHERE kind = 'customer.field' AND entity_id = ?"
        ))
        .bind(id)
        .execute(&mut *conn)
        .await?;
        n += u32::try_from(dropped.rows_affected()).unwrap_or(u32::MAX);
        let rows: Vec<(Uuid, String, Uuid, String, Uuid, String, String)> =
            sqlx::query_as(&format!(
                "SELECT id, kind, entity_id, store_code, device_id, hlc, payload FROM {table}
                  WHERE (kind = ? AND entity_id = ?)
                     OR (kind = ? AND entity_id IN (SELECT id FROM dossiers WHERE customer_id = ?))"
            ))
            .bind(KIND_CUSTOMER_CREATED)
            .bind(id)
            .bind(KIND_DOSSIER_EVENT)
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
        for (row_id, kind, entity_id, store_code, device_id, hlc, payload) in rows {
            let env = ChangeEnvelope {
                id: row_id,
                kind,
                entity_id,
                store_code,
                device_id,
                hlc,
                payload: crate::projection::decode("changement en attente", &payload)?,
            };
            // The same rule as head office's feed after an erasure.
            if let Some(payload) = comptoir_core::erasure::redact_payload(&env, at)? {
                sqlx::query(&format!("UPDATE {table} SET payload = ? WHERE id = ?"))
                    .bind(payload.to_string())
                    .bind(row_id)
                    .execute(&mut *conn)
                    .await?;
                n += 1;
            }
        }
    }
    Ok(n)
}

/// The checks a `customer.erased` change passes, local or received.
pub(crate) fn check_change(x: &CustomerErased) -> Result<()> {
    if x.actor.trim().is_empty() {
        return Err(CoreError::MissingField { field: "actor" }.into());
    }
    comptoir_core::bounds::check_short_text("actor", &x.actor)?;
    Ok(())
}

impl Store {
    /// Erases a customer on request (RGPD, art. 17): see the module's
    /// documentation for what goes and what stays. `actor_login` must be an
    /// active manager of this counter (`not_a_manager`, `manager_only`
    /// otherwise); `confirmed` is the manager's explicit « effacer
    /// définitivement » (`erasure_not_confirmed` otherwise). Refused with
    /// `erasure_open_dossier` while a dossier of the customer is open,
    /// `not_found` for an unknown customer, `customer_already_erased` the
    /// second time. One write transaction, with the `customer_erased`
    /// audit entry (the customer's id only) and the `customer.erased`
    /// change for head office; a refusal writes nothing.
    pub async fn erase_customer(
        &self,
        id: CustomerId,
        actor_login: &str,
        confirmed: bool,
        now: DateTime<Utc>,
    ) -> Result<ErasureReport> {
        let login = actor_login.trim().to_lowercase();
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let user: Option<(Role, String)> =
            sqlx::query_as("SELECT role, display_name FROM users WHERE login = ? AND active = 1")
                .bind(&login)
                .fetch_optional(&mut *tx)
                .await?;
        match user {
            None => {
                return Err(CoreError::NotAManager {
                    login: actor_login.trim().chars().take(64).collect(),
                }
                .into())
            }
            Some((role, _)) if role != Role::Manager => return Err(CoreError::ManagerOnly.into()),
            Some(_) => {}
        }
        if crate::customers::load_record(&mut tx, id).await?.is_none() {
            return Err(StoreError::NotFound { what: "client" });
        }
        let erased: Option<DateTime<Utc>> =
            sqlx::query_scalar("SELECT erased_at FROM customer_erasures WHERE customer_id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(at) = erased {
            return Err(StoreError::CustomerAlreadyErased { at });
        }
        let open: Vec<String> = sqlx::query_scalar(
            "SELECT number FROM dossiers WHERE customer_id = ? AND status NOT IN ('closed', 'cancelled')
              ORDER BY number",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        if !open.is_empty() {
            return Err(StoreError::ErasureOpenDossier { numbers: open });
        }
        if !confirmed {
            return Err(StoreError::ErasureNotConfirmed);
        }
        let (orders, dossiers): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM orders WHERE customer_id = ?1),
                    (SELECT count(*) FROM dossiers WHERE customer_id = ?1)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let mut batch = crate::apply::Batch::begin(&mut tx).await?;
        batch.customer_erased(id, &login, now);
        let (_, done) = batch.commit_with_erasures(&mut tx).await?;
        let scrubbed = done.into_iter().next().unwrap_or_default();
        let report = ErasureReport {
            customer_id: id,
            erased_at: now,
            erased_by: login.clone(),
            orders_kept: u32::try_from(orders).unwrap_or(0),
            dossiers_kept: u32::try_from(dossiers).unwrap_or(0),
            events_redacted: scrubbed.events,
            contacts_removed: scrubbed.contacts,
            corrections_removed: scrubbed.corrections,
            pending_changes_redacted: scrubbed.pending,
        };
        crate::audit::append(
            &mut tx,
            now,
            &login,
            crate::audit::CUSTOMER_ERASED,
            &id.0.to_string(),
            &serde_json::json!({
                "orders_kept": report.orders_kept,
                "dossiers_kept": report.dossiers_kept,
                "events_redacted": report.events_redacted,
                "contacts_removed": report.contacts_removed,
                "corrections_removed": report.corrections_removed,
                "pending_changes_redacted": report.pending_changes_redacted,
            }),
        )
        .await?;
        tx.commit().await?;
        // This process's word automaton forgets the erased words.
        self.terms.forget().await;
        Ok(report)
    }

    /// When a customer was erased here, if they were.
    pub async fn customer_erased_at(&self, id: CustomerId) -> Result<Option<DateTime<Utc>>> {
        Ok(
            sqlx::query_scalar("SELECT erased_at FROM customer_erasures WHERE customer_id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}

/// The name of an erased customer, as the card shows it.
pub const ERASED_CUSTOMER_NAME: &str = ERASED_NAME;
/// What replaces the free texts of an erased customer's dossiers.
pub const ERASED_FREE_TEXT: &str = ERASED_TEXT;
