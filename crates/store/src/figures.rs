//! The dashboard's in-memory copy of `dossier_figures` (migration 0013):
//! one small record per dossier with only what the figures count, read
//! whole once, then kept current by reading only the rows written since
//! (every write of a dossier gives its figures row a new, higher `seq`,
//! whichever process wrote it). A report is then a pass over memory
//! instead of seven statements over the dossiers and their events.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use comptoir_core::calendar::WaitInterval;
use comptoir_core::ids::{CustomerId, DossierId, ProductId, StoreId};
use comptoir_core::model::{Channel, DossierOrigin, DossierStatus};
use sqlx::SqliteConnection;

use crate::projection::decode;
use crate::Result;

/// What the figures know of one dossier.
#[derive(Debug, Clone)]
pub(crate) struct Fig {
    pub id: DossierId,
    pub store_id: Option<StoreId>,
    pub origin: DossierOrigin,
    pub customer_id: CustomerId,
    pub product_id: Option<ProductId>,
    pub reason: Arc<str>,
    pub opened_by: Option<Arc<str>>,
    pub channel: Option<Channel>,
    pub status: DossierStatus,
    pub opened_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub waits: Box<[WaitInterval]>,
    pub csat: Option<u8>,
    pub decided: bool,
    pub basis: Option<Arc<str>>,
    pub decided_by: Option<Arc<str>>,
    pub approved_by: Option<Arc<str>>,
    /// The goodwill gesture (at closure once closed, else the decision's).
    pub gesture_cents: i64,
}

impl Fig {
    /// Handed back or closed.
    pub fn is_done(&self) -> bool {
        matches!(
            self.status,
            DossierStatus::HandedBack | DossierStatus::Closed
        )
    }

    /// Done after its committed deadline.
    pub fn done_late(&self) -> bool {
        self.is_done() && matches!((self.closed_at, self.promised_at), (Some(c), Some(p)) if c > p)
    }

    /// A decision is in force and grants (or gave) a gesture.
    pub fn has_gesture(&self) -> bool {
        self.decided && self.gesture_cents > 0
    }
}

#[derive(sqlx::FromRow)]
struct RawFig {
    seq: i64,
    dossier_id: DossierId,
    store_id: Option<StoreId>,
    origin: DossierOrigin,
    customer_id: CustomerId,
    product_id: Option<ProductId>,
    reason_code: String,
    opened_by: Option<String>,
    channel: Option<Channel>,
    status: DossierStatus,
    opened_at: DateTime<Utc>,
    promised_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    first_response_at: Option<DateTime<Utc>>,
    customer_waits: Option<String>,
    csat_score: Option<i64>,
    decided: bool,
    basis: Option<String>,
    decided_by: Option<String>,
    approved_by: Option<String>,
    gesture_cents: i64,
}

/// The figures of every dossier the counter holds, as of `seq`.
#[derive(Default)]
pub(crate) struct Figures {
    seq: i64,
    rows: Vec<Fig>,
    at: HashMap<DossierId, usize>,
    /// Reason codes and logins repeat: each distinct text is kept once.
    strings: HashSet<Arc<str>>,
}

impl Figures {
    pub fn rows(&self) -> &[Fig] {
        &self.rows
    }

    fn intern(&mut self, s: String) -> Arc<str> {
        if let Some(known) = self.strings.get(s.as_str()) {
            return known.clone();
        }
        let arc: Arc<str> = Arc::from(s);
        self.strings.insert(arc.clone());
        arc
    }

    /// Reads the rows written since the last read (all of them the first
    /// time) and puts them in place of what they replace.
    async fn refresh(&mut self, conn: &mut SqliteConnection) -> Result<usize> {
        let raw: Vec<RawFig> = sqlx::query_as(
            "SELECT seq, dossier_id, store_id, origin, customer_id, product_id, reason_code,
                    opened_by, channel, status, opened_at, promised_at, closed_at,
                    first_response_at, customer_waits, csat_score, decided, basis, decided_by,
                    approved_by, gesture_cents
             FROM dossier_figures WHERE seq > ? ORDER BY seq",
        )
        .bind(self.seq)
        .fetch_all(&mut *conn)
        .await?;
        let n = raw.len();
        for r in raw {
            let seq = r.seq;
            let waits: Vec<WaitInterval> = match r.customer_waits.as_deref() {
                Some(json) => decode("attentes du client", json)?,
                None => Vec::new(),
            };
            let fig = Fig {
                id: r.dossier_id,
                store_id: r.store_id,
                origin: r.origin,
                customer_id: r.customer_id,
                product_id: r.product_id,
                reason: self.intern(r.reason_code),
                opened_by: r.opened_by.map(|s| self.intern(s)),
                channel: r.channel,
                status: r.status,
                opened_at: r.opened_at,
                promised_at: r.promised_at,
                closed_at: r.closed_at,
                first_response_at: r.first_response_at,
                waits: waits.into_boxed_slice(),
                csat: r.csat_score.and_then(|s| u8::try_from(s).ok()),
                decided: r.decided,
                basis: r.basis.map(|s| self.intern(s)),
                decided_by: r.decided_by.map(|s| self.intern(s)),
                approved_by: r.approved_by.map(|s| self.intern(s)),
                gesture_cents: r.gesture_cents,
            };
            match self.at.get(&fig.id) {
                Some(&i) => self.rows[i] = fig,
                None => {
                    self.at.insert(fig.id, self.rows.len());
                    self.rows.push(fig);
                }
            }
            self.seq = self.seq.max(seq);
        }
        Ok(n)
    }
}

/// The copy a [`crate::Store`] keeps, shared by its clones.
#[derive(Default)]
pub(crate) struct FigureCache {
    inner: tokio::sync::Mutex<Figures>,
}

impl std::fmt::Debug for FigureCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FigureCache")
    }
}

impl FigureCache {
    /// The figures as the database holds them now (the rows written since
    /// the last call are read first).
    pub async fn current(
        &self,
        conn: &mut SqliteConnection,
    ) -> Result<tokio::sync::MutexGuard<'_, Figures>> {
        let mut figures = self.inner.lock().await;
        figures.refresh(conn).await?;
        Ok(figures)
    }
}
