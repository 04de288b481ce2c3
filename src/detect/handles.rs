//! TODO(issue 2): handles signal.
