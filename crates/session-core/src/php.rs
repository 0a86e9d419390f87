//! PHP's `serialize()` / `unserialize()` for the values a session shares with other languages (Laravel's
//! session attributes).
//!
//! | PHP | text | [`Value`] |
//! |---|---|---|
//! | `null` | `N;` | `Null` |
//! | `bool` | `b:0;` `b:1;` | `Bool` |
//! | `int` | `i:-5;` | `Int` |
//! | `float` | `d:0.5;` `d:1;` `d:1.0E+25;` `d:INF;` | `Float` |
//! | `string` | `s:<bytes>:"...";` | `Str` (UTF-8) or `Bytes` |
//! | `array` with keys `0..n` in order | `a:<n>:{i:0;...}` | `List` |
//! | any other `array` | `a:<n>:{s:1:"k";...i:7;...}` | `Dict` (int keys as decimal text) |
//! | object, custom object, enum case | `O:`, `C:`, `E:` | `Foreign` (`"php"`, class name, the exact text) |
//!
//! PHP arrays are one type: an integer key and its decimal string are the same key (`"5"` is `5`, `"05"` is
//! not), so a `Dict` key that is a canonical decimal integer is written as an integer key, as PHP would store
//! it, and an empty array reads as an empty `List`. Objects are never instantiated: their text is kept as it
//! came and written back unchanged. References (`r:`, `R:`) are refused: their numbers count values from the
//! start of the whole text, which a rewritten session does not keep.
//!
//! The reader is bounded: nesting by [`MAX_DEPTH`], the values it builds by the caller's budget, every length
//! checked against the bytes that remain before anything is taken; a count allocates nothing (each element
//! reads input or fails).

use std::fmt::Write as _;

use crate::error::{Result, SessionError};
use crate::value::{Foreign, Map, Value};

/// The deepest nesting of arrays and objects the reader accepts.
pub const MAX_DEPTH: usize = 128;

/// The serializer name in [`Foreign`] values this module reads and writes.
pub const SERIALIZER: &str = "php";

fn bad(msg: &str, at: usize) -> SessionError {
    SessionError::BadPayload(format!("PHP serialize: {msg} at byte {at}"))
}

/// Reads one serialized value; bytes after it are ignored, as PHP 8.2's `unserialize` ignores them (8.3 only
/// adds a warning). `max_values` bounds the values built.
///
/// # Errors
/// [`SessionError::BadPayload`] for text `unserialize` does not read, a reference, nesting beyond
/// [`MAX_DEPTH`] or more than `max_values` values.
pub fn decode(input: &[u8], max_values: usize) -> Result<Value> {
    let mut r = Reader {
        input,
        at: 0,
        budget: max_values,
    };
    r.value(0)
}

