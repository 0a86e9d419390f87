//! `doctor`: which registered formats a cookie has the shape of and, with keys, which format, key, salt, digest
//! and cookie name verify it, or the most specific reason none does.
//!
//! Everything here goes through the core's registry ([`Format::ALL`], [`Format::defaults`]) and its codecs
//! ([`CookieCodec::encrypted`], [`CookieCodec::decode_claimed`]): a format added to the registry is diagnosed
//! with no change here. What the CLI adds is the search: the same cookie tried under other signer settings,
//! other key forms and other formats, each answer a typed [`SessionError`] from the core.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use clap::Args;
use session_core::{
    Claimed, CookieCodec, Decoded, Digest, Format, KeyDerivation, KeyId, Keyring, SecretKey, SessionError,
    SignerOptions,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::keys::GivenKey;
use crate::{Failure, Target, cookie_arg, header_lines, print_line, session_json, set_cookie, unix_now};

/// The most bytes of `name=value` a browser keeps for one cookie (RFC 6265bis; Chrome, Firefox and Safari).
pub const BROWSER_COOKIE_LIMIT: usize = 4096;

/// Salts tried besides each format's default: the signing libraries' own defaults, which an application gets
/// when it signs with the library directly instead of through its session backend.
const LIBRARY_SALTS: &[&str] = &["itsdangerous", "django.core.signing", "cookie-session"];

/// The well-known published keys `--weak-keys` tries (one a line, `#` comments, key syntax: text, `hex:`,
/// `base64:`).
const WEAK_KEYS: &str = include_str!("weak_keys.txt");

/// `doctor`'s options.
#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// The time to check the cookie against, in Unix seconds (default: now).
    #[arg(long, value_name = "UNIX")]
    now: Option<u64>,
    /// Oldest accepted cookie in seconds (default: the format's lifetime).
    #[arg(long, value_name = "SECONDS")]
    max_age: Option<u64>,
    /// Read a whole `Cookie` header value from stdin (as `verify --cookie-header` does).
    #[arg(long, conflicts_with = "cookie")]
    cookie_header: bool,
    /// Also try the well-known published keys (documentation and tutorial keys) in every registered format.
    #[arg(long)]
    weak_keys: bool,
    /// More keys for --weak-keys, one a line (`#` starts a comment; key syntax: text, `hex:`, `base64:`).
    #[arg(long, value_name = "PATH", requires = "weak_keys")]
    weak_keys_file: Vec<PathBuf>,
    /// Compare two services' `Set-Cookie` lines instead: a file of them (`-`: stdin), pasted from the browser
    /// or `curl -si`; give two (or one and one --url).
    #[arg(long, value_name = "PATH", conflicts_with_all = ["cookie", "cookie_header"])]
    set_cookie: Vec<String>,
    /// Compare the `Set-Cookie` lines a running service answers to a GET of this http:// URL (loopback
    /// addresses, or hosts named with --allow-host); give two (or one and one --set-cookie).
    #[arg(long, value_name = "URL", conflicts_with_all = ["cookie", "cookie_header"])]
    url: Vec<String>,
    /// A host --url may fetch from besides loopback addresses.
    #[arg(long, value_name = "HOST")]
    allow_host: Vec<String>,
    /// `-` to read the cookie from stdin, or the value; `name=value` (as devtools copies it) and a whole
    /// `Cookie` header (`a=1; session=...`) work too.
    #[arg(value_name = "COOKIE", required_unless_present_any = ["cookie_header", "set_cookie", "url"])]
    cookie: Option<String>,
}

/// Why a cookie is not accepted as asked, most specific first: the stable name (`reason: <name>` on stdout)
/// and the sentence that says what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No registered format has this value's shape (or not the format asked for, and no other verifies).
    Malformed(String),
    /// The signature (or the encryption's tag) matches none of the keys under any default salt and digest.
    BadSignature(String),
    /// It verifies with other signer settings (salt, digest, key derivation).
    OtherSigner(String),
    /// It verifies with the key in another form (its text instead of its hex-decoded bytes, or the reverse).
    KeyForm(String),
    /// It verifies as another format.
    OtherFormat(String),
    /// It verifies but is past its max age or sealed expiry (or signed in the future).
    Expired(String),
    /// It verifies but was made for another cookie name (Rails' purpose).
    WrongPurpose(String),
    /// It verifies but its payload does not decode.
    BadPayload(String),
    /// The key cannot be used by the format (e.g. actix-session's 64 bytes).
    KeyUnusable(String),
    /// It is larger than browsers keep.
    TooLarge(String),
    /// A well-known published key signs it.
    WeakKey(String),
}

