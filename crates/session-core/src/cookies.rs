//! Reading a request's `Cookie` header values as each framework reads them (`Set-Cookie` is written in
//! `set_cookie.rs`).
//!
//! Every `Cookie` parser of the crate is here, one per [`CookieRules`]: Werkzeug's (Flask), Python's
//! `cookie_parser` (Starlette and Django, the same code), npm `cookies`' `get` (Express) and Go's
//! `Request.Cookie` (gorilla/sessions). Each one is
//! checked case by case against the real parser on the lines of `testdata/cookie_headers/parsers.json`.
//!
//! What they share:
//! - Header values are bytes, read as latin-1 text (one character per byte), as WSGI and ASGI servers and
//!   Node's http hand them over: a byte outside ASCII elsewhere in the line never hides the session, and the
//!   value found is the latin-1 text of its bytes (UTF-8 bytes included), unquoted as the rules say.
//! - Several header values are the cookie crumbs of one request (RFC 9113 8.2.3), read as the framework reads
//!   several `Cookie` fields: Werkzeug joins them with `;`; Starlette parses each in turn; Node's http joins
//!   them with `; `, which is also the join for the Python rules (the ASGI spec's; WSGI servers and Django
//!   5.2's own ASGI handler join with `,`, which makes every cookie after the first line part of a value).
//! - Header values hold no CR or LF (no HTTP header value can): where Python's patterns treat LF apart (their
//!   `.` does not match it), these rules do not.
//!
//! A cookie name is compared byte for byte: names are cookie tokens (ASCII, no whitespace or separators),
//! which is all [`SessionConfig`](crate::SessionConfig) accepts.

use std::borrow::Cow;
use std::ops::Range;

/// Which framework's rules read the `Cookie` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieRules {
    /// Werkzeug 3.1's `request.cookies` (Flask): the **first** cookie of the name wins; its pattern strips
    /// names and values of Python's whitespace, takes a bare token (`session` without `=`) as that name with
    /// an empty value, and reads a value in double quotes up to its closing quote (`;` included), unquoted
    /// with `\ooo` octal escapes as bytes and the result decoded as UTF-8 (U+FFFD where it is not).
    Werkzeug,
    /// Starlette's `cookie_parser` and Django's `parse_cookie` (the same code): each value split on `;`, each
    /// part on its first `=` (a part without one is a value with an empty name), both stripped of Python's
    /// whitespace; the **last** cookie of the name wins; a value in double quotes is unquoted as
    /// `http.cookies._unquote` does (`\ooo` octal escapes are characters).
    Python,
    /// npm `cookies@0.9.1`'s `get(name)` (Express's `cookie-session`): the pattern `(?:^|;) *name=([^;]*)`,
    /// the **first** match wins; only spaces may precede the name, none may follow it, the value is not
    /// trimmed, and a value starting with `"` loses its first and last characters.
    Node,
    /// Go 1.19's `Request.Cookie(name)` (net/http's `readCookies`; gorilla/sessions' `store.Get`): each header
    /// value split on `;`, each part trimmed of ASCII space (space, tab, CR, LF) and split on its first `=` (a
    /// bare token is that name with an empty value); the **first** cookie of the name whose value Go accepts
    /// wins: a value in double quotes loses them, and one with a byte outside printable ASCII, `"`, `;` or `\`
    /// is skipped, so a later cookie of the name is read instead.
    Go,
}

/// The value of the first cookie called `name` across the given `Cookie` header values, as Werkzeug's
/// `request.cookies.get(name)` finds it ([`CookieRules::Werkzeug`]).
///
/// Header values are bytes: a byte outside ASCII elsewhere in the line (`pref=caf\xe9`) does not hide the
/// session, since Werkzeug reads the line as latin-1 and so do we. As in Werkzeug, names and values are
/// stripped of surrounding whitespace, a quoted value is unquoted (`\"`, `\\` and octal escapes), and a bare
/// token (`session` without `=`) is that name with an empty value: `Cookie: session; session=<valid>` is a
/// new session, as in Flask. The value is the latin-1 text of its bytes, as Flask sees it (it cannot verify
/// unless it is ASCII).
///
/// ```
/// use session_core::find_cookie;
/// let lines: [&[u8]; 2] = [b"pref=caf\xe9; session=abc.def.ghi", b"session=second"];
/// assert_eq!(find_cookie(lines, "session").as_deref(), Some("abc.def.ghi"));
/// assert_eq!(find_cookie(["session; session=abc"], "session").as_deref(), Some(""));
/// assert_eq!(find_cookie(["theme=dark"], "session"), None);
/// ```
pub fn find_cookie<'a, H>(headers: impl IntoIterator<Item = &'a H>, name: &str) -> Option<Cow<'a, str>>
where
    H: AsRef<[u8]> + ?Sized + 'a,
{
    match werkzeug(headers.into_iter().map(|h| h.as_ref()), name.as_bytes())? {
        Found::Line(line, value) => Some(werkzeug_value(&line[value])),
        Found::Joined(joined, value) => Some(Cow::Owned(werkzeug_value(&joined[value]).into_owned())),
    }
}

