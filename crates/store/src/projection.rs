//! The `dossiers` row is a projection of the fold of the dossier's events,
//! and of nothing else: [`DossierRow::from_state`] computes it,
//! [`DossierRow::write`] stores it, [`DossierRow::read`] reads it back
//! (stored JSON that does not decode is an error), and
//! [`DossierRow::differences`] names the columns that differ — what
//! `comptoir-ctl dossier verify` reports.

use chrono::{DateTime, Utc};
use comptoir_core::calendar::{DeadlinePromise, WaitInterval};
use comptoir_core::dossier::{ItemCondition, Resolution};
use comptoir_core::events::{Conflict, DossierState, EventRecord};
use comptoir_core::ids::*;
use comptoir_core::model::{DossierOrigin, DossierStatus};
use comptoir_core::normalize::normalize_code;
use comptoir_core::policy::{DecisionRecord, Severity};
use sqlx::SqliteConnection;

use crate::{Result, StoreError};

/// Every projected column of a dossier, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DossierRow {
    pub id: DossierId,
    pub number: String,
    pub store_id: Option<StoreId>,
    pub origin: DossierOrigin,
    pub customer_id: CustomerId,
    pub order_line_id: Option<OrderLineId>,
    pub product_id: Option<ProductId>,
    pub product_label: Option<String>,
    pub reason_code: String,
    pub customer_words: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub status: DossierStatus,
    pub closed_at: Option<DateTime<Utc>>,
    pub condition: Option<ItemCondition>,
    pub condition_note: Option<String>,
    pub accessories: Vec<String>,
    pub serial_number: Option<String>,
    pub assignee: Option<String>,
    pub opened_by: Option<String>,
    pub promise: Option<DeadlinePromise>,
    pub legal_cap_at: Option<DateTime<Utc>>,
    pub resolution: Option<Resolution>,
    pub follow_up_due: Option<DateTime<Utc>>,
    pub followed_up_at: Option<DateTime<Utc>>,
    pub csat_score: Option<u8>,
    pub csat_comment: Option<String>,
    pub score_call_due: Option<DateTime<Utc>>,
    pub score_called_back_at: Option<DateTime<Utc>>,
    pub sealed: bool,
    pub severity: Severity,
    pub decision: Option<DecisionRecord>,
    pub gesture_cents: Option<i64>,
    pub conflicts: Vec<Conflict>,
    /// The earliest event that answered the customer.
    pub first_response_at: Option<DateTime<Utc>>,
    /// The finished waits for the customer (stored NULL when none).
    pub customer_waits: Vec<WaitInterval>,
}

#[derive(sqlx::FromRow, serde::Deserialize)]
struct RawRow {
    id: DossierId,
    number: String,
    store_id: Option<StoreId>,
    origin: DossierOrigin,
    customer_id: CustomerId,
    order_line_id: Option<OrderLineId>,
    product_id: Option<ProductId>,
    product_label: Option<String>,
    reason_code: String,
    customer_words: Option<String>,
    opened_at: DateTime<Utc>,
    promised_at: Option<DateTime<Utc>>,
    status: DossierStatus,
    closed_at: Option<DateTime<Utc>>,
    condition: Option<String>,
    condition_note: Option<String>,
    accessories: String,
    serial_number: Option<String>,
    assignee: Option<String>,
    opened_by: Option<String>,
    promise: Option<String>,
    legal_cap_at: Option<DateTime<Utc>>,
    resolution: Option<String>,
    follow_up_due: Option<DateTime<Utc>>,
    followed_up_at: Option<DateTime<Utc>>,
    csat_score: Option<i64>,
    csat_comment: Option<String>,
    score_call_due: Option<DateTime<Utc>>,
    score_called_back_at: Option<DateTime<Utc>>,
    sealed: bool,
    severity: String,
    decision: Option<String>,
    gesture_cents: Option<i64>,
    conflicts: Option<String>,
    first_response_at: Option<DateTime<Utc>>,
    customer_waits: Option<String>,
}

