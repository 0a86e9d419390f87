#!/usr/bin/env node
'use strict'
/*
 * Seed app for the live cross-framework login test (Flask quickstart "Sessions") on Express 4 with
 * iron-session 8: the same routes and page texts as interop/flask_app.py, interop/node/express_app.js and
 * examples/login-common.
 *
 *     SECRET_KEY=<at least 32 characters> PORT=5000 NODE_PATH=target/node/node_modules node interop/node/iron_app.js
 *
 * SECRET_KEY: the iron-session password, plain text, or "hex:<hex>" / "base64:<standard base64>" for bytes
 * that are UTF-8 text (the password is text to iron-session: PBKDF2 runs over its UTF-8 bytes); at least 32
 * characters, as iron-session demands. It is the bare password, so seals carry password id 1.
 * SESSION_COOKIE_NAME: the cookie (default iron_session; iron-session has no default). PORT defaults to 5000.
 * Serves on 127.0.0.1. iron-session's own defaults otherwise: ttl 14 days (Max-Age 14 days - 60 s), Secure,
 * HttpOnly, SameSite=Lax, Path=/.
 */

const path = require('path')

const { MODULES, LOGIN_FORM, dieFor, keyFromEnv, escape } = require('./seed_common')
const express = require(path.join(MODULES, 'express'))
const { getIronSession } = require(path.join(MODULES, 'iron-session'))

const die = dieFor('iron_app.js')

/** SECRET_KEY as the password text, read as every other seed app reads the key. */
function passwordFromEnv () {
  const key = keyFromEnv(die, ', at least 32 characters')
  let password = key.plain
  if (password === null) {
    try {
      password = new TextDecoder('utf-8', { fatal: true }).decode(key.bytes)
    } catch {
      die('SECRET_KEY is not UTF-8 text: an iron-session password is text')
    }
  }
  if (password.length < 32) die(`SECRET_KEY has ${password.length} characters; iron-session needs at least 32`)
  return password
}

function main () {
  const port = Number(process.env.PORT || '5000')
  if (!Number.isInteger(port) || port < 0 || port > 65535) die(`PORT is not a number: ${JSON.stringify(process.env.PORT)}`)
  const options = { cookieName: process.env.SESSION_COOKIE_NAME || 'iron_session', password: passwordFromEnv() }
  const app = express()
  // Every route opens the session: getIronSession reads (and checks) the cookie, save()/destroy() write.
  app.use((req, res, next) => getIronSession(req, res, options).then((s) => { req.session = s; next() }, next))
  app.use(express.urlencoded({ extended: false }))

  app.get('/', (req, res) => {
    const user = req.session.username
    res.type('html').send(user !== undefined ? `Logged in as ${escape(user)}` : 'You are not logged in')
  })
  app.get('/login', (req, res) => res.type('html').send(LOGIN_FORM))
  app.post('/login', async (req, res, next) => {
    try {
      req.session.username = req.body.username
      await req.session.save()
      res.redirect('/')
    } catch (e) {
      next(e)
    }
  })
  app.get('/logout', async (req, res, next) => {
    try {
      delete req.session.username
      // Flask deletes the cookie when the session becomes empty; iron-session would seal `{}`, its way to
      // delete is destroy().
      if (Object.keys(req.session).length === 0) req.session.destroy()
      else await req.session.save()
      res.redirect('/')
    } catch (e) {
      next(e)
    }
  })

  app.listen(port, '127.0.0.1', () => console.log(`iron_app.js: listening on http://127.0.0.1:${port}`))
}

main()
