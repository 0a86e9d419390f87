//! What the tool learns about a format by running one probe session through its codec.
//!
//! The registry says whether a format is encrypted and whether its sessions are tagged JSON; it does not say
//! how many cookies a session spans, whether they carry their signing time, or how the format writes its
//! JSON. The codec knows: it writes the probe, and these functions look at what came out. Nothing probed is
//! printed or kept.

use session_core::wire::json::from_plain_json;
use session_core::wire::pyjson::{Separators, dumps_map};
use session_core::{Claimed, CookieCodec, Map, SessionError, Value};

/// A session whose JSON the dialects write differently: non-ASCII (Python escapes it, JavaScript and Ruby do
/// not), `<` (ActiveSupport escapes it), a float, a list and a nested object.
fn probe() -> Map {
    let mut inner = Map::new();
    inner.insert("d".into(), Value::Str("<".into()));
    let mut map = Map::new();
    map.insert("a".into(), Value::Str("\u{e9}".into()));
    map.insert(
        "b".into(),
        Value::List(vec![Value::Int(1), Value::Float(2.5), Value::Null, Value::Bool(true)]),
    );
    map.insert("c".into(), Value::Dict(inner));
    map
}

/// The names of the cookies a session of this format spans, main cookie first (one name for most formats).
///
/// # Errors
/// An encrypting format's failed nonce source.
pub fn cookie_names(codec: &CookieCodec, now: u64) -> Result<Vec<String>, SessionError> {
    Ok(codec
        .encode_cookies(&probe(), now)?
        .into_iter()
        .map(|(name, _)| name)
        .collect())
}

/// Whether this format's cookies carry the time they were signed (then an age limit applies to them): a
/// probe cookie made at `now` is read back and has a timestamp.
///
/// # Errors
/// An encrypting format's failed nonce source (the probe reads back, since this codec made it).
pub fn carries_signing_time(codec: &CookieCodec, now: u64) -> Result<bool, SessionError> {
    let mut cookies = codec.encode_cookies(&probe(), now)?.into_iter();
    let claimed = Claimed {
        main: cookies.next().map(|(_, value)| value),
        extra: cookies.collect(),
    };
    Ok(codec.decode_claimed(&claimed, now, None)?.timestamp.is_some())
}

/// Whether the format stores a session as JSON of the session itself: its serialization, read as plain JSON,
/// is the session again. Then that JSON is what the application sees; otherwise (a format that wraps or
/// re-encodes the values, as actix-session's state holds each value as a JSON text) it is not.
pub fn stores_plain_json(codec: &CookieCodec) -> bool {
    let map = probe();
    from_plain_json(codec.serialize(&map).as_bytes()).is_ok_and(|v| v == Value::Dict(map))
}

/// The separators, when this untagged format writes a session exactly as Python's `json.dumps` does with
/// them (then a session given as JSON text can be signed with its keys in the order given, as a Python dict
/// keeps insertion order, byte-equal to the framework's cookie). `None` for other formats, and for tagged
/// ones, whose canonical form sorts the keys.
pub fn python_separators(codec: &CookieCodec) -> Option<Separators> {
    if codec.format().is_tagged() {
        return None;
    }
    let map = probe();
    let written = codec.serialize(&map);
    [Separators::COMPACT, Separators::DEFAULT]
        .into_iter()
        .find(|&seps| dumps_map(&map, seps) == written)
}