pub(crate) const COLUMNS: &str = "id, number, store_id, origin, customer_id, order_line_id, \
    product_id, product_label, reason_code, customer_words, opened_at, promised_at, status, \
    closed_at, condition, condition_note, accessories, serial_number, assignee, opened_by, promise, \
    legal_cap_at, resolution, follow_up_due, followed_up_at, csat_score, csat_comment, sealed, \
    severity, decision, gesture_cents, conflicts, score_call_due, score_called_back_at, \
    first_response_at, customer_waits";

/// `INSERT INTO dossiers (COLUMNS, number_norm) ` and its upsert clause,
/// built once from [`COLUMNS`].
static UPSERT: std::sync::LazyLock<(String, String)> = std::sync::LazyLock::new(|| {
    let sets = COLUMNS
        .split(", ")
        .filter(|c| *c != "id")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    (
        format!("INSERT INTO dossiers ({COLUMNS}, number_norm) "),
        format!(" ON CONFLICT (id) DO UPDATE SET {sets}, number_norm = excluded.number_norm"),
    )
});

/// The JSON columns of a row, encoded before its statement is built.
struct EncodedRow {
    accessories: String,
    promise: Option<String>,
    resolution: Option<String>,
    decision: Option<String>,
    conflicts: Option<String>,
    customer_waits: Option<String>,
}

impl EncodedRow {
    fn of(r: &DossierRow) -> Result<EncodedRow> {
        Ok(EncodedRow {
            accessories: encode("accessoires", &r.accessories)?,
            promise: r
                .promise
                .map(|p| encode("promesse de délai", &p))
                .transpose()?,
            resolution: r
                .resolution
                .as_ref()
                .map(|x| encode("résolution", x))
                .transpose()?,
            decision: r
                .decision
                .as_ref()
                .map(|d| encode("décision", d))
                .transpose()?,
            conflicts: if r.conflicts.is_empty() {
                None
            } else {
                Some(encode("conflits", &r.conflicts)?)
            },
            customer_waits: if r.customer_waits.is_empty() {
                None
            } else {
                Some(encode("attentes du client", &r.customer_waits)?)
            },
        })
    }
}

/// Decodes a JSON column; a value that does not decode is an error naming
/// the column, never a silent default.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(what: &'static str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|e| StoreError::StoredDataInvalid {
        what,
        detail: e.to_string(),
    })
}

fn decode_opt<T: serde::de::DeserializeOwned>(
    what: &'static str,
    json: Option<&str>,
) -> Result<Option<T>> {
    json.map(|j| decode(what, j)).transpose()
}

pub(crate) fn encode<T: serde::Serialize>(what: &'static str, v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::StoredDataInvalid {
        what,
        detail: e.to_string(),
    })
}

fn is_unique_violation(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlx(sqlx::Error::Database(d)) if d.message().contains("UNIQUE"))
}

/// The rows (distinct ids) in multi-row upserts of every column.
async fn upsert_rows(conn: &mut SqliteConnection, rows: &[&DossierRow]) -> Result<()> {
    let encoded = rows
        .iter()
        .map(|r| Ok((*r, EncodedRow::of(r)?)))
        .collect::<Result<Vec<_>>>()?;
    let (head, tail) = &*UPSERT;
    crate::rows::upsert_rows(conn, head, tail, &encoded, |mut b, (r, e)| {
        b.push_bind(r.id)
            .push_bind(r.number.as_str())
            .push_bind(r.store_id)
            .push_bind(r.origin)
            .push_bind(r.customer_id)
            .push_bind(r.order_line_id)
            .push_bind(r.product_id)
            .push_bind(r.product_label.as_deref())
            .push_bind(r.reason_code.as_str())
            .push_bind(r.customer_words.as_deref())
            .push_bind(r.opened_at)
            .push_bind(r.promised_at)
            .push_bind(r.status)
            .push_bind(r.closed_at)
            .push_bind(r.condition.map(ItemCondition::code))
            .push_bind(r.condition_note.as_deref())
            .push_bind(e.accessories.as_str())
            .push_bind(r.serial_number.as_deref())
            .push_bind(r.assignee.as_deref())
            .push_bind(r.opened_by.as_deref())
            .push_bind(e.promise.as_deref())
            .push_bind(r.legal_cap_at)
            .push_bind(e.resolution.as_deref())
            .push_bind(r.follow_up_due)
            .push_bind(r.followed_up_at)
            .push_bind(r.csat_score.map(i64::from))
            .push_bind(r.csat_comment.as_deref())
            .push_bind(r.sealed)
            .push_bind(r.severity.code())
            .push_bind(e.decision.as_deref())
            .push_bind(r.gesture_cents)
            .push_bind(e.conflicts.as_deref())
            .push_bind(r.score_call_due)
            .push_bind(r.score_called_back_at)
            .push_bind(r.first_response_at)
            .push_bind(e.customer_waits.as_deref())
            .push_bind(normalize_code(&r.number));
    })
    .await
}

