#!/usr/bin/env ruby
# frozen_string_literal: true

# Rails' encrypted session cookies, made and read by real Rails: ActionDispatch::Cookies and
# ActionDispatch::Session::CookieStore from Debian's ruby-actionpack (6.1) on Rack, with the settings a Rails app
# passes in its env (Rails::Application#env_config). Rails 7's SHA-256 key derivation is ActiveSupport 7's
# KeyGenerator#generate_key (`OpenSSL::PKCS5.pbkdf2_hmac(secret, salt, iterations, key_size, SHA256)`), given to
# the same 6.1 jar, as `config.active_support.key_generator_hash_digest_class = OpenSSL::Digest::SHA256` does.
#
#   ruby scripts/rails_vectors.rb --out DIR     write DIR/rails_known_answers.json and DIR/rails_tamper.json
#   ruby scripts/rails_vectors.rb --check DIR   the committed files: same cases, and real Rails still opens every
#                                               committed cookie to what the file records
#   ruby scripts/rails_vectors.rb --read FILE   cookies made by our code: real Rails must open (or refuse) each as
#                                               the file expects
#
# AES-GCM output is random (a fresh IV per cookie), so a regenerated file differs in its cookies and in Rails'
# random session ids: --check compares everything else and re-reads the committed cookies with real Rails.

require "json"
require "base64"
require "openssl"
require "action_dispatch"
require "action_dispatch/middleware/session/cookie_store"
require "active_support/message_encryptor"
require "active_support/messages/rotation_configuration"

# A clock the script sets: Rails reads Time.now for `expire_after` and for checking `exp`.
module FrozenClock
  class << self
    attr_accessor :at
  end

  def now(*args, **kwargs)
    FrozenClock.at || super
  end
end
Time.singleton_class.prepend(FrozenClock)

# Rails 7's key derivation (activesupport 7.0 key_generator.rb, with hash_digest_class SHA256).
class Sha256KeyGenerator < ActiveSupport::KeyGenerator
  def generate_key(salt, key_size = 64)
    OpenSSL::PKCS5.pbkdf2_hmac(@secret, salt, @iterations, key_size, OpenSSL::Digest::SHA256.new)
  end
end

# Rails 5.2+ new-framework default (makes rotated encryptors AES-256-GCM, as in every Rails app since 5.2).
ActiveSupport::MessageEncryptor.use_authenticated_message_encryption = true

NOW = 1_700_000_000
SALT = "authenticated encrypted cookie"
SECRET_A = "831c13dc4d6791e173696a221d1ea17fb2e59608ab4cd65e63f59ade57dffbe0345788a70ede54a84ab7bba4f21f1680e4063988f7ad7098e0dbd21ec2b22c39"
SECRET_B = "7fb44146d43d4063f191fcffadb69bd1eb1e23e56633129698767d89d9fd22e89132172b1474ed60ff6110e4b090fb367e1f2c6b7bd4c788007b7ee4fd236f8e"
SECRET_C = "2153022d07cc2ee4af3c72c9e677db7b4286e3730799f7003e4a52f1bc4c074a42fa5666caff077a6ed91e7dcacc8d2478aa9a0ff0607be298a3fa198fb05bc4"
CSRF = "vG1Qk3mFz0Q2y4Jb1m3vHq2l1mC3oY7t0c9VQ2kX8aE="

def key_generator(secret, digest)
  klass = digest == "sha256" ? Sha256KeyGenerator : ActiveSupport::KeyGenerator
  ActiveSupport::CachingKeyGenerator.new(klass.new(secret, iterations: 1000))
end

def derived_key(secret, digest)
  key_generator(secret, digest).generate_key(SALT, ActiveSupport::MessageEncryptor.key_len("aes-256-gcm"))
end

