#!/usr/bin/env python3
"""Known-answer vectors for Django's signed_cookies session backend.

Every answer comes from running the real Django 5.2 code pinned in scripts/requirements.txt: cookies are
written by SessionMiddleware + SessionStore (django.contrib.sessions.backends.signed_cookies) through Django's
test Client, verdicts come from the backend's own call (django.core.signing.loads with its salt, the JSON
serializer and max_age=SESSION_COOKIE_AGE), cross-checked by a request through the middleware. Only the inputs
(session values, hand-tampered cookies) are written here.

    python scripts/django_vectors.py --out testdata/vectors
    python scripts/django_vectors.py --check testdata/vectors

Time is frozen by replacing the `time` module seen by django.core.signing and the session middleware.
"""

from __future__ import annotations

import base64
import logging
import copy
import datetime
import json
import sys
import types
import zlib
from importlib import metadata

import django
from django.conf import settings

settings.configure(
    SECRET_KEY="secret-key-1",
    SECRET_KEY_FALLBACKS=[],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    INSTALLED_APPS=[],
    ALLOWED_HOSTS=["testserver"],
    USE_TZ=True,
    DEBUG=False,
    LOGGING_CONFIG=None,
)
django.setup()
logging.disable(logging.CRITICAL)  # the 500 of a hostile payload is expected; Django would print its traceback

import django.contrib.sessions.backends.base as dj_base  # noqa: E402
import django.contrib.sessions.middleware as dj_middleware  # noqa: E402
import django.core.signing as dj_signing  # noqa: E402
from django.contrib.sessions.backends.signed_cookies import SessionStore  # noqa: E402
from django.core.signing import BadSignature, SignatureExpired  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

sys.path.insert(0, __import__("os").path.dirname(__file__))
from vector_common import K1, NOW0, canonical_attrs, det_chars, flip, main, sorted_json, wrap  # noqa: E402

PINNED = {"Django": "5.2.19", "asgiref": "3.13.0", "sqlparse": "0.6.1"}
SOURCE = "scripts/django_vectors.py with Django 5.2.19"
SALT = "django.contrib.sessions.backends.signed_cookies"
AGE = 1209600

_NOW = [NOW0]
_fake_time = types.SimpleNamespace(time=lambda: float(_NOW[0]))
dj_signing.time = _fake_time
dj_middleware.time = _fake_time
# get_expiry_age() measures a set_expiry(datetime) from timezone.now().
dj_base.timezone = types.SimpleNamespace(
    now=lambda: datetime.datetime.fromtimestamp(_NOW[0], tz=datetime.timezone.utc))


class frozen:
    def __init__(self, now: int):
        self.now = now

    def __enter__(self):
        self.old = _NOW[0]
        _NOW[0] = self.now

    def __exit__(self, *a):
        _NOW[0] = self.old


_VIEW = [None]


def dispatch(request):
    return _VIEW[0](request)


urlpatterns = [path("", dispatch)]

DEFAULT_CONFIG = {
    "SECRET_KEY": K1,
    "SECRET_KEY_FALLBACKS": [],
    "SESSION_COOKIE_NAME": "sessionid",
    "SESSION_COOKIE_AGE": AGE,
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": "/",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_SAVE_EVERY_REQUEST": False,
    "SESSION_EXPIRE_AT_BROWSER_CLOSE": False,
}


def request(cfg: dict, now: int, request_cookies: list[str], view):
    _VIEW[0] = view
    with override_settings(**cfg), frozen(now):
        client = Client(raise_request_exception=False)
        headers = {"cookie": "; ".join(request_cookies)} if request_cookies else {}
        resp = client.get("/", headers=headers)
    set_cookie = [m.OutputString() for m in resp.cookies.values()]
    vary = [v.strip() for v in resp.get("Vary", "").split(",") if v.strip()]
    return resp.status_code, set_cookie, vary, resp.content


def payload_json_text(cookie: str) -> str:
    payload = cookie.rsplit(":", 2)[0]
    data = payload[1:] if payload.startswith(".") else payload
    raw = dj_signing.b64_decode(data.encode())
    if payload.startswith("."):
        raw = zlib.decompress(raw)
    return raw.decode("latin-1")


