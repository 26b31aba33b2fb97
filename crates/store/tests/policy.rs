//! The return policy at the counter, on a real SQLite file: options at
//! intake, manager approval with an argon2-hashed PIN and its lockout,
//! decisions on the timeline, gestures on the scale, published documents.
#![allow(clippy::unwrap_used)] // tests and benches: a failed unwrap is a failed run

mod common;

use common::RawPool;

use chrono::{DateTime, Duration, TimeZone, Utc};
use comptoir_core::auth::{ManagerApproval, Role};
use comptoir_core::dossier::*;
use comptoir_core::ids::*;
use comptoir_core::policy::{
    Basis, DecisionChoice, PolicyQuery, Resolution as PolicyResolution, Severity,
    DEFAULT_POLICY_TOML,
};
use comptoir_core::Cents;
use comptoir_demo::showcase;
use comptoir_store::Store;

/// The demo's date (see common::as_of), an hour later.
fn now() -> DateTime<Utc> {
    common::as_of() + Duration::hours(1)
}

async fn line_of(store: &Store, order: &str) -> (CustomerId, OrderLineId) {
    let r = store.search(showcase::WEB_ORDER).await.unwrap();
    let customer = r.hits[0].customer_id;
    let card = store.customer_card(customer).await.unwrap();
    let o = card
        .orders
        .iter()
        .find(|o| o.number == order)
        .unwrap_or_else(|| panic!("order {order} on Hélène's card"));
    (customer, o.lines[0].id)
}

/// The showcase television's unit price.
async fn tv_price(store: &Store, customer: CustomerId) -> Cents {
    store
        .customer_card(customer)
        .await
        .unwrap()
        .orders
        .iter()
        .find(|o| o.number == showcase::tv_order_number(common::as_of()))
        .expect("the television on the card")
        .lines[0]
        .unit_price
}

async fn tv(store: &Store) -> (CustomerId, OrderLineId) {
    line_of(store, &showcase::tv_order_number(common::as_of())).await
}

fn intake(customer: CustomerId, line: OrderLineId, reason: &str) -> OpenDossierInput {
    OpenDossierInput {
        customer_id: customer,
        order_line_id: Some(line),
        declared_product: None,
        reason_code: reason.into(),
        customer_words: "Finalement l'image est trop grande pour le salon.".into(),
        condition: ItemCondition::Good,
        condition_note: None,
        accessories: vec!["Télécommande".into()],
        serial_number: None,
        actor: "Julie Martin".into(),
        assignee: None,
        sealed: false,
        severity: Severity::Major,
        defect_noticed_on: None,
        decision: None,
        approval: None,
    }
}

fn choice(r: PolicyResolution) -> DecisionChoice {
    DecisionChoice {
        resolution: r,
        gesture: None,
        note: None,
    }
}

fn pin(login: &str, pin: &str) -> ManagerApproval {
    ManagerApproval {
        login: login.into(),
        pin: pin.into(),
    }
}

async fn counts(store: &Store) -> (i64, i64) {
    sqlx::query_as("SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossier_events)")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_demo_counter_has_the_default_policy_and_its_users() {
    let (_dir, store) = common::demo_store(50).await;
    let p = store.current_policy(now()).await.unwrap();
    assert_eq!(
        (p.id.as_str(), p.version.as_str()),
        ("sav-unifie", "2026.1")
    );
    let users = store.users(now()).await.unwrap();
    assert_eq!(users.len(), showcase::DEMO_USERS.len());
    assert_eq!(users[0].role, Role::Manager, "managers listed first");
    let managers: Vec<String> = store
        .managers(now())
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.login)
        .collect();
    assert_eq!(
        managers,
        vec!["marc.p", "sophie.r"],
        "managers only, by name"
    );
    let hash: String = sqlx::query_scalar("SELECT pin_hash FROM users WHERE login = 'sophie.r'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$") && !hash.contains("4826"));
}

