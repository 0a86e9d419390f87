#!/usr/bin/env node
'use strict'
/*
 * Vectors for the authjs and next-auth-v4 profiles, made by the real packages: every case is one request
 * to the real Auth.js handler (`Auth(request, config)` of @auth/core) or next-auth 4's (`AuthHandler` of
 * next-auth/core, as its Next.js adapter calls it), in process, with the clock frozen (Date.now and
 * `new Date()`, which jose reads). The view runs where an app's code meets the session: in the `jwt`
 * callback, on the token's claims.
 *
 *     node scripts/authjs_vectors.js --out testdata/vectors      # (re)write authjs_*.json, next_auth_v4_*.json
 *     node scripts/authjs_vectors.js --check testdata/vectors    # exit 1 (and say what differs) if stale
 *     node scripts/authjs_vectors.js --read-ours FILE            # the real packages read cookies we made
 *
 * How our actions map onto the handlers (the app's answer is a 200 carrying the handler's session cookies):
 * - no actions: the app never asks for the session, nothing is called;
 * - a read, or a write with a session cookie present: the session endpoint (GET /api/auth/session, what
 *   `auth()`/`getServerSession()` run), whose jwt callback runs the view on the decoded claims and returns
 *   them; the handler then encodes them again with a fresh iat, exp and jti and sets the cookie(s), or on a
 *   token it cannot decode deletes every session cookie (SessionStore.clean());
 * - a write without a session cookie: sign-in through a Credentials provider (POST /api/auth/callback/
 *   credentials; next-auth 4 checks its CSRF token, fetched first from /api/auth/csrf), whose jwt callback
 *   runs the view on empty claims (the app keeps only what the view set);
 * - clear (alone): sign-out (POST /api/auth/signout), which deletes every session cookie the request carried.
 * Only the session cookies are recorded (names starting with the session cookie's name, as the handlers'
 * SessionStore takes them); the handlers also set their callback-url and CSRF cookies.
 *
 * Tokens are random (the JWE's IV and the jti), so the known answers are "this real cookie opens to these
 * claims" and "the real package opens ours": each Set-Cookie entry carries `json`, the claims its cookies
 * open to (compact, keys sorted; iat and exp come from the frozen clock, jti is random), `jwe_header`, the
 * token's protected header (fixed: alg, enc, and for Auth.js the kid), and its real value. `--check`
 * regenerates and compares all but the random parts (values by their length, jti masked), then replays every
 * committed case through the real handler.
 *
 * Packages: @auth/core 0.41 (with jose 6) and next-auth 4.24 (with jose 4), from target/node/node_modules
 * (`cargo xtask vectors` installs interop/node's lockfile there; NODE_PATH may name another folder).
 */

const fs = require('fs')

const common = require('./node_vector_common')

const { NODE_MAJOR, load, importModule, installed, pyDumps, parseSetCookie, detChars, runActions } = common
const { get, set, pop, clear, contains, keys, dump } = common.actions
const SCRIPT = 'authjs_vectors.js'

const NOW = 1700000000
const S1 = 'authjs-secret-current-0001'
const S2 = 'authjs-secret-next-0002'
const S_OTHER = 'authjs-secret-unknown-0001'
const MAX_AGE = 30 * 24 * 3600

/** The loaded packages. */
const P = {}

async function setup () {
  common.checkVersions(SCRIPT, {
    names: ['@auth/core', 'next-auth'],
    nested: {
      jose: '6.2.19',
      '@panva/hkdf': '1.2.1',
      'next-auth/node_modules/jose': '4.15.9',
      cookie: '0.7.2',
      uuid: '11.1.1'
    },
    absent: ['@auth/core/node_modules/jose', '@auth/core/node_modules/@panva/hkdf', 'next-auth/node_modules/cookie']
  })
  P.auth = await importModule('@auth/core/index.js')
  P.credentials = (await importModule('@auth/core/providers/credentials.js')).default
  P.jwt = await importModule('@auth/core/jwt.js')
  P.store = await importModule('@auth/core/lib/utils/cookie.js')
  P.vendoredCookie = await importModule('@auth/core/lib/vendored/cookie.js')
  P.jose = await importModule('jose/dist/webapi/index.js')
  P.hkdf = (await importModule('@panva/hkdf/dist/node/esm/index.js')).hkdf
  P.v4 = load('next-auth/core')
  P.v4credentials = load('next-auth/providers/credentials').default
  P.v4jwt = load('next-auth/jwt')
  P.v4store = load('next-auth/core/lib/cookie')
  P.v4jose = load('next-auth/node_modules/jose')
  P.cookie = load('cookie')
}

function source (format) {
  return format === 'authjs'
    ? `scripts/authjs_vectors.js with @auth/core ${installed('@auth/core')}, jose ${installed('jose')}, @panva/hkdf ${installed('@panva/hkdf')} (Node ${NODE_MAJOR})`
    : `scripts/authjs_vectors.js with next-auth ${installed('next-auth')}, jose ${installed('next-auth/node_modules/jose')}, @panva/hkdf ${installed('@panva/hkdf')}, cookie ${installed('cookie')} (Node ${NODE_MAJOR})`
}

const b64json = (segment) => Buffer.from(segment, 'base64url').toString('utf8')
const valueOf = (pair) => pair.slice(pair.indexOf('=') + 1)
const nameOf = (pair) => pair.slice(0, pair.indexOf('='))

/**
 * The token the session cookies of `pairs` ([name, value]) hold, joined as the handlers' SessionStore joins
 * them: every non-empty cookie whose name starts with `base`, in the numeric order of the name's last
 * dot-separated part.
 */