struct Reader<'a> {
    input: &'a [u8],
    at: usize,
    budget: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.at).copied()
    }

    fn expect(&mut self, b: u8) -> Result<()> {
        if self.peek() == Some(b) {
            self.at += 1;
            Ok(())
        } else {
            Err(bad(&format!("expected {:?}", b as char), self.at))
        }
    }

    fn spend(&mut self) -> Result<()> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| bad("more values than the limit", self.at))?;
        Ok(())
    }

    /// The bytes up to (not including) `end`, which is consumed.
    fn until(&mut self, end: u8) -> Result<&'a [u8]> {
        let input = self.input;
        let rest = &input[self.at..];
        let n = rest
            .iter()
            .position(|&b| b == end)
            .ok_or_else(|| bad(&format!("no {:?}", end as char), self.at))?;
        let out = &input[self.at..self.at + n];
        self.at += n + 1;
        Ok(out)
    }

    /// The next `len` bytes, refused when fewer remain (so `at` never passes the end).
    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        let input = self.input;
        let bytes = input
            .get(self.at..)
            .and_then(|rest| rest.get(..len))
            .ok_or_else(|| bad("a length beyond the input", self.at))?;
        self.at += len;
        Ok(bytes)
    }

    /// A non-negative length or count in decimal: digits only, any number of leading zeros (as PHP reads them).
    /// A value beyond `usize` is refused (PHP wraps it around 2^64).
    fn count(&mut self, end: u8) -> Result<usize> {
        let start = self.at;
        let digits = self.until(end)?;
        if digits.is_empty() {
            return Err(bad("a bad length", start));
        }
        digits
            .iter()
            .try_fold(0usize, |n, &d| {
                let d = d.is_ascii_digit().then(|| usize::from(d - b'0'))?;
                n.checked_mul(10)?.checked_add(d)
            })
            .ok_or_else(|| bad("a bad length", start))
    }

    /// `<n>:"<n bytes>"`, after the type letter and its colon; the bytes are checked against what remains
    /// before they are taken.
    fn quoted(&mut self) -> Result<&'a [u8]> {
        let len = self.count(b':')?;
        self.expect(b'"')?;
        let bytes = self.take(len)?;
        self.expect(b'"')?;
        Ok(bytes)
    }

    /// `unserialize`'s integer: an optional sign and decimal digits, leading zeros allowed; beyond the 64-bit
    /// range it is the nearest end of the range, as PHP reads it.
    fn int(&mut self) -> Result<i64> {
        let start = self.at;
        let text = self.until(b';')?;
        let (negative, digits) = match text.split_first() {
            Some((b'-', rest)) => (true, rest),
            Some((b'+', rest)) => (false, rest),
            _ => (false, text),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad("a bad integer", start));
        }
        Ok(digits.iter().fold(0i64, |n, &d| {
            let d = i64::from(d - b'0');
            if negative {
                n.saturating_mul(10).saturating_sub(d)
            } else {
                n.saturating_mul(10).saturating_add(d)
            }
        }))
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        self.spend()?;
        let start = self.at;
        let kind = self.peek().ok_or_else(|| bad("unexpected end", start))?;
        self.at += 1;
        if kind == b'N' {
            self.expect(b';')?;
            return Ok(Value::Null);
        }
        self.expect(b':')?;
        match kind {
            b'b' => {
                let v = match self.until(b';')? {
                    b"0" => false,
                    b"1" => true,
                    _ => return Err(bad("a bad bool", start)),
                };
                Ok(Value::Bool(v))
            }
            b'i' => Ok(Value::Int(self.int()?)),
            b'd' => {
                let text = self.until(b';')?;
                parse_float(text)
                    .map(Value::Float)
                    .ok_or_else(|| bad("a bad float", start))
            }
            b's' => {
                let bytes = self.quoted()?;
                self.expect(b';')?;
                Ok(match std::str::from_utf8(bytes) {
                    Ok(s) => Value::Str(s.to_owned()),
                    Err(_) => Value::Bytes(bytes.to_vec()),
                })
            }
            b'a' => self.array(depth),
            b'O' | b'C' | b'E' => self.object(kind, start, depth),
            b'r' | b'R' => Err(bad("a reference (not kept)", start)),
            _ => Err(bad("an unknown type", start)),
        }
    }

    /// An array key or a property name: `i:<int>;` or `s:<n>:"<bytes>";`, nothing else (as PHP reads them).
    fn key(&mut self) -> Result<RawKey<'a>> {
        let at = self.at;
        let kind = self.peek();
        if !matches!(kind, Some(b'i' | b's')) {
            return Err(bad("a bad array key", at));
        }
        self.at += 1;
        self.expect(b':')?;
        if kind == Some(b'i') {
            return Ok(RawKey::Int(self.int()?));
        }
        let bytes = self.quoted()?;
        self.expect(b';')?;
        Ok(RawKey::Bytes(bytes))
    }

    fn array(&mut self, depth: usize) -> Result<Value> {
        let start = self.at;
        if depth >= MAX_DEPTH {
            return Err(bad("nesting too deep", start));
        }
        // Nothing is allocated by the count: each element reads input or fails, so a count beyond the input
        // fails where the input ends.
        let n = self.count(b':')?;
        self.expect(b'{')?;
        let mut list: Vec<Value> = Vec::new();
        let mut map: Option<Map> = None;
        for i in 0..n {
            let key_at = self.at;
            self.spend()?;
            let key = match self.key()? {
                RawKey::Int(k) => Key::Int(k),
                RawKey::Bytes(bytes) => {
                    let text = std::str::from_utf8(bytes).map_err(|_| bad("a key that is not UTF-8", key_at))?;
                    // PHP stores a canonical decimal string key as that integer.
                    match canonical_int(text) {
                        Some(k) => Key::Int(k),
                        None => Key::Str(text.to_owned()),
                    }
                }
            };
            let value = self.value(depth + 1)?;
            match (&mut map, key) {
                (None, Key::Int(k)) if usize::try_from(k).ok() == Some(i) => list.push(value),
                (None, key) => {
                    let mut m: Map = std::mem::take(&mut list)
                        .into_iter()
                        .enumerate()
                        .map(|(j, v)| (j.to_string(), v))
                        .collect();
                    m.insert(key.into_string(), value);
                    map = Some(m);
                }
                (Some(m), key) => {
                    // A repeated key: the last value wins, as in PHP.
                    m.insert(key.into_string(), value);
                }
            }
        }
        self.expect(b'}')?;
        Ok(map.map_or(Value::List(list), Value::Dict))
    }

    /// An object kept as its exact text: `O:<n>:"Class":<count>:{<props>}`, `C:<n>:"Class":<n>:{<bytes>}`,
    /// `E:<n>:"Enum:Case";`. Its members are read (and bounded) to find where it ends, then dropped.
    fn object(&mut self, kind: u8, start: usize, depth: usize) -> Result<Value> {
        if depth >= MAX_DEPTH {
            return Err(bad("nesting too deep", start));
        }
        let name = self.quoted()?;
        let class = String::from_utf8_lossy(name).into_owned();
        match kind {
            b'E' => self.expect(b';')?,
            b'C' => {
                self.expect(b':')?;
                let len = self.count(b':')?;
                self.expect(b'{')?;
                self.take(len)?;
                self.expect(b'}')?;
            }
            _ => {
                self.expect(b':')?;
                // As in an array, nothing is allocated by the count.
                let n = self.count(b':')?;
                self.expect(b'{')?;
                for _ in 0..n {
                    self.spend()?;
                    self.key()?;
                    self.value(depth + 1)?;
                }
                self.expect(b'}')?;
            }
        }
        let text = self.input[start..self.at].to_vec();
        Ok(Value::Foreign(Box::new(Foreign::new(SERIALIZER, class, text, None))))
    }
}

