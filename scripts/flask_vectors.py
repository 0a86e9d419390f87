#!/usr/bin/env python3
"""Known-answer test vectors for Flask-compatible signed cookie sessions.

Every answer in the generated files comes from running the real Flask 3.1.3 /
itsdangerous 2.2.0 / Werkzeug 3.1.8 code (see scripts/requirements.txt); nothing
is hand-written except the *inputs* (session values, hand-tampered cookies).

    python scripts/flask_vectors.py --out testdata/vectors     # (re)write the files
    python scripts/flask_vectors.py --check testdata/vectors   # exit 1 if they differ

Output is deterministic: time is frozen by monkeypatching
``itsdangerous.timed.TimestampSigner.get_timestamp`` (cookie timestamps, expiry
checks) and ``flask.sessions.datetime`` (the Expires attribute); no randomness.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import json
import logging
import os
import sys
import uuid
import warnings
import zlib
from datetime import datetime, timedelta, timezone
from importlib import metadata

import flask
import flask.sessions as flask_sessions
import itsdangerous.timed as its_timed
from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous import (
    BadPayload,
    BadSignature,
    BadTimeSignature,
    Signer,
    SignatureExpired,
    TimestampSigner,
    URLSafeTimedSerializer,
)
from itsdangerous.encoding import base64_decode, base64_encode
from markupsafe import Markup

PINNED = {"Flask": "3.1.3", "itsdangerous": "2.2.0", "Werkzeug": "3.1.8"}
SOURCE = "scripts/flask_vectors.py with Flask 3.1.3, itsdangerous 2.2.0, Werkzeug 3.1.8"

NOW0 = 1700000000
LIFETIME = 2678400  # 31 days, Flask's default PERMANENT_SESSION_LIFETIME
K1 = "secret-key-1"
RAW_KEY = "hex:" + bytes(range(0xE0, 0xF8)).hex()  # 24 fixed non-UTF-8 bytes, os.urandom(24)-style

# --------------------------------------------------------------------------
# Frozen time
# --------------------------------------------------------------------------

_NOW = [NOW0]


def _frozen_get_timestamp(self) -> int:
    return _NOW[0]


its_timed.TimestampSigner.get_timestamp = _frozen_get_timestamp


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        d = datetime.fromtimestamp(_NOW[0], tz=timezone.utc)
        return d if tz is not None else d.replace(tzinfo=None)


flask_sessions.datetime = _FrozenDatetime


@contextlib.contextmanager
def frozen(now: int):
    old = _NOW[0]
    _NOW[0] = now
    try:
        yield
    finally:
        _NOW[0] = old


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}
FLASK_SIGNER = {"digest": "sha1", "key_derivation": "hmac", "salt": "cookie-session"}


def key_bytes(text: str) -> bytes:
    if text.startswith("hex:"):
        return bytes.fromhex(text[4:])
    return text.encode("utf-8")


def exc_detail(e: BaseException) -> str:
    msg = f"{type(e).__name__}: {e}"
    orig = getattr(e, "original_error", None)
    if orig is not None:
        msg += f" (original_error {type(orig).__name__}: {orig})"
    return msg


def ctx_app() -> Flask:
    """An app whose context makes flask.json use app.json (sort_keys=True)."""
    return Flask("flask_vectors_ctx")


def interface_for(signer: dict) -> SecureCookieSessionInterface:
    """Flask's own session interface configured for ``signer``."""

    class Iface(SecureCookieSessionInterface):
        salt = signer["salt"]
        key_derivation = signer["key_derivation"]
        digest_method = staticmethod(DIGESTS[signer["digest"]])

    return Iface()


def bare_app(secret_key: str | None, fallbacks: list[str]) -> Flask:
    app = Flask("flask_vectors_keys")
    app.secret_key = key_bytes(secret_key) if secret_key is not None else None
    app.config["SECRET_KEY_FALLBACKS"] = [key_bytes(k) for k in fallbacks]
    return app


def key_labels(keys: dict) -> dict[str, bytes]:
    out = {"current": key_bytes(keys["secret_key"])}
    for i, k in enumerate(keys["fallbacks"]):
        out[f"fallback:{i}"] = key_bytes(k)
    return out


def observed_try_order(keys: dict, signer: dict) -> list[str]:
    """Instrument Signer.derive_key while Flask's serializer verifies a cookie
    with a wrong signature, and report the order the keys were tried in."""
    app = bare_app(keys["secret_key"], keys["fallbacks"])
    s = interface_for(signer).get_signing_serializer(app)
    seen: list[bytes] = []
    orig = Signer.derive_key

    def spy(self, secret_key=None):
        seen.append(secret_key)
        return orig(self, secret_key)

    Signer.derive_key = spy
    try:
        with app.app_context():
            s.loads("e30.ZVPxAA.AAAAAAAAAAAAAAAAAAAAAAAAAAA", max_age=LIFETIME)
    except BadSignature:
        pass
    finally:
        Signer.derive_key = orig
    # map bytes back to labels positionally (keys are distinct in the probe)
    labels = key_labels(keys)
    inv = {v: k for k, v in labels.items()}
    return [inv[b] for b in seen]


def flask_order(keys: dict) -> list[str]:
    # itsdangerous gets [*fallbacks, current] and tries reversed(): current,
    # then the fallbacks from the LAST to the first. Asserted by probe below.
    n = len(keys["fallbacks"])
    return ["current"] + [f"fallback:{i}" for i in range(n - 1, -1, -1)]


def which_key(cookie: str, keys: dict, signer: dict) -> str | None:
    """Try each key alone with real itsdangerous; first match in Flask's order."""
    labels = key_labels(keys)
    for label in flask_order(keys):
        ts = TimestampSigner(
            labels[label],
            salt=signer["salt"],
            key_derivation=signer["key_derivation"],
            digest_method=DIGESTS[signer["digest"]],
        )
        try:
            ts.unsign(cookie)  # no max_age: only the signature matters here
            return label
        except BadSignature:
            continue
    return None


def payload_json_text(cookie: str) -> str:
    """The exact JSON text inside a cookie Flask wrote."""
    payload = cookie.rsplit(".", 2)[0]
    if payload.startswith("."):
        return zlib.decompress(base64_decode(payload[1:])).decode("utf-8")
    return base64_decode(payload).decode("utf-8")


def cookie_timestamp(cookie: str) -> int:
    ts = cookie.rsplit(".", 2)[1]
    return int.from_bytes(base64_decode(ts), "big")


def flask_sign(value, keys: dict, signer: dict, now: int, sign_key: str = "current") -> tuple[str, dict]:
    """Sign ``value`` exactly as Flask's save_session would (serializer from
    Flask's own get_signing_serializer, signing key = the chosen key)."""
    labels = key_labels(keys)
    app = Flask("flask_vectors_sign")
    app.secret_key = labels[sign_key]
    app.config["SECRET_KEY_FALLBACKS"] = []
    s = interface_for(signer).get_signing_serializer(app)
    with app.app_context(), frozen(now):
        cookie = s.dumps(value)
        tagged = session_json_serializer.dumps(value)
    assert payload_json_text(cookie) == tagged, (cookie, tagged)
    assert cookie_timestamp(cookie) == now
    return cookie, {
        "tagged_json": tagged,
        "timestamp": now,
        "compressed": cookie.startswith("."),
        "key": sign_key,
    }


