//! The payload part of a cookie: URL-safe base64 of the JSON, or `.` + base64 of its zlib stream.

use std::cell::RefCell;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use flate2::{Compress, Compression as Level, Decompress, FlushCompress, FlushDecompress, Status};

use crate::error::{Result, SessionError};

/// When to compress the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Compression {
    /// Flask's rule: compress (a zlib stream, level-6 class) and use it when `len(compressed) < len(json) - 1`.
    #[default]
    Flask,
    /// Never compress (Flask still reads these cookies; cheaper to write, larger on the wire).
    Never,
}

/// Lenient decoder for signed parts (payload, timestamp): accepts missing or present padding and unused
/// trailing bits, as Python's `base64.urlsafe_b64decode` after itsdangerous pads the input.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// [`b64_decode_lenient`]'s first try, into `out` (no allocation): the length written, or `None` when it does
/// not decode that way or does not fit (then [`b64_decode_lenient`] gives the answer).
pub(crate) fn b64_decode_lenient_slice(input: &[u8], out: &mut [u8]) -> Option<usize> {
    url_safe_decode(input, out, true).or_else(|| LENIENT.decode_slice(input, out).ok())
}

/// The URL-safe alphabet's values, 0xFF for every other byte.
const URL_SAFE_VALUES: [u8; 256] = {
    let mut t = [0xFF; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Unpadded URL-safe base64 into `out`, for the cookie-sized inputs of every request (a signature, a timestamp,
/// a payload): what the `base64` crate's URL-safe engine decodes, without its set-up per call. `None` for a
/// character outside the alphabet (padding included), a length that leaves one character alone, an `out` too
/// short, or unused trailing bits that are not zero when `trailing_bits` is false. Callers that accept more
/// (padding, Python's leniency) fall back to the crate's engines on `None`; the tests compare both.
pub(crate) fn url_safe_decode(input: &[u8], out: &mut [u8], trailing_bits: bool) -> Option<usize> {
    let len = input.len() / 4 * 3
        + match input.len() % 4 {
            0 => 0,
            2 => 1,
            3 => 2,
            _ => return None,
        };
    let out = out.get_mut(..len)?;
    let value = |c: u8| u32::from(URL_SAFE_VALUES[usize::from(c)]);
    let mut quads = input.chunks_exact(4);
    let mut triples = out.chunks_exact_mut(3);
    let mut bad = 0;
    for (q, t) in (&mut quads).zip(&mut triples) {
        let (a, b, c, d) = (value(q[0]), value(q[1]), value(q[2]), value(q[3]));
        bad |= a | b | c | d;
        let v = a << 18 | b << 12 | c << 6 | d;
        t[0] = (v >> 16) as u8;
        t[1] = (v >> 8) as u8;
        t[2] = v as u8;
    }
    let rest = triples.into_remainder();
    let unused = match *quads.remainder() {
        [a, b] => {
            let (a, b) = (value(a), value(b));
            bad |= a | b;
            rest[0] = (a << 2 | b >> 4) as u8;
            b & 0x0F
        }
        [a, b, c] => {
            let (a, b, c) = (value(a), value(b), value(c));
            bad |= a | b | c;
            let v = a << 12 | b << 6 | c;
            rest[0] = (v >> 10) as u8;
            rest[1] = (v >> 2) as u8;
            c & 0x03
        }
        _ => 0,
    };
    (bad & 0xC0 == 0 && (trailing_bits || unused == 0)).then_some(len)
}

/// Decodes base64 the way itsdangerous does for data already covered by a valid signature.
pub(crate) fn b64_decode_lenient(input: &[u8]) -> std::result::Result<Vec<u8>, base64::DecodeError> {
    let mut out = vec![0; input.len() / 4 * 3 + 2];
    if let Some(n) = url_safe_decode(input, &mut out, true) {
        out.truncate(n);
        return Ok(out);
    }
    if let Ok(v) = LENIENT.decode(input) {
        return Ok(v);
    }
    // itsdangerous pads to a multiple of four first, then Python's `urlsafe_b64decode` (CPython's
    // `binascii.a2b_base64`, not strict): both alphabets, other characters dropped, a `=` counts as padding
    // only after two data characters of a group, enough padding ends the data, trailing bits are dropped.
    let padded = input.len() + (4 - input.len() % 4) % 4;
    let mut out = Vec::with_capacity(padded / 4 * 3);
    let (mut quad_pos, mut pads, mut left) = (0u8, 0usize, 0u8);
    for i in 0..padded {
        let c = input.get(i).copied().unwrap_or(b'=');
        if c == b'=' {
            if quad_pos >= 2 {
                pads += 1;
                if usize::from(quad_pos) + pads >= 4 {
                    return Ok(out);
                }
            }
            continue;
        }
        // The URL-safe table, plus the standard alphabet's two characters.
        let v = match c {
            b'+' => 62,
            b'/' => 63,
            _ => match URL_SAFE_VALUES[usize::from(c)] {
                0xFF => continue,
                v => v,
            },
        };
        pads = 0;
        match quad_pos {
            0 => left = v,
            1 => {
                out.push(left << 2 | v >> 4);
                left = v & 0x0F;
            }
            2 => {
                out.push(left << 4 | v >> 2);
                left = v & 0x03;
            }
            _ => out.push(left << 6 | v),
        }
        quad_pos = (quad_pos + 1) % 4;
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err(base64::DecodeError::InvalidLength(input.len())),
        _ => Err(base64::DecodeError::InvalidPadding),
    }
}

thread_local! {
    // A zlib stream costs ~270 KB of state to set up; reuse one per thread (reset per call).
    static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Level::new(6), true));
    // Likewise for inflation (~40 KB of state).
    static DECOMPRESSOR: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

/// Encodes JSON bytes as a cookie payload under the given compression policy.
///
/// Flask's rule (itsdangerous `URLSafeSerializerMixin.dump_payload`): the zlib stream is used when
/// `len(compressed) < len(json) - 1`, i.e. when it saves at least two bytes. Inputs up to 32 KiB (every cookie:
/// the browser limit is 4 KiB) are compressed by `deflate.rs` (private), a compressor sized for cookies with zlib
/// level 6's matching rules; its streams differ from zlib's by a few bytes at most, so the decision can differ
/// from Flask's only for a payload that compresses to within a few bytes of the threshold, and either choice is
/// a cookie Flask reads. Longer inputs use zlib at level 6.
pub fn encode_payload(json: &[u8], policy: Compression) -> String {
    if policy == Compression::Flask && json.len() > 2 {
        // Flask's rule: only a stream shorter than `json.len() - 1` is used.
        let limit = json.len() - 1;
        let compressed = if json.len() <= crate::deflate::MAX_INPUT {
            crate::deflate::zlib_compress(json, limit)
        } else {
            zlib_compress(json).filter(|c| c.len() < limit)
        };
        if let Some(compressed) = compressed {
            let mut out = String::with_capacity(1 + compressed.len().div_ceil(3) * 4);
            out.push('.');
            URL_SAFE_NO_PAD.encode_string(&compressed, &mut out);
            return out;
        }
    }
    URL_SAFE_NO_PAD.encode(json)
}

/// zlib (RFC 1950) at level 6, or `None` if the stream would not be smaller than the input (Flask's rule
/// would not use it then). Used for inputs over [`crate::deflate::MAX_INPUT`].
fn zlib_compress(input: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        // Flask only uses the result when it is shorter than the input; a buffer that size is enough.
        let mut out = Vec::with_capacity(input.len());
        match c.compress_vec(input, &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => Some(out),
            _ => None,
        }
    })
}

