use super::*;
use crate::calendar::DeadlinePromise;
use chrono::TimeZone;
use proptest::prelude::*;

fn opened() -> DossierEvent {
    DossierEvent::Opened(Box::new(Opened {
        number: "SAV-LYO1-2026-000101".into(),
        store_id: None,
        origin: DossierOrigin::Store,
        customer_id: CustomerId(Uuid::from_u128(1)),
        order_line_id: None,
        product_id: None,
        product_label: Some("Cafetière".into()),
        reason_code: "defect.no_power".into(),
        customer_words: Some("Ne s'allume plus".into()),
        condition: Some(ItemCondition::Good),
        condition_note: None,
        accessories: vec!["Câble".into()],
        serial_number: None,
        assignee: None,
        opened_by: Some("Julie".into()),
        promise: Some(DeadlinePromise::WorkingHours(48)),
        promised_at: Some(Utc.with_ymd_and_hms(2026, 11, 4, 18, 0, 0).unwrap()),
        legal_cap_at: None,
        sealed: false,
        severity: Severity::Major,
        defect_noticed_on: None,
    }))
}

fn resolution() -> DossierEvent {
    DossierEvent::Resolution {
        resolution: Box::new(Resolution {
            summary: "Réparé".into(),
            parts: vec![],
            cost: Cents(0),
            gesture: None,
            template: "closing.repaired".into(),
        }),
        follow_up_due: Some(Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap()),
    }
}

fn rec(id: u128, device: u128, ms: u64, logical: u32, event: DossierEvent) -> EventRecord {
    EventRecord {
        id: DossierEventId(Uuid::from_u128(id)),
        dossier_id: DossierId(Uuid::from_u128(7)),
        hlc: Hlc {
            physical_ms: ms,
            logical,
        },
        device_id: Uuid::from_u128(device),
        at: Utc
            .timestamp_millis_opt(i64::try_from(ms).unwrap())
            .unwrap(),
        actor: format!("poste {device}"),
        note: None,
        event,
    }
}

#[test]
fn one_closes_while_the_other_diagnoses_the_later_is_a_conflict() {
    let events = vec![
        rec(1, 1, 1_000, 0, opened()),
        // Counter A closes (resolution, then close) at 2 000…
        rec(2, 1, 2_000, 0, resolution()),
        rec(
            3,
            1,
            2_000,
            1,
            DossierEvent::Action {
                action: DossierAction::Close,
            },
        ),
        // …counter B, offline, diagnosed at 3 000.
        rec(
            4,
            2,
            3_000,
            0,
            DossierEvent::Action {
                action: DossierAction::Diagnose,
            },
        ),
        rec(5, 2, 3_100, 0, DossierEvent::Note),
    ];
    let s = fold(&events);
    assert_eq!(s.status, DossierStatus::Closed);
    assert_eq!(s.conflicts.len(), 1, "{:?}", s.conflicts);
    let why = s.conflict_of(DossierEventId(Uuid::from_u128(4))).unwrap();
    assert!(why.contains("Conflit entre postes"), "{why}");
    assert!(why.contains("clos"), "{why}");
    assert_eq!(s.closed_at, Some(events[2].at));
    assert!(s.resolution.is_some());
    assert_eq!(
        s.follow_up_due,
        Some(Utc.with_ymd_and_hms(2026, 11, 9, 9, 0, 0).unwrap())
    );
    // The same events in any order give the same state.
    let mut rev = events;
    rev.reverse();
    assert_eq!(fold(&rev), s);
}

#[test]
fn ties_on_the_clock_are_broken_by_id() {
    let a = rec(
        10,
        1,
        2_000,
        0,
        DossierEvent::Action {
            action: DossierAction::Cancel,
        },
    );
    let b = rec(
        11,
        2,
        2_000,
        0,
        DossierEvent::Action {
            action: DossierAction::Diagnose,
        },
    );
    let s = fold(&[rec(1, 1, 1_000, 0, opened()), b.clone(), a.clone()]);
    assert_eq!(
        s.status,
        DossierStatus::Cancelled,
        "id 10 sorts before id 11"
    );
    assert!(s.conflict_of(b.id).is_some());
    assert!(s.conflict_of(a.id).is_none());
}