/// The value of the cookie called `name` across the given `Cookie` header values (in the order the request
/// sent them), as the framework of `rules` finds it, or `None` when there is no such cookie.
///
/// ```
/// use session_core::wire::cookie_header::{CookieRules, find_with};
///
/// let lines = ["sessionid=first; sessionid=\"a\\073b\"", "theme=dark"];
/// // Werkzeug and Node take the first cookie of the name, Python's parsers the last.
/// assert_eq!(find_with(CookieRules::Werkzeug, lines, "sessionid").as_deref(), Some("first"));
/// assert_eq!(find_with(CookieRules::Python, lines, "sessionid").as_deref(), Some("a;b"));
/// // Python strips "\x1f" as whitespace; Node's pattern allows only spaces before a name.
/// assert_eq!(find_with(CookieRules::Python, ["\x1fsessionid=v"], "sessionid").as_deref(), Some("v"));
/// assert_eq!(find_with(CookieRules::Node, ["\x1fsessionid=v"], "sessionid"), None);
/// ```
pub fn find_with<H: AsRef<[u8]>>(
    rules: CookieRules,
    headers: impl IntoIterator<Item = H>,
    name: &str,
) -> Option<String> {
    let name = name.as_bytes();
    let found = match rules {
        CookieRules::Werkzeug => werkzeug(headers, name),
        CookieRules::Python => python(headers, name),
        CookieRules::Node => node(headers, name),
        CookieRules::Go => go(headers, name),
    }?;
    let raw = match &found {
        Found::Line(line, value) => &line.as_ref()[value.clone()],
        Found::Joined(joined, value) => &joined[value.clone()],
    };
    let text = match rules {
        CookieRules::Werkzeug => werkzeug_value(raw),
        CookieRules::Python => python_value(raw),
        CookieRules::Node => node_value(raw),
        CookieRules::Go => latin1(raw),
    };
    Some(text.into_owned())
}

/// Where a cookie's raw value lies: in one header value, or in the header values joined from the one where a
/// quoted value starts (Werkzeug, when that value may close in a later header value).
enum Found<L> {
    Line(L, Range<usize>),
    Joined(Vec<u8>, Range<usize>),
}

/// Whitespace for the `\s` of Werkzeug's cookie pattern (compiled with `re.ASCII`).
#[inline]
fn is_re_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Whitespace for Python's `str.strip()` on a latin-1 character: ASCII whitespace, the separators
/// 0x1C-0x1F, NEL and NO-BREAK SPACE.
#[inline]
fn is_py_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=b' ' | 0x85 | 0xa0)
}

/// `line[r].strip()`, as a range of `line`.
#[inline]
fn strip(line: &[u8], mut r: Range<usize>) -> Range<usize> {
    while r.start < r.end && is_py_space(line[r.start]) {
        r.start += 1;
    }
    while r.start < r.end && is_py_space(line[r.end - 1]) {
        r.end -= 1;
    }
    r
}

/// The bytes as latin-1 text, borrowed when they are ASCII.
#[inline]
fn latin1(bytes: &[u8]) -> Cow<'_, str> {
    // ASCII (every real cookie value) is checked once, word by word, and borrowed.
    if bytes.is_ascii() {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(s);
        }
    }
    Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())
}

/// The first cookie called `name` by Werkzeug's rules: each header value's pairs in order, the header values
/// as Werkzeug's `";".join` makes them one.
fn werkzeug<L: AsRef<[u8]>>(lines: impl IntoIterator<Item = L>, name: &[u8]) -> Option<Found<L>> {
    let mut lines = lines.into_iter().peekable();
    while let Some(line) = lines.next() {
        let more = lines.peek().is_some();
        let bytes = line.as_ref();
        let hit = pairs(bytes).find_map(|p| {
            if p.runs_off && more {
                Some(Err(p.start))
            } else {
                (!p.name.is_empty() && bytes[p.name.clone()] == *name).then(|| Ok(p.value(bytes)))
            }
        });
        match hit {
            Some(Ok(value)) => return Some(Found::Line(line, value)),
            Some(Err(start)) => {
                // A quoted value that does not close in its line may close in a later one, across the `;`
                // Werkzeug joins them with: read the rest of the request as that one string.
                let mut joined = bytes[start..].to_vec();
                for line in lines {
                    joined.push(b';');
                    joined.extend_from_slice(line.as_ref());
                }
                let value = pairs(&joined)
                    .find(|p| !p.name.is_empty() && joined[p.name.clone()] == *name)?
                    .value(&joined);
                return Some(Found::Joined(joined, value));
            }
            None => {}
        }
    }
    None
}

