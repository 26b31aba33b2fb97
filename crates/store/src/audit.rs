//! The audit log: who did what that a manager must be able to account for —
//! wrong PINs, lockouts and their lifting, manager approvals, settings
//! changed at the counter, sign-ins, sign-outs and session locks.
//!
//! Append-only (migration 0011's triggers refuse UPDATE and DELETE) and
//! hash-chained: entry `n` holds the SHA-256 of entry `n - 1` and its own,
//! computed over that previous hash and its fields. An entry altered behind
//! the triggers' back changes its hash; one deleted breaks the sequence or
//! the next entry's link. [`Store::verify_audit`] walks the chain and names
//! the first entry that does not hold. Each entry is written in the
//! transaction of what it records.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use crate::{Result, Store, StoreError};

/// A wrong manager PIN was typed.
pub const PIN_FAILED: &str = "pin_failed";
/// The fifth wrong PIN in a row locked the account.
pub const ACCOUNT_LOCKED: &str = "account_locked";
/// An administrator lifted a lockout.
pub const ACCOUNT_UNLOCKED: &str = "account_unlocked";
/// A manager approved a decision beyond a clerk's authority.
pub const MANAGER_APPROVAL: &str = "manager_approval";
/// A counter setting was changed.
pub const SETTING_CHANGED: &str = "setting_changed";
/// Everything held about a customer was exported (RGPD right of access).
pub const CUSTOMER_EXPORTED: &str = "customer_exported";
/// A table of the dashboard was exported as a CSV file.
pub const REPORT_EXPORTED: &str = "report_exported";
/// A customer was erased on request (RGPD right to erasure): the
/// customer's id only, never the identity erased.
pub const CUSTOMER_ERASED: &str = "customer_erased";
/// A user signed in at the counter (or resumed their locked session).
pub const SIGN_IN: &str = "sign_in";
/// A counter session ended: signed out, or a colleague took over.
pub const SIGN_OUT: &str = "sign_out";
/// A counter session locked: after the idle time, or by the user.
pub const SESSION_LOCKED: &str = "session_locked";

/// One entry, as `comptoir-ctl audit list` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub kind: String,
    pub subject: String,
    #[ts(type = "Record<string, unknown>")]
    pub detail: serde_json::Value,
}

/// The kinds of entry, with what a manager reads.
pub const KINDS: &[(&str, &str)] = &[
    (SIGN_IN, "Connexion"),
    (SIGN_OUT, "Fin de session"),
    (SESSION_LOCKED, "Session verrouillée"),
    (PIN_FAILED, "Code erroné"),
    (ACCOUNT_LOCKED, "Compte bloqué"),
    (ACCOUNT_UNLOCKED, "Compte débloqué"),
    (MANAGER_APPROVAL, "Validation du responsable"),
    (SETTING_CHANGED, "Réglage modifié"),
    (CUSTOMER_EXPORTED, "Export des données d'un client (RGPD)"),
    (REPORT_EXPORTED, "Export d'un tableau (CSV)"),
    (CUSTOMER_ERASED, "Effacement d'un client (RGPD)"),
];

/// What the manager's screen asks of the log: a kind, an actor (its
/// login), a page (newest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, ts_rs::TS)]
#[serde(default)]
#[ts(export)]
pub struct AuditFilter {
    pub kind: Option<String>,
    /// The login who acted (exact, without case).
    pub actor: Option<String>,
    /// Only entries numbered below this one (the next page).
    pub before: Option<i64>,
    /// At most this many (100 when not set; kept within 1–500).
    pub limit: Option<u32>,
}

/// A kind of entry and its label, for the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditKind {
    pub code: String,
    pub label: String,
}

/// An entry on the manager's screen: the entry and its kind in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditLine {
    #[serde(flatten)]
    #[ts(flatten)]
    pub entry: AuditEntry,
    pub label: String,
}

/// The log as the manager's screen shows it: a page of entries, and
/// whether the whole chain holds (checked each time the page is read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AuditView {
    pub lines: Vec<AuditLine>,
    /// More entries match, below the last one shown.
    pub more: bool,
    pub kinds: Vec<AuditKind>,
    /// Entries in the whole log.
    pub entries: i64,
    /// `None`: the chain holds; else the French sentence naming the entry.
    pub broken: Option<String>,
}

