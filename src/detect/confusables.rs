//! TODO(issue 2): confusables signal.
