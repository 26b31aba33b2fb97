//! The readable form of an RGPD export (right of access): the same
//! [`CustomerExport`] the JSON is made from, laid out on A4 pages —
//! identity, contacts, consents, purchases with their lines, dossiers with
//! their timeline, corrections of the card — in French with the embedded
//! font (accents, €), the dossiers starting on a new page, and a footer
//! « page i/n » on every page.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use comptoir_core::export::CustomerExport;
use comptoir_core::views::{DossierView, OrderView};
use printpdf::{PdfDocument, PdfPage, PdfSaveOptions};

use crate::layout::{fonts, to_ops, Canvas, Item, Style};
use crate::render::format_date_time_fr;
use crate::Result;

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN_X: f32 = 18.0;
const TITLE: Style = Style::new(16.0, true);
const SECTION: Style = Style::new(12.5, true);
const ITEM_TITLE: Style = Style::new(10.5, true);
const BODY: Style = Style::new(9.5, false);
const LABEL: Style = Style::new(9.5, true);
const SMALL: Style = Style::new(8.0, false);
const LABEL_W: f32 = 42.0;

/// The time zone the export's times are shown in: that of the exporting
/// store when one of its orders or dossiers names it, else Paris.
fn time_zone(e: &CustomerExport) -> Tz {
    let stores = e
        .dossiers
        .iter()
        .filter_map(|d| d.store.as_ref())
        .chain(e.orders.iter().filter_map(|o| o.store.as_ref()));
    let mut first = None;
    for s in stores {
        if Some(&s.code) == e.store.as_ref() {
            return s.timezone.parse().unwrap_or(chrono_tz::Europe::Paris);
        }
        first.get_or_insert(s.timezone.as_str());
    }
    first
        .and_then(|t| t.parse().ok())
        .unwrap_or(chrono_tz::Europe::Paris)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "oui"
    } else {
        "non"
    }
}

fn when(at: DateTime<Utc>, tz: Tz) -> String {
    format_date_time_fr(at, tz)
}

fn field(c: &mut Canvas, label: &str, value: &str) {
    if !value.trim().is_empty() {
        c.field(LABEL_W, label, value, LABEL, BODY);
    }
}

fn empty_line(c: &mut Canvas, text: &str) {
    let (x, w) = (c.left(), c.content_w());
    c.paragraph(x, w, BODY.grey(0.35), text);
}

fn order(c: &mut Canvas, o: &OrderView, tz: Tz) {
    c.gap(2.0);
    let (x, w) = (c.left(), c.content_w());
    c.ensure(ITEM_TITLE.line_h() + 3.0 * BODY.line_h());
    c.paragraph(
        x,
        w,
        ITEM_TITLE,
        &format!(
            "Commande {} — {} — {}",
            o.number,
            o.where_label,
            o.total.format_fr()
        ),
    );
    field(c, "Date", &when(o.ordered_at, tz));
    if let Some(d) = o.delivered_at {
        field(c, "Livrée le", &when(d, tz));
    }
    field(c, "Paiement", &o.payment_method);
    if o.shipping.0 != 0 {
        field(c, "Livraison", &o.shipping.format_fr());
    }
    let lines: Vec<String> = o
        .lines
        .iter()
        .map(|l| {
            let mut s = format!(
                "{} × {} ({}, {}) — {}",
                l.quantity,
                l.product.name,
                l.product.brand,
                l.product.sku,
                l.line_total.format_fr()
            );
            if !l.serial_numbers.is_empty() {
                s.push_str(&format!(" — n° de série {}", l.serial_numbers.join(", ")));
            }
            s
        })
        .collect();
    c.bullets(BODY, &lines);
    let parcels: Vec<String> = o
        .shipments
        .iter()
        .map(|s| {
            let mut t = format!(
                "Colis {}livré le {}",
                if s.delivery_estimated { "estimé " } else { "" },
                when(s.delivered_at, tz)
            );
            if let Some(carrier) = &s.carrier {
                t.push_str(&format!(" ({carrier})"));
            }
            if !s.line_nos.is_empty() {
                let nos: Vec<String> = s.line_nos.iter().map(u32::to_string).collect();
                t.push_str(&format!(" — lignes {}", nos.join(", ")));
            }
            t
        })
        .collect();
    c.bullets(SMALL, &parcels);
}