impl TryFrom<RawRow> for DossierRow {
    type Error = StoreError;
    fn try_from(r: RawRow) -> Result<DossierRow> {
        Ok(DossierRow {
            id: r.id,
            number: r.number,
            store_id: r.store_id,
            origin: r.origin,
            customer_id: r.customer_id,
            order_line_id: r.order_line_id,
            product_id: r.product_id,
            product_label: r.product_label,
            reason_code: r.reason_code,
            customer_words: r.customer_words,
            opened_at: r.opened_at,
            promised_at: r.promised_at,
            status: r.status,
            closed_at: r.closed_at,
            condition: r
                .condition
                .as_deref()
                .map(|c| {
                    c.parse().map_err(|_| StoreError::StoredDataInvalid {
                        what: "état du produit",
                        detail: c.to_owned(),
                    })
                })
                .transpose()?,
            condition_note: r.condition_note,
            accessories: decode("accessoires", &r.accessories)?,
            serial_number: r.serial_number,
            assignee: r.assignee,
            opened_by: r.opened_by,
            promise: decode_opt("promesse de délai", r.promise.as_deref())?,
            legal_cap_at: r.legal_cap_at,
            resolution: decode_opt("résolution", r.resolution.as_deref())?,
            follow_up_due: r.follow_up_due,
            followed_up_at: r.followed_up_at,
            csat_score: r
                .csat_score
                .map(|s| {
                    u8::try_from(s).map_err(|_| StoreError::StoredDataInvalid {
                        what: "satisfaction",
                        detail: s.to_string(),
                    })
                })
                .transpose()?,
            csat_comment: r.csat_comment,
            score_call_due: r.score_call_due,
            score_called_back_at: r.score_called_back_at,
            sealed: r.sealed,
            severity: Severity::from_code(&r.severity).ok_or_else(|| {
                StoreError::StoredDataInvalid {
                    what: "gravité",
                    detail: r.severity.clone(),
                }
            })?,
            decision: decode_opt("décision", r.decision.as_deref())?,
            gesture_cents: r.gesture_cents,
            conflicts: decode_opt("conflits", r.conflicts.as_deref())?.unwrap_or_default(),
            first_response_at: r.first_response_at,
            customer_waits: decode_opt("attentes du client", r.customer_waits.as_deref())?
                .unwrap_or_default(),
        })
    }
}

impl DossierRow {
    /// The row the fold gives; `None` while the opening is unknown.
    pub fn from_state(id: DossierId, s: &DossierState) -> Option<DossierRow> {
        let o = s.intake.as_ref()?;
        Some(DossierRow {
            id,
            number: o.number.clone(),
            store_id: o.store_id,
            origin: o.origin,
            customer_id: o.customer_id,
            order_line_id: o.order_line_id,
            product_id: o.product_id,
            product_label: o.product_label.clone(),
            reason_code: o.reason_code.clone(),
            customer_words: o.customer_words.clone(),
            opened_at: s.opened_at?,
            promised_at: s.promised_at,
            status: s.status,
            closed_at: s.closed_at,
            condition: o.condition,
            condition_note: o.condition_note.clone(),
            accessories: o.accessories.clone(),
            serial_number: o.serial_number.clone(),
            assignee: s.assignee.clone(),
            opened_by: o.opened_by.clone(),
            promise: o.promise,
            legal_cap_at: o.legal_cap_at,
            resolution: s.resolution.clone(),
            follow_up_due: s.follow_up_due,
            followed_up_at: s.followed_up_at,
            csat_score: s.csat_score,
            csat_comment: s.csat_comment.clone(),
            score_call_due: s.score_call_due,
            score_called_back_at: s.score_called_back_at,
            sealed: o.sealed,
            severity: o.severity,
            decision: s.decision.clone(),
            gesture_cents: s.gesture().map(|g| g.0),
            conflicts: s.conflicts.clone(),
            first_response_at: s.first_response_at,
            customer_waits: s.customer_waits.clone(),
        })
    }

