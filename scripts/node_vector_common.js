'use strict'
/*
 * What the Node vector generators share (express_vectors.js, iron_vectors.js, authjs_vectors.js): the pinned
 * packages under target/node, the session as every profile's vectors write it (Python's compact, key-sorted
 * json.dumps), one HTTP/1.1 request written on a socket and its answer, Set-Cookie parsing, the scenario case
 * built from the framework's answer and ours, the file text, a frozen clock and the command line.
 */

const crypto = require('crypto')
const fs = require('fs')
const net = require('net')
const path = require('path')
const { pathToFileURL } = require('url')

const ROOT = path.resolve(__dirname, '..')
const MODULES = path.resolve((process.env.NODE_PATH || '').split(path.delimiter).find(Boolean) ||
  path.join(ROOT, 'target', 'node', 'node_modules'))
const PINNED = JSON.parse(fs.readFileSync(path.join(ROOT, 'interop', 'node', 'package.json'), 'utf8')).dependencies
/** The Node major the committed files were generated with (named in their `source`). */
const NODE_MAJOR = 20

/** A CommonJS package (or a file in one) from MODULES: the pinned install, not whatever `require` finds first. */
function load (name) {
  return require(path.join(MODULES, name))
}

/** An ES module file under MODULES (`pkg/dist/index.js`), by path: package export maps do not apply. */
function importModule (file) {
  return import(pathToFileURL(path.join(MODULES, file)).href)
}

/** The installed version of a package (from its package.json under MODULES; `a/node_modules/b` for a nested one). */
function installed (name) {
  return JSON.parse(fs.readFileSync(path.join(MODULES, name, 'package.json'), 'utf8')).version
}

/** Prints `msg` prefixed with the script's name and exits 2 (a usage or setup problem, not a difference). */
function fail (script, msg) {
  console.error(`${script}: ${msg}`)
  process.exit(2)
}

/**
 * Refuses to run unless each of `names` is installed at the version interop/node/package.json pins (an npm
 * alias such as `"iron-session-9": "npm:iron-session@9.0.1"` is checked against its version), each of
 * `nested` ({path: version}) is installed where and as the lockfile put it, each of `absent` is not installed,
 * and this is Node NODE_MAJOR.
 */
function checkVersions (script, { names, nested = {}, absent = [] }) {
  const want = (n) => String(PINNED[n] || '').replace(/^npm:(@?[^@]+)@/, '')
  const check = (name, version) => {
    let got
    try {
      got = installed(name)
    } catch {
      fail(script, `${name} is not installed under ${MODULES} (run cargo xtask vectors, or npm ci there)`)
    }
    if (got !== version) fail(script, `${name} ${got} is installed under ${MODULES}; the vectors need ${version}`)
  }
  for (const n of names) {
    if (!PINNED[n]) fail(script, `${n} is not pinned in interop/node/package.json`)
    check(n, want(n))
  }
  for (const [p, v] of Object.entries(nested)) check(p, v)
  const found = absent.filter((p) => fs.existsSync(path.join(MODULES, p)))
  if (found.length) fail(script, `unexpected nested packages: ${found.join(', ')}`)
  const major = Number(process.versions.node.split('.')[0])
  if (major !== NODE_MAJOR) fail(script, `the vectors are generated on Node ${NODE_MAJOR}; this is Node ${process.versions.node}`)
}

// -------------------------------------------------------------------------------------------------------
// Python's json.dumps(s, separators=(",", ":"), sort_keys=True): how every profile's vectors write a session

/** Compares two strings by code point (Python's str order; JS's default compares UTF-16 code units). */
function byCodePoint (a, b) {
  const x = Array.from(a)
  const y = Array.from(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0) - y[i].codePointAt(0)
    if (d) return d
  }
  return x.length - y.length
}

/** A JSON string as Python writes it with ensure_ascii: short escapes, else `\uXXXX` (lowercase) per UTF-16 unit. */
function pyString (s) {
  const short = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]
    const c = s.charCodeAt(i)
    if (short[ch]) out += short[ch]
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0')
    else out += ch
  }
  return out + '"'
}

/**
 * A number as Python writes the value its JSON text reads as: JSON.stringify's text without `.`/`e` is a
 * Python int (written as is); otherwise a float, written as Python's repr (shortest digits, fixed notation
 * for exponents -4..15 with at least one decimal, else `d.ddde±XX`).
 */
