//! Reading a request's `Cookie` header values as each framework does.

use std::borrow::Cow;

/// The value of the first cookie called `name` across the given `Cookie` header values, as Werkzeug's
/// `request.cookies.get(name)` finds it (the first one wins).
///
/// Header values are bytes: a byte outside ASCII elsewhere in the line (`pref=caf\xe9`) does not hide the
/// session, since Werkzeug reads the line as latin-1 and so do we. As in Werkzeug, names and values are
/// stripped of surrounding whitespace, a quoted value is unquoted (`\"`, `\\` and octal escapes), and a bare
/// token (`session` without `=`) is that name with an empty value: `Cookie: session; session=<valid>` is a
/// new session, as in Flask. A value that is not UTF-8 is decoded as latin-1 (it cannot verify either way).
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
    headers.into_iter().find_map(|h| find_in_line(h.as_ref(), name))
}

/// [`find_cookie`] in one header value.
fn find_in_line<'a>(line: &'a [u8], name: &str) -> Option<Cow<'a, str>> {
    pairs(line)
        .find(|(n, _)| *n == name.as_bytes())
        .map(|(_, v)| unquote(v))
}

/// Whitespace for the `\s` of Werkzeug's cookie pattern (compiled with `re.ASCII`).
fn is_re_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Whitespace for Python's `str.strip()` on a latin-1 character: ASCII whitespace, the separators
/// 0x1C-0x1F, NEL and NO-BREAK SPACE.
fn is_py_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | 0x1c..=b' ' | 0x85 | 0xa0)
}

fn strip(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_py_space(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_py_space(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// The `(name, value)` pairs of one header value, stripped, empty names skipped, in order: what Werkzeug's
/// `_cookie_re` (`([^=;]*)(?:\s*=\s*("(?:[^\\"]|\\.)*"|.*?))?\s*;\s*` over the line plus `;`) finds.
fn pairs(line: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        while pos < line.len() {
            let start = pos;
            pos = memchr::memchr2(b'=', b';', &line[pos..]).map_or(line.len(), |i| pos + i);
            let name = strip(&line[start..pos]);
            let mut value: &[u8] = b"";
            if line.get(pos) == Some(&b'=') {
                pos += 1;
                while pos < line.len() && is_re_space(line[pos]) {
                    pos += 1;
                }
                let quoted_end = quoted_end(line, pos);
                let value_end = match quoted_end {
                    Some(end) => end,
                    None => memchr::memchr(b';', &line[pos..]).map_or(line.len(), |i| pos + i),
                };
                value = strip(&line[pos..value_end]);
                pos = value_end;
            }
            // `\s*;`: skip to the separator (only whitespace can lie between) and past it.
            pos = memchr::memchr(b';', &line[pos..]).map_or(line.len(), |i| pos + i + 1);
            if !name.is_empty() {
                return Some((name, value));
            }
        }
        None
    })
}

/// Where a quoted value starting at `start` ends (just past its closing quote), if the pattern's quoted
/// alternative matches there: a closing quote, then only whitespace before `;` or the end of the line.
fn quoted_end(line: &[u8], start: usize) -> Option<usize> {
    if line.get(start) != Some(&b'"') {
        return None;
    }
    let mut i = start + 1;
    loop {
        match line.get(i)? {
            b'\\' if i + 1 < line.len() => i += 2,
            b'\\' => return None,
            b'"' => break,
            _ => i += 1,
        }
    }
    let end = i + 1;
    let mut j = end;
    while j < line.len() && is_re_space(line[j]) {
        j += 1;
    }
    (j == line.len() || line[j] == b';').then_some(end)
}

/// Werkzeug's unquoting of a `"..."` value (`\ooo` octal escapes and `\x` for any other `x`), then the bytes
/// as text: borrowed when they are UTF-8, else decoded as latin-1.
fn unquote(value: &[u8]) -> Cow<'_, str> {
    let bytes: Cow<'_, [u8]> = match value {
        [b'"', inner @ .., b'"'] if inner.contains(&b'\\') => {
            let mut out = Vec::with_capacity(inner.len());
            let mut i = 0;
            while i < inner.len() {
                match &inner[i..] {
                    [b'\\', a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7', ..] => {
                        out.push((a - b'0') << 6 | (b - b'0') << 3 | (c - b'0'));
                        i += 4;
                    }
                    [b'\\', x, ..] => {
                        out.push(*x);
                        i += 2;
                    }
                    [x, ..] => {
                        out.push(*x);
                        i += 1;
                    }
                    [] => break,
                }
            }
            Cow::Owned(out)
        }
        [b'"', inner @ .., b'"'] => Cow::Borrowed(inner),
        _ => Cow::Borrowed(value),
    };
    match bytes {
        Cow::Borrowed(b) => match std::str::from_utf8(b) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => Cow::Owned(b.iter().map(|&c| char::from(c)).collect()),
        },
        Cow::Owned(b) => {
            Cow::Owned(String::from_utf8(b).unwrap_or_else(|e| e.as_bytes().iter().map(|&c| char::from(c)).collect()))
        }
    }
}