#[tokio::test]
async fn intake_shows_every_option_with_who_decides_and_why() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = tv(&store).await;
    let q = PolicyQuery {
        customer_id: customer,
        order_line_id: Some(line),
        reason_code: "withdrawal.changed_mind".into(),
        condition: ItemCondition::Good,
        sealed: false,
        severity: Severity::Minor,
        defect_noticed_on: None,
    };
    let p = store.policy_preview(&q, now()).await.unwrap();
    assert_eq!(p.unavailable, None);
    assert_eq!(p.category_label.as_deref(), Some("TV, hi-fi"));
    let d = p.decision.expect("a decision");
    assert_eq!(d.options.len(), 7);
    let credit = d.option(PolicyResolution::CreditNote);
    assert!(credit.allowed && credit.needs_manager, "{credit:?}");
    assert_eq!(credit.basis, Basis::Policy);
    let refund = d.option(PolicyResolution::Refund);
    assert!(!refund.allowed);
    assert!(
        refund.explanation.contains("magasin"),
        "{}",
        refund.explanation
    );

    // Sealed: the unopened window, no restocking fee.
    let sealed = store
        .policy_preview(
            &PolicyQuery {
                sealed: true,
                ..q.clone()
            },
            now(),
        )
        .await
        .unwrap()
        .decision
        .unwrap();
    assert!(
        sealed.option(PolicyResolution::CreditNote).amount > credit.amount,
        "no restocking fee on an unopened product"
    );

    // No policy decision for help with set-up, nor without a purchase.
    let help = store
        .policy_preview(
            &PolicyQuery {
                reason_code: "usage.setup_help".into(),
                ..q.clone()
            },
            now(),
        )
        .await
        .unwrap();
    assert!(help.decision.is_none());
    assert!(help.unavailable.unwrap().contains("motif"));
    assert!(
        help.manager_options.len() == 7 && help.manager_options.iter().all(|o| o.needs_manager),
        "a manager may still decide"
    );
    let none = store
        .policy_preview(
            &PolicyQuery {
                order_line_id: None,
                ..q.clone()
            },
            now(),
        )
        .await
        .unwrap();
    assert!(none.unavailable.unwrap().contains("achat"));
    // An unknown reason is an error, not a silent "no decision".
    let bad = store
        .policy_preview(
            &PolicyQuery {
                reason_code: "nope".into(),
                ..q
            },
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), "unknown_reason");
}

#[tokio::test]
async fn a_choice_above_the_clerk_limit_needs_a_managers_pin_and_lands_on_the_timeline() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = tv(&store).await;
    let mut input = intake(customer, line, "withdrawal.changed_mind");
    input.decision = Some(choice(PolicyResolution::CreditNote));
    let before = counts(&store).await;

    // No approval: refused with the reason, nothing written.
    let e = store.open_dossier(&input, now()).await.unwrap_err();
    assert_eq!(e.code(), "manager_approval_required");
    assert!(e.message_fr().contains("Avoir de"), "{}", e.message_fr());
    assert_eq!(counts(&store).await, before);

    // A clerk's PIN does not approve.
    input.approval = Some(pin("julie.m", "1234"));
    assert_eq!(
        store.open_dossier(&input, now()).await.unwrap_err().code(),
        "not_a_manager"
    );
    // A wrong PIN is counted, and nothing else is written.
    input.approval = Some(pin("sophie.r", "0000"));
    let e = store.open_dossier(&input, now()).await.unwrap_err();
    assert_eq!(e.code(), "pin_wrong");
    assert!(e.message_fr().contains("4 essais"), "{}", e.message_fr());
    assert_eq!(common::failures(&store, "sophie.r").await, 1);
    assert_eq!(counts(&store).await, before);

    // The right PIN: the dossier, the decision and the approval together.
    input.approval = Some(pin("Sophie.R", "4826"));
    let id = store.open_dossier(&input, now()).await.unwrap();
    assert_eq!(
        common::failures(&store, "sophie.r").await,
        0,
        "success resets the count"
    );
    let d = store.dossier_detail(id).await.unwrap().dossier;
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["opened", "decision", "approval"]);
    assert_eq!(d.events[2].actor, "Sophie Roux");
    assert!(d.events[1]
        .note
        .as_deref()
        .unwrap()
        .contains("politique sav-unifie 2026.1"));
    let rec = d.decision.expect("decision on the dossier");
    assert_eq!(rec.resolution, PolicyResolution::CreditNote);
    assert_eq!(rec.approved_by.as_deref(), Some("Sophie Roux"));
    assert_eq!(rec.decided_by, "Julie Martin");
    assert_eq!(rec.policy_version, "2026.1");
    let price = tv_price(&store, customer).await;
    // Opened: 10 % restocking fee capped at 30 € — capped, as the demo TV
    // costs more than 300 €.
    assert!(
        price > Cents(30_000),
        "precondition: the demo TV costs over 300 €"
    );
    assert_eq!(rec.amount, Some(Cents(price.0 - 3_000)));
}

