//! Flask's tagged JSON (`flask/json/tag.py`), written byte for byte as Flask writes it inside a request:
//! compact, keys sorted by code point, `ensure_ascii`, Python float `repr`. The reader is `json_read`
//! (re-exported here), which the session data uses without the writers.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::data::Entries;
pub use crate::httpdate::http_date;
pub use crate::json_read::{
    DEFAULT_MAX_VALUES, MAX_DEPTH, from_plain_json, from_plain_json_with_limit, from_tagged_json,
    from_tagged_json_with_limit,
};
pub(crate) use crate::json_read::{TAGS, write_float};
use crate::value::Value;

/// Tagged JSON text of a value, exactly as Flask's `session_json_serializer.dumps` writes it.
pub fn to_tagged_json(value: &Value) -> String {
    let mut out = String::with_capacity(128);
    write_value(value, &mut out);
    out
}

/// Tagged JSON text of a session map (a [`crate::Map`] or a session's [`crate::SessionData`]).
pub fn map_to_tagged_json(map: &impl Entries) -> String {
    let mut out = String::with_capacity(128);
    write_map(map.entries(), &mut out);
    out
}

fn write_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(s) => out.push_str(s),
        Value::Float(f) => write_float(*f, out),
        Value::Str(s) => write_str(s, out),
        Value::List(items) => write_list(items, out),
        Value::Tuple(items) => {
            out.push_str(r#"{" t":"#);
            write_list(items, out);
            out.push('}');
        }
        Value::Bytes(b) => {
            out.push_str(r#"{" b":""#);
            STANDARD.encode_string(b, out);
            out.push_str(r#""}"#);
        }
        Value::Markup(s) => {
            out.push_str(r#"{" m":"#);
            write_str(s, out);
            out.push('}');
        }
        Value::Uuid(u) => {
            out.push_str(r#"{" u":""#);
            for b in u {
                let _ = write!(out, "{b:02x}");
            }
            out.push_str(r#""}"#);
        }
        Value::DateTime(t) => {
            out.push_str(r#"{" d":""#);
            out.push_str(&http_date(*t));
            out.push_str(r#""}"#);
        }
        Value::Dict(m) => write_map(m.entries(), out),
        // A session holding one without a counterpart is refused before it is written (see `Foreign`).
        Value::Foreign(f) => write_value(f.value().unwrap_or(&Value::Null), out),
    }
}

fn write_list(items: &[Value], out: &mut String) {
    out.push('[');
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_value(item, out);
    }
    out.push(']');
}

fn write_map<'a>(mut entries: impl Iterator<Item = (&'a str, &'a Value)>, out: &mut String) {
    let first = entries.next();
    let mut rest = entries.peekable();
    // TagDict: a dict whose only key is a tag is wrapped so it does not read back as that tag.
    if let Some((k, v)) = first {
        if rest.peek().is_none() && TAGS.contains(&k) {
            out.push_str(r#"{" di":{"#);
            write_str(&format!("{k}__"), out);
            out.push(':');
            write_value(v, out);
            out.push_str("}}");
            return;
        }
    }
    out.push('{');
    for (n, (k, v)) in first.into_iter().chain(rest).enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_str(k, out);
        out.push(':');
        write_value(v, out);
    }
    out.push('}');
}

/// The two-character escapes JSON writers share (Python's `json.dumps`, JavaScript's `JSON.stringify`).
fn short_escape(c: char) -> Option<&'static str> {
    Some(match c {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\u{8}' => "\\b",
        '\u{c}' => "\\f",
        _ => return None,
    })
}

/// Python's `json.dumps(ensure_ascii=True)` string encoding.
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let mut rest = s;
    while !rest.is_empty() {
        // Copy the longest run that needs no escaping in one go.
        let safe = rest
            .bytes()
            .position(|b| !(b' '..=b'~').contains(&b) || b == b'"' || b == b'\\')
            .unwrap_or(rest.len());
        out.push_str(&rest[..safe]);
        rest = &rest[safe..];
        let Some(c) = rest.chars().next() else { break };
        rest = &rest[c.len_utf8()..];
        match short_escape(c) {
            Some(escape) => out.push_str(escape),
            None => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// JavaScript's `JSON.stringify` string encoding: `"` and `\\` escaped, `\b \f \n \r \t`, other control
/// characters as lowercase `\u00xx`; everything else as it is (UTF-8).
pub(crate) fn write_js_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match short_escape(c) {
            Some(escape) => out.push_str(escape),
            None if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            None => out.push(c),
        }
    }
    out.push('"');
}

/// A UUID as Python's `str(uuid)` writes it: 32 lowercase hex digits as 8-4-4-4-12.
pub(crate) fn uuid_text(u: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, b) in u.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        const HEX: &[u8; 16] = b"0123456789abcdef";
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// `JSON.stringify` of a session (Express, iron-session, Auth.js): keys in the session's order, strings escaped
/// as JavaScript does.
pub(crate) fn js_json(data: &impl Entries) -> String {
    let mut out = String::new();
    write_js_object(data, &mut out);
    out
}

fn write_js_object(data: &impl Entries, out: &mut String) {
    out.push('{');
    for (i, (k, v)) in data.entries().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_js_str(k, out);
        out.push(':');
        write_js_value(v, out);
    }
    out.push('}');
}

fn write_js_value(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::BigInt(digits) => out.push_str(digits),
        Value::Float(f) => out.push_str(&js_number(*f)),
        Value::Str(s) | Value::Markup(s) => write_js_str(s, out),
        Value::List(items) | Value::Tuple(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_js_value(item, out);
            }
            out.push(']');
        }
        // A Node `Buffer`'s `toJSON`.
        Value::Bytes(b) => {
            out.push_str("{\"type\":\"Buffer\",\"data\":[");
            out.push_str(&b.iter().map(u8::to_string).collect::<Vec<_>>().join(","));
            out.push_str("]}");
        }
        Value::Uuid(u) => write_js_str(&uuid_text(u), out),
        // A `Date`'s `toJSON`: `toISOString()`.
        Value::DateTime(t) => {
            let d = crate::set_cookie::date(*t);
            write_js_str(
                &format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
                    d.year(),
                    u8::from(d.month()),
                    d.day(),
                    d.hour(),
                    d.minute(),
                    d.second()
                ),
                out,
            );
        }
        Value::Dict(m) => write_js_object(m, out),
        Value::Foreign(f) => write_js_value(f.value().unwrap_or(&Value::Null), out),
    }
}

