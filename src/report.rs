//! Report drafts per platform, API filing and evidence bundles. TODO(issue 4).
