//! The random part of the generator: a seeded ChaCha stream, so the same
//! seed and reference date give the same database on every machine.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use comptoir_core::ids::*;
use comptoir_core::model::*;
use comptoir_core::records::*;
use comptoir_core::Cents;
use rand::distr::weighted::WeightedIndex;
use rand::distr::Distribution;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::data::*;
use crate::DemoConfig;

/// A UUIDv7 stamped with the record's birth time, its random bits from the
/// seeded stream (deterministic, still time-ordered).
pub(crate) fn id_at(rng: &mut ChaCha8Rng, at: DateTime<Utc>) -> Uuid {
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
}

pub struct ProductInfo {
    pub has_serial: bool,
    pub serial_prefix: String,
}

/// Stores and products: the chain's fixed reference data.
pub struct Catalog {
    pub stores: Vec<StoreRecord>,
    pub products: Vec<ProductRecord>,
    pub info: Vec<ProductInfo>,
}

impl Catalog {
    pub fn new(seed: u64) -> Catalog {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC0FF_EE00);
        let born = DateTime::<Utc>::from_timestamp(1_600_000_000, 0).unwrap_or_default();
        let stores = STORES
            .iter()
            .map(|(code, name, address, postal, city)| StoreRecord {
                id: StoreId(id_at(&mut rng, born)),
                code: (*code).to_owned(),
                name: (*name).to_owned(),
                address: (*address).to_owned(),
                postal_code: (*postal).to_owned(),
                city: (*city).to_owned(),
                phone: Some(format!(
                    "04 7{} {:02} {:02} {:02}",
                    rng.random_range(0..10),
                    rng.random_range(0..100),
                    rng.random_range(0..100),
                    rng.random_range(0..100)
                )),
                timezone: "Europe/Paris".to_owned(),
            })
            .collect();
        let mut products = Vec::new();
        let mut info = Vec::new();
        let mut sku = 100_000;
        for (category, kind, brands, (lo, hi), has_serial) in PRODUCT_TYPES {
            for brand in *brands {
                for _ in 0..rng.random_range(2..=4) {
                    let letters: String = (0..3)
                        .map(|_| rng.random_range(b'A'..=b'Z') as char)
                        .collect();
                    let model = format!("{letters}{}", rng.random_range(100..1000));
                    let price = rng.random_range(*lo..=*hi) * 100 - 1;
                    let refurbishable =
                        matches!(*category, "Téléphonie" | "Informatique" | "Jeux vidéo");
                    let mut variants = vec![SoldAs::New];
                    if refurbishable {
                        variants.push(SoldAs::Refurbished);
                        if rng.random_bool(0.4) {
                            variants.push(SoldAs::Used);
                        }
                    }
                    for sold_as in variants {
                        sku += 1;
                        let (suffix, factor) = match sold_as {
                            SoldAs::New => ("", 100),
                            SoldAs::Refurbished => (" (reconditionné)", 70),
                            SoldAs::Used => (" (occasion)", 55),
                        };
                        products.push(ProductRecord {
                            id: ProductId(id_at(&mut rng, born)),
                            sku: format!("{sku}"),
                            ean: Some(format!(
                                "3{:012}",
                                rng.random_range(0..1_000_000_000_000u64)
                            )),
                            name: format!("{kind} {brand} {model}{suffix}"),
                            brand: (*brand).to_owned(),
                            category: (*category).to_owned(),
                            sold_as,
                            price: Cents(i64::from(price) * factor / 100),
                        });
                        info.push(ProductInfo {
                            has_serial: *has_serial,
                            serial_prefix: brand
                                .chars()
                                .filter(char::is_ascii_alphabetic)
                                .take(2)
                                .collect::<String>()
                                .to_uppercase(),
                        });
                    }
                }
            }
        }
        Catalog {
            stores,
            products,
            info,
        }
    }

    pub fn store(&self, code: &str) -> &StoreRecord {
        self.stores
            .iter()
            .find(|s| s.code == code)
            .unwrap_or(&self.stores[0])
    }

    /// The first product of a kind and brand (for the showcase).
    /// The cheapest product whose name starts with the prefix.
    pub fn cheapest(&self, name_prefix: &str) -> usize {
        self.products
            .iter()
            .enumerate()
            .filter(|(_, p)| p.name.starts_with(name_prefix))
            .min_by_key(|(_, p)| p.price)
            .map_or(0, |(i, _)| i)
    }

    pub fn product(&self, name_prefix: &str) -> usize {
        self.products
            .iter()
            .position(|p| p.name.starts_with(name_prefix))
            .unwrap_or(0)
    }
}

