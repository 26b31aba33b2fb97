use thiserror::Error;

/// Everything the sync client can meet. `code()` is stable (it is what the
/// sync status records); `message_fr()` is what the clerk or store IT reads.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The server could not be reached (no route, refused, timed out, cut).
    #[error("central server unreachable: {0}")]
    Offline(String),
    /// The server answered with an error body.
    #[error("server refused ({status}): {code}: {message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// The server answered something that is not its protocol.
    #[error("unexpected answer from the server: {0}")]
    Protocol(String),
    #[error("server address invalid: {0}")]
    BadUrl(String),
    #[error("this counter is not enrolled")]
    NotEnrolled,
    #[error("device credential unreadable: {0}")]
    Credential(String),
    #[error(transparent)]
    Store(#[from] comptoir_store::StoreError),
}

/// The server's codes the client names as they are; any other refusal is
/// `server_refused` (the server's own code stays in the message).
const SERVER_CODES: &[&str] = &[
    "credentials_missing",
    "credentials_invalid",
    "device_revoked",
    "enrol_code_unknown",
    "enrol_code_used",
    "enrol_code_expired",
    "foreign_store",
    "batch_too_large",
    "body_too_large",
    "bad_cursor",
    "database_error",
];

impl ClientError {
    pub fn code(&self) -> &'static str {
        match self {
            ClientError::Offline(_) => "offline",
            ClientError::Server { code, .. } => SERVER_CODES
                .iter()
                .find(|k| **k == code)
                .copied()
                .unwrap_or("server_refused"),
            ClientError::Protocol(_) => "server_protocol",
            ClientError::BadUrl(_) => "server_url_invalid",
            ClientError::NotEnrolled => "sync_not_enrolled",
            ClientError::Credential(_) => "credential_unreadable",
            ClientError::Store(e) => e.code(),
        }
    }

    pub fn message_fr(&self) -> String {
        match self {
            ClientError::Offline(_) => "Serveur central injoignable : le poste travaille hors ligne. Les changements attendent sur ce poste et partiront dès que la liaison revient.".to_owned(),
            ClientError::Server { message, .. } => format!("Le serveur central a refusé : {message}"),
            ClientError::Protocol(_) => "Le serveur central a répondu quelque chose d'inattendu : vérifiez son adresse (est-ce bien un serveur Comptoir ?).".to_owned(),
            ClientError::BadUrl(url) => format!("Adresse du serveur invalide « {url} » : elle commence par https:// (ou http:// sur ce même ordinateur)."),
            ClientError::NotEnrolled => "Ce poste n'est pas encore relié au serveur central : enrôlez-le dans les réglages.".to_owned(),
            ClientError::Credential(_) => "L'identifiant de ce poste auprès du serveur central est illisible : enrôlez le poste à nouveau.".to_owned(),
            ClientError::Store(e) => e.message_fr(),
        }
    }

    /// `{code, message}`, as the app and `comptoir-ctl` give it.
    pub fn body(&self) -> comptoir_core::refusal::ErrorBody {
        comptoir_core::refusal::ErrorBody::of(self)
    }

    /// Worth trying again later by itself (the link, the server's
    /// database, a busy local base); the others need a person.
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Offline(_) => true,
            ClientError::Server { status, .. } => *status >= 500 || *status == 429,
            ClientError::Store(e) => matches!(e.code(), "db_busy" | "disk_full" | "database"),
            _ => false,
        }
    }
}

impl comptoir_core::refusal::Refusal for ClientError {
    fn code(&self) -> &str {
        ClientError::code(self)
    }
    fn message_fr(&self) -> String {
        ClientError::message_fr(self)
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;