def cookie_timestamp(cookie: str) -> int:
    return dj_signing.b62_decode(cookie.rsplit(":", 2)[1])


def django_sign(value: dict, keys: dict, now: int, sign_key: str = "current", digest: str = "sha256"):
    """The cookie the signed_cookies backend writes for ``value``: through the middleware for the default
    digest, with the TimestampSigner signing.dumps uses for another digest or an empty session (the middleware
    writes no cookie for an empty session)."""
    key = keys["secret_key"] if sign_key == "current" else keys["fallbacks"][int(sign_key.split(":")[1])]
    if digest == "sha256" and value:

        def view(req):
            req.session.update(value)
            return JsonResponse([], safe=False)

        cfg = dict(DEFAULT_CONFIG, SECRET_KEY=key)
        status, cookies, _, _ = request(cfg, now, [], view)
        assert status == 200 and len(cookies) == 1, (status, cookies)
        cookie = cookies[0].split(";", 1)[0].split("=", 1)[1]
    else:
        with frozen(now):
            cookie = dj_signing.TimestampSigner(key=key, salt=SALT, algorithm=digest, fallback_keys=[]).sign_object(
                value, serializer=dj_signing.JSONSerializer, compress=True)
    text = payload_json_text(cookie)
    assert text == json.dumps(value, separators=(",", ":")), (text, value)
    return cookie, {"json": text, "timestamp": now, "compressed": cookie.startswith("."), "key": sign_key}


def sign_raw(payload: str, key: str, now: int) -> str:
    """Hand-built payload text signed by the TimestampSigner signing.dumps uses."""
    with frozen(now):
        return dj_signing.TimestampSigner(key=key, salt=SALT, fallback_keys=[]).sign(payload)


def classify(e: Exception) -> str:
    if isinstance(e, SignatureExpired):
        return "expired"
    msg = str(e)
    if isinstance(e, BadSignature):
        if msg.startswith("No ") and "found in value" in msg:
            return "malformed"
        if "does not match" in msg:
            return "bad_signature"
    if isinstance(e, ValueError) and "substring not found" in msg:
        return "malformed"  # b62_decode of a character outside base62
    return "bad_payload"


def which_key(cookie: str, keys: dict, digest: str) -> str:
    labels = [("current", keys["secret_key"])] + [(f"fallback:{i}", k) for i, k in enumerate(keys["fallbacks"])]
    for label, k in labels:
        try:
            dj_signing.TimestampSigner(key=k, salt=SALT, algorithm=digest, fallback_keys=[]).unsign(cookie)
            return label
        except BadSignature:
            continue
    raise AssertionError("no key verifies")


def django_verify(cookie: str, keys: dict, now: int, max_age: int, digest: str) -> dict:
    """SessionStore.load step by step: signing.loads(..., salt, serializer, max_age); any exception there gives
    an empty session (load catches them all). A payload that is not a dict loads, then breaks the view: a 500."""
    with override_settings(SECRET_KEY=keys["secret_key"], SECRET_KEY_FALLBACKS=keys["fallbacks"]), frozen(now):
        try:
            data = dj_signing.TimestampSigner(salt=SALT, algorithm=digest).unsign_object(
                cookie, serializer=dj_signing.JSONSerializer, max_age=max_age)
        except Exception as e:
            return {"result": "invalid", "error": classify(e), "detail": f"{type(e).__name__}: {e}"}
    if not isinstance(data, dict):
        return {"result": "error_500", "detail": f"the payload is a {type(data).__name__}"}
    return {"result": "valid", "json": sorted_json(data), "key": which_key(cookie, keys, digest)}


def cross_check(cookie: str, keys: dict, now: int, max_age: int, verdict: dict):
    if any(c in cookie for c in ' ;,"\\') or any(ord(c) > 126 or ord(c) < 33 for c in cookie) or len(cookie) < 8:
        return

    def view(req):
        return JsonResponse(sorted_json(dict(req.session.items())), safe=False)

    cfg = dict(DEFAULT_CONFIG, SECRET_KEY=keys["secret_key"], SECRET_KEY_FALLBACKS=keys["fallbacks"],
               SESSION_COOKIE_AGE=max_age)
    status, _, _, body = request(cfg, now, [f"sessionid={cookie}"], view)
    if verdict["result"] == "error_500":
        assert status == 500, (cookie, status)
    elif verdict["result"] == "valid":
        assert status == 200 and json.loads(body) == verdict["json"], (cookie, body, verdict)
    else:
        assert status == 200 and json.loads(body) == "{}", (cookie, body)


