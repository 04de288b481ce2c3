//! TODO(issue 2): names signal.
