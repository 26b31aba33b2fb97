//! From what the counter shows (a dossier with its customer and order) to
//! what a printed document says, in plain words.

use chrono::DateTime;
use chrono::Utc;
use chrono_tz::Tz;
use comptoir_core::model::ContactKind;
use comptoir_core::records::StoreRecord;
use comptoir_core::views::{ContactView, DossierDetail};

use crate::render::format_date_time_fr;
use crate::ticket::*;

/// The tracking link of one dossier: the base followed by its number.
pub fn tracking_url(base: Option<&str>, number: &str) -> Option<String> {
    base.map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| format!("{b}{number}"))
}

fn primary(contacts: &[ContactView], kind: ContactKind) -> Option<String> {
    let mut of_kind: Vec<&ContactView> = contacts.iter().filter(|c| c.kind == kind).collect();
    of_kind.sort_by_key(|c| !c.is_primary);
    of_kind.first().map(|c| c.value.clone())
}

/// The printed ticket of a dossier. `tracking_base` is the chain's
/// tracking page (the `tracking_url` setting, e.g.
/// `https://suivi.example/d/`): the QR code then opens that page followed by
/// the dossier number; without it, the QR code holds the number.
pub fn ticket_from_detail(
    detail: &DossierDetail,
    store: &StoreRecord,
    kind: TicketKind,
    tracking_base: Option<&str>,
) -> Ticket {
    let d = &detail.dossier;
    let tz: Tz = store.timezone.parse().unwrap_or(chrono_tz::Europe::Paris);
    let when = |at: DateTime<Utc>| format_date_time_fr(at, tz);
    let line = detail
        .order
        .as_ref()
        .and_then(|o| o.lines.iter().find(|l| Some(l.id) == d.order_line_id));
    let purchase = detail.order.as_ref().map(|o| PurchaseProof {
        reference: o.number.clone(),
        date: o.ordered_at.with_timezone(&tz).date_naive(),
        channel: o.channel,
        where_label: Some(o.where_label.clone()),
    });
    let serial = d.serial_number.clone().or_else(|| {
        line.filter(|l| l.serial_numbers.len() == 1)
            .map(|l| l.serial_numbers[0].clone())
    });
    let condition = match (&d.condition_label, &d.condition_note) {
        (Some(l), Some(n)) => format!("{l} — {n}"),
        (Some(l), None) => l.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => "Non précisé".to_owned(),
    };

    let mut next_steps = Vec::new();
    match kind {
        TicketKind::Intake => {
            next_steps.push(
                "Nous examinons votre produit et vous tenons informé(e) à chaque étape.".to_owned(),
            );
            if let Some(p) = d.promised_at {
                let promise = d
                    .promise_label
                    .as_deref()
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default();
                next_steps.push(format!(
                    "Notre engagement : au plus tard le {}{promise}.",
                    when(p)
                ));
            }
            if let Some(cap) = d.legal_cap_at {
                next_steps.push(format!(
                    "Garantie légale de conformité : la réparation ou le remplacement intervient au plus tard le {} (30 jours).",
                    when(cap)
                ));
            }
            next_steps.push(format!(
                "Pour toute question ou pour récupérer votre produit, présentez ce bon (ou son code-barres) au comptoir SAV de {}.",
                store.name
            ));
        }
        TicketKind::Restitution => {
            next_steps
                .push("Vérifiez votre produit avec le conseiller avant de signer.".to_owned());
            next_steps.push(
                "Conservez ce bon : il fait foi de l'intervention. Un produit réparé au titre de la garantie légale de conformité bénéficie de 6 mois de garantie supplémentaires.".to_owned(),
            );
            next_steps.push(format!(
                "Si le problème revenait, présentez ce bon au comptoir SAV de {} : nous reprendrons votre dossier.",
                store.name
            ));
        }
    }

    let restitution = match kind {
        TicketKind::Intake => None,
        TicketKind::Restitution => {
            let returned_at = d
                .events
                .iter()
                .rev()
                .find(|e| e.kind == "hand_back")
                .map(|e| e.at)
                .or(d.closed_at)
                .unwrap_or_else(Utc::now);
            Some(match &d.resolution {
                Some(r) => RestitutionInfo {
                    returned_at,
                    resolution: r.summary.clone(),
                    parts: r.parts.clone(),
                    cost: comptoir_core::Cents::ZERO,
                    goodwill: r
                        .gesture
                        .as_ref()
                        .map(|g| format!("{} ({})", g.description, g.amount.format_fr())),
                },
                None => RestitutionInfo {
                    returned_at,
                    resolution: "Produit restitué.".to_owned(),
                    parts: Vec::new(),
                    cost: comptoir_core::Cents::ZERO,
                    goodwill: None,
                },
            })
        }
    };

    Ticket {
        kind,
        store: StoreIdentity {
            name: store.name.clone(),
            address: format!("{}\n{} {}", store.address, store.postal_code, store.city),
            phone: store.phone.clone(),
        },
        dossier_number: d.number.clone(),
        tracking_url: tracking_url(tracking_base, &d.number),
        opened_at: d.opened_at,
        timezone: tz.name().to_owned(),
        clerk: d.opened_by.clone(),
        customer: CustomerInfo {
            name: detail.customer.display_name.clone(),
            phone: primary(&detail.customer.contacts, ContactKind::Phone),
            email: primary(&detail.customer.contacts, ContactKind::Email),
        },
        product: ProductInfo {
            name: d
                .product_name
                .clone()
                .unwrap_or_else(|| "Produit non précisé".to_owned()),
            sku: line.map(|l| l.product.sku.clone()),
            serial_number: serial,
            purchase,
        },
        condition,
        accessories: d.accessories.clone(),
        reason: d.reason_label.clone(),
        customer_words: d.customer_words.clone(),
        deadline: d.promised_at,
        next_steps,
        decision: d.decision.as_ref().map(|r| PolicyDecision {
            label: match r.gesture {
                Some(g) => format!(
                    "{}, et un geste commercial de {}",
                    r.headline_fr(),
                    g.format_fr()
                ),
                None => r.headline_fr(),
            },
            // The clerk's note is the written reason a refusal owes the
            // customer (L241-5); on any decision it says what was agreed.
            basis: format!(
                "{}{} (politique de retour {}, version {})",
                r.explanation,
                r.note
                    .as_deref()
                    .map(|n| format!(" Motif : {n}"))
                    .unwrap_or_default(),
                r.policy_id,
                r.policy_version
            ),
            legal_article: r.article.clone(),
        }),
        manager_approval: d.decision.as_ref().and_then(|r| {
            r.approved_by.as_ref().map(|m| {
                format!(
                    "Accord de {m}, responsable du magasin, le {}.",
                    r.decided_at.with_timezone(&tz).format("%d/%m/%Y à %H:%M")
                )
            })
        }),
        restitution,
        legal_mention: None,
        // A refusal always carries the consumer mediator's details (L612-1).
        mediator: d.decision.as_ref().and_then(|r| r.mediator.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::tracking_url;

    #[test]
    fn each_dossier_gets_its_own_tracking_link() {
        let base = Some("https://suivi.example/d/");
        assert_eq!(
            tracking_url(base, "SAV-LYO1-2026-000123").as_deref(),
            Some("https://suivi.example/d/SAV-LYO1-2026-000123")
        );
        assert_ne!(tracking_url(base, "SAV-A"), tracking_url(base, "SAV-B"));
        assert_eq!(tracking_url(Some("  "), "SAV-A"), None);
        assert_eq!(tracking_url(None, "SAV-A"), None);
    }
}