# The env a Rails app gives every request (Rails::Application#env_config, Rails 5.2+ defaults, JSON cookies).
# `rotations` are [secret, digest] pairs: the Rails 7 upgrade guide's `cookies.rotate :encrypted, old_key`.
def rails_env(app)
  rotations = ActiveSupport::Messages::RotationConfiguration.new
  app.fetch(:rotations, []).each { |secret, digest| rotations.rotate :encrypted, derived_key(secret, digest) }
  {
    "action_dispatch.secret_key_base" => app[:secret],
    "action_dispatch.key_generator" => key_generator(app[:secret], app[:digest]),
    "action_dispatch.authenticated_encrypted_cookie_salt" => SALT,
    "action_dispatch.encrypted_cookie_salt" => "encrypted cookie",
    "action_dispatch.encrypted_signed_cookie_salt" => "signed encrypted cookie",
    "action_dispatch.signed_cookie_salt" => "signed cookie",
    "action_dispatch.use_authenticated_cookie_encryption" => true,
    "action_dispatch.encrypted_cookie_cipher" => "aes-256-gcm",
    "action_dispatch.use_cookies_with_metadata" => app.fetch(:metadata, true),
    "action_dispatch.cookies_serializer" => :json,
    "action_dispatch.cookies_rotations" => rotations,
    "action_dispatch.cookies_same_site_protection" => proc { :lax },
  }
end

# One request through Cookies + CookieStore (what a Rails app's middleware stack does for the session).
def through_rails(app, cookie: nil, at: NOW, &handler)
  FrozenClock.at = Time.at(at).utc
  inner = lambda do |env|
    handler.call(ActionDispatch::Request.new(env))
    [200, { "Content-Type" => "text/plain" }, ["ok"]]
  end
  options = { key: app[:name] }
  options[:expire_after] = app[:expire_after] if app[:expire_after]
  stack = ActionDispatch::Cookies.new(ActionDispatch::Session::CookieStore.new(inner, options))
  headers = { "HTTPS" => "on" }
  headers["HTTP_COOKIE"] = "#{app[:name]}=#{cookie}" if cookie
  env = Rack::MockRequest.env_for("/", headers).merge(rails_env(app))
  _status, response_headers, _body = stack.call(env)
  set_cookie = Array(response_headers["Set-Cookie"]).join("\n").split("\n")
  set_cookie.find { |c| c.start_with?("#{app[:name]}=") }
ensure
  FrozenClock.at = nil
end

# The cookie value (as Rack escapes it in Set-Cookie) of a session written by Rails.
def rails_write(app, session)
  header = through_rails(app) { |req| session.each { |k, v| req.session[k] = v } }
  header.split(";").first.split("=", 2).last
end

# What Rails makes of a cookie: the session it stores and whether its jar rotated it (opened it with a rotated
# key and wrote it again with the current one), or the exception a request would end in.
def rails_read(app, cookie, at: NOW)
  seen = nil
  rotated = false
  through_rails(app, cookie: cookie, at: at) do |req|
    seen = req.cookie_jar.signed_or_encrypted[app[:name]]
    rotated = req.cookie_jar.instance_variable_get(:@upgraded_cookies).include?(app[:name])
    req.session.to_hash # CookieStore loads the session exactly as an action would
  end
  return { "result" => "refused" } if seen.nil?

  { "result" => "valid", "session" => seen, "rotated" => rotated }
rescue StandardError => e
  { "result" => "error", "error" => e.class.name }
end

# A plaintext sealed with Rails' own MessageEncryptor (AES-256-GCM, no serializer, no metadata: byte for byte).
def rails_seal(secret, digest, plaintext)
  ActiveSupport::MessageEncryptor
    .new(derived_key(secret, digest), cipher: "aes-256-gcm", serializer: ActiveSupport::MessageEncryptor::NullSerializer)
    .encrypt_and_sign(plaintext)
    .then { |v| Rack::Utils.escape(v) }
end

# The plaintext of a cookie under the key its maker used (OpenSSL's AES-256-GCM with Rails' derived key, as
# MessageEncryptor#_decrypt does, without the envelope checks): the envelope exactly as Rails wrote it.
def rails_plaintext(secret, digest, cookie)
  ct, iv, tag = Rack::Utils.unescape(cookie).split("--").map { |v| Base64.strict_decode64(v) }
  cipher = OpenSSL::Cipher.new("aes-256-gcm").decrypt
  cipher.key = derived_key(secret, digest)
  cipher.iv = iv
  cipher.auth_tag = tag
  cipher.auth_data = ""
  (cipher.update(ct) + cipher.final).force_encoding(Encoding::UTF_8)
