"""Helpers shared by the Starlette and Django vector generators (the Flask one predates them)."""

from __future__ import annotations

import argparse
import hashlib
import base64
import json
import os

NOW0 = 1700000000
K1 = "secret-key-1"

ATTR_NAMES = ["Domain", "Expires", "Max-Age", "Secure", "HttpOnly", "Path", "SameSite", "Partitioned"]


def canonical_attrs(parts: list[str]) -> dict:
    """Set-Cookie attributes keyed by their canonical names (values as written)."""
    out: dict = {}
    for part in parts:
        k, v = part.split("=", 1) if "=" in part else (part, True)
        k = next((n for n in ATTR_NAMES if n.lower() == k.lower()), k)
        out[k] = v
    return out


def sorted_json(value) -> str:
    """The session as compact JSON with sorted keys (how the harness compares sessions of every format)."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def flip(s: str, i: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    c = s[i]
    n = alphabet[(alphabet.index(c) + 7) % 64] if c in alphabet else "A"
    return s[:i] + n + s[i + 1 :]


def det_chars(n: int, seed: str) -> str:
    """Fixed, random-looking URL-safe text (hash chain; no RNG)."""
    out = []
    block = seed.encode()
    while sum(map(len, out)) < n:
        block = hashlib.sha256(block).digest()
        out.append(base64.urlsafe_b64encode(block).decode().rstrip("="))
    return "".join(out)[:n]


def wrap(name: str, fmt: str, source: str, comment: str, cases: list[dict]) -> dict:
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), ids
    return {"file": name, "format": fmt, "source": source, "comment": comment, "cases": cases}


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(doc: str, build) -> int:
    """`--out DIR` / `--check DIR` for a generator whose `build()` returns {file name: vector document}."""
    return write_or_check(doc, lambda: {name: render(d) for name, d in build().items()})


def write_or_check(doc: str, build_texts) -> int:
    """`--out DIR` writes the files `build_texts()` returns ({file name: text}); `--check DIR` exits 1 if the
    committed files differ from them (shared by every vector generator, Flask's included)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", metavar="DIR", help="write the vector files into DIR")
    g.add_argument("--check", metavar="DIR", help="exit 1 if the files in DIR differ from a fresh generation")
    args = ap.parse_args()
    files = build_texts()
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        for name, text in files.items():
            with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            print(f"wrote {os.path.join(args.out, name)} ({len(json.loads(text)['cases'])} cases)")
        return 0
    differ = []
    for name, text in files.items():
        path = os.path.join(args.check, name)
        try:
            with open(path, encoding="utf-8", newline="") as f:
                cur = f.read()
        except FileNotFoundError:
            cur = None
        if cur != text:
            differ.append(path)
    for p in differ:
        print(f"differs: {p}")
    if not differ:
        print(f"{len(files)} files up to date in {args.check}")
    return 1 if differ else 0