#[test]
fn events_before_the_opening_and_second_openings_are_conflicts() {
    let early = rec(2, 2, 500, 0, DossierEvent::Note);
    let s = fold(&[
        rec(1, 1, 1_000, 0, opened()),
        early.clone(),
        rec(3, 2, 1_500, 0, opened()),
    ]);
    assert!(s
        .conflict_of(early.id)
        .unwrap()
        .contains("avant l'ouverture"));
    assert!(s
        .conflict_of(DossierEventId(Uuid::from_u128(3)))
        .unwrap()
        .contains("double"));
    assert_eq!(s.opened_at, Some(Utc.timestamp_millis_opt(1_000).unwrap()));
    assert_eq!(fold(&[]).intake, None);
}

#[test]
fn waiting_for_the_customer_is_folded_into_waits() {
    let s = fold(&[
        rec(1, 1, 1_000, 0, opened()),
        rec(
            2,
            1,
            2_000,
            0,
            DossierEvent::Action {
                action: DossierAction::Diagnose,
            },
        ),
        rec(
            3,
            1,
            3_000,
            0,
            DossierEvent::Action {
                action: DossierAction::WaitCustomer,
            },
        ),
        rec(
            4,
            1,
            9_000,
            0,
            DossierEvent::Action {
                action: DossierAction::Resume,
            },
        ),
        rec(
            5,
            1,
            9_500,
            0,
            DossierEvent::Action {
                action: DossierAction::WaitCustomer,
            },
        ),
    ]);
    assert_eq!(
        s.customer_waits,
        vec![WaitInterval {
            start: Utc.timestamp_millis_opt(3_000).unwrap(),
            end: Utc.timestamp_millis_opt(9_000).unwrap()
        }]
    );
    assert_eq!(
        s.waiting_customer_since,
        Some(Utc.timestamp_millis_opt(9_500).unwrap())
    );
}

#[test]
fn the_first_response_is_the_earliest_answer_to_the_customer() {
    let at = |ms: i64| Utc.timestamp_millis_opt(ms).unwrap();
    // Notes, the customer's own message and an assignment answer nothing.
    let quiet = [
        rec(1, 1, 1_000, 0, opened()),
        rec(2, 1, 2_000, 0, DossierEvent::Note),
        rec(3, 1, 3_000, 0, DossierEvent::CustomerMessage),
        rec(
            4,
            1,
            4_000,
            0,
            DossierEvent::Assigned {
                assignee: Some("karim.b".into()),
            },
        ),
    ];
    assert_eq!(fold(&quiet).first_response_at, None);
    // A message sent answers; a later diagnosis does not move it.
    let mut answered = quiet.to_vec();
    answered.push(rec(5, 1, 6_000, 0, DossierEvent::MessageSent));
    answered.push(rec(
        6,
        1,
        8_000,
        0,
        DossierEvent::Action {
            action: DossierAction::Diagnose,
        },
    ));
    assert_eq!(fold(&answered).first_response_at, Some(at(6_000)));
    // An answer stamped earlier on another counter's wall clock but folded
    // later (its HLC is later) still counts as the earliest.
    let mut skewed = answered.clone();
    skewed.push(rec(7, 2, 9_000, 0, DossierEvent::MessageSent));
    skewed.last_mut().unwrap().at = at(5_000);
    assert_eq!(fold(&skewed).first_response_at, Some(at(5_000)));
    // An action kept as a conflict (after the closure) is no answer.
    let refused = [
        rec(1, 1, 1_000, 0, opened()),
        rec(
            2,
            1,
            2_000,
            0,
            DossierEvent::Action {
                action: DossierAction::Cancel,
            },
        ),
        rec(
            3,
            2,
            1_500,
            0,
            DossierEvent::Action {
                action: DossierAction::Resume,
            },
        ),
    ];
    let s = fold(&refused);
    assert_eq!(s.conflicts.len(), 1, "{:?}", s.conflicts);
    assert_eq!(s.first_response_at, Some(at(2_000)));
}

