//! The documents' layout: A4 portrait, or an 80 mm receipt whose height
//! follows its content.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use chrono_tz::Tz;
use printpdf::{PdfDocument, PdfPage, PdfSaveOptions};
use serde::{Deserialize, Serialize};

use crate::codes::{bar_runs, code128_modules, qr_matrix, CODE128_QUIET, QR_QUIET};
use crate::error::{PrintError, Result};
use crate::layout::{fonts, to_ops, Canvas, Item, Style};
use crate::ticket::{Ticket, TicketKind, LEGAL_GUARANTEE_FR};

/// Which paper. (TypeScript: `PaperFormat`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "PaperFormat")]
pub enum Format {
    /// A4 portrait, paginated.
    A4,
    /// 80 mm thermal receipt (72 mm printable), as long as its content.
    #[serde(rename = "receipt")]
    Receipt80mm,
}

impl Format {
    pub const ALL: &'static [Format] = &[Format::A4, Format::Receipt80mm];

    /// Stable code (JSON, file names, command line).
    pub fn code(self) -> &'static str {
        match self {
            Format::A4 => "a4",
            Format::Receipt80mm => "receipt",
        }
    }

    pub fn from_code(code: &str) -> Option<Format> {
        Self::ALL.iter().copied().find(|f| f.code() == code)
    }
}

/// Sizes of one format.
struct Spec {
    page_w: f32,
    page_h: Option<f32>,
    margin_x: f32,
    margin_top: f32,
    margin_bottom: f32,
    title: Style,
    store: Style,
    body: Style,
    label: Style,
    small: Style,
    heading: Style,
    /// Width of the label column of « label value » fields, mm.
    label_w: f32,
    /// Code 128 module (narrowest bar), mm. ≥ 0.33 mm for counter scanners.
    bar_module: f32,
    /// Length of the bars, mm.
    bar_len: f32,
    /// QR module, mm.
    qr_module: f32,
    /// Height of the signature boxes, mm.
    signature_h: f32,
}

impl Format {
    fn spec(self) -> Spec {
        match self {
            Format::A4 => Spec {
                page_w: 210.0,
                page_h: Some(297.0),
                margin_x: 15.0,
                margin_top: 14.0,
                margin_bottom: 16.0,
                title: Style::new(16.0, true),
                store: Style::new(13.0, true),
                body: Style::new(9.5, false),
                label: Style::new(9.5, true),
                small: Style::new(7.5, false),
                heading: Style::new(10.5, true),
                label_w: 42.0,
                // 10 dots at 600 dpi, 5 at 300 dpi: 107 mm for a dossier number.
                bar_module: 25.4 / 60.0,
                bar_len: 15.0,
                qr_module: 0.8,
                signature_h: 28.0,
            },
            Format::Receipt80mm => Spec {
                page_w: 80.0,
                page_h: None,
                margin_x: 4.0,
                margin_top: 4.0,
                margin_bottom: 8.0,
                title: Style::new(11.0, true),
                store: Style::new(10.0, true),
                body: Style::new(8.0, false),
                label: Style::new(8.0, true),
                small: Style::new(6.5, false),
                heading: Style::new(8.5, true),
                label_w: 24.0,
                // 3 dots of a 203 dpi thermal head. The code is printed along
                // the receipt: 233 modules do not fit across 72 mm at this width.
                bar_module: 0.375,
                bar_len: 18.0,
                qr_module: 0.8,
                signature_h: 20.0,
            },
        }
    }
}

const WEEKDAYS_FR: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

fn weekday_fr(d: Weekday) -> &'static str {
    WEEKDAYS_FR[d.num_days_from_monday() as usize]
}

/// « 23/11/2026 à 14:05 » in the store's time zone.
pub fn format_date_time_fr(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%d/%m/%Y à %H:%M").to_string()
}

/// « mercredi 25/11/2026 à 18:00 ».
fn format_deadline_fr(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{} {}",
        weekday_fr(local.weekday()),
        local.format("%d/%m/%Y à %H:%M")
    )
}

