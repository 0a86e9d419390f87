#!/usr/bin/env python3
"""Flash-message and CSRF-token vectors from real Flask 3.1.3 and Flask-WTF 1.3.0.

    python scripts/flask_flash_csrf_vectors.py --out testdata/vectors     # (re)write the files
    python scripts/flask_flash_csrf_vectors.py --check testdata/vectors   # exit 1 if they differ

Every case is a request through a real Flask app (test client, time frozen by scripts/flask_vectors.py's
monkeypatches) whose view calls ``flash``, ``get_flashed_messages``, Flask-WTF's ``generate_csrf`` or
``validate_csrf``; the observations and the response's Set-Cookie/Vary are what Flask produced. The case
format is flask_vectors.py's ``scenario`` with four more view operations:

- ``flash``: ``flash(message, category)``
- ``get_flashed_messages``: ``get_flashed_messages(with_categories, category_filter)``; ``expect`` is the
  result in tagged JSON (tuples as ``{" t": [...]}``, Markup as ``{" m": ...}``)
- ``csrf_token``: ``generate_csrf(secret_key)``; ``expect`` is the signed token
- ``csrf_validate``: ``validate_csrf(token, secret_key, time_limit)``; ``expect`` is ``"valid"`` or
  Flask-WTF's ValidationError message

Raw CSRF tokens are inputs (sessions that already hold one): Flask-WTF draws them from ``os.urandom``.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
import warnings
from importlib import metadata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flask_vectors as fv  # noqa: E402  (also freezes time)

from flask import Flask, flash, get_flashed_messages, session  # noqa: E402
from flask.sessions import session_json_serializer  # noqa: E402
from flask_wtf.csrf import generate_csrf, validate_csrf  # noqa: E402
from markupsafe import Markup  # noqa: E402
from wtforms import ValidationError  # noqa: E402

PINNED = dict(fv.PINNED, **{"Flask-WTF": "1.3.0", "WTForms": "3.3.2"})
SOURCE = ("scripts/flask_flash_csrf_vectors.py with Flask 3.1.3, Flask-WTF 1.3.0, WTForms 3.3.2, "
          "itsdangerous 2.2.0, Werkzeug 3.1.8")
NOW0 = fv.NOW0
K1 = fv.K1
RAW_A = "5f7d1a3c9e0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f"
RAW_B = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"


def run_request(cfg: dict, now: int, request_cookies: list[str], actions: list[dict]):
    app = fv.make_scn_app(cfg)
    observed: list = []

    @app.route("/")
    def view():
        for a in actions:
            op = a["op"]
            if op == "get":
                observed.append(session_json_serializer.tag(session.get(a["key"])))
            elif op == "set":
                session[a["key"]] = session_json_serializer.loads(json.dumps(a["value"]))
                observed.append(None)
            elif op == "flash":
                flash(a["message"], a["category"])
                observed.append(None)
            elif op == "get_flashed_messages":
                got = get_flashed_messages(a["with_categories"], a["category_filter"])
                observed.append(session_json_serializer.tag(got))
            elif op == "csrf_token":
                observed.append(generate_csrf(fv.key_bytes(a["secret_key"])))
            elif op == "csrf_validate":
                app.config["WTF_CSRF_TIME_LIMIT"] = a["time_limit"]
                try:
                    validate_csrf(a["token"], fv.key_bytes(a["secret_key"]))
                    observed.append("valid")
                except ValidationError as e:
                    observed.append(e.args[0])
            else:
                raise ValueError(op)
        return "ok"

    app.logger.disabled = True
    client = app.test_client(use_cookies=False)
    with fv.frozen(now), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resp = client.get("/", headers=[("Cookie", c) for c in request_cookies])
    vary = [v.strip() for v in resp.headers.get("Vary", "").split(",") if v.strip()]
    cookies = []
    for raw in resp.headers.getlist("Set-Cookie"):
        name, value, attrs = fv.parse_set_cookie(raw)
        cookies.append({
            "raw": raw, "name": name, "value": value, "attributes": attrs,
            "tagged_json": fv.payload_json_text(value) if value else None,
            "timestamp": fv.cookie_timestamp(value) if value else None,
            "key": "current" if value else None,
        })
    return {"status": resp.status_code, "vary": vary, "set_cookie": cookies}, observed


def case(cid: str, comment: str, *, now: int = NOW0, cookies: list[str] | None = None,
         actions: list[dict], divergence: str | None = None, reference: list[str] | None = None) -> dict:
    """One request through Flask. With ``divergence``, Flask must fail (500) on ``cookies``; the expected
    outcome is then what Flask does with the ``reference`` cookies (the same request minus the hostile value)."""
    cfg = dict(fv.DEFAULT_CONFIG)
    cookies = cookies or []
    actions = copy.deepcopy(actions)
    flask, observed = run_request(cfg, now, cookies, actions)
    result = flask
    if divergence is None:
        assert flask["status"] == 200, (cid, flask)
    else:
        assert divergence == "hostile-payload" and flask["status"] == 500, (cid, flask)
        result, observed = run_request(cfg, now, reference or [], actions)
        assert result["status"] == 200, (cid, result)
    for a, o in zip(actions, observed):
        if a["op"] in ("get", "get_flashed_messages", "csrf_token", "csrf_validate"):
            a["expect"] = o
    return {
        "id": cid,
        "comment": comment,
        "kind": "scenario",
        "config": cfg,
        "now": now,
        "request_cookies": cookies,
        "actions": actions,
        "flask": flask,
        "expected": result,
        "divergence": divergence,
    }


def cookie(value: dict, ts: int = NOW0 - 10) -> str:
    with fv.ctx_app().app_context():
        return "session=" + fv.flask_sign(value, {"secret_key": K1, "fallbacks": []}, fv.FLASK_SIGNER, ts)[0]


def read(with_categories: bool = False, category_filter: list[str] | None = None) -> dict:
    return {"op": "get_flashed_messages", "with_categories": with_categories, "category_filter": category_filter or []}


def fl(message: str, category: str = "message") -> dict:
    return {"op": "flash", "message": message, "category": category}


def flash_cases() -> list[dict]:
    two = cookie({"_flashes": [("message", "You were logged in"), ("error", "Disk almost full")], "user": "alice"})
    only = cookie({"_flashes": [("message", "You were logged in")]})
    markup = cookie({"_flashes": [("info", Markup("<b>Welcome</b> back"))]})
    C = [
        case("flash-one", "flash() on a new session: _flashes is a list of (category, message) tuples",
             actions=[fl("You were logged in")]),
        case("flash-categories", "two messages, two categories, unicode text",
             actions=[fl("Disk almost full", "error"), fl("Zoë says 日本 😀", "info")]),
        case("flash-append", "flash() appends to the messages already in the cookie",
             cookies=[two], actions=[fl("Saved", "info")]),
        case("flash-read", "get_flashed_messages() pops _flashes; the rest of the session is written back",
             cookies=[two], actions=[read(), {"op": "get", "key": "_flashes"}]),
        case("flash-read-only-key", "reading the only key empties the session: deletion cookie",
             cookies=[only], actions=[read()]),
        case("flash-read-with-categories", "with_categories=True gives (category, message) tuples",
             cookies=[two], actions=[read(True)]),
        case("flash-read-filter", "category_filter keeps only 'error' messages but pops them all",
             cookies=[two], actions=[read(True, ["error"]), read(False, ["message"])]),
        case("flash-read-twice", "a second read in the same request returns the same messages",
             cookies=[two], actions=[read(), read()]),
        case("flash-read-then-flash", "a message flashed after the read is not returned by this request's reads "
             "and waits in the session for the next one",
             cookies=[two], actions=[read(), fl("Later"), read()]),
        case("flash-read-none", "no _flashes: an empty list and no Set-Cookie (only Vary)",
             cookies=[cookie({"user": "alice"})], actions=[read()]),
        case("flash-read-no-cookie", "no cookie at all", actions=[read(True)]),
        case("flash-hostile-not-a-list", "_flashes is a string (no Flask wrote it): Flask's flash() fails with a 500; "
             "we start a new list (expected = Flask's flash() on an empty session)",
             cookies=[cookie({"_flashes": "oops"})], actions=[fl("hi")], divergence="hostile-payload", reference=[]),
        case("flash-read-markup", "a Markup message (Flask-side flash(Markup(...))) is read back as Markup",
             cookies=[markup], actions=[read(True), read()]),
    ]
    return C


def csrf_cases() -> list[dict]:
    def token(raw: str, ts: int, key: str = K1) -> str:
        c = case("tmp", "", now=ts, cookies=[cookie({"csrf_token": raw}, ts)],
                 actions=[{"op": "csrf_token", "secret_key": key}])
        return c["actions"][0]["expect"]

    a = cookie({"csrf_token": RAW_A, "user": "alice"})
    tok = token(RAW_A, NOW0 - 100)

    def v(tk, time_limit=3600, key=K1) -> dict:
        return {"op": "csrf_validate", "secret_key": key, "time_limit": time_limit, "token": tk}

    return [
        case("csrf-token-known-answer", "generate_csrf() signs the session's raw token (django-concat, salt "
             "wtf-csrf-token); the session is read, not written",
             cookies=[a], actions=[{"op": "csrf_token", "secret_key": K1}]),
        case("csrf-token-raw-key", "generate_csrf() with a raw-bytes secret key",
             cookies=[a], actions=[{"op": "csrf_token", "secret_key": fv.RAW_KEY}]),
        case("csrf-valid", "a token signed 100 s ago for this session's raw token", cookies=[a], actions=[v(tok)]),
        case("csrf-valid-at-limit", "age exactly 3600 s is still valid",
             now=NOW0 - 100 + 3600, cookies=[a], actions=[v(tok)]),
        case("csrf-expired", "age 3601 s: expired", now=NOW0 - 100 + 3601, cookies=[a], actions=[v(tok)]),
        case("csrf-custom-time-limit", "WTF_CSRF_TIME_LIMIT 60, age 100: expired", cookies=[a], actions=[v(tok, 60)]),
        case("csrf-no-time-limit", "WTF_CSRF_TIME_LIMIT None: a token a year old is valid",
             now=NOW0 + 365 * 86400, cookies=[cookie({"csrf_token": RAW_A}, NOW0 + 365 * 86400 - 10)],
             actions=[v(tok, None)]),
        case("csrf-future", "a token dated 50 s in the future: itsdangerous calls it expired",
             cookies=[a], actions=[v(token(RAW_A, NOW0 + 50))]),
        case("csrf-wrong-session", "a valid token for another session's raw token",
             cookies=[cookie({"csrf_token": RAW_B})], actions=[v(tok)]),
        case("csrf-tampered", "one character of the signature changed", cookies=[a],
             actions=[v(fv.flip(tok, len(tok) - 3))]),
        case("csrf-tampered-payload", "one character of the payload changed", cookies=[a],
             actions=[v(fv.flip(tok, 3))]),
        case("csrf-other-key", "a token signed with another secret key", cookies=[a],
             actions=[v(token(RAW_A, NOW0 - 100, "another-secret-key"))]),
        case("csrf-session-cookie-token", "a session cookie is not a CSRF token (other salt and derivation)",
             cookies=[a], actions=[v(a.removeprefix("session="))]),
        case("csrf-garbage", "not a token at all", cookies=[a], actions=[v("garbage")]),
        case("csrf-missing", "no token sent", cookies=[a], actions=[v(None)]),
        case("csrf-empty", "an empty token is a missing one", cookies=[a], actions=[v("")]),
        case("csrf-no-session-token", "a valid token, but the session holds no raw token",
             cookies=[cookie({"user": "alice"})], actions=[v(tok)]),
        case("csrf-no-cookie", "a valid token and no session cookie", actions=[v(tok)]),
        case("csrf-hostile-session-token", "the session's csrf_token is a number (no Flask-WTF wrote it): "
             "compare_digest raises TypeError, a 500; we refuse the token as not matching (expected = Flask-WTF "
             "on a session holding another raw token)",
             cookies=[cookie({"csrf_token": 5})], actions=[v(tok)], divergence="hostile-payload",
             reference=[cookie({"csrf_token": RAW_B})]),
    ]


def build() -> dict[str, str]:
    for dist, ver in PINNED.items():
        got = metadata.version(dist)
        if got != ver:
            sys.exit(f"{dist} {got} installed, {ver} required (pip install -r scripts/requirements.txt)")
    logging.getLogger("flask_wtf.csrf").disabled = True
    docs = {
        "flask_flash.json": fv.wrap(
            "flask_flash.json",
            "flash() and get_flashed_messages() through a real Flask app (frozen time): how _flashes is stored, "
            "popped on the first read of a request and cached for the rest of it.",
            flash_cases()),
        "flask_wtf_csrf.json": fv.wrap(
            "flask_wtf_csrf.json",
            "Flask-WTF's generate_csrf() and validate_csrf() in a real Flask app (frozen time): signed tokens and "
            "the refusal messages (missing, expired, invalid, mismatch).",
            csrf_cases()),
    }
    for d in docs.values():
        d["source"] = SOURCE
    ids = [c["id"] for d in docs.values() for c in d["cases"]]
    assert len(ids) == len(set(ids)), ids
    return {name: fv.render(doc) for name, doc in docs.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", metavar="DIR")
    g.add_argument("--check", metavar="DIR")
    args = ap.parse_args()
    files = build()
    differ = []
    for name, text in files.items():
        path = os.path.join(args.out or args.check, name)
        if args.out:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            print(f"wrote {path} ({len(json.loads(text)['cases'])} cases)")
            continue
        try:
            with open(path, encoding="utf-8", newline="") as f:
                cur = f.read()
        except FileNotFoundError:
            cur = None
        if cur != text:
            differ.append(path)
            print(f"differs: {path}")
    if args.check and not differ:
        print(f"{len(files)} files up to date in {args.check}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
