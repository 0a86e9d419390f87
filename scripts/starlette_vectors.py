#!/usr/bin/env python3
"""Known-answer vectors for Starlette's (and FastAPI's) SessionMiddleware.

Every answer comes from running the real Starlette 1.10.0 / itsdangerous 2.2.0 code pinned in
scripts/requirements.txt: cookies are written by SessionMiddleware itself through Starlette's TestClient,
verdicts come from the middleware's own calls (itsdangerous.TimestampSigner(str(secret_key)).unsign with
max_age, then b64decode, json.loads, Session(...)) cross-checked by a request through the middleware.
Only the inputs (session values, hand-tampered cookies) are written here.

    python scripts/starlette_vectors.py --out testdata/vectors
    python scripts/starlette_vectors.py --check testdata/vectors

Time is frozen by monkeypatching itsdangerous.timed.TimestampSigner.get_timestamp.
"""

from __future__ import annotations

import base64
import copy
import json
import sys
from importlib import metadata

import itsdangerous
import itsdangerous.timed as its_timed
from itsdangerous import BadSignature, SignatureExpired
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import Session, SessionMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

sys.path.insert(0, __import__("os").path.dirname(__file__))
from vector_common import (  # noqa: E402
    K1,
    NOW0,
    canonical_attrs,
    det_chars,
    flip,
    main,
    sorted_json,
    wrap,
)

PINNED = {"starlette": "1.10.0", "itsdangerous": "2.2.0", "httpx2": "2.16.2"}
SOURCE = "scripts/starlette_vectors.py with Starlette 1.10.0, itsdangerous 2.2.0"
MAX_AGE = 14 * 24 * 60 * 60

_NOW = [NOW0]
its_timed.TimestampSigner.get_timestamp = lambda self: _NOW[0]


class frozen:
    def __init__(self, now: int):
        self.now = now

    def __enter__(self):
        self.old = _NOW[0]
        _NOW[0] = self.now

    def __exit__(self, *a):
        _NOW[0] = self.old


DEFAULT_CONFIG = {
    "secret_key": K1,
    "session_cookie": "session",
    "max_age": MAX_AGE,
    "path": "/",
    "same_site": "lax",
    "https_only": False,
    "domain": None,
    "partitioned": False,
}


def make_app(cfg: dict, view) -> Starlette:
    return Starlette(
        routes=[Route("/", view)],
        middleware=[Middleware(SessionMiddleware, **cfg)],
    )


def request(cfg: dict, now: int, request_cookies: list[str], view) -> tuple[int, list[str], list[str], bytes]:
    app = make_app(cfg, view)
    with frozen(now), TestClient(app, raise_server_exceptions=False) as client:
        headers = [("cookie", c) for c in request_cookies]
        resp = client.get("/", headers=headers)
    set_cookie = resp.headers.get_list("set-cookie")
    vary = [v.strip() for h in resp.headers.get_list("vary") for v in h.split(",") if v.strip()]
    return resp.status_code, set_cookie, vary, resp.content


def payload_json_text(cookie: str) -> str:
    return base64.b64decode(cookie.rsplit(".", 2)[0]).decode("utf-8")


def cookie_timestamp(cookie: str) -> int:
    ts = cookie.rsplit(".", 2)[1]
    return int.from_bytes(itsdangerous.encoding.base64_decode(ts), "big")


def starlette_sign(value: dict, key: str, now: int) -> tuple[str, dict]:
    """The cookie SessionMiddleware writes for a view that stores ``value`` (in its key order)."""

    async def view(req):
        req.session.update(value)
        return JSONResponse([])

    cfg = dict(DEFAULT_CONFIG, secret_key=key)
    status, cookies, _, _ = request(cfg, now, [], view)
    assert status == 200 and len(cookies) == 1, (status, cookies)
    cookie = cookies[0].split(";", 1)[0].split("=", 1)[1]
    text = payload_json_text(cookie)
    assert text == json.dumps(value), (text, value)
    return cookie, {"json": text, "timestamp": now, "compressed": False, "key": "current"}


def sign_raw(payload: bytes, key: str, now: int) -> str:
    """Hand-built payload bytes signed by the signer SessionMiddleware builds."""
    with frozen(now):
        return itsdangerous.TimestampSigner(str(key)).sign(payload).decode("ascii")