rescue StandardError
  nil
end

def app(secret: SECRET_A, digest: "sha256", name: "_app_session", **rest)
  { secret: secret, digest: digest, name: name, **rest }
end

# Our settings for a case: the keyring (current + fallbacks) and the digest new cookies use.
def ours(app, fallbacks: [])
  { "secret_key_base" => app[:secret], "fallbacks" => fallbacks, "digest" => app[:digest], "cookie_name" => app[:name] }
end

SESSION_BASIC = { "user_id" => 42, "name" => "alice" }.freeze
SESSION_RICH = {
  "name" => "Zoë <b>&\"x'</b> 日本 😀 \u2028",
  "roles" => ["admin", "user"],
  "prefs" => { "theme" => "dark", "size" => 1.5, "beta" => true, "none" => nil },
  "big" => 12_345_678_901_234,
}.freeze

def base(id, comment, app, made, ours_settings, read_app: app, at: NOW)
  { id: id, comment: comment, app: app, made: made, ours: ours_settings, read_app: read_app, at: at }
end

# Known answers: real cookies and what real Rails makes of them.
def known_answer_specs
  sha1 = app(digest: "sha1")
  [
    base("rails-sha256-basic", "Rails 7 key derivation (PBKDF2-HMAC-SHA256), plain session", app,
         -> { rails_write(app, SESSION_BASIC) }, ours(app)),
    base("rails-sha1-basic", "Rails 5.2-6.1 key derivation (PBKDF2-HMAC-SHA1)", sha1,
         -> { rails_write(sha1, SESSION_BASIC) }, ours(sha1)),
    base("rails-sha256-rich", "non-ASCII, HTML characters (ActiveSupport escapes them), U+2028, nested hash, list, " \
                              "float, bool, null, big integer", app,
         -> { rails_write(app, SESSION_RICH) }, ours(app)),
    base("rails-csrf-token", "a session holding Rails' _csrf_token next to session_id (both kept)", app,
         -> { rails_write(app, { "_csrf_token" => CSRF, "user_id" => 7 }) }, ours(app)),
    base("rails-custom-name", "cookie name _shop_session: the purpose is cookie._shop_session",
         app(name: "_shop_session"), -> { rails_write(app(name: "_shop_session"), SESSION_BASIC) },
         ours(app(name: "_shop_session"))),
    base("rails-expire-after-fresh", "expire_after: 1 hour, read 59 minutes later: exp is checked and still ahead",
         app(expire_after: 3600), -> { rails_write(app(expire_after: 3600), SESSION_BASIC) },
         ours(app(expire_after: 3600)), at: NOW + 3540),
    base("rails-expire-after-expired", "expire_after: 1 hour, read 1 hour later: exp has passed",
         app(expire_after: 3600), -> { rails_write(app(expire_after: 3600), SESSION_BASIC) },
         ours(app(expire_after: 3600)), at: NOW + 3600),
    base("rails-rotation-sha1-to-sha256", "a Rails 6.1 (SHA-1) cookie read by a Rails 7 app with the upgrade " \
                                          "guide's rotation; Rails writes it again, as we do",
         sha1, -> { rails_write(sha1, SESSION_BASIC) }, ours(app),
         read_app: app(rotations: [[SECRET_A, "sha1"]])),
    base("rails-rotation-old-secret", "a cookie under the previous secret_key_base, read by an app with a new one " \
                                      "and the old key rotated in; Rails writes it again, as we do",
         app(secret: SECRET_B), -> { rails_write(app(secret: SECRET_B), SESSION_BASIC) },
         ours(app(secret: SECRET_C), fallbacks: [SECRET_B]),
         read_app: app(secret: SECRET_C, rotations: [[SECRET_B, "sha256"]])),
    base("rails-no-metadata", "written with use_cookies_with_metadata off (before 5.2): no envelope, no purpose",
         app(metadata: false), -> { rails_write(app(metadata: false), SESSION_BASIC) }, ours(app)),
    base("rails-7.1-data-envelope",
         "Rails 7.1's envelope ({\"_rails\":{\"data\":...}}, no null exp), written after activesupport 7.1's " \
         "messages/metadata.rb and sealed by Rails' MessageEncryptor; the installed Rails 6.1 does not read it",
         app, lambda {
           rails_seal(SECRET_A, "sha256",
                      '{"_rails":{"data":{"session_id":"d41d8cd98f00b204e9800998ecf8427e","user_id":42},' \
                      '"pur":"cookie._app_session"}}')
         }, ours(app)),
  ]
