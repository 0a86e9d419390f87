//! The real actix-session (0.11, `CookieSessionStore`, actix-web 4 and its `cookie` 0.16) as a reference for
//! the actix-session interop. Not part of the library's build.
//!
//! ```text
//! actix-session-ref vectors --out DIR     write DIR/actix_session_known_answers.json and actix_session_tamper.json
//! actix-session-ref vectors --check DIR   the committed files: same cases, and real actix-session still reads
//!                                         every committed cookie as the file records
//! actix-session-ref read FILE             cookies made by our code: real actix-session must read each as expected
//! actix-session-ref serve                 the seed's login pages on actix-session, on 127.0.0.1:$PORT, with
//!                                         SECRET_KEY (hex:/base64:, 64 bytes), SESSION_FORMAT (actix-private,
//!                                         the default, or actix-signed) and SESSION_COOKIE_NAME (default id)
//! ```
//!
//! Cookies are made and read by one request through `SessionMiddleware` (actix-web's test service), exactly as
//! an actix-web app does; the state inside a cookie is shown with actix-web's own `cookie` jar. AES-GCM nonces
//! are random, so `--check` compares the cases' inputs and re-reads the committed cookies instead of comparing
//! bytes.

use std::collections::BTreeMap;
use std::path::Path;

use actix_session::config::CookieContentSecurity;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{Cookie, CookieJar, Key};
use actix_web::{App, HttpResponse, test, web};
use anyhow::{Context as _, Result, bail};
use serde_json::{Value as Json, json};

const KEY_A: [u8; 64] = key_bytes(0x00);
const KEY_B: [u8; 64] = key_bytes(0x5a);

const fn key_bytes(seed: u8) -> [u8; 64] {
    let mut k = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        k[i] = (i as u8).wrapping_mul(7) ^ seed;
        i += 1;
    }
    k
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::from("hex:");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn unhex(text: &str) -> Result<Vec<u8>> {
    let h = text.strip_prefix("hex:").context("keys are hex:...")?;
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).context("bad hex"))
        .collect()
}

fn security(mode: &str) -> Result<CookieContentSecurity> {
    Ok(match mode {
        "private" => CookieContentSecurity::Private,
        "signed" => CookieContentSecurity::Signed,
        other => bail!("unknown mode {other}"),
    })
}

fn middleware(key: &[u8], mode: &str, name: &str) -> Result<SessionMiddleware<CookieSessionStore>> {
    Ok(
        SessionMiddleware::builder(CookieSessionStore::default(), Key::from(key))
            .cookie_name(name.to_owned())
            .cookie_content_security(security(mode)?)
            .cookie_secure(false)
            .build(),
    )
}

/// One request that inserts `inserts` into a fresh session; the cookie value of the `Set-Cookie` actix writes.
async fn make(key: &[u8], mode: &str, name: &str, inserts: &[(String, Json)]) -> Result<String> {
    let inserts = inserts.to_vec();
    let app = test::init_service(App::new().wrap(middleware(key, mode, name)?).route(
        "/",
        web::get().to(move |s: Session| {
            let inserts = inserts.clone();
            async move {
                for (k, v) in inserts {
                    s.insert(k, v).expect("insert");
                }
                HttpResponse::Ok().finish()
            }
        }),
    ))
    .await;
    let resp = test::call_service(&app, test::TestRequest::get().uri("/").to_request()).await;
    let header = resp
        .headers()
        .get("set-cookie")
        .context("actix-session wrote no cookie")?
        .to_str()?;
    let value = header
        .strip_prefix(&format!("{name}="))
        .and_then(|v| v.split(';').next())
        .context("unexpected Set-Cookie")?;
    Ok(value.to_owned())
}

/// What actix-session makes of a `Cookie: name=value` request: the session's entries (raw JSON texts).
async fn read(key: &[u8], mode: &str, name: &str, value: &str) -> Result<BTreeMap<String, String>> {
    let app = test::init_service(App::new().wrap(middleware(key, mode, name)?).route(
        "/",
        web::get().to(|s: Session| async move {
            let entries: BTreeMap<String, String> = s.entries().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            HttpResponse::Ok().json(entries)
        }),
    ))
    .await;
    let req = test::TestRequest::get()
        .uri("/")
        .insert_header(("cookie", format!("{name}={value}")))
        .to_request();
    Ok(test::call_and_read_body_json(&app, req).await)
}