impl Reason {
    /// The stable name printed as `reason: <name>`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::BadSignature(_) => "bad-signature",
            Self::OtherSigner(_) => "other-signer",
            Self::KeyForm(_) => "key-form",
            Self::OtherFormat(_) => "other-format",
            Self::Expired(_) => "expired",
            Self::WrongPurpose(_) => "wrong-purpose",
            Self::BadPayload(_) => "bad-payload",
            Self::KeyUnusable(_) => "key-unusable",
            Self::TooLarge(_) => "too-large",
            Self::WeakKey(_) => "weak-key",
        }
    }

    /// What to do about it.
    fn text(&self) -> &str {
        match self {
            Self::Malformed(t)
            | Self::BadSignature(t)
            | Self::OtherSigner(t)
            | Self::KeyForm(t)
            | Self::OtherFormat(t)
            | Self::Expired(t)
            | Self::WrongPurpose(t)
            | Self::BadPayload(t)
            | Self::KeyUnusable(t)
            | Self::TooLarge(t)
            | Self::WeakKey(t) => t,
        }
    }
}

/// The cookie as given: its name when known, and what each format finds of it.
struct Subject {
    /// The cookie's name: from `name=value` or the header; `None` for a bare value.
    name: Option<String>,
    /// The bare value, for a single value.
    value: Option<String>,
    /// The `Cookie` header lines, for `--cookie-header` or a pasted header.
    header: Option<Vec<Vec<u8>>>,
}

impl Subject {
    /// The cookie name `format` is checked under: `--cookie-name`, the pasted name, or the format's default (a
    /// format without one is checked under `session`: pass --cookie-name where its name is sealed in).
    fn cookie_name(&self, target: &Target<'_>, format: Format) -> String {
        let name = target
            .cookie_name
            .map(str::to_owned)
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| format.defaults().cookie_name.to_owned());
        if name.is_empty() { "session".to_owned() } else { name }
    }

    /// What `codec` finds: the value as its main cookie, or its cookies in the header.
    fn claimed(&self, codec: &CookieCodec) -> Claimed {
        match (&self.header, &self.value) {
            (Some(lines), _) => codec.claim(lines),
            (None, Some(value)) => Claimed::main(value.clone()),
            (None, None) => Claimed::default(),
        }
    }
}

/// A key or keys as tried: the keyring and how each of its keys is named in the report.
struct Ring {
    keyring: Keyring,
    labels: Vec<String>,
}

impl Ring {
    fn from_keys(keys: Vec<(SecretKey, String)>) -> Option<Self> {
        let mut it = keys.into_iter();
        let (current, label) = it.next()?;
        let (rest, mut labels): (Vec<SecretKey>, Vec<String>) = it.unzip();
        labels.insert(0, label);
        Some(Self {
            keyring: Keyring::new(current).with_fallbacks(rest),
            labels,
        })
    }

    fn label(&self, id: KeyId) -> &str {
        let i = match id {
            KeyId::Current => 0,
            KeyId::Fallback(i) => i + 1,
        };
        self.labels.get(i).map_or("?", String::as_str)
    }
}

/// One try: the codec's answer.
enum Tried {
    /// The format's codec cannot be built with this key or these settings.
    Unusable(SessionError),
    /// The cookie opened.
    Opened(Box<Decoded>),
    /// Refused, with the core's reason.
    Refused(SessionError),
}

impl Tried {
    /// Whether the key and settings authenticated the cookie (it opened, or was refused only after that).
    fn authentic(&self) -> bool {
        match self {
            Self::Opened(_) => true,
            Self::Refused(e) => matches!(
                e,
                SessionError::Expired { .. }
                    | SessionError::FromTheFuture { .. }
                    | SessionError::ExpiredAt { .. }
                    | SessionError::WrongPurpose { .. }
                    | SessionError::BadPayload(_)
                    | SessionError::PayloadTooLarge { .. }
            ),
            Self::Unusable(_) => false,
        }
    }
}

/// Tries `format` with `ring` and `options` on the subject.
fn attempt(
    format: Format,
    ring: &Keyring,
    options: SignerOptions,
    name: &str,
    subject: &Subject,
    now: u64,
    max_age: Option<u64>,
) -> Tried {
    let codec = match CookieCodec::encrypted(format, ring, options, name, 0) {
        Ok(codec) => codec,
        Err(e) => return Tried::Unusable(e),
    };
    let claimed = subject.claimed(&codec);
    if !claimed.has_value() {
        return Tried::Refused(SessionError::Malformed("no cookie of this format"));
    }
    match codec.decode_claimed(&claimed, now, max_age) {
        Ok(decoded) => Tried::Opened(Box::new(decoded)),
        Err(e) => Tried::Refused(e),
    }
}

/// A throwaway 64-byte key (every format's length works with it) for the shape test.
fn throwaway_ring() -> Keyring {
    #[allow(clippy::expect_used, reason = "64 bytes is above every minimum")]
    Keyring::new(SecretKey::new(vec![0x5a; 64]).expect("64 bytes"))
}

