//! Flask's message flashing (`flash` / `get_flashed_messages`), stored exactly as Flask stores it.
//!
//! A flashed message is kept in the session under `_flashes` as a list of `(category, message)` tuples
//! (tagged JSON `{" t": ["message", "You were logged in"]}`), so a message flashed by an axum handler is shown
//! by a Flask template and the other way round. As in Flask, the first read in a request pops `_flashes` from
//! the session and keeps the messages for the rest of that request: reading twice gives the same messages,
//! and a message flashed after the read waits for the next request.

use std::sync::Mutex;

use crate::json::to_tagged_json;
use crate::session::Session;
use crate::value::Value;

/// The session key Flask keeps flashed messages under.
pub const FLASHES_KEY: &str = "_flashes";

/// Flask's default category (`flash(message)` is `flash(message, "message")`).
pub const DEFAULT_CATEGORY: &str = "message";

/// One flashed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// The category (`"message"` by default; Flask suggests `"error"`, `"info"`, `"warning"`).
    pub category: String,
    /// The message text.
    pub message: String,
    /// Whether Flask stored the message as `markupsafe.Markup` (HTML that is already safe to render unescaped).
    /// Messages flashed from Rust are plain text.
    pub is_markup: bool,
}

/// The messages one request has popped (Flask's `request_ctx.flashes`); `None` until the first read.
pub(crate) type FlashCache = Mutex<Option<Vec<Flash>>>;

/// Flask's `flash(message, category)` on a session: appends `(category, message)` to `_flashes` and marks
/// the session modified.
///
/// A `_flashes` value that is not a list (a cookie no Flask wrote) is replaced by a new list; Flask would fail
/// with a 500 there.
pub fn flash(session: &mut Session, message: &str, category: &str) {
    let mut flashes = match session.get_value(FLASHES_KEY) {
        Some(Value::List(items)) => items.clone(),
        _ => Vec::new(),
    };
    flashes.push(Value::Tuple(vec![
        Value::Str(category.to_owned()),
        Value::Str(message.to_owned()),
    ]));
    session.insert_value(FLASHES_KEY, Value::List(flashes));
}

/// Removes `_flashes` from the session and returns its messages, oldest first (the session is marked modified
/// only when `_flashes` was there, as Flask's `session.pop`).
///
/// This has no per-request memory; handlers use [`crate::SessionHandle::flashed_messages`] and friends, which read
/// once per request as Flask does. Entries that are not `(category, message)` pairs are dropped; a
/// non-string category or message is shown as its tagged JSON.
pub fn pop_flashes(session: &mut Session) -> Vec<Flash> {
    if !session.contains_key(FLASHES_KEY) {
        return Vec::new();
    }
    match session.remove(FLASHES_KEY) {
        Some(Value::List(items) | Value::Tuple(items)) => items.iter().filter_map(entry).collect(),
        _ => Vec::new(),
    }
}

fn entry(v: &Value) -> Option<Flash> {
    let (Value::List(pair) | Value::Tuple(pair)) = v else {
        return None;
    };
    let [category, message] = pair.as_slice() else {
        return None;
    };
    let text = |v: &Value| v.as_str().map_or_else(|| to_tagged_json(v), str::to_owned);
    Some(Flash {
        category: text(category),
        message: text(message),
        is_markup: matches!(message, Value::Markup(_)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::map_to_tagged_json;
    use crate::{SecretKey, SessionConfig, SessionHandle};

    fn config() -> SessionConfig {
        SessionConfig::builder()
            .secret_key(SecretKey::parse("0123456789abcdef").unwrap())
            .build()
            .unwrap()
    }

    #[test]
    fn stored_as_flask_stores_it() {
        let mut s = Session::default();
        flash(&mut s, "hi", "message");
        flash(&mut s, "bad", "error");
        assert_eq!(
            map_to_tagged_json(s.data()),
            r#"{"_flashes":[{" t":["message","hi"]},{" t":["error","bad"]}]}"#
        );
    }

    #[test]
    fn read_pops_once_and_caches_for_the_request() {
        let h = SessionHandle::new(config(), vec![], 1);
        h.flash("a");
        h.flash_with_category("b", "error");
        assert_eq!(h.flashed_messages(&["error"]).len(), 1);
        assert!(!h.contains_key(FLASHES_KEY), "the first read pops everything");
        assert_eq!(h.take_flashes(), ["a", "b"]);
        h.flash("later");
        assert_eq!(
            h.take_flashes(),
            ["a", "b"],
            "a flash after the read waits for the next request"
        );
        assert!(h.contains_key(FLASHES_KEY));
    }

    #[test]
    fn odd_entries_are_dropped_not_fatal() {
        let mut s = Session::default();
        s.insert_value(
            FLASHES_KEY,
            Value::List(vec![
                Value::Int(1),
                Value::List(vec![Value::Str("info".into()), Value::Markup("<b>x</b>".into())]),
                Value::List(vec![Value::Str("only one".into())]),
            ]),
        );
        let got = pop_flashes(&mut s);
        assert_eq!(
            got,
            [Flash {
                category: "info".into(),
                message: "<b>x</b>".into(),
                is_markup: true
            }]
        );
        s.insert_value(FLASHES_KEY, Value::Str("not a list".into()));
        flash(&mut s, "fresh", "message");
        assert_eq!(pop_flashes(&mut s).len(), 1);
    }
}