#[tokio::test]
async fn within_the_clerk_limit_no_pin_is_asked_and_refusals_write_nothing() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = tv(&store).await;
    let mut input = intake(customer, line, "withdrawal.changed_mind");
    let price = tv_price(&store, customer).await;
    assert!(
        price < Cents(100_000),
        "precondition: the demo TV costs under 1 000 €"
    );
    // Under the exchange limit (1 000 €): an exchange is the clerk's call.
    input.decision = Some(choice(PolicyResolution::Exchange));
    input.approval = Some(pin("sophie.r", "0000")); // not even looked at
    let id = store.open_dossier(&input, now()).await.unwrap();
    let d = store.dossier_detail(id).await.unwrap().dossier;
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["opened", "decision"]);
    assert_eq!(d.decision.unwrap().approved_by, None);
    assert_eq!(common::failures(&store, "sophie.r").await, 0);

    // A refund is not in the policy for an in-store change of mind.
    let before = counts(&store).await;
    input.decision = Some(choice(PolicyResolution::Refund));
    let e = store.open_dossier(&input, now()).await.unwrap_err();
    assert_eq!(e.code(), "option_not_allowed");
    assert!(e
        .message_fr()
        .starts_with("« Remboursement » n'est pas possible"));
    assert_eq!(counts(&store).await, before);
}

#[tokio::test]
async fn five_wrong_pins_lock_the_manager_for_fifteen_minutes() {
    let (_dir, store) = common::demo_store(50).await;
    let t = now();
    // Anything that is not the PIN counts, letters and a 10,000-digit
    // string included (never hashed).
    let long = "9".repeat(10_000);
    for (left, typed) in [(4, "9999"), (3, "abcd"), (2, long.as_str())] {
        let e = store
            .verify_manager(&pin("marc.p", typed), t)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "pin_wrong");
        assert_eq!(
            e.message_fr(),
            format!("Code incorrect. Il reste {left} essais avant le verrouillage du compte.")
        );
    }
    let e = store
        .verify_manager(&pin("marc.p", "0000"), t)
        .await
        .unwrap_err();
    assert_eq!(
        e.message_fr(),
        "Code incorrect. Dernier essai avant le verrouillage du compte."
    );
    let e = store
        .verify_manager(&pin("marc.p", "9999"), t)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "account_locked");
    // Locked: even the right PIN is refused, and the lock shows in the list.
    let e = store
        .verify_manager(&pin("marc.p", "1357"), t + Duration::minutes(14))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "account_locked");
    assert!(e.message_fr().contains("verrouillé"));
    let marc_at = |at| {
        let store = store.clone();
        async move {
            store
                .users(at)
                .await
                .unwrap()
                .into_iter()
                .find(|u| u.login == "marc.p")
                .unwrap()
        }
    };
    assert_eq!(
        marc_at(t).await.locked_until,
        Some(t + Duration::minutes(15))
    );
    assert_eq!(
        marc_at(t + Duration::minutes(15)).await.locked_until,
        None,
        "a lock that has run out is not shown"
    );
    // Another manager is not affected.
    store
        .verify_manager(&pin("sophie.r", "4826"), t)
        .await
        .unwrap();
    // After fifteen minutes the right PIN works and clears the counter.
    let m = store
        .verify_manager(&pin("marc.p", "1357"), t + Duration::minutes(15))
        .await
        .unwrap();
    assert_eq!(m.display_name, "Marc Petit");
    assert_eq!(common::failures(&store, "marc.p").await, 0);
    // An administrator can lift a lock at once.
    let mut last = None;
    for _ in 0..5 {
        last = store
            .verify_manager(&pin("marc.p", "9999"), t + Duration::minutes(20))
            .await
            .err();
    }
    assert_eq!(
        last.map(|e| e.code()),
        Some("account_locked"),
        "locked again"
    );
    store.unlock_user("marc.p").await.unwrap();
    store
        .verify_manager(&pin("marc.p", "1357"), t + Duration::minutes(20))
        .await
        .unwrap();
    assert_eq!(
        store
            .verify_manager(&pin("nobody", "1357"), t)
            .await
            .unwrap_err()
            .code(),
        "not_a_manager",
        "an unknown login is no manager (the dialog stays open)"
    );
}

