//! Customers created and corrected at the counter (issue 8): the typed,
//! bounded inputs, their validation (with the normalisation search uses, so
//! what is saved is found at once), the field-by-field difference an edit
//! makes, and the fold that merges field changes from several counters —
//! last writer wins, field by field, by hybrid logical clock.
//!
//! A customer's *fields*, the unit of an edit and of the merge, are
//! [`CustomerField`]: the civility, the first name, the last name, the
//! postal address (one field: a line from one counter and a city from
//! another would make an address that exists nowhere), the phones (the whole
//! list), the e-mails (the whole list) and each marketing consent.
//!
//! Pure: no I/O, no clock; the store stamps and writes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::bounds::{check_len, check_short_text};
use crate::changes::{CustomerCreated, CustomerFieldChange};
use crate::ids::{ContactId, CustomerId};
use crate::model::ContactKind;
use crate::normalize::{contact_key, display_phone, normalize_email, normalize_phone};
use crate::records::{display_name, ContactRecord, CustomerRecord};
use crate::{CoreError, Result};

/// Most phones, and most e-mails, one customer can have.
pub const MAX_CONTACTS_PER_KIND: usize = 5;
/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest phone number as written (`+33 (0)6 12 34 56 78` is 20).
pub const MAX_PHONE_CHARS: usize = 40;
/// Civilities a customer can be addressed with.
pub const CIVILITIES: &[&str] = &["Mme", "M."];

/// A postal address (one field of the customer: edited and merged whole).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct AddressInput {
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub city: String,
    /// ISO code; `FR` when empty.
    #[serde(default)]
    pub country: String,
}

/// A new customer, as typed at the counter (or given to `comptoir-ctl
/// customer add`). Unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NewCustomer {
    /// « Mme », « M. » or nothing.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub address: AddressInput,
    /// As the customer says them, any writing (`06 12…`, `+33 6…`,
    /// `0692…`); the first is the main one. Empty entries are ignored.
    #[serde(default)]
    pub phones: Vec<String>,
    #[serde(default)]
    pub emails: Vec<String>,
    #[serde(default)]
    pub email_marketing: bool,
    #[serde(default)]
    pub sms_marketing: bool,
}

/// A correction of a customer: every key present is the field's new value
/// (`title: ""` removes the civility, `phones: []` every phone); a key left
/// out, or equal to the current value, changes nothing. Unknown keys are
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct CustomerPatch {
    #[serde(default)]
    #[ts(optional)]
    pub title: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub first_name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub last_name: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub address: Option<AddressInput>,
    #[serde(default)]
    #[ts(optional)]
    pub phones: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub emails: Option<Vec<String>>,
    #[serde(default)]
    #[ts(optional)]
    pub email_marketing: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub sms_marketing: Option<bool>,
}

/// One field of a customer: the unit of an edit, of its history line and
/// of the merge (last writer wins per field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CustomerField {
    Title,
    FirstName,
    LastName,
    Address,
    Phones,
    Emails,
    EmailMarketing,
    SmsMarketing,
}

impl CustomerField {
    pub const ALL: &'static [CustomerField] = &[
        CustomerField::Title,
        CustomerField::FirstName,
        CustomerField::LastName,
        CustomerField::Address,
        CustomerField::Phones,
        CustomerField::Emails,
        CustomerField::EmailMarketing,
        CustomerField::SmsMarketing,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CustomerField::Title => "title",
            CustomerField::FirstName => "first_name",
            CustomerField::LastName => "last_name",
            CustomerField::Address => "address",
            CustomerField::Phones => "phones",
            CustomerField::Emails => "emails",
            CustomerField::EmailMarketing => "email_marketing",
            CustomerField::SmsMarketing => "sms_marketing",
        }
    }

    pub fn from_code(code: &str) -> Result<CustomerField> {
        CustomerField::ALL
            .iter()
            .copied()
            .find(|f| f.code() == code)
            .ok_or_else(|| CoreError::UnknownValue {
                field: "field",
                value: code.chars().take(64).collect(),
            })
    }

    /// The history line's words: « Téléphone modifié ».
    pub fn edited_fr(self) -> &'static str {
        match self {
            CustomerField::Title => "Civilité modifiée",
            CustomerField::FirstName => "Prénom modifié",
            CustomerField::LastName => "Nom modifié",
            CustomerField::Address => "Adresse modifiée",
            CustomerField::Phones => "Téléphone modifié",
            CustomerField::Emails => "E-mail modifié",
            CustomerField::EmailMarketing => "Consentement aux e-mails commerciaux modifié",
            CustomerField::SmsMarketing => "Consentement aux SMS commerciaux modifié",
        }
    }
}

