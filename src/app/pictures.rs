//! Each watched person's own picture (issue 11): one private file per person, keyed by their
//! stable id (`<data dir>/avatars/<id>.img`, folder 0700, files 0600), which their stored
//! identity points at, so the detector fingerprints each person's own face. The single
//! avatar of earlier versions (`<data dir>/avatar.img`) is moved to the first registered
//! person when the app opens; onboarding still picks into that file before the person has an
//! id, and saving the person moves it to theirs. The stored identity's avatar is what counts:
//! editing a person keeps it, and a file no identity points at is never taken up.
//!
//! It never keeps a picture that is not a readable image (the thumbnail decoder checks it
//! first), never overwrites another person's picture, and never leaves a picture readable by
//! others.

use std::path::PathBuf;

use super::{avatar, write_atomically, App, AppError, AppResult};
use crate::files::input::read_regular;
use crate::files::private::{ensure_private_dir, restrict_path};
use crate::identity::Identity;
use crate::store::IdentityId;

/// The folder, inside the data folder, of the people's pictures.
pub const AVATARS_DIR: &str = "avatars";

impl App {
    /// Where the picture of the person `id` is kept.
    pub fn person_avatar_path(&self, id: IdentityId) -> PathBuf {
        self.data_dir.join(AVATARS_DIR).join(format!("{id}.img"))
    }

    /// Keeps `bytes` as the picture of the person `id` (refused unless a readable image) and
    /// points their identity at it; returns its thumbnail as a PNG data URL.
    pub fn set_person_avatar(&self, id: IdentityId, bytes: &[u8]) -> AppResult<String> {
        let url = avatar::png_data_url(bytes).map_err(|e| AppError::invalid(e.to_string()))?;
        let identity = self.store.identity(id)?;
        self.ensure_avatars_dir()?;
        let path = self.person_avatar_path(id);
        write_atomically(&path, bytes)?;
        self.point_at(id, identity, path)?;
        Ok(url)
    }

    /// The thumbnail (PNG data URL) of the person's picture, if they have a readable one.
    pub fn person_avatar(&self, identity: &Identity) -> Option<String> {
        let path = identity.avatar.as_ref()?;
        let bytes = read_regular(path, avatar::MAX_AVATAR_BYTES as u64).ok()?;
        avatar::png_data_url(&bytes).ok()
    }

    /// Removes the person's picture file (after the person was removed).
    pub(crate) fn forget_person_avatar(&self, id: IdentityId) {
        let _ = std::fs::remove_file(self.person_avatar_path(id));
    }

    /// After saving the person `id` in onboarding: a picture picked there (the shared
    /// `avatar.img`) becomes theirs. Returns the identity as now stored.
    pub(crate) fn adopt_avatar(&self, id: IdentityId, identity: Identity) -> AppResult<Identity> {
        let picked = self.avatar_path();
        if !picked.is_file() {
            return Ok(identity);
        }
        let own = self.person_avatar_path(id);
        self.ensure_avatars_dir()?;
        std::fs::rename(&picked, &own).map_err(|e| {
            AppError::io(format!("cannot keep the picture as {}: {e}", own.display()))
        })?;
        restrict_path(&own);
        self.point_at(id, identity, own)
    }

    /// Moves the single avatar of earlier versions to the first registered person, unless
    /// nobody is registered yet (it is then onboarding's pick) or that person has their own
    /// picture already (nothing is overwritten).
    pub fn migrate_single_avatar(&self) -> AppResult<()> {
        let old = self.avatar_path();
        if !old.is_file() {
            return Ok(());
        }
        let Some((id, identity)) = self.store.identities()?.into_iter().next() else {
            return Ok(());
        };
        let new = self.person_avatar_path(id);
        if new.exists() {
            return Ok(());
        }
        self.ensure_avatars_dir()?;
        std::fs::rename(&old, &new).map_err(|e| {
            AppError::io(format!(
                "cannot move {} to {}: {e}",
                old.display(),
                new.display()
            ))
        })?;
        restrict_path(&new);
        // Only an identity that used the old file (or had none) is pointed at the new one.
        if identity.avatar.is_none() || identity.avatar.as_deref() == Some(old.as_path()) {
            self.point_at(id, identity, new)?;
        }
        Ok(())
    }

    fn ensure_avatars_dir(&self) -> AppResult<()> {
        let dir = self.data_dir.join(AVATARS_DIR);
        ensure_private_dir(&dir)
            .map_err(|e| AppError::io(format!("cannot create {}: {e}", dir.display())))
    }

    /// Stores `identity` with its avatar at `path` (unchanged when it already was).
    fn point_at(&self, id: IdentityId, identity: Identity, path: PathBuf) -> AppResult<Identity> {
        if identity.avatar.as_deref() == Some(path.as_path()) {
            return Ok(identity);
        }
        let identity = Identity {
            avatar: Some(path),
            ..identity
        };
        self.store.update_identity(id, &identity)?;
        Ok(identity)
    }
}
