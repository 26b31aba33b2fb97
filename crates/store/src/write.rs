//! Bulk loads of records (demo data, later a new store's bootstrap). Every
//! function takes a connection, so the caller decides the transaction, and
//! writes multi-row upserts keyed by id: loading the same records twice
//! leaves one copy, updated. Dossiers are written as typed events and the
//! row projected from their fold, like every other dossier write.

use comptoir_core::model::ContactKind;
use comptoir_core::normalize::normalize_code;
use comptoir_core::records::*;
use sqlx::SqliteConnection;

pub(crate) use crate::rows::set_setting;
use crate::rows::upsert_rows;
use crate::{Result, StoreError};

/// `ON CONFLICT (id) DO UPDATE SET c = excluded.c, …` for these columns.
macro_rules! upsert_by_id {
    ($($col:literal),+) => {
        concat!(" ON CONFLICT (id) DO UPDATE SET ", upsert_by_id!(@set $($col),+))
    };
    (@set $first:literal $(, $col:literal)*) => {
        concat!($first, " = excluded.", $first $(, ", ", $col, " = excluded.", $col)*)
    };
}

pub async fn insert_stores(conn: &mut SqliteConnection, stores: &[StoreRecord]) -> Result<()> {
    upsert_rows(
        conn,
        "INSERT INTO stores (id, code, name, address, postal_code, city, phone, timezone) ",
        upsert_by_id!(
            "code",
            "name",
            "address",
            "postal_code",
            "city",
            "phone",
            "timezone"
        ),
        stores,
        |mut b, s| {
            b.push_bind(s.id)
                .push_bind(s.code.as_str())
                .push_bind(s.name.as_str())
                .push_bind(s.address.as_str())
                .push_bind(s.postal_code.as_str())
                .push_bind(s.city.as_str())
                .push_bind(s.phone.as_deref())
                .push_bind(s.timezone.as_str());
        },
    )
    .await
}

pub async fn insert_products(
    conn: &mut SqliteConnection,
    products: &[ProductRecord],
) -> Result<()> {
    upsert_rows(
        conn,
        "INSERT INTO products (id, sku, ean, name, brand, category, sold_as, price_cents) ",
        upsert_by_id!(
            "sku",
            "ean",
            "name",
            "brand",
            "category",
            "sold_as",
            "price_cents"
        ),
        products,
        |mut b, p| {
            b.push_bind(p.id)
                .push_bind(p.sku.as_str())
                .push_bind(p.ean.as_deref())
                .push_bind(p.name.as_str())
                .push_bind(p.brand.as_str())
                .push_bind(p.category.as_str())
                .push_bind(p.sold_as)
                .push_bind(p.price);
        },
    )
    .await
}

/// The normalised form of a contact, the key search looks it up by
/// (`comptoir_core::normalize::contact_key`).
pub fn contact_key(kind: ContactKind, value: &str) -> String {
    comptoir_core::normalize::contact_key(kind, value)
}

/// Inserts customers with their contacts and their full-text entries;
/// `from_head_office` marks records head office sent (a customer once
/// received from it stays marked).
pub async fn insert_customers(
    conn: &mut SqliteConnection,
    customers: &[CustomerRecord],
    from_head_office: bool,
) -> Result<()> {
    for c in customers {
        if c.first_name.trim().is_empty() && c.last_name.trim().is_empty() {
            return Err(StoreError::CustomerInvalid {
                why: "un client doit avoir un nom",
            });
        }
    }
    upsert_rows(
        conn,
        "INSERT INTO customers (id, title, first_name, last_name, address_line1, address_line2, \
         postal_code, city, country, email_marketing, sms_marketing, consents_updated_at, \
         created_at, updated_at, from_head_office) ",
        concat!(
            upsert_by_id!(
                "title",
                "first_name",
                "last_name",
                "address_line1",
                "address_line2",
                "postal_code",
                "city",
                "country",
                "email_marketing",
                "sms_marketing",
                "consents_updated_at",
                "created_at",
                "updated_at"
            ),
            ", from_head_office = max(from_head_office, excluded.from_head_office)"
        ),
        customers,
        |mut b, c| {
            b.push_bind(c.id)
                .push_bind(c.title.as_deref())
                .push_bind(c.first_name.as_str())
                .push_bind(c.last_name.as_str())
                .push_bind(c.address_line1.as_str())
                .push_bind(c.address_line2.as_deref())
                .push_bind(c.postal_code.as_str())
                .push_bind(c.city.as_str())
                .push_bind(c.country.as_str())
                .push_bind(c.email_marketing)
                .push_bind(c.sms_marketing)
                .push_bind(c.consents_updated_at)
                .push_bind(c.created_at)
                .push_bind(c.updated_at)
                .push_bind(from_head_office);
        },
    )
    .await?;

    crate::search::index_customers(conn, customers, crate::search::IndexWrite::Replace).await?;

    let contacts: Vec<(&CustomerRecord, &ContactRecord, String)> = customers
        .iter()
        .flat_map(|c| {
            c.contacts
                .iter()
                .map(move |k| (c, k, contact_key(k.kind, &k.value)))
        })
        .collect();
    upsert_rows(
        conn,
        "INSERT INTO customer_contacts (id, customer_id, kind, value, value_norm, label, is_primary) ",
        upsert_by_id!("customer_id", "kind", "value", "value_norm", "label", "is_primary"),
        &contacts,
        |mut b, (c, k, key)| {
            b.push_bind(k.id)
                .push_bind(c.id)
                .push_bind(k.kind)
                .push_bind(k.value.as_str())
                .push_bind(key.as_str())
                .push_bind(k.label.as_deref())
                .push_bind(k.is_primary);
        },
    )
    .await
}

