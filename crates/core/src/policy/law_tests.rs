//! Issue 13: each decision checked against the text of the article it
//! rests on, with literal dates worked out from the articles (not from the
//! engine): the contractual period after the legal one, the right article
//! every time, per-shipment deliveries, commercial warranties, bad dates.
//! Plus properties: a legal option never bows to a clerk's authority, a
//! policy-only option is never labelled legal.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::model::{Channel, SoldAs};
use crate::{Cents, CoreError};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

const TODAY: &str = "2030-01-01";

const L221_18: &str = "Code de la consommation, art. L221-18";
const L221_19: &str = "Code de la consommation, art. L221-19";
const L221_24: &str = "Code de la consommation, art. L221-24";
const L221_28: &str = "Code de la consommation, art. L221-28";
const L217_9: &str = "Code de la consommation, art. L217-9";
const L217_28: &str = "Code de la consommation, art. L217-28";
const L241_5: &str = "Code de la consommation, art. L241-5";
const L612_1: &str = "Code de la consommation, art. L612-1";
const CIV_1641: &str = "Code civil, art. 1641";
const CIV_1648: &str = "Code civil, art. 1648";

fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "fixture: {from}");
    text.replacen(from, to, 1)
}

/// The default policy with a 30-day return window for distance sales, and
/// a store window of 30 days that also refunds an unopened product.
fn thirty_day_policy() -> Policy {
    let t = edit(
        DEFAULT_POLICY_TOML,
        "withdrawal_days = 14",
        "withdrawal_days = 30",
    );
    let t = edit(
        &t,
        "unopened = { days = 30, resolutions = [\"exchange\", \"credit_note\"] }",
        "unopened = { days = 30, resolutions = [\"refund\", \"exchange\", \"credit_note\"] }",
    );
    let p = Policy::from_toml(&t).expect("a more generous policy is valid");
    assert_eq!(p.distance_sales.withdrawal_days, 30);
    assert_eq!(
        p.authority.refund_cents.0,
        Cents(15_000),
        "clerk refunds up to 150 €"
    );
    p
}

fn default_policy() -> Policy {
    Policy::default_policy().expect("default policy")
}