enum Key {
    Int(i64),
    Str(String),
}

/// A key as it is written: an integer, or a string's bytes.
enum RawKey<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl Key {
    fn into_string(self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Str(s) => s,
        }
    }
}

/// The integer a PHP array key string means: `"5"`, `"-3"` (not `"05"`, `"-0"`, `"+1"` or beyond 64 bits).
fn canonical_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let ok = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" && text == "0" || !digits.starts_with('0'));
    if !ok {
        return None;
    }
    text.parse().ok()
}

/// `unserialize`'s float: `INF`, `-INF`, `NAN`, or a decimal with an optional exponent.
fn parse_float(text: &[u8]) -> Option<f64> {
    match text {
        b"INF" => return Some(f64::INFINITY),
        b"-INF" => return Some(f64::NEG_INFINITY),
        b"NAN" => return Some(f64::NAN),
        _ => {}
    }
    // PHP's grammar (`[+-]? digits with one optional point, [eE][+-]? digits`) is Rust's, but for the words
    // Rust also reads (`inf`, `infinity`, `nan` in any case), which these characters leave out.
    if !text
        .iter()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

/// A float as `serialize()` writes it (`serialize_precision = -1`): the shortest digits that read back, fixed
/// notation without a fraction for whole numbers (`1`, `-0`), `d.dddE+X` from 10^17 up and below 10^-4.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        return "NAN".into();
    }
    if f.is_infinite() {
        return if f.is_sign_negative() { "-INF" } else { "INF" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip: `d.ddde<exp>`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let decpt = exp + 1;
    if !(-3..=17).contains(&decpt) {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        return format!("{sign}{first}.{rest}E{exp:+}");
    }
    let n = digits.len() as i32;
    if decpt <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat(decpt.unsigned_abs() as usize))
    } else if decpt >= n {
        format!("{sign}{digits}{}", "0".repeat((decpt - n) as usize))
    } else {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{sign}{int}.{frac}")
    }
}

