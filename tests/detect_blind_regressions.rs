//! Regressions found by the blind evaluation (tests/blind_eval.rs), run through the real
//! `doppelwatch score` binary against the blind set's identities.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn identity(slug: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/blind-eval")
        .join(format!("{slug}.identity.json"))
}

/// Scores one candidate line against an identity and returns its output line.
fn score(slug: &str, candidate: Value) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("candidates.jsonl");
    std::fs::write(&file, format!("{candidate}\n")).expect("write candidates");
    let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .args(["score", "--identity"])
        .arg(identity(slug))
        .arg("--candidates")
        .arg(&file)
        .args(["--now", "2026-11-29T12:00:00Z"])
        .output()
        .expect("run doppelwatch score");
    assert!(out.status.success(), "score failed: {out:?}");
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    serde_json::from_str(stdout.trim()).expect("one JSON line")
}

fn signals(v: &Value) -> Vec<String> {
    v["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["signal"].as_str().expect("signal").to_string())
        .collect()
}

/// "Name | Role" with the bio copied word for word is the name and the bio copied: an impostor.
/// The lone `|` used to fold to the letter `l`, and the role word kept the name from counting.
#[test]
fn name_with_a_role_beside_a_copied_bio_is_an_impostor() {
    let v = score(
        "draycott",
        serde_json::json!({
            "id": "role", "platform": "bluesky", "handle": "sophie3-journalist.bsky.social",
            "display_name": "Sophie Draycott | Journalist",
            "bio": "Personal finance for people who hate personal finance. Not financial advice. Book: Money Without Tears.",
            "created_at": "2026-11-13T00:00:00Z", "followers": 12
        }),
    );
    assert_eq!(v["verdict"], "impostor", "{v}");
    let name_reason = v["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["signal"] == "display_name")
        .expect("a display-name reason");
    assert!(
        !name_reason["detail"]
            .as_str()
            .expect("detail")
            .contains("\"l\""),
        "the separator is not reported as an added word: {name_reason}"
    );
}

/// The same role suffix without a copied bio stays below `impostor`: a name alone is not a copy.
#[test]
fn name_with_a_role_alone_is_not_an_impostor() {
    let v = score(
        "draycott",
        serde_json::json!({
            "id": "role-alone", "platform": "x", "handle": "sd_writes",
            "display_name": "Sophie Draycott | Journalist",
            "bio": "Court reporter in Leeds. Tea, trains and transcripts.",
            "created_at": "2015-03-01T00:00:00Z", "followers": 4200
        }),
    );
    assert_ne!(v["verdict"], "impostor", "{v}");
}

/// `ciaramoreau` passes for `claramoreau`, but a years-old account with its own audience, bio and
/// a name that spells its handle ("Ciara Moreau") is another real person, not an impostor.
#[test]
fn plain_letter_lookalike_spelling_its_own_name_on_an_established_account_is_clear() {
    let v = score(
        "moreau",
        serde_json::json!({
            "id": "ciara", "platform": "x", "handle": "ciaramoreau",
            "display_name": "Ciara Moreau", "bio": "Dublin. Runner. Physio.",
            "created_at": "2015-04-19T12:00:00Z", "followers": 16517
        }),
    );
    assert_eq!(v["verdict"], "clear", "{v}");
    assert!(signals(&v).contains(&"context".to_string()), "{v}");
}

/// The same look-alike handle on a fresh account, or with the name copied, stays an impostor.
#[test]
fn plain_letter_lookalike_stays_an_impostor_when_fresh_or_copying() {
    let fresh = score(
        "moreau",
        serde_json::json!({
            "id": "fresh", "platform": "x", "handle": "ciaramoreau",
            "display_name": "Ciara Moreau", "bio": "Dublin. Runner. Physio.",
            "created_at": "2026-11-20T12:00:00Z", "followers": 3
        }),
    );
    assert_eq!(fresh["verdict"], "impostor", "{fresh}");
    let copying = score(
        "moreau",
        serde_json::json!({
            "id": "aged", "platform": "x", "handle": "ciaramoreau",
            "display_name": "Clara Moreau",
            "bio": "Cook, writer, eater. Weeknight recipes and long essays about bread.",
            "created_at": "2015-04-19T12:00:00Z", "followers": 16517
        }),
    );
    assert_eq!(copying["verdict"], "impostor", "{copying}");
}

/// A name copy that says in Portuguese, Spanish, French or Turkish that it is a fan or parody
/// account is lowered like the English statements are (it was `impostor 1.00` in Portuguese).
#[test]
fn fan_and_parody_statements_in_other_languages_lower_the_verdict() {
    for (id, bio) in [
        (
            "pt",
            "Página de fãs. Não é a conta oficial de Palmer Report.",
        ),
        ("es", "Cuenta parodia. No soy Palmer Report."),
        ("fr", "Compte parodique — je ne suis pas Palmer Report."),
        ("tr", "Palmer Report hayran sayfası. Resmi hesap değildir."),
    ] {
        let v = score(
            "palmer",
            serde_json::json!({
                "id": id, "platform": "x", "handle": "PalmerReportRP",
                "display_name": "Palmer Report", "bio": bio,
                "created_at": "2026-11-09T10:26:00Z", "followers": 194
            }),
        );
        assert_ne!(v["verdict"], "impostor", "{id}: {v}");
        assert!(signals(&v).contains(&"disclaimer".to_string()), "{id}: {v}");
    }
}

/// An affix next to digits written for letters, and "Real" + a handle cut at X's 15-character
/// limit, copy the handle like a plain affix does (both were `suspicious` on the name alone).
#[test]
fn affix_with_leet_and_truncated_affix_copies_are_impostors() {
    for (slug, handle, name) in [
        ("ellie", "Realelli3okafor", "Ellie Okafor"),
        ("kofi", "Re4lKofiMB", "Kofi Mensah-Boateng"),
        ("abernathy", "RealGideonAbern", "Gideon Abernathy"),
        ("whitcombe", "RealDanaWhitcom", "Dana Whitcombe"),
    ] {
        let v = score(
            slug,
            serde_json::json!({
                "id": handle, "platform": "x", "handle": handle, "display_name": name,
                "created_at": "2026-11-20T12:00:00Z", "followers": 9
            }),
        );
        assert_eq!(v["verdict"], "impostor", "{handle}: {v}");
        let s = signals(&v);
        assert!(
            s.contains(&"near_handle".to_string()) || s.contains(&"confusable_handle".to_string()),
            "{handle}: the handle is named as a copy: {v}"
        );
    }
}

/// A 15-character X handle that merely starts with an affix and a short, common stretch of the
/// person's handle, on an account with its own name, is not taken for a cut copy.
#[test]
fn short_shared_prefix_is_not_a_truncated_copy() {
    let v = score(
        "whitcombe",
        serde_json::json!({
            "id": "prefix", "platform": "x", "handle": "TheDanaWhiteFan",
            "display_name": "UFC updates", "bio": "Fight news. Not affiliated with anyone.",
            "created_at": "2014-01-01T00:00:00Z", "followers": 5000
        }),
    );
    assert_ne!(v["verdict"], "impostor", "{v}");
}

/// `lowellledger.com` + "news" reads `ledgemews` in skeleton form (rn -> m across the seam), so
/// the affix went unseen and only the copied name was left.
#[test]
fn affix_after_a_final_r_is_seen_on_a_custom_domain() {
    let v = score(
        "ledger",
        serde_json::json!({
            "id": "domain", "platform": "bluesky", "handle": "lowellledgernews.com",
            "display_name": "The Lowell Ledger",
            "created_at": "2026-11-06T22:50:00Z", "followers": 230
        }),
    );
    assert_eq!(v["verdict"], "impostor", "{v}");
    assert!(signals(&v).contains(&"near_handle".to_string()), "{v}");
}
