//! Fake platform servers in the official API shapes, for tests and demo mode. TODO(issue 3).