#[tokio::test]
async fn gestures_follow_the_scale_and_their_cost_is_recorded() {
    let (_dir, store) = common::demo_store(50).await;
    // The robot bought online and delivered on 5 October: a defect under
    // the legal guarantee; Hélène has had dossiers recently.
    let (customer, line) = line_of(&store, showcase::WEB_ORDER).await;
    let mut input = intake(customer, line, "defect.battery");
    input.severity = Severity::Critical;
    let id = store.open_dossier(&input, now()).await.unwrap();
    let preview = store.dossier_policy(id, now()).await.unwrap();
    let d = preview.decision.unwrap();
    let repair = d.option(PolicyResolution::Repair);
    assert!(repair.allowed && !repair.needs_manager && repair.basis == Basis::Legal);
    let scale = d.gesture.clone().expect("a gesture on the scale");
    assert!(scale.amount > scale.clerk_limit, "{scale:?}");

    let with_gesture = |g: i64| DecisionChoice {
        resolution: PolicyResolution::Repair,
        gesture: Some(Cents(g)),
        note: Some("Client très gêné : robot indispensable.".into()),
    };
    let e = store
        .decide(
            id,
            &with_gesture(scale.amount.0 + 1),
            None,
            "Julie Martin",
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "gesture_above_scale");
    let e = store
        .decide(
            id,
            &with_gesture(scale.amount.0),
            None,
            "Julie Martin",
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "manager_approval_required");
    let rec = store
        .decide(
            id,
            &with_gesture(scale.clerk_limit.0),
            None,
            "Julie Martin",
            now(),
        )
        .await
        .unwrap();
    assert_eq!(rec.gesture, Some(scale.clerk_limit));
    let cost: Option<i64> = sqlx::query_scalar("SELECT gesture_cents FROM dossiers WHERE id = ?")
        .bind(id)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(cost, Some(scale.clerk_limit.0));

    // Closure records that gesture, never more.
    for action in [comptoir_core::workflow::DossierAction::Diagnose] {
        store
            .dossier_action(id, action, "Karim Benali", None, now())
            .await
            .unwrap();
    }
    let close = |amount: i64| Resolution {
        summary: "Batterie remplacée".into(),
        parts: vec![],
        cost: Cents(3_900),
        gesture: Some(Gesture {
            description: "Bon d'achat".into(),
            amount: Cents(amount),
        }),
        template: "closing.repaired".into(),
    };
    let e = store
        .close_dossier(
            id,
            &close(scale.clerk_limit.0 + 100),
            "Julie Martin",
            3,
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "gesture_not_decided");
    store
        .close_dossier(id, &close(scale.clerk_limit.0), "Julie Martin", 3, now())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_legal_repair_extends_the_guarantee_for_the_next_dossier_on_the_line() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = line_of(&store, showcase::WEB_ORDER).await;
    let mut input = intake(customer, line, "defect.battery");
    input.decision = Some(choice(PolicyResolution::Repair));
    let first = store.open_dossier(&input, now()).await.unwrap();
    let before = store
        .dossier_policy(first, now())
        .await
        .unwrap()
        .decision
        .unwrap();
    store
        .dossier_action(
            first,
            comptoir_core::workflow::DossierAction::Diagnose,
            "Karim Benali",
            None,
            now(),
        )
        .await
        .unwrap();
    let done = Resolution {
        summary: "Batterie remplacée".into(),
        parts: vec![],
        cost: Cents(3_900),
        gesture: None,
        template: "closing.repaired".into(),
    };
    store
        .close_dossier(first, &done, "Julie Martin", 3, now())
        .await
        .unwrap();
    input.decision = None;
    let second = store
        .open_dossier(&input, now() + Duration::days(1))
        .await
        .unwrap();
    let after = store
        .dossier_policy(second, now() + Duration::days(1))
        .await
        .unwrap()
        .decision
        .unwrap();
    assert_eq!(
        after.facts.guarantee_end, before.facts.guarantee_end_if_repaired,
        "+6 months after a repair under the legal guarantee (L217-13)"
    );

    // The committed deadline reads the same guarantee: two months after the
    // first 24 months, the repaired good is still under it, so the new
    // dossier's deadline is capped at 30 days; the same good never repaired
    // (another demo database) is not.
    let late = before
        .facts
        .guarantee_end
        .and_hms_opt(9, 0, 0)
        .unwrap()
        .and_utc()
        + Duration::days(61);
    assert!(late.date_naive() < after.facts.guarantee_end);
    let third = store.open_dossier(&input, late).await.unwrap();
    let capped = store.dossier_detail(third).await.unwrap().dossier;
    assert_eq!(capped.legal_cap_at, Some(late + Duration::days(30)));
    let (_other_dir, other) = common::demo_store(50).await;
    let (customer, line) = line_of(&other, showcase::WEB_ORDER).await;
    let never_repaired = other
        .open_dossier(&intake(customer, line, "defect.battery"), late)
        .await
        .unwrap();
    assert_eq!(
        other
            .dossier_detail(never_repaired)
            .await
            .unwrap()
            .dossier
            .legal_cap_at,
        None,
        "past 24 months without a legal repair: no legal cap"
    );
}