/// The state inside a cookie, opened with actix-web's own `cookie` jar (`None` when it does not open).
fn state(key: &[u8], mode: &str, name: &str, value: &str) -> Option<String> {
    let cookie = Cookie::parse_encoded(format!("{name}={value}")).ok()?.into_owned();
    let mut jar = CookieJar::new();
    jar.add_original(cookie);
    let key = Key::from(key);
    let opened = match mode {
        "private" => jar.private(&key).get(name),
        _ => jar.signed(&key).get(name),
    };
    opened.map(|c| c.value().to_owned())
}

/// A value signed by the real `cookie` jar (for states actix-session itself refuses to write), percent-encoded
/// as actix-session writes it.
fn sign_raw(key: &[u8], name: &str, state: &str) -> String {
    let mut jar = CookieJar::new();
    jar.signed_mut(&Key::from(key))
        .add(Cookie::new(name.to_owned(), state.to_owned()));
    let c = jar.delta().next().expect("added").encoded().to_string();
    c.split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default()
}

struct Spec {
    id: &'static str,
    comment: &'static str,
    mode: &'static str,
    key: [u8; 64],
    name: &'static str,
    /// How the cookie is made (from a real actix-session cookie, changed or not).
    made: Made,
    /// Our settings: current key, fallbacks, cookie name.
    ours_key: [u8; 64],
    ours_fallbacks: Vec<[u8; 64]>,
    ours_name: &'static str,
    /// The key and name real actix-session reads it with.
    read_key: [u8; 64],
    read_name: &'static str,
    expected_error: Option<&'static str>,
    divergence: Option<&'static str>,
}