/// Decodes a payload part into JSON bytes, inflating at most `limit` bytes.
///
/// # Errors
/// [`SessionError::BadPayload`] for bad base64 or zlib, [`SessionError::PayloadTooLarge`] beyond `limit`.
pub fn decode_payload(payload: &str, limit: usize) -> Result<Vec<u8>> {
    let (compressed, b64) = match payload.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, payload),
    };
    let raw = b64_decode_lenient(b64.as_bytes())
        .map_err(|_| SessionError::BadPayload("payload is not valid base64".into()))?;
    if !compressed {
        return Ok(raw);
    }
    inflate_bounded(&raw, limit)
}

fn inflate_bounded(input: &[u8], limit: usize) -> Result<Vec<u8>> {
    DECOMPRESSOR.with(|d| {
        let mut d = d.borrow_mut();
        d.reset(true);
        inflate_with(&mut d, input, limit)
    })
}

fn inflate_with(d: &mut Decompress, input: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity((input.len() * 4).clamp(64, limit.max(64)).min(limit));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= limit {
                return Err(SessionError::PayloadTooLarge { limit });
            }
            out.reserve_exact(out.capacity().max(256).min(limit - out.len()));
        }
        let (before_in, before_out) = (d.total_in(), out.len());
        let rest = input.get(before_in as usize..).unwrap_or_default();
        let status = d
            .decompress_vec(rest, &mut out, FlushDecompress::Finish)
            .map_err(|_| SessionError::BadPayload("payload is not a valid zlib stream".into()))?;
        if status == Status::StreamEnd {
            // Python's zlib.decompress ignores bytes after the end of the stream; so do we.
            return Ok(out);
        }
        if d.total_in() == before_in && out.len() == before_out {
            return Err(SessionError::BadPayload("payload zlib stream is truncated".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// itsdangerous 2.2.0's `base64_decode` (pad to a multiple of four, then Python's `urlsafe_b64decode`, which
    /// takes both alphabets and drops other characters) on inputs for every path of the lenient decoder: its
    /// answers, printed by Python, or `None` where it raises `BadData`.
    #[test]
    fn lenient_decoding_is_itsdangerous_s() {
        let cases: [(&str, Option<&str>); 29] = [
            ("AQ", Some("01")),
            ("AQI", Some("0102")),
            ("AQID", Some("010203")),
            ("A+/_", Some("03efff")),
            ("A/+-", Some("03ffbe")),
            ("+/8", Some("fbff")),
            ("-_8", Some("fbff")),
            ("AQ.I", None),
            ("A.Q.I.D", Some("010203")),
            ("AQ==", Some("01")),
            ("AQ=", Some("01")),
            ("A=Q", None),
            ("AQI=", Some("0102")),
            ("AQID=", Some("010203")),
            ("AQIDBA", Some("01020304")),
            ("AQIDB", None),
            ("A", None),
            ("AQIDB.", None),
            (".AQ", None),
            ("A!Q", None),
            ("AQ=I", None),
            ("AQ==I", Some("01")),
            ("=AQ", None),
            ("A+", Some("03")),
            ("A/Q=", Some("03f4")),
            ("QUJD+/.=", None),
            ("a-b_c+d/", Some("6be6ff73e77f")),
            ("AQIDBA==", Some("01020304")),
            ("", Some("")),
        ];
        for (input, python) in cases {
            let ours = b64_decode_lenient(input.as_bytes())
                .ok()
                .map(|b| b.iter().map(|x| format!("{x:02x}")).collect::<String>());
            assert_eq!(ours.as_deref(), python, "{input:?}");
        }
    }

    /// The hand-written decoder against the `base64` crate's engines, on every short input over an alphabet
    /// that mixes valid characters, padding and invalid ones.
    #[test]
    fn url_safe_decode_agrees_with_the_base64_crate() {
        let strict = URL_SAFE_NO_PAD;
        let lenient = GeneralPurpose::new(
            &alphabet::URL_SAFE,
            GeneralPurposeConfig::new()
                .with_encode_padding(false)
                .with_decode_allow_trailing_bits(true)
                .with_decode_padding_mode(DecodePaddingMode::RequireNone),
        );
        let symbols = b"AQgw_-9z=+/.";
        let mut checked = 0;
        for len in 0..=5u32 {
            for mut n in 0..symbols.len().pow(len) {
                let mut input = Vec::new();
                for _ in 0..len {
                    input.push(symbols[n % symbols.len()]);
                    n /= symbols.len();
                }
                let mut a = [0u8; 8];
                let mut b = [0u8; 8];
                for (trailing, engine) in [(false, &strict), (true, &lenient)] {
                    let ours = url_safe_decode(&input, &mut a, trailing).map(|n| a[..n].to_vec());
                    let theirs = engine.decode_slice(&input, &mut b).ok().map(|n| b[..n].to_vec());
                    assert_eq!(
                        ours,
                        theirs,
                        "{:?} trailing bits {trailing}",
                        String::from_utf8_lossy(&input)
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 2 * (1 + 12 + 144 + 1_728 + 20_736 + 248_832));
        // Longer inputs, and an output buffer that is too short.
        let long = URL_SAFE_NO_PAD.encode(b"a longer payload of some forty bytes or so!");
        let mut out = [0u8; 64];
        let n = url_safe_decode(long.as_bytes(), &mut out, false).unwrap();
        assert_eq!(&out[..n], b"a longer payload of some forty bytes or so!");
        assert_eq!(url_safe_decode(long.as_bytes(), &mut out[..10], true), None);
    }

    #[test]
    fn small_payloads_stay_uncompressed() {
        assert_eq!(
            encode_payload(br#"{"user_id":42}"#, Compression::Flask),
            "eyJ1c2VyX2lkIjo0Mn0"
        );
    }

    #[test]
    fn compressed_round_trip_and_bomb_limit() {
        let json = format!(r#"{{"a":"{}"}}"#, "x".repeat(5000));
        let p = encode_payload(json.as_bytes(), Compression::Flask);
        assert!(p.starts_with('.'));
        assert_eq!(decode_payload(&p, 1 << 20).unwrap(), json.as_bytes());
        assert!(matches!(
            decode_payload(&p, 1000),
            Err(SessionError::PayloadTooLarge { limit: 1000 })
        ));
        assert_eq!(
            encode_payload(json.as_bytes(), Compression::Never),
            URL_SAFE_NO_PAD.encode(&json)
        );
    }

    /// The inflation bound holds at every size: a stream that inflates to exactly `limit` bytes is read, one
    /// byte less of room is refused, whatever the limit's relation to the buffer's growth steps.
    #[test]
    fn inflation_stops_at_the_limit_exactly() {
        let json = format!(r#"{{"a":"{}"}}"#, "x".repeat(5000));
        let p = encode_payload(json.as_bytes(), Compression::Flask);
        let n = json.len();
        assert_eq!(decode_payload(&p, n).unwrap(), json.as_bytes());
        for limit in [n - 1, n - 100, 300, 257, 256, 255, 64, 1] {
            assert!(
                matches!(decode_payload(&p, limit), Err(SessionError::PayloadTooLarge { limit: l }) if l == limit),
                "limit {limit}"
            );
        }
    }

    /// Payloads beyond the cookie-sized compressor go through zlib under the same rule: compressed only when the
    /// stream is shorter than the JSON less one byte (itsdangerous: `len(compressed) < len(json) - 1`).
    #[test]
    fn long_payloads_follow_flask_s_rule_through_zlib() {
        let long = format!(r#"{{"a":"{}"}}"#, "x".repeat(40_000));
        let p = encode_payload(long.as_bytes(), Compression::Flask);
        assert!(p.starts_with('.'));
        assert_eq!(decode_payload(&p, 1 << 20).unwrap(), long.as_bytes());
        // Bytes zlib cannot shrink, then zeros it can: find where the stream is one byte, then two bytes, shorter
        // than the input less one.
        let mut x: u32 = 7;
        let noise: Vec<u8> = (0..33_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        assert!(!encode_payload(&noise, Compression::Flask).starts_with('.'));
        let mut seen = (false, false);
        for zeros in 0..4000 {
            let mut input = noise.clone();
            input.resize(noise.len() + zeros, 0);
            // `None`: the stream would not be shorter than the input.
            let Some(stream) = zlib_compress(&input).map(|c| c.len()) else {
                continue;
            };
            let compressed = encode_payload(&input, Compression::Flask).starts_with('.');
            if stream + 1 == input.len() {
                assert!(!compressed, "a stream of len(json) - 1 bytes is not used");
                seen.0 = true;
            }
            if stream + 2 == input.len() {
                assert!(compressed, "a stream of len(json) - 2 bytes is used");
                seen.1 = true;
            }
            if seen == (true, true) {
                break;
            }
        }
        assert_eq!(seen, (true, true), "the search found both edges");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(decode_payload(".AAAA", 100).is_err());
        assert!(decode_payload(".", 100).is_err());
        assert!(decode_payload("!!!!", 100).is_ok()); // Python discards non-alphabet characters: empty bytes
        assert!(decode_payload("e30*", 100).is_err()); // padding was computed with the discarded '*'
        assert_eq!(decode_payload("e30", 100).unwrap(), b"{}");
    }
}
