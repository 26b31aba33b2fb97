//! The one write path. Every change — a dossier event, a customer created
//! or edited — goes through [`write_local`] (validated, appended, the
//! projections updated from the fold, one outbox row per change, all in
//! the caller's transaction) or, when it comes from elsewhere, through
//! [`apply_received`] (the same, without the outbox; a change already here
//! is a no-op).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use comptoir_core::changes::ImportedOrder;
use comptoir_core::changes::{
    Change, ChangeEnvelope, CustomerCreated, CustomerErased, CustomerFieldChange, HeadOfficeRecord,
};
use comptoir_core::customer::FieldEdit;
use comptoir_core::dossier::MAX_TEXT_CHARS;
use comptoir_core::events::{fold, DossierEvent, DossierState, EventRecord};
use comptoir_core::fulfilment::ShipmentRecord;
use comptoir_core::ids::CustomerId;
use comptoir_core::ids::{DossierEventId, DossierId};
use comptoir_core::records::{CustomerRecord, OrderRecord};
use comptoir_core::CoreError;
use sqlx::SqliteConnection;

use crate::clock::Clock;
use crate::projection::DossierRow;
use crate::rows::id_list;
use crate::tx::Source;
use crate::{Result, StoreError};

/// Local changes made in one write transaction, stamped by this counter's
/// clock.
pub(crate) struct Batch {
    clock: Clock,
    store_code: String,
    changes: Vec<Change>,
}

impl Batch {
    /// Reads the clock and this counter's store (the transaction holds the
    /// write lock, so no other writer moves them meanwhile).
    pub async fn begin(conn: &mut SqliteConnection) -> Result<Batch> {
        let store_code: Option<String> =
            sqlx::query_scalar("SELECT value FROM settings WHERE key = 'store_code'")
                .fetch_optional(&mut *conn)
                .await?;
        Ok(Batch {
            clock: Clock::load(conn).await?,
            store_code: store_code.ok_or(StoreError::NoLocalStore)?,
            changes: Vec::new(),
        })
    }

    /// Adds an event on a dossier whose current state is `state`; its HLC
    /// comes after every event the dossier already has.
    pub fn event(
        &mut self,
        state: &DossierState,
        dossier_id: DossierId,
        now: DateTime<Utc>,
        actor: &str,
        note: Option<&str>,
        event: DossierEvent,
    ) -> EventRecord {
        self.clock.observe(state.last_hlc);
        let e = EventRecord {
            id: DossierEventId::new(),
            dossier_id,
            hlc: self.clock.tick(now),
            device_id: self.clock.device_id,
            at: now,
            actor: actor.trim().to_owned(),
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            event,
        };
        self.changes.push(Change::DossierEvent(e.clone()));
        e
    }

    /// Moves the clock past a timestamp already here (the record's last
    /// change), so what is added now comes after it.
    pub fn observe(&mut self, seen: comptoir_core::hlc::Hlc) {
        self.clock.observe(seen);
    }

    /// Adds a customer created at this counter.
    pub fn customer_created(&mut self, actor: &str, now: DateTime<Utc>, customer: CustomerRecord) {
        let hlc = self.clock.tick(now);
        self.changes
            .push(Change::CustomerCreated(Box::new(CustomerCreated {
                id: uuid::Uuid::now_v7(),
                hlc,
                device_id: self.clock.device_id,
                actor: actor.trim().to_owned(),
                customer,
            })));
    }

    /// Adds the edit of one field of a customer.
    pub fn customer_field(
        &mut self,
        customer_id: CustomerId,
        now: DateTime<Utc>,
        actor: &str,
        edit: FieldEdit,
    ) {
        let hlc = self.clock.tick(now);
        self.changes
            .push(Change::CustomerField(CustomerFieldChange {
                id: uuid::Uuid::now_v7(),
                customer_id,
                hlc,
                device_id: self.clock.device_id,
                at: now,
                actor: actor.trim().to_owned(),
                field: edit.field,
                old: edit.old,
                value: edit.new,
            }));
    }

    /// Adds the erasure of a customer (RGPD), by a manager.
    pub fn customer_erased(&mut self, customer_id: CustomerId, actor: &str, now: DateTime<Utc>) {
        let hlc = self.clock.tick(now);
        self.changes.push(Change::CustomerErased(CustomerErased {
            id: uuid::Uuid::now_v7(),
            customer_id,
            hlc,
            device_id: self.clock.device_id,
            at: now,
            actor: actor.trim().to_owned(),
        }));
    }

    /// Writes the batch through the one write path and saves the clock.
    pub async fn commit(self, conn: &mut SqliteConnection) -> Result<Vec<Change>> {
        Ok(self.commit_with_erasures(conn).await?.0)
    }