function pyNumber (n) {
  if (!Number.isFinite(n)) throw new Error(`no JSON text for ${n}`)
  const text = JSON.stringify(n)
  if (!/[.eE]/.test(text)) return text
  const [mant, e] = n.toExponential().split('e')
  const sign = mant.startsWith('-') ? '-' : ''
  const digits = mant.replace('-', '').replace('.', '')
  const exp = Number(e)
  if (exp >= -4 && exp < 16) {
    let fixed
    if (exp < 0) fixed = '0.' + '0'.repeat(-exp - 1) + digits
    else if (digits.length > exp + 1) fixed = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1)
    else fixed = digits + '0'.repeat(exp + 1 - digits.length) + '.0'
    return sign + fixed
  }
  const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits
  return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
}

/** Python's compact, key-sorted, ASCII-only json.dumps of a JSON value (own enumerable keys of objects). */
function pyDumps (v) {
  if (v === null) return 'null'
  if (v === true) return 'true'
  if (v === false) return 'false'
  if (typeof v === 'number') return pyNumber(v)
  if (typeof v === 'string') return pyString(v)
  if (Array.isArray(v)) return '[' + v.map(pyDumps).join(',') + ']'
  if (typeof v === 'object') {
    return '{' + Object.keys(v).sort(byCodePoint).map((k) => pyString(k) + ':' + pyDumps(v[k])).join(',') + '}'
  }
  throw new Error(`not a JSON value: ${typeof v}`)
}

// -------------------------------------------------------------------------------------------------------
// One request on a socket

/**
 * Writes one HTTP/1.1 POST of `body` (UTF-8) to `target` on a socket, one `Cookie:` line per entry of
 * `cookies` (Node's client would fold them into one), plus `extra` header lines; parses the answer.
 */
function send (port, { cookies, body, https, target = '/view', extra = [] }) {
  const payload = Buffer.from(body, 'utf8')
  let head = `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n`
  for (const c of cookies) head += `Cookie: ${c}\r\n`
  if (https) head += 'X-Forwarded-Proto: https\r\n'
  for (const h of extra) head += `${h}\r\n`
  return new Promise((resolve, reject) => {
    const chunks = []
    const sock = net.connect(port, '127.0.0.1', () => sock.write(Buffer.concat([Buffer.from(head + '\r\n', 'utf8'), payload])))
    sock.on('data', (d) => chunks.push(d))
    sock.on('error', reject)
    sock.on('end', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks)))
      } catch (e) {
        reject(e)
      }
    })
  })
}

/** Status, headers (latin-1, in order) and body (de-chunked, UTF-8) of a raw HTTP/1.1 response. */
function parseResponse (raw) {
  const split = raw.indexOf('\r\n\r\n')
  if (split < 0) throw new Error('no end of headers in the response')
  const lines = raw.subarray(0, split).toString('latin1').split('\r\n')
  const status = Number(lines[0].split(' ')[1])
  const headers = lines.slice(1).map((l) => {
    const i = l.indexOf(':')
    return [l.slice(0, i).trim(), l.slice(i + 1).trim()]
  })
  let body = raw.subarray(split + 4)
  const te = headers.find(([n]) => n.toLowerCase() === 'transfer-encoding')
  if (te && /chunked/i.test(te[1])) {
    const parts = []
    let at = 0
    for (;;) {
      const eol = body.indexOf('\r\n', at)
      const size = parseInt(body.subarray(at, eol).toString('latin1'), 16)
      if (!size) break
      parts.push(body.subarray(eol + 2, eol + 2 + size))
      at = eol + 2 + size + 2
    }
    body = Buffer.concat(parts)
  }
  return { status, headers, body: body.toString('utf8') }
}

const ATTR_NAMES = ['Domain', 'Expires', 'Max-Age', 'Secure', 'HttpOnly', 'Path', 'SameSite', 'Partitioned']

/**
 * A Set-Cookie header as the vectors record it (attribute names canonical, values as written); `json` is
 * `sessionInside(name, value)` when given (the express profile's single-cookie sessions), else null and
 * filled in later for a session spread over several cookies.
 */
