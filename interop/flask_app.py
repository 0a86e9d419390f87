#!/usr/bin/env python3
"""Seed app for the live cross-framework login test (Flask quickstart "Sessions").

    SECRET_KEY=dev-secret PORT=5000 python interop/flask_app.py

SECRET_KEY: plain text (its UTF-8 bytes), or "hex:<hex>" / "base64:<standard base64>"
for raw bytes. PORT defaults to 5000. Serves on 127.0.0.1, no debug, no reloader.
"""

from __future__ import annotations

import base64
import binascii
import os
import sys

from flask import Flask, redirect, request, session
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


@app.route("/")
def index():
    if "username" in session:
        return f"Logged in as {escape(session['username'])}"
    return "You are not logged in"


@app.route("/login", methods=["GET", "POST"])
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


def main() -> None:
    app.secret_key = secret_key_from_env()
    try:
        port = int(os.environ.get("PORT", "5000"))
    except ValueError:
        sys.exit(f"flask_app.py: PORT is not a number: {os.environ.get('PORT')!r}")
    app.run(host="127.0.0.1", port=port, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