    /// [`Batch::commit`], with what each erasure of the batch removed.
    pub async fn commit_with_erasures(
        self,
        conn: &mut SqliteConnection,
    ) -> Result<(Vec<Change>, Vec<crate::erase::Scrubbed>)> {
        let done = write_local(conn, &self.store_code, &self.changes).await?;
        self.clock.save(conn).await?;
        Ok((self.changes, done))
    }
}

fn check_event(e: &EventRecord) -> Result<()> {
    if e.actor.trim().is_empty() {
        return Err(CoreError::MissingField { field: "actor" }.into());
    }
    if let Some(n) = &e.note {
        let len = n.chars().count();
        // Closing messages are rendered from templates and may be longer
        // than a typed note.
        let max = if matches!(e.event, DossierEvent::MessageSent) {
            MAX_TEXT_CHARS * 4
        } else {
            MAX_TEXT_CHARS
        };
        if len > max {
            return Err(CoreError::TextTooLong {
                field: "note",
                len,
                max,
            }
            .into());
        }
    }
    Ok(())
}

async fn insert_outbox(conn: &mut SqliteConnection, env: &ChangeEnvelope) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox (id, kind, entity_id, store_code, device_id, hlc, payload, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(env.id)
    .bind(&env.kind)
    .bind(env.entity_id)
    .bind(&env.store_code)
    .bind(env.device_id)
    .bind(&env.hlc)
    .bind(env.payload.to_string())
    .bind(Utc::now())
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends dossier events, dossier by dossier, and rewrites each dossier's
/// projection from the fold of all its events.
async fn append_events(
    conn: &mut SqliteConnection,
    events: &[&EventRecord],
    source: Source,
) -> Result<()> {
    let mut order: Vec<DossierId> = Vec::new();
    let mut by: HashMap<DossierId, Vec<&EventRecord>> = HashMap::new();
    for e in events {
        if !by.contains_key(&e.dossier_id) {
            order.push(e.dossier_id);
        }
        by.entry(e.dossier_id).or_default().push(e);
    }
    // The events already here of the page's dossiers (the others are
    // opened by this page): one query for the whole page.
    let mut stored = crate::projection::events_of_many(conn, &order).await?;
    // Events on an erased customer's dossiers (a note added after the
    // erasure, an event another counter made before it knew) arrive
    // redacted; a new dossier for an erased customer is refused here and
    // redacted when received.
    let erased: std::collections::HashSet<uuid::Uuid> = if crate::erase::any_erased(conn).await? {
        let mut set =
            crate::erase::erased_dossiers(conn, &id_list(order.iter().map(|d| d.0))).await?;
        for e in events {
            if let DossierEvent::Opened(o) = &e.event {
                if crate::erase::is_erased(conn, o.customer_id).await? {
                    if source == Source::Local {
                        return Err(StoreError::CustomerErased);
                    }
                    set.insert(e.dossier_id.0);
                }
            }
        }
        set
    } else {
        std::collections::HashSet::new()
    };
    // Each dossier's row folded here from its stored and new events, then
    // the rows and the events written a few statements for the whole page.
    let mut rows = Vec::with_capacity(order.len());
    let mut appended: Vec<EventRecord> = Vec::with_capacity(events.len());
    for id in order {
        let new: Vec<EventRecord> = by
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|e| {
                let mut e = e.clone();
                if erased.contains(&id.0) {
                    comptoir_core::erasure::redact_event(&mut e);
                }
                e
            })
            .collect();
        let mut all = stored.remove(&id).unwrap_or_default();
        if source == Source::Local {
            // A local change must be legal where it lands: it is refused,
            // with the reason, rather than kept as a conflict.
            let mut state = fold(&all);
            for e in &new {
                if state.intake.is_none() && !matches!(e.event, DossierEvent::Opened(_)) {
                    return Err(StoreError::NotFound { what: "dossier" });
                }
                if let Some(why) = state.refusal(&e.event) {
                    return Err(StoreError::EventNotAllowed { message: why });
                }
                state.apply(e);
            }
        }
        all.extend(new.iter().cloned());
        let state = fold(&all);
        rows.push(
            DossierRow::from_state(id, &state).ok_or(StoreError::NotFound { what: "dossier" })?,
        );
        appended.extend(new);
    }
    DossierRow::write_all(conn, &rows).await?;
    let timeline: Vec<(&EventRecord, &str)> =
        appended.iter().map(|e| (e, e.event.kind_code())).collect();
    crate::projection::insert_events(conn, &timeline, "").await
}

