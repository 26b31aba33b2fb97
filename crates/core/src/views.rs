//! What the counter screens show. These are the read models the store
//! builds and the app sends to the UI; their TypeScript twins are generated
//! by ts-rs into `ui/src/bindings` (never written by hand).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::*;
use crate::model::*;
use crate::Cents;

/// A store, as shown next to an order or a dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoreRef {
    pub id: StoreId,
    pub code: String,
    pub name: String,
    pub city: String,
    /// IANA time zone (`Europe/Paris`): times are shown in it.
    pub timezone: String,
}

/// Which lookup found a hit, so the list can say why it is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchKind {
    Name,
    /// The name, once a typo is forgiven (« orthographe proche »).
    NameSpelling,
    /// The name, by its sound (« prononciation proche »).
    NameSound,
    Phone,
    Email,
    Order,
    Dossier,
    Serial,
}

/// The most recent purchase, to tell homonyms apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PurchaseSummary {
    pub ordered_at: DateTime<Utc>,
    pub channel: Channel,
    /// "Magasin de Lyon Part-Dieu", "Site web", "Amazon"…
    pub where_label: String,
}

/// One line of the result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub customer_id: CustomerId,
    pub display_name: String,
    pub city: String,
    pub postal_code: String,
    /// Primary phone, French display.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub last_purchase: Option<PurchaseSummary>,
    pub open_dossiers: u32,
    pub matched: MatchKind,
    /// What matched when it is not the name: "Commande WEB-1002345".
    pub matched_label: Option<String>,
}