    pub async fn read(conn: &mut SqliteConnection, id: DossierId) -> Result<Option<DossierRow>> {
        let raw: Option<RawRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM dossiers WHERE id = ?"))
                .bind(id)
                .fetch_optional(conn)
                .await?;
        raw.map(DossierRow::try_from).transpose()
    }

    /// Inserts or rewrites the row.
    pub async fn write(&self, conn: &mut SqliteConnection) -> Result<()> {
        Self::write_all(conn, std::slice::from_ref(self)).await
    }

    /// Inserts or rewrites many rows, as many a statement as SQLite's limit
    /// on bound values allows (a dossier given twice is written once, as
    /// its last row). A number already taken by another dossier is
    /// `dossier_number_taken`, naming it.
    pub(crate) async fn write_all(conn: &mut SqliteConnection, rows: &[DossierRow]) -> Result<()> {
        // One row an id (the last one given): a statement may not upsert
        // the same row twice.
        let mut at: std::collections::HashMap<DossierId, usize> = std::collections::HashMap::new();
        let mut unique: Vec<&DossierRow> = Vec::with_capacity(rows.len());
        for r in rows {
            match at.get(&r.id) {
                Some(&i) => unique[i] = r,
                None => {
                    at.insert(r.id, unique.len());
                    unique.push(r);
                }
            }
        }
        match upsert_rows(conn, &unique).await {
            Err(e) if is_unique_violation(&e) => {
                // The statement wrote nothing: the rows one at a time name
                // the number taken.
                for r in unique {
                    match upsert_rows(conn, &[r]).await {
                        Err(e) if is_unique_violation(&e) => {
                            return Err(StoreError::DossierNumberTaken {
                                number: r.number.clone(),
                            })
                        }
                        other => other?,
                    }
                }
                Err(e)
            }
            other => other,
        }
    }

    /// The columns whose stored value differs from `other`'s.
    pub fn differences(&self, other: &DossierRow) -> Vec<&'static str> {
        let mut out = Vec::new();
        macro_rules! cmp {
            ($($f:ident),+) => {$(
                if self.$f != other.$f { out.push(stringify!($f)); }
            )+};
        }
        cmp!(
            number,
            store_id,
            origin,
            customer_id,
            order_line_id,
            product_id,
            product_label,
            reason_code,
            customer_words,
            opened_at,
            promised_at,
            status,
            closed_at,
            condition,
            condition_note,
            accessories,
            serial_number,
            assignee,
            opened_by,
            promise,
            legal_cap_at,
            resolution,
            follow_up_due,
            followed_up_at,
            csat_score,
            csat_comment,
            sealed,
            severity,
            decision,
            gesture_cents,
            conflicts,
            score_call_due,
            score_called_back_at,
            first_response_at,
            customer_waits
        );
        out
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: DossierEventId,
    dossier_id: DossierId,
    hlc: Option<String>,
    device_id: Option<uuid::Uuid>,
    at: DateTime<Utc>,
    actor: String,
    note: Option<String>,
    body: Option<String>,
}

pub(crate) const EVENT_COLUMNS: &str = "id, dossier_id, hlc, device_id, at, actor, note, body";

