#![allow(clippy::unwrap_used)]

use super::*;
use crate::hlc::Hlc;
use chrono::TimeZone;
use proptest::prelude::*;
use uuid::Uuid;

fn walk_in() -> NewCustomer {
    NewCustomer {
        title: Some("Mme".into()),
        first_name: "  Léa ".into(),
        last_name: "Martin".into(),
        address: AddressInput {
            line1: "3 rue Garibaldi".into(),
            line2: None,
            postal_code: "69003".into(),
            city: "Lyon".into(),
            country: String::new(),
        },
        phones: vec!["06 11 22 33 44".into(), String::new()],
        emails: vec!["Lea.Martin@Example.fr".into()],
        email_marketing: true,
        sms_marketing: false,
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 42, 0).unwrap()
}

#[test]
fn a_walk_in_customer_is_checked_and_normalised() {
    let v = validate_new_customer(&walk_in()).unwrap();
    assert_eq!(v.first_name, "Léa");
    assert_eq!(v.address.country, "FR");
    assert_eq!(v.phones.len(), 1, "the empty entry is ignored");
    assert_eq!(v.phones[0].key, "33611223344");
    assert_eq!(v.emails[0].key, "lea.martin@example.fr");
    assert_eq!(
        v.emails[0].value, "Lea.Martin@Example.fr",
        "kept as written"
    );
    let r = v.into_record(CustomerId::new(), now());
    assert_eq!(r.contacts.len(), 2);
    assert!(r.contacts.iter().all(|k| k.is_primary));
    assert_eq!(r.consents_updated_at, Some(now()));
}

#[test]
fn a_customer_with_no_name_is_refused_once() {
    let input = NewCustomer {
        first_name: " ".into(),
        last_name: String::new(),
        ..walk_in()
    };
    let ps = new_customer_problems(&input);
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert_eq!(ps[0].code, "customer_without_name");
    assert_eq!(ps[0].field, "last_name");
    assert!(ps[0].message.contains("nom"), "{}", ps[0].message);
    assert_eq!(
        validate_new_customer(&input).unwrap_err().code(),
        "customer_without_name"
    );
    let no_first = NewCustomer {
        first_name: String::new(),
        ..walk_in()
    };
    let ps = new_customer_problems(&no_first);
    assert_eq!(
        (ps[0].field.as_str(), ps[0].code.as_str()),
        ("first_name", "missing_field")
    );
    assert!(ps[0].message.contains("« prénom »"), "{}", ps[0].message);
}

#[test]
fn every_problem_is_named_with_its_field() {
    let input = NewCustomer {
        title: Some("Maître".into()),
        last_name: "x".repeat(201),
        phones: vec!["06 12".into(), "+33 6 12 34 56 78".into(), "1".repeat(41)],
        emails: vec![
            "lea@".into(),
            "lea martin@example.fr".into(),
            "ok@example.fr".into(),
        ],
        address: AddressInput {
            country: "France".into(),
            ..AddressInput::default()
        },
        ..walk_in()
    };
    let ps = new_customer_problems(&input);
    let got: Vec<(&str, &str)> = ps
        .iter()
        .map(|p| (p.field.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("title", "unknown_value"),
            ("last_name", "text_too_long"),
            ("address.country", "unknown_value"),
            ("phones.0", "invalid_phone"),
            ("phones.2", "text_too_long"),
            ("emails.0", "invalid_email"),
            ("emails.1", "invalid_email"),
        ]
    );
    assert!(ps.iter().all(|p| !p.message.is_empty()));
    let phone = ps.iter().find(|p| p.code == "invalid_phone").unwrap();
    assert!(phone.message.contains("« 06 12 »"), "{}", phone.message);
}