function joinedToken (base, pairs) {
  const live = pairs.filter(([n, v]) => n.startsWith(base) && v !== '')
  const suffix = (n) => parseInt(n.split('.').pop() || '0')
  return live.sort((a, b) => suffix(a[0]) - suffix(b[0])).map(([, v]) => v).join('')
}

// -------------------------------------------------------------------------------------------------------
// The two profiles

/**
 * What differs between Auth.js and next-auth 4: the cookie names, how a request reaches the handler, how
 * tokens are minted and decoded, our settings for a configuration.
 */
const PROFILES = {
  authjs: {
    format: 'authjs',
    prefix: 'aj',
    chunkSize: 3936,
    cookieName (config) {
      return config.cookies?.sessionToken?.name || `${config.useSecureCookies ? '__Secure-' : ''}authjs.session-token`
    },
    /** One call of Auth(): {status, location, setCookies: [header], error}. */
    async handle (config, { endpoint, cookieHeader, view }) {
      const errors = []
      const authConfig = {
        secret: config.secret,
        trustHost: true,
        basePath: '/api/auth',
        skipCSRFCheck: P.auth.skipCSRFCheck,
        providers: [P.credentials({ credentials: {}, authorize: async () => ({ id: 'user-1' }) })],
        callbacks: { jwt: view },
        logger: { error: (e) => errors.push(e.cause?.err?.message || e.message), warn: () => {}, debug: () => {} }
      }
      if (config.session) authConfig.session = { ...config.session }
      if (config.useSecureCookies !== undefined) authConfig.useSecureCookies = config.useSecureCookies
      if (config.cookies) authConfig.cookies = structuredClone(config.cookies)
      const url = `http://127.0.0.1/api/auth/${endpoint === 'signin' ? 'callback/credentials' : endpoint}`
      const headers = { cookie: cookieHeader }
      const init = endpoint === 'session'
        ? { headers }
        : { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: '' }
      const r = await P.auth.Auth(new Request(url, init), authConfig)
      return { status: r.status, location: r.headers.get('location'), setCookies: r.headers.getSetCookie(), error: errors[0] || null }
    },
    async decode (config, token) {
      return P.jwt.decode({ token, secret: config.secret, salt: this.cookieName(config) })
    },
    /** A token Auth.js' own encode() makes for `claims` at `now`. */
    async encode (config, claims, now) {
      common.freezeClock(now)
      return P.jwt.encode({ token: claims, secret: config.secret, salt: this.cookieName(config), maxAge: config.session?.maxAge || MAX_AGE })
    },
    /** The cookies Auth.js' SessionStore makes of a token (chunked above 3936 characters). */
    chunk (config, token) {
      const store = new P.store.SessionStore({ name: this.cookieName(config), options: {} }, {}, { debug: () => {} })
      return store.chunk(token, {}).map((c) => `${c.name}=${c.value}`)
    },
    ours (config) {
      const secrets = Array.isArray(config.secret) ? config.secret : [config.secret]
      return {
        secret_key: secrets[0],
        fallbacks: secrets.slice(1),
        cookie_name: this.cookieName(config),
        lifetime_secs: config.session?.maxAge || MAX_AGE,
        path: '/',
        domain: null,
        secure: Boolean(config.useSecureCookies),
        http_only: true,
        same_site: 'Lax'
      }
    }
  },
  'next-auth-v4': {
    format: 'next-auth-v4',
    prefix: 'na4',
    chunkSize: 3933,
    cookieName (config) {
      return config.cookies?.sessionToken?.name || `${config.useSecureCookies ? '__Secure-' : ''}next-auth.session-token`
    },
    /** One call of next-auth 4's AuthHandler, as its Next.js adapter makes it (cookies parsed by `cookie`). */
    async handle (config, { endpoint, cookieHeader, view }) {
      const errors = []
      const options = {
        secret: config.secret,
        providers: [P.v4credentials({ credentials: {}, authorize: async () => ({ id: 'user-1' }) })],
        callbacks: { jwt: view },
        logger: { error: (code, e) => errors.push(e?.message || code), warn: () => {}, debug: () => {} }
      }
      if (config.session) options.session = { ...config.session }
      if (config.jwt) options.jwt = { ...config.jwt }
      if (config.useSecureCookies !== undefined) options.useSecureCookies = config.useSecureCookies
      if (config.cookies) options.cookies = structuredClone(config.cookies)
      process.env.NEXTAUTH_URL = 'http://127.0.0.1'
      const call = (action, method, header, body, providerId) => P.v4.AuthHandler({
        req: { body, query: {}, cookies: P.cookie.parse(header), headers: { cookie: header, host: '127.0.0.1' }, method, action, providerId },
        options
      })
      let header = cookieHeader
      let body
      if (endpoint !== 'session') {
        // POSTs carry the CSRF token: its cookie and the same token in the body, from the real csrf action.
        const csrf = await call('csrf', 'GET', cookieHeader)
        const c = csrf.cookies.find((x) => x.name.endsWith('next-auth.csrf-token'))
        header = [cookieHeader, `${c.name}=${c.value}`].filter(Boolean).join('; ')
        body = { csrfToken: csrf.body.csrfToken }
      }
      const r = endpoint === 'session'
        ? await call('session', 'GET', header)
        : endpoint === 'signin'
          ? await call('callback', 'POST', header, body, 'credentials')
          : await call('signout', 'POST', header, body)
      return {
        status: r.redirect ? 302 : (r.status || 200),
        location: r.redirect || null,
        setCookies: (r.cookies || []).map((c) => P.cookie.serialize(c.name, c.value, c.options)),
        error: errors[0] || null
      }
    },
    async decode (config, token) {
      return P.v4jwt.decode({ token, secret: config.secret })
    },
    async encode (config, claims, now) {
      common.freezeClock(now)
      return P.v4jwt.encode({ token: claims, secret: config.secret, maxAge: config.session?.maxAge || MAX_AGE })
    },
    chunk (config, token) {
      const store = new P.v4store.SessionStore({ name: this.cookieName(config), options: {} }, { cookies: {} }, { debug: () => {} })
      return store.chunk(token, {}).map((c) => `${c.name}=${c.value}`)
    },
    ours (config) {
      return {
        secret_key: config.secret,
        fallbacks: [],
        cookie_name: this.cookieName(config),
        lifetime_secs: config.session?.maxAge || MAX_AGE,
        path: '/',
        domain: null,
        secure: Boolean(config.useSecureCookies),
        http_only: true,
        same_site: 'Lax'
      }
    }
  }
}

