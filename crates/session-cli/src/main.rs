#![doc = include_str!("../README.md")]

mod keys;

use std::io::{self, Read as _, Write as _};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use session_core::wire::json::{from_tagged_json, to_tagged_json};
use session_core::wire::pyjson::{self, Separators};
use session_core::{
    CookieCodec, DEFAULT_MAX_DECOMPRESSED, Digest, Format, KeyId, MIN_KEY_LEN, SecretKey, SessionError, Value,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::keys::KeyArgs;

/// Largest key `keygen` makes; HMAC hashes longer keys down to one block anyway.
const MAX_KEYGEN_BYTES: usize = 1024;

#[derive(Parser, Debug)]
#[command(
    name = "session-cookie",
    version,
    about = "Make keys and sign, verify and inspect Flask-compatible session cookies.",
    long_about = "Make keys and sign, verify and inspect Flask-compatible session cookies.\n\n\
        Keys are never taken as arguments (they would show in `ps`): the current key comes from the environment \
        variable named by --key-env (default SESSION_SECRET_KEY) or from --key-file. Key text: plain text is its \
        UTF-8 bytes; `hex:` and `base64:` prefixes give raw bytes.\n\n\
        A cookie is a bearer credential: pass `-` to read it from standard input, since an argument shows in \
        `ps` and the shell's history.\n\n\
        Exit codes: 0 success; 1 the cookie was refused; 2 usage or configuration error.",
    after_help = "Examples:\n  \
        export SESSION_SECRET_KEY=$(session-cookie keygen)\n  \
        echo '{\"user_id\":42}' | session-cookie sign > cookie.txt\n  \
        session-cookie verify --verbose - < cookie.txt\n  \
        session-cookie decode - < cookie.txt"
)]
struct Cli {
    #[command(flatten)]
    keys: KeyArgs,

    /// Whose cookie: flask, starlette (FastAPI), django, rails (encrypted cookie store), actix-private or
    /// actix-signed (actix-session's CookieSessionStore). Each has its own signer, serializer and defaults.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Flask)]
    format: FormatArg,

    /// HMAC digest of the signature (default: the format's; Flask and Starlette sha1, Django sha256). For
    /// rails: the key derivation, sha256 (Rails 7, the default) or sha1 (Rails 5.2 to 6.1).
    #[arg(long, global = true, value_enum)]
    digest: Option<DigestArg>,