end

# Tamper cases: a real cookie changed in one place (or a hostile plaintext sealed with the real key).
def flip_part(cookie, index)
  parts = Rack::Utils.unescape(cookie).split("--")
  bytes = Base64.strict_decode64(parts[index]).bytes
  bytes[bytes.length / 2] ^= 0x01
  parts[index] = Base64.strict_encode64(bytes.pack("C*"))
  Rack::Utils.escape(parts.join("--"))
end

def tamper_specs
  real = -> { rails_write(app, SESSION_BASIC) }
  hostile = ->(plaintext) { -> { rails_seal(SECRET_A, "sha256", plaintext) } }
  [
    base("rails-tamper-ciphertext", "one bit of the ciphertext flipped", app, -> { flip_part(real.call, 0) }, ours(app)),
    base("rails-tamper-iv", "one bit of the IV flipped", app, -> { flip_part(real.call, 1) }, ours(app)),
    base("rails-tamper-tag", "one bit of the authentication tag flipped", app, -> { flip_part(real.call, 2) }, ours(app)),
    base("rails-tamper-short-tag", "the tag cut to 15 bytes", app, lambda {
      parts = Rack::Utils.unescape(real.call).split("--")
      parts[2] = Base64.strict_encode64(Base64.strict_decode64(parts[2])[0, 15])
      Rack::Utils.escape(parts.join("--"))
    }, ours(app)),
    base("rails-tamper-no-tag", "the tag part removed (ct--iv)", app, lambda {
      Rack::Utils.escape(Rack::Utils.unescape(real.call).split("--")[0, 2].join("--"))
    }, ours(app)),
    base("rails-tamper-extra-part", "a fourth --part appended (Ruby's split-and-destructure ignores it)", app,
         -> { Rack::Utils.escape("#{Rack::Utils.unescape(real.call)}--QUJD") }, ours(app)),
    base("rails-wrong-secret", "made under another secret_key_base", app(secret: SECRET_B),
         -> { rails_write(app(secret: SECRET_B), SESSION_BASIC) }, ours(app), read_app: app),
    base("rails-wrong-digest-only", "a SHA-1 cookie, read by a Rails 7 app without the rotation (ours: " \
                                    "only_configured_digest)", app(digest: "sha1"),
         -> { rails_write(app(digest: "sha1"), SESSION_BASIC) }, ours(app).merge("only_configured_digest" => true),
         read_app: app),
    base("rails-other-cookie-name", "a valid cookie of _other_session presented as _app_session (purpose " \
                                    "cookie._other_session)", app(name: "_other_session"),
         -> { rails_write(app(name: "_other_session"), SESSION_BASIC) }, ours(app), read_app: app),
    base("rails-hostile-not-base64", "sealed with the real key: envelope message is not base64", app,
         hostile.call('{"_rails":{"message":"***","exp":null,"pur":"cookie._app_session"}}'), ours(app)),
    base("rails-hostile-bad-exp", "sealed with the real key: exp is not an ISO 8601 time", app,
         hostile.call('{"_rails":{"message":"e30=","exp":"tomorrow","pur":"cookie._app_session"}}'), ours(app)),
    base("rails-hostile-not-json", "sealed with the real key: the session inside is not JSON", app,
         hostile.call(%({"_rails":{"message":"#{Base64.strict_encode64("{oops")}","exp":null,"pur":"cookie._app_session"}})),
         ours(app)),
    base("rails-hostile-not-object", "sealed with the real key: the session inside is a JSON list", app,
         hostile.call(%({"_rails":{"message":"#{Base64.strict_encode64("[1,2]")}","exp":null,"pur":"cookie._app_session"}})),
         ours(app)),
  ]
end

# What we must do with a case, given what Rails did. Divergences say why.
EXPECTED_OURS = {
  "rails-expire-after-expired" => { "result" => "invalid", "error" => "expired" },
  "rails-7.1-data-envelope" => :valid_71,
  "rails-tamper-ciphertext" => { "result" => "invalid", "error" => "bad_signature" },
  "rails-tamper-iv" => { "result" => "invalid", "error" => "bad_signature" },
  "rails-tamper-tag" => { "result" => "invalid", "error" => "bad_signature" },
  "rails-tamper-short-tag" => { "result" => "invalid", "error" => "malformed" },
  "rails-tamper-no-tag" => { "result" => "invalid", "error" => "malformed" },
  "rails-tamper-extra-part" => { "result" => "invalid", "error" => "malformed" },
  "rails-wrong-secret" => { "result" => "invalid", "error" => "bad_signature" },
  "rails-wrong-digest-only" => { "result" => "invalid", "error" => "bad_signature" },
  "rails-other-cookie-name" => { "result" => "invalid", "error" => "wrong_purpose" },
  "rails-hostile-not-base64" => { "result" => "invalid", "error" => "bad_payload" },
  "rails-hostile-bad-exp" => { "result" => "invalid", "error" => "bad_payload" },
  "rails-hostile-not-json" => { "result" => "invalid", "error" => "bad_payload" },
  "rails-hostile-not-object" => { "result" => "invalid", "error" => "bad_payload" },
}.freeze

DIVERGENCES = {
  "rails-tamper-extra-part" => "Rails splits on '--' and ignores a fourth part; we refuse a value that is not " \
                               "exactly ct--iv--tag (Rails never writes one).",
  "rails-hostile-not-json" => "Rails raises JSON::ParserError (a 500); we give an empty session (validly " \
                              "encrypted but hostile payload).",
  "rails-hostile-not-object" => "Rails raises NoMethodError on a non-hash session (a 500); we give an empty " \
                                "session (validly encrypted but hostile payload).",
}.freeze

def expected_for(spec, rails)
  e = EXPECTED_OURS[spec[:id]]
  return e if e.is_a?(Hash)

  session = if e == :valid_71
              { "session_id" => "d41d8cd98f00b204e9800998ecf8427e", "user_id" => 42 }
            else
              rails.fetch("session")
            end
  rotated = spec[:ours]["fallbacks"].any? || spec[:made_digest] != spec[:ours]["digest"]
  key = spec[:ours]["fallbacks"].any? ? "fallback:0" : "current"
  envelope = { "rails-no-metadata" => "none", "rails-7.1-data-envelope" => "data" }.fetch(spec[:id], "message")
  exp = envelope == "none" ? nil : JSON.parse(spec[:plaintext])["_rails"]["exp"]
  { "result" => "valid", "session" => session, "key" => key, "rewrite" => rotated, "envelope" => envelope,
    "exp" => exp }
end

def vector(spec, cookie)
  rails = rails_read(spec[:read_app], cookie, at: spec[:at])
  plaintext = rails_plaintext(spec[:app][:secret], spec[:app][:digest], cookie)
  spec = spec.merge(made_digest: spec[:app][:digest], plaintext: plaintext)
  {
    "id" => spec[:id],
    "comment" => spec[:comment],
    "made_by" => { "secret_key_base" => spec[:app][:secret], "digest" => spec[:app][:digest],
                   "cookie_name" => spec[:app][:name], "expire_after" => spec[:app][:expire_after],
                   "metadata" => spec[:app].fetch(:metadata, true) },
    "rails_reader" => { "secret_key_base" => spec[:read_app][:secret], "digest" => spec[:read_app][:digest],
                        "rotations" => spec[:read_app].fetch(:rotations, []).map { |s, d| { "secret_key_base" => s, "digest" => d } } },
    "ours" => spec[:ours],
    "made_at" => NOW,
    "now" => spec[:at],
    "cookie" => cookie,
    "plaintext" => plaintext,
    "rails" => rails,
    "expected" => expected_for(spec, rails),
    "divergence" => DIVERGENCES[spec[:id]],
  }
end

FILES = {
  "rails_known_answers.json" => [:known_answer_specs,
                                 "Session cookies made by real Rails (actionpack 6.1's cookie jar and CookieStore, SHA-1 " \
                                 "and Rails 7's SHA-256 key derivation) and what real Rails makes of them. Keys are " \
                                 "secret_key_base text; cookies are the Set-Cookie value (Rack-escaped)."],
  "rails_tamper.json" => [:tamper_specs,
                          "Real Rails cookies tampered with in one place, or hostile plaintexts sealed with Rails' own " \
                          "MessageEncryptor under the real key, and what real Rails does with each."],
}.freeze

def source
  "scripts/rails_vectors.rb with actionpack #{ActionPack::VERSION::STRING}, rack #{Rack.release}, " \
    "ruby #{RUBY_VERSION}, #{OpenSSL::OPENSSL_LIBRARY_VERSION}"
end

def generate(dir)
  FILES.each do |file, (specs, comment)|
    cases = send(specs).map { |spec| vector(spec, spec[:made].call) }
    doc = { "file" => file, "format" => "rails", "source" => source, "comment" => comment, "cases" => cases }
    File.write(File.join(dir, file), "#{JSON.pretty_generate(doc)}\n")
    puts "rails vectors: wrote #{cases.length} cases to #{File.join(dir, file)}"
  end
end

def check(dir)
  failures = []
  count = 0
  FILES.each do |file, (specs, _comment)|
    committed = JSON.parse(File.read(File.join(dir, file)))["cases"].to_h { |c| [c["id"], c] }
    wanted = send(specs)
    failures << "#{file}: ids differ from the generator's" if committed.keys != wanted.map { |s| s[:id] }
    wanted.each do |spec|
      count += 1
      old = committed[spec[:id]] or next
      fresh = vector(spec, old["cookie"]) # the committed cookie, read by real Rails now
      fresh.each do |k, v|
        failures << "#{spec[:id]}: #{k} is #{old[k].inspect}, real Rails now gives #{v.inspect}" if old[k] != v
      end
      # The committed cookie must also be what this generator makes: a fresh one reads the same way in Rails
      # (session ids are random, so compare everything but session_id).
      again = vector(spec, spec[:made].call)
      strip = ->(r) { r.merge("session" => r["session"]&.except("session_id")).compact }
      if strip.call(again["rails"]) != strip.call(old["rails"])
        failures << "#{spec[:id]}: a freshly made cookie reads as #{again["rails"]}, the file says #{old["rails"]}"
      end
    end
  end
  failures.each { |f| warn "rails vectors: FAIL #{f}" }
  puts "rails vectors: #{count - failures.length} passed, #{failures.length} failed (committed cookies re-read by real Rails)"
  exit(failures.empty? ? 0 : 1)
end

# Cookies made by our code (cargo xtask vectors writes the file): real Rails must read each as expected.
def read_ours(file)
  doc = JSON.parse(File.read(file))
  failures = []
  doc["cases"].each do |c|
    reader = app(secret: c["secret_key_base"], digest: c["digest"], name: c["cookie_name"])
    got = rails_read(reader, c["cookie"], at: c["now"])
    want = c["rails_expected"]
    ok = got["result"] == want["result"] && (want["session"].nil? || got["session"] == want["session"])
    failures << "#{c["id"]}: real Rails gives #{got}, expected #{want}" unless ok
    puts format("  %-44s %s", c["id"], ok ? "ok (#{got["result"]})" : "FAILED")
  end
  failures.each { |f| warn "rails read: FAIL #{f}" }
  puts "rails read (our cookies in real Rails): #{doc["cases"].length - failures.length} passed, #{failures.length} failed"
  exit(failures.empty? ? 0 : 1)
end

case ARGV
in ["--out", dir] then generate(dir)
in ["--check", dir] then check(dir)
in ["--read", file] then read_ours(file)
else
  warn "usage: ruby scripts/rails_vectors.rb --out DIR | --check DIR | --read FILE"
  exit 2
end
