//! Python's plain `json.dumps` (`ensure_ascii`, `allow_nan`, Python float `repr`) with a choice of separators,
//! and an order-keeping rewrite of any JSON text into that form (the CLI signs stdin JSON in its own key order).
//!
//! Maps are written in code-point order of their keys (a [`crate::Map`] is sorted); Python writes dicts in
//! insertion order. Both read either, and the rewrite keeps the order of the text it is given.

use std::fmt::Write as _;

use crate::data::Entries;
use crate::error::{Result, SessionError};
use crate::json::{MAX_DEPTH, from_plain_json, http_date, write_float, write_str};
use crate::value::Value;

/// `json.dumps`' `separators=(item, key)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    /// Between items of a list or dict.
    pub item: &'static str,
    /// Between a key and its value.
    pub key: &'static str,
}

impl Separators {
    /// Python's default, `(", ", ": ")` (Starlette).
    pub const DEFAULT: Self = Self { item: ", ", key: ": " };
    /// `(",", ":")` (Django's `JSONSerializer`, Flask's tagged JSON).
    pub const COMPACT: Self = Self { item: ",", key: ":" };
}

/// `json.dumps(value, separators=...)`.
///
/// Values plain JSON has no form for are written as their serde bridge does: tuples as lists, `Markup` as its
/// string, bytes as a list of numbers, UUIDs hyphenated, datetimes as HTTP dates.
pub fn dumps(value: &Value, sep: Separators) -> String {
    let mut out = String::with_capacity(128);
    write(value, sep, &mut out);
    out
}

/// `json.dumps(dict, separators=...)` for a session map (a [`crate::Map`] or a session's
/// [`crate::SessionData`]; keys in code-point order).
pub fn dumps_map(map: &impl Entries, sep: Separators) -> String {
    let mut out = String::with_capacity(128);
    write_map(map.entries(), sep, &mut out);
    out
}

fn write_map<'a>(entries: impl Iterator<Item = (&'a str, &'a Value)>, sep: Separators, out: &mut String) {
    out.push('{');
    for (n, (k, v)) in entries.enumerate() {
        if n > 0 {
            out.push_str(sep.item);
        }
        write_str(k, out);
        out.push_str(sep.key);
        write(v, sep, out);
    }
    out.push('}');
}

fn write(v: &Value, sep: Separators, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(s) => out.push_str(s),
        Value::Float(f) => write_float(*f, out),
        Value::Str(s) | Value::Markup(s) => write_str(s, out),
        Value::List(items) | Value::Tuple(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(sep.item);
                }
                write(item, sep, out);
            }
            out.push(']');
        }
        Value::Bytes(b) => {
            out.push('[');
            for (n, byte) in b.iter().enumerate() {
                if n > 0 {
                    out.push_str(sep.item);
                }
                let _ = write!(out, "{byte}");
            }
            out.push(']');
        }
        Value::Uuid(u) => write_str(&Value::uuid_string(u), out),
        Value::DateTime(t) => write_str(&http_date(*t), out),
        Value::Dict(m) => write_map(m.entries(), sep, out),
        Value::Foreign(f) => write(f.value().unwrap_or(&Value::Null), sep, out),
    }
}

/// Rewrites JSON text as `json.dumps(json.loads(text), separators=...)` would, keeping its key order
/// (duplicate keys: the first position, the last value, as a Python dict).
///
/// # Errors
/// [`SessionError::BadPayload`] for text that is not JSON.
pub fn rewrite(text: &str, sep: Separators) -> Result<String> {
    let mut r = Rewriter {
        s: text.as_bytes(),
        i: 0,
    };
    r.ws();
    let node = r.node(0)?;
    r.ws();
    if r.i != r.s.len() {
        return Err(SessionError::BadPayload("extra data after the JSON value".into()));
    }
    let mut out = String::with_capacity(text.len());
    node.write(sep, &mut out);
    Ok(out)
}

/// A JSON value that keeps its objects' key order.
enum Node {
    Scalar(Value),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    fn write(&self, sep: Separators, out: &mut String) {
        match self {
            Self::Scalar(v) => write(v, sep, out),
            Self::List(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(sep.item);
                    }
                    item.write(sep, out);
                }
                out.push(']');
            }
            Self::Object(entries) => {
                out.push('{');
                for (n, (k, v)) in entries.iter().enumerate() {
                    if n > 0 {
                        out.push_str(sep.item);
                    }
                    write_str(k, out);
                    out.push_str(sep.key);
                    v.write(sep, out);
                }
                out.push('}');
            }
        }
    }
}

