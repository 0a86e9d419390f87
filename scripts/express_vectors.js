#!/usr/bin/env node
'use strict'
/*
 * Vectors for the express profile, made by the real packages: every case is one HTTP request on loopback
 * to a real Express 4 app using cookie-session (which signs with cookies and keygrip), time frozen by
 * overriding Date.now (the only clock cookies reads: `expires = new Date(Date.now() + maxAge)`).
 *
 *     node scripts/express_vectors.js --out testdata/vectors      # (re)write express_*.json
 *     node scripts/express_vectors.js --check testdata/vectors    # exit 1 (and say what differs) if stale
 *     node scripts/express_vectors.js --read-ours FILE            # real cookie-session reads cookies we made
 *
 * The packages come from target/node/node_modules (`cargo xtask vectors` installs interop/node/package-lock.json
 * there; NODE_PATH may name another folder) and must be the versions interop/node/package.json pins.
 *
 * Requests are written on a socket rather than with http.request: Node's client folds repeated Cookie
 * headers into one line, and two lines are one of the cases. Responses are parsed by node_vector_common.js
 * (status, headers in order, a Content-Length or chunked body), which holds what the Node generators share.
 *
 * Each case: `config` (the cookie-session options as passed), `ours` (the same settings in our words),
 * `request_cookies` (Cookie header lines), `actions` (what the view did: get/contains/set/pop/clear/keys/dump),
 * `framework` (what Express answered: status, Vary, every Set-Cookie in order, the session inside each as
 * sorted compact JSON in Python's `json.dumps(s, separators=(",", ":"), sort_keys=True)` form, null for a
 * deletion or a `.sig`), `expected` (what our library must answer) and `divergence`. Where the view of our
 * library sees something else than cookie-session's (a divergence), the actions' `expect` are ours and
 * `framework.observations` holds what cookie-session's view saw.
 *
 * Expected answers of divergent cases come from the real packages too wherever a rule allows it: "a refused
 * cookie is no cookie" is the same request without it, "re-sign with the current key" is the same session
 * written by an app holding only that key, "an emptied session is deleted" is cookie-session's own
 * `req.session = null` on the same request.
 */

const crypto = require('crypto')
const fs = require('fs')
const http = require('http')

const common = require('./node_vector_common')

const { NODE_MAJOR, load, installed, pyDumps, byCodePoint, send, parseSetCookie: parseSetCookieWith, detChars, keyBytes } = common
const SCRIPT = 'express_vectors.js'

const NOW = 1700000000
const K_NEW = 'express-key-current-0001'
const K_OLD = 'express-key-previous-0001'
const K_OTHER = 'express-key-unknown-0001'

/** Refuses to run on packages other than the pinned ones, or on another Node major. */
function checkVersions () {
  // cookie-session must use the top-level cookies (and cookies the top-level keygrip), not a nested copy.
  common.checkVersions(SCRIPT, {
    names: ['express', 'cookie-session', 'cookies', 'keygrip'],
    absent: ['cookie-session/node_modules/cookies', 'cookies/node_modules/keygrip']
  })
}

/** The `source` line of both files: the generator and the exact package versions it ran. */
function source () {
  const v = (n) => installed(n)
  return `scripts/express_vectors.js with express ${v('express')}, cookie-session ${v('cookie-session')}, ` +
    `cookies ${v('cookies')}, keygrip ${v('keygrip')} (Node ${NODE_MAJOR})`
}

// -------------------------------------------------------------------------------------------------------
// The app and one request through it

const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k)

/**
 * Runs the actions on `req.session` and returns what the view observed. `get` reads an entry of the session
 * (an own property: `req.session.constructor` is cookie-session's Session class, not an entry), `contains`
 * likewise; `clear` is `req.session = null`, cookie-session's way to destroy a session (nothing may follow it:
 * the session is then null).
 */
function view (req, actions) {
  const out = []
  actions.forEach((a, i) => {
    if (i > 0 && actions[i - 1].op === 'clear') throw new Error('an action after clear')
    const s = req.session
    switch (a.op) {
      case 'get': out.push(hasOwn(s, a.key) && s[a.key] !== undefined ? s[a.key] : null); break
      case 'contains': out.push(hasOwn(s, a.key)); break
      case 'set': s[a.key] = a.value; break
      case 'pop': delete s[a.key]; break
      case 'clear': req.session = null; break
      case 'keys': out.push(Object.keys(s).sort(byCodePoint)); break
      case 'dump': out.push(pyDumps(s)); break
      default: throw new Error(`unknown action ${a.op}`)
    }
  })
  return out
}

