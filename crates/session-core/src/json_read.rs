//! The one JSON reader: Flask's tagged JSON and plain JSON, with a validate-only mode (every check, no values
//! built) that lazy session data uses; bounded nesting, integer length and value count.

use std::fmt::Write as _;

use base64::Engine as _;

use crate::error::{Result, SessionError};
use crate::httpdate::parse_http_date;
use crate::value::{Map, Value};

/// Nesting deeper than this is refused as a hostile payload (never a stack overflow).
pub const MAX_DEPTH: usize = 512;

/// Longest integer literal accepted (Python 3.11's `int` parsing limit).
const MAX_INT_DIGITS: usize = 4300;

pub(crate) const TAGS: [&str; 6] = [" di", " t", " b", " m", " u", " d"];

/// Default bound on how many values one payload may decode into: every JSON value, every object key, and
/// every item a `" t"` tag makes of a string or bytes count one. A session that fits in a 4 KB cookie holds
/// a few hundred; the bound keeps the memory and time of any one cookie to a few MiB and milliseconds.
pub const DEFAULT_MAX_VALUES: usize = 50_000;

/// Parses tagged JSON text into a value (children first, then any one-key object whose key is a tag), with
/// at most [`DEFAULT_MAX_VALUES`] values.
///
/// # Errors
/// [`SessionError::BadPayload`] for invalid JSON or UTF-8, a bad tag value, nesting beyond [`MAX_DEPTH`], or
/// more values than [`DEFAULT_MAX_VALUES`].
pub fn from_tagged_json(text: &[u8]) -> Result<Value> {
    from_tagged_json_with_limit(text, DEFAULT_MAX_VALUES)
}

/// [`from_tagged_json`] with another bound on the number of values (see [`DEFAULT_MAX_VALUES`] for what
/// counts). The input is refused as soon as the bound is passed, before the values are built.
///
/// ```
/// use session_core::wire::json::from_tagged_json_with_limit;
/// // The object, its key "a", the list and its two items: five values.
/// assert!(from_tagged_json_with_limit(br#"{"a":[1,2]}"#, 5).is_ok());
/// assert!(from_tagged_json_with_limit(br#"{"a":[1,2,3]}"#, 5).is_err());
/// // A tuple made of a string costs one value per character.
/// assert!(from_tagged_json_with_limit(br#"{"a":{" t":"xyz"}}"#, 7).is_err());
/// ```
///
/// # Errors
/// As [`from_tagged_json`], with `max_values` as the bound.
pub fn from_tagged_json_with_limit(text: &[u8], max_values: usize) -> Result<Value> {
    parse(text, true, max_values)
}

/// Parses plain JSON as Python's `json.loads` reads it (no tags: `{" t": 1}` is a dict), with the same
/// limits as [`from_tagged_json`]. Used by the formats that store plain JSON (Starlette, Django).
///
/// # Errors
/// [`SessionError::BadPayload`] for invalid JSON or UTF-8, nesting beyond [`MAX_DEPTH`], or more values than
/// [`DEFAULT_MAX_VALUES`].
pub fn from_plain_json(text: &[u8]) -> Result<Value> {
    from_plain_json_with_limit(text, DEFAULT_MAX_VALUES)
}

/// [`from_plain_json`] with another bound on the number of values.
///
/// # Errors
/// As [`from_plain_json`], with `max_values` as the bound.
pub fn from_plain_json_with_limit(text: &[u8], max_values: usize) -> Result<Value> {
    parse(text, false, max_values)
}

fn parse(text: &[u8], tags: bool, max_values: usize) -> Result<Value> {
    let mut p = Parser::new(text, tags, max_values, true);
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("extra data after the JSON value"));
    }
    Ok(v)
}

/// Where [`index`] hands each top-level entry: its key, and the start and end of its value's text.
pub(crate) type TopEntry<'a> = dyn FnMut(TopKey<'_>, usize, usize) + 'a;