/// Whose rules read the `Cookie` header (each framework's parser, and so which duplicate wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CookieRules {
    /// Werkzeug's `parse_cookie` (Flask); Rack and actix-web also take the first cookie of a name.
    Werkzeug,
    /// Python's cookie parsers (Starlette's `cookie_parser`, Django's `parse_cookie`): the last one wins.
    Python,
    /// npm `cookies`' `get` (Express' cookie-session): the first match of `(?:^|;) *name=([^;]*)`, one pair of
    /// quotes cut.
    Node,
}

/// The value of the cookie called `name` across the `Cookie` header lines, read by `rules`.
#[inline]
pub(crate) fn find_with(rules: CookieRules, headers: &[&[u8]], name: &str) -> Option<String> {
    match rules {
        CookieRules::Werkzeug => find_cookie(headers.iter().copied(), name).map(Cow::into_owned),
        CookieRules::Python => python_cookie(headers.iter().copied(), name),
        CookieRules::Node => node_cookie(headers, name),
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
        let decoded = if value.contains('%') {
            percent_encoding::percent_decode_str(value)
                .decode_utf8()
                .map_or_else(|_| value.to_owned(), Cow::into_owned)
        } else {
            value.to_owned()
        };
        out.push((name.to_owned(), decoded));
    }
    out
}

/// npm `cookies@0.9`'s `get(name)`: Node joins the `Cookie` lines with `; `; the first `(?:^|;) *name=`
/// match's value up to the next `;`, and a value starting with `"` loses its first and last characters.
fn node_cookie(headers: &[&[u8]], name: &str) -> Option<String> {
    let joined: Vec<u8> = headers.join(&b"; "[..]);
    let line: String = match std::str::from_utf8(&joined) {
        Ok(s) => s.to_owned(),
        Err(_) => joined.iter().map(|&b| char::from(b)).collect(),
    };
    let mut at = 0;
    loop {
        let rest = &line[at..];
        let trimmed = rest.trim_start_matches(' ');
        if let Some(after) = trimmed.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            let value = after.split(';').next().unwrap_or_default();
            let value = if value.starts_with('"') {
                let mut chars = value.chars();
                chars.next();
                chars.next_back();
                chars.as_str()
            } else {
                value
            };
            return Some(value.to_owned());
        }
        at += rest.find(';')? + 1;
    }
}

/// The value of the cookie called `name` as Python's `cookie_parser` (Starlette) and `parse_cookie` (Django)
/// read it: each header line as latin-1 text, split on `;`, then on the first `=`, stripped as `str.strip()`
/// does; the **last** pair of that name wins; a quoted value is unquoted as `http.cookies._unquote` does.
fn python_cookie<'a>(headers: impl IntoIterator<Item = &'a [u8]>, name: &str) -> Option<String> {
    let mut found = None;
    for bytes in headers {
        for chunk in bytes.split(|&b| b == b';') {
            let (k, v) = match chunk.iter().position(|&b| b == b'=') {
                Some(i) => (&chunk[..i], &chunk[i + 1..]),
                None => (&b""[..], chunk),
            };
            if strip(k) == name.as_bytes() {
                found = Some(unquote(strip(v)).into_owned());
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(lines: &'a [&'a str]) -> Option<Cow<'a, str>> {
        find_cookie(lines.iter().copied(), "session")
    }

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
            ("Session=v", None),
            ("", None),
        ] {
            assert_eq!(find(&[line]).as_deref(), want, "{line:?}");
        }
    }

    #[test]
    fn bytes_outside_ascii_do_not_hide_the_session() {
        let lines: [&[u8]; 1] = [b"pref=caf\xe9; \xa0session=v\xa0"];
        assert_eq!(find_cookie(lines, "session").as_deref(), Some("v"));
        let lines: [&[u8]; 1] = [b"session=caf\xe9"];
        assert_eq!(find_cookie(lines, "session").as_deref(), Some("caf\u{e9}"));
    }
}
