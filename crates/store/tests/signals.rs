//! Weak signals and the follow-up queue on a real SQLite file: dossiers of
//! seven demo customers written through the store's own write path in
//! August and November 2028 (the demo's own data ends in November 2026),
//! with orders of our own; every sentence and date is computed by hand in
//! the comments below.
//!
//! The store's calendar is the default one: Monday to Saturday 9:30–19:00
//! (9.5 working hours a day), Lyon, Saturday 11 November 2028 a public
//! holiday. "Now" is Thursday 16 November 2028, 14:00 in Lyon.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

mod common;

use common::RawPool;

use chrono::{DateTime, NaiveDate, Utc};
use comptoir_core::calendar::{BusinessCalendar, CalendarConfig};
use comptoir_core::changes::Change;
use comptoir_core::dossier::*;
use comptoir_core::events::DossierEvent;
use comptoir_core::followup::{FollowUpOutcome, FollowUpReason};
use comptoir_core::ids::*;
use comptoir_core::model::Channel;
use comptoir_core::policy::Severity;
use comptoir_core::records::{OrderLineRecord, OrderRecord};
use comptoir_core::signals::*;
use comptoir_core::Cents;
use comptoir_store::{BulkBatch, Store};

/// A local time in Lyon in 2028.
fn lyon(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    BusinessCalendar::default().local_to_utc(
        NaiveDate::from_ymd_opt(2028, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap(),
    )
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2028, m, d).unwrap()
}

/// Thursday 16 November 2028, 14:00 in Lyon.
fn now() -> DateTime<Utc> {
    lyon(11, 16, 14, 0)
}

const MANAGER: &str = "sophie.r";
const CLERK: &str = "julie.m";
const WHO: &str = "Camille R.";

fn intake(customer: CustomerId, line: OrderLineId, reason: &str) -> OpenDossierInput {
    OpenDossierInput {
        customer_id: customer,
        order_line_id: Some(line),
        declared_product: None,
        reason_code: reason.into(),
        customer_words: "Ça ne marche plus.".into(),
        condition: ItemCondition::Good,
        condition_note: None,
        accessories: vec![],
        serial_number: None,
        actor: WHO.into(),
        assignee: None,
        sealed: false,
        severity: Severity::Major,
        defect_noticed_on: None,
        decision: None,
        approval: None,
    }
}

fn closing() -> Resolution {
    Resolution {
        summary: "Réglage fait avec le client".into(),
        parts: vec![],
        cost: Cents(0),
        gesture: None,
        template: "closing.repaired".into(),
    }
}

/// An order of one line placed on the web shop.
fn order(
    customer: CustomerId,
    product: ProductId,
    n: usize,
    at: DateTime<Utc>,
    total: i64,
) -> OrderRecord {
    OrderRecord {
        id: OrderId::new(),
        number: format!("W-SIG-{n:04}"),
        channel: Channel::Web,
        marketplace: None,
        store_id: None,
        customer_id: customer,
        ordered_at: at,
        delivered_at: Some(at),
        total: Cents(total),
        shipping: Cents::ZERO,
        payment_method: "Carte bancaire".into(),
        lines: vec![OrderLineRecord {
            id: OrderLineId::new(),
            line_no: 1,
            product_id: product,
            quantity: 1,
            unit_price: Cents(total),
            serial_numbers: vec![],
        }],
    }
}

#[allow(dead_code)]
struct Dataset {
    store: Store,
    _dir: tempfile::TempDir,
    orders: Vec<OrderRecord>,
    /// Customers A (repeat), B (high value), C (late), D, E, F (the jump
    /// of product P1), H (at risk).
    a: CustomerId,
    b: CustomerId,
    c: CustomerId,
    d: CustomerId,
    e: CustomerId,
    f: CustomerId,
    h: CustomerId,
    p1: ProductId,
    p1_name: String,
    a1: DossierId,
    a2: DossierId,
    a3: DossierId,
    b1: DossierId,
    c1: DossierId,
    d_aug: DossierId,
    d1: DossierId,
    e1: DossierId,
    f1: DossierId,
    h1: DossierId,
}

async fn number(store: &Store, id: DossierId) -> String {
    store.dossier_detail(id).await.unwrap().dossier.number
}