// -------------------------------------------------------------------------------------------------------
// One request

/**
 * One request of `profile` under `config` carrying the Cookie header `cookies` (one line at most: these
 * handlers take a Web Request or Next's parsed cookies), the view `actions`, at `now`.
 */
async function exchange (profile, { config, cookies = [], actions = [], now = NOW }) {
  if (cookies.length > 1) throw new Error('one Cookie line per request')
  common.freezeClock(now)
  const base = profile.cookieName(config)
  const cookieHeader = cookies[0] || ''
  const present = Object.keys(P.cookie.parse(cookieHeader)).some((n) => n.startsWith(base))
  const wrote = actions.some((a) => a.op === 'set' || a.op === 'pop')
  const clears = actions.some((a) => a.op === 'clear')
  if (clears && actions.length !== 1) throw new Error('clear is sign-out: it stands alone')
  const state = { ran: false, out: [] }
  const view = async ({ token, trigger }) => {
    state.ran = true
    const claims = trigger === 'signIn' || trigger === 'signUp' ? {} : token
    state.out = runActions(claims, actions).out
    return claims
  }
  let r = { status: 200, setCookies: [], error: null }
  const ep = !actions.length ? null : clears ? 'signout' : !present && wrote ? 'signin' : 'session'
  if (ep) {
    r = await profile.handle(config, { endpoint: ep, cookieHeader, view })
    if (r.location && /error|signin\?/.test(r.location)) throw new Error(`the handler answered ${r.location}`)
  }
  if (!state.ran) {
    if (wrote) throw new Error('a write the handler never ran (no session to write into)')
    state.out = runActions({}, actions).out
  }
  const setCookie = r.setCookies.map((h) => parseSetCookie(h)).filter((c) => c.name.startsWith(base))
  const token = joinedToken(base, setCookie.map((c) => [c.name, c.value]))
  if (token) {
    // The claims the written cookies open to, read back by the same package at the same time.
    const inside = pyDumps(await profile.decode(config, token))
    const header = b64json(token.split('.')[0])
    for (const c of setCookie) {
      if (c.value !== '') Object.assign(c, { json: inside, jwe_header: header })
    }
  }
  return { status: 200, vary: [], set_cookie: setCookie, observations: state.out, error: r.error }
}

// -------------------------------------------------------------------------------------------------------
// Inputs made with the real packages

/** The Cookie header of a token of `claims` made by the profile's own encode() at `now`, chunked by its SessionStore. */
async function mint (profile, config, claims, now = NOW - 3600) {
  return profile.chunk(config, await profile.encode(config, claims, now)).join('; ')
}

/** The Auth.js key: HKDF-SHA256(secret, salt = cookie name, info "Auth.js Generated Encryption Key (<salt>)"). */
function authjsKey (secret, salt, length) {
  return P.hkdf('sha256', secret, salt, `Auth.js Generated Encryption Key (${salt})`, length)
}

/** next-auth 4's key: HKDF-SHA256(secret, salt "", info "NextAuth.js Generated Encryption Key", 32 bytes). */
function v4Key (secret) {
  return P.hkdf('sha256', secret, '', 'NextAuth.js Generated Encryption Key', 32)
}

/**
 * A token like Auth.js' encode() makes, with another protected header (no kid; or another enc, with the
 * 32-byte key Auth.js derives for A256GCM), encrypted with jose 6 under the key Auth.js derives: the tokens
 * older Auth.js releases made, and one it must refuse.
 */
async function authjsTokenWith (header, claims, { secret = S1, salt = 'authjs.session-token', now = NOW - 3600 } = {}) {
  common.freezeClock(now)
  const key = await authjsKey(secret, salt, header.enc === 'A256CBC-HS512' ? 64 : 32)
  return new P.jose.EncryptJWT(claims).setProtectedHeader(header).setIssuedAt().setExpirationTime(now + MAX_AGE)
    .setJti(crypto.randomUUID()).encrypt(key)
}

/** A next-auth 4 token made by jose 4 (next-auth's) with another algorithm under next-auth 4's 32-byte key. */
async function v4TokenWith (header, claims, { secret = S1, now = NOW - 3600 } = {}) {
  common.freezeClock(now)
  return new P.v4jose.EncryptJWT(claims).setProtectedHeader(header).setIssuedAt().setExpirationTime(now + MAX_AGE)
    .setJti(crypto.randomUUID()).encrypt(await v4Key(secret))
}

/** The segment `index` of the JWE in `name=value` replaced by `f(segment)`. */
function editSegment (pair, index, f) {
  const parts = valueOf(pair).split('.')
  parts[index] = f(parts[index])
  return `${nameOf(pair)}=${parts.join('.')}`
}

