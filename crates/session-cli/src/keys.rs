//! Where the keys come from: environment variables or a file, never the command line (it shows in `ps`).

use std::path::PathBuf;

use anyhow::{Context as _, anyhow};
use clap::Args;
use session_core::{Keyring, MIN_KEY_LEN, SecretKey, SessionConfig, SessionConfigBuilder};
use zeroize::Zeroizing;

/// The variable `--key-env` names by default.
const DEFAULT_KEY_ENV: &str = "SESSION_SECRET_KEY";

/// One key as it was given: its text (zeroized on drop), where it came from, and how reports name it.
pub struct KeyText {
    /// The key text (`hex:`, `base64:` or plain text).
    pub text: Zeroizing<String>,
    /// Where it came from, for messages (`environment variable NAME`, `key file PATH`).
    pub source: String,
    /// How reports name it: `current (NAME)`, `fallback N (NAME)`.
    pub label: String,
}

/// A key that was given: its text and the key it parses to.
pub struct GivenKey {
    /// The text, its source and its label.
    pub text: KeyText,
    /// The key ([`parse`] of the text).
    pub key: SecretKey,
}

/// The key options, shared by every subcommand (only `sign` and `verify` use them).
#[derive(Args, Debug)]
pub struct KeyArgs {
    /// Environment variable holding the current key.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME",
        default_value = DEFAULT_KEY_ENV
    )]
    key_env: String,

    /// Read the current key from this file instead. Exactly one trailing newline (LF or CRLF) is removed;
    /// any other whitespace is part of the key (with a warning). Warns when the file is readable by others.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH",
        conflicts_with = "key_env"
    )]
    key_file: Option<PathBuf>,

    /// Environment variable holding a fallback key (verify and doctor only); repeat in Flask's SECRET_KEY_FALLBACKS
    /// order, oldest first. Fallback N is the N-th one given, counting from 0.
    #[arg(long, global = true, help_heading = "Global options", value_name = "NAME")]
    fallback_key_env: Vec<String>,

    /// Environment variable holding the encryption key paired with the current key: gorilla's block key (16,
    /// 24 or 32 bytes: AES-128, -192 or -256; `hex:`/`base64:` for raw bytes). Other formats ignore it.
    #[arg(long, global = true, help_heading = "Global options", value_name = "NAME")]
    encryption_key_env: Option<String>,
}

impl KeyArgs {
    /// A session configuration with these keys: the current key signs (and verifies first), the fallbacks
    /// verify, in the order given.
    ///
    /// # Errors
    /// As [`KeyArgs::keyring`].
    pub fn config_builder(&self) -> anyhow::Result<SessionConfigBuilder> {
        let ring = self.keyring()?;
        let mut builder = SessionConfig::builder()
            .secret_key(ring.current().clone())
            .fallbacks(ring.fallbacks().to_vec());
        if let Some(name) = &self.encryption_key_env {
            let block = from_env(name, "--encryption-key-env", "encryption key".into())?;
            builder = builder.encryption_key(parse(&block.text, &block.source)?);
        }
        Ok(builder)
    }

    /// The keyring: the current key, then the fallbacks in the order given.
    ///
    /// Short keys (under 16 bytes) are accepted, since existing Flask deployments use them, with a warning.
    ///
    /// # Errors
    /// A missing or unreadable variable or file, or key text that does not parse; the message names the source.
    fn keyring(&self) -> anyhow::Result<Keyring> {
        let texts = self.texts()?;
        let mut keys = texts.iter().map(|t| parse(&t.text, &t.source));
        let current = keys.next().unwrap_or_else(|| Err(anyhow!("no key")))?;
        Ok(Keyring::new(current).with_fallbacks(keys.collect::<anyhow::Result<Vec<_>>>()?))
    }

