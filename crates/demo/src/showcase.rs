//! Fixed customers present in every generated database, whatever its size:
//! the demo walks through them and the end-to-end tests rely on them.
//!
//! - Mme Hélène Dupré of **Lyon** (69002), 06 12 34 56 78,
//!   helene.dupre@example.fr: a store purchase at Lyon Part-Dieu
//!   (`TLYO1-260312-0042`), a web order (`W10000001`), an Amazon order
//!   (`408-1234567-1234567`), a closed store dossier and a dossier opened
//!   online (`SAV-WEB-2026-000001`).
//! - Her homonym Mme Hélène Dupré of **Nantes** (44000), with a store
//!   purchase at Nantes Atlantis and a Cdiscount order.
//! - "Helene DUPRE" of Paris, typed without accents by a web form.

use chrono::{DateTime, TimeZone, Utc};
use comptoir_core::ids::*;
use comptoir_core::model::*;
use comptoir_core::records::*;
use comptoir_core::Cents;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::gen::{id_at, Batch, Catalog};

pub const HELENE_LYON_PHONE_DIGITS: &str = "0612345678";
pub const HELENE_LYON_EMAIL: &str = "helene.dupre@example.fr";
pub const STORE_ORDER: &str = "TLYO1-260312-0042";
pub const WEB_ORDER: &str = "W10000001";
pub const AMAZON_ORDER: &str = "408-1234567-1234567";
pub const WEB_DOSSIER: &str = "SAV-WEB-2026-000001";
pub const STORE_DOSSIER: &str = "SAV-LYO1-2026-000001";
pub const NANTES_ORDER: &str = "TNTE1-251104-0017";
pub const WASHER_SERIAL: &str = "BO2604187733";
/// A television Hélène (Lyon) bought at Lyon Part-Dieu six days before the
/// demo's date: an in-store change of mind, inside the policy's window.
/// The cheapest 55-inch of the catalogue (449 € to 1 000 €): a credit note
/// needs a manager, an exchange does not.
pub const TV_PRODUCT: &str = "Téléviseur 55 pouces";
pub const TV_SERIAL: &str = "SO2611170107";
/// Days between the television's purchase and the demo's date.
pub const TV_DAYS_BEFORE_AS_OF: i64 = 6;
/// A web order of Hélène (Lyon) delivered in two parcels: the kettle on
/// 2026-11-04, the stick vacuum (the last item) on 2026-11-12.
pub const SPLIT_ORDER: &str = "W10000003";
pub const SPLIT_FIRST_DELIVERED: (i32, u32, u32) = (2026, 11, 4);
pub const SPLIT_LAST_DELIVERED: (i32, u32, u32) = (2026, 11, 12);
/// A fridge Hélène (Lyon) bought at Lyon Part-Dieu on 2023-06-15: the legal
/// guarantee is over, the brand's 5-year warranty runs until 2028-06-15.
pub const FRIDGE_ORDER: &str = "TLYO1-230615-0031";
pub const FRIDGE_SERIAL: &str = "SA2306150031";
pub const FRIDGE_WARRANTY_END_FR: &str = "15/06/2028";

/// The counter's demo users: (login, name, role, PIN). Demo only: real
/// users are created with `comptoir-ctl user add`.
pub const DEMO_USERS: &[(&str, &str, comptoir_core::auth::Role, &str)] = &[
    (
        "julie.m",
        "Julie Martin",
        comptoir_core::auth::Role::Clerk,
        "1234",
    ),
    (
        "karim.b",
        "Karim Benali",
        comptoir_core::auth::Role::Clerk,
        "5678",
    ),
    (
        "sophie.r",
        "Sophie Roux",
        comptoir_core::auth::Role::Manager,
        "4826",
    ),
    (
        "marc.p",
        "Marc Petit",
        comptoir_core::auth::Role::Manager,
        "1357",
    ),
];

/// The television's receipt number for a demo generated on `as_of`. The
/// showcase's receipts take sequences below 100: the generated receipts of a
/// store and day start at 101, so none can take its number, however many
/// customers the demo has.
pub fn tv_order_number(as_of: DateTime<Utc>) -> String {
    let bought = as_of - chrono::Duration::days(TV_DAYS_BEFORE_AS_OF);
    format!("TLYO1-{}-0097", bought.format("%y%m%d"))
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap_or_default()
}

struct Ctx<'a> {
    rng: ChaCha8Rng,
    catalog: &'a Catalog,
}