/// The formats whose cookies this value has the shape of: a signed format reads its payload without the key;
/// an encrypted one gets past its parser to the authentication with a throwaway key.
fn shapes(target: &Target<'_>, subject: &Subject, now: u64) -> Vec<Format> {
    let ring = throwaway_ring();
    Format::ALL
        .iter()
        .copied()
        .filter(|&format| {
            let name = subject.cookie_name(target, format);
            if !format.is_encrypted()
                && let Some(value) = &subject.value
            {
                // A session that spans several cookies cannot be verified from its main one, but its shape shows.
                return format
                    .decode_unverified(value, session_core::DEFAULT_MAX_DECOMPRESSED)
                    .is_ok();
            }
            match attempt(format, &ring, format.defaults().signer, &name, subject, now, None) {
                Tried::Opened(_) => true,
                Tried::Refused(e) => !matches!(e, SessionError::Malformed(_)),
                Tried::Unusable(_) => false,
            }
        })
        .collect()
}

/// Every signer setting worth trying: each registered format's default salt and the libraries' own, every
/// digest and key derivation.
fn signer_variants() -> Vec<SignerOptions> {
    let mut salts: Vec<String> = Format::ALL.iter().map(|f| f.defaults().signer.salt).collect();
    salts.extend(LIBRARY_SALTS.iter().map(|s| (*s).to_owned()));
    let mut seen = Vec::new();
    salts.retain(|s| {
        let new = !seen.contains(s);
        seen.push(s.clone());
        new
    });
    let digests = [Digest::Sha1, Digest::Sha256, Digest::Sha512];
    let derivations = ["hmac", "django-concat", "concat", "none"]
        .iter()
        .filter_map(|n| KeyDerivation::from_name(n).ok())
        .collect::<Vec<_>>();
    let mut out = Vec::new();
    for salt in &salts {
        for &digest in &digests {
            for &key_derivation in &derivations {
                out.push(SignerOptions {
                    digest,
                    key_derivation,
                    salt: salt.clone(),
                });
            }
        }
    }
    out
}

/// The other forms a key text may have been meant in, each with the sentence that says so.
fn key_forms(text: &str) -> Vec<(Zeroizing<Vec<u8>>, &'static str)> {
    use base64::Engine as _;
    let mut out = Vec::new();
    let digits = |t: &str| t.len() >= 32 && t.len() % 2 == 0 && t.bytes().all(|b| b.is_ascii_hexdigit());
    if let Some(rest) = text.strip_prefix("hex:").or_else(|| text.strip_prefix("base64:")) {
        out.push((
            Zeroizing::new(text.as_bytes().to_vec()),
            "the key was given with its hex:/base64: prefix decoded, but the framework uses the key's text as-is \
             (prefix included): drop the prefix on both sides (a text key), or give this side the text's own bytes \
             (SecretKey::new(text.as_bytes()) in code)",
        ));
        out.push((
            Zeroizing::new(rest.as_bytes().to_vec()),
            "the framework uses the key's text without the hex:/base64: prefix: give that text as the key (no \
             prefix) on this side",
        ));
    } else if digits(text) {
        let bytes: Vec<u8> = (0..text.len())
            .step_by(2)
            .filter_map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect();
        out.push((
            Zeroizing::new(bytes),
            "the key was given as text, but the framework uses its hex-decoded bytes: prefix it with hex:",
        ));
    } else if text.len() >= 24
        && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text)
    {
        out.push((
            Zeroizing::new(bytes),
            "the key was given as text, but the framework uses its base64-decoded bytes: prefix it with base64:",
        ));
    }
    out
}

/// How a session is described when it verified.
fn describe(
    out: &mut String,
    format: Format,
    codec_options: &SignerOptions,
    name: &str,
    ring: &Ring,
    decoded: &Decoded,
    now: u64,
) {
    let _ = writeln!(out, "verified: format {format}, cookie name {name:?}");
    let _ = writeln!(out, "key: {}", ring.label(decoded.key));
    // What the signature depends on, as the registry says: the signer settings, or the framework's fixed scheme.
    match format.fixed_signature() {
        Some(scheme) => {
            let _ = writeln!(out, "signer: {scheme}");
        }
        None => {
            let _ = writeln!(
                out,
                "signer: salt {:?}, digest {}, key derivation {}",
                codec_options.salt,
                digest_name(codec_options.digest),
                derivation_name(codec_options.key_derivation)
            );
        }
    }
    if let Some(ts) = decoded.timestamp {
        let _ = writeln!(
            out,
            "signed at: {} (age {} s)",
            rfc3339(ts),
            now as i128 - i128::from(ts)
        );
    }
    if decoded.rewrite {
        let _ = writeln!(
            out,
            "note: opened with the other key derivation; the framework writes it again"
        );
    }
}

