#!/usr/bin/env node
'use strict'
/*
 * Seed app for the live cross-framework login test (Flask quickstart "Sessions") on Express 4 with
 * cookie-session: the same routes and page texts as interop/flask_app.py and examples/login-common.
 *
 *     SECRET_KEY=dev-secret PORT=5000 NODE_PATH=target/node/node_modules node interop/node/express_app.js
 *
 * SECRET_KEY: plain text (its UTF-8 bytes), or "hex:<hex>" / "base64:<standard base64>" for raw bytes; it is
 * cookie-session's only key (keys[0]). PORT defaults to 5000. Serves on 127.0.0.1. The session is
 * cookie-session's default pair of cookies, `session` and `session.sig`.
 */

const path = require('path')

const { MODULES, LOGIN_FORM, dieFor, keyFromEnv, escape } = require('./seed_common')
const express = require(path.join(MODULES, 'express'))
const cookieSession = require(path.join(MODULES, 'cookie-session'))

const die = dieFor('express_app.js')

/** SECRET_KEY as bytes, read as every other seed app reads it. */
function secretKeyFromEnv () {
  return keyFromEnv(die).bytes
}

function main () {
  const port = Number(process.env.PORT || '5000')
  if (!Number.isInteger(port) || port < 0 || port > 65535) die(`PORT is not a number: ${JSON.stringify(process.env.PORT)}`)
  const app = express()
  app.use(cookieSession({ name: 'session', keys: [secretKeyFromEnv()] }))
  app.use(express.urlencoded({ extended: false }))

  app.get('/', (req, res) => {
    const user = req.session.username
    res.type('html').send(user !== undefined ? `Logged in as ${escape(user)}` : 'You are not logged in')
  })
  app.get('/login', (req, res) => res.type('html').send(LOGIN_FORM))
  app.post('/login', (req, res) => {
    req.session.username = req.body.username
    res.redirect('/')
  })
  app.get('/logout', (req, res) => {
    delete req.session.username
    // Flask deletes the cookie when the session becomes empty; cookie-session would write `{}`, its way to
    // delete is assigning null.
    if (Object.keys(req.session).length === 0) req.session = null
    res.redirect('/')
  })

  app.listen(port, '127.0.0.1', () => console.log(`express_app.js: listening on http://127.0.0.1:${port}`))
}

main()
