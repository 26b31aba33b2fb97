//! The demo's year at the counters: dossiers with full typed timelines
//! (what the counter's own write path records — opening with its promise
//! and committed deadline on the store's calendar, workflow actions,
//! decisions ruled by the real policy engine with their basis, managers'
//! approvals, goodwill gestures, closures with their message and follow-up
//! date, satisfaction scores, follow-up calls) over the twelve months
//! before the demo's date, so that the manager's dashboard tells a story
//! on first run:
//!
//! - a backlog at the counter's store: dossiers still open, some past
//!   their committed deadline, some close to it;
//! - causes that recur on two products (one coffee machine that stops
//!   powering on, one Bluetooth headset whose battery fails);
//! - one repeat customer with three dossiers in the last 30 days;
//! - gestures of several sizes, some above a clerk's authority (approved
//!   by a manager);
//! - satisfaction scores 1–5, a few low ones nobody has called back yet,
//!   follow-up calls done or due.
//!
//! It draws from its own seeded stream, so the rest of the generated data
//! is what it was without the story; only the numbering (dossiers and
//! receipts, shared with the generator so that no number is given twice)
//! moves.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, TimeDelta, Utc};
use comptoir_core::calendar::{
    committed_deadline, BusinessCalendar, CalendarConfig, DeadlinePromise, LegalCap, WaitInterval,
};
use comptoir_core::dossier::{Gesture, ItemCondition, Resolution};
use comptoir_core::events::{DossierEvent, EventRecord, Opened};
use comptoir_core::hlc::Hlc;
use comptoir_core::ids::*;
use comptoir_core::model::{Channel, DossierOrigin};
use comptoir_core::policy::{
    build_case, check_choice, conformity_guarantee, evaluate, history_windows, item_state, Basis,
    CommercialWarranty, CustomerHistory, DecisionChoice, DecisionRecord, Policy, PriorRemedies,
    PurchaseFacts, ReasonKind, Resolution as Remedy, Ruling, Severity,
};
use comptoir_core::records::{CustomerRecord, OrderLineRecord, OrderRecord};
use comptoir_core::workflow::DossierAction as A;
use comptoir_core::Cents;
use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::data::{CITIES, CLERKS, REASONS};

/// The logins of the counter's clerks (`showcase::DEMO_USERS`).
const LOCAL_CLERKS: &[&str] = &["julie.m", "karim.b"];
use crate::gen::{id_at, Batch, Catalog};
use crate::DemoConfig;

/// A dossier of the story: its store (the code its counter writes on the
/// changes) and its typed timeline, in order.
#[derive(Debug, Clone)]
pub struct TimelineDossier {
    pub store_code: String,
    pub events: Vec<EventRecord>,
}

/// The counter's store: about 11 dossiers a year per 100 customers of the
/// demo, at most this many.
const LOCAL_MAX: u64 = 1_200;
/// Each other store of the chain: this share of the counter's store.
const OTHER_SHARE: f64 = 0.2;
/// The coffee machine and the headset whose causes recur.
pub const RECURRENT_COFFEE: &str = "Machine à café à grain De'Longhi";
pub const RECURRENT_HEADSET: &str = "Casque Bluetooth JBL";

/// The calendar of a demo store (the counter's own `store_calendars`:
/// Alsace-Moselle's two extra holidays in Strasbourg and Metz, a lunch
/// break in Nice, the default elsewhere).
pub fn calendar_config(code: &str) -> CalendarConfig {
    match code {
        "STR1" | "MTZ1" => CalendarConfig {
            alsace_moselle: true,
            ..CalendarConfig::default()
        },
        "NCE1" => CalendarConfig::default_with_lunch_break(),
        _ => CalendarConfig::default(),
    }
}

/// The reasons' promises and policy kinds, as the counter's `reasons`
/// table ships them (migrations 0002 and 0003).
fn reason_meta(code: &str) -> (DeadlinePromise, bool, Option<ReasonKind>) {
    use DeadlinePromise::{WorkingDays as D, WorkingHours as H};
    match code {
        "defect.intermittent" => (D(5), true, Some(ReasonKind::Defect)),
        c if c.starts_with("defect.") => (H(48), true, Some(ReasonKind::Defect)),
        "delivery.damaged_by_carrier" => (H(24), true, Some(ReasonKind::DeliveryDamage)),
        "delivery.wrong_item" => (H(24), true, Some(ReasonKind::WrongItem)),
        "delivery.missing_part" => (H(48), true, Some(ReasonKind::WrongItem)),
        "usage.setup_help" => (H(8), false, None),
        "billing.double_charge" => (H(48), false, None),
        "withdrawal.changed_mind" => (H(24), false, Some(ReasonKind::ChangeOfMind)),
        _ => (H(48), false, None),
    }
}

/// Managers who approve (display name, login): the counter's demo managers
/// at the counter's store, others elsewhere.
const LOCAL_MANAGERS: &[(&str, &str)] = &[("Sophie Roux", "sophie.r"), ("Marc Petit", "marc.p")];
const OTHER_MANAGERS: &[(&str, &str)] = &[
    ("Claire Morel", "claire.m"),
    ("Olivier Garnier", "olivier.g"),
];

/// What a dossier of the story is made to be (the repeat customer's are
/// written this way; the others are drawn).
#[derive(Default, Clone, Copy)]
struct Spec {
    product: Option<usize>,
    reason: Option<&'static str>,
    opened_days_ago: Option<f64>,
    purchased_days_before: Option<i64>,
    prefer: Option<Remedy>,
    slow: Option<bool>,
    score: Option<u8>,
    gesture: Option<bool>,
    /// On the line of the customer's previous story dossier.
    same_line: bool,
}

pub(crate) struct Story {
    rng: ChaCha8Rng,
    as_of: DateTime<Utc>,
    policy: Policy,
    calendars: Vec<BusinessCalendar>,
    devices: Vec<Uuid>,
    warranties: HashMap<ProductId, CommercialWarranty>,
    reasons: WeightedIndex<u32>,
    /// Story dossiers per customer whose home is the store (expected).
    rate: Vec<f64>,
    /// What each store may still get.
    left: Vec<u64>,
    local: usize,
    repeat_pending: bool,
    coffee: usize,
    headset: usize,
}