/// The write path for changes made here: validated, appended, projections
/// updated, one outbox row each — in the caller's transaction.
pub(crate) async fn write_local(
    conn: &mut SqliteConnection,
    store_code: &str,
    changes: &[Change],
) -> Result<Vec<crate::erase::Scrubbed>> {
    // A local event on an erased customer's dossier (a note after the
    // erasure) is kept and pushed redacted.
    let redacted;
    let changes = if crate::erase::any_erased(conn).await? {
        redacted = crate::erase::redact_changes(conn, changes).await?;
        &redacted[..]
    } else {
        changes
    };
    let mut events = Vec::new();
    let mut customers = Vec::new();
    let mut erasures = Vec::new();
    for c in changes {
        match c {
            Change::DossierEvent(e) => {
                check_event(e)?;
                events.push(e);
            }
            Change::CustomerCreated(_) | Change::CustomerField(_) => {
                crate::customers::check_change(c)?;
                customers.push(c);
            }
            Change::CustomerErased(x) => {
                crate::erase::check_change(x)?;
                erasures.push(x);
            }
        }
    }
    // Customers first: a dossier may be opened for a customer created in
    // the same batch. Erasures last: they win over everything else.
    crate::customers::apply_changes(conn, &customers, Source::Local).await?;
    append_events(conn, &events, Source::Local).await?;
    let mut done = Vec::new();
    for x in erasures {
        if let Some(d) = crate::erase::apply_erasure(conn, x).await? {
            done.push(d);
        }
    }
    for c in changes {
        insert_outbox(conn, &c.to_envelope(store_code)?).await?;
    }
    Ok(done)
}

/// Applies changes received from elsewhere, in the caller's transaction:
/// each is decoded (an unknown kind or a payload that does not decode is a
/// named error), its HLC absorbed by this counter's clock (one more than a
/// day ahead is refused), and appended unless already here. No outbox row.
/// Returns how many were new.
pub(crate) async fn apply_received(
    conn: &mut SqliteConnection,
    envelopes: &[ChangeEnvelope],
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut clock = Clock::load(conn).await?;
    let mut fresh = Vec::new();
    let mut records = Vec::new();
    for env in envelopes {
        if let Some(record) = HeadOfficeRecord::from_envelope(env)? {
            clock.receive(env.hlc.parse()?, now)?;
            records.push(record);
            continue;
        }
        let change = Change::from_envelope(env)?;
        clock.receive(change.hlc(), now)?;
        match &change {
            Change::DossierEvent(e) => check_event(e)?,
            Change::CustomerErased(x) => crate::erase::check_change(x)?,
            _ => crate::customers::check_change(&change)?,
        }
        fresh.push(change);
    }
    // Head office's records first: a dossier opened online may be about an
    // order imported in the same page.
    let mut applied = apply_head_office(conn, &records, now).await?;
    // The page's events already here, and whether aliases exist: one
    // query each for the whole page.
    let event_ids = id_list(fresh.iter().filter_map(|c| match c {
        Change::DossierEvent(e) => Some(e.id.0),
        _ => None,
    }));
    let here: std::collections::HashSet<uuid::Uuid> = sqlx::query_scalar(
        "SELECT id FROM dossier_events WHERE id IN (SELECT unhex(value) FROM json_each(?))",
    )
    .bind(&event_ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let aliases: bool = sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM record_aliases)")
        .fetch_one(&mut *conn)
        .await?;
    let mut events: Vec<EventRecord> = Vec::new();
    let mut customers = Vec::new();
    let mut erasures = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in &fresh {
        if !seen.insert(c.id()) {
            continue;
        }
        match c {
            Change::DossierEvent(e) => {
                if !here.contains(&e.id.0) {
                    let mut e = e.clone();
                    // A dossier opened online for a customer head office
                    // imported, who is here under this counter's own id.
                    if let DossierEvent::Opened(o) = &mut e.event {
                        if aliases {
                            o.customer_id = CustomerId(alias_of(conn, o.customer_id.0).await?);
                        }
                    }
                    events.push(e);
                    applied += 1;
                }
            }
            Change::CustomerCreated(_) | Change::CustomerField(_) => {
                if !crate::customers::is_here(conn, c.id()).await? {
                    customers.push(c);
                    applied += 1;
                }
            }
            Change::CustomerErased(x) => {
                let mut x = x.clone();
                if aliases {
                    x.customer_id = CustomerId(alias_of(conn, x.customer_id.0).await?);
                }
                erasures.push(x);
            }
        }
    }
    crate::customers::apply_changes(conn, &customers, Source::Received).await?;
    let events: Vec<&EventRecord> = events.iter().collect();
    append_events(conn, &events, Source::Received).await?;
    // Erasures last: an erasure wins over every edit and redacts the
    // events of the same page too. One already recorded is a no-op.
    for x in &erasures {
        if crate::erase::apply_erasure(conn, x).await?.is_some() {
            applied += 1;
        }
    }
    clock.save(conn).await?;
    Ok(applied)
}

