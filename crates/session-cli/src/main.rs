#![doc = include_str!("../README.md")]

mod doctor;
mod keys;
mod registry;
mod set_cookie;

use base64::Engine as _;
use std::io::{self, Read as _, Write as _};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, anyhow};
use clap::parser::ValueSource;
use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand, ValueEnum};
use session_core::wire::json::{from_plain_json, from_tagged_json, to_tagged_json};
use session_core::wire::pyjson::{self, Separators};
use session_core::{
    Claimed, CookieCodec, DEFAULT_MAX_DECOMPRESSED, Digest, Entries, Format, KeyId, MIN_KEY_LEN, Map, SecretKey,
    SessionConfig, SessionError, SessionHandle, SessionText, Value,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::keys::KeyArgs;

/// Largest key `keygen` makes; HMAC hashes longer keys down to one block anyway.
const MAX_KEYGEN_BYTES: usize = 1024;

/// The command line: global options (format, keys, digest, cookie name) and one subcommand.
#[derive(Parser, Debug)]
#[command(
    name = "session-cookie",
    version,
    about = "Make keys and sign, verify and inspect the session cookies of Flask and the frameworks it shares \
             them with (--format).",
    long_about = "Make keys and sign, verify and inspect the session cookies of Flask and the frameworks it shares \
        them with (--format).\n\n\
        Keys are never taken as arguments (they would show in `ps`): the current key comes from the environment \
        variable named by --key-env (default SESSION_SECRET_KEY) or from --key-file. Key text: plain text is its \
        UTF-8 bytes; `hex:` and `base64:` prefixes give raw bytes.\n\n\
        A cookie is a bearer credential: pass `-` to read it from standard input (or use verify --cookie-header), \
        since an argument shows in `ps` and the shell's history.\n\n\
        Exit codes: 0 success; 1 the cookie was refused or is not in the Cookie header; 2 usage or configuration \
        error.",
    after_help = "Examples:\n  \
        export SESSION_SECRET_KEY=$(session-cookie keygen)\n  \
        echo '{\"user_id\":42}' | session-cookie sign > cookie.txt\n  \
        session-cookie verify --verbose - < cookie.txt\n  \
        session-cookie decode - < cookie.txt\n  \
        session-cookie --format express verify --cookie-header < cookie-header.txt\n  \
        session-cookie doctor - < cookie.txt        # why it is refused: format, key form, salt, expiry, ..."
)]
struct Cli {
    /// Where the keys come from.
    #[command(flatten)]
    keys: KeyArgs,

    /// Whose cookie: each format has its own signer, serializer, cookie names and defaults.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME",
        ignore_case = true,
        value_parser = registry::parser(),
        default_value_t = Format::default(),
    )]
    format: Format,

    /// HMAC digest of the signature (default: the format's). Rails reads it as its key derivation: sha256
    /// (Rails 7, its default) or sha1 (Rails 5.2 to 6.1). Formats with a fixed MAC ignore it.
    #[arg(long, global = true, help_heading = "Global options", value_enum)]
    digest: Option<DigestArg>,

    /// The session cookie's name (default: the format's; see --help).
    #[arg(long, global = true, help_heading = "Global options", value_name = "NAME", long_help = registry::cookie_name_help())]
    cookie_name: Option<String>,

    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
