//! Impostors of a person, ready to place on the fakes: what the desktop demo mode shows
//! appearing every few seconds, and what tests use when any plausible copy will do; and a
//! namesake (the person's exact name on someone else's brand-new account, with its own face
//! and its own unrelated bio), which is worth a look but must never pop up.

use super::FakeAccount;
use crate::detect::variants::variants;
use crate::identity::{Identity, Platform};

/// Ways impostors dress up a copied display name.
fn decorated_name(name: &str, n: usize) -> String {
    match n % 5 {
        // Capital I for lowercase l: the classic.
        0 if name.contains('l') => name.replacen('l', "I", 1),
        1 => format!("{name} ✓"),
        // Cyrillic а for Latin a.
        2 if name.contains('a') => name.replacen('a', "\u{0430}", 1),
        3 => format!("{name} (Official)"),
        _ => name.to_string(),
    }
}

/// Up to `count` look-alike accounts of `identity` on `platform` (Bluesky, Mastodon or X):
/// a look-alike handle from the detector's variants, a decorated copy of the name, the bio
/// copied. Handles follow the platform's rules (a username on Mastodon and X).
pub fn impostors(identity: &Identity, platform: &Platform, count: usize) -> Vec<FakeAccount> {
    let own: Vec<String> = identity.handles_on(platform).map(String::from).collect();
    // The person's own usernames anywhere: an impostor needs a handle the fake can hold
    // beside the person's own account.
    let own_users: Vec<String> = identity
        .handles
        .iter()
        .map(|h| {
            h.handle
                .split(['@', '.'])
                .next()
                .unwrap_or(&h.handle)
                .to_ascii_lowercase()
        })
        .collect();
    let base = own.first().cloned().unwrap_or_else(|| {
        let stem: String = identity
            .name
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        match platform {
            Platform::Bluesky => format!("{}.bsky.social", stem.to_ascii_lowercase()),
            Platform::Mastodon => format!("{stem}@mastodon.social"),
            _ => stem.chars().take(15).collect(),
        }
    });
    // Mastodon variants mostly change the server; ask for plenty and keep distinct usernames.
    let mut seen = std::collections::HashSet::new();
    variants(platform, &base, count * 20)
        .into_iter()
        .map(|v| match platform {
            Platform::Mastodon => v.handle.split('@').next().unwrap_or(&v.handle).to_string(),
            _ => v.handle,
        })
        .filter(|h| {
            let user = h.split(['@', '.']).next().unwrap_or(h).to_ascii_lowercase();
            !own.iter().any(|o| o.eq_ignore_ascii_case(h))
                && !own_users.contains(&user)
                && seen.insert(h.to_ascii_lowercase())
        })
        .take(count)
        .enumerate()
        .map(|(n, handle)| {
            let mut account = FakeAccount::new(handle).name(decorated_name(&identity.name, n));
            if let Some(bio) = &identity.bio {
                account = account.bio(bio.clone());
            }
            account.followers(n as u64 * 7 % 50)
        })
        .collect()
}

/// The namesake's bio: a life that has nothing to do with the person's.
pub const NAMESAKE_BIO: &str =
    "Licensed plumber in Adelaide, South Australia. Blocked drains, burst pipes and hot water \
     systems. Free quotes, no call-out fee on weekdays.";

/// Someone else with exactly the person's name, on `platform`: a brand-new account with an
/// unrelated handle (`adelaideplumber`) and its own picture, that has not written a bio yet.
/// It copies nothing but the name, so it is worth a look and never pops up. (With its own bio,
/// [`NAMESAKE_BIO`], the detector clears it as a namesake: no alert at all.)
pub fn namesake(identity: &Identity, platform: &Platform) -> FakeAccount {
    let handle = match platform {
        Platform::Bluesky => "adelaideplumber.bsky.social",
        _ => "adelaideplumber",
    };
    FakeAccount::new(handle)
        .name(identity.name.clone())
        .avatar(namesake_avatar_png())
        .followers(12)
}

