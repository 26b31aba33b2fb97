//! Worked cases of LAW.md, boundary tables, floor checks, TOML errors and
//! property tests of the invariants.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::model::{Channel, SoldAs};
use crate::{Cents, CoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

const TODAY: &str = "2026-11-23";

fn policy() -> Policy {
    Policy::default_policy().expect("default policy loads")
}

/// A store purchase of a new small appliance, opened, failing.
fn base(channel: Channel, purchase: &str, request: &str) -> Case {
    Case {
        channel,
        purchase_date: d(purchase),
        delivery_date: None,
        last_delivery_date: None,
        request_date: d(request),
        defect_noticed_date: None,
        category: "small_appliance".into(),
        sold_as: SoldAs::New,
        personalised: false,
        hygiene_unsealed: false,
        sealed_media_unsealed: false,
        perishable: false,
        withdrawal_info_given: true,
        item_state: ItemState::Opened,
        reason: ReasonKind::Defect,
        severity: Severity::Major,
        price: Cents(20_000),
        delivery_paid: Cents(0),
        commercial_warranty_months: 0,
        commercial_warranty_start: WarrantyStart::Delivery,
        commercial_warranty_guarantor: None,
        days_immobilised: 0,
        repaired_under_guarantee: false,
        replaced_under_guarantee_on: None,
        replacement_instead_of_repair: false,
        remedy_failed: false,
        customer: CustomerHistory::default(),
    }
}

fn web_change_of_mind(delivered: &str, request: &str) -> Case {
    Case {
        delivery_date: Some(d(delivered)),
        reason: ReasonKind::ChangeOfMind,
        item_state: ItemState::Unopened,
        delivery_paid: Cents(990),
        ..base(Channel::Web, delivered, request)
    }
}

fn eval(c: &Case) -> Decision {
    evaluate(&policy(), c, d(TODAY)).expect("valid case")
}

// ---------------------------------------------------------------- LAW.md worked cases

#[test]
fn worked_case_1_web_unopened_day_10_full_refund_incl_delivery() {
    let dec = eval(&web_change_of_mind("2026-11-13", "2026-11-23"));
    let refund = dec.option(Resolution::Refund);
    assert!(refund.allowed && !refund.needs_manager);
    assert_eq!(refund.basis, Basis::Legal);
    assert_eq!(
        refund.article.as_deref(),
        Some(law::WITHDRAWAL_REFUND_ARTICLE)
    );
    assert_eq!(
        refund.amount,
        Some(Cents(20_990)),
        "price + standard delivery"
    );
    assert!(refund.explanation.contains("même moyen de paiement"));
    let credit = dec.option(Resolution::CreditNote);
    assert!(credit.allowed);
    assert_eq!(credit.basis, Basis::Legal);
    assert!(credit.explanation.contains("expressément"));
    assert!(dec.facts.withdrawal_open);
}

#[test]
fn worked_case_2_store_change_of_mind_is_the_published_policy() {
    let c = Case {
        reason: ReasonKind::ChangeOfMind,
        ..base(Channel::Store, "2026-11-18", "2026-11-23")
    };
    let dec = eval(&c);
    assert_eq!(dec.facts.withdrawal_deadline, None);
    let refund = dec.option(Resolution::Refund);
    assert!(!refund.allowed);
    assert!(refund.explanation.contains("rétractation"));
    for r in [Resolution::Exchange, Resolution::CreditNote] {
        let o = dec.option(r);
        assert!(o.allowed, "{r:?}");
        // The chain's published store window: the policy, not a gesture.
        assert_eq!(o.basis, Basis::Policy);
        assert!(!o.needs_manager, "within clerk limits");
        assert_eq!(o.rule.as_deref(), Some("change_of_mind.opened"));
        assert_eq!(o.article, None);
    }
    // 10 % restocking on the credit note, nothing on the exchange.
    assert_eq!(
        dec.option(Resolution::CreditNote).amount,
        Some(Cents(18_000))
    );
    assert_eq!(dec.option(Resolution::Exchange).amount, Some(Cents(20_000)));
}

#[test]
fn worked_case_3_laptop_new_14_months_glc_with_presumption() {
    let c = Case {
        category: "computing".into(),
        ..base(Channel::Store, "2025-09-20", "2026-11-20")
    };
    let dec = eval(&c);
    assert!(dec.facts.guarantee_active && dec.facts.presumption_applies);
    for r in [Resolution::Repair, Resolution::Replacement] {
        let o = dec.option(r);
        assert!(o.allowed && !o.needs_manager, "{r:?}");
        assert_eq!(o.basis, Basis::Legal);
        assert_eq!(o.article.as_deref(), Some(law::GLC_CHOICE_ARTICLE));
    }
    assert_eq!(dec.facts.remedy_deadline, Some(d("2026-12-20")));
    assert_eq!(
        dec.facts.guarantee_end_if_repaired,
        d("2028-03-20"),
        "delivery + 30 months"
    );
    let refusal = dec.option(Resolution::Refusal);
    assert!(refusal.needs_manager, "L241-5");
}

#[test]
fn worked_case_4_refurbished_phone_14_months_presumption_over() {
    let c = Case {
        category: "computing".into(),
        sold_as: SoldAs::Refurbished,
        ..base(Channel::Store, "2025-09-20", "2026-11-20")
    };
    let dec = eval(&c);
    assert!(dec.facts.guarantee_active);
    assert!(!dec.facts.presumption_applies);
    assert_eq!(dec.facts.presumption_end, d("2026-09-20"));
    let repair = dec.option(Resolution::Repair);
    assert!(repair.allowed && repair.needs_manager, "a manager decides");
    assert_eq!(repair.basis, Basis::Legal);
    assert!(repair.explanation.contains("existait à la livraison"));
}

#[test]
fn worked_case_5_tv_26_months_glc_over_hidden_defect() {
    let c = Case {
        category: "tv_hifi".into(),
        ..base(Channel::Store, "2024-09-20", "2026-11-20")
    };
    let dec = eval(&c);
    assert!(!dec.facts.guarantee_active);
    assert_eq!(dec.facts.hidden_defect_deadline, d("2028-11-20"));
    let refund = dec.option(Resolution::Refund);
    assert!(refund.allowed && refund.needs_manager);
    assert_eq!(refund.article.as_deref(), Some(law::HIDDEN_DEFECT_ARTICLE));
    let repair = dec.option(Resolution::Repair);
    assert_eq!(repair.basis, Basis::Policy);
    assert_eq!(repair.rule.as_deref(), Some("resolutions.out_of_guarantee"));
    assert!(!dec.option(Resolution::Replacement).allowed);
    let refusal = dec.option(Resolution::Refusal);
    assert!(refusal.allowed && !refusal.needs_manager);
    assert!(dec
        .mediator
        .as_deref()
        .is_some_and(|m| m.contains("Médiateur")));
    assert_eq!(dec.gesture.as_ref().map(|g| g.amount), Some(Cents(1000)));
}

#[test]
fn worked_case_6_commercial_warranty_extended_by_10_days() {
    let c = Case {
        category: "tv_hifi".into(),
        commercial_warranty_months: 36,
        days_immobilised: 10,
        ..base(Channel::Store, "2024-09-20", "2026-11-20")
    };
    let dec = eval(&c);
    assert_eq!(dec.facts.commercial_warranty_extended_days, 10);
    assert_eq!(dec.facts.commercial_warranty_end, Some(d("2027-09-30")));
    let repair = dec.option(Resolution::Repair);
    assert!(repair.allowed);
    assert_eq!(
        repair.rule.as_deref(),
        Some("resolutions.commercial_warranty")
    );
    assert!(repair
        .explanation
        .contains(law::COMMERCIAL_WARRANTY_ARTICLE));
}

// ---------------------------------------------------------------- boundary table

/// What one row expects of one resolution.
struct Row {
    name: &'static str,
    case: Case,
    resolution: Resolution,
    allowed: bool,
    basis: Option<Basis>,
    needs_manager: Option<bool>,
}

fn row(name: &'static str, case: Case, r: Resolution, allowed: bool) -> Row {
    Row {
        name,
        case,
        resolution: r,
        allowed,
        basis: None,
        needs_manager: None,
    }
}

impl Row {
    fn basis(mut self, b: Basis) -> Row {
        self.basis = Some(b);
        self
    }
    fn manager(mut self, m: bool) -> Row {
        self.needs_manager = Some(m);
        self
    }
}

fn used_web(state: ItemState) -> Case {
    Case {
        item_state: state,
        ..web_change_of_mind("2026-11-01", "2026-11-10")
    }
}

#[test]
fn boundary_table() {
    use Resolution::*;
    let rows = vec![
        // Withdrawal day 14 / 15 (delivered Monday 2026-03-02, deadline Monday 03-16).
        row(
            "withdrawal day 14",
            web_change_of_mind("2026-03-02", "2026-03-16"),
            Refund,
            true,
        )
        .basis(Basis::Legal),
        row(
            "withdrawal day 15",
            web_change_of_mind("2026-03-02", "2026-03-17"),
            Refund,
            false,
        ),
        row(
            "withdrawal day 15: the policy's credit note still",
            web_change_of_mind("2026-03-02", "2026-03-17"),
            CreditNote,
            true,
        )
        .basis(Basis::Policy),
        // Saturday deadline moves to Monday.
        row(
            "deadline Sat→Mon, on Monday",
            web_change_of_mind("2026-03-07", "2026-03-23"),
            Refund,
            true,
        ),
        row(
            "deadline Sat→Mon, Tuesday",
            web_change_of_mind("2026-03-07", "2026-03-24"),
            Refund,
            false,
        ),
        // Whit Monday 2026-05-25 → Tuesday 26.
        row(
            "Whit Monday → Tuesday",
            web_change_of_mind("2026-05-11", "2026-05-26"),
            Refund,
            true,
        ),
        row(
            "Whit Monday → Tuesday, Wednesday",
            web_change_of_mind("2026-05-11", "2026-05-27"),
            Refund,
            false,
        ),
        // 1 May (Friday) + weekend → Monday 4.
        row(
            "1 May + weekend → Monday 4",
            web_change_of_mind("2026-04-17", "2026-05-04"),
            Refund,
            true,
        ),
        row(
            "marketplace is a distance sale",
            Case {
                channel: Channel::Marketplace,
                ..web_change_of_mind("2026-03-02", "2026-03-16")
            },
            Refund,
            true,
        )
        .basis(Basis::Legal),
        row(
            "not informed: +12 months",
            Case {
                withdrawal_info_given: false,
                ..web_change_of_mind("2026-03-02", "2026-11-20")
            },
            Refund,
            true,
        )
        .basis(Basis::Legal),
        // Exclusions (L221-28).
        row(
            "personalised: no withdrawal",
            Case {
                personalised: true,
                ..web_change_of_mind("2026-11-13", "2026-11-20")
            },
            Refund,
            false,
        ),
        row(
            "personalised: no goodwill either",
            Case {
                personalised: true,
                ..web_change_of_mind("2026-11-13", "2026-11-20")
            },
            Exchange,
            false,
        ),
        row(
            "hygiene unsealed: no withdrawal",
            Case {
                hygiene_unsealed: true,
                ..web_change_of_mind("2026-11-13", "2026-11-20")
            },
            Refund,
            false,
        ),
        row(
            "perishable: no withdrawal",
            Case {
                perishable: true,
                ..web_change_of_mind("2026-11-13", "2026-11-20")
            },
            Refund,
            false,
        ),
        row(
            "sealed media unsealed: no withdrawal",
            Case {
                sealed_media_unsealed: true,
                ..web_change_of_mind("2026-11-13", "2026-11-20")
            },
            Refund,
            false,
        ),
        row(
            "excluded category: withdrawal still legal",
            Case {
                category: "consumables".into(),
                ..web_change_of_mind("2026-11-13", "2026-11-20")
            },
            Refund,
            true,
        )
        .basis(Basis::Legal),
        row(
            "excluded category: no goodwill in store",
            Case {
                category: "consumables".into(),
                reason: ReasonKind::ChangeOfMind,
                ..base(Channel::Store, "2026-11-13", "2026-11-20")
            },
            Exchange,
            false,
        ),
        // In store vs web.
        row(
            "store change of mind: no refund",
            Case {
                reason: ReasonKind::ChangeOfMind,
                item_state: ItemState::Unopened,
                ..base(Channel::Store, "2026-11-13", "2026-11-20")
            },
            Refund,
            false,
        ),
        row(
            "store unopened day 30: exchange",
            Case {
                reason: ReasonKind::ChangeOfMind,
                item_state: ItemState::Unopened,
                ..base(Channel::Store, "2026-10-01", "2026-10-31")
            },
            Exchange,
            true,
        )
        .basis(Basis::Policy),
        row(
            "store unopened day 31: no exchange",
            Case {
                reason: ReasonKind::ChangeOfMind,
                item_state: ItemState::Unopened,
                ..base(Channel::Store, "2026-10-01", "2026-11-01")
            },
            Exchange,
            false,
        ),
        row(
            "store opened day 16: no credit note",
            Case {
                reason: ReasonKind::ChangeOfMind,
                ..base(Channel::Store, "2026-10-01", "2026-10-17")
            },
            CreditNote,
            false,
        ),
        row(
            "store used: not taken back",
            Case {
                reason: ReasonKind::ChangeOfMind,
                item_state: ItemState::Used,
                ..base(Channel::Store, "2026-11-13", "2026-11-14")
            },
            Exchange,
            false,
        ),
        row(
            "web used within 14 days: legal refund, manager on depreciation? no",
            used_web(ItemState::Used),
            Refund,
            true,
        )
        .basis(Basis::Legal)
        .manager(false),
        row(
            "credit note above clerk limit needs manager",
            Case {
                reason: ReasonKind::ChangeOfMind,
                item_state: ItemState::Unopened,
                price: Cents(40_000),
                ..base(Channel::Store, "2026-11-13", "2026-11-20")
            },
            CreditNote,
            true,
        )
        .basis(Basis::Policy)
        .manager(true),
        row(
            "credit note at clerk limit",
            Case {
                reason: ReasonKind::ChangeOfMind,
                item_state: ItemState::Unopened,
                price: Cents(30_000),
                ..base(Channel::Store, "2026-11-13", "2026-11-20")
            },
            CreditNote,
            true,
        )
        .manager(false),
        // Presumption month 12 / 24.
        row(
            "used item, presumption last day",
            Case {
                sold_as: SoldAs::Used,
                ..base(Channel::Store, "2025-11-20", "2026-11-20")
            },
            Repair,
            true,
        )
        .basis(Basis::Legal)
        .manager(false),
        row(
            "used item, presumption over next day",
            Case {
                sold_as: SoldAs::Used,
                ..base(Channel::Store, "2025-11-20", "2026-11-21")
            },
            Repair,
            true,
        )
        .manager(true),
        row(
            "refurbished = second hand, month 13",
            Case {
                sold_as: SoldAs::Refurbished,
                ..base(Channel::Store, "2025-10-20", "2026-11-20")
            },
            Replacement,
            true,
        )
        .manager(true),
        row(
            "new, month 13: presumption",
            Case {
                sold_as: SoldAs::New,
                ..base(Channel::Store, "2025-10-20", "2026-11-20")
            },
            Replacement,
            true,
        )
        .manager(false),
        row(
            "new, GLC last day",
            base(Channel::Store, "2024-11-20", "2026-11-20"),
            Repair,
            true,
        )
        .basis(Basis::Legal)
        .manager(false),
        row(
            "new, GLC day after",
            base(Channel::Store, "2024-11-20", "2026-11-21"),
            Replacement,
            false,
        ),
        row(
            "GLC counts from delivery, not purchase",
            Case {
                delivery_date: Some(d("2024-12-01")),
                ..base(Channel::Web, "2024-11-20", "2026-11-21")
            },
            Repair,
            true,
        )
        .basis(Basis::Legal),
        row(
            "GLC +6 months after a GLC repair",
            Case {
                repaired_under_guarantee: true,
                ..base(Channel::Store, "2024-09-01", "2026-11-20")
            },
            Repair,
            true,
        )
        .basis(Basis::Legal),
        row(
            "new GLC after a replacement instead of the chosen repair (L217-13)",
            Case {
                replaced_under_guarantee_on: Some(d("2025-06-01")),
                replacement_instead_of_repair: true,
                ..base(Channel::Store, "2023-06-01", "2026-11-20")
            },
            Replacement,
            true,
        )
        .basis(Basis::Legal),
        row(
            "a replacement the customer chose: the GLC runs on from delivery (L217-13)",
            Case {
                replaced_under_guarantee_on: Some(d("2025-06-01")),
                ..base(Channel::Store, "2023-06-01", "2026-11-20")
            },
            Replacement,
            false,
        ),
        row(
            "wrong item is a lack of conformity",
            Case {
                reason: ReasonKind::WrongItem,
                ..base(Channel::Web, "2026-11-01", "2026-11-20")
            },
            Replacement,
            true,
        )
        .basis(Basis::Legal),
        row(
            "delivery damage is a lack of conformity",
            Case {
                reason: ReasonKind::DeliveryDamage,
                ..base(Channel::Web, "2026-11-01", "2026-11-20")
            },
            Repair,
            true,
        )
        .basis(Basis::Legal),
        row(
            "refusal inside GLC needs a manager",
            base(Channel::Store, "2026-01-01", "2026-11-20"),
            Refusal,
            true,
        )
        .manager(true),
        row(
            "refusal after GLC, clerk may",
            base(Channel::Store, "2020-01-01", "2026-11-20"),
            Refusal,
            true,
        )
        .manager(false),
        row(
            "remedy failed: refund L217-14",
            Case {
                remedy_failed: true,
                ..base(Channel::Store, "2026-01-01", "2026-11-20")
            },
            Refund,
            true,
        )
        .basis(Basis::Legal)
        .manager(true),
        row(
            "hidden defect beyond 2 years of discovery",
            Case {
                defect_noticed_date: Some(d("2024-10-01")),
                ..base(Channel::Store, "2020-01-01", "2026-11-20")
            },
            Refund,
            false,
        ),
        // Commercial warranty immobilisation 6 vs 7 days (warranty ends 2026-11-15 without extension).
        row(
            "immobilised 6 days: no extension",
            Case {
                commercial_warranty_months: 36,
                days_immobilised: 6,
                ..base(Channel::Store, "2023-11-15", "2026-11-20")
            },
            SendToManufacturer,
            true,
        )
        .basis(Basis::Policy),
    ];
    assert!(rows.len() >= 30, "{} rows", rows.len());
    for r in rows {
        let dec = eval(&r.case);
        let o = dec.option(r.resolution);
        assert_eq!(o.resolution, r.resolution);
        assert_eq!(
            o.allowed, r.allowed,
            "{}: allowed ({})",
            r.name, o.explanation
        );
        if let Some(b) = r.basis {
            assert_eq!(o.basis, b, "{}: basis", r.name);
        }
        if let Some(m) = r.needs_manager {
            assert_eq!(o.needs_manager, m, "{}: needs_manager", r.name);
        }
        assert!(!o.explanation.is_empty(), "{}: explanation", r.name);
    }
}

#[test]
fn withdrawal_deadlines_after_the_working_day_rule() {
    let rows = [
        ("2026-03-02", "2026-03-16"), // Monday, nothing moves
        ("2026-03-07", "2026-03-23"), // Saturday → Monday
        ("2026-03-08", "2026-03-23"), // Sunday → Monday
        ("2026-05-11", "2026-05-26"), // Whit Monday → Tuesday
        ("2026-04-17", "2026-05-04"), // 1 May Friday + weekend → Monday
        ("2026-04-30", "2026-05-15"), // Ascension Thursday 14 May → Friday 15
    ];
    for (delivered, expected) in rows.iter().take(5) {
        let f = legal_facts(&web_change_of_mind(delivered, delivered), &policy());
        assert_eq!(
            f.withdrawal_deadline,
            Some(d(expected)),
            "delivered {delivered}"
        );
    }
    let f = legal_facts(&web_change_of_mind(rows[5].0, rows[5].0), &policy());
    assert_eq!(
        f.withdrawal_deadline,
        Some(d("2026-05-15")),
        "Ascension → Friday"
    );
    // Not informed: 14 days + 12 months, then the working-day rule.
    let c = Case {
        withdrawal_info_given: false,
        ..web_change_of_mind("2025-03-02", "2025-03-02")
    };
    assert_eq!(
        legal_facts(&c, &policy()).withdrawal_deadline,
        Some(d("2026-03-16"))
    );
}

#[test]
fn immobilisation_six_vs_seven_days() {
    let mk = |days| Case {
        commercial_warranty_months: 36,
        days_immobilised: days,
        ..base(Channel::Store, "2023-11-15", "2026-11-20")
    };
    let six = eval(&mk(6));
    assert_eq!(six.facts.commercial_warranty_extended_days, 0);
    assert_eq!(six.facts.commercial_warranty_end, Some(d("2026-11-15")));
    assert_eq!(
        six.option(Resolution::Repair).rule.as_deref(),
        Some("resolutions.out_of_guarantee")
    );
    let seven = eval(&mk(7));
    assert_eq!(seven.facts.commercial_warranty_extended_days, 7);
    assert_eq!(seven.facts.commercial_warranty_end, Some(d("2026-11-22")));
    assert_eq!(
        seven.option(Resolution::Repair).rule.as_deref(),
        Some("resolutions.commercial_warranty")
    );
}

#[test]
fn presumption_months_by_sold_as() {
    for (sold_as, end) in [
        (SoldAs::New, "2026-01-10"),
        (SoldAs::Used, "2025-01-10"),
        (SoldAs::Refurbished, "2025-01-10"),
    ] {
        let f = legal_facts(
            &Case {
                sold_as,
                ..base(Channel::Store, "2024-01-10", "2024-02-01")
            },
            &policy(),
        );
        assert_eq!(f.presumption_end, d(end), "{sold_as:?}");
        assert_eq!(f.guarantee_end, d("2026-01-10"), "GLC is 2 years for all");
    }
}

#[test]
fn bad_dates_are_errors() {
    let p = policy();
    let before = base(Channel::Store, "2026-11-10", "2026-11-09");
    assert!(matches!(
        evaluate(&p, &before, d(TODAY)),
        Err(CoreError::DateBeforePurchase {
            field: "request_date",
            ..
        })
    ));
    let future = base(Channel::Store, "2026-11-10", "2026-11-24");
    let err = evaluate(&p, &future, d(TODAY)).expect_err("must fail");
    assert!(matches!(
        err,
        CoreError::DateInFuture {
            field: "request_date",
            ..
        }
    ));
    assert!(err.message_fr().contains("24/11/2026"));
    let delivery = Case {
        delivery_date: Some(d("2026-11-01")),
        ..base(Channel::Web, "2026-11-10", "2026-11-20")
    };
    assert!(matches!(
        evaluate(&p, &delivery, d(TODAY)),
        Err(CoreError::DateBeforePurchase {
            field: "delivery_date",
            ..
        })
    ));
    let negative = Case {
        price: Cents(-1),
        ..base(Channel::Store, "2026-11-10", "2026-11-20")
    };
    assert!(matches!(
        evaluate(&p, &negative, d(TODAY)),
        Err(CoreError::NegativeAmount { field: "price" })
    ));
}

// ---------------------------------------------------------------- policy document

fn edited(from: &str, to: &str) -> String {
    assert!(DEFAULT_POLICY_TOML.contains(from), "fixture: {from}");
    DEFAULT_POLICY_TOML.replacen(from, to, 1)
}

#[test]
fn default_policy_loads() {
    let p = policy();
    assert_eq!(p.id, "sav-unifie");
    assert_eq!(p.effective_from, d("2026-01-01"));
    assert_eq!(p.authority.refund_cents.0, Cents(15_000));
    assert!(p
        .category("made_to_measure")
        .is_some_and(|c| !c.change_of_mind));
}

#[test]
fn policies_below_the_floor_are_rejected_naming_rule_and_article() {
    let rows = [
        (
            "withdrawal_days = 14",
            "withdrawal_days = 13",
            "distance_sales.withdrawal_days",
            "L221-18",
        ),
        (
            "refund_within_days = 14",
            "refund_within_days = 20",
            "distance_sales.refund_within_days",
            "L221-24",
        ),
        (
            "refund_standard_delivery = true",
            "refund_standard_delivery = false",
            "distance_sales.refund_standard_delivery",
            "L221-24",
        ),
        (
            "credit_note_without_agreement = false",
            "credit_note_without_agreement = true",
            "distance_sales.credit_note_without_agreement",
            "L221-24",
        ),
        (
            "unopened = { days = 30",
            "unopened = { days = 10",
            "change_of_mind.unopened.days",
            "L221-18",
        ),
        (
            "remedy_within_days = 30",
            "remedy_within_days = 31",
            "legal_guarantee.remedy_within_days",
            "L217-10",
        ),
        (
            "immobilisation_extension_from_days = 7",
            "immobilisation_extension_from_days = 8",
            "legal_guarantee.immobilisation_extension_from_days",
            "L217-28",
        ),
        (
            "legal_guarantee = [\"repair\", \"replacement\", ",
            "legal_guarantee = [\"repair\", ",
            "resolutions.legal_guarantee",
            "L217-9",
        ),
        (
            "legal_guarantee = [\"repair\", \"replacement\", ",
            "legal_guarantee = [\"replacement\", ",
            "resolutions.legal_guarantee",
            "L217-9",
        ),
        (
            "legal_guarantee = [\"repair\", \"replacement\", ",
            "legal_guarantee = [\"refusal\", \"repair\", \"replacement\", ",
            "resolutions.legal_guarantee",
            "L241-5",
        ),
        (
            "clerk_may_refuse_in_guarantee = false",
            "clerk_may_refuse_in_guarantee = true",
            "authority.clerk_may_refuse_in_guarantee",
            "L241-5",
        ),
    ];
    for (from, to, field, article) in rows {
        let err = Policy::from_toml(&edited(from, to)).expect_err("must fail");
        match &err {
            CoreError::PolicyBelowLegalFloor {
                field: f,
                article: a,
                rule,
                ..
            } => {
                assert_eq!(f, field);
                assert!(a.contains(article), "{field}: {a}");
                assert!(!rule.is_empty());
            }
            other => panic!("{field}: expected a floor error, got {other:?}"),
        }
        assert_eq!(err.code(), "policy_below_legal_floor");
        assert!(err.message_fr().contains(article), "{}", err.message_fr());
    }
    let no_mediator = edited("mediator = \"", "mediator = \"  \" #");
    assert!(matches!(
        Policy::from_toml(&no_mediator),
        Err(CoreError::PolicyBelowLegalFloor { article, .. }) if article.contains("L612-1")
    ));
}

#[test]
fn inline_table_floor_error_names_its_line() {
    let text = edited("unopened = { days = 30", "unopened = { days = 7");
    match Policy::from_toml(&text) {
        Err(CoreError::PolicyBelowLegalFloor { line, field, .. }) => {
            assert_eq!(field, "change_of_mind.unopened.days");
            assert_eq!(line, Some(line_of(&text, "unopened")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn change_of_mind_resolutions_are_checked() {
    let text = edited(
        "unopened = { days = 30, resolutions = [\"exchange\"",
        "unopened = { days = 30, resolutions = [\"repair\"",
    );
    let (line, _, field, detail) = invalid(&text);
    assert_eq!(field, "change_of_mind.unopened.resolutions");
    assert_eq!(line, line_of(&text, "unopened"));
    assert!(detail.contains("repair"));
}

#[test]
fn floor_error_names_the_line() {
    let text = edited("withdrawal_days = 14", "withdrawal_days = 7");
    let line = text
        .lines()
        .position(|l| l.starts_with("withdrawal_days"))
        .map(|i| i + 1);
    match Policy::from_toml(&text) {
        Err(CoreError::PolicyBelowLegalFloor { line: l, .. }) => assert_eq!(l, line),
        other => panic!("{other:?}"),
    }
}

fn invalid(text: &str) -> (usize, usize, String, String) {
    match Policy::from_toml(text) {
        Err(CoreError::PolicyInvalid {
            line,
            column,
            field,
            detail,
        }) => (line, column, field, detail),
        other => panic!("expected PolicyInvalid, got {other:?}"),
    }
}

fn line_of(text: &str, starts: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with(starts))
        .expect("line")
        + 1
}

#[test]
fn negative_amount_names_line_and_field() {
    let text = edited("refund_cents = 15000", "refund_cents = -500");
    let (line, column, field, detail) = invalid(&text);
    assert_eq!(line, line_of(&text, "refund_cents"));
    assert!(column > 1);
    assert_eq!(field, "refund_cents");
    assert!(detail.contains("negative"), "{detail}");
}

#[test]
fn unknown_key_names_line_and_field() {
    let text = edited(
        "gesture_cents = 2000",
        "gesture_cents = 2000\nrefund_euros = 150",
    );
    let (line, _, field, detail) = invalid(&text);
    assert_eq!(line, line_of(&text, "refund_euros"));
    assert_eq!(field, "refund_euros");
    assert!(detail.contains("unknown field"), "{detail}");
}

#[test]
fn malformed_toml_names_line() {
    let text = edited("cap_cents = 10000", "cap_cents = = 10000");
    let (line, _, field, _) = invalid(&text);
    assert_eq!(line, line_of(&text, "cap_cents"));
    assert_eq!(field, "cap_cents");
    let missing = edited("version = \"2026.1\"\n", "");
    let (_, _, _, detail) = invalid(&missing);
    assert!(detail.contains("version"), "{detail}");
    let pct = edited("restocking_percent = 10", "restocking_percent = 140");
    let (line, _, _, detail) = invalid(&pct);
    assert_eq!(line, line_of(&pct, "opened"));
    assert!(detail.contains("140"));
    let err = Policy::from_toml(&pct).expect_err("must fail");
    assert!(err.message_fr().contains("ligne"));
}

#[test]
fn a_more_generous_withdrawal_is_honoured() {
    let p =
        Policy::from_toml(&edited("withdrawal_days = 14", "withdrawal_days = 30")).expect("valid");
    let c = web_change_of_mind("2026-03-02", "2026-03-30");
    let dec = evaluate(&p, &c, d(TODAY)).expect("valid");
    assert!(dec.option(Resolution::Refund).allowed);
}

#[test]
fn case_json_round_trip_and_unknown_field() {
    let c = web_change_of_mind("2026-03-02", "2026-03-16");
    let json = serde_json::to_string(&c).expect("json");
    let back: Case = serde_json::from_str(&json).expect("back");
    assert_eq!(back, c);
    let minimal = r#"{"channel":"store","purchase_date":"2026-11-01","request_date":"2026-11-20",
        "category":"tv_hifi","sold_as":"new","item_state":"opened","reason":"defect","price":50000}"#;
    let c: Case = serde_json::from_str(minimal).expect("minimal case");
    assert!(c.withdrawal_info_given);
    assert!(serde_json::from_str::<Case>(&minimal.replace("\"price\"", "\"prix\"")).is_err());
}

// ---------------------------------------------------------------- properties

fn arb_date(from: i32, to: i32) -> impl Strategy<Value = NaiveDate> {
    (from..=to).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap_or(NaiveDate::MIN))
}

prop_compose! {
    fn arb_case()(
        channel in prop::sample::select(Channel::ALL.to_vec()),
        sold_as in prop::sample::select(SoldAs::ALL.to_vec()),
        state in prop::sample::select(ItemState::ALL.to_vec()),
        reason in prop::sample::select(ReasonKind::ALL.to_vec()),
        severity in prop::sample::select(Severity::ALL.to_vec()),
        tier in prop::sample::select(ValueTier::ALL.to_vec()),
        purchase in arb_date(738_000, 739_900),
        delivery_after in 0u64..20,
        last_after in prop::sample::select(vec![0u64, 0, 3, 12]),
        cw_start in prop::sample::select(WarrantyStart::ALL.to_vec()),
        request_after in 0u64..1200,
        flags in prop::array::uniform6(any::<bool>()),
        price in 0i64..500_000,
        cw in prop::sample::select(vec![0u32, 12, 24, 36, 60]),
        immobilised in 0u32..30,
        dossiers in 0u32..5,
        category in prop::sample::select(vec!["tv_hifi", "consumables", "made_to_measure"]),
    ) -> Case {
        let delivery = purchase + chrono::Days::new(delivery_after);
        Case {
            channel,
            purchase_date: purchase,
            delivery_date: Some(delivery),
            last_delivery_date: Some(delivery + chrono::Days::new(last_after)),
            request_date: delivery + chrono::Days::new(last_after + request_after),
            defect_noticed_date: None,
            category: category.into(),
            sold_as,
            personalised: flags[0],
            hygiene_unsealed: flags[1],
            sealed_media_unsealed: flags[2],
            perishable: flags[3],
            withdrawal_info_given: flags[4],
            item_state: state,
            reason,
            severity,
            price: Cents(price),
            delivery_paid: Cents(590),
            commercial_warranty_months: cw,
            commercial_warranty_start: cw_start,
            commercial_warranty_guarantor: Some("Garantie constructeur".into()),
            days_immobilised: immobilised,
            repaired_under_guarantee: flags[5],
            replaced_under_guarantee_on: None,
            replacement_instead_of_repair: false,
            remedy_failed: false,
            customer: CustomerHistory { dossiers_last_30_days: dossiers, value_tier: tier },
        }
    }
}

/// Policies that pass the floor check but are as stingy as allowed: no
/// change of mind, nothing beyond the legal remedies, tiny clerk limits.
fn stingy_policy() -> Policy {
    // Every edit must apply: a reformatted default.toml would otherwise
    // leave the "stingy" policy as generous as the default.
    let edits: [(&str, &str); 7] = [
        ("unopened = { days = 30, resolutions = [\"exchange\", \"credit_note\"] }\n", ""),
        ("opened = { days = 15, resolutions = [\"exchange\", \"credit_note\"], restocking_percent = 10, restocking_cap_cents = 3000 }\n", ""),
        ("legal_guarantee = [\"repair\", \"replacement\", \"send_to_manufacturer\"]", "legal_guarantee = [\"repair\", \"replacement\"]"),
        ("commercial_warranty = [\"repair\", \"send_to_manufacturer\"]", "commercial_warranty = []"),
        ("out_of_guarantee = [\"repair\", \"send_to_manufacturer\"]", "out_of_guarantee = []"),
        ("refund_cents = 15000", "refund_cents = 0"),
        ("refusal_needs_manager = false", "refusal_needs_manager = true"),
    ];
    let text = edits
        .iter()
        .fold(DEFAULT_POLICY_TOML.to_owned(), |text, (from, to)| {
            assert!(text.contains(from), "fixture: {from}");
            text.replacen(from, to, 1)
        });
    let p = Policy::from_toml(&text).expect("stingy policy is still legal");
    assert!(p.change_of_mind.unopened.is_none() && p.change_of_mind.opened.is_none());
    assert!(p.resolutions.commercial_warranty.is_empty() && p.authority.refusal_needs_manager);
    p
}

/// A policy built in code, bypassing the floor check of `from_toml`: the
/// engine must still give every legal option.
fn hand_built_policy() -> Policy {
    let mut p = stingy_policy();
    p.resolutions.legal_guarantee.clear();
    p.distance_sales.withdrawal_days = 0;
    p.authority.clerk_may_refuse_in_guarantee = true;
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn inside_the_glc_a_free_remedy_is_always_offered(c in arb_case()) {
        for p in [policy(), stingy_policy(), hand_built_policy()] {
            let dec = evaluate(&p, &c, last_day()).expect("valid");
            let conformity = c.reason != ReasonKind::ChangeOfMind;
            // Worked out here, not read from the engine: delivered on D, the
            // guarantee runs through D + 24 months (+6 after a repair).
            let delivered = c.delivery_date.expect("arb_case sets it");
            let months = if c.repaired_under_guarantee { 30 } else { 24 };
            let inside = c.request_date
                <= delivered.checked_add_months(chrono::Months::new(months)).expect("in range");
            prop_assert_eq!(dec.facts.guarantee_active, inside);
            if conformity && inside {
                for r in [Resolution::Repair, Resolution::Replacement] {
                    let o = dec.option(r);
                    prop_assert!(o.allowed);
                    prop_assert_eq!(o.basis, Basis::Legal);
                    prop_assert_eq!(o.needs_manager, !dec.facts.presumption_applies);
                }
                prop_assert!(dec.option(Resolution::Refusal).needs_manager);
                prop_assert!(dec.facts.remedy_deadline.is_some_and(|x| x <= c.request_date + chrono::Days::new(30)));
            }
        }
    }

    #[test]
    fn no_policy_removes_a_legal_option(c in arb_case(), hand_built in any::<bool>()) {
        let generous = evaluate(&policy(), &c, last_day()).expect("valid");
        let stingy = if hand_built { hand_built_policy() } else { stingy_policy() };
        let stingy = evaluate(&stingy, &c, last_day()).expect("valid");
        prop_assert_eq!(&generous.facts, &stingy.facts);
        for (g, s) in generous.options.iter().zip(&stingy.options) {
            if g.basis == Basis::Legal && g.allowed {
                prop_assert!(s.allowed, "{:?}", s.resolution);
                prop_assert_eq!(s.basis, Basis::Legal);
                prop_assert_eq!(s.needs_manager, g.needs_manager);
            }
        }
        if generous.facts.withdrawal_open {
            prop_assert!(stingy.option(Resolution::Refund).allowed);
            prop_assert_eq!(stingy.option(Resolution::Refund).amount, c.price.checked_add(c.delivery_paid));
        }
        prop_assert!(stingy.mediator.is_some());
    }

    #[test]
    fn the_engine_is_deterministic(c in arb_case()) {
        let p = policy();
        let a = evaluate(&p, &c, last_day()).expect("valid");
        let b = evaluate(&p, &c, last_day()).expect("valid");
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.options.len(), Resolution::ALL.len());
        for (o, r) in a.options.iter().zip(Resolution::ALL) {
            prop_assert_eq!(o.resolution, *r);
            prop_assert!(!o.explanation.is_empty());
        }
    }
}

/// The last day Comptoir accepts (crate::bounds): "any request is in the
/// past" for the property tests.
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(crate::bounds::MAX_YEAR, 12, 31).expect("a real date")
}
