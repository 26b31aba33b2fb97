//! The customer card: identity, contacts, every order from every channel
//! (newest first, with lines and serial numbers) and every dossier with its
//! timeline. A handful of indexed queries, assembled in memory.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use comptoir_core::ids::*;
use comptoir_core::model::*;
use comptoir_core::normalize::display_phone;
use comptoir_core::records::{display_name, event_summary};
use comptoir_core::views::*;
use comptoir_core::Cents;

use comptoir_core::calendar::{deadline_status, BusinessCalendar, DeadlinePromise, DeadlineStatus};
use comptoir_core::dossier::{can_assign, can_record_satisfaction, ItemCondition, Resolution};
use comptoir_core::reasons::reason_label_fr;
use comptoir_core::workflow::allowed_actions;

use crate::customers::CustomerRow;
use crate::search::where_label;
use crate::{Result, Store, StoreError};

#[derive(sqlx::FromRow)]
pub(crate) struct StoreRow {
    id: StoreId,
    code: String,
    name: String,
    city: String,
    timezone: String,
}

impl From<StoreRow> for StoreRef {
    fn from(r: StoreRow) -> Self {
        StoreRef {
            id: r.id,
            code: r.code,
            name: r.name,
            city: r.city,
            timezone: r.timezone,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    id: ContactId,
    kind: ContactKind,
    value: String,
    value_norm: String,
    label: Option<String>,
    is_primary: bool,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: OrderId,
    number: String,
    channel: Channel,
    marketplace: Option<String>,
    ordered_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
    total_cents: Cents,
    shipping_cents: Cents,
    payment_method: String,
    store_id: Option<StoreId>,
    store_code: Option<String>,
    store_name: Option<String>,
    store_city: Option<String>,
    store_timezone: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: OrderLineId,
    order_id: OrderId,
    line_no: i64,
    quantity: i64,
    unit_price_cents: Cents,
    product_id: ProductId,
    sku: String,
    name: String,
    brand: String,
    category: String,
    sold_as: SoldAs,
}

#[derive(sqlx::FromRow)]
struct DossierRow {
    id: DossierId,
    number: String,
    status: DossierStatus,
    origin: DossierOrigin,
    reason_code: String,
    customer_words: Option<String>,
    order_line_id: Option<OrderLineId>,
    product_label: Option<String>,
    product_name: Option<String>,
    order_number: Option<String>,
    opened_at: DateTime<Utc>,
    promised_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    store_id: Option<StoreId>,
    store_code: Option<String>,
    store_name: Option<String>,
    store_city: Option<String>,
    store_timezone: Option<String>,
    condition: Option<String>,
    condition_note: Option<String>,
    accessories: String,
    serial_number: Option<String>,
    assignee: Option<String>,
    opened_by: Option<String>,
    promise: Option<String>,
    legal_cap_at: Option<DateTime<Utc>>,
    resolution: Option<String>,
    follow_up_due: Option<DateTime<Utc>>,
    csat_score: Option<i64>,
    csat_comment: Option<String>,
    decision: Option<String>,
    conflicts: Option<String>,
    reason_label: Option<String>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: DossierEventId,
    dossier_id: DossierId,
    at: DateTime<Utc>,
    actor: String,
    kind: String,
    status_after: Option<DossierStatus>,
    note: Option<String>,
}

fn store_ref(
    id: Option<StoreId>,
    code: Option<String>,
    name: Option<String>,
    city: Option<String>,
    timezone: Option<String>,
) -> Option<StoreRef> {
    Some(StoreRef {
        id: id?,
        code: code?,
        name: name?,
        city: city?,
        timezone: timezone?,
    })
}

impl Store {
    /// Everything the counter knows about one customer.
    pub async fn customer_card(&self, id: CustomerId) -> Result<CustomerCard> {
        self.customer_card_at(id, chrono::Utc::now()).await
    }

    /// One dossier with its customer and order (for its screen and tickets).
    pub async fn dossier_detail(&self, id: DossierId) -> Result<DossierDetail> {
        let customer_id = self.dossier_customer(id).await?;
        let card = self.customer_card(customer_id).await?;
        let dossier = card
            .dossiers
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(StoreError::NotFound { what: "dossier" })?;
        let order = dossier.order_line_id.and_then(|line| {
            card.orders
                .into_iter()
                .find(|o| o.lines.iter().any(|l| l.id == line))
        });
        Ok(DossierDetail {
            dossier,
            customer: card.customer,
            order,
        })
    }

    /// The card as of `now` (deadline statuses depend on it).
    pub async fn customer_card_at(
        &self,
        id: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<CustomerCard> {
        let mut conn = self.pool.acquire().await?;
        let c: CustomerRow = sqlx::query_as(
            "SELECT id, title, first_name, last_name, address_line1, address_line2, postal_code,
                    city, country, email_marketing, sms_marketing, consents_updated_at, created_at,
                    updated_at
             FROM customers WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound { what: "client" })?;

        let contacts: Vec<ContactRow> = sqlx::query_as(
            "SELECT id, kind, value, value_norm, label, is_primary FROM customer_contacts
             WHERE customer_id = ? ORDER BY kind DESC, is_primary DESC, value",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;

        let orders: Vec<OrderRow> = sqlx::query_as(
            "SELECT o.id, o.number, o.channel, o.marketplace, o.ordered_at, o.delivered_at,
                    o.total_cents, o.shipping_cents, o.payment_method,
                    s.id AS store_id, s.code AS store_code, s.name AS store_name,
                    s.city AS store_city, s.timezone AS store_timezone
             FROM orders o LEFT JOIN stores s ON s.id = o.store_id
             WHERE o.customer_id = ? ORDER BY o.ordered_at DESC",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;

        let lines: Vec<LineRow> = sqlx::query_as(
            "SELECT l.id, l.order_id, l.line_no, l.quantity, l.unit_price_cents,
                    p.id AS product_id, p.sku, p.name, p.brand, p.category, p.sold_as
             FROM orders o
             JOIN order_lines l ON l.order_id = o.id
             JOIN products p ON p.id = l.product_id
             WHERE o.customer_id = ? ORDER BY l.line_no",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;

        let serials: Vec<(OrderLineId, String)> = sqlx::query_as(
            "SELECT s.order_line_id, s.serial FROM orders o
             JOIN order_lines l ON l.order_id = o.id
             JOIN order_line_serials s ON s.order_line_id = l.id
             WHERE o.customer_id = ? ORDER BY s.serial",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;

        let dossiers: Vec<DossierRow> = sqlx::query_as(
            "SELECT d.id, d.number, d.status, d.origin, d.reason_code, d.customer_words,
                    d.order_line_id, d.product_label, p.name AS product_name, o.number AS order_number,
                    d.opened_at, d.promised_at, d.closed_at,
                    s.id AS store_id, s.code AS store_code, s.name AS store_name,
                    s.city AS store_city, s.timezone AS store_timezone,
                    d.condition, d.condition_note, d.accessories, d.serial_number, d.assignee,
                    d.opened_by, d.promise, d.legal_cap_at, d.resolution, d.follow_up_due,
                    d.csat_score, d.csat_comment, d.decision, d.conflicts, r.label AS reason_label
             FROM dossiers d
             LEFT JOIN reasons r ON r.code = d.reason_code
             LEFT JOIN order_lines l ON l.id = d.order_line_id
             LEFT JOIN orders o ON o.id = l.order_id
             LEFT JOIN products p ON p.id = COALESCE(d.product_id, l.product_id)
             LEFT JOIN stores s ON s.id = d.store_id
             WHERE d.customer_id = ? ORDER BY d.opened_at DESC",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;

        let events: Vec<EventRow> = sqlx::query_as(
            "SELECT e.id, e.dossier_id, e.at, e.actor, e.kind, e.status_after, e.note
             FROM dossiers d JOIN dossier_events e ON e.dossier_id = d.id
             WHERE d.customer_id = ? ORDER BY e.at, e.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;

        let local_store: Option<StoreId> = sqlx::query_scalar(
            "SELECT s.id FROM stores s JOIN settings k ON k.key = 'store_code' AND k.value = s.code",
        )
        .fetch_optional(&mut *conn)
        .await?;
        let calendar = Store::calendar_of(&mut conn, local_store).await?;
        let mut shipments = crate::shipments::shipments_of_customer(&mut conn, id).await?;
        let mut card = assemble(
            c, contacts, orders, lines, serials, dossiers, events, &calendar, now,
        )?;
        for o in &mut card.orders {
            o.shipments = shipments.remove(&o.id).unwrap_or_default();
        }
        card.history =
            crate::customers::history(&mut conn, id, crate::customers::HISTORY_LINES).await?;
        card.erased_at =
            sqlx::query_scalar("SELECT erased_at FROM customer_erasures WHERE customer_id = ?")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        Ok(card)
    }
}

struct Extras {
    condition_label: Option<String>,
    accessories: Vec<String>,
    promise_label: Option<String>,
    deadline_status: Option<DeadlineStatus>,
    deadline_label: Option<String>,
    allowed_actions: Vec<ActionView>,
    resolution: Option<Resolution>,
    decision: Option<comptoir_core::policy::DecisionRecord>,
    conflicts: Vec<comptoir_core::events::Conflict>,
}

fn dossier_extras(
    d: &DossierRow,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Result<Extras> {
    use crate::projection::decode;
    let status = d
        .promised_at
        .filter(|_| d.status.is_open())
        .map(|p| deadline_status(now, d.opened_at, p, calendar));
    Ok(Extras {
        condition_label: d
            .condition
            .as_deref()
            .map(|c| {
                c.parse::<ItemCondition>()
                    .map_err(|_| crate::StoreError::StoredDataInvalid {
                        what: "état du produit",
                        detail: c.to_owned(),
                    })
            })
            .transpose()?
            .map(|c| c.label_fr().to_owned()),
        accessories: decode("accessoires", &d.accessories)?,
        promise_label: d
            .promise
            .as_deref()
            .map(|p| decode::<DeadlinePromise>("promesse de délai", p))
            .transpose()?
            .map(DeadlinePromise::label_fr),
        deadline_status: status,
        deadline_label: status.map(|s| s.label_fr().to_owned()),
        allowed_actions: allowed_actions(d.status)
            .into_iter()
            .map(|a| ActionView {
                action: a,
                label: a.label_fr().to_owned(),
            })
            .collect(),
        resolution: d
            .resolution
            .as_deref()
            .map(|r| decode("résolution", r))
            .transpose()?,
        decision: d
            .decision
            .as_deref()
            .map(|j| decode("décision", j))
            .transpose()?,
        conflicts: d
            .conflicts
            .as_deref()
            .map(|j| decode("conflits", j))
            .transpose()?
            .unwrap_or_default(),
    })
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    c: CustomerRow,
    contacts: Vec<ContactRow>,
    orders: Vec<OrderRow>,
    lines: Vec<LineRow>,
    serials: Vec<(OrderLineId, String)>,
    dossiers: Vec<DossierRow>,
    events: Vec<EventRow>,
    calendar: &BusinessCalendar,
    now: DateTime<Utc>,
) -> Result<CustomerCard> {
    let mut serials_by_line: HashMap<OrderLineId, Vec<String>> = HashMap::new();
    for (line, serial) in serials {
        serials_by_line.entry(line).or_default().push(serial);
    }
    let mut lines_by_order: HashMap<OrderId, Vec<OrderLineView>> = HashMap::new();
    for l in lines {
        let unit_price = l.unit_price_cents;
        lines_by_order
            .entry(l.order_id)
            .or_default()
            .push(OrderLineView {
                id: l.id,
                line_no: l.line_no.try_into().unwrap_or(0),
                product: ProductRef {
                    id: l.product_id,
                    sku: l.sku,
                    name: l.name,
                    brand: l.brand,
                    category: l.category,
                    sold_as: l.sold_as,
                },
                quantity: l.quantity.try_into().unwrap_or(0),
                unit_price,
                line_total: Cents(unit_price.0.saturating_mul(l.quantity)),
                serial_numbers: serials_by_line.remove(&l.id).unwrap_or_default(),
            });
    }
    let mut events_by_dossier: HashMap<DossierId, Vec<DossierEventView>> = HashMap::new();
    for e in events {
        events_by_dossier
            .entry(e.dossier_id)
            .or_default()
            .push(DossierEventView {
                id: e.id,
                at: e.at,
                actor: e.actor,
                summary: event_summary(&e.kind, e.status_after),
                kind: e.kind,
                note: e.note,
                conflict: None,
            });
    }

    let orders = orders
        .into_iter()
        .map(|o| {
            let store = store_ref(
                o.store_id,
                o.store_code,
                o.store_name,
                o.store_city,
                o.store_timezone,
            );
            OrderView {
                where_label: where_label(
                    o.channel,
                    o.marketplace.as_deref(),
                    store.as_ref().map(|s| s.name.as_str()),
                ),
                channel_label: o.channel.label_fr().to_owned(),
                lines: lines_by_order.remove(&o.id).unwrap_or_default(),
                id: o.id,
                number: o.number,
                channel: o.channel,
                marketplace: o.marketplace,
                store,
                ordered_at: o.ordered_at,
                delivered_at: o.delivered_at,
                total: o.total_cents,
                shipping: o.shipping_cents,
                payment_method: o.payment_method,
                shipments: Vec::new(),
            }
        })
        .collect();

    let mut dossiers: Vec<DossierView> = dossiers
        .into_iter()
        .map(|d| {
            let x = dossier_extras(&d, calendar, now)?;
            let mut events = events_by_dossier.remove(&d.id).unwrap_or_default();
            for c in &x.conflicts {
                if let Some(e) = events.iter_mut().find(|e| e.id == c.event_id) {
                    e.conflict = Some(c.message_fr.clone());
                }
            }
            Ok(DossierView {
                status_label: d.status.label_fr().to_owned(),
                is_open: d.status.is_open(),
                origin_label: d.origin.label_fr().to_owned(),
                store: store_ref(
                    d.store_id,
                    d.store_code,
                    d.store_name,
                    d.store_city,
                    d.store_timezone,
                ),
                events,
                without_purchase_record: d.order_line_id.is_none(),
                product_name: d.product_name.or(d.product_label),
                id: d.id,
                number: d.number,
                status: d.status,
                origin: d.origin,
                reason_label: d
                    .reason_label
                    .unwrap_or_else(|| reason_label_fr(&d.reason_code)),
                reason_code: d.reason_code,
                customer_words: d.customer_words,
                order_number: d.order_number,
                order_line_id: d.order_line_id,
                opened_at: d.opened_at,
                promised_at: d.promised_at,
                closed_at: d.closed_at,
                condition_label: x.condition_label,
                condition_note: d.condition_note,
                accessories: x.accessories,
                serial_number: d.serial_number,
                assignee: d.assignee,
                opened_by: d.opened_by,
                promise_label: x.promise_label,
                legal_cap_at: d.legal_cap_at,
                deadline_status: x.deadline_status,
                deadline_label: x.deadline_label,
                allowed_actions: x.allowed_actions,
                resolution: x.resolution,
                follow_up_due: d.follow_up_due,
                csat_score: d.csat_score.and_then(|s| u8::try_from(s).ok()),
                csat_comment: d.csat_comment,
                decision: x.decision,
                can_decide: !comptoir_core::workflow::is_terminal(d.status),
                can_record_satisfaction: can_record_satisfaction(
                    d.status,
                    d.csat_score.and_then(|s| u8::try_from(s).ok()),
                ),
                can_assign: can_assign(d.status),
            })
        })
        .collect::<Result<_>>()?;
    // Open ones first; within each group the newest first (query order).
    dossiers.sort_by_key(|d| !d.is_open);

    let contacts = contacts
        .into_iter()
        .map(|k| ContactView {
            id: k.id,
            kind: k.kind,
            value: if k.kind == ContactKind::Phone {
                display_phone(&k.value_norm)
            } else {
                k.value
            },
            label: k.label,
            is_primary: k.is_primary,
        })
        .collect();

    Ok(CustomerCard {
        customer: CustomerView {
            display_name: display_name(c.title.as_deref(), &c.first_name, &c.last_name),
            id: c.id,
            title: c.title,
            first_name: c.first_name,
            last_name: c.last_name,
            address_line1: c.address_line1,
            address_line2: c.address_line2,
            postal_code: c.postal_code,
            city: c.city,
            country: c.country,
            contacts,
            consents: Consents {
                email_marketing: c.email_marketing,
                sms_marketing: c.sms_marketing,
                updated_at: c.consents_updated_at,
            },
            created_at: c.created_at,
        },
        orders,
        dossiers,
        history: Vec::new(),
        erased_at: None,
    })
}
