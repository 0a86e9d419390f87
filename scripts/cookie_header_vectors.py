#!/usr/bin/env python3
"""What each framework's real Cookie-header parser finds, on the same lines: testdata/cookie_headers/parsers.json.

A deterministic set of hand-written and seeded-random `Cookie` header lines (separators, quotes, backslashes,
octal escapes, the whitespace Python's `str.strip()` removes and the ASCII `\\s` of Werkzeug's pattern, bare
tokens, `=` in values, duplicate and empty names, bytes outside ASCII, several lines per request), and for the
names `session` and `sessionid` the value each real parser returns (or null):

- werkzeug: Werkzeug 3.1.8's `Request.cookies` (what Flask's `request.cookies` is), over the lines as separate
  `Cookie` header fields: it joins them with ";" and runs `werkzeug.sansio.http.parse_cookie`. Single lines are
  also read through Flask's WSGI request (`HTTP_COOKIE`) and must give the same answer.
- django: Django 5.2's `request.COOKIES` on an `ASGIRequest` whose one `Cookie` header is the lines joined with
  "; " (`django.http.cookie.parse_cookie`).
- starlette: Starlette's `Request.cookies`, the lines as separate ASGI header fields (`cookie_parser` on each,
  later ones overriding earlier ones).
- node: npm `cookies@0.9.1`'s `get(name)` on `req.headers.cookie` as Node's http module builds it: the header
  bytes as latin-1 text, several `Cookie` lines joined with "; ".
- go: Go 1.19's `r.Cookie(name)` (what gorilla/sessions' `store.Get` reads) on a request whose `Cookie` header
  holds the lines' bytes as separate values (scripts/cookie_header_go, built by the xtask in GOPATH mode).

Servers hand header bytes over as latin-1 text (PEP 3333's WSGI environ, the ASGI servers through
`bytes.decode("latin-1")`, Node's http), so each line here is a latin-1 string: one character per byte.
Lines hold no CR or LF (no HTTP header value can).

Several lines: an HTTP/2 client may send each cookie as its own field (RFC 9113 8.2.3: join them with "; "),
the ASGI spec passes them on separately and says the same join. WSGI servers (gunicorn, Werkzeug's own server,
wsgiref) and Django 5.2's `ASGIRequest` join repeated fields with "," instead, which turns every cookie after
the first line into part of a value; each multi-line case records those answers under `comma_joined`, for the
record (the library follows the joins above).

    npm install --prefix target/cookie-node cookies@0.9.1
    GO111MODULE=off go build -o target/gorilla/cookie_header_go ./scripts/cookie_header_go
    target/cookie-venv/bin/python scripts/cookie_header_vectors.py --out testdata/cookie_headers
    target/cookie-venv/bin/python scripts/cookie_header_vectors.py --check testdata/cookie_headers

`--node-modules DIR` names the node_modules folder holding `cookies` (default target/cookie-node/node_modules);
`--go BIN` the built scripts/cookie_header_go (default target/gorilla/cookie_header_go; `cargo xtask vectors`
builds it).
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import subprocess
import sys
from importlib import metadata

import django
from django.conf import settings

settings.configure(ALLOWED_HOSTS=["*"], DEBUG=False, LOGGING_CONFIG=None)
django.setup()

from django.core.handlers.asgi import ASGIRequest  # noqa: E402
from flask import Flask  # noqa: E402
from starlette.requests import Request as StarletteRequest  # noqa: E402
from werkzeug.datastructures import Headers  # noqa: E402
from werkzeug.sansio.request import Request as WerkzeugRequest  # noqa: E402
from werkzeug.test import EnvironBuilder  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from vector_common import render  # noqa: E402

PINNED = {"Werkzeug": "3.1.8", "Flask": "3.1.3", "Django": "5.2.19", "starlette": "1.10.0"}
NODE_COOKIES = "0.9.1"
GO_VERSION = "go1.19"
FILE = "parsers.json"
NAMES = ["session", "sessionid"]
SEED = 20240613
RANDOM_CASES = 400

# Whitespace in every flavour the parsers disagree on: Python's str.strip() removes all of these, Werkzeug's
# `\s` (re.ASCII) only "\t\n\x0b\x0c\r ", Node's pattern only " ".
SPACES = [" ", "  ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0"]


# ----- the real parsers ------------------------------------------------------------------------------------


def werkzeug_answer(lines: list[str], name: str):
    """Werkzeug's `Request.cookies` over the lines as separate `Cookie` fields (Flask's request class)."""
    headers = Headers([("Cookie", line) for line in lines])
    req = WerkzeugRequest("GET", "http", ("localhost", 80), "", "/", b"", headers, "127.0.0.1")
    answer = req.cookies.get(name)
    if len(lines) == 1:
        # The same property reached the way Flask reaches it: a WSGI environ through flask.Request.
        environ = EnvironBuilder(path="/").get_environ()
        environ["HTTP_COOKIE"] = lines[0]
        flask_answer = FLASK.request_class(environ).cookies.get(name)
        assert flask_answer == answer, (lines, name, flask_answer, answer)
    return answer


def asgi_scope(header_values: list[bytes]) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"cookie", v) for v in header_values],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }


def django_answer(header_values: list[bytes], name: str):
    return ASGIRequest(asgi_scope(header_values), io.BytesIO()).COOKIES.get(name)


def starlette_answer(header_values: list[bytes], name: str):
    return StarletteRequest(asgi_scope(header_values)).cookies.get(name)


NODE_PROGRAM = r"""
const path = require("path");
const Cookies = require(path.join(process.argv[1], "cookies"));
const version = require(path.join(process.argv[1], "cookies", "package.json")).version;
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const answers = JSON.parse(input).map(({ lines, name }) => {
    // Node's http: header bytes as latin-1 text, repeated Cookie fields joined with "; ".
    const request = { headers: { cookie: lines.join("; ") } };
    const value = new Cookies(request, {}).get(name);
    return value === undefined ? null : value;
  });
  process.stdout.write(JSON.stringify({ version, answers }));
});
"""


def node_answers(node: str, modules: str, queries: list[dict]) -> list:
    if not os.path.isdir(os.path.join(modules, "cookies")):
        prefix = os.path.dirname(os.path.normpath(modules))
        sys.exit(f"no `cookies` in {modules}: npm install --prefix {prefix} cookies@{NODE_COOKIES}")
    out = subprocess.run(
        [node, "-e", NODE_PROGRAM, os.path.abspath(modules)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout
    result = json.loads(out)
    if result["version"] != NODE_COOKIES:
        sys.exit(f"cookies {result['version']} in {modules}; these vectors come from cookies@{NODE_COOKIES}")
    return result["answers"]


def go_answers(binary: str, queries: list[dict]) -> list:
    """Go's `r.Cookie(name)` for each query; the lines travel as base64 of their (latin-1) bytes."""
    if not os.path.isfile(binary):
        sys.exit(f"no {binary}: build scripts/cookie_header_go (cargo xtask vectors does)")
    wire = [
        {"lines": [base64.b64encode(line.encode("latin-1")).decode("ascii") for line in q["lines"]], "name": q["name"]}
        for q in queries
    ]
    out = subprocess.run(
        [binary], input=json.dumps(wire), capture_output=True, text=True, encoding="utf-8", check=True
    ).stdout
    result = json.loads(out)
    if not (result["version"] == GO_VERSION or result["version"].startswith(GO_VERSION + ".")):
        sys.exit(f"{binary} was built by {result['version']}; these vectors come from {GO_VERSION}")
    return result["answers"]


