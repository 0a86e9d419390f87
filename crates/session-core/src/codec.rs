//! Flask's session serializer: tagged JSON → payload (zlib rule) → `TimestampSigner`.

use crate::error::{Result, SessionError};
use crate::json::{DEFAULT_MAX_VALUES, from_tagged_json, from_tagged_json_with_limit, map_to_tagged_json};
use crate::key::{KeyId, Keyring};
use crate::payload::{Compression, decode_payload, encode_payload};
use crate::signer::{SignerOptions, TimestampSigner};
use crate::value::{Map, Value};

/// Default bound on an inflated payload (1 MiB); a real session is at most a few KB.
pub const DEFAULT_MAX_DECOMPRESSED: usize = 1 << 20;

/// A cookie that verified and decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The session data.
    pub data: Map,
    /// The signed timestamp (Unix seconds).
    pub timestamp: u64,
    /// Which key verified it.
    pub key: KeyId,
    /// Whether the payload was zlib-compressed.
    pub compressed: bool,
}

/// Encodes and decodes Flask session cookie values (`URLSafeTimedSerializer` + `TaggedJSONSerializer`).
#[derive(Debug, Clone)]
pub struct CookieCodec {
    signer: TimestampSigner,
    compression: Compression,
    max_decompressed: usize,
    max_values: usize,
}

impl CookieCodec {
    /// A codec for a keyring with the given signer options.
    pub fn new(keyring: &Keyring, options: SignerOptions) -> Self {
        Self {
            signer: TimestampSigner::new(keyring, options),
            compression: Compression::Flask,
            max_decompressed: DEFAULT_MAX_DECOMPRESSED,
            max_values: DEFAULT_MAX_VALUES,
        }
    }

    /// Sets the compression policy (default: Flask's rule).
    pub fn with_compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Sets the bound on inflated payloads (default 1 MiB).
    pub fn with_max_decompressed(mut self, limit: usize) -> Self {
        self.max_decompressed = limit;
        self
    }

    /// Sets the bound on how many values one payload may decode into (default
    /// [`DEFAULT_MAX_VALUES`](crate::json::DEFAULT_MAX_VALUES)).
    pub fn with_max_values(mut self, limit: usize) -> Self {
        self.max_values = limit;
        self
    }

    /// The cookie value for `data`, signed with the current key at `timestamp`.
    pub fn encode(&self, data: &Map, timestamp: u64) -> String {
        self.encode_json(&map_to_tagged_json(data), timestamp)
    }

    /// The cookie value for tagged JSON text that is already serialized.
    pub fn encode_json(&self, json: &str, timestamp: u64) -> String {
        self.signer
            .sign(&encode_payload(json.as_bytes(), self.compression), timestamp)
    }

    /// Verifies and decodes a cookie value. `max_age` of `None` skips the age check.
    ///
    /// # Errors
    /// `Malformed`, `BadSignature`, `Expired`, `FromTheFuture`, `BadPayload` or `PayloadTooLarge`.
    pub fn decode(&self, cookie: &str, now: u64, max_age: Option<u64>) -> Result<Decoded> {
        let v = self.signer.unsign(cookie, now, max_age)?;
        let json = decode_payload(v.payload, self.max_decompressed)?;
        let data = match from_tagged_json_with_limit(&json, self.max_values)? {
            Value::Dict(m) => m,
            // SecureCookieSession(data) starts from `data or ()`: any falsy value is an empty session.
            other if other.is_falsy() => Map::new(),
            _ => return Err(SessionError::BadPayload("the session is not a JSON object".into())),
        };
        Ok(Decoded {
            data,
            timestamp: v.timestamp,
            key: v.key,
            compressed: v.payload.starts_with('.'),
        })
    }
}

/// Decodes a cookie without verifying it (for inspection only: the result is untrusted).
///
/// # Errors
/// `Malformed` when the shape is wrong, `BadPayload` / `PayloadTooLarge` when the payload does not decode.
pub fn decode_unverified(cookie: &str, max_decompressed: usize) -> Result<(Value, u64, bool)> {
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