def sign_raw_payload(payload: bytes, key: str, signer: dict, timestamp_part: bytes | None, now: int) -> str:
    """Sign hand-built payload bytes with real itsdangerous.

    timestamp_part None -> TimestampSigner with the frozen clock;
    bytes           -> plain Signer over payload + b"." + timestamp_part;
    b"<none>"       -> plain Signer over the payload alone (no timestamp)."""
    kw = dict(
        salt=signer["salt"],
        key_derivation=signer["key_derivation"],
        digest_method=DIGESTS[signer["digest"]],
    )
    if timestamp_part is None:
        with frozen(now):
            return TimestampSigner(key_bytes(key), **kw).sign(payload).decode("ascii")
    if timestamp_part == b"<none>":
        return Signer(key_bytes(key), **kw).sign(payload).decode("ascii")
    return Signer(key_bytes(key), **kw).sign(payload + b"." + timestamp_part).decode("ascii")


def classify(e: BadSignature) -> str:
    if isinstance(e, SignatureExpired):
        return "expired"
    msg = str(e)
    if msg.startswith("No ") and "found in value" in msg:
        return "malformed"
    if msg in ("timestamp missing", "Malformed timestamp"):
        return "malformed"
    if "does not match" in msg:
        return "bad_signature"
    raise AssertionError(f"unclassified itsdangerous error: {exc_detail(e)}")


def flask_verify(cookie: str, keys: dict, signer: dict, now: int, max_age: int) -> dict:
    """What Flask does with this cookie: the serializer from Flask's own
    SecureCookieSessionInterface.get_signing_serializer, then session_class(data)
    as open_session does. Exceptions open_session does not catch (it only
    catches BadSignature) are recorded as error_500."""
    app = bare_app(keys["secret_key"], keys["fallbacks"])
    iface = interface_for(signer)
    s = iface.get_signing_serializer(app)
    with app.app_context(), frozen(now):
        try:
            data = s.loads(cookie, max_age=max_age)
        except BadSignature as e:
            return {"result": "invalid", "error": classify(e), "detail": exc_detail(e)}
        except Exception as e:  # BadPayload, ValueError, OverflowError, ...
            return {"result": "error_500", "detail": exc_detail(e)}
        try:
            sess = iface.session_class(data)
        except Exception as e:
            return {"result": "error_500", "detail": exc_detail(e)}
        tagged = session_json_serializer.dumps(dict(sess))
    key = which_key(cookie, keys, signer)
    assert key is not None
    return {"result": "valid", "tagged_json": tagged, "key": key}


def flask_open_session_check(cookie: str, keys: dict, signer: dict, now: int, max_age: int, flask_result: dict):
    """Cross-check with Flask's real open_session through a test request."""
    if not cookie or any(c in cookie for c in ' ;,"\\') or any(ord(c) > 126 or ord(c) < 33 for c in cookie):
        return
    app = bare_app(keys["secret_key"], keys["fallbacks"])
    app.config["PERMANENT_SESSION_LIFETIME"] = max_age
    app.session_interface = interface_for(signer)
    from werkzeug.test import EnvironBuilder

    environ = EnvironBuilder("/", headers={"Cookie": f"session={cookie}"}).get_environ()
    request = app.request_class(environ)
    with frozen(now), app.app_context():
        try:
            sess = app.session_interface.open_session(app, request)
        except Exception:
            assert flask_result["result"] == "error_500", (cookie, flask_result)
            return
        if flask_result["result"] == "valid":
            assert session_json_serializer.dumps(dict(sess)) == flask_result["tagged_json"]
        else:
            assert flask_result["result"] == "invalid" and dict(sess) == {}, (cookie, flask_result)


HOSTILE_EXPECTED = {"result": "invalid", "error": "bad_payload"}


def wire_case(
    cid: str,
    comment: str,
    *,
    value=None,
    has_value: bool = False,
    cookie: str | None = None,
    keys: dict | None = None,
    signer: dict | None = None,
    now: int = NOW0,
    max_age: int = LIFETIME,
    sign_ts: int | None = None,
    sign_key: str = "current",
    expected: dict | None = None,
    divergence: str | None = None,
) -> dict:
    keys = keys or {"secret_key": K1, "fallbacks": []}
    signer = signer or dict(FLASK_SIGNER)
    sign = None
    if has_value or value is not None:
        cookie, sign = flask_sign(value, keys, signer, sign_ts if sign_ts is not None else now, sign_key)
    assert cookie is not None
    fl = flask_verify(cookie, keys, signer, now, max_age)
    flask_open_session_check(cookie, keys, signer, now, max_age, fl)
    if expected is None:
        if fl["result"] == "error_500":
            expected = dict(HOSTILE_EXPECTED)
            divergence = divergence or "hostile-payload"
        else:
            assert divergence is None, cid
            expected = copy.deepcopy(fl)
    return {
        "id": cid,
        "comment": comment,
        "kind": "wire",
        "keys": keys,
        "signer": signer,
        "now": now,
        "max_age": max_age,
        "cookie": cookie,
        "sign": sign,
        "flask": fl,
        "expected": expected,
        "divergence": divergence,
    }


def det_chars(n: int, seed: str) -> str:
    """Fixed, random-looking URL-safe text (hash chain; no RNG)."""
    out = []
    block = seed.encode()
    while sum(map(len, out)) < n:
        block = hashlib.sha256(block).digest()
        out.append(base64.urlsafe_b64encode(block).decode().rstrip("="))
    return "".join(out)[:n]


# --------------------------------------------------------------------------
# flask_known_answers.json
# --------------------------------------------------------------------------


def threshold_values():
    """Find two sessions straddling Flask's compression rule
    (compress only if len(zlib) < len(json) - 1)."""
    prefix = det_chars(48, "threshold")
    used = unused = None
    with ctx_app().app_context():
        for k in range(0, 200):
            v = {"d": prefix + "ab" * k}
            j = session_json_serializer.dumps(v).encode()
            c = zlib.compress(j)
            if len(c) < len(j) - 1:
                if used is None:
                    used = (v, len(j), len(c))
            elif used is None:
                unused = (v, len(j), len(c))
            if used is not None:
                break
    assert used and unused
    return unused, used