/// | who | product | opened (Lyon) | reason (promise) | then |
/// |---|---|---|---|---|
/// | A | P2 | Thu 2 Nov 10:00 | defect.battery (48 h) | open |
/// | A | P3 | Thu 9 Nov 10:00 | defect.battery (48 h) | open |
/// | A | P4 | Thu 16 Nov 10:00 | defect.battery (48 h) | open |
/// | B | P5 | Thu 16 Nov 10:00 | defect.battery (48 h) | open; B's orders: 5 000 € on 1 Oct 2027, 1 200 € on 1 Mar 2028, 400 € on 1 Oct 2028 |
/// | C | P2 | Mon 6 Nov 10:00 | usage.setup_help (8 h) | open |
/// | D | P1 | Thu 10 Aug 10:00 | usage.setup_help | closed 15:00, score 5 on Mon 14 Aug |
/// | D | P1 | Fri 3 Nov 10:00 | usage.setup_help | open |
/// | E | P1 | Tue 7 Nov 10:00 | usage.setup_help | closed Wed 8 Nov 11:00 (follow-up D+3) |
/// | F | P1 | Tue 14 Nov 10:00 | usage.setup_help | closed 15:00, score 2 on Wed 15 Nov 10:00 |
/// | H | P3 | Thu 16 Nov 9:30 | usage.setup_help | open |
///
/// Every order other than B's costs 100 €.
async fn dataset() -> Dataset {
    let (dir, store) = common::demo_store(60).await;
    store
        .set_store_calendar("LYO1", &CalendarConfig::default())
        .await
        .unwrap();
    let raw = RawPool::pool(&store);
    let customers: Vec<CustomerId> = sqlx::query_scalar(
        "SELECT c.id FROM customers c
         WHERE NOT EXISTS (SELECT 1 FROM dossiers d WHERE d.customer_id = c.id)
         ORDER BY c.id LIMIT 7",
    )
    .fetch_all(raw)
    .await
    .unwrap();
    assert_eq!(customers.len(), 7);
    let (a, b, c, d, e, f, h) = (
        customers[0],
        customers[1],
        customers[2],
        customers[3],
        customers[4],
        customers[5],
        customers[6],
    );
    let products: Vec<(ProductId, String)> =
        sqlx::query_as("SELECT id, name FROM products ORDER BY id LIMIT 5")
            .fetch_all(raw)
            .await
            .unwrap();
    let p = |i: usize| products[i].0;
    let (p1, p2, p3, p4, p5) = (p(0), p(1), p(2), p(3), p(4));

    let plan: Vec<(CustomerId, ProductId, DateTime<Utc>, i64)> = vec![
        (a, p2, lyon(10, 1, 12, 0), 10_000),
        (a, p3, lyon(10, 1, 12, 0), 10_000),
        (a, p4, lyon(10, 1, 12, 0), 10_000),
        (b, p5, lyon(10, 1, 12, 0), 40_000),
        (c, p2, lyon(10, 1, 12, 0), 10_000),
        (d, p1, lyon(7, 1, 12, 0), 10_000),
        (d, p1, lyon(10, 1, 12, 0), 10_000),
        (e, p1, lyon(10, 1, 12, 0), 10_000),
        (f, p1, lyon(10, 1, 12, 0), 10_000),
        (h, p3, lyon(10, 1, 12, 0), 10_000),
        // B's other orders: one a year and a half ago, one in March.
        (
            b,
            p5,
            BusinessCalendar::default().local_to_utc(
                NaiveDate::from_ymd_opt(2027, 10, 1)
                    .unwrap()
                    .and_hms_opt(12, 0, 0)
                    .unwrap(),
            ),
            500_000,
        ),
        (b, p5, lyon(3, 1, 12, 0), 120_000),
    ];
    let orders: Vec<OrderRecord> = plan
        .iter()
        .enumerate()
        .map(|(i, (cu, pr, at, total))| order(*cu, *pr, i, *at, *total))
        .collect();
    let mut bulk = store.bulk_load().await.unwrap();
    bulk.load(&BulkBatch {
        orders: &orders,
        ..BulkBatch::default()
    })
    .await
    .unwrap();
    bulk.finish().await.unwrap();
    let line = |i: usize| orders[i].lines[0].id;

    let open = |i: usize, cu: CustomerId, reason: &'static str, at: DateTime<Utc>| {
        let store = store.clone();
        async move {
            store
                .open_dossier(&intake(cu, line(i), reason), at)
                .await
                .unwrap()
        }
    };
    let a1 = open(0, a, "defect.battery", lyon(11, 2, 10, 0)).await;
    let a2 = open(1, a, "defect.battery", lyon(11, 9, 10, 0)).await;
    let a3 = open(2, a, "defect.battery", lyon(11, 16, 10, 0)).await;
    let b1 = open(3, b, "defect.battery", lyon(11, 16, 10, 0)).await;
    let c1 = open(4, c, "usage.setup_help", lyon(11, 6, 10, 0)).await;
    let d_aug = open(5, d, "usage.setup_help", lyon(8, 10, 10, 0)).await;
    let d1 = open(6, d, "usage.setup_help", lyon(11, 3, 10, 0)).await;
    let e1 = open(7, e, "usage.setup_help", lyon(11, 7, 10, 0)).await;
    let f1 = open(8, f, "usage.setup_help", lyon(11, 14, 10, 0)).await;
    let h1 = open(9, h, "usage.setup_help", lyon(11, 16, 9, 30)).await;

    let close = |id: DossierId, at: DateTime<Utc>| {
        let store = store.clone();
        async move {
            store
                .close_dossier(id, &closing(), WHO, DEFAULT_FOLLOW_UP_DAYS, at)
                .await
                .unwrap();
        }
    };
    close(d_aug, lyon(8, 10, 15, 0)).await;
    store
        .record_satisfaction(d_aug, 5, None, WHO, lyon(8, 14, 10, 0))
        .await
        .unwrap();
    close(e1, lyon(11, 8, 11, 0)).await;
    close(f1, lyon(11, 14, 15, 0)).await;
    store
        .record_satisfaction(f1, 2, Some("Trop long."), WHO, lyon(11, 15, 10, 0))
        .await
        .unwrap();

    Dataset {
        store,
        _dir: dir,
        orders,
        a,
        b,
        c,
        d,
        e,
        f,
        h,
        p1,
        p1_name: products[0].1.clone(),
        a1,
        a2,
        a3,
        b1,
        c1,
        d_aug,
        d1,
        e1,
        f1,
        h1,
    }
}

