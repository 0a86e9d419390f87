"""Times Flask's real session serializer on the benchmark payloads (the Flask baseline of the codec benchmarks).

Run with the pinned venv (scripts/requirements.txt); `cargo xtask bench` does this for you:

    target/flask-venv/bin/python scripts/bench_flask.py [--quick]

For each payload in testdata/bench/session_{typical,large}.json it times, inside an app context, exactly what
Flask does per request: `SecureCookieSessionInterface().get_signing_serializer(app)` then `.dumps(dict(session))`
(save_session) and `.loads(cookie, max_age=...)` (open_session). Each cell is the median over repeats of
`timeit` (loop count from `autorange`), in nanoseconds per call. Prints one JSON object on stdout:
{"encode/typical": ns, "decode/typical": ns, "encode/large": ns, "decode/large": ns}; details go to stderr.
"""

import json
import statistics
import sys
import timeit
from importlib.metadata import version
from pathlib import Path

from flask import Flask
from flask.sessions import SecureCookieSessionInterface, session_json_serializer

# The same secret as crates/session-core/benches/codec.rs.
SECRET = "bench-secret-key-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ["typical", "large"]


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    repeats = 5 if quick else 15
    app = Flask(__name__)
    app.secret_key = SECRET
    max_age = int(app.permanent_session_lifetime.total_seconds())
    results = {}
    with app.app_context():
        serializer = SecureCookieSessionInterface().get_signing_serializer(app)
        for name in PAYLOADS:
            doc = json.loads((ROOT / "testdata" / "bench" / f"session_{name}.json").read_text())
            # The file holds Flask's tagged JSON; this gives back the Python session (tuples, datetime, UUID...).
            session = session_json_serializer.loads(json.dumps(doc["session"]))
            tagged = session_json_serializer.dumps(session)
            if len(tagged) != doc["tagged_json_bytes"]:
                raise SystemExit(f"{name}: Flask writes {len(tagged)} bytes of tagged JSON, the file says "
                                 f"{doc['tagged_json_bytes']}")
            data = dict(session)
            cookie = serializer.dumps(data)
            if serializer.loads(cookie, max_age=max_age) != session:
                raise SystemExit(f"{name}: the cookie does not round-trip")
            print(f"{name}: tagged JSON {len(tagged)} B, cookie {len(cookie)} B "
                  f"(compressed: {cookie.startswith('.')})", file=sys.stderr)
            for op, fn in [("encode", lambda: serializer.dumps(data)),
                           ("decode", lambda: serializer.loads(cookie, max_age=max_age))]:
                timer = timeit.Timer(fn)
                number, _ = timer.autorange()
                if quick:
                    number = max(1, number // 4)
                runs = timer.repeat(repeat=repeats, number=number)
                results[f"{op}/{name}"] = round(statistics.median(runs) / number * 1e9, 1)
    print(f"Python {sys.version.split()[0]}, Flask {version('flask')}, itsdangerous {version('itsdangerous')}",
          file=sys.stderr)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