#[test]
fn phones_in_every_french_writing_and_international_ones() {
    for (typed, key) in [
        ("06 12 34 56 78", "33612345678"),
        ("+33 6 12 34 56 78", "33612345678"),
        ("0033612345678", "33612345678"),
        ("0692 12 34 56", "262692123456"),
        ("0590 27 12 34", "590590271234"),
        ("+32 470 12 34 56", "32470123456"),
    ] {
        let v = validate_new_customer(&NewCustomer {
            phones: vec![typed.into()],
            ..walk_in()
        })
        .unwrap_or_else(|e| panic!("{typed}: {e}"));
        assert_eq!(v.phones[0].key, key, "{typed}");
    }
    for bad in ["12", "06 12 34 56", "+33 6 12", "abc", "06 12 34 56 78 90"] {
        let e = validate_new_customer(&NewCustomer {
            phones: vec![bad.into()],
            ..walk_in()
        })
        .unwrap_err();
        assert_eq!(e.code(), "invalid_phone", "{bad}");
    }
}

#[test]
fn the_same_phone_twice_in_two_writings_is_one_contact() {
    let v = validate_new_customer(&NewCustomer {
        phones: vec!["06 12 34 56 78".into(), "+33612345678".into()],
        ..walk_in()
    })
    .unwrap();
    assert_eq!(v.phones.len(), 1);
}

#[test]
fn too_many_contacts_are_refused() {
    let phones: Vec<String> = (0..6).map(|i| format!("06 12 34 56 7{i}")).collect();
    let e = validate_new_customer(&NewCustomer {
        phones,
        ..walk_in()
    })
    .unwrap_err();
    assert_eq!(e.code(), "too_many_contacts");
    assert!(e.message_fr().contains("5 numéros"), "{}", e.message_fr());
}

#[test]
fn emails_are_checked_for_their_shape() {
    for ok in [
        "a@b.fr",
        "lea.martin+sav@example.co.uk",
        "é@exemple.fr",
        "x_y@sub-domain.example.com",
    ] {
        assert!(is_valid_email(ok), "{ok}");
    }
    for bad in [
        "",
        "@",
        "a@",
        "@b.fr",
        "a@b",
        "a@b.",
        "a@.fr",
        "a b@c.fr",
        "a@b c.fr",
        "a@@b.fr",
        ".a@b.fr",
        "a..b@c.fr",
        "a@-b.fr",
        "a@b.f",
        "a@b.12",
    ] {
        assert!(!is_valid_email(bad), "{bad}");
    }
}