def wire_case(cid: str, comment: str, *, value=None, cookie: str | None = None, keys: dict | None = None,
              now: int = NOW0, max_age: int = AGE, sign_ts: int | None = None, sign_key: str = "current",
              digest: str = "sha256") -> dict:
    keys = keys or {"secret_key": K1, "fallbacks": []}
    sign = None
    if value is not None:
        cookie, sign = django_sign(value, keys, sign_ts if sign_ts is not None else now, sign_key, digest)
    assert cookie is not None
    fw = django_verify(cookie, keys, now, max_age, digest)
    if digest == "sha256":
        cross_check(cookie, keys, now, max_age, fw)
    divergence = None
    if fw["result"] == "error_500":
        expected = {"result": "invalid", "error": "bad_payload"}
        divergence = "hostile-payload"
    else:
        expected = {k: v for k, v in fw.items() if k != "detail"}
    case = {"id": cid, "comment": comment, "kind": "wire", "keys": keys, "now": now, "max_age": max_age,
            "cookie": cookie, "sign": sign, "framework": fw, "expected": expected, "divergence": divergence}
    if digest != "sha256":
        case["signer"] = {"digest": digest}
    return case


def threshold_values():
    """Two sessions straddling the zlib rule (compress only if len(zlib) < len(json) - 1)."""
    prefix = det_chars(48, "threshold")
    used = unused = None
    for k in range(200):
        v = {"d": prefix + "ab" * k}
        j = json.dumps(v, separators=(",", ":")).encode()
        if len(zlib.compress(j)) < len(j) - 1:
            used = v
            break
        unused = v
    assert used and unused
    return unused, used


def known_answer_cases() -> list[dict]:
    C = []
    add = C.append
    add(wire_case("dj-ka-plain", "plain session, compact JSON in insertion order",
                  value={"user_id": 42, "name": "alice", "roles": ["admin", "user"], "active": True, "score": 1.5}))
    add(wire_case("dj-ka-unicode", "non-ASCII, CJK, emoji, escapes: ensure_ascii with surrogate pairs",
                  value={"name": "Zoë 日本 😀", "q": 'a"b\\c\n\t\u2028'}))
    add(wire_case("dj-ka-nested", "nested objects and lists, null, floats, big integers",
                  value={"a": {"b": [1, {"c": None}], "f": [0.1, -2.5e-7, 1e22, 12345678901234567890]}, "z": -1}))
    add(wire_case("dj-ka-compressed", "a large repetitive session: zlib, '.' prefix",
                  value={"items": [{"id": i, "tags": ["red", "green"]} for i in range(40)]}))
    unused, used = threshold_values()
    add(wire_case("dj-ka-threshold-unused", "just below the zlib rule: not compressed", value=unused))
    add(wire_case("dj-ka-threshold-used", "just past the zlib rule: compressed", value=used))
    add(wire_case("dj-ka-empty", "an empty session {}", value={}))
    add(wire_case("dj-ka-expiry-key", "_session_expiry stored like any key", value={"_session_expiry": 0, "u": 1}))
    add(wire_case("dj-ka-sha1", "algorithm sha1 (Signer's option): key sha1(salt + 'signer' + SECRET_KEY)",
                  value={"u": 1}, digest="sha1"))
    fb = {"secret_key": "new-secret-key-x", "fallbacks": ["old-secret-key-1", "old-secret-key-2"]}
    add(wire_case("dj-ka-fallback-0", "signed with the first SECRET_KEY_FALLBACKS entry", keys=fb,
                  sign_key="fallback:0", value={"u": 1}))
    add(wire_case("dj-ka-fallback-1", "signed with the second SECRET_KEY_FALLBACKS entry", keys=fb,
                  sign_key="fallback:1", value={"u": 2}))
    add(wire_case("dj-ka-age-equal", "age == SESSION_COOKIE_AGE is accepted", value={"u": 1}, sign_ts=NOW0 - AGE))
    add(wire_case("dj-ka-age-over", "age == SESSION_COOKIE_AGE + 1 is expired", value={"u": 1},
                  sign_ts=NOW0 - AGE - 1))
    add(wire_case("dj-ka-future", "a timestamp in the future is accepted (Django only checks age > max_age)",
                  value={"u": 1}, sign_ts=NOW0 + 3600))
    add(wire_case("dj-ka-custom-age", "SESSION_COOKIE_AGE 3600: age 3600 accepted", value={"u": 1},
                  sign_ts=NOW0 - 3600, max_age=3600))
    add(wire_case("dj-ka-latin1", "a validly signed payload with raw non-ASCII bytes is read as Latin-1",
                  cookie=sign_raw(base64.urlsafe_b64encode('{"n":"é"}'.encode("utf-8")).decode().rstrip("="), K1,
                                  NOW0)))
    return C