fn digest_name(d: Digest) -> &'static str {
    match d {
        Digest::Sha256 => "sha256",
        Digest::Sha512 => "sha512",
        _ => "sha1",
    }
}

fn derivation_name(k: KeyDerivation) -> &'static str {
    match k {
        KeyDerivation::Concat => "concat",
        KeyDerivation::DjangoConcat => "django-concat",
        KeyDerivation::None => "none",
        _ => "hmac",
    }
}

fn rfc3339(ts: u64) -> String {
    i64::try_from(ts)
        .ok()
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("Unix {ts}"))
}

/// The reason for a refusal that came after the key authenticated the cookie.
fn post_verification(format: Format, e: &SessionError, now: u64) -> Reason {
    match e {
        SessionError::Expired { age, max_age } => {
            let by = age.saturating_sub(*max_age);
            let at = now.saturating_sub(by);
            Reason::Expired(format!(
                "the {format} cookie verifies but expired at {} (Unix {at}) by {} s: it is {age} s old and the max \
                 age is {max_age} s (--max-age; the framework's session lifetime)",
                rfc3339(at),
                by
            ))
        }
        SessionError::FromTheFuture { ahead } => Reason::Expired(format!(
            "the {format} cookie verifies but was signed {ahead} s in the future: the clocks of the servers sharing \
             the key differ (or --now is wrong)"
        )),
        SessionError::ExpiredAt { at } => Reason::Expired(format!(
            "the {format} cookie verifies but expired at {} (Unix {at}, the expiry sealed inside it) by {} s",
            rfc3339(u64::try_from(*at).unwrap_or_default()),
            i128::from(now) - i128::from(*at)
        )),
        SessionError::WrongPurpose { expected, found } => {
            let hint = found
                .strip_prefix("cookie.")
                .map(|n| {
                    format!(": the other side names the cookie {n:?}; pass --cookie-name {n} (or rename it there)")
                })
                .unwrap_or_default();
            Reason::WrongPurpose(format!(
                "the {format} cookie verifies but its purpose is {found:?}, not {expected:?}{hint}"
            ))
        }
        other => Reason::BadPayload(format!(
            "the {format} cookie verifies (the key is right) but its content is refused: {other}"
        )),
    }
}

/// The whole diagnosis: the report's lines and the reason, if any.
struct Diagnosis {
    report: String,
    reasons: Vec<Reason>,
}

/// `doctor`.
pub fn doctor(target: &Target<'_>, format_given: bool, args: DoctorArgs) -> Result<(), Failure> {
    let now = args.now.map_or_else(unix_now, Ok)?;
    if !args.set_cookie.is_empty() || !args.url.is_empty() {
        return compare_sides(target, &args, now);
    }
    let subject = read_subject(args.cookie_header, args.cookie)?;
    let keys = target.keys.given()?;
    let mut weak = Vec::new();
    if args.weak_keys {
        weak = weak_keys(&args.weak_keys_file)?;
    }
    let diagnosis = diagnose(target, format_given, subject, keys, &weak, now, args.max_age);
    let mut out = diagnosis.report;
    for reason in &diagnosis.reasons {
        let _ = writeln!(out, "reason: {}\n  {}", reason.name(), reason.text());
    }
    print_line(out.trim_end())?;
    if diagnosis.reasons.is_empty() {
        Ok(())
    } else {
        Err(Failure::Reported)
    }
}

/// `--set-cookie` / `--url`: the two sides compared.
fn compare_sides(target: &Target<'_>, args: &DoctorArgs, now: u64) -> Result<(), Failure> {
    if args.set_cookie.len() + args.url.len() != 2 {
        return Err(anyhow!(
            "--set-cookie and --url compare two services: give two of them in all (got {})",
            args.set_cookie.len() + args.url.len()
        )
        .into());
    }
    let mut sides = Vec::new();
    for (i, path) in args.set_cookie.iter().enumerate() {
        sides.push(set_cookie::from_file(target, path, ["A", "B"][i], now)?);
    }
    for url in &args.url {
        let label = ["A", "B"][sides.len()];
        sides.push(set_cookie::from_url(target, url, &args.allow_host, label, now)?);
    }
    let (report, problems) = set_cookie::compare(&sides[0], &sides[1]);
    print_line(report.trim_end())?;
    if problems == 0 { Ok(()) } else { Err(Failure::Reported) }
}

/// The formats whose cookies a value named `name` has the shape of.
pub fn value_shapes(target: &Target<'_>, name: &str, value: &str, now: u64) -> Vec<Format> {
    let subject = Subject {
        name: Some(name.to_owned()),
        value: Some(value.to_owned()),
        header: None,
    };
    shapes(target, &subject, now)
}

