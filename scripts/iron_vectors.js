#!/usr/bin/env node
'use strict'
/*
 * Vectors for the iron-session profile, made by the real packages: every case is one HTTP request on loopback
 * to a real Node http server whose handler calls `getIronSession(req, res, options)` of iron-session 8 or 9,
 * runs the view on the session, then `await session.save()` when the view set or popped a key and
 * `session.destroy()` when it cleared (iron-session writes only when told to; this is what apps do). Time is
 * frozen (iron-webcrypto reads Date.now for the seal's expiry and for the expiry check).
 *
 *     node scripts/iron_vectors.js --out testdata/vectors      # (re)write iron_session_*.json
 *     node scripts/iron_vectors.js --check testdata/vectors    # exit 1 (and say what differs) if stale
 *     node scripts/iron_vectors.js --read-ours FILE            # real iron-session reads cookies we made
 *
 * A seal is random (salts and IV from the CSPRNG, which iron-session gives no way to replace), so the known
 * answers are "this real cookie opens to this session" and "the real package opens ours": each Set-Cookie
 * entry carries `json`, the session the cookies it belongs to open to (compact, keys sorted recursively), and
 * its real value; the harness compares by decoding. `--check` cannot compare random bytes: it regenerates
 * every file and compares everything but the random values (each value by its length, which is fixed), then
 * replays every committed case through the real package (its cookies must still open to the recorded
 * sessions, its answer must be the recorded one).
 *
 * Packages: iron-session 8 (`iron-session`) and 9 (`iron-session-9`, an npm alias) with their iron-webcrypto
 * (1.2.1 and 2.0.0), from target/node/node_modules (`cargo xtask vectors` installs interop/node's lockfile
 * there; NODE_PATH may name another folder), checked against the pinned versions.
 */

const fs = require('fs')
const http = require('http')

const common = require('./node_vector_common')

const { NODE_MAJOR, importModule, installed, pyDumps, send, parseSetCookie, detChars, runActions } = common
const { get, set, pop, clear, contains, keys, dump } = common.actions
const SCRIPT = 'iron_vectors.js'

const NOW = 1700000000
/** Passwords: iron-session wants at least 32 characters. */
const PW = 'iron-password-current-0001-abcdefgh'
const PW_OLD = 'iron-password-previous-0001-abcdefg'
const PW_OTHER = 'iron-password-unknown-0001-abcdefgh'
const NAME = 'iron_session'
const TTL = 14 * 24 * 3600
/** iron-session's fixed limit on one Set-Cookie header (name=value and attributes). */
const MAX_COOKIE = 4096

/** The two majors, each with its package under MODULES and the iron-webcrypto it loads. */
const PACKAGES = {
  8: { pkg: 'iron-session', entry: 'iron-session/dist/index.js', webcrypto: 'iron-webcrypto' },
  9: { pkg: 'iron-session-9', entry: 'iron-session-9/dist/index.js', webcrypto: 'iron-session-9/node_modules/iron-webcrypto' }
}
/** The loaded modules: IRON[8], IRON[9]; WEBCRYPTO2 is iron-webcrypto 2 (iron-session 9's). */
const IRON = {}
let WEBCRYPTO2 = null

/** Refuses other installed versions or Node majors; loads both iron-session majors. */
async function setup () {
  common.checkVersions(SCRIPT, {
    names: ['iron-session', 'iron-session-9', 'iron-webcrypto'],
    nested: {
      cookie: '0.7.2',
      uncrypto: '0.1.3',
      'iron-session-9/node_modules/iron-webcrypto': '2.0.0',
      'iron-session-9/node_modules/cookie': '2.0.2',
      'uint8array-extras': '1.6.0'
    },
    absent: ['iron-session/node_modules/iron-webcrypto', 'iron-session/node_modules/cookie']
  })
  IRON[8] = await importModule(PACKAGES[8].entry)
  IRON[9] = await importModule(PACKAGES[9].entry)
  WEBCRYPTO2 = await importModule('iron-session-9/node_modules/iron-webcrypto/index.js')
}

/** The `source` line of a version's files. */
function source (version) {
  const p = PACKAGES[version]
  const extra = version === 9
    ? `, cookie ${installed('iron-session-9/node_modules/cookie')}, uint8array-extras ${installed('uint8array-extras')}`
    : `, cookie ${installed('cookie')}, uncrypto ${installed('uncrypto')}`
  return `scripts/iron_vectors.js with iron-session ${installed(p.pkg)}, iron-webcrypto ${installed(p.webcrypto)}${extra} (Node ${NODE_MAJOR})`
}

// -------------------------------------------------------------------------------------------------------
// The app and one request through it

/**
 * A Node http server whose POST /view opens the session with `getIronSession(req, res, options)` of
 * iron-session `version`, runs the body's actions on it, saves after a set/pop and destroys after a clear.
 * Anything thrown (by iron-session while reading or saving) is a 500 with the message in `X-Error`.
 */
function app (version, config) {
  return http.createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (d) => { body += d })
    req.on('end', async () => {
      try {
        const { actions } = JSON.parse(body)
        const session = await IRON[version].getIronSession(req, res, structuredClone(config))
        const { out, cleared, wrote } = runActions(session, actions)
        if (cleared) session.destroy()
        else if (wrote) await session.save()
        res.setHeader('Content-Type', 'application/json')
        res.end(JSON.stringify(out))
      } catch (e) {
        res.statusCode = 500
        res.setHeader('X-Error', String(e.message).replace(/[^\x20-\x7e]/g, '?'))
        res.end()
      }
    })
  })
}

