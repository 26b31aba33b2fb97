//! What the counter holds about a customer, exported on their request
//! (RGPD, art. 15 — right of access): the card (identity, contacts,
//! consents), every order of every channel with its lines and parcels,
//! every dossier with its whole timeline, and every correction of the card.
//! The export is a manager's action, recorded in the audit log.

use chrono::{DateTime, Utc};
use comptoir_core::ids::CustomerId;

use crate::{Result, Store};

pub use comptoir_core::export::{CustomerExport, EXPORT_FORMAT};

impl Store {
    /// The customer's data, and an `customer_exported` entry in the audit
    /// log (written first: no export leaves without its trace).
    pub async fn export_customer(
        &self,
        id: CustomerId,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<CustomerExport> {
        let actor = crate::customers::check_actor(actor)?;
        let card = self.customer_card(id).await?;
        let mut conn = self.pool.acquire().await?;
        let corrections = crate::customers::history(&mut conn, id, i64::MAX).await?;
        let store: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'store_code'")
                .fetch_optional(&mut *conn)
                .await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        crate::audit::append(
            &mut tx,
            now,
            &actor,
            crate::audit::CUSTOMER_EXPORTED,
            &id.0.to_string(),
            &serde_json::json!({
                "orders": card.orders.len(),
                "dossiers": card.dossiers.len(),
                "corrections": corrections.len(),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(CustomerExport {
            format: EXPORT_FORMAT,
            exported_at: now,
            exported_by: actor,
            store,
            customer: card.customer,
            orders: card.orders,
            dossiers: card.dossiers,
            corrections,
        })
    }
}