def classify(e: BadSignature) -> str:
    if isinstance(e, SignatureExpired):
        return "expired"
    msg = str(e)
    if (msg.startswith("No ") and "found in value" in msg) or msg in ("timestamp missing", "Malformed timestamp"):
        return "malformed"
    if "does not match" in msg:
        return "bad_signature"
    raise AssertionError(f"unclassified itsdangerous error: {type(e).__name__}: {e}")


def starlette_verify(cookie: str, key: str, now: int, max_age: int) -> dict:
    """SessionMiddleware.__call__'s load, step by step: BadSignature -> empty session; anything else it does not
    catch (binascii.Error, JSONDecodeError, TypeError from Session(...)) is a 500."""
    signer = itsdangerous.TimestampSigner(str(key))
    with frozen(now):
        try:
            data = signer.unsign(cookie.encode("utf-8"), max_age=max_age)
        except BadSignature as e:
            return {"result": "invalid", "error": classify(e), "detail": f"{type(e).__name__}: {e}"}
    try:
        sess = Session(json.loads(base64.b64decode(data)))
    except Exception as e:
        return {"result": "error_500", "detail": f"{type(e).__name__}: {e}"}
    return {"result": "valid", "json": sorted_json(dict(sess)), "key": "current"}


def cross_check(cookie: str, key: str, now: int, max_age: int, verdict: dict):
    """The same cookie through the real middleware."""
    if any(c in cookie for c in ' ;,"\\') or any(ord(c) > 126 or ord(c) < 33 for c in cookie):
        return

    async def view(req):
        return JSONResponse(sorted_json(dict(req.session)))

    cfg = dict(DEFAULT_CONFIG, secret_key=key, max_age=max_age)
    status, _, _, body = request(cfg, now, [f"session={cookie}"], view)
    if verdict["result"] == "error_500":
        assert status == 500, (cookie, status)
    elif verdict["result"] == "valid":
        assert status == 200 and json.loads(body) == verdict["json"], (cookie, body, verdict)
    else:
        assert status == 200 and json.loads(body) == "{}", (cookie, body)


def wire_case(cid: str, comment: str, *, value=None, cookie: str | None = None, key: str = K1,
              fallbacks: list[str] | None = None, now: int = NOW0, max_age: int = MAX_AGE, sign_ts: int | None = None,
              divergence: str | None = None) -> dict:
    sign = None
    if value is not None:
        cookie, sign = starlette_sign(value, key, sign_ts if sign_ts is not None else now)
    assert cookie is not None
    fw = starlette_verify(cookie, key, now, max_age)
    cross_check(cookie, key, now, max_age, fw)
    if fw["result"] == "error_500":
        expected = {"result": "invalid", "error": "bad_payload"}
        divergence = divergence or "hostile-payload"
    else:
        assert divergence is None, cid
        expected = {k: v for k, v in fw.items() if k != "detail"}
    return {
        "id": cid,
        "comment": comment,
        "kind": "wire",
        "keys": {"secret_key": key, "fallbacks": fallbacks or []},
        "now": now,
        "max_age": max_age,
        "cookie": cookie,
        "sign": sign,
        "framework": fw,
        "expected": expected,
        "divergence": divergence,
    }


def known_answer_cases() -> list[dict]:
    C = []
    add = C.append
    add(wire_case("st-ka-plain", "plain session, insertion order kept by json.dumps (', ' and ': ')",
                  value={"user_id": 42, "name": "alice", "roles": ["admin", "user"], "active": True, "score": 1.5}))
    add(wire_case("st-ka-unicode", "non-ASCII, CJK, emoji, escapes: ensure_ascii with surrogate pairs",
                  value={"name": "Zoë 日本 😀", "q": 'a"b\\c\n\t\u2028'}))
    add(wire_case("st-ka-nested", "nested objects and lists, null, floats, negative and big integers",
                  value={"a": {"b": [1, {"c": None}], "f": [0.1, -2.5e-7, 1e22, 12345678901234567890]}, "z": -1}))
    add(wire_case("st-ka-tag-like-keys", "keys that look like Flask's tags are plain keys here",
                  value={" t": [1, 2], " di": {"x": 1}}))
    add(wire_case("st-ka-padding-1", "base64 with one '=' of padding", value={"k": "ab"}))
    add(wire_case("st-ka-padding-2", "base64 with two '=' of padding", value={"k": "abc"}))
    add(wire_case("st-ka-large", "a large repetitive session: Starlette never compresses",
                  value={"items": [{"id": i, "tags": ["red", "green"]} for i in range(40)]}))
    add(wire_case("st-ka-raw-key", "a 64-character hex key string (used as its UTF-8 text, str(secret_key))",
                  key="0f" * 32, value={"user": "alice"}))
    add(wire_case("st-ka-age-equal", "age == max_age is accepted", value={"u": 1}, sign_ts=NOW0 - MAX_AGE))
    add(wire_case("st-ka-age-over", "age == max_age + 1 is expired", value={"u": 1}, sign_ts=NOW0 - MAX_AGE - 1))
    add(wire_case("st-ka-future", "a timestamp one second ahead is refused (itsdangerous)", value={"u": 1},
                  sign_ts=NOW0 + 1))
    add(wire_case("st-ka-custom-max-age", "max_age 3600: age 3600 accepted", value={"u": 1}, sign_ts=NOW0 - 3600,
                  max_age=3600))
    add(wire_case("st-ka-empty-object", "a signed {} (Starlette then counts the session as loaded)",
                  cookie=sign_raw(base64.b64encode(b"{}"), K1, NOW0)))
    return C


