//! Customers created and corrected at the counter (issue 8). Creation and
//! every field edit are changes that go through the one write path
//! (`apply::write_local`, `apply::apply_received`): the change is kept in
//! `customer_changes` (the per-field history), and the `customers` row, its
//! contacts and its search index are rewritten from the fold of the
//! customer's changes (`comptoir_core::customer::fold_customer`: last
//! writer wins, field by field) — all in the caller's transaction, so the
//! new phone, e-mail or name is found by the very next search.
//!
//! A phone or an e-mail that already belongs to another customer is a
//! possible duplicate: `Store::check_new_customer` and
//! `Store::check_customer_edit` (module `customer_desk`) list them (a read), and saving refuses
//! with `possible_duplicate` unless the clerk confirmed.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use comptoir_core::bounds::check_short_text;
use comptoir_core::changes::{Change, CustomerCreated, CustomerFieldChange};
use comptoir_core::customer::{
    fold_customer, value_fr, CustomerChangeView, CustomerField, PossibleDuplicate, ValidContact,
};
use comptoir_core::hlc::Hlc;
use comptoir_core::ids::{ContactId, CustomerId};
use comptoir_core::model::ContactKind;
use comptoir_core::records::{display_name, ContactRecord, CustomerRecord};
use comptoir_core::CoreError;
use sqlx::SqliteConnection;
use uuid::Uuid;

use crate::projection::{decode, encode};
use crate::tx::Source;
use crate::{Result, StoreError};

/// `customer_changes.field` of a creation.
const CREATED: &str = "created";
/// Lines of history on the card.
pub(crate) const HISTORY_LINES: i64 = 10;

/// A `customers` row (the card reads it too).
#[derive(sqlx::FromRow)]
pub(crate) struct CustomerRow {
    pub(crate) id: CustomerId,
    pub(crate) title: Option<String>,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) address_line1: String,
    pub(crate) address_line2: Option<String>,
    pub(crate) postal_code: String,
    pub(crate) city: String,
    pub(crate) country: String,
    pub(crate) email_marketing: bool,
    pub(crate) sms_marketing: bool,
    pub(crate) consents_updated_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: ContactId,
    kind: ContactKind,
    value: String,
    label: Option<String>,
    is_primary: bool,
}

/// The customer as stored (row and contacts), if there is one.
pub(crate) async fn load_record(
    conn: &mut SqliteConnection,
    id: CustomerId,
) -> Result<Option<CustomerRecord>> {
    let row: Option<CustomerRow> = sqlx::query_as(
        "SELECT id, title, first_name, last_name, address_line1, address_line2, postal_code,
                city, country, email_marketing, sms_marketing, consents_updated_at, created_at,
                updated_at
         FROM customers WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let contacts: Vec<ContactRow> = sqlx::query_as(
        "SELECT id, kind, value, label, is_primary FROM customer_contacts
         WHERE customer_id = ? ORDER BY kind DESC, is_primary DESC, rowid",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(CustomerRecord {
        id: r.id,
        title: r.title,
        first_name: r.first_name,
        last_name: r.last_name,
        address_line1: r.address_line1,
        address_line2: r.address_line2,
        postal_code: r.postal_code,
        city: r.city,
        country: r.country,
        email_marketing: r.email_marketing,
        sms_marketing: r.sms_marketing,
        consents_updated_at: r.consents_updated_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        contacts: contacts
            .into_iter()
            .map(|k| ContactRecord {
                id: k.id,
                kind: k.kind,
                value: k.value,
                label: k.label,
                is_primary: k.is_primary,
            })
            .collect(),
    }))
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: Uuid,
    customer_id: CustomerId,
    field: String,
    hlc: String,
    device_id: Uuid,
    at: DateTime<Utc>,
    actor: String,
    old_value: Option<String>,
    new_value: String,
}

const WHAT: &str = "historique du client";

pub(crate) fn parse_hlc(text: &str) -> Result<Hlc> {
    text.parse()
        .map_err(|e: CoreError| StoreError::StoredDataInvalid {
            what: WHAT,
            detail: e.to_string(),
        })
}