# ----- the lines -------------------------------------------------------------------------------------------

V = "eyJ1c2VyIjoiYWxpY2UifQ.ZVPxAA.9oaSwG1ofcmpYd1s9NoYhwrsHt4"  # a cookie-shaped value (never verified here)

# (id, comment, lines, name): the behaviours each parser is known for, and the regressions.
HAND: list[tuple[str, str, list[str], str]] = [
    (
        "regress-unit-separator-before-name",
        "\\x1f before the name: Python's strip() removes it (Django and Starlette open the cookie), so does Werkzeug",
        ["\x1fsessionid=" + V],
        "sessionid",
    ),
    (
        "regress-unit-separator-duplicate",
        "a later `\\x1fsessionid` is the same name to Python's strip(): Django and Starlette take its junk (the last)",
        ["sessionid=" + V + "; \x1fsessionid=junk"],
        "sessionid",
    ),
    ("regress-unit-separator-before-name-session", "", ["\x1fsession=" + V], "session"),
    ("regress-unit-separator-duplicate-session", "", ["session=" + V + "; \x1fsession=junk"], "session"),
    ("dup-first-or-last", "Werkzeug and Node take the first, Python the last", ["session=a; session=b"], "session"),
    ("dup-across-lines", "", ["session=a", "session=b"], "session"),
    ("bare-token", "a bare token: Werkzeug's empty value, Python's empty name", ["session; session=v"], "session"),
    ("bare-token-alone", "", ["session"], "session"),
    ("empty-value", "", ["session=; x=1"], "session"),
    ("spaces-around-equals", "Node needs `name=` with nothing between", ["session = v ; x=1"], "session"),
    ("leading-tab", "Node skips only spaces before a name", ["x=1;\tsession=v"], "session"),
    ("nbsp-and-nel", "\\xa0 and \\x85 are Python whitespace", ["\xa0session=\x85v\xa0"], "session"),
    ("equals-in-value", "", ["session=a=b==; x=1"], "session"),
    ("quoted-escapes", "", ['session="a\\"b\\\\c\\073d"'], "session"),
    (
        "quoted-octal-high",
        "octal escapes: a byte to Werkzeug (then UTF-8), a character to Python",
        ['session="\\303\\251\\377"'],
        "session",
    ),
    ("quoted-octal-not", "\\400 and \\08 are not octal escapes", ['session="\\400\\08"'], "session"),
    ("quoted-semicolon", "Werkzeug keeps a quoted ';', the others split there", ['session="a;b"; x=1'], "session"),
    ("quoted-hides-next", "", ['x="a;session=evil"; session=good'], "session"),
    ("quoted-after-spaces", "Werkzeug's `\\s` before and after the quotes", ['session= "a;b" ; x=1'], "session"),
    ("quoted-after-tab", "", ['session=\t"a;b"\t; x=1'], "session"),
    (
        "quoted-after-unit-separator",
        "\\x1f is not Werkzeug's `\\s`: no quoted value",
        ['session=\x1f"a;b"; x=1'],
        "session",
    ),
    ("quoted-before-unit-separator", "", ['session="a;b"\x1f; x=1'], "session"),
    ("quoted-then-junk", "", ['session="abc"def; x=1'], "session"),
    (
        "quoted-then-spaces",
        "any run of Werkzeug's `\\s` may separate a closing quote from ';'",
        ['x="a;session=evil"' + " " * 14 + "; session=good"],
        "session",
    ),
    ("unterminated-quote", "", ['session="abc; x=1'], "session"),
    ("lone-quote", "Node cuts first and last characters of a lone quote too", ['session="'], "session"),
    ("quote-no-close-node", "", ['session="abc'], "session"),
    ("trailing-backslash", "", ['session="ab\\'], "session"),
    ("empty-name", "", ["=v; session=w"], "session"),
    ("name-case", "names are case-sensitive", ["Session=v; SESSIONID=w"], "session"),
    (
        "latin1-other-cookie",
        "a byte outside ASCII elsewhere does not hide the cookie",
        ["pref=caf\xe9; session=v"],
        "session",
    ),
    ("latin1-value", "", ["session=caf\xe9"], "session"),
    ("utf8-value", "UTF-8 bytes stay latin-1 text in every parser", ["session=caf\xc3\xa9"], "session"),
    ("utf8-quoted-escaped", "", ['session="caf\xc3\xa9\\041"'], "session"),
    ("prefix-name", "", ["xsession=1; sessionid=2; session=3"], "session"),
    ("prefix-name-id", "", ["xsessionid=1; sessionidx=2; sessionid=3"], "sessionid"),
    (
        "chrome-crumbs",
        "HTTP/2 crumbs as Chrome sends them: each ending with ';'",
        ["a=1;", "session=" + V + ";", "c=3"],
        "session",
    ),
    ("empty-lines", "", ["", "session=v", ""], "session"),
    ("only-empty-line", "", [""], "session"),
    (
        "quote-spans-lines",
        "Werkzeug joins lines with ';', so a quote may run on into the next",
        ['x="a', 'b"; session=v'],
        "session",
    ),
    ("quote-spans-into-name", "", ['session="a', 'b"'], "session"),
    (
        "backslash-spans-lines",
        "a trailing backslash escapes Werkzeug's joining ';'",
        ['session="a\\', '"; x=1'],
        "session",
    ),
    ("quote-spans-no-close", "", ['session="a', "b; session=c"], "session"),
    ("quote-spans-then-junk", "", ['session="a', 'b"c; session=d'], "session"),
    (
        "go-skips-rejected-value",
        "Go skips a value with a byte outside printable ASCII and reads the next cookie of the name",
        ["session=caf\xe9; session=" + V],
        "session",
    ),
    ("go-skips-backslash", "", ['session="a\\b"', "session=" + V], "session"),
    ("go-space-and-comma-in-value", "Go accepts spaces and commas inside a value", ["session=a b,c; x=1"], "session"),
]


