#!/usr/bin/env python3
"""The seed app (Flask quickstart "Sessions") on Django with the signed_cookies session backend.

    SECRET_KEY=dev-secret PORT=8001 python interop/django_app.py

SECRET_KEY is text (Django's SECRET_KEY). PORT defaults to 8001. Serves on 127.0.0.1 with wsgiref.
The same pages as interop/flask_app.py; logout is Django's flush(), which deletes the cookie.
"""

from __future__ import annotations

import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django
from django.conf import settings

KEY = os.environ.get("SECRET_KEY")
if not KEY:
    sys.exit("django_app.py: SECRET_KEY is not set")

settings.configure(
    SECRET_KEY=KEY,
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    INSTALLED_APPS=[],
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    DEBUG=False,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse, HttpResponseRedirect  # noqa: E402
from django.urls import path  # noqa: E402
from markupsafe import escape  # noqa: E402  (the seed app escapes with MarkupSafe, as Flask does)

FORM = """
        <form method="post">
            <p><input type="text" name="username">
            <p><input type="submit" value="Login">
        </form>
    """


def index(request):
    if "username" in request.session:
        return HttpResponse(f"Logged in as {escape(request.session['username'])}")
    return HttpResponse("You are not logged in")


def login(request):
    if request.method == "POST":
        request.session["username"] = request.POST.get("username", "")
        return HttpResponseRedirect("/")
    return HttpResponse(FORM)


def logout(request):
    request.session.flush()
    return HttpResponseRedirect("/")


urlpatterns = [path("", index), path("login", login), path("logout", logout)]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


def main() -> None:
    try:
        port = int(os.environ.get("PORT", "8001"))
    except ValueError:
        sys.exit(f"django_app.py: PORT is not a number: {os.environ.get('PORT')!r}")
    with make_server("127.0.0.1", port, get_wsgi_application(), handler_class=QuietHandler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