enum Made {
    Inserts(Vec<(&'static str, Json)>),
    Tamper(Vec<(&'static str, Json)>, fn(&str) -> String),
    SignedRaw(String),
}

fn inserts_basic() -> Vec<(&'static str, Json)> {
    vec![("user_id", json!(42))]
}

fn inserts_rich() -> Vec<(&'static str, Json)> {
    vec![
        ("user_id", json!(42)),
        ("name", json!("Zoë <b>&\"x'</b> 日本 😀")),
        ("roles", json!(["admin", "user"])),
        (
            "prefs",
            json!({"theme": "dark", "size": 1.5, "beta": true, "none": null}),
        ),
        ("ratio", json!(0.1)),
        ("big", json!(12_345_678_901_234_u64)),
    ]
}

fn spec(id: &'static str, comment: &'static str, mode: &'static str, made: Made) -> Spec {
    Spec {
        id,
        comment,
        mode,
        key: KEY_A,
        name: "id",
        made,
        ours_key: KEY_A,
        ours_fallbacks: vec![],
        ours_name: "id",
        read_key: KEY_A,
        read_name: "id",
        expected_error: None,
        divergence: None,
    }
}

fn invalid(mut s: Spec, error: &'static str) -> Spec {
    s.expected_error = Some(error);
    s
}

/// Percent-decoded, one bit flipped at byte `at(len)` of the decoded bytes, and encoded back.
fn flip(value: &str, at: fn(usize) -> usize) -> String {
    use b64::{decode, encode};
    let mut bytes = decode(&percent_decode(value));
    let i = at(bytes.len());
    bytes[i] ^= 0x01;
    percent_encode(&encode(&bytes))
}

fn known_answer_specs() -> Vec<Spec> {
    let mut v = vec![
        spec(
            "actix-private-basic",
            "private jar (actix-session's default), one integer",
            "private",
            Made::Inserts(inserts_basic()),
        ),
        spec(
            "actix-signed-basic",
            "signed jar, one integer: value = base64(HMAC-SHA256) + the state",
            "signed",
            Made::Inserts(inserts_basic()),
        ),
        spec(
            "actix-private-rich",
            "non-ASCII, HTML characters, list, nested object, floats, null, a big integer",
            "private",
            Made::Inserts(inserts_rich()),
        ),
        spec(
            "actix-signed-rich",
            "the same in the signed jar (percent-encoded JSON in the cookie)",
            "signed",
            Made::Inserts(inserts_rich()),
        ),
        spec(
            "actix-private-empty-string",
            "a string value (stored as a JSON string inside the state's string)",
            "private",
            Made::Inserts(vec![("user", json!("alice"))]),
        ),
    ];
    let mut named = spec(
        "actix-private-custom-name",
        "cookie name 'session' (the associated data)",
        "private",
        Made::Inserts(inserts_basic()),
    );
    named.name = "session";
    named.ours_name = "session";
    named.read_name = "session";
    v.push(named);
    let mut fallback = spec(
        "actix-private-fallback-key",
        "made under key A; ours runs key B with A as a fallback (actix-session has no fallbacks: it reads with A)",
        "private",
        Made::Inserts(inserts_basic()),
    );
    fallback.ours_key = KEY_B;
    fallback.ours_fallbacks = vec![KEY_A];
    v.push(fallback);
    let mut fallback = spec(
        "actix-signed-fallback-key",
        "signed under key A; ours runs key B with A as a fallback",
        "signed",
        Made::Inserts(inserts_basic()),
    );
    fallback.ours_key = KEY_B;
    fallback.ours_fallbacks = vec![KEY_A];
    v.push(fallback);
    let mut unbound = spec(
        "actix-signed-other-name",
        "a signed cookie made as 'other' presented as 'id': the signed jar does not bind the name, actix accepts it",
        "signed",
        Made::Inserts(inserts_basic()),
    );
    unbound.name = "other";
    v.push(unbound);
    v
}

fn tamper_specs() -> Vec<Spec> {
    let basic = inserts_basic;
    let mut v = vec![
        invalid(
            spec(
                "actix-private-tamper-nonce",
                "one bit of the nonce flipped",
                "private",
                Made::Tamper(basic(), |c| flip(c, |_| 3)),
            ),
            "bad_signature",
        ),
        invalid(
            spec(
                "actix-private-tamper-ciphertext",
                "one bit of the ciphertext flipped",
                "private",
                Made::Tamper(basic(), |c| flip(c, |_| 14)),
            ),
            "bad_signature",
        ),
        invalid(
            spec(
                "actix-private-tamper-tag",
                "one bit of the tag flipped",
                "private",
                Made::Tamper(basic(), |c| flip(c, |n| n - 2)),
            ),
            "bad_signature",
        ),
        invalid(
            spec(
                "actix-private-truncated",
                "cut to its first 12 bytes (the nonce alone)",
                "private",
                Made::Tamper(basic(), |c| {
                    use b64::{decode, encode};
                    percent_encode(&encode(&decode(&percent_decode(c))[..12]))
                }),
            ),
            "malformed",
        ),
        invalid(
            spec(
                "actix-private-not-base64",
                "not base64",
                "private",
                Made::Tamper(basic(), |_| "%2A%2A%2A".to_owned()),
            ),
            "malformed",
        ),
        invalid(
            spec(
                "actix-signed-tamper-mac",
                "one bit of the MAC flipped",
                "signed",
                Made::Tamper(basic(), |c| {
                    let raw = percent_decode(c);
                    let (mac, value) = raw.split_at(44);
                    let mut bytes = b64::decode(mac);
                    bytes[5] ^= 0x01;
                    percent_encode(&format!("{}{value}", b64::encode(&bytes)))
                }),
            ),
            "bad_signature",
        ),
        invalid(
            spec(
                "actix-signed-tamper-value",
                "the signed state edited: 42 becomes 43",
                "signed",
                Made::Tamper(basic(), |c| percent_encode(&percent_decode(c).replace("42", "43"))),
            ),
            "bad_signature",
        ),
        invalid(
            spec(
                "actix-signed-short",
                "shorter than a MAC",
                "signed",
                Made::Tamper(basic(), |c| c[..20].to_owned()),
            ),
            "malformed",
        ),
        invalid(
            spec(
                "actix-signed-hostile-not-json",
                "validly signed, but the state is not JSON (actix-session logs it and starts an empty session)",
                "signed",
                Made::SignedRaw("{oops".to_owned()),
            ),
            "bad_payload",
        ),
        {
            let mut s = invalid(
                spec(
                    "actix-signed-hostile-value-not-json",
                    "validly signed, a state value that is not JSON (actix-session loads it; Session::get fails on that key)",
                    "signed",
                    Made::SignedRaw(r#"{"user_id":"oops"}"#.to_owned()),
                ),
                "bad_payload",
            );
            s.divergence = Some(
                "actix-session keeps the entry and fails only Session::get of that key; we refuse the whole session \
                 (a value we cannot represent would be lost or changed on the next write)",
            );
            s
        },
        invalid(
            spec(
                "actix-signed-oversized-state",
                "validly signed state over 4064 bytes: actix-session ignores it (SessionKey limit)",
                "signed",
                Made::SignedRaw(format!(r#"{{"blob":"\"{}\""}}"#, "x".repeat(4100))),
            ),
            "bad_payload",
        ),
    ];
    let mut other = invalid(
        spec(
            "actix-private-other-name",
            "a private cookie made as 'other' presented as 'id' (the name is the associated data)",
            "private",
            Made::Inserts(basic()),
        ),
        "bad_signature",
    );
    other.name = "other";
    v.push(other);
    for mode in ["private", "signed"] {
        let mut wrong = invalid(
            spec(
                if mode == "private" {
                    "actix-private-wrong-key"
                } else {
                    "actix-signed-wrong-key"
                },
                "made under key B, read with key A",
                mode,
                Made::Inserts(basic()),
            ),
            "bad_signature",
        );
        wrong.key = KEY_B;
        v.push(wrong);
    }
    v
}

async fn vector(s: &Spec, cookie: &str) -> Result<Json> {
    let entries = read(&s.read_key, s.mode, s.read_name, cookie).await?;
    let inner = state(&s.key, s.mode, s.name, cookie);
    let expected = match s.expected_error {
        Some(e) => json!({"result": "invalid", "error": e}),
        None => {
            let session: serde_json::Map<String, Json> = entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), serde_json::from_str(v)?)))
                .collect::<Result<_>>()?;
            if session.is_empty() {
                bail!("{}: real actix-session read an empty session from a valid cookie", s.id);
            }
            json!({
                "result": "valid",
                "session": session,
                "key": if s.ours_fallbacks.is_empty() { "current" } else { "fallback:0" },
                "rewrite": !s.ours_fallbacks.is_empty(),
                "state": inner,
            })
        }
    };
    Ok(json!({
        "id": s.id,
        "comment": s.comment,
        "mode": s.mode,
        "made_by": {"key": hex(&s.key), "cookie_name": s.name},
        "actix_reader": {"key": hex(&s.read_key), "cookie_name": s.read_name},
        "ours": {
            "key": hex(&s.ours_key),
            "fallbacks": s.ours_fallbacks.iter().map(|k| hex(k)).collect::<Vec<_>>(),
            "cookie_name": s.ours_name,
        },
        "cookie": cookie,
        "state": inner,
        "actix": {"entries": entries},
        "expected": expected,
        "divergence": s.divergence,
    }))
}

async fn make_cookie(s: &Spec) -> Result<String> {
    let owned = |ins: &[(&str, Json)]| {
        ins.iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<Vec<_>>()
    };
    Ok(match &s.made {
        Made::Inserts(ins) => make(&s.key, s.mode, s.name, &owned(ins)).await?,
        Made::Tamper(ins, f) => f(&make(&s.key, s.mode, s.name, &owned(ins)).await?),
        Made::SignedRaw(state) => sign_raw(&s.key, s.name, state),
    })
}

const FILES: [(&str, &str); 2] = [
    (
        "actix_session_known_answers.json",
        "Cookies made by real actix-session 0.11 (CookieSessionStore, actix-web 4's cookie 0.16 jars) and what it \
         reads from them. Keys are cookie::Key's 64 bytes as hex:; cookies are the Set-Cookie value \
         (percent-encoded as the cookie crate writes it); state is the JSON inside.",
    ),
    (
        "actix_session_tamper.json",
        "Real actix-session cookies changed in one place (or states signed by the real cookie jar), and what real \
         actix-session reads from each (an empty entries map: refused).",
    ),
];

fn specs(file: &str) -> Vec<Spec> {
    if file.contains("known") {
        known_answer_specs()
    } else {
        tamper_specs()
    }
}

fn source() -> String {
    "interop/actix-session-ref with actix-session 0.11, actix-web 4 (cookie 0.16)".to_owned()
}

async fn generate(dir: &Path) -> Result<()> {
    for (file, comment) in FILES {
        let mut cases = Vec::new();
        for s in specs(file) {
            cases.push(vector(&s, &make_cookie(&s).await?).await?);
        }
        // The file's format is the private jar's name; each case's `mode` says which jar made it.
        let doc = json!({"file": file, "format": "actix-private", "source": source(), "comment": comment, "cases": cases});
        std::fs::write(dir.join(file), format!("{}\n", serde_json::to_string_pretty(&doc)?))?;
        println!(
            "actix-session vectors: wrote {} cases to {}",
            cases.len(),
            dir.join(file).display()
        );
    }
    Ok(())
}

async fn check(dir: &Path) -> Result<()> {
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, _) in FILES {
        let doc: Json = serde_json::from_str(&std::fs::read_to_string(dir.join(file))?)?;
        let committed: BTreeMap<String, Json> = doc["cases"]
            .as_array()
            .context("cases")?
            .iter()
            .map(|c| (c["id"].as_str().unwrap_or_default().to_owned(), c.clone()))
            .collect();
        let wanted = specs(file);
        if committed.len() != wanted.len() {
            failures.push(format!(
                "{file}: {} cases committed, the generator has {}",
                committed.len(),
                wanted.len()
            ));
        }
        for s in &wanted {
            count += 1;
            let Some(old) = committed.get(s.id) else {
                failures.push(format!("{file}: {} missing", s.id));
                continue;
            };
            // The committed cookie, read by real actix-session now, must give what the file records.
            let fresh = vector(s, old["cookie"].as_str().context("cookie")?).await?;
            if fresh != *old {
                failures.push(format!(
                    "{}: the file says\n  {old}\nreal actix-session now gives\n  {fresh}",
                    s.id
                ));
            }
            // A freshly made cookie must read the same way (the cookie bytes are random for private cookies).
            // (actix-session keeps the state in a HashMap, so the state's key order may differ: not compared.)
            let mut again = vector(s, &make_cookie(s).await?).await?;
            let mut old_expected = old["expected"].clone();
            for e in [&mut again["expected"], &mut old_expected] {
                if let Some(o) = e.as_object_mut() {
                    o.remove("state");
                }
            }
            if again["actix"] != old["actix"] || again["expected"] != old_expected {
                failures.push(format!("{}: a freshly made cookie reads as {}", s.id, again["actix"]));
            }
        }
    }
    for f in &failures {
        eprintln!("actix-session vectors: FAIL {f}");
    }
    println!(
        "actix-session vectors: {} passed, {} failed (committed cookies re-read by real actix-session)",
        count - failures.len(),
        failures.len()
    );
    if !failures.is_empty() {
        bail!("actix-session vectors differ");
    }
    Ok(())
}

/// Cookies made by our code: real actix-session must read each to the expected entries (or refuse it).
async fn read_ours(file: &Path) -> Result<()> {
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(file)?)?;
    let cases = doc["cases"].as_array().context("cases")?;
    let mut failures = Vec::new();
    for c in cases {
        let s = |k: &str| c[k].as_str().unwrap_or_default().to_owned();
        let entries = read(&unhex(&s("key"))?, &s("mode"), &s("cookie_name"), &s("cookie")).await?;
        let want: BTreeMap<String, String> = serde_json::from_value(c["actix_expected"].clone())?;
        let ok = entries == want;
        println!("  {:<44} {}", s("id"), if ok { "ok" } else { "FAILED" });
        if !ok {
            failures.push(format!(
                "{}: real actix-session reads {entries:?}, expected {want:?}",
                s("id")
            ));
        }
    }
    for f in &failures {
        eprintln!("actix-session read: FAIL {f}");
    }
    println!(
        "actix-session read (our cookies in real actix-session): {} passed, {} failed",
        cases.len() - failures.len(),
        failures.len()
    );
    if !failures.is_empty() {
        bail!("real actix-session did not read our cookies as expected");
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    Cookie::parse_encoded(format!("x={s}"))
        .map(|c| c.value().to_owned())
        .unwrap_or_else(|_| s.to_owned())
}

fn percent_encode(s: &str) -> String {
    let c = Cookie::new("x", s.to_owned()).encoded().to_string();
    c.split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default()
}

mod b64 {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    pub fn encode(bytes: &[u8]) -> String {
        STANDARD.encode(bytes)
    }

    pub fn decode(text: &str) -> Vec<u8> {
        STANDARD.decode(text).expect("a real cookie is base64")
    }
}

/// MarkupSafe's `escape`, as the seed app's pages use it.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

async fn index(s: Session) -> HttpResponse {
    let body = match s.get::<String>("username") {
        Ok(Some(name)) => format!("Logged in as {}", escape(&name)),
        _ => "You are not logged in".to_owned(),
    };
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(body)
}

async fn login_form() -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(
        "<form method=\"post\">\n    <p><input type=\"text\" name=\"username\">\n    <p><input type=\"submit\" value=\"Login\">\n</form>\n",
    )
}

async fn login(s: Session, form: web::Form<BTreeMap<String, String>>) -> HttpResponse {
    match form.get("username") {
        Some(name) if s.insert("username", name).is_ok() => {
            HttpResponse::Found().insert_header(("location", "/")).finish()
        }
        _ => HttpResponse::BadRequest().body("username missing"),
    }
}

async fn logout(s: Session) -> HttpResponse {
    s.remove("username");
    HttpResponse::Found().insert_header(("location", "/")).finish()
}

/// The seed app (Flask's quickstart "Sessions") on actix-session, for `cargo xtask interop`.
async fn serve() -> Result<()> {
    let key = unhex_or_base64(&std::env::var("SECRET_KEY").context("SECRET_KEY is not set")?)?;
    if key.len() < 64 {
        bail!(
            "SECRET_KEY must be a cookie::Key's 64 bytes (hex: or base64:), got {}",
            key.len()
        );
    }
    let mode = match std::env::var("SESSION_FORMAT").as_deref() {
        Ok("actix-signed") => "signed",
        Ok("actix-private") | Err(_) => "private",
        Ok(other) => bail!("SESSION_FORMAT {other:?}: use actix-private or actix-signed"),
    };
    let name = std::env::var("SESSION_COOKIE_NAME").unwrap_or_else(|_| "id".to_owned());
    let port: u16 = std::env::var("PORT")
        .unwrap_or_else(|_| "8080".to_owned())
        .parse()
        .context("PORT")?;
    middleware(&key, mode, &name)?; // fails early on a bad setting
    println!("actix-session-ref: serving the seed app on 127.0.0.1:{port} ({mode}, cookie {name})");
    actix_web::HttpServer::new(move || {
        App::new()
            .wrap(middleware(&key, mode, &name).expect("checked above"))
            .route("/", web::get().to(index))
            .route("/login", web::get().to(login_form))
            .route("/login", web::post().to(login))
            .route("/logout", web::get().to(logout))
    })
    .workers(1)
    .bind(("127.0.0.1", port))?
    .run()
    .await?;
    Ok(())
}

fn unhex_or_base64(text: &str) -> Result<Vec<u8>> {
    use base64::Engine as _;
    match text.strip_prefix("base64:") {
        Some(b) => Ok(base64::engine::general_purpose::STANDARD.decode(b)?),
        None => unhex(text),
    }
}

#[actix_web::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["vectors", "--out", dir] => generate(Path::new(dir)).await,
        ["vectors", "--check", dir] => check(Path::new(dir)).await,
        ["read", file] => read_ours(Path::new(file)).await,
        ["serve"] => serve().await,
        _ => bail!("usage: actix-session-ref vectors --out DIR | vectors --check DIR | read FILE | serve"),
    }
}