fn validate_order(o: &OrderRecord) -> Result<()> {
    use comptoir_core::model::Channel;
    let fail = |why: &'static str| {
        Err(StoreError::OrderInvalid {
            number: o.number.clone(),
            why,
        })
    };
    if normalize_code(&o.number).is_empty() {
        return fail("numéro vide");
    }
    match (o.channel, &o.marketplace, o.store_id) {
        (Channel::Marketplace, None, _) => return fail("nom de la marketplace manquant"),
        (Channel::Store | Channel::Web, Some(_), _) => {
            return fail("seule une commande marketplace porte un nom de marketplace")
        }
        (Channel::Store, _, None) => return fail("magasin d'achat manquant"),
        _ => {}
    }
    if o.total.0 < 0 || o.shipping.0 < 0 {
        return fail("montant négatif");
    }
    // Amounts bounded where they enter; a line total is checked arithmetic.
    use comptoir_core::bounds::{check_amount, check_instant};
    check_amount("total", o.total)?;
    check_amount("shipping", o.shipping)?;
    check_instant("ordered_at", o.ordered_at)?;
    for l in &o.lines {
        check_amount("unit_price", l.unit_price)?;
        let line_total = l.unit_price.checked_mul(i64::from(l.quantity));
        check_amount(
            "line_total",
            line_total.unwrap_or(comptoir_core::Cents(i64::MAX)),
        )?;
    }
    if o.lines
        .iter()
        .any(|l| l.quantity == 0 || l.unit_price.0 < 0)
    {
        return fail("ligne avec une quantité nulle ou un prix négatif");
    }
    if let Some(d) = o.delivered_at {
        if d < o.ordered_at {
            return fail("livrée avant d'être commandée");
        }
    }
    Ok(())
}

/// Inserts orders from any channel with their lines and serial numbers;
/// `from_head_office` as for [`insert_customers`].
pub async fn insert_orders(
    conn: &mut SqliteConnection,
    orders: &[OrderRecord],
    from_head_office: bool,
) -> Result<()> {
    for o in orders {
        validate_order(o)?;
    }
    let numbers: Vec<(&OrderRecord, String)> = orders
        .iter()
        .map(|o| (o, normalize_code(&o.number)))
        .collect();
    upsert_rows(
        conn,
        "INSERT INTO orders (id, number, number_norm, channel, marketplace, store_id, customer_id, \
         ordered_at, delivered_at, total_cents, shipping_cents, payment_method, from_head_office) ",
        concat!(
            upsert_by_id!(
                "number", "number_norm", "channel", "marketplace", "store_id", "customer_id",
                "ordered_at", "delivered_at", "total_cents", "shipping_cents", "payment_method"
            ),
            ", from_head_office = max(from_head_office, excluded.from_head_office)"
        ),
        &numbers,
        |mut b, (o, norm)| {
            b.push_bind(o.id)
                .push_bind(o.number.as_str())
                .push_bind(norm.as_str())
                .push_bind(o.channel)
                .push_bind(o.marketplace.as_deref())
                .push_bind(o.store_id)
                .push_bind(o.customer_id)
                .push_bind(o.ordered_at)
                .push_bind(o.delivered_at)
                .push_bind(o.total)
                .push_bind(o.shipping)
                .push_bind(o.payment_method.as_str())
                .push_bind(from_head_office);
        },
    )
    .await?;

    let lines: Vec<(&OrderRecord, &OrderLineRecord)> = orders
        .iter()
        .flat_map(|o| o.lines.iter().map(move |l| (o, l)))
        .collect();
    upsert_rows(
        conn,
        "INSERT INTO order_lines (id, order_id, line_no, product_id, quantity, unit_price_cents) ",
        upsert_by_id!(
            "order_id",
            "line_no",
            "product_id",
            "quantity",
            "unit_price_cents"
        ),
        &lines,
        |mut b, (o, l)| {
            b.push_bind(l.id)
                .push_bind(o.id)
                .push_bind(l.line_no)
                .push_bind(l.product_id)
                .push_bind(l.quantity)
                .push_bind(l.unit_price);
        },
    )
    .await?;

    let serials: Vec<(&OrderLineRecord, &str, String)> = lines
        .iter()
        .flat_map(|(_, l)| {
            l.serial_numbers
                .iter()
                .map(move |s| (*l, s.as_str(), normalize_code(s)))
        })
        .collect();
    upsert_rows(
        conn,
        "INSERT INTO order_line_serials (order_line_id, serial, serial_norm) ",
        " ON CONFLICT (order_line_id, serial) DO NOTHING",
        &serials,
        |mut b, (l, s, norm)| {
            b.push_bind(l.id).push_bind(*s).push_bind(norm.as_str());
        },
    )
    .await
}