    /// The keys as given, current first, or `None` when no key was given (no `--key-file` and the `--key-env`
    /// variable unset): `doctor` then checks only the cookie's shape.
    ///
    /// # Errors
    /// As [`KeyArgs::keyring`], for a key that was given.
    pub fn given(&self) -> anyhow::Result<Option<Vec<GivenKey>>> {
        // Only the default variable may be absent: a variable named on the command line, or fallbacks without
        // a current key, are a mistake to report.
        let named = self.key_env != DEFAULT_KEY_ENV || !self.fallback_key_env.is_empty();
        if self.key_file.is_none() && std::env::var_os(&self.key_env).is_none() && !named {
            return Ok(None);
        }
        let given = self
            .texts()?
            .into_iter()
            .map(|text| {
                Ok(GivenKey {
                    key: parse(&text.text, &text.source)?,
                    text,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Some(given))
    }

    /// The key texts, current first, each with where it came from.
    fn texts(&self) -> anyhow::Result<Vec<KeyText>> {
        let current = match &self.key_file {
            Some(path) => {
                let source = format!("key file {}", path.display());
                let bytes = Zeroizing::new(std::fs::read(path).with_context(|| format!("cannot read the {source}"))?);
                warn_if_readable_by_others(path, &source);
                let text = std::str::from_utf8(&bytes).map_err(|_| {
                    anyhow!("the {source} is not UTF-8 text; write raw bytes as hex:<digits> or base64:<text>")
                })?;
                let text = text
                    .strip_suffix('\n')
                    .map_or(text, |t| t.strip_suffix('\r').unwrap_or(t));
                if text.ends_with(char::is_whitespace) {
                    eprintln!(
                        "warning: the key in the {source} ends with whitespace after its one trailing newline was \
                         removed; that whitespace is part of the key (Flask must use the same bytes)"
                    );
                }
                KeyText {
                    text: Zeroizing::new(text.to_owned()),
                    source,
                    label: format!("current (--key-file {})", path.display()),
                }
            }
            None => from_env(&self.key_env, "--key-env", format!("current ({})", self.key_env))?,
        };
        let mut texts = vec![current];
        for (i, name) in self.fallback_key_env.iter().enumerate() {
            texts.push(from_env(name, "--fallback-key-env", format!("fallback {i} ({name})"))?);
        }
        Ok(texts)
    }

    /// The variable that fallback key `i` came from.
    pub fn fallback_name(&self, i: usize) -> &str {
        self.fallback_key_env.get(i).map_or("?", String::as_str)
    }
}

/// A key file others can read is a key others can use: say so (Unix permission bits; elsewhere nothing to check).
fn warn_if_readable_by_others(path: &std::path::Path, source: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o044 != 0 {
                eprintln!(
                    "warning: the {source} is readable by {} (mode {mode:03o}); restrict it: chmod 600 {}",
                    if mode & 0o004 != 0 { "all users" } else { "its group" },
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, source);
}

/// The key text in the environment variable `name` (`flag` is the option that names it, for the message).
fn from_env(name: &str, flag: &str, label: String) -> anyhow::Result<KeyText> {
    let text = match std::env::var(name) {
        Ok(text) => Zeroizing::new(text),
        Err(std::env::VarError::NotPresent) => {
            return Err(anyhow!(
                "the environment variable {name} is not set; put the key in it (a new one: \
                 `export {name}=$(session-cookie keygen)`), or name another variable with {flag}"
            ));
        }
        Err(std::env::VarError::NotUnicode(_)) => {
            return Err(anyhow!(
                "the environment variable {name} is not UTF-8; write raw bytes as hex:<digits> or base64:<text>"
            ));
        }
    };
    Ok(KeyText {
        text,
        source: format!("environment variable {name}"),
        label,
    })
}

/// Key text (`hex:`, `base64:` or UTF-8) from `source`, with a warning when it is short.
pub fn parse(text: &str, source: &str) -> anyhow::Result<SecretKey> {
    // The core's messages describe the problem without echoing the key.
    let key = SecretKey::parse_insecure_short(text).map_err(|e| anyhow!("the key in the {source}: {e}"))?;
    if key.len() < MIN_KEY_LEN {
        eprintln!(
            "warning: the key in the {source} is only {} bytes; accepted for an existing deployment, \
             but new keys should have at least {MIN_KEY_LEN} (session-cookie keygen)",
            key.len()
        );
    }
    Ok(key)
}
