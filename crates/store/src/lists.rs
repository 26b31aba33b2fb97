//! Finding dossiers: by id or number, and the counter's lists (mine, the
//! store's open ones, late, to call back).

use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use comptoir_core::calendar::{deadline_status, WorkingTime};
use comptoir_core::dossier::*;
use comptoir_core::ids::*;
use comptoir_core::model::DossierStatus;
use comptoir_core::records::display_name;

/// The columns of a [`DossierSummary`], over [`SUMMARY_FROM`].
pub(crate) const SUMMARY_COLUMNS: &str =
    "d.id, d.number, d.customer_id, c.title, c.first_name, c.last_name,
     COALESCE(p.name, d.product_label) AS product_name, d.status, d.assignee,
     d.opened_at, d.promised_at, d.follow_up_due";
/// The dossier (`d`) with its customer (`c`, read from the index that holds
/// the names with the id: one B-tree search a row instead of two, see store
/// migration 0016) and product (`p`).
pub(crate) const SUMMARY_FROM: &str = "FROM dossiers d
     JOIN customers c INDEXED BY customers_names ON c.id = d.customer_id
     LEFT JOIN products p ON p.id = d.product_id";

/// A row of [`SUMMARY_COLUMNS`].
pub(crate) type SummaryRow = (
    DossierId,
    String,
    CustomerId,
    Option<String>,
    String,
    String,
    Option<String>,
    DossierStatus,
    Option<String>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A list's line, with where it stands against its deadline at `now`.
pub(crate) fn summary_of(
    row: SummaryRow,
    now: DateTime<Utc>,
    calendar: &impl WorkingTime,
) -> DossierSummary {
    let (
        id,
        number,
        customer_id,
        title,
        first,
        last,
        product_name,
        status,
        assignee,
        opened_at,
        promised_at,
        follow_up_due,
    ) = row;
    let ds = promised_at
        .filter(|_| status.is_open())
        .map(|p| deadline_status(now, opened_at, p, calendar));
    DossierSummary {
        id,
        number,
        customer_id,
        customer_name: display_name(title.as_deref(), &first, &last),
        product_name,
        status,
        status_label: status.label_fr().to_owned(),
        is_open: status.is_open(),
        assignee,
        opened_at,
        promised_at,
        deadline_status: ds,
        deadline_label: ds.map(|s| s.label_fr().to_owned()),
        follow_up_due,
    }
}

impl Store {
    /// The customer a dossier belongs to.
    pub async fn dossier_customer(&self, id: DossierId) -> Result<CustomerId> {
        sqlx::query_scalar("SELECT customer_id FROM dossiers WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound { what: "dossier" })
    }

    /// A dossier by its number (as printed or scanned).
    pub async fn dossier_by_number(&self, number: &str) -> Result<DossierId> {
        sqlx::query_scalar("SELECT id FROM dossiers WHERE number_norm = ?")
            .bind(comptoir_core::normalize::normalize_code(number))
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound { what: "dossier" })
    }

    /// The counter's lists: mine, the store's open ones, late, to follow up.
    pub async fn list_dossiers(
        &self,
        list: DossierList,
        actor: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DossierSummary>> {
        let mut conn = self.pool.acquire().await?;
        let store_id: Option<StoreId> = sqlx::query_scalar(
            "SELECT s.id FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&mut *conn)
        .await?;
        let calendar = Self::calendar_of(&mut conn, store_id).await?;
        let open = "d.status NOT IN ('handed_back', 'closed', 'cancelled')";
        let filter = match list {
            DossierList::Mine => {
                format!("{open} AND (d.assignee = ?2 OR (d.assignee IS NULL AND d.opened_by = ?2))")
            }
            DossierList::StoreOpen | DossierList::Late => format!("{open} AND d.store_id = ?1"),
            DossierList::ToFollowUp => {
                "d.store_id = ?1 AND d.follow_up_due <= ?3 AND d.followed_up_at IS NULL".to_owned()
            }
        };
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} {SUMMARY_FROM}
             WHERE {filter} ORDER BY d.promised_at IS NULL, d.promised_at, d.opened_at LIMIT 500"
        );
        let rows: Vec<SummaryRow> = sqlx::query_as(&sql)
            .bind(store_id)
            .bind(actor.unwrap_or(""))
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
        let mut out: Vec<DossierSummary> = rows
            .into_iter()
            .map(|row| summary_of(row, now, &calendar))
            .collect();
        if list == DossierList::Late {
            out.retain(|d| {
                d.deadline_status == Some(comptoir_core::calendar::DeadlineStatus::Late)
            });
        }
        Ok(out)
    }
}