/// A field of the form that is refused, and why (shown next to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldProblem {
    /// The form field: `last_name`, `address.city`, `phones.1`, `emails.0`…
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldProblem {
    fn new(field: impl Into<String>, e: &CoreError) -> FieldProblem {
        FieldProblem {
            field: field.into(),
            code: e.code().to_owned(),
            message: e.message_fr(),
        }
    }
}

/// A phone or an e-mail already belonging to another customer: a possible
/// duplicate, pointed out before saving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PossibleDuplicate {
    /// The form field it was typed in (`phones.0`, `emails.1`).
    pub field: String,
    pub kind: ContactKind,
    /// As typed.
    pub value: String,
    /// The other customer.
    pub customer_id: CustomerId,
    pub display_name: String,
    pub city: String,
    pub postal_code: String,
}

impl PossibleDuplicate {
    /// « Le numéro 06 12 34 56 78 est déjà celui de Mme Hélène Dupré (Lyon). »
    pub fn sentence_fr(&self) -> String {
        let town = if self.city.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.city)
        };
        match self.kind {
            ContactKind::Phone => format!(
                "Le numéro {} est déjà celui de {}{town}.",
                normalize_phone(&self.value)
                    .map(|k| display_phone(&k))
                    .unwrap_or_else(|| self.value.clone()),
                self.display_name
            ),
            ContactKind::Email => format!(
                "L'adresse {} est déjà celle de {}{town}.",
                self.value, self.display_name
            ),
        }
    }
}

/// What the form learns before saving: the problems of its fields, and the
/// possible duplicates (the clerk opens the other card or saves anyway).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerCheck {
    pub problems: Vec<FieldProblem>,
    pub duplicates: Vec<PossibleDuplicate>,
}

/// One line of the card's short history of edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CustomerChangeView {
    pub id: uuid::Uuid,
    /// `None` for the creation of the card.
    pub field: Option<CustomerField>,
    /// « Téléphone modifié », « Fiche créée ».
    pub summary: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The value before and after, in words (none for a creation).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A phone or an e-mail, checked: as written (trimmed) and its search key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContact {
    /// Its form field (`phones.0`), to point a duplicate out next to it.
    pub field: String,
    pub kind: ContactKind,
    pub value: String,
    pub key: String,
}

/// A new customer once every field is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCustomer {
    pub title: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub address: AddressInput,
    pub phones: Vec<ValidContact>,
    pub emails: Vec<ValidContact>,
    pub email_marketing: bool,
    pub sms_marketing: bool,
}

/// Whether an e-mail address is well formed: one `@`, a local part and a
/// domain of dot-separated labels (letters, digits, hyphens; the last one
/// of two letters or more), no spaces. Deliberately not RFC 5322's full
/// grammar: what a clerk types from a customer's dictation.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().count() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    local_ok && domain_ok
}