#[test]
fn unknown_keys_are_refused() {
    let e = serde_json::from_str::<NewCustomer>(r#"{"last_name":"Martin","fisrt_name":"Léa"}"#)
        .unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    let e = serde_json::from_str::<CustomerPatch>(r#"{"phone":"06"}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    let e = serde_json::from_str::<NewCustomer>(r#"{"address":{"street":"x"}}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
}

fn record() -> CustomerRecord {
    validate_new_customer(&walk_in())
        .unwrap()
        .into_record(CustomerId::new(), now())
}

#[test]
fn a_patch_changes_only_what_differs() {
    let c = record();
    let patch = validate_patch(&CustomerPatch {
        first_name: Some("Léa".into()),
        phones: Some(vec!["+33 6 11 22 33 44".into()]),
        emails: Some(vec!["lea@example.org".into()]),
        email_marketing: Some(true),
        sms_marketing: Some(true),
        ..CustomerPatch::default()
    })
    .unwrap();
    let edits = diff(&c, &patch);
    let fields: Vec<CustomerField> = edits.iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        vec![CustomerField::Emails, CustomerField::SmsMarketing]
    );
    assert_eq!(
        value_fr(CustomerField::Emails, &edits[0].old),
        "Lea.Martin@Example.fr"
    );
    assert_eq!(
        value_fr(CustomerField::Emails, &edits[0].new),
        "lea@example.org"
    );
    assert_eq!(added_contacts(&c, &patch).len(), 1, "only the new e-mail");
}

#[test]
fn a_kept_phone_keeps_its_id_and_a_removed_one_goes() {
    let c = record();
    let old_id = c
        .contacts
        .iter()
        .find(|k| k.kind == ContactKind::Phone)
        .unwrap()
        .id;
    let patch = validate_patch(&CustomerPatch {
        phones: Some(vec!["07 52 33 41 18".into(), "0611223344".into()]),
        ..CustomerPatch::default()
    })
    .unwrap();
    let edits = diff(&c, &patch);
    assert_eq!(edits.len(), 1);
    let mut after = c.clone();
    apply_field(&mut after, edits[0].field, &edits[0].new).unwrap();
    let phones: Vec<&ContactRecord> = after
        .contacts
        .iter()
        .filter(|k| k.kind == ContactKind::Phone)
        .collect();
    assert_eq!(phones.len(), 2);
    assert!(phones[0].is_primary && !phones[1].is_primary);
    assert_eq!(phones[1].id, old_id);
    assert_eq!(
        value_fr(CustomerField::Phones, &edits[0].new),
        "07 52 33 41 18, 06 11 22 33 44"
    );

    let cleared = validate_patch(&CustomerPatch {
        phones: Some(vec![]),
        title: Some(String::new()),
        ..CustomerPatch::default()
    })
    .unwrap();
    let edits = diff(&c, &cleared);
    assert_eq!(
        edits.iter().map(|e| e.field).collect::<Vec<_>>(),
        vec![CustomerField::Title, CustomerField::Phones]
    );
}

#[test]
fn a_patch_is_validated_like_a_new_customer() {
    let ps = patch_problems(&CustomerPatch {
        last_name: Some("  ".into()),
        emails: Some(vec!["pas une adresse".into()]),
        ..CustomerPatch::default()
    });
    let got: Vec<(&str, &str)> = ps
        .iter()
        .map(|p| (p.field.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("last_name", "missing_field"),
            ("emails.0", "invalid_email")
        ]
    );
}

#[test]
fn values_that_do_not_fit_their_field_are_named_errors() {
    let mut c = record();
    let before = c.clone();
    for (field, v) in [
        (CustomerField::Phones, json!("06 12")),
        (CustomerField::EmailMarketing, json!("yes")),
        (
            CustomerField::Address,
            json!({"line1": "x", "planet": "Mars"}),
        ),
        (CustomerField::FirstName, json!("x".repeat(300))),
    ] {
        let e = apply_field(&mut c, field, &v).unwrap_err();
        assert!(
            ["change_payload_invalid", "text_too_long"].contains(&e.code()),
            "{field:?}: {e}"
        );
    }
    assert_eq!(c, before, "nothing changed by a refused value");
}

fn change(c: &CustomerRecord, field: CustomerField, value: Value, ms: u64) -> CustomerFieldChange {
    CustomerFieldChange {
        id: Uuid::now_v7(),
        customer_id: c.id,
        hlc: Hlc {
            physical_ms: ms,
            logical: 0,
        },
        device_id: Uuid::now_v7(),
        at: now() + chrono::Duration::milliseconds(i64::try_from(ms).unwrap()),
        actor: "Julie".into(),
        field,
        old: Value::Null,
        value,
    }
}

#[test]
fn the_fold_keeps_the_latest_edit_of_each_field() {
    let c = record();
    let created = CustomerCreated {
        id: Uuid::now_v7(),
        hlc: Hlc {
            physical_ms: 100,
            logical: 0,
        },
        device_id: Uuid::now_v7(),
        actor: "Julie".into(),
        customer: c.clone(),
    };
    let older = change(&c, CustomerField::LastName, json!("Martin-Older"), 200);
    let newer = change(&c, CustomerField::LastName, json!("Martin-Newer"), 300);
    let before_creation = change(&c, CustomerField::FirstName, json!("Avant"), 50);
    let consent = change(&c, CustomerField::SmsMarketing, json!(true), 250);
    let a = fold_customer(
        None,
        Some(&created),
        &[
            newer.clone(),
            older.clone(),
            before_creation.clone(),
            consent.clone(),
        ],
    )
    .unwrap()
    .unwrap();
    let b = fold_customer(
        None,
        Some(&created),
        &[consent, before_creation, older, newer.clone()],
    )
    .unwrap()
    .unwrap();
    assert_eq!(a, b);
    assert_eq!(a.last_name, "Martin-Newer");
    assert_eq!(
        a.first_name, "Léa",
        "an edit older than the creation changes nothing"
    );
    assert!(a.sms_marketing);
    assert_eq!(a.updated_at, newer.at);
    assert_eq!(
        a.consents_updated_at,
        Some(now() + chrono::Duration::milliseconds(250))
    );
    assert_eq!(
        fold_customer(None, None, &[newer]).unwrap(),
        None,
        "waits for its creation"
    );
}

fn arb_field_change(c: CustomerRecord) -> impl Strategy<Value = CustomerFieldChange> {
    (0usize..4, 0u64..20, 0u32..3, "[a-z]{1,8}", any::<bool>()).prop_map(
        move |(f, ms, l, text, flag)| {
            let (field, value) = match f {
                0 => (CustomerField::LastName, json!(text)),
                1 => (
                    CustomerField::Title,
                    if flag { json!("Mme") } else { Value::Null },
                ),
                2 => (CustomerField::EmailMarketing, json!(flag)),
                _ => (
                    CustomerField::Emails,
                    json!([{ "id": ContactId::new(), "value": format!("{text}@example.fr") }]),
                ),
            };
            let mut ch = change(&c, field, value, ms);
            ch.hlc.logical = l;
            ch
        },
    )
}

proptest! {
    /// Whatever order edits from several counters arrive in, with repeats,
    /// the customer is the same, and each field is the value of its latest
    /// change by (HLC, id).
    #[test]
    fn the_fold_is_order_independent(
        (changes, perm) in proptest::collection::vec(arb_field_change(record_fixed()), 0..12)
            .prop_flat_map(|v| { let n = v.len(); (Just(v), Just((0..n).collect::<Vec<usize>>()).prop_shuffle()) }),
        dup in any::<bool>(),
    ) {
        let base = record_fixed();
        let a = fold_customer(Some(&base), None, &changes).unwrap().unwrap();
        let mut shuffled: Vec<CustomerFieldChange> = perm.iter().map(|i| changes[*i].clone()).collect();
        if dup { shuffled.extend(changes.iter().cloned()); }
        let b = fold_customer(Some(&base), None, &shuffled).unwrap().unwrap();
        prop_assert_eq!(&a, &b);
        if let Some(w) = changes.iter().filter(|c| c.field == CustomerField::LastName).max_by_key(|c| (c.hlc, c.id)) {
            prop_assert_eq!(Some(a.last_name.as_str()), w.value.as_str());
        } else {
            prop_assert_eq!(&a.last_name, &base.last_name);
        }
    }

    /// Any text as a new customer's fields: accepted or refused with named
    /// problems, never a panic; an accepted one is within the bounds.
    #[test]
    fn any_input_is_accepted_or_named(
        first in ".{0,210}", last in ".{0,210}", phone in "[0-9 +.()-]{0,45}", email in ".{0,60}",
    ) {
        let input = NewCustomer { first_name: first, last_name: last, phones: vec![phone], emails: vec![email], ..NewCustomer::default() };
        match validate_new_customer(&input) {
            Ok(v) => {
                prop_assert!(!v.first_name.is_empty() && v.first_name.chars().count() <= 200);
                prop_assert!(v.phones.iter().all(|p| normalize_phone(&p.value).as_deref() == Some(p.key.as_str())));
                prop_assert!(v.emails.iter().all(|e| is_valid_email(&e.value)));
                prop_assert!(new_customer_problems(&input).is_empty());
            }
            Err(e) => {
                prop_assert!(!e.message_fr().is_empty());
                let ps = new_customer_problems(&input);
                prop_assert!(!ps.is_empty());
                prop_assert_eq!(ps[0].code.as_str(), e.code());
            }
        }
    }

    /// A phone accepted in its national writing (metropolitan or
    /// overseas) is the same contact in its international writing.
    #[test]
    fn national_and_international_writings_meet(n in 100_000_000u64..999_999_999) {
        let national = format!("0{n}");
        if let Ok(v) = validate_new_customer(&NewCustomer { phones: vec![national], ..walk_in() }) {
            let key = v.phones[0].key.clone();
            let intl = validate_new_customer(&NewCustomer { phones: vec![format!("+{key}")], ..walk_in() }).unwrap();
            prop_assert_eq!(&intl.phones[0].key, &key);
        }
    }
}

fn record_fixed() -> CustomerRecord {
    let mut r = record();
    r.id = CustomerId(Uuid::from_u128(7));
    r
}
