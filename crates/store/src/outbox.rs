//! The outbox (every local change, as the sync envelope the client pushes)
//! and the checks of the projections against the events.

use comptoir_core::changes::ChangeEnvelope;
use comptoir_core::events::fold;
use comptoir_core::ids::DossierId;
use serde::Serialize;

use crate::projection::{dossiers_in_range, DossierRow};
use crate::{Result, Store, StoreError};

/// A dossier whose stored row is not the fold of its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DossierDifference {
    pub dossier_id: DossierId,
    pub number: String,
    /// The columns that differ.
    pub columns: Vec<&'static str>,
}

/// Dossiers read per batch by verify and rebuild.
const BATCH: i64 = 2_000;

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: uuid::Uuid,
    kind: String,
    entity_id: uuid::Uuid,
    store_code: String,
    device_id: uuid::Uuid,
    hlc: String,
    payload: String,
}

impl Store {
    /// The outbox in push order (HLC, then id), at most `limit` rows.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<ChangeEnvelope>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, kind, entity_id, store_code, device_id, hlc, payload FROM outbox
             ORDER BY hlc, id LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ChangeEnvelope {
                    id: r.id,
                    kind: r.kind,
                    entity_id: r.entity_id,
                    store_code: r.store_code,
                    device_id: r.device_id,
                    hlc: r.hlc,
                    payload: crate::projection::decode("file d'envoi", &r.payload)?,
                })
            })
            .collect()
    }

    /// How many changes wait in the outbox.
    pub async fn outbox_len(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Recomputes every dossier from its events and lists those whose
    /// stored row differs (in id order). The id space is cut into one
    /// range per core, checked at once on their own connections: the work
    /// is reading and decoding rows, which one connection does on one core.
    pub async fn verify_dossiers(&self) -> Result<Vec<DossierDifference>> {
        let parts = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let total: i64 = sqlx::query_scalar("SELECT count(*) FROM dossiers")
            .fetch_one(&self.pool)
            .await?;
        let mut cuts: Vec<Option<DossierId>> = vec![None];
        for k in 1..parts {
            let cut: Option<DossierId> =
                sqlx::query_scalar("SELECT id FROM dossiers ORDER BY id LIMIT 1 OFFSET ?")
                    .bind(total * k as i64 / parts as i64)
                    .fetch_optional(&self.pool)
                    .await?;
            if cut.is_some() && cuts.last() != Some(&cut) {
                cuts.push(cut);
            }
        }
        cuts.push(None);
        let mut tasks = Vec::new();
        for range in cuts.windows(2) {
            let (after, until) = (range[0], range[1]);
            let pool = self.pool.clone();
            tasks.push(tokio::spawn(async move {
                let mut conn = pool.acquire().await?;
                verify_range(&mut conn, after, until).await
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            let part = t.await.map_err(|e| StoreError::StoredDataInvalid {
                what: "vérification des dossiers",
                detail: e.to_string(),
            })??;
            out.extend(part);
        }
        Ok(out)
    }

    /// Rewrites every dossier's row from its events. Returns how many rows
    /// changed.
    pub async fn rebuild_dossiers(&self) -> Result<u64> {
        let mut conn = self.pool.acquire().await?;
        let mut changed = 0;
        let mut after = None;
        loop {
            let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
            let batch = dossiers_in_range(&mut tx, after, None, BATCH).await?;
            let Some((last, _)) = batch.last() else { break };
            after = Some(last.id);
            for (stored, events) in batch {
                let folded = DossierRow::from_state(stored.id, &fold(&events))
                    .ok_or(StoreError::NotFound { what: "dossier" })?;
                if stored != folded {
                    folded.write(&mut tx).await?;
                    changed += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(changed)
    }
}

/// The dossiers after `after` and up to `until` whose row is not the fold
/// of their events.
async fn verify_range(
    conn: &mut sqlx::SqliteConnection,
    mut after: Option<DossierId>,
    until: Option<DossierId>,
) -> Result<Vec<DossierDifference>> {
    let mut out = Vec::new();
    loop {
        let batch = dossiers_in_range(conn, after, until, BATCH).await?;
        let Some((last, _)) = batch.last() else { break };
        after = Some(last.id);
        for (stored, events) in batch {
            let columns = match DossierRow::from_state(stored.id, &fold(&events)) {
                Some(folded) => stored.differences(&folded),
                None => vec!["events"],
            };
            if !columns.is_empty() {
                out.push(DossierDifference {
                    dossier_id: stored.id,
                    number: stored.number,
                    columns,
                });
            }
        }
    }
    Ok(out)
}