/// Why a value cannot be written as PHP: a value of another language's serializer with no plain value.
fn unwritable(f: &Foreign) -> SessionError {
    SessionError::BadPayload(format!(
        "a {} value of type {} cannot be written as PHP serialize()",
        f.serializer(),
        f.type_name()
    ))
}

/// Writes `value` as `serialize()` does.
///
/// # Errors
/// [`SessionError::BadPayload`] for a [`Value::Foreign`] of another serializer that has no plain value.
pub fn write(value: &Value, out: &mut Vec<u8>) -> Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"N;"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"b:1;" } else { b"b:0;" }),
        Value::Int(i) => {
            let _ = write!(Text(out), "i:{i};");
        }
        // Beyond 64 bits PHP has only floats.
        Value::BigInt(digits) => {
            let f: f64 = digits.parse().unwrap_or(f64::NAN);
            let _ = write!(Text(out), "d:{};", float_text(f));
        }
        Value::Float(f) => {
            let _ = write!(Text(out), "d:{};", float_text(*f));
        }
        Value::Str(s) | Value::Markup(s) => write_str(s.as_bytes(), out),
        Value::Bytes(b) => write_str(b, out),
        Value::Uuid(u) => write_str(Value::uuid_string(u).as_bytes(), out),
        Value::DateTime(t) => write_str(crate::httpdate::http_date(*t).as_bytes(), out),
        Value::List(items) | Value::Tuple(items) => {
            let _ = write!(Text(out), "a:{}:{{", items.len());
            for (i, v) in items.iter().enumerate() {
                let _ = write!(Text(out), "i:{i};");
                write(v, out)?;
            }
            out.push(b'}');
        }
        Value::Dict(map) => write_map(map.iter().map(|(k, v)| (k.as_str(), v)), map.len(), out)?,
        Value::Foreign(f) if f.serializer() == SERIALIZER => out.extend_from_slice(f.encoded()),
        Value::Foreign(f) => write(f.value().ok_or_else(|| unwritable(f))?, out)?,
    }
    Ok(())
}

/// Writes an array of `len` string-keyed entries (a canonical decimal key as an integer key, as PHP stores it).
///
/// # Errors
/// As [`write()`].
pub fn write_map<'a>(entries: impl Iterator<Item = (&'a str, &'a Value)>, len: usize, out: &mut Vec<u8>) -> Result<()> {
    let _ = write!(Text(out), "a:{len}:{{");
    for (k, v) in entries {
        write_key(k, out);
        write(v, out)?;
    }
    out.push(b'}');
    Ok(())
}

/// Writes an array key: a canonical decimal integer as an integer key (as PHP stores it), else a string.
pub fn write_key(key: &str, out: &mut Vec<u8>) {
    match canonical_int(key) {
        Some(i) => {
            let _ = write!(Text(out), "i:{i};");
        }
        None => write_str(key.as_bytes(), out),
    }
}

fn write_str(bytes: &[u8], out: &mut Vec<u8>) {
    let _ = write!(Text(out), "s:{}:\"", bytes.len());
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\";");
}