impl TryFrom<EventRow> for EventRecord {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<EventRecord> {
        let body = typed_body(r.id, r.body)?;
        Ok(EventRecord {
            id: r.id,
            dossier_id: r.dossier_id,
            hlc: stored_hlc(r.hlc)?,
            device_id: r.device_id.unwrap_or_default(),
            at: r.at,
            actor: r.actor,
            note: r.note,
            event: decode("événement du dossier", &body)?,
        })
    }
}

/// An event's typed body: an event without one is an error, never skipped.
fn typed_body<T>(id: DossierEventId, body: Option<T>) -> Result<T> {
    body.ok_or_else(|| StoreError::StoredDataInvalid {
        what: "événement du dossier",
        detail: format!("event {} has no typed body", id.0),
    })
}

/// An event's stored HLC, parsed.
fn stored_hlc(hlc: Option<String>) -> Result<comptoir_core::hlc::Hlc> {
    let hlc = hlc.unwrap_or_default();
    hlc.parse().map_err(|_| StoreError::StoredDataInvalid {
        what: "horodatage d'un événement",
        detail: hlc.chars().take(64).collect(),
    })
}

/// An event as `dossiers_in_range` reads it: one element of the JSON array
/// SQLite builds per dossier (ids in hex, which serde reads as UUIDs).
#[derive(serde::Deserialize)]
struct GroupedEvent {
    id: DossierEventId,
    hlc: Option<String>,
    device_id: Option<uuid::Uuid>,
    at: DateTime<Utc>,
    actor: String,
    note: Option<String>,
    body: Option<comptoir_core::events::DossierEvent>,
}

impl GroupedEvent {
    fn record(self, dossier_id: DossierId) -> Result<EventRecord> {
        Ok(EventRecord {
            event: typed_body(self.id, self.body)?,
            id: self.id,
            dossier_id,
            hlc: stored_hlc(self.hlc)?,
            device_id: self.device_id.unwrap_or_default(),
            at: self.at,
            actor: self.actor,
            note: self.note,
        })
    }
}

/// The typed events of a dossier, in fold order.
pub(crate) async fn events_of(
    conn: &mut SqliteConnection,
    id: DossierId,
) -> Result<Vec<EventRecord>> {
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM dossier_events WHERE dossier_id = ? ORDER BY hlc, id"
    ))
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(EventRecord::try_from).collect()
}

/// The typed events of many dossiers, each dossier's in fold order: one
/// query for them all.
pub(crate) async fn events_of_many(
    conn: &mut SqliteConnection,
    ids: &[DossierId],
) -> Result<std::collections::HashMap<DossierId, Vec<EventRecord>>> {
    let mut out: std::collections::HashMap<DossierId, Vec<EventRecord>> =
        std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<EventRow> = sqlx::query_as(&format!(
        "SELECT {EVENT_COLUMNS} FROM dossier_events
          WHERE dossier_id IN (SELECT unhex(value) FROM json_each(?)) ORDER BY hlc, id"
    ))
    .bind(crate::rows::id_list(ids.iter().map(|d| d.0)))
    .fetch_all(conn)
    .await?;
    for r in rows {
        let e = EventRecord::try_from(r)?;
        out.entry(e.dossier_id).or_default().push(e);
    }
    Ok(out)
}

/// Appends events to the timeline, as many a statement as SQLite allows,
/// each with the kind its timeline shows (`kind_code` unless the source
/// gave another); `tail` is the statement's conflict clause ("" for a
/// plain INSERT: an event already here is an error).
pub(crate) async fn insert_events(
    conn: &mut SqliteConnection,
    events: &[(&EventRecord, &str)],
    tail: &'static str,
) -> Result<()> {
    let encoded: Vec<(&EventRecord, &str, String)> = events
        .iter()
        .map(|(e, kind)| Ok((*e, *kind, encode("événement du dossier", &e.event)?)))
        .collect::<Result<_>>()?;
    crate::rows::upsert_rows(
        conn,
        "INSERT INTO dossier_events (id, dossier_id, at, actor, kind, status_after, note, hlc, device_id, body) ",
        tail,
        &encoded,
        |mut b, (e, kind, body)| {
            b.push_bind(e.id)
                .push_bind(e.dossier_id)
                .push_bind(e.at)
                .push_bind(e.actor.as_str())
                .push_bind(*kind)
                .push_bind(e.event.status_after())
                .push_bind(e.note.as_deref())
                .push_bind(e.hlc.to_string())
                .push_bind(e.device_id)
                .push_bind(body.as_str());
        },
    )
    .await
}