/// The cookie from the arguments or stdin: a bare value, `name=value`, or a `Cookie` header.
fn read_subject(cookie_header: bool, cookie: Option<String>) -> anyhow::Result<Subject> {
    if cookie_header {
        return Ok(Subject {
            name: None,
            value: None,
            header: Some(header_lines()?),
        });
    }
    let text = cookie_arg(cookie.unwrap_or_else(|| "-".to_owned()))?;
    let lower = text.get(..7).map(str::to_ascii_lowercase);
    if lower.as_deref() == Some("cookie:") || text.contains("; ") {
        let line = if lower.as_deref() == Some("cookie:") {
            &text[7..]
        } else {
            &text[..]
        };
        return Ok(Subject {
            name: None,
            value: None,
            header: Some(vec![line.trim().as_bytes().to_vec()]),
        });
    }
    Ok(Subject {
        name: None,
        value: Some(text),
        header: None,
    })
}

/// `verify`'s one-line pointer to `doctor` when a refused value carries a `name=` prefix or has another
/// signed format's shape (its payload reads) and not the one asked for (`None` otherwise).
pub fn verify_hint(target: &Target<'_>, value: Option<&str>, header: Option<&[Vec<u8>]>, now: u64) -> Option<String> {
    let subject = Subject {
        name: None,
        value: value.map(str::to_owned),
        header: header.map(<[Vec<u8>]>::to_vec),
    };
    let shaped = shapes(target, &subject, now);
    // An encrypted format's shape is weak evidence (actix-session's private jar takes any long base64): the
    // hint names only formats whose payload reads.
    let others: Vec<&str> = shaped
        .iter()
        .filter(|&&f| f != target.format && !f.is_encrypted())
        .map(|f| f.name())
        .collect();
    if let Some((name, _)) = value.and_then(split_name)
        && !shaped.contains(&target.format)
    {
        return Some(format!(
            "hint: the value starts with `{name}=`: give only what follows `=`, or the whole header with \
             --cookie-header; `session-cookie doctor` explains refusals"
        ));
    }
    // A value that has the shape asked for as well is most likely that format's, tampered or under another key.
    if others.is_empty() || shaped.contains(&target.format) {
        return None;
    }
    Some(format!(
        "hint: the value has the shape of {} cookies, not {}'s; `session-cookie doctor` says which format and key \
         verify it",
        others.join(" or "),
        target.format
    ))
}

/// The `name` and value of `name=value`, where the text before `=` is a cookie name (an RFC 6265 token).
pub fn split_name(value: &str) -> Option<(&str, &str)> {
    let (name, rest) = value.split_once('=')?;
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    (!name.is_empty() && !rest.is_empty() && name.bytes().all(token)).then_some((name, rest))
}

/// A `name=value` whose value has a shape the whole text has not (or whose name is a format's cookie name):
/// the name is the cookie's, as devtools copies it.
fn strip_name(target: &Target<'_>, subject: Subject, now: u64, report: &mut String) -> Subject {
    let Some((name, rest)) = subject.value.as_deref().and_then(split_name) else {
        return subject;
    };
    let stripped = Subject {
        name: Some(name.to_owned()),
        value: Some(rest.to_owned()),
        header: None,
    };
    let known = Format::ALL.iter().any(|f| f.defaults().cookie_name == name) || target.cookie_name == Some(name);
    let whole_has_shape = !shapes(target, &subject, now).is_empty();
    let is_a_name = known || !shapes(target, &stripped, now).is_empty();
    if whole_has_shape || !is_a_name {
        return subject;
    }
    let _ = writeln!(
        report,
        "note: the value starts with the cookie's name ({name}=): read as the cookie {name:?}; `verify` takes only \
         what follows `=` (or the whole header with --cookie-header)"
    );
    stripped
}

/// A `Cookie` header in which no format finds its cookie by name: the one cookie in it that has a registered
/// format's shape, read under its own name (the application renamed its cookie).
fn pick_from_header(target: &Target<'_>, subject: Subject, now: u64, report: &mut String) -> Subject {
    let Some(lines) = &subject.header else {
        return subject;
    };
    if !shapes(target, &subject, now).is_empty() {
        return subject;
    }
    let mut found: Vec<Subject> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for pair in lines.iter().flat_map(|l| l.split(|&b| b == b';')) {
        let pair = String::from_utf8_lossy(pair.trim_ascii()).into_owned();
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        names.push(name.to_owned());
        let one = Subject {
            name: Some(name.to_owned()),
            value: Some(value.to_owned()),
            header: None,
        };
        if !shapes(target, &one, now).is_empty() {
            found.push(one);
        }
    }
    let wanted = target.cookie_name.unwrap_or(target.format.defaults().cookie_name);
    let _ = writeln!(
        report,
        "note: the Cookie header has no session cookie under a format's name ({wanted:?} for {}; cookies in it: {})",
        target.format,
        names.join(", ")
    );
    match found.len() {
        1 => {
            let one = found.remove(0);
            let _ = writeln!(
                report,
                "note: reading the cookie {:?}, the one with a registered format's shape; pass --cookie-name {} \
                 to verify it",
                one.name.as_deref().unwrap_or_default(),
                one.name.as_deref().unwrap_or_default()
            );
            one
        }
        _ => subject,
    }
}

