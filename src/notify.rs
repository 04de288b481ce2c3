//! Native desktop notifications (notify-rust). TODO(issue 4).
