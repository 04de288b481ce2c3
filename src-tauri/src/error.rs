//! The one error type every command returns. It crosses IPC as `{kind, message}` so the UI can
//! branch on `kind` and show `message` (already phrased for the person) as is.

use serde::Serialize;
use ts_rs::TS;

/// What went wrong, for the UI to choose how to show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is not valid; the message says which field and what to type instead.
    Invalid,
    /// The alert, report or source asked for does not exist (any more).
    NotFound,
    /// The feature needs something that is not there yet (no identity registered, no source).
    Unavailable,
    /// The OS keychain refused or is missing.
    Keychain,
    /// Reading or writing local files failed.
    Io,
    /// A platform could not be reached or refused the request.
    Network,
    /// A bug: the message says what failed.
    Internal,
}

/// An error as the UI receives it: `{ "kind": "invalid", "message": "field name: ..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CommandError {
    /// An error of `kind` with a message for the person.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CommandError {
            kind,
            message: message.into(),
        }
    }

    /// Invalid input.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    /// A missing alert, report or source.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// A feature that cannot work yet.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    /// A failure of local files.
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Io, message)
    }

    /// A bug or an unexpected failure.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl From<doppelwatch::identity::IdentityError> for CommandError {
    fn from(e: doppelwatch::identity::IdentityError) -> Self {
        CommandError::invalid(e.to_string())
    }
}

impl From<doppelwatch::identity::HandleError> for CommandError {
    fn from(e: doppelwatch::identity::HandleError) -> Self {
        CommandError::invalid(e.to_string())
    }
}

/// The result of every command.
pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosses_ipc_as_kind_and_message() {
        let e = CommandError::invalid("field name: the display name is empty");
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "invalid", "message": "field name: the display name is empty"})
        );
    }
}