fn trimmed(s: &str) -> String {
    s.trim().to_owned()
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Collects problems instead of stopping at the first.
#[derive(Default)]
struct Problems(Vec<(String, CoreError)>);

impl Problems {
    fn check(&mut self, field: impl Into<String>, r: Result<()>) {
        if let Err(e) = r {
            self.0.push((field.into(), e));
        }
    }
    fn push(&mut self, field: impl Into<String>, e: CoreError) {
        self.0.push((field.into(), e));
    }
}

fn check_title(p: &mut Problems, title: Option<&str>) -> Option<String> {
    let t = non_empty(title)?;
    if CIVILITIES.contains(&t.as_str()) {
        Some(t)
    } else {
        p.push(
            "title",
            CoreError::UnknownValue {
                field: "title",
                value: t.chars().take(20).collect(),
            },
        );
        None
    }
}

fn check_name(p: &mut Problems, field: &'static str, v: &str) -> String {
    let v = trimmed(v);
    if v.is_empty() {
        p.push(field, CoreError::MissingField { field });
    } else {
        p.check(field, check_short_text(field, &v));
    }
    v
}

fn check_address(p: &mut Problems, a: &AddressInput) -> AddressInput {
    let out = AddressInput {
        line1: trimmed(&a.line1),
        line2: non_empty(a.line2.as_deref()),
        postal_code: trimmed(&a.postal_code),
        city: trimmed(&a.city),
        country: match a.country.trim() {
            "" => "FR".to_owned(),
            c => c.to_uppercase(),
        },
    };
    p.check(
        "address.line1",
        check_short_text("address_line1", &out.line1),
    );
    if let Some(l2) = &out.line2 {
        p.check("address.line2", check_short_text("address_line2", l2));
    }
    p.check(
        "address.postal_code",
        check_len("postal_code", &out.postal_code, 20),
    );
    p.check("address.city", check_short_text("city", &out.city));
    if out.country.chars().count() != 2 || !out.country.chars().all(|c| c.is_ascii_uppercase()) {
        p.push(
            "address.country",
            CoreError::UnknownValue {
                field: "country",
                value: out.country.chars().take(20).collect(),
            },
        );
    }
    out
}

fn check_contacts(p: &mut Problems, kind: ContactKind, values: &[String]) -> Vec<ValidContact> {
    let (list, max_chars) = match kind {
        ContactKind::Phone => ("phones", MAX_PHONE_CHARS),
        ContactKind::Email => ("emails", MAX_EMAIL_CHARS),
    };
    let mut out: Vec<ValidContact> = Vec::new();
    let given: Vec<(usize, String)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (i, trimmed(v)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if given.len() > MAX_CONTACTS_PER_KIND {
        p.push(
            list,
            CoreError::TooManyContacts {
                kind,
                max: MAX_CONTACTS_PER_KIND,
            },
        );
        return out;
    }
    for (i, value) in given {
        let field = format!("{list}.{i}");
        let len = value.chars().take(max_chars + 1).count();
        if len > max_chars {
            p.push(
                field,
                CoreError::TextTooLong {
                    field: match kind {
                        ContactKind::Phone => "phone",
                        ContactKind::Email => "email",
                    },
                    len: value.chars().count(),
                    max: max_chars,
                },
            );
            continue;
        }
        let key = match kind {
            ContactKind::Phone => match normalize_phone(&value) {
                Some(k) => k,
                None => {
                    p.push(field, CoreError::InvalidPhone { value });
                    continue;
                }
            },
            ContactKind::Email => {
                if !is_valid_email(&value) {
                    p.push(field, CoreError::InvalidEmail { value });
                    continue;
                }
                normalize_email(&value)
            }
        };
        // The same number twice (in two writings) is one contact.
        if !out.iter().any(|c| c.key == key) {
            out.push(ValidContact {
                field: format!("{list}.{i}"),
                kind,
                value,
                key,
            });
        }
    }
    out
}

/// Every problem of a new customer, each with its form field.
pub fn new_customer_problems(input: &NewCustomer) -> Vec<FieldProblem> {
    match validate_new(input) {
        Ok(_) => Vec::new(),
        Err(ps) => ps
            .iter()
            .map(|(f, e)| FieldProblem::new(f.clone(), e))
            .collect(),
    }
}

fn validate_new(
    input: &NewCustomer,
) -> std::result::Result<ValidCustomer, Vec<(String, CoreError)>> {
    let mut p = Problems::default();
    let title = check_title(&mut p, input.title.as_deref());
    if input.first_name.trim().is_empty() && input.last_name.trim().is_empty() {
        p.push("last_name", CoreError::CustomerWithoutName);
    }
    let first_name = check_name(&mut p, "first_name", &input.first_name);
    let last_name = check_name(&mut p, "last_name", &input.last_name);
    if input.first_name.trim().is_empty() && input.last_name.trim().is_empty() {
        // One refusal for a nameless customer, not three.
        p.0.retain(|(_, e)| !matches!(e, CoreError::MissingField { .. }));
    }
    let address = check_address(&mut p, &input.address);
    let phones = check_contacts(&mut p, ContactKind::Phone, &input.phones);
    let emails = check_contacts(&mut p, ContactKind::Email, &input.emails);
    if p.0.is_empty() {
        Ok(ValidCustomer {
            title,
            first_name,
            last_name,
            address,
            phones,
            emails,
            email_marketing: input.email_marketing,
            sms_marketing: input.sms_marketing,
        })
    } else {
        Err(p.0)
    }
}

/// A new customer, checked; the first problem as the error.
pub fn validate_new_customer(input: &NewCustomer) -> Result<ValidCustomer> {
    validate_new(input).map_err(first)
}

fn first(mut ps: Vec<(String, CoreError)>) -> CoreError {
    ps.swap_remove(0).1
}

fn contacts_of(c: &ValidCustomer, now_ids: impl FnMut() -> ContactId) -> Vec<ContactRecord> {
    let mut new_id = now_ids;
    c.phones
        .iter()
        .enumerate()
        .chain(c.emails.iter().enumerate())
        .map(|(i, k)| ContactRecord {
            id: new_id(),
            kind: k.kind,
            value: k.value.clone(),
            label: None,
            is_primary: i == 0,
        })
        .collect()
}

impl ValidCustomer {
    /// The record as it is born at the counter (ids UUIDv7, now).
    pub fn into_record(self, id: CustomerId, now: DateTime<Utc>) -> CustomerRecord {
        let contacts = contacts_of(&self, ContactId::new);
        let consents = self.email_marketing || self.sms_marketing;
        CustomerRecord {
            id,
            title: self.title,
            first_name: self.first_name,
            last_name: self.last_name,
            address_line1: self.address.line1,
            address_line2: self.address.line2,
            postal_code: self.address.postal_code,
            city: self.address.city,
            country: self.address.country,
            email_marketing: self.email_marketing,
            sms_marketing: self.sms_marketing,
            consents_updated_at: consents.then_some(now),
            created_at: now,
            updated_at: now,
            contacts,
        }
    }

    /// Its phones and e-mails, for the duplicate check.
    pub fn contacts(&self) -> impl Iterator<Item = &ValidContact> {
        self.phones.iter().chain(self.emails.iter())
    }
}

/// A correction, checked: the fields it sets, normalised.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidPatch {
    pub title: Option<Option<String>>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<AddressInput>,
    pub phones: Option<Vec<ValidContact>>,
    pub emails: Option<Vec<ValidContact>>,
    pub email_marketing: Option<bool>,
    pub sms_marketing: Option<bool>,
}

fn validate_patch_all(
    patch: &CustomerPatch,
) -> std::result::Result<ValidPatch, Vec<(String, CoreError)>> {
    let mut p = Problems::default();
    let out = ValidPatch {
        title: patch.title.as_deref().map(|t| check_title(&mut p, Some(t))),
        first_name: patch
            .first_name
            .as_deref()
            .map(|v| check_name(&mut p, "first_name", v)),
        last_name: patch
            .last_name
            .as_deref()
            .map(|v| check_name(&mut p, "last_name", v)),
        address: patch.address.as_ref().map(|a| check_address(&mut p, a)),
        phones: patch
            .phones
            .as_deref()
            .map(|v| check_contacts(&mut p, ContactKind::Phone, v)),
        emails: patch
            .emails
            .as_deref()
            .map(|v| check_contacts(&mut p, ContactKind::Email, v)),
        email_marketing: patch.email_marketing,
        sms_marketing: patch.sms_marketing,
    };
    if p.0.is_empty() {
        Ok(out)
    } else {
        Err(p.0)
    }
}

/// A correction, checked; the first problem as the error.
pub fn validate_patch(patch: &CustomerPatch) -> Result<ValidPatch> {
    validate_patch_all(patch).map_err(first)
}

/// Every problem of a correction, each with its form field.
pub fn patch_problems(patch: &CustomerPatch) -> Vec<FieldProblem> {
    match validate_patch_all(patch) {
        Ok(_) => Vec::new(),
        Err(ps) => ps
            .iter()
            .map(|(f, e)| FieldProblem::new(f.clone(), e))
            .collect(),
    }
}

/// One phone or e-mail inside a field's value: its id (kept across edits of
/// the list, born with the contact), as written, and its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactEntry {
    pub id: ContactId,
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
}

