//! Secrets in the OS keychain (keyring). TODO(issue 4).