#[test]
fn events_round_trip_through_json_and_unknown_types_are_refused() {
    for e in [
        opened(),
        resolution(),
        DossierEvent::Note,
        DossierEvent::Action {
            action: DossierAction::HandBack,
        },
    ] {
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(serde_json::from_value::<DossierEvent>(json).unwrap(), e);
    }
    assert!(serde_json::from_str::<DossierEvent>(r#"{"type":"teleport"}"#).is_err());
    assert!(serde_json::from_str::<DossierEvent>(r#"{"type":"action","action":"fly"}"#).is_err());
    assert!(serde_json::from_str::<DossierEvent>(
        r#"{"type":"assigned","assignee":null,"extra":1}"#
    )
    .is_err());
    // An opening written before `defect_noticed_on` existed still reads.
    let mut old = serde_json::to_value(opened()).unwrap();
    old.as_object_mut().unwrap().remove("defect_noticed_on");
    assert_eq!(
        serde_json::from_value::<DossierEvent>(old).unwrap(),
        opened()
    );
}

// ----- property tests -------------------------------------------------

/// The oracle: the workflow table replayed directly, independent of the
/// fold's code. Returns the ids of illegal events and the final status.
fn oracle(sorted: &[EventRecord]) -> (HashSet<DossierEventId>, DossierStatus) {
    let mut opened_yet = false;
    let mut status = DossierStatus::Opened;
    let mut csat = false;
    let mut followed = false;
    let mut called_back = false;
    let mut illegal = HashSet::new();
    let mut seen = HashSet::new();
    for e in sorted {
        if !seen.insert(e.id) {
            continue;
        }
        let terminal = matches!(status, DossierStatus::Closed | DossierStatus::Cancelled);
        let legal = match &e.event {
            DossierEvent::Opened(_) => !opened_yet,
            _ if !opened_yet => false,
            DossierEvent::Action { action } => action.allowed_from().contains(&status),
            DossierEvent::Assigned { .. }
            | DossierEvent::Decision { .. }
            | DossierEvent::Approval { .. }
            | DossierEvent::DeadlineRecomputed { .. } => !terminal,
            DossierEvent::Resolution { .. } => {
                DossierAction::Close.allowed_from().contains(&status)
            }
            DossierEvent::Satisfaction { .. } => status == DossierStatus::Closed && !csat,
            DossierEvent::FollowUpDone { .. } => status == DossierStatus::Closed && !followed,
            DossierEvent::FollowUpCall {
                reason: FollowUpReason::AfterClosure,
                ..
            } => status == DossierStatus::Closed && !followed,
            DossierEvent::FollowUpCall {
                reason: FollowUpReason::LowScore,
                ..
            } => csat && !called_back,
            DossierEvent::Note | DossierEvent::MessageSent | DossierEvent::CustomerMessage => true,
        };
        if !legal {
            illegal.insert(e.id);
            continue;
        }
        match &e.event {
            DossierEvent::Opened(_) => opened_yet = true,
            DossierEvent::Action { action } => status = action.target(),
            DossierEvent::Satisfaction { .. } => {
                csat = true;
                followed = true;
            }
            DossierEvent::FollowUpDone { .. } => followed = true,
            DossierEvent::FollowUpCall {
                reason,
                next_call_at: None,
                ..
            } => match reason {
                FollowUpReason::AfterClosure => followed = true,
                FollowUpReason::LowScore => called_back = true,
            },
            _ => {}
        }
    }
    (illegal, status)
}

fn any_event() -> impl Strategy<Value = DossierEvent> {
    prop_oneof![
        1 => Just(opened()),
        8 => proptest::sample::select(DossierAction::ALL).prop_map(|action| DossierEvent::Action { action }),
        2 => Just(DossierEvent::Note),
        1 => Just(DossierEvent::Assigned { assignee: Some("Marc".into()) }),
        1 => Just(DossierEvent::Approval { manager_id: None, manager_login: Some("chef".into()) }),
        2 => Just(resolution()),
        1 => (1u8..=5).prop_map(|score| DossierEvent::Satisfaction { score, comment: None }),
        1 => Just(DossierEvent::FollowUpDone { outcome: "Rappelé".into() }),
        2 => (any::<bool>(), 0u8..3, proptest::option::of(0i64..100_000)).prop_map(|(low, n, next)| {
            DossierEvent::FollowUpCall {
                reason: if low { FollowUpReason::LowScore } else { FollowUpReason::AfterClosure },
                outcome: if next.is_some() { FollowUpOutcome::NoAnswer } else { FollowUpOutcome::Reached },
                attempt: n,
                next_call_at: next.map(|s| Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()),
            }
        }),
        1 => (0i64..100_000).prop_map(|s| DossierEvent::DeadlineRecomputed {
            promised_at: Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
        }),
    ]
}

/// Events from two or three counters, each with its own increasing clock,
/// starting close together (so their clocks interleave and tie).
fn timelines() -> impl Strategy<Value = Vec<EventRecord>> {
    (
        2u128..=3,
        proptest::collection::vec(
            (0u128..3, 0u64..40, 0u32..3, any_event(), any::<u128>()),
            1..40,
        ),
        any::<bool>(),
    )
        .prop_map(|(devices, raw, with_opening)| {
            let mut clocks = [Hlc {
                physical_ms: 1_000,
                logical: 0,
            }; 3];
            let mut out = Vec::new();
            if with_opening {
                out.push(rec(0, 0, 1_000, 0, opened()));
            }
            for (dev, step, logical, event, id) in raw {
                let d = usize::try_from(dev % devices).unwrap();
                let c = &mut clocks[d];
                *c = Hlc {
                    physical_ms: c.physical_ms + step,
                    logical: if step == 0 { c.logical + 1 } else { logical },
                };
                out.push(rec(id | 1, dev % devices, c.physical_ms, c.logical, event));
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_permutation_and_any_duplicates_fold_the_same(
        events in timelines(),
        order in any::<proptest::sample::Index>(),
        dups in proptest::collection::vec(any::<proptest::sample::Index>(), 0..10),
        seed in any::<u64>(),
    ) {
        let base = fold(&events);
        // A permutation: rotate, then a deterministic shuffle from the seed.
        let mut shuffled = events.clone();
        let k = order.index(shuffled.len());
        shuffled.rotate_left(k);
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            let j = usize::try_from(x % (u64::try_from(i).unwrap() + 1)).unwrap();
            shuffled.swap(i, j);
        }
        prop_assert_eq!(&fold(&shuffled), &base);
        // With duplicates (the same change received twice).
        let mut with_dups = shuffled.clone();
        for d in dups {
            with_dups.push(events[d.index(events.len())].clone());
        }
        with_dups.reverse();
        prop_assert_eq!(&fold(&with_dups), &base);
    }

    #[test]
    fn conflicts_are_exactly_the_illegal_events(events in timelines()) {
        let mut sorted = events.clone();
        sort_events(&mut sorted);
        let (illegal, status) = oracle(&sorted);
        let s = fold(&events);
        let reported: HashSet<DossierEventId> = s.conflicts.iter().map(|c| c.event_id).collect();
        prop_assert_eq!(&reported, &illegal);
        prop_assert_eq!(reported.len(), s.conflicts.len(), "one conflict per event");
        prop_assert!(s.conflicts.iter().all(|c| !c.message_fr.is_empty()));
        prop_assert_eq!(s.status, status);
        // A conflict changes nothing: without the illegal events, the state
        // is the same but for the conflicts list.
        let legal: Vec<EventRecord> = events.iter().filter(|e| !illegal.contains(&e.id)).cloned().collect();
        let mut clean = fold(&legal);
        prop_assert!(clean.conflicts.is_empty());
        clean.conflicts = s.conflicts.clone();
        clean.last_hlc = s.last_hlc;
        prop_assert_eq!(clean, s);
    }
}
