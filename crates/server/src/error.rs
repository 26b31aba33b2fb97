//! The server's one error type. Every refusal is a named variant with a
//! stable `code()`, an HTTP status and a French `message_fr()`; it crosses
//! the wire as `{"code": …, "message": …}`. Internal details (SQL errors)
//! are logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use comptoir_sync::ApiErrorBody;
use thiserror::Error;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("malformed JSON: {0}")]
    BadJson(String),
    #[error("body over {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("batch of {len} changes over {max}")]
    BatchTooLarge { len: usize, max: usize },
    #[error("bad query parameter: {0}")]
    BadQuery(String),
    #[error("malformed cursor {0:?}")]
    BadCursor(String),
    #[error("no credentials")]
    CredentialsMissing,
    #[error("unknown or malformed credentials")]
    CredentialsInvalid,
    #[error("device revoked")]
    DeviceRevoked,
    #[error("unknown enrolment code")]
    EnrolCodeUnknown,
    #[error("enrolment code already used")]
    EnrolCodeUsed,
    #[error("enrolment code expired")]
    EnrolCodeExpired,
    #[error("change {change} is for store {store}, the device belongs to {device_store}")]
    ForeignStore {
        change: uuid::Uuid,
        store: String,
        device_store: String,
    },
    #[error("audit entries for store {store}, the device belongs to {device_store}")]
    AuditForeignStore { store: String, device_store: String },
    #[error("audit chain of {store} broken at entry {seq} of device {device}")]
    AuditChainBroken {
        store: String,
        device: uuid::Uuid,
        seq: i64,
        message: String,
    },
    #[error("unknown store {0}")]
    StoreUnknown(String),
    #[error("store {0} already exists")]
    StoreExists(String),
    #[error("invalid store code {0:?}")]
    StoreCodeInvalid(String),
    #[error("unknown device {0}")]
    DeviceUnknown(String),
    #[error("import file format: {0}")]
    ImportFormat(String),
    #[error("policy refused: {0}")]
    PolicyInvalid(String),
    #[error("the server already holds {0} changes; demo data goes into an empty server only")]
    DemoNotEmpty(u64),
    #[error("cannot read {path}: {reason}")]
    FileUnreadable { path: String, reason: String },
    #[error("import file lacks columns: {0}")]
    ImportColumnsMissing(String),
    #[error("head office only")]
    HeadOfficeOnly,
    #[error("dossier refused: {0}")]
    DossierInvalid(String),
    #[error("unknown customer {0}")]
    CustomerUnknown(uuid::Uuid),
    #[error("unknown dossier {0}")]
    DossierUnknown(uuid::Uuid),
    #[error("no such route")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("invalid settings: {0}")]
    Config(String),
    #[error("database schema is newer than this server (version {0})")]
    SchemaTooNew(i64),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
}

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadJson(_) => "bad_json",
            ApiError::BodyTooLarge { .. } => "body_too_large",
            ApiError::BatchTooLarge { .. } => "batch_too_large",
            ApiError::BadQuery(_) => "bad_query",
            ApiError::BadCursor(_) => "bad_cursor",
            ApiError::CredentialsMissing => "credentials_missing",
            ApiError::CredentialsInvalid => "credentials_invalid",
            ApiError::DeviceRevoked => "device_revoked",
            ApiError::EnrolCodeUnknown => "enrol_code_unknown",
            ApiError::EnrolCodeUsed => "enrol_code_used",
            ApiError::EnrolCodeExpired => "enrol_code_expired",
            ApiError::ForeignStore { .. } => "foreign_store",
            ApiError::AuditForeignStore { .. } => "foreign_store",
            ApiError::AuditChainBroken { .. } => "audit_chain_broken",
            ApiError::StoreUnknown(_) => "store_unknown",
            ApiError::StoreExists(_) => "store_exists",
            ApiError::StoreCodeInvalid(_) => "store_code_invalid",
            ApiError::DeviceUnknown(_) => "device_unknown",
            ApiError::ImportFormat(_) => "import_format",
            ApiError::PolicyInvalid(_) => "policy_invalid",
            ApiError::DemoNotEmpty(_) => "demo_not_empty",
            ApiError::FileUnreadable { .. } => "file_unreadable",
            ApiError::ImportColumnsMissing(_) => "import_columns_missing",
            ApiError::HeadOfficeOnly => "head_office_only",
            ApiError::DossierInvalid(_) => "dossier_invalid",
            ApiError::CustomerUnknown(_) => "customer_unknown",
            ApiError::DossierUnknown(_) => "dossier_unknown",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Config(_) => "config_invalid",
            ApiError::SchemaTooNew(_) => "schema_too_new",
            ApiError::Database(_) => "database_error",
            ApiError::Migrate(_) => "migration_failed",
            ApiError::Io(_) => "io_error",
            ApiError::Tls(_) => "tls_invalid",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadJson(_)
            | ApiError::BadQuery(_)
            | ApiError::BadCursor(_)
            | ApiError::StoreCodeInvalid(_)
            | ApiError::ImportFormat(_)
            | ApiError::PolicyInvalid(_)
            | ApiError::FileUnreadable { .. }
            | ApiError::ImportColumnsMissing(_) => StatusCode::BAD_REQUEST,
            ApiError::DossierInvalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::DemoNotEmpty(_) => StatusCode::CONFLICT,
            ApiError::BodyTooLarge { .. } | ApiError::BatchTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::CredentialsMissing
            | ApiError::CredentialsInvalid
            | ApiError::DeviceRevoked
            | ApiError::EnrolCodeUnknown
            | ApiError::EnrolCodeUsed
            | ApiError::EnrolCodeExpired => StatusCode::UNAUTHORIZED,
            ApiError::ForeignStore { .. }
            | ApiError::AuditForeignStore { .. }
            | ApiError::HeadOfficeOnly => StatusCode::FORBIDDEN,
            ApiError::AuditChainBroken { .. } => StatusCode::CONFLICT,
            ApiError::StoreUnknown(_)
            | ApiError::DeviceUnknown(_)
            | ApiError::CustomerUnknown(_)
            | ApiError::DossierUnknown(_)
            | ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::StoreExists(_) => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Config(_)
            | ApiError::SchemaTooNew(_)
            | ApiError::Database(_)
            | ApiError::Migrate(_)
            | ApiError::Io(_)
            | ApiError::Tls(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a person reads (store IT at a terminal, a clerk in the app).
    pub fn message_fr(&self) -> String {
        match self {
            ApiError::BadJson(d) => format!("La requête n'est pas un JSON attendu : {d}"),
            ApiError::BodyTooLarge { limit } => {
                format!("La requête dépasse la taille permise ({limit} octets).")
            }
            ApiError::BatchTooLarge { len, max } => format!(
                "Lot de {len} changements refusé : {max} au plus par envoi."
            ),
            ApiError::BadQuery(d) => format!("Paramètre de requête invalide : {d}"),
            ApiError::BadCursor(c) => format!("Position de flux invalide : « {c} »."),
            ApiError::CredentialsMissing => {
                "Identifiants manquants : ce poste doit être enrôlé auprès du serveur.".into()
            }
            ApiError::CredentialsInvalid => {
                "Identifiants inconnus : ce poste doit être enrôlé à nouveau.".into()
            }
            ApiError::DeviceRevoked => {
                "Ce poste a été révoqué par le siège : il ne peut plus synchroniser.".into()
            }
            ApiError::EnrolCodeUnknown => "Code d'enrôlement inconnu.".into(),
            ApiError::EnrolCodeUsed => {
                "Ce code d'enrôlement a déjà servi : demandez-en un nouveau au siège.".into()
            }
            ApiError::EnrolCodeExpired => {
                "Ce code d'enrôlement a expiré : demandez-en un nouveau au siège.".into()
            }
            ApiError::ForeignStore {
                store,
                device_store,
                ..
            } => format!(
                "Ce poste appartient au magasin {device_store} : il ne peut pas envoyer de changements du magasin {store}. Rien n'a été enregistré."
            ),
            ApiError::AuditForeignStore {
                store,
                device_store,
            } => format!(
                "Ce poste appartient au magasin {device_store} : il ne peut pas envoyer le journal d'audit du magasin {store}. Rien n'a été enregistré."
            ),
            ApiError::AuditChainBroken { message, .. } => message.clone(),
            ApiError::StoreUnknown(c) => format!("Magasin inconnu : {c}."),
            ApiError::StoreExists(c) => format!("Le magasin {c} existe déjà."),
            ApiError::StoreCodeInvalid(c) => format!(
                "Code magasin invalide « {c} » : 2 à 12 lettres majuscules ou chiffres."
            ),
            ApiError::DeviceUnknown(d) => format!("Poste inconnu : {d}."),
            ApiError::ImportFormat(d) => format!("Fichier d'import illisible : {d}"),
            ApiError::FileUnreadable { path, reason } => {
                format!("Impossible de lire le fichier {path} : {reason}. Rien n'a été fait.")
            }
            ApiError::PolicyInvalid(d) => {
                format!("Politique de retour refusée, rien n'a été publié : {d}")
            }
            ApiError::DemoNotEmpty(n) => format!(
                "Le serveur contient déjà {n} changements : les données de démonstration ne sont créées que sur un serveur vide."
            ),
            ApiError::ImportColumnsMissing(c) => {
                format!("Colonnes absentes du fichier d'import : {c}. Rien n'a été importé.")
            }
            ApiError::HeadOfficeOnly => {
                "Réservé aux postes du siège (import des commandes web, publication, dossiers ouverts en ligne).".into()
            }
            ApiError::DossierInvalid(d) => {
                format!("Dossier refusé, rien n'a été enregistré : {d}")
            }
            ApiError::CustomerUnknown(id) => format!(
                "Client inconnu du siège ({id}) : importez ou synchronisez d'abord sa fiche. Rien n'a été enregistré."
            ),
            ApiError::DossierUnknown(id) => {
                format!("Dossier inconnu du siège ({id}). Rien n'a été enregistré.")
            }
            ApiError::NotFound => "Adresse inconnue sur ce serveur.".into(),
            ApiError::MethodNotAllowed => "Méthode non permise pour cette adresse.".into(),
            ApiError::Config(d) => format!("Réglages invalides : {d}"),
            ApiError::SchemaTooNew(v) => format!(
                "La base a été mise à jour par une version plus récente du serveur (migration {v}) : mettez ce serveur à jour."
            ),
            ApiError::Database(_) | ApiError::Migrate(_) | ApiError::Io(_) => {
                "Erreur interne du serveur : réessayez plus tard.".into()
            }
            ApiError::Tls(d) => format!("Certificat ou clé TLS inutilisable : {d}"),
        }
    }

    pub fn body(&self) -> ApiErrorBody {
        ApiErrorBody {
            code: self.code().to_owned(),
            message: self.message_fr(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code(), error = %self, "request failed");
        } else {
            tracing::info!(code = self.code(), error = %self, "request refused");
        }
        (status, Json(self.body())).into_response()
    }
}
