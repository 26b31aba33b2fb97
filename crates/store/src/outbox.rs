//! The outbox (every local change, as the sync envelope the client pushes)
//! and the checks of the projections against the events.

use comptoir_core::changes::ChangeEnvelope;
use comptoir_core::events::fold;
use comptoir_core::ids::DossierId;
use serde::Serialize;

use crate::projection::{events_in_range, DossierRow};
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
    /// stored row differs.
    pub async fn verify_dossiers(&self) -> Result<Vec<DossierDifference>> {
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::new();
        let mut after = None;
        loop {
            let batch = events_in_range(&mut conn, after, BATCH).await?;
            let Some((last, _)) = batch.last() else { break };
            after = Some(*last);
            for (id, events) in batch {
                let stored = DossierRow::read(&mut conn, id).await?;
                let folded = DossierRow::from_state(id, &fold(&events));
                match (stored, folded) {
                    (Some(s), Some(f)) => {
                        let columns = s.differences(&f);
                        if !columns.is_empty() {
                            out.push(DossierDifference {
                                dossier_id: id,
                                number: s.number,
                                columns,
                            });
                        }
                    }
                    (Some(s), None) => out.push(DossierDifference {
                        dossier_id: id,
                        number: s.number,
                        columns: vec!["events"],
                    }),
                    (None, _) => {}
                }
            }
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
            let mut tx = crate::tx::begin_write(&mut conn).await?;
            let batch = events_in_range(&mut tx, after, BATCH).await?;
            let Some((last, _)) = batch.last() else { break };
            after = Some(*last);
            for (id, events) in batch {
                let folded = DossierRow::from_state(id, &fold(&events))
                    .ok_or(StoreError::NotFound { what: "dossier" })?;
                let stored = DossierRow::read(&mut tx, id).await?;
                if stored.as_ref() != Some(&folded) {
                    folded.write(&mut tx).await?;
                    changed += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(changed)
    }
}
