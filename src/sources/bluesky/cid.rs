//! Blob CIDs as the AT Protocol computes them: CIDv1, raw codec, SHA-256, base32 multibase.
//!
//! A byte-identical avatar uploaded by another account gets the same CID, which is what makes a
//! Jetstream profile record's `avatar.ref.$link` an exact-copy signal without fetching anything.

use sha2::{Digest, Sha256};

/// The CID (`bafkrei...`) of a blob with these bytes.
pub fn blob_cid(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    // CIDv1 (0x01), raw codec (0x55), multihash sha2-256 (0x12) of 32 bytes (0x20).
    let mut raw = Vec::with_capacity(36);
    raw.extend_from_slice(&[0x01, 0x55, 0x12, 0x20]);
    raw.extend_from_slice(&digest);
    format!("b{}", base32_lower(&raw))
}

/// RFC 4648 base32, lowercase, no padding (the `b` multibase).
pub fn base32_lower(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The blob CID inside a Bluesky CDN avatar URL
/// (`https://cdn.bsky.app/img/avatar/plain/<did>/<cid>@jpeg`), if it has one.
pub fn cid_from_avatar_url(url: &str) -> Option<String> {
    let last = url.rsplit('/').next()?;
    let cid = last.split('@').next()?;
    let valid = cid.len() > 8
        && cid.starts_with('b')
        && cid
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b));
    valid.then(|| cid.to_string())
}

/// The host Bluesky serves every avatar from.
pub const BLUESKY_CDN_HOST: &str = "cdn.bsky.app";

/// The avatar at `url` as the Bluesky CDN serves it
/// (`https://cdn.bsky.app/img/avatar/plain/<did>/<cid>@jpeg`), when `did` is a well-formed
/// `did:plc`/`did:web` and `url` names a blob CID; None otherwise.
pub fn cdn_avatar_url(did: Option<&str>, url: &str) -> Option<String> {
    let did = did?;
    let well_formed = match (did.strip_prefix("did:plc:"), did.strip_prefix("did:web:")) {
        (Some(id), _) => {
            id.len() == 24
                && id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b))
        }
        (_, Some(host)) => {
            !host.is_empty()
                && host.len() <= 253
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        }
        _ => false,
    };
    if !well_formed {
        return None;
    }
    let cid = cid_from_avatar_url(url.split(['?', '#']).next().unwrap_or(url))?;
    Some(format!(
        "https://{BLUESKY_CDN_HOST}/img/avatar/plain/{did}/{cid}@jpeg"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_matches_rfc4648_vectors() {
        assert_eq!(base32_lower(b"f"), "my");
        assert_eq!(base32_lower(b"foobar"), "mzxw6ytboi");
    }

    #[test]
    fn blob_cids_have_the_atproto_shape() {
        let cid = blob_cid(b"hello");
        assert!(cid.starts_with("bafkrei"), "{cid}");
        assert_eq!(cid.len(), 59);
        assert_eq!(cid, blob_cid(b"hello"));
        assert_ne!(cid, blob_cid(b"hello!"));
    }

    #[test]
    fn cid_is_read_from_cdn_urls() {
        let url = "https://cdn.bsky.app/img/avatar/plain/did:plc:abc/bafkreieajxclqzwk2mczx7hxmoboqpuiveqlbm35gsda5xlaqfmlryu4ri@jpeg";
        assert_eq!(
            cid_from_avatar_url(url).as_deref(),
            Some("bafkreieajxclqzwk2mczx7hxmoboqpuiveqlbm35gsda5xlaqfmlryu4ri")
        );
        assert_eq!(cid_from_avatar_url("https://example.com/me.png"), None);
    }

    #[test]
    fn avatars_elsewhere_are_fetched_from_the_bluesky_cdn() {
        let did = "did:plc:abcdefghijklmnopqrstuvwx";
        let cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
        assert_eq!(
            cdn_avatar_url(Some(did), &format!("http://10.0.0.1:8080/x/{cid}@jpeg?a=1")),
            Some(format!(
                "https://cdn.bsky.app/img/avatar/plain/{did}/{cid}@jpeg"
            ))
        );
        assert_eq!(
            cdn_avatar_url(Some("did:web:example.com"), &format!("https://evil/{cid}")),
            Some(format!(
                "https://cdn.bsky.app/img/avatar/plain/did:web:example.com/{cid}@jpeg"
            ))
        );
        // No CID, or a DID that would change the path: nothing to fetch.
        assert_eq!(
            cdn_avatar_url(Some(did), "http://127.0.0.1/secret.png"),
            None
        );
        assert_eq!(
            cdn_avatar_url(Some("did:plc:../../../admin"), &format!("https://x/{cid}")),
            None
        );
        assert_eq!(
            cdn_avatar_url(Some("did:web:a/b@c"), &format!("https://x/{cid}")),
            None
        );
        assert_eq!(cdn_avatar_url(None, &format!("https://x/{cid}")), None);
    }
}
