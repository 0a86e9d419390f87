//! The view operations of `flask_flash.json` and `flask_wtf_csrf.json`: Flask's `flash` /
//! `get_flashed_messages` and Flask-WTF's `generate_csrf` / `validate_csrf`, run through a target's session
//! like the other scenario actions (`scripts/flask_flash_csrf_vectors.py` writes them).

use serde::{Deserialize, Serialize};
use serde_json::Value as J;
use session_core::{Csrf, SecretKey, SessionHandle, Value, json};

/// One flash or CSRF operation of a scenario vector.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FlashCsrf {
    /// `flash(message, category)`.
    Flash {
        /// The message.
        message: String,
        /// The category.
        category: String,
    },
    /// `get_flashed_messages(with_categories, category_filter)`; `expect` is Flask's result in tagged JSON.
    GetFlashedMessages {
        /// Return `(category, message)` tuples instead of messages.
        with_categories: bool,
        /// Only these categories (empty: all).
        category_filter: Vec<String>,
        /// What Flask's view observed.
        #[serde(default)]
        expect: J,
    },
    /// Flask-WTF's `generate_csrf(secret_key)`; `expect` is the signed token.
    CsrfToken {
        /// `WTF_CSRF_SECRET_KEY` (key text as in the config).
        secret_key: String,
        /// What Flask-WTF returned.
        #[serde(default)]
        expect: J,
    },
    /// Flask-WTF's `validate_csrf(token)`; `expect` is `"valid"` or Flask-WTF's refusal message.
    CsrfValidate {
        /// `WTF_CSRF_SECRET_KEY`.
        secret_key: String,
        /// `WTF_CSRF_TIME_LIMIT` (`null`: no limit).
        time_limit: Option<u64>,
        /// The token sent (`null`: none).
        token: Option<String>,
        /// What Flask-WTF said.
        #[serde(default)]
        expect: J,
    },
}

impl FlashCsrf {
    /// Runs the operation on `session`, pushing an observation for the operations that have one.
    pub fn apply(&self, session: &SessionHandle, out: &mut Vec<J>) {
        match self {
            Self::Flash { message, category } => session.flash(message, category),
            Self::GetFlashedMessages {
                with_categories,
                category_filter,
                ..
            } => {
                let filter: Vec<&str> = category_filter.iter().map(String::as_str).collect();
                let list = session
                    .flashed_messages(&filter)
                    .into_iter()
                    .map(|f| {
                        let message = if f.is_markup {
                            Value::Markup(f.message)
                        } else {
                            Value::Str(f.message)
                        };
                        if *with_categories {
                            Value::Tuple(vec![Value::Str(f.category), message])
                        } else {
                            message
                        }
                    })
                    .collect();
                let text = json::to_tagged_json(&Value::List(list));
                out.push(serde_json::from_str(&text).unwrap_or(J::String(text)));
            }
            Self::CsrfToken { secret_key, .. } => out.push(match SecretKey::parse_insecure_short(secret_key) {
                Ok(key) => J::String(Csrf::new(&key).token(session)),
                Err(e) => J::String(format!("bad vector key: {e}")),
            }),
            Self::CsrfValidate {
                secret_key,
                time_limit,
                token,
                ..
            } => out.push(match SecretKey::parse_insecure_short(secret_key) {
                Ok(key) => {
                    let csrf = Csrf::new(&key).with_time_limit(*time_limit);
                    match csrf.validate(session, token.as_deref()) {
                        Ok(()) => J::String("valid".into()),
                        Err(e) => J::String(e.to_string()),
                    }
                }
                Err(e) => J::String(format!("bad vector key: {e}")),
            }),
        }
    }

    /// What Flask observed, for the operations that observe something.
    pub fn expect(&self) -> Option<&J> {
        match self {
            Self::Flash { .. } => None,
            Self::GetFlashedMessages { expect, .. }
            | Self::CsrfToken { expect, .. }
            | Self::CsrfValidate { expect, .. } => Some(expect),
        }
    }
}
