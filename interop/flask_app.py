#!/usr/bin/env python3
"""Seed app for the live cross-framework login test (Flask quickstart "Sessions"), plus the demo pages.

The seed routes (/, /login, /logout) are the quickstart's, byte for byte. The demo pages (/demo,
/demo/login, /demo/logout) mirror examples/login-common/src/demo.rs: the decoded session, flashed messages
(flask.flash) and login/logout forms protected by Flask-WTF's CSRFProtect, so a flash and a CSRF-protected
form cross between Flask and the Rust servers.

    SECRET_KEY=dev-secret PORT=5000 python interop/flask_app.py

SECRET_KEY: plain text (its UTF-8 bytes), or "hex:<hex>" / "base64:<standard base64>"
for raw bytes. PORT defaults to 5000. Serves on 127.0.0.1, no debug, no reloader.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys

from datetime import timezone

from flask import Flask, flash, get_flashed_messages, redirect, request, session
from flask.sessions import session_json_serializer
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from itsdangerous import BadSignature
from markupsafe import escape


def secret_key_from_env() -> bytes:
    raw = os.environ.get("SECRET_KEY")
    if not raw:
        sys.exit("flask_app.py: SECRET_KEY is not set (plain text, 'hex:<hex>' or 'base64:<base64>')")
    try:
        if raw.startswith("hex:"):
            key = bytes.fromhex(raw[4:])
        elif raw.startswith("base64:"):
            key = base64.b64decode(raw[7:], validate=True)
        else:
            key = raw.encode("utf-8")
    except (ValueError, binascii.Error) as e:
        sys.exit(f"flask_app.py: SECRET_KEY could not be decoded: {e}")
    if not key:
        sys.exit("flask_app.py: SECRET_KEY decodes to an empty key")
    return key


app = Flask(__name__)
csrf = CSRFProtect(app)


@app.route("/")
def index():
    if "username" in session:
        return f"Logged in as {escape(session['username'])}"
    return "You are not logged in"


@app.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    if request.method == "POST":
        session["username"] = request.form["username"]
        return redirect("/")
    return """
        <form method="post">
            <p><input type="text" name="username">
            <p><input type="submit" value="Login">
        </form>
    """


@app.route("/logout")
def logout():
    session.pop("username", None)
    return redirect("/")


def decoded_session() -> str:
    """When the incoming cookie was signed and by which key (Flask tries the current key, then fallbacks)."""
    value = request.cookies.get(app.config["SESSION_COOKIE_NAME"])
    iface = app.session_interface
    max_age = int(app.permanent_session_lifetime.total_seconds())
    if value:
        keys = [app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or [])]
        for i, key in enumerate(keys):
            s = iface.get_signing_serializer(app)
            s.secret_keys = [key if isinstance(key, bytes) else key.encode()]
            try:
                _, ts = s.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                continue
            ts = ts.astimezone(timezone.utc)
            by = "the current key" if i == 0 else f"a fallback key (fallback:{i - 1})"
            return f"signed at {ts.strftime('%Y-%m-%dT%H:%M:%SZ')} (Unix {int(ts.timestamp())}), verified by {by}"
    return "no valid session cookie came with this request"


@app.route("/demo")
def demo():
    content = session_json_serializer.dumps(dict(session)) if session else "{}"
    signed = decoded_session()
    flashes = "".join(f'<li class="{escape(c)}">{escape(m)}</li>' for c, m in get_flashed_messages(with_categories=True))
    token = generate_csrf()
    if "username" in session:
        status = f"Logged in as {escape(session['username'])}"
        form = ('<form id="logout" method="post" action="/demo/logout">'
                f'<input type="hidden" name="csrf_token" value="{token}">'
                '<button id="logout-button" type="submit">Log out</button></form>')
    else:
        status = "You are not logged in"
        form = ('<form id="login" method="post" action="/demo/login">'
                f'<input type="hidden" name="csrf_token" value="{token}">'
                '<input id="username" type="text" name="username">'
                '<button id="login-button" type="submit">Log in</button></form>')
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>Flask: flask-sessions-rs demo</title></head>'
        '<body>\n<p id="served-by">Served by <b>Flask</b></p>\n<nav>The same page on:</nav>\n'
        f'<ul id="flashes">{flashes}</ul>\n<p id="status">{status}</p>\n{form}\n'
        f'<h2>Session cookie</h2>\n<pre id="session">{escape(content)}</pre>\n<p id="signed">{signed}</p>\n'
        '</body></html>\n'
    )


@app.route("/demo/login", methods=["POST"])
def demo_login():
    session["username"] = request.form["username"]
    flash("You were logged in")
    return redirect("/demo")


@app.route("/demo/logout", methods=["POST"])
def demo_logout():
    session.pop("username", None)
    flash("You were logged out")
    return redirect("/demo")


@app.errorhandler(CSRFError)
def csrf_refused(e: CSRFError):
    """Flask-WTF's reason as plain text, as the Rust servers answer."""
    return e.description, 400, {"Content-Type": "text/plain; charset=utf-8"}


def main() -> None:
    app.secret_key = secret_key_from_env()
    try:
        port = int(os.environ.get("PORT", "5000"))
    except ValueError:
        sys.exit(f"flask_app.py: PORT is not a number: {os.environ.get('PORT')!r}")
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