enum Command {
    /// Print a new random key from the OS CSPRNG, in the form --format's framework takes (`hex:<digits>` by
    /// default); stderr says how each framework takes it.
    #[command(after_help = "Examples:\n  \
        session-cookie keygen                     # 32 bytes: hex:<64 digits>\n  \
        session-cookie --format starlette keygen  # <64 digits>: a text key, the same text on both sides\n  \
        export SESSION_SECRET_KEY=$(session-cookie --format actix keygen)   # 64 bytes\n\n\
        Key forms: this tool (and the library's SecretKey::parse) reads `hex:`/`base64:` as raw bytes and \
        anything else as the text's bytes. Flask and actix-session take raw bytes: Flask \
        app.secret_key = bytes.fromhex(\"<digits after hex:>\"), actix-session Key::from(&<the 64 bytes>). \
        Starlette, Django, Rails (secret_key_base), Express, iron-session and Auth.js use the key's text \
        as-is: give them a text key (--text, or --format NAME) and this tool the same text, with no prefix.")]
    Keygen {
        /// Key length in bytes (at least 16; default 32, or 64 for actix-session and Rails, whose keys are 64).
        #[arg(long, value_name = "N")]
        bytes: Option<usize>,
        /// Print the key as plain text (its hex digits, no `hex:`): the form for frameworks that use the key's
        /// text as-is. The default with a --format whose framework does.
        #[arg(long)]
        text: bool,
    },

    /// Sign a session (a JSON object on stdin; Flask: tagged JSON) and print its cookie value, or with
    /// --set-cookie the `Set-Cookie` values the framework would send.
    #[command(after_help = "Examples:\n  \
        echo '{\"t\":{\" t\":[1,2]},\"username\":\"alice\"}' | session-cookie sign\n  \
        echo '{\"user_id\":42}' | session-cookie sign --now 1700000000 --key-env OLD_KEY\n  \
        echo '{\"user\":\"alice\",\"n\":1}' | session-cookie --format django sign\n  \
        echo '{\"user\":\"alice\"}' | session-cookie --format express sign --set-cookie\n  \
        session-cookie verify - < cookie.txt | session-cookie sign    # the same session, signed again\n\n\
        stdin takes what `verify` prints: Flask's tagged JSON, plain JSON for the other formats.\n\n\
        Without --set-cookie the output is the cookie's value, exactly as the framework writes it for the same \
        data and time (Flask sorts the keys; formats that write Python's json.dumps keep the order of the JSON on \
        stdin), except that zlib may choose other bytes for a compressed payload. A session that spans several \
        cookies (express: `session` and `session.sig`) is printed as one `Cookie` header value, \
        `name=value; name.sig=value`, which `verify --cookie-header` and `curl --cookie` take.\n\n\
        With --set-cookie: one `Set-Cookie` value a line, with the format's default attributes and --cookie-name; \
        keys in code-point order. An empty session sends no cookie (nothing is printed).")]
    Sign {
        /// Signing time in Unix seconds (default: now).
        #[arg(long, visible_alias = "timestamp", value_name = "UNIX")]
        now: Option<u64>,
        /// Print every `Set-Cookie` value the framework would send for this session, one a line.
        #[arg(long)]
        set_cookie: bool,
    },

    /// Verify a cookie with the current and fallback keys; print the session as the application sees it
    /// (Flask: tagged JSON; the other formats: plain JSON), which `sign` takes back.
    #[command(after_help = "Examples:\n  \
        session-cookie verify - < cookie.txt\n  \
        printf '%s' \"$COOKIE\" | session-cookie verify --verbose --fallback-key-env OLD_KEY -\n  \
        session-cookie verify --now 1700000000 --max-age 3600 --digest sha256 - < cookie.txt\n  \
        printf '%s' 'theme=dark; session=...; session.sig=...' | session-cookie --format express verify --cookie-header\n\n\
        `-` reads the cookie's value from standard input; a value given as an argument (`-- \"$COOKIE\"`) also \
        works but shows in `ps` and the shell's history. A session that spans several cookies (express) needs \
        --cookie-header.\n\n\
        Refusals print `error: <kind>: <detail>` on stderr and exit 1; kinds: malformed, bad-signature, \
        expired, bad-payload, and no-session (--cookie-header: the header has no cookie of the session). A \
        `hint:` line follows when the value starts with a cookie name (`session=...`) or has another signed \
        format's shape; `session-cookie doctor` says why a cookie is refused.")]
    Verify {
        /// The time to check the cookie against, in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX")]
        now: Option<u64>,
        /// Oldest accepted cookie in seconds (default: the format's; see --help).
        #[arg(long, value_name = "SECONDS", long_help = registry::max_age_help())]
        max_age: Option<u64>,
        /// Also say on stderr which key verified the cookie and how old it is.
        #[arg(short, long)]
        verbose: bool,
        /// Read a whole `Cookie` header value from stdin (as the browser's developer tools show it, e.g.
        /// `theme=dark; session=...`; a `Cookie:` prefix is ignored, each line is one header) and find the
        /// format's cookies in it, as the framework does.
        #[arg(long, conflicts_with = "cookie")]
        cookie_header: bool,
        /// `-` to read the cookie's value from stdin (preferred: an argument shows in `ps` and shell history),
        /// or the value. Put `--` before a value that starts with `-`.
        #[arg(value_name = "COOKIE", required_unless_present = "cookie_header")]
        cookie: Option<String>,
    },

    /// Say why a cookie is refused: which registered formats it has the shape of and, with the keys, which
    /// format, key, salt, digest and cookie name verify it and what it holds, or the most specific reason none
    /// does.
    #[command(after_help = DOCTOR_HELP)]
    Doctor(doctor::DoctorArgs),

    /// Show what a cookie holds without verifying it (no key needed; the content is untrusted).
    #[command(after_help = "Examples:\n  \
        session-cookie decode - < cookie.txt\n  \
        session-cookie decode -- eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.cESecR1t-ovL8OTqxuS2dTteBxA\n\n\
        Output: {\"payload\":<the session: Flask's tagged JSON, compact JSON otherwise>,\"timestamp\":N,\
        \"issued_at\":\"<RFC 3339>\",\"compressed\":bool,\"verified\":false}\n\
        (issued_at is null for a timestamp past the year 9999, timestamp null for a format without one.) \
        Encrypted formats need the key: use verify. For a session that spans several cookies, give the main \
        cookie's value.")]
    Decode {
        /// `-` to read the cookie's value from stdin (preferred: an argument shows in `ps` and shell history),
        /// or the value. Put `--` before a value that starts with `-`.
        #[arg(value_name = "COOKIE")]
        cookie: String,
    },
}

