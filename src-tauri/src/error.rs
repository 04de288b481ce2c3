//! The one error type every command returns: the app facade's own ([`doppelwatch::app::AppError`],
//! named `CommandError` here and in TypeScript), so a facade error reaches the UI unchanged. It
//! crosses IPC as `{kind, message}` so the UI can branch on `kind` and show `message` (already
//! phrased for the person) as is.

pub use doppelwatch::app::{AppError as CommandError, ErrorKind};

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
        let e = CommandError::not_found("no alert 7");
        assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "not_found");
    }
}