/// The diagnosis of `subject` (the report is built here; nothing is printed).
fn diagnose(
    target: &Target<'_>,
    format_given: bool,
    subject: Subject,
    keys: Option<Vec<GivenKey>>,
    weak: &[(SecretKey, String)],
    now: u64,
    max_age: Option<u64>,
) -> Diagnosis {
    let mut report = String::new();
    let mut reasons = Vec::new();
    let subject = strip_name(target, subject, now, &mut report);
    let subject = &pick_from_header(target, subject, now, &mut report);
    let shaped = shapes(target, subject, now);
    let names: Vec<&str> = shaped.iter().map(|f| f.name()).collect();
    let _ = writeln!(
        report,
        "shape: {}",
        if names.is_empty() {
            "none of the registered formats".to_owned()
        } else {
            names.join(", ")
        }
    );
    too_large(target, subject, &mut reasons);

    let expected = target.format;
    let Some(keys) = keys else {
        let _ = writeln!(
            report,
            "keys: none given (--key-env, --key-file, --fallback-key-env); only the shape was checked"
        );
        if shaped.is_empty() || (format_given && !shaped.contains(&expected)) {
            reasons.insert(0, not_shaped(expected, &shaped, subject, target, now));
        }
        weak_check(target, subject, weak, now, &mut report, &mut reasons);
        return Diagnosis { report, reasons };
    };
    let ring =
        Ring::from_keys(keys.iter().map(|k| (k.key.clone(), k.text.label.clone())).collect()).unwrap_or_else(|| Ring {
            keyring: throwaway_ring(),
            labels: Vec::new(),
        });
    let lifetime = |f: Format| f.carries_timestamp().then(|| max_age.unwrap_or(f.defaults().lifetime));
    let options = |f: Format| {
        let mut o = f.defaults().signer;
        if let Some(d) = target.digest {
            o.digest = d;
        }
        o
    };

    // The format asked for (every format when none was), as configured.
    let order: Vec<Format> = if format_given {
        vec![expected]
    } else {
        let mut o: Vec<Format> = shaped.clone();
        o.extend(Format::ALL.iter().copied().filter(|f| !shaped.contains(f)));
        o
    };
    let mut first: Option<(Format, Tried)> = None;
    for &format in &order {
        let name = subject.cookie_name(target, format);
        let tried = attempt(
            format,
            &ring.keyring,
            options(format),
            &name,
            subject,
            now,
            lifetime(format),
        );
        if let Tried::Opened(decoded) = &tried {
            describe(&mut report, format, &options(format), &name, &ring, decoded, now);
            let codec = CookieCodec::encrypted(format, &ring.keyring, options(format), &name, 0)
                .unwrap_or_else(|_| CookieCodec::for_format(format, &ring.keyring, options(format)));
            let session = session_json(format, &codec, &decoded.data);
            let _ = writeln!(report, "session: {session}");
            weak_check(target, subject, weak, now, &mut report, &mut reasons);
            return Diagnosis { report, reasons };
        }
        if tried.authentic() {
            reasons.insert(0, post_verification(format, refusal(&tried), now));
            return Diagnosis { report, reasons };
        }
        if first.is_none()
            || (matches!(first, Some((_, Tried::Refused(SessionError::Malformed(_))))) && shaped.contains(&format))
        {
            first = Some((format, tried));
        }
    }
    let (format, first) = first.unwrap_or((expected, Tried::Refused(SessionError::BadSignature)));
    let name = subject.cookie_name(target, format);
    reasons.insert(
        0,
        search(
            target, subject, &ring, &keys, format, &name, &first, &shaped, now, &lifetime,
        ),
    );
    weak_check(target, subject, weak, now, &mut report, &mut reasons);
    Diagnosis { report, reasons }
}

/// The error inside a refusal.
fn refusal(tried: &Tried) -> &SessionError {
    match tried {
        Tried::Refused(e) | Tried::Unusable(e) => e,
        Tried::Opened(_) => &SessionError::BadSignature,
    }
}

