//! `--format` and the help texts that describe each format, all read from the core's registry
//! ([`Format::ALL`]): a format added there is accepted, listed and described here with no change.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use session_core::Format;

/// The `--format` parser: every registered name and alias (in any case, with `ignore_case`), each listed in
/// `--help` with its framework and other names.
pub fn parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.iter().map(|&format| {
        let help = match format.aliases() {
            [] => format.framework().to_owned(),
            aliases => format!("{} (also: {})", format.framework(), aliases.join(", ")),
        };
        PossibleValue::new(format.name())
            .aliases(format.aliases().iter().copied())
            .help(help)
    }))
    .try_map(|name| Format::from_name(&name))
}

/// The long help of `--cookie-name`: what the name is used for, and each format's default.
pub fn cookie_name_help() -> String {
    let defaults: Vec<String> = Format::ALL
        .iter()
        .map(|f| format!("{} `{}`", f.name(), f.defaults().cookie_name))
        .collect();
    format!(
        "The session cookie's name (default: the format's). `verify --cookie-header` looks for it, \
         `sign --set-cookie` writes it, a session's companion cookies are named after it (`<name>.sig`), and \
         encrypting formats seal it in (Rails' purpose, the associated data of actix-session's private jar), so \
         it must be the application's.\n\nDefaults: {}.",
        defaults.join(", ")
    )
}

/// The long help of `verify --max-age`: which formats it applies to, with their default.
pub fn max_age_help() -> String {
    let defaults: Vec<String> = Format::ALL
        .iter()
        .filter(|f| f.defaults().lifetime > 0)
        .map(|f| format!("{} {}", f.name(), duration(f.defaults().lifetime)))
        .collect();
    format!(
        "Oldest accepted cookie in seconds (default: the format's lifetime: {}).\n\n\
         Only for formats whose cookies carry the time they were signed. The others refuse it (exit 2): their \
         cookies seal their own expiry, if any, which verify checks at --now.",
        defaults.join(", ")
    )
}

/// `N s`, with the days when it is a whole number of them.
fn duration(secs: u64) -> String {
    const DAY: u64 = 24 * 60 * 60;
    if secs % DAY == 0 {
        format!("{secs} s ({} days)", secs / DAY)
    } else {
        format!("{secs} s")
    }
}
