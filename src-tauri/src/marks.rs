//! Look-alike marks for the alert view: the core computes them
//! ([`doppelwatch::detect::marks`]); this adapter only turns them into the IPC type. It must
//! never decide which characters are deceptive itself.

use crate::ipc::CharMark;

/// The characters of `candidate`, deceptive ones with a note; `reference` is the person's
/// handle on the same platform, when there is one.
pub fn handle_marks(candidate: &str, reference: Option<&str>) -> Vec<CharMark> {
    doppelwatch::detect::marks::handle_marks(candidate, reference)
        .into_iter()
        .map(|m| CharMark {
            ch: m.ch,
            note: m.note,
        })
        .collect()
}