fn kinds(signals: &[WeakSignal]) -> Vec<SignalKind> {
    signals.iter().map(|s| s.kind).collect()
}

fn of_kind(signals: &[WeakSignal], kind: SignalKind) -> Vec<&WeakSignal> {
    signals.iter().filter(|s| s.kind == kind).collect()
}

#[tokio::test]
async fn each_kind_appears_on_the_card_and_says_why() {
    let ds = dataset().await;
    let s = &ds.store;
    let (na1, na2, na3) = (
        number(s, ds.a1).await,
        number(s, ds.a2).await,
        number(s, ds.a3).await,
    );

    // A: three dossiers opened on 2, 9 and 16 November, all within the 30
    // days before Thursday 16 at 14:00. The first two are late against
    // 48 working hours: from Thu 2 10:00 → 9 h on Thu, 9.5 Fri, 9.5 Sat,
    // 9.5 Mon (37.5), 9.5 Tue (47), 1 h Wed → Wed 8 at 10:30; from Thu 9
    // 10:00 → 9 + 9.5 (Fri), Sat 11 is a holiday, 9.5 Mon, 9.5 Tue, 9.5
    // Wed (47), 1 h Thu → Thu 16 at 10:30, before 14:00. The third (Thu 16
    // 10:00, 4 h used of 48) is on time.
    let card = s.customer_signals(ds.a, now()).await.unwrap();
    assert_eq!(
        kinds(&card),
        [
            SignalKind::Late,
            SignalKind::Late,
            SignalKind::RepeatCustomer
        ],
        "{card:#?}"
    );
    assert_eq!(
        card[2].sentence,
        format!("3 dossiers en 30 jours : {na1}, {na2}, {na3}.")
    );
    assert_eq!(card[2].target, SignalTarget::Customer { customer_id: ds.a });
    assert_eq!(
        card[0].sentence,
        format!("{na1} en retard : le délai promis au client était le 08/11/2028 à 10:30.")
    );
    assert_eq!(
        card[1].sentence,
        format!("{na2} en retard : le délai promis au client était le 16/11/2028 à 10:30.")
    );
    assert_eq!(
        card[0].target,
        SignalTarget::Dossier {
            dossier_id: ds.a1,
            number: na1.clone()
        }
    );

    // B: 400 € (1 Oct 2028) + 1 200 € (1 Mar 2028) = 1 600 € over the 12
    // months since 16 Nov 2027; the 5 000 € of 1 Oct 2027 is older. Its
    // dossier (Thu 16 10:00, 48 h) is on time.
    let card = s.customer_signals(ds.b, now()).await.unwrap();
    let nb = number(s, ds.b1).await;
    assert_eq!(kinds(&card), [SignalKind::HighValueOpen], "{card:#?}");
    assert_eq!(
        card[0].sentence,
        format!(
            "{} d'achats sur 12 mois et un dossier ouvert : {nb}.",
            Cents(160_000).format_fr()
        )
    );

    // C: 8 working hours from Mon 6 10:00 → Mon 6 18:00, late.
    let card = s.customer_signals(ds.c, now()).await.unwrap();
    let nc = number(s, ds.c1).await;
    assert_eq!(kinds(&card), [SignalKind::Late]);
    assert_eq!(
        card[0].sentence,
        format!("{nc} en retard : le délai promis au client était le 06/11/2028 à 18:00.")
    );

    // H: 8 h from Thu 16 9:30 → 17:30; at 14:00 3.5 h are left, less than
    // max(25 % of 8 h, 4 h) = 4 h: at risk.
    let card = s.customer_signals(ds.h, now()).await.unwrap();
    let nh = number(s, ds.h1).await;
    assert_eq!(kinds(&card), [SignalKind::AtRisk]);
    assert_eq!(
        card[0].sentence,
        format!("{nh} à risque : délai promis le 16/11/2028 à 17:30, il reste peu de temps ouvré.")
    );

    // E: closed Wed 8 at 11:00, the follow-up call due 3 days later, on
    // Saturday 11 (a holiday, but the due date is calendar days).
    let card = s.customer_signals(ds.e, now()).await.unwrap();
    let ne = number(s, ds.e1).await;
    assert_eq!(kinds(&card), [SignalKind::FollowUpDue]);
    assert_eq!(
        card[0].sentence,
        format!("Appel de suivi de {ne} à faire depuis le 11/11/2028.")
    );

    // F: score 2 on Wed 15, not called back (its closure's follow-up is
    // done by the score).
    let card = s.customer_signals(ds.f, now()).await.unwrap();
    let nf = number(s, ds.f1).await;
    assert_eq!(kinds(&card), [SignalKind::LowScore]);
    assert_eq!(
        card[0].sentence,
        format!("Note de satisfaction 2/5 le 15/11/2028 sur {nf}, client pas encore rappelé.")
    );

    // D: P1 has 3 dossiers this month (D on the 3rd, E on the 7th, F on the
    // 14th) against [1, 0, 0] in August, September, October (D's, 10 Aug):
    // 300 × 3 = 900 ≥ 200 × 1, and 3 ≥ 3. The average is 1/3 → « 0,3 ».
    // D's open dossier (Fri 3 10:00 + 8 h = 18:00) is late. D's August
    // dossier (closed, score 5) raises nothing.
    let card = s.customer_signals(ds.d, now()).await.unwrap();
    let nd = number(s, ds.d1).await;
    assert_eq!(
        kinds(&card),
        [SignalKind::Late, SignalKind::ProductJump],
        "{card:#?}"
    );
    assert_eq!(
        card[0].sentence,
        format!("{nd} en retard : le délai promis au client était le 03/11/2028 à 18:00.")
    );
    assert_eq!(
        card[1].sentence,
        format!(
            "{} : 3 dossiers ce mois-ci contre 0,3 par mois en moyenne sur les 3 mois précédents (1, 0, 0).",
            ds.p1_name
        )
    );
    assert_eq!(card[1].target, SignalTarget::Product { product_id: ds.p1 });

    // The store's list holds all of them (and the demo's own, older ones),
    // most urgent kind first, oldest first within a kind.
    let list = s.weak_signals(now(), 10_000).await.unwrap();
    assert!(!list.truncated);
    assert_eq!(list.total, list.signals.len());
    for w in list.signals.windows(2) {
        assert!((w[0].kind, w[0].since) <= (w[1].kind, w[1].since), "{w:#?}");
    }
    let mine = |kind: SignalKind| -> Vec<String> {
        of_kind(&list.signals, kind)
            .iter()
            .filter(|s| {
                s.customer_id
                    .is_some_and(|c| [ds.a, ds.b, ds.c, ds.d, ds.e, ds.f, ds.h].contains(&c))
                    || s.target == SignalTarget::Product { product_id: ds.p1 }
            })
            .map(|s| s.sentence.clone())
            .collect()
    };
    // Late: by deadline, D's (3 Nov 18:00), C's (6 Nov), A's (8 Nov, 16 Nov).
    assert_eq!(mine(SignalKind::Late).len(), 4);
    assert!(mine(SignalKind::Late)[0].starts_with(&nd));
    assert!(mine(SignalKind::Late)[1].starts_with(&nc));
    assert!(mine(SignalKind::Late)[2].starts_with(&na1));
    assert!(mine(SignalKind::Late)[3].starts_with(&na2));
    for kind in [
        SignalKind::RepeatCustomer,
        SignalKind::HighValueOpen,
        SignalKind::AtRisk,
        SignalKind::FollowUpDue,
        SignalKind::LowScore,
        SignalKind::ProductJump,
    ] {
        assert_eq!(mine(kind).len(), 1, "{kind:?}: {:#?}", list.signals);
    }
    let short = s.weak_signals(now(), 3).await.unwrap();
    assert_eq!(short.signals.len(), 3);
    assert_eq!(short.total, list.total);
    assert!(short.truncated);
    assert_eq!(short.signals[..], list.signals[..3]);
}

