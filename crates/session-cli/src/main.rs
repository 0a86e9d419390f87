#![doc = include_str!("../README.md")]

mod keys;

use std::io::{self, Read as _, Write as _};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, anyhow};
use clap::{Parser, Subcommand, ValueEnum};
use session_core::json::{from_tagged_json, map_to_tagged_json, to_tagged_json};
use session_core::{
    CookieCodec, DEFAULT_MAX_DECOMPRESSED, Digest, KeyId, MIN_KEY_LEN, SecretKey, SessionError, SignerOptions, Value,
    decode_unverified,
};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::keys::KeyArgs;

/// Flask's `PERMANENT_SESSION_LIFETIME` default: 31 days.
const FLASK_MAX_AGE: u64 = 2_678_400;

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

    /// HMAC digest of the signature (Flask's default is sha1).
    #[arg(long, global = true, value_enum, default_value_t = DigestArg::Sha1)]
    digest: DigestArg,

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

    /// Sign a session (Flask's tagged JSON on stdin) and print the cookie value.
    #[command(after_help = "Examples:\n  \
        echo '{\"t\":{\" t\":[1,2]},\"username\":\"alice\"}' | session-cookie sign\n  \
        echo '{\"user_id\":42}' | session-cookie sign --timestamp 1700000000 --key-env OLD_KEY\n\n\
        The output is the exact value Flask would put in its `session` cookie (for payloads Flask does not \
        compress; compressed payloads are valid but zlib may choose other bytes).")]
    Sign {
        /// Signing time in Unix seconds (default: now).
        #[arg(long, value_name = "UNIX")]
        timestamp: Option<u64>,
    },

    /// Verify a cookie with the current and fallback keys; print the session as tagged JSON.
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
        /// Oldest accepted cookie in seconds (Flask's PERMANENT_SESSION_LIFETIME: 31 days).
        #[arg(long, value_name = "SECONDS", default_value_t = FLASK_MAX_AGE)]
        max_age: u64,
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
        Output: {\"payload\":<tagged JSON>,\"timestamp\":N,\"issued_at\":\"<RFC 3339>\",\"compressed\":bool,\
        \"verified\":false}\n\
        (issued_at is null for a timestamp past the year 9999.)")]
    Decode {
        /// `-` to read the cookie from stdin (preferred: an argument shows in `ps` and shell history), or the
        /// cookie value. Put `--` before a value that starts with `-`.
        #[arg(value_name = "COOKIE")]
        cookie: String,
    },
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
    let options = SignerOptions {
        digest: cli.digest.into(),
        ..SignerOptions::default()
    };
    match cli.command {
        Command::Keygen { bytes } => keygen(bytes),
        Command::Sign { timestamp } => {
            let keyring = cli.keys.keyring()?;
            let codec = CookieCodec::new(&keyring, options);
            let mut input = Vec::new();
            io::stdin()
                .read_to_end(&mut input)
                .context("cannot read the session from stdin")?;
            let value = from_tagged_json(&input).map_err(|e| {
                let detail = match e {
                    SessionError::BadPayload(detail) => detail,
                    other => other.to_string(),
                };
                anyhow!("the session on stdin is not valid tagged JSON: {detail}")
            })?;
            if !matches!(value, Value::Dict(_)) {
                return Err(anyhow!("the session on stdin must be a JSON object, e.g. {{\"user_id\":42}}").into());
            }
            let timestamp = match timestamp {
                Some(t) => t,
                None => unix_now()?,
            };
            // Sign the canonical form so the bytes are the ones Flask would write.
            print_line(&codec.encode_json(&to_tagged_json(&value), timestamp))
        }
        Command::Verify {
            now,
            max_age,
            verbose,
            cookie,
        } => {
            let keyring = cli.keys.keyring()?;
            let codec = CookieCodec::new(&keyring, options);
            let cookie = cookie_arg(cookie)?;
            let now = match now {
                Some(n) => n,
                None => unix_now()?,
            };
            let decoded = codec.decode(&cookie, now, Some(max_age)).map_err(Failure::Refused)?;
            print_line(&map_to_tagged_json(&decoded.data))?;
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
                // decode() refused any timestamp after `now`, so this does not underflow.
                if let Some(ts) = decoded.timestamp {
                    eprintln!("age: {} s", now.saturating_sub(ts));
                }
            }
            Ok(())
        }
        Command::Decode { cookie } => {
            let cookie = cookie_arg(cookie)?;
            let (value, timestamp, compressed) =
                decode_unverified(&cookie, DEFAULT_MAX_DECOMPRESSED).map_err(Failure::Refused)?;
            let issued_at = i64::try_from(timestamp)
                .ok()
                .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
                .and_then(|t| t.format(&Rfc3339).ok())
                .map_or(serde_json::Value::Null, serde_json::Value::String);
            // Written by hand to keep the documented field order and the payload's exact tagged JSON.
            print_line(&format!(
                "{{\"payload\":{},\"timestamp\":{timestamp},\"issued_at\":{issued_at},\"compressed\":{compressed},\
                 \"verified\":false}}",
                to_tagged_json(&value)
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