/// A field's value as it travels in a change (JSON): `title` a string or
/// null, names a string, `address` an [`AddressInput`], `phones` and
/// `emails` a list of [`ContactEntry`] (the first is the main one), the
/// consents a bool.
pub fn field_value(c: &CustomerRecord, field: CustomerField) -> Value {
    let contacts = |kind: ContactKind| {
        let mut list: Vec<&ContactRecord> = c.contacts.iter().filter(|k| k.kind == kind).collect();
        // The main one first, then as stored.
        list.sort_by_key(|k| !k.is_primary);
        let entries: Vec<ContactEntry> = list
            .into_iter()
            .map(|k| ContactEntry {
                id: k.id,
                value: k.value.clone(),
                label: k.label.clone(),
            })
            .collect();
        serde_json::to_value(entries).unwrap_or(Value::Null)
    };
    match field {
        CustomerField::Title => json!(c.title),
        CustomerField::FirstName => json!(c.first_name),
        CustomerField::LastName => json!(c.last_name),
        CustomerField::Address => serde_json::to_value(AddressInput {
            line1: c.address_line1.clone(),
            line2: c.address_line2.clone(),
            postal_code: c.postal_code.clone(),
            city: c.city.clone(),
            country: c.country.clone(),
        })
        .unwrap_or(Value::Null),
        CustomerField::Phones => contacts(ContactKind::Phone),
        CustomerField::Emails => contacts(ContactKind::Email),
        CustomerField::EmailMarketing => json!(c.email_marketing),
        CustomerField::SmsMarketing => json!(c.sms_marketing),
    }
}