/// What `verify_audit` found: how many entries hold, and the last hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    pub entries: i64,
    /// Hex SHA-256 of the last entry (empty for an empty log): written down
    /// elsewhere, it also proves the last entries were not removed.
    pub head: String,
}

/// Appends an entry in the caller's (write) transaction.
pub(crate) async fn append(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
    actor: &str,
    kind: &str,
    subject: &str,
    detail: &serde_json::Value,
) -> Result<()> {
    let last: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?;
    let (seq, prev) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, vec![0u8; 32]),
    };
    let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let detail = detail.to_string();
    let hash = comptoir_core::audit::entry_hash(&prev, seq, &at, actor, kind, subject, &detail);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, kind, subject, detail, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(seq)
    .bind(&at)
    .bind(actor)
    .bind(kind)
    .bind(subject)
    .bind(&detail)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A manager's approval of a decision, in the decision's transaction.
pub(crate) async fn approval(
    conn: &mut SqliteConnection,
    at: DateTime<Utc>,
    manager: &comptoir_core::auth::UserView,
    dossier: comptoir_core::ids::DossierId,
    number: &str,
    record: &comptoir_core::policy::DecisionRecord,
    clerk: &str,
) -> Result<()> {
    append(
        conn,
        at,
        &manager.login,
        MANAGER_APPROVAL,
        number,
        &serde_json::json!({
            "dossier_id": dossier,
            "resolution": record.resolution,
            "basis": record.basis,
            "amount_cents": record.amount,
            "gesture_cents": record.gesture,
            "clerk": clerk,
        }),
    )
    .await
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Vec<u8>,
    Vec<u8>,
);

impl Store {
    /// Walks the audit chain from its first entry; the first one that does
    /// not hold is a named error (`audit_chain_broken`, with its number).
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT seq, at, actor, kind, subject, detail, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let links = rows
            .iter()
            .map(|(seq, at, actor, kind, subject, detail, prev_hash, hash)| {
                comptoir_core::audit::Link {
                    seq: *seq,
                    at,
                    actor,
                    kind,
                    subject,
                    detail,
                    prev_hash,
                    hash,
                }
            });
        match comptoir_core::audit::verify_chain(links) {
            Ok((entries, head)) => Ok(AuditCheck {
                entries,
                head: comptoir_core::audit::hex(&head),
            }),
            Err((seq, b)) => Err(StoreError::AuditChainBroken {
                seq,
                why: b.why_fr(),
            }),
        }
    }

    /// The log, newest first, of one kind or all, at most `limit` entries.
    pub async fn audit_entries(&self, kind: Option<&str>, limit: u32) -> Result<Vec<AuditEntry>> {
        let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT seq, at, actor, kind, subject, detail FROM audit_log
             WHERE ?1 IS NULL OR kind = ?1 ORDER BY seq DESC LIMIT ?2",
        )
        .bind(kind)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(seq, at, actor, kind, subject, detail)| {
                Ok(AuditEntry {
                    seq,
                    at,
                    actor,
                    kind,
                    subject,
                    detail: crate::projection::decode("journal d'audit", &detail)?,
                })
            })
            .collect()
    }
}

fn label_of(kind: &str) -> String {
    KINDS
        .iter()
        .find(|(code, _)| *code == kind)
        .map_or_else(|| kind.to_owned(), |(_, label)| (*label).to_owned())
}