/// `doctor --help`'s examples and reasons.
const DOCTOR_HELP: &str = "Examples:\n  \
    session-cookie doctor - < cookie.txt                     # its shape only (no key given)\n  \
    printf '%s' 'session=eyJ...' | session-cookie doctor --key-env FLASK_KEY -\n  \
    session-cookie --format starlette doctor --cookie-header < cookie-header.txt\n  \
    session-cookie doctor --weak-keys - < cookie.txt\n\n\
    The cookie: a value, `name=value` as the browser's developer tools copy it, or a whole Cookie header. \
    Without --format every registered format is tried; with it, a cookie that verifies only as another \
    format is reported as such. Keys are read as for verify; with none, only the shape is checked.\n\n\
    Output: `shape: <formats>`, then `verified: ...`, `key: ...`, `signer: ...`, `session: ...` or one \
    `reason: <name>` line per problem with the sentence that says what to change. Reasons: malformed, \
    bad-signature (no key under any default salt, digest or key derivation), other-signer (verifies with \
    another salt, digest or key derivation), key-form (the key's text vs its hex- or base64-decoded bytes), \
    other-format, expired (past the max age or the sealed expiry, or signed in the future), wrong-purpose \
    (Rails: made for another cookie name), bad-payload, key-unusable, too-large (over the 4096 bytes \
    browsers keep), weak-key (--weak-keys: a well-known published key signs it).\n\n\
    Exit codes: 0 verified (or, without keys, has the shape); 1 a reason was found; 2 usage error.";