#[tokio::test]
async fn published_policies_are_checked_versioned_and_dated() {
    let (_dir, store) = common::demo_store(20).await;
    // The same document again: nothing changes.
    store
        .install_policy(DEFAULT_POLICY_TOML, now())
        .await
        .unwrap();
    // Same version, other text: refused.
    let tampered = DEFAULT_POLICY_TOML.replace("refund_cents = 15000", "refund_cents = 99000");
    let e = store.install_policy(&tampered, now()).await.unwrap_err();
    assert_eq!(e.code(), "policy_version_conflict");
    // Below the legal floor: refused naming the article, nothing stored.
    let stingy = DEFAULT_POLICY_TOML
        .replace("version = \"2026.1\"", "version = \"2027.1\"")
        .replace("withdrawal_days = 14", "withdrawal_days = 10");
    let e = store.install_policy(&stingy, now()).await.unwrap_err();
    assert_eq!(e.code(), "policy_below_legal_floor");
    assert!(e.message_fr().contains("L221-18"), "{}", e.message_fr());
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM policies")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
    // A new version takes effect on its date, not before.
    let next = DEFAULT_POLICY_TOML
        .replace("version = \"2026.1\"", "version = \"2027.1\"")
        .replace("effective_from = 2026-01-01", "effective_from = 2027-01-01");
    store.install_policy(&next, now()).await.unwrap();
    assert_eq!(store.current_policy(now()).await.unwrap().version, "2026.1");
    // In force from the store's local midnight: 23:30 UTC on New Year's
    // Eve is already 2027 in Lyon.
    let eve = Utc.with_ymd_and_hms(2026, 12, 31, 22, 30, 0).unwrap();
    let new_year_in_lyon = Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap();
    assert_eq!(store.current_policy(eve).await.unwrap().version, "2026.1");
    assert_eq!(
        store
            .current_policy(new_year_in_lyon)
            .await
            .unwrap()
            .version,
        "2027.1"
    );
}

#[tokio::test]
async fn two_wrong_pins_at_the_same_time_are_both_counted() {
    let (dir, store) = common::demo_store(20).await;
    // Two counters on the same database file.
    let other = Store::open(&common::db_path(&dir), comptoir_store::OpenMode::MustExist)
        .await
        .unwrap();
    let (first, second) = (pin("sophie.r", "1111"), pin("sophie.r", "2222"));
    let (a, b) = tokio::join!(
        store.verify_manager(&first, now()),
        other.verify_manager(&second, now()),
    );
    assert_eq!(a.unwrap_err().code(), "pin_wrong");
    assert_eq!(b.unwrap_err().code(), "pin_wrong");
    assert_eq!(common::failures(&store, "sophie.r").await, 2);
}

