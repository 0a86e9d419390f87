#!/usr/bin/env python3
"""Flask side of the HTTP load benchmark (`cargo xtask bench --http`).

The same four routes as benches-http's `bench-servers`, with Flask's default session (the seed app's
setup: `app.secret_key`, nothing else):

    GET /plain        "ok", the session untouched (Flask still opens it on every request)
    GET /read         len(session["username"]) or "anon"
    GET /write        session["counter"] += 1, answers the new value
    GET /login-setup  username = "alice", counter = 0

Served by gunicorn (pinned in scripts/requirements.txt):

    SECRET_KEY=<text> gunicorn -w 2 -b 127.0.0.1:PORT --chdir scripts flask_bench_app:app

SECRET_KEY is plain text (its UTF-8 bytes), as the Rust servers read it.
"""

from __future__ import annotations

import os
import sys

from flask import Flask, session

app = Flask(__name__)
_key = os.environ.get("SECRET_KEY")
if not _key:
    sys.exit("flask_bench_app.py: SECRET_KEY is not set")
app.secret_key = _key.encode("utf-8")


@app.route("/plain")
def plain():
    return "ok"


@app.route("/read")
def read():
    username = session.get("username")
    return str(len(username)) if username is not None else "anon"


@app.route("/write")
def write():
    n = session.get("counter", 0) + 1
    session["counter"] = n
    return str(n)


@app.route("/login-setup")
def login_setup():
    session["username"] = "alice"
    session["counter"] = 0
    return "ok"