/// A top-level key as [`index`] hands it over.
pub(crate) enum TopKey<'k> {
    /// Where the key lies in the text, which is the key itself (no escape). The text there is UTF-8: it was
    /// checked as the key was read.
    At(usize, usize),
    /// The key decoded (it had an escape).
    Decoded(&'k str),
}

/// What [`index`] found at the top level.
#[derive(Debug)]
pub(crate) enum Indexed {
    /// A plain JSON object: its keys and value ranges went to the callback.
    Object,
    /// Anything else (not an object, or an object that is a tag), built in full.
    Other(Value),
}

/// Checks a whole payload as [`from_tagged_json_with_limit`] (`tags`) or [`from_plain_json_with_limit`] would
/// (the same parser in its validate-only mode: every refusal, including tag values, nesting and the value
/// budget, happens here), without building the values of a top-level object: `entry` gets each key (decoded),
/// in document order (a duplicate key comes again: the last one wins), with the start and end of its value's
/// text, for [`build_value`] to build on first use. After an error or [`Indexed::Other`], what `entry` got is
/// to be dropped.
///
/// # Errors
/// As [`from_tagged_json_with_limit`] / [`from_plain_json_with_limit`], for the same inputs.
pub(crate) fn index(text: &[u8], tags: bool, max_values: usize, entry: &mut TopEntry<'_>) -> Result<Indexed> {
    let mut p = Parser::new(text, tags, max_values, false);
    p.ws();
    if p.s.get(p.i) != Some(&b'{') {
        return parse(text, tags, max_values).map(Indexed::Other);
    }
    p.top = Some(entry);
    p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return Err(p.err("extra data after the JSON value"));
    }
    if p.top_plain {
        Ok(Indexed::Object)
    } else {
        // A top-level tag (`{" t": ...}`, `{" di": ...}`): rare, built the usual way.
        parse(text, tags, max_values).map(Indexed::Other)
    }
}