#[derive(Default)]
pub struct Batch {
    pub customers: Vec<CustomerRecord>,
    pub orders: Vec<OrderRecord>,
    pub dossiers: Vec<DossierRecord>,
    /// The story's dossiers, as typed timelines (see [`crate::story`]).
    pub timelines: Vec<crate::story::TimelineDossier>,
}

pub struct Generator {
    rng: ChaCha8Rng,
    catalog: Catalog,
    as_of: DateTime<Utc>,
    last_names: WeightedIndex<u32>,
    cities: WeightedIndex<u32>,
    reasons: WeightedIndex<u32>,
    receipt_seq: HashMap<(usize, NaiveDate), u32>,
    dossier_seq: HashMap<(String, i32), u32>,
    web_seq: u64,
    market_seq: u64,
    story: Option<crate::story::Story>,
}

impl Generator {
    pub fn new(catalog: Catalog, cfg: &DemoConfig) -> Generator {
        let weights = |w: &[u32]| WeightedIndex::new(w.to_vec()).unwrap_or_else(|_| unreachable!());
        let story = crate::story::Story::new(&catalog, cfg);
        Generator {
            story,
            rng: ChaCha8Rng::seed_from_u64(cfg.seed),
            catalog,
            as_of: cfg.as_of,
            last_names: weights(&LAST_NAMES.iter().map(|l| l.1).collect::<Vec<_>>()),
            cities: weights(&CITIES.iter().map(|c| c.4).collect::<Vec<_>>()),
            reasons: weights(&REASONS.iter().map(|r| r.1).collect::<Vec<_>>()),
            receipt_seq: HashMap::new(),
            dossier_seq: HashMap::new(),
            web_seq: 10_000_100,
            market_seq: 1_000,
        }
    }

    pub fn batch(&mut self, n: u64) -> Batch {
        let mut b = Batch::default();
        for _ in 0..n {
            self.customer(&mut b);
        }
        b
    }