    /// The cookie's name, for the formats that seal it in: Rails' purpose (default `_app_session`) and the
    /// associated data of actix-session's private jar (default `id`).
    #[arg(long, global = true, value_name = "NAME")]
    cookie_name: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a new random key as `hex:<digits>`, from the OS CSPRNG.
    #[command(after_help = "Examples:\n  \
        session-cookie keygen                 # 32 bytes: hex:<64 digits>\n  \
        export SESSION_SECRET_KEY=$(session-cookie keygen --bytes 64)\n\n\
        For Flask, decode it: app.secret_key = bytes.fromhex(\"<digits after hex:>\")")]
    Keygen {
        /// Key length in bytes (at least 16).
        #[arg(long, value_name = "N", default_value_t = 32)]
        bytes: usize,
    },

    /// Sign a session (JSON on stdin; Flask: tagged JSON) and print the cookie value.
    #[command(after_help = "Examples:\n  \
        echo '{\"t\":{\" t\":[1,2]},\"username\":\"alice\"}' | session-cookie sign\n  \
        echo '{\"user_id\":42}' | session-cookie sign --timestamp 1700000000 --key-env OLD_KEY\n  \
        echo '{\"user\":\"alice\",\"n\":1}' | session-cookie --format django sign\n\n\
        The output is the exact value the framework would put in its cookie for the same data and time (Flask \
        sorts the keys; Starlette and Django keep the order of the JSON on stdin), except that zlib may choose \
        other bytes for a compressed payload (Flask, Django).")]
    Sign {
        /// Signing time in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX")]
        timestamp: Option<u64>,
    },

    /// Verify a cookie with the current and fallback keys; print the session as the framework stores it
    /// (Flask: tagged JSON; Starlette and Django: plain JSON).
    #[command(after_help = "Examples:\n  \
        session-cookie verify - < cookie.txt\n  \
        printf '%s' \"$COOKIE\" | session-cookie verify --verbose --fallback-key-env OLD_KEY -\n  \
        session-cookie verify --now 1700000000 --max-age 3600 --digest sha256 - < cookie.txt\n\n\
        `-` reads the cookie from standard input; a cookie given as an argument (`-- \"$COOKIE\"`) also works \
        but shows in `ps` and the shell's history.\n\n\
        Refusals print `error: <kind>: <detail>` on stderr and exit 1; kinds: malformed, bad-signature, \
        expired, bad-payload, too-large.")]
    Verify {
        /// The time to check the age against, in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX")]
        now: Option<u64>,
        /// Oldest accepted cookie in seconds (default: the format's; Flask's PERMANENT_SESSION_LIFETIME is 31
        /// days, Starlette's max_age and Django's SESSION_COOKIE_AGE 14 days).
        #[arg(long, value_name = "SECONDS")]
        max_age: Option<u64>,
        /// Also say on stderr which key verified the cookie and how old it is.
        #[arg(short, long)]
        verbose: bool,
        /// `-` to read the cookie from stdin (preferred: an argument shows in `ps` and shell history), or the
        /// cookie value. Put `--` before a value that starts with `-`.
        #[arg(value_name = "COOKIE")]
        cookie: String,
    },

    /// Show what a cookie holds without verifying it (no key needed; the content is untrusted).
    #[command(after_help = "Examples:\n  \
        session-cookie decode - < cookie.txt\n  \
        session-cookie decode -- eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.cESecR1t-ovL8OTqxuS2dTteBxA\n\n\
        Output: {\"payload\":<the session as the format stores it>,\"timestamp\":N,\"issued_at\":\"<RFC 3339>\",\
        \"compressed\":bool,\"verified\":false}\n\
        (issued_at is null for a timestamp past the year 9999, timestamp null for a format without one.)")]
    Decode {
        /// `-` to read the cookie from stdin (preferred: an argument shows in `ps` and shell history), or the
        /// cookie value. Put `--` before a value that starts with `-`.
        #[arg(value_name = "COOKIE")]
        cookie: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum FormatArg {
    Flask,
    Starlette,
    Django,
    Rails,
    ActixPrivate,
    ActixSigned,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Flask => Self::Flask,
            FormatArg::Starlette => Self::Starlette,
            FormatArg::Django => Self::Django,
            FormatArg::Rails => Self::Rails,
            FormatArg::ActixPrivate => Self::ActixPrivate,
            FormatArg::ActixSigned => Self::ActixSigned,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum DigestArg {
    Sha1,
    Sha256,
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
    /// Usage or configuration error (exit 2).
    Usage(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Self::Usage(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Refused(e)) => {
            // Core messages never contain key material or the cookie value.
            eprintln!("error: {}: {e}", e.kind().as_str().replace('_', "-"));
            ExitCode::from(1)
        }
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    let format = Format::from(cli.format);
    let defaults = format.defaults();
    let mut options = defaults.signer;
    if let Some(d) = cli.digest {
        options.digest = d.into();
    }
    // Rails and actix-session seal the cookie name in; their keys are checked here (actix-session: 64 bytes).
    let codec_for = |keyring: &session_core::Keyring| -> Result<CookieCodec, Failure> {
        if format.is_encrypted() {
            let name = cli.cookie_name.as_deref().unwrap_or(defaults.cookie_name);
            CookieCodec::encrypted(format, keyring, options.clone(), name, 0).map_err(|e| anyhow!("{e}").into())
        } else {
            Ok(CookieCodec::for_format(format, keyring, options.clone()))
        }
    };
    match cli.command {
        Command::Keygen { bytes } => keygen(bytes),
        Command::Sign { timestamp } => {
            let keyring = cli.keys.keyring()?;
            let codec = codec_for(&keyring)?;
            let mut input = Vec::new();
            io::stdin()
                .read_to_end(&mut input)
                .context("cannot read the session from stdin")?;
            let detail = |e: SessionError| match e {
                SessionError::BadPayload(detail) => detail,
                other => other.to_string(),
            };
            let not_object = || anyhow!("the session on stdin must be a JSON object, e.g. {{\"user_id\":42}}");
            let json = if format == Format::Flask {
                let value = from_tagged_json(&input)
                    .map_err(|e| anyhow!("the session on stdin is not valid tagged JSON: {}", detail(e)))?;
                if !matches!(value, Value::Dict(_)) {
                    return Err(not_object().into());
                }
                // The canonical form (sorted keys), so the bytes are the ones Flask would write.
                to_tagged_json(&value)
            } else if format.is_encrypted() {
                // Plain JSON in; Rails stores it as ActiveSupport's JSON, actix-session as its state (each value
                // a JSON text). The output is random (a fresh nonce) except for actix-signed.
                let value: serde_json::Value = serde_json::from_slice(&input)
                    .map_err(|e| anyhow!("the session on stdin is not valid JSON: {e}"))?;
                match Value::from(value) {
                    Value::Dict(map) => codec.serialize(&map),
                    _ => return Err(not_object().into()),
                }
            } else {
                let text = std::str::from_utf8(&input).context("the session on stdin is not UTF-8")?;
                let seps = if format == Format::Django {
                    Separators::COMPACT
                } else {
                    Separators::DEFAULT
                };
                // json.dumps of the object as given: its key order is kept, as a Python dict keeps it.
                let json = pyjson::rewrite(text, seps)
                    .map_err(|e| anyhow!("the session on stdin is not valid JSON: {}", detail(e)))?;
                if !json.starts_with('{') {
                    return Err(not_object().into());
                }
                json
            };
            let timestamp = match timestamp {
                Some(t) => t,
                None => unix_now()?,
            };
            let cookie = codec.try_encode_json(&json, timestamp).map_err(|e| anyhow!("{e}"))?;
            print_line(&cookie)
        }
        Command::Verify {
            now,
            max_age,
            verbose,
            cookie,
        } => {
            let keyring = cli.keys.keyring()?;
            let codec = codec_for(&keyring)?;
            let max_age = max_age.unwrap_or(defaults.lifetime);
            let cookie = cookie_arg(cookie)?;
            let now = match now {
                Some(n) => n,
                None => unix_now()?,
            };
            let decoded = codec.decode(&cookie, now, Some(max_age)).map_err(Failure::Refused)?;
            print_line(&codec.serialize(&decoded.data))?;
            if verbose {
                match decoded.key {
                    KeyId::Current => eprintln!("verified by current key"),
                    KeyId::Fallback(i) => {
                        eprintln!(
                            "verified by fallback key {i} (--fallback-key-env {})",
                            cli.keys.fallback_name(i)
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
        Command::Decode { cookie } => {
            if matches!(format, Format::Rails | Format::ActixPrivate) {
                return Err(anyhow!(
                    "a {format} cookie is encrypted: decoding it needs the key; use `session-cookie --format \
                     {format} verify` with the key"
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
            let payload = match (format, &value) {
                (Format::Flask, _) => to_tagged_json(&value),
                (_, Value::Dict(map)) => pyjson::dumps_map(map, Separators::COMPACT),
                // Not a session, but show what it is.
                (_, other) => pyjson::dumps(other, Separators::COMPACT),
            };
            // Written by hand to keep the documented field order and the payload's exact JSON.
            print_line(&format!(
                "{{\"payload\":{payload},\"timestamp\":{timestamp},\"issued_at\":{issued_at},\"compressed\":{compressed},\
                 \"verified\":false}}"
            ))
        }
    }
}

fn keygen(bytes: usize) -> Result<(), Failure> {
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
    print_line(&key.to_hex_text())
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

fn unix_now() -> anyhow::Result<u64> {
    Ok(SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970; pass --now / --timestamp")?
        .as_secs())
}

fn print_line(line: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .context("cannot write to stdout")?;
    Ok(())
}