/** An Express app with cookie-session configured by (a copy of) `config`; POST /view runs the body's actions. */
function app (config, { https }) {
  const express = load('express')
  const cookieSession = load('cookie-session')
  const a = express()
  a.set('env', 'production')
  // cookies only sets a Secure cookie on a request it sees as HTTPS: req.protocol, which Express takes from
  // X-Forwarded-Proto when the proxy is trusted.
  if (https) a.set('trust proxy', true)
  a.use(cookieSession({ ...config })) // cookie-session writes its defaults (overwrite, httpOnly, signed) into the object
  a.post('/view', express.json({ limit: '1mb' }), (req, res) => res.json(view(req, req.body.actions)))
  return a
}

/** One request through a fresh app on an ephemeral loopback port, at `now`. */
async function exchange ({ config, cookies = [], actions = [], https = false, now = NOW }) {
  Date.now = () => now * 1000
  const server = http.createServer(app(config, { https }))
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const r = await send(server.address().port, { cookies, body: JSON.stringify({ actions }), https })
    const all = (n) => r.headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v)
    return {
      status: r.status,
      vary: all('vary'),
      set_cookie: all('set-cookie').map(parseSetCookie),
      observations: r.status === 200 ? JSON.parse(r.body) : []
    }
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

/** A Set-Cookie header as the vectors record it, `json` the session inside a `session` cookie. */
function parseSetCookie (header) {
  return parseSetCookieWith(header, sessionInside)
}

/** The session a `session` cookie value holds, read as cookie-session reads it; null for `.sig` and deletions. */
function sessionInside (name, value) {
  if (name.endsWith('.sig') || value === '') return null
  return pyDumps(JSON.parse(Buffer.from(value, 'base64').toString('utf8')))
}

// -------------------------------------------------------------------------------------------------------
// Inputs made with the real packages

/** The Cookie header pairs cookie-session writes for `session` under `config` (one real request). */
async function mint (config, session) {
  const r = await exchange({ config, actions: Object.entries(session).map(([key, value]) => ({ op: 'set', key, value })) })
  if (r.set_cookie.length !== 2) throw new Error(`minting wrote ${r.set_cookie.length} cookies`)
  return r.set_cookie.map((c) => `${c.name}=${c.value}`)
}

/** A cookie pair holding `text` (any bytes as base64, not necessarily JSON) signed by keygrip with `key`. */
function signedRaw (name, text, key, encoding = 'utf8') {
  const Keygrip = load('keygrip')
  const value = Buffer.from(text, encoding).toString('base64')
  return [`${name}=${value}`, `${name}.sig=${new Keygrip([key]).sign(`${name}=${value}`)}`]
}

/** A pair whose value is given as is (e.g. non-canonical base64), signed by keygrip with `key`. */
function signedValue (name, value, key) {
  const Keygrip = load('keygrip')
  return [`${name}=${value}`, `${name}.sig=${new Keygrip([key]).sign(`${name}=${value}`)}`]
}

/** Replaces one character of the `name=` value (std base64 alphabet, shifted by 7) at its middle. */
function flipValue (pair) {
  const eq = pair.indexOf('=')
  const v = pair.slice(eq + 1)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  const i = Math.floor(v.length / 2)
  const j = alphabet.indexOf(v[i])
  const c = j < 0 ? 'A' : alphabet[(j + 7) % 64]
  return pair.slice(0, eq + 1) + v.slice(0, i) + c + v.slice(i + 1)
}

// -------------------------------------------------------------------------------------------------------
// Cases

const BASE = { name: 'session', keys: [K_NEW] }
const ROTATING = { name: 'session', keys: [K_NEW, K_OLD] }
const ALICE = { user: 'alice' }

/** Our settings for a cookie-session config. */
function ours (config) {
  const ss = config.sameSite
  return {
    secret_key: config.keys[0],
    fallbacks: config.keys.slice(1),
    cookie_name: config.name || 'session',
    lifetime_secs: config.maxAge != null ? config.maxAge / 1000 : null,
    path: config.path || '/',
    domain: config.domain || null,
    secure: Boolean(config.secure),
    http_only: config.httpOnly !== false,
    same_site: ss ? ss[0].toUpperCase() + ss.slice(1).toLowerCase() : null
  }
}

const { get, set, pop, clear, contains, keys, dump } = common.actions

/**
 * The case specifications, by file. Each: id, comment, config, cookies (Cookie lines), actions, and for a
 * divergence `divergence` plus `ours`: how the expected answer is obtained: `{cookies}`/`{config, prefix}`/
 * `{actions}`/`{https}` = the real app on that changed request; `{literal: {...}, observations}` = stated by
 * the rule in the comment.
 */