fn dossier(c: &mut Canvas, d: &DossierView, tz: Tz) {
    c.gap(3.0);
    let (x, w) = (c.left(), c.content_w());
    c.ensure(ITEM_TITLE.line_h() + 4.0 * BODY.line_h());
    c.paragraph(
        x,
        w,
        ITEM_TITLE,
        &format!("Dossier {} — {}", d.number, d.status_label),
    );
    field(c, "Motif", &d.reason_label);
    if let Some(p) = &d.product_name {
        field(c, "Produit", p);
    }
    if let Some(s) = &d.serial_number {
        field(c, "N° de série", s);
    }
    if let Some(n) = &d.order_number {
        field(c, "Commande", n);
    }
    field(
        c,
        "Ouvert",
        &format!("{} ({})", when(d.opened_at, tz), d.origin_label),
    );
    if let Some(p) = d.promised_at {
        field(c, "Promis pour", &when(p, tz));
    }
    if let Some(at) = d.closed_at {
        field(c, "Clos le", &when(at, tz));
    }
    if let Some(words) = &d.customer_words {
        field(c, "Vos mots", words);
    }
    if let Some(cond) = &d.condition_label {
        let mut s = cond.clone();
        if let Some(n) = &d.condition_note {
            s.push_str(&format!(" — {n}"));
        }
        field(c, "État du produit", &s);
    }
    if !d.accessories.is_empty() {
        field(c, "Accessoires", &d.accessories.join(", "));
    }
    if let Some(dec) = &d.decision {
        let mut s = format!("{} — {}", dec.resolution_label, dec.basis_label);
        if let Some(a) = &dec.article {
            s.push_str(&format!(" ({a})"));
        }
        if let Some(amount) = dec.amount {
            s.push_str(&format!(" — {}", amount.format_fr()));
        }
        field(c, "Décision", &s);
    }
    if let Some(r) = &d.resolution {
        field(c, "Résolution", &r.summary);
    }
    if let Some(score) = d.csat_score {
        let mut s = format!("{score}/5");
        if let Some(comment) = &d.csat_comment {
            s.push_str(&format!(" — {comment}"));
        }
        field(c, "Satisfaction", &s);
    }
    if !d.events.is_empty() {
        c.gap(0.8);
        let (x, w) = (c.left(), c.content_w());
        c.paragraph(x, w, LABEL, "Historique");
        let events: Vec<String> = d
            .events
            .iter()
            .map(|e| {
                let mut s = format!("{} — {} — {}", when(e.at, tz), e.actor, e.summary);
                if let Some(n) = e.note.as_deref().filter(|n| !n.trim().is_empty()) {
                    s.push_str(&format!(" : {n}"));
                }
                s
            })
            .collect();
        c.bullets(SMALL, &events);
    }
}