/** Replaces the middle character of a base64url text with another (shifted by 7 in the alphabet). */
function flipMiddle (text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const i = Math.floor(text.length / 2)
  return text.slice(0, i) + alphabet[(alphabet.indexOf(text[i]) + 7) % 64] + text.slice(i + 1)
}

/** The last base64url character with an unused low bit set (same bytes to a lenient decoder). */
function setUnusedBits (text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const j = alphabet.indexOf(text[text.length - 1])
  if (j & 1) throw new Error('unused bits already set')
  return text.slice(0, -1) + alphabet[j | 1]
}

// -------------------------------------------------------------------------------------------------------
// Cases

const ALICE = { name: 'alice', role: 'admin' }

/**
 * Checks the written token: its protected header, iat = now, exp = now + `expMaxAge` and the cookie's
 * Expires = now + `maxAge` (the session's maxAge; no Max-Age attribute).
 */
function tokenShape (profile, config, { maxAge = MAX_AGE, expMaxAge = maxAge } = {}) {
  return async (fw) => {
    const c = fw.set_cookie.find((x) => x.value !== '')
    const header = JSON.parse(c.jwe_header)
    const claims = JSON.parse(c.json)
    const want = { alg: 'dir', enc: profile.format === 'authjs' ? 'A256CBC-HS512' : 'A256GCM' }
    if (profile.format === 'authjs') {
      // kid: the RFC 7638 thumbprint of the derived key, SHA-512 for a 64-byte key.
      const secrets = Array.isArray(config.secret) ? config.secret : [config.secret]
      const key = await authjsKey(secrets[0], profile.cookieName(config), 64)
      want.kid = await P.jose.calculateJwkThumbprint({ kty: 'oct', k: P.jose.base64url.encode(key) }, 'sha512')
    }
    if (JSON.stringify(header) !== JSON.stringify(want)) throw new Error(`header ${c.jwe_header}, expected ${JSON.stringify(want)}`)
    if (claims.iat !== NOW || claims.exp !== NOW + expMaxAge || !/^[0-9a-f-]{36}$/.test(claims.jti)) throw new Error(`claims ${c.json}`)
    if (c.attributes.Expires !== new Date((NOW + maxAge) * 1000).toUTCString() || 'Max-Age' in c.attributes) throw new Error(`attributes ${JSON.stringify(c.attributes)}`)
  }
}

/** Checks the Set-Cookie names in order, `=` marking a deletion, and optionally each value's length. */
function written (want, lengths) {
  return (fw) => {
    const got = fw.set_cookie.map((c) => c.value === '' ? `${c.name}=` : c.name)
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`set ${got}, expected ${want}`)
    if (lengths) {
      const l = fw.set_cookie.map((c) => c.value.length)
      if (JSON.stringify(l) !== JSON.stringify(lengths)) throw new Error(`lengths ${l}, expected ${lengths}`)
    }
  }
}

/**
 * The largest {big: 'x' * n} whose token (made at NOW by the profile's encode) is at most one chunk, and
 * the token lengths of n and n + 1 when n + 1 needs two chunks.
 */
async function chunkBoundary (profile, config) {
  const len = async (n) => (await profile.encode(config, { big: 'x'.repeat(n) }, NOW)).length
  let n = 2000
  while (await len(n + 1) <= profile.chunkSize) n++
  return { fits: n, over: n + 1, fitsLen: await len(n), overLen: await len(n + 1) }
}