async function specs () {
  const alice = await mint(BASE, ALICE)
  const aliceOld = await mint({ name: 'session', keys: [K_OLD] }, ALICE)
  const aliceOther = await mint({ name: 'session', keys: [K_OTHER] }, ALICE)
  const bob = await mint(BASE, { user: 'bob' })
  const two = await mint(BASE, { user: 'alice', cart: [1, 2] })
  const many = await mint(BASE, { user: 'alice', n: 3, flags: { beta: true }, 'ü': 'x' })
  const sid = await mint({ name: 'sid', keys: [K_NEW] }, ALICE)
  const pathOld = await mint({ name: 'session', keys: [K_OLD], path: '/app', maxAge: 3600000 }, ALICE)
  const unicodeSession = { name: 'Zoë <b>&"x\'</b> 日本 😀', 'ключ': '\u2028\u0000\u001f\u007f', '😀': ['é', '\ud83d\ude00'] }
  const unicode = await mint(BASE, unicodeSession)
  const nested = { profile: { name: 'alice', roles: ['admin', 'user'], prefs: { size: 1.5, beta: true, none: null, deep: { a: [{ b: [] }, {}] } } } }
  const nestedCookie = await mint(BASE, nested)
  const numbers = { int: 42, neg: -7, zero: 0, max_safe: 9007199254740991, tenth: 0.1, tiny: -2.5e-7, big: 1e21, huge: 1.7976931348623157e308, tenk: 1e4 }
  const numbersCookie = await mint(BASE, { n: numbers })
  const [aliceVal, aliceSig] = alice
  const [bobVal, bobSig] = bob
  const aliceB64 = aliceVal.slice('session='.length)

  const scenarios = [
    { id: 'ex-scn-no-cookie-untouched', comment: 'no cookie, view never touches the session: nothing sent', config: BASE, cookies: [], actions: [] },
    { id: 'ex-scn-no-cookie-read', comment: 'no cookie, view reads: a new empty session is not saved, nothing sent (no Vary either)', config: BASE, cookies: [], actions: [get('user'), contains('user'), keys()] },
    {
      id: 'ex-scn-no-cookie-write',
      comment: 'no cookie, write: session=<std base64 of JSON.stringify, padded>; path=/; httponly and session.sig=<base64url HMAC-SHA1(key, "session=<value>"), unpadded>; path=/; httponly',
      config: BASE,
      cookies: [],
      actions: [set('user', 'alice')],
      check: knownAnswerWrite
    },
    { id: 'ex-scn-read', comment: 'valid cookie, read only: the re-serialized session equals the cookie, nothing sent', config: BASE, cookies: [alice.join('; ')], actions: [get('user'), contains('user'), contains('other'), keys(), dump()] },
    { id: 'ex-scn-untouched', comment: 'valid cookie, view never touches the session: nothing sent', config: BASE, cookies: [alice.join('; ')], actions: [] },
    { id: 'ex-scn-modify', comment: 'valid cookie, one value changed: both cookies written again', config: BASE, cookies: [alice.join('; ')], actions: [set('user', 'bob'), get('user')] },
    { id: 'ex-scn-add-key', comment: 'valid cookie, a key added: keys in insertion order inside (user, then cart)', config: BASE, cookies: [alice.join('; ')], actions: [set('cart', [1, 2]), keys()] },
    {
      id: 'ex-scn-set-same-value',
      comment: 'valid cookie, the same value set again: cookie-session compares serializations and sends nothing; we count a write as a change (as Flask does) and send the same two cookies again',
      config: BASE,
      cookies: [alice.join('; ')],
      actions: [set('user', 'alice')],
      divergence: 'modified-by-write',
      ours: { cookies: [] }
    },
    { id: 'ex-scn-pop-missing', comment: 'valid cookie, pop of a missing key: unchanged, nothing sent', config: BASE, cookies: [alice.join('; ')], actions: [pop('nope'), keys()] },
    { id: 'ex-scn-pop-one-of-two', comment: 'two keys, one popped: the rest is written', config: BASE, cookies: [two.join('; ')], actions: [pop('cart'), keys()] },
    {
      id: 'ex-scn-pop-last-key',
      comment: 'pop the only key: cookie-session writes the empty session ({} as e30=) with a fresh signature; we delete both cookies, exactly as cookie-session does for req.session = null',
      config: BASE,
      cookies: [alice.join('; ')],
      actions: [pop('user'), keys()],
      divergence: 'emptied-session-deleted',
      ours: { actions: [pop('user'), keys(), clear()] }
    },
    { id: 'ex-scn-clear', comment: 'valid cookie, req.session = null: session= with expires 1970 and session.sig= the signature of "session=" with expires 1970', config: BASE, cookies: [alice.join('; ')], actions: [get('user'), clear()] },
    { id: 'ex-scn-clear-no-cookie', comment: 'no cookie, req.session = null: the same two deletion cookies anyway', config: BASE, cookies: [], actions: [clear()] },
    { id: 'ex-scn-new-then-clear', comment: 'no cookie, a value set, then req.session = null: only the deletions', config: BASE, cookies: [], actions: [set('user', 'alice'), clear()] },
    { id: 'ex-scn-keys-dump', comment: 'valid cookie with several keys: keys (code-point order), contains, dump', config: BASE, cookies: [many.join('; ')], actions: [keys(), contains('ü'), get('flags'), dump()] },
    { id: 'ex-scn-max-age-write', comment: 'maxAge 3600000 ms: expires = now + 1 h on both cookies, no Max-Age attribute', config: { ...BASE, maxAge: 3600000 }, cookies: [], actions: [set('user', 'alice')] },
    { id: 'ex-scn-max-age-read', comment: 'maxAge set, valid cookie read only: no refresh (cookie-session never re-sends an unchanged session; the cookie carries no timestamp, so its age is never checked)', config: { ...BASE, maxAge: 3600000 }, cookies: [alice.join('; ')], actions: [get('user')], now: NOW + 86400 * 365 },
    { id: 'ex-scn-max-age-modify', comment: 'maxAge set, valid cookie modified: both written with expires = now + maxAge', config: { ...BASE, maxAge: 3600000 }, cookies: [alice.join('; ')], actions: [set('user', 'bob')], now: NOW + 60 },
    { id: 'ex-scn-max-age-clear', comment: 'maxAge set, req.session = null: the deletions carry expires 1970 only (maxAge dropped)', config: { ...BASE, maxAge: 3600000 }, cookies: [alice.join('; ')], actions: [clear()] },
    { id: 'ex-scn-custom-name', comment: 'name sid: cookies sid and sid.sig, the signature covering "sid=<value>"', config: { name: 'sid', keys: [K_NEW] }, cookies: [sid.join('; ')], actions: [get('user'), set('user', 'bob')] },
    { id: 'ex-scn-custom-name-ignores-session', comment: 'name sid: a valid session/session.sig pair is not read', config: { name: 'sid', keys: [K_NEW] }, cookies: [alice.join('; ')], actions: [get('user')] },
    {
      id: 'ex-scn-rotation-read',
      comment: 'cookie signed by keys[1], read with [new, old]: cookie-session re-signs only session.sig (path=/; httponly); we write both cookies with the current key',
      config: ROTATING,
      cookies: [aliceOld.join('; ')],
      actions: [get('user')],
      divergence: 'resign-fallback',
      ours: { config: BASE, cookies: [], prefix: [set('user', 'alice')] }
    },
    {
      id: 'ex-scn-rotation-untouched',
      comment: 'cookie signed by keys[1], view never touches the session: cookie-session reads nothing and sends nothing; we re-sign both cookies with the current key even so (as the Flask profile does), so rotation completes',
      config: ROTATING,
      cookies: [aliceOld.join('; ')],
      actions: [],
      divergence: 'resign-fallback',
      ours: { config: BASE, cookies: [], prefix: [set('user', 'alice')] }
    },
    { id: 'ex-scn-rotation-modify', comment: 'cookie signed by keys[1], modified: both cookies written with keys[0] (the early .sig re-sign is overwritten)', config: ROTATING, cookies: [aliceOld.join('; ')], actions: [set('user', 'bob')] },
    {
      id: 'ex-scn-rotation-path-max-age',
      comment: 'path /app, maxAge 1 h, cookie signed by keys[1], read: cookie-session re-signs session.sig at path=/ without expires (its default attributes, not the configured ones); we write both with the configured path and expiry',
      config: { ...ROTATING, path: '/app', maxAge: 3600000 },
      cookies: [pathOld.join('; ')],
      actions: [get('user')],
      divergence: 'resign-fallback',
      ours: { config: { ...BASE, path: '/app', maxAge: 3600000 }, cookies: [], prefix: [set('user', 'alice')] }
    },
    { id: 'ex-scn-current-key-with-fallbacks', comment: 'cookie signed by keys[0] while keys[1] exists: read, nothing sent', config: ROTATING, cookies: [alice.join('; ')], actions: [get('user')] },
    { id: 'ex-scn-attr-secure', comment: 'secure: true, request seen as HTTPS (trust proxy, X-Forwarded-Proto: https): secure on both', config: { ...BASE, secure: true }, cookies: [], actions: [set('user', 'alice')], https: true },
    {
      id: 'ex-scn-secure-over-http',
      comment: 'secure: true on a plain-HTTP request: cookies throws "Cannot send secure cookie over unencrypted connection", cookie-session swallows it and sends no cookie at all; we send the Secure cookies (what cookie-session sends over HTTPS)',
      config: { ...BASE, secure: true },
      cookies: [],
      actions: [set('user', 'alice')],
      divergence: 'secure-over-http',
      ours: { https: true }
    },
    { id: 'ex-scn-attr-samesite-lax', comment: 'sameSite lax: samesite=lax', config: { ...BASE, sameSite: 'lax' }, cookies: [], actions: [set('user', 'alice')] },
    { id: 'ex-scn-attr-samesite-strict', comment: 'sameSite strict: samesite=strict', config: { ...BASE, sameSite: 'strict' }, cookies: [], actions: [set('user', 'alice')] },
    { id: 'ex-scn-attr-samesite-none', comment: 'sameSite none, secure, over HTTPS: samesite=none; secure', config: { ...BASE, sameSite: 'none', secure: true }, cookies: [], actions: [set('user', 'alice')], https: true },
    { id: 'ex-scn-attr-domain', comment: 'domain example.com: domain=example.com on both', config: { ...BASE, domain: 'example.com' }, cookies: [], actions: [set('user', 'alice')] },
    { id: 'ex-scn-attr-path', comment: 'path /app: path=/app on both', config: { ...BASE, path: '/app' }, cookies: [], actions: [set('user', 'alice')] },
    { id: 'ex-scn-attr-http-only-false', comment: 'httpOnly false: no httponly', config: { ...BASE, httpOnly: false }, cookies: [], actions: [set('user', 'alice')] },
    { id: 'ex-scn-attr-all-clear', comment: 'path, domain, sameSite strict, maxAge; req.session = null: the deletions mirror path, domain and samesite', config: { ...BASE, path: '/app', domain: 'example.com', sameSite: 'strict', maxAge: 3600000 }, cookies: [alice.join('; ')], actions: [clear()] },
    { id: 'ex-scn-unicode-write', comment: 'non-ASCII values and keys (U+2028, NUL, DEL, emoji): JSON.stringify writes them raw as UTF-8 inside the base64', config: BASE, cookies: [], actions: [...Object.entries(unicodeSession).map(([k, v]) => set(k, v)), dump()] },
    { id: 'ex-scn-unicode-read', comment: 'the same session read back: every value as written, nothing sent', config: BASE, cookies: [unicode.join('; ')], actions: [get('name'), get('ключ'), get('😀'), keys()] },
    { id: 'ex-scn-nested-write', comment: 'nested objects and arrays', config: BASE, cookies: [], actions: [set('profile', nested.profile)] },
    { id: 'ex-scn-nested-read-modify', comment: 'nested session read, one nested value replaced', config: BASE, cookies: [nestedCookie.join('; ')], actions: [get('profile'), set('profile', { name: 'bob' })] },
    { id: 'ex-scn-numbers-write', comment: 'numbers: ints, 2^53-1, 0.1, -2.5e-7, 1e21 (JSON.stringify writes 1e+21), the largest double, 1e4 (written 10000)', config: BASE, cookies: [], actions: [set('n', numbers), dump()] },
    { id: 'ex-scn-numbers-read', comment: 'the numbers read back: unchanged serialization, nothing sent', config: BASE, cookies: [numbersCookie.join('; ')], actions: [get('n')] },
    { id: 'ex-scn-set-constructor', comment: 'a key named constructor set by the view is stored like any other (assignment makes it an own property)', config: BASE, cookies: [], actions: [set('constructor', 'x'), keys()] },
    {
      id: 'ex-scn-oversize',
      comment: 'a 5000-character value: Express sends a ~6.7 kB cookie browsers drop; we refuse with a 500 and send nothing',
      config: BASE,
      cookies: [],
      actions: [set('big', detChars(5000, 'express-oversize'))],
      divergence: 'oversize-refused',
      ours: { literal: { status: 500, vary: ['Cookie'], set_cookie: [] } }
    },
    { id: 'ex-scn-large-fits', comment: 'a 2500-character value: a ~3.4 kB cookie, sent', config: BASE, cookies: [], actions: [set('big', detChars(2500, 'express-large'))] }
  ]

  const tamper = [
    {
      id: 'ex-scn-tamper-value',
      comment: 'one character of the value changed: refused; cookies answers with a session.sig deletion (path=/, expires 1970); we send nothing for a refused cookie',
      config: BASE,
      cookies: [`${flipValue(aliceVal)}; ${aliceSig}`],
      actions: [get('user')],
      divergence: 'refused-cookie-kept',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-tamper-sig',
      comment: 'one character of the signature changed: refused with a session.sig deletion; we send nothing',
      config: BASE,
      cookies: [`${aliceVal}; ${flipValue(aliceSig)}`],
      actions: [get('user')],
      divergence: 'refused-cookie-kept',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-tamper-then-write',
      comment: 'tampered value, then a write: the session.sig deletion is overwritten by the new signature (overwrite: true), so both cookies are written',
      config: BASE,
      cookies: [`${flipValue(aliceVal)}; ${aliceSig}`],
      actions: [get('user'), set('user', 'bob')]
    },
    {
      id: 'ex-scn-unknown-key',
      comment: 'cookie signed by a key not in keys: refused with a session.sig deletion; we send nothing',
      config: ROTATING,
      cookies: [aliceOther.join('; ')],
      actions: [get('user')],
      divergence: 'refused-cookie-kept',
      ours: { cookies: [] }
    },
    { id: 'ex-scn-missing-sig', comment: 'session= without session.sig: ignored silently (no deletion)', config: BASE, cookies: [aliceVal], actions: [get('user')] },
    { id: 'ex-scn-sig-only', comment: 'session.sig without session=: ignored', config: BASE, cookies: [aliceSig], actions: [get('user')] },
    {
      id: 'ex-scn-spliced-sig',
      comment: "alice's value with bob's valid signature: refused with a session.sig deletion; we send nothing",
      config: BASE,
      cookies: [`${aliceVal}; ${bobSig}`],
      actions: [get('user')],
      divergence: 'refused-cookie-kept',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-other-name-sig',
      comment: 'a valid session pair renamed sid/sid.sig for an app named sid: the signature covers "session=<value>", so it is refused with a sid.sig deletion; we send nothing',
      config: { name: 'sid', keys: [K_NEW] },
      cookies: [`sid=${aliceB64}; sid.sig=${aliceSig.slice('session.sig='.length)}`],
      actions: [get('user')],
      divergence: 'refused-cookie-kept',
      ours: { cookies: [] }
    },
    { id: 'ex-scn-hostile-not-json', comment: 'validly signed, valid base64, not JSON: JSON.parse throws, cookie-session starts a new session, nothing sent', config: BASE, cookies: [signedRaw('session', 'not json', K_NEW).join('; ')], actions: [get('user'), keys()] },
    { id: 'ex-scn-hostile-not-json-write', comment: 'validly signed non-JSON, then a write: a fresh session written', config: BASE, cookies: [signedRaw('session', '{"user":', K_NEW).join('; ')], actions: [set('user', 'bob')] },
    {
      id: 'ex-scn-hostile-array',
      comment: 'validly signed JSON array [1,"x"]: cookie-session copies its indexes (session {"0":1,"1":"x"}) and, the serialization differing, rewrites it on a read; we start empty and send nothing',
      config: BASE,
      cookies: [signedRaw('session', '[1,"x"]', K_NEW).join('; ')],
      actions: [get('0'), keys()],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-hostile-string',
      comment: 'validly signed JSON string "ab": for-in over a string gives {"0":"a","1":"b"}, rewritten on a read; we start empty',
      config: BASE,
      cookies: [signedRaw('session', '"ab"', K_NEW).join('; ')],
      actions: [keys()],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-hostile-number',
      comment: 'validly signed JSON number 5: an empty session that is not new, so a read rewrites it as {}; we start empty and send nothing',
      config: BASE,
      cookies: [signedRaw('session', '5', K_NEW).join('; ')],
      actions: [keys()],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-hostile-null',
      comment: 'validly signed JSON null: an empty, not new session, rewritten as {} on a read; we start empty',
      config: BASE,
      cookies: [signedRaw('session', 'null', K_NEW).join('; ')],
      actions: [keys()],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-hostile-bad-utf8',
      comment: 'validly signed JSON object whose string holds the bytes FF FE: Buffer#toString gives U+FFFD U+FFFD, so the session is {"user":"\\ufffd\\ufffd"}, rewritten on a read; we refuse invalid UTF-8 and start empty',
      config: BASE,
      cookies: [signedRaw('session', '7b2275736572223a22fffe227d', K_NEW, 'hex').join('; ')],
      actions: [get('user')],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    {
      id: 'ex-scn-reserved-keys-read',
      comment: 'validly signed {"__proto__":1,"constructor":2,"isNew":3,"user":"alice"}: Session copies only keys not already `in` it, so all but user are dropped, and the read rewrites the cookie without them; we keep every key and send nothing',
      config: BASE,
      cookies: [signedRaw('session', '{"__proto__":1,"constructor":2,"isNew":3,"user":"alice"}', K_NEW).join('; ')],
      actions: [get('user'), get('constructor'), keys()],
      divergence: 'js-reserved-keys',
      ours: { literal: { status: 200, vary: [], set_cookie: [] }, observations: ['alice', 2, ['__proto__', 'constructor', 'isNew', 'user']] }
    },
    {
      id: 'ex-scn-unsafe-integer-read',
      comment: 'validly signed {"id":9007199254740993}: JSON.parse rounds it to 9007199254740992, and the read rewrites the cookie with the rounded number; we keep the integer exact and send nothing',
      config: BASE,
      cookies: [signedRaw('session', '{"id":9007199254740993}', K_NEW).join('; ')],
      actions: [keys()],
      divergence: 'js-number-precision',
      ours: { literal: { status: 200, vary: [], set_cookie: [] }, observations: [['id']] }
    },
    {
      id: 'ex-scn-noncanonical-json-read',
      comment: 'validly signed {"user": "alice", "n": -0} (spaces, -0): read, the re-serialization {"user":"alice","n":0} differs from the cookie, so cookie-session writes it again; we send nothing for a session the view did not change',
      config: BASE,
      cookies: [signedRaw('session', '{"user": "alice", "n": -0}', K_NEW).join('; ')],
      actions: [get('user')],
      divergence: 'noncanonical-kept',
      ours: { literal: { status: 200, vary: [], set_cookie: [] }, observations: ['alice'] }
    },
    { id: 'ex-scn-noncanonical-json-untouched', comment: 'the same cookie, view never touches the session: nothing sent', config: BASE, cookies: [signedRaw('session', '{"user": "alice", "n": -0}', K_NEW).join('; ')], actions: [] },
    { id: 'ex-scn-base64-unpadded', comment: 'the value without its = padding, signed as sent: Buffer.from(.., "base64") reads it; a read writes the padded form; we read it and send nothing', config: BASE, cookies: [signedValue('session', aliceB64.replace(/=+$/, ''), K_NEW).join('; ')], actions: [get('user')], divergence: 'noncanonical-kept', ours: { literal: { status: 200, vary: [], set_cookie: [] }, observations: ['alice'] } },
    { id: 'ex-scn-base64-urlsafe', comment: 'the value in the URL-safe alphabet (-_ for +/), signed as sent: read (Node decodes both alphabets), rewritten in the standard one; we read it and send nothing', config: BASE, cookies: [signedValue('session', Buffer.from('{"user":"alice?>"}').toString('base64url'), K_NEW).join('; ')], actions: [get('user')], divergence: 'noncanonical-kept', ours: { literal: { status: 200, vary: [], set_cookie: [] }, observations: ['alice?>'] } },
    { id: 'ex-scn-base64-junk', comment: 'a ! inserted into the value, signed as sent: Node skips characters outside the alphabet, so it reads; rewritten on the read; we read it and send nothing', config: BASE, cookies: [signedValue('session', aliceB64.slice(0, 8) + '!' + aliceB64.slice(8), K_NEW).join('; ')], actions: [get('user')], divergence: 'noncanonical-kept', ours: { literal: { status: 200, vary: [], set_cookie: [] }, observations: ['alice'] } },
    { id: 'ex-scn-quoted', comment: 'session="<value>": cookies drops the first and last character when the value starts with a quote; the signature covers the unquoted value, so it reads; nothing sent', config: BASE, cookies: [`session="${aliceB64}"; ${aliceSig}`], actions: [get('user')] },
    { id: 'ex-scn-quoted-sig', comment: 'session.sig="<sig>": unquoted the same way, valid', config: BASE, cookies: [`${aliceVal}; session.sig="${aliceSig.slice('session.sig='.length)}"`], actions: [get('user')] },
    { id: 'ex-scn-duplicate-pairs', comment: "two valid pairs in one header (alice's first): the first match of each name wins, alice", config: BASE, cookies: [`${alice.join('; ')}; ${bob.join('; ')}`], actions: [get('user')] },
    {
      id: 'ex-scn-duplicate-bad-first',
      comment: "a tampered session= before bob's valid pair in one header: cookies takes the first session= and the first session.sig, which do not match: refused with a session.sig deletion; we send nothing",
      config: BASE,
      cookies: [`session=${flipValue(bobVal).slice('session='.length)}; ${bob.join('; ')}`],
      actions: [get('user')],
      divergence: 'refused-cookie-kept',
      ours: { cookies: [] }
    },
    { id: 'ex-scn-two-header-lines', comment: "two Cookie lines, alice's pair then bob's: Node joins them with '; ' and the first wins, alice", config: BASE, cookies: [alice.join('; '), bob.join('; ')], actions: [get('user')] },
    { id: 'ex-scn-pair-split-across-lines', comment: 'session= on one Cookie line and session.sig= on the next: joined by Node, a valid pair', config: BASE, cookies: [aliceVal, aliceSig], actions: [get('user')] },
    { id: 'ex-scn-whitespace-after-semicolon', comment: 'other=1;   session=..;   session.sig=..: spaces after ; are skipped', config: BASE, cookies: [`other=1;   ${aliceVal};   ${aliceSig}`], actions: [get('user')] },
    {
      id: 'ex-scn-whitespace-before-semicolon',
      comment: 'session=<value> ; session.sig=..: the value keeps its trailing space ([^;]*), so the signature fails: refused with a session.sig deletion; we send nothing',
      config: BASE,
      cookies: [`${aliceVal} ; ${aliceSig}`],
      actions: [get('user')],
      divergence: 'refused-cookie-kept',
      ours: { cookies: [] }
    },
    { id: 'ex-scn-tab-after-semicolon', comment: 'other=1;\\tsession=..: cookies only skips spaces after ;, so the session is not found; nothing sent', config: BASE, cookies: [`other=1;\t${aliceVal};\t${aliceSig}`], actions: [get('user')] },
    { id: 'ex-scn-bare-token', comment: 'a bare session token (no =) before the pair: not a match, the real pair is read', config: BASE, cookies: [`session; ${alice.join('; ')}`], actions: [get('user')] },
    { id: 'ex-scn-bare-token-only', comment: 'only bare session and session.sig tokens: nothing read, nothing sent', config: BASE, cookies: ['session; session.sig'], actions: [get('user')] },
    { id: 'ex-scn-similar-names', comment: 'xsession= and session.sigx= around the pair: only exact names after ; match', config: BASE, cookies: [`xsession=${bobVal.slice('session='.length)}; ${aliceVal}; session.sigx=1; ${aliceSig}`], actions: [get('user')] },
    { id: 'ex-scn-non-ascii-other-cookie', comment: 'a UTF-8 cookie before the pair (pref=é): the header is read as latin-1, the pair still reads', config: BASE, cookies: [`pref=é; ${alice.join('; ')}`], actions: [get('user')] },
    { id: 'ex-scn-empty-value', comment: 'session= (empty) with the signature of "session=": cookies returns "", cookie-session starts a new session; nothing sent', config: BASE, cookies: [signedValue('session', '', K_NEW).join('; ')], actions: [get('user')] }
  ]
  return { 'express_scenarios.json': scenarios, 'express_tamper.json': tamper }
}

/** The no-cookie write must be exactly the documented bytes (computed here with Node's crypto). */
function knownAnswerWrite (framework) {
  const value = Buffer.from(JSON.stringify({ user: 'alice' })).toString('base64')
  const sig = crypto.createHmac('sha1', K_NEW).update(`session=${value}`).digest('base64url')
  const got = framework.set_cookie.map((c) => `${c.name}=${c.value}`)
  const want = [`session=${value}`, `session.sig=${sig}`]
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`no-cookie write: ${got} != ${want}`)
}