/// One match of Werkzeug's `_cookie_re`, as ranges of the header value: the name and value stripped as
/// `parse_cookie` strips them (empty for a bare token).
struct Pair {
    /// Where the match starts.
    start: usize,
    name: Range<usize>,
    /// The value as matched, before stripping ([`Pair::value`]).
    raw_value: Range<usize>,
    /// The value starts with a quote that the header value ends before closing (or escapes its end): in a
    /// longer string the quoted alternative could go on.
    runs_off: bool,
}

/// The pairs of one header value in order, empty names included: what Werkzeug's `_cookie_re`
/// (`([^=;]*)(?:\s*=\s*("(?:[^\\"]|\\.)*"|.*?))?\s*;\s*` over the value plus `;`) finds.
impl Pair {
    /// The value, stripped of Python's whitespace (done only for the pair that is asked for).
    fn value(&self, line: &[u8]) -> Range<usize> {
        strip(line, self.raw_value.clone())
    }
}

fn pairs(line: &[u8]) -> impl Iterator<Item = Pair> + '_ {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= line.len() {
            return None;
        }
        let start = pos;
        pos = memchr::memchr2(b'=', b';', &line[pos..]).map_or(line.len(), |i| pos + i);
        let name = strip(line, start..pos);
        let mut value = pos..pos;
        let mut runs_off = false;
        if line.get(pos) == Some(&b'=') {
            pos += 1;
            while pos < line.len() && is_re_space(line[pos]) {
                pos += 1;
            }
            let end = match quoted(line, pos) {
                Quoted::Closes(end) => end,
                other => {
                    runs_off = other == Quoted::RunsOff;
                    memchr::memchr(b';', &line[pos..]).map_or(line.len(), |i| pos + i)
                }
            };
            value = pos..end;
            pos = end;
        }
        // `\s*;`: skip to the separator (only whitespace can lie between) and past it.
        pos = memchr::memchr(b';', &line[pos..]).map_or(line.len(), |i| pos + i + 1);
        Some(Pair {
            start,
            name,
            raw_value: value,
            runs_off,
        })
    })
}

/// How the quoted alternative of Werkzeug's pattern fares on a value starting at some position.
#[derive(Debug, PartialEq, Eq)]
enum Quoted {
    /// It does not match here: no quote, or text other than whitespace between the closing quote and `;`.
    No,
    /// It matches, and the value ends here (just past the closing quote).
    Closes(usize),
    /// The line ends inside the quotes.
    RunsOff,
}

/// [`Quoted`] for a value starting at `start`.
fn quoted(line: &[u8], start: usize) -> Quoted {
    if line.get(start) != Some(&b'"') {
        return Quoted::No;
    }
    let mut i = start + 1;
    loop {
        match line.get(i) {
            None => return Quoted::RunsOff,
            Some(b'\\') => i += 2,
            Some(b'"') => break,
            Some(_) => i += 1,
        }
    }
    let end = i + 1;
    let mut j = end;
    while j < line.len() && is_re_space(line[j]) {
        j += 1;
    }
    if j == line.len() || line[j] == b';' {
        Quoted::Closes(end)
    } else {
        Quoted::No
    }
}

/// `\ooo` (the first digit 0-3) as one byte and `\x` as `x`, each other byte through `plain`, into `out`; a
/// backslash that ends the text stays.
fn unslash(inner: &[u8], out: &mut Vec<u8>, plain: fn(&mut Vec<u8>, u8)) {
    let mut rest = inner;
    loop {
        rest = match rest {
            [b'\\', a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7', tail @ ..] => {
                out.push((a - b'0') * 64 + (b - b'0') * 8 + (c - b'0'));
                tail
            }
            [b'\\', x, tail @ ..] | [x, tail @ ..] => {
                plain(out, *x);
                tail
            }
            [] => break,
        };
    }
}