/// `--digest`.
#[derive(ValueEnum, Clone, Copy, Debug)]
enum DigestArg {
    /// HMAC-SHA1.
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

impl From<DigestArg> for Digest {
    fn from(d: DigestArg) -> Self {
        match d {
            DigestArg::Sha1 => Self::Sha1,
            DigestArg::Sha256 => Self::Sha256,
            DigestArg::Sha512 => Self::Sha512,
        }
    }
}

/// Why a command failed, which decides the exit code.
enum Failure {
    /// The cookie was refused (exit 1).
    Refused(SessionError),
    /// The cookie was refused, with a line that points to `doctor` (exit 1).
    RefusedWithHint(SessionError, String),
    /// The `Cookie` header has no cookie of the session (exit 1).
    NoSession(String),
    /// Usage or configuration error (exit 2).
    Usage(anyhow::Error),
    /// A problem was found and reported on stdout (`doctor`; exit 1).
    Reported,
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Usage(e)
    }
}

/// A core error where the cause is the configuration or the input, not a cookie (exit 2).
fn usage(e: SessionError) -> Failure {
    Failure::Usage(anyhow!("{e}"))
}

/// Runs the command line; the exit code says how it went (0, 1 refused, 2 usage).
fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let format_given = matches.value_source("format") == Some(ValueSource::CommandLine);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match run(cli, format_given) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(e)) => {
            // Core messages never contain key material or the cookie value.
            eprintln!("error: {}: {e}", e.kind().as_str().replace('_', "-"));
            ExitCode::from(1)
        }
        Err(Failure::RefusedWithHint(e, hint)) => {
            eprintln!("error: {}: {e}\n{hint}", e.kind().as_str().replace('_', "-"));
            ExitCode::from(1)
        }
        Err(Failure::NoSession(why)) => {
            eprintln!("error: no-session: {why}");
            ExitCode::from(1)
        }
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
        Err(Failure::Reported) => ExitCode::from(1),
    }
}

/// The session settings `sign` and `verify` share: the format, the keys, and what was set on the command line.
struct Target<'a> {
    /// `--format`.
    format: Format,
    /// Where the keys come from.
    keys: &'a KeyArgs,
    /// `--digest`, when given.
    digest: Option<Digest>,
    /// `--cookie-name`, when given.
    cookie_name: Option<&'a str>,
}

impl Target<'_> {
    /// The session configuration, with the format's defaults for everything not given; `lifetime` is the max
    /// age of the cookies it reads. The keys are checked here (actix-session's must be 64 bytes).
    fn config(&self, lifetime: Option<u64>) -> anyhow::Result<SessionConfig> {
        let mut builder = self.keys.config_builder()?.format(self.format);
        if let Some(digest) = self.digest {
            builder = builder.digest(digest);
        }
        if let Some(name) = self.cookie_name {
            // Browsers keep `__Secure-` and `__Host-` cookies only with `Secure` (Auth.js' name behind HTTPS).
            let lower = name.to_ascii_lowercase();
            if lower.starts_with("__secure-") || lower.starts_with("__host-") {
                builder = builder.secure(true);
            }
            builder = builder.cookie_name(name);
        }
        if let Some(secs) = lifetime {
            builder = builder.lifetime_secs(secs);
        }
        builder.build().map_err(|e| anyhow!("{e}"))
    }
}

/// Runs one subcommand; `format_given` says whether --format was on the command line.
fn run(cli: Cli, format_given: bool) -> Result<(), Failure> {
    let target = Target {
        format: cli.format,
        keys: &cli.keys,
        digest: cli.digest.map(Digest::from),
        cookie_name: cli.cookie_name.as_deref(),
    };
    match cli.command {
        Command::Keygen { bytes, text } => keygen(format_given.then_some(cli.format), bytes, text),
        Command::Sign { now, set_cookie } => sign(&target, now, set_cookie),
        Command::Verify {
            now,
            max_age,
            verbose,
            cookie_header,
            cookie,
        } => {
            let input = match cookie {
                Some(cookie) if !cookie_header => Input::Value(cookie),
                _ => Input::Header,
            };
            verify(&target, now, max_age, verbose, input)
        }
        Command::Decode { cookie } => decode(target.format, cookie),
        Command::Doctor(args) => doctor::doctor(&target, format_given, args),
    }
}