/// When the format asked for refused the cookie's signature or shape: other formats, other key forms, other
/// signer settings, in that order; the first that authenticates it is the reason.
#[allow(
    clippy::too_many_arguments,
    reason = "one search over the subject, the keys and the first answer"
)]
fn search(
    target: &Target<'_>,
    subject: &Subject,
    ring: &Ring,
    keys: &[GivenKey],
    format: Format,
    name: &str,
    first: &Tried,
    shaped: &[Format],
    now: u64,
    lifetime: &dyn Fn(Format) -> Option<u64>,
) -> Reason {
    let asked = {
        let mut o = format.defaults().signer;
        if let Some(d) = target.digest {
            o.digest = d;
        }
        o
    };
    // 1. Other formats with the same keys.
    for &other in Format::ALL.iter().filter(|&&f| f != format) {
        let other_name = subject.cookie_name(target, other);
        let tried = attempt(
            other,
            &ring.keyring,
            other.defaults().signer,
            &other_name,
            subject,
            now,
            lifetime(other),
        );
        if tried.authentic() {
            let key = match &tried {
                Tried::Opened(d) => format!(" with the {} key", ring.label(d.key)),
                _ => String::new(),
            };
            return Reason::OtherFormat(format!(
                "the cookie verifies as {other} ({}){key}, not as {format}: pass --format {other}, or make both \
                 sides use one format",
                other.framework()
            ));
        }
    }
    // 2. The keys in another form.
    for (i, given) in keys.iter().enumerate() {
        for (bytes, why) in key_forms(&given.text.text) {
            let Ok(alt) = SecretKey::insecure_short(bytes.to_vec()) else {
                continue;
            };
            let mut others: Vec<SecretKey> = keys.iter().map(|k| k.key.clone()).collect();
            others[i] = alt;
            let mut it = others.into_iter();
            let Some(current) = it.next() else { continue };
            let keyring = Keyring::new(current).with_fallbacks(it);
            let tried = attempt(format, &keyring, asked.clone(), name, subject, now, lifetime(format));
            if tried.authentic() {
                return Reason::KeyForm(format!(
                    "the {format} cookie verifies with the {} key in another form: {why}",
                    given.text.label
                ));
            }
        }
    }
    // 3. The same format and keys, other signer settings.
    if !matches!(first, Tried::Refused(SessionError::Malformed(_))) {
        for options in signer_variants() {
            // Encrypted formats derive their keys their own way: of the signer settings only the digest may
            // apply (Rails' key derivation).
            let ignored =
                format.is_encrypted() && (options.salt != asked.salt || options.key_derivation != asked.key_derivation);
            if options == asked || ignored {
                continue;
            }
            let tried = attempt(format, &ring.keyring, options.clone(), name, subject, now, None);
            if tried.authentic() {
                let mut diffs = Vec::new();
                if options.salt != asked.salt {
                    diffs.push(format!("salt {:?} instead of {:?}", options.salt, asked.salt));
                }
                if options.digest != asked.digest {
                    diffs.push(format!(
                        "digest {} instead of {} (--digest {})",
                        digest_name(options.digest),
                        digest_name(asked.digest),
                        digest_name(options.digest)
                    ));
                }
                if options.key_derivation != asked.key_derivation {
                    diffs.push(format!(
                        "key derivation {} instead of {}",
                        derivation_name(options.key_derivation),
                        derivation_name(asked.key_derivation)
                    ));
                }
                let key = match &tried {
                    Tried::Opened(d) => format!(" with the {} key", ring.label(d.key)),
                    _ => String::new(),
                };
                return Reason::OtherSigner(format!(
                    "the {format} cookie verifies{key} with {}: the two sides sign with different settings; use the \
                     same on both (the session backend's defaults, or the same custom ones)",
                    diffs.join(", ")
                ));
            }
        }
    }
    match first {
        Tried::Refused(SessionError::Malformed(detail)) => {
            let shapes = if shaped.is_empty() {
                "no registered format's shape".to_owned()
            } else {
                format!(
                    "the shape of: {}",
                    shaped.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
                )
            };
            Reason::Malformed(format!(
                "not shaped like {format}'s cookies ({detail}){}; the value has {shapes}",
                spans_several(format, subject, name)
            ))
        }
        Tried::Unusable(e) => Reason::KeyUnusable(format!("the keys cannot be used for {format}: {e}")),
        _ => Reason::BadSignature(format!(
            "signed by none of these {} key(s) as {format} under any registered default salt, digest or key \
                 derivation, nor as another format: the other side signs with another key (or the cookie was \
                 changed); give this side the other side's key (or add it with --fallback-key-env)",
            ring.labels.len().max(1)
        )),
    }
}