fn bad_value(field: CustomerField, detail: impl std::fmt::Display) -> CoreError {
    CoreError::ChangePayload {
        kind: crate::changes::KIND_CUSTOMER_FIELD.to_owned(),
        detail: format!("{}: {detail}", field.code()),
    }
}

fn decode<T: serde::de::DeserializeOwned>(field: CustomerField, v: &Value) -> Result<T> {
    serde_json::from_value(v.clone()).map_err(|e| bad_value(field, e))
}

/// Sets `field` of the record to `value` (a change's value): a value that
/// does not decode for that field, or breaks a bound, is a named error.
pub fn apply_field(c: &mut CustomerRecord, field: CustomerField, value: &Value) -> Result<()> {
    match field {
        CustomerField::Title => {
            let t: Option<String> = decode(field, value)?;
            if let Some(t) = &t {
                check_short_text("title", t)?;
            }
            c.title = t;
        }
        CustomerField::FirstName | CustomerField::LastName => {
            let v: String = decode(field, value)?;
            check_short_text(field.code(), &v)?;
            if field == CustomerField::FirstName {
                c.first_name = v;
            } else {
                c.last_name = v;
            }
        }
        CustomerField::Address => {
            let a: AddressInput = decode(field, value)?;
            for (f, v) in [
                ("address_line1", a.line1.as_str()),
                ("address_line2", a.line2.as_deref().unwrap_or("")),
                ("postal_code", a.postal_code.as_str()),
                ("city", a.city.as_str()),
                ("country", a.country.as_str()),
            ] {
                check_short_text(f, v)?;
            }
            c.address_line1 = a.line1;
            c.address_line2 = a.line2;
            c.postal_code = a.postal_code;
            c.city = a.city;
            c.country = a.country;
        }
        CustomerField::Phones | CustomerField::Emails => {
            let kind = if field == CustomerField::Phones {
                ContactKind::Phone
            } else {
                ContactKind::Email
            };
            let list: Vec<ContactEntry> = decode(field, value)?;
            if list.len() > MAX_CONTACTS_PER_KIND {
                return Err(CoreError::TooManyContacts {
                    kind,
                    max: MAX_CONTACTS_PER_KIND,
                });
            }
            for e in &list {
                check_len(field.code(), &e.value, MAX_EMAIL_CHARS)?;
            }
            c.contacts.retain(|k| k.kind != kind);
            c.contacts
                .extend(list.into_iter().enumerate().map(|(i, e)| ContactRecord {
                    id: e.id,
                    kind,
                    value: e.value,
                    label: e.label,
                    is_primary: i == 0,
                }));
        }
        CustomerField::EmailMarketing => c.email_marketing = decode(field, value)?,
        CustomerField::SmsMarketing => c.sms_marketing = decode(field, value)?,
    }
    Ok(())
}