#[tokio::test]
async fn a_late_decision_is_judged_on_the_day_the_customer_asked() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = tv(&store).await;
    // Opened today, six days after the purchase, decided later.
    let id = store
        .open_dossier(&intake(customer, line, "withdrawal.changed_mind"), now())
        .await
        .unwrap();
    let later = now() + Duration::days(20);
    // A stricter policy takes effect in between: it does not apply to a
    // request made before it.
    let stricter = DEFAULT_POLICY_TOML
        .replace("version = \"2026.1\"", "version = \"2026.2\"")
        .replace("effective_from = 2026-01-01", "effective_from = 2026-12-03")
        .replace("exchange_cents = 100000", "exchange_cents = 0");
    store.install_policy(&stricter, now()).await.unwrap();
    assert_eq!(store.current_policy(later).await.unwrap().version, "2026.2");
    let p = store.dossier_policy(id, later).await.unwrap();
    let d = p.decision.expect("a decision");
    let exchange = d.option(PolicyResolution::Exchange);
    assert!(
        exchange.allowed,
        "asked inside the 15-day window: still allowed 20 days later: {}",
        exchange.explanation
    );
    // Under 2026.1 an exchange is the clerk's call (2026.2 would need a
    // manager): no PIN is asked, and the record names 2026.1.
    let rec = store
        .decide(
            id,
            &choice(PolicyResolution::Exchange),
            None,
            "Karim Benali",
            later,
        )
        .await
        .unwrap();
    assert_eq!(rec.policy_version, "2026.1");
    // The same request made today would be out of the window.
    let q = PolicyQuery {
        customer_id: customer,
        order_line_id: Some(line),
        reason_code: "withdrawal.changed_mind".into(),
        condition: ItemCondition::Good,
        sealed: false,
        severity: Severity::Major,
        defect_noticed_on: None,
    };
    let fresh = store
        .policy_preview(&q, later)
        .await
        .unwrap()
        .decision
        .unwrap();
    assert!(!fresh.option(PolicyResolution::Exchange).allowed);
}

#[tokio::test]
async fn a_decision_can_still_be_taken_after_hand_back_but_not_after_closure() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = line_of(&store, showcase::WEB_ORDER).await;
    let id = store
        .open_dossier(&intake(customer, line, "defect.battery"), now())
        .await
        .unwrap();
    use comptoir_core::workflow::DossierAction as A;
    for a in [A::Diagnose, A::MarkReady, A::HandBack] {
        store
            .dossier_action(id, a, "Karim Benali", None, now())
            .await
            .unwrap();
    }
    let rec = store
        .decide(
            id,
            &DecisionChoice {
                resolution: PolicyResolution::Repair,
                gesture: Some(Cents(1_000)),
                note: None,
            },
            None,
            "Julie Martin",
            now(),
        )
        .await
        .unwrap();
    assert_eq!(rec.gesture, Some(Cents(1_000)));
    let done = Resolution {
        summary: "Batterie remplacée".into(),
        parts: vec![],
        cost: Cents(3_900),
        gesture: Some(Gesture {
            description: "Bon d'achat".into(),
            amount: Cents(1_000),
        }),
        template: "closing.repaired".into(),
    };
    store
        .close_dossier(id, &done, "Julie Martin", 3, now())
        .await
        .unwrap();
    let e = store
        .decide(
            id,
            &choice(PolicyResolution::Repair),
            Some(&pin("sophie.r", "0000")),
            "Julie Martin",
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "dossier_closed");
    assert!(e.message_fr().contains("clos"), "{}", e.message_fr());
    assert_eq!(
        common::failures(&store, "sophie.r").await,
        0,
        "no PIN checked for a refused action"
    );
}

#[tokio::test]
async fn a_refusal_without_a_written_reason_is_refused_before_any_pin() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = line_of(&store, showcase::WEB_ORDER).await;
    let id = store
        .open_dossier(&intake(customer, line, "defect.battery"), now())
        .await
        .unwrap();
    let e = store
        .decide(
            id,
            &choice(PolicyResolution::Refusal),
            Some(&pin("sophie.r", "0000")),
            "Julie Martin",
            now(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "refusal_needs_reason");
    assert_eq!(
        common::failures(&store, "sophie.r").await,
        0,
        "the PIN was not even checked"
    );
    assert!(store
        .dossier_detail(id)
        .await
        .unwrap()
        .dossier
        .decision
        .is_none());
}