#[tokio::test]
async fn raised_thresholds_make_the_signals_disappear_and_only_a_manager_changes_them() {
    let ds = dataset().await;
    let s = &ds.store;
    let defaults = SignalThresholds::default();
    assert_eq!(s.signal_thresholds().await.unwrap(), defaults);
    let store = &ds.store;
    let kinds_of =
        |c: CustomerId| async move { kinds(&store.customer_signals(c, now()).await.unwrap()) };
    assert!(kinds_of(ds.a).await.contains(&SignalKind::RepeatCustomer));

    // A clerk, an unknown login: refused, nothing written.
    let audit_before = s.audit_entries(Some("setting_changed"), 100).await.unwrap();
    let four = SignalThresholds {
        repeat_dossiers: 4,
        ..defaults
    };
    for who in [CLERK, "inconnu", ""] {
        let e = s.set_signal_thresholds(&four, who).await.unwrap_err();
        assert_eq!(e.code(), "manager_only", "{who}");
        assert!(e.message_fr().contains("responsable"), "{}", e.message_fr());
    }
    // 0 and negative, and beyond the bounds: refused naming the threshold.
    for bad in [
        SignalThresholds {
            repeat_dossiers: 0,
            ..defaults
        },
        SignalThresholds {
            repeat_days: -30,
            ..defaults
        },
        SignalThresholds {
            high_value_cents: 0,
            ..defaults
        },
        SignalThresholds {
            low_score_max: -1,
            ..defaults
        },
        SignalThresholds {
            jump_min_dossiers: 0,
            ..defaults
        },
        SignalThresholds {
            low_score_max: 5,
            ..defaults
        },
    ] {
        let e = s.set_signal_thresholds(&bad, MANAGER).await.unwrap_err();
        assert_eq!(e.code(), "signal_threshold_out_of_range");
        assert!(e.message_fr().starts_with("Seuil « "), "{}", e.message_fr());
        assert!(e.message_fr().contains("Rien n'a été modifié"));
    }
    let e = s
        .set_signal_thresholds(
            &SignalThresholds {
                repeat_days: -30,
                ..defaults
            },
            MANAGER,
        )
        .await
        .unwrap_err();
    assert!(
        e.message_fr().contains("période") && e.message_fr().contains("supérieur à zéro"),
        "{}",
        e.message_fr()
    );
    // The generic setting path refuses them too.
    let e = s
        .set_setting_as(THRESHOLDS_SETTING, "{\"repeat_dossiers\": 0}", MANAGER)
        .await
        .unwrap_err();
    assert!(!e.code().is_empty());
    assert_eq!(s.signal_thresholds().await.unwrap(), defaults);
    assert_eq!(
        s.audit_entries(Some("setting_changed"), 100)
            .await
            .unwrap()
            .len(),
        audit_before.len()
    );

    // Raised by the manager: A's three dossiers are no longer « 4 or
    // more »; B's 1 600 € are below 1 700 €; F's 2 is above « 1 or less »
    // (and F leaves the follow-up queue); P1's 900 < 1 000 × 1.
    let raised = SignalThresholds {
        repeat_dossiers: 4,
        high_value_cents: 170_000,
        low_score_max: 1,
        jump_percent: 1_000,
        ..defaults
    };
    assert_eq!(
        s.set_signal_thresholds(&raised, MANAGER).await.unwrap(),
        raised
    );
    assert_eq!(s.signal_thresholds().await.unwrap(), raised);
    assert_eq!(kinds_of(ds.a).await, [SignalKind::Late, SignalKind::Late]);
    assert!(kinds_of(ds.b).await.is_empty());
    assert!(kinds_of(ds.f).await.is_empty());
    assert_eq!(kinds_of(ds.d).await, [SignalKind::Late]);
    let queue = s.follow_up_queue(now()).await.unwrap();
    assert!(!queue.iter().any(|i| i.dossier_id == ds.f1));
    let list = s.weak_signals(now(), 10_000).await.unwrap();
    assert_eq!(list.thresholds, raised);
    assert!(!list
        .signals
        .iter()
        .any(|x| x.target == SignalTarget::Product { product_id: ds.p1 }));
    // Fewer days: with 4 dossiers asked and 7 days, A is still not one.
    // Back to 3 dossiers but 10 days: only the 9th and 16th are within.
    let ten_days = SignalThresholds {
        repeat_days: 10,
        ..defaults
    };
    s.set_signal_thresholds(&ten_days, MANAGER).await.unwrap();
    assert!(!kinds_of(ds.a).await.contains(&SignalKind::RepeatCustomer));
    // Back to the defaults: they come back.
    s.set_signal_thresholds(&defaults, MANAGER).await.unwrap();
    assert!(kinds_of(ds.a).await.contains(&SignalKind::RepeatCustomer));
    assert_eq!(kinds_of(ds.b).await, [SignalKind::HighValueOpen]);
    assert_eq!(kinds_of(ds.f).await, [SignalKind::LowScore]);

    // Each change is a `setting_changed` entry in the manager's name, with
    // the thresholds before and after; the chain holds.
    let audit = s.audit_entries(Some("setting_changed"), 100).await.unwrap();
    assert_eq!(audit.len(), audit_before.len() + 3);
    let first = &audit[2]; // newest first
    assert_eq!(first.actor, MANAGER);
    assert_eq!(first.subject, THRESHOLDS_SETTING);
    assert_eq!(first.detail["before"], serde_json::Value::Null);
    let after: SignalThresholds =
        serde_json::from_str(first.detail["after"].as_str().unwrap()).unwrap();
    assert_eq!(after, raised);
    s.verify_audit().await.unwrap();
}