/// Werkzeug's value: a `"..."` value is taken as `cv[1:-1].encode()` (the UTF-8 of its latin-1 text),
/// unslashed (`\ooo` a byte, `\x` as `x`) and decoded as UTF-8 with U+FFFD for what is not; any other value is
/// its latin-1 text.
#[inline]
fn werkzeug_value(raw: &[u8]) -> Cow<'_, str> {
    match raw {
        [b'"', inner @ .., b'"'] if inner.contains(&b'\\') => {
            let mut out = Vec::with_capacity(inner.len());
            unslash(inner, &mut out, |out, b| {
                out.extend_from_slice(char::from(b).encode_utf8(&mut [0; 2]).as_bytes());
            });
            Cow::Owned(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
        }
        [b'"', inner @ .., b'"'] => latin1(inner),
        _ => latin1(raw),
    }
}

/// The last cookie called `name` by Python's rules: the last header value that has one.
fn python<L: AsRef<[u8]>>(lines: impl IntoIterator<Item = L>, name: &[u8]) -> Option<Found<L>> {
    let mut found = None;
    for line in lines {
        if let Some(value) = python_in_line(line.as_ref(), name) {
            found = Some(Found::Line(line, value));
        }
    }
    found
}

/// The value of the last cookie called `name` in one header value, by `cookie_parser`'s loop: each part
/// between `;`s split on its first `=` (none: an empty name), both stripped, a part with neither skipped.
fn python_in_line(line: &[u8], name: &[u8]) -> Option<Range<usize>> {
    let mut found = None;
    let mut start = 0;
    for end in memchr::memchr_iter(b';', line).chain([line.len()]) {
        let (key, value) = match memchr::memchr(b'=', &line[start..end]) {
            Some(i) => (start..start + i, start + i + 1..end),
            None => (start..start, start..end),
        };
        let (key, value) = (strip(line, key), strip(line, value));
        if line[key.clone()] == *name && !(key.is_empty() && value.is_empty()) {
            found = Some(value);
        }
        start = end + 1;
    }
    found
}

/// `http.cookies._unquote` on the latin-1 text: a `"..."` value loses its quotes and is unslashed (`\ooo` is
/// the character of that code, `\x` is `x`).
fn python_value(raw: &[u8]) -> Cow<'_, str> {
    match raw {
        [b'"', inner @ .., b'"'] => {
            let mut out = Vec::with_capacity(inner.len());
            unslash(inner, &mut out, Vec::push);
            Cow::Owned(out.iter().map(|&b| char::from(b)).collect())
        }
        _ => latin1(raw),
    }
}

/// The first cookie called `name` by Node's rules: the first header value with a match (the `"; "` join
/// gives a later header value's start the `;` and spaces the pattern allows).
fn node<L: AsRef<[u8]>>(lines: impl IntoIterator<Item = L>, name: &[u8]) -> Option<Found<L>> {
    lines.into_iter().find_map(|line| {
        let value = node_in_line(line.as_ref(), name)?;
        Some(Found::Line(line, value))
    })
}

/// The first match of `(?:^|;) *name=([^;]*)` in one header value: its group.
fn node_in_line(line: &[u8], name: &[u8]) -> Option<Range<usize>> {
    // Where `(?:^|;)` matched: the start, then just past each `;`.
    let mut at = 0;
    loop {
        let mut i = at;
        while line.get(i) == Some(&b' ') {
            i += 1;
        }
        if line[i..].starts_with(name) && line.get(i + name.len()) == Some(&b'=') {
            let value = i + name.len() + 1;
            return Some(value..memchr::memchr(b';', &line[value..]).map_or(line.len(), |j| value + j));
        }
        at += memchr::memchr(b';', &line[at..])? + 1;
    }
}

/// `cookies`' value: one starting with `"` loses its first and last characters (`value.slice(1, -1)`, empty
/// for a lone quote); the latin-1 text.
fn node_value(raw: &[u8]) -> Cow<'_, str> {
    match raw {
        [b'"', rest @ ..] => latin1(rest.split_last().map_or(&[], |(_, inner)| inner)),
        _ => latin1(raw),
    }
}

/// The first cookie called `name` by Go's rules: the header values in order, the parts of each in order.
fn go<L: AsRef<[u8]>>(lines: impl IntoIterator<Item = L>, name: &[u8]) -> Option<Found<L>> {
    // `isCookieNameValid`: a name that is not a token is never a cookie's.
    if name.is_empty()
        || !name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return None;
    }
    lines.into_iter().find_map(|line| {
        let value = go_in_line(line.as_ref(), name)?;
        Some(Found::Line(line, value))
    })
}