#[tokio::test]
async fn without_a_purchase_record_a_manager_decides() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, _) = tv(&store).await;
    let mut input = intake(customer, OrderLineId::new(), "defect.no_power");
    input.order_line_id = None;
    input.declared_product = Some("Cafetière achetée il y a longtemps".into());
    input.decision = Some(DecisionChoice {
        resolution: PolicyResolution::Repair,
        gesture: None,
        note: Some("Réparation payante acceptée par le client.".into()),
    });
    let before = counts(&store).await;
    let e = store.open_dossier(&input, now()).await.unwrap_err();
    assert_eq!(e.code(), "manager_approval_required");
    assert!(
        e.message_fr().contains("un responsable décide"),
        "{}",
        e.message_fr()
    );
    assert_eq!(counts(&store).await, before);
    // No goodwill scale without a ruling.
    input.decision = Some(DecisionChoice {
        resolution: PolicyResolution::Repair,
        gesture: Some(Cents(500)),
        note: None,
    });
    input.approval = Some(pin("sophie.r", "4826"));
    assert_eq!(
        store.open_dossier(&input, now()).await.unwrap_err().code(),
        "no_gesture_on_scale"
    );
    input.decision = Some(choice(PolicyResolution::Repair));
    let id = store.open_dossier(&input, now()).await.unwrap();
    let d = store.dossier_detail(id).await.unwrap().dossier;
    let rec = d.decision.expect("the manager's decision");
    assert_eq!(
        rec.rule.as_deref(),
        Some(comptoir_core::policy::MANAGER_DECISION_RULE)
    );
    assert_eq!(rec.approved_by.as_deref(), Some("Sophie Roux"));
    assert!(
        rec.explanation.contains("Sans achat retrouvé"),
        "{}",
        rec.explanation
    );
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, vec!["opened", "decision", "approval"]);
    let p = store.dossier_policy(id, now()).await.unwrap();
    assert!(p.decision.is_none() && !p.manager_options.is_empty());
}

#[tokio::test]
async fn the_audit_log_records_pins_lockouts_approvals_and_settings_and_shows_tampering() {
    let (_dir, store) = common::demo_store(50).await;
    let (customer, line) = tv(&store).await;
    let mut input = intake(customer, line, "withdrawal.changed_mind");
    input.decision = Some(choice(PolicyResolution::CreditNote));
    // A wrong PIN, then the right one: the approval.
    input.approval = Some(pin("sophie.r", "0000"));
    assert_eq!(
        store.open_dossier(&input, now()).await.unwrap_err().code(),
        "pin_wrong"
    );
    input.approval = Some(pin("sophie.r", "4826"));
    let id = store.open_dossier(&input, now()).await.unwrap();
    let number = store.dossier_detail(id).await.unwrap().dossier.number;
    // Five wrong PINs lock Marc's account; an administrator lifts it.
    for _ in 0..5 {
        let _ = store.verify_manager(&pin("marc.p", "0000"), now()).await;
    }
    store.unlock_user("marc.p").await.unwrap();
    // A setting changed, then set to the same value (no entry).
    store.set_setting("printer", "ComptoirPDF").await.unwrap();
    store.set_setting("printer", "ComptoirPDF").await.unwrap();

    let entries = store.audit_entries(None, 100).await.unwrap();
    let kinds: Vec<&str> = entries.iter().rev().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            vec!["pin_failed", "manager_approval"],
            vec!["pin_failed"; 5],
            vec!["account_locked", "account_unlocked", "setting_changed"],
        ]
        .concat()
    );
    let approval = entries
        .iter()
        .find(|e| e.kind == "manager_approval")
        .unwrap();
    assert_eq!(
        (approval.actor.as_str(), approval.subject.as_str()),
        ("sophie.r", number.as_str())
    );
    assert_eq!(approval.detail["resolution"], "credit_note");
    assert_eq!(approval.detail["clerk"], "Julie Martin");
    let locked = entries.iter().find(|e| e.kind == "account_locked").unwrap();
    assert_eq!(locked.subject, "marc.p");
    assert_eq!(locked.detail["failures"], 5);
    assert_eq!(
        store
            .audit_entries(Some("pin_failed"), 100)
            .await
            .unwrap()
            .len(),
        6
    );
    let check = store.verify_audit().await.unwrap();
    assert_eq!(check.entries, 10);
    assert_eq!(check.head.len(), 64);

    // Append-only: the file refuses to change or lose an entry…
    let raw = store.pool();
    for sql in [
        "UPDATE audit_log SET actor = 'personne' WHERE seq = 3",
        "DELETE FROM audit_log WHERE seq = 3",
    ] {
        let e = sqlx::query(sql).execute(raw).await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
    }
    // …and an entry changed behind the triggers' back is found, by number.
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(raw)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET detail = '{\"failures\":0}' WHERE seq = 3")
        .execute(raw)
        .await
        .unwrap();
    let e = store.verify_audit().await.unwrap_err();
    assert_eq!(e.code(), "audit_chain_broken");
    assert!(e.message_fr().contains("n° 3"), "{}", e.message_fr());
    assert!(e.message_fr().contains("modifié"), "{}", e.message_fr());
}
