//! The SQLite store. TODO(issue 4).