struct Rewriter<'a> {
    s: &'a [u8],
    i: usize,
}

impl Rewriter<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn bad(&self, what: &str) -> SessionError {
        SessionError::BadPayload(format!("{what} at byte {}", self.i))
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.s.get(self.i) == Some(&b);
        if hit {
            self.i += 1;
        }
        hit
    }

    /// Scalars are delegated to the plain parser: the span of one scalar is found, then parsed alone.
    fn scalar(&mut self) -> Result<Node> {
        let start = self.i;
        if self.s.get(self.i) == Some(&b'"') {
            self.i += 1;
            while let Some(&c) = self.s.get(self.i) {
                self.i += 1;
                match c {
                    b'\\' => self.i += 1,
                    b'"' => break,
                    _ => {}
                }
            }
        } else {
            while let Some(&c) = self.s.get(self.i) {
                if matches!(c, b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                self.i += 1;
            }
        }
        let span = self
            .s
            .get(start..self.i)
            .ok_or_else(|| self.bad("unterminated string"))?;
        Ok(Node::Scalar(from_plain_json(span)?))
    }

    fn node(&mut self, depth: usize) -> Result<Node> {
        if depth > MAX_DEPTH {
            return Err(SessionError::BadPayload(format!(
                "nesting deeper than {MAX_DEPTH} levels"
            )));
        }
        if self.eat(b'[') {
            let mut items = Vec::new();
            self.ws();
            if self.eat(b']') {
                return Ok(Node::List(items));
            }
            loop {
                self.ws();
                items.push(self.node(depth + 1)?);
                self.ws();
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b']') {
                    return Ok(Node::List(items));
                }
                return Err(self.bad("expected ',' or ']'"));
            }
        }
        if self.eat(b'{') {
            let mut entries: Vec<(String, Node)> = Vec::new();
            self.ws();
            if self.eat(b'}') {
                return Ok(Node::Object(entries));
            }
            loop {
                self.ws();
                if self.s.get(self.i) != Some(&b'"') {
                    return Err(self.bad("expected a string key"));
                }
                let Node::Scalar(Value::Str(k)) = self.scalar()? else {
                    return Err(self.bad("expected a string key"));
                };
                self.ws();
                if !self.eat(b':') {
                    return Err(self.bad("expected ':'"));
                }
                self.ws();
                let v = self.node(depth + 1)?;
                match entries.iter_mut().find(|(key, _)| *key == k) {
                    Some(slot) => slot.1 = v,
                    None => entries.push((k, v)),
                }
                self.ws();
                if self.eat(b',') {
                    continue;
                }
                if self.eat(b'}') {
                    return Ok(Node::Object(entries));
                }
                return Err(self.bad("expected ',' or '}'"));
            }
        }
        self.scalar()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrite_keeps_order_and_writes_like_python() {
        let text = r#" {"z": 1, "a" :[1.0, 1e20, "é\u2028", null, true], "z": {"k":-0.0}} "#;
        assert_eq!(
            rewrite(text, Separators::DEFAULT).unwrap(),
            r#"{"z": {"k": -0.0}, "a": [1.0, 1e+20, "\u00e9\u2028", null, true]}"#
        );
        assert_eq!(rewrite("[]", Separators::COMPACT).unwrap(), "[]");
        assert!(rewrite("{\"a\":1} x", Separators::COMPACT).is_err());
        assert!(rewrite("{\"a\"}", Separators::COMPACT).is_err());
    }

    #[test]
    fn dumps_sorts_a_map_and_uses_the_separators() {
        let v = from_plain_json(br#"{"b": [1, 2], "a": {" t": "x"}}"#).unwrap();
        assert_eq!(dumps(&v, Separators::DEFAULT), r#"{"a": {" t": "x"}, "b": [1, 2]}"#);
        assert_eq!(dumps(&v, Separators::COMPACT), r#"{"a":{" t":"x"},"b":[1,2]}"#);
    }
}
