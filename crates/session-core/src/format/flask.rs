//! Flask (`SecureCookieSessionInterface`): `payload.timestamp.signature`, itsdangerous' `TimestampSigner`
//! (HMAC-SHA1, `hmac` key derivation, salt `cookie-session`) over URL-safe base64 of the tagged JSON, or `.` +
//! base64 of its zlib stream when that is shorter by more than one byte. Cookie `session`, 31 days.

use super::{Decoded, Defaults, Limits};
use crate::config::DEFAULT_LIFETIME_SECS as LIFETIME_SECS;
use crate::error::{Result, SessionError};
use crate::json::{from_tagged_json, map_to_tagged_json};
use crate::key::Keyring;
use crate::payload::{Compression, decode_payload, encode_payload};
use crate::session::SessionData;
use crate::signer::{SignerOptions, TimestampSigner};
use crate::value::{Entries, Value};

pub(crate) fn defaults() -> Defaults {
    Defaults {
        cookie_name: "session",
        lifetime: LIFETIME_SECS,
        same_site: None,
        refresh_each_request: true,
        signer: SignerOptions::default(),
        compression: Compression::Flask,
    }
}

/// Flask's serializer: `URLSafeTimedSerializer` + `TaggedJSONSerializer`.
#[derive(Debug, Clone)]
pub(crate) struct Flask {
    signer: TimestampSigner,
    pub(crate) compression: Compression,
}

impl Flask {
    pub(crate) fn new(keyring: &Keyring, options: SignerOptions, compression: Compression) -> Self {
        Self {
            signer: TimestampSigner::new(keyring, options),
            compression,
        }
    }

    pub(crate) fn encode(&self, data: &impl Entries, timestamp: u64) -> String {
        self.encode_json(&map_to_tagged_json(data), timestamp)
    }

    pub(crate) fn encode_json(&self, json: &str, timestamp: u64) -> String {
        self.signer
            .sign(&encode_payload(json.as_bytes(), self.compression), timestamp)
    }

    pub(crate) fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>, limits: Limits) -> Result<Decoded> {
        let v = self.signer.unsign(cookie, now, max_age)?;
        let json = decode_payload(v.payload, limits.decompressed)?;
        // SecureCookieSession(data) starts from `data or ()`: any falsy value is an empty session.
        let data = SessionData::decode(json, true, true, limits.values)?;
        Ok(Decoded {
            data,
            timestamp: Some(v.timestamp),
            key: v.key,
            compressed: v.payload.starts_with('.'),
            rewrite: false,
        })
    }
}

pub(crate) fn decode_unverified(cookie: &str, max_decompressed: usize) -> Result<(Value, u64, bool)> {
    let (value, _sig) = cookie
        .rsplit_once('.')
        .ok_or(SessionError::Malformed("no '.' separator"))?;
    let (payload, ts) = value
        .rsplit_once('.')
        .ok_or(SessionError::Malformed("timestamp missing"))?;
    let timestamp = crate::signer::decode_timestamp(ts)?;
    let json = decode_payload(payload, max_decompressed)?;
    Ok((from_tagged_json(&json)?, timestamp, payload.starts_with('.')))
}