/// For a single value of a format whose session spans several cookies: the sentence that asks for the header.
fn spans_several(format: Format, subject: &Subject, name: &str) -> String {
    let names = CookieCodec::encrypted(format, &throwaway_ring(), format.defaults().signer, name, 0)
        .map(|c| c.cookie_names())
        .unwrap_or_default();
    if subject.value.is_some() && names.len() > 1 {
        format!(
            "; its session spans several cookies ({}): give the whole Cookie header (--cookie-header)",
            names.join(", ")
        )
    } else {
        String::new()
    }
}

/// The reason when no keys were given and the value has not the shape asked for.
fn not_shaped(expected: Format, shaped: &[Format], subject: &Subject, target: &Target<'_>, now: u64) -> Reason {
    let unverified = subject
        .value
        .as_deref()
        .filter(|_| !expected.is_encrypted())
        .and_then(|v| {
            expected
                .decode_unverified(v, session_core::DEFAULT_MAX_DECOMPRESSED)
                .err()
        });
    let detail = match unverified {
        Some(SessionError::Malformed(d)) => d.to_owned(),
        Some(other) => other.to_string(),
        None => match attempt(
            expected,
            &throwaway_ring(),
            expected.defaults().signer,
            &subject.cookie_name(target, expected),
            subject,
            now,
            None,
        ) {
            Tried::Refused(SessionError::Malformed(d)) => d.to_owned(),
            _ => "its parser refuses it".to_owned(),
        },
    };
    Reason::Malformed(if shaped.is_empty() {
        format!(
            "not shaped like {expected}'s cookies ({detail}){}, nor like any registered format's",
            spans_several(expected, subject, &subject.cookie_name(target, expected))
        )
    } else {
        format!(
            "not shaped like {expected}'s cookies ({detail}); it has the shape of: {} (pass --format)",
            shaped.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
        )
    })
}

/// `too-large`: a cookie over what browsers keep.
fn too_large(target: &Target<'_>, subject: &Subject, reasons: &mut Vec<Reason>) {
    let mut sizes: Vec<(String, usize)> = Vec::new();
    if let Some(value) = &subject.value {
        let name = subject
            .name
            .clone()
            .or_else(|| target.cookie_name.map(str::to_owned))
            .unwrap_or_else(|| target.format.defaults().cookie_name.to_owned());
        sizes.push((name.clone(), name.len() + 1 + value.len()));
    }
    if let Some(lines) = &subject.header {
        for pair in lines.iter().flat_map(|l| l.split(|&b| b == b';')) {
            let pair = pair.trim_ascii();
            let name = pair.split(|&b| b == b'=').next().unwrap_or_default();
            sizes.push((String::from_utf8_lossy(name).into_owned(), pair.len()));
        }
    }
    for (name, size) in sizes {
        if size > BROWSER_COOKIE_LIMIT {
            reasons.push(Reason::TooLarge(format!(
                "the cookie {name:?} is {size} bytes (name=value), {} bytes over the {BROWSER_COOKIE_LIMIT} browsers \
                 keep: they drop it silently; store less in the session (an id), or use a format that chunks",
                size - BROWSER_COOKIE_LIMIT
            )));
        }
    }
}

/// The shipped well-known keys and those in `files`, each with how the report names it.
fn weak_keys(files: &[PathBuf]) -> anyhow::Result<Vec<(SecretKey, String)>> {
    let mut out = Vec::new();
    let mut read = |text: &str, origin: &dyn Fn(usize, &str) -> String| -> anyhow::Result<()> {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let key = SecretKey::parse_insecure_short(line).map_err(|e| anyhow!("{}: {e}", origin(n + 1, "")))?;
            out.push((key, origin(n + 1, line)));
        }
        Ok(())
    };
    read(WEAK_KEYS, &|_, line| format!("{line:?} (shipped list)"))?;
    for path in files {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let shown = path.display().to_string();
        read(&text, &|n, _| format!("line {n} of {shown}"))?;
    }
    Ok(out)
}

/// `--weak-keys`: does a well-known key authenticate the cookie in any registered format?
fn weak_check(
    target: &Target<'_>,
    subject: &Subject,
    weak: &[(SecretKey, String)],
    now: u64,
    report: &mut String,
    reasons: &mut Vec<Reason>,
) {
    if weak.is_empty() {
        return;
    }
    for (key, origin) in weak {
        let ring = Keyring::new(key.clone());
        for &format in Format::ALL {
            let name = subject.cookie_name(target, format);
            if attempt(format, &ring, format.defaults().signer, &name, subject, now, None).authentic() {
                reasons.push(Reason::WeakKey(format!(
                    "the cookie is authentic as {format} under the well-known key {origin}: anyone can forge its \
                     sessions; make a new key (session-cookie keygen) and rotate it on every side"
                )));
                return;
            }
        }
    }
    let _ = writeln!(
        report,
        "weak keys: none of {} well-known keys signs it in any registered format",
        weak.len()
    );
}