/// The export as an A4 PDF.
pub fn customer_export_pdf(e: &CustomerExport) -> Result<Vec<u8>> {
    let f = fonts()?;
    let tz = time_zone(e);
    let mut c = Canvas::new(f, PAGE_W, Some(PAGE_H), MARGIN_X, 16.0, 18.0);
    let full = |c: &Canvas| (c.page_left(), c.page_content_w());

    let (x, w) = full(&c);
    c.paragraph(x, w, TITLE, "Vos données personnelles");
    c.paragraph(
        x,
        w,
        BODY,
        &format!(
            "Ce que nous détenons à votre sujet (droit d'accès, RGPD article 15). Export du {} par {}{}.",
            when(e.exported_at, tz),
            e.exported_by,
            e.store
                .as_deref()
                .map(|s| format!(", magasin {s}"))
                .unwrap_or_default()
        ),
    );
    c.gap(4.0);

    let k = &e.customer;
    c.heading(SECTION, "Identité", 3.0 * BODY.line_h());
    field(&mut c, "Nom", &k.display_name);
    let mut address = vec![k.address_line1.clone()];
    address.extend(k.address_line2.clone());
    address.push(format!("{} {}", k.postal_code, k.city).trim().to_owned());
    address.push(k.country.clone());
    address.retain(|l| !l.trim().is_empty());
    field(&mut c, "Adresse", &address.join(", "));
    field(&mut c, "Client depuis le", &when(k.created_at, tz));
    field(&mut c, "Identifiant", &k.id.0.to_string());

    c.gap(3.0);
    c.heading(SECTION, "Coordonnées", BODY.line_h());
    if k.contacts.is_empty() {
        empty_line(&mut c, "Aucun téléphone ni e-mail.");
    } else {
        let contacts: Vec<String> = k
            .contacts
            .iter()
            .map(|x| {
                let mut s = format!("{} : {}", x.kind.label_fr(), x.value);
                if let Some(l) = &x.label {
                    s.push_str(&format!(" ({l})"));
                }
                if x.is_primary {
                    s.push_str(" — principal");
                }
                s
            })
            .collect();
        c.bullets(BODY, &contacts);
    }

    c.gap(3.0);
    c.heading(SECTION, "Consentements", 2.0 * BODY.line_h());
    field(
        &mut c,
        "Offres par e-mail",
        yes_no(k.consents.email_marketing),
    );
    field(&mut c, "Offres par SMS", yes_no(k.consents.sms_marketing));
    if let Some(at) = k.consents.updated_at {
        field(&mut c, "Mis à jour le", &when(at, tz));
    }

    c.gap(3.0);
    c.heading(
        SECTION,
        &format!("Achats ({})", e.orders.len()),
        BODY.line_h() * 3.0,
    );
    if e.orders.is_empty() {
        empty_line(&mut c, "Aucun achat enregistré.");
    }
    for o in &e.orders {
        order(&mut c, o, tz);
    }

    // The dossiers start on a page of their own.
    c.ensure(f32::INFINITY);
    c.heading(
        SECTION,
        &format!("Dossiers SAV ({})", e.dossiers.len()),
        BODY.line_h() * 4.0,
    );
    if e.dossiers.is_empty() {
        empty_line(&mut c, "Aucun dossier SAV.");
    }
    for d in &e.dossiers {
        dossier(&mut c, d, tz);
    }

    c.gap(4.0);
    c.heading(
        SECTION,
        &format!("Corrections de la fiche ({})", e.corrections.len()),
        BODY.line_h(),
    );
    if e.corrections.is_empty() {
        empty_line(&mut c, "Aucune correction.");
    } else {
        let lines: Vec<String> = e
            .corrections
            .iter()
            .map(|k| {
                let mut s = format!("{} — {} — {}", when(k.at, tz), k.actor, k.summary);
                match (&k.before, &k.after) {
                    (Some(b), Some(a)) => s.push_str(&format!(" : {b} → {a}")),
                    (None, Some(a)) => s.push_str(&format!(" : {a}")),
                    _ => {}
                }
                s
            })
            .collect();
        c.bullets(BODY, &lines);
    }

    footers(&mut c, &k.display_name);

    let mut doc = PdfDocument::new(&format!("Export RGPD — {}", k.display_name));
    let regular = doc.add_font(&f.regular);
    let bold = doc.add_font(&f.bold);
    let pages = c
        .finish()
        .into_iter()
        .map(|(h, items)| {
            PdfPage::new(
                printpdf::Mm(PAGE_W),
                printpdf::Mm(h),
                to_ops(h, items, &regular, &bold),
            )
        })
        .collect();
    let opts = PdfSaveOptions {
        subset_fonts: true,
        ..PdfSaveOptions::default()
    };
    Ok(doc.with_pages(pages).save(&opts, &mut Vec::new()))
}

fn footers(c: &mut Canvas, name: &str) {
    let n = c.page_count();
    for page in 0..n {
        let text = c.fonts.clean(
            false,
            &format!("Export RGPD — {name} — page {}/{}", page + 1, n),
        );
        let w = c.text_width(SMALL, &text);
        let x = MARGIN_X + (c.page_content_w() - w).max(0.0) / 2.0;
        c.push_to_page(
            page,
            Item::Text {
                x,
                baseline: PAGE_H - 8.0,
                size: SMALL.size,
                bold: false,
                grey: 0.4,
                text,
            },
        );
    }
}
