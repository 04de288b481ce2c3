//! Fake X.