/// The person's Bluesky handle in the desktop demo (which runs a fake Bluesky), or one made
/// from their name.
pub fn demo_handle(identity: &Identity) -> String {
    identity
        .handles_on(&Platform::Bluesky)
        .next()
        .map(String::from)
        .unwrap_or_else(|| {
            let slug: String = identity
                .name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            format!(
                "{}.bsky.social",
                if slug.is_empty() { "person" } else { &slug }
            )
        })
}

/// The namesake the desktop demo plants on its fake Bluesky.
pub fn demo_namesake(identity: &Identity) -> FakeAccount {
    namesake(identity, &Platform::Bluesky)
}

/// The `count` impostors the desktop demo plants on its fake Bluesky for `identity`, in
/// order: look-alike handles of [`demo_handle`] with the person's name, bio and avatar; the
/// second carries HTML and script in its name and bio (which the app must show as inert text).
pub fn demo_impostors(
    identity: &Identity,
    avatar: Option<Vec<u8>>,
    count: usize,
) -> Vec<FakeAccount> {
    let handle = demo_handle(identity);
    let bio = identity
        .bio
        .clone()
        .unwrap_or_else(|| format!("Official account of {}.", identity.name));
    variants(&Platform::Bluesky, &handle, count)
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let mut account = FakeAccount::new(v.handle).name(identity.name.clone());
            account = if i == 1 {
                account
                    .name(format!(
                        "{} <img src=x onerror=\"window.__pwned=1\">",
                        identity.name
                    ))
                    .bio(format!(
                        "<script>window.__pwned=2</script>{bio} New account, follow here!"
                    ))
            } else {
                account.bio(bio.clone())
            };
            if let Some(bytes) = &avatar {
                account = account.avatar(bytes.clone());
            }
            demo_posts(account, i, &identity.name)
        })
        .collect()
}

/// How many look-alikes of the demo's clone wave each platform gets (118 in all). With the 12
/// Bluesky impostors the demo plants before, 100 of the wave can be reported through an API
/// (Bluesky and Mastodon); X's 30 are reported through its form.
pub const WAVE_BLUESKY: usize = 50;
pub const WAVE_MASTODON: usize = 38;
pub const WAVE_X: usize = 30;

/// The demo's clone wave (issue 11): [`WAVE_BLUESKY`] look-alikes on Bluesky (none of the
/// `trickle` handles the demo planted before), [`WAVE_MASTODON`] on Mastodon (usernames,
/// found in the server's directory of new accounts) and [`WAVE_X`] on X: first the
/// usernames the X source probes for the person (so a check finds them by lookup), then
/// others found by name search. Each copies the person's name (decorated), bio and picture.
pub fn demo_wave(
    identity: &Identity,
    avatar: Option<Vec<u8>>,
    trickle: &[FakeAccount],
) -> Vec<(Platform, FakeAccount)> {
    let dress = |account: FakeAccount| match &avatar {
        Some(bytes) => account.avatar(bytes.clone()),
        None => account,
    };
    let planted: std::collections::HashSet<String> = trickle
        .iter()
        .map(|a| a.handle.to_ascii_lowercase())
        .collect();
    let mut wave: Vec<(Platform, FakeAccount)> = Vec::new();
    let bluesky = with_bluesky_handle(identity);
    for account in impostors(&bluesky, &Platform::Bluesky, WAVE_BLUESKY + planted.len())
        .into_iter()
        .filter(|a| !planted.contains(&a.handle.to_ascii_lowercase()))
        .take(WAVE_BLUESKY)
    {
        wave.push((Platform::Bluesky, dress(account)));
    }
    for account in impostors(identity, &Platform::Mastodon, WAVE_MASTODON) {
        wave.push((Platform::Mastodon, dress(account)));
    }
    // The X source's own probes first (skipping the person's handles from other platforms,
    // which would be namesakes of theirs), then the generic look-alikes.
    let probed: Vec<String> = crate::sources::x::ranked_probes(identity, 4 * WAVE_X)
        .into_iter()
        .filter(|(_, kind)| kind != "same_handle")
        .map(|(h, _)| h)
        .collect();
    let generic: Vec<String> = impostors(identity, &Platform::X, 2 * WAVE_X)
        .into_iter()
        .map(|a| a.handle)
        .collect();
    let mut seen = std::collections::HashSet::new();
    let handles: Vec<String> = probed
        .into_iter()
        .chain(generic)
        .filter(|h| seen.insert(h.to_ascii_lowercase()))
        .take(WAVE_X)
        .collect();
    for (n, handle) in handles.into_iter().enumerate() {
        let mut account = FakeAccount::new(handle)
            .name(decorated_name(&identity.name, n))
            .followers(n as u64 * 3 % 40);
        if let Some(bio) = &identity.bio {
            account = account.bio(bio.clone());
        }
        wave.push((Platform::X, dress(account)));
    }
    wave
}

