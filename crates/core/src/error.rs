use thiserror::Error;

/// Errors of the pure domain rules. Each carries a stable `code()` that the
/// UI maps to a French message.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    #[error("query is empty or too short (min {min} significant characters)")]
    QueryTooShort { min: usize },
    #[error("query is too long ({len} characters, max {max})")]
    QueryTooLong { len: usize, max: usize },
    #[error("invalid identifier: {0}")]
    InvalidId(String),
    #[error("unknown value {value:?} for {field}")]
    UnknownValue { field: &'static str, value: String },
}

impl CoreError {
    /// Stable machine-readable code, shared with the UI.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::QueryTooShort { .. } => "query_too_short",
            CoreError::QueryTooLong { .. } => "query_too_long",
            CoreError::InvalidId(_) => "invalid_id",
            CoreError::UnknownValue { .. } => "unknown_value",
        }
    }

    /// The message a clerk reads, in French.
    pub fn message_fr(&self) -> String {
        match self {
            CoreError::QueryTooShort { min } => {
                format!("Saisissez au moins {min} lettres ou chiffres pour lancer la recherche.")
            }
            CoreError::QueryTooLong { max, .. } => {
                format!("Recherche trop longue : {max} caractères au maximum.")
            }
            CoreError::InvalidId(_) => "Identifiant invalide.".to_owned(),
            CoreError::UnknownValue { field, value } => {
                format!("Valeur inconnue « {value} » pour le champ {field}.")
            }
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