    fn between(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> DateTime<Utc> {
        let span = (to - from).num_seconds().max(1);
        // Shop hours-ish: whole minutes.
        from + Duration::seconds(self.rng.random_range(0..span) / 60 * 60)
    }

    fn phone(&mut self, landline_prefix: &str) -> (String, String) {
        let mobile = self.rng.random_bool(0.8);
        let head = if mobile {
            if self.rng.random_bool(0.7) {
                "06"
            } else {
                "07"
            }
            .to_owned()
        } else {
            landline_prefix.to_owned()
        };
        // Allocated French ranges only (the numbering plan is checked).
        let digits = loop {
            let rest = self.rng.random_range(0..100_000_000u32);
            let candidate = format!("{head}{rest:08}");
            if candidate != crate::showcase::HELENE_LYON_PHONE_DIGITS
                && comptoir_core::normalize::normalize_phone(&candidate)
                    .is_some_and(|n| n.starts_with("33"))
            {
                break candidate;
            }
        };
        let pairs: Vec<&str> = (0..5).map(|i| &digits[i * 2..i * 2 + 2]).collect();
        let written = match self.rng.random_range(0..7) {
            0 | 1 => pairs.join(" "),
            2 => digits.clone(),
            3 => pairs.join("."),
            4 => format!("+33 {} {}", &digits[1..2], pairs[1..].join(" ")),
            5 => format!("+33{}", &digits[1..]),
            _ => pairs.join("-"),
        };
        (
            written,
            if mobile { "Mobile" } else { "Domicile" }.to_owned(),
        )
    }

    fn customer(&mut self, b: &mut Batch) {
        let (first, female) = *FIRST_NAMES.choose(&mut self.rng).unwrap_or(&FIRST_NAMES[0]);
        let last = LAST_NAMES[self.last_names.sample(&mut self.rng)].0;
        let last = if self.rng.random_bool(0.04) {
            format!(
                "{last}-{}",
                LAST_NAMES[self.last_names.sample(&mut self.rng)].0
            )
        } else {
            last.to_owned()
        };
        let (city, first_postal, postal_count, landline, _) =
            CITIES[self.cities.sample(&mut self.rng)];
        let postal = first_postal + self.rng.random_range(0..postal_count);
        let created_at = self.between(
            self.as_of - Duration::days(6 * 365),
            self.as_of - Duration::days(20),
        );
        let id = CustomerId(id_at(&mut self.rng, created_at));

        let mut contacts = Vec::new();
        let (phone, label) = self.phone(landline);
        contacts.push(ContactRecord {
            id: ContactId(id_at(&mut self.rng, created_at)),
            kind: ContactKind::Phone,
            value: phone,
            label: Some(label),
            is_primary: true,
        });
        if self.rng.random_bool(0.15) {
            let (phone, label) = self.phone(landline);
            contacts.push(ContactRecord {
                id: ContactId(id_at(&mut self.rng, created_at)),
                kind: ContactKind::Phone,
                value: phone,
                label: Some(label),
                is_primary: false,
            });
        }
        if self.rng.random_bool(0.75) {
            let f = comptoir_core::normalize::fold_text(first).replace(' ', "-");
            let l = comptoir_core::normalize::fold_text(&last).replace(' ', "");
            let local = match self.rng.random_range(0..5) {
                0 => format!("{f}.{l}"),
                1 => format!("{f}{l}"),
                2 => format!("{}.{l}", &f[..1]),
                3 => format!("{l}.{f}"),
                _ => format!("{f}.{l}{}", self.rng.random_range(1..100)),
            };
            let domain = EMAIL_DOMAINS
                .choose(&mut self.rng)
                .unwrap_or(&EMAIL_DOMAINS[0]);
            contacts.push(ContactRecord {
                id: ContactId(id_at(&mut self.rng, created_at)),
                kind: ContactKind::Email,
                value: format!("{local}@{domain}"),
                label: None,
                is_primary: true,
            });
        }
        let customer = CustomerRecord {
            id,
            title: Some(if female { "Mme" } else { "M." }.to_owned()),
            first_name: first.to_owned(),
            last_name: last,
            address_line1: format!(
                "{} {}",
                self.rng.random_range(1..180),
                STREETS.choose(&mut self.rng).unwrap_or(&STREETS[0])
            ),
            address_line2: self.rng.random_bool(0.1).then(|| {
                format!(
                    "Bâtiment {}, appartement {}",
                    ["A", "B", "C"][self.rng.random_range(0..3)],
                    self.rng.random_range(1..60)
                )
            }),
            postal_code: format!("{postal:05}"),
            city: city.to_owned(),
            country: "FR".to_owned(),
            email_marketing: self.rng.random_bool(0.35),
            sms_marketing: self.rng.random_bool(0.2),
            consents_updated_at: Some(created_at),
            created_at,
            updated_at: created_at,
            contacts,
        };

        let home_store = self
            .catalog
            .stores
            .iter()
            .position(|s| s.city == city)
            .unwrap_or_else(|| self.rng.random_range(0..self.catalog.stores.len()));
        let n_orders = *[1, 1, 1, 2, 2, 2, 3, 3, 4, 6]
            .choose(&mut self.rng)
            .unwrap_or(&1);
        let first_order = b.orders.len();
        for _ in 0..n_orders {
            let order = self.order(&customer, home_store);
            for line in &order.lines {
                if self.rng.random_bool(0.04) {
                    if let Some(d) = self.dossier(&customer, &order, line) {
                        b.dossiers.push(d);
                    }
                }
            }
            b.orders.push(order);
        }
        if let Some(mut story) = self.story.take() {
            let mut shared = crate::story::Shared {
                catalog: &self.catalog,
                receipt_seq: &mut self.receipt_seq,
                dossier_seq: &mut self.dossier_seq,
                web_seq: &mut self.web_seq,
            };
            story.customer(&mut shared, &customer, home_store, b, first_order);
            self.story = Some(story);
        }
        b.customers.push(customer);
    }

    fn order(&mut self, c: &CustomerRecord, home_store: usize) -> OrderRecord {
        let ordered_at = self.between(c.created_at, self.as_of - Duration::hours(2));
        let roll = self.rng.random_range(0..100);
        let (channel, marketplace) = match roll {
            0..55 => (Channel::Store, None),
            55..85 => (Channel::Web, None),
            _ => (
                Channel::Marketplace,
                MARKETPLACES.choose(&mut self.rng).map(|m| (*m).to_owned()),
            ),
        };
        let store_idx = match channel {
            Channel::Store => Some(if self.rng.random_bool(0.85) {
                home_store
            } else {
                self.rng.random_range(0..self.catalog.stores.len())
            }),
            Channel::Web if self.rng.random_bool(0.2) => Some(home_store), // click & collect
            _ => None,
        };
        let date = ordered_at.date_naive();
        let number = match (channel, marketplace.as_deref()) {
            (Channel::Store, _) => {
                let idx = store_idx.unwrap_or(home_store);
                let seq = self.receipt_seq.entry((idx, date)).or_insert(100);
                *seq += 1;
                format!(
                    "T{}-{}-{:04}",
                    self.catalog.stores[idx].code,
                    date.format("%y%m%d"),
                    seq
                )
            }
            (Channel::Web, _) => {
                self.web_seq += 1;
                format!("W{}", self.web_seq)
            }
            (_, m) => {
                self.market_seq += 1;
                let n = self.market_seq;
                match m {
                    Some("Amazon") => format!(
                        "{}-{n:07}-{:07}",
                        self.rng.random_range(171..408), // 408-… is the showcase's
                        self.rng.random_range(0..10_000_000)
                    ),
                    Some("Cdiscount") => format!("{}{n:06}CD", date.format("%y%m%d")),
                    Some("Fnac") => format!("FN{n:08}{}", self.rng.random_range(10..100)),
                    Some("ManoMano") => format!("M{}{n:07}", date.format("%y%m")),
                    _ => format!("RK{n:010}"),
                }
            }
        };
        let delivered_at = match channel {
            Channel::Store => Some(ordered_at),
            _ => {
                let at = ordered_at + Duration::hours(self.rng.random_range(30..150));
                (at < self.as_of).then_some(at)
            }
        };
        let n_lines = *[1, 1, 1, 2, 2, 3, 4].choose(&mut self.rng).unwrap_or(&1);
        let mut lines = Vec::with_capacity(n_lines);
        for line_no in 1..=n_lines {
            let p = self.rng.random_range(0..self.catalog.products.len());
            let product = &self.catalog.products[p];
            let info = &self.catalog.info[p];
            let quantity = if product.price.0 < 10_000 && self.rng.random_bool(0.15) {
                2
            } else {
                1
            };
            let serial_numbers = if info.has_serial {
                (0..quantity)
                    .map(|_| {
                        format!(
                            "{}{}{:08}",
                            info.serial_prefix,
                            date.format("%y"),
                            self.rng.random_range(0..100_000_000u32)
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let (product_id, unit_price) = (product.id, product.price);
            lines.push(OrderLineRecord {
                id: OrderLineId(id_at(&mut self.rng, ordered_at)),
                line_no: line_no as u32,
                product_id,
                quantity,
                unit_price,
                serial_numbers,
            });
        }
        let shipping = match channel {
            Channel::Store => Cents::ZERO,
            _ => Cents(*[0, 0, 499, 990, 2990].choose(&mut self.rng).unwrap_or(&0)),
        };
        // Catalogue prices and quantities are small: no overflow possible.
        let total = Cents::checked_sum(
            lines
                .iter()
                .filter_map(|l| l.unit_price.checked_mul(i64::from(l.quantity))),
        )
        .and_then(|t| t.checked_add(shipping))
        .unwrap_or(Cents::MAX);
        OrderRecord {
            id: OrderId(id_at(&mut self.rng, ordered_at)),
            number,
            channel,
            marketplace: marketplace.clone(),
            store_id: store_idx.map(|i| self.catalog.stores[i].id),
            customer_id: c.id,
            ordered_at,
            delivered_at,
            total,
            shipping,
            payment_method: if channel == Channel::Marketplace {
                format!("Paiement {}", marketplace.unwrap_or_default())
            } else {
                (*PAYMENT_METHODS
                    .choose(&mut self.rng)
                    .unwrap_or(&PAYMENT_METHODS[0]))
                .to_owned()
            },
            lines,
        }
    }

    fn dossier(
        &mut self,
        c: &CustomerRecord,
        o: &OrderRecord,
        line: &OrderLineRecord,
    ) -> Option<DossierRecord> {
        let start = o.delivered_at? + Duration::days(1);
        let horizon = (start + Duration::days(500)).min(self.as_of - Duration::hours(1));
        if horizon <= start {
            return None;
        }
        let opened_at = self.between(start, horizon);
        let origin = match self.rng.random_range(0..100) {
            0..70 => DossierOrigin::Store,
            70..95 => DossierOrigin::Web,
            _ => DossierOrigin::Phone,
        };
        let store = match (origin, o.store_id) {
            (DossierOrigin::Store, Some(s)) => Some(s),
            (DossierOrigin::Store, None) => {
                Some(self.catalog.stores[self.rng.random_range(0..self.catalog.stores.len())].id)
            }
            _ => None,
        };
        let prefix = match origin {
            DossierOrigin::Store => store
                .and_then(|s| self.catalog.stores.iter().find(|x| x.id == s))
                .map(|s| s.code.clone())
                .unwrap_or_else(|| "WEB".to_owned()),
            DossierOrigin::Web => "WEB".to_owned(),
            DossierOrigin::Phone => "TEL".to_owned(),
        };
        let year = opened_at.year();
        let seq = self
            .dossier_seq
            .entry((prefix.clone(), year))
            .or_insert(100);
        *seq += 1;
        let number = format!("SAV-{prefix}-{year}-{seq:06}");
        let (reason, _, words) = REASONS[self.reasons.sample(&mut self.rng)];
        let opener = match origin {
            DossierOrigin::Store => {
                (*CLERKS.choose(&mut self.rng).unwrap_or(&CLERKS[0])).to_owned()
            }
            DossierOrigin::Web => "Client (en ligne)".to_owned(),
            DossierOrigin::Phone => "Service client (téléphone)".to_owned(),
        };
        let clerk = (*CLERKS.choose(&mut self.rng).unwrap_or(&CLERKS[0])).to_owned();
        let mut events = vec![DossierEventRecord {
            id: DossierEventId(id_at(&mut self.rng, opened_at)),
            at: opened_at,
            actor: opener,
            kind: "opened".to_owned(),
            status_after: Some(DossierStatus::Opened),
            note: None,
        }];
        let path: &[(DossierStatus, i64)] = match self.rng.random_range(0..10) {
            0..6 => &[
                (DossierStatus::Diagnosed, 20),
                (DossierStatus::WaitingPart, 30),
                (DossierStatus::Ready, 120),
                (DossierStatus::HandedBack, 30),
                (DossierStatus::Closed, 1),
            ],
            6..8 => &[
                (DossierStatus::Diagnosed, 10),
                (DossierStatus::WaitingManufacturer, 24),
                (DossierStatus::Ready, 240),
                (DossierStatus::HandedBack, 48),
                (DossierStatus::Closed, 1),
            ],
            8 => &[
                (DossierStatus::Diagnosed, 8),
                (DossierStatus::WaitingCustomer, 20),
                (DossierStatus::Diagnosed, 50),
                (DossierStatus::Ready, 40),
                (DossierStatus::HandedBack, 24),
                (DossierStatus::Closed, 1),
            ],
            _ => &[(DossierStatus::Cancelled, 6)],
        };
        let mut at = opened_at;
        for (status, hours) in path {
            at += Duration::hours(self.rng.random_range(1..=*hours));
            if at >= self.as_of {
                break;
            }
            events.push(DossierEventRecord {
                id: DossierEventId(id_at(&mut self.rng, at)),
                at,
                actor: clerk.clone(),
                kind: "status_changed".to_owned(),
                status_after: Some(*status),
                note: None,
            });
        }
        Some(DossierRecord {
            id: DossierId(id_at(&mut self.rng, opened_at)),
            number,
            store_id: store,
            origin,
            customer_id: c.id,
            order_line_id: Some(line.id),
            product_id: Some(line.product_id),
            product_label: None,
            reason_code: reason.to_owned(),
            customer_words: words.choose(&mut self.rng).map(|w| (*w).to_owned()),
            opened_at,
            promised_at: Some(opened_at + Duration::days(7)),
            events,
        })
    }
}