/** Runs one specification: the framework's answer, then the expected one. */
function build (spec) {
  const run = (over = {}) => exchange({
    config: over.config || spec.config,
    cookies: over.cookies || spec.cookies,
    actions: [...(over.prefix || []), ...(over.actions || spec.actions)],
    https: over.https !== undefined ? over.https : Boolean(spec.https),
    now: spec.now || NOW
  })
  return common.buildScenario(spec, run, ours(spec.config), NOW)
}

/** Every vector file: {file name: document}, cases in their fixed order. */
async function documents () {
  const files = await common.buildFiles(await specs(), build)
  const docs = {}
  for (const [file, cases] of Object.entries(files)) {
    const divergences = common.divergencesOf(cases)
    const what = file === 'express_tamper.json'
      ? 'Tampered, refused, hostile and oddly written cookies'
      : 'Sessions, attributes and key rotation'
    docs[file] = {
      file,
      format: 'express',
      source: source(),
      comment: `${what} through a real Express app with cookie-session (one loopback request each, Date.now frozen). ` +
        'get/contains read own entries of req.session; clear is req.session = null. Where our view sees other values, ' +
        "actions' expect are ours and framework.observations cookie-session's. " +
        `divergences: ${divergences.length ? divergences.join(', ') : 'none'}.`,
      cases
    }
  }
  return docs
}

