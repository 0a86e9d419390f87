#!/usr/bin/env python3
"""The seed app (Flask quickstart "Sessions") on Starlette's SessionMiddleware, served by uvicorn.

    SECRET_KEY=dev-secret PORT=8000 python interop/starlette_app.py

SECRET_KEY is text (SessionMiddleware signs with str(secret_key)). PORT defaults to 8000. Serves on
127.0.0.1. The same pages as interop/flask_app.py; FastAPI apps use this very middleware.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import parse_qs

import uvicorn
from markupsafe import escape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route

FORM = """
        <form method="post">
            <p><input type="text" name="username">
            <p><input type="submit" value="Login">
        </form>
    """


async def index(request: Request):
    if "username" in request.session:
        return HTMLResponse(f"Logged in as {escape(request.session['username'])}")
    return HTMLResponse("You are not logged in")


async def login(request: Request):
    if request.method == "POST":
        # The form is parsed by hand: Starlette's request.form() needs the python-multipart package.
        form = parse_qs((await request.body()).decode("utf-8"))
        request.session["username"] = form.get("username", [""])[0]
        return RedirectResponse("/", status_code=302)
    return HTMLResponse(FORM)


async def logout(request: Request):
    request.session.pop("username", None)
    return RedirectResponse("/", status_code=302)


def main() -> None:
    key = os.environ.get("SECRET_KEY")
    if not key:
        sys.exit("starlette_app.py: SECRET_KEY is not set")
    try:
        port = int(os.environ.get("PORT", "8000"))
    except ValueError:
        sys.exit(f"starlette_app.py: PORT is not a number: {os.environ.get('PORT')!r}")
    app = Starlette(
        routes=[Route("/", index), Route("/login", login, methods=["GET", "POST"]), Route("/logout", logout)],
        middleware=[Middleware(SessionMiddleware, secret_key=key)],
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
