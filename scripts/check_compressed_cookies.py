"""Checks cookies written by our codec against real Python zlib and real Flask.

Run by `crates/session-core/tests/flask_reads_ours.rs`, which writes a JSON file of cases and calls

    python scripts/check_compressed_cookies.py CASES.json

Each case is {"id", "secret", "json" (the tagged JSON text our codec signed), "cookie" (our cookie value)}.
For every case:
- the payload part of our cookie is base64-decoded and, when it starts with ".", inflated by Python's
  `zlib.decompress`, which must give back `json` exactly;
- with Flask installed (the pinned venv), Flask's own session serializer (`SecureCookieSessionInterface`,
  itsdangerous) loads the cookie, and the result must equal Flask's `session_json_serializer.loads(json)`;
- Python's `zlib.compress(json)` (what Flask writes, level 6) is compared with ours: the size of the zlib stream
  (ours at most MAX_OVER_ZLIB bytes longer) and Flask's decision to compress (`len(compressed) < len(json) - 1`;
  differences are listed: they can only occur within a few bytes of the threshold, and both choices load).
Prints one summary line per check and exits non-zero on any failure. Without Flask (plain python3), the
Flask load is skipped with a printed line and the zlib checks still run.
"""

import base64
import json
import sys
import zlib

# Our zlib stream may be at most this many bytes longer than Python's zlib.compress of the same JSON.
MAX_OVER_ZLIB = 8


def b64decode(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def main() -> int:
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    try:
        from flask import Flask
        from flask.sessions import SecureCookieSessionInterface, session_json_serializer
    except ImportError:
        Flask = None
        print("check_compressed_cookies: Flask is not installed here; skipping the Flask load (zlib checks run)")
    failures = []
    compressed = 0
    decisions_differ = []
    size_diffs = []
    serializers = {}
    for case in cases:
        cid, text, cookie = case["id"], case["json"].encode("utf-8"), case["cookie"]
        payload = cookie.rsplit(".", 2)[0]  # [.]payload.timestamp.signature
        ours_compressed = payload.startswith(".")
        raw = b64decode(payload[1:] if ours_compressed else payload)
        if ours_compressed:
            compressed += 1
            try:
                inflated = zlib.decompress(raw)
            except zlib.error as e:
                failures.append(f"{cid}: Python's zlib.decompress refuses our stream: {e}")
                continue
            if inflated != text:
                failures.append(f"{cid}: zlib.decompress gives other bytes than the JSON we signed")
                continue
        elif raw != text:
            failures.append(f"{cid}: the uncompressed payload is not the JSON we signed")
            continue
        theirs = zlib.compress(text)
        flask_compresses = len(theirs) < len(text) - 1
        if flask_compresses != ours_compressed:
            decisions_differ.append(f"{cid} ({len(text)} B JSON: zlib {len(theirs)} B"
                                    f"{', ours ' + str(len(raw)) + ' B' if ours_compressed else ''})")
        if ours_compressed:
            size_diffs.append(len(raw) - len(theirs))
            if len(raw) - len(theirs) > MAX_OVER_ZLIB:
                failures.append(f"{cid}: our zlib stream is {len(raw)} B, Python's {len(theirs)} B")
        if Flask is not None:
            secret = case["secret"]
            if secret not in serializers:
                app = Flask(__name__)
                app.secret_key = secret
                with app.app_context():
                    serializers[secret] = SecureCookieSessionInterface().get_signing_serializer(app)
            try:
                loaded = serializers[secret].loads(cookie)
            except Exception as e:  # noqa: BLE001 - any failure to load is the finding
                failures.append(f"{cid}: Flask does not load our cookie: {e!r}")
                continue
            if loaded != session_json_serializer.loads(text.decode("utf-8")):
                failures.append(f"{cid}: Flask loads other data than the JSON we signed")
    print(f"check_compressed_cookies: {len(cases)} cookies, {compressed} compressed by us; "
          f"Flask load: {'checked' if Flask is not None else 'skipped'}")
    if size_diffs:
        print(f"  zlib stream size, ours - Python zlib level 6, over our compressed cookies: "
              f"min {min(size_diffs)}, max {max(size_diffs)}, sum {sum(size_diffs)} B")
    print(f"  compress decision differs from Flask's: {len(decisions_differ)}")
    for d in decisions_differ:
        print(f"    {d}")
    for f in failures:
        print(f"FAIL {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