fn format_date_fr(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn validate(ticket: &Ticket) -> Result<Tz> {
    if ticket.dossier_number.trim().is_empty() {
        return Err(PrintError::InvalidTicket("numéro de dossier vide".into()));
    }
    if ticket.kind == TicketKind::Restitution && ticket.restitution.is_none() {
        return Err(PrintError::InvalidTicket(
            "bon de restitution sans informations de restitution".into(),
        ));
    }
    ticket
        .timezone
        .parse::<Tz>()
        .map_err(|_| PrintError::UnknownTimeZone(ticket.timezone.clone()))
}

/// Renders the ticket as a PDF document.
pub fn render(ticket: &Ticket, format: Format) -> Result<Vec<u8>> {
    let tz = validate(ticket)?;
    let fonts = fonts()?;
    let spec = format.spec();
    let mut c = Canvas::new(
        fonts,
        spec.page_w,
        spec.page_h,
        spec.margin_x,
        spec.margin_top,
        spec.margin_bottom,
    );
    let modules = code128_modules(&ticket.dossier_number)?;
    let qr_text = ticket
        .tracking_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or(&ticket.dossier_number);
    let qr = qr_matrix(qr_text)?;

    match format {
        Format::A4 => header_a4(&mut c, &spec, ticket, tz, &modules, &qr),
        Format::Receipt80mm => header_receipt(&mut c, &spec, ticket, tz, &modules, &qr),
    }
    body(&mut c, &spec, ticket, tz);
    if format == Format::A4 {
        footers(&mut c, &spec, ticket);
    }

    let mut doc = PdfDocument::new(&format!(
        "{} {}",
        ticket.kind.title_fr(),
        ticket.dossier_number
    ));
    let regular = doc.add_font(&fonts.regular);
    let bold = doc.add_font(&fonts.bold);
    let pages = c
        .finish()
        .into_iter()
        .map(|(h, items)| {
            PdfPage::new(
                printpdf::Mm(spec.page_w),
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

fn store_lines(ticket: &Ticket) -> Vec<String> {
    let mut lines: Vec<String> = ticket
        .store
        .address
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(phone) = ticket.store.phone.as_deref().filter(|p| !p.is_empty()) {
        lines.push(format!("Tél. : {phone}"));
    }
    lines
}

/// The date line under the title and the highlighted commitment.
fn dates(ticket: &Ticket, tz: Tz) -> (String, Option<String>) {
    let opened = format!("Déposé le {}", format_date_time_fr(ticket.opened_at, tz));
    let promise = match (ticket.kind, &ticket.restitution, ticket.deadline) {
        (TicketKind::Restitution, Some(r), _) => Some(format!(
            "Restitué le {}",
            format_date_time_fr(r.returned_at, tz)
        )),
        (_, _, Some(d)) => Some(format!(
            "Restitution prévue au plus tard le {}",
            format_deadline_fr(d, tz)
        )),
        _ => None,
    };
    (opened, promise)
}

/// Code 128 drawn horizontally; `x`, `y` = top-left of its quiet zone.
fn code128_horizontal(c: &mut Canvas, modules: &[u8], x: f32, y: f32, module: f32, len: f32) {
    let x0 = x + CODE128_QUIET as f32 * module;
    let rects = bar_runs(modules)
        .into_iter()
        .map(|(start, n)| (x0 + start as f32 * module, y, n as f32 * module, len))
        .collect();
    c.push(Item::Modules(rects));
}

/// Code 128 drawn along the page (read top to bottom); `x`, `y` = top-left.
fn code128_vertical(c: &mut Canvas, modules: &[u8], x: f32, y: f32, module: f32, len: f32) {
    let y0 = y + CODE128_QUIET as f32 * module;
    let rects = bar_runs(modules)
        .into_iter()
        .map(|(start, n)| (x, y0 + start as f32 * module, len, n as f32 * module))
        .collect();
    c.push(Item::Modules(rects));
}

/// QR code; `x`, `y` = top-left of its quiet zone. Returns its side in mm.
fn qr_code(c: &mut Canvas, qr: &crate::codes::QrMatrix, x: f32, y: f32, module: f32) -> f32 {
    let q = QR_QUIET as f32 * module;
    let rects = qr
        .runs()
        .into_iter()
        .map(|(col, row, n)| {
            (
                x + q + col as f32 * module,
                y + q + row as f32 * module,
                n as f32 * module,
                module,
            )
        })
        .collect();
    c.push(Item::Modules(rects));
    (qr.width + 2 * QR_QUIET) as f32 * module
}

fn header_a4(
    c: &mut Canvas,
    spec: &Spec,
    ticket: &Ticket,
    tz: Tz,
    modules: &[u8],
    qr: &crate::codes::QrMatrix,
) {
    let top = c.y;
    let left = c.page_left();
    let right = left + c.page_content_w();
    // Store identity, left.
    c.set_column(Some((left, 95.0)));
    c.paragraph(left, 95.0, spec.store, &ticket.store.name);
    for line in store_lines(ticket) {
        c.paragraph(left, 95.0, spec.body, &line);
    }
    let left_bottom = c.y;
    // Title block, right-aligned.
    c.y = top;
    let (opened, promise) = dates(ticket, tz);
    for (style, text) in [
        (spec.title, ticket.kind.title_fr().to_uppercase()),
        (spec.heading, format!("Dossier {}", ticket.dossier_number)),
        (spec.body, opened),
    ] {
        let w = c.text_width(style, &text).min(c.page_content_w());
        let y = c.y;
        c.text_at(right - w, y, style, &text);
        c.y += style.line_h();
    }
    if let Some(clerk) = ticket.clerk.as_deref().filter(|s| !s.is_empty()) {
        let text = format!("Conseiller : {clerk}");
        let w = c.text_width(spec.body, &text);
        let y = c.y;
        c.text_at(right - w, y, spec.body, &text);
        c.y += spec.body.line_h();
    }
    c.set_column(None);
    c.y = c.y.max(left_bottom) + 4.0;

    // Codes: Code 128 left, QR right.
    let y = c.y;
    code128_horizontal(
        c,
        modules,
        left - CODE128_QUIET as f32 * spec.bar_module,
        y,
        spec.bar_module,
        spec.bar_len,
    );
    let qr_side = (qr.width + 2 * QR_QUIET) as f32 * spec.qr_module;
    let qr_top = y - QR_QUIET as f32 * spec.qr_module;
    qr_code(
        c,
        qr,
        right - qr_side + QR_QUIET as f32 * spec.qr_module,
        qr_top,
        spec.qr_module,
    );
    c.y = y + spec.bar_len + 1.0;
    let number = &ticket.dossier_number;
    let code_w = modules.len() as f32 * spec.bar_module;
    let w = c.text_width(spec.heading, number);
    let ny = c.y;
    c.text_at(left + (code_w - w).max(0.0) / 2.0, ny, spec.heading, number);
    c.y += spec.heading.line_h() + 1.0;
    let caption = match ticket
        .tracking_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => format!("Suivez votre dossier en ligne (QR code) : {url}"),
        None => "Présentez ce code au comptoir pour retrouver votre dossier.".to_owned(),
    };
    let caption_w = c.page_content_w() - qr_side - 4.0;
    c.paragraph(left, caption_w, spec.small, &caption);
    c.y = c.y.max(qr_top + qr_side) + 2.0;

    if let Some(promise) = promise {
        promise_box(c, spec, &promise);
    }
}

fn promise_box(c: &mut Canvas, spec: &Spec, text: &str) {
    let style = Style::new(spec.heading.size + 1.0, true);
    let pad = 2.0;
    let w = c.page_content_w();
    let lines = c.wrap(style, w - 2.0 * pad, text);
    let h = lines.len() as f32 * style.line_h() + 2.0 * pad;
    c.ensure(h);
    let (x, y) = (c.page_left(), c.y);
    c.push(Item::Fill {
        x,
        y,
        w,
        h,
        grey: 0.9,
    });
    c.push(Item::Frame {
        x,
        y,
        w,
        h,
        thickness: 1.2,
    });
    let mut ly = y + pad;
    for line in lines {
        c.text_at(x + pad, ly, style, &line);
        ly += style.line_h();
    }
    c.y = y + h + 3.0;
}

fn header_receipt(
    c: &mut Canvas,
    spec: &Spec,
    ticket: &Ticket,
    tz: Tz,
    modules: &[u8],
    qr: &crate::codes::QrMatrix,
) {
    let left = c.page_left();
    let full_w = c.page_content_w();
    let top = c.y;
    // Right column: the Code 128 along the receipt.
    let code_x = left + full_w - spec.bar_len;
    code128_vertical(c, modules, code_x, top, spec.bar_module, spec.bar_len);
    let code_h = (modules.len() + 2 * CODE128_QUIET) as f32 * spec.bar_module;
    // Left column: identity, title, number, dates, QR.
    let col_w = full_w - spec.bar_len - 3.0;
    c.set_column(Some((left, col_w)));
    c.paragraph(left, col_w, spec.store, &ticket.store.name);
    for line in store_lines(ticket) {
        c.paragraph(left, col_w, spec.small, &line);
    }
    c.gap(2.0);
    c.paragraph(
        left,
        col_w,
        spec.title,
        &ticket.kind.title_fr().to_uppercase(),
    );
    c.paragraph(left, col_w, spec.label, &ticket.dossier_number);
    let (opened, promise) = dates(ticket, tz);
    c.paragraph(left, col_w, spec.body, &opened);
    if let Some(clerk) = ticket.clerk.as_deref().filter(|s| !s.is_empty()) {
        c.paragraph(left, col_w, spec.body, &format!("Conseiller : {clerk}"));
    }
    c.gap(QR_QUIET as f32 * spec.qr_module);
    // Dark modules from the cursor down; the quiet zone reaches into the margins.
    let q = QR_QUIET as f32 * spec.qr_module;
    let y = c.y;
    let side = qr_code(c, qr, left - q, y - q, spec.qr_module);
    c.y = y + side - 2.0 * q + 1.5;
    let caption = match ticket
        .tracking_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => format!("Suivi en ligne : {url}"),
        None => "Code à présenter au comptoir.".to_owned(),
    };
    c.paragraph(left, col_w, spec.small, &caption);
    c.set_column(None);
    c.y = c.y.max(top + code_h) + 2.0;
    if let Some(promise) = promise {
        promise_box(c, spec, &promise);
    }
}

fn body(c: &mut Canvas, spec: &Spec, t: &Ticket, tz: Tz) {
    let keep = 2.0 * spec.body.line_h();
    let field = |c: &mut Canvas, label: &str, value: &str| {
        c.field(spec.label_w, label, value, spec.label, spec.body);
    };

    c.heading(spec.heading, "Client", keep);
    field(c, "Nom", &t.customer.name);
    if let Some(phone) = t.customer.phone.as_deref().filter(|s| !s.is_empty()) {
        field(c, "Téléphone", phone);
    }
    if let Some(email) = t.customer.email.as_deref().filter(|s| !s.is_empty()) {
        field(c, "E-mail", email);
    }
    c.gap(2.5);

    c.heading(spec.heading, "Produit", keep);
    field(c, "Produit", &t.product.name);
    if let Some(sku) = t.product.sku.as_deref().filter(|s| !s.is_empty()) {
        field(c, "Référence", sku);
    }
    if let Some(serial) = t.product.serial_number.as_deref().filter(|s| !s.is_empty()) {
        field(c, "N° de série", serial);
    }
    let purchase = match &t.product.purchase {
        Some(p) => {
            let channel = match p.where_label.as_deref().filter(|s| !s.is_empty()) {
                // "Magasin Lyon Part-Dieu" already says the channel.
                Some(w) if w.starts_with(p.channel.label_fr()) => w.to_owned(),
                Some(w) => format!("{} ({w})", p.channel.label_fr()),
                _ => p.channel.label_fr().to_owned(),
            };
            format!(
                "{channel}, n° {} du {}",
                p.reference,
                format_date_fr(p.date)
            )
        }
        None => "Sans preuve d'achat".to_owned(),
    };
    field(c, "Achat", &purchase);
    c.gap(2.5);

    c.heading(spec.heading, "Prise en charge", keep);
    field(c, "Motif", &t.reason);
    field(c, "État constaté", &t.condition);
    let accessories = if t.accessories.is_empty() {
        "Aucun".to_owned()
    } else {
        t.accessories.join(", ")
    };
    field(c, "Accessoires", &accessories);
    if let Some(words) = t.customer_words.as_deref().filter(|s| !s.trim().is_empty()) {
        c.ensure(2.0 * spec.body.line_h());
        let label_y = c.y;
        c.text_at(c.page_left(), label_y, spec.label, "Propos du client");
        c.y += spec.label.line_h();
        let left = c.page_left() + 2.0;
        let w = c.page_content_w() - 2.0;
        c.paragraph(
            left,
            w,
            spec.body.grey(0.15),
            &format!("« {} »", words.trim()),
        );
    }
    c.gap(2.5);

    if t.decision.is_some() || t.manager_approval.is_some() {
        c.heading(spec.heading, "Décision", keep);
        if let Some(d) = &t.decision {
            field(c, "Solution", &d.label);
            field(c, "Justification", &d.basis);
            if let Some(article) = d.legal_article.as_deref().filter(|s| !s.is_empty()) {
                field(c, "Base légale", article);
            }
        }
        if let Some(approval) = t.manager_approval.as_deref().filter(|s| !s.is_empty()) {
            field(c, "Validation", approval);
        }
        c.gap(2.5);
    }

    if let Some(r) = &t.restitution {
        c.heading(spec.heading, "Intervention réalisée", keep);
        field(c, "Résultat", &r.resolution);
        if !r.parts.is_empty() {
            field(c, "Pièces", &r.parts.join(", "));
        }
        field(c, "Montant réglé", &r.cost.format_fr());
        if let Some(g) = r.goodwill.as_deref().filter(|s| !s.is_empty()) {
            field(c, "Geste commercial", g);
        }
        field(c, "Restitué le", &format_date_time_fr(r.returned_at, tz));
        c.gap(2.5);
    }

    if !t.next_steps.is_empty() {
        c.heading(spec.heading, "Prochaines étapes", keep);
        c.bullets(spec.body, &t.next_steps);
        c.gap(2.5);
    }

    c.heading(spec.heading, "Informations légales", keep);
    let legal = t
        .legal_mention
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(LEGAL_GUARANTEE_FR);
    let (x, w) = (c.page_left(), c.page_content_w());
    c.paragraph(x, w, spec.small, legal);
    if let Some(m) = t.mediator.as_deref().filter(|s| !s.trim().is_empty()) {
        c.gap(1.0);
        c.paragraph(
            x,
            w,
            spec.small,
            &format!("En cas de litige non résolu, vous pouvez saisir gratuitement le médiateur de la consommation : {m}"),
        );
    }
    c.gap(4.0);

    signatures(c, spec, t.kind);
}

fn signatures(c: &mut Canvas, spec: &Spec, kind: TicketKind) {
    let gap = 4.0;
    let w = (c.page_content_w() - gap) / 2.0;
    let h = spec.signature_h;
    c.ensure(h + spec.small.line_h() + 1.0);
    let x0 = c.page_left();
    let y = c.y;
    let client = match kind {
        TicketKind::Intake => "Signature du client",
        TicketKind::Restitution => "Signature du client (produit reçu)",
    };
    for (i, label) in [client, "Signature du conseiller"].into_iter().enumerate() {
        let x = x0 + i as f32 * (w + gap);
        c.push(Item::Frame {
            x,
            y,
            w,
            h,
            thickness: 0.6,
        });
        let lines = c.wrap(spec.small, w - 2.0, label);
        let mut ly = y + 1.0;
        for line in lines {
            c.text_at(x + 1.0, ly, spec.small.grey(0.3), &line);
            ly += spec.small.line_h();
        }
    }
    c.y = y + h + 2.0;
}

fn footers(c: &mut Canvas, spec: &Spec, t: &Ticket) {
    let n = c.page_count();
    let Some(page_h) = spec.page_h else { return };
    for page in 0..n {
        let text = format!(
            "{} — {} {} — page {}/{}",
            t.store.name,
            t.kind.title_fr(),
            t.dossier_number,
            page + 1,
            n
        );
        let text = c.fonts.clean(false, &text);
        let w = c.text_width(spec.small, &text);
        let x = spec.margin_x + (c.page_content_w() - w).max(0.0) / 2.0;
        c.push_to_page(
            page,
            Item::Text {
                x,
                baseline: page_h - 8.0,
                size: spec.small.size,
                bold: false,
                grey: 0.4,
                text,
            },
        );
    }
}