/// What one field becomes: its old and new values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit {
    pub field: CustomerField,
    pub old: Value,
    pub new: Value,
}

fn contact_list(current: &CustomerRecord, kind: ContactKind, wanted: &[ValidContact]) -> Value {
    // A contact kept (same number or address, whatever its writing) keeps
    // its id, its label and the writing it had; a new one is born here.
    let entries: Vec<ContactEntry> = wanted
        .iter()
        .map(|w| {
            current
                .contacts
                .iter()
                .find(|k| k.kind == kind && contact_key(kind, &k.value) == w.key)
                .map(|k| ContactEntry {
                    id: k.id,
                    value: k.value.clone(),
                    label: k.label.clone(),
                })
                .unwrap_or_else(|| ContactEntry {
                    id: ContactId::new(),
                    value: w.value.clone(),
                    label: None,
                })
        })
        .collect();
    serde_json::to_value(entries).unwrap_or(Value::Null)
}

/// The fields a correction really changes, with their old and new values,
/// in [`CustomerField`] order. A phone typed again in another writing, or
/// the same list in the same order, is no change.
pub fn diff(current: &CustomerRecord, patch: &ValidPatch) -> Vec<FieldEdit> {
    let mut out = Vec::new();
    let mut push = |field: CustomerField, new: Option<Value>| {
        if let Some(new) = new {
            let old = field_value(current, field);
            let same = match field {
                // Compared by key and order; ids of kept contacts are kept.
                CustomerField::Phones | CustomerField::Emails => {
                    contact_keys(field, &old) == contact_keys(field, &new)
                }
                _ => old == new,
            };
            if !same {
                out.push(FieldEdit { field, old, new });
            }
        }
    };
    push(CustomerField::Title, patch.title.clone().map(|t| json!(t)));
    push(
        CustomerField::FirstName,
        patch.first_name.clone().map(|v| json!(v)),
    );
    push(
        CustomerField::LastName,
        patch.last_name.clone().map(|v| json!(v)),
    );
    push(
        CustomerField::Address,
        patch
            .address
            .clone()
            .map(|a| serde_json::to_value(a).unwrap_or(Value::Null)),
    );
    push(
        CustomerField::Phones,
        patch
            .phones
            .as_deref()
            .map(|w| contact_list(current, ContactKind::Phone, w)),
    );
    push(
        CustomerField::Emails,
        patch
            .emails
            .as_deref()
            .map(|w| contact_list(current, ContactKind::Email, w)),
    );
    push(
        CustomerField::EmailMarketing,
        patch.email_marketing.map(|b| json!(b)),
    );
    push(
        CustomerField::SmsMarketing,
        patch.sms_marketing.map(|b| json!(b)),
    );
    out
}

