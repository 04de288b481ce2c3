//! Each person's own picture (issue 11): kept per person (0600, in a 0700 folder), pointed at
//! by their identity, kept through edits, removed with them; the single avatar of earlier
//! versions moves to the first registered person when the app opens.

mod support_watch;

use std::io::Cursor;

use doppelwatch::app::App;
use doppelwatch::config::Config;
use doppelwatch::store::Store;
use support_watch::{jane, palmer};

fn png(rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbaImage::from_pixel(32, 32, image::Rgba([rgb[0], rgb[1], rgb[2], 255]));
    let mut out = Vec::new();
    img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn each_person_keeps_their_own_private_picture() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path().join("data"), Config::default(), None).unwrap();
    let p = app.add_person(palmer()).unwrap().id;
    let j = app.add_person(jane()).unwrap().id;
    let url = app.set_person_avatar(j, &png([200, 10, 10])).unwrap();
    assert!(url.starts_with("data:image/png;base64,"), "{url}");
    app.set_person_avatar(p, &png([10, 10, 200])).unwrap();

    let (pp, jp) = (app.person_avatar_path(p), app.person_avatar_path(j));
    assert_ne!(pp, jp);
    assert_eq!(std::fs::read(&jp).unwrap(), png([200, 10, 10]));
    assert_eq!(std::fs::read(&pp).unwrap(), png([10, 10, 200]));
    assert_eq!(
        app.store.identity(j).unwrap().avatar.as_deref(),
        Some(jp.as_path())
    );
    assert_eq!(
        app.store.identity(p).unwrap().avatar.as_deref(),
        Some(pp.as_path())
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&jp), 0o600);
        assert_eq!(mode(jp.parent().unwrap()), 0o700);
    }
    let shown = app.person_avatar(&app.store.identity(j).unwrap());
    assert!(shown.is_some_and(|u| u.starts_with("data:image/png")));

    // Not an image: refused, and Jane's picture is untouched.
    assert!(app.set_person_avatar(j, b"<svg onload=alert(1)>").is_err());
    assert_eq!(std::fs::read(&jp).unwrap(), png([200, 10, 10]));
    // Nobody by that id.
    assert!(app.set_person_avatar(999, &png([1, 2, 3])).is_err());

    // Editing Jane (a rename too) keeps her picture and her id.
    let renamed = doppelwatch::identity::Identity {
        name: "Jane Q. Doe".into(),
        ..jane()
    };
    let edited = app.update_person(j, renamed).unwrap();
    assert_eq!(edited.avatar.as_deref(), Some(jp.as_path()));
    assert_eq!(app.store.identity(j).unwrap().name, "Jane Q. Doe");
    // Adding her again under the new name updates her and keeps the picture as well.
    let again = app
        .add_person(doppelwatch::identity::Identity {
            name: "Jane Q. Doe".into(),
            ..jane()
        })
        .unwrap();
    assert!(!again.new);
    assert_eq!(
        app.store.identity(j).unwrap().avatar.as_deref(),
        Some(jp.as_path())
    );
    // Another person's name is refused on edit.
    let err = app
        .update_person(j, palmer())
        .expect_err("Palmer's name is taken");
    assert!(err.message.contains("registered already"), "{err:?}");

    // Removing Jane removes her picture, not Palmer's.
    app.remove_person(&j.to_string(), false).unwrap();
    assert!(!jp.exists());
    assert!(pp.is_file());
}

#[test]
fn the_single_avatar_of_earlier_versions_moves_to_the_first_person() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let old = data.join("avatar.img");
    // A database as the previous release left it: one person whose identity points at the
    // single avatar file, and a second person added later.
    let first = {
        let store = Store::open_in(&data).unwrap();
        std::fs::write(&old, png([0, 200, 0])).unwrap();
        let first = store
            .upsert_identity(&doppelwatch::identity::Identity {
                avatar: Some(old.clone()),
                ..palmer()
            })
            .unwrap();
        store.upsert_identity(&jane()).unwrap();
        first
    };
    let app = App::open(data.clone(), Config::default(), None).unwrap();
    let moved = app.person_avatar_path(first);
    assert!(!old.exists(), "the old file is moved, not copied");
    assert_eq!(std::fs::read(&moved).unwrap(), png([0, 200, 0]));
    #[cfg(unix)]
    assert_eq!(mode(&moved), 0o600);
    assert_eq!(
        app.store.identity(first).unwrap().avatar.as_deref(),
        Some(moved.as_path())
    );
    let people = app.people().unwrap();
    assert_eq!(people.len(), 2);
    assert_eq!(
        people[1].identity.avatar, None,
        "the second person gets no picture"
    );

    // Opening again changes nothing.
    drop(app);
    let app = App::open(data.clone(), Config::default(), None).unwrap();
    assert_eq!(
        std::fs::read(app.person_avatar_path(first)).unwrap(),
        png([0, 200, 0])
    );
}

#[test]
fn a_picture_picked_in_onboarding_becomes_the_persons_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // Before anyone is registered, the picked picture waits in the old place.
    let app = App::open(data.clone(), Config::default(), None).unwrap();
    app.set_avatar(&png([5, 5, 5])).unwrap();
    assert!(app.avatar_path().is_file());
    drop(app);
    let app = App::open(data.clone(), Config::default(), None).unwrap();
    assert!(app.avatar_path().is_file(), "nobody to move it to yet");
    let (id, saved) = app.save_identity(palmer()).unwrap();
    let own = app.person_avatar_path(id);
    assert_eq!(saved.avatar.as_deref(), Some(own.as_path()));
    assert!(!app.avatar_path().exists());
    // Saving again without a new pick keeps the picture.
    let (_, again) = app.save_identity(palmer()).unwrap();
    assert_eq!(again.avatar.as_deref(), Some(own.as_path()));

    // A leftover old file never replaces a person's own picture.
    std::fs::write(app.avatar_path(), png([9, 9, 9])).unwrap();
    drop(app);
    let app = App::open(data, Config::default(), None).unwrap();
    assert_eq!(
        std::fs::read(app.person_avatar_path(id)).unwrap(),
        png([5, 5, 5])
    );
    assert!(app.avatar_path().is_file());
}