/// An exact code (order, receipt, dossier) opens its card directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum DirectHit {
    Order {
        customer_id: CustomerId,
        order_id: OrderId,
        number: String,
    },
    Dossier {
        customer_id: CustomerId,
        dossier_id: DossierId,
        number: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    /// Set when the text is exactly one order, receipt or dossier number.
    pub direct: Option<DirectHit>,
    /// More customers matched than are listed: the clerk should add a word.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ContactView {
    pub id: ContactId,
    pub kind: ContactKind,
    /// As it should be read (phones in French national writing).
    pub value: String,
    pub label: Option<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Consents {
    pub email_marketing: bool,
    pub sms_marketing: bool,
    pub updated_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerView {
    pub id: CustomerId,
    /// "Mme", "M." or nothing.
    pub title: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub address_line1: String,
    pub address_line2: Option<String>,
    pub postal_code: String,
    pub city: String,
    pub country: String,
    pub contacts: Vec<ContactView>,
    pub consents: Consents,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ProductRef {
    pub id: ProductId,
    pub sku: String,
    pub name: String,
    pub brand: String,
    pub category: String,
    pub sold_as: SoldAs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderLineView {
    pub id: OrderLineId,
    pub line_no: u32,
    pub product: ProductRef,
    pub quantity: u32,
    pub unit_price: Cents,
    pub line_total: Cents,
    pub serial_numbers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderView {
    pub id: OrderId,
    pub number: String,
    pub channel: Channel,
    pub channel_label: String,
    /// The marketplace's name for marketplace orders.
    pub marketplace: Option<String>,
    /// The store of a store purchase, or the pick-up store of a web order.
    pub store: Option<StoreRef>,
    /// "Magasin de Lyon Part-Dieu", "Site web", "Amazon"…
    pub where_label: String,
    pub ordered_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub total: Cents,
    pub shipping: Cents,
    pub payment_method: String,
    pub lines: Vec<OrderLineView>,
    /// The parcels of an order delivered in several parts (empty: delivered
    /// in one go, on `delivered_at`), first delivered first.
    #[serde(default)]
    pub shipments: Vec<crate::fulfilment::ShipmentView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DossierEventView {
    pub id: DossierEventId,
    pub at: DateTime<Utc>,
    /// Who did it: a user's name, "Client (en ligne)", "Système".
    pub actor: String,
    pub kind: String,
    /// The event in words, for the timeline.
    pub summary: String,
    pub note: Option<String>,
    /// Set when the event was kept but not applied (two counters acted on
    /// the dossier while apart): why, in French.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub conflict: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DossierView {
    pub id: DossierId,
    pub number: String,
    pub status: DossierStatus,
    pub status_label: String,
    pub is_open: bool,
    pub origin: DossierOrigin,
    pub origin_label: String,
    pub store: Option<StoreRef>,
    pub reason_code: String,
    /// The reason in plain words.
    pub reason_label: String,
    pub customer_words: Option<String>,
    /// Product concerned (from the order line, or declared without a purchase record).
    pub product_name: Option<String>,
    pub order_number: Option<String>,
    pub order_line_id: Option<OrderLineId>,
    pub without_purchase_record: bool,
    pub opened_at: DateTime<Utc>,
    pub promised_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Oldest first: the dossier's story.
    pub events: Vec<DossierEventView>,
    /// Condition at intake, in words.
    pub condition_label: Option<String>,
    pub condition_note: Option<String>,
    pub accessories: Vec<String>,
    /// The serial number read on the product at the counter.
    pub serial_number: Option<String>,
    pub assignee: Option<String>,
    pub opened_by: Option<String>,
    /// "48 heures ouvrées".
    pub promise_label: Option<String>,
    /// Set when the legal conformity guarantee caps the deadline.
    pub legal_cap_at: Option<DateTime<Utc>>,
    /// On time / at risk / late, for open dossiers with a deadline.
    pub deadline_status: Option<crate::calendar::DeadlineStatus>,
    pub deadline_label: Option<String>,
    /// What the clerk may do next (the workflow's allowed actions).
    pub allowed_actions: Vec<ActionView>,
    pub resolution: Option<crate::dossier::Resolution>,
    pub follow_up_due: Option<DateTime<Utc>>,
    pub csat_score: Option<u8>,
    pub csat_comment: Option<String>,
    /// The latest decision taken under the return policy.
    pub decision: Option<crate::policy::DecisionRecord>,
    /// Whether a decision can still be taken or changed (until closure or
    /// cancellation, so after hand-back too).
    pub can_decide: bool,
    /// Whether the customer's satisfaction can be recorded (once, closed).
    pub can_record_satisfaction: bool,
    /// Whether the dossier can be given to a colleague.
    pub can_assign: bool,
}

/// A workflow action offered to the clerk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionView {
    pub action: crate::workflow::DossierAction,
    pub label: String,
}

/// One dossier with what its screen and its printed tickets need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DossierDetail {
    pub dossier: DossierView,
    pub customer: CustomerView,
    /// The order the dossier's line belongs to, when there is one.
    pub order: Option<OrderView>,
}

/// Everything the counter knows about one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerCard {
    pub customer: CustomerView,
    /// Newest first.
    pub orders: Vec<OrderView>,
    /// Open ones first, then newest first.
    pub dossiers: Vec<DossierView>,
    /// The latest corrections of the card (and its creation at a counter),
    /// newest first: « Téléphone modifié le … par … ».
    #[serde(default)]
    pub history: Vec<crate::customer::CustomerChangeView>,
    /// When the customer was erased at their request (RGPD): the card
    /// then holds no identity, and there is nothing left to export or erase.
    #[serde(default)]
    pub erased_at: Option<DateTime<Utc>>,
}

/// What the app shows in its header and uses for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    /// The store this counter belongs to.
    pub store: Option<StoreRef>,
    pub database_path: String,
    #[ts(type = "number")]
    pub customers: u64,
}

/// A change the central server refused (pushed from here), or that this
/// counter could not apply (received): kept, with the reason, until a
/// manager retries or drops it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RejectedChangeView {
    pub id: uuid::Uuid,
    /// `push` (refused by the server) or `pull` (not applicable here).
    pub direction: String,
    pub kind: String,
    pub entity_id: uuid::Uuid,
    pub code: String,
    /// Why, in French.
    pub reason: String,
    pub rejected_at: DateTime<Utc>,
}

/// What the sync is doing, as the top bar says it in a word and an icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SyncActivity {
    /// Not enrolled with a central server yet.
    NotEnrolled,
    /// A sync is running now.
    Syncing,
    /// The last sync succeeded.
    Online,
    /// The server could not be reached at the last attempt.
    Offline,
    /// The server refused the last attempt (see the error).
    Failing,
}

impl SyncActivity {
    /// The word of the top bar.
    pub fn label_fr(self) -> &'static str {
        match self {
            SyncActivity::NotEnrolled => "non relié",
            SyncActivity::Syncing => "synchronisation…",
            SyncActivity::Online => "en ligne",
            SyncActivity::Offline => "hors ligne",
            SyncActivity::Failing => "erreur de synchronisation",
        }
    }
}

/// The counter's link to the central server, as the top bar, the settings
/// screen and `comptoir-ctl sync status` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SyncStatus {
    /// False until the counter is enrolled (then every other field but the
    /// outbox is empty).
    pub enrolled: bool,
    /// From the last attempt (the app shows `syncing` while one runs).
    pub activity: SyncActivity,
    /// `activity` in words.
    pub activity_label: String,
    pub server_url: Option<String>,
    /// The device id the server gave this counter.
    pub device_id: Option<uuid::Uuid>,
    pub store_code: Option<String>,
    /// Where the next pull continues in the server's feed.
    pub cursor: String,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last attempt's failure (`offline`, `device_revoked`…); none
    /// after a success.
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    /// Local changes waiting to be pushed.
    #[ts(type = "number")]
    pub outbox: u64,
    /// Changes received from the server so far.
    #[ts(type = "number")]
    pub received: u64,
    /// When the first load (bootstrap) was received to its end; none
    /// while it is still to come or under way.
    pub bootstrapped_at: Option<DateTime<Utc>>,
    pub rejected: Vec<RejectedChangeView>,
}