// -------------------------------------------------------------------------------------------------------
// --read-ours: real cookie-session reads cookies our library made

/**
 * FILE: a JSON list (or {"cases": [...]}) of {id?, keys, name, cookie_header, expect_session, expect_rewrite?};
 * keys are key texts (plain, `hex:` or `base64:`, as our configuration reads them), the first signing.
 * Each cookie header goes to a real app (name, keys) whose view reads the whole session; it must equal
 * expect_session ({} for a cookie that must be refused), and a read must not make cookie-session write the
 * cookie again unless expect_rewrite is true (our JSON must be JSON.stringify's, or every read rewrites it).
 */
async function readOurs (file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
  const list = Array.isArray(doc) ? doc : doc.cases
  let failures = 0
  for (const [i, c] of list.entries()) {
    const id = c.id || `#${i}`
    const config = { name: c.name, keys: c.keys.map(keyBytes) }
    const r = await exchange({ config, cookies: [c.cookie_header], actions: [dump()] })
    const got = r.status === 200 ? r.observations[0] : `status ${r.status}`
    const want = pyDumps(c.expect_session)
    const wrote = r.set_cookie.filter((sc) => sc.value !== '').length > 0
    const problems = []
    if (got !== want) problems.push(`cookie-session read ${got}, expected ${want}`)
    if (wrote && !c.expect_rewrite) problems.push(`cookie-session wrote it again on a read: ${r.set_cookie.map((s) => s.name + '=' + s.value).join(', ')}`)
    if (problems.length) {
      failures++
      console.log(`FAIL ${id}: ${problems.join('; ')}`)
    } else {
      console.log(`ok   ${id}`)
    }
  }
  console.log(`read-ours: ${list.length - failures}/${list.length} read by cookie-session as expected`)
  return failures ? 1 : 0
}

// -------------------------------------------------------------------------------------------------------
// CLI

common.main(SCRIPT, { setup: checkVersions, documents, readOurs })