impl Story {
    pub(crate) fn new(catalog: &Catalog, cfg: &DemoConfig) -> Option<Story> {
        let policy = Policy::default_policy().ok()?;
        let calendars = catalog
            .stores
            .iter()
            .map(|s| BusinessCalendar::new(calendar_config(&s.code)))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ 0x5A7E_57_0121);
        let born = DateTime::<Utc>::from_timestamp(1_600_000_000, 0).unwrap_or_default();
        let devices = catalog
            .stores
            .iter()
            .map(|_| id_at(&mut rng, born))
            .collect();
        let warranties = crate::fulfilment::catalogue_warranties(&catalog.products)
            .into_iter()
            .map(|w| (w.product_id, w.warranty))
            .collect();
        let reasons = WeightedIndex::new(REASONS.iter().map(|r| r.1).collect::<Vec<_>>()).ok()?;
        let local = catalog
            .stores
            .iter()
            .position(|s| s.code == cfg.local_store)
            .unwrap_or(0);
        // The share of generated customers whose home is each store: the
        // city's store, else one drawn at random (see `Generator::customer`).
        let n = catalog.stores.len();
        let total: u32 = CITIES.iter().map(|c| c.4).sum();
        let mut share = vec![0.0f64; n];
        for (city, _, _, _, w) in CITIES {
            match catalog.stores.iter().position(|s| s.city == *city) {
                Some(i) => share[i] += f64::from(*w),
                None => share
                    .iter_mut()
                    .for_each(|x| *x += f64::from(*w) / n as f64),
            }
        }
        let customers = cfg.customers as f64;
        let local_target = (cfg.customers * 11 / 100).min(LOCAL_MAX);
        let mut rate = Vec::with_capacity(n);
        let mut left = Vec::with_capacity(n);
        for (i, s) in share.iter().enumerate() {
            let target = if i == local {
                local_target
            } else {
                (local_target as f64 * OTHER_SHARE).round() as u64
            };
            let pool = (customers * s / f64::from(total)).max(1.0);
            rate.push(target as f64 / pool);
            left.push(target);
        }
        Some(Story {
            rng,
            as_of: cfg.as_of,
            policy,
            calendars,
            devices,
            warranties,
            reasons,
            rate,
            left,
            local,
            repeat_pending: true,
            coffee: catalog.product(RECURRENT_COFFEE),
            headset: catalog.product(RECURRENT_HEADSET),
        })
    }
}

/// A step of a timeline before it is stamped.
struct Step {
    at: DateTime<Utc>,
    actor: String,
    note: Option<String>,
    event: DossierEvent,
}

/// The generator's state the story shares (numbering, the catalogue).
pub(crate) struct Shared<'a> {
    pub catalog: &'a Catalog,
    pub receipt_seq: &'a mut HashMap<(usize, NaiveDate), u32>,
    pub dossier_seq: &'a mut HashMap<(String, i32), u32>,
    pub web_seq: &'a mut u64,
}

/// The line of a story dossier (kept for a second dossier on it).
#[derive(Clone, Copy)]
struct LineRef {
    line: OrderLineId,
    product: usize,
    delivered: DateTime<Utc>,
    ordered: DateTime<Utc>,
    channel: Channel,
    price: Cents,
    shipping: Cents,
}

impl Story {
    /// The story dossiers of one generated customer (none for most).
    pub(crate) fn customer(
        &mut self,
        sh: &mut Shared<'_>,
        c: &CustomerRecord,
        home: usize,
        b: &mut Batch,
        first_order: usize,
    ) {
        if self.left[home] == 0 {
            return;
        }
        let mut specs: Vec<Spec> = Vec::new();
        if home == self.local
            && self.repeat_pending
            && c.created_at < self.as_of - Duration::days(500)
        {
            // The repeat customer: four dossiers this year, three of them
            // in the last 30 days (a weak signal), two on the coffee machine.
            self.repeat_pending = false;
            specs.push(Spec {
                reason: Some("defect.noise"),
                opened_days_ago: Some(160.0),
                score: Some(4),
                ..Spec::default()
            });
            specs.push(Spec {
                product: Some(self.coffee),
                reason: Some("defect.no_power"),
                opened_days_ago: Some(27.0),
                purchased_days_before: Some(200),
                prefer: Some(Remedy::Repair),
                slow: Some(false),
                score: Some(2),
                gesture: Some(true),
                ..Spec::default()
            });
            specs.push(Spec {
                product: Some(self.coffee),
                reason: Some("defect.no_power"),
                opened_days_ago: Some(9.0),
                prefer: Some(Remedy::SendToManufacturer),
                slow: Some(true),
                same_line: true,
                ..Spec::default()
            });
            specs.push(Spec {
                product: Some(self.headset),
                reason: Some("defect.battery"),
                opened_days_ago: Some(2.5),
                purchased_days_before: Some(150),
                ..Spec::default()
            });
        } else {
            let rate = self.rate[home];
            let mut k = rate.floor() as u32;
            if self.rng.random_bool((rate - rate.floor()).clamp(0.0, 1.0)) {
                k += 1;
            }
            if k > 0 && self.rng.random_bool(0.04) {
                k += 1; // a customer who came back this year
            }
            specs.extend((0..k).map(|_| Spec::default()));
        }
        let mut opened: Vec<DateTime<Utc>> = Vec::new();
        let mut last_line: Option<LineRef> = None;
        for spec in specs {
            if self.left[home] == 0 {
                break;
            }
            if let Some(d) = self.dossier(sh, c, home, spec, b, first_order, &opened, last_line) {
                opened.push(d.0);
                last_line = Some(d.1);
                self.left[home] -= 1;
            }
        }
    }

    fn minutes(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.random_range(lo..=hi.max(lo))
    }

    /// `from` plus working minutes of the store.
    fn later(&self, store: usize, from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        self.calendars[store]
            .add_working_time(from, TimeDelta::minutes(minutes.max(1)))
            .unwrap_or(from + Duration::minutes(minutes))
    }