/// Loads dossiers with their timelines: the events become typed events
/// (the same conversion as an old database's), the row is the projection of
/// their fold. Upserts: loading the same dossiers again changes nothing.
pub async fn insert_dossiers(
    conn: &mut SqliteConnection,
    dossiers: &[DossierRecord],
) -> Result<()> {
    use crate::projection::DossierRow;
    use comptoir_core::events::fold;
    let mut rows = Vec::with_capacity(dossiers.len());
    let mut events = Vec::new();
    // The timeline keeps the kind the source gave (`status_changed`…).
    let kinds: std::collections::HashMap<comptoir_core::ids::DossierEventId, &str> = dossiers
        .iter()
        .flat_map(|d| d.events.iter().map(|e| (e.id, e.kind.as_str())))
        .collect();
    for d in dossiers {
        let typed = dossier_timeline(d)?;
        let row = DossierRow::from_state(d.id, &fold(&typed)).ok_or_else(|| {
            StoreError::DossierRecordInvalid {
                number: d.number.clone(),
                why: "aucune ouverture",
            }
        })?;
        rows.push(row);
        events.extend(typed);
    }
    DossierRow::write_all(conn, &rows).await?;
    let timeline: Vec<(&comptoir_core::events::EventRecord, &str)> = events
        .iter()
        .map(|e| (e, kinds.get(&e.id).copied().unwrap_or(e.event.kind_code())))
        .collect();
    crate::projection::insert_events(conn, &timeline, " ON CONFLICT (id) DO NOTHING").await?;
    // The counter's clock moves past every loaded event.
    if let Some(max) = events.iter().map(|e| e.hlc).max() {
        let mut clock = crate::clock::Clock::load(conn).await?;
        clock.observe(max);
        clock.save(conn).await?;
    }
    Ok(())
}

/// A dossier record's timeline as typed events (what a counter stores and
/// the feed carries): the same conversion as an old database's. Refused
/// when the record has no product or no event.
pub fn dossier_timeline(d: &DossierRecord) -> Result<Vec<comptoir_core::events::EventRecord>> {
    use crate::projection::DossierRow;
    use crate::upgrade::{typed_timeline, LegacyEvent};
    if d.order_line_id.is_none() && d.product_id.is_none() && d.product_label.is_none() {
        return Err(StoreError::DossierRecordInvalid {
            number: d.number.clone(),
            why: "aucun produit (ligne de commande ou produit déclaré)",
        });
    }
    if d.events.is_empty() {
        return Err(StoreError::DossierRecordInvalid {
            number: d.number.clone(),
            why: "aucun événement",
        });
    }
    let seed = DossierRow {
        id: d.id,
        number: d.number.clone(),
        store_id: d.store_id,
        origin: d.origin,
        customer_id: d.customer_id,
        order_line_id: d.order_line_id,
        product_id: d.product_id,
        product_label: d.product_label.clone(),
        reason_code: d.reason_code.clone(),
        customer_words: d.customer_words.clone(),
        opened_at: d.opened_at,
        promised_at: d.promised_at,
        status: comptoir_core::model::DossierStatus::Opened,
        closed_at: None,
        condition: None,
        condition_note: None,
        accessories: Vec::new(),
        serial_number: None,
        assignee: None,
        opened_by: None,
        promise: None,
        legal_cap_at: None,
        resolution: None,
        follow_up_due: None,
        followed_up_at: None,
        csat_score: None,
        csat_comment: None,
        score_call_due: None,
        score_called_back_at: None,
        sealed: false,
        severity: comptoir_core::policy::Severity::Major,
        decision: None,
        gesture_cents: None,
        conflicts: Vec::new(),
        first_response_at: None,
        customer_waits: Vec::new(),
    };
    let legacy: Vec<LegacyEvent> = d
        .events
        .iter()
        .map(|e| LegacyEvent {
            id: e.id,
            at: e.at,
            actor: e.actor.clone(),
            kind: e.kind.clone(),
            status_after: e.status_after,
            note: e.note.clone(),
            data: None,
        })
        .collect();
    typed_timeline(&seed, &legacy)
}