/** The cases of one profile, by file stem. */
async function specs (profile) {
  const v = profile.prefix
  const aj = profile.format === 'authjs'
  const BASE = { secret: aj ? [S1] : S1 }
  const SECURE = { ...BASE, useSecureCookies: true }
  const name = profile.cookieName(BASE)
  const secureName = profile.cookieName(SECURE)
  const refused = { divergence: 'refused-cookie-kept', ours: { cookies: [] } }
  const alice = await mint(profile, BASE, ALICE)
  const aliceOther = await mint(profile, { ...BASE, secret: aj ? [S_OTHER] : S_OTHER }, ALICE)
  const expired = await mint(profile, BASE, ALICE, NOW - MAX_AGE - 15)
  const inTolerance = await mint(profile, BASE, ALICE, NOW - MAX_AGE - 14)
  const unicodeClaims = { name: 'Zoë <b>&"x\'</b> 日本 😀', 'ключ': '\u2028\u0000\u001f\u007f', nested: { a: [1, 2.5, null, true], b: {} } }
  const unicode = await mint(profile, BASE, unicodeClaims)
  const secureAlice = await mint(profile, SECURE, ALICE)
  const what = aj ? 'Auth.js' : 'next-auth 4'

  const scenarios = [
    { id: `${v}-no-cookie-untouched`, comment: 'no cookie, the app never asks for the session: nothing sent', config: BASE, cookies: [], actions: [] },
    { id: `${v}-no-cookie-read`, comment: 'no cookie, the session endpoint: no token, no claims, nothing sent', config: BASE, cookies: [], actions: [get('name'), contains('name'), keys()] },
    {
      id: `${v}-login`,
      comment: aj
        ? 'no cookie, sign-in whose jwt callback sets name and role: authjs.session-token=<JWE>, protected header {"alg":"dir","enc":"A256CBC-HS512","kid":<RFC 7638 SHA-512 thumbprint of the key>}, key = HKDF-SHA256(secret, salt = the cookie name, info "Auth.js Generated Encryption Key (authjs.session-token)", 64 bytes); claims name, role, iat = now, exp = now + 30 days (fixed), jti (random); Path=/; Expires=now + 30 days; HttpOnly; SameSite=Lax (no Max-Age)'
        : 'no cookie, sign-in whose jwt callback sets name and role: next-auth.session-token=<JWE>, protected header {"alg":"dir","enc":"A256GCM"} (no kid), key = HKDF-SHA256(secret, salt "", info "NextAuth.js Generated Encryption Key", 32 bytes); claims name, role, iat = now, exp = now + 30 days (fixed), jti (random); Path=/; Expires=now + 30 days; HttpOnly; SameSite=Lax (no Max-Age)',
      config: BASE,
      cookies: [],
      actions: [set('name', 'alice'), set('role', 'admin')],
      check: tokenShape(profile, BASE)
    },
    { id: `${v}-read`, comment: 'a real token made an hour ago opens; the view sees its claims (iat, exp of an hour ago, its jti) and the session endpoint writes it again: the same claims with iat = now, exp = now + 30 days and a new jti (a rolling session)', config: BASE, cookies: [alice], actions: [get('name'), contains('role'), keys(), dump()], check: tokenShape(profile, BASE) },
    { id: `${v}-untouched`, comment: 'a real token, the app never asks for the session: nothing sent', config: BASE, cookies: [alice], actions: [] },
    { id: `${v}-modify`, comment: 'a real token, the jwt callback changes role: written with the new claims', config: BASE, cookies: [alice], actions: [set('role', 'user'), get('role')] },
    { id: `${v}-pop`, comment: 'a real token, the jwt callback deletes role: written without it', config: BASE, cookies: [alice], actions: [pop('role'), keys()] },
    { id: `${v}-clear`, comment: `a real token, sign-out: ${name}= with Max-Age=0 (no Expires)`, config: BASE, cookies: [alice], actions: [clear()] },
    { id: `${v}-clear-no-cookie`, comment: 'no cookie, sign-out: no session cookie to delete, nothing sent', config: BASE, cookies: [], actions: [clear()] },
    { id: `${v}-expired`, comment: `made 30 days + 15 s ago (exp = now - 15 s): jose's 15 s clock tolerance is used up (exp <= now - 15), refused; ${what} deletes the cookie, we send nothing for a refused cookie (the answer without it)`, config: BASE, cookies: [expired], actions: [get('name')], ...refused },
    { id: `${v}-expiry-tolerance`, comment: 'made 30 days + 14 s ago (exp = now - 14 s): inside the 15 s tolerance, opens and is written again', config: BASE, cookies: [inTolerance], actions: [get('name')] },
    aj
      ? { id: 'aj-max-age-1h', comment: 'session maxAge 3600, sign-in: exp = iat + 3600 and Expires = now + 1 h', config: { ...BASE, session: { maxAge: 3600 } }, cookies: [], actions: [set('name', 'alice')], check: tokenShape(profile, BASE, { maxAge: 3600 }) }
      : {
          id: 'na4-max-age-1h',
          comment: 'session maxAge 3600, sign-in: the cookie expires in an hour but next-auth 4 encodes the sign-in token with jwt.maxAge (default 30 days), so exp = now + 30 days until the next session read; we set exp = now + the lifetime, next-auth 4\'s own answer when jwt.maxAge is 3600 too',
          config: { ...BASE, session: { maxAge: 3600 } },
          cookies: [],
          actions: [set('name', 'alice')],
          check: tokenShape(profile, BASE, { maxAge: 3600, expMaxAge: MAX_AGE }),
          divergence: 'token-exp-follows-session-max-age',
          ours: { config: { ...BASE, session: { maxAge: 3600 }, jwt: { maxAge: 3600 } } }
        },
    { id: `${v}-max-age-1h-read`, comment: 'session maxAge 3600, a real token (made with the default 30 days) read: written again with exp = now + 3600 and Expires = now + 1 h', config: { ...BASE, session: { maxAge: 3600 } }, cookies: [alice], actions: [get('name')], check: tokenShape(profile, BASE, { maxAge: 3600 }) },
    { id: `${v}-secure-login`, comment: `useSecureCookies: the cookie is ${secureName} with Secure${aj ? ', and its name is the HKDF salt' : ''}`, config: SECURE, cookies: [], actions: [set('name', 'alice')], check: tokenShape(profile, SECURE) },
    { id: `${v}-secure-read`, comment: `useSecureCookies, a real ${secureName} token: opens, written again`, config: SECURE, cookies: [secureAlice], actions: [get('name')] },
    { id: `${v}-unicode-write`, comment: 'non-ASCII claims, U+2028, NUL, DEL, nesting', config: BASE, cookies: [], actions: [...Object.entries(unicodeClaims).map(([k, x]) => set(k, x)), dump()] },
    { id: `${v}-unicode-read`, comment: 'the same claims read back', config: BASE, cookies: [unicode], actions: [get('name'), get('ключ'), get('nested')] }
  ]
  if (aj) {
    const ROTATING = { secret: [S2, S1] }
    const custom = { ...BASE, cookies: { sessionToken: { name: 'my-session' } } }
    const noKid = await authjsTokenWith({ alg: 'dir', enc: 'A256CBC-HS512' }, { ...ALICE })
    scenarios.push(
      { id: 'aj-rotation-read', comment: 'secret [new, old], a token of the old secret: its kid names the old key, opens; written again with the new secret (first in the list) and its kid', config: ROTATING, cookies: [alice], actions: [get('name')], check: tokenShape(profile, ROTATING) },
      { id: 'aj-rotation-write', comment: 'secret [new, old], sign-in: encrypted with the first secret, kid of its key', config: ROTATING, cookies: [], actions: [set('name', 'alice')], check: tokenShape(profile, ROTATING) },
      { id: 'aj-no-kid-first-secret', comment: 'a token without kid (older Auth.js) of the old secret, read with [old, new]: without a kid only the first secret is tried, it matches, opens', config: { secret: [S1, S2] }, cookies: [`${name}=${noKid}`], actions: [get('name')] },
      { id: 'aj-no-kid-second-secret', comment: `the same token read with [new, old]: only the first secret is tried, refused; ${what} deletes it, we send nothing`, config: ROTATING, cookies: [`${name}=${noKid}`], actions: [get('name')], ...refused },
      { id: 'aj-a256gcm', comment: 'a token of {"alg":"dir","enc":"A256GCM"} (older Auth.js; key = the same HKDF, 32 bytes; no kid): decode accepts A256GCM, opens; written again as A256CBC-HS512 with a kid', config: BASE, cookies: [`${name}=${await authjsTokenWith({ alg: 'dir', enc: 'A256GCM' }, { ...ALICE })}`], actions: [get('name')] },
      { id: 'aj-custom-cookie-name', comment: 'cookies.sessionToken.name my-session: the cookie is my-session and the HKDF salt (and the info\'s parenthesis) my-session', config: custom, cookies: [], actions: [set('name', 'alice')], check: tokenShape(profile, custom) }
    )
  } else {
    scenarios.push(
      { id: 'na4-secure-name-no-salt', comment: 'useSecureCookies, a token made for next-auth.session-token sent as __Secure-next-auth.session-token: next-auth 4\'s key has no salt, so the cookie name does not matter, opens', config: SECURE, cookies: [`${secureName}=${valueOf(alice)}`], actions: [get('name')] }
    )
  }

  const tamper = [
    { id: `${v}-tamper-ciphertext`, comment: `one character of the ciphertext changed: the tag fails, refused; ${what} deletes the cookie; we send nothing`, config: BASE, cookies: [editSegment(alice, 3, flipMiddle)], actions: [get('name')], ...refused },
    { id: `${v}-tamper-tag`, comment: 'one character of the authentication tag changed: refused, deleted; we send nothing', config: BASE, cookies: [editSegment(alice, 4, flipMiddle)], actions: [get('name')], ...refused },
    { id: `${v}-tamper-header`, comment: 'one character of the protected header changed: refused, deleted; we send nothing', config: BASE, cookies: [editSegment(alice, 0, flipMiddle)], actions: [get('name')], ...refused },
    { id: `${v}-wrong-secret`, comment: `a token of another secret: refused (${aj ? 'no key with its kid' : 'the tag fails'}), deleted; we send nothing`, config: BASE, cookies: [aliceOther], actions: [get('name')], ...refused },
    { id: `${v}-garbage`, comment: `${name}=abc: not a JWE, refused, deleted; we send nothing`, config: BASE, cookies: [`${name}=abc`], actions: [get('name')], ...refused },
    { id: `${v}-empty-value`, comment: `${name}= (empty): the SessionStore skips empty cookies, no token, nothing sent`, config: BASE, cookies: [`${name}=`], actions: [get('name')] },
    {
      id: `${v}-tag-unused-bits`,
      comment: 'the tag\'s last base64url character with an unused bit set (same bytes): jose decodes leniently (atob on Node 20), so it opens and is written again; we accept only canonical base64url and start empty',
      config: BASE,
      cookies: [editSegment(alice, 4, setUnusedBits)],
      actions: [get('name')],
      divergence: 'strict-base64',
      ours: { cookies: [] }
    },
    {
      id: `${v}-prefix-glue`,
      comment: `a valid ${name} and ${name}-legacy=x: the SessionStore takes every cookie whose name starts with ${name} and joins them, the token breaks, refused and both deleted; we read exactly ${name} and its numbered chunks (the answer without the other cookie)`,
      config: BASE,
      cookies: [`${alice}; ${name}-legacy=x`],
      actions: [get('name')],
      divergence: 'exact-cookie-names',
      ours: { cookies: [alice] }
    },
    { id: `${v}-duplicate-valid-first`, comment: `two ${name} pairs, a valid one first: the first wins, opens`, config: BASE, cookies: [`${alice}; ${name}=abc`], actions: [get('name')] }
  ]
  if (aj) {
    tamper.push(
      { id: 'aj-wrong-cookie-name', comment: 'a token made for __Secure-authjs.session-token sent as authjs.session-token: the salt is the cookie name, so the key (and kid) differ, refused, deleted; we send nothing', config: BASE, cookies: [`${name}=${valueOf(secureAlice)}`], actions: [get('name')], ...refused },
      { id: 'aj-enc-a128cbc', comment: 'a token of {"alg":"dir","enc":"A128CBC-HS256"} under the 32-byte key: Auth.js allows only A256CBC-HS512 and A256GCM, refused, deleted; we send nothing', config: BASE, cookies: [`${name}=${await authjsTokenWith({ alg: 'dir', enc: 'A128CBC-HS256' }, { ...ALICE })}`], actions: [get('name')], ...refused }
    )
  } else {
    tamper.push(
      {
        id: 'na4-enc-a128cbc',
        comment: 'a token of {"alg":"dir","enc":"A128CBC-HS256"} under next-auth 4\'s 32-byte key: next-auth 4 passes jose no algorithm list, so any encryption the key fits opens, and it is written again as A256GCM; we accept only dir with A256GCM and start empty',
        config: BASE,
        cookies: [`${name}=${await v4TokenWith({ alg: 'dir', enc: 'A128CBC-HS256' }, { ...ALICE })}`],
        actions: [get('name')],
        divergence: 'other-jwe-algorithms',
        ours: { cookies: [] }
      },
      {
        id: 'na4-alg-a256kw',
        comment: 'a token of {"alg":"A256KW","enc":"A256GCM"}: the 32-byte key wraps a random content key, jose 4 opens it; we accept only dir with A256GCM and start empty',
        config: BASE,
        cookies: [`${name}=${await v4TokenWith({ alg: 'A256KW', enc: 'A256GCM' }, { ...ALICE })}`],
        actions: [get('name')],
        divergence: 'other-jwe-algorithms',
        ours: { cookies: [] }
      }
    )
  }

  // Chunking: the SessionStore splits a token longer than chunkSize characters into name.0, name.1, ...
  const big = (n, seed) => ({ ...ALICE, big: detChars(n, seed) })
  const two = await mint(profile, BASE, big(3500, 'jwt-chunk-a'))
  const twoB = await mint(profile, BASE, big(3500, 'jwt-chunk-b'))
  const three = await mint(profile, BASE, big(6500, 'jwt-chunk-c'))
  if (two.split('; ').length !== 2 || three.split('; ').length !== 3) throw new Error('unexpected chunk counts')
  const [two0, two1] = two.split('; ')
  const [three0, , three2] = three.split('; ')
  const size = await chunkBoundary(profile, BASE)
  const cs = profile.chunkSize
  const chunks = [
    { id: `${v}-chunk-boundary-fits`, comment: `sign-in with {big: "x" * ${size.fits}}: a ${size.fitsLen}-character token, at most ${cs}, one cookie`, config: BASE, cookies: [], actions: [set('big', 'x'.repeat(size.fits))], check: written([name], [size.fitsLen]) },
    { id: `${v}-chunk-boundary-split`, comment: `sign-in with {big: "x" * ${size.over}}: a ${size.overLen}-character token, over ${cs}: ${name}.0 holds the first ${cs} characters, ${name}.1 the rest`, config: BASE, cookies: [], actions: [set('big', 'x'.repeat(size.over))], check: written([`${name}.0`, `${name}.1`], [cs, size.overLen - cs]) },
    { id: `${v}-chunk-read`, comment: 'two chunks (the real SessionStore\'s) read back: joined in numeric order, opens; written again as two chunks', config: BASE, cookies: [two], actions: [keys(), get('name')] },
    { id: `${v}-chunk-read-reordered`, comment: 'the chunks in the header as .1 then .0: sorted by their number, opens', config: BASE, cookies: [`${two1}; ${two0}`], actions: [keys()] },
    { id: `${v}-chunk-shrink`, comment: 'three chunks, the big claim deleted: every chunk the request carried is deleted (Max-Age=0), then the one cookie is set', config: BASE, cookies: [three], actions: [pop('big')], check: written([`${name}.0=`, `${name}.1=`, `${name}.2=`, name]) },
    { id: `${v}-chunk-fewer`, comment: 'three chunks, a smaller big claim: .0 and .1 written, the stale .2 deleted', config: BASE, cookies: [three], actions: [set('big', detChars(3500, 'jwt-chunk-d'))], check: written([`${name}.0`, `${name}.1`, `${name}.2=`]) },
    { id: `${v}-chunk-grow`, comment: `one ${name} cookie, a big claim added: ${name} deleted, .0 and .1 written`, config: BASE, cookies: [alice], actions: [set('big', detChars(3500, 'jwt-chunk-e'))], check: written([`${name}=`, `${name}.0`, `${name}.1`]) },
    { id: `${v}-chunk-clear`, comment: 'three chunks, sign-out: each deleted', config: BASE, cookies: [three], actions: [clear()], check: written([`${name}.0=`, `${name}.1=`, `${name}.2=`]) },
    { id: `${v}-chunk-spliced`, comment: `.0 of one token with .1 of another: the joined token fails, refused; ${what} deletes both, we send nothing`, config: BASE, cookies: [`${two0}; ${twoB.split('; ')[1]}`], actions: [keys()], ...refused },
    { id: `${v}-chunk-missing`, comment: `.0 and .2 of a three-chunk token: joined without .1, refused; ${what} deletes both, we send nothing`, config: BASE, cookies: [`${three0}; ${three2}`], actions: [keys()], ...refused }
  ]
  return { [`${profile.format.replace(/-/g, '_')}_scenarios`]: scenarios, [`${profile.format.replace(/-/g, '_')}_tamper`]: tamper, [`${profile.format.replace(/-/g, '_')}_chunks`]: chunks }
}