function parseSetCookie (header, sessionInside) {
  const [pair, ...parts] = header.split(';').map((p) => p.trim())
  const eq = pair.indexOf('=')
  const name = pair.slice(0, eq)
  const value = pair.slice(eq + 1)
  const attributes = {}
  for (const p of parts.filter(Boolean)) {
    const i = p.indexOf('=')
    const k = i < 0 ? p : p.slice(0, i)
    const canon = ATTR_NAMES.find((n) => n.toLowerCase() === k.toLowerCase()) || k
    attributes[canon] = i < 0 ? true : p.slice(i + 1)
  }
  return { name, value, attributes, json: sessionInside ? sessionInside(name, value) : null }
}

// -------------------------------------------------------------------------------------------------------
// Inputs

/** Fixed, random-looking URL-safe text (a SHA-256 chain, as scripts/vector_common.py `det_chars`). */
function detChars (n, seed) {
  let out = ''
  let block = Buffer.from(seed, 'utf8')
  while (out.length < n) {
    block = crypto.createHash('sha256').update(block).digest()
    out += block.toString('base64url')
  }
  return out.slice(0, n)
}

/** Key text as our library reads it: `hex:<hex>` and `base64:<std base64>` are raw bytes, else UTF-8 text. */
function keyBytes (text) {
  if (text.startsWith('hex:')) return Buffer.from(text.slice(4), 'hex')
  if (text.startsWith('base64:')) return Buffer.from(text.slice(7), 'base64')
  return Buffer.from(text, 'utf8')
}

const RealDate = Date
let frozenMs = null

/**
 * Freezes the clock at `seconds` (Unix time): `Date.now()` and `new Date()` (jose reads the time that way)
 * answer it; `new Date(x)` and the rest of Date behave as usual. The first call installs the frozen Date.
 */
function freezeClock (seconds) {
  frozenMs = seconds * 1000
  if (globalThis.Date !== RealDate) return
  class FrozenDate extends RealDate {
    constructor (...args) {
      if (args.length) super(...args)
      else super(frozenMs)
    }

    static now () {
      return frozenMs
    }
  }
  globalThis.Date = FrozenDate
}

// -------------------------------------------------------------------------------------------------------
// A scenario case

/** The part of an answer the vectors compare: status, Vary values, Set-Cookie entries. */
function strip (r) {
  return { status: r.status, vary: r.vary, set_cookie: r.set_cookie }
}

const READS = ['get', 'contains', 'keys', 'dump']

/**
 * A scenario case from its specification. `run(over)` sends the request (`over` changes it: `cookies`,
 * `config`, `prefix` (actions run first), `actions`, `https`) and resolves to {status, vary, set_cookie,
 * observations}; `ours` is the same configuration in our words. Without `spec.divergence` the expected
 * answer is the framework's; with one it comes from `spec.ours`: `{literal: {...}, observations}` as stated,
 * else the real app on the request changed by `spec.ours`.
 */
async function buildScenario (spec, run, ours, now) {
  const fw = await run()
  if (spec.check) {
    try {
      await spec.check(fw)
    } catch (e) {
      throw new Error(`${spec.id}: ${e.message}`)
    }
  }
  let exp
  let expObs
  if (!spec.divergence) {
    exp = fw
    expObs = fw.observations
  } else if (spec.ours.literal) {
    exp = spec.ours.literal
    expObs = spec.ours.observations || []
  } else {
    exp = await run(spec.ours)
    expObs = exp.observations
  }
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b)
  if (spec.divergence && same(strip(exp), strip(fw)) && same(expObs, fw.observations)) {
    throw new Error(`${spec.id}: divergence ${spec.divergence} but the expected answer equals the framework's`)
  }
  if (!spec.divergence && fw.status !== 200) throw new Error(`${spec.id}: status ${fw.status}`)
  let i = 0
  const actions = spec.actions.map((a) => (READS.includes(a.op) ? { ...a, expect: expObs[i++] } : a))
  if (exp.status === 200 && i !== expObs.length) throw new Error(`${spec.id}: ${expObs.length} observations for ${i} reads`)
  const framework = strip(fw)
  if (!same(expObs, fw.observations)) framework.observations = fw.observations
  return {
    id: spec.id,
    comment: spec.comment,
    kind: 'scenario',
    config: spec.config,
    ours,
    now: spec.now || now,
    request_cookies: spec.cookies,
    actions,
    framework,
    expected: strip(exp),
    divergence: spec.divergence || null
  }
}

