//! Deliveries per shipment and commercial warranties: writing them (checked
//! first, so bad input writes nothing), and reading them for the customer
//! card and for the counter's case (the line's own delivery, the order's
//! last one, the product's commercial warranty).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use comptoir_core::calendar::BusinessCalendar;
use comptoir_core::fulfilment::{
    check_shipments, check_warranty, LineWarrantyRecord, ProductWarrantyRecord, ShipmentRecord,
    ShipmentView,
};
use comptoir_core::ids::*;
use comptoir_core::policy::{CommercialWarranty, PurchaseFacts, WarrantyStart};
use comptoir_core::CoreError;
use sqlx::{Acquire, SqliteConnection};

use crate::{Result, Store};

/// The order of each of `lines`, and whether it is already in a shipment.
async fn lines_facts(
    conn: &mut SqliteConnection,
    lines: &[OrderLineId],
) -> Result<HashMap<OrderLineId, (OrderId, bool)>> {
    let mut out = HashMap::with_capacity(lines.len());
    let rows: Vec<(OrderLineId, OrderId, bool)> = sqlx::query_as(
        "SELECT l.id, l.order_id, EXISTS(SELECT 1 FROM shipment_lines s WHERE s.order_line_id = l.id)
           FROM order_lines l WHERE l.id IN (SELECT unhex(value) FROM json_each(?))",
    )
    .bind(crate::rows::id_list(lines.iter().map(|l| l.0)))
    .fetch_all(&mut *conn)
    .await?;
    for (l, o, shipped) in rows {
        out.insert(l, (o, shipped));
    }
    Ok(out)
}

/// Writes shipments after checking them all: each has a line, each line
/// belongs to the shipment's order and is in no other shipment (in the
/// batch or already stored). On a refusal nothing is written; the caller's
/// transaction holds the batch.
pub async fn insert_shipments(
    conn: &mut SqliteConnection,
    shipments: &[ShipmentRecord],
) -> Result<()> {
    if shipments.is_empty() {
        return Ok(());
    }
    let all: Vec<OrderLineId> = shipments.iter().flat_map(|s| s.lines.clone()).collect();
    let facts = lines_facts(conn, &all).await?;
    let already: HashSet<OrderLineId> = facts
        .iter()
        .filter(|(_, (_, shipped))| *shipped)
        .map(|(l, _)| *l)
        .collect();
    check_shipments(shipments, &already)?;
    for s in shipments {
        for l in &s.lines {
            if facts.get(l).map(|(o, _)| *o) != Some(s.order_id) {
                return Err(CoreError::ShipmentLineNotInOrder { line: *l }.into());
            }
        }
    }
    crate::rows::insert_rows(
        conn,
        "INSERT INTO shipments (id, order_id, delivered_at, carrier, tracking, shipped_at, delivery_estimated) ",
        shipments,
        |mut b, s| {
            b.push_bind(s.id)
                .push_bind(s.order_id)
                .push_bind(s.delivered_at)
                .push_bind(s.carrier.as_deref())
                .push_bind(s.tracking.as_deref())
                .push_bind(s.shipped_at)
                .push_bind(s.delivery_estimated);
        },
    )
    .await?;
    let pairs: Vec<(OrderLineId, ShipmentId)> = shipments
        .iter()
        .flat_map(|s| s.lines.iter().map(move |l| (*l, s.id)))
        .collect();
    crate::rows::insert_rows(
        conn,
        "INSERT INTO shipment_lines (order_line_id, shipment_id) ",
        &pairs,
        |mut b, (l, s)| {
            b.push_bind(*l).push_bind(*s);
        },
    )
    .await?;
    Ok(())
}

/// Records the commercial warranty of products of the catalogue (replacing
/// the one recorded before). Checked first: 1 to 120 months, a guarantor.
pub async fn insert_product_warranties(
    conn: &mut SqliteConnection,
    warranties: &[ProductWarrantyRecord],
) -> Result<()> {
    for w in warranties {
        check_warranty(&w.warranty)?;
    }
    crate::rows::insert_rows(
        conn,
        "INSERT OR REPLACE INTO product_warranties (product_id, months, starts, guarantor) ",
        warranties,
        |mut b, w| {
            b.push_bind(w.product_id)
                .push_bind(i64::from(w.warranty.months))
                .push_bind(w.warranty.starts.code())
                .push_bind(w.warranty.guarantor.as_str());
        },
    )
    .await
}