fn typed(r: ChangeRow) -> Result<Change> {
    let hlc = parse_hlc(&r.hlc)?;
    if r.field == CREATED {
        return Ok(Change::CustomerCreated(Box::new(CustomerCreated {
            id: r.id,
            hlc,
            device_id: r.device_id,
            actor: r.actor,
            customer: decode(WHAT, &r.new_value)?,
        })));
    }
    let field = CustomerField::from_code(&r.field).map_err(|e| StoreError::StoredDataInvalid {
        what: WHAT,
        detail: e.to_string(),
    })?;
    Ok(Change::CustomerField(CustomerFieldChange {
        id: r.id,
        customer_id: r.customer_id,
        hlc,
        device_id: r.device_id,
        at: r.at,
        actor: r.actor,
        field,
        old: match r.old_value.as_deref() {
            Some(j) => decode(WHAT, j)?,
            None => serde_json::Value::Null,
        },
        value: decode(WHAT, &r.new_value)?,
    }))
}

/// Every change known for a customer: its creation (if known here) and its
/// field edits.
pub(crate) async fn changes_of(
    conn: &mut SqliteConnection,
    id: CustomerId,
) -> Result<(Option<CustomerCreated>, Vec<CustomerFieldChange>)> {
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT id, customer_id, field, hlc, device_id, at, actor, old_value, new_value
         FROM customer_changes WHERE customer_id = ? ORDER BY hlc, id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut created = None;
    let mut fields = Vec::new();
    for r in rows {
        match typed(r)? {
            Change::CustomerCreated(c) => created = Some(*c),
            Change::CustomerField(f) => fields.push(f),
            Change::DossierEvent(_) | Change::CustomerErased(_) => {}
        }
    }
    Ok((created, fields))
}

/// The latest HLC of a customer's changes (a local edit must come after).
pub(crate) async fn last_hlc(conn: &mut SqliteConnection, id: CustomerId) -> Result<Hlc> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT max(hlc) FROM customer_changes WHERE customer_id = ?")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    text.as_deref()
        .map(parse_hlc)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// Whether a change is already here (received twice: a no-op).