def tamper_cases() -> list[dict]:
    C = []
    add = C.append
    keys = {"secret_key": K1, "fallbacks": []}
    good, _ = django_sign({"user": "alice"}, keys, NOW0 - 10)
    payload, ts, sig = good.split(":")
    add(wire_case("dj-tamper-sig-char", "one signature character changed", cookie=flip(good, len(good) - 3)))
    add(wire_case("dj-tamper-payload-char", "one payload character changed", cookie=flip(good, 3)))
    add(wire_case("dj-tamper-ts-char", "one timestamp character changed", cookie=f"{payload}:{flip(ts, 1)}:{sig}"))
    add(wire_case("dj-tamper-wrong-key", "signed with another key",
                  cookie=django_sign({"u": 1}, {"secret_key": "another-key-xyz", "fallbacks": []}, NOW0)[0]))
    add(wire_case("dj-tamper-wrong-salt", "signed with signing.dumps' default salt, not the session backend's",
                  cookie=dj_signing.dumps({"u": 1}, key=K1)))
    add(wire_case("dj-tamper-no-colon", "no separator at all", cookie="garbage-cookie"))
    add(wire_case("dj-tamper-one-colon", "one separator: no timestamp", cookie="abcdefgh:ijk"))
    add(wire_case("dj-tamper-empty-sig", "empty signature", cookie=f"{payload}:{ts}:"))
    add(wire_case("dj-tamper-padded-sig", "the signature with '=' padding added", cookie=good + "="))
    add(wire_case("dj-tamper-flask-cookie", "a Flask cookie ('.' separators)",
                  cookie="eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.2xk3A5Sg_Hc3Ct6BmLWBl9D2K6E"))
    add(wire_case("dj-hostile-bad-timestamp", "validly signed, timestamp not base62", cookie=sign_raw_ts("e30", "*!", K1)))
    add(wire_case("dj-hostile-list", "validly signed JSON list: loads, then the view breaks (500)",
                  cookie=sign_raw("WzEsMl0", K1, NOW0)))
    add(wire_case("dj-hostile-not-json", "validly signed non-JSON: load() resets the session",
                  cookie=sign_raw("e25vcGU", K1, NOW0)))
    add(wire_case("dj-hostile-bad-zlib", "validly signed '.' payload that is not zlib: load() resets the session",
                  cookie=sign_raw(".e30", K1, NOW0)))
    bomb = base64.urlsafe_b64encode(zlib.compress(b'{"a":"' + b"x" * 3_000_000 + b'"}', 9)).decode().rstrip("=")
    c = wire_case("dj-hostile-zlib-bomb", "validly signed zlib bomb (3 MB inflated): Django inflates it; we refuse "
                  "beyond 1 MiB", cookie=sign_raw("." + bomb, K1, NOW0))
    assert c["framework"]["result"] == "valid"
    c["framework"] = {"result": "valid", "json_length": len(c["framework"]["json"]), "key": "current"}
    c["expected"] = {"result": "invalid", "error": "bad_payload"}
    c["divergence"] = "hostile-payload"
    add(c)
    return C


