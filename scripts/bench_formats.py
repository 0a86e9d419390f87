"""Times Starlette's and Django's own session serializers on the benchmark payloads, next to ours.

Run with the pinned venv (scripts/requirements.txt); `cargo xtask bench` does this for you:

    target/flask-venv/bin/python scripts/bench_formats.py [--quick]

The session is testdata/bench/session_{typical,large}.json's "session" object read as plain JSON (the same data
crates/session-core/benches/formats.rs encodes). Per request each framework does:

- Starlette (SessionMiddleware): encode `signer.sign(b64encode(json.dumps(session).encode("utf-8")))`;
  decode `json.loads(b64decode(signer.unsign(cookie, max_age=max_age)))` with the middleware's own signer.
- Django (signed_cookies backend): encode `signing.dumps(session, salt=SALT, compress=True)`; decode
  `signing.loads(cookie, salt=SALT, max_age=SESSION_COOKIE_AGE)`.

Each cell is the median over repeats of `timeit`, in ns per call. Prints one JSON object on stdout:
{"starlette/encode/typical": ns, ...}; details go to stderr.
"""

import json
import statistics
import sys
import timeit
from base64 import b64decode, b64encode
from importlib.metadata import version
from pathlib import Path

import django
from django.conf import settings

# The same secret as crates/session-core/benches/formats.rs.
SECRET = "bench-secret-key-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ["typical", "large"]

settings.configure(SECRET_KEY=SECRET, SECRET_KEY_FALLBACKS=[])
django.setup()

from django.core import signing  # noqa: E402
from starlette.middleware.sessions import SessionMiddleware  # noqa: E402

SALT = "django.contrib.sessions.backends.signed_cookies"
AGE = 1209600


def time_ns(fn, quick: bool) -> float:
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    if quick:
        number = max(1, number // 4)
    runs = timer.repeat(repeat=5 if quick else 15, number=number)
    return round(statistics.median(runs) / number * 1e9, 1)


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    middleware = SessionMiddleware(app=None, secret_key=SECRET)
    signer = middleware.signer
    results = {}
    for name in PAYLOADS:
        data = json.loads((ROOT / "testdata" / "bench" / f"session_{name}.json").read_text())["session"]
        st_cookie = signer.sign(b64encode(json.dumps(data).encode("utf-8")))
        assert json.loads(b64decode(signer.unsign(st_cookie, max_age=AGE))) == data
        dj_cookie = signing.dumps(data, salt=SALT, compress=True)
        assert signing.loads(dj_cookie, salt=SALT, max_age=AGE) == data
        print(f"{name}: starlette cookie {len(st_cookie)} B, django cookie {len(dj_cookie)} B "
              f"(compressed: {dj_cookie.startswith('.')})", file=sys.stderr)
        cells = {
            "starlette/encode": lambda: signer.sign(b64encode(json.dumps(data).encode("utf-8"))),
            "starlette/decode": lambda: json.loads(b64decode(signer.unsign(st_cookie, max_age=AGE))),
            "django/encode": lambda: signing.dumps(data, salt=SALT, compress=True),
            "django/decode": lambda: signing.loads(dj_cookie, salt=SALT, max_age=AGE),
        }
        for cell, fn in cells.items():
            results[f"{cell}/{name}"] = time_ns(fn, quick)
    print(f"Python {sys.version.split()[0]}, Starlette {version('starlette')}, Django {version('django')}",
          file=sys.stderr)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