def known_answer_cases() -> list[dict]:
    C: list[dict] = []
    add = C.append
    utc = timezone.utc

    # --- the 12 reference cases (flask-vectors.jsonl), re-derived ---
    add(wire_case("ka-plain-ascii", "plain ASCII dict (reference case)",
                  value={"user_id": 42, "name": "alice", "roles": ["admin", "user"], "active": True, "score": 1.5}))
    add(wire_case("ka-non-ascii-unicode", "non-ASCII, CJK, emoji, quote/backslash/newline escapes (reference case)",
                  value={"name": "Zoë 日本 😀", "q": 'a"b\\c\n'}))
    add(wire_case("ka-tuple-nested", "tuple tag ' t', nested (reference case)", value={"t": (1, "two", (3.0, None))}))
    add(wire_case("ka-bytes", "bytes tag ' b' (standard base64 with +/) (reference case)", value={"b": b"\x00\x01\xfe\xffhello"}))
    add(wire_case("ka-datetime-aware-utc", "datetime tag ' d', aware UTC, microseconds dropped (reference case)",
                  value={"dt": datetime(2024, 2, 29, 13, 45, 7, 999999, tzinfo=utc)}))
    add(wire_case("ka-uuid", "uuid tag ' u' (reference case)", value={"uid": uuid.UUID("9f1c2d3e-4b5a-4c6d-8e7f-a0b1c2d3e4f5")}))
    add(wire_case("ka-markup", "Markup tag ' m' (reference case)", value={"m": Markup("<b>bold</b> &amp;")}))
    add(wire_case("ka-nested-permanent", "nested dict + _permanent (reference case)",
                  value={"_permanent": True, "user": {"id": 7, "prefs": {"theme": "dark"}}}))
    add(wire_case("ka-compressed-large", "large repetitive session -> zlib compressed (reference case)",
                  value={"items": [{"id": i, "name": f"item-{i}", "tags": ["red", "green", "blue"]} for i in range(30)]}))
    add(wire_case("ka-empty-session", "empty session {} (reference case)", value={}, has_value=True))
    add(wire_case("ka-di-top-level-tuple-key", "whole session is {' t': [1, 2]} -> ' di' wrapper (reference case)",
                  value={" t": [1, 2]}))
    add(wire_case("ka-fallback-one", "signed with the only fallback key (reference case)",
                  keys={"secret_key": "new-secret", "fallbacks": ["old-secret"]}, sign_key="fallback:0", value={"user_id": 1}))

    # --- tags ---
    add(wire_case("ka-tag-tuple-empty-and-nested", "empty tuple and tuple inside list inside tuple",
                  value={"e": (), "x": [(1,), ((),)]}))
    add(wire_case("ka-tag-bytes-empty-and-padding", "bytes of length 0, 1, 2 (base64 padding '=' / '==')",
                  value={"b0": b"", "b1": b"\xfb", "b2": b"\xfb\xff"}))
    add(wire_case("ka-tag-markup-unicode", "Markup with non-ASCII and an escaped entity",
                  value={"m": Markup("<i>café</i> &lt;x&gt;")}))
    add(wire_case("ka-tag-uuid-nil-max", "nil and max UUID", value={"n": uuid.UUID(int=0), "m": uuid.UUID(int=2**128 - 1)}))
    add(wire_case("ka-tag-datetime-naive", "naive datetime (Werkzeug's http_date assumes UTC)",
                  value={"dt": datetime(2024, 2, 29, 13, 45, 7)}))
    add(wire_case("ka-tag-datetime-offset", "aware datetime with +05:30 offset -> converted to GMT",
                  value={"dt": datetime(2024, 3, 1, 0, 15, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))}))
    add(wire_case("ka-tag-datetime-pre-1970", "datetime before the epoch",
                  value={"dt": datetime(1969, 7, 20, 20, 17, 40, tzinfo=utc)}))
    add(wire_case("ka-tag-datetime-year-1", "datetime in year 1: written as '0001', but parse_date (email.utils) reads a year < 100 as 2000+year, so Flask loads 2001",
                  value={"dt": datetime(1, 1, 1, 0, 0, 0, tzinfo=utc)}))
    add(wire_case("ka-tag-di-nested", "nested dict whose one key is a tag name -> ' di'",
                  value={"outer": {" b": "not bytes"}, "u": {" u": 1}}))
    add(wire_case("ka-tag-di-top-level-t-int", "whole session is {' t': 1}", value={" t": 1}))
    add(wire_case("ka-tag-di-key-is-di", "dict whose one key is ' di' itself", value={" di": 5}))
    add(wire_case("ka-tag-di-nested-twice", "' di' wrapper nested inside a ' di' wrapper",
                  value={" m": {" d": "x"}}))
    add(wire_case("ka-tag-not-a-tag-two-keys", "dict with a tag-like key plus another key (no ' di')",
                  value={"d": {" t": 1, "z": 2}}))
    add(wire_case("ka-tag-unknown-tag-key", "one-key dict whose key starts with a space but is not a tag",
                  value={"d": {" x": 1}}))

    # --- strings ---
    ctrl = "".join(chr(i) for i in range(0x20)) + "\x7f"
    add(wire_case("ka-string-control-chars", "every control char 0x00-0x1f and 0x7f", value={"c": ctrl}))
    add(wire_case("ka-string-separators", "U+2028, U+2029, U+0085, U+FEFF, lone-safe chars / < > & '",
                  value={"s": "a\u2028b\u2029c\u0085d\ufeffe/<>&'"}))
    add(wire_case("ka-string-astral", "astral characters (surrogate pairs in JSON)",
                  value={"e": "😀🎉𝄞", "k": "\U0010ffff"}))
    add(wire_case("ka-key-sort-order", "key sort: digits, uppercase, underscore, lowercase, non-ASCII, BMP-vs-astral",
                  value={"b": 1, "B": 2, "a": 3, "_": 4, "10": 5, "9": 6, "é": 7, "Z": 8, "\uffe0": 9, "😀": 10, "\ufb01": 11, "": 12}))

    # --- numbers and literals ---
    add(wire_case("ka-floats", "float repr: 1.0, 1e16, 1.5e-05, -0.0, 0.1+0.2, 1e-7, 123456789.0, 1e22, 5e-324, max",
                  value={"f": [1.0, 1e16, 1.5e-05, -0.0, 0.1 + 0.2, 1e-7, 123456789.0, 1e22, 5e-324, 1.7976931348623157e308]}))
    add(wire_case("ka-floats-more", "float repr around the exponent switch: 1e15, 9999999999999998.0, 0.0001, 0.00001",
                  value={"f": [1e15, 9999999999999998.0, 0.0001, 0.00001, 2.5, -1e-300]}))
    add(wire_case("ka-big-integers", "integers beyond 64 bits", value={"i": [2**64, -(2**100), 10**30, 2**63 - 1, -(2**63), 0]}))
    add(wire_case("ka-literals", "true, false, null, empty list, nested empty dict",
                  value={"t": True, "f": False, "n": None, "l": [], "d": {"e": {}}}))
    deep = "bottom"
    for i in range(20):
        deep = {"d": deep} if i % 2 == 0 else [deep]
    add(wire_case("ka-deep-nesting", "nesting depth 20 (alternating dict/list)", value={"root": deep}))

    # --- compression ---
    add(wire_case("ka-compressed-repetitive", "large repetitive string -> compressed",
                  value={"blob": "abcdefgh" * 300, "n": 1}))
    (unused, ju, cu), (used, jc, cc) = threshold_values()
    add(wire_case("ka-compress-threshold-not-used",
                  f"json {ju} bytes, zlib {cu} bytes: not < json-1, so sent uncompressed", value=unused))
    add(wire_case("ka-compress-threshold-used",
                  f"json {jc} bytes, zlib {cc} bytes: < json-1, so sent compressed", value=used))

    # --- keys ---
    two = {"secret_key": "key-current", "fallbacks": ["key-oldest", "key-newer"]}
    add(wire_case("ka-fallback-two-current", "two fallbacks, signed with the current key", keys=two, value={"u": 1}))
    add(wire_case("ka-fallback-two-first", "two fallbacks, signed with fallbacks[0] (tried last)", keys=two,
                  sign_key="fallback:0", value={"u": 1}))
    add(wire_case("ka-fallback-two-second", "two fallbacks, signed with fallbacks[1] (tried right after current)", keys=two,
                  sign_key="fallback:1", value={"u": 1}))
    order = observed_try_order(two, FLASK_SIGNER)
    assert order == flask_order(two), order
    dup = {"secret_key": "key-current", "fallbacks": ["key-old", "key-old"]}
    add(wire_case("ka-fallback-duplicate-order",
                  "fallbacks hold the same key twice; the index reported is the one Flask tries first. Observed try order "
                  f"(instrumented Signer.derive_key) for fallbacks [a, b]: {order}",
                  keys=dup, sign_key="fallback:0", value={"u": 1}))
    add(wire_case("ka-fallback-equals-current", "a fallback equal to the current key: current wins",
                  keys={"secret_key": "same", "fallbacks": ["same"]}, value={"u": 1}))
    add(wire_case("ka-digest-sha256", "session_interface.digest_method = hashlib.sha256",
                  signer={"digest": "sha256", "key_derivation": "hmac", "salt": "cookie-session"}, value={"user": "alice"}))
    add(wire_case("ka-digest-sha512", "session_interface.digest_method = hashlib.sha512",
                  signer={"digest": "sha512", "key_derivation": "hmac", "salt": "cookie-session"}, value={"user": "alice"}))
    add(wire_case("ka-kdf-concat", "key_derivation concat: sha1(salt + key)",
                  signer={"digest": "sha1", "key_derivation": "concat", "salt": "cookie-session"}, value={"user": "alice"}))
    add(wire_case("ka-kdf-django-concat", "key_derivation django-concat: sha1(salt + 'signer' + key), salt 'itsdangerous'",
                  signer={"digest": "sha1", "key_derivation": "django-concat", "salt": "itsdangerous"}, value={"user": "alice"}))
    add(wire_case("ka-kdf-none", "key_derivation none: HMAC keyed with the secret key directly",
                  signer={"digest": "sha1", "key_derivation": "none", "salt": "cookie-session"}, value={"user": "alice"}))
    add(wire_case("ka-kdf-django-concat-sha256", "django-concat with sha256",
                  signer={"digest": "sha256", "key_derivation": "django-concat", "salt": "itsdangerous"}, value={"user": "alice"}))
    add(wire_case("ka-key-raw-bytes", "24 non-UTF-8 raw key bytes (hex: syntax)",
                  keys={"secret_key": RAW_KEY, "fallbacks": []}, value={"user": "alice"}))
    add(wire_case("ka-key-short", "one-byte key 'k'", keys={"secret_key": "k", "fallbacks": []}, value={"user": "alice"}))
    add(wire_case("ka-key-unicode", "Unicode text key (UTF-8 bytes)", keys={"secret_key": "clé-秘密-🔑", "fallbacks": []},
                  value={"user": "alice"}))
    add(wire_case("ka-key-long", "200-byte key (longer than the SHA-1 block: hashed by HMAC)",
                  keys={"secret_key": det_chars(200, "long-key"), "fallbacks": []}, value={"user": "alice"}))

    # --- expiry edges ---
    add(wire_case("ka-expiry-age-eq-max", "age == max_age is accepted", value={"u": 1}, sign_ts=NOW0 - LIFETIME))
    add(wire_case("ka-expiry-age-max-plus-1", "age == max_age + 1 is expired", value={"u": 1}, sign_ts=NOW0 - LIFETIME - 1))
    add(wire_case("ka-expiry-future-1", "timestamp == now + 1 (age -1) is refused as expired", value={"u": 1}, sign_ts=NOW0 + 1))
    add(wire_case("ka-expiry-max-age-0", "max_age 0 with age 0 is accepted", value={"u": 1}, max_age=0))
    add(wire_case("ka-expiry-max-age-0-age-1", "max_age 0 with age 1 is expired", value={"u": 1}, max_age=0, sign_ts=NOW0 - 1))
    add(wire_case("ka-timestamp-small", "timestamp 1 (one-byte timestamp field 'AQ') with max_age large enough",
                  value={"u": 1}, sign_ts=1, max_age=NOW0))
    add(wire_case("ka-timestamp-2038", "timestamp past 2**31 (2040-01-01), now equal", value={"u": 1},
                  sign_ts=2208988800, now=2208988800))
    return C