def sign_raw_ts(payload: str, ts: str, key: str) -> str:
    """payload:ts signed by the plain Signer (a timestamp the TimestampSigner would never write)."""
    return dj_signing.Signer(key=key, salt=SALT, fallback_keys=[]).sign(f"{payload}:{ts}")


# --------------------------------------------------------------------------
# Scenarios through the real middleware
# --------------------------------------------------------------------------


def run_request(cfg: dict, now: int, request_cookies: list[str], actions: list[dict]):
    def view(req):
        observed: list = []
        s = req.session
        for a in actions:
            op = a["op"]
            if op == "get":
                observed.append(s.get(a["key"]))
            elif op == "contains":
                observed.append(a["key"] in s)
            elif op == "set":
                s[a["key"]] = copy.deepcopy(a["value"])
            elif op == "pop":
                s.pop(a["key"], None)
            elif op == "clear":
                s.flush()  # logout: Django's way to delete the session (clear() would write an empty one)
            elif op == "keys":
                observed.append(sorted(s.keys()))
            else:
                raise ValueError(op)
        return JsonResponse(observed, safe=False)

    status, set_cookies, vary, body = request(cfg, now, request_cookies, view)
    out = []
    for raw in set_cookies:
        parts = raw.split("; ")
        name, value = parts[0].split("=", 1)
        entry = {"raw": raw, "name": name, "value": value, "attributes": canonical_attrs(parts[1:]),
                 "json": None, "timestamp": None}
        if value not in ("", '""'):
            entry["json"] = sorted_json(json.loads(payload_json_text(value)))
            entry["timestamp"] = cookie_timestamp(value)
        out.append(entry)
    observed = json.loads(body) if status == 200 else []
    return {"status": status, "vary": vary, "set_cookie": out}, observed


def expiry_fallback(actions: list[dict]) -> dict:
    """Our outcome for divergence django-expiry-unreadable, from Django itself: the same request with
    get_expiry_age() answering SESSION_COOKIE_AGE where it would raise."""
    original = dj_base.SessionBase.get_expiry_age

    def lenient(self, **kwargs):
        try:
            return original(self, **kwargs)
        except (TypeError, ValueError, OverflowError):
            return self.get_session_cookie_age()

    dj_base.SessionBase.get_expiry_age = lenient
    try:
        fw, _ = run_request(dict(DEFAULT_CONFIG), NOW0, [], [dict(a) for a in actions])
    finally:
        dj_base.SessionBase.get_expiry_age = original
    return fw


def scenario(cid: str, comment: str, *, config: dict | None = None, now: int = NOW0,
             request_cookies: list[str] | None = None, actions: list[dict] | None = None,
             divergence: str | None = None, ours: dict | None = None) -> dict:
    cfg = dict(DEFAULT_CONFIG)
    cfg.update(config or {})
    request_cookies = request_cookies or []
    actions = [dict(a) for a in (actions or [])]
    fw, observed = run_request(cfg, now, request_cookies, actions)
    for a, o in zip([a for a in actions if a["op"] in ("get", "contains", "keys")], observed):
        a["expect"] = o
    expected = copy.deepcopy(fw)
    if divergence is not None:
        assert ours is not None, cid
        expected = ours
    return {"id": cid, "comment": comment, "kind": "scenario", "config": cfg, "now": now,
            "request_cookies": request_cookies, "actions": actions, "framework": fw, "expected": expected,
            "divergence": divergence}


