#!/usr/bin/env python3
"""Writes fuzz/seeds/<target>/ from testdata/vectors/*.json (the committed seed corpus).

cookie_decode: every vector cookie value.  gob_decode: every gob stream the gorilla vectors hold (`gob_hex`) and Go's gob corpus (`testdata/gob/decode.json`).  cookie_header: `session=<cookie>` headers plus the scenario
requests' cookies (one header per line).  tagged_json: every tagged JSON text in the vectors.  format_decode: a format byte (as the target picks
formats and keys) followed by a Cookie header with every cookie of that format's vectors.
File names are the SHA-1 of the content, as libFuzzer names corpus entries. Run from anywhere:
    python3 fuzz/make_seeds.py
"""
import base64
import hashlib
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds"


def walk(node, key=None):
    """Yields (key, value) for every string anywhere in a JSON document."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, key)
    elif isinstance(node, str):
        yield key, node


def main():
    seeds = {"cookie_decode": set(), "cookie_header": set(), "tagged_json": set(), "gob_decode": set(), "php_decode": set()}
    for path in sorted((ROOT / "testdata" / "vectors").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            cookies = []
            if case.get("cookie") is not None:
                cookies.append(case["cookie"])
            for key, value in walk(case):
                if key == "tagged_json":
                    seeds["tagged_json"].add(value)
                elif key == "gob_hex":
                    seeds["gob_decode"].add(bytes.fromhex(value))
                elif key == "serialized":
                    seeds["php_decode"].add(value)
                elif key in ("raw", "request_cookies") and value.startswith("session="):
                    # a request's cookie, or a Set-Cookie line the app signed
                    cookies.append(value.split(";", 1)[0].split("=", 1)[1])
            for c in cookies:
                seeds["cookie_decode"].add(c)
                seeds["cookie_header"].add(f"session={c}")
            req = case.get("request_cookies") or []
            if req:
                parts = []
                for rc in req:
                    if isinstance(rc, dict):
                        parts.append(f"{rc.get('name', 'session')}={rc.get('value', '')}")
                    else:
                        parts.append(str(rc))
                seeds["cookie_header"].add("; ".join(parts))
                seeds["cookie_header"].add("\n".join(parts))
    # PHP's serialize() and unserialize() corpora (testdata/php/): the texts PHP wrote and the edges of its grammar.
    for name in ("serialize.json", "unserialize.json"):
        doc = json.loads((ROOT / "testdata" / "php" / name).read_text(encoding="utf-8"))
        for case in doc["cases"]:
            for key in ("serialized", "text"):
                if key in case:
                    seeds["php_decode"].add(base64.b64decode(case[key]))
    # Go's gob corpus (testdata/gob/decode.json): streams Go wrote, most damaged, each with Go's answer.
    doc = json.loads((ROOT / "testdata" / "gob" / "decode.json").read_text(encoding="utf-8"))
    for case in doc["cases"]:
        if case["gob"]:
            seeds["gob_decode"].add(bytes.fromhex(case["gob"]))
    seeds["format_decode"] = format_seeds()
    for target, items in seeds.items():
        d = OUT / target
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for s in sorted(items, key=lambda s: s if isinstance(s, bytes) else s.encode("utf-8")):
            b = s if isinstance(s, bytes) else s.encode("utf-8")
            (d / hashlib.sha1(b).hexdigest()).write_bytes(b)
        print(f"{target}: {len(items)} seeds")


# format_decode's first byte: the low nibble is the format's index in `Format::ALL` (the REGISTRY order below;
# one past the end is Rails with SHA-1), the high nibble the key set
# (0 the Python vectors', 1 Rails', 2 actix-session's, 3 Express', 4 iron-session's, 5 Auth.js', 6 gorilla's,
# 7 Laravel's); the rest is a
# whole Cookie header
# (fuzz_targets/format_decode.rs).
REGISTRY = [
    "flask", "starlette", "django", "rails", "actix-private", "actix-signed", "express", "iron-session", "authjs",
    "next-auth-v4", "gorilla", "laravel", "laravel-gcm",
]
KEYSET = {
    "flask": 0, "starlette": 0, "django": 0, "rails": 1, "actix-private": 2, "actix-signed": 2, "express": 3,
    "iron-session": 4, "authjs": 5, "next-auth-v4": 5, "gorilla": 6, "laravel": 7, "laravel-gcm": 7,
}


def pick(fmt, sha1=False):
    index = len(REGISTRY) if sha1 else REGISTRY.index(fmt)
    return bytes([KEYSET[fmt] << 4 | index])


def format_seeds():
    out = set()
    for path in sorted((ROOT / "testdata" / "vectors").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        fmt = doc["format"]
        for case in doc["cases"]:
            cookie = case.get("cookie")
            case_fmt = "actix-signed" if case.get("mode") == "signed" else fmt
            sha1 = fmt == "rails" and "sha1" in str(case.get("made_by", ""))
            cookie_name = {"rails": "_app_session", "actix-private": "id", "actix-signed": "id", "django": "sessionid"}.get(
                case_fmt, "session"
            )
            if isinstance(cookie, str):
                out.add(pick(case_fmt, sha1) + f"{cookie_name}={cookie}".encode("utf-8"))
            if isinstance(case.get("cookie_header"), str) and fmt == "laravel":
                out.add(pick(case["ours"]["format"]) + case["cookie_header"].encode("utf-8"))
            for line in case.get("request_cookies") or []:
                if fmt in ("express", "iron-session", "authjs", "next-auth-v4", "gorilla"):
                    out.add(pick(fmt) + line.encode("utf-8"))
    return out


if __name__ == "__main__":
    main()