/// Many dossiers at once (verify, rebuild): the stored rows after `after`
/// and up to `until` (both open when `None`) in id order, at most `limit`,
/// each with its typed events. One query a batch, whatever its size.
pub(crate) async fn dossiers_in_range(
    conn: &mut SqliteConnection,
    after: Option<DossierId>,
    until: Option<DossierId>,
    limit: i64,
) -> Result<Vec<(DossierRow, Vec<EventRecord>)>> {
    // The whole batch as one JSON array built by SQLite — each dossier's
    // row with its events — rather than a row a dossier and a row an
    // event: handing a million rows one value at a time from sqlx's worker
    // thread to the caller (a copy, a malloc and a free each) was most of
    // `dossier verify`'s time. Ids travel in hex.
    let json: Option<String> = sqlx::query_scalar(
        "SELECT json_group_array(json_object('row', json_object(
                'id', nullif(hex(d.id), ''), 'number', d.number,
                'store_id', nullif(hex(d.store_id), ''), 'origin', d.origin,
                'customer_id', nullif(hex(d.customer_id), ''),
                'order_line_id', nullif(hex(d.order_line_id), ''),
                'product_id', nullif(hex(d.product_id), ''), 'product_label', d.product_label,
                'reason_code', d.reason_code, 'customer_words', d.customer_words,
                'opened_at', d.opened_at, 'promised_at', d.promised_at, 'status', d.status,
                'closed_at', d.closed_at, 'condition', d.condition,
                'condition_note', d.condition_note, 'accessories', d.accessories,
                'serial_number', d.serial_number, 'assignee', d.assignee,
                'opened_by', d.opened_by, 'promise', d.promise, 'legal_cap_at', d.legal_cap_at,
                'resolution', d.resolution, 'follow_up_due', d.follow_up_due,
                'followed_up_at', d.followed_up_at, 'csat_score', d.csat_score,
                'csat_comment', d.csat_comment,
                'sealed', json(CASE WHEN d.sealed THEN 'true' ELSE 'false' END),
                'severity', d.severity, 'decision', d.decision,
                'gesture_cents', d.gesture_cents, 'conflicts', d.conflicts,
                'score_call_due', d.score_call_due,
                'score_called_back_at', d.score_called_back_at,
                'first_response_at', d.first_response_at,
                'customer_waits', d.customer_waits),
             'events', json((SELECT json_group_array(json_object(
                'id', hex(e.id), 'hlc', e.hlc, 'device_id', nullif(hex(e.device_id), ''),
                'at', e.at,
                'actor', e.actor, 'note', e.note,
                'body', CASE WHEN json_valid(e.body) THEN json(e.body) ELSE e.body END))
              FROM dossier_events e WHERE e.dossier_id = d.id))))
         FROM (SELECT * FROM dossiers WHERE (?1 IS NULL OR id > ?1) AND (?2 IS NULL OR id <= ?2)
               ORDER BY id LIMIT ?3) d",
    )
    .bind(after)
    .bind(until)
    .bind(limit)
    .fetch_one(&mut *conn)
    .await?;
    let Some(json) = json else {
        return Ok(Vec::new());
    };
    let batch: Vec<JsonDossier> = decode("dossiers", &json)?;
    let mut out = batch
        .into_iter()
        .map(|d| {
            let id = d.row.id;
            let events = d
                .events
                .into_iter()
                .map(|e| e.record(id))
                .collect::<Result<Vec<_>>>()?;
            Ok((DossierRow::try_from(d.row)?, events))
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|(row, _)| row.id);
    Ok(out)
}

#[derive(serde::Deserialize)]
struct JsonDossier {
    row: RawRow,
    events: Vec<GroupedEvent>,
}