/** Runs one specification: the framework's answer, then the expected one; the handler's error when it logged one. */
async function build (profile, spec) {
  let error = null
  const run = async (over) => {
    const o = over || {}
    const r = await exchange(profile, {
      config: o.config || spec.config,
      cookies: o.cookies || spec.cookies,
      actions: [...(o.prefix || []), ...(o.actions || spec.actions)],
      now: spec.now || NOW
    })
    if (!over) error = r.error
    return r
  }
  const c = await common.buildScenario(spec, run, profile.ours(spec.config), NOW)
  if (error) c.framework.error = error
  // Which claims of the written token are fixed and which are not.
  const written = [...c.expected.set_cookie, ...c.framework.set_cookie].find((x) => x.json)
  if (written) {
    const { iat, exp } = JSON.parse(written.json)
    c.comment += ` [written claims: iat ${iat} and exp ${exp} fixed by the frozen clock, jti random]`
  }
  return c
}

const WHAT = {
  scenarios: 'Sessions, sign-in, sign-out, expiry, attributes and secrets',
  tamper: 'Tampered, refused and oddly named or encoded tokens',
  chunks: 'Chunking: the SessionStore\'s split, reads, stale chunks, splicing'
}

/** Every vector file: {file name: document}, cases in their fixed order. */
async function documents () {
  const docs = {}
  for (const profile of Object.values(PROFILES)) {
    const files = await common.buildFiles(await specs(profile), (s) => build(profile, s))
    for (const [stem, cases] of Object.entries(files)) {
      const divergences = common.divergencesOf(cases)
      const kind = stem.split('_').pop()
      const handler = profile.format === 'authjs' ? 'Auth() of @auth/core' : 'AuthHandler of next-auth 4'
      docs[`${stem}.json`] = {
        file: `${stem}.json`,
        format: profile.format,
        source: source(profile.format),
        comment: `${WHAT[kind]} through the real ${handler} (in process, the clock frozen): the view runs in the jwt callback on the ` +
          'token\'s claims (the session endpoint re-encodes them on every read); a write without a session cookie is a Credentials ' +
          'sign-in whose claims are only what the view set; clear is sign-out. Only session cookies are recorded. Tokens are random: ' +
          'each Set-Cookie entry carries the real value, `json` (the claims its cookies open to: iat and exp fixed, jti random) and ' +
          '`jwe_header`; compare by decoding. framework.error is what the handler logged. ' +
          `divergences: ${divergences.length ? divergences.join(', ') : 'none'}.`,
        cases
      }
    }
  }
  return docs
}