impl Ctx<'_> {
    fn contact(
        &mut self,
        kind: ContactKind,
        value: &str,
        label: Option<&str>,
        born: DateTime<Utc>,
    ) -> ContactRecord {
        ContactRecord {
            id: ContactId(id_at(&mut self.rng, born)),
            kind,
            value: value.to_owned(),
            label: label.map(str::to_owned),
            is_primary: true,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn order(
        &mut self,
        customer: CustomerId,
        number: &str,
        channel: Channel,
        marketplace: Option<&str>,
        store: Option<&str>,
        ordered_at: DateTime<Utc>,
        delivered_at: Option<DateTime<Utc>>,
        items: &[(&str, Option<&str>)],
        shipping: Cents,
        payment: &str,
    ) -> OrderRecord {
        let lines: Vec<OrderLineRecord> = items
            .iter()
            .enumerate()
            .map(|(i, (product, serial))| {
                let p = &self.catalog.products[self.catalog.product(product)];
                OrderLineRecord {
                    id: OrderLineId(id_at(&mut self.rng, ordered_at)),
                    line_no: i as u32 + 1,
                    product_id: p.id,
                    quantity: 1,
                    unit_price: p.price,
                    serial_numbers: serial.iter().map(|s| (*s).to_owned()).collect(),
                }
            })
            .collect();
        OrderRecord {
            id: OrderId(id_at(&mut self.rng, ordered_at)),
            number: number.to_owned(),
            channel,
            marketplace: marketplace.map(str::to_owned),
            store_id: store.map(|code| self.catalog.store(code).id),
            customer_id: customer,
            ordered_at,
            delivered_at,
            total: Cents::checked_sum(lines.iter().map(|l| l.unit_price))
                .and_then(|t| t.checked_add(shipping))
                .unwrap_or(Cents::MAX),
            shipping,
            payment_method: payment.to_owned(),
            lines,
        }
    }

    fn event(
        &mut self,
        when: DateTime<Utc>,
        actor: &str,
        kind: &str,
        status: Option<DossierStatus>,
        note: Option<&str>,
    ) -> DossierEventRecord {
        DossierEventRecord {
            id: DossierEventId(id_at(&mut self.rng, when)),
            at: when,
            actor: actor.to_owned(),
            kind: kind.to_owned(),
            status_after: status,
            note: note.map(str::to_owned),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn customer(
    ctx: &mut Ctx<'_>,
    title: &str,
    first: &str,
    last: &str,
    address: &str,
    postal: &str,
    city: &str,
    born: DateTime<Utc>,
    contacts: &[(ContactKind, &str, Option<&str>)],
) -> CustomerRecord {
    let id = CustomerId(id_at(&mut ctx.rng, born));
    let contacts = contacts
        .iter()
        .map(|(k, v, l)| ctx.contact(*k, v, *l, born))
        .collect();
    CustomerRecord {
        id,
        title: Some(title.to_owned()),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        address_line1: address.to_owned(),
        address_line2: None,
        postal_code: postal.to_owned(),
        city: city.to_owned(),
        country: "FR".to_owned(),
        email_marketing: true,
        sms_marketing: false,
        consents_updated_at: Some(born),
        created_at: born,
        updated_at: born,
        contacts,
    }
}

/// The showcase records, as one batch.
pub(crate) fn build(catalog: &Catalog, seed: u64, as_of: DateTime<Utc>) -> Batch {
    let mut ctx = Ctx {
        rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0005_EED0_F5A7),
        catalog,
    };
    let mut b = Batch::default();

    // Hélène Dupré, Lyon.
    let lyon = customer(
        &mut ctx,
        "Mme",
        "Hélène",
        "Dupré",
        "14 rue de la République",
        "69002",
        "Lyon",
        at(2021, 9, 4, 15, 12),
        &[
            (ContactKind::Phone, "06 12 34 56 78", Some("Mobile")),
            (ContactKind::Email, HELENE_LYON_EMAIL, None),
        ],
    );
    let store_order = ctx.order(
        lyon.id,
        STORE_ORDER,
        Channel::Store,
        None,
        Some("LYO1"),
        at(2026, 3, 12, 16, 40),
        Some(at(2026, 3, 12, 16, 40)),
        &[
            ("Lave-linge Bosch", Some(WASHER_SERIAL)),
            ("Bouilloire Seb", None),
        ],
        Cents::ZERO,
        "Carte bancaire",
    );
    let web_order = ctx.order(
        lyon.id,
        WEB_ORDER,
        Channel::Web,
        None,
        None,
        at(2026, 10, 2, 19, 5),
        Some(at(2026, 10, 5, 11, 30)),
        &[("Aspirateur robot", Some("IR2609120456"))],
        Cents(499),
        "Carte bancaire",
    );
    let (sy, sm, sd) = SPLIT_LAST_DELIVERED;
    let split_order = ctx.order(
        lyon.id,
        SPLIT_ORDER,
        Channel::Web,
        None,
        None,
        at(2026, 11, 2, 18, 25),
        Some(at(sy, sm, sd, 14, 10)),
        &[("Bouilloire Seb", None), ("Aspirateur balai", None)],
        Cents(990),
        "Carte bancaire",
    );
    let fridge_order = ctx.order(
        lyon.id,
        FRIDGE_ORDER,
        Channel::Store,
        None,
        Some("LYO1"),
        at(2023, 6, 15, 11, 5),
        Some(at(2023, 6, 15, 11, 5)),
        &[("Réfrigérateur combiné", Some(FRIDGE_SERIAL))],
        Cents::ZERO,
        "Carte bancaire",
    );
    let tv_bought = as_of - chrono::Duration::days(TV_DAYS_BEFORE_AS_OF);
    let mut tv_order = ctx.order(
        lyon.id,
        &tv_order_number(as_of),
        Channel::Store,
        None,
        Some("LYO1"),
        tv_bought,
        Some(tv_bought),
        &[(TV_PRODUCT, Some(TV_SERIAL))],
        Cents::ZERO,
        "Carte bancaire",
    );
    let cheapest_tv = &catalog.products[catalog.cheapest(TV_PRODUCT)];
    tv_order.lines[0].product_id = cheapest_tv.id;
    tv_order.lines[0].unit_price = cheapest_tv.price;
    tv_order.total = cheapest_tv.price;
    let amazon_order = ctx.order(
        lyon.id,
        AMAZON_ORDER,
        Channel::Marketplace,
        Some("Amazon"),
        None,
        at(2025, 12, 1, 21, 47),
        Some(at(2025, 12, 3, 10, 0)),
        &[("Machine à café à grain", Some("DE2511300078"))],
        Cents::ZERO,
        "Paiement Amazon",
    );
    let web_line = &web_order.lines[0];
    let opened = at(2026, 11, 16, 20, 14);
    let web_dossier = DossierRecord {
        id: DossierId(id_at(&mut ctx.rng, opened)),
        number: WEB_DOSSIER.to_owned(),
        store_id: None,
        origin: DossierOrigin::Web,
        customer_id: lyon.id,
        order_line_id: Some(web_line.id),
        product_id: Some(web_line.product_id),
        product_label: None,
        reason_code: "defect.battery".to_owned(),
        customer_words: Some("Le robot ne se recharge plus sur sa base depuis une semaine.".to_owned()),
        opened_at: opened,
        promised_at: Some(at(2026, 11, 27, 17, 0)),
        events: vec![
            ctx.event(opened, "Client (en ligne)", "opened", Some(DossierStatus::Opened), Some("Demande faite depuis l'espace client du site.")),
            ctx.event(at(2026, 11, 17, 8, 30), "Service client (en ligne)", "message_sent", None, Some("Déposez le robot et sa base au magasin Lyon Part-Dieu ; nous le testons sur place.")),
        ],
    };
    let washer_line = &store_order.lines[0];
    let s_opened = at(2026, 5, 20, 10, 3);
    let store_dossier = DossierRecord {
        id: DossierId(id_at(&mut ctx.rng, s_opened)),
        number: STORE_DOSSIER.to_owned(),
        store_id: Some(catalog.store("LYO1").id),
        origin: DossierOrigin::Store,
        customer_id: lyon.id,
        order_line_id: Some(washer_line.id),
        product_id: Some(washer_line.product_id),
        product_label: None,
        reason_code: "defect.leak".to_owned(),
        customer_words: Some("Il y a de l'eau sous la machine après chaque lavage.".to_owned()),
        opened_at: s_opened,
        promised_at: Some(at(2026, 5, 29, 17, 0)),
        events: vec![
            ctx.event(
                s_opened,
                "Julie M.",
                "opened",
                Some(DossierStatus::Opened),
                None,
            ),
            ctx.event(
                at(2026, 5, 21, 9, 0),
                "Karim B.",
                "status_changed",
                Some(DossierStatus::Diagnosed),
                Some("Joint de hublot fendu."),
            ),
            ctx.event(
                at(2026, 5, 21, 9, 5),
                "Karim B.",
                "status_changed",
                Some(DossierStatus::WaitingPart),
                None,
            ),
            ctx.event(
                at(2026, 5, 26, 14, 0),
                "Karim B.",
                "status_changed",
                Some(DossierStatus::Ready),
                Some("Joint remplacé, test de lavage OK."),
            ),
            ctx.event(
                at(2026, 5, 27, 17, 45),
                "Julie M.",
                "status_changed",
                Some(DossierStatus::HandedBack),
                None,
            ),
            ctx.event(
                at(2026, 5, 27, 17, 46),
                "Julie M.",
                "status_changed",
                Some(DossierStatus::Closed),
                None,
            ),
        ],
    };

    // The homonym in Nantes.
    let nantes = customer(
        &mut ctx,
        "Mme",
        "Hélène",
        "Dupré",
        "3 allée des Châtaigniers",
        "44000",
        "Nantes",
        at(2023, 2, 11, 11, 0),
        &[
            (ContactKind::Phone, "02 40 12 77 31", Some("Domicile")),
            (ContactKind::Email, "h.dupre44@orange.fr", None),
        ],
    );
    let nantes_store = ctx.order(
        nantes.id,
        NANTES_ORDER,
        Channel::Store,
        None,
        Some("NTE1"),
        at(2025, 11, 4, 15, 20),
        Some(at(2025, 11, 4, 15, 20)),
        &[("Téléviseur 55 pouces", Some("SA2511040391"))],
        Cents::ZERO,
        "Carte bancaire",
    );
    let nantes_cdiscount = ctx.order(
        nantes.id,
        "260214000017CD",
        Channel::Marketplace,
        Some("Cdiscount"),
        None,
        at(2026, 2, 14, 9, 12),
        Some(at(2026, 2, 17, 13, 0)),
        &[("Barre de son", Some("SO2602140012"))],
        Cents(990),
        "Paiement Cdiscount",
    );

    // Same name typed without accents by a web form, in Paris.
    let paris = customer(
        &mut ctx,
        "Mme",
        "Helene",
        "DUPRE",
        "8 rue Oberkampf",
        "75011",
        "Paris",
        at(2024, 6, 30, 18, 0),
        &[(ContactKind::Phone, "+33 7 81 22 90 14", Some("Mobile"))],
    );
    let paris_web = ctx.order(
        paris.id,
        "W10000002",
        Channel::Web,
        None,
        Some("PAR1"),
        at(2026, 9, 18, 12, 0),
        Some(at(2026, 9, 20, 10, 0)),
        &[("Smartphone Apple", Some("AP2609180555"))],
        Cents::ZERO,
        "PayPal",
    );

    b.customers = vec![lyon, nantes, paris];
    b.orders = vec![
        store_order,
        split_order,
        fridge_order,
        tv_order,
        web_order,
        amazon_order,
        nantes_store,
        nantes_cdiscount,
        paris_web,
    ];
    b.dossiers = vec![web_dossier, store_dossier];
    b
}

/// The showcase's parcels: the split web order, one line per parcel.
pub(crate) fn shipments(b: &Batch) -> Vec<comptoir_core::fulfilment::ShipmentRecord> {
    let Some(o) = b.orders.iter().find(|o| o.number == SPLIT_ORDER) else {
        return Vec::new();
    };
    let days = [SPLIT_FIRST_DELIVERED, SPLIT_LAST_DELIVERED];
    o.lines
        .iter()
        .zip(days)
        .enumerate()
        .map(
            |(i, (line, (y, m, d)))| comptoir_core::fulfilment::ShipmentRecord {
                id: ShipmentId(uuid::Uuid::from_u128(
                    0x0190_0000_0000_7000_8000_0000_0000_0000 | (i as u128 + 1),
                )),
                order_id: o.id,
                delivered_at: at(y, m, d, if i == 0 { 10 } else { 14 }, 10),
                carrier: Some(if i == 0 { "Colissimo" } else { "DPD" }.to_owned()),
                tracking: Some(format!("6A0000000{}", i + 1)),
                lines: vec![line.id],
                shipped_at: None,
                delivery_estimated: false,
            },
        )
        .collect()
}