pub(crate) async fn is_here(conn: &mut SqliteConnection, id: Uuid) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM customer_changes WHERE id = ?)")
            .bind(id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The checks every customer change passes before it is kept, local or
/// received: an actor, bounded texts, a name, values that decode.
pub(crate) fn check_change(c: &Change) -> Result<()> {
    match c {
        Change::CustomerCreated(k) => {
            if k.actor.trim().is_empty() {
                return Err(CoreError::MissingField { field: "actor" }.into());
            }
            check_short_text("actor", &k.actor)?;
            comptoir_core::customer::check_record(&k.customer)?;
        }
        Change::CustomerField(f) => comptoir_core::customer::check_field_change(f)?,
        Change::DossierEvent(_) | Change::CustomerErased(_) => {}
    }
    Ok(())
}

pub(crate) async fn insert_change(conn: &mut SqliteConnection, c: &Change) -> Result<()> {
    let (id, customer_id, field, hlc, device_id, at, actor, old, new) = match c {
        Change::CustomerCreated(k) => (
            k.id,
            k.customer.id,
            CREATED,
            k.hlc,
            k.device_id,
            k.customer.created_at,
            k.actor.as_str(),
            None,
            encode(WHAT, &k.customer)?,
        ),
        Change::CustomerField(f) => (
            f.id,
            f.customer_id,
            f.field.code(),
            f.hlc,
            f.device_id,
            f.at,
            f.actor.as_str(),
            Some(encode(WHAT, &f.old)?),
            encode(WHAT, &f.value)?,
        ),
        Change::DossierEvent(_) | Change::CustomerErased(_) => return Ok(()),
    };
    sqlx::query(
        "INSERT INTO customer_changes
            (id, customer_id, field, hlc, device_id, at, actor, old_value, new_value)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(customer_id)
    .bind(field)
    .bind(hlc.to_string())
    .bind(device_id)
    .bind(at)
    .bind(actor)
    .bind(old)
    .bind(new)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rewrites a customer's row, contacts and search index from the fold of
/// its changes. `false` when there is nothing to write yet (edits received
/// before their creation).
pub(crate) async fn project(conn: &mut SqliteConnection, id: CustomerId) -> Result<bool> {
    let base = load_record(conn, id).await?;
    let (created, fields) = changes_of(conn, id).await?;
    let Some(record) = fold_customer(base.as_ref(), created.as_ref(), &fields)? else {
        return Ok(false);
    };
    if base.as_ref() == Some(&record) {
        return Ok(true);
    }
    sqlx::query("DELETE FROM customer_contacts WHERE customer_id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    crate::write::insert_customers(conn, std::slice::from_ref(&record), false).await?;
    Ok(true)
}

/// Keeps customer changes and rewrites each customer they touch, in the
/// caller's transaction. A local edit of a customer that does not exist is
/// refused; a received one waits for its creation.
pub(crate) async fn apply_changes(
    conn: &mut SqliteConnection,
    changes: &[&Change],
    source: Source,
) -> Result<()> {
    let mut touched = BTreeSet::new();
    let any_erased = crate::erase::any_erased(conn).await?;
    for c in changes {
        let customer = match c {
            Change::CustomerCreated(k) => k.customer.id,
            Change::CustomerField(f) => f.customer_id,
            Change::DossierEvent(_) | Change::CustomerErased(_) => continue,
        };
        // An erasure wins over every edit: a local one is refused, a
        // received one (made elsewhere before the erasure was known) is
        // dropped, never kept.
        if any_erased && crate::erase::is_erased(conn, customer).await? {
            if source == Source::Local {
                return Err(StoreError::CustomerErased);
            }
            if let Change::CustomerCreated(k) = c {
                // Created elsewhere, erased before it reached us: the
                // tombstone, for the dossiers and orders that follow.
                crate::erase::write_tombstone(conn, customer, k.customer.created_at).await?;
            }
            continue;
        }
        if let (Source::Local, Change::CustomerCreated(k)) = (source, c) {
            if load_record(conn, k.customer.id).await?.is_some() {
                return Err(StoreError::CustomerInvalid {
                    why: "ce client existe déjà",
                });
            }
        }
        insert_change(conn, c).await?;
        touched.insert(customer);
    }
    for id in touched {
        let written = project(conn, id).await?;
        if !written && source == Source::Local {
            return Err(StoreError::NotFound { what: "client" });
        }
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DuplicateRow {
    customer_id: CustomerId,
    title: Option<String>,
    first_name: String,
    last_name: String,
    city: String,
    postal_code: String,
}

/// The other customers who already have one of these phones or e-mails.
pub(crate) async fn duplicates(
    conn: &mut SqliteConnection,
    contacts: &[&ValidContact],
    except: Option<CustomerId>,
) -> Result<Vec<PossibleDuplicate>> {
    let mut out = Vec::new();
    for k in contacts {
        let rows: Vec<DuplicateRow> = sqlx::query_as(
            "SELECT DISTINCT c.id AS customer_id, c.title, c.first_name, c.last_name, c.city,
                    c.postal_code
             FROM customer_contacts k JOIN customers c ON c.id = k.customer_id
             WHERE k.value_norm = ? AND k.kind = ? AND c.id IS NOT ?
             ORDER BY c.last_name, c.first_name LIMIT 5",
        )
        .bind(&k.key)
        .bind(k.kind)
        .bind(except)
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows.into_iter().map(|r| PossibleDuplicate {
            field: k.field.clone(),
            kind: k.kind,
            value: k.value.clone(),
            customer_id: r.customer_id,
            display_name: display_name(r.title.as_deref(), &r.first_name, &r.last_name),
            city: r.city,
            postal_code: r.postal_code,
        }));
    }
    Ok(out)
}

pub(crate) fn check_actor(actor: &str) -> Result<String> {
    let actor = actor.trim();
    if actor.is_empty() {
        return Err(CoreError::MissingField { field: "actor" }.into());
    }
    check_short_text("actor", actor)?;
    Ok(actor.to_owned())
}

/// The card's short history, newest first.
pub(crate) async fn history(
    conn: &mut SqliteConnection,
    id: CustomerId,
    limit: i64,
) -> Result<Vec<CustomerChangeView>> {
    let rows: Vec<ChangeRow> = sqlx::query_as(
        "SELECT id, customer_id, field, hlc, device_id, at, actor, old_value, new_value
         FROM customer_changes WHERE customer_id = ? ORDER BY hlc DESC, id DESC LIMIT ?",
    )
    .bind(id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(match typed(r)? {
                Change::CustomerCreated(k) => CustomerChangeView {
                    id: k.id,
                    field: None,
                    summary: "Fiche client créée".to_owned(),
                    at: k.customer.created_at,
                    actor: k.actor,
                    before: None,
                    after: None,
                },
                Change::CustomerField(f) => CustomerChangeView {
                    id: f.id,
                    field: Some(f.field),
                    summary: f.field.edited_fr().to_owned(),
                    at: f.at,
                    actor: f.actor,
                    before: Some(value_fr(f.field, &f.old)),
                    after: Some(value_fr(f.field, &f.value)),
                },
                Change::DossierEvent(_) | Change::CustomerErased(_) => {
                    return Err(StoreError::StoredDataInvalid {
                        what: WHAT,
                        detail: "dossier event in customer history".to_owned(),
                    })
                }
            })
        })
        .collect()
}