/** Runs every file's specifications in order: {file name: [case]}; ids must be unique within a file. */
async function buildFiles (specsByFile, build) {
  const out = {}
  for (const [file, list] of Object.entries(specsByFile)) {
    const cases = []
    for (const s of list) cases.push(await build(s))
    const ids = cases.map((c) => c.id)
    if (new Set(ids).size !== ids.length) throw new Error(`duplicate ids in ${file}`)
    out[file] = cases
  }
  return out
}

/** The distinct divergences of some cases, in order of appearance. */
function divergencesOf (cases) {
  return [...new Set(cases.map((c) => c.divergence).filter(Boolean))]
}

const get = (key) => ({ op: 'get', key })
const set = (key, value) => ({ op: 'set', key, value })
const pop = (key) => ({ op: 'pop', key })
const clear = () => ({ op: 'clear' })
const contains = (key) => ({ op: 'contains', key })
const keys = () => ({ op: 'keys' })
const dump = () => ({ op: 'dump' })

/**
 * Runs `actions` on the object `s` (a session, a token's claims) and returns {out, cleared, wrote}: what the
 * view observed, whether it cleared, whether it set or popped. `get`/`contains` read own properties only.
 */
function runActions (s, actions) {
  const has = (k) => Object.prototype.hasOwnProperty.call(s, k)
  const out = []
  let cleared = false
  let wrote = false
  actions.forEach((a, i) => {
    if (i > 0 && actions[i - 1].op === 'clear') throw new Error('an action after clear')
    switch (a.op) {
      case 'get': out.push(has(a.key) && s[a.key] !== undefined ? s[a.key] : null); break
      case 'contains': out.push(has(a.key)); break
      case 'set': s[a.key] = a.value; wrote = true; break
      case 'pop': delete s[a.key]; wrote = true; break
      case 'clear': cleared = true; break
      case 'keys': out.push(Object.keys(s).sort(byCodePoint)); break
      case 'dump': out.push(pyDumps(s)); break
      default: throw new Error(`unknown action ${a.op}`)
    }
  })
  return { out, cleared, wrote }
}

// -------------------------------------------------------------------------------------------------------
// Files and the command line

/** The file text: 2-space indent, non-ASCII as is, a trailing newline (as scripts/vector_common.py `render`). */
function render (doc) {
  return JSON.stringify(doc, null, 2) + '\n'
}

/** Names the cases of `cur` (committed) and `text` (fresh) that differ, and the first differing line. */
function diffSummary (cur, text) {
  if (cur === null) return 'missing'
  const lines = [cur.split('\n'), text.split('\n')]
  const first = lines[1].findIndex((l, i) => l !== lines[0][i])
  const out = [`first difference at line ${first + 1}: committed ${JSON.stringify(lines[0][first])}, fresh ${JSON.stringify(lines[1][first])}`]
  try {
    const byId = (t) => new Map(JSON.parse(t).cases.map((c) => [c.id, JSON.stringify(c)]))
    const [a, b] = [byId(cur), byId(text)]
    const changed = [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k))
    const added = [...b.keys()].filter((k) => !a.has(k))
    const removed = [...a.keys()].filter((k) => !b.has(k))
    if (changed.length) out.push(`changed: ${changed.join(', ')}`)
    if (added.length) out.push(`new: ${added.join(', ')}`)
    if (removed.length) out.push(`gone: ${removed.join(', ')}`)
  } catch (e) {
    out.push(`the committed file does not parse: ${e.message}`)
  }
  return out.join('\n    ')
}

/** The committed file `name` under `dir`: its text, or null when there is none. */
function committed (dir, name) {
  const p = path.join(dir, name)
  return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null
}

