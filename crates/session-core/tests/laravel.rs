//! Laravel's cookie driver through the request path: the id cookie and the payload cookie it names, a fresh id
//! on every write with the old payload cookie deleted, stale payload cookies (left by Laravel's
//! `regenerate()`) ignored and deleted, logout, a previous key, `expire_on_close`, a PHP object kept.
#![allow(clippy::unwrap_used, reason = "a test that fails should fail loudly")]

use session_core::wire::php;
use session_core::{Format, LoadStatus, SecretKey, SessionConfig, SessionHandle, Value};

const NOW: u64 = 1_700_000_000;
/// `base64:` of `laravel-vectors-key-0001-current` (32 bytes), as APP_KEY is written.
const KEY: &str = "base64:bGFyYXZlbC12ZWN0b3JzLWtleS0wMDAxLWN1cnJlbnQ=";
const OLD_KEY: &str = "base64:bGFyYXZlbC12ZWN0b3JzLW9sZC1rZXktMDAwMDAwMDE=";

fn config(key: &str, fallbacks: &[&str], on_close: bool) -> SessionConfig {
    SessionConfig::builder()
        .format(Format::Laravel)
        .secret_key(SecretKey::parse(key).unwrap())
        .fallbacks(fallbacks.iter().map(|k| SecretKey::parse(k).unwrap()).collect())
        .expire_at_browser_close(on_close)
        .build()
        .unwrap()
}

/// `name=value` of each Set-Cookie, and whether it is a deletion.
fn pairs(set_cookies: &[String]) -> Vec<(String, String, bool)> {
    set_cookies
        .iter()
        .map(|c| {
            let pair = c.split(';').next().unwrap_or_default();
            let (n, v) = pair.split_once('=').unwrap();
            (n.to_owned(), v.to_owned(), v == "deleted")
        })
        .collect()
}

/// The Cookie header a browser sends after `set_cookies`, on top of `before`.
fn browser(before: &[(String, String)], set_cookies: &[String]) -> Vec<(String, String)> {
    let mut jar: Vec<(String, String)> = before.to_vec();
    for (n, v, gone) in pairs(set_cookies) {
        jar.retain(|(m, _)| *m != n);
        if !gone {
            jar.push((n, v));
        }
    }
    jar
}

