//! What a printed SAV document says. The app builds a [`Ticket`] from the
//! dossier (plain words, not internal codes); this crate only lays it out.

use chrono::{DateTime, NaiveDate, Utc};
use comptoir_core::model::Channel;
use comptoir_core::Cents;
use serde::{Deserialize, Serialize};

/// The receipts' mention of the legal conformity guarantee (Code de la
/// consommation L211-2 and D211-6: every SAV document carries it). Kept here
/// so that a change in law is one edit.
pub const LEGAL_GUARANTEE_FR: &str = "Garantie légale de conformité : 2 ans à compter de la \
délivrance du bien (articles L217-3 et suivants du Code de la consommation). Un défaut qui \
apparaît dans les 24 mois suivant la délivrance (12 mois pour un bien d'occasion) est présumé \
exister au moment de la délivrance. Vous choisissez entre la réparation et le remplacement, \
sans frais, dans un délai de 30 jours. Un bien réparé au titre de cette garantie bénéficie de \
6 mois supplémentaires. Garantie des vices cachés : articles 1641 à 1649 du Code civil, action \
dans les 2 ans suivant la découverte du défaut.";

/// Which document. (TypeScript: `TicketChoice`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "TicketChoice")]
pub enum TicketKind {
    /// Bon de prise en charge: the product is left at the counter.
    Intake,
    /// Bon de restitution: the product is handed back, the dossier closes.
    Restitution,
}

impl TicketKind {
    pub const ALL: &'static [TicketKind] = &[TicketKind::Intake, TicketKind::Restitution];

    /// Stable code (JSON, file names, command line).
    pub fn code(self) -> &'static str {
        match self {
            TicketKind::Intake => "intake",
            TicketKind::Restitution => "restitution",
        }
    }

    pub fn from_code(code: &str) -> Option<TicketKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }

    pub fn title_fr(self) -> &'static str {
        match self {
            TicketKind::Intake => "Bon de prise en charge",
            TicketKind::Restitution => "Bon de restitution",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreIdentity {
    /// "Comptoir Lyon Part-Dieu".
    pub name: String,
    /// Street, postal code and city; one line or several (`\n`).
    pub address: String,
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerInfo {
    /// As it should be printed: "Mme Hélène Dupré".
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// The purchase the product comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurchaseProof {
    /// Order or receipt number: "WEB-1002345".
    pub reference: String,
    pub date: NaiveDate,
    pub channel: Channel,
    /// "Magasin de Lyon Part-Dieu", "Amazon"… printed after the channel when set.
    pub where_label: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductInfo {
    pub name: String,
    pub sku: Option<String>,
    pub serial_number: Option<String>,
    /// `None` prints « sans preuve d'achat ».
    pub purchase: Option<PurchaseProof>,
}

/// What the return policy allowed and what was chosen, with its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDecision {
    /// "Réparation sous garantie légale de conformité".
    pub label: String,
    /// Why, in plain words.
    pub basis: String,
    /// "Article L217-9 du Code de la consommation".
    pub legal_article: Option<String>,
}

/// What happened, for the restitution document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestitutionInfo {
    /// When the product was handed back (UTC).
    pub returned_at: DateTime<Utc>,
    /// "Carte mère remplacée, appareil testé 2 heures."
    pub resolution: String,
    /// Parts replaced, in words.
    pub parts: Vec<String>,
    /// What the customer pays (zero under a guarantee).
    pub cost: Cents,
    /// "Avoir de 20,00 € offert pour le délai."
    pub goodwill: Option<String>,
}

/// Everything one printed SAV document says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub kind: TicketKind,
    pub store: StoreIdentity,
    /// `SAV-LYO1-2026-000123`: printed, and encoded in the Code 128.
    pub dossier_number: String,
    /// The QR code encodes it when set, else the dossier number.
    pub tracking_url: Option<String>,
    pub opened_at: DateTime<Utc>,
    /// IANA time zone of the store (`Europe/Paris`): every time is printed in it.
    pub timezone: String,
    /// The clerk who took the product in.
    pub clerk: Option<String>,
    pub customer: CustomerInfo,
    pub product: ProductInfo,
    /// Condition at intake, in words.
    pub condition: String,
    /// Accessories left at the counter.
    pub accessories: Vec<String>,
    /// The reason in plain words (not the reason code).
    pub reason: String,
    /// What the customer said, as they said it.
    pub customer_words: Option<String>,
    /// Committed deadline (UTC).
    pub deadline: Option<DateTime<Utc>>,
    /// What happens next, in plain words.
    pub next_steps: Vec<String>,
    pub decision: Option<PolicyDecision>,
    /// "Accord de Marc Petit, responsable du magasin, le 23/11/2026."
    pub manager_approval: Option<String>,
    /// Required for [`TicketKind::Restitution`].
    pub restitution: Option<RestitutionInfo>,
    /// The legal guarantee mention; [`LEGAL_GUARANTEE_FR`] when `None`.
    pub legal_mention: Option<String>,
    /// The consumer mediator's contact details.
    pub mediator: Option<String>,
}