/// Writes head office's records (upserts by id: the same record twice
/// changes nothing), consecutive records of one kind in one statement. A
/// record already here under another id — a customer with the same e-mail
/// (then phone), a product with the same SKU, an order with the same source
/// and number — becomes an alias of the local one (`record_aliases`), and
/// the orders that follow point at the local records. A customer's contacts
/// are replaced by the record's, and the edits made at counters are folded
/// on top again.
async fn apply_head_office(
    conn: &mut SqliteConnection,
    records: &[HeadOfficeRecord],
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut customers = Vec::new();
    let mut products = Vec::new();
    let mut orders: Vec<ImportedOrder> = Vec::new();
    let mut order_at: HashMap<uuid::Uuid, usize> = HashMap::new();
    // Twins and aliases exist only where the counter holds records head
    // office did not send (loaded before enrolment): looked up once a
    // page, so that a counter filled by bootstrap skips them all.
    let local = LocalRecords::of(conn).await?;
    let mut aliased = local.aliases;
    for r in records {
        match r {
            HeadOfficeRecord::Customer(c) => {
                let twin = if local.customers {
                    local_twin_customer(conn, c).await?
                } else {
                    None
                };
                match twin {
                    Some(twin) => {
                        add_alias(conn, c.id.0, "customer", twin).await?;
                        aliased = true;
                    }
                    None => customers.push((**c).clone()),
                }
            }
            HeadOfficeRecord::Product(p) => {
                let local: Option<uuid::Uuid> =
                    sqlx::query_scalar("SELECT id FROM products WHERE sku = ? AND id <> ?")
                        .bind(&p.sku)
                        .bind(p.id)
                        .fetch_optional(&mut *conn)
                        .await?;
                match local {
                    Some(local) => {
                        add_alias(conn, p.id.0, "product", local).await?;
                        aliased = true;
                    }
                    None => products.push(p.clone()),
                }
            }
            // The same order twice in a page (imported, then updated): the
            // later record is the order as it is now; its parcels replace
            // the earlier one's, they are not added to them.
            HeadOfficeRecord::Order(o) => {
                let o: &ImportedOrder = o;
                match order_at.get(&o.order.id.0) {
                    Some(&i) => orders[i] = o.clone(),
                    None => {
                        order_at.insert(o.order.id.0, orders.len());
                        orders.push(o.clone());
                    }
                }
            }
            HeadOfficeRecord::Policy(p) => {
                crate::policies::install_policy_in(conn, &p.text, now).await?;
            }
        }
    }
    let ids = id_list(customers.iter().map(|c| c.id.0));
    sqlx::query("DELETE FROM customer_contacts WHERE customer_id IN (SELECT unhex(value) FROM json_each(?))")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    crate::write::insert_customers(conn, &customers, true).await?;
    // Edits made or received here on top of head office's record are
    // folded in again (per field, last writer wins); a customer without
    // any (every one of a bootstrap) is already as head office sent it.
    let edited: std::collections::HashSet<uuid::Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT customer_id FROM customer_changes
          WHERE customer_id IN (SELECT unhex(value) FROM json_each(?))",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    for c in customers.iter().filter(|c| edited.contains(&c.id.0)) {
        crate::customers::project(conn, c.id).await?;
    }
    // A customer erased here that head office sends again (a record
    // imported before the erasure reached it) is written as the tombstone
    // again: an erasure wins.
    let erased: Vec<(CustomerId, DateTime<Utc>)> = sqlx::query_as(
        "SELECT customer_id, erased_at FROM customer_erasures
          WHERE customer_id IN (SELECT unhex(value) FROM json_each(?))",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for (id, at) in erased {
        crate::erase::scrub_identity(conn, id, at).await?;
    }
    crate::write::insert_products(conn, &products).await?;
    let mut local_orders = Vec::with_capacity(orders.len());
    for mut imported in orders {
        let o = &mut imported.order;
        if aliased {
            o.customer_id = CustomerId(alias_of(conn, o.customer_id.0).await?);
            for l in &mut o.lines {
                l.product_id = comptoir_core::ids::ProductId(alias_of(conn, l.product_id.0).await?);
            }
        }
        if !local.orders {
            local_orders.push(imported);
            continue;
        }
        let twin: Option<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM orders WHERE channel = ? AND IFNULL(marketplace, '') = IFNULL(?, '')
               AND number_norm = ? AND id <> ?",
        )
        .bind(o.channel)
        .bind(o.marketplace.as_deref())
        .bind(comptoir_core::normalize::normalize_code(&o.number))
        .bind(o.id)
        .fetch_optional(&mut *conn)
        .await?;
        match twin {
            Some(local) => add_alias(conn, o.id.0, "order", local).await?,
            None => local_orders.push(imported),
        }
    }
    let shipments: Vec<ShipmentRecord> = local_orders
        .iter()
        .flat_map(|o| o.shipments.iter().cloned())
        .collect();
    let local_orders: Vec<OrderRecord> = local_orders.into_iter().map(|o| o.order).collect();
    crate::write::insert_orders(conn, &local_orders, true).await?;
    let ids = id_list(local_orders.iter().map(|o| o.id.0));
    // An order imported again carries its parcels as they are now: they
    // replace the ones it had (the same record twice writes the same rows).
    sqlx::query("DELETE FROM shipments WHERE order_id IN (SELECT unhex(value) FROM json_each(?))")
        .bind(&ids)
        .execute(&mut *conn)
        .await?;
    crate::shipments::insert_shipments(conn, &shipments).await?;
    Ok(records.len())
}