def rand_text(rng: random.Random, alphabet: str, lo: int, hi: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:!"


def rand_space(rng: random.Random) -> str:
    return rng.choice(SPACES) if rng.random() < 0.35 else ""


def rand_value(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.3:
        return rand_text(rng, TOKEN, 0, 12)
    if kind < 0.4:
        return rand_text(rng, TOKEN + "=", 1, 10)
    if kind < 0.5:
        return rand_text(rng, TOKEN + "".join(map(chr, range(0x80, 0x100))), 1, 8)
    # Quoted, with escapes of every kind; sometimes unterminated or followed by more text.
    parts = []
    for _ in range(rng.randint(0, 6)):
        parts.append(
            rng.choice(
                [
                    rand_text(rng, TOKEN, 1, 4),
                    "\\" + rng.choice('"\\;a '),
                    "\\" + f"{rng.randrange(0o400):03o}",
                    "\\" + rng.choice(["4", "8", "9"]) + rand_text(rng, "0123456789", 0, 2),
                    rng.choice([";", " ", "\t", "\x1f", "\xa0", "\xe9", "\xc3\xa9", "="]),
                ]
            )
        )
    body = '"' + "".join(parts)
    tail = rng.random()
    if tail < 0.7:
        body += '"'
    elif tail < 0.8:
        body += '"' + rand_text(rng, TOKEN, 1, 3)
    elif tail < 0.9:
        body += "\\"
    return body


def rand_pair(rng: random.Random, name: str) -> str:
    r = rng.random()
    if r < 0.45:
        n = name
    elif r < 0.6:
        n = rng.choice(NAMES)
    elif r < 0.7:
        n = rng.choice(["Session", "xsession", name + "x", name[:-1], "", "a b", name + ".sig"])
    else:
        n = rand_text(rng, TOKEN, 1, 6)
    n = rand_space(rng) + n + rand_space(rng)
    shape = rng.random()
    if shape < 0.1:
        return n  # a bare token
    equals = rng.choice(["=", "=", "=", " =", "= ", "==", "\t="])
    return n + equals + rand_space(rng) + rand_value(rng) + rand_space(rng)


def rand_line(rng: random.Random, name: str) -> str:
    pairs = [rand_pair(rng, name) for _ in range(rng.randint(0, 4))]
    line = ""
    for i, p in enumerate(pairs):
        if i:
            line += rng.choice([";", "; ", "; ", " ;", ";;", "; ;", ";\t", ";\x1f", "\x1c;"])
        line += p
    if rng.random() < 0.15:
        line += rng.choice([";", "; ", "\t"])
    return line


def cases_in() -> list[dict]:
    out = [{"id": i, "comment": c, "lines": lines, "name": name} for i, c, lines, name in HAND]
    rng = random.Random(SEED)
    for n in range(RANDOM_CASES):
        name = rng.choice(NAMES)
        count = rng.choice([1, 1, 1, 1, 2, 2, 3])
        lines = [rand_line(rng, name) for _ in range(count)]
        out.append({"id": f"random-{n:03}", "comment": "", "lines": lines, "name": name})
    return out


FLASK = Flask("cookie_header_vectors")


def build(node: str, modules: str, go: str) -> dict:
    for dist, version in PINNED.items():
        if metadata.version(dist) != version:
            sys.exit(f"{dist} {metadata.version(dist)} installed; these vectors come from {version}")
    cases = cases_in()
    assert len({c["id"] for c in cases}) == len(cases)
    queries = [{"lines": c["lines"], "name": c["name"]} for c in cases]
    node_values = node_answers(node, modules, queries)
    go_values = go_answers(go, queries)
    for case, node_value, go_value in zip(cases, node_values, go_values):
        lines, name = case["lines"], case["name"]
        assert all("\r" not in line and "\n" not in line for line in lines)
        raw = [line.encode("latin-1") for line in lines]
        case["expected"] = {
            "werkzeug": werkzeug_answer(lines, name),
            "django": django_answer([b"; ".join(raw)], name),
            "starlette": starlette_answer(raw, name),
            "node": node_value,
            "go": go_value,
        }
        if len(lines) > 1:
            # Each server's own "," join (gunicorn, Werkzeug's server and wsgiref set HTTP_COOKIE so; Django 5.2's
            # ASGIRequest does it with separate fields): recorded, not followed.
            wsgi = EnvironBuilder(path="/").get_environ()
            wsgi["HTTP_COOKIE"] = ",".join(lines)
            case["comma_joined"] = {
                "werkzeug": FLASK.request_class(wsgi).cookies.get(name),
                "django": django_answer(raw, name),
            }
        if not case["comment"]:
            del case["comment"]
    return {
        "file": FILE,
        "source": "scripts/cookie_header_vectors.py with "
        + ", ".join(f"{d} {v}" for d, v in PINNED.items())
        + f", npm cookies@{NODE_COOKIES}, Go {GO_VERSION[2:]} net/http",
        "comment": "Each case: Cookie header lines (latin-1 text: one character per byte) as a server receives them,"
        " the cookie name, and under `expected` what each real parser returns for it (null: no such cookie)."
        " werkzeug: Request.cookies (Flask), lines joined with ';'. django: ASGIRequest.COOKIES with the lines"
        " joined with '; '. starlette: Request.cookies, each line parsed in turn. node: cookies@0.9.1 get(name)"
        " on the lines joined with '; ' as Node's http joins them. go: Go 1.19's Request.Cookie(name), the lines as"
        " separate Cookie values. `comma_joined` (several lines only): what"
        " Flask and Django see when the server joins the lines with ',' (WSGI servers, Django 5.2's ASGIRequest).",
        "cases": cases,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", metavar="DIR", help=f"write {FILE} into DIR")
    g.add_argument("--check", metavar="DIR", help=f"exit 1 if DIR/{FILE} differs from a fresh generation")
    ap.add_argument("--node-modules", default="target/cookie-node/node_modules", metavar="DIR")
    ap.add_argument("--node", default="node", help="the node binary")
    ap.add_argument(
        "--go", default="target/gorilla/cookie_header_go", metavar="BIN", help="the built scripts/cookie_header_go"
    )
    args = ap.parse_args()
    text = render(build(args.node, args.node_modules, args.go))
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, FILE)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {path} ({len(json.loads(text)['cases'])} cases)")
        return 0
    path = os.path.join(args.check, FILE)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            current = f.read()
    except FileNotFoundError:
        current = None
    if current != text:
        print(f"differs: {path}")
        return 1
    print(f"1 file up to date in {args.check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