/// How a framework takes a key: its raw bytes (with the line that sets them) or its text as-is.
enum KeyForm {
    /// The framework takes raw bytes: how to set them there.
    Bytes(&'static str),
    /// The framework uses the key's text as-is: where the text goes there.
    Text(&'static str),
    /// The framework takes raw bytes written as `base64:<standard base64>` (Laravel's `APP_KEY`), a form this
    /// side reads too: where it goes there.
    Base64(&'static str),
    /// Not known to this tool: the framework's documentation says.
    Unknown,
}

/// How `format`'s framework takes its key, and the length its keys have (64 bytes for actix-session's
/// `cookie::Key` and Rails' `secret_key_base`).
fn key_form(format: Format) -> (KeyForm, usize) {
    match format {
        Format::Flask => (
            KeyForm::Bytes("app.secret_key = bytes.fromhex(\"<digits after hex:>\")"),
            32,
        ),
        Format::ActixPrivate | Format::ActixSigned => (
            KeyForm::Bytes("Key::from(&hex::decode(\"<digits after hex:>\")?) (a 64-byte cookie::Key)"),
            64,
        ),
        Format::Starlette => (KeyForm::Text("SessionMiddleware(secret_key=\"<text>\")"), 32),
        Format::Django => (KeyForm::Text("SECRET_KEY = \"<text>\""), 32),
        Format::Rails => (
            KeyForm::Text("secret_key_base: <text> (credentials or SECRET_KEY_BASE)"),
            64,
        ),
        Format::Express => (KeyForm::Text("cookieSession({ keys: [\"<text>\"] })"), 32),
        Format::IronSession => (KeyForm::Text("getIronSession(..., { password: \"<text>\" })"), 32),
        Format::AuthJs | Format::NextAuthV4 => (KeyForm::Text("AUTH_SECRET / NEXTAUTH_SECRET=<text>"), 32),
        Format::Gorilla => (
            KeyForm::Bytes(
                "sessions.NewCookieStore(hashKey, blockKey) with hashKey, _ := hex.DecodeString(\"<digits after \
                 hex:>\") (a hash key of 32 or 64 bytes; a block key of 16, 24 or 32: keygen --bytes 32, given \
                 here with --encryption-key-env)",
            ),
            32,
        ),
        Format::Laravel | Format::LaravelGcm => (
            KeyForm::Base64("APP_KEY=base64:<the same text after base64:> (.env), 32 bytes for AES-256"),
            32,
        ),
        _ => (KeyForm::Unknown, 32),
    }
}

/// `keygen`: a new key of `bytes` bytes, as `hex:<digits>`, or as text for `--text` or a `format` whose
/// framework uses the key's text; stderr says how the framework takes it.
fn keygen(format: Option<Format>, bytes: Option<usize>, text: bool) -> Result<(), Failure> {
    let (form, length) = format.map_or((KeyForm::Unknown, 32), key_form);
    let bytes = bytes.unwrap_or(length);
    if bytes < MIN_KEY_LEN {
        return Err(anyhow!(
            "--bytes must be at least {MIN_KEY_LEN} (got {bytes}); shorter keys are too easy to guess"
        )
        .into());
    }
    if bytes > MAX_KEYGEN_BYTES {
        return Err(anyhow!("--bytes must be at most {MAX_KEYGEN_BYTES} (got {bytes}); 32 is plenty for HMAC").into());
    }
    let key = SecretKey::generate_len(bytes).map_err(|e| anyhow!("{e}"))?;
    let hex = Zeroizing::new(key.to_hex_text());
    let as_text = text || matches!(form, KeyForm::Text(_));
    // Notes go to stderr, so `export KEY=$(session-cookie keygen)` captures the key alone.
    match (&form, format) {
        (KeyForm::Text(setting), Some(f)) => eprintln!(
            "note: {} uses the key's text as-is: this is a text key ({} random bytes as {} characters); give the \
             same text to both sides, with no hex: prefix ({setting})",
            f.framework(),
            bytes,
            2 * bytes
        ),
        (KeyForm::Bytes(setting), Some(f)) => eprintln!(
            "note: {} takes raw bytes: this side reads hex:<digits> as them; there: {setting}",
            f.framework()
        ),
        (KeyForm::Base64(setting), Some(f)) => eprintln!(
            "note: {} takes raw bytes as base64:<base64>, and so does this side: give both the same line; there: \
             {setting}",
            f.framework()
        ),
        _ if as_text => eprintln!(
            "note: a text key: frameworks that use the key's text (Starlette, Django, Rails, Express, iron-session, \
             Auth.js) and this tool take the same text, with no prefix"
        ),
        _ => eprintln!(
            "note: hex:<digits> is raw bytes here; Flask: bytes.fromhex(\"<digits>\"); Starlette, Django, Rails, \
             Express, iron-session and Auth.js use a key's text as-is: make theirs with --text (or --format NAME)"
        ),
    }
    if matches!(form, KeyForm::Base64(_)) {
        let digits = hex.strip_prefix("hex:").unwrap_or(&hex).as_bytes();
        let raw: Zeroizing<Vec<u8>> = Zeroizing::new(
            digits
                .chunks(2)
                .filter_map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
                .collect(),
        );
        let line = Zeroizing::new(format!(
            "base64:{}",
            base64::engine::general_purpose::STANDARD.encode(&*raw)
        ));
        return print_line(&line);
    }
    let line = if as_text {
        hex.strip_prefix("hex:").unwrap_or(&hex)
    } else {
        &hex
    };
    print_line(line)
}

/// `sign`: the session on stdin, signed at `now`; its cookie value, or every `Set-Cookie` value.
fn sign(target: &Target<'_>, now: Option<u64>, set_cookie: bool) -> Result<(), Failure> {
    let config = target.config(None)?;
    let mut input = Vec::new();
    io::stdin()
        .read_to_end(&mut input)
        .context("cannot read the session from stdin")?;
    let map = read_session(target.format, &input)?;
    let now = now.map_or_else(unix_now, Ok)?;
    if set_cookie {
        let handle = SessionHandle::from_headers(config, std::iter::empty::<&[u8]>(), now);
        for (key, value) in map {
            handle.insert_value(key, value);
        }
        let response = handle.finish().map_err(usage)?;
        if response.set_cookies().is_empty() {
            eprintln!("note: the framework sends no cookie for an empty new session");
        }
        for line in response.set_cookies() {
            print_line(line)?;
        }
        return Ok(());
    }
    let codec = config.codec();
    let mut cookies = codec.encode_cookies(&map, now).map_err(usage)?;
    if let ([(_, value)], Some(seps)) = (cookies.as_mut_slice(), python_separators(codec.format())) {
        // json.dumps of the object as given: its key order is kept, as a Python dict keeps it.
        let text = std::str::from_utf8(&input).context("the session on stdin is not UTF-8")?;
        let json = pyjson::rewrite(text, seps)
            .map_err(|e| anyhow!("the session on stdin is not valid JSON: {}", detail(e)))?;
        *value = codec.try_encode_json(&json, now).map_err(usage)?;
    }
    match cookies.as_slice() {
        [(_, value)] => print_line(value),
        several => print_line(
            &several
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    }
}

/// The session on stdin: a JSON object (tagged JSON for a tagged format).
fn read_session(format: Format, input: &[u8]) -> anyhow::Result<Map> {
    let (parsed, dialect) = if format.is_tagged() {
        (from_tagged_json(input), "tagged JSON")
    } else {
        (from_plain_json(input), "JSON")
    };
    match parsed.map_err(|e| anyhow!("the session on stdin is not valid {dialect}: {}", detail(e)))? {
        Value::Dict(map) => Ok(map),
        _ => Err(anyhow!(
            "the session on stdin must be a JSON object, e.g. {{\"user_id\":42}}"
        )),
    }
}

/// A parse error's message without the error kind's preamble.
fn detail(e: SessionError) -> String {
    match e {
        SessionError::BadPayload(detail) => detail,
        other => other.to_string(),
    }
}

/// Where `verify` finds the cookie.
enum Input {
    /// A whole `Cookie` header on stdin.
    Header,
    /// The main cookie's value, or `-` for stdin.
    Value(String),
}

/// `verify`: the cookie, checked at `now`; the session on stdout.
fn verify(
    target: &Target<'_>,
    now: Option<u64>,
    max_age: Option<u64>,
    verbose: bool,
    input: Input,
) -> Result<(), Failure> {
    let format = target.format;
    let config = target.config(max_age)?;
    let codec = config.codec();
    let now = now.map_or_else(unix_now, Ok)?;
    if max_age.is_some() && !format.carries_timestamp() {
        return Err(anyhow!(
            "--max-age does not apply to {format} cookies: they carry no signing time (the format seals its own \
             expiry, if any, and verify checks it at --now); leave --max-age out"
        )
        .into());
    }
    let mut lines = Vec::new();
    let claimed = match input {
        Input::Header => {
            lines = header_lines()?;
            let claimed = codec.claim(&lines);
            if !claimed.has_value() {
                return Err(Failure::NoSession(format!(
                    "the Cookie header has no cookie named {:?} ({}); pass --cookie-name if the application \
                     uses another name",
                    config.cookie_name(),
                    cookie_names(&lines)
                )));
            }
            claimed
        }
        Input::Value(cookie) => {
            let names = codec.cookie_names();
            if names.len() > 1 {
                return Err(anyhow!(
                    "--format {format}: a session spans {} cookies ({}); pass the whole Cookie header on stdin \
                     with --cookie-header",
                    names.len(),
                    names.join(", ")
                )
                .into());
            }
            Claimed::main(cookie_arg(cookie)?)
        }
    };
    let decoded = codec
        .decode_claimed(&claimed, now, Some(config.lifetime_secs()))
        .map_err(|e| {
            let header = (!lines.is_empty()).then_some(lines.as_slice());
            let value = claimed.main.as_deref().filter(|_| header.is_none());
            let hint = matches!(
                e,
                SessionError::BadSignature | SessionError::Malformed(_) | SessionError::BadPayload(_)
            )
            .then(|| doctor::verify_hint(target, value, header, now))
            .flatten();
            match hint {
                Some(hint) => Failure::RefusedWithHint(e, hint),
                None => Failure::Refused(e),
            }
        })?;
    // What the application sees: the format's own JSON when it stores the session as JSON of itself; compact
    // JSON of the values otherwise (actix-session's state holds each value as a JSON text).
    print_line(&session_json(format, codec, &decoded.data))?;
    if verbose {
        match decoded.key {
            KeyId::Current => eprintln!("verified by current key"),
            KeyId::Fallback(i) => {
                eprintln!(
                    "verified by fallback key {i} (--fallback-key-env {})",
                    target.keys.fallback_name(i)
                );
            }
        }
        // Flask and Starlette refuse a timestamp after `now`; Django accepts one (shown as a negative age).
        if let Some(ts) = decoded.timestamp {
            eprintln!("age: {} s", now as i128 - i128::from(ts));
        }
    }
    Ok(())
}

/// The session as the application sees it: the format's own JSON when it stores the session as JSON of itself;
/// compact JSON of the values otherwise (actix-session's state holds each value as a JSON text).
fn session_json(format: Format, codec: &CookieCodec, data: &impl Entries) -> String {
    if format.session_text() == SessionText::Wrapped {
        pyjson::dumps_map(data, Separators::COMPACT)
    } else {
        codec.serialize(data)
    }
}

/// `decode`: the cookie's content, unverified.
fn decode(format: Format, cookie: String) -> Result<(), Failure> {
    if format.is_encrypted() {
        return Err(anyhow!(
            "--format {format}: the cookie is encrypted, so decoding it needs the key; use \
             `session-cookie --format {format} verify` with the key"
        )
        .into());
    }
    let cookie = cookie_arg(cookie)?;
    let (value, timestamp, compressed) = format
        .decode_unverified(&cookie, DEFAULT_MAX_DECOMPRESSED)
        .map_err(Failure::Refused)?;
    let issued_at = timestamp
        .and_then(|t| i64::try_from(t).ok())
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| t.format(&Rfc3339).ok())
        .map_or(serde_json::Value::Null, serde_json::Value::String);
    let timestamp = timestamp.map_or_else(|| "null".to_owned(), |t| t.to_string());
    let payload = match &value {
        _ if format.is_tagged() => to_tagged_json(&value),
        Value::Dict(map) => pyjson::dumps_map(map, Separators::COMPACT),
        // Not a session, but show what it is.
        other => pyjson::dumps(other, Separators::COMPACT),
    };
    // Written by hand to keep the documented field order and the payload's exact JSON.
    print_line(&format!(
        "{{\"payload\":{payload},\"timestamp\":{timestamp},\"issued_at\":{issued_at},\"compressed\":{compressed},\
         \"verified\":false}}"
    ))
}

/// The cookie argument, or stdin (surrounding whitespace removed) when it is `-`.
fn cookie_arg(arg: String) -> anyhow::Result<String> {
    if arg != "-" {
        return Ok(arg);
    }
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .context("cannot read the cookie from stdin")?;
    Ok(text.trim().to_owned())
}

/// The `Cookie` header lines on stdin, as bytes (a header need not be UTF-8): one header a line, surrounding
/// whitespace and a `Cookie:` prefix removed, empty lines skipped.
fn header_lines() -> anyhow::Result<Vec<Vec<u8>>> {
    let mut input = Vec::new();
    io::stdin()
        .read_to_end(&mut input)
        .context("cannot read the Cookie header from stdin")?;
    Ok(input
        .split(|&b| b == b'\n')
        .map(|line| {
            let line = line.trim_ascii();
            match line.get(..7) {
                Some(prefix) if prefix.eq_ignore_ascii_case(b"cookie:") => line[7..].trim_ascii(),
                _ => line,
            }
        })
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect())
}

/// The names of the cookies in header lines, for a message (never their values).
fn cookie_names(lines: &[Vec<u8>]) -> String {
    let mut names: Vec<String> = Vec::new();
    for pair in lines.iter().flat_map(|line| line.split(|&b| b == b';')) {
        let name = pair.split(|&b| b == b'=').next().unwrap_or_default().trim_ascii();
        let name = String::from_utf8_lossy(name).into_owned();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    if names.is_empty() {
        "it has no cookies".to_owned()
    } else {
        format!("cookies in it: {}", names.join(", "))
    }
}

/// The system clock in Unix seconds (the default `--now`).
fn unix_now() -> anyhow::Result<u64> {
    Ok(SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970; pass --now")?
        .as_secs())
}

/// One line on stdout, flushed.
fn print_line(line: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(())
}

/// The separators when `format` writes a session as Python's `json.dumps` does (then a session given as JSON
/// text is signed with its keys in the order given, as a Python dict keeps insertion order, byte-equal to the
/// framework's cookie); `None` for other formats.
fn python_separators(format: Format) -> Option<Separators> {
    match format.session_text() {
        SessionText::PythonJson { compact: true } => Some(Separators::COMPACT),
        SessionText::PythonJson { compact: false } => Some(Separators::DEFAULT),
        _ => None,
    }
}