/// Whether this counter holds records head office did not send it (a
/// demo loaded before enrolment), and aliases to them.
struct LocalRecords {
    customers: bool,
    orders: bool,
    aliases: bool,
}

impl LocalRecords {
    async fn of(conn: &mut SqliteConnection) -> Result<LocalRecords> {
        // One step each in the partial indexes of migration 18.
        let (customers, orders, aliases): (bool, bool, bool) = sqlx::query_as(
            "SELECT EXISTS(SELECT 1 FROM customers INDEXED BY customers_made_here
                            WHERE from_head_office = 0),
                    EXISTS(SELECT 1 FROM orders INDEXED BY orders_made_here
                            WHERE from_head_office = 0),
                    EXISTS(SELECT 1 FROM record_aliases)",
        )
        .fetch_one(&mut *conn)
        .await?;
        Ok(LocalRecords {
            customers,
            orders,
            aliases,
        })
    }
}

/// The local customer an imported one is, when it is not here by its id:
/// the one with the same e-mail, else the same phone.
async fn local_twin_customer(
    conn: &mut SqliteConnection,
    c: &CustomerRecord,
) -> Result<Option<uuid::Uuid>> {
    let here: bool = sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM customers WHERE id = ?)")
        .bind(c.id)
        .fetch_one(&mut *conn)
        .await?;
    if here {
        return Ok(None);
    }
    use comptoir_core::model::ContactKind;
    for kind in [ContactKind::Email, ContactKind::Phone] {
        for k in c.contacts.iter().filter(|k| k.kind == kind) {
            let key = crate::write::contact_key(k.kind, &k.value);
            if key.is_empty() {
                continue;
            }
            let twin: Option<uuid::Uuid> = sqlx::query_scalar(
                "SELECT k.customer_id FROM customer_contacts k
                   JOIN customers c ON c.id = k.customer_id AND c.from_head_office = 0
                  WHERE k.value_norm = ? AND k.kind = ?
                  ORDER BY k.customer_id LIMIT 1",
            )
            .bind(&key)
            .bind(k.kind)
            .fetch_optional(&mut *conn)
            .await?;
            if twin.is_some() {
                return Ok(twin);
            }
        }
    }
    Ok(None)
}

async fn add_alias(
    conn: &mut SqliteConnection,
    id: uuid::Uuid,
    kind: &str,
    local: uuid::Uuid,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO record_aliases (id, kind, local_id) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET local_id = excluded.local_id",
    )
    .bind(id)
    .bind(kind)
    .bind(local)
    .execute(conn)
    .await?;
    Ok(())
}

/// The local id of a record head office knows by `id`.
pub(crate) async fn alias_of(conn: &mut SqliteConnection, id: uuid::Uuid) -> Result<uuid::Uuid> {
    let local: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT local_id FROM record_aliases WHERE id = ?")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(local.unwrap_or(id))
}

impl crate::Store {
    /// Applies changes received from the central server in one write
    /// transaction (see [`apply_received`]); returns how many were new.
    pub async fn apply_received(
        &self,
        envelopes: &[ChangeEnvelope],
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let mut conn = self.pool.acquire().await?;
        let mut tx = crate::tx::begin_write(Some(&self.gate), &mut conn).await?;
        let n = apply_received(&mut tx, envelopes, now).await?;
        tx.commit().await?;
        Ok(n)
    }
}