/** The session cookies a response set (value not empty), joined as iron-session 9 joins them: whole, else name.0.. */
function sealOf (name, set) {
  const live = new Map(set.filter((c) => c.value !== '').map((c) => [c.name, c.value]))
  if (live.has(name)) return live.get(name)
  let seal = ''
  for (let i = 0; live.has(`${name}.${i}`); i++) seal += live.get(`${name}.${i}`)
  return seal
}

/** One request through a fresh app of `version` on an ephemeral loopback port, at `now`. */
async function exchange ({ version, config, cookies = [], actions = [], now = NOW }) {
  common.freezeClock(now)
  const server = app(version, config)
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const r = await send(server.address().port, { cookies, body: JSON.stringify({ actions }) })
    const all = (n) => r.headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v)
    const setCookie = all('set-cookie').map((h) => parseSetCookie(h))
    const seal = sealOf(config.cookieName, setCookie)
    if (seal) {
      // The session the written cookies open to, read back by the same package at the same time.
      const inside = pyDumps(await IRON[version].unsealData(seal, { password: config.password }))
      for (const c of setCookie) if (c.value !== '' && c.name.startsWith(config.cookieName)) c.json = inside
    }
    return {
      status: r.status,
      vary: all('vary'),
      set_cookie: setCookie,
      observations: r.status === 200 ? JSON.parse(r.body) : [],
      error: all('x-error')[0] || null
    }
  } finally {
    await new Promise((resolve) => server.close(resolve))
  }
}

// -------------------------------------------------------------------------------------------------------
// Inputs made with the real packages

/** The Cookie header pairs iron-session `version` writes for `session` under `config` at `now` (a real request). */
async function mint (version, config, session, now = NOW) {
  const r = await exchange({ version, config, now, actions: Object.entries(session).map(([k, v]) => set(k, v)) })
  if (r.status !== 200 || !r.set_cookie.length) throw new Error(`minting failed: ${r.status} ${r.error}`)
  return r.set_cookie.map((c) => `${c.name}=${c.value}`)
}

/** The value of `name=value`. */
const valueOf = (pair) => pair.slice(pair.indexOf('=') + 1)

/** A seal's eight parts and its suffix: {parts, suffix}. */
function splitSeal (value) {
  const at = value.indexOf('~')
  const body = at < 0 ? value : value.slice(0, at)
  return { parts: body.split('*'), suffix: at < 0 ? '' : value.slice(at) }
}

/** `pair` with part `index` of its seal replaced by `f(part)`. */
function editPart (pair, index, f) {
  const name = pair.slice(0, pair.indexOf('='))
  const { parts, suffix } = splitSeal(valueOf(pair))
  parts[index] = f(parts[index])
  return `${name}=${parts.join('*')}${suffix}`
}

/** Replaces the middle character of a base64url text with another (shifted by 7 in the alphabet). */
function flipMiddle (text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const i = Math.floor(text.length / 2)
  const j = alphabet.indexOf(text[i])
  return text.slice(0, i) + alphabet[(j + 7) % 64] + text.slice(i + 1)
}

/**
 * The last character of a base64url text of 32 bytes (43 characters: the last carries 4 bits and 2 unused
 * ones) with its unused bits set: the same bytes to a lenient decoder, another text to a string comparison.
 */
function setUnusedBits (text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const j = alphabet.indexOf(text[text.length - 1])
  if (j & 3) throw new Error('unused bits already set')
  return text.slice(0, -1) + alphabet[j | 1]
}

/**
 * A seal made by iron-webcrypto 2 (the sealing code of iron-session 9) with `plaintext` as the encrypted text
 * instead of JSON.stringify of a session (its `encode` option): a valid MAC over a payload that is not a session.
 */
async function sealText (plaintext, { password = PW, id = '1', now = NOW, ttl = TTL } = {}) {
  common.freezeClock(now)
  const seal = await WEBCRYPTO2.seal(null, { id, secret: password }, { ...WEBCRYPTO2.defaults, ttl: ttl * 1000, encode: () => plaintext })
  return `${NAME}=${seal}~2`
}

// -------------------------------------------------------------------------------------------------------
// Cases

const BASE = { cookieName: NAME, password: PW }
const ROTATING = { cookieName: NAME, password: { 1: PW_OLD, 2: PW } }
const CHUNKED = { cookieName: NAME, password: PW, chunk: true }
const ALICE = { user: 'alice', n: 1 }

/** Our settings for an iron-session configuration. */
function ours (config) {
  const o = {}
  const pw = config.password
  if (typeof pw === 'string') {
    o.secret_key = pw
    o.fallbacks = []
  } else {
    const ids = Object.keys(pw).sort((a, b) => Number(b) - Number(a))
    o.secret_key = pw[ids[0]]
    o.fallbacks = ids.slice(1).map((i) => pw[i])
    o.key_ids = ids
  }
  const co = config.cookieOptions || {}
  const ss = co.sameSite === undefined ? 'lax' : co.sameSite
  Object.assign(o, {
    cookie_name: config.cookieName,
    lifetime_secs: config.ttl !== undefined ? config.ttl : TTL,
    path: co.path || '/',
    domain: co.domain || null,
    secure: co.secure !== undefined ? co.secure : true,
    http_only: co.httpOnly !== undefined ? co.httpOnly : true,
    same_site: ss ? ss[0].toUpperCase() + ss.slice(1).toLowerCase() : null,
    max_cookie_size: MAX_COOKIE
  })
  if (config.chunk) o.cookie_chunks = 4
  return o
}