impl Store {
    /// A page of the log for the manager's screen, filtered, newest first,
    /// with the chain checked whole (`broken` names the first bad entry).
    pub async fn audit_view(&self, filter: &AuditFilter) -> Result<AuditView> {
        // A page size, not a figure: kept within 1–500 rather than refused.
        let limit = filter.limit.unwrap_or(100).clamp(1, 500);
        let kind = filter
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|k| !k.is_empty());
        let actor = filter
            .actor
            .as_deref()
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty());
        let rows: Vec<(i64, String, String, String, String, String)> = sqlx::query_as(
            "SELECT seq, at, actor, kind, subject, detail FROM audit_log
             WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR lower(actor) = ?2)
               AND (?3 IS NULL OR seq < ?3)
             ORDER BY seq DESC LIMIT ?4",
        )
        .bind(kind)
        .bind(actor)
        .bind(filter.before)
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() > limit as usize;
        let lines = rows
            .into_iter()
            .take(limit as usize)
            .map(|(seq, at, actor, kind, subject, detail)| {
                Ok(AuditLine {
                    label: label_of(&kind),
                    entry: AuditEntry {
                        seq,
                        at,
                        actor,
                        kind,
                        subject,
                        detail: crate::projection::decode("journal d'audit", &detail)?,
                    },
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let (entries, broken) = match self.verify_audit().await {
            Ok(check) => (check.entries, None),
            Err(e @ StoreError::AuditChainBroken { .. }) => {
                let n: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
                    .fetch_one(&self.pool)
                    .await?;
                (n, Some(e.message_fr()))
            }
            Err(e) => return Err(e),
        };
        Ok(AuditView {
            lines,
            more,
            kinds: KINDS
                .iter()
                .map(|(code, label)| AuditKind {
                    code: (*code).to_owned(),
                    label: (*label).to_owned(),
                })
                .collect(),
            entries,
            broken,
        })
    }
}

/// Where the sending of this counter's audit log to head office stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditPushState {
    /// The last entry head office has acknowledged (0: none yet).
    pub pushed: i64,
    /// Entries written here and not acknowledged yet.
    pub waiting: i64,
    /// The server's code and reason for the entry it last refused; `None`
    /// once it accepts entries again.
    pub error_code: Option<String>,
    pub error: Option<String>,
}

impl Store {
    /// The entries head office has not acknowledged yet, in number order,
    /// at most `limit`, with the cursor they follow (the last acknowledged
    /// entry's number). `None` while the counter is not enrolled.
    pub async fn audit_outgoing(
        &self,
        limit: u32,
    ) -> Result<Option<(i64, Vec<comptoir_core::audit::AuditRecord>)>> {
        let Some(after): Option<i64> =
            sqlx::query_scalar("SELECT audit_pushed FROM sync_link WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT seq, at, actor, kind, subject, detail, prev_hash, hash FROM audit_log
              WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let hex = comptoir_core::audit::hex;
        Ok(Some((
            after,
            rows.into_iter()
                .map(|(seq, at, actor, kind, subject, detail, prev_hash, hash)| {
                    comptoir_core::audit::AuditRecord {
                        seq,
                        at,
                        actor,
                        kind,
                        subject,
                        detail,
                        prev_hash: hex(&prev_hash),
                        hash: hex(&hash),
                    }
                })
                .collect(),
        )))
    }

    /// Takes head office's answer for entries sent after `from`: the cursor
    /// moves to `to` (the last entry of the unbroken run it acknowledged)
    /// and the refusal, if any, is kept with its code and reason, in one
    /// transaction. `false` (nothing written) when the stored cursor is no
    /// longer `from`: another sync of this counter took an answer meanwhile.
    pub async fn acknowledge_audit(
        &self,
        from: i64,
        to: i64,
        refused: Option<(&str, &str)>,
    ) -> Result<bool> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let done = sqlx::query(
            "UPDATE sync_link SET audit_pushed = ?, audit_error_code = ?, audit_error = ?
              WHERE id = 1 AND audit_pushed = ?",
        )
        .bind(to.max(from))
        .bind(refused.map(|(c, _)| c.chars().take(64).collect::<String>()))
        .bind(refused.map(|(_, r)| r.chars().take(1000).collect::<String>()))
        .bind(from)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Where the sending of the audit log stands (`None`: not enrolled).
    pub async fn audit_push_state(&self) -> Result<Option<AuditPushState>> {
        let row: Option<(i64, Option<String>, Option<String>, i64)> = sqlx::query_as(
            "SELECT audit_pushed, audit_error_code, audit_error,
                    (SELECT count(*) FROM audit_log WHERE seq > audit_pushed)
               FROM sync_link WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.map(|(pushed, error_code, error, waiting)| AuditPushState {
                pushed,
                waiting,
                error_code,
                error,
            }),
        )
    }
}
