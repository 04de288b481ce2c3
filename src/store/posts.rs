//! The impostor's posts kept with an alert as evidence (issue 12): each post's canonical JSON,
//! its SHA-256, when it was fetched and why it is suspicious. A post seen again replaces its
//! earlier record (the latest fetch counts); a post the account deleted since stays, as
//! evidence of what it posted. Never interprets the text.

use rusqlite::params;

use super::alerts::{load_alert, AlertId};
use super::{from_json, parse_ts, ts, Store, StoreError};
use crate::posts::{Post, PostEvidence, PostFlag};

/// Most posts kept per alert (the latest by their own time).
pub const MAX_POSTS_PER_ALERT: usize = 50;

impl Store {
    /// Keeps `posts` with alert `alert_id` (one transaction).
    pub fn add_alert_posts(
        &self,
        alert_id: AlertId,
        posts: &[PostEvidence],
    ) -> Result<(), StoreError> {
        let mut conn = self.lock();
        load_alert(&conn, alert_id)?;
        let tx = conn.transaction()?;
        for p in posts.iter().take(MAX_POSTS_PER_ALERT) {
            let flags = serde_json::to_string(&p.flags)
                .map_err(|e| StoreError::Corrupt(format!("post flags: {e}")))?;
            tx.execute(
                "INSERT INTO alert_posts (alert_id, post_key, post_json, sha256, flags_json, fetched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(alert_id, post_key) DO UPDATE SET post_json = excluded.post_json,
                     sha256 = excluded.sha256, flags_json = excluded.flags_json,
                     fetched_at = excluded.fetched_at",
                params![
                    alert_id,
                    p.post.id,
                    p.post.canonical_json(),
                    p.sha256,
                    flags,
                    ts(p.fetched_at)
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The posts kept with alert `alert_id`, newest first (by the post's own time, else the
    /// fetch), at most [`MAX_POSTS_PER_ALERT`].
    /// A file of an older version opened read-only (not migrated) has none: empty.
    pub fn alert_posts(&self, alert_id: AlertId) -> Result<Vec<PostEvidence>, StoreError> {
        let conn = self.lock();
        let has_table: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_posts')",
            [],
            |r| r.get(0),
        )?;
        if !has_table {
            return Ok(Vec::new());
        }
        let mut stmt = conn.prepare(
            "SELECT post_json, sha256, flags_json, fetched_at FROM alert_posts
             WHERE alert_id = ?1 ORDER BY id DESC LIMIT 500",
        )?;
        let rows = stmt.query_map([alert_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (post, sha256, flags, fetched_at) = row?;
            out.push(PostEvidence {
                post: from_json::<Post>(&post, "a kept post")?,
                sha256,
                flags: from_json::<Vec<PostFlag>>(&flags, "a kept post's flags")?,
                fetched_at: parse_ts(&fetched_at)?,
            });
        }
        out.sort_by_key(|p| std::cmp::Reverse(p.post.created_at.unwrap_or(p.fetched_at)));
        out.truncate(MAX_POSTS_PER_ALERT);
        Ok(out)
    }
}