fn contact_keys(field: CustomerField, v: &Value) -> Vec<String> {
    let kind = if field == CustomerField::Phones {
        ContactKind::Phone
    } else {
        ContactKind::Email
    };
    serde_json::from_value::<Vec<ContactEntry>>(v.clone())
        .unwrap_or_default()
        .iter()
        .map(|e| contact_key(kind, &e.value))
        .collect()
}

/// The contacts a correction adds (the ones the customer did not have):
/// the ones to check for a possible duplicate.
pub fn added_contacts<'a>(
    current: &CustomerRecord,
    patch: &'a ValidPatch,
) -> Vec<&'a ValidContact> {
    patch
        .phones
        .iter()
        .flatten()
        .chain(patch.emails.iter().flatten())
        .filter(|w| {
            !current
                .contacts
                .iter()
                .any(|k| k.kind == w.kind && contact_key(k.kind, &k.value) == w.key)
        })
        .collect()
}

/// A field's value in words, for the card's history (« 06 12 34 56 78 »,
/// « 12 rue de la Paix, 69003 Lyon », « oui »).
pub fn value_fr(field: CustomerField, v: &Value) -> String {
    match field {
        CustomerField::Title | CustomerField::FirstName | CustomerField::LastName => v
            .as_str()
            .filter(|s| !s.is_empty())
            .unwrap_or("—")
            .to_owned(),
        CustomerField::Address => match serde_json::from_value::<AddressInput>(v.clone()) {
            Ok(a) => {
                let mut parts: Vec<String> = Vec::new();
                for s in [Some(a.line1.as_str()), a.line2.as_deref()]
                    .into_iter()
                    .flatten()
                {
                    if !s.is_empty() {
                        parts.push(s.to_owned());
                    }
                }
                let town = format!("{} {}", a.postal_code, a.city).trim().to_owned();
                if !town.is_empty() {
                    parts.push(town);
                }
                if parts.is_empty() {
                    "—".to_owned()
                } else {
                    parts.join(", ")
                }
            }
            Err(_) => "—".to_owned(),
        },
        CustomerField::Phones | CustomerField::Emails => {
            let list: Vec<ContactEntry> = serde_json::from_value(v.clone()).unwrap_or_default();
            if list.is_empty() {
                return "—".to_owned();
            }
            list.iter()
                .map(|e| {
                    if field == CustomerField::Phones {
                        normalize_phone(&e.value)
                            .map(|k| display_phone(&k))
                            .unwrap_or_else(|| e.value.clone())
                    } else {
                        e.value.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        }
        CustomerField::EmailMarketing | CustomerField::SmsMarketing => {
            if v.as_bool() == Some(true) {
                "oui".to_owned()
            } else {
                "non".to_owned()
            }
        }
    }
}

/// The bounds of a customer record received from elsewhere (created at
/// another counter): a name, short texts, a bounded number of contacts.
pub fn check_record(c: &CustomerRecord) -> Result<()> {
    if c.first_name.trim().is_empty() && c.last_name.trim().is_empty() {
        return Err(CoreError::CustomerWithoutName);
    }
    for (f, v) in [
        ("first_name", c.first_name.as_str()),
        ("last_name", c.last_name.as_str()),
        ("title", c.title.as_deref().unwrap_or("")),
        ("address_line1", c.address_line1.as_str()),
        ("address_line2", c.address_line2.as_deref().unwrap_or("")),
        ("postal_code", c.postal_code.as_str()),
        ("city", c.city.as_str()),
        ("country", c.country.as_str()),
    ] {
        check_short_text(f, v)?;
    }
    for kind in [ContactKind::Phone, ContactKind::Email] {
        if c.contacts.iter().filter(|k| k.kind == kind).count() > MAX_CONTACTS_PER_KIND {
            return Err(CoreError::TooManyContacts {
                kind,
                max: MAX_CONTACTS_PER_KIND,
            });
        }
    }
    for k in &c.contacts {
        check_len("contact", &k.value, MAX_EMAIL_CHARS)?;
    }
    Ok(())
}

/// The bounds of a field change (local or received): an actor, the value
/// decodes for its field.
pub fn check_field_change(f: &CustomerFieldChange) -> Result<()> {
    if f.actor.trim().is_empty() {
        return Err(CoreError::MissingField { field: "actor" });
    }
    check_short_text("actor", &f.actor)?;
    let mut probe = CustomerRecord {
        id: f.customer_id,
        title: None,
        first_name: String::new(),
        last_name: String::new(),
        address_line1: String::new(),
        address_line2: None,
        postal_code: String::new(),
        city: String::new(),
        country: String::new(),
        email_marketing: false,
        sms_marketing: false,
        consents_updated_at: None,
        created_at: f.at,
        updated_at: f.at,
        contacts: Vec::new(),
    };
    apply_field(&mut probe, f.field, &f.value)?;
    if matches!(f.field, CustomerField::FirstName | CustomerField::LastName)
        && f.value.as_str().is_some_and(|s| s.trim().is_empty())
    {
        return Err(CoreError::MissingField {
            field: f.field.code(),
        });
    }
    Ok(())
}

/// The customer as the fold of what is known of it: the record it was
/// created with (or, for a customer loaded in bulk, its row as it is), then
/// for each field the latest change by (HLC, change id) — last writer wins,
/// field by field, whatever order the changes arrived in. A field change
/// older than the creation changes nothing. `None` while neither a creation
/// nor a row is known (edits received before the creation wait for it).
pub fn fold_customer(
    base: Option<&CustomerRecord>,
    created: Option<&CustomerCreated>,
    fields: &[CustomerFieldChange],
) -> Result<Option<CustomerRecord>> {
    let (mut c, floor) = match (created, base) {
        (Some(k), _) => (k.customer.clone(), Some((k.hlc, k.id))),
        (None, Some(b)) => (b.clone(), None),
        (None, None) => return Ok(None),
    };
    for field in CustomerField::ALL {
        let winner = fields
            .iter()
            .filter(|f| f.field == *field && f.customer_id == c.id)
            .max_by_key(|f| (f.hlc, f.id));
        let Some(w) = winner else { continue };
        if floor.is_some_and(|fl| (w.hlc, w.id) <= fl) {
            continue;
        }
        apply_field(&mut c, *field, &w.value)?;
        if w.at > c.updated_at {
            c.updated_at = w.at;
        }
        if matches!(
            field,
            CustomerField::EmailMarketing | CustomerField::SmsMarketing
        ) && c.consents_updated_at.is_none_or(|t| w.at > t)
        {
            c.consents_updated_at = Some(w.at);
        }
    }
    Ok(Some(c))
}

/// The name a duplicate warning or a history line gives a customer.
pub fn name_of(c: &CustomerRecord) -> String {
    display_name(c.title.as_deref(), &c.first_name, &c.last_name)
}

#[cfg(test)]
mod tests;