/// Builds the value whose text is `text[start..end]`, a top-level object's value found by [`index`] in the
/// same `text` with the same `tags` and `max_values` (so it cannot fail: [`index`] checked it).
///
/// # Errors
/// Only for a range [`index`] did not return (then as [`from_tagged_json_with_limit`]).
pub(crate) fn build_value(text: &[u8], start: usize, end: usize, tags: bool, max_values: usize) -> Result<Value> {
    let mut p = Parser::new(text.get(..end).unwrap_or(text), tags, max_values, true);
    p.i = start;
    // The depth it had under the top-level object, so the nesting limit is the same.
    let v = p.value(1)?;
    if p.i != p.s.len() {
        return Err(p.err("extra data after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
    /// Whether one-key objects whose key is a tag are untagged (Flask) or kept as dicts (plain JSON).
    tags: bool,
    /// Build every value (`true`), or only check them (`false`, [`index`]): strings, big integers, lists and
    /// objects then come back empty, except where a tag needs them (the value of a tag key, and the key
    /// order of an object under a tag), so every check a tag makes is made on the real value. Every other
    /// check (syntax, UTF-8, escapes, depth, the value budget) runs the same code in both modes.
    build: bool,
    /// Set just before parsing the value of a tag key (`" t"`, ...) in an object whose first key is that tag:
    /// an object value records its keys in document order (Python dicts keep insertion order; `" t"` and
    /// `" di"` depend on it), and a string or big integer value is kept when only checking.
    tag_child: bool,
    /// The keys, in document order, of the last object parsed as a `tag_child`.
    recorded: Vec<String>,
    /// How many more values may be made.
    budget: usize,
    /// The bound `budget` started from (for the message).
    max_values: usize,
    /// A reused buffer for keys that are only checked.
    scratch: String,
    /// [`index`]: where the top-level object's keys (with their place in the text when the text is the key
    /// itself, without escapes) and the byte ranges of their values go.
    top: Option<&'a mut TopEntry<'a>>,
    /// [`index`]: the top-level object was a plain object (not a tag).
    top_plain: bool,
    /// [`index`]: where the last top-level key lies in the text, when it is its own text (no escape).
    raw_key: Option<(usize, usize)>,
}

impl<'a> Parser<'a> {
    fn new(s: &'a [u8], tags: bool, max_values: usize, build: bool) -> Self {
        Self {
            s,
            i: 0,
            tags,
            build,
            tag_child: false,
            recorded: Vec::new(),
            budget: max_values,
            max_values,
            scratch: String::new(),
            top: None,
            top_plain: false,
            raw_key: None,
        }
    }

    fn err(&self, what: &str) -> SessionError {
        SessionError::BadPayload(format!("{what} at byte {}", self.i))
    }

    /// Takes `n` values from the budget, or refuses the payload.
    fn spend(&mut self, n: usize) -> Result<()> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            SessionError::BadPayload(format!(
                "the payload decodes into more than {} values (max_values)",
                self.max_values
            ))
        })?;
        Ok(())
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.i..].starts_with(lit) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value> {
        let tag_child = std::mem::take(&mut self.tag_child);
        if depth > MAX_DEPTH {
            return Err(SessionError::BadPayload(format!(
                "nesting deeper than {MAX_DEPTH} levels"
            )));
        }
        self.spend(1)?;
        let keep = self.build || tag_child;
        match self.s.get(self.i) {
            None => Err(self.err("unexpected end of JSON")),
            Some(b'{') => self.object(depth, tag_child),
            Some(b'[') => {
                self.i += 1;
                Ok(Value::List(self.array(depth)?))
            }
            Some(b'"') if keep => Ok(Value::Str(self.string()?)),
            Some(b'"') => {
                self.scan_string(None)?;
                Ok(Value::Str(String::new()))
            }
            Some(b'-' | b'0'..=b'9') => self.number(keep),
            Some(_) => {
                if self.eat(b"null") {
                    Ok(Value::Null)
                } else if self.eat(b"true") {
                    Ok(Value::Bool(true))
                } else if self.eat(b"false") {
                    Ok(Value::Bool(false))
                } else if self.eat(b"NaN") {
                    Ok(Value::Float(f64::NAN))
                } else if self.eat(b"Infinity") {
                    Ok(Value::Float(f64::INFINITY))
                } else {
                    Err(self.err("invalid JSON value"))
                }
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        self.ws();
        if self.eat(b"]") {
            return Ok(items);
        }
        loop {
            self.ws();
            let item = self.value(depth + 1)?;
            if self.build {
                items.push(item);
            }
            self.ws();
            if self.eat(b",") {
                continue;
            }
            if self.eat(b"]") {
                return Ok(items);
            }
            return Err(self.err("expected ',' or ']'"));
        }
    }

    /// An object; `record`: it is the value of a tag key, so its key order is recorded for the tag.
    fn object(&mut self, depth: usize, record: bool) -> Result<Value> {
        self.i += 1;
        // Keys and values are kept when building, and when a tag will look at them.
        let track = self.build || record;
        let index = depth == 0 && self.top.is_some();
        let mut order: Vec<String> = Vec::new();
        let mut map = Map::new();
        let mut entries = 0usize;
        // The first key, when it is one of Flask's tags (no allocation for ordinary objects).
        let mut first_tag: Option<&'static str> = None;
        // Whether every key so far is the first key (a one-key object: a tag when that key is one).
        let mut one_key = true;
        // The last value of the tag key, when not tracking (a tag's value is its last one, as in Python).
        let mut last = None;
        self.ws();
        if !self.eat(b"}") {
            loop {
                self.ws();
                if self.s.get(self.i) != Some(&b'"') {
                    return Err(self.err("expected a string key"));
                }
                self.spend(1)?;
                // Keys are decoded into one reused buffer unless they are kept (building).
                let mut k = std::mem::take(&mut self.scratch);
                k.clear();
                // When only checking, a key's text matters only where it may be a tag: the first key, or any
                // key once the first is a tag, and only when it starts with a space (every tag does) or an
                // escape (which may spell one). Other keys are checked without being copied.
                let may_be_tag = self.tags
                    && (entries == 0 || first_tag.is_some())
                    && matches!(self.s.get(self.i + 1), Some(b' ' | b'\\'));
                if track || may_be_tag {
                    self.scan_string(Some(&mut k))?;
                } else if index {
                    self.index_key(&mut k)?;
                } else {
                    self.scan_string(None)?;
                }
                self.ws();
                if !self.eat(b":") {
                    return Err(self.err("expected ':'"));
                }
                self.ws();
                entries += 1;
                // Every tag starts with a space: most keys are ruled out by their first byte.
                if entries == 1 && self.tags && k.starts_with(' ') {
                    first_tag = TAGS.iter().copied().find(|t| *t == k);
                }
                let is_tag = first_tag.is_some_and(|t| t == k);
                one_key &= is_tag || entries == 1;
                // Every value of the tag key, not only the first: with duplicate keys the last one counts.
                self.tag_child = is_tag;
                let start = self.i;
                let v = self.value(depth + 1)?;
                let end = self.i;
                if track {
                    // (Never the top level of an index pass: that is depth 0, neither building nor recorded.)
                    if record && !map.contains_key(&k) {
                        order.push(k.clone());
                    }
                    map.insert(k, v); // duplicate keys: the last value wins, as in Python
                } else {
                    if is_tag {
                        last = Some(v);
                    }
                    if index {
                        self.index_entry(&k, start, end);
                    }
                    self.scratch = k;
                }
                self.ws();
                if self.eat(b",") {
                    continue;
                }
                if self.eat(b"}") {
                    break;
                }
                return Err(self.err("expected ',' or '}'"));
            }
        }
        if let Some(key) = first_tag.filter(|_| one_key) {
            let inner = if track { map.remove(key) } else { last }.unwrap_or(Value::Null);
            return self.untag_object(key, inner, record);
        }
        if index {
            self.top_plain = true;
        }
        if record {
            self.recorded = order;
        }
        Ok(Value::Dict(map))
    }

    /// The value of a one-key object whose key is the tag `key` (holding `inner`). Out of line, so the frame
    /// of [`Self::object`], which nests, stays small.
    #[inline(never)]
    fn untag_object(&mut self, key: &'static str, inner: Value, record: bool) -> Result<Value> {
        // tuple() of a string or bytes makes one value per item: count them before they exist.
        match (key, &inner) {
            (" t", Value::Str(s) | Value::Markup(s)) => self.spend(s.chars().count())?,
            (" t", Value::Bytes(b)) => self.spend(b.len())?,
            _ => {}
        }
        let inner_order = std::mem::take(&mut self.recorded);
        let untagged = untag(key, inner, inner_order)?;
        if record {
            // The parent sees the untagged value (Python untags children first): a `" di"` result is a
            // one-key dict, whose key order is just that key.
            self.recorded = match &untagged {
                Value::Dict(m) => m.keys().cloned().collect(),
                _ => Vec::new(),
            };
        }
        Ok(untagged)
    }

    /// [`index`]: reads a top-level key (the cursor on its opening quote). A key without an escape is its own
    /// text: only its place is kept (`raw_key`), nothing is copied; one with an escape is decoded into `k`.
    /// (Out of line, as [`Self::index_entry`]: the frame of [`Self::object`], which nests, stays small.)
    #[inline(never)]
    fn index_key(&mut self, k: &mut String) -> Result<()> {
        let quote = self.i;
        if !self.scan_string(None)? {
            self.raw_key = Some((quote + 1, self.i - 1));
        } else {
            self.raw_key = None;
            self.i = quote;
            self.scan_string(Some(k))?;
        }
        Ok(())
    }

    /// [`index`]: hands the key [`Self::index_key`] read (from the text, or decoded in `k`) and its value's
    /// range to `top`.
    #[inline(never)]
    fn index_entry(&mut self, k: &str, start: usize, end: usize) {
        let raw = self.raw_key.take();
        let Some(top) = self.top.as_mut() else {
            return;
        };
        match raw {
            // The scan checked every non-ASCII run of it as UTF-8, and the runs end at ASCII bytes.
            Some((a, b)) => top(TopKey::At(a, b), start, end),
            None => top(TopKey::Decoded(k), start, end),
        }
    }

    fn string(&mut self) -> Result<String> {
        let mut out = String::new();
        self.scan_string(Some(&mut out))?;
        Ok(out)
    }

    /// Reads a string (the cursor on its opening quote), appending its text to `out` when there is one; with
    /// `None` it is only checked (UTF-8, escapes, surrogates), by the same code. `true` when it had an escape.
    fn scan_string(&mut self, mut out: Option<&mut String>) -> Result<bool> {
        self.i += 1; // opening quote
        let mut escaped = false;
        loop {
            let start = self.i;
            // The run of plain characters: up to a quote, a backslash or a control character.
            let rest = self.s.get(start..).unwrap_or_default();
            let run = &rest[..rest
                .iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .unwrap_or(rest.len())];
            self.i = start + run.len();
            // ASCII needs no UTF-8 check when the text is not kept.
            if out.is_some() || !run.is_ascii() {
                let chunk = std::str::from_utf8(run)
                    .map_err(|_| SessionError::BadPayload("payload is not valid UTF-8".into()))?;
                if let Some(o) = out.as_deref_mut() {
                    if o.capacity() == 0 {
                        // A new string (a key kept, a value built): one allocation of the right size.
                        *o = chunk.to_owned();
                    } else {
                        o.push_str(chunk);
                    }
                }
            }
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    escaped = true;
                    self.i += 1;
                    let esc = *self.s.get(self.i).ok_or_else(|| self.err("unterminated escape"))?;
                    self.i += 1;
                    let c = match esc {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = if (0xD800..0xDC00).contains(&hi) && self.eat(b"\\u") {
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("unpaired surrogate"));
                                }
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                            } else {
                                char::from_u32(hi)
                            };
                            c.ok_or_else(|| self.err("unpaired surrogate"))?
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    if let Some(o) = out.as_deref_mut() {
                        o.push(c);
                    }
                }
                Some(_) => return Err(self.err("control character in string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("short \\u escape"))?;
        let h = std::str::from_utf8(h).map_err(|_| self.err("bad \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("bad \\u escape"))?;
        self.i += 4;
        Ok(v)
    }

    /// A number; a big integer's text is kept when building or `keep`.
    fn number(&mut self, keep: bool) -> Result<Value> {
        let start = self.i;
        if self.eat(b"-Infinity") {
            return Ok(Value::Float(f64::NEG_INFINITY));
        }
        self.eat(b"-");
        let digits = |p: &mut Self| {
            let s = p.i;
            while let Some(b'0'..=b'9') = p.s.get(p.i) {
                p.i += 1;
            }
            p.i - s
        };
        let int_start = self.i;
        let n = digits(self);
        if n == 0 || (n > 1 && self.s[int_start] == b'0') {
            // Python's scanner reads "01" as 0 followed by garbage: an error either way.
            if n == 0 {
                return Err(self.err("invalid number"));
            }
            self.i = int_start + 1;
        }
        let mut float = false;
        if self.s.get(self.i) == Some(&b'.') && matches!(self.s.get(self.i + 1), Some(b'0'..=b'9')) {
            self.i += 1;
            digits(self);
            float = true;
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            let save = self.i;
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            if digits(self) == 0 {
                self.i = save;
            } else {
                float = true;
            }
        }
        // Only ASCII digits and signs were consumed.
        let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid number"))?;
        if float {
            return text
                .parse::<f64>()
                .map(Value::Float)
                .map_err(|_| self.err("invalid number"));
        }
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        if text.trim_start_matches('-').len() > MAX_INT_DIGITS {
            return Err(self.err("integer literal longer than 4300 digits"));
        }
        Ok(Value::BigInt(if keep { text.to_owned() } else { String::new() }))
    }
}

/// Applies a tag to its (already untagged) value, as Flask's `JSONTag.to_python`. `order` holds the keys of
/// an object value in document order.
fn untag(tag: &str, inner: Value, order: Vec<String>) -> Result<Value> {
    let bad = |what: &str| SessionError::BadPayload(format!("tag {tag:?}: {what}"));
    match (tag, inner) {
        // tuple(value): any iterable works in Python.
        (" t", Value::List(items) | Value::Tuple(items)) => Ok(Value::Tuple(items)),
        (" t", Value::Str(s) | Value::Markup(s)) => Ok(Value::Tuple(s.chars().map(|c| Value::Str(c.into())).collect())),
        (" t", Value::Bytes(b)) => Ok(Value::Tuple(b.into_iter().map(|x| Value::Int(x.into())).collect())),
        (" t", Value::Dict(_)) => Ok(Value::Tuple(order.into_iter().map(Value::Str).collect())),
        (" b", Value::Str(s)) => {
            let cleaned: String = s
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "+/=".contains(*c))
                .collect();
            B64_STANDARD_LENIENT_BITS
                .decode(&cleaned)
                .map(Value::Bytes)
                .map_err(|_| bad("invalid base64"))
        }
        (" m", Value::Str(s) | Value::Markup(s)) => Ok(Value::Markup(s)),
        // Markup(x) is str(x) for other scalars.
        (" m", Value::Int(i)) => Ok(Value::Markup(i.to_string())),
        (" m", Value::BigInt(i)) => Ok(Value::Markup(i)),
        (" m", Value::Bool(b)) => Ok(Value::Markup(if b { "True" } else { "False" }.into())),
        (" m", Value::Null) => Ok(Value::Markup("None".into())),
        (" m", Value::Float(f)) if f.is_finite() => {
            let mut s = String::new();
            write_float(f, &mut s);
            Ok(Value::Markup(s))
        }
        (" u", Value::Str(s)) => parse_uuid(&s).map(Value::Uuid).ok_or_else(|| bad("invalid UUID")),
        // Werkzeug's parse_date returns None for text it cannot read; Flask then stores None.
        (" d", Value::Str(s)) => Ok(parse_http_date(&s).map_or(Value::Null, Value::DateTime)),
        // {key[:-2]: value[key]} for the first key in document order; the rest is dropped.
        (" di", Value::Dict(mut m)) => {
            let k = order.into_iter().next().ok_or_else(|| bad("empty object"))?;
            let v = m.remove(&k).unwrap_or(Value::Null);
            let mut chars: Vec<char> = k.chars().collect();
            chars.truncate(chars.len().saturating_sub(2));
            Ok(Value::Dict(Map::from([(chars.into_iter().collect(), v)])))
        }
        _ => Err(bad("unexpected value type")),
    }
}

/// Python's non-strict `b64decode` after non-alphabet characters are dropped: padding required, unused bits ignored.
const B64_STANDARD_LENIENT_BITS: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Python's `uuid.UUID(hex)`: braces, `urn:uuid:` and hyphens are ignored; 32 hex digits remain.
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let s = s.strip_prefix("urn:uuid:").unwrap_or(s);
    let s = s.trim_matches(|c| c == '{' || c == '}');
    let hex: Vec<u8> = s.bytes().filter(|&c| c != b'-').collect();
    if hex.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

/// Python's `float.__repr__`: shortest round-trip digits; scientific when the exponent is < -4 or >= 16.
pub(crate) fn write_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("NaN");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    let sci = format!("{f:e}"); // shortest round-trip digits, e.g. "-1.5e-5"
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if neg {
        out.push('-');
    }
    let decpt = exp + 1; // position of the decimal point relative to the digits
    if !(-3..=16).contains(&decpt) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', decpt.unsigned_abs() as usize));
        out.push_str(&digits);
    } else {
        let d = decpt as usize;
        if d < digits.len() {
            out.push_str(&digits[..d]);
            out.push('.');
            out.push_str(&digits[d..]);
        } else {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', d - digits.len()));
            out.push_str(".0");
        }
    }
}