/// Records extended warranties sold with order lines. Checked first.
pub async fn insert_line_warranties(
    conn: &mut SqliteConnection,
    warranties: &[LineWarrantyRecord],
) -> Result<()> {
    for w in warranties {
        check_warranty(&w.warranty)?;
    }
    crate::rows::insert_rows(
        conn,
        "INSERT OR REPLACE INTO order_line_warranties (order_line_id, months, starts, guarantor) ",
        warranties,
        |mut b, w| {
            b.push_bind(w.order_line_id)
                .push_bind(i64::from(w.warranty.months))
                .push_bind(w.warranty.starts.code())
                .push_bind(w.warranty.guarantor.as_str());
        },
    )
    .await
}

impl Store {
    /// Records the shipments of orders, in one transaction: all or nothing.
    pub async fn record_shipments(&self, shipments: &[ShipmentRecord]) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        insert_shipments(&mut tx, shipments).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records (or replaces) a product's commercial warranty, checked first.
    pub async fn set_product_warranty(
        &self,
        product: ProductId,
        months: i64,
        starts: WarrantyStart,
        guarantor: &str,
    ) -> Result<()> {
        let warranty = CommercialWarranty::new(months, starts, guarantor)?;
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        insert_product_warranties(
            &mut tx,
            &[ProductWarrantyRecord {
                product_id: product,
                warranty,
            }],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// (shipment, order, delivered at, carrier, line number, shipped at, estimated)
type ShipmentRow = (
    ShipmentId,
    OrderId,
    DateTime<Utc>,
    Option<String>,
    i64,
    Option<DateTime<Utc>>,
    bool,
);

/// The shipments of a customer's orders, by order, first delivered first.
pub(crate) async fn shipments_of_customer(
    conn: &mut SqliteConnection,
    customer: CustomerId,
) -> Result<HashMap<OrderId, Vec<ShipmentView>>> {
    let rows: Vec<ShipmentRow> = sqlx::query_as(
        "SELECT s.id, s.order_id, s.delivered_at, s.carrier, l.line_no, s.shipped_at, s.delivery_estimated
         FROM orders o
         JOIN shipments s ON s.order_id = o.id
         JOIN shipment_lines sl ON sl.shipment_id = s.id
         JOIN order_lines l ON l.id = sl.order_line_id
         WHERE o.customer_id = ?
         ORDER BY s.delivered_at, s.id, l.line_no",
    )
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: HashMap<OrderId, Vec<ShipmentView>> = HashMap::new();
    for (id, order, delivered_at, carrier, line_no, shipped_at, delivery_estimated) in rows {
        let list = out.entry(order).or_default();
        let line_no = u32::try_from(line_no).unwrap_or(0);
        match list.last_mut() {
            Some(last) if last.id == id => last.line_nos.push(line_no),
            _ => list.push(ShipmentView {
                id,
                delivered_at,
                carrier,
                line_nos: vec![line_no],
                shipped_at,
                delivery_estimated,
            }),
        }
    }
    Ok(out)
}

/// Completes the purchase facts of a line from its shipment and warranties:
/// the line's own delivery, the order's last delivery (when the order came
/// in several parts), and the commercial warranty the case is ruled under
/// (`warranties`: the line's and the product's, as (months, starts,
/// guarantor), read with the line).
pub(crate) async fn complete_purchase(
    conn: &mut SqliteConnection,
    line: OrderLineId,
    calendar: &BusinessCalendar,
    asked_on: NaiveDate,
    warranties: &[(i64, String, String)],
    purchase: &mut PurchaseFacts,
) -> Result<()> {
    // (delivered_at, holds this line, estimated, the order's lines in no
    // shipment) for every shipment of the line's order: one query.
    let shipments: Vec<(DateTime<Utc>, bool, bool, i64)> = sqlx::query_as(
        "SELECT s.delivered_at,
                EXISTS(SELECT 1 FROM shipment_lines x WHERE x.shipment_id = s.id AND x.order_line_id = ?1),
                s.delivery_estimated,
                (SELECT count(*) FROM order_lines l
                 WHERE l.order_id = s.order_id
                   AND NOT EXISTS (SELECT 1 FROM shipment_lines x WHERE x.order_line_id = l.id))
         FROM shipments s
         WHERE s.order_id = (SELECT order_id FROM order_lines WHERE id = ?1)",
    )
    .bind(line)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(&(_, _, _, unshipped)) = shipments.first() {
        let with_order = purchase.delivered_on;
        // An estimated receipt (dispatch + transit) is never after today:
        // the customer is at the counter with the product.
        let received = |at: DateTime<Utc>, estimated: bool| {
            let day = calendar.local_date(at);
            if estimated {
                day.min(asked_on)
            } else {
                day
            }
        };
        if let Some((at, _, estimated, _)) = shipments.iter().find(|(_, mine, _, _)| *mine) {
            purchase.delivered_on = Some(received(*at, *estimated));
        }
        let last = shipments
            .iter()
            .map(|(at, _, estimated, _)| received(*at, *estimated))
            .max();
        purchase.order_last_delivered_on = match (unshipped > 0, with_order) {
            // Lines in no shipment came with the order (its delivered_at).
            (true, Some(_)) => last.max(with_order),
            // A distance order with lines not yet shipped: its last item is
            // not received, so the withdrawal period (L221-18) has not begun;
            // it runs from today at the earliest.
            (true, None) if purchase.channel.is_distance_sale() => Some(asked_on),
            _ => last,
        };
    }
    let warranties: Vec<CommercialWarranty> = warranties
        .iter()
        .filter_map(|(months, starts, guarantor)| {
            let starts = WarrantyStart::from_code(starts)?;
            CommercialWarranty::new(*months, starts, guarantor).ok()
        })
        .collect();
    let delivery = purchase.delivered_on.unwrap_or(purchase.purchased_on);
    purchase.commercial_warranty =
        CommercialWarranty::pick(warranties, purchase.purchased_on, delivery, asked_on);
    Ok(())
}

/// When the customer noticed the defect, as the dossier's opening recorded it.
pub(crate) async fn defect_noticed_on(
    conn: &mut SqliteConnection,
    dossier: DossierId,
) -> Result<Option<NaiveDate>> {
    let text: Option<Option<String>> = sqlx::query_scalar(
        "SELECT COALESCE(json_extract(body, '$.defect_noticed_on'), json_extract(data, '$.defect_noticed_on')) FROM dossier_events
         WHERE dossier_id = ? AND kind = 'opened' ORDER BY at LIMIT 1",
    )
    .bind(dossier)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(text
        .flatten()
        .and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
}

/// At intake: the date the customer noticed the defect is neither after
/// today (the request) nor before the line's delivery.
pub(crate) async fn check_defect_noticed(
    conn: &mut SqliteConnection,
    input: &comptoir_core::dossier::OpenDossierInput,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(noticed) = input.defect_noticed_on else {
        return Ok(());
    };
    let calendar = Store::local_calendar(conn).await?;
    let today = calendar.local_date(now);
    if noticed > today {
        return Err(CoreError::DefectNoticedAfterRequest {
            noticed,
            request: today,
        }
        .into());
    }
    let Some(line) = input.order_line_id else {
        return Ok(());
    };
    let delivered: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT COALESCE(
                (SELECT CASE WHEN s.delivery_estimated THEN s.shipped_at ELSE s.delivered_at END
                 FROM shipment_lines x JOIN shipments s ON s.id = x.shipment_id
                 WHERE x.order_line_id = l.id),
                o.delivered_at, o.ordered_at)
         FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.id = ?",
    )
    .bind(line)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(delivery) = delivered.map(|d| calendar.local_date(d)) {
        if noticed < delivery {
            return Err(CoreError::DefectNoticedBeforeDelivery { noticed, delivery }.into());
        }
    }
    Ok(())
}
