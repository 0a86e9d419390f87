//! The view operations of `flask_flash.json` and `flask_wtf_csrf.json`: Flask's `flash` /
//! `get_flashed_messages` and Flask-WTF's `generate_csrf` / `validate_csrf`, run through a target's session
//! like the other scenario actions (`scripts/flask_flash_csrf_vectors.py` writes them).

use serde::{Deserialize, Serialize};
use serde_json::Value as J;
use session_core::{Csrf, SecretKey, SessionHandle, Value, wire::json};

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
            Self::Flash { message, category } => session.flash_with_category(message, category),
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

/// One `validate_csrf` vector of `flask_wtf_csrf.json` as a request to send through an adapter's CSRF guard:
/// the session cookie, the token (as a form field or header), the clock, and what Flask-WTF said.
#[derive(Debug, Clone)]
pub struct CsrfRequest {
    /// The vector id.
    pub id: String,
    /// The session configuration of the vector.
    pub config: session_core::SessionConfig,
    /// The CSRF settings (key and time limit) of the vector.
    pub csrf: Csrf,
    /// Raw `Cookie` header values.
    pub cookie_headers: Vec<String>,
    /// The fixed clock reading.
    pub now: u64,
    /// The token to send (`None`: send none).
    pub token: Option<String>,
    /// `None` when Flask-WTF accepted the token, else its refusal message (the expected 400 body).
    pub refusal: Option<String>,
}

#[derive(Deserialize)]
struct CsrfFile {
    cases: Vec<CsrfFileCase>,
}

#[derive(Deserialize)]
struct CsrfFileCase {
    id: String,
    config: std::collections::BTreeMap<String, J>,
    now: u64,
    request_cookies: Vec<String>,
    actions: Vec<J>,
}

/// Every single-validation case of `flask_wtf_csrf.json`, ready to send through an adapter's guard.
///
/// # Panics
/// When the vector file is missing or malformed (the test should fail loudly).
pub fn csrf_requests() -> Vec<CsrfRequest> {
    let path = crate::vectors_dir().join("flask_wtf_csrf.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: CsrfFile = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    file.cases
        .into_iter()
        .filter_map(|c| {
            let [action] = c.actions.as_slice() else { return None };
            let Ok(FlashCsrf::CsrfValidate {
                secret_key,
                time_limit,
                token,
                expect,
            }) = serde_json::from_value::<FlashCsrf>(action.clone())
            else {
                return None;
            };
            let key = SecretKey::parse_insecure_short(&secret_key).unwrap_or_else(|e| panic!("{}: {e}", c.id));
            Some(CsrfRequest {
                config: crate::flask_config(&c.config).unwrap_or_else(|e| panic!("{}: {e}", c.id)),
                csrf: Csrf::new(&key).with_time_limit(time_limit),
                cookie_headers: c.request_cookies,
                now: c.now,
                token,
                refusal: expect.as_str().filter(|e| *e != "valid").map(str::to_owned),
                id: c.id,
            })
        })
        .collect()
}
