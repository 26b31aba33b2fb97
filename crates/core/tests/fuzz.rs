//! Property-based fuzzing of every parser that reads outside input: the
//! intake JSON, the policy case JSON, the policy TOML, the search field and
//! the store calendar. Each input is either accepted or refused with a
//! named error (a stable code and a French message) — never a panic, never
//! a wrapped amount. Bounded to run in `cargo test`; run it longer with
//! `PROPTEST_CASES=100000 cargo test -p comptoir-core --release --test fuzz`
//! (see docs/ARCHITECTURE.md).
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed run

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use comptoir_core::calendar::{
    committed_deadline, BusinessCalendar, CalendarConfig, DeadlinePromise, LegalCap,
};
use comptoir_core::dossier::OpenDossierInput;
use comptoir_core::policy::{evaluate, Case, Policy, DEFAULT_POLICY_TOML};
use comptoir_core::CoreError;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// A refusal must be named: a stable snake_case code and a French message.
fn named(e: &CoreError) -> Result<(), TestCaseError> {
    let code = e.code();
    prop_assert!(
        !code.is_empty() && code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "code {code:?}"
    );
    prop_assert!(!e.message_fr().trim().is_empty(), "{e:?} has no message");
    Ok(())
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        prop_oneof![
            Just(i64::MAX),
            Just(i64::MIN),
            Just(1_000_000_001),
            Just(-1)
        ]
        .prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        (-1e20f64..1e20).prop_map(|f| json!(f)),
        ".{0,24}".prop_map(Value::String),
        "[a-z_.]{0,20}".prop_map(Value::String),
        (0usize..4_000).prop_map(|n| Value::String("é".repeat(n))),
        prop_oneof![
            Just("1899-12-31"),
            Just("2101-01-01"),
            Just("0001-01-01"),
            Just("+262143-12-31"),
            Just("2026-02-30"),
            Just("2026-11-20"),
            Just("1900-01-01"),
            Just("2100-12-31")
        ]
        .prop_map(|s| Value::String(s.to_owned())),
        Just(Value::String(
            "01935f1e-7a5c-7cc0-9c2b-3f5a2c1d0e9f".to_owned()
        )),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Edits of a valid object: a known key (or a misspelt or new one) set to
/// any value, or removed.
fn edits(keys: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, Option<Value>)>> {
    let key = prop_oneof![
        4 => prop::sample::select(keys).prop_map(str::to_owned),
        1 => "[a-z_]{1,16}",
    ];
    prop::collection::vec((key, prop::option::weighted(0.9, value())), 0..5)
}

fn apply(mut base: Value, edits: Vec<(String, Option<Value>)>) -> Value {
    let obj = base.as_object_mut().unwrap();
    for (k, v) in edits {
        match v {
            Some(v) => obj.insert(k, v),
            None => obj.remove(&k),
        };
    }
    base
}

fn intake_base() -> Value {
    json!({
        "customer_id": "01935f1e-7a5c-7cc0-9c2b-3f5a2c1d0e9f",
        "order_line_id": null,
        "declared_product": "Aspirateur robot",
        "reason_code": "defect.no_power",
        "customer_words": "Ne s'allume plus.",
        "condition": "good",
        "condition_note": null,
        "accessories": ["Base de charge"],
        "serial_number": null,
        "actor": "Julie M.",
        "assignee": null,
        "sealed": false,
        "severity": "major",
        "decision": {"resolution": "repair", "gesture": 1500, "note": null},
        "approval": {"login": "marc", "pin": "1234"}
    })
}

const INTAKE_KEYS: &[&str] = &[
    "customer_id",
    "order_line_id",
    "declared_product",
    "reason_code",
    "customer_words",
    "condition",
    "condition_note",
    "accessories",
    "serial_number",
    "actor",
    "assignee",
    "sealed",
    "severity",
    "decision",
    "approval",
];

fn case_base() -> Value {
    json!({
        "channel": "web", "purchase_date": "2026-10-01", "delivery_date": "2026-10-03",
        "request_date": "2026-11-20", "defect_noticed_date": null, "category": "tv_hifi",
        "sold_as": "new", "personalised": false, "item_state": "opened", "reason": "defect",
        "severity": "major", "price": 49_900, "delivery_paid": 990,
        "commercial_warranty_months": 0, "days_immobilised": 0,
        "repaired_under_guarantee": false, "remedy_failed": false,
        "customer": {"dossiers_last_30_days": 0, "value_tier": "standard"}
    })
}

const CASE_KEYS: &[&str] = &[
    "channel",
    "purchase_date",
    "delivery_date",
    "request_date",
    "defect_noticed_date",
    "category",
    "sold_as",
    "personalised",
    "hygiene_unsealed",
    "sealed_media_unsealed",
    "perishable",
    "withdrawal_info_given",
    "item_state",
    "reason",
    "severity",
    "price",
    "delivery_paid",
    "commercial_warranty_months",
    "days_immobilised",
    "repaired_under_guarantee",
    "replaced_under_guarantee_on",
    "remedy_failed",
    "customer",
];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

proptest! {
    #[test]
    fn intake_json_is_accepted_or_refused_by_name(edits in edits(INTAKE_KEYS)) {
        let text = apply(intake_base(), edits).to_string();
        if let Ok(input) = serde_json::from_str::<OpenDossierInput>(&text) {
            if let Err(e) = input.validate() {
                named(&e)?;
            }
        }
    }

    #[test]
    fn any_text_as_intake_never_panics(text in ".{0,200}") {
        let _ = serde_json::from_str::<OpenDossierInput>(&text);
    }

    #[test]
    fn case_json_is_accepted_or_refused_by_name(edits in edits(CASE_KEYS), today_days in -1000i32..80_000) {
        let policy = Policy::default_policy().unwrap();
        let text = apply(case_base(), edits).to_string();
        let today = NaiveDate::from_num_days_from_ce_opt(700_000 + today_days).unwrap_or(today());
        if let Ok(case) = serde_json::from_str::<Case>(&text) {
            match evaluate(&policy, &case, today) {
                Ok(decision) => {
                    for o in &decision.options {
                        if let Some(a) = o.amount {
                            prop_assert!(a.0 >= 0 && a.0 <= 2 * comptoir_core::Cents::MAX.0, "{a:?}");
                        }
                    }
                }
                Err(e) => named(&e)?,
            }
        }
    }

    #[test]
    fn policy_toml_edits_are_accepted_or_refused_by_name(
        line in 0usize..200,
        edit in prop_oneof![
            Just(None),
            "[ -~]{0,40}".prop_map(Some),
            any::<i64>().prop_map(|n| Some(format!("{n}"))),
            prop_oneof![Just("1000000001"), Just("-1"), Just("9223372036854775807"), Just("\"x\""), Just("[")]
                .prop_map(|s| Some(s.to_owned())),
        ],
        whole_line in any::<bool>(),
    ) {
        let mut lines: Vec<String> = DEFAULT_POLICY_TOML.lines().map(str::to_owned).collect();
        let i = line % lines.len();
        match (edit, whole_line) {
            (None, _) => {
                lines.remove(i);
            }
            (Some(text), true) => lines[i] = text,
            (Some(text), false) => {
                // Replace the value after `=`, keep the key.
                if let Some((key, _)) = lines[i].split_once('=') {
                    lines[i] = format!("{key}= {text}");
                } else {
                    lines.insert(i, text);
                }
            }
        }
        let text = lines.join("\n");
        match Policy::from_toml(&text) {
            Ok(policy) => {
                let case: Case = serde_json::from_value(case_base()).unwrap();
                if let Err(e) = evaluate(&policy, &case, today()) {
                    named(&e)?;
                }
            }
            Err(e) => named(&e)?,
        }
    }

    #[test]
    fn any_bytes_as_policy_never_panic(text in "(?s).{0,400}") {
        if let Err(e) = Policy::from_toml(&text) {
            named(&e)?;
        }
    }

    #[test]
    fn search_text_is_planned_or_refused_by_name(text in "(?s).{0,260}") {
        match comptoir_core::search::plan(&text) {
            Ok(plan) => {
                let _ = comptoir_core::search::fts_match_expression(&plan.words);
            }
            Err(e) => named(&e)?,
        }
    }

    #[test]
    fn calendar_inputs_give_a_deadline_or_a_named_refusal(
        config in calendar_json(),
        from_secs in -4_000_000_000i64..8_000_000_000,
        promise in prop_oneof![
            (0u32..2_000).prop_map(DeadlinePromise::WorkingHours),
            (0u32..400).prop_map(DeadlinePromise::WorkingDays),
            prop_oneof![Just(u32::MAX), Just(100_000)].prop_map(DeadlinePromise::WorkingHours),
            prop_oneof![Just(u32::MAX), Just(100_000)].prop_map(DeadlinePromise::WorkingDays),
        ],
        capped in any::<bool>(),
    ) {
        let Ok(config) = serde_json::from_value::<CalendarConfig>(config) else { return Ok(()) };
        let calendar = match BusinessCalendar::new(config) {
            Ok(c) => c,
            Err(e) => return named(&e),
        };
        let from: DateTime<Utc> = Utc.timestamp_opt(from_secs, 0).single().unwrap();
        match committed_deadline(from, promise, &[], capped.then_some(LegalCap::ConformityGuarantee), &calendar) {
            Ok(d) => prop_assert!(d.promised_at >= from),
            Err(e) => named(&e)?,
        }
    }
}

fn calendar_json() -> impl Strategy<Value = Value> {
    let time = prop_oneof![
        (0u32..24, 0u32..60).prop_map(|(h, m)| format!("{h:02}:{m:02}")),
        Just("24:00".to_owned()),
        ".{0,6}",
    ];
    let range = (time.clone(), time).prop_map(|(o, c)| json!(format!("{o}-{c}")));
    let day = prop::collection::vec(range, 0..3);
    let tz = prop_oneof![
        Just("Europe/Paris".to_owned()),
        Just("America/Cayenne".to_owned()),
        Just("Indian/Reunion".to_owned()),
        Just("Pacific/Noumea".to_owned()),
        ".{0,20}",
    ];
    let closure = prop_oneof![
        (-800_000i32..1_500_000).prop_map(|n| {
            NaiveDate::from_num_days_from_ce_opt(n)
                .map(|d| d.to_string())
                .unwrap_or_default()
        }),
        Just("2026-12-24".to_owned()),
    ];
    (
        tz,
        prop::collection::vec(day, 7),
        prop::collection::vec(closure, 0..6),
        any::<bool>(),
    )
        .prop_map(|(tz, days, closures, alsace)| {
            let names = [
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ];
            let hours: Map<String, Value> = names
                .iter()
                .zip(days)
                .map(|(n, d)| ((*n).to_owned(), Value::Array(d)))
                .collect();
            json!({"timezone": tz, "hours": hours, "closures": closures, "alsace_moselle": alsace})
        })
}

#[test]
fn a_misspelt_field_is_refused_not_dropped() {
    let mut intake = intake_base();
    let obj = intake.as_object_mut().unwrap();
    let serial = obj.remove("serial_number").unwrap();
    obj.insert("serial_numbr".into(), serial);
    let e = serde_json::from_value::<OpenDossierInput>(intake).unwrap_err();
    assert!(e.to_string().contains("serial_numbr"), "{e}");

    let mut case = case_base();
    case.as_object_mut()
        .unwrap()
        .insert("prix".into(), json!(100));
    assert!(serde_json::from_value::<Case>(case).is_err());
    let mut decision = intake_base();
    decision["decision"]["gesturre"] = json!(100);
    assert!(serde_json::from_value::<OpenDossierInput>(decision).is_err());
}

#[test]
fn a_category_the_policy_lacks_is_refused() {
    let policy = Policy::default_policy().unwrap();
    let mut case = case_base();
    case["category"] = json!("jardin");
    let case: Case = serde_json::from_value(case).unwrap();
    let e = evaluate(&policy, &case, today()).unwrap_err();
    assert_eq!(e, CoreError::CategoryNotInPolicy("jardin".into()));
}

#[test]
fn absurd_amounts_and_dates_are_refused_by_name() {
    let policy = Policy::default_policy().unwrap();
    for (field, value, code) in [
        ("price", json!(i64::MAX), "amount_out_of_range"),
        ("delivery_paid", json!(1_000_000_001), "amount_out_of_range"),
        ("price", json!(-1), "negative_amount"),
        ("purchase_date", json!("1899-12-31"), "date_out_of_range"),
    ] {
        let mut case = case_base();
        case[field] = value;
        let case: Case = serde_json::from_value(case).unwrap();
        let e = evaluate(&policy, &case, today()).unwrap_err();
        assert_eq!(e.code(), code, "{field}: {e:?}");
    }
    let toml = DEFAULT_POLICY_TOML.replacen(
        "refund_cents = 15000",
        "refund_cents = 9223372036854775807",
        1,
    );
    assert_ne!(toml, DEFAULT_POLICY_TOML, "fixture edited");
    let e = Policy::from_toml(&toml).unwrap_err();
    assert_eq!(e.code(), "policy_invalid", "{e:?}");

    let mut intake = intake_base();
    intake["decision"]["gesture"] = json!(i64::MAX);
    let input: OpenDossierInput = serde_json::from_value(intake).unwrap();
    assert_eq!(input.validate().unwrap_err().code(), "amount_out_of_range");
    let mut intake = intake_base();
    intake["actor"] = json!("x".repeat(5_000));
    let input: OpenDossierInput = serde_json::from_value(intake).unwrap();
    assert_eq!(input.validate().unwrap_err().code(), "text_too_long");
}
