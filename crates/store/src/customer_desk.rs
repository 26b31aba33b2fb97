//! The customer at the counter: checking a new customer or a correction
//! (problems of its fields, possible duplicates), creating and correcting —
//! each through the one write path (`apply`), whose customer changes the
//! `customers` module keeps and projects.

use crate::apply::Batch;
use crate::customers::*;
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use comptoir_core::customer::{
    added_contacts, diff, new_customer_problems, patch_problems, validate_new_customer,
    validate_patch, CustomerCheck, CustomerField, CustomerPatch, NewCustomer,
};
use comptoir_core::ids::CustomerId;

impl Store {
    /// What the form must show before saving a new customer: the problems
    /// of its fields and the possible duplicates (a read; nothing written).
    pub async fn check_new_customer(&self, input: &NewCustomer) -> Result<CustomerCheck> {
        let problems = new_customer_problems(input);
        let mut conn = self.pool.acquire().await?;
        let duplicates = match validate_new_customer(input) {
            Ok(v) => duplicates(&mut conn, &v.contacts().collect::<Vec<_>>(), None).await?,
            Err(_) => Vec::new(),
        };
        Ok(CustomerCheck {
            problems,
            duplicates,
        })
    }

    /// The same for a correction of customer `id`: only phones and e-mails
    /// the customer did not have are checked for duplicates.
    pub async fn check_customer_edit(
        &self,
        id: CustomerId,
        patch: &CustomerPatch,
    ) -> Result<CustomerCheck> {
        let mut conn = self.pool.acquire().await?;
        let current = load_record(&mut conn, id)
            .await?
            .ok_or(StoreError::NotFound { what: "client" })?;
        let problems = patch_problems(patch);
        let duplicates = match validate_patch(patch) {
            Ok(p) => duplicates(&mut conn, &added_contacts(&current, &p), Some(id)).await?,
            Err(_) => Vec::new(),
        };
        Ok(CustomerCheck {
            problems,
            duplicates,
        })
    }

    /// Creates a customer met at the counter, in `actor`'s name, through the
    /// one write path (history, row, contacts, search index, outbox: one
    /// transaction). Refused with the first problem of its fields; refused
    /// with `possible_duplicate` when a phone or e-mail belongs to another
    /// customer, unless `confirm_duplicates`.
    pub async fn create_customer(
        &self,
        input: &NewCustomer,
        actor: &str,
        confirm_duplicates: bool,
        now: DateTime<Utc>,
    ) -> Result<CustomerId> {
        let actor = check_actor(actor)?;
        let valid = validate_new_customer(input)?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        if !confirm_duplicates {
            let found = duplicates(&mut tx, &valid.contacts().collect::<Vec<_>>(), None).await?;
            if !found.is_empty() {
                return Err(StoreError::PossibleDuplicate { duplicates: found });
            }
        }
        let id = CustomerId::new();
        let record = valid.into_record(id, now);
        let mut batch = Batch::begin(&mut tx).await?;
        batch.customer_created(&actor, now, record);
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Corrects customer `id` in `actor`'s name: one change per field that
    /// really changes (with its old and new value and its HLC timestamp),
    /// through the one write path. Returns the fields changed (none: nothing
    /// written). Refusals as for [`Store::create_customer`].
    pub async fn edit_customer(
        &self,
        id: CustomerId,
        patch: &CustomerPatch,
        actor: &str,
        confirm_duplicates: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<CustomerField>> {
        let actor = check_actor(actor)?;
        let valid = validate_patch(patch)?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let current = load_record(&mut tx, id)
            .await?
            .ok_or(StoreError::NotFound { what: "client" })?;
        let edits = diff(&current, &valid);
        if edits.is_empty() {
            return Ok(Vec::new());
        }
        if !confirm_duplicates {
            let found = duplicates(&mut tx, &added_contacts(&current, &valid), Some(id)).await?;
            if !found.is_empty() {
                return Err(StoreError::PossibleDuplicate { duplicates: found });
            }
        }
        let mut batch = Batch::begin(&mut tx).await?;
        batch.observe(last_hlc(&mut tx, id).await?);
        let fields = edits.iter().map(|e| e.field).collect();
        for e in edits {
            batch.customer_field(id, now, &actor, e);
        }
        batch.commit(&mut tx).await?;
        tx.commit().await?;
        Ok(fields)
    }
}