/** `--check` for byte-for-byte deterministic files: each fresh document must be the committed text. */
function checkExact (docs, dir) {
  let differ = 0
  for (const [name, doc] of Object.entries(docs)) {
    const cur = committed(dir, name)
    const text = render(doc)
    if (cur !== text) {
      differ++
      console.log(`differs: ${path.join(dir, name)}\n    ${diffSummary(cur, text)}`)
    }
  }
  if (!differ) console.log(`${Object.keys(docs).length} files up to date in ${dir}`)
  return differ
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g

/**
 * A vector document with its random parts masked, for comparing two runs of a generator whose packages
 * seal with random salts, IVs or token ids: every cookie value (in `request_cookies` and in Set-Cookie
 * entries) becomes its length, which is fixed for the same session, time and key; UUIDs (a JWT's jti) in
 * the sessions a cookie holds (`json`) and in what a view observed become `<uuid>`.
 */
function maskRandom (doc) {
  const pairs = (line) => line.split('; ').map((p) => {
    const eq = p.indexOf('=')
    return eq < 0 ? p : `${p.slice(0, eq)}=<${p.length - eq - 1} chars>`
  }).join('; ')
  const uuids = (v) => JSON.parse(JSON.stringify(v), (k, x) => (typeof x === 'string' ? x.replace(UUID, '<uuid>') : x))
  const answer = (a) => a && {
    ...a,
    set_cookie: a.set_cookie.map((c) => ({ ...c, value: c.value === '' ? '' : `<${c.value.length} chars>`, json: c.json === null ? null : c.json.replace(UUID, '<uuid>') })),
    ...(a.observations ? { observations: uuids(a.observations) } : {})
  }
  return {
    ...doc,
    cases: doc.cases.map((c) => ({
      ...c,
      ...(c.request_cookies ? { request_cookies: c.request_cookies.map(pairs) } : {}),
      ...(c.actions ? { actions: uuids(c.actions) } : {}),
      ...(c.framework ? { framework: answer(c.framework) } : {}),
      ...(c.expected ? { expected: answer(c.expected) } : {})
    }))
  }
}

/**
 * `--check DIR` for generators with random output: each fresh document must equal the committed one with
 * random parts masked (`maskRandom`: the same cases, inputs and outcomes), and `replay(doc, case)` (the real
 * package answering each committed case again, resolving to a list of problems) must find nothing.
 */
async function checkRandom (docs, dir, replay) {
  let differ = 0
  for (const [name, doc] of Object.entries(docs)) {
    const cur = committed(dir, name)
    const text = render(maskRandom(doc))
    const curDoc = cur === null ? null : JSON.parse(cur)
    const curText = curDoc === null ? null : render(maskRandom(curDoc))
    if (curText !== text) {
      differ++
      console.log(`differs: ${path.join(dir, name)} (random values masked)\n    ${diffSummary(curText, text)}`)
    }
    if (curDoc === null) continue
    for (const c of curDoc.cases) {
      const problems = await replay(curDoc, c)
      if (problems.length) {
        differ++
        console.log(`differs: ${path.join(dir, name)} ${c.id} replayed: ${problems.join('; ')}`)
      }
    }
  }
  if (!differ) console.log(`${Object.keys(docs).length} files up to date in ${dir} (every committed case replayed)`)
  return differ
}

/**
 * The command line every generator shares: `--out DIR` writes `documents()`, `--check DIR` runs `check(DIR)`
 * (default: the fresh documents must equal the committed text), `--read-ours FILE` runs `readOurs(FILE)`.
 * `setup()` runs first (the version checks). Exits with the status its mode answers.
 */
function main (script, { setup, documents, check, readOurs }) {
  const run = async (argv) => {
    const usage = `usage: ${script} --out DIR | --check DIR | --read-ours FILE`
    if (argv.length !== 2) fail(script, usage)
    const [flag, arg] = argv
    await setup()
    if (flag === '--read-ours') return readOurs(arg)
    if (flag === '--check') return (check ? await check(arg) : checkExact(await documents(), arg)) ? 1 : 0
    if (flag !== '--out') fail(script, usage)
    const docs = await documents()
    fs.mkdirSync(arg, { recursive: true })
    for (const [name, doc] of Object.entries(docs)) {
      fs.writeFileSync(path.join(arg, name), render(doc))
      console.log(`wrote ${path.join(arg, name)} (${doc.cases.length} cases)`)
    }
    return 0
  }
  run(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(`${script}: ${e.stack || e}`)
    process.exit(1)
  })
}

module.exports = {
  ROOT,
  MODULES,
  NODE_MAJOR,
  load,
  importModule,
  installed,
  fail,
  checkVersions,
  byCodePoint,
  pyString,
  pyNumber,
  pyDumps,
  send,
  parseResponse,
  parseSetCookie,
  detChars,
  keyBytes,
  freezeClock,
  strip,
  buildScenario,
  buildFiles,
  divergencesOf,
  runActions,
  actions: { get, set, pop, clear, contains, keys, dump },
  render,
  diffSummary,
  committed,
  checkExact,
  maskRandom,
  checkRandom,
  main
}