/// The value of the first cookie called `name` that `readCookies` keeps in one header value, without its
/// double quotes.
fn go_in_line(line: &[u8], name: &[u8]) -> Option<Range<usize>> {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut start = 0;
    for end in memchr::memchr_iter(b';', line).chain([line.len()]) {
        let mut part = start..end;
        start = end + 1;
        while part.start < part.end && is_space(line[part.start]) {
            part.start += 1;
        }
        while part.start < part.end && is_space(line[part.end - 1]) {
            part.end -= 1;
        }
        let (key, mut value) = match memchr::memchr(b'=', &line[part.clone()]) {
            Some(i) => (part.start..part.start + i, part.start + i + 1..part.end),
            None => (part.clone(), part.end..part.end),
        };
        if line[key] != *name {
            continue;
        }
        if value.len() > 1 && line[value.start] == b'"' && line[value.end - 1] == b'"' {
            value = value.start + 1..value.end - 1;
        }
        // `validCookieValueByte`: printable ASCII but `"`, `;` and `\`.
        if line[value.clone()]
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b) && !b"\";\\".contains(&b))
        {
            return Some(value);
        }
    }
    None
}

/// Percent-decoding as `percent-encoding` decodes (PHP's `rawurldecode`, Rack's unescaping): `%XX` (either
/// case) is that byte, any other `%` stays. The runs between escapes are copied whole, and a value without `%`
/// is borrowed (the crate's decoder goes a byte at a time, which Laravel's two kilobyte-sized cookies per
/// request feel).
pub(crate) fn percent_decode(value: &str) -> Cow<'_, [u8]> {
    let b = value.as_bytes();
    if memchr::memchr(b'%', b).is_none() {
        return Cow::Borrowed(b);
    }
    let hexval = |c: u8| char::from(c).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    // Each turn copies the run up to the next `%` (or the end, which ends the loop), then reads that `%`.
    loop {
        let run = memchr::memchr(b'%', &b[i..]).unwrap_or(b.len() - i);
        out.extend_from_slice(&b[i..i + run]);
        i += run;
        if i == b.len() {
            break;
        }
        match (
            b.get(i + 1).copied().and_then(hexval),
            b.get(i + 2).copied().and_then(hexval),
        ) {
            (Some(h), Some(l)) => {
                out.push(u8::try_from(h * 16 + l).unwrap_or(0));
                i += 3;
            }
            _ => {
                out.push(b'%');
                i += 1;
            }
        }
    }
    Cow::Owned(out)
}

/// [`percent_decode`] as text, as Rack and the `cookie` crate read an escaped cookie value: borrowed without
/// `%`.
///
/// # Errors
/// [`crate::SessionError::Malformed`] when the decoded bytes are not UTF-8.
pub(crate) fn percent_decode_utf8(value: &str) -> crate::error::Result<Cow<'_, str>> {
    match percent_decode(value) {
        Cow::Borrowed(_) => Ok(Cow::Borrowed(value)),
        Cow::Owned(out) => String::from_utf8(out)
            .map(Cow::Owned)
            .map_err(|_| crate::error::SessionError::Malformed("escapes that are not UTF-8")),
    }
}