#[tokio::test]
async fn the_queue_is_oldest_first_and_each_outcome_moves_it() {
    let ds = dataset().await;
    let s = &ds.store;
    let ne = number(s, ds.e1).await;
    let ids = |q: &[comptoir_core::followup::FollowUpItem]| -> Vec<DossierId> {
        q.iter()
            .map(|i| i.dossier_id)
            .filter(|id| [ds.e1, ds.f1, ds.d_aug].contains(id))
            .collect()
    };

    // E's call is due since Sat 11 Nov 11:00 (closed Wed 8 at 11:00 + 3
    // days), F's since its score, Wed 15 at 10:00: E first. D's August
    // dossier is done (score 5).
    let queue = s.follow_up_queue(now()).await.unwrap();
    for w in queue.windows(2) {
        assert!(w[0].due_at <= w[1].due_at, "{w:#?}");
    }
    assert_eq!(ids(&queue), [ds.e1, ds.f1]);
    let e = queue.iter().find(|i| i.dossier_id == ds.e1).unwrap();
    assert_eq!(e.reason, FollowUpReason::AfterClosure);
    assert_eq!(e.due_at, lyon(11, 11, 11, 0));
    assert_eq!(e.number, ne);
    assert_eq!(e.customer_id, ds.e);
    assert!(!e.customer_name.is_empty());
    assert!(e.phone.is_some() || e.email.is_some(), "{e:#?}");
    assert_eq!(
        e.why,
        "Appel de suivi prévu le 11/11/2028 après la clôture du 08/11/2028."
    );
    let f = queue.iter().find(|i| i.dossier_id == ds.f1).unwrap();
    assert_eq!(f.reason, FollowUpReason::LowScore);
    assert_eq!(f.due_at, lyon(11, 15, 10, 0));
    assert_eq!(f.csat_score, Some(2));
    assert_eq!(
        f.why,
        "Note de satisfaction 2/5 : rappeler le client (à faire depuis le 15/11/2028)."
    );
    // Before E's due date, nothing of ours.
    assert!(ids(&s.follow_up_queue(lyon(11, 10, 9, 0)).await.unwrap()).is_empty());

    // E, no answer on Thursday 16 at 14:00: the next try is Friday 17 at
    // the opening, 9:30.
    let r = s
        .record_follow_up(ds.e1, FollowUpOutcome::NoAnswer, None, WHO, now())
        .await
        .unwrap();
    assert_eq!(r.next_call_at, Some(lyon(11, 17, 9, 30)));
    assert_eq!(
        r.note,
        "Suivi après clôture : pas de réponse (essai 1 sur 3) ; nouvel essai le 17/11/2028."
    );
    assert_eq!(
        ids(&s.follow_up_queue(lyon(11, 17, 9, 29)).await.unwrap()),
        [ds.f1]
    );
    let q = s.follow_up_queue(lyon(11, 17, 10, 0)).await.unwrap();
    let e = q.iter().find(|i| i.dossier_id == ds.e1).unwrap();
    assert_eq!((e.no_answers, e.due_at), (1, lyon(11, 17, 9, 30)));
    assert!(e.why.ends_with("1 appel sans réponse sur 3."), "{}", e.why);
    // F's score came later than E's new due date: F first now.
    assert_eq!(ids(&q), [ds.f1, ds.e1]);
    // Second no answer on Friday 17 at 10:00 → Saturday 18 at 9:30 (open).
    let r = s
        .record_follow_up(
            ds.e1,
            FollowUpOutcome::NoAnswer,
            Some("Répondeur."),
            WHO,
            lyon(11, 17, 10, 0),
        )
        .await
        .unwrap();
    assert_eq!(r.next_call_at, Some(lyon(11, 18, 9, 30)));
    assert!(r.note.ends_with("Répondeur."), "{}", r.note);
    // Third on Saturday 18 at 10:00: the round ends, E leaves the queue.
    let r = s
        .record_follow_up(
            ds.e1,
            FollowUpOutcome::NoAnswer,
            None,
            WHO,
            lyon(11, 18, 10, 0),
        )
        .await
        .unwrap();
    assert_eq!(r.next_call_at, None);
    assert!(r.note.contains("suivi arrêté après 3 essais"), "{}", r.note);
    assert_eq!(
        ids(&s.follow_up_queue(lyon(11, 25, 10, 0)).await.unwrap()),
        [ds.f1]
    );
    // …and from the E card's signals.
    assert!(kinds(&s.customer_signals(ds.e, lyon(11, 25, 10, 0)).await.unwrap()).is_empty());

    // F asks to be called back on Monday 20: out of the queue until that
    // date's midnight, in it from then on.
    let r = s
        .record_follow_up(
            ds.f1,
            FollowUpOutcome::CallBack { on: day(11, 20) },
            Some("Rappeler après 18 h."),
            WHO,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(r.reason, FollowUpReason::LowScore);
    assert_eq!(r.next_call_at, Some(lyon(11, 20, 0, 0)));
    assert_eq!(
        r.note,
        "Rappel après une note basse : le client demande à être rappelé le 20/11/2028. Rappeler après 18 h."
    );
    assert!(ids(&s.follow_up_queue(lyon(11, 19, 23, 59)).await.unwrap()).is_empty());
    let q = s.follow_up_queue(lyon(11, 20, 0, 30)).await.unwrap();
    let f = q.iter().find(|i| i.dossier_id == ds.f1).unwrap();
    assert_eq!((f.due_at, f.no_answers), (lyon(11, 20, 0, 0), 0));
    // Still a low score not called back: the signal stays meanwhile.
    assert_eq!(
        kinds(&s.customer_signals(ds.f, lyon(11, 18, 12, 0)).await.unwrap()),
        [SignalKind::LowScore]
    );
    // Reached on Monday 20: out of the queue, and the signal is gone.
    let r = s
        .record_follow_up(
            ds.f1,
            FollowUpOutcome::Reached,
            None,
            WHO,
            lyon(11, 20, 18, 30),
        )
        .await
        .unwrap();
    assert_eq!(r.next_call_at, None);
    assert_eq!(r.note, "Rappel après une note basse : client joint.");
    assert!(ids(&s.follow_up_queue(lyon(12, 1, 10, 0)).await.unwrap()).is_empty());
    assert!(kinds(&s.customer_signals(ds.f, lyon(12, 1, 10, 0)).await.unwrap()).is_empty());

    // The timeline tells it: three calls on E, each a `follow_up_call` event
    // with its sentence, in order.
    let detail = s.dossier_detail(ds.e1).await.unwrap();
    let calls: Vec<_> = detail
        .dossier
        .events
        .iter()
        .filter(|e| e.kind == "follow_up_call")
        .collect();
    assert_eq!(calls.len(), 3);
    assert!(calls[2].note.as_deref().unwrap().contains("suivi arrêté"));
    assert_eq!(calls[0].summary, "Appel de suivi");
    assert_eq!(calls[0].actor, WHO);
    // Every row is still the fold of its events.
    assert!(s.verify_dossiers().await.unwrap().is_empty());
}

#[tokio::test]
async fn reached_after_closure_ends_the_round_and_bad_input_writes_nothing() {
    let ds = dataset().await;
    let s = &ds.store;
    let events = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM dossier_events")
            .fetch_one(RawPool::pool(&ds.store))
            .await
            .unwrap()
    };
    let before = events().await;
    let outbox_before = s.outbox(100_000).await.unwrap().len();

    // A call back on a date already past (Wednesday 15, today is Thursday 16).
    let e = s
        .record_follow_up(
            ds.e1,
            FollowUpOutcome::CallBack { on: day(11, 15) },
            None,
            WHO,
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "call_back_in_past");
    assert_eq!(
        e.message_fr(),
        "Date de rappel impossible : le 15/11/2028 est déjà passé (nous sommes le 16/11/2028). \
         Choisissez aujourd'hui ou une date à venir ; rien n'a été enregistré."
    );
    // Too far ahead.
    let e = s
        .record_follow_up(
            ds.e1,
            FollowUpOutcome::CallBack {
                on: NaiveDate::from_ymd_opt(2030, 1, 1).unwrap(),
            },
            None,
            WHO,
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "call_back_too_far");
    // An unknown dossier.
    let e = s
        .record_follow_up(DossierId::new(), FollowUpOutcome::Reached, None, WHO, now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "not_found");
    assert_eq!(e.message_fr(), "Introuvable : dossier.");
    // An open dossier: nothing due yet.
    let nc = number(s, ds.c1).await;
    let e = s
        .record_follow_up(ds.c1, FollowUpOutcome::Reached, None, WHO, now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "nothing_to_follow_up");
    assert_eq!(
        e.message_fr(),
        format!(
            "Aucun appel de suivi à faire pour le dossier {nc} : il est ouvert, le suivi commence à sa clôture. Rien n'a été enregistré."
        )
    );
    // A closed dossier whose follow-up is done and whose score is good.
    let e = s
        .record_follow_up(ds.d_aug, FollowUpOutcome::NoAnswer, None, WHO, now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "nothing_to_follow_up");
    assert!(e.message_fr().contains("déjà fait"), "{}", e.message_fr());
    // No actor.
    let e = s
        .record_follow_up(ds.e1, FollowUpOutcome::Reached, None, " ", now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "missing_field");
    assert_eq!(events().await, before);
    assert_eq!(s.outbox(100_000).await.unwrap().len(), outbox_before);

    // Reached after closure: done, and done once.
    let r = s
        .record_follow_up(
            ds.e1,
            FollowUpOutcome::Reached,
            Some("Client content."),
            WHO,
            now(),
        )
        .await
        .unwrap();
    assert_eq!(r.reason, FollowUpReason::AfterClosure);
    assert_eq!(
        r.note,
        "Suivi après clôture : client joint. Client content."
    );
    assert!(!s
        .follow_up_queue(lyon(12, 1, 10, 0))
        .await
        .unwrap()
        .iter()
        .any(|i| i.dossier_id == ds.e1));
    let e = s
        .record_follow_up(ds.e1, FollowUpOutcome::Reached, None, WHO, now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "nothing_to_follow_up");
    // The list's « to follow up » agrees (its rule is the same columns).
    let to_follow = s
        .list_dossiers(DossierList::ToFollowUp, None, now())
        .await
        .unwrap();
    assert!(!to_follow.iter().any(|d| d.id == ds.e1));
    // A low score recorded after a reached call still asks for a call back.
    s.record_satisfaction(ds.e1, 1, None, WHO, lyon(11, 16, 15, 0))
        .await
        .unwrap();
    let q = s.follow_up_queue(lyon(11, 16, 15, 1)).await.unwrap();
    let item = q.iter().find(|i| i.dossier_id == ds.e1).unwrap();
    assert_eq!(
        (item.reason, item.due_at),
        (FollowUpReason::LowScore, lyon(11, 16, 15, 0))
    );
    assert_eq!(events().await, before + 2);
}

