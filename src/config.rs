//! Settings: source base URLs, intervals, caps (no secrets; those live in the keychain). TODO(issues 3, 4).
