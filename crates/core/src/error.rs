use thiserror::Error;

use crate::model::DossierStatus;
use crate::workflow::DossierAction;

/// Errors of the pure domain rules. Each carries a stable `code()` that the
/// UI maps to a French message.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    #[error("required field {field} is missing")]
    MissingField { field: &'static str },
    #[error("field {field} is too long ({len}, max {max})")]
    TextTooLong {
        field: &'static str,
        len: usize,
        max: usize,
    },
    #[error("too many items in {field} (max {max})")]
    TooMany { field: &'static str, max: usize },
    #[error("negative amount in {field}")]
    NegativeAmount { field: &'static str },
    #[error("serial {read} does not match the order line ({sold})")]
    SerialMismatch { read: String, sold: String },
    #[error("CSAT score {score} out of 1..=5")]
    CsatOutOfRange { score: u8 },
    #[error("query is empty or too short (min {min} significant characters)")]
    QueryTooShort { min: usize },
    #[error("query is too long ({len} characters, max {max})")]
    QueryTooLong { len: usize, max: usize },
    #[error("invalid identifier: {0}")]
    InvalidId(String),
    #[error("unknown value {value:?} for {field}")]
    UnknownValue { field: &'static str, value: String },
    #[error("the store calendar has no opening hours")]
    NoOpeningHours,
    #[error("deadline beyond the calendar horizon")]
    DeadlineBeyondHorizon,
    #[error("invalid opening hours: {0}")]
    InvalidOpeningHours(String),
    #[error("unknown time zone {0:?}")]
    InvalidTimezone(String),
    #[error("action {action:?} not allowed from status {from:?}")]
    TransitionNotAllowed {
        from: DossierStatus,
        action: DossierAction,
    },
    #[error("invalid timeline: event #{position} goes from {from:?} to {to:?}")]
    InvalidTimeline {
        /// 1-based position of the offending status change in time order.
        position: usize,
        /// `None` when the first status of the timeline is not `opened`.
        from: Option<DossierStatus>,
        to: DossierStatus,
    },
    #[error("policy: line {line}, column {column}, field {field:?}: {detail}")]
    PolicyInvalid {
        /// 1-based; 0 when unknown.
        line: usize,
        column: usize,
        field: String,
        detail: String,
    },
    #[error("policy below the legal floor: {field} ({rule}, {article})")]
    PolicyBelowLegalFloor {
        field: String,
        line: Option<usize>,
        rule: String,
        article: &'static str,
    },
    #[error("{field} {date} is after today ({today})")]
    DateInFuture {
        field: &'static str,
        date: chrono::NaiveDate,
        today: chrono::NaiveDate,
    },
    #[error("{field} {date} is before the purchase ({purchase})")]
    DateBeforePurchase {
        field: &'static str,
        date: chrono::NaiveDate,
        purchase: chrono::NaiveDate,
    },
    #[error("a PIN is 4 to 8 digits")]
    PinFormat,
    #[error("PIN hashing failed: {0}")]
    PinHash(String),
    #[error("wrong PIN ({attempts_left} attempts left)")]
    PinWrong { attempts_left: u32 },
    #[error("account locked until {until}")]
    AccountLocked {
        until: chrono::DateTime<chrono::Utc>,
        /// The store's time zone, to say the time as the counter reads it.
        tz: chrono_tz::Tz,
    },
    #[error("user {login:?} is not a manager")]
    NotAManager { login: String },
    /// A sign-in with an unknown login or a wrong PIN: the same answer for
    /// both, so logins cannot be probed from the counter.
    #[error("sign-in refused: unknown login or wrong PIN")]
    SignInFailed,
    /// A sign-in on an account locked after too many wrong PINs.
    #[error("sign-in refused: account locked until {until}")]
    SignInLocked {
        until: chrono::DateTime<chrono::Utc>,
        tz: chrono_tz::Tz,
    },
    #[error("nobody is signed in at this counter")]
    NotSignedIn,
    #[error("the session of {name} is locked")]
    SessionLocked { name: String },
    #[error("manager only")]
    ManagerOnly,
    #[error("idle lock of {value:?} minutes out of range")]
    IdleLockOutOfRange { value: String },
    #[error("a manager's approval is required: {why}")]
    ManagerApprovalRequired { why: String },
    #[error("resolution {resolution} not allowed: {why}")]
    OptionNotAllowed { resolution: String, why: String },
    #[error("gesture {asked:?} above the scale ({max:?})")]
    GestureAboveScale {
        asked: crate::Cents,
        max: crate::Cents,
    },
    #[error("no gesture on the scale for this case")]
    NoGestureOnScale,
    #[error("a refusal needs a written reason")]
    RefusalNeedsReason,
    #[error("gesture {asked:?} above the one decided ({decided:?})")]
    GestureNotDecided {
        asked: crate::Cents,
        decided: crate::Cents,
    },
    #[error("catalogue category {0:?} is not mapped by the policy")]
    CategoryNotInPolicy(String),
    #[error("reason {0:?} has no policy decision")]
    ReasonWithoutPolicy(String),
    // ----- dates of a case that contradict each other (policy engine)
    #[error("delivery {delivery} is after the request ({request})")]
    DeliveryAfterRequest {
        delivery: chrono::NaiveDate,
        request: chrono::NaiveDate,
    },
    #[error("line delivered {line} after the order's last delivery ({last})")]
    DeliveryAfterLastDelivery {
        line: chrono::NaiveDate,
        last: chrono::NaiveDate,
    },
    #[error("defect noticed {noticed} after the request ({request})")]
    DefectNoticedAfterRequest {
        noticed: chrono::NaiveDate,
        request: chrono::NaiveDate,
    },
    #[error("defect noticed {noticed} before the delivery ({delivery})")]
    DefectNoticedBeforeDelivery {
        noticed: chrono::NaiveDate,
        delivery: chrono::NaiveDate,
    },
    #[error("commercial warranty of {months} months out of 1..={max}")]
    CommercialWarrantyMonths { months: i64, max: u32 },
    #[error("shipment {tracking:?} has no line")]
    ShipmentWithoutLines { tracking: Option<String> },
    #[error("order line {line} is in two shipments")]
    LineInTwoShipments { line: crate::ids::OrderLineId },
    #[error("order line {line} is not a line of the shipment's order")]
    ShipmentLineNotInOrder { line: crate::ids::OrderLineId },
    // Bounds on what enters (crate::bounds, crate::money).
    #[error("amount in {field} out of range (max {max:?})")]
    AmountOutOfRange {
        field: &'static str,
        max: crate::Cents,
    },
    #[error("{field} {date} outside 1900..=2100")]
    DateOutOfRange {
        field: &'static str,
        date: chrono::NaiveDate,
    },
    // ----- sync: clocks and changes (issue 8) -----
    #[error("HLC timestamp {received} is more than a day ahead of the local clock")]
    HlcTooFarAhead { received: String },
    #[error("invalid HLC timestamp {0:?}")]
    InvalidHlc(String),
    #[error("unknown change kind {0:?}")]
    UnknownChangeKind(String),
    #[error("change of kind {kind} does not decode: {detail}")]
    ChangePayload { kind: String, detail: String },
    // ----- customers at the counter (issue 8) -----
    #[error("a customer needs a name")]
    CustomerWithoutName,
    #[error("invalid phone number {value:?}")]
    InvalidPhone { value: String },
    #[error("invalid e-mail address {value:?}")]
    InvalidEmail { value: String },
    #[error("more than {max} contacts of kind {kind:?}")]
    TooManyContacts {
        kind: crate::model::ContactKind,
        max: usize,
    },
    // ----- the dashboard's reports (issue 11) -----
    #[error("report period ends ({to}) before it starts ({from})")]
    ReportPeriodInverted {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
    #[error("report period {from}..{to} longer than {max_days} days")]
    ReportPeriodTooLong {
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        max_days: i64,
    },
    #[error("unknown report table {name:?}")]
    UnknownTable { name: String },
    // ----- weak signals and the follow-up queue (issue 11) -----
    #[error("signal threshold {field} = {value} out of {min}..={max}")]
    SignalThresholdOutOfRange {
        field: &'static str,
        /// Its French name.
        label: &'static str,
        /// As the manager reads them (amounts in euros).
        value: String,
        min: String,
        max: String,
        not_positive: bool,
    },
    #[error("call-back date {on} is before today ({today})")]
    CallBackInPast {
        on: chrono::NaiveDate,
        today: chrono::NaiveDate,
    },
    #[error("call-back date {on} more than {max_days} days ahead")]
    CallBackTooFar {
        on: chrono::NaiveDate,
        max_days: i64,
    },
}

impl CoreError {
    /// Stable machine-readable code, shared with the UI.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::MissingField { .. } => "missing_field",
            CoreError::TextTooLong { .. } => "text_too_long",
            CoreError::TooMany { .. } => "too_many",
            CoreError::NegativeAmount { .. } => "negative_amount",
            CoreError::SerialMismatch { .. } => "serial_mismatch",
            CoreError::CsatOutOfRange { .. } => "csat_out_of_range",
            CoreError::QueryTooShort { .. } => "query_too_short",
            CoreError::QueryTooLong { .. } => "query_too_long",
            CoreError::InvalidId(_) => "invalid_id",
            CoreError::UnknownValue { .. } => "unknown_value",
            CoreError::NoOpeningHours => "no_opening_hours",
            CoreError::DeadlineBeyondHorizon => "deadline_beyond_horizon",
            CoreError::InvalidOpeningHours(_) => "invalid_opening_hours",
            CoreError::InvalidTimezone(_) => "invalid_timezone",
            CoreError::TransitionNotAllowed { .. } => "transition_not_allowed",
            CoreError::InvalidTimeline { .. } => "invalid_timeline",
            CoreError::PolicyInvalid { .. } => "policy_invalid",
            CoreError::PolicyBelowLegalFloor { .. } => "policy_below_legal_floor",
            CoreError::DateInFuture { .. } => "date_in_future",
            CoreError::DateBeforePurchase { .. } => "date_before_purchase",
            CoreError::PinFormat => "pin_format",
            CoreError::PinHash(_) => "pin_hash",
            CoreError::PinWrong { .. } => "pin_wrong",
            CoreError::AccountLocked { .. } => "account_locked",
            CoreError::NotAManager { .. } => "not_a_manager",
            CoreError::SignInFailed => "sign_in_failed",
            CoreError::SignInLocked { .. } => "account_locked",
            CoreError::NotSignedIn => "not_signed_in",
            CoreError::SessionLocked { .. } => "session_locked",
            CoreError::ManagerOnly => "manager_only",
            CoreError::IdleLockOutOfRange { .. } => "idle_lock_out_of_range",
            CoreError::ManagerApprovalRequired { .. } => "manager_approval_required",
            CoreError::OptionNotAllowed { .. } => "option_not_allowed",
            CoreError::GestureAboveScale { .. } => "gesture_above_scale",
            CoreError::NoGestureOnScale => "no_gesture_on_scale",
            CoreError::RefusalNeedsReason => "refusal_needs_reason",
            CoreError::GestureNotDecided { .. } => "gesture_not_decided",
            CoreError::CategoryNotInPolicy(_) => "category_not_in_policy",
            CoreError::ReasonWithoutPolicy(_) => "reason_without_policy",
            CoreError::DeliveryAfterRequest { .. } => "delivery_after_request",
            CoreError::DeliveryAfterLastDelivery { .. } => "delivery_after_last_delivery",
            CoreError::DefectNoticedAfterRequest { .. } => "defect_noticed_after_request",
            CoreError::DefectNoticedBeforeDelivery { .. } => "defect_noticed_before_delivery",
            CoreError::CommercialWarrantyMonths { .. } => "commercial_warranty_months",
            CoreError::ShipmentWithoutLines { .. } => "shipment_without_lines",
            CoreError::LineInTwoShipments { .. } => "line_in_two_shipments",
            CoreError::ShipmentLineNotInOrder { .. } => "shipment_line_not_in_order",
            CoreError::AmountOutOfRange { .. } => "amount_out_of_range",
            CoreError::DateOutOfRange { .. } => "date_out_of_range",
            CoreError::HlcTooFarAhead { .. } => "hlc_too_far_ahead",
            CoreError::InvalidHlc(_) => "invalid_hlc",
            CoreError::UnknownChangeKind(_) => "unknown_change_kind",
            CoreError::ChangePayload { .. } => "change_payload_invalid",
            CoreError::CustomerWithoutName => "customer_without_name",
            CoreError::InvalidPhone { .. } => "invalid_phone",
            CoreError::InvalidEmail { .. } => "invalid_email",
            CoreError::TooManyContacts { .. } => "too_many_contacts",
            CoreError::ReportPeriodInverted { .. } => "report_period_inverted",
            CoreError::ReportPeriodTooLong { .. } => "report_period_too_long",
            CoreError::UnknownTable { .. } => "unknown_table",
            CoreError::SignalThresholdOutOfRange { .. } => "signal_threshold_out_of_range",
            CoreError::CallBackInPast { .. } => "call_back_in_past",
            CoreError::CallBackTooFar { .. } => "call_back_too_far",
        }
    }

    /// The message a clerk reads, in French.
    pub fn message_fr(&self) -> String {
        match self {
            CoreError::MissingField { field } => {
                format!("Champ obligatoire manquant : {}.", field_fr(field))
            }
            CoreError::TextTooLong { field, max, .. } => {
                format!("Texte trop long pour le champ {} ({max} au maximum).", field_fr(field))
            }
            CoreError::TooMany { field, max } => {
                format!("Trop d'éléments dans le champ {} ({max} au maximum).", field_fr(field))
            }
            CoreError::NegativeAmount { field } => {
                format!("Le montant du champ {} ne peut pas être négatif.", field_fr(field))
            }
            CoreError::SerialMismatch { read, sold } => format!(
                "Le numéro de série « {read} » ne correspond pas à celui de l'achat ({sold}). Vérifiez l'étiquette du produit."
            ),
            CoreError::CsatOutOfRange { score } => {
                format!("La note de satisfaction doit aller de 1 à 5 (reçu : {score}).")
            }
            CoreError::QueryTooShort { min } => {
                format!("Saisissez au moins {min} lettres ou chiffres pour lancer la recherche.")
            }
            CoreError::QueryTooLong { max, .. } => {
                format!("Recherche trop longue : {max} caractères au maximum.")
            }
            CoreError::InvalidId(_) => "Identifiant invalide.".to_owned(),
            CoreError::UnknownValue { field, value } => {
                format!("Valeur inconnue « {value} » pour le champ {}.", field_fr(field))
            }
            CoreError::NoOpeningHours => "Aucun horaire d'ouverture n'est renseigné pour ce \
                 magasin : impossible de calculer un délai. Renseignez les horaires dans les \
                 réglages du magasin."
                .to_owned(),
            CoreError::DeadlineBeyondHorizon => "Délai impossible à calculer : il tomberait \
                 au-delà des vingt prochaines années d'ouverture du magasin. Vérifiez la \
                 promesse et les fermetures exceptionnelles."
                .to_owned(),
            CoreError::InvalidOpeningHours(detail) => {
                format!("Horaires d'ouverture invalides ({detail}).")
            }
            CoreError::InvalidTimezone(tz) => {
                format!("Fuseau horaire inconnu « {tz} » (exemple attendu : Europe/Paris).")
            }
            CoreError::TransitionNotAllowed { from, action } => {
                crate::workflow::refusal_message_fr(*from, *action)
            }
            CoreError::InvalidTimeline { position, from, to } => match from {
                Some(from) => format!(
                    "Historique du dossier incohérent : le changement de statut n° {position} \
                     le fait passer de « {} » à « {} », ce qui n'est pas permis.",
                    from.label_fr(),
                    to.label_fr()
                ),
                None => format!(
                    "Historique du dossier incohérent : il commence par « {} » au lieu de \
                     « {} ».",
                    to.label_fr(),
                    DossierStatus::Opened.label_fr()
                ),
            },
            CoreError::PolicyInvalid {
                line,
                column,
                field,
                detail,
            } => format!(
                "Politique de retour invalide, ligne {line}, colonne {column}, champ « {field} » : \
                 {detail}."
            ),
            CoreError::PolicyBelowLegalFloor {
                field,
                line,
                rule,
                article,
            } => format!(
                "Politique de retour refusée : le champ « {field} »{} descend sous le minimum \
                 légal ({rule} — {article}).",
                line.map(|l| format!(" (ligne {l})")).unwrap_or_default()
            ),
            CoreError::DateInFuture { field, date, today } => format!(
                "La date {} ({}) est postérieure à aujourd'hui ({}).",
                field_fr(field),
                date.format("%d/%m/%Y"),
                today.format("%d/%m/%Y")
            ),
            CoreError::DateBeforePurchase {
                field,
                date,
                purchase,
            } => format!(
                "La date {} ({}) précède la date d'achat ({}).",
                field_fr(field),
                date.format("%d/%m/%Y"),
                purchase.format("%d/%m/%Y")
            ),
            CoreError::PinFormat => "Le code est composé de 4 à 8 chiffres.".to_owned(),
            CoreError::PinHash(_) => {
                "Le code n'a pas pu être enregistré ; réessayez.".to_owned()
            }
            CoreError::PinWrong { attempts_left } => format!(
                "Code incorrect. {}",
                match attempts_left {
                    1 => "Dernier essai avant le verrouillage du compte.".to_owned(),
                    n => format!("Il reste {n} essais avant le verrouillage du compte."),
                }
            ),
            CoreError::AccountLocked { until, tz } => format!(
                "Compte verrouillé après {} codes incorrects, jusqu'à {}. Un autre responsable \
                 peut valider.",
                crate::auth::MAX_PIN_FAILURES,
                until.with_timezone(tz).format("%H:%M")
            ),
            CoreError::SignInFailed => "Identifiant ou code incorrect.".to_owned(),
            CoreError::SignInLocked { until, tz } => format!(
                "Compte verrouillé après {} codes incorrects, jusqu'à {}. Un responsable peut le \
                 déverrouiller avant.",
                crate::auth::MAX_PIN_FAILURES,
                until.with_timezone(tz).format("%H:%M")
            ),
            CoreError::NotSignedIn => "Personne n'est connecté à ce comptoir : identifiez-vous \
                (identifiant et code). Chaque action est enregistrée au nom de la personne \
                connectée."
                .to_owned(),
            CoreError::SessionLocked { name } => format!(
                "Session de {name} verrouillée : saisissez son code pour reprendre, ou changez \
                 d'utilisateur. Rien n'a été enregistré."
            ),
            CoreError::ManagerOnly => "Réservé aux responsables : connectez-vous avec un compte \
                responsable. Rien n'a été modifié."
                .to_owned(),
            CoreError::IdleLockOutOfRange { value } => format!(
                "Délai de verrouillage « {value} » refusé : un nombre entier de minutes entre {} \
                 et {}.",
                crate::session::IDLE_LOCK_MIN_MINUTES,
                crate::session::IDLE_LOCK_MAX_MINUTES
            ),
            CoreError::NotAManager { login } => format!(
                "« {login} » n'est pas un responsable : seul un responsable peut valider."
            ),
            CoreError::ManagerApprovalRequired { why } => format!(
                "Validation d'un responsable nécessaire : {why}"
            ),
            CoreError::OptionNotAllowed { resolution, why } => {
                format!("« {resolution} » n'est pas possible pour ce dossier : {why}")
            }
            CoreError::GestureAboveScale { asked, max } => format!(
                "Le geste demandé ({}) dépasse le barème de l'enseigne pour ce cas ({} au plus).",
                asked.format_fr(),
                max.format_fr()
            ),
            CoreError::NoGestureOnScale => {
                "Le barème de l'enseigne ne prévoit pas de geste commercial pour ce cas."
                    .to_owned()
            }
            CoreError::RefusalNeedsReason => "Un refus se motive par écrit : indiquez la raison \
                 dans la note de la décision (elle figure sur le document remis au client)."
                .to_owned(),
            CoreError::GestureNotDecided { asked, decided } => {
                if decided.0 == 0 {
                    format!(
                        "Aucun geste commercial n'a été décidé pour ce dossier : accordez-le \
                         d'abord avec « Décider » (barème de l'enseigne), puis clôturez \
                         (demandé : {}).",
                        asked.format_fr()
                    )
                } else {
                    format!(
                        "Le geste commercial ({}) dépasse celui décidé selon le barème ({}).",
                        asked.format_fr(),
                        decided.format_fr()
                    )
                }
            }
            CoreError::CategoryNotInPolicy(c) => format!(
                "La catégorie « {c} » n'est pas couverte par la politique de retour : \
                 prévenez le siège ; un responsable décide en attendant."
            ),
            CoreError::ReasonWithoutPolicy(_) => {
                "Ce motif n'appelle pas de décision de la politique de retour.".to_owned()
            }
            CoreError::DeliveryAfterRequest { delivery, request } => format!(
                "La livraison ({}) est postérieure à la demande ({}) : vérifiez les dates, \
                 aucune décision n'est prise.",
                delivery.format("%d/%m/%Y"),
                request.format("%d/%m/%Y")
            ),
            CoreError::DeliveryAfterLastDelivery { line, last } => format!(
                "L'article est livré le {} après la dernière livraison de la commande ({}) : \
                 vérifiez les expéditions.",
                line.format("%d/%m/%Y"),
                last.format("%d/%m/%Y")
            ),
            CoreError::DefectNoticedAfterRequest { noticed, request } => format!(
                "Le défaut ne peut pas avoir été constaté le {}, après la demande du {} : \
                 vérifiez la date, aucune décision n'est prise.",
                noticed.format("%d/%m/%Y"),
                request.format("%d/%m/%Y")
            ),
            CoreError::DefectNoticedBeforeDelivery { noticed, delivery } => format!(
                "Le défaut ne peut pas avoir été constaté le {}, avant la livraison du {} : \
                 vérifiez la date, aucune décision n'est prise.",
                noticed.format("%d/%m/%Y"),
                delivery.format("%d/%m/%Y")
            ),
            CoreError::CommercialWarrantyMonths { months, max } => format!(
                "Une garantie commerciale de {months} mois n'est pas possible : indiquez une \
                 durée de 1 à {max} mois."
            ),
            CoreError::ShipmentWithoutLines { tracking } => format!(
                "Une expédition{} ne contient aucun article : rien n'a été enregistré.",
                tracking
                    .as_deref()
                    .map(|t| format!(" (suivi {t})"))
                    .unwrap_or_default()
            ),
            CoreError::LineInTwoShipments { .. } => "Un même article figure dans deux \
                 expéditions : rien n'a été enregistré."
                .to_owned(),
            CoreError::ShipmentLineNotInOrder { .. } => "Une expédition contient un article \
                 d'une autre commande : rien n'a été enregistré."
                .to_owned(),
            CoreError::AmountOutOfRange { field, max } => format!(
                "Montant impossible pour le champ {} : {} au plus. Vérifiez la saisie \
                 (un montant s'écrit en centimes dans les fichiers et les commandes).",
                field_fr(field),
                max.format_fr()
            ),
            CoreError::DateOutOfRange { field, date } => format!(
                "Date impossible pour le champ {} ({}) : Comptoir accepte les dates de 1900 \
                 à 2100. Vérifiez la saisie.",
                field_fr(field),
                date.format("%d/%m/%Y")
            ),
            CoreError::HlcTooFarAhead { .. } => "Modification refusée : elle est datée de plus \
                 d'un jour dans le futur par rapport à l'horloge de ce poste. Vérifiez la date et \
                 l'heure du poste qui l'a envoyée."
                .to_owned(),
            CoreError::InvalidHlc(_) => {
                "Modification refusée : son horodatage est illisible.".to_owned()
            }
            CoreError::UnknownChangeKind(k) => format!(
                "Modification refusée : type « {k} » inconnu de cette version de Comptoir."
            ),
            CoreError::ChangePayload { kind, .. } => format!(
                "Modification refusée : le contenu de « {kind} » est illisible ou incomplet."
            ),
            CoreError::CustomerWithoutName => {
                "Un client doit avoir un nom : saisissez au moins son nom de famille et son prénom."
                    .to_owned()
            }
            CoreError::InvalidPhone { value } => format!(
                "Numéro de téléphone invalide « {value} » : saisissez un numéro français \
                 (06 12 34 56 78, 0692 12 34 56…) ou international avec l'indicatif (+32 …)."
            ),
            CoreError::InvalidEmail { value } => format!(
                "Adresse e-mail invalide « {value} » : elle s'écrit nom@domaine.fr, sans espace."
            ),
            CoreError::TooManyContacts { kind, max } => format!(
                "{max} {} au plus par client.",
                match kind {
                    crate::model::ContactKind::Phone => "numéros de téléphone",
                    crate::model::ContactKind::Email => "adresses e-mail",
                }
            ),
            CoreError::ReportPeriodInverted { from, to } => format!(
                "Période impossible : elle se termine le {} avant de commencer le {}. \
                 Vérifiez les dates « du » et « au ».",
                to.format("%d/%m/%Y"),
                from.format("%d/%m/%Y")
            ),
            CoreError::ReportPeriodTooLong { from, to, max_days } => format!(
                "Période trop longue : du {} au {}, un tableau de bord couvre au plus {} jours \
                 (5 ans). Choisissez une période plus courte.",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y"),
                max_days
            ),
            CoreError::UnknownTable { name } => format!(
                "Tableau « {name} » inconnu. Tableaux disponibles : {}.",
                crate::report::TABLE_NAMES.join(", ")
            ),
            CoreError::SignalThresholdOutOfRange {
                label,
                value,
                min,
                max,
                not_positive,
                ..
            } => {
                if *not_positive {
                    format!(
                        "Seuil « {label} » refusé ({value}) : il doit être supérieur à zéro, \
                         entre {min} et {max}. Rien n'a été modifié."
                    )
                } else {
                    format!(
                        "Seuil « {label} » refusé ({value}) : choisissez une valeur entre {min} \
                         et {max}. Rien n'a été modifié."
                    )
                }
            }
            CoreError::CallBackInPast { on, today } => format!(
                "Date de rappel impossible : le {} est déjà passé (nous sommes le {}). \
                 Choisissez aujourd'hui ou une date à venir ; rien n'a été enregistré.",
                on.format("%d/%m/%Y"),
                today.format("%d/%m/%Y")
            ),
            CoreError::CallBackTooFar { on, max_days } => format!(
                "Date de rappel trop lointaine ({}) : un rappel se prévoit au plus {max_days} \
                 jours à l'avance ; rien n'a été enregistré.",
                on.format("%d/%m/%Y")
            ),
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// French name of an input field, for messages.
fn field_fr(field: &str) -> &str {
    match field {
        "customer_words" => "« propos du client »",
        "actor" => "« conseiller »",
        "declared_product" => "« produit (sans preuve d'achat) »",
        "condition_note" => "« état du produit »",
        "accessories" => "« accessoires laissés »",
        "summary" => "« ce qui a été fait »",
        "cost" => "« coût »",
        "gesture" => "« geste commercial »",
        "comment" => "« commentaire »",
        "note" => "« note »",
        "request_date" => "« de la demande »",
        "purchase_date" => "« d'achat »",
        "delivery_date" => "« de livraison »",
        "defect_noticed_date" => "« d'apparition du défaut »",
        "replaced_under_guarantee_on" => "« de remplacement sous garantie »",
        "price" => "« prix »",
        "delivery_paid" => "« frais de livraison »",
        "closures" => "« jours de fermeture »",
        "timezone" => "« fuseau horaire »",
        "login" => "« identifiant »",
        "display_name" => "« nom affiché »",
        "setting" => "« réglage »",
        "title" => "« civilité »",
        "first_name" => "« prénom »",
        "last_name" => "« nom »",
        "address_line1" => "« adresse »",
        "address_line2" => "« complément d'adresse »",
        "postal_code" => "« code postal »",
        "city" => "« ville »",
        "country" => "« pays »",
        "phone" => "« téléphone »",
        "email" => "« e-mail »",
        "sku" => "« SKU »",
        "brand" => "« marque »",
        "category" => "« catégorie »",
        "reason" => "« motif »",
        "clerk" => "« conseiller »",
        "figure" => "« indicateur »",
        "from" => "« du »",
        "to" => "« au »",
        other => other,
    }
}