#[tokio::test]
async fn follow_up_calls_sync_to_another_counter_and_fold_the_same() {
    let ds = dataset().await;
    let s = &ds.store;
    s.record_follow_up(ds.e1, FollowUpOutcome::NoAnswer, None, WHO, now())
        .await
        .unwrap();
    s.record_follow_up(
        ds.f1,
        FollowUpOutcome::CallBack { on: day(11, 20) },
        None,
        WHO,
        now(),
    )
    .await
    .unwrap();
    let outbox = s.outbox(100_000).await.unwrap();
    let calls: Vec<_> = outbox
        .iter()
        .filter_map(|env| match Change::from_envelope(env).unwrap() {
            Change::DossierEvent(e) => match e.event {
                DossierEvent::FollowUpCall { .. } => Some(e),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 2);

    // A second counter of the same demo chain (same seed: the same
    // customers and products) with the same orders receives every change.
    let dir2 = tempfile::tempdir().unwrap();
    let other = common::demo_store_at(&dir2.path().join("other.sqlite"), 60, 42).await;
    other
        .set_store_calendar("LYO1", &CalendarConfig::default())
        .await
        .unwrap();
    let mut bulk = other.bulk_load().await.unwrap();
    bulk.load(&BulkBatch {
        orders: &ds.orders,
        ..BulkBatch::default()
    })
    .await
    .unwrap();
    bulk.finish().await.unwrap();
    let applied = other.apply_received(&outbox, now()).await.unwrap();
    assert_eq!(applied, outbox.len());
    assert_eq!(other.apply_received(&outbox, now()).await.unwrap(), 0);
    for at in [now(), lyon(11, 17, 10, 0), lyon(11, 20, 1, 0)] {
        let here = s.follow_up_queue(at).await.unwrap();
        let there = other.follow_up_queue(at).await.unwrap();
        assert_eq!(here, there, "{at}");
    }
    assert!(other.verify_dossiers().await.unwrap().is_empty());
    assert_eq!(
        s.customer_signals(ds.f, now()).await.unwrap(),
        other.customer_signals(ds.f, now()).await.unwrap()
    );
}