def tamper_cases() -> list[dict]:
    C = []
    add = C.append
    good, _ = starlette_sign({"user": "alice"}, K1, NOW0 - 10)
    payload, ts, sig = good.split(".")
    add(wire_case("st-tamper-sig-char", "one signature character changed", cookie=flip(good, len(good) - 3)))
    add(wire_case("st-tamper-payload-char", "one payload character changed", cookie=flip(good, 3)))
    add(wire_case("st-tamper-ts-char", "one timestamp character changed", cookie=f"{payload}.{flip(ts, 1)}.{sig}"))
    add(wire_case("st-tamper-wrong-key", "signed with another key",
                  cookie=starlette_sign({"user": "alice"}, "another-key-xyz", NOW0)[0]))
    add(wire_case("st-tamper-flask-cookie", "a Flask-style payload (URL-safe, no padding) under this key's signer",
                  cookie=sign_raw(b"eyJ1Ijo1fQ", K1, NOW0)))
    add(wire_case("st-tamper-no-dots", "no separator at all", cookie="garbage"))
    add(wire_case("st-tamper-one-dot", "one separator: no timestamp", cookie="abc.def"))
    add(wire_case("st-tamper-empty-sig", "empty signature", cookie=f"{payload}.{ts}."))
    add(wire_case("st-tamper-truncated", "signature truncated", cookie=good[:-4]))
    add(wire_case("st-tamper-null", "the deletion value 'null'", cookie="null"))
    add(wire_case("st-hostile-list", "validly signed JSON list: Starlette's Session([1,2]) raises, a 500",
                  cookie=sign_raw(base64.b64encode(b"[1,2]"), K1, NOW0)))
    add(wire_case("st-hostile-null", "validly signed JSON null: Session(None) raises, a 500",
                  cookie=sign_raw(base64.b64encode(b"null"), K1, NOW0)))
    add(wire_case("st-hostile-not-json", "validly signed non-JSON: json.loads raises, a 500",
                  cookie=sign_raw(base64.b64encode(b"{nope"), K1, NOW0)))
    add(wire_case("st-hostile-bad-padding", "validly signed base64 without its padding: b64decode raises, a 500",
                  cookie=sign_raw(base64.b64encode(b'{"k": "ab"}').rstrip(b"="), K1, NOW0)))
    add(wire_case("st-hostile-deep", "validly signed, nesting 2000 deep: json.loads raises RecursionError, a 500",
                  cookie=sign_raw(base64.b64encode(b'{"a":' + b"[" * 2000 + b"]" * 2000 + b"}"), K1, NOW0)))
    return C


# --------------------------------------------------------------------------
# Scenarios through the real middleware
# --------------------------------------------------------------------------


def run_request(cfg: dict, now: int, request_cookies: list[str], actions: list[dict]):
    """One request through the real middleware; the view touches request.session only if it has actions
    (reading the property marks the session accessed). Returns the outcome and the view's observations."""

    async def view(req):
        observed: list = []
        if actions:
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
                s.clear()
            elif op == "keys":
                observed.append(sorted(s.keys()))
            else:
                raise ValueError(op)
        return JSONResponse(observed)

    status, set_cookies, vary, body = request(cfg, now, request_cookies, view)
    out = []
    for raw in set_cookies:
        parts = raw.split("; ")
        name, value = parts[0].split("=", 1)
        entry = {"raw": raw, "name": name, "value": value, "attributes": canonical_attrs(parts[1:]),
                 "json": None, "timestamp": None}
        if value != "null":
            entry["json"] = sorted_json(json.loads(payload_json_text(value)))
            entry["timestamp"] = cookie_timestamp(value)
        out.append(entry)
    observed = json.loads(body) if status == 200 else []
    return {"status": status, "vary": vary, "set_cookie": out}, observed