    /// An instant during the store's opening hours, `days_ago` days before
    /// the demo's date (the next opening day when that one is closed).
    fn opening_instant(&mut self, store: usize, days_ago: f64) -> Option<DateTime<Utc>> {
        let cal = &self.calendars[store];
        let mut date = cal.local_date(self.as_of - Duration::minutes((days_ago * 1440.0) as i64));
        for _ in 0..10 {
            let intervals = cal.opening_intervals(date);
            let open: i64 = intervals.iter().map(|(a, b)| (*b - *a).num_minutes()).sum();
            if open > 0 {
                let mut m = self.rng.random_range(0..open);
                for (a, b) in &intervals {
                    let len = (*b - *a).num_minutes();
                    if m < len {
                        let at = *a + Duration::minutes(m);
                        return (at < self.as_of - Duration::minutes(20)).then_some(at);
                    }
                    m -= len;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    #[allow(clippy::too_many_arguments)]
    fn dossier(
        &mut self,
        sh: &mut Shared<'_>,
        c: &CustomerRecord,
        store: usize,
        spec: Spec,
        b: &mut Batch,
        first_order: usize,
        earlier: &[DateTime<Utc>],
        last_line: Option<LineRef>,
    ) -> Option<(DateTime<Utc>, LineRef)> {
        let catalog = sh.catalog;
        let local = store == self.local;
        // What and why.
        let (product, reason) = match (spec.product, spec.reason) {
            (Some(p), Some(r)) => (p, r),
            (p, r) => {
                let roll = self.rng.random_range(0..100);
                if roll < 11 {
                    let r = match self.rng.random_range(0..10) {
                        0..8 => "defect.no_power",
                        8 => "defect.noise",
                        _ => "defect.leak",
                    };
                    (self.coffee, r)
                } else if roll < 19 {
                    let r = if self.rng.random_bool(0.85) {
                        "defect.battery"
                    } else {
                        "defect.intermittent"
                    };
                    (self.headset, r)
                } else {
                    let p = p.unwrap_or_else(|| self.rng.random_range(0..catalog.products.len()));
                    let r = r.unwrap_or_else(|| REASONS[self.reasons.sample(&mut self.rng)].0);
                    (p, r)
                }
            }
        };
        let (promise, conformity, kind) = reason_meta(reason);
        // When: at the counter's store a third of the year's dossiers in
        // the last 30 days (a seventh in the last 8), so that a backlog is
        // open now; elsewhere fewer.
        let days_ago = match spec.opened_days_ago {
            Some(d) => d,
            None => {
                let (week, month) = if local { (0.14, 0.18) } else { (0.06, 0.12) };
                let roll: f64 = self.rng.random_range(0.0..1.0);
                if roll < week {
                    self.rng.random_range(0.0..8.0)
                } else if roll < week + month {
                    self.rng.random_range(8.0..30.0)
                } else {
                    self.rng.random_range(30.0..365.0)
                }
            }
        };
        let opened_at = self.opening_instant(store, days_ago)?;
        // The purchase.
        let line = match (spec.same_line, last_line) {
            (true, Some(l)) => l,
            _ => {
                let channel = match reason {
                    r if r.starts_with("delivery.") => Channel::Web,
                    "withdrawal.changed_mind" if self.rng.random_bool(0.3) => Channel::Web,
                    "withdrawal.changed_mind" => Channel::Store,
                    _ if self.rng.random_bool(0.15) => Channel::Web,
                    _ => Channel::Store,
                };
                let days_before = match spec.purchased_days_before {
                    Some(d) => Duration::days(d),
                    None => match reason {
                        r if r.starts_with("delivery.") => {
                            Duration::hours(self.rng.random_range(4..96))
                        }
                        "withdrawal.changed_mind" => {
                            Duration::hours(self.rng.random_range(20..300))
                        }
                        _ if product == self.coffee || product == self.headset => {
                            Duration::days(self.rng.random_range(20..330))
                        }
                        _ => Duration::days(match self.rng.random_range(0..10) {
                            0..7 => self.rng.random_range(10..600),
                            7..9 => self.rng.random_range(600..730),
                            _ => self.rng.random_range(760..1_400),
                        }),
                    },
                };
                let delivered = opened_at - days_before;
                if delivered <= c.created_at {
                    return None;
                }
                self.order(sh, c, store, product, channel, delivered, b)
            }
        };
        let cal = &self.calendars[store].clone();
        let p = &catalog.products[line.product];
        // The counter's store: its signed-in users, by login, as the app
        // records them (the dashboard's clerk filter offers these). The
        // other stores: names of the older generator's staff, never the
        // ones the tests write with (« Julie M. »).
        let clerks: &[&str] = if local { LOCAL_CLERKS } else { &CLERKS[2..] };
        // (A draw kept from the first version of the year, so its stream,
        // and the story its test checks, stay as they were.)
        let clerk = if local && self.rng.random_bool(0.3) {
            *LOCAL_CLERKS
                .choose(&mut self.rng)
                .unwrap_or(&LOCAL_CLERKS[0])
        } else {
            *clerks.choose(&mut self.rng).unwrap_or(&clerks[0])
        };
        let technician = if local {
            LOCAL_CLERKS[1]
        } else {
            CLERKS[3 + store % 3]
        };
        let managers = if local {
            LOCAL_MANAGERS
        } else {
            OTHER_MANAGERS
        };
        let severity = match reason {
            "defect.noise" | "delivery.missing_part" => Severity::Minor,
            "defect.no_power" | "defect.leak" if p.category == "Gros électroménager" => {
                Severity::Critical
            }
            _ => Severity::Major,
        };
        let (condition, sealed) = match reason {
            "delivery.damaged_by_carrier" => (ItemCondition::Damaged, false),
            "withdrawal.changed_mind" => (ItemCondition::AsNew, self.rng.random_bool(0.5)),
            "delivery.missing_part" => (ItemCondition::Incomplete, false),
            _ => match self.rng.random_range(0..20) {
                0..14 => (ItemCondition::Good, false),
                14..19 => (ItemCondition::Worn, false),
                _ => (ItemCondition::Incomplete, false),
            },
        };
        let accessories: Vec<String> = accessories_of(&p.category)
            .iter()
            .filter(|_| self.rng.random_bool(0.5))
            .map(|a| (*a).to_owned())
            .collect();
        let delivered_day = cal.local_date(line.delivered);
        let under_glc = conformity
            && cal.local_date(opened_at)
                <= conformity_guarantee(delivered_day, &PriorRemedies::default()).end;
        let cap = under_glc.then_some(LegalCap::ConformityGuarantee);
        let deadline = committed_deadline(opened_at, promise, &[], cap, cal).ok()?;
        let year = chrono::Datelike::year(&cal.local_date(opened_at));
        let code = catalog.stores[store].code.clone();
        let seq = sh.dossier_seq.entry((code.clone(), year)).or_insert(100);
        *seq += 1;
        let number = format!("SAV-{code}-{year}-{:06}", *seq);
        let words = REASONS
            .iter()
            .find(|r| r.0 == reason)
            .and_then(|r| r.2.choose(&mut self.rng))
            .map(|w| (*w).to_owned());
        let assignee = (self.rng.random_bool(0.35)).then(|| technician.to_owned());
        let serial = b
            .orders
            .iter()
            .rev()
            .flat_map(|o| &o.lines)
            .find(|l| l.id == line.line)
            .and_then(|l| l.serial_numbers.first().cloned());
        let mut steps = vec![Step {
            at: opened_at,
            actor: clerk.to_owned(),
            note: None,
            event: DossierEvent::Opened(Box::new(Opened {
                number,
                store_id: Some(catalog.stores[store].id),
                origin: DossierOrigin::Store,
                customer_id: c.id,
                order_line_id: Some(line.line),
                product_id: Some(p.id),
                product_label: None,
                reason_code: reason.to_owned(),
                customer_words: words,
                condition: Some(condition),
                condition_note: (condition == ItemCondition::Worn)
                    .then(|| "Rayures d'usage sur le dessus.".to_owned()),
                accessories,
                serial_number: serial,
                assignee,
                opened_by: Some(clerk.to_owned()),
                promise: Some(promise),
                promised_at: Some(deadline.promised_at),
                legal_cap_at: deadline.legal_cap_at,
                sealed,
                severity,
                defect_noticed_on: None,
            })),
        }];

        // The policy's ruling, as the counter asks for it.
        let ruling = kind.and_then(|kind| {
            let (recent_from, spend_from) = history_windows(opened_at);
            let spend = Cents(
                b.orders[first_order.min(b.orders.len())..]
                    .iter()
                    .filter(|o| o.customer_id == c.id)
                    .filter(|o| o.ordered_at >= spend_from && o.ordered_at <= opened_at)
                    .map(|o| o.total.0)
                    .sum(),
            );
            let purchase = PurchaseFacts {
                channel: line.channel,
                purchased_on: cal.local_date(line.ordered),
                delivered_on: Some(delivered_day),
                order_last_delivered_on: None,
                commercial_warranty: self.warranties.get(&p.id).cloned(),
                catalog_category: p.category.clone(),
                sold_as: p.sold_as,
                price: line.price,
                delivery_paid: line.shipping,
            };
            let history = CustomerHistory {
                dossiers_last_30_days: earlier
                    .iter()
                    .filter(|t| **t >= recent_from && **t < opened_at)
                    .count() as u32,
                value_tier: self.policy.value_tier(spend),
            };
            let day = cal.local_date(opened_at);
            let case = build_case(
                &self.policy,
                &purchase,
                kind,
                item_state(condition, sealed),
                severity,
                history,
                PriorRemedies::default(),
                day,
                None,
            )
            .ok()?;
            evaluate(&self.policy, &case, day)
                .ok()
                .map(|d| Ruling::from(&d))
        });
        let slow = spec.slow.unwrap_or_else(|| self.rng.random_bool(0.2));
        let stretch = |m: i64| if slow { m * 3 } else { m };
        let manager = *managers.choose(&mut self.rng).unwrap_or(&managers[0]);

        // The decision: taken at intake for a delivery or a change of mind,
        // after the diagnosis for a defect.
        let at_intake = matches!(
            kind,
            Some(ReasonKind::DeliveryDamage | ReasonKind::WrongItem | ReasonKind::ChangeOfMind)
        );
        let mut at = opened_at;
        let cancelled = spec.score.is_none() && self.rng.random_bool(0.04);
        if !at_intake && !cancelled {
            at = {
                let m = stretch(self.minutes(30, 540));
                self.later(store, at, m)
            };
            steps.push(step(
                at,
                technician,
                Some(diagnosis(reason)),
                DossierEvent::Action {
                    action: A::Diagnose,
                },
            ));
        }
        if cancelled {
            at = {
                let m = self.minutes(60, 1_800);
                self.later(store, at, m)
            };
            steps.push(step(
                at,
                clerk,
                Some("Le client a retiré sa demande.".to_owned()),
                DossierEvent::Action { action: A::Cancel },
            ));
            return Some((opened_at, self.finish(store, &code, steps, &line, b)));
        }
        let mut decided: Option<DecisionRecord> = None;
        if let Some(ruling) = &ruling {
            at = if at_intake {
                at + Duration::minutes(4)
            } else {
                at + Duration::minutes(6)
            };
            if let Some((record, approval)) =
                self.decide(ruling, reason, line.product, spec, clerk, manager, at)
            {
                steps.push(step(
                    at,
                    clerk,
                    Some(record.timeline_fr()),
                    DossierEvent::Decision {
                        decision: Box::new(record.clone()),
                    },
                ));
                if let Some(why) = approval {
                    steps.push(step(
                        at,
                        manager.0,
                        Some(format!("Validé par {} (responsable) : {why}", manager.0)),
                        DossierEvent::Approval {
                            manager_id: None,
                            manager_login: Some(manager.1.to_owned()),
                        },
                    ));
                }
                decided = Some(record);
            }
        }
        let remedy = decided.as_ref().map(|d| d.resolution);
        // The work.
        let mut waits: Vec<WaitInterval> = Vec::new();
        let mut promised = deadline.promised_at;
        let quick = matches!(reason, "usage.setup_help" | "withdrawal.changed_mind");
        if !quick {
            match remedy {
                Some(Remedy::Repair | Remedy::SendToManufacturer) => {
                    let roll = self.rng.random_range(0..100);
                    let manufacturer = remedy == Some(Remedy::SendToManufacturer) || roll < 25;
                    if manufacturer {
                        at = self.later(store, at, 20);
                        steps.push(step(
                            at,
                            technician,
                            Some(format!("Envoyé à l'atelier {}.", p.brand)),
                            DossierEvent::Action {
                                action: A::WaitManufacturer,
                            },
                        ));
                        at = {
                            let m = stretch(self.minutes(900, 2_400));
                            self.later(store, at, m)
                        };
                    } else if roll < 80 {
                        at = self.later(store, at, 15);
                        steps.push(step(
                            at,
                            technician,
                            Some(format!("Pièce commandée : {}.", part_of(reason))),
                            DossierEvent::Action {
                                action: A::WaitPart,
                            },
                        ));
                        at = {
                            let m = stretch(self.minutes(300, 1_500));
                            self.later(store, at, m)
                        };
                    } else {
                        at = {
                            let m = stretch(self.minutes(120, 700));
                            self.later(store, at, m)
                        };
                    }
                    if self.rng.random_bool(0.1) {
                        // The customer must say yes to a quote, or bring the
                        // charger: the wait pauses the promise.
                        steps.push(step(
                            at,
                            technician,
                            Some("En attente de l'accord du client sur le devis.".to_owned()),
                            DossierEvent::Action {
                                action: A::WaitCustomer,
                            },
                        ));
                        let start = at;
                        at = {
                            let m = self.minutes(300, 2_400);
                            self.later(store, at, m)
                        };
                        waits.push(WaitInterval { start, end: at });
                        steps.push(step(
                            at,
                            clerk,
                            Some("Accord du client reçu par téléphone.".to_owned()),
                            DossierEvent::Action { action: A::Resume },
                        ));
                        if let Ok(d) = committed_deadline(opened_at, promise, &waits, cap, cal) {
                            promised = d.promised_at;
                            steps.push(step(
                                at,
                                clerk,
                                None,
                                DossierEvent::DeadlineRecomputed {
                                    promised_at: d.promised_at,
                                },
                            ));
                        }
                        at = {
                            let m = self.minutes(60, 600);
                            self.later(store, at, m)
                        };
                    }
                }
                _ => {
                    at = {
                        let m = stretch(self.minutes(45, 600));
                        self.later(store, at, m)
                    };
                }
            }
            let ready_note = match remedy {
                Some(Remedy::Repair | Remedy::SendToManufacturer) => {
                    "Réparation terminée, test OK."
                }
                Some(Remedy::Refusal) => "Produit à restituer en l'état.",
                None => "Traité.",
                _ => "Produit de remplacement prêt en réserve.",
            };
            steps.push(step(
                at,
                technician,
                Some(ready_note.to_owned()),
                DossierEvent::Action {
                    action: A::MarkReady,
                },
            ));
            if self.rng.random_bool(0.6) {
                steps.push(step(
                    at + Duration::minutes(3),
                    clerk,
                    Some(format!(
                        "SMS : votre dossier est prêt, vous pouvez passer au comptoir SAV de {}.",
                        catalog.stores[store].name
                    )),
                    DossierEvent::MessageSent,
                ));
            }
            at = {
                let m = stretch(self.minutes(30, 900));
                self.later(store, at, m)
            };
            steps.push(step(
                at,
                clerk,
                None,
                DossierEvent::Action {
                    action: A::HandBack,
                },
            ));
        } else {
            at = {
                let m = self.minutes(10, 90);
                self.later(store, at, m)
            };
        }
        // Closure: the resolution, the closing message, the follow-up.
        let closed_at = if !quick && self.rng.random_bool(0.15) {
            {
                let m = self.minutes(300, 1_500);
                self.later(store, at, m)
            }
        } else {
            at + Duration::minutes(2)
        };
        let gesture = decided
            .as_ref()
            .and_then(|d| d.gesture)
            .map(|amount| Gesture {
                description: format!("Bon d'achat de {}", euros(amount)),
                amount,
            });
        let (summary, template, cost) = closing(reason, remedy, &p.name);
        let resolution = Resolution {
            summary: summary.clone(),
            parts: match remedy {
                Some(Remedy::Repair) => vec![part_of(reason).to_owned()],
                _ => Vec::new(),
            },
            cost: Cents(cost),
            gesture,
            template: template.to_owned(),
        };
        let follow_up_due = closed_at + Duration::days(3);
        steps.push(step(
            closed_at,
            clerk,
            Some(summary.clone()),
            DossierEvent::Resolution {
                resolution: Box::new(resolution),
                follow_up_due: Some(follow_up_due),
            },
        ));
        steps.push(step(
            closed_at,
            clerk,
            Some(closing_message(
                c,
                &p.name,
                &catalog.stores[store].name,
                &summary,
                template,
            )),
            DossierEvent::MessageSent,
        ));
        steps.push(step(
            closed_at,
            clerk,
            None,
            DossierEvent::Action { action: A::Close },
        ));
        // After the follow-up call is due: a score, a call without one, or
        // nothing yet (due).
        let done_late = at > promised;
        let call_at = follow_up_due + Duration::hours(self.rng.random_range(0..40));
        let roll = self.rng.random_range(0..100);
        if spec.score.is_some() || roll < 62 {
            let score = spec
                .score
                .unwrap_or_else(|| self.score(done_late, line.product));
            let comment = comment_for(score, &mut self.rng);
            steps.push(step(
                call_at,
                clerk,
                Some(format!(
                    "Satisfaction : {score}/5{}",
                    comment.map(|c| format!(" — {c}")).unwrap_or_default()
                )),
                DossierEvent::Satisfaction {
                    score,
                    comment: comment.map(str::to_owned),
                },
            ));
            // Older low scores were called back (a note on the timeline);
            // the last weeks' ones not yet.
            if score <= 2 && spec.score.is_none() && days_ago > 45.0 && self.rng.random_bool(0.6) {
                steps.push(step(
                    call_at + Duration::days(2),
                    manager.0,
                    Some("Rappel après la note de satisfaction : excuses présentées, client rassuré.".to_owned()),
                    DossierEvent::Note,
                ));
            }
        } else if roll < 80 {
            let outcome = if self.rng.random_bool(0.7) {
                "Client joint : tout fonctionne."
            } else {
                "Pas de réponse, message laissé."
            };
            steps.push(step(
                call_at,
                clerk,
                Some(outcome.to_owned()),
                DossierEvent::FollowUpDone {
                    outcome: outcome.to_owned(),
                },
            ));
        }
        Some((opened_at, self.finish(store, &code, steps, &line, b)))
    }

    /// The decision the clerk takes on the ruling, and why a manager had to
    /// approve it (if one had to).
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &mut self,
        ruling: &Ruling,
        reason: &str,
        product: usize,
        spec: Spec,
        clerk: &str,
        manager: (&str, &str),
        at: DateTime<Utc>,
    ) -> Option<(DecisionRecord, Option<String>)> {
        let allowed = |r: Remedy| ruling.option(r).is_some_and(|o| o.allowed);
        let mut wishes: Vec<Remedy> = match reason {
            r if r.starts_with("delivery.") => {
                vec![Remedy::Exchange, Remedy::Replacement, Remedy::Refund]
            }
            "withdrawal.changed_mind" => match self.rng.random_range(0..3) {
                0 => vec![Remedy::CreditNote, Remedy::Exchange, Remedy::Refund],
                1 => vec![Remedy::Exchange, Remedy::CreditNote, Remedy::Refund],
                _ => vec![Remedy::Refund, Remedy::CreditNote, Remedy::Exchange],
            },
            _ if product == self.coffee && self.rng.random_bool(0.4) => {
                vec![Remedy::Replacement, Remedy::Exchange, Remedy::Repair]
            }
            _ => match self.rng.random_range(0..20) {
                0..14 => vec![
                    Remedy::Repair,
                    Remedy::SendToManufacturer,
                    Remedy::Replacement,
                ],
                14..18 => vec![Remedy::Replacement, Remedy::Exchange, Remedy::Repair],
                _ => vec![Remedy::Exchange, Remedy::Refund, Remedy::Repair],
            },
        };
        // Now and then a gesture beyond any right, when the engine offers
        // one (basis goodwill).
        if self.rng.random_bool(0.15) {
            if let Some(o) = ruling
                .options
                .iter()
                .find(|o| o.allowed && o.basis == Basis::Goodwill)
            {
                wishes.insert(0, o.resolution);
            }
        }
        if let Some(p) = spec.prefer {
            wishes.insert(0, p);
        }
        wishes.extend([Remedy::Repair, Remedy::SendToManufacturer, Remedy::Refusal]);
        let resolution = wishes.into_iter().find(|r| allowed(*r))?;
        // A gesture on the scale: often small, sometimes the scale's most
        // (above a clerk's authority, a manager approves).
        let gesture = ruling.gesture.as_ref().and_then(|g| {
            let wanted = spec.gesture.unwrap_or_else(|| {
                let p = if product == self.coffee || product == self.headset {
                    0.55
                } else {
                    0.3
                };
                self.rng.random_bool(p)
            });
            if !wanted || g.amount.0 <= 0 {
                return None;
            }
            let sizes: Vec<i64> = [500, 1_000, 1_500, 2_000, 3_000, 5_000, 8_000]
                .into_iter()
                .filter(|s| *s <= g.amount.0)
                .collect();
            Some(Cents(if sizes.is_empty() || self.rng.random_bool(0.2) {
                g.amount.0
            } else {
                sizes[self.rng.random_range(0..sizes.len())]
            }))
        });
        let choice = |gesture| DecisionChoice {
            resolution,
            gesture,
            note: None,
        };
        let checked = match check_choice(ruling, &choice(gesture)) {
            Ok(c) => c,
            Err(_) => check_choice(ruling, &choice(None)).ok()?,
        };
        let approval = checked
            .needs_manager()
            .then(|| checked.approval_reasons.join(" "));
        let record = DecisionRecord::new(
            ruling,
            &checked,
            None,
            clerk,
            at,
            approval.as_ref().map(|_| manager.0.to_owned()),
        );
        Some((record, approval))
    }

    /// A score out of 5: most are good, fewer when the dossier was done
    /// late or the product is one that keeps coming back.
    fn score(&mut self, late: bool, product: usize) -> u8 {
        let weights: [u32; 5] = if late {
            [12, 14, 24, 30, 20]
        } else if product == self.coffee || product == self.headset {
            [8, 10, 22, 35, 25]
        } else {
            [3, 5, 12, 40, 40]
        };
        let w = WeightedIndex::new(weights).unwrap_or_else(|_| unreachable!());
        w.sample(&mut self.rng) as u8 + 1
    }

    /// The purchase a dossier is about: a receipt at the store, or a web
    /// order delivered at home.
    #[allow(clippy::too_many_arguments)]
    fn order(
        &mut self,
        sh: &mut Shared<'_>,
        c: &CustomerRecord,
        store: usize,
        product: usize,
        channel: Channel,
        delivered: DateTime<Utc>,
        b: &mut Batch,
    ) -> LineRef {
        let catalog = sh.catalog;
        let ordered = match channel {
            Channel::Store => delivered,
            _ => delivered - Duration::hours(self.rng.random_range(30..100)),
        };
        let date = ordered.date_naive();
        let number = match channel {
            Channel::Store => {
                let seq = sh.receipt_seq.entry((store, date)).or_insert(100);
                *seq += 1;
                format!(
                    "T{}-{}-{:04}",
                    catalog.stores[store].code,
                    date.format("%y%m%d"),
                    seq
                )
            }
            _ => {
                *sh.web_seq += 1;
                format!("W{}", sh.web_seq)
            }
        };
        let p = &catalog.products[product];
        let info = &catalog.info[product];
        let serial_numbers = if info.has_serial {
            vec![format!(
                "{}{}{:08}",
                info.serial_prefix,
                date.format("%y"),
                self.rng.random_range(0..100_000_000u32)
            )]
        } else {
            Vec::new()
        };
        let shipping = match channel {
            Channel::Store => Cents::ZERO,
            _ => Cents(*[0, 499, 990].choose(&mut self.rng).unwrap_or(&0)),
        };
        let line = OrderLineRecord {
            id: OrderLineId(id_at(&mut self.rng, ordered)),
            line_no: 1,
            product_id: p.id,
            quantity: 1,
            unit_price: p.price,
            serial_numbers,
        };
        let r = LineRef {
            line: line.id,
            product,
            delivered,
            ordered,
            channel,
            price: p.price,
            shipping,
        };
        b.orders.push(OrderRecord {
            id: OrderId(id_at(&mut self.rng, ordered)),
            number,
            channel,
            marketplace: None,
            store_id: (channel == Channel::Store).then(|| catalog.stores[store].id),
            customer_id: c.id,
            ordered_at: ordered,
            delivered_at: Some(delivered),
            total: p.price.checked_add(shipping).unwrap_or(Cents::MAX),
            shipping,
            payment_method: "Carte bancaire".to_owned(),
            lines: vec![line],
        });
        r
    }

    /// Stamps the steps (ids, HLCs in order, the store's former counter),
    /// keeps those before the demo's date, and files the dossier.
    fn finish(
        &mut self,
        store: usize,
        code: &str,
        steps: Vec<Step>,
        line: &LineRef,
        b: &mut Batch,
    ) -> LineRef {
        let first_at = steps.first().map_or(self.as_of, |s| s.at);
        let dossier_id = DossierId(id_at(&mut self.rng, first_at));
        let mut last = Hlc::ZERO;
        let mut events = Vec::with_capacity(steps.len());
        for s in steps {
            if s.at >= self.as_of {
                break;
            }
            let mut hlc = Hlc::at(s.at);
            if hlc <= last {
                hlc = Hlc {
                    physical_ms: last.physical_ms,
                    logical: last.logical + 1,
                };
            }
            last = hlc;
            events.push(EventRecord {
                id: DossierEventId(id_at(&mut self.rng, s.at)),
                dossier_id,
                hlc,
                device_id: self.devices[store],
                at: s.at,
                actor: s.actor,
                note: s.note,
                event: s.event,
            });
        }
        b.timelines.push(TimelineDossier {
            store_code: code.to_owned(),
            events,
        });
        *line
    }
}

fn step(at: DateTime<Utc>, actor: &str, note: Option<String>, event: DossierEvent) -> Step {
    Step {
        at,
        actor: actor.to_owned(),
        note,
        event,
    }
}

fn euros(c: Cents) -> String {
    let e = c.0 / 100;
    match c.0 % 100 {
        0 => format!("{e} €"),
        cents => format!("{e},{cents:02} €"),
    }
}

fn accessories_of(category: &str) -> &'static [&'static str] {
    match category {
        "Téléphonie" | "Informatique" => &["Chargeur", "Câble USB-C", "Boîte d'origine"],
        "TV et son" => &["Télécommande", "Câble d'alimentation", "Boîte d'origine"],
        "Petit électroménager" => &["Réservoir", "Câble d'alimentation", "Notice"],
        "Jeux vidéo" => &["Manette", "Câble HDMI"],
        _ => &["Notice"],
    }
}

fn diagnosis(reason: &str) -> String {
    match reason {
        "defect.no_power" => "Carte d'alimentation hors service.",
        "defect.battery" => "Batterie défaillante : capacité mesurée à 40 %.",
        "defect.noise" => "Roulement usé, bruit confirmé à l'essai.",
        "defect.leak" => "Joint fendu, fuite confirmée.",
        "defect.display" => "Dalle défectueuse.",
        "defect.intermittent" => "Faux contact sur le connecteur, panne reproduite.",
        "usage.setup_help" => "Paramétrage expliqué au client.",
        "billing.double_charge" => "Double débit confirmé sur le relevé.",
        _ => "Constat fait au comptoir.",
    }
    .to_owned()
}

fn part_of(reason: &str) -> &'static str {
    match reason {
        "defect.no_power" => "carte d'alimentation",
        "defect.battery" => "batterie",
        "defect.noise" => "roulement",
        "defect.leak" => "joint",
        "defect.display" => "dalle",
        _ => "connecteur",
    }
}

/// The resolution's summary, closing template and cost to the chain.
fn closing(reason: &str, remedy: Option<Remedy>, product: &str) -> (String, &'static str, i64) {
    match (reason, remedy) {
        ("usage.setup_help", _) => (
            "Réglages faits avec le client, mode d'emploi remis".to_owned(),
            "closing.advice",
            0,
        ),
        ("billing.double_charge", _) => (
            "Second débit remboursé sur la carte".to_owned(),
            "closing.refunded",
            0,
        ),
        (_, Some(Remedy::Repair)) => (
            format!("{} remplacé(e) sous garantie", capitalised(part_of(reason))),
            "closing.repaired",
            4_500,
        ),
        (_, Some(Remedy::SendToManufacturer)) => (
            "Réparé par l'atelier du fabricant".to_owned(),
            "closing.repaired",
            0,
        ),
        (_, Some(Remedy::Replacement | Remedy::Exchange)) => (
            format!("{product} échangé contre un neuf"),
            "closing.replaced",
            9_000,
        ),
        (_, Some(Remedy::Refund)) => ("Remboursement effectué".to_owned(), "closing.refunded", 0),
        (_, Some(Remedy::CreditNote)) => {
            ("Avoir remis au client".to_owned(), "closing.refunded", 0)
        }
        (_, Some(Remedy::Refusal)) => (
            "Hors garantie : devis refusé, produit restitué".to_owned(),
            "closing.advice",
            0,
        ),
        (_, None) => ("Traité au comptoir".to_owned(), "closing.advice", 0),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The closing message, as the counter renders its templates.
fn closing_message(
    c: &CustomerRecord,
    product: &str,
    store: &str,
    summary: &str,
    template: &str,
) -> String {
    let client = format!(
        "{} {} {}",
        c.title.as_deref().unwrap_or(""),
        c.first_name,
        c.last_name
    )
    .trim()
    .to_owned();
    let body = match template {
        "closing.repaired" => {
            format!("Merci pour votre confiance. Votre {product} a été réparé : {summary}.")
        }
        "closing.replaced" => {
            format!("Merci pour votre patience. Votre {product} a été remplacé : {summary}.")
        }
        "closing.refunded" => format!("Votre demande est close : {summary}."),
        _ => format!("Merci de votre visite. Pour votre {product} : {summary}."),
    };
    format!("Bonjour {client},\n\n{body}\nSi besoin, revenez au comptoir SAV de {store}.\n\nL'équipe SAV de {store}")
}

fn comment_for(score: u8, rng: &mut ChaCha8Rng) -> Option<&'static str> {
    let options: &[&str] = match score {
        1 => &[
            "Trois semaines sans nouvelles, j'ai dû relancer deux fois.",
            "Deuxième panne en un mois, je suis très déçu.",
        ],
        2 => &[
            "Délai bien plus long que promis.",
            "Réparé, mais personne ne m'a prévenu.",
        ],
        3 => &["Correct, sans plus.", ""],
        4 => &["Bon accueil au comptoir.", "", ""],
        _ => &["Parfait, merci à l'équipe !", "Très rapide.", ""],
    };
    options.choose(rng).copied().filter(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use comptoir_core::calendar::{deadline_status, DeadlineStatus};
    use comptoir_core::events::fold;

    fn year(customers: u64) -> (DemoConfig, Catalog, Vec<TimelineDossier>) {
        let mut cfg = DemoConfig::new(customers);
        cfg.as_of = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 2, 10, 0, 0).unwrap();
        let catalog = Catalog::new(cfg.seed);
        let mut g = crate::gen::Generator::new(Catalog::new(cfg.seed), &cfg);
        let mut out = Vec::new();
        let mut left = customers;
        while left > 0 {
            let n = left.min(crate::BATCH);
            out.extend(g.batch(n).timelines);
            left -= n;
        }
        (cfg, catalog, out)
    }

    #[test]
    fn the_counters_year_tells_the_story() {
        let (cfg, catalog, all) = year(2_000);
        let local: Vec<_> = all.iter().filter(|t| t.store_code == "LYO1").collect();
        assert!(
            (150..=320).contains(&local.len()),
            "hundreds at the counter's store: {}",
            local.len()
        );
        let others = all.len() - local.len();
        assert!(others > 200 && others < local.len() * 4, "{others}");
        let cal = BusinessCalendar::new(calendar_config("LYO1")).unwrap();
        let (mut open, mut late, mut at_risk) = (0, 0, 0);
        let mut products: HashMap<ProductId, usize> = HashMap::new();
        let mut by_customer: HashMap<CustomerId, usize> = HashMap::new();
        let mut gestures = std::collections::BTreeSet::new();
        let (mut approvals, mut scores, mut low_uncalled) = (0, [0; 5], 0);
        for t in &all {
            let s = fold(&t.events);
            assert!(s.conflicts.is_empty(), "{:?}", s.conflicts);
            assert!(t.events.iter().all(|e| e.at < cfg.as_of));
            assert!(t.events.windows(2).all(|w| w[0].hlc < w[1].hlc));
            let intake = s.intake.as_ref().unwrap();
            assert!(s.opened_at.unwrap() > cfg.as_of - Duration::days(366));
            if t.store_code != "LYO1" {
                continue;
            }
            if s.status.is_open() {
                open += 1;
                match deadline_status(
                    cfg.as_of,
                    s.opened_at.unwrap(),
                    s.promised_at.unwrap(),
                    &cal,
                ) {
                    DeadlineStatus::Late => late += 1,
                    DeadlineStatus::AtRisk => at_risk += 1,
                    _ => {}
                }
            }
            *products.entry(intake.product_id.unwrap()).or_default() += 1;
            if s.opened_at.unwrap() > cfg.as_of - Duration::days(30) {
                *by_customer.entry(intake.customer_id).or_default() += 1;
            }
            if let Some(g) = s.gesture() {
                gestures.insert(g.0);
            }
            if s.decision.as_ref().is_some_and(|d| d.approved_by.is_some()) {
                approvals += 1;
            }
            if let Some(score) = s.csat_score {
                scores[usize::from(score) - 1] += 1;
                let called = t
                    .events
                    .iter()
                    .any(|e| matches!(e.event, DossierEvent::Note));
                if score <= 2 && !called {
                    low_uncalled += 1;
                }
            }
        }
        assert!((15..=45).contains(&open), "backlog: {open}");
        assert!(late >= 1 && at_risk >= 1, "late {late}, at risk {at_risk}");
        let mut top: Vec<_> = products.into_iter().collect();
        top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let top2: Vec<ProductId> = top.iter().take(2).map(|(p, _)| *p).collect();
        let coffee = catalog.products[catalog.product(RECURRENT_COFFEE)].id;
        let headset = catalog.products[catalog.product(RECURRENT_HEADSET)].id;
        assert!(top2.contains(&coffee) && top2.contains(&headset), "{top:?}");
        assert!(by_customer.values().any(|n| *n >= 3), "a repeat customer");
        assert!(
            gestures.len() >= 4,
            "gestures of several sizes: {gestures:?}"
        );
        assert!(approvals >= 3, "{approvals}");
        assert!(scores.iter().all(|n| *n > 0), "{scores:?}");
        assert!(low_uncalled >= 2, "{low_uncalled}");
    }

    #[test]
    fn the_year_is_the_same_for_a_seed_and_bounded() {
        let a = year(300).2;
        let b = year(300).2;
        assert_eq!(a.len(), b.len());
        assert!(a.iter().zip(&b).all(|(x, y)| x.events == y.events));
        let cfg = DemoConfig::new(1_000_000);
        let story = Story::new(&Catalog::new(42), &cfg).unwrap();
        assert_eq!(story.left.iter().sum::<u64>(), LOCAL_MAX + 11 * 240);
    }
}