// -------------------------------------------------------------------------------------------------------
// --check

/** The profile a vector file belongs to. */
function profileOf (doc) {
  return PROFILES[doc.format]
}

/** The framework's answer to a committed case, replayed: must be the recorded one (random parts masked). */
async function replay (profile, c) {
  const r = await exchange(profile, { config: c.config, cookies: c.request_cookies, actions: c.actions, now: c.now })
  const got = common.strip(r)
  if (r.error) got.error = r.error
  const want = { ...c.framework }
  const obs = want.observations || c.actions.filter((a) => 'expect' in a).map((a) => a.expect)
  delete want.observations
  const problems = []
  const [a, b] = [got, want].map((x) => JSON.stringify(common.maskRandom({ cases: [{ framework: x }] }).cases[0].framework))
  if (a !== b) problems.push(`answer ${a}, recorded ${b}`)
  if (JSON.stringify(r.observations) !== JSON.stringify(obs)) problems.push(`the view saw ${JSON.stringify(r.observations)}, recorded ${JSON.stringify(obs)}`)
  return problems
}

async function check (dir) {
  return common.checkRandom(await documents(), dir, (doc, c) => replay(profileOf(doc), c))
}

// -------------------------------------------------------------------------------------------------------
// --read-ours

/**
 * FILE: a JSON list (or {"cases": [...]}) of {id?, format ("authjs" | "next-auth-v4"), secret (Auth.js: a
 * list, the first encrypting; next-auth 4: one), name, cookie_header, now, expect_session, expect_iat?,
 * expect_exp?}. Each header is read by the package's own getToken() (SessionStore and decode) at `now`:
 * the claims without iat, exp and jti must be expect_session, or getToken must answer null when
 * expect_session is null; iat and exp must be the expected ones when given, jti a string when present.
 */