/// `identity` with [`demo_handle`] as its Bluesky handle when it has none (the demo's fake
/// Bluesky is where its look-alikes go).
fn with_bluesky_handle(identity: &Identity) -> Identity {
    let mut identity = identity.clone();
    if identity.handles_on(&Platform::Bluesky).next().is_none() {
        identity.handles.push(crate::identity::AccountHandle {
            platform: Platform::Bluesky,
            handle: demo_handle(&identity),
        });
    }
    identity
}

/// The demo's YouTube impostor of `identity`: the most plausible look-alike handle the YouTube
/// source probes for them (not their own handle from another platform), with their name, bio
/// and picture copied, so a periodic check finds it by handle probe.
pub fn youtube_impostor(identity: &Identity, avatar: Option<Vec<u8>>) -> FakeAccount {
    let handle = crate::sources::youtube::ranked_probes(identity, 10)
        .into_iter()
        .find(|(_, kind)| kind != "same_handle")
        .map_or_else(|| format!("{}-official", demo_stem(identity)), |(h, _)| h);
    let bio = identity
        .bio
        .clone()
        .unwrap_or_else(|| format!("Official channel of {}.", identity.name));
    let mut account = FakeAccount::new(handle)
        .name(identity.name.clone())
        .bio(bio)
        .followers(31);
    if let Some(bytes) = avatar {
        account = account.avatar(bytes);
    }
    account
}

/// The first label of [`demo_handle`] (`palmerreport`).
fn demo_stem(identity: &Identity) -> String {
    let handle = demo_handle(identity);
    handle.split('.').next().unwrap_or("person").to_string()
}

/// A few public posts for the `i`-th demo impostor (oldest first): the first pushes
/// #WalkAway, which the demo person never uses; the second carries markup and a
/// `javascript:` link (which the app must show as text).
fn demo_posts(account: FakeAccount, i: usize, name: &str) -> FakeAccount {
    let account = account.post(format!(
        "Welcome to the new official page of {name}. Follow for the real news."
    ));
    match i {
        0 => account
            .post("After years on the left I have had enough. Time to walk away. #WalkAway")
            .post("Send support through the link in my bio, every dollar counts! #WalkAway #News"),
        1 => account.post(
            "<a href=\"javascript:window.__pwned=3\">Read this</a><script>window.__pwned=4</script> breaking story #WalkAway",
        ),
        _ => account.post("Big changes coming to this page. Stay tuned. #WalkAway"),
    }
}

/// The Bluesky handle of the person the desktop demo suggests registering.
pub const DEMO_PERSON_HANDLE: &str = "palmerreport.bsky.social";

/// The demo person's own profile on the fake Bluesky: a name, a picture, and a description
/// that links their Mastodon and X accounts, so onboarding from [`DEMO_PERSON_HANDLE`] fills
/// the form and suggests those handles (issue 12).
pub fn demo_person() -> FakeAccount {
    FakeAccount::new(DEMO_PERSON_HANDLE)
        .name("Palmer Report")
        .bio(
            "Independent political news and analysis. Also on Mastodon: \
             https://mastodon.social/@palmerreport and on X: @PalmerReport",
        )
        .avatar(super::sample_avatar_png(11))
}