/// Every `(name, value)` pair npm `cookie`'s `parse` finds in the `Cookie` lines (Node joins several with `; `),
/// the first of each name only, in header order.
pub(crate) fn node_cookie_pairs(headers: &[&[u8]]) -> Vec<(String, String)> {
    let joined: Vec<u8> = headers.join(&b"; "[..]);
    let line: String = match std::str::from_utf8(&joined) {
        Ok(s) => s.to_owned(),
        Err(_) => joined.iter().map(|&b| char::from(b)).collect(),
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in line.split(';') {
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        // `cookie` 0.7 trims spaces and tabs (`str.trim()` in JavaScript trims all whitespace).
        let name = name.trim();
        if name.is_empty() || out.iter().any(|(n, _)| n == name) {
            continue;
        }
        let mut value = value.trim();
        if value.len() >= 2 && value.starts_with('"') && value.ends_with('"') {
            value = &value[1..value.len() - 1];
        }
        // npm `cookie`'s `decode`: a value whose escapes are not UTF-8 is kept as it came.
        let decoded = percent_decode_utf8(value).map_or_else(|_| value.to_owned(), Cow::into_owned);
        out.push((name.to_owned(), decoded));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The run-copying decoder gives `percent-encoding`'s bytes for every string of up to four characters over
    /// an alphabet of escapes' parts (and borrows exactly those without `%`).
    #[test]
    fn percent_decode_is_the_crates_decoding() {
        let alphabet = ["%", "4", "1", "g", "a", "F", "é", "+"];
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        texts.extend([
            "a%3Db%2B%2f".into(),
            "%e2%82%ac--x".into(),
            "%%41%".into(),
            "x".repeat(100) + "%41",
        ]);
        for text in &texts {
            let ours = percent_decode(text);
            let theirs: Cow<'_, [u8]> = percent_encoding::percent_decode_str(text).into();
            assert_eq!(ours, theirs, "{text:?}");
            assert_eq!(matches!(ours, Cow::Borrowed(_)), !text.contains('%'), "{text:?}");
        }
    }

    fn find<'a>(lines: &'a [&'a str]) -> Option<Cow<'a, str>> {
        find_cookie(lines.iter().copied(), "session")
    }

    fn with(rules: CookieRules, lines: &[&str], name: &str) -> Option<String> {
        find_with(rules, lines, name)
    }

    const V: &str = "eyJ1IjoxfQ:1r5Q0w:c2lnbmF0dXJl";

    #[test]
    fn first_cookie_wins_and_others_are_ignored() {
        let h = ["theme=dark; session=abc.def.ghi; session=second", "session=third"];
        assert_eq!(find(&h).as_deref(), Some("abc.def.ghi"));
        assert_eq!(find(&["a=1", "session=x"]).as_deref(), Some("x"));
        assert_eq!(find(&["garbage; =; a"]), None);
        assert_eq!(find(&["session=\"q.v.s\""]).as_deref(), Some("q.v.s"));
    }

    /// Each answer is what Werkzeug 3.1.8's `parse_cookie(line).get("session")` gives.
    #[test]
    fn lines_are_read_as_werkzeug_reads_them() {
        for (line, want) in [
            ("session; session=abc", Some("")),
            (" session ;session=abc", Some("")),
            ("session=; session=abc", Some("")),
            ("a; session=abc", Some("abc")),
            ("session = abc ; x=1", Some("abc")),
            ("session=a=b", Some("a=b")),
            ("x=\"a;session=evil\"; session=good", Some("good")),
            ("session=\"a\\\"b\\073c\"", Some("a\"b;c")),
            ("session=\"abc\"def; x=1", Some("\"abc\"def")),
            ("session=\"unterminated; x=1", Some("\"unterminated")),
            ("=abc; session=v", Some("v")),
            ("a=1; session=", Some("")),
            ("Session=v", None),
            ("", None),
        ] {
            assert_eq!(find(&[line]).as_deref(), want, "{line:?}");
            assert_eq!(
                with(CookieRules::Werkzeug, &[line], "session").as_deref(),
                want,
                "{line:?}"
            );
        }
    }

    /// Where a quoted value ends decides which pair comes next, so a value that hides `;session=` must not
    /// smuggle a session in. Each answer is what Werkzeug 3.1.8's `parse_cookie(line).get("session")` and
    /// Django 5.2's `parse_cookie(line).get("session")` (which splits on every `;`) give.
    #[test]
    fn quoted_values_end_where_the_frameworks_end_them() {
        for (line, werkzeug, python) in [
            // Whitespace between `=` and the opening quote, and between the closing quote and `;`.
            ("x= \"a;session=evil\"; session=good", "good", "good"),
            ("x=\"a;session=evil\" ; session=good", "good", "good"),
            ("x=\"a;session=evil\"\t;session=good", "good", "good"),
            // An escaped quote does not close the value.
            ("x=\"a\\\";session=evil\"; session=good", "good", "good"),
            // Text after the closing quote: not a quoted value, so it ends at the first `;`.
            ("x=\"a\"b;session=evil\"; session=good", "evil\"", "good"),
            // A quote that never closes: the value ends at the first `;`.
            ("x=\"a\\\"; session=evil", "evil", "evil"),
            ("session= \"v\" ; x=1", "v", "v"),
        ] {
            assert_eq!(find(&[line]).as_deref(), Some(werkzeug), "{line:?}");
            assert_eq!(
                with(CookieRules::Python, &[line], "session").as_deref(),
                Some(python),
                "{line:?}"
            );
        }
    }

    /// `\ooo` is an octal escape when its first digit is 0-3 (Werkzeug's `\\([0-3][0-7]{2}|.)`, Python's
    /// `\\[0-3][0-7][0-7]`); answers from Werkzeug 3.1.8 and Django 5.2's `parse_cookie`.
    #[test]
    fn octal_escapes_read_all_three_digits() {
        let line = "session=\"\\101\\123\\176\\061\\400\"";
        assert_eq!(find(&[line]).as_deref(), Some("AS~1400"));
        assert_eq!(
            with(CookieRules::Python, &[line], "session").as_deref(),
            Some("AS~1400")
        );
        let line = "session=\"\\342\\177\"";
        assert_eq!(find(&[line]).as_deref(), Some("\u{fffd}\u{7f}"));
        assert_eq!(
            with(CookieRules::Python, &[line], "session").as_deref(),
            Some("\u{e2}\u{7f}")
        );
    }

    #[test]
    fn bytes_outside_ascii_do_not_hide_the_session() {
        let lines: [&[u8]; 1] = [b"pref=caf\xe9; \xa0session=v\xa0"];
        assert_eq!(find_cookie(lines, "session").as_deref(), Some("v"));
        let lines: [&[u8]; 1] = [b"session=caf\xe9"];
        assert_eq!(find_cookie(lines, "session").as_deref(), Some("caf\u{e9}"));
        // UTF-8 bytes are latin-1 text to Werkzeug too.
        let lines: [&[u8]; 1] = [b"session=caf\xc3\xa9"];
        assert_eq!(find_cookie(lines, "session").as_deref(), Some("caf\u{c3}\u{a9}"));
    }

    /// Werkzeug unquotes the UTF-8 of the latin-1 text: an octal escape is one byte of it.
    #[test]
    fn werkzeug_escapes_are_bytes_of_utf8() {
        for (line, want) in [
            ("session=\"\\303\\251\"", "\u{e9}"),
            ("session=\"\\377\"", "\u{fffd}"),
            ("session=\"\u{e9}\\303\\251\"", "\u{e9}\u{e9}"),
            ("session=\"\\\u{e9}\\\"", "\u{e9}\\"),
        ] {
            let lines: [&[u8]; 1] = [&line.chars().map(|c| u8::try_from(c).unwrap()).collect::<Vec<u8>>()];
            assert_eq!(find_cookie(lines, "session").as_deref(), Some(want), "{line:?}");
        }
    }

    /// Werkzeug joins several lines with `;`: a quoted value may close in a later line.
    #[test]
    fn werkzeug_quotes_run_across_lines() {
        assert_eq!(find(&["session=\"a", "b\"; x=1"]).as_deref(), Some("a;b"));
        assert_eq!(find(&["session=\"a\\", "\"; x=1"]).as_deref(), Some("a;"));
        assert_eq!(find(&["x=\"a", "b\"; session=v"]).as_deref(), Some("v"));
        assert_eq!(find(&["x=\"a", "session=b\""]), None);
        assert_eq!(find(&["session=\"a", "b; session=c"]).as_deref(), Some("\"a"));
        assert_eq!(find(&["session=\"a"]).as_deref(), Some("\"a"));
        assert_eq!(find(&["=\"a", "session=b\"", "session=c"]).as_deref(), Some("c"));
        assert_eq!(
            with(CookieRules::Werkzeug, &["session=\"a", "b\""], "session").as_deref(),
            Some("a;b")
        );
        // No later line: the quote does not close, and the pair is read as the line ends.
        assert_eq!(find(&["a=1", "session=\"a; x=1"]).as_deref(), Some("\"a"));
    }

    #[test]
    fn python_strips_unit_separators_before_a_name() {
        let line = format!("\x1fsessionid={V}");
        assert_eq!(with(CookieRules::Python, &[&line], "sessionid").as_deref(), Some(V));
    }

    #[test]
    fn python_takes_the_last_of_names_equal_after_stripping() {
        let line = format!("sessionid={V}; \x1fsessionid=junk");
        assert_eq!(
            with(CookieRules::Python, &[&line], "sessionid").as_deref(),
            Some("junk")
        );
        let line = [
            format!("sessionid={V}; \x1c\x1d\x1esessionid").as_bytes(),
            b"\x85=\xa0junk",
        ]
        .concat();
        assert_eq!(
            find_with(CookieRules::Python, [line], "sessionid").as_deref(),
            Some("junk")
        );
    }

    /// Each answer is what Django 5.2's `parse_cookie` and Starlette's `cookie_parser` give.
    #[test]
    fn lines_are_read_as_python_reads_them() {
        for (lines, name, want) in [
            (
                &["session=first; x; session = \"q\\\"u\\101\" "][..],
                "session",
                Some("q\"uA"),
            ),
            (&["session=first", "session=second; a=1"], "session", Some("second")),
            (&["session=first", "a=1"], "session", Some("first")),
            (&["session"], "session", None),
            (&["session=\""], "session", Some("\"")),
            (&["session=\"\""], "session", Some("")),
            (&["session=\"a;b\""], "session", Some("\"a")),
            (&["session=\"\\400\\08\\"], "session", Some("\"\\400\\08\\")),
            (&["session=\"\\400\\08\\\""], "session", Some("40008\\")),
            (&["session=a=b"], "session", Some("a=b")),
            (&["sessionid=1"], "session", None),
            (&["session=;"], "session", Some("")),
            // An empty name: a part without `=`, unless the part is empty too.
            (&["a; b=1;  ; =; c"], "", Some("c")),
            (&["a; b=1;  ; =;"], "", Some("a")),
        ] {
            assert_eq!(with(CookieRules::Python, lines, name).as_deref(), want, "{lines:?}");
        }
    }

    #[test]
    fn python_octal_escapes_are_characters() {
        let lines: [&[u8]; 2] = [b"session=\"\\303\\251\\377\"", b"pref=\xe9"];
        assert_eq!(
            find_with(CookieRules::Python, lines, "session").as_deref(),
            Some("\u{c3}\u{a9}\u{ff}")
        );
        let lines: [&[u8]; 1] = [b"session=\"\xe9\\\xe9\""];
        assert_eq!(
            find_with(CookieRules::Python, lines, "session").as_deref(),
            Some("\u{e9}\u{e9}")
        );
    }

    /// Each answer is what `cookies@0.9.1`'s `get("session")` gives.
    #[test]
    fn lines_are_read_as_node_reads_them() {
        for (lines, want) in [
            (&["a=1; session=v; session=w"][..], Some("v")),
            (&["a=1", "session=v", "session=w"], Some("v")),
            (&["  session=v"], Some("v")),
            (&["a=1;   session= v "], Some(" v ")),
            (&["\tsession=v"], None),
            (&["session =v"], None),
            (&["xsession=v"], None),
            (&["xsession=v;session=w"], Some("w")),
            (&["session"], None),
            (&["session=\"abc\""], Some("abc")),
            (&["session=\"abc"], Some("ab")),
            (&["session=\""], Some("")),
            (&["session=\"a;b\""], Some("")),
            (&["session=a\"b\""], Some("a\"b\"")),
            (&["session=\"a\\073\""], Some("a\\073")),
            (&["session="], Some("")),
            (&[""], None),
        ] {
            assert_eq!(with(CookieRules::Node, lines, "session").as_deref(), want, "{lines:?}");
        }
        let lines: [&[u8]; 1] = [b"session=caf\xc3\xa9"];
        assert_eq!(
            find_with(CookieRules::Node, lines, "session").as_deref(),
            Some("caf\u{c3}\u{a9}")
        );
    }

    /// Each answer is what npm `cookie@0.7.2`'s `parse` (iron-session 8) gives on the header values joined
    /// with `"; "` as Node's http joins them: the first cookie of each name, parts without `=` skipped, names
    /// and values trimmed, one pair of surrounding quotes removed, `%` escapes decoded when they are UTF-8.
    #[test]
    fn node_pairs_are_what_npm_cookie_parses() {
        let pairs = |lines: &[&str]| {
            let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
            node_cookie_pairs(&lines)
        };
        let owned = |want: &[(&str, &str)]| -> Vec<(String, String)> {
            want.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
        };
        assert_eq!(pairs(&["a=1; a=2; b; c=3"]), owned(&[("a", "1"), ("c", "3")]));
        assert_eq!(pairs(&["a=1", "a=2; b=3"]), owned(&[("a", "1"), ("b", "3")]));
        assert_eq!(pairs(&[" s = v ;t=\tw\t"]), owned(&[("s", "v"), ("t", "w")]));
        for (line, want) in [
            ("s=\"abc\"", "abc"),
            ("s=\"\"", ""),
            ("s=a\"", "a\""),
            ("s=\"a%20b\"", "a b"),
            ("s=%E0%A4%A", "%E0%A4%A"),
            ("s=%FF", "%FF"),
        ] {
            assert_eq!(pairs(&[line]), owned(&[("s", want)]), "{line:?}");
        }
    }

    #[test]
    fn values_borrow_when_ascii() {
        assert!(matches!(find(&["session=\"abc\""]), Some(Cow::Borrowed("abc"))));
        // Several lines are joined only from a quote that runs off its line.
        assert!(matches!(find(&["session=v", "x=1"]), Some(Cow::Borrowed("v"))));
        assert!(matches!(find(&["x=\"a;b\"", "session=v"]), Some(Cow::Borrowed("v"))));
        assert!(matches!(find(&["x=\"a", "session=v"]), Some(Cow::Owned(v)) if v == "v"));
        // A quote that runs off the last line has no later line to close in.
        assert!(matches!(find(&["x=\"a; session=v"]), Some(Cow::Borrowed("v"))));
        assert!(matches!(latin1(b"abc"), Cow::Borrowed("abc")));
        assert!(matches!(latin1(b"\xe9"), Cow::Owned(s) if s == "\u{e9}"));
    }
}
