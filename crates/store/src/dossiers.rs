//! The dossier aggregate's shared pieces: its state read back from its
//! events, the purchased line checked against the customer, the actor.
//! Intake, workflow, lists, decisions are modules of their own.

use comptoir_core::events::{fold, DossierState};
use comptoir_core::ids::*;
use comptoir_core::CoreError;
use sqlx::SqliteConnection;

use crate::{Result, StoreError};

/// The dossier as the fold of its events; `NotFound` when it has none.
pub(crate) async fn load_state(conn: &mut SqliteConnection, id: DossierId) -> Result<DossierState> {
    let events = crate::projection::events_of(conn, id).await?;
    let state = fold(&events);
    if state.intake.is_none() {
        return Err(StoreError::NotFound { what: "dossier" });
    }
    Ok(state)
}

/// The order line read, if it exists and is this customer's.
pub(crate) fn owned_line<T>(
    row: Option<T>,
    owner: impl Fn(&T) -> CustomerId,
    customer: CustomerId,
) -> Result<T> {
    let row = row.ok_or(StoreError::NotFound {
        what: "ligne de commande",
    })?;
    if owner(&row) != customer {
        return Err(StoreError::LineNotCustomers);
    }
    Ok(row)
}

pub(crate) fn require_actor(actor: &str) -> Result<()> {
    if actor.trim().is_empty() {
        return Err(CoreError::MissingField { field: "actor" }.into());
    }
    Ok(comptoir_core::bounds::check_short_text("actor", actor)?)
}
