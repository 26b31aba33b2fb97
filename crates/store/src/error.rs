use std::path::PathBuf;

use comptoir_core::CoreError;
use thiserror::Error;

/// Everything that can go wrong in the local store. `code()` is stable for
/// the UI; `message_fr()` is what the clerk reads; `Display` is for the log.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database file not found: {0}")]
    DatabaseMissing(PathBuf),
    #[error("database file is read-only: {0}")]
    DatabaseReadOnly(PathBuf),
    #[error("database file is damaged or not a Comptoir database: {path}: {detail}")]
    DatabaseCorrupt { path: PathBuf, detail: String },
    #[error("database was written by a newer Comptoir (schema {found}, this build knows {known})")]
    DatabaseTooNew { found: i64, known: i64 },
    #[error("backup before migration failed: {0}")]
    Backup(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("no return policy installed for this date")]
    NoPolicy,
    #[error("no purchase record: no automatic policy decision")]
    NoPurchaseRecord,
    // ----- named refusals (issue 8: no catch-all) -----
    #[error("this counter belongs to no store (setting store_code)")]
    NoLocalStore,
    #[error("unknown reason {code:?}")]
    UnknownReason { code: String },
    #[error("order line belongs to another customer")]
    LineNotCustomers,
    #[error("dossier is {status:?}: its decision can no longer change")]
    DossierClosed {
        status: comptoir_core::model::DossierStatus,
    },
    #[error("a closed or cancelled dossier cannot be assigned")]
    AssignClosed,
    #[error("satisfaction is recorded once, after closure")]
    SatisfactionNotAllowed,
    #[error("unknown message template {code:?}")]
    UnknownTemplate { code: String },
    #[error("stored {what} does not decode: {detail}")]
    StoredDataInvalid { what: &'static str, detail: String },
    #[error("event not allowed here: {message}")]
    EventNotAllowed { message: String },
    #[error("dossier number {number} is already taken")]
    DossierNumberTaken { number: String },
    #[error("dossier numbers exhausted for this counter")]
    NumbersExhausted,
    #[error("setting {key} is set by administration")]
    SettingReserved { key: String },
    #[error("audit log broken at entry {seq}: {why}")]
    AuditChainBroken { seq: i64, why: &'static str },
    #[error("policy {id} {version} already installed with other content")]
    PolicyVersionConflict { id: String, version: String },
    #[error("invalid login {login:?}")]
    InvalidLogin { login: String },
    #[error("login {login:?} already exists")]
    LoginTaken { login: String },
    #[error("possible duplicate: {} other customer(s) share a phone or e-mail", duplicates.len())]
    PossibleDuplicate {
        duplicates: Vec<comptoir_core::customer::PossibleDuplicate>,
    },
    #[error("customer record refused: {why}")]
    CustomerInvalid { why: &'static str },
    #[error("order {number} refused: {why}")]
    OrderInvalid { number: String, why: &'static str },
    #[error("dossier {number} refused: {why}")]
    DossierRecordInvalid { number: String, why: &'static str },
    #[error("enrolled for store {server} but this counter is store {local}")]
    SyncStoreMismatch { local: String, server: String },
    #[error("this counter is not enrolled with a central server")]
    NotEnrolled,
    #[error("export not written in {dir}: {detail}")]
    ExportNotWritten { dir: PathBuf, detail: String },
    // ----- erasure (RGPD, erase.rs) -----
    #[error("customer has open dossiers: {numbers:?}")]
    ErasureOpenDossier { numbers: Vec<String> },
    #[error("erasure not confirmed")]
    ErasureNotConfirmed,
    #[error("customer already erased at {at}")]
    CustomerAlreadyErased { at: chrono::DateTime<chrono::Utc> },
    #[error("customer erased: no change or new dossier accepted")]
    CustomerErased,
    #[error("dossier {number} ({status:?}) has no follow-up call pending")]
    NothingToFollowUp {
        number: String,
        status: comptoir_core::model::DossierStatus,
    },
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("database error: {0}")]
    Sqlx(#[source] sqlx::Error),
    #[error("i/o error: {0}")]
    Io(#[source] std::io::Error),
    // Named from SQLite's result codes in `sqlite_error::classify`.
    #[error("database busy: the write lock was not free within the busy timeout")]
    Busy,
    #[error("the record changed meanwhile (another writer committed first)")]
    ChangedMeanwhile,
    #[error("disk full")]
    DiskFull,
    // Files that are not ours, refused before SQLite opens them (`open`).
    #[error("database file is empty: {0}")]
    DatabaseEmpty(PathBuf),
    #[error("database path is not a file: {0}")]
    DatabaseNotAFile(PathBuf),
    #[error("not a Comptoir database: {path} (application id {application_id:?})")]
    DatabaseForeign {
        path: PathBuf,
        application_id: Option<u32>,
    },
    #[error("migration history altered in {path}: {problem:?}")]
    MigrationHistory {
        path: PathBuf,
        problem: HistoryProblem,
    },
}

/// What is wrong with a database's migration history (`_sqlx_migrations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryProblem {
    /// The table is gone, or emptied, while the schema is there.
    Missing,
    /// A migration was recorded as failed.
    Failed { version: i64 },
    /// A migration's recorded checksum differs from this build's.
    Checksum { version: i64 },
    /// A migration this build does not have, below its newest one.
    Unknown { version: i64 },
}

impl StoreError {
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::DatabaseMissing(_) => "db_missing",
            StoreError::DatabaseReadOnly(_) => "db_read_only",
            StoreError::DatabaseCorrupt { .. } => "db_corrupt",
            StoreError::DatabaseTooNew { .. } => "db_too_new",
            StoreError::Backup(_) => "db_backup_failed",
            StoreError::Migration(_) => "db_migration_failed",
            StoreError::NotFound { .. } => "not_found",
            StoreError::NoPolicy => "no_policy",
            StoreError::NoPurchaseRecord => "no_purchase_record",
            StoreError::Busy => "db_busy",
            StoreError::NoLocalStore => "no_local_store",
            StoreError::UnknownReason { .. } => "unknown_reason",
            StoreError::LineNotCustomers => "line_not_customers",
            StoreError::DossierClosed { .. } => "dossier_closed",
            StoreError::AssignClosed => "assign_closed",
            StoreError::SatisfactionNotAllowed => "satisfaction_not_allowed",
            StoreError::UnknownTemplate { .. } => "unknown_template",
            StoreError::ExportNotWritten { .. } => "export_not_written",
            StoreError::StoredDataInvalid { .. } => "stored_data_invalid",
            StoreError::EventNotAllowed { .. } => "event_not_allowed",
            StoreError::DossierNumberTaken { .. } => "dossier_number_taken",
            StoreError::NumbersExhausted => "numbers_exhausted",
            StoreError::SettingReserved { .. } => "setting_reserved",
            StoreError::AuditChainBroken { .. } => "audit_chain_broken",
            StoreError::PolicyVersionConflict { .. } => "policy_version_conflict",
            StoreError::InvalidLogin { .. } => "invalid_login",
            StoreError::LoginTaken { .. } => "login_taken",
            StoreError::PossibleDuplicate { .. } => "possible_duplicate",
            StoreError::CustomerInvalid { .. } => "customer_invalid",
            StoreError::OrderInvalid { .. } => "order_invalid",
            StoreError::DossierRecordInvalid { .. } => "dossier_record_invalid",
            StoreError::SyncStoreMismatch { .. } => "sync_store_mismatch",
            StoreError::NotEnrolled => "sync_not_enrolled",
            StoreError::ErasureOpenDossier { .. } => "erasure_open_dossier",
            StoreError::ErasureNotConfirmed => "erasure_not_confirmed",
            StoreError::CustomerAlreadyErased { .. } => "customer_already_erased",
            StoreError::CustomerErased => "customer_erased",
            StoreError::NothingToFollowUp { .. } => "nothing_to_follow_up",
            StoreError::Core(e) => e.code(),
            StoreError::Sqlx(_) | StoreError::Io(_) => "database",
            StoreError::ChangedMeanwhile => "changed_meanwhile",
            StoreError::DiskFull => "disk_full",
            StoreError::DatabaseEmpty(_) => "db_empty",
            StoreError::DatabaseNotAFile(_) => "db_not_a_file",
            StoreError::DatabaseForeign { .. } => "db_foreign",
            StoreError::MigrationHistory { problem, .. } => match problem {
                HistoryProblem::Missing => "db_history_missing",
                HistoryProblem::Failed { .. } => "db_history_failed",
                HistoryProblem::Checksum { .. } => "db_history_checksum",
                HistoryProblem::Unknown { .. } => "db_history_unknown",
            },
        }
    }

    pub fn message_fr(&self) -> String {
        match self {
            StoreError::DatabaseMissing(p) => format!(
                "La base de données est introuvable ({}). Vérifiez le chemin configuré ou le disque, puis relancez Comptoir.",
                p.display()
            ),
            StoreError::DatabaseReadOnly(p) => format!(
                "La base de données est en lecture seule ({}). Comptoir ne peut rien enregistrer : prévenez le support informatique du magasin.",
                p.display()
            ),
            StoreError::DatabaseCorrupt { path, .. } => format!(
                "La base de données est endommagée ou n'est pas une base Comptoir ({}). Elle n'a pas été modifiée : prévenez le support informatique du magasin.",
                path.display()
            ),
            StoreError::DatabaseTooNew { .. } => "La base de données vient d'une version plus récente de Comptoir. Mettez l'application à jour.".to_owned(),
            StoreError::Backup(_) => "La sauvegarde de la base avant mise à jour a échoué ; la base n'a pas été modifiée.".to_owned(),
            StoreError::Migration(_) => "La mise à jour de la base a échoué ; une sauvegarde a été faite avant la mise à jour.".to_owned(),
            StoreError::NotFound { what } => format!("Introuvable : {what}."),
            StoreError::NoPolicy => "Aucune politique de retour n'est installée sur ce poste pour la date du jour : prévenez le support.".to_owned(),
            StoreError::NoPurchaseRecord => "Sans achat retrouvé, la politique ne peut pas proposer de solution : un responsable décide.".to_owned(),
            StoreError::Busy => "La base est occupée par un autre poste ou un autre programme depuis plusieurs secondes. Rien n'a été enregistré : réessayez dans un instant ; si cela se répète, prévenez le support informatique du magasin.".to_owned(),
            StoreError::NoLocalStore => "Ce poste n'est rattaché à aucun magasin (réglage store_code) : prévenez le support.".to_owned(),
            StoreError::UnknownReason { code } => format!("Motif inconnu « {code} » : choisissez un motif de la liste."),
            StoreError::LineNotCustomers => "Cette ligne de commande appartient à un autre client.".to_owned(),
            StoreError::DossierClosed { status } => format!(
                "Le dossier est {} : sa décision ne peut plus changer.",
                status.label_fr().to_lowercase()
            ),
            StoreError::AssignClosed => "Un dossier clos ou annulé ne s'attribue plus.".to_owned(),
            StoreError::SatisfactionNotAllowed => "La satisfaction se recueille une seule fois, une fois le dossier clos.".to_owned(),
            StoreError::UnknownTemplate { code } => format!("Modèle de message inconnu « {code} »."),
            StoreError::StoredDataInvalid { what, .. } => format!(
                "Donnée enregistrée illisible ({what}) : rien n'a été modifié. Prévenez le support."
            ),
            StoreError::EventNotAllowed { message } => message.clone(),
            StoreError::DossierNumberTaken { number } => format!(
                "Le numéro de dossier {number} est déjà pris : rien n'a été enregistré. Prévenez le support."
            ),
            StoreError::NumbersExhausted => "Plus aucun numéro de dossier disponible pour ce poste cette année : prévenez le support.".to_owned(),
            StoreError::SettingReserved { key } => format!("Le réglage « {key} » se change par l'administration."),
            StoreError::AuditChainBroken { seq, why } => format!(
                "Journal d'audit altéré à l'entrée n° {seq} : {why}. Prévenez le support ; ne modifiez pas la base."
            ),
            StoreError::PolicyVersionConflict { id, version } => format!(
                "La politique {id} version {version} est déjà installée avec un autre contenu ; publiez une nouvelle version."
            ),
            StoreError::InvalidLogin { .. } => "Identifiant invalide (lettres, chiffres, « . », « - » ou « _ »).".to_owned(),
            StoreError::LoginTaken { login } => format!("L'identifiant « {login} » existe déjà."),
            StoreError::PossibleDuplicate { duplicates } => format!(
                "Doublon possible, rien n'a été enregistré. {} Ouvrez sa fiche, ou enregistrez quand même si ce n'est pas la même personne.",
                duplicates.iter().map(|d| d.sentence_fr()).collect::<Vec<_>>().join(" ")
            ),
            StoreError::CustomerInvalid { why } => format!("Client refusé : {why}."),
            StoreError::OrderInvalid { number, why } => format!("Commande {number} refusée : {why}."),
            StoreError::DossierRecordInvalid { number, why } => format!("Dossier {number} refusé : {why}."),
            StoreError::SyncStoreMismatch { local, server } => format!(
                "Le code d'enrôlement est celui du magasin {server}, mais ce poste est celui du magasin {local} : rien n'a été enregistré. Demandez un code pour le magasin {local}."
            ),
            StoreError::ExportNotWritten { dir, detail } => format!(
                "Export impossible dans {} : {detail}. Rien n'a été écrit ; choisissez un dossier où vous pouvez enregistrer.",
                dir.display()
            ),
            StoreError::NotEnrolled => "Ce poste n'est pas encore relié au serveur central : enrôlez-le dans les réglages.".to_owned(),
            StoreError::ErasureOpenDossier { numbers } => format!(
                "Effacement refusé : {} de ce client {} encore ouvert{} ({}). La loi impose de garder de quoi traiter une demande en cours ; clôturez ou annulez {}, puis recommencez. Rien n'a été effacé.",
                if numbers.len() > 1 { "des dossiers" } else { "un dossier" },
                if numbers.len() > 1 { "sont" } else { "est" },
                if numbers.len() > 1 { "s" } else { "" },
                numbers.join(", "),
                if numbers.len() > 1 { "ces dossiers" } else { "ce dossier" },
            ),
            StoreError::ErasureNotConfirmed => "L'effacement d'un client est définitif et ne peut pas être annulé : confirmez-le explicitement. Rien n'a été effacé.".to_owned(),
            StoreError::CustomerAlreadyErased { at } => format!(
                "Ce client a déjà été effacé le {} (UTC) : il n'y a plus rien à effacer.",
                at.format("%d/%m/%Y à %H:%M")
            ),
            StoreError::CustomerErased => "Ce client a été effacé à sa demande : sa fiche ne se modifie plus et aucun dossier ne s'ouvre plus à son nom. Créez une nouvelle fiche s'il revient.".to_owned(),
            StoreError::NothingToFollowUp { number, status } => {
                if *status == comptoir_core::model::DossierStatus::Closed {
                    format!(
                        "Aucun appel de suivi à faire pour le dossier {number} : son suivi est déjà fait et aucune note basse n'attend de rappel. Rien n'a été enregistré."
                    )
                } else {
                    format!(
                        "Aucun appel de suivi à faire pour le dossier {number} : il est {}, le suivi commence à sa clôture. Rien n'a été enregistré.",
                        status.label_fr().to_lowercase()
                    )
                }
            }
            StoreError::Core(e) => e.message_fr(),
            StoreError::Sqlx(_) | StoreError::Io(_) => {
                "Erreur de la base de données locale. Réessayez ; si cela persiste, prévenez le support.".to_owned()
            }
            StoreError::ChangedMeanwhile => "Le dossier a été modifié entre-temps sur un autre poste. Rien n'a été enregistré : rouvrez-le pour voir où il en est, puis recommencez.".to_owned(),
            StoreError::DiskFull => "Le disque est plein : rien n'a été enregistré et la base n'a pas été modifiée. Libérez de la place sur le disque (ou prévenez le support informatique du magasin), puis réessayez.".to_owned(),
            StoreError::DatabaseEmpty(p) => format!(
                "Le fichier de base de données est vide ({}) : ce n'est pas une base Comptoir. Il n'a pas été modifié. Vérifiez le chemin configuré ou restaurez la dernière sauvegarde.",
                p.display()
            ),
            StoreError::DatabaseNotAFile(p) => format!(
                "Le chemin de la base de données désigne un dossier, pas un fichier ({}). Indiquez le fichier de la base (comptoir.sqlite).",
                p.display()
            ),
            StoreError::DatabaseForeign { path, .. } => format!(
                "Ce fichier n'est pas une base Comptoir ({}) : il appartient à une autre application. Il n'a pas été modifié. Vérifiez le chemin configuré.",
                path.display()
            ),
            StoreError::MigrationHistory { path, problem } => {
                let what = match problem {
                    HistoryProblem::Missing => "l'historique des mises à jour de la base a disparu".to_owned(),
                    HistoryProblem::Failed { version } => format!("la mise à jour version {version} est notée en échec"),
                    HistoryProblem::Checksum { version } => format!("la mise à jour version {version} ne correspond pas à celle de cette version de Comptoir"),
                    HistoryProblem::Unknown { version } => format!("la mise à jour version {version} est inconnue de cette version de Comptoir"),
                };
                format!(
                    "La base de données a été modifiée en dehors de Comptoir ({}) : {what}. Elle n'a pas été mise à jour ni modifiée : prévenez le support informatique du magasin (restaurer la dernière sauvegarde).",
                    path.display()
                )
            }
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl comptoir_core::refusal::Refusal for StoreError {
    fn code(&self) -> &str {
        StoreError::code(self)
    }
    fn message_fr(&self) -> String {
        StoreError::message_fr(self)
    }
}

impl StoreError {
    /// `{code, message}`, as the app and `comptoir-ctl` give it.
    pub fn body(&self) -> comptoir_core::refusal::ErrorBody {
        comptoir_core::refusal::ErrorBody::of(self)
    }
}
