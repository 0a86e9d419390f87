//! iron-session, Auth.js and next-auth v4 through the request path: chunked sessions written and read back,
//! stale chunks deleted by a smaller write, every chunk deleted on logout.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use session_core::{Format, LoadStatus, SecretKey, SessionConfig, SessionHandle};

const NOW: u64 = 1_700_000_000;

fn pairs(set_cookies: &[String]) -> Vec<String> {
    set_cookies
        .iter()
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
        .collect()
}

fn names(set_cookies: &[String]) -> Vec<String> {
    pairs(set_cookies)
        .iter()
        .map(|p| p.split('=').next().unwrap_or_default().to_owned())
        .collect()
}

fn cycle(config: &SessionConfig, big: usize, small: usize) -> (Vec<String>, Vec<String>, Vec<String>) {
    let login = SessionHandle::new(config.clone(), vec![], NOW);
    login.insert("user", "alice").unwrap();
    login.insert("big", &"x".repeat(big)).unwrap();
    let first = login.finish().unwrap().set_cookies().to_vec();
    let header = pairs(&first).join("; ");
    let read = SessionHandle::new(config.clone(), vec![header.clone()], NOW + 60);
    assert!(
        matches!(read.status(), LoadStatus::Loaded { .. }),
        "{:?}",
        read.status()
    );
    assert_eq!(read.get::<String>("user").unwrap().as_deref(), Some("alice"));
    read.insert("big", &"y".repeat(small)).unwrap();
    let second = read.finish().unwrap().set_cookies().to_vec();
    let logout = SessionHandle::new(config.clone(), vec![header], NOW + 120);
    logout.clear();
    let third = logout.finish().unwrap().set_cookies().to_vec();
    (first, second, third)
}

#[test]
fn iron_session_chunks_up_to_four_cookies_and_expires_the_stale_ones() {
    let config = SessionConfig::builder()
        .format(Format::IronSession)
        .cookie_name("iron")
        .secret_key(SecretKey::parse("an iron-session password of 32+ characters").unwrap())
        .cookie_chunks(4)
        .max_cookie_size(4096)
        .build()
        .unwrap();
    let (first, second, third) = cycle(&config, 6000, 10);
    assert_eq!(names(&first), ["iron.0", "iron.1", "iron.2"]);
    assert!(
        first.iter().all(|c| c.len() <= 4096),
        "{:?}",
        first.iter().map(String::len).collect::<Vec<_>>()
    );
    // The smaller session fits one cookie: the chunks go.
    assert_eq!(names(&second), ["iron", "iron.0", "iron.1", "iron.2"]);
    assert!(second[1..].iter().all(|c| c.contains("Max-Age=0")));
    assert_eq!(names(&third), ["iron", "iron.0", "iron.1", "iron.2"]);
    // Without chunking, the same session is refused as too large.
    let one = SessionConfig::builder()
        .format(Format::IronSession)
        .cookie_name("iron")
        .secret_key(SecretKey::parse("an iron-session password of 32+ characters").unwrap())
        .build()
        .unwrap();
    let h = SessionHandle::new(one, vec![], NOW);
    h.insert("big", &"x".repeat(6000)).unwrap();
    assert!(h.finish().is_err());
}

#[test]
fn authjs_chunks_long_tokens_and_logout_deletes_every_chunk() {
    for (format, name) in [
        (Format::AuthJs, "authjs.session-token"),
        (Format::NextAuthV4, "next-auth.session-token"),
    ] {
        let config = SessionConfig::builder()
            .format(format)
            .secret_key(SecretKey::parse("an Auth.js secret of some length").unwrap())
            .max_cookie_size(4096)
            .build()
            .unwrap();
        let (first, second, third) = cycle(&config, 5000, 10);
        let chunk = |i: usize| format!("{name}.{i}");
        assert_eq!(names(&first), [chunk(0), chunk(1)]);
        // Auth.js' order: the request's cookies first (here both chunks, now expired), then the new cookie.
        assert_eq!(names(&second), [chunk(0), chunk(1), name.to_owned()]);
        assert!(second[..2].iter().all(|c| c.contains("Max-Age=0")));
        // Sign-out expires the cookies the request carried, and only those.
        assert_eq!(names(&third), [chunk(0), chunk(1)]);
        assert!(third.iter().all(|c| c.contains("Max-Age=0")));
    }
}