/// `fmt::Write` into a byte buffer.
struct Text<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Text<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> Vec<u8> {
        let v = decode(text.as_bytes(), 1000).unwrap();
        let mut out = Vec::new();
        write(&v, &mut out).unwrap();
        out
    }

    #[test]
    fn floats_are_written_as_php_writes_them() {
        // From PHP 8.2's `serialize()` (serialize_precision = -1).
        for (f, php) in [
            (0.5, "0.5"),
            (1.0, "1"),
            (-0.0, "-0"),
            (0.1, "0.1"),
            (1e15, "1000000000000000"),
            (1e16, "10000000000000000"),
            (1e20, "1.0E+20"),
            (1e25, "1.0E+25"),
            (1.5e300, "1.5E+300"),
            (5e-324, "5.0E-324"),
            (1e-5, "1.0E-5"),
            (0.0001, "0.0001"),
            (123_456_789.125, "123456789.125"),
            (-1.5e-7, "-1.5E-7"),
            (f64::INFINITY, "INF"),
            (f64::NEG_INFINITY, "-INF"),
            (f64::NAN, "NAN"),
            (1e14, "100000000000000"),
            (123_456_789_012_345_680.0, "1.2345678901234568E+17"),
        ] {
            assert_eq!(float_text(f), php, "{f}");
        }
    }

    #[test]
    fn values_round_trip_byte_for_byte() {
        for text in [
            "N;",
            "b:1;",
            "i:-42;",
            "d:0.5;",
            "s:6:\"h\u{e9}llo\";",
            "a:0:{}",
            "a:2:{i:0;s:1:\"a\";i:1;i:2;}",
            "a:2:{s:2:\"05\";i:2;i:5;i:1;}",
            "O:8:\"stdClass\":1:{s:1:\"a\";i:1;}",
            "C:11:\"ArrayObject\":21:{x:i:0;a:0:{};m:a:0:{}}",
        ] {
            assert_eq!(String::from_utf8(round(text)).unwrap(), text);
        }
    }

    #[test]
    fn numeric_string_keys_are_integers() {
        let v = decode(b"a:2:{s:1:\"0\";s:1:\"a\";s:1:\"1\";s:1:\"b\";}", 100).unwrap();
        assert_eq!(v, Value::List(vec![Value::Str("a".into()), Value::Str("b".into())]));
        assert_eq!(canonical_int("-3"), Some(-3));
        for not in ["05", "-0", "+1", "", "-", "9223372036854775808", "1.0"] {
            assert_eq!(canonical_int(not), None, "{not}");
        }
    }

    #[test]
    fn hostile_text_is_refused() {
        for text in [
            "s:99:\"a\";",
            "a:99999999:{}",
            "a:1:{i:0;r:1;}",
            "b:2;",
            "s:1:\"a\"",
            "x:1;",
            "a:1:{d:1;N;}",
            "O:8:\"stdClass\":1:{a:0:{}N;}",
            "C:3:\"Foo\":99:{}",
        ] {
            assert!(decode(text.as_bytes(), 1000).is_err(), "{text}");
        }
        let deep = "a:1:{i:0;".repeat(MAX_DEPTH + 1) + "N;" + &"}".repeat(MAX_DEPTH + 1);
        assert!(decode(deep.as_bytes(), 100_000).is_err());
        assert!(decode(b"a:3:{i:0;N;i:1;N;i:2;N;}", 3).is_err());
        assert_eq!(decode(b"N;junk", 10).unwrap(), Value::Null);
    }

    #[test]
    fn a_refusal_names_its_reason() {
        // The reason reaches the refusal log: a reference is refused as one, not as an unknown type.
        for (text, reason) in [
            ("a:2:{i:0;s:1:\"a\";i:1;R:2;}", "a reference"),
            ("a:1:{i:0;r:1;}", "a reference"),
            ("x:1;", "an unknown type"),
            ("a:1:{d:1;N;}", "a bad array key"),
        ] {
            let err = decode(text.as_bytes(), 100).unwrap_err().to_string();
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