/** Checks a freshly written single seal: its shape, password id, expiry (ms) and Max-Age. */
function sealShape ({ id = '1', ttl = TTL, maxAge = ttl - 60, now = NOW } = {}) {
  return (fw) => {
    const c = fw.set_cookie.find((x) => x.name === NAME && x.value)
    const { parts, suffix } = splitSeal(c.value)
    const want = { prefix: 'Fe26.2', id, exp: String((now + ttl) * 1000), suffix: '~2', maxAge: String(maxAge) }
    const got = { prefix: parts[0], id: parts[1], exp: parts[5], suffix, maxAge: c.attributes['Max-Age'] }
    if (parts.length !== 8 || JSON.stringify(got) !== JSON.stringify(want)) {
      throw new Error(`unexpected seal ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`)
    }
    if (!/^[0-9a-f]{64}$/.test(parts[2]) || !/^[0-9a-f]{64}$/.test(parts[6])) throw new Error('salts are not 64 hex digits')
  }
}

/** Checks that a response set exactly these cookie names (in order), `''` marking a deletion. */
function names (...want) {
  return (fw) => {
    const got = fw.set_cookie.map((c) => c.value === '' ? `${c.name}=` : c.name)
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`set ${got}, expected ${want}`)
  }
}

/**
 * The largest session {big: 'x' * n} whose Set-Cookie fits in 4096 characters (`fits`) and the next size
 * up (`over`, one more AES block), found by sealing with iron-session (the seal's length only depends on
 * the JSON's length).
 */
async function boundary (version) {
  const attrs = '; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax'
  const len = async (n) => `${NAME}=`.length + (await IRON[version].sealData({ big: 'x'.repeat(n) }, { password: PW })).length + attrs.length
  let n = 2000
  while (await len(n + 1) <= MAX_COOKIE) n++
  return { fits: n, over: n + 1, fitsLen: await len(n), overLen: await len(n + 1) }
}

