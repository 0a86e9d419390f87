'use strict'
/**
 * What the Node seed apps (express_app.js, iron_app.js, authjs_app.js) share with each other and with the
 * Python and Rust seed apps: where the pinned npm packages are, the login form, MarkupSafe's escape(), and
 * SECRET_KEY read the same way everywhere (plain text, or "hex:<hex>" / "base64:<standard base64>" for bytes).
 */

const path = require('path')

/** The pinned npm packages: NODE_PATH's first entry, else target/node/node_modules (xtask installs there). */
const MODULES = path.resolve((process.env.NODE_PATH || '').split(path.delimiter).find(Boolean) ||
  path.join(__dirname, '..', '..', 'target', 'node', 'node_modules'))

const LOGIN_FORM = `
        <form method="post">
            <p><input type=text name=username>
            <p><input type=submit value=Login>
        </form>
    `

/** A function that prints `app: msg` on stderr and exits with status 1. */
function dieFor (app) {
  return (msg) => {
    console.error(`${app}: ${msg}`)
    process.exit(1)
  }
}

/**
 * SECRET_KEY: `{ plain, bytes }`, where `plain` is the text itself when it has no prefix (else null) and `bytes`
 * its bytes (UTF-8 of plain text, or the decoded hex or base64). Dies with a clear message when it is missing,
 * cannot be decoded or is empty; `hint` is added to the message for a missing key.
 */
function keyFromEnv (die, hint = '') {
  const raw = process.env.SECRET_KEY
  if (!raw) die(`SECRET_KEY is not set (plain text, 'hex:<hex>' or 'base64:<base64>'${hint})`)
  let key
  if (raw.startsWith('hex:')) {
    const hex = raw.slice(4)
    if (hex.length % 2 || /[^0-9a-fA-F]/.test(hex)) die('SECRET_KEY could not be decoded: not hex')
    key = { plain: null, bytes: Buffer.from(hex, 'hex') }
  } else if (raw.startsWith('base64:')) {
    const b64 = raw.slice(7)
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) {
      die('SECRET_KEY could not be decoded: not standard base64')
    }
    key = { plain: null, bytes: Buffer.from(b64, 'base64') }
  } else {
    key = { plain: raw, bytes: Buffer.from(raw, 'utf8') }
  }
  if (!key.bytes.length) die('SECRET_KEY decodes to an empty key')
  return key
}

/** MarkupSafe's escape(): & < > " ' as &amp; &lt; &gt; &#34; &#39;. */
function escape (text) {
  const map = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' }
  return String(text).replace(/[&<>"']/g, (c) => map[c])
}

module.exports = { MODULES, LOGIN_FORM, dieFor, keyFromEnv, escape }