/// JavaScript's `Number.prototype.toString()` of a finite double (the shortest digits that read back, in
/// decimal for exponents -7 < e < 21, else `d.ddde+N`); `JSON.stringify` writes `null` for NaN and infinities.
pub(crate) fn js_number(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    if f == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i64;
    let n = exp.parse::<i64>().unwrap_or(0) + 1;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        match digits.split_at(1) {
            (d, "") => format!("{d}e{sign}{}", e.abs()),
            (d, rest) => format!("{d}.{rest}e{sign}{}", e.abs()),
        }
    };
    if f < 0.0 { format!("-{body}") } else { body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SessionError;
    use crate::httpdate::parse_http_date;

    fn float(f: f64) -> String {
        let mut s = String::new();
        write_float(f, &mut s);
        s
    }

    #[test]
    fn floats_are_python_repr() {
        for (f, want) in [
            (1.0, "1.0"),
            (1e16, "1e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (0.1 + 0.2, "0.30000000000000004"),
            (123456789.0, "123456789.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e22, "1e+22"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (1.5, "1.5"),
        ] {
            assert_eq!(float(f), want, "{f}");
        }
    }

    #[test]
    fn strings_are_ensure_ascii() {
        let v = Value::Str("Zoë 日本 😀 \u{7f}\u{0}\"\\\n/<>&'".into());
        assert_eq!(
            to_tagged_json(&v),
            r#""Zo\u00eb \u65e5\u672c \ud83d\ude00 \u007f\u0000\"\\\n/<>&'""#
        );
    }

    #[test]
    fn tags_round_trip() {
        let text = r#"{"a":{" t":[1,{" b":"AAH+/2hlbGxv"}]},"d":{" d":"Thu, 29 Feb 2024 13:45:07 GMT"},"m":{" m":"<b>x</b>"},"u":{" u":"9f1c2d3e4b5a4c6d8e7fa0b1c2d3e4f5"},"x":{" di":{" t__":1}}}"#;
        let v = from_tagged_json(text.as_bytes()).unwrap();
        assert_eq!(to_tagged_json(&v), text);
    }

    #[test]
    fn tuple_of_a_dict_uses_document_order_and_untagged_children() {
        // tuple({"k": 1, "j": 2}) is ("k", "j") in Python; a " di" child is untagged before tuple() sees it.
        let v = from_tagged_json(br#"{"x":{" t":{"k":1,"j":2}},"y":{" t":{" di":{"a__":1}}}}"#).unwrap();
        assert_eq!(to_tagged_json(&v), r#"{"x":{" t":["k","j"]},"y":{" t":["a"]}}"#);
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(matches!(
            from_tagged_json(deep.as_bytes()),
            Err(SessionError::BadPayload(_))
        ));
    }

    #[test]
    fn big_integers_are_kept() {
        let v = from_tagged_json(b"[18446744073709551616,-1267650600228229401496703205376]").unwrap();
        assert_eq!(
            to_tagged_json(&v),
            "[18446744073709551616,-1267650600228229401496703205376]"
        );
    }

    #[test]
    fn http_dates() {
        assert_eq!(http_date(1709214307), "Thu, 29 Feb 2024 13:45:07 GMT");
        assert_eq!(parse_http_date("Thu, 29 Feb 2024 13:45:07 GMT"), Some(1709214307));
        assert_eq!(parse_http_date("29 Feb 2024 14:45:07 +0100"), Some(1709214307));
        assert_eq!(parse_http_date("not a date"), None);
        assert_eq!(http_date(-62_135_596_800), "Mon, 01 Jan 0001 00:00:00 GMT");
    }
}
