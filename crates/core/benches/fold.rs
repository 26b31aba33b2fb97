//! Folding a dossier's timeline: 200 events (opened, the workflow to its
//! end, notes, messages, assignments) from two devices, handed over in a
//! shuffled order, folded into the dossier's state. Next to it, the
//! baseline every fold pays whatever it does: sorting the 200 events by
//! (HLC, id).
//!
//! ```text
//! cargo bench -p comptoir-core --bench fold
//! ```
#![allow(clippy::unwrap_used)] // benches: a failed unwrap is a failed run

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use comptoir_core::calendar::DeadlinePromise;
use comptoir_core::dossier::{ItemCondition, Resolution};
use comptoir_core::events::{fold, DossierEvent, EventRecord, Opened};
use comptoir_core::hlc::Hlc;
use comptoir_core::ids::{CustomerId, DossierEventId, DossierId};
use comptoir_core::model::{DossierOrigin, DossierStatus};
use comptoir_core::policy::Severity;
use comptoir_core::workflow::DossierAction;
use comptoir_core::Cents;
use uuid::Uuid;

const EVENTS: usize = 200;
const RUNS: usize = 20_000;

fn opened() -> DossierEvent {
    DossierEvent::Opened(Box::new(Opened {
        number: "SAV-LYO1-2026-B00101".into(),
        store_id: None,
        origin: DossierOrigin::Store,
        customer_id: CustomerId(Uuid::from_u128(1)),
        order_line_id: None,
        product_id: None,
        product_label: Some("Aspirateur robot".into()),
        reason_code: "defect.no_power".into(),
        customer_words: Some("Ne s'allume plus".into()),
        condition: Some(ItemCondition::Good),
        condition_note: None,
        accessories: vec!["Base de charge".into()],
        serial_number: None,
        assignee: None,
        opened_by: Some("Julie M.".into()),
        promise: Some(DeadlinePromise::WorkingHours(48)),
        promised_at: Some(Utc.with_ymd_and_hms(2026, 11, 4, 18, 0, 0).unwrap()),
        legal_cap_at: None,
        sealed: false,
        severity: Severity::Major,
        defect_noticed_on: None,
    }))
}

fn timeline() -> Vec<EventRecord> {
    let action = |action| DossierEvent::Action { action };
    let mut kinds = vec![opened(), action(DossierAction::Diagnose)];
    while kinds.len() < EVENTS - 4 {
        kinds.push(match kinds.len() % 4 {
            0 => DossierEvent::Note,
            1 => DossierEvent::MessageSent,
            2 => DossierEvent::Assigned {
                assignee: Some("Karim B.".into()),
            },
            _ => DossierEvent::CustomerMessage,
        });
    }
    kinds.push(action(DossierAction::MarkReady));
    kinds.push(action(DossierAction::HandBack));
    kinds.push(DossierEvent::Resolution {
        resolution: Box::new(Resolution {
            summary: "Batterie remplacée".into(),
            parts: vec![],
            cost: Cents(3_900),
            gesture: None,
            template: "closing.repaired".into(),
        }),
        follow_up_due: None,
    });
    kinds.push(action(DossierAction::Close));
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, event)| {
            let ms = 1_790_000_000_000 + 60_000 * i as u64;
            EventRecord {
                id: DossierEventId(Uuid::from_u128(1_000 + i as u128)),
                dossier_id: DossierId(Uuid::from_u128(7)),
                hlc: Hlc {
                    physical_ms: ms,
                    logical: 0,
                },
                device_id: Uuid::from_u128(1 + (i % 2) as u128),
                at: Utc.timestamp_millis_opt(ms as i64).unwrap(),
                actor: "Julie M.".into(),
                note: Some("Client rappelé, pièce commandée.".into()),
                event,
            }
        })
        .collect()
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let mut events = timeline();
    // Shuffled deterministically: the order the events arrive in.
    let mut x: u64 = 2026;
    for i in (1..events.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        events.swap(i, (x % (i as u64 + 1)) as usize);
    }
    let state = fold(&events);
    assert_eq!(
        state.status,
        DossierStatus::Closed,
        "the bench timeline folds to closed"
    );
    assert!(state.conflicts.is_empty(), "{:?}", state.conflicts);

    let mut ours = Vec::with_capacity(RUNS);
    let mut base = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let s = fold(std::hint::black_box(&events));
        ours.push(t.elapsed());
        std::hint::black_box(s);
        let t = Instant::now();
        let mut keys: Vec<(Hlc, DossierEventId)> = std::hint::black_box(&events)
            .iter()
            .map(|e| (e.hlc, e.id))
            .collect();
        keys.sort();
        base.push(t.elapsed());
        std::hint::black_box(keys);
    }
    ours.sort();
    base.sort();
    println!("fold of a dossier with {EVENTS} events, {RUNS} runs (ms)");
    println!("{:<34} {:>9} {:>9} {:>9}", "", "p50", "p99", "max");
    for (label, d) in [
        ("fold (ours)", &ours),
        ("baseline: sort by (HLC, id)", &base),
    ] {
        println!(
            "{label:<34} {:>9.4} {:>9.4} {:>9.4}",
            quantile(d, 0.5).as_secs_f64() * 1e3,
            quantile(d, 0.99).as_secs_f64() * 1e3,
            d[d.len() - 1].as_secs_f64() * 1e3
        );
    }
}