/** Scenario and tamper cases for one major (the same requests for both). */
async function specs (version) {
  const v = `ir${version}`
  const alice = await mint(version, BASE, ALICE, NOW - 3600)
  const aliceOld = await mint(version, { cookieName: NAME, password: PW_OLD }, ALICE, NOW - 3600)
  const aliceOldAs2 = await mint(version, { cookieName: NAME, password: { 2: PW_OLD } }, ALICE, NOW - 3600)
  const aliceNewAs2 = await mint(version, { cookieName: NAME, password: { 2: PW } }, ALICE, NOW - 3600)
  const aliceAs3 = await mint(version, { cookieName: NAME, password: { 3: PW } }, ALICE, NOW - 3600)
  const aliceOther = await mint(version, { cookieName: NAME, password: PW_OTHER }, ALICE, NOW - 3600)
  const expired = await mint(version, BASE, ALICE, NOW - TTL - 60)
  const inGrace = await mint(version, BASE, ALICE, NOW - TTL - 59)
  const noExpiry = await mint(version, { ...BASE, ttl: 0 }, ALICE, NOW - 10 * 365 * 86400)
  const unicodeSession = { name: 'Zoë <b>&"x\'</b> 日本 😀', 'ключ': '\u2028\u0000\u001f\u007f', nested: { a: [1, 2.5, null, true], b: {} } }
  const unicode = await mint(version, BASE, unicodeSession, NOW - 3600)
  const two = await mint(version, BASE, { user: 'alice', cart: [1, 2] }, NOW - 3600)
  const size = await boundary(version)
  const [aliceSeal] = alice.map(valueOf)
  const ctIndex = 4
  const macIndex = 7

  const scenarios = [
    { id: `${v}-no-cookie-untouched`, comment: 'no cookie, the view never touches the session: nothing sent', config: BASE, cookies: [], actions: [] },
    { id: `${v}-no-cookie-read`, comment: 'no cookie, the view reads: an empty session, no save, nothing sent (iron-session never sends Vary)', config: BASE, cookies: [], actions: [get('user'), contains('user'), keys()] },
    {
      id: `${v}-login`,
      comment: 'no cookie, the view sets two keys and saves: iron_session=Fe26.2*1*<64 hex encryption salt>*<IV>*<ciphertext>*<expiry ms = now + 14 days>*<64 hex MAC salt>*<MAC>~2 (a bare password seals as id 1); Max-Age = ttl - 60 = 1209540; Path=/; HttpOnly; Secure; SameSite=Lax',
      config: BASE,
      cookies: [],
      actions: [set('user', 'alice'), set('n', 1)],
      check: sealShape()
    },
    { id: `${v}-read`, comment: 'a real cookie (sealed an hour ago) opens: get, contains, keys, dump; no save, nothing sent', config: BASE, cookies: alice, actions: [get('user'), contains('user'), contains('other'), keys(), dump()] },
    { id: `${v}-untouched`, comment: 'a real cookie, the view never touches the session: nothing sent', config: BASE, cookies: alice, actions: [] },
    { id: `${v}-modify`, comment: 'a real cookie, one value changed and saved: a new seal (new salts and IV) with the new expiry', config: BASE, cookies: alice, actions: [set('user', 'bob'), get('user')], check: sealShape() },
    { id: `${v}-add-key`, comment: 'a real cookie, a key added and saved', config: BASE, cookies: alice, actions: [set('cart', [1, 2]), keys()] },
    { id: `${v}-set-same-value`, comment: 'a real cookie, the same value set again: saved again (the app saves after every write; so do we)', config: BASE, cookies: alice, actions: [set('user', 'alice')] },
    { id: `${v}-pop-one-of-two`, comment: 'two keys, one popped and saved: the rest is sealed', config: BASE, cookies: two, actions: [pop('cart'), keys()] },
    {
      id: `${v}-pop-last-key`,
      comment: 'the last keys popped and saved: iron-session seals the empty session {}; we delete the cookie, iron-session\'s own answer to session.destroy()',
      config: BASE,
      cookies: alice,
      actions: [pop('user'), pop('n'), keys()],
      divergence: 'emptied-session-deleted',
      ours: { actions: [pop('user'), pop('n'), keys(), clear()] }
    },
    { id: `${v}-clear`, comment: 'a real cookie, session.destroy(): iron_session= with Max-Age=0 and the configured attributes', config: BASE, cookies: alice, actions: [get('user'), clear()] },
    { id: `${v}-clear-no-cookie`, comment: 'no cookie, session.destroy(): the deletion is sent anyway', config: BASE, cookies: [], actions: [clear()] },
    { id: `${v}-expired`, comment: 'sealed 14 days + 60 s ago (expiry = now - 60 s): the 60 s grace is over (expiry <= now - 60 s), an empty session; nothing sent', config: BASE, cookies: expired, actions: [get('user'), keys()] },
    { id: `${v}-expiry-grace`, comment: 'sealed 14 days + 59 s ago (expiry = now - 59 s): still inside the 60 s grace, opens; nothing sent', config: BASE, cookies: inGrace, actions: [get('user')] },
    { id: `${v}-no-expiry-seal`, comment: 'a seal made with ttl 0 ten years ago (empty expiry part, Max-Age 2147483647): never expires, opens under the default ttl', config: BASE, cookies: noExpiry, actions: [dump()] },
    { id: `${v}-ttl-1h`, comment: 'ttl 3600: the seal expires at now + 3600 s, Max-Age=3540', config: { ...BASE, ttl: 3600 }, cookies: [], actions: [set('user', 'alice')], check: sealShape({ ttl: 3600 }) },
    {
      id: `${v}-attributes`,
      comment: 'cookieOptions secure false, sameSite strict, path /app, domain example.com, httpOnly false: each attribute as configured; Max-Age still ttl - 60',
      config: { ...BASE, cookieOptions: { secure: false, sameSite: 'strict', path: '/app', domain: 'example.com', httpOnly: false } },
      cookies: [],
      actions: [set('user', 'alice')]
    },
    {
      id: `${v}-attributes-clear`,
      comment: 'the same attributes, session.destroy(): the deletion carries them (and Max-Age=0)',
      config: { ...BASE, cookieOptions: { secure: false, sameSite: 'strict', path: '/app', domain: 'example.com', httpOnly: false } },
      cookies: alice,
      actions: [clear()]
    },
    { id: `${v}-custom-name`, comment: 'cookieName sid: a seal under sid; an iron_session cookie is not read', config: { ...BASE, cookieName: 'sid' }, cookies: alice, actions: [get('user'), set('user', 'carol')] },
    { id: `${v}-unicode-write`, comment: 'non-ASCII keys and values, U+2028, NUL, DEL, nesting: JSON.stringify inside the seal', config: BASE, cookies: [], actions: [...Object.entries(unicodeSession).map(([k, x]) => set(k, x)), dump()] },
    { id: `${v}-unicode-read`, comment: 'the same session read back', config: BASE, cookies: unicode, actions: [get('name'), get('ключ'), get('nested'), keys()] },
    {
      id: `${v}-rotation-read`,
      comment: 'password {1: old, 2: new}, a cookie sealed with id 1 (old): found by its id, opens; iron-session sends nothing on a read, we re-seal with the current password (id 2), as an app holding only {2: new} writes it',
      config: ROTATING,
      cookies: aliceOld,
      actions: [get('user')],
      divergence: 'resign-fallback',
      ours: { config: { cookieName: NAME, password: { 2: PW } }, cookies: [], prefix: [set('user', 'alice'), set('n', 1)] }
    },
    { id: `${v}-rotation-current`, comment: 'password {1: old, 2: new}, a cookie sealed with id 2 (new): opens, nothing sent', config: ROTATING, cookies: aliceNewAs2, actions: [get('user')] },
    { id: `${v}-rotation-write`, comment: 'password {1: old, 2: new}, a write: sealed with the highest id, 2', config: ROTATING, cookies: [], actions: [set('user', 'alice'), set('n', 1)], check: sealShape({ id: '2' }) },
    { id: `${v}-rotation-id-names-password`, comment: 'password {1: old, 2: new}, a cookie sealed with the old password under id 2: the id picks the new password, the MAC fails, an empty session (passwords are looked up by id, never tried in turn)', config: ROTATING, cookies: aliceOldAs2, actions: [get('user')] },
    { id: `${v}-rotation-unknown-id`, comment: 'password {1: old, 2: new}, a cookie sealed under id 3: no such password, an empty session', config: ROTATING, cookies: aliceAs3, actions: [get('user')] },
    { id: `${v}-bare-password-is-id-1`, comment: 'a bare password is {1: password}: a cookie sealed with the same password under id 2 is not opened', config: BASE, cookies: aliceNewAs2, actions: [get('user')] },
    { id: `${v}-size-fits`, comment: `{big: "x" * ${size.fits}}: the Set-Cookie header is ${size.fitsLen} characters, within iron-session's 4096, sent`, config: BASE, cookies: [], actions: [set('big', 'x'.repeat(size.fits))] },
    {
      id: `${v}-size-over`,
      comment: `{big: "x" * ${size.over}}: one more AES block, a ${size.overLen}-character Set-Cookie header: save() throws ("Cookie length is too big"), a 500 without cookies; ours is a 500 too, with Vary: Cookie as every error of ours`,
      config: BASE,
      cookies: [],
      actions: [set('big', 'x'.repeat(size.over))],
      divergence: 'oversize-vary-cookie',
      ours: { literal: { status: 500, vary: ['Cookie'], set_cookie: [] } }
    }
  ]
  if (version === 8) {
    scenarios.push({
      id: 'ir8-ttl-under-grace',
      comment: 'ttl 30: iron-session 8 writes Max-Age = ttl - 60 = -30 (the browser drops the cookie at once); iron-session 9 keeps ttl when it is not above 60, Max-Age=30, which we follow (the answer of iron-session 9 to the same request)',
      config: { ...BASE, ttl: 30 },
      cookies: [],
      actions: [set('user', 'alice')],
      divergence: 'max-age-not-negative',
      ours: { version: 9 }
    })
  } else {
    scenarios.push({ id: 'ir9-ttl-under-grace', comment: 'ttl 30: Max-Age = ttl when ttl is not above 60 (iron-session 9), the seal expires at now + 30 s', config: { ...BASE, ttl: 30 }, cookies: [], actions: [set('user', 'alice')], check: sealShape({ ttl: 30, maxAge: 30 }) })
  }

  // Hostile cookies: iron-session 8 throws on some before the MAC is checked (a 500 anyone can cause); 9
  // catches every unseal error.
  const hostile8 = version === 8
  const refusedOrHostile = (spec) => hostile8
    ? { ...spec, comment: `${spec.comment}; iron-session 8 throws ("${spec.error8}"), a 500 anyone can cause without a password; we start empty`, divergence: 'hostile-payload', ours: { cookies: [] } }
    : { ...spec, comment: `${spec.comment}; iron-session 9 catches it: an empty session, nothing sent` }
  const tamper = [
    { id: `${v}-tamper-ciphertext`, comment: 'one character of the ciphertext changed: the MAC fails, an empty session, nothing sent', config: BASE, cookies: [editPart(alice[0], ctIndex, flipMiddle)], actions: [get('user'), keys()] },
    { id: `${v}-tamper-mac`, comment: 'one character of the MAC changed: an empty session', config: BASE, cookies: [editPart(alice[0], macIndex, flipMiddle)], actions: [get('user')] },
    { id: `${v}-tamper-expiry`, comment: 'the expiry part moved a day later (it is under the MAC): an empty session', config: BASE, cookies: [editPart(alice[0], 5, (e) => String(Number(e) + 86400000))], actions: [get('user')] },
    { id: `${v}-tamper-salt`, comment: 'the MAC salt changed (one hex digit): another MAC key, an empty session', config: BASE, cookies: [editPart(alice[0], 6, (s) => (s[0] === 'a' ? 'b' : 'a') + s.slice(1))], actions: [get('user')] },
    { id: `${v}-wrong-password`, comment: 'sealed under id 1 with another password: the MAC fails, an empty session', config: BASE, cookies: aliceOther, actions: [get('user')] },
    { id: `${v}-seven-parts`, comment: 'the MAC part dropped (seven parts): "Incorrect number of sealed components", an empty session', config: BASE, cookies: [`${NAME}=${splitSeal(aliceSeal).parts.slice(0, 7).join('*')}~2`], actions: [get('user')] },
    { id: `${v}-garbage`, comment: 'iron_session=abc: not a seal, an empty session', config: BASE, cookies: [`${NAME}=abc`], actions: [get('user')] },
    { id: `${v}-empty-value`, comment: 'iron_session= (empty): no seal, an empty session', config: BASE, cookies: [`${NAME}=`], actions: [get('user')] },
    { id: `${v}-duplicate-valid-first`, comment: 'two iron_session pairs in one header, a valid one first: the first wins, it opens', config: BASE, cookies: [`${alice[0]}; ${NAME}=abc`], actions: [get('user')] },
    { id: `${v}-duplicate-bad-first`, comment: 'two iron_session pairs, a bad one first: the first wins, an empty session', config: BASE, cookies: [`${NAME}=abc; ${alice[0]}`], actions: [get('user')] },
    refusedOrHostile({ id: `${v}-hostile-prefix`, comment: 'a real seal with its prefix changed to Fe26.1', error8: 'Wrong mac prefix', config: BASE, cookies: [editPart(alice[0], 0, () => 'Fe26.1')], actions: [get('user')] }),
    refusedOrHostile({ id: `${v}-hostile-expiry-not-digits`, comment: 'a real seal with the expiry part abc', error8: 'Invalid expiration', config: BASE, cookies: [editPart(alice[0], 5, () => 'abc')], actions: [get('user')] }),
    refusedOrHostile({ id: `${v}-hostile-id-constructor`, comment: 'a real seal with the password id constructor (`id in passwords` finds Object.prototype.constructor)', error8: 'Empty password', config: BASE, cookies: [editPart(alice[0], 1, () => 'constructor')], actions: [get('user')] }),
    refusedOrHostile({ id: `${v}-hostile-id-proto`, comment: 'a real seal with the password id __proto__', error8: 'Empty password', config: BASE, cookies: [editPart(alice[0], 1, () => '__proto__')], actions: [get('user')] }),
    refusedOrHostile({ id: `${v}-hostile-id-has-own-property`, comment: 'a real seal with the password id hasOwnProperty (an inherited function taken for a password)', error8: 'Empty password', config: BASE, cookies: [editPart(alice[0], 1, () => 'hasOwnProperty')], actions: [get('user')] }),
    refusedOrHostile({ id: `${v}-hostile-not-json`, comment: 'a valid MAC over the text {"user": (not JSON; made with the password by iron-webcrypto\'s encode option)', error8: 'Unexpected end of JSON input', config: BASE, cookies: [await sealText('{"user":', { now: NOW - 3600 })], actions: [get('user')] }),
    {
      id: `${v}-hostile-json-string`,
      comment: `a valid MAC over the JSON string "abc": iron-session ${version} makes the string the session, Object.defineProperties throws, a 500 (only a password holder can cause it); we start empty`,
      config: BASE,
      cookies: [await sealText('"abc"', { now: NOW - 3600 })],
      actions: [get('user')],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    {
      id: `${v}-hostile-json-number`,
      comment: `a valid MAC over the JSON number 5: the same 500 in iron-session ${version}; we start empty`,
      config: BASE,
      cookies: [await sealText('5', { now: NOW - 3600 })],
      actions: [get('user')],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    {
      id: `${v}-hostile-json-array`,
      comment: 'a valid MAC over the JSON array [1,"x"]: the array becomes the session (keys "0", "1"); we start empty',
      config: BASE,
      cookies: [await sealText('[1,"x"]', { now: NOW - 3600 })],
      actions: [keys(), get('0')],
      divergence: 'hostile-payload',
      ours: { cookies: [] }
    },
    { id: `${v}-hostile-json-null`, comment: 'a valid MAC over null: unseal answers null, read as an empty session; nothing sent', config: BASE, cookies: [await sealText('null', { now: NOW - 3600 })], actions: [keys()] }
  ]
  if (version === 8) {
    tamper.push(
      { id: 'ir8-mac-unused-bits', comment: 'the MAC\'s last base64url character with its two unused bits set (same bytes, other text): iron-session 8 compares the MAC as text, an empty session', config: BASE, cookies: [editPart(alice[0], macIndex, setUnusedBits)], actions: [get('user')] },
      {
        id: 'ir8-no-version-suffix',
        comment: 'a real seal without its ~2 suffix (the suffix is outside the MAC): iron-session 8 takes it for a v1 token and answers its `persistent` key, here none, so an empty session; we ignore the suffix, as iron-session 9 does, and open it',
        config: BASE,
        cookies: [alice[0].replace(/~2$/, '')],
        actions: [get('user'), keys()],
        divergence: 'version-suffix-ignored',
        ours: { cookies: alice }
      },
      {
        id: 'ir8-chunks-not-read',
        comment: 'iron_session.0 and iron_session.1 (a session iron-session 9 chunked): iron-session 8 reads only iron_session, an empty session; we read chunks whatever the chunk setting, as iron-session 9 does (its answer to the same request)',
        config: BASE,
        cookies: [(await mint(9, CHUNKED, { big: detChars(4500, 'iron-chunk-a') })).join('; ')],
        actions: [keys()],
        divergence: 'chunks-always-read',
        ours: { version: 9 }
      }
    )
  } else {
    tamper.push(
      {
        id: 'ir9-mac-unused-bits',
        comment: 'the MAC\'s last base64url character with its two unused bits set: iron-session 9 decodes the MAC leniently (atob) and verifies the bytes, so it opens; we accept only the canonical text and start empty',
        config: BASE,
        cookies: [editPart(alice[0], macIndex, setUnusedBits)],
        actions: [get('user')],
        divergence: 'strict-base64',
        ours: { cookies: [] }
      },
      { id: 'ir9-no-version-suffix', comment: 'a real seal without its ~2 suffix: iron-session 9 strips and ignores the suffix (it is outside the MAC), opens', config: BASE, cookies: [alice[0].replace(/~2$/, '')], actions: [get('user')] },
      { id: 'ir9-other-version-suffix', comment: 'a real seal with ~3 instead of ~2: ignored the same way, opens', config: BASE, cookies: [alice[0].replace(/~2$/, '~3')], actions: [get('user')] }
    )
  }
  return { scenarios, tamper }
}

/** iron-session 9's chunking (`chunk: true`): up to four cookies name.0..name.3, stale ones expired. */
async function chunkSpecs () {
  const big = (n, seed) => ({ big: detChars(n, seed) })
  const two = await mint(9, CHUNKED, big(4500, 'iron-chunk-a'))
  const twoB = await mint(9, CHUNKED, big(4500, 'iron-chunk-b'))
  const three = await mint(9, CHUNKED, big(7000, 'iron-chunk-c'))
  const small = await mint(9, BASE, { user: 'alice' })
  if (two.length !== 2 || three.length !== 3) throw new Error(`chunk counts ${two.length}, ${three.length}`)
  const budget = MAX_COOKIE - `${NAME}.0=; Max-Age=1209540; Path=/; HttpOnly; Secure; SameSite=Lax`.length
  return [
    { id: 'ir9-chunk-write', comment: `no cookie, a 4500-character value: the seal is split into iron_session.0 and iron_session.1, each chunk at most ${budget} characters (4096 less the Set-Cookie of an empty iron_session.0 with the same attributes), the rest in the last`, config: CHUNKED, cookies: [], actions: [set('big', big(4500, 'iron-chunk-a').big)], check: names(`${NAME}.0`, `${NAME}.1`) },
    { id: 'ir9-chunk-read', comment: 'the two chunks read back (concatenated in index order, then unsealed): opens, nothing sent', config: CHUNKED, cookies: [two.join('; ')], actions: [keys(), get('big')] },
    { id: 'ir9-chunk-read-reordered', comment: 'the chunks in the header as .1 then .0: read by name, opens', config: CHUNKED, cookies: [`${two[1]}; ${two[0]}`], actions: [keys()] },
    { id: 'ir9-chunk-shrink-to-whole', comment: 'three chunks, the big value replaced by a short one: one iron_session cookie, then each chunk the request carried expired (Max-Age=0)', config: CHUNKED, cookies: [three.join('; ')], actions: [set('big', 'small')], check: names(NAME, `${NAME}.0=`, `${NAME}.1=`, `${NAME}.2=`) },
    { id: 'ir9-chunk-fewer', comment: 'three chunks, a 4500-character value written: .0 and .1 written, the stale .2 expired', config: CHUNKED, cookies: [three.join('; ')], actions: [set('big', big(4500, 'iron-chunk-d').big)], check: names(`${NAME}.0`, `${NAME}.1`, `${NAME}.2=`) },
    { id: 'ir9-chunk-grow-from-whole', comment: 'a whole iron_session cookie, a 4500-character value added: .0 and .1 written, then the whole cookie expired', config: CHUNKED, cookies: small, actions: [set('big', big(4500, 'iron-chunk-e').big)], check: names(`${NAME}.0`, `${NAME}.1`, `${NAME}=`) },
    { id: 'ir9-chunk-four', comment: 'a 10000-character value: four chunks, the most iron-session allows', config: CHUNKED, cookies: [], actions: [set('big', big(10000, 'iron-chunk-f').big)], check: names(`${NAME}.0`, `${NAME}.1`, `${NAME}.2`, `${NAME}.3`) },
    {
      id: 'ir9-chunk-too-many',
      comment: 'a 13000-character value needs five chunks: save() throws ("maximum is 4"), a 500 without cookies; ours is a 500 with Vary: Cookie',
      config: CHUNKED,
      cookies: [],
      actions: [set('big', big(13000, 'iron-chunk-g').big)],
      divergence: 'oversize-vary-cookie',
      ours: { literal: { status: 500, vary: ['Cookie'], set_cookie: [] } }
    },
    { id: 'ir9-chunk-destroy', comment: 'three chunks, session.destroy(): iron_session= expired, then each chunk the request carried', config: CHUNKED, cookies: [three.join('; ')], actions: [clear()], check: names(`${NAME}=`, `${NAME}.0=`, `${NAME}.1=`, `${NAME}.2=`) },
    { id: 'ir9-chunk-spliced', comment: '.0 of one session with .1 of another: the joined seal fails its MAC, an empty session, nothing sent', config: CHUNKED, cookies: [`${two[0]}; ${twoB[1]}`], actions: [keys()] },
    { id: 'ir9-chunk-missing-middle', comment: '.0 and .2 of a three-chunk session: reading stops at the missing .1, the seal is incomplete, an empty session', config: CHUNKED, cookies: [`${three[0]}; ${three[2]}`], actions: [keys()] },
    { id: 'ir9-chunk-missing-first', comment: 'only .1: nothing is read without .0, an empty session', config: CHUNKED, cookies: [two[1]], actions: [keys()] },
    { id: 'ir9-chunk-whole-wins', comment: 'a whole iron_session cookie and the chunks of another session: the whole cookie is read', config: CHUNKED, cookies: [`${small[0]}; ${two.join('; ')}`], actions: [keys()] },
    { id: 'ir9-chunk-empty-whole', comment: 'iron_session= (empty) with two chunks: an empty whole cookie does not count, the chunks are read', config: CHUNKED, cookies: [`${NAME}=; ${two.join('; ')}`], actions: [keys()] },
    { id: 'ir9-chunk-off-reads-chunks', comment: 'chunk not set, two chunks: iron-session 9 reads both shapes whatever the setting, opens', config: BASE, cookies: [two.join('; ')], actions: [keys()] },
    {
      id: 'ir9-chunk-off-too-large',
      comment: 'chunk not set, a 4500-character value: save() throws ("Cookie length is too big"), a 500; ours too, with Vary: Cookie',
      config: BASE,
      cookies: [],
      actions: [set('big', big(4500, 'iron-chunk-h').big)],
      divergence: 'oversize-vary-cookie',
      ours: { literal: { status: 500, vary: ['Cookie'], set_cookie: [] } }
    }
  ]
}

/** Runs one specification on iron-session `version`: the framework's answer, then the expected one. */
async function build (version, spec) {
  const run = (over = {}) => exchange({
    version: over.version || version,
    config: over.config || spec.config,
    cookies: over.cookies || spec.cookies,
    actions: [...(over.prefix || []), ...(over.actions || spec.actions)],
    now: spec.now || NOW
  })
  let error = null
  const recorded = async (over) => {
    const r = await run(over)
    if (!over) error = r.error
    return r
  }
  const c = await common.buildScenario(spec, recorded, ours(spec.config), NOW)
  // The comment names what iron-session 8 throws: it must be what it threw.
  if (version === 8 && spec.error8 && error !== spec.error8) throw new Error(`${spec.id}: iron-session 8 threw ${JSON.stringify(error)}, the comment says ${JSON.stringify(spec.error8)}`)
  if (error) c.framework.error = error
  return c
}

const FILES = {
  iron_session_v8_scenarios: [8, 'Sessions, attributes, expiry, password rotation and the size limit'],
  iron_session_v8_tamper: [8, 'Tampered, refused and hostile cookies'],
  iron_session_v9_scenarios: [9, 'Sessions, attributes, expiry, password rotation and the size limit'],
  iron_session_v9_tamper: [9, 'Tampered, refused and hostile cookies'],
  iron_session_v9_chunks: [9, 'Chunking (chunk: true): writes, reads, stale chunks, splicing']
}

/** Every vector file: {file name: document}, cases in their fixed order. */
async function documents () {
  const lists = {}
  for (const version of [8, 9]) {
    const s = await specs(version)
    lists[`iron_session_v${version}_scenarios`] = s.scenarios
    lists[`iron_session_v${version}_tamper`] = s.tamper
  }
  lists.iron_session_v9_chunks = await chunkSpecs()
  const docs = {}
  for (const [stem, [version, what]] of Object.entries(FILES)) {
    const [cases] = Object.values(await common.buildFiles({ [stem]: lists[stem] }, (s) => build(version, s)))
    const divergences = common.divergencesOf(cases)
    docs[`${stem}.json`] = {
      file: `${stem}.json`,
      format: 'iron-session',
      source: source(version),
      comment: `${what} through a real Node http server calling getIronSession(req, res, options) of iron-session ${version} ` +
        '(one loopback request each, Date.now frozen); the app calls session.save() after a set or pop and session.destroy() on clear. ' +
        'Seals are random: each Set-Cookie entry carries the real value and `json`, the session its cookies open to; compare by decoding. ' +
        'max_cookie_size counts the whole Set-Cookie header (name=value and attributes). framework.error is what iron-session threw. ' +
        `divergences: ${divergences.length ? divergences.join(', ') : 'none'}.`,
      cases
    }
  }
  return docs
}

// -------------------------------------------------------------------------------------------------------
// --check: random values compared by length, then every committed case replayed

/** The framework's answer to a committed case, replayed: must be the recorded one (values compared by decoding). */
async function replay (version, c) {
  const r = await exchange({ version, config: c.config, cookies: c.request_cookies, actions: c.actions, now: c.now })
  const got = { ...common.strip(r) }
  if (r.error) got.error = r.error
  const want = { ...c.framework }
  const obs = want.observations || c.actions.filter((a) => 'expect' in a).map((a) => a.expect)
  delete want.observations
  const problems = []
  const [a, b] = [got, want].map((x) => JSON.stringify(common.maskRandom({ cases: [{ framework: x }] }).cases[0].framework))
  if (a !== b) problems.push(`answer ${a}, recorded ${b}`)
  if (r.status === 200 && JSON.stringify(r.observations) !== JSON.stringify(obs)) {
    problems.push(`the view saw ${JSON.stringify(r.observations)}, recorded ${JSON.stringify(obs)}`)
  }
  return problems
}

/** `--check DIR`: fresh documents equal the committed ones but for random values; every committed case replays. */
async function check (dir) {
  return common.checkRandom(await documents(), dir, (doc, c) => replay(Number(doc.file.match(/_v(\d)_/)[1]), c))
}

// -------------------------------------------------------------------------------------------------------
// --read-ours: real iron-session reads cookies our library made

/**
 * FILE: a JSON list (or {"cases": [...]}) of {id?, password, name, cookie_header, now, expect_session,
 * versions?, chunk?}: password is iron-session's (a string, or {id: password}); each cookie header goes to a
 * real app of each of `versions` (default [8, 9]) at `now` whose view dumps the session; it must equal
 * expect_session ({} for a cookie that must be refused), and the read must set no cookie.
 */
async function readOurs (file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
  const list = Array.isArray(doc) ? doc : doc.cases
  let failures = 0
  let runs = 0
  for (const [i, c] of list.entries()) {
    for (const version of c.versions || [8, 9]) {
      runs++
      const id = `${c.id || `#${i}`} (iron-session ${version})`
      const config = { cookieName: c.name, password: c.password, ...(c.chunk ? { chunk: true } : {}) }
      const r = await exchange({ version, config, cookies: [c.cookie_header], actions: [dump()], now: c.now || NOW })
      const got = r.status === 200 ? r.observations[0] : `status ${r.status} (${r.error})`
      const want = pyDumps(c.expect_session)
      const problems = []
      if (got !== want) problems.push(`iron-session read ${got}, expected ${want}`)
      if (r.set_cookie.length) problems.push(`a read set cookies: ${r.set_cookie.map((s) => s.name).join(', ')}`)
      if (problems.length) {
        failures++
        console.log(`FAIL ${id}: ${problems.join('; ')}`)
      } else {
        console.log(`ok   ${id}`)
      }
    }
  }
  console.log(`read-ours: ${runs - failures}/${runs} read by iron-session as expected`)
  return failures ? 1 : 0
}

common.main(SCRIPT, { setup, documents, check, readOurs })
