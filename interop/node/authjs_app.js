#!/usr/bin/env node
'use strict'
/*
 * Seed app for the live cross-framework login test (Flask quickstart "Sessions") on Express 4 with Auth.js'
 * JWT session cookie (@auth/core): the same routes and page texts as interop/flask_app.py,
 * interop/node/express_app.js and examples/login-common.
 *
 *     SECRET_KEY=dev-secret PORT=5000 NODE_PATH=target/node/node_modules node interop/node/authjs_app.js
 *
 * SECRET_KEY: the Auth.js secret, plain text (its UTF-8 bytes), or "hex:<hex>" / "base64:<standard base64>"
 * for raw bytes. SESSION_COOKIE_NAME: the cookie (default authjs.session-token; it is also the key
 * derivation's salt). PORT defaults to 5000. Serves on 127.0.0.1.
 *
 * The session is the token's claims. The seed app keeps the user under `username`, as the Rust examples and
 * the other apps do (Auth.js' own sign-in writes `name`; any claim travels the same way).
 * Login encodes {username} with Auth.js' encode() (A256CBC-HS512, kid) and sets it through Auth.js' SessionStore
 * (chunked above 3936 characters, Expires = now + 30 days, HttpOnly, SameSite=Lax, Path=/), as its sign-in
 * callback does; `/` joins the session cookies with the SessionStore and reads them with decode(); logout
 * deletes every session cookie the request carried (SessionStore.clean(), as sign-out does).
 */

const path = require('path')
const { pathToFileURL } = require('url')

const { MODULES, LOGIN_FORM, dieFor, keyFromEnv, escape } = require('./seed_common')
const express = require(path.join(MODULES, 'express'))

/** An ES module file of @auth/core, by path (its export map does not list the SessionStore). */
const authCore = (file) => import(pathToFileURL(path.join(MODULES, '@auth', 'core', file)).href)

/** Auth.js' default session lifetime (session.maxAge). */
const MAX_AGE = 30 * 24 * 60 * 60

const die = dieFor('authjs_app.js')

/** SECRET_KEY: the text itself (Auth.js hashes its UTF-8 bytes), or bytes, read as every other seed app reads it. */
function secretFromEnv () {
  const key = keyFromEnv(die)
  return key.plain ?? new Uint8Array(key.bytes)
}

async function main () {
  const port = Number(process.env.PORT || '5000')
  if (!Number.isInteger(port) || port < 0 || port > 65535) die(`PORT is not a number: ${JSON.stringify(process.env.PORT)}`)
  const secret = secretFromEnv()
  const name = process.env.SESSION_COOKIE_NAME || 'authjs.session-token'
  const { encode, decode } = await authCore('jwt.js')
  const { SessionStore } = await authCore('lib/utils/cookie.js')
  const { parse, serialize } = await authCore('lib/vendored/cookie.js')
  const logger = { debug: () => {} }
  /** The request's SessionStore: every cookie whose name starts with the session cookie's name. */
  const store = (req) => new SessionStore({ name, options: { httpOnly: true, sameSite: 'lax', path: '/', secure: false } },
    parse(req.headers.cookie || ''), logger)
  const send = (res, cookies) => {
    for (const c of cookies) res.append('Set-Cookie', serialize(c.name, c.value, c.options))
  }

  const app = express()
  app.use(express.urlencoded({ extended: false }))

  app.get('/', async (req, res) => {
    let claims = null
    try {
      claims = await decode({ token: store(req).value, secret, salt: name })
    } catch {
      // A token that does not open (tampered, expired, another secret) is no session.
    }
    const user = claims?.username
    res.type('html').send(user !== undefined ? `Logged in as ${escape(user)}` : 'You are not logged in')
  })
  app.get('/login', (req, res) => res.type('html').send(LOGIN_FORM))
  app.post('/login', async (req, res, next) => {
    try {
      const token = await encode({ token: { username: req.body.username }, secret, salt: name, maxAge: MAX_AGE })
      send(res, store(req).chunk(token, { expires: new Date(Date.now() + MAX_AGE * 1000) }))
      res.redirect('/')
    } catch (e) {
      next(e)
    }
  })
  app.get('/logout', (req, res) => {
    send(res, store(req).clean())
    res.redirect('/')
  })

  app.listen(port, '127.0.0.1', () => console.log(`authjs_app.js: listening on http://127.0.0.1:${port}`))
}

main().catch((e) => die(e.stack || String(e)))