/// The namesake's own picture: concentric rings, unlike any sample avatar (diagonal stripes).
pub fn namesake_avatar_png() -> Vec<u8> {
    let mut img = image::RgbImage::new(96, 96);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (dx, dy) = (x as f32 - 40.0, y as f32 - 52.0);
        let ring = ((dx * dx + dy * dy).sqrt() / 9.0) as u32;
        *px = if ring % 2 == 0 {
            image::Rgb([30, 110, 200])
        } else {
            image::Rgb([240, 200, 60 + (x as u8 % 40)])
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGB image to PNG cannot fail short of running out of memory.
    let _ = image::DynamicImage::ImageRgb8(img).write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::AccountHandle;

    #[test]
    fn impostors_follow_platform_rules_and_copy_the_name() {
        let identity = Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![AccountHandle {
                platform: Platform::X,
                handle: "PalmerReport".into(),
            }],
            avatar: None,
            bio: Some("News".into()),
        };
        for platform in [Platform::X, Platform::Bluesky, Platform::Mastodon] {
            let list = impostors(&identity, &platform, 5);
            assert_eq!(list.len(), 5, "{platform}");
            for a in &list {
                assert_ne!(a.handle.to_ascii_lowercase(), "palmerreport");
                let check = match platform {
                    Platform::Mastodon => format!("{}@mastodon.social", a.handle),
                    _ => a.handle.clone(),
                };
                crate::identity::validate_handle(&platform, &check)
                    .unwrap_or_else(|e| panic!("{platform}: {e}"));
                assert_eq!(a.bio.as_deref(), Some("News"));
            }
            assert!(list
                .iter()
                .any(|a| a.display_name.as_deref() == Some("PaImer Report")));
        }
    }

    /// The demo's person on Bluesky.
    fn palmer_on_bluesky(bio: Option<&str>) -> Identity {
        Identity {
            name: "Palmer Report".into(),
            aliases: vec![],
            handles: vec![AccountHandle {
                platform: Platform::Bluesky,
                handle: "palmerreport.bsky.social".into(),
            }],
            avatar: None,
            bio: bio.map(String::from),
        }
    }

    #[test]
    fn demo_impostors_copy_the_person_with_lookalike_handles() {
        let list = demo_impostors(&palmer_on_bluesky(None), None, 12);
        assert!(list.len() >= 3, "{}", list.len());
        assert!(list.iter().all(|a| a.handle != "palmerreport.bsky.social"));
        assert!(list.iter().all(|a| a
            .display_name
            .as_deref()
            .is_some_and(|n| n.contains("Palmer Report"))));
        assert!(list[1]
            .bio
            .as_deref()
            .is_some_and(|b| b.contains("<script>")));
    }

    #[test]
    fn the_youtube_impostor_is_one_the_probes_find() {
        let person = palmer_on_bluesky(Some("News"));
        let account = youtube_impostor(&person, Some(vec![1, 2, 3]));
        let probes = crate::sources::youtube::ranked_probes(&person, 40);
        assert!(
            probes.iter().any(|(h, _)| *h == account.handle),
            "{} not among {probes:?}",
            account.handle
        );
        assert_ne!(account.handle.to_lowercase(), "palmerreport");
        assert_eq!(account.display_name.as_deref(), Some("Palmer Report"));
        assert_eq!(account.avatar.as_deref(), Some(&[1u8, 2, 3][..]));
    }

    /// The demo's suggested person with the Mastodon and X accounts onboarding suggests.
    fn palmer_everywhere() -> Identity {
        let mut person = palmer_on_bluesky(Some("Independent political news and analysis."));
        for (platform, handle) in [
            (Platform::Mastodon, "palmerreport@mastodon.social"),
            (Platform::X, "PalmerReport"),
        ] {
            person.handles.push(AccountHandle {
                platform,
                handle: handle.into(),
            });
        }
        person
    }

    #[test]
    fn the_demo_wave_is_over_a_hundred_distinct_lookalikes_on_three_platforms() {
        let person = palmer_everywhere();
        let trickle = demo_impostors(&person, None, 12);
        let wave = demo_wave(&person, Some(vec![7, 7, 7]), &trickle);
        assert!(wave.len() >= 100, "{}", wave.len());
        for (platform, want) in [
            (Platform::Bluesky, WAVE_BLUESKY),
            (Platform::Mastodon, WAVE_MASTODON),
            (Platform::X, WAVE_X),
        ] {
            let on: Vec<&FakeAccount> = wave
                .iter()
                .filter(|(p, _)| *p == platform)
                .map(|(_, a)| a)
                .collect();
            assert_eq!(on.len(), want, "{platform}");
            let distinct: std::collections::HashSet<String> =
                on.iter().map(|a| a.handle.to_ascii_lowercase()).collect();
            assert_eq!(distinct.len(), want, "{platform}: duplicate handles");
            for a in &on {
                let check = match platform {
                    Platform::Mastodon => format!("{}@mastodon.social", a.handle),
                    _ => a.handle.clone(),
                };
                crate::identity::validate_handle(&platform, &check)
                    .unwrap_or_else(|e| panic!("{platform} {check}: {e}"));
                assert!(!person
                    .handles
                    .iter()
                    .any(|h| h.handle.eq_ignore_ascii_case(&check)));
                assert_eq!(a.avatar.as_deref(), Some(&[7u8, 7, 7][..]));
            }
        }
        // None repeats an account the trickle planted before.
        assert!(wave
            .iter()
            .all(|(_, a)| trickle.iter().all(|t| t.handle != a.handle)));
        // On X, the look-ups of a check (its ranked probes, as many as the demo's settings
        // allow) find every one of them.
        let probes: std::collections::HashSet<String> =
            crate::sources::x::ranked_probes(&person, 4 * WAVE_X)
                .into_iter()
                .map(|(h, _)| h.to_ascii_lowercase())
                .collect();
        for (_, a) in wave.iter().filter(|(p, _)| *p == Platform::X) {
            assert!(
                probes.contains(&a.handle.to_ascii_lowercase()),
                "{}",
                a.handle
            );
        }
    }

    #[test]
    fn a_demo_handle_is_made_up_when_the_person_has_no_bluesky() {
        let person = Identity {
            name: "Ana María".into(),
            aliases: vec![],
            handles: vec![],
            avatar: None,
            bio: None,
        };
        assert_eq!(demo_handle(&person), "anamara.bsky.social");
    }

    /// The demo and the end-to-end tests rely on the namesake being worth a look (an alert in
    /// the quiet list) and not an impostor (which would pop up).
    #[test]
    fn the_namesake_is_worth_a_look_and_not_an_impostor() {
        use crate::detect::avatar::{fingerprint, fingerprint_reference};
        use crate::detect::{Detector, Verdict};
        let own_avatar = crate::fake::sample_avatar_png(11);
        let identity = palmer_on_bluesky(Some("Independent political news and analysis."));
        let detector = Detector::new(identity.clone(), fingerprint_reference(&own_avatar).ok());
        let now = chrono::Utc::now();
        let account = namesake(&identity, &Platform::Bluesky);
        let profile = crate::profile::Profile {
            platform: Platform::Bluesky,
            handle: account.handle.clone(),
            display_name: account.display_name.clone(),
            bio: account.bio.clone(),
            created_at: Some(now - chrono::Duration::hours(2)),
            followers: Some(account.followers),
            platform_id: Some("did:plc:namesake".into()),
            ..Default::default()
        };
        let avatar = account.avatar.as_deref().and_then(|b| fingerprint(b).ok());
        let assessment = detector.assess(&profile, avatar.as_ref(), now);
        assert_eq!(assessment.verdict, Verdict::Suspicious, "{assessment:?}");
        assert_eq!(account.display_name.as_deref(), Some("Palmer Report"));
        // With a bio of its own (a plumber in Adelaide), the same account is a namesake.
        let with_bio = crate::profile::Profile {
            bio: Some(NAMESAKE_BIO.into()),
            ..profile
        };
        let assessment = detector.assess(&with_bio, avatar.as_ref(), now);
        assert_eq!(assessment.verdict, Verdict::Clear, "{assessment:?}");
    }
}
