//! The document of an RGPD export (right of access, art. 15): everything
//! the counter holds about one customer. The store builds it
//! (`Store::export_customer`), `comptoir-ctl` writes it as JSON, and
//! `comptoir-print` lays it out as a readable PDF from the same value.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::customer::CustomerChangeView;
use crate::views::{CustomerView, DossierView, OrderView};

/// The export's format version (`comptoir.customer-export/1`).
pub const EXPORT_FORMAT: &str = "comptoir.customer-export/1";

/// Everything held about one customer, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerExport {
    pub format: &'static str,
    pub exported_at: DateTime<Utc>,
    /// Who exported it (the manager).
    pub exported_by: String,
    /// The store whose counter made the export.
    pub store: Option<String>,
    pub customer: CustomerView,
    /// Newest first.
    pub orders: Vec<OrderView>,
    /// With their whole timelines.
    pub dossiers: Vec<DossierView>,
    /// Every correction of the card, newest first.
    pub corrections: Vec<CustomerChangeView>,
}
