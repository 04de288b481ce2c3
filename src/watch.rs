//! The watch service: periodic and live checks per source and identity. TODO(issue 4).