def scenario_cases() -> list[dict]:
    C = []
    add = C.append
    keys = {"secret_key": K1, "fallbacks": []}

    def ck(value, ts=NOW0 - 100, k=keys, sign_key="current"):
        return django_sign(value, k, ts, sign_key)[0]

    alice = ck({"user": "alice"})
    get_user = [{"op": "get", "key": "user"}]
    w = [{"op": "set", "key": "user", "value": "alice"}]
    empty_vary = {"status": 200, "vary": ["Cookie"], "set_cookie": []}
    add(scenario("dj-scn-no-cookie-untouched", "no cookie, view never touches the session -> no headers"))
    add(scenario("dj-scn-no-cookie-read", "no cookie, view reads -> Vary only", actions=get_user))
    add(scenario("dj-scn-new-session-write", "no cookie, write -> Set-Cookie with expires, HttpOnly, Max-Age, Path, "
                 "SameSite=Lax", actions=w))
    add(scenario("dj-scn-read", "valid cookie, read only -> Vary, no Set-Cookie",
                 request_cookies=[f"sessionid={alice}"],
                 actions=get_user + [{"op": "contains", "key": "user"}, {"op": "keys"}]))
    add(scenario("dj-scn-untouched", "valid cookie, session never accessed -> no headers",
                 request_cookies=[f"sessionid={alice}"], actions=[]))
    add(scenario("dj-scn-modify", "valid cookie, a key added -> Set-Cookie",
                 request_cookies=[f"sessionid={alice}"], actions=get_user + [{"op": "set", "key": "n", "value": 1}]))
    add(scenario("dj-scn-set-same-value", "setting a key to the value it has marks modified",
                 request_cookies=[f"sessionid={alice}"], actions=w))
    add(scenario("dj-scn-flush-with-cookie", "valid cookie, flush() (logout) -> delete_cookie",
                 request_cookies=[f"sessionid={alice}"], actions=[{"op": "clear"}]))
    add(scenario("dj-scn-flush-no-cookie", "no cookie, flush() -> nothing to delete", actions=[{"op": "clear"}]))
    add(scenario("dj-scn-flush-bad-cookie", "tampered cookie, flush() -> delete_cookie (the cookie was sent)",
                 request_cookies=[f"sessionid={flip(alice, 3)}"], actions=[{"op": "clear"}]))
    add(scenario("dj-scn-pop-missing", "pop a key that is not there -> not modified",
                 request_cookies=[f"sessionid={alice}"], actions=[{"op": "pop", "key": "nope"}]))
    add(scenario("dj-scn-pop-last-key", "pop the only key: Django writes a signed {}; we delete the cookie",
                 request_cookies=[f"sessionid={alice}"], actions=[{"op": "pop", "key": "user"}],
                 divergence="emptied-session-deleted",
                 ours={"status": 200, "vary": ["Cookie"], "set_cookie": [
                     {"name": "sessionid", "value": '""',
                      "attributes": {"Expires": "Thu, 01 Jan 1970 00:00:00 GMT", "Max-Age": "0", "Path": "/",
                                     "SameSite": "Lax"}, "json": None, "timestamp": None}]}))
    add(scenario("dj-scn-bad-signature", "tampered cookie, read: Django rewrites it as a signed {}; we send nothing",
                 request_cookies=[f"sessionid={flip(alice, len(alice) - 5)}"], actions=get_user,
                 divergence="refused-cookie-kept", ours=empty_vary))
    add(scenario("dj-scn-expired", "expired cookie (age + 1), read: Django rewrites it as {}; we send nothing",
                 request_cookies=[f"sessionid={ck({'user': 'alice'}, NOW0 - AGE - 1)}"], actions=get_user,
                 divergence="refused-cookie-kept", ours=empty_vary))
    add(scenario("dj-scn-bad-cookie-then-write", "tampered cookie, view writes -> a fresh cookie",
                 request_cookies=[f"sessionid={flip(alice, 2)}"], actions=w))
    add(scenario("dj-scn-future", "a cookie signed an hour ahead is accepted",
                 request_cookies=[f"sessionid={ck({'user': 'alice'}, NOW0 + 3600)}"], actions=get_user))
    add(scenario("dj-scn-two-cookies", "two sessionid= cookies in one header: the LAST wins (parse_cookie)",
                 request_cookies=[f"sessionid={ck({'user': 'bob'})}; sessionid={alice}"], actions=get_user))
    add(scenario("dj-scn-among-other-cookies", "the session cookie between others",
                 request_cookies=[f"csrftoken=abc; sessionid={alice}; lang=en"], actions=get_user))
    add(scenario("dj-scn-custom-name", "SESSION_COOKIE_NAME 'my_sess'; a 'sessionid' cookie is ignored",
                 config={"SESSION_COOKIE_NAME": "my_sess"},
                 request_cookies=[f"sessionid={ck({'user': 'bob'})}; my_sess={alice}"],
                 actions=get_user + [{"op": "set", "key": "n", "value": 1}]))
    add(scenario("dj-scn-custom-age", "SESSION_COOKIE_AGE 3600: Max-Age=3600 and expires now+3600",
                 config={"SESSION_COOKIE_AGE": 3600}, actions=w))
    add(scenario("dj-scn-save-every-request", "SESSION_SAVE_EVERY_REQUEST: an untouched valid session is re-sent",
                 config={"SESSION_SAVE_EVERY_REQUEST": True}, request_cookies=[f"sessionid={alice}"]))
    add(scenario("dj-scn-save-every-request-read", "SESSION_SAVE_EVERY_REQUEST, read only -> re-sent",
                 config={"SESSION_SAVE_EVERY_REQUEST": True}, request_cookies=[f"sessionid={alice}"],
                 actions=get_user))
    add(scenario("dj-scn-browser-close", "SESSION_EXPIRE_AT_BROWSER_CLOSE: no expires, no Max-Age",
                 config={"SESSION_EXPIRE_AT_BROWSER_CLOSE": True}, actions=w))
    add(scenario("dj-scn-set-expiry-0", "set_expiry(0) (stored as _session_expiry 0): a browser-session cookie",
                 actions=w + [{"op": "set", "key": "_session_expiry", "value": 0}]))
    add(scenario("dj-scn-set-expiry-60", "set_expiry(60): Max-Age=60",
                 actions=w + [{"op": "set", "key": "_session_expiry", "value": 60}]))
    def iso(offset: float, tz=datetime.timezone.utc) -> str:
        # What set_expiry(datetime) stores: the aware datetime's isoformat().
        return datetime.datetime.fromtimestamp(NOW0 + offset, tz=tz).isoformat()

    add(scenario("dj-scn-set-expiry-datetime", "set_expiry(now + 3600.5 s) (stored as isoformat()): Max-Age=3600",
                 actions=w + [{"op": "set", "key": "_session_expiry", "value": iso(3600.5)}]))
    add(scenario("dj-scn-set-expiry-datetime-offset", "set_expiry(a datetime at UTC+02:00, now + 1 day)",
                 actions=w + [{"op": "set", "key": "_session_expiry",
                               "value": iso(86400, datetime.timezone(datetime.timedelta(hours=2)))}]))
    add(scenario("dj-scn-set-expiry-datetime-past", "set_expiry(now - 30.25 s): Max-Age=-31, expires in the past",
                 actions=w + [{"op": "set", "key": "_session_expiry", "value": iso(-30.25)}]))
    add(scenario("dj-scn-expiry-datetime-in-cookie",
                 "the cookie holds a set_expiry(datetime) from another service; the view writes -> Max-Age to it",
                 request_cookies=[f"sessionid={ck({'user': 'alice', '_session_expiry': iso(7200)})}"],
                 actions=[{"op": "set", "key": "n", "value": 1}]))
    add(scenario("dj-scn-set-expiry-float", "set_expiry(90.75): Max-Age=90, expires now + 90",
                 actions=w + [{"op": "set", "key": "_session_expiry", "value": 90.75}]))
    add(scenario("dj-scn-set-expiry-false", "_session_expiry false (== 0 in Python): a browser-session cookie",
                 actions=w + [{"op": "set", "key": "_session_expiry", "value": False}]))
    naive = w + [{"op": "set", "key": "_session_expiry", "value": "2023-11-14T23:13:20"}]
    add(scenario("dj-scn-set-expiry-naive", "a naive datetime string: Django answers 500; we use SESSION_COOKIE_AGE",
                 actions=naive, divergence="django-expiry-unreadable", ours=expiry_fallback(naive)))
    add(scenario("dj-scn-attr-all", "domain, path, secure, SameSite=Strict, HttpOnly off",
                 config={"SESSION_COOKIE_DOMAIN": "example.com", "SESSION_COOKIE_PATH": "/app",
                         "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_SAMESITE": "Strict",
                         "SESSION_COOKIE_HTTPONLY": False}, actions=w))
    add(scenario("dj-scn-attr-samesite-none", "SameSite=None with Secure",
                 config={"SESSION_COOKIE_SAMESITE": "None", "SESSION_COOKIE_SECURE": True}, actions=w))
    add(scenario("dj-scn-delete-attrs", "delete_cookie keeps domain, path and SameSite, drops HttpOnly and Secure",
                 config={"SESSION_COOKIE_DOMAIN": "example.com", "SESSION_COOKIE_PATH": "/app",
                         "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_SAMESITE": "Strict"},
                 request_cookies=[f"sessionid={alice}"], actions=[{"op": "clear"}]))
    add(scenario("dj-scn-compressed-write", "a large repetitive session is written compressed",
                 actions=[{"op": "set", "key": "blob", "value": "abcdefgh" * 200}]))
    add(scenario("dj-scn-values", "unicode, nested and numeric values through set + get",
                 actions=[{"op": "set", "key": "text", "value": "Zoë 日本 😀 \u2028"},
                          {"op": "set", "key": "nested", "value": {"a": {"b": [1, {"c": None}]}, " t": [1]}},
                          {"op": "set", "key": "num", "value": 1.5},
                          {"op": "get", "key": "nested"}, {"op": "keys"}]))
    fbk = {"SECRET_KEY": "key-current-1234", "SECRET_KEY_FALLBACKS": ["key-old-12345678"]}
    fb_cookie = ck({"user": "alice"}, NOW0 - 100, {"secret_key": "key-current-1234", "fallbacks": ["key-old-12345678"]},
                   "fallback:0")
    fw_fb, _ = run_request(dict(DEFAULT_CONFIG, **fbk), NOW0, [f"sessionid={fb_cookie}"],
                           get_user + [{"op": "set", "key": "user", "value": "alice"}])
    add(scenario("dj-scn-fallback-read", "cookie signed with a SECRET_KEY_FALLBACKS key, read: Django sends nothing; "
                 "we re-sign with the current key", config=fbk, request_cookies=[f"sessionid={fb_cookie}"],
                 actions=get_user, divergence="resign-fallback",
                 ours=dict(fw_fb, set_cookie=[{k: v for k, v in c.items() if k != "raw"}
                                               for c in fw_fb["set_cookie"]])))
    add(scenario("dj-scn-fallback-modify", "cookie signed with a fallback key, modified: written with the current key",
                 config=fbk, request_cookies=[f"sessionid={fb_cookie}"],
                 actions=get_user + [{"op": "set", "key": "n", "value": 2}]))
    big = det_chars(5000, "oversize")
    add(scenario("dj-scn-oversize", "a 5000-character incompressible value: Django sends a cookie browsers drop; "
                 "we refuse (500)", actions=[{"op": "set", "key": "big", "value": big}],
                 divergence="oversize-refused",
                 ours={"status": 500, "vary": ["Cookie"], "set_cookie": [], "error": "too_large"}))
    return C


def build() -> dict:
    for dist, ver in PINNED.items():
        got = metadata.version(dist)
        if got != ver:
            sys.exit(f"{dist} {got} installed, {ver} required (pip install -r scripts/requirements.txt)")
    return {
        "django_known_answers.json": wrap(
            "django_known_answers.json", "django", SOURCE,
            "Cookies Django's signed_cookies backend writes and what it makes of them. sign.json is the exact JSON "
            "text inside; expected.json is the session as compact JSON with sorted keys.",
            known_answer_cases()),
        "django_tamper.json": wrap(
            "django_tamper.json", "django", SOURCE,
            "Tampered, malformed and hostile cookies (hostile ones validly signed by Django's signer). "
            "framework = real outcome; expected = ours; divergences: hostile-payload.",
            tamper_cases()),
        "django_scenarios.json": wrap(
            "django_scenarios.json", "django", SOURCE,
            "Request/response scenarios through Django's test Client (frozen time); 'clear' is flush() (logout). "
            "divergences: emptied-session-deleted, refused-cookie-kept, resign-fallback, oversize-refused.",
            scenario_cases()),
    }


if __name__ == "__main__":
    sys.exit(main(__doc__, build))