# --------------------------------------------------------------------------
# tamper.json
# --------------------------------------------------------------------------


def flip(s: str, i: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    c = s[i]
    n = alphabet[(alphabet.index(c) + 7) % 64] if c in alphabet else "A"
    return s[:i] + n + s[i + 1 :]


def tamper_cases() -> list[dict]:
    C: list[dict] = []
    add = C.append
    keys = {"secret_key": K1, "fallbacks": []}
    with ctx_app().app_context():
        base, _ = flask_sign({"user": "alice", "admin": False}, keys, FLASK_SIGNER, NOW0)
        other, _ = flask_sign({"user": "mallory", "admin": True}, keys, FLASK_SIGNER, NOW0)
    p, ts, sig = base.rsplit(".", 2)
    op, ots, osig = other.rsplit(".", 2)

    add(wire_case("tm-flip-payload", "one payload char changed", cookie=flip(base, 3)))
    add(wire_case("tm-flip-timestamp", "one timestamp char changed", cookie=f"{p}.{flip(ts, 2)}.{sig}"))
    add(wire_case("tm-flip-signature", "one signature char changed (a high bit)", cookie=f"{p}.{ts}.{flip(sig, 0)}"))
    add(wire_case("tm-wrong-key", "signed with another key", keys={"secret_key": "secret-key-2", "fallbacks": ["secret-key-3"]},
                  cookie=base))
    add(wire_case("tm-swap-signature", "signature taken from another valid cookie", cookie=f"{p}.{ts}.{osig}"))
    add(wire_case("tm-truncated-signature", "signature missing its last char", cookie=f"{p}.{ts}.{sig[:-1]}"))
    add(wire_case("tm-truncated-signature-half", "signature cut to 13 chars", cookie=f"{p}.{ts}.{sig[:13]}"))
    add(wire_case("tm-empty-signature", "empty signature", cookie=f"{p}.{ts}."))
    add(wire_case("tm-extended-signature", "signature with 4 extra valid chars", cookie=f"{p}.{ts}.{sig}AAAA"))
    add(wire_case("tm-empty-string", "empty cookie value", cookie=""))
    add(wire_case("tm-one-dot", "'.'", cookie="."))
    add(wire_case("tm-two-dots", "'..'", cookie=".."))
    add(wire_case("tm-three-dots", "'...'", cookie="..."))
    add(wire_case("tm-no-dots", "no separator at all", cookie="eyJ1c2VyIjoiYWxpY2UifQZVPxAA"))
    add(wire_case("tm-only-payload", "payload only", cookie=p))
    add(wire_case("tm-payload-and-signature-no-ts", "payload.sig with the timestamp removed", cookie=f"{p}.{sig}"))

    # strict-signature-base64 divergences: Flask's lenient base64 accepts these
    a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = a[a.index(sig[-1]) ^ 1]
    strict = {"result": "invalid", "error": "bad_signature"}
    for cid, comment, ck in [
        ("tm-sig-unused-bits", "last signature char differs only in the 2 unused low bits", f"{p}.{ts}.{sig[:-1]}{last}"),
        ("tm-sig-unused-bits-both", "last signature char with both unused low bits set",
         f"{p}.{ts}.{sig[:-1]}{a[a.index(sig[-1]) | 3]}"),
        ("tm-sig-bang-inserted", "'!' inserted in the middle of the signature", f"{p}.{ts}.{sig[:10]}!{sig[10:]}"),
        ("tm-sig-four-bangs", "'!!!!' inserted in the signature (discarded; padding then works out)",
         f"{p}.{ts}.{sig[:10]}!!!!{sig[10:]}"),
        ("tm-sig-eq-appended", "'=' appended to the signature", f"{p}.{ts}.{sig}="),
        ("tm-sig-eq-inserted", "'=' inserted in the middle of the signature", f"{p}.{ts}.{sig[:10]}={sig[10:]}"),
    ]:
        c0 = wire_case(cid, comment, cookie=ck)
        if c0["flask"]["result"] == "valid":
            c0["expected"] = dict(strict)
            c0["divergence"] = "strict-signature-base64"
            c0["comment"] += "; Flask accepts it (lenient base64), we refuse non-canonical signatures"
        add(c0)

    # timestamp field edge cases (signatures valid)
    K = K1
    S = FLASK_SIGNER
    good_payload = p.encode()
    add(wire_case("tm-ts-nine-bytes", "valid signature, 9-byte timestamp (absurd year)",
                  cookie=sign_raw_payload(good_payload, K, S, base64_encode(b"\x01" + (NOW0).to_bytes(8, "big")), NOW0)))
    add(wire_case("tm-ts-eight-bytes-overflow", "valid signature, 8-byte timestamp 2**63-1: age < 0 and datetime overflows",
                  cookie=sign_raw_payload(good_payload, K, S, base64_encode((2**63 - 1).to_bytes(8, "big")), NOW0)))
    add(wire_case("tm-ts-empty", "valid signature, empty timestamp field (decodes to 0 -> expired)",
                  cookie=sign_raw_payload(good_payload, K, S, b"", NOW0)))
    add(wire_case("tm-ts-bad-base64", "valid signature, timestamp 'A' (invalid base64 length)",
                  cookie=sign_raw_payload(good_payload, K, S, b"A", NOW0)))
    add(wire_case("tm-ts-missing", "valid signature (plain Signer) but no timestamp at all",
                  cookie=sign_raw_payload(good_payload, K, S, b"<none>", NOW0)))
    add(wire_case("tm-ts-leading-zero", "valid signature, timestamp with a leading zero byte (non-canonical 'AGVT8QA')",
                  cookie=sign_raw_payload(good_payload, K, S, base64_encode(b"\x00" + NOW0.to_bytes(4, "big")), NOW0)))

    # hostile payloads under a valid signature
    def b64(b: bytes) -> bytes:
        return base64_encode(b)

    def hp(cid, comment, payload: bytes, refuse: bool = False):
        c = wire_case(cid, comment, cookie=sign_raw_payload(payload, K, S, None, NOW0))
        if refuse and c["flask"]["result"] == "valid":
            # Flask builds a session from a payload that is not a plain JSON object
            # (dict(None), dict(["ab"]), NaN): we refuse it as bad_payload.
            c["expected"] = dict(HOSTILE_EXPECTED)
            c["divergence"] = "hostile-payload"
            c["comment"] += "; Flask accepts it, we refuse it"
        add(c)

    hp("tm-payload-bad-base64", "valid signature over a payload that is not base64 ('e30ab': length 1 mod 4)", b"e30ab")
    hp("tm-payload-bad-base64-chars", "valid signature over 'e30*': '*' is discarded but padding was computed with it", b"e30*")
    hp("tm-payload-not-json", "valid signature over base64('not json')", b64(b"not json"))
    hp("tm-payload-json-list", "valid signature over the JSON list [1,2]", b64(b"[1,2]"))
    hp("tm-payload-json-list-of-pairs", "valid signature over [\"ab\"]: dict(['ab']) == {'a': 'b'} in Flask", b64(b'["ab"]'), refuse=True)
    hp("tm-payload-json-string", "valid signature over a JSON string", b64(b'"hello"'))
    hp("tm-payload-json-number", "valid signature over a JSON number", b64(b"42"))
    hp("tm-payload-json-null", "valid signature over JSON null (dict(None) == {} in Flask)", b64(b"null"))
    hp("tm-payload-invalid-utf8", "valid signature over invalid UTF-8 inside a JSON string", b64(b'{"a":"\xff\xfe"}'))
    hp("tm-payload-duplicate-keys", "valid signature over an object with a duplicate key (last wins in Python)",
       b64(b'{"a":1,"a":2}'))
    hp("tm-payload-nan", "valid signature over NaN (Python's json accepts it)", b64(b'{"a":NaN}'))
    hp("tm-payload-whitespace", "valid signature over JSON with insignificant whitespace", b64(b' { "a" : [ 1 , 2 ] } '))
    hp("tm-zlib-invalid", "valid signature, '.' prefix but the bytes are not zlib", b"." + b64(b"definitely not zlib"))
    hp("tm-zlib-raw-deflate", "valid signature, '.' prefix with a raw deflate stream (no zlib header)",
       b"." + b64(zlib.compress(b'{"a":1}')[2:-4]))
    hp("tm-zlib-trailing-garbage", "valid signature, zlib stream followed by garbage",
       b"." + b64(zlib.compress(b'{"a":1}') + b"garbage"))
    bomb_json = b'{"a":"' + b" " * (10 * 1024 * 1024) + b'"}'
    bomb_cookie = sign_raw_payload(b"." + b64(zlib.compress(bomb_json, 9)), K, S, None, NOW0)
    bomb = wire_case("tm-zlib-bomb", "valid signature over zlib that inflates to 10 MiB of spaces in a JSON string; "
                     "Flask has no limit (its tagged_json is replaced by its length and sha256 here); we bound inflation at 1 MiB",
                     cookie=bomb_cookie)
    if bomb["flask"]["result"] == "valid":
        tj = bomb["flask"]["tagged_json"].encode()
        bomb["flask"]["tagged_json"] = None
        bomb["flask"]["tagged_json_length"] = len(tj)
        bomb["flask"]["tagged_json_sha256"] = hashlib.sha256(tj).hexdigest()
        bomb["expected"] = dict(HOSTILE_EXPECTED)
        bomb["divergence"] = "hostile-payload"
    add(bomb)

    # hostile tag contents
    hp("tm-tag-b-bad-base64", "' b' with invalid base64 (bad length)", b64(b'{"x":{" b":"abc"}}'))
    hp("tm-tag-b-lenient-base64", "' b' with a non-alphabet char that Python's b64decode discards", b64(b'{"x":{" b":"YW!Jj"}}'))
    hp("tm-tag-b-urlsafe-alphabet", "' b' using '-_' (URL-safe alphabet): discarded by the standard decoder",
       b64(b'{"x":{" b":"-_-_"}}'))
    hp("tm-tag-u-bad-hex", "' u' with non-hex text", b64(b'{"x":{" u":"zzzz"}}'))
    hp("tm-tag-u-dashed", "' u' with the dashed canonical form (UUID() accepts it)", b64(b'{"x":{" u":"9f1c2d3e-4b5a-4c6d-8e7f-a0b1c2d3e4f5"}}'))
    hp("tm-tag-u-not-string", "' u' holding a number", b64(b'{"x":{" u":5}}'))
    hp("tm-tag-d-garbage", "' d' with an unparseable date", b64(b'{"x":{" d":"not a date"}}'))
    hp("tm-tag-d-offset", "' d' with a +0100 offset instead of GMT", b64(b'{"x":{" d":"Thu, 29 Feb 2024 14:45:07 +0100"}}'))
    hp("tm-tag-d-not-string", "' d' holding a number", b64(b'{"x":{" d":1700000000}}'))
    hp("tm-tag-t-string", "' t' holding a string (tuple('ab'))", b64(b'{"x":{" t":"ab"}}'))
    hp("tm-tag-t-number", "' t' holding a number", b64(b'{"x":{" t":5}}'))
    hp("tm-tag-t-object", "' t' holding an object (tuple(dict) = its keys)", b64(b'{"x":{" t":{"k":1,"j":2}}}'))
    hp("tm-tag-t-object-tagged-child", "' t' holding a ' di' object: the child is untagged first, so the tuple "
       "holds the unwrapped key", b64(b'{"y":{" t":{" di":{"a__":1,"b__":2}}}}'))
    hp("tm-tag-m-number", "' m' holding a number", b64(b'{"x":{" m":5}}'))
    hp("tm-tag-di-no-suffix", "' di' whose inner key lacks the '__' suffix (last 2 chars cut anyway)", b64(b'{"x":{" di":{"abc":1}}}'))
    hp("tm-tag-di-two-keys", "' di' holding two keys (only the first survives)", b64(b'{"x":{" di":{"a__":1,"b__":2}}}'))
    hp("tm-tag-di-not-object", "' di' holding a list", b64(b'{"x":{" di":[1]}}'))
    hp("tm-tag-top-level-bytes", "whole payload is a tagged bytes value", b64(b'{" b":"YWJj"}'))
    return C


# --------------------------------------------------------------------------
# flask_scenarios.json
# --------------------------------------------------------------------------

DEFAULT_CONFIG = {
    "SECRET_KEY": K1,
    "SECRET_KEY_FALLBACKS": [],
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_SAMESITE": None,
    "SESSION_COOKIE_PARTITIONED": False,
    "SESSION_REFRESH_EACH_REQUEST": True,
    "PERMANENT_SESSION_LIFETIME": LIFETIME,
    "MAX_COOKIE_SIZE": 4093,
}


def make_scn_app(cfg: dict) -> Flask:
    app = Flask("flask_vectors_scenario")
    app.logger.disabled = True
    logging.getLogger("werkzeug").disabled = True
    for k, v in cfg.items():
        if k == "SECRET_KEY":
            app.secret_key = key_bytes(v) if v is not None else None
        elif k == "SECRET_KEY_FALLBACKS":
            app.config[k] = [key_bytes(x) for x in v]
        elif k == "PERMANENT_SESSION_LIFETIME":
            app.config[k] = timedelta(seconds=v)
        else:
            app.config[k] = v
    return app


def parse_set_cookie(raw: str) -> tuple[str, str, dict]:
    parts = raw.split("; ")
    name, value = parts[0].split("=", 1)
    attrs: dict = {}
    for part in parts[1:]:
        if "=" in part:
            k, v = part.split("=", 1)
            attrs[k] = v
        else:
            attrs[part] = True
    return name, value, attrs


def run_flask_request(cfg: dict, now: int, request_cookies: list[str], actions: list[dict], extra_modify: bool = False):
    app = make_scn_app(cfg)
    observed: list = []

    @app.route("/")
    def view():
        for a in actions:
            op = a["op"]
            if op == "get":
                observed.append(session_json_serializer.tag(session.get(a["key"])))
            elif op == "contains":
                observed.append(a["key"] in session)
            elif op == "set":
                session[a["key"]] = session_json_serializer.loads(json.dumps(a["value"]))
                observed.append(None)
            elif op == "pop":
                session.pop(a["key"], None)
                observed.append(None)
            elif op == "clear":
                session.clear()
                observed.append(None)
            elif op == "set_permanent":
                session.permanent = a["value"]
                observed.append(None)
            elif op == "keys":
                observed.append(sorted(session.keys()))
            else:
                raise ValueError(op)
        if extra_modify:
            session.modified = True
        return "ok"

    client = app.test_client(use_cookies=False)
    headers = [("Cookie", c) for c in request_cookies]
    with frozen(now), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        resp = client.get("/", headers=headers)
    vary = [v.strip() for v in resp.headers.get("Vary", "").split(",") if v.strip()]
    out_cookies = []
    for raw in resp.headers.getlist("Set-Cookie"):
        name, value, attrs = parse_set_cookie(raw)
        entry = {"raw": raw, "name": name, "value": value, "attributes": attrs,
                 "tagged_json": None, "timestamp": None, "key": None}
        if value:
            entry["tagged_json"] = payload_json_text(value)
            entry["timestamp"] = cookie_timestamp(value)
            entry["key"] = which_key(value, {"secret_key": cfg["SECRET_KEY"], "fallbacks": cfg["SECRET_KEY_FALLBACKS"]},
                                     FLASK_SIGNER)
        out_cookies.append(entry)
    result = {"status": resp.status_code, "vary": vary, "set_cookie": out_cookies}
    msgs = [str(x.message) for x in w]
    return result, observed, msgs


def scenario(cid: str, comment: str, *, config: dict | None = None, now: int = NOW0,
             request_cookies: list[str] | None = None, actions: list[dict] | None = None,
             divergence: str | None = None) -> dict:
    cfg = dict(DEFAULT_CONFIG)
    cfg.update(config or {})
    request_cookies = request_cookies or []
    actions = [dict(a) for a in (actions or [])]
    fl, observed, msgs = run_flask_request(cfg, now, request_cookies, actions)
    for a, o in zip(actions, observed):
        if a["op"] in ("get", "contains", "keys"):
            a["expect"] = o
    if msgs:
        fl["warning"] = msgs[0] if len(msgs) == 1 else msgs
    expected = copy.deepcopy(fl)
    expected.pop("warning", None)
    if divergence == "oversize-refused":
        assert fl["set_cookie"] and msgs, "oversize scenario did not trigger Werkzeug's warning"
        expected = {"status": 500, "vary": ["Cookie"], "set_cookie": [], "error": "too_large"}
    elif divergence == "resign-fallback":
        assert fl["set_cookie"] == [], fl
        fl2, _, _ = run_flask_request(cfg, now, request_cookies, actions, extra_modify=True)
        assert len(fl2["set_cookie"]) == 1 and fl2["set_cookie"][0]["key"] == "current"
        # double-check the value with itsdangerous directly (current key, same now)
        data = session_json_serializer.loads(fl2["set_cookie"][0]["tagged_json"])
        with ctx_app().app_context():
            direct, _ = flask_sign(data, {"secret_key": cfg["SECRET_KEY"], "fallbacks": []}, FLASK_SIGNER, now)
        assert direct == fl2["set_cookie"][0]["value"], (direct, fl2)
        expected = fl2
    elif divergence == "hostile-payload":
        assert fl["status"] == 500, fl
        expected = {"status": 200, "vary": ["Cookie"], "set_cookie": []}
    elif divergence == "oversize-refresh-skipped":
        assert fl["set_cookie"] and msgs, "the refresh did not trigger Werkzeug's warning"
        # Nothing is sent; Vary only when the view touched the session.
        expected = {"status": 200, "vary": ["Cookie"] if actions else [], "set_cookie": []}
    else:
        assert divergence is None
    return {
        "id": cid,
        "comment": comment,
        "kind": "scenario",
        "config": cfg,
        "now": now,
        "request_cookies": request_cookies,
        "actions": actions,
        "flask": fl,
        "expected": expected,
        "divergence": divergence,
    }


def scenario_cases() -> list[dict]:
    C: list[dict] = []
    add = C.append
    keys = {"secret_key": K1, "fallbacks": []}

    def ck(value, ts=NOW0, k=keys, sign_key="current"):
        with ctx_app().app_context():
            return flask_sign(value, k, FLASK_SIGNER, ts, sign_key)[0]

    alice = ck({"user": "alice"}, NOW0 - 100)
    alice_perm = ck({"_permanent": True, "user": "alice"}, NOW0 - 100)
    get_user = [{"op": "get", "key": "user"}]

    add(scenario("scn-no-cookie-untouched", "no cookie, view never touches the session -> no headers"))
    add(scenario("scn-no-cookie-read", "no cookie, view reads -> Vary only", actions=get_user))
    add(scenario("scn-no-cookie-contains-keys", "no cookie, 'in' and keys()",
                 actions=[{"op": "contains", "key": "user"}, {"op": "keys"}]))
    add(scenario("scn-read-nonpermanent", "valid non-permanent cookie, read only -> Vary, no Set-Cookie",
                 request_cookies=[f"session={alice}"], actions=get_user + [{"op": "contains", "key": "user"}, {"op": "keys"}]))
    add(scenario("scn-modify", "valid cookie, value changed -> Set-Cookie, no Expires",
                 request_cookies=[f"session={alice}"], actions=get_user + [{"op": "set", "key": "user", "value": "bob"}]))
    add(scenario("scn-new-session-write", "no cookie, write -> Set-Cookie",
                 actions=[{"op": "set", "key": "user", "value": "alice"}]))
    add(scenario("scn-set-same-value", "setting a key to the value it already has still marks modified",
                 request_cookies=[f"session={alice}"], actions=[{"op": "set", "key": "user", "value": "alice"}]))
    add(scenario("scn-permanent-refresh-read", "permanent cookie, refresh on, read only -> re-set with new timestamp + Expires",
                 request_cookies=[f"session={alice_perm}"], actions=get_user))
    add(scenario("scn-nonpermanent-untouched", "valid non-permanent cookie, session never accessed -> no headers",
                 request_cookies=[f"session={alice}"]))
    add(scenario("scn-permanent-refresh-untouched", "permanent cookie, refresh on, view never touches the session: save_session's permanent check still refreshes it",
                 request_cookies=[f"session={alice_perm}"]))
    add(scenario("scn-permanent-no-refresh-read", "permanent cookie, refresh off, read only -> nothing but Vary",
                 config={"SESSION_REFRESH_EACH_REQUEST": False}, request_cookies=[f"session={alice_perm}"], actions=get_user))
    add(scenario("scn-permanent-no-refresh-modify", "permanent cookie, refresh off, modified -> Set-Cookie with Expires",
                 config={"SESSION_REFRESH_EACH_REQUEST": False}, request_cookies=[f"session={alice_perm}"],
                 actions=[{"op": "set", "key": "n", "value": 1}]))
    add(scenario("scn-set-permanent-then-write", "no cookie, permanent=True then write",
                 actions=[{"op": "set_permanent", "value": True}, {"op": "set", "key": "user", "value": "alice"}]))
    add(scenario("scn-set-permanent-only", "valid cookie, only permanent=True",
                 request_cookies=[f"session={alice}"], actions=[{"op": "set_permanent", "value": True}]))
    add(scenario("scn-set-permanent-false", "permanent cookie, permanent=False -> _permanent popped, no Expires",
                 request_cookies=[f"session={alice_perm}"], actions=[{"op": "set_permanent", "value": False}]))
    add(scenario("scn-clear-no-cookie", "no cookie, clear() on the empty session",
                 actions=[{"op": "clear"}]))
    add(scenario("scn-clear-with-cookie", "valid cookie, clear() -> deletion cookie",
                 request_cookies=[f"session={alice}"], actions=[{"op": "clear"}]))
    add(scenario("scn-pop-last-key", "pop the only key -> deletion cookie",
                 request_cookies=[f"session={alice}"], actions=[{"op": "pop", "key": "user"}, {"op": "keys"}]))
    add(scenario("scn-pop-missing-key", "pop a key that is not there -> no write",
                 request_cookies=[f"session={alice}"], actions=[{"op": "pop", "key": "nope"}]))
    add(scenario("scn-pop-missing-no-cookie", "no cookie, pop a missing key",
                 actions=[{"op": "pop", "key": "nope"}]))
    add(scenario("scn-bad-signature-read", "tampered cookie -> empty session, Vary only",
                 request_cookies=[f"session={flip(alice, len(alice) - 5)}"], actions=get_user + [{"op": "keys"}]))
    add(scenario("scn-expired-read", "expired cookie (age max+1) -> empty session",
                 request_cookies=[f"session={ck({'user': 'alice'}, NOW0 - LIFETIME - 1)}"], actions=get_user))
    add(scenario("scn-future-read", "cookie from the future (ts = now+1) -> empty session",
                 request_cookies=[f"session={ck({'user': 'alice'}, NOW0 + 1)}"], actions=get_user))
    add(scenario("scn-malformed-read", "malformed cookie -> empty session",
                 request_cookies=["session=garbage"], actions=get_user))
    add(scenario("scn-bad-cookie-then-write", "bad-signature cookie, view writes -> fresh session written",
                 request_cookies=[f"session={flip(alice, 2)}"], actions=[{"op": "set", "key": "user", "value": "carol"}]))
    add(scenario("scn-two-session-cookies", "two session= cookies in one header: the first wins",
                 request_cookies=[f"session={alice}; session={ck({'user': 'bob'})}"], actions=get_user))
    add(scenario("scn-two-session-cookies-first-bad", "two session= cookies, the first one invalid: still the first wins",
                 request_cookies=[f"session=garbage; session={alice}"], actions=get_user))
    add(scenario("scn-among-other-cookies", "session cookie between other cookies",
                 request_cookies=[f"theme=dark; session={alice}; lang=en"], actions=get_user))
    add(scenario("scn-hostile-payload-read", "validly signed cookie whose payload is a JSON list: Flask answers 500",
                 request_cookies=[f"session={sign_raw_payload(base64_encode(b'[1,2]'), K1, FLASK_SIGNER, None, NOW0)}"],
                 actions=get_user, divergence="hostile-payload"))
    w = [{"op": "set", "key": "user", "value": "alice"}]
    add(scenario("scn-attr-domain-dotted", "SESSION_COOKIE_DOMAIN '.Example.com'", config={"SESSION_COOKIE_DOMAIN": ".Example.com"},
                 actions=w))
    add(scenario("scn-attr-domain-plain", "SESSION_COOKIE_DOMAIN 'example.com'", config={"SESSION_COOKIE_DOMAIN": "example.com"},
                 actions=w))
    add(scenario("scn-attr-path", "SESSION_COOKIE_PATH '/app'", config={"SESSION_COOKIE_PATH": "/app"}, actions=w))
    add(scenario("scn-attr-secure", "SESSION_COOKIE_SECURE", config={"SESSION_COOKIE_SECURE": True}, actions=w))
    add(scenario("scn-attr-httponly-false", "SESSION_COOKIE_HTTPONLY False", config={"SESSION_COOKIE_HTTPONLY": False}, actions=w))
    add(scenario("scn-attr-samesite-lax", "SameSite Lax", config={"SESSION_COOKIE_SAMESITE": "Lax"}, actions=w))
    add(scenario("scn-attr-samesite-strict", "SameSite Strict", config={"SESSION_COOKIE_SAMESITE": "Strict"}, actions=w))
    add(scenario("scn-attr-samesite-none-secure", "SameSite None with Secure",
                 config={"SESSION_COOKIE_SAMESITE": "None", "SESSION_COOKIE_SECURE": True}, actions=w))
    add(scenario("scn-attr-partitioned", "Partitioned (forces Secure)", config={"SESSION_COOKIE_PARTITIONED": True}, actions=w))
    all_attrs = {"SESSION_COOKIE_DOMAIN": "example.com", "SESSION_COOKIE_PATH": "/app", "SESSION_COOKIE_SECURE": True,
                 "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_PARTITIONED": True}
    add(scenario("scn-attr-all-permanent", "every attribute at once, permanent session (Expires + all flags)",
                 config=all_attrs, actions=[{"op": "set_permanent", "value": True}] + w))
    add(scenario("scn-delete-all-attrs", "deletion cookie carries Domain/Path/Secure/HttpOnly/SameSite/Partitioned",
                 config=all_attrs, request_cookies=[f"session={alice}"], actions=[{"op": "clear"}]))
    add(scenario("scn-custom-name", "SESSION_COOKIE_NAME 'my_sess'; a 'session' cookie is ignored",
                 config={"SESSION_COOKIE_NAME": "my_sess"},
                 request_cookies=[f"session={ck({'user': 'bob'})}; my_sess={alice}"],
                 actions=get_user + [{"op": "set", "key": "n", "value": 1}]))
    add(scenario("scn-custom-lifetime", "PERMANENT_SESSION_LIFETIME 3600, permanent cookie age 3600 accepted and refreshed",
                 config={"PERMANENT_SESSION_LIFETIME": 3600},
                 request_cookies=[f"session={ck({'_permanent': True, 'user': 'alice'}, NOW0 - 3600)}"], actions=get_user))
    add(scenario("scn-custom-lifetime-expired", "PERMANENT_SESSION_LIFETIME 3600, cookie age 3601 refused (even non-permanent)",
                 config={"PERMANENT_SESSION_LIFETIME": 3600},
                 request_cookies=[f"session={ck({'user': 'alice'}, NOW0 - 3601)}"], actions=get_user))
    add(scenario("scn-types-through-set", "tuple, bytes, uuid, datetime, markup, nested dict, unicode values via set + get",
                 actions=[
                     {"op": "set", "key": "tup", "value": {" t": [1, "two", {" t": []}]}},
                     {"op": "set", "key": "raw", "value": {" b": "AAH+/w=="}},
                     {"op": "set", "key": "id", "value": {" u": "9f1c2d3e4b5a4c6d8e7fa0b1c2d3e4f5"}},
                     {"op": "set", "key": "when", "value": {" d": "Thu, 29 Feb 2024 13:45:07 GMT"}},
                     {"op": "set", "key": "html", "value": {" m": "<b>hi</b>"}},
                     {"op": "set", "key": "nested", "value": {"a": {"b": [1, {"c": None}]}, "z": {" di": {" t__": 1}}}},
                     {"op": "set", "key": "text", "value": "Zoë 日本 😀 \u2028"},
                     {"op": "get", "key": "tup"}, {"op": "get", "key": "when"}, {"op": "get", "key": "nested"},
                     {"op": "keys"},
                 ]))
    add(scenario("scn-types-read-back", "tagged values read back from a cookie",
                 request_cookies=[f"session={ck({'t': (1, 2), 'b': b'xy', 'd': datetime(2024, 2, 29, 13, 45, 7, tzinfo=timezone.utc)})}"],
                 actions=[{"op": "get", "key": "t"}, {"op": "get", "key": "b"}, {"op": "get", "key": "d"},
                          {"op": "get", "key": "missing"}]))
    add(scenario("scn-compressed-write", "large repetitive session written compressed",
                 actions=[{"op": "set", "key": "blob", "value": "abcdefgh" * 200}]))
    add(scenario("scn-oversize", "a 5000-char incompressible value: Werkzeug only warns and sends it",
                 actions=[{"op": "set", "key": "big", "value": det_chars(5000, "oversize")}], divergence="oversize-refused"))
    big_perm = ck({"_permanent": True, "user": "alice", "big": det_chars(4000, "oversize-refresh")}, NOW0 - 100)
    add(scenario("scn-oversize-refresh-read", "a permanent session Flask wrote above MAX_COOKIE_SIZE (it only warns), "
                 "read only: Flask re-sends it with a warning; we send nothing and keep the response (only a change "
                 "the view made may fail it)", request_cookies=[f"session={big_perm}"], actions=get_user,
                 divergence="oversize-refresh-skipped"))
    add(scenario("scn-oversize-refresh-untouched", "the same cookie on a view that never touches the session: "
                 "Flask re-sends it; we send nothing", request_cookies=[f"session={big_perm}"],
                 divergence="oversize-refresh-skipped"))
    add(scenario("scn-bare-session-token", "'Cookie: session; session=<valid>': Werkzeug reads the bare token as an "
                 "empty value and the first one wins, so Flask starts a new session",
                 request_cookies=[f"session; session={alice}"], actions=get_user + [{"op": "keys"}]))
    add(scenario("scn-bare-other-token", "a bare token with another name is skipped",
                 request_cookies=[f"theme; session={alice}"], actions=get_user))
    fbk = {"SECRET_KEY": "key-current", "SECRET_KEY_FALLBACKS": ["key-old"]}
    fb_cookie = ck({"user": "alice"}, NOW0 - 100, {"secret_key": "key-current", "fallbacks": ["key-old"]}, "fallback:0")
    add(scenario("scn-fallback-read", "cookie signed with a fallback key, read only, not permanent: Flask writes nothing; "
                 "we re-sign with the current key", config=fbk, request_cookies=[f"session={fb_cookie}"], actions=get_user,
                 divergence="resign-fallback"))
    add(scenario("scn-fallback-untouched", "cookie signed with a fallback key, view never touches the session: Flask "
                 "writes nothing; we re-sign with the current key anyway, so rotation also completes on routes that "
                 "don't use the session", config=fbk, request_cookies=[f"session={fb_cookie}"], actions=[],
                 divergence="resign-fallback"))
    add(scenario("scn-fallback-modify", "cookie signed with a fallback key, modified: written with the current key",
                 config=fbk, request_cookies=[f"session={fb_cookie}"], actions=get_user + [{"op": "set", "key": "n", "value": 2}]))
    fb_perm = ck({"_permanent": True, "user": "alice"}, NOW0 - 100, {"secret_key": "key-current", "fallbacks": ["key-old"]},
                 "fallback:0")
    add(scenario("scn-fallback-permanent-read", "permanent cookie signed with a fallback key, read, refresh on: re-signed with current",
                 config=fbk, request_cookies=[f"session={fb_perm}"], actions=get_user))
    add(scenario("scn-raw-bytes-key", "raw-bytes SECRET_KEY (hex:)", config={"SECRET_KEY": RAW_KEY},
                 actions=[{"op": "set", "key": "user", "value": "alice"}]))
    return C


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def wrap(name: str, comment: str, cases: list[dict]) -> dict:
    return {"file": name, "format": "flask", "source": SOURCE, "comment": comment, "cases": cases}


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def build() -> dict[str, str]:
    for dist, ver in PINNED.items():
        got = metadata.version(dist)
        if got != ver:
            sys.exit(f"{dist} {got} installed, {ver} required (pip install -r scripts/requirements.txt)")
    with ctx_app().app_context():
        ka = known_answer_cases()
        tm = tamper_cases()
    scn = scenario_cases()
    docs = {
        "flask_known_answers.json": wrap(
            "flask_known_answers.json",
            "Cookies Flask signs (every tag, strings, numbers, compression, keys, digests, key derivations, expiry edges) "
            "and what Flask's loads makes of them. Keys: plain string = UTF-8 bytes, 'hex:' = raw bytes.",
            ka),
        "tamper.json": wrap(
            "tamper.json",
            "Tampered, malformed and hostile cookies (hostile payloads are validly signed with real itsdangerous). "
            "flask = real outcome; expected = ours; divergences: hostile-payload, strict-signature-base64.",
            tm),
        "flask_scenarios.json": wrap(
            "flask_scenarios.json",
            "Request/response scenarios through a real Flask app (test client, frozen time): session reads/writes, "
            "Vary, Set-Cookie headers and attributes. divergences: oversize-refused, oversize-refresh-skipped, "
            "resign-fallback, hostile-payload.",
            scn),
    }
    ids = [c["id"] for d in docs.values() for c in d["cases"]]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, dupes
    return {name: render(doc) for name, doc in docs.items()}


def main() -> int:
    from vector_common import write_or_check  # scripts/ is on sys.path when this file runs as a script

    return write_or_check(__doc__, build)

if __name__ == "__main__":
    sys.exit(main())