/// A case with every optional field at its default.
fn case(channel: Channel, purchase: &str, request: &str) -> Case {
    Case {
        channel,
        purchase_date: d(purchase),
        delivery_date: None,
        last_delivery_date: None,
        request_date: d(request),
        defect_noticed_date: None,
        category: "tv_hifi".into(),
        sold_as: SoldAs::New,
        personalised: false,
        hygiene_unsealed: false,
        sealed_media_unsealed: false,
        perishable: false,
        withdrawal_info_given: true,
        item_state: ItemState::Unopened,
        reason: ReasonKind::ChangeOfMind,
        severity: Severity::Major,
        price: Cents(200_000),
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

fn eval_with(p: &Policy, c: &Case) -> Decision {
    evaluate(p, c, d(TODAY)).expect("valid case")
}

// ------------------------------------------------ 1. contractual period after the legal one

/// A 2,000 € television ordered on the web and received on Sunday
/// 2026-02-15, or bought in store that day. L221-19: the day of receipt is
/// not counted, so day 14 is Sunday 2026-03-01, and the period, ending on a
/// Sunday, runs on to Monday 2026-03-02 (day 15). The policy's 30 days end
/// on Tuesday 2026-03-17 (day 30).
#[test]
fn a_refund_after_the_legal_period_is_the_policys_and_needs_a_manager_above_the_clerk_limit() {
    let p = thirty_day_policy();
    struct R {
        channel: Channel,
        day: u32,
        request: &'static str,
        allowed: bool,
        basis: Basis,
        manager: bool,
        article: Option<&'static str>,
        rule: Option<&'static str>,
    }
    let web = |day, request, allowed, basis, manager, article, rule| R {
        channel: Channel::Web,
        day,
        request,
        allowed,
        basis,
        manager,
        article,
        rule,
    };
    let store = |day, request, allowed, manager, rule| R {
        channel: Channel::Store,
        day,
        request,
        allowed,
        basis: Basis::Policy,
        manager,
        article: None,
        rule,
    };
    let policy_rule = Some("distance_sales.withdrawal_days");
    let store_rule = Some("change_of_mind.unopened");
    let rows = [
        // Web: the law until day 15 (moved by L221-19), then the policy.
        web(
            14,
            "2026-03-01",
            true,
            Basis::Legal,
            false,
            Some(L221_24),
            None,
        ),
        web(
            15,
            "2026-03-02",
            true,
            Basis::Legal,
            false,
            Some(L221_19),
            None,
        ),
        web(
            16,
            "2026-03-03",
            true,
            Basis::Policy,
            true,
            None,
            policy_rule,
        ),
        web(
            20,
            "2026-03-07",
            true,
            Basis::Policy,
            true,
            None,
            policy_rule,
        ),
        web(
            30,
            "2026-03-17",
            true,
            Basis::Policy,
            true,
            None,
            policy_rule,
        ),
        web(31, "2026-03-18", false, Basis::Policy, false, None, None),
        // Store: no legal withdrawal at all; the published store window.
        store(14, "2026-03-01", true, true, store_rule),
        store(15, "2026-03-02", true, true, store_rule),
        store(16, "2026-03-03", true, true, store_rule),
        store(20, "2026-03-07", true, true, store_rule),
        store(30, "2026-03-17", true, true, store_rule),
        store(31, "2026-03-18", false, false, None),
    ];
    for r in rows {
        let c = Case {
            delivery_date: Some(d("2026-02-15")),
            ..case(r.channel, "2026-02-15", r.request)
        };
        let dec = eval_with(&p, &c);
        let o = dec.option(Resolution::Refund);
        let name = format!("{:?} day {}", r.channel, r.day);
        assert_eq!(o.allowed, r.allowed, "{name}: allowed ({})", o.explanation);
        if !r.allowed {
            continue;
        }
        assert_eq!(o.basis, r.basis, "{name}: basis");
        assert_eq!(o.needs_manager, r.manager, "{name}: manager for 2 000 €");
        assert_eq!(o.article.as_deref(), r.article, "{name}: article");
        assert_eq!(o.rule.as_deref(), r.rule, "{name}: rule");
        assert_eq!(o.amount, Some(Cents(200_000)), "{name}: amount");
        if r.basis == Basis::Policy {
            assert!(
                o.explanation.contains("politique"),
                "{name}: says it is the policy: {}",
                o.explanation
            );
        }
        // The legal facts show both ends, and the legal right is closed
        // after day 15 even while the policy's window is open.
        if r.channel == Channel::Web {
            assert_eq!(dec.facts.withdrawal_period_end, Some(d("2026-03-01")));
            assert_eq!(dec.facts.withdrawal_deadline, Some(d("2026-03-02")));
            assert_eq!(dec.facts.policy_withdrawal_deadline, Some(d("2026-03-17")));
            assert_eq!(dec.facts.withdrawal_open, r.day <= 15, "{name}");
            assert_eq!(
                dec.facts.policy_withdrawal_open,
                (16..=30).contains(&r.day),
                "{name}"
            );
        } else {
            assert_eq!(dec.facts.withdrawal_deadline, None);
            assert!(!dec.facts.withdrawal_open && !dec.facts.policy_withdrawal_open);
        }
    }
}

/// Delivered Monday 2026-03-02: day 14 is Monday 2026-03-16, nothing moves.
#[test]
fn day_14_on_a_weekday_is_the_last_legal_day() {
    let p = thirty_day_policy();
    let mk = |request| Case {
        delivery_date: Some(d("2026-03-02")),
        ..case(Channel::Web, "2026-03-01", request)
    };
    let day14 = eval_with(&p, &mk("2026-03-16"));
    let o = day14.option(Resolution::Refund);
    assert_eq!((o.basis, o.needs_manager), (Basis::Legal, false));
    assert_eq!(o.article.as_deref(), Some(L221_24));
    assert!(!o.explanation.contains("L221-19"), "{}", o.explanation);
    let day15 = eval_with(&p, &mk("2026-03-17"));
    let o = day15.option(Resolution::Refund);
    assert_eq!((o.basis, o.needs_manager), (Basis::Policy, true));
    assert_eq!(day15.facts.withdrawal_deadline, Some(d("2026-03-16")));
    // A refund within the clerk's limit needs no manager, still the policy's.
    let small = eval_with(
        &p,
        &Case {
            price: Cents(15_000),
            ..mk("2026-03-17")
        },
    );
    let o = small.option(Resolution::Refund);
    assert_eq!((o.basis, o.needs_manager), (Basis::Policy, false));
}

// ------------------------------------------------ 2. the right article, every time

#[test]
fn each_refusal_and_each_text_cites_its_own_article() {
    let p = default_policy();
    struct R {
        name: &'static str,
        case: Case,
        basis: Basis,
        manager: bool,
        article: &'static str,
    }
    let web_change = |request| Case {
        delivery_date: Some(d("2026-11-02")),
        ..case(Channel::Web, "2026-10-30", request)
    };
    let rows = [
        R {
            // L221-18: inside the withdrawal period a refusal denies a right.
            name: "refusing a withdrawal in the legal period",
            case: web_change("2026-11-10"),
            basis: Basis::Legal,
            manager: true,
            article: L221_18,
        },
        R {
            // L221-28 3° (goods made to the customer's specifications).
            name: "refusing a withdrawal of a personalised item",
            case: Case {
                personalised: true,
                category: "made_to_measure".into(),
                ..web_change("2026-11-10")
            },
            basis: Basis::Policy,
            manager: false,
            article: L221_28,
        },
        R {
            // L241-5 is about the conformity guarantee.
            name: "refusing inside the conformity guarantee",
            case: Case {
                reason: ReasonKind::Defect,
                item_state: ItemState::Opened,
                ..case(Channel::Store, "2026-01-10", "2026-11-10")
            },
            basis: Basis::Legal,
            manager: true,
            article: L241_5,
        },
        R {
            name: "refusing with no right left: the mediator",
            case: case(Channel::Store, "2026-01-10", "2026-11-10"),
            basis: Basis::Policy,
            manager: false,
            article: L612_1,
        },
    ];
    for r in rows {
        let dec = eval_with(&p, &r.case);
        let o = dec.option(Resolution::Refusal);
        assert!(o.allowed, "{}", r.name);
        assert_eq!(o.basis, r.basis, "{}: basis", r.name);
        assert_eq!(o.needs_manager, r.manager, "{}: manager", r.name);
        assert_eq!(o.article.as_deref(), Some(r.article), "{}: article", r.name);
        assert!(
            o.explanation.contains(r.article),
            "{}: {}",
            r.name,
            o.explanation
        );
        if r.article != L241_5 {
            assert!(
                !o.explanation.contains("L241-5"),
                "{}: {}",
                r.name,
                o.explanation
            );
        }
    }
}

#[test]
fn a_deadline_moved_to_the_next_working_day_cites_l221_19() {
    // Received Saturday 2026-03-07: day 14 is Saturday 2026-03-21, moved to
    // Monday 2026-03-23.
    let c = Case {
        delivery_date: Some(d("2026-03-07")),
        ..case(Channel::Web, "2026-03-05", "2026-03-23")
    };
    let dec = eval_with(&default_policy(), &c);
    assert_eq!(dec.facts.withdrawal_period_end, Some(d("2026-03-21")));
    assert_eq!(dec.facts.withdrawal_deadline, Some(d("2026-03-23")));
    let o = dec.option(Resolution::Refund);
    assert_eq!(o.article.as_deref(), Some(L221_19));
    assert!(o.explanation.contains(L221_19), "{}", o.explanation);
    assert!(o.explanation.contains("21/03/2026"), "{}", o.explanation);
    // Expired the next day: the note says why, citing both articles.
    let late = eval_with(
        &default_policy(),
        &Case {
            request_date: d("2026-03-24"),
            ..c
        },
    );
    let o = late.option(Resolution::Refund);
    assert!(!o.allowed);
    assert!(o.explanation.contains("23/03/2026"), "{}", o.explanation);
    assert!(o.explanation.contains(L221_19), "{}", o.explanation);
}

/// L217-13: a replacement renews the guarantee only when the customer had
/// chosen repair and the seller did not carry it out.
#[test]
fn a_replacement_renews_the_guarantee_only_instead_of_the_chosen_repair() {
    let p = default_policy();
    let mk = |instead| Case {
        reason: ReasonKind::Defect,
        item_state: ItemState::Opened,
        replaced_under_guarantee_on: Some(d("2025-06-01")),
        replacement_instead_of_repair: instead,
        ..case(Channel::Store, "2024-12-01", "2026-11-20")
    };
    let ran_on = eval_with(&p, &mk(false));
    assert_eq!(
        ran_on.facts.guarantee_end,
        d("2026-12-01"),
        "delivery + 2 years"
    );
    let renewed = eval_with(&p, &mk(true));
    assert_eq!(
        renewed.facts.guarantee_end,
        d("2027-06-01"),
        "replacement + 2 years"
    );
    let text = &ran_on.option(Resolution::Replacement).explanation;
    assert_eq!(
        ran_on.option(Resolution::Replacement).article.as_deref(),
        Some(L217_9)
    );
    assert!(
        text.contains("continue de courir jusqu'au 01/12/2026"),
        "{text}"
    );
    assert!(text.contains("si vous avez choisi la réparation"), "{text}");
    assert!(text.contains("L217-13"), "{text}");
}

#[test]
fn the_store_text_does_not_say_distance_sales_only() {
    let dec = eval_with(
        &default_policy(),
        &case(Channel::Store, "2026-11-01", "2026-11-05"),
    );
    let o = dec.option(Resolution::Refund);
    assert!(!o.allowed);
    assert!(
        o.explanation.contains("hors établissement"),
        "{}",
        o.explanation
    );
    assert!(!o.explanation.contains("uniquement"), "{}", o.explanation);
}

/// C. civ. 1648: two years from the discovery. Noticed 2026-10-05: the
/// action may be brought until 2028-10-05.
#[test]
fn the_hidden_defect_text_gives_two_years_from_discovery() {
    let c = Case {
        reason: ReasonKind::Defect,
        item_state: ItemState::Opened,
        defect_noticed_date: Some(d("2026-10-05")),
        ..case(Channel::Store, "2022-01-10", "2026-11-20")
    };
    let dec = eval_with(&default_policy(), &c);
    assert_eq!(dec.facts.hidden_defect_deadline, d("2028-10-05"));
    let o = dec.option(Resolution::Refund);
    assert!(o.allowed && o.needs_manager);
    assert_eq!(o.article.as_deref(), Some(CIV_1641));
    assert!(o.explanation.contains("05/10/2026"), "{}", o.explanation);
    assert!(
        o.explanation.contains("jusqu'au 05/10/2028 inclus"),
        "{}",
        o.explanation
    );
    assert!(o.explanation.contains(CIV_1648), "{}", o.explanation);
    assert!(!o.explanation.contains("avant le"), "{}", o.explanation);
    // Noticed 2024-11-19, asked 2026-11-20: more than two years, too late.
    let late = Case {
        defect_noticed_date: Some(d("2024-11-19")),
        ..c
    };
    assert!(
        !eval_with(&default_policy(), &late)
            .option(Resolution::Refund)
            .allowed
    );
}

#[test]
fn a_refund_text_mentions_delivery_only_when_it_was_paid() {
    let mk = |paid| Case {
        delivery_date: Some(d("2026-11-02")),
        price: Cents(20_000),
        delivery_paid: Cents(paid),
        ..case(Channel::Web, "2026-10-30", "2026-11-10")
    };
    let free = eval_with(&default_policy(), &mk(0));
    let o = free.option(Resolution::Refund);
    assert_eq!(o.amount, Some(Cents(20_000)));
    assert!(
        !o.explanation.contains("livraison standard"),
        "{}",
        o.explanation
    );
    let paid = eval_with(&default_policy(), &mk(990));
    let o = paid.option(Resolution::Refund);
    assert_eq!(o.amount, Some(Cents(20_990)));
    assert!(
        o.explanation
            .contains("209,90\u{a0}€, dont 9,90\u{a0}€ de livraison standard"),
        "{}",
        o.explanation
    );
}

// ------------------------------------------------ 3. deliveries per shipment

/// Ordered 2026-10-01; the blender came on 2026-10-03, the mixer (last
/// item) on 2026-10-20. L221-18: the withdrawal period runs from the last
/// item: day 14 is Tuesday 2026-11-03. The conformity guarantee of each
/// item runs from its own delivery (L217-3): 2028-10-03 and 2028-10-20.
#[test]
fn a_split_order_withdraws_from_the_last_item_and_guarantees_each_from_its_own() {
    let p = default_policy();
    let first = |request| Case {
        delivery_date: Some(d("2026-10-03")),
        last_delivery_date: Some(d("2026-10-20")),
        ..case(Channel::Web, "2026-10-01", request)
    };
    let dec = eval_with(&p, &first("2026-10-30"));
    assert_eq!(dec.facts.withdrawal_from, Some(d("2026-10-20")));
    assert_eq!(dec.facts.withdrawal_deadline, Some(d("2026-11-03")));
    let o = dec.option(Resolution::Refund);
    assert!(o.allowed && o.basis == Basis::Legal && !o.needs_manager);
    assert!(eval_with(&p, &first("2026-11-03")).facts.withdrawal_open);
    assert!(!eval_with(&p, &first("2026-11-04")).facts.withdrawal_open);
    // Alone, the first item's period would have ended on Monday 2026-10-19.
    let alone = Case {
        last_delivery_date: None,
        ..first("2026-10-30")
    };
    assert_eq!(
        eval_with(&p, &alone).facts.withdrawal_deadline,
        Some(d("2026-10-19"))
    );
    // Guarantee: a defect on 2028-10-10 is out of the first item's GLC and
    // inside the last one's.
    let defect = |delivered| Case {
        reason: ReasonKind::Defect,
        item_state: ItemState::Opened,
        delivery_date: Some(d(delivered)),
        last_delivery_date: Some(d("2026-10-20")),
        ..case(Channel::Web, "2026-10-01", "2028-10-10")
    };
    let a = eval_with(&p, &defect("2026-10-03"));
    assert_eq!(a.facts.guarantee_end, d("2028-10-03"));
    assert_eq!(a.option(Resolution::Repair).basis, Basis::Policy);
    let b = eval_with(&p, &defect("2026-10-20"));
    assert_eq!(b.facts.guarantee_end, d("2028-10-20"));
    let o = b.option(Resolution::Repair);
    assert_eq!(
        (o.basis, o.article.as_deref()),
        (Basis::Legal, Some(L217_9))
    );
}

// ------------------------------------------------ 4. commercial warranties

#[test]
fn commercial_warranties_from_the_catalogue() {
    let p = default_policy();
    let tv = |months, starts, request| Case {
        reason: ReasonKind::Defect,
        item_state: ItemState::Opened,
        delivery_date: Some(d("2024-09-20")),
        commercial_warranty_months: months,
        commercial_warranty_start: starts,
        commercial_warranty_guarantor: Some("Samsung France".into()),
        ..case(Channel::Web, "2024-09-01", request)
    };
    // 3 years from delivery: until 2027-09-20, honoured by the brand.
    let dec = eval_with(&p, &tv(36, WarrantyStart::Delivery, "2026-11-20"));
    assert_eq!(dec.facts.commercial_warranty_start, Some(d("2024-09-20")));
    assert_eq!(dec.facts.commercial_warranty_end, Some(d("2027-09-20")));
    let o = dec.option(Resolution::Repair);
    assert_eq!(o.rule.as_deref(), Some("resolutions.commercial_warranty"));
    assert_eq!(o.basis, Basis::Policy);
    assert!(o.explanation.contains("20/09/2027"), "{}", o.explanation);
    assert!(
        o.explanation.contains("Samsung France"),
        "{}",
        o.explanation
    );
    // An extended warranty of 2 years taking over from the law: it starts
    // on 2026-09-21 and ends on 2028-09-20.
    let ext = eval_with(&p, &tv(24, WarrantyStart::LegalGuaranteeEnd, "2026-11-20"));
    assert_eq!(ext.facts.commercial_warranty_start, Some(d("2026-09-21")));
    assert_eq!(ext.facts.commercial_warranty_end, Some(d("2028-09-20")));
    // Two years from the purchase (2024-09-01): over on 2026-09-01.
    let purchase = eval_with(&p, &tv(24, WarrantyStart::Purchase, "2026-11-20"));
    assert_eq!(
        purchase.facts.commercial_warranty_end,
        Some(d("2026-09-01"))
    );
    assert_eq!(
        purchase.option(Resolution::Repair).rule.as_deref(),
        Some("resolutions.out_of_guarantee")
    );
    // The catalogue refuses a warranty of 0 or 600 months.
    for months in [0, 600, -3] {
        assert_eq!(
            CommercialWarranty::new(months, WarrantyStart::Delivery, "Samsung"),
            Err(CoreError::CommercialWarrantyMonths { months, max: 120 })
        );
    }
    let e = CommercialWarranty::new(600, WarrantyStart::Delivery, "Samsung").unwrap_err();
    assert!(e.message_fr().contains("600 mois"), "{}", e.message_fr());
    assert!(CommercialWarranty::new(24, WarrantyStart::Delivery, " ").is_err());
    assert_eq!(
        CommercialWarranty::new(120, WarrantyStart::Delivery, " Darty+ ")
            .map(|w| (w.months, w.guarantor)),
        Ok((120, "Darty+".to_owned()))
    );
}

/// L217-28: 7 days or more of immobilisation are added to the commercial
/// warranty. A policy may extend from fewer days (a more generous value
/// applies); the default 7 is the law's. Warranty: 2023-11-15 + 36 months =
/// 2026-11-15.
#[test]
fn immobilisation_extension_the_law_from_seven_days_the_policy_from_fewer() {
    let five = Policy::from_toml(&edit(
        DEFAULT_POLICY_TOML,
        "immobilisation_extension_from_days = 7",
        "immobilisation_extension_from_days = 5",
    ))
    .expect("a lower threshold is more generous");
    let mk = |days| Case {
        reason: ReasonKind::Defect,
        item_state: ItemState::Opened,
        commercial_warranty_months: 36,
        days_immobilised: days,
        ..case(Channel::Store, "2023-11-15", "2026-11-18")
    };
    let rows = [
        (&default_policy(), 6, None, "2026-11-15"),
        (&default_policy(), 7, Some(L217_28), "2026-11-22"),
        (&five, 4, None, "2026-11-15"),
        (&five, 5, Some("politique"), "2026-11-20"),
        (&five, 10, Some(L217_28), "2026-11-25"),
    ];
    for (p, days, cites, end) in rows {
        let dec = eval_with(p, &mk(days));
        assert_eq!(
            dec.facts.commercial_warranty_end,
            Some(d(end)),
            "{days} days"
        );
        let o = dec.option(Resolution::Repair);
        let extended = d(end) > d("2026-11-15");
        assert_eq!(
            o.rule.as_deref(),
            Some(if extended {
                "resolutions.commercial_warranty"
            } else {
                "resolutions.out_of_guarantee"
            }),
            "{days} days"
        );
        if let Some(text) = cites {
            assert!(
                o.explanation.contains(text),
                "{days} days: {}",
                o.explanation
            );
        }
    }
    // Above the law's 7 days the policy is refused when loaded.
    let eight = edit(
        DEFAULT_POLICY_TOML,
        "immobilisation_extension_from_days = 7",
        "immobilisation_extension_from_days = 8",
    );
    assert!(matches!(
        Policy::from_toml(&eight),
        Err(CoreError::PolicyBelowLegalFloor { article, .. }) if article == L217_28
    ));
}

// ------------------------------------------------ 5. bad dates refused

#[test]
fn contradictory_dates_are_named_errors() {
    let p = default_policy();
    let base = || case(Channel::Web, "2026-11-01", "2026-11-10");
    let rows: Vec<(&str, Case, CoreError, &str)> = vec![
        (
            "delivery after the request",
            Case {
                delivery_date: Some(d("2026-11-15")),
                ..base()
            },
            CoreError::DeliveryAfterRequest {
                delivery: d("2026-11-15"),
                request: d("2026-11-10"),
            },
            "15/11/2026",
        ),
        (
            "last shipment after the request",
            Case {
                delivery_date: Some(d("2026-11-03")),
                last_delivery_date: Some(d("2026-11-12")),
                ..base()
            },
            CoreError::DeliveryAfterRequest {
                delivery: d("2026-11-12"),
                request: d("2026-11-10"),
            },
            "12/11/2026",
        ),
        (
            "a line delivered after the order's last delivery",
            Case {
                delivery_date: Some(d("2026-11-06")),
                last_delivery_date: Some(d("2026-11-04")),
                ..base()
            },
            CoreError::DeliveryAfterLastDelivery {
                line: d("2026-11-06"),
                last: d("2026-11-04"),
            },
            "06/11/2026",
        ),
        (
            "defect noticed after the request",
            Case {
                reason: ReasonKind::Defect,
                defect_noticed_date: Some(d("2026-11-11")),
                ..base()
            },
            CoreError::DefectNoticedAfterRequest {
                noticed: d("2026-11-11"),
                request: d("2026-11-10"),
            },
            "11/11/2026",
        ),
        (
            "defect noticed before the delivery",
            Case {
                reason: ReasonKind::Defect,
                delivery_date: Some(d("2026-11-04")),
                defect_noticed_date: Some(d("2026-11-03")),
                ..base()
            },
            CoreError::DefectNoticedBeforeDelivery {
                noticed: d("2026-11-03"),
                delivery: d("2026-11-04"),
            },
            "04/11/2026",
        ),
        (
            "request before the purchase",
            case(Channel::Store, "2026-11-01", "2026-10-31"),
            CoreError::DateBeforePurchase {
                field: "request_date",
                date: d("2026-10-31"),
                purchase: d("2026-11-01"),
            },
            "31/10/2026",
        ),
        (
            "a commercial warranty of 600 months",
            Case {
                commercial_warranty_months: 600,
                ..base()
            },
            CoreError::CommercialWarrantyMonths {
                months: 600,
                max: 120,
            },
            "600 mois",
        ),
    ];
    for (name, c, expected, in_message) in rows {
        let err = evaluate(&p, &c, d(TODAY)).expect_err(name);
        assert_eq!(err, expected, "{name}");
        assert!(
            err.message_fr().contains(in_message),
            "{name}: {}",
            err.message_fr()
        );
        assert_ne!(err.code(), "invalid", "{name}: a named code");
    }
    // Noticed on the day of delivery, requested the same day: fine.
    let same_day = Case {
        reason: ReasonKind::DeliveryDamage,
        delivery_date: Some(d("2026-11-10")),
        defect_noticed_date: Some(d("2026-11-10")),
        ..base()
    };
    assert!(evaluate(&p, &same_day, d(TODAY)).is_ok());
}

// ------------------------------------------------ properties

fn arb_date(from: i32, to: i32) -> impl Strategy<Value = NaiveDate> {
    (from..=to).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap_or(NaiveDate::MIN))
}

prop_compose! {
    fn arb_case()(
        channel in prop::sample::select(Channel::ALL.to_vec()),
        sold_as in prop::sample::select(SoldAs::ALL.to_vec()),
        state in prop::sample::select(ItemState::ALL.to_vec()),
        reason in prop::sample::select(ReasonKind::ALL.to_vec()),
        purchase in arb_date(738_000, 739_900),
        delivery_after in 0u64..10,
        last_after in prop::sample::select(vec![0u64, 0, 2, 15]),
        request_after in prop::sample::select(vec![0u64, 5, 13, 14, 15, 16, 20, 29, 30, 31, 45, 400, 740, 800, 1100]),
        noticed_before in 0u64..3,
        flags in prop::array::uniform6(any::<bool>()),
        price in prop::sample::select(vec![0i64, 9_900, 15_000, 15_001, 200_000]),
        paid in prop::sample::select(vec![0i64, 990]),
        cw in prop::sample::select(vec![0u32, 12, 36, 60]),
        cw_start in prop::sample::select(WarrantyStart::ALL.to_vec()),
        immobilised in 0u32..12,
        category in prop::sample::select(vec!["tv_hifi", "consumables", "made_to_measure", "personal_care"]),
    ) -> Case {
        let delivery = purchase + chrono::Days::new(delivery_after);
        let last = delivery + chrono::Days::new(last_after);
        let request = last + chrono::Days::new(request_after);
        let noticed = request.checked_sub_days(chrono::Days::new(noticed_before)).filter(|n| *n >= delivery);
        Case {
            channel,
            purchase_date: purchase,
            delivery_date: Some(delivery),
            last_delivery_date: Some(last),
            request_date: request,
            defect_noticed_date: if flags[5] { noticed } else { None },
            category: category.into(),
            sold_as,
            personalised: flags[0],
            hygiene_unsealed: flags[1],
            sealed_media_unsealed: flags[2] && flags[3],
            perishable: false,
            withdrawal_info_given: !flags[4] || flags[3],
            item_state: state,
            reason,
            severity: Severity::Major,
            price: Cents(price),
            delivery_paid: Cents(paid),
            commercial_warranty_months: cw,
            commercial_warranty_start: cw_start,
            commercial_warranty_guarantor: None,
            days_immobilised: immobilised,
            repaired_under_guarantee: flags[3],
            replaced_under_guarantee_on: None,
            replacement_instead_of_repair: false,
            remedy_failed: flags[4] && flags[5],
            customer: CustomerHistory::default(),
        }
    }
}

/// `policy` with every clerk limit set to `cents`.
fn with_authority(mut p: Policy, cents: i64) -> Policy {
    let a = Amount(Cents(cents));
    p.authority.refund_cents = a;
    p.authority.credit_note_cents = a;
    p.authority.exchange_cents = a;
    p.authority.gesture_cents = a;
    p
}

/// The law alone: nothing beyond the legal floor.
fn floor_policy() -> Policy {
    let mut p = default_policy();
    p.distance_sales.withdrawal_days = law::WITHDRAWAL_DAYS;
    p.change_of_mind.unopened = None;
    p.change_of_mind.opened = None;
    p.change_of_mind.used = None;
    p.change_of_mind.damaged = None;
    p.resolutions.legal_guarantee = vec![Resolution::Repair, Resolution::Replacement];
    p.resolutions.commercial_warranty.clear();
    p.resolutions.out_of_guarantee.clear();
    p.legal_guarantee.immobilisation_extension_from_days =
        law::COMMERCIAL_WARRANTY_IMMOBILISATION_MIN_DAYS;
    p
}

/// Everything a policy may add: a 30-day distance window, store and web
/// windows that refund, lower immobilisation threshold.
fn generous_policy() -> Policy {
    let mut p = thirty_day_policy();
    p.legal_guarantee.immobilisation_extension_from_days = 3;
    if let Some(w) = p.change_of_mind.opened.as_mut() {
        w.resolutions.push(Resolution::Refund);
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// An option whose basis is the law is never refused, nor sent to a
    /// manager, because of the clerk's authority: the same case under
    /// limits of 0 € and of 1 000 000 € gives the same legal options.
    #[test]
    fn a_legal_option_never_depends_on_the_clerks_authority(c in arb_case(), generous in any::<bool>()) {
        let p = if generous { generous_policy() } else { default_policy() };
        let none = evaluate(&with_authority(p.clone(), 0), &c, last_day()).expect("valid");
        let all = evaluate(&with_authority(p, 100_000_000), &c, last_day()).expect("valid");
        for (a, b) in none.options.iter().zip(&all.options) {
            if a.basis == Basis::Legal || b.basis == Basis::Legal {
                prop_assert_eq!(a, b, "{:?}", a.resolution);
            }
        }
    }

    /// An option granted only by the policy is never labelled legal: if the
    /// law alone (the floor policy) does not allow it, the generous policy's
    /// grant is the policy's, with a rule and no article of law; and a legal
    /// grant is still there, legal, under the floor policy.
    #[test]
    fn a_policy_only_option_is_never_labelled_legal(c in arb_case()) {
        let generous = evaluate(&generous_policy(), &c, last_day()).expect("valid");
        let floor = evaluate(&floor_policy(), &c, last_day()).expect("valid");
        for (g, f) in generous.options.iter().zip(&floor.options) {
            if g.allowed && !f.allowed {
                prop_assert_ne!(g.basis, Basis::Legal, "{:?}: {}", g.resolution, g.explanation);
                prop_assert!(g.rule.is_some(), "{:?}", g.resolution);
                prop_assert!(g.article.is_none(), "{:?}: {:?}", g.resolution, g.article);
            }
            if g.allowed && g.basis == Basis::Legal {
                prop_assert!(f.allowed && f.basis == Basis::Legal, "{:?}", g.resolution);
            }
        }
        // The withdrawal is legal only until the legal deadline, whatever
        // the policy's window.
        prop_assert_eq!(generous.facts.withdrawal_open, floor.facts.withdrawal_open);
        prop_assert_eq!(generous.facts.withdrawal_deadline, floor.facts.withdrawal_deadline);
        // (A failed GLC remedy refunds under L217-14, a legal basis.)
        if generous.facts.policy_withdrawal_open && !c.remedy_failed {
            let r = generous.option(Resolution::Refund);
            prop_assert_eq!(r.basis, Basis::Policy);
            prop_assert_eq!(r.needs_manager, c.price.0 + c.delivery_paid.0 > 15_000);
        }
        // Outside distance sales there is never a legal withdrawal.
        if !c.channel.is_distance_sale() {
            prop_assert!(generous.facts.withdrawal_deadline.is_none());
            for r in [Resolution::Refund, Resolution::CreditNote, Resolution::Exchange] {
                let o = generous.option(r);
                if o.allowed && c.reason == ReasonKind::ChangeOfMind {
                    prop_assert_ne!(o.basis, Basis::Legal);
                }
            }
        }
    }
}

/// The last day Comptoir accepts (crate::bounds): "any request is in the
/// past" for the property tests.
fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(crate::bounds::MAX_YEAR, 12, 31).expect("a real date")
}

// ----- earlier remedies and the guarantee they leave (L217-13, L217-28) -----

fn earlier(resolution: Resolution, basis: Basis, opened: &str, closed: &str) -> EarlierRemedy {
    let at = |s: &str| d(s).and_hms_opt(10, 0, 0).unwrap().and_utc();
    EarlierRemedy {
        resolution,
        basis,
        opened_at: at(opened),
        closed_at: at(closed),
        closed_on: d(closed),
        repair_chosen_first: false,
    }
}

#[test]
fn earlier_remedies_read_as_the_law_counts_them() {
    assert_eq!(prior_remedies(&[]), PriorRemedies::default());
    let repair = earlier(Resolution::Repair, Basis::Legal, "2026-01-05", "2026-01-12");
    let goodwill_repair = earlier(
        Resolution::Repair,
        Basis::Policy,
        "2026-02-01",
        "2026-02-11",
    );
    let mut replaced = earlier(
        Resolution::Replacement,
        Basis::Legal,
        "2026-03-01",
        "2026-03-04",
    );
    replaced.repair_chosen_first = true;
    let older_replacement = earlier(
        Resolution::Replacement,
        Basis::Legal,
        "2025-12-01",
        "2025-12-02",
    );
    let prior = prior_remedies(&[repair, goodwill_repair, replaced, older_replacement]);
    assert!(prior.repaired_under_guarantee);
    assert_eq!(
        prior.days_immobilised, 10,
        "only repairs outside the law count"
    );
    assert_eq!(
        prior.replaced_under_guarantee_on,
        Some(d("2026-03-04")),
        "the latest"
    );
    assert!(prior.replacement_instead_of_repair);
}

#[test]
fn the_guarantee_runs_from_delivery_plus_six_months_after_a_legal_repair_new_after_a_replacement_instead_of_repair(
) {
    let delivery = d("2025-10-05");
    let plain = conformity_guarantee(delivery, &PriorRemedies::default());
    assert_eq!((plain.start, plain.end), (delivery, d("2027-10-05")));
    let repaired = PriorRemedies {
        repaired_under_guarantee: true,
        ..PriorRemedies::default()
    };
    assert_eq!(
        conformity_guarantee(delivery, &repaired).end,
        d("2028-04-05")
    );
    let replaced_only = PriorRemedies {
        replaced_under_guarantee_on: Some(d("2026-06-01")),
        ..PriorRemedies::default()
    };
    assert_eq!(
        conformity_guarantee(delivery, &replaced_only),
        plain,
        "a replacement the customer chose runs on"
    );
    let instead = PriorRemedies {
        replaced_under_guarantee_on: Some(d("2026-06-01")),
        replacement_instead_of_repair: true,
        ..PriorRemedies::default()
    };
    let renewed = conformity_guarantee(delivery, &instead);
    assert_eq!(
        (renewed.start, renewed.end),
        (d("2026-06-01"), d("2028-06-01"))
    );
}