impl Ticket {
    /// A complete intake ticket with made-up data: the printer test page,
    /// and the fixture of this crate's tests and benchmark.
    pub fn example_intake() -> Ticket {
        use chrono::TimeZone;
        Ticket {
            kind: TicketKind::Intake,
            store: StoreIdentity {
                name: "Comptoir Lyon Part-Dieu".into(),
                address: "17 rue du Docteur Bouchut\n69003 Lyon".into(),
                phone: Some("04 72 00 12 34".into()),
            },
            dossier_number: "SAV-LYO1-2026-000123".into(),
            tracking_url: Some("https://suivi.comptoir.example/d/SAV-LYO1-2026-000123".into()),
            opened_at: Utc
                .with_ymd_and_hms(2026, 11, 23, 13, 5, 0)
                .single()
                .unwrap_or_default(),
            timezone: "Europe/Paris".into(),
            clerk: Some("Inès Moreau".into()),
            customer: CustomerInfo {
                name: "Mme Hélène Dupré".into(),
                phone: Some("06 12 34 56 78".into()),
                email: Some("helene.dupre@exemple.fr".into()),
            },
            product: ProductInfo {
                name: "Ordinateur portable Lumen 14\" — 16 Go, SSD 512 Go".into(),
                sku: Some("LUM-14-16-512".into()),
                serial_number: Some("LM14X7Q2P9".into()),
                purchase: Some(PurchaseProof {
                    reference: "WEB-1002345".into(),
                    date: NaiveDate::from_ymd_opt(2025, 9, 12).unwrap_or_default(),
                    channel: Channel::Web,
                    where_label: None,
                }),
            },
            condition: "Bon état général, légère rayure sur le capot, écran intact.".into(),
            accessories: vec!["Chargeur secteur".into(), "Housse de protection".into()],
            reason: "Ne s'allume plus, même branché sur secteur.".into(),
            customer_words: Some(
                "Depuis la mise à jour de vendredi, l'écran reste noir et le voyant clignote \
                 trois fois en orange. J'en ai besoin pour mes cours à l'université."
                    .into(),
            ),
            deadline: Some(
                Utc.with_ymd_and_hms(2026, 11, 25, 17, 0, 0)
                    .single()
                    .unwrap_or_default(),
            ),
            next_steps: vec![
                "Diagnostic par notre atelier sous 48 heures ouvrées.".into(),
                "Nous vous appelons dès que le diagnostic est posé.".into(),
                "Réparation ou remplacement à votre choix, sans frais.".into(),
            ],
            decision: Some(PolicyDecision {
                label: "Réparation au titre de la garantie légale de conformité".into(),
                basis: "Achat livré il y a 14 mois : le défaut est présumé exister à la \
                        livraison, vous n'avez rien à prouver."
                    .into(),
                legal_article: Some("Articles L217-7 et L217-9 du Code de la consommation".into()),
            }),
            manager_approval: None,
            restitution: None,
            legal_mention: None,
            mediator: Some(
                "Médiateur du commerce coopératif et associé (MCCA), 77 rue de Lourmel, \
                 75015 Paris — www.mcca-mediation.fr"
                    .into(),
            ),
        }
    }

    /// The same dossier, handed back after repair.
    pub fn example_restitution() -> Ticket {
        use chrono::TimeZone;
        Ticket {
            kind: TicketKind::Restitution,
            manager_approval: Some("Geste validé par Marc Petit, responsable du magasin.".into()),
            next_steps: vec![
                "Votre produit est garanti 6 mois de plus au titre de la garantie légale.".into(),
                "Nous vous appellerons dans 3 jours pour savoir si tout va bien.".into(),
            ],
            restitution: Some(RestitutionInfo {
                returned_at: Utc
                    .with_ymd_and_hms(2026, 11, 25, 16, 30, 0)
                    .single()
                    .unwrap_or_default(),
                resolution: "Carte mère remplacée, appareil testé pendant 2 heures, données \
                             conservées."
                    .into(),
                parts: vec!["Carte mère LUM-MB-14".into(), "Pâte thermique".into()],
                cost: Cents(0),
                goodwill: Some(format!(
                    "Avoir de {} offert pour la gêne occasionnée.",
                    Cents(2_000).format_fr()
                )),
            }),
            ..Ticket::example_intake()
        }
    }
}