async function readOurs (file) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'))
  const list = Array.isArray(doc) ? doc : doc.cases
  let failures = 0
  for (const [i, c] of list.entries()) {
    const id = `${c.id || `#${i}`} (${c.format})`
    common.freezeClock(c.now || NOW)
    let claims
    if (c.format === 'authjs') {
      claims = await P.jwt.getToken({ req: { headers: { cookie: c.cookie_header } }, secret: c.secret, cookieName: c.name, salt: c.name, logger: { debug: () => {} } })
    } else if (c.format === 'next-auth-v4') {
      claims = await P.v4jwt.getToken({ req: { cookies: P.cookie.parse(c.cookie_header), headers: { cookie: c.cookie_header } }, secret: c.secret, cookieName: c.name, logger: { debug: () => {} } })
    } else {
      throw new Error(`${id}: unknown format`)
    }
    const problems = []
    if (c.expect_session === null) {
      if (claims !== null) problems.push(`opened to ${pyDumps(claims)}, expected a refusal`)
    } else if (claims === null) {
      problems.push('refused')
    } else {
      const { iat, exp, jti, ...rest } = claims
      if (pyDumps(rest) !== pyDumps(c.expect_session)) problems.push(`claims ${pyDumps(rest)}, expected ${pyDumps(c.expect_session)}`)
      if (c.expect_iat !== undefined && iat !== c.expect_iat) problems.push(`iat ${iat}, expected ${c.expect_iat}`)
      if (c.expect_exp !== undefined && exp !== c.expect_exp) problems.push(`exp ${exp}, expected ${c.expect_exp}`)
      if (jti !== undefined && typeof jti !== 'string') problems.push(`jti ${JSON.stringify(jti)} is not a string`)
    }
    if (problems.length) {
      failures++
      console.log(`FAIL ${id}: ${problems.join('; ')}`)
    } else {
      console.log(`ok   ${id}`)
    }
  }
  console.log(`read-ours: ${list.length - failures}/${list.length} read by the packages as expected`)
  return failures ? 1 : 0
}

common.main(SCRIPT, { setup, documents, check, readOurs })