def scenario(cid: str, comment: str, *, config: dict | None = None, now: int = NOW0,
             request_cookies: list[str] | None = None, actions: list[dict] | None = None,
             divergence: str | None = None, ours: dict | None = None) -> dict:
    cfg = dict(DEFAULT_CONFIG)
    cfg.update(config or {})
    request_cookies = request_cookies or []
    actions = [dict(a) for a in (actions or [])]
    fw, observed = run_request(cfg, now, request_cookies, actions)
    obs_actions = [a for a in actions if a["op"] in ("get", "contains", "keys")]
    for a, o in zip(obs_actions, observed):
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

    def ck(value, ts=NOW0 - 100, key=K1):
        return starlette_sign(value, key, ts)[0]

    alice = ck({"user": "alice"})
    get_user = [{"op": "get", "key": "user"}]
    w = [{"op": "set", "key": "user", "value": "alice"}]
    add(scenario("st-scn-no-cookie-untouched", "no cookie, view never touches the session -> no headers"))
    add(scenario("st-scn-no-cookie-read", "no cookie, view reads -> Vary only", actions=get_user))
    add(scenario("st-scn-new-session-write", "no cookie, write -> Set-Cookie with Max-Age, httponly, samesite=lax",
                 actions=w))
    add(scenario("st-scn-read", "valid cookie, read only -> Vary, no Set-Cookie (Starlette writes only when modified)",
                 request_cookies=[f"session={alice}"], actions=get_user + [{"op": "contains", "key": "user"},
                                                                          {"op": "keys"}]))
    add(scenario("st-scn-untouched", "valid cookie, session never accessed -> no headers",
                 request_cookies=[f"session={alice}"]))
    add(scenario("st-scn-modify", "valid cookie, a key added -> Set-Cookie",
                 request_cookies=[f"session={alice}"], actions=get_user + [{"op": "set", "key": "n", "value": 1}]))
    add(scenario("st-scn-set-same-value", "setting a key to the value it has still marks modified",
                 request_cookies=[f"session={alice}"], actions=w))
    add(scenario("st-scn-clear-with-cookie", "valid cookie, clear() -> 'null' with a 1970 expires",
                 request_cookies=[f"session={alice}"], actions=[{"op": "clear"}]))
    add(scenario("st-scn-clear-no-cookie", "no cookie, clear() -> nothing to delete",
                 actions=[{"op": "clear"}]))
    add(scenario("st-scn-clear-bad-cookie", "tampered cookie, clear() -> nothing (the session never loaded)",
                 request_cookies=[f"session={flip(alice, 3)}"], actions=[{"op": "clear"}]))
    add(scenario("st-scn-pop-last-key", "pop the only key -> deletion",
                 request_cookies=[f"session={alice}"], actions=[{"op": "pop", "key": "user"}]))
    add(scenario("st-scn-pop-missing", "pop a key that is not there -> not modified, nothing written",
                 request_cookies=[f"session={alice}"], actions=[{"op": "pop", "key": "nope"}]))
    add(scenario("st-scn-bad-signature", "tampered cookie -> empty session",
                 request_cookies=[f"session={flip(alice, len(alice) - 5)}"], actions=get_user))
    add(scenario("st-scn-expired", "expired cookie (age max_age + 1) -> empty session",
                 request_cookies=[f"session={ck({'user': 'alice'}, NOW0 - MAX_AGE - 1)}"], actions=get_user))
    add(scenario("st-scn-bad-cookie-then-write", "tampered cookie, view writes -> a fresh cookie",
                 request_cookies=[f"session={flip(alice, 2)}"], actions=w))
    add(scenario("st-scn-two-cookies", "two session= cookies in one header: the LAST wins (Starlette's cookie_parser)",
                 request_cookies=[f"session={ck({'user': 'bob'})}; session={alice}"], actions=get_user))
    add(scenario("st-scn-among-other-cookies", "the session cookie between others",
                 request_cookies=[f"theme=dark; session={alice}; lang=en"], actions=get_user))
    add(scenario("st-scn-quoted-cookie", "a double-quoted cookie value is unquoted",
                 request_cookies=[f'session="{alice}"'], actions=get_user))
    add(scenario("st-scn-custom-name", "session_cookie 'my_sess'; a 'session' cookie is ignored",
                 config={"session_cookie": "my_sess"},
                 request_cookies=[f"session={ck({'user': 'bob'})}; my_sess={alice}"],
                 actions=get_user + [{"op": "set", "key": "n", "value": 1}]))
    add(scenario("st-scn-custom-max-age", "max_age 3600: Max-Age=3600, a cookie 3601 s old refused",
                 config={"max_age": 3600}, request_cookies=[f"session={ck({'user': 'alice'}, NOW0 - 3601)}"],
                 actions=get_user + w))
    add(scenario("st-scn-max-age-none", "max_age None: a cookie 400 days old opens; the new cookie has no Max-Age",
                 config={"max_age": None}, request_cookies=[f"session={ck({'user': 'bob'}, NOW0 - 400 * 86400)}"],
                 actions=get_user + w))
    add(scenario("st-scn-max-age-none-clear", "max_age None: clear() -> 'null' with a 1970 expires",
                 config={"max_age": None}, request_cookies=[f"session={alice}"], actions=[{"op": "clear"}]))
    add(scenario("st-scn-attr-path", "path '/app'", config={"path": "/app"}, actions=w))
    add(scenario("st-scn-attr-strict", "same_site 'strict'", config={"same_site": "strict"}, actions=w))
    add(scenario("st-scn-attr-https-only", "https_only -> secure", config={"https_only": True}, actions=w))
    add(scenario("st-scn-attr-domain", "domain 'example.com'", config={"domain": "example.com"}, actions=w))
    add(scenario("st-scn-attr-none-secure", "same_site 'none' with https_only",
                 config={"same_site": "none", "https_only": True}, actions=w))
    add(scenario("st-scn-delete-all-attrs", "the deletion carries path, samesite, secure and domain",
                 config={"path": "/app", "same_site": "strict", "https_only": True, "domain": "example.com"},
                 request_cookies=[f"session={alice}"], actions=[{"op": "clear"}]))
    add(scenario("st-scn-values", "unicode, nested and numeric values through set + get",
                 actions=[{"op": "set", "key": "text", "value": "Zoë 日本 😀 \u2028"},
                          {"op": "set", "key": "nested", "value": {"a": {"b": [1, {"c": None}]}, " t": [1]}},
                          {"op": "set", "key": "num", "value": 1.5},
                          {"op": "get", "key": "nested"}, {"op": "keys"}]))
    big = det_chars(5000, "oversize")
    fw_big, _ = run_request(DEFAULT_CONFIG, NOW0, [], [{"op": "set", "key": "big", "value": big}])
    assert len(fw_big["set_cookie"]) == 1
    add(scenario("st-scn-oversize", "a 5000-character value: Starlette sends a cookie browsers drop; we refuse (500)",
                 actions=[{"op": "set", "key": "big", "value": big}], divergence="oversize-refused",
                 ours={"status": 500, "vary": ["Cookie"], "set_cookie": [], "error": "too_large"}))
    hostile = sign_raw(base64.b64encode(b"[1,2]"), K1, NOW0)
    add(scenario("st-scn-hostile-payload", "validly signed JSON list: Starlette answers 500; we start empty",
                 request_cookies=[f"session={hostile}"], actions=get_user, divergence="hostile-payload",
                 ours={"status": 200, "vary": ["Cookie"], "set_cookie": []}))
    return C


def build() -> dict[str, str]:
    for dist, ver in PINNED.items():
        got = metadata.version(dist)
        if got != ver:
            sys.exit(f"{dist} {got} installed, {ver} required (pip install -r scripts/requirements.txt)")
    docs = {
        "starlette_known_answers.json": wrap(
            "starlette_known_answers.json", "starlette", SOURCE,
            "Cookies Starlette's SessionMiddleware writes and what it makes of them. sign.json is the exact JSON "
            "text inside; expected.json is the session as compact JSON with sorted keys.",
            known_answer_cases()),
        "starlette_tamper.json": wrap(
            "starlette_tamper.json", "starlette", SOURCE,
            "Tampered, malformed and hostile cookies (hostile ones validly signed by Starlette's signer). "
            "framework = real outcome; expected = ours; divergences: hostile-payload.",
            tamper_cases()),
        "starlette_scenarios.json": wrap(
            "starlette_scenarios.json", "starlette", SOURCE,
            "Request/response scenarios through Starlette's TestClient (frozen time). "
            "divergences: oversize-refused, hostile-payload.",
            scenario_cases()),
    }
    return docs


if __name__ == "__main__":
    sys.exit(main(__doc__, build))