fn header(jar: &[(String, String)]) -> String {
    jar.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn login(config: &SessionConfig) -> (Vec<String>, Vec<(String, String)>) {
    let h = SessionHandle::new(config.clone(), vec![], NOW);
    h.insert("user", "alice").unwrap();
    let out = h.finish().unwrap().set_cookies().to_vec();
    let jar = browser(&[], &out);
    (out, jar)
}

#[test]
fn a_login_writes_the_id_cookie_and_the_payload_cookie_it_names() {
    let config = config(KEY, &[], false);
    let (out, jar) = login(&config);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[0].starts_with("laravel_session=eyJpdiI6"), "{}", out[0]);
    let id = &jar[1].0;
    assert!(id.len() == 40 && id.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
    for c in &out {
        assert!(
            c.ends_with("; expires=Wed, 15-Nov-2023 00:13:20 GMT; Max-Age=7200; path=/; httponly; samesite=lax"),
            "{c}"
        );
    }
    let read = SessionHandle::new(config.clone(), vec![header(&jar)], NOW + 60);
    assert_eq!(read.get::<String>("user").unwrap().as_deref(), Some("alice"));
    // Laravel's own key, written as Laravel's `Store::save` leaves it.
    assert!(read.contains_key("_flash"));
}

#[test]
fn every_write_rotates_the_id_and_deletes_the_old_payload_cookie() {
    let config = config(KEY, &[], false);
    let (_, jar) = login(&config);
    let old_id = jar[1].0.clone();
    let h = SessionHandle::new(config.clone(), vec![header(&jar)], NOW + 60);
    h.insert("role", "admin").unwrap();
    let out = h.finish().unwrap().set_cookies().to_vec();
    let p = pairs(&out);
    assert_eq!(p.len(), 3, "{out:?}");
    assert_eq!(p[0].0, "laravel_session");
    assert_ne!(p[1].0, old_id);
    assert_eq!((p[2].0.as_str(), p[2].2), (old_id.as_str(), true));
    assert!(out[2].contains("Max-Age=0"), "{}", out[2]);
    let jar = browser(&jar, &out);
    assert_eq!(jar.len(), 2);
    let read = SessionHandle::new(config, vec![header(&jar)], NOW + 120);
    assert_eq!(read.get::<String>("role").unwrap().as_deref(), Some("admin"));
}

#[test]
fn a_stale_payload_cookie_is_not_read_and_is_deleted_by_the_next_write() {
    let config = config(KEY, &[], false);
    let (_, first) = login(&config);
    let (_, second) = {
        let h = SessionHandle::new(config.clone(), vec![], NOW);
        h.insert("user", "bob").unwrap();
        let out = h.finish().unwrap().set_cookies().to_vec();
        let jar = browser(&[], &out);
        (out, jar)
    };
    // What regenerate() leaves: the id cookie names the new payload; the old payload cookie is still sent, here
    // first.
    let jar = vec![first[1].clone(), second[0].clone(), second[1].clone()];
    let h = SessionHandle::new(config.clone(), vec![header(&jar)], NOW + 60);
    assert_eq!(h.get::<String>("user").unwrap().as_deref(), Some("bob"));
    h.insert("seen", &true).unwrap();
    let out = h.finish().unwrap().set_cookies().to_vec();
    let deleted: Vec<String> = pairs(&out).into_iter().filter(|p| p.2).map(|p| p.0).collect();
    // In the request's order.
    assert_eq!(deleted, [first[1].0.clone(), second[1].0.clone()]);
}

#[test]
fn logout_deletes_both_cookies() {
    let config = config(KEY, &[], false);
    let (_, jar) = login(&config);
    let h = SessionHandle::new(config, vec![header(&jar)], NOW + 60);
    h.remove("user");
    let out = h.finish().unwrap().set_cookies().to_vec();
    assert_eq!(
        pairs(&out).into_iter().map(|p| (p.0, p.2)).collect::<Vec<_>>(),
        [("laravel_session".to_owned(), true), (jar[1].0.clone(), true)]
    );
}

#[test]
fn a_previous_key_opens_and_the_session_is_written_under_the_current_key() {
    let (_, jar) = login(&config(OLD_KEY, &[], false));
    let h = SessionHandle::new(config(KEY, &[OLD_KEY], false), vec![header(&jar)], NOW + 60);
    assert_eq!(h.get::<String>("user").unwrap().as_deref(), Some("alice"));
    let out = h.finish().unwrap().set_cookies().to_vec();
    let jar = browser(&jar, &out);
    let read = SessionHandle::new(config(KEY, &[], false), vec![header(&jar)], NOW + 120);
    assert_eq!(read.get::<String>("user").unwrap().as_deref(), Some("alice"));
    let refused = SessionHandle::new(
        config(KEY, &[], false),
        vec![header(&browser(&[], &login(&config(OLD_KEY, &[], false)).0))],
        NOW,
    );
    assert!(refused.get::<String>("user").unwrap().is_none());
    assert!(
        matches!(refused.status(), LoadStatus::Refused(_)),
        "{:?}",
        refused.status()
    );
}

#[test]
fn expire_on_close_ends_the_id_cookie_with_the_browser_and_dates_the_payload() {
    let (out, _) = login(&config(KEY, &[], true));
    assert_eq!(out[0].split(';').nth(1).map(str::trim), Some("path=/"), "{}", out[0]);
    assert!(
        out[1].contains("; expires=Wed, 15-Nov-2023 00:13:20 GMT; Max-Age=7200;"),
        "{}",
        out[1]
    );
}

#[test]
fn the_payload_expires_inside() {
    let config = config(KEY, &[], false);
    let (_, jar) = login(&config);
    let late = SessionHandle::new(config.clone(), vec![header(&jar)], NOW + 7201);
    assert!(late.get::<String>("user").unwrap().is_none());
    let last = SessionHandle::new(config, vec![header(&jar)], NOW + 7200);
    assert!(last.get::<String>("user").unwrap().is_some());
}

#[test]
fn a_php_object_survives_a_rust_write() {
    let bag = r#"O:31:"Illuminate\Support\ViewErrorBag":1:{s:7:" * bags";a:0:{}}"#.replace(" * ", "\0*\0");
    let config = config(KEY, &[], false);
    let h = SessionHandle::new(config.clone(), vec![], NOW);
    h.insert_value("errors", php::decode(bag.as_bytes(), 100).unwrap());
    let jar = browser(&[], h.finish().unwrap().set_cookies());
    let read = SessionHandle::new(config.clone(), vec![header(&jar)], NOW + 1);
    read.insert("user", "alice").unwrap();
    let jar = browser(&jar, read.finish().unwrap().set_cookies());
    let again = SessionHandle::new(config, vec![header(&jar)], NOW + 2);
    let Some(Value::Foreign(f)) = again.get_value("errors") else {
        panic!("the object is gone: {:?}", again.get_value("errors"));
    };
    assert_eq!(
        (f.type_name(), f.encoded()),
        ("Illuminate\\Support\\ViewErrorBag", bag.as_bytes())
    );
}

#[test]
fn tampered_cookies_are_refused_without_a_panic() {
    let config = config(KEY, &[], false);
    let (_, jar) = login(&config);
    for (i, _) in jar.iter().enumerate() {
        // (Not the last character: its unused low bits are not read, by PHP either.)
        for at in [0, 10, 50, jar[i].1.len() / 2, jar[i].1.len() - 3] {
            let mut t = jar.clone();
            let mut bytes = t[i].1.clone().into_bytes();
            bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
            t[i].1 = String::from_utf8(bytes).unwrap();
            let h = SessionHandle::new(config.clone(), vec![header(&t)], NOW + 1);
            assert!(h.get::<String>("user").unwrap().is_none(), "cookie {i} byte {at}");
        }
    }
}

/// Only cookies named like a session id (40 letters and digits) whose value is a Laravel encrypted value are
/// taken for payload cookies: the app's other encrypted cookies (`XSRF-TOKEN`, which `EncryptCookies` encrypts
/// too, and `locale`) and a plain cookie that happens to have an id-like name are left alone by a write.
#[test]
fn a_write_leaves_the_apps_other_cookies_alone() {
    let config = config(KEY, &[], false);
    let (_, mut jar) = login(&config);
    let encrypted = jar[0].1.clone();
    jar.push(("XSRF-TOKEN".into(), encrypted.clone()));
    jar.push(("locale".into(), encrypted));
    jar.push(("a".repeat(40), "plain-value".into()));
    let h = SessionHandle::new(config, vec![header(&jar)], NOW + 60);
    h.insert("role", "admin").unwrap();
    let out = h.finish().unwrap().set_cookies().to_vec();
    let names: Vec<String> = pairs(&out).into_iter().map(|(n, _, _)| n).collect();
    assert_eq!(names.len(), 3, "{out:?}");
    assert!(
        !names
            .iter()
            .any(|n| n == "XSRF-TOKEN" || n == "locale" || *n == "a".repeat(40)),
        "{out:?}"
    );
}
