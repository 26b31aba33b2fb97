//! The one error type of the commands. Whatever goes wrong crosses to the UI
//! as `{ code, message }`: a stable code for the program, a French message
//! for the clerk. The cause stays in the log.

use comptoir_core::CoreError;
use comptoir_print::PrintError;
use comptoir_store::StoreError;
use serde::{Serialize, Serializer};

/// What the UI receives when a command fails: the `{code, message}` shared
/// with `comptoir-ctl` (and the server).
pub use comptoir_core::refusal::ErrorBody as CommandError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The database could not be opened at start; every command answers
    /// with that same error so the UI can say why nothing works.
    #[error("database unavailable since start-up: {}", .0.code)]
    Unavailable(CommandError),
    /// A setting the counter does not know.
    #[error("unknown setting {0:?}")]
    UnknownSetting(String),
    /// The document could not be made, saved or printed (a failed print
    /// says where the saved PDF is).
    #[error(transparent)]
    Print(#[from] PrintError),
    /// The sync with the central server (enrolment).
    #[error(transparent)]
    Sync(#[from] comptoir_client::ClientError),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn code(&self) -> String {
        match self {
            AppError::Store(e) => e.body().code,
            AppError::Core(e) => e.code().to_owned(),
            AppError::Unavailable(e) => e.code.clone(),
            AppError::UnknownSetting(_) => "unknown_setting".to_owned(),
            AppError::Print(e) => e.code().to_owned(),
            AppError::Sync(e) => e.code().to_owned(),
        }
    }

    pub fn message_fr(&self) -> String {
        match self {
            AppError::Store(e) => e.body().message,
            AppError::Core(e) => e.message_fr(),
            AppError::Unavailable(e) => e.message.clone(),
            AppError::UnknownSetting(key) => format!("Réglage inconnu : « {key} »."),
            AppError::Print(e) => e.message_fr(),
            AppError::Sync(e) => e.message_fr(),
        }
    }

    pub fn to_command_error(&self) -> CommandError {
        CommandError {
            code: self.code(),
            message: self.message_fr(),
        }
    }
}

impl Serialize for AppError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_command_error().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn core_error_crosses_as_code_and_french_message() {
        let err = AppError::from(CoreError::InvalidId("abc".to_owned()));
        let value = serde_json::to_value(&err).expect("serialisable");
        assert_eq!(
            value,
            json!({ "code": "invalid_id", "message": "Identifiant invalide." })
        );
    }

    #[test]
    fn startup_error_is_replayed_unchanged() {
        let startup = CommandError {
            code: "db_missing".to_owned(),
            message: "Base de données introuvable.".to_owned(),
        };
        let value = serde_json::to_value(AppError::Unavailable(startup)).expect("serialisable");
        assert_eq!(
            value,
            json!({ "code": "db_missing", "message": "Base de données introuvable." })
        );
    }

    #[test]
    fn session_refusals_cross_as_structured_french_errors() {
        let value = serde_json::to_value(AppError::from(CoreError::NotSignedIn)).expect("json");
        assert_eq!(value["code"], "not_signed_in");
        assert!(value["message"]
            .as_str()
            .is_some_and(|m| m.contains("identifiez-vous")));
        let value = serde_json::to_value(AppError::from(CoreError::ManagerOnly)).expect("json");
        assert_eq!(value["code"], "manager_only");
        assert!(value["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Réservé aux responsables")));
    }

    #[test]
    fn serialised_error_has_exactly_two_string_fields() {
        let err = AppError::from(CoreError::QueryTooShort { min: 2 });
        let value = serde_json::to_value(&err).expect("serialisable");
        let object = value.as_object().expect("an object");
        assert_eq!(object.len(), 2, "{value}");
        assert_eq!(object["code"], "query_too_short");
        assert!(object["message"]
            .as_str()
            .is_some_and(|m| m.contains("au moins 2")));
    }
}
