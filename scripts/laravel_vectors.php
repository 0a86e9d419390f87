<?php
/*
 * Laravel's cookie-session vectors, made and checked by the real Laravel 8.83 (Debian's php-laravel-framework):
 * the app of interop/laravel/app.php (EncryptCookies, AddQueuedCookiesToResponse, StartSession with
 * SESSION_DRIVER=cookie) driven in process, its clock frozen with Carbon::setTestNow.
 *
 *   php scripts/laravel_vectors.php --out testdata/vectors     writes laravel_known_answers.json, laravel_tamper.json
 *                                                              (and testdata/php/serialize.json, unserialize.json)
 *   php scripts/laravel_vectors.php --check testdata/vectors   re-reads every committed cookie with Laravel
 *   php scripts/laravel_vectors.php --read-ours FILE           Laravel reads cookies our codec made
 *   php scripts/laravel_vectors.php --php-only                 writes testdata/php/*.json alone
 *
 * A case: `ours` (our settings: secret_key, fallbacks, cookie_name, format), `now`, `cookie_header` (the
 * request's Cookie header), `laravel` (what Laravel's StartSession loaded from it: the session as
 * `serialized`, or `refused`), `expected` (ours; the same unless `divergence` says why). A session is written
 * as PHP's serialize() of it with every non-list array's keys sorted as strings (the order our writer keeps).
 * Cookies are random (a fresh IV each), so --check re-reads the committed ones rather than comparing bytes.
 * `$_COOKIE` is built from the header as PHP builds it: split on `;`, leading whitespace cut from the name, the
 * first cookie of a name kept, the value rawurldecode'd.
 */

require __DIR__ . '/../interop/laravel/app.php';

use Illuminate\Encryption\Encrypter;
use Illuminate\Http\Request;
use Illuminate\Support\Carbon;
use Illuminate\Support\MessageBag;
use Illuminate\Support\ViewErrorBag;

const NOW = 1700000000;
/** The serialize() corpus crates/session-core/tests/php_serialize.rs reads (made with the vectors). */
define('PHP_SERIALIZE_FILE', __DIR__ . '/../testdata/php/serialize.json');
/** The unserialize() edge cases crates/session-core/tests/php_serialize.rs reads (made with the vectors). */
define('PHP_UNSERIALIZE_FILE', __DIR__ . '/../testdata/php/unserialize.json');
define('KEY', 'base64:' . base64_encode('laravel-vectors-key-0001-current'));
define('OTHER_KEY', 'base64:' . base64_encode('laravel-vectors-key-0002-previou'));
define('WRONG_KEY', 'base64:' . base64_encode('laravel-vectors-key-0003-wrongke'));

function fail($msg)
{
    fwrite(STDERR, "laravel_vectors.php: $msg\n");
    exit(2);
}

function raw_key($key)
{
    return base64_decode(substr($key, 7));
}

/** Every non-list array's keys sorted as strings, recursively (objects left as they are). */
function sorted_keys($v)
{
    if (!is_array($v)) {
        return $v;
    }
    if (!array_is_list($v)) {
        ksort($v, SORT_STRING);
    }
    foreach ($v as $k => $x) {
        $v[$k] = sorted_keys($x);
    }
    return $v;
}

/** The app's routes: /write applies the JSON body's changes; /read answers what the session loaded. */
function routes($r)
{
    $r->post('/write', function (Request $req) {
        $s = $req->session();
        $body = json_decode($req->getContent(), true) ?: [];
        foreach ($body['put'] ?? [] as $k => $v) {
            $s->put($k, $v);
        }
        if (!empty($body['flash_errors'])) {
            // What `back()->withErrors(...)->withInput()` flashes after a failed form.
            $s->flash('errors', (new ViewErrorBag)->put('default', new MessageBag(['name' => ['The name field is required.']])));
            $s->flashInput(['name' => '', 'email' => 'a@example.com']);
        }
        if (!empty($body['regenerate'])) {
            $s->regenerate();
        }
        if (!empty($body['invalidate'])) {
            $s->invalidate();
        }
        return 'ok';
    });
    $r->post('/read', function (Request $req) {
        $all = $req->session()->all();
        // Every session Laravel saved holds `_flash`; a refused or missing cookie starts one with `_token` only.
        if (!array_key_exists('_flash', $all)) {
            return json_encode(['refused' => true]);
        }
        return json_encode(['serialized' => serialize(sorted_keys($all))]);
    });
}

/** A fresh application for every request: Laravel's session store is a singleton that keeps its attributes. */
function kernel($s)
{
    return laravel_app($s, 'routes');
}

/** `$_COOKIE` as PHP builds it from a Cookie header. */
function php_cookies($header)
{
    $out = [];
    foreach (explode(';', $header) as $pair) {
        $eq = strpos($pair, '=');
        if ($eq === false) {
            continue;
        }
        $name = ltrim(substr($pair, 0, $eq));
        if ($name === '' || array_key_exists($name, $out)) {
            continue;
        }
        $out[$name] = rawurldecode(substr($pair, $eq + 1));
    }
    return $out;
}

/** One request through the app at `now`: [status, body, [Cookie objects]]. */
function request($s, $path, $header, $now, $body = [])
{
    Carbon::setTestNow(Carbon::createFromTimestamp($now));
    $kernel = kernel($s);
    $req = Request::create($path, 'POST', [], php_cookies($header), [], [], json_encode($body));
    $resp = $kernel->handle($req);
    $kernel->terminate($req, $resp);
    return [$resp->getStatusCode(), $resp->getContent(), $resp->headers->getCookies()];
}

/** The Cookie header a browser sends after `cookies` (Set-Cookie objects) on top of `before` (name => value). */
function browser($before, $cookies)
{
    foreach ($cookies as $c) {
        if ($c->getExpiresTime() !== 0 && $c->getExpiresTime() < Carbon::now()->getTimestamp()) {
            unset($before[$c->getName()]);
        } else {
            $before[$c->getName()] = rawurlencode($c->getValue());
        }
    }
    return $before;
}

function header_of($jar)
{
    $parts = [];
    foreach ($jar as $n => $v) {
        $parts[] = "$n=$v";
    }
    return implode('; ', $parts);
}

/** What Laravel loads from a request: ['result' => 'valid', 'serialized' => ...] or ['result' => 'refused']. */
function laravel_reads($s, $header, $now, &$set_cookie = null)
{
    [$status, $body, $cookies] = request($s, '/read', $header, $now);
    if ($status !== 200) {
        return ['result' => 'error', 'status' => $status];
    }
    $set_cookie = array_map(fn ($c) => set_cookie_record($c, $s['cookie'], $now), $cookies);
    $r = json_decode($body, true);
    return isset($r['refused']) ? ['result' => 'refused'] : ['result' => 'valid', 'serialized' => $r['serialized']];
}

/**
 * A Set-Cookie header as the vectors record it: the name (`<id>` for a payload cookie) and the attributes of
 * Symfony's `Cookie::__toString`, with `Max-Age` as Symfony computes it when `time()` is `now` (the clock
 * Carbon::setTestNow freezes is not the one Symfony reads).
 */
function set_cookie_record($c, $main, $now)
{
    $parts = array_map('trim', explode(';', (string) $c));
    array_shift($parts);
    $attributes = [];
    foreach ($parts as $p) {
        $kv = explode('=', $p, 2);
        $attributes[$kv[0]] = $kv[1] ?? true;
    }
    if (isset($attributes['Max-Age']) && $c->getExpiresTime() !== 0) {
        $attributes['Max-Age'] = (string) max(0, $c->getExpiresTime() - $now);
    }
    return ['name' => $c->getName() === $main ? $main : '<id>', 'attributes' => $attributes];
}

function settings($ours)
{
    return [
        'key' => $ours['secret_key'],
        'cipher' => ($ours['format'] ?? 'laravel') === 'laravel-gcm' ? 'AES-256-GCM' : 'AES-256-CBC',
        'cookie' => $ours['cookie_name'] ?? 'laravel_session',
    ];
}

function ours($key = KEY, $format = 'laravel', $name = 'laravel_session', $fallbacks = [])
{
    return ['secret_key' => $key, 'fallbacks' => $fallbacks, 'cookie_name' => $name, 'format' => $format];
}

/** A logged-in session made by the app: its cookie jar (name => value as the browser sends it). */
function login($ours, $body, $now = NOW - 60, $jar = [])
{
    [$status, , $cookies] = request(settings($ours), '/write', header_of($jar), $now, $body);
    if ($status !== 200) {
        fail("the app answered $status");
    }
    Carbon::setTestNow(Carbon::createFromTimestamp($now));
    return browser($jar, $cookies);
}

const USER = [
    'user' => 'alice',
    'user_id' => 42,
    'ratio' => 0.5,
    'whole' => 1.0,
    'big' => 1.0e25,
    'admin' => true,
    'nothing' => null,
    'name' => "Zo\u{eb} <b>&\"x'</b> \u{65e5}\u{672c} \u{1F600}",
    'roles' => ['admin', 'user'],
    'prefs' => ['size' => 'L', 'beta' => false, 7 => 'seven', '08' => 'not an int key'],
];

/** The encrypted value Laravel's Encrypter makes of `text` for the cookie `name` (EncryptCookies' prefix). */
function encrypt_cookie($key, $name, $text, $cipher = 'AES-256-CBC')
{
    $e = new Encrypter(raw_key($key), $cipher);
    return rawurlencode($e->encrypt(hash_hmac('sha1', $name . 'v2', raw_key($key)) . '|' . $text, false));
}

/** A payload cookie holding `data` (any text, e.g. hostile serialize()) for `id`, under a valid MAC. */
function payload_cookie($key, $id, $data, $expires = NOW + 3600)
{
    return encrypt_cookie($key, $id, json_encode(['data' => $data, 'expires' => $expires]));
}

function flip_char($v, $at)
{
    $c = $v[$at];
    $v[$at] = $c === 'A' ? 'B' : 'A';
    return $v;
}

function make_case($id, $comment, $ours, $header, $now = NOW, $divergence = null, $expected = null)
{
    $fw = laravel_reads(settings($ours), $header, $now, $set_cookie);
    if ($fw['result'] === 'error') {
        fail("$id: Laravel answered {$fw['status']}");
    }
    $exp = $expected ?? $fw;
    if ($divergence === null && $expected !== null && $expected != $fw) {
        fail("$id: an expected answer that is not Laravel's needs a divergence");
    }
    return [
        'id' => $id,
        'comment' => $comment,
        'ours' => $ours,
        'now' => $now,
        'cookie_header' => $header,
        'laravel' => $fw,
        // What Laravel sends after a request that read a valid session: both cookies again.
        'laravel_set_cookie' => $fw['result'] === 'valid' ? $set_cookie : null,
        'expected' => $exp,
        'divergence' => $divergence,
    ];
}

function build()
{
    $known = [];
    $tamper = [];
    $o = ours();

    $jar = login($o, ['put' => USER]);
    $known[] = make_case('lv-login', 'a session Laravel wrote (strings, ints, floats, bools, null, a list, a map with int keys, UTF-8): id cookie laravel_session, payload cookie named by the id', $o, header_of($jar));
    $login = $jar;

    $jar = login($o, ['flash_errors' => true], NOW - 30, $login);
    $known[] = make_case('lv-flash-errors', 'a failed form: Laravel flashed a ViewErrorBag as errors and _old_input; the object is kept as its exact serialize() text', $o, header_of($jar));

    $gcm = ours(KEY, 'laravel-gcm');
    $known[] = make_case('lv-gcm', "'cipher' => 'AES-256-GCM': the envelope's tag holds the GCM tag, mac is empty", $gcm, header_of(login($gcm, ['put' => USER])));

    $named = ours(KEY, 'laravel', 'myapp_session');
    $known[] = make_case('lv-cookie-name', "session.cookie 'myapp_session' (APP_NAME MyApp)", $named, header_of(login($named, ['put' => ['user' => 'bob']])));

    // regenerate(): a new id; the old payload cookie stays in the browser.
    $jar = login($o, ['put' => ['user' => 'carol'], 'regenerate' => true], NOW - 30, $login);
    if (count($jar) !== 3) {
        fail('regenerate did not leave the old payload cookie behind');
    }
    $known[] = make_case('lv-regenerated', 'after regenerate(): the id cookie names the new payload cookie; the old one (still sent) is not read', $o, header_of($jar));
    $old = array_keys($login)[1];
    $stale_first = [$old => $jar[$old]] + $jar;
    $known[] = make_case('lv-regenerated-stale-first', 'the stale payload cookie first in the header: the one the id names is read', $o, header_of($stale_first));

    // APP_PREVIOUS_KEYS (Laravel 11): cookies made by the 8.83 Encrypter under the previous key.
    $prev = ours(KEY, 'laravel', 'laravel_session', [OTHER_KEY]);
    $id = 'PrEvIoUsKeYsEsSiOnId0123456789abcdefghij';
    $data = serialize(['_token' => str_repeat('t', 40), 'user' => 'dave', '_flash' => ['old' => [], 'new' => []]]);
    $header = 'laravel_session=' . encrypt_cookie(OTHER_KEY, 'laravel_session', $id) . "; $id=" . payload_cookie(OTHER_KEY, $id, $data);
    $known[] = make_case('lv-previous-key', 'both cookies under a previous key (our fallback, Laravel 11 APP_PREVIOUS_KEYS): opened and written again under the current key; Laravel 8.83 has one key and refuses them', $prev, $header, NOW, 'previous-keys', ['result' => 'valid', 'serialized' => serialize(sorted_keys(unserialize($data)))]);
    $known[] = make_case('lv-previous-key-only-current', 'the same cookies without the fallback key: refused', $o, $header);

    // Tampering and refusals.
    $names = array_keys($login);
    $pid = $names[1];
    $t = $login;
    $t['laravel_session'] = flip_char($t['laravel_session'], 30);
    $tamper[] = make_case('lv-tamper-id', 'one character of the id cookie changed: refused, a new session', $o, header_of($t));
    $t = $login;
    $t[$pid] = flip_char($t[$pid], 40);
    $tamper[] = make_case('lv-tamper-payload', 'one character of the payload cookie changed: refused', $o, header_of($t));
    $tamper[] = make_case('lv-wrong-key', 'another APP_KEY: refused', ours(WRONG_KEY), header_of($login));
    $tamper[] = make_case('lv-wrong-cipher', 'AES-256-CBC cookies read with AES-256-GCM: refused', ours(KEY, 'laravel-gcm'), header_of($login));
    $tamper[] = make_case('lv-wrong-cookie-name', "the id cookie sent as myapp_session to an app whose session.cookie is myapp_session: its prefix names laravel_session, refused", $named, 'myapp_session=' . $login['laravel_session'] . "; $pid=" . $login[$pid]);
    $other = 'RenamedPayloadCookie0123456789abcdefghij';
    $tamper[] = make_case('lv-payload-renamed', 'the payload cookie under another id (the id cookie names it): its prefix names the old id, refused', $o, 'laravel_session=' . encrypt_cookie(KEY, 'laravel_session', $other) . "; $other=" . $login[$pid]);
    $tamper[] = make_case('lv-payload-missing', 'the id cookie alone: a new session', $o, 'laravel_session=' . $login['laravel_session']);
    $tamper[] = make_case('lv-expired', "read after the payload's expires (120 minutes): refused", $o, header_of($login), NOW - 60 + 7201);
    $tamper[] = make_case('lv-not-expired', 'read at the last second of the payload: valid', $o, header_of($login), NOW - 60 + 7200);

    $hostile = function ($id, $comment, $data, $divergence = null) use ($o, &$tamper) {
        $sid = 'HostileSessionId0123456789abcdefghijklmn';
        $header = 'laravel_session=' . encrypt_cookie(KEY, 'laravel_session', $sid) . "; $sid=" . payload_cookie(KEY, $sid, $data);
        $case = make_case($id, $comment, $o, $header, NOW, $divergence, $divergence ? ['result' => 'refused'] : null);
        $case['serialized'] = $data;
        $tamper[] = $case;
    };
    // `_flash` and `_token`, as every session Laravel saved holds them (Laravel adds a `_token` to one without).
    $flash = 's:6:"_token";s:40:"' . str_repeat('t', 40) . '";s:6:"_flash";a:2:{s:3:"old";a:0:{}s:3:"new";a:0:{}}';
    $hostile('lv-hostile-reference', 'a PHP reference (R:) under a valid MAC: Laravel follows it; we refuse references (their numbers do not survive a rewrite)', 'a:4:{' . $flash . 's:1:"a";s:1:"x";s:1:"b";R:6;}', 'php-references');
    $hostile('lv-hostile-deep', 'arrays nested 200 deep under a valid MAC: PHP reads them (unserialize_max_depth 4096); we refuse beyond 128', 'a:3:{' . $flash . 's:1:"d";' . str_repeat('a:1:{i:0;', 200) . 'N;' . str_repeat('}', 200) . '}', 'php-depth');
    $hostile('lv-hostile-count', 'an array count far beyond the text: both refuse', 'a:999999999:{' . $flash . '}');
    $hostile('lv-hostile-length', 'a string length beyond the text: both refuse', 'a:3:{' . $flash . 's:1:"s";s:99999:"x";}');
    $hostile('lv-hostile-not-array', 'a session that is a string: both refuse', 's:5:"hello";');
    $hostile('lv-hostile-unknown-class', 'an object of a class the app does not have: PHP makes an incomplete object, we keep its text', 'a:3:{' . $flash . 's:1:"o";O:13:"App\\NoSuchCls":1:{s:1:"x";i:1;}}');
    $hostile('lv-hostile-trailing', 'bytes after the array: PHP 8.2 ignores them (8.3 warns), and so do we', 'a:3:{' . $flash . 's:1:"u";s:1:"x";}junk');

    return [
        'laravel_known_answers.json' => ['Sessions Laravel 8.83 wrote through its web middleware (EncryptCookies, StartSession, SESSION_DRIVER=cookie), read back by it and by us.', $known],
        'laravel_tamper.json' => ['Tampered, expired, misnamed and hostile cookies (hostile serialize() text made under a valid MAC with the 8.83 Encrypter).', $tamper],
    ];
}

/** A random PHP value (`mt_rand` seeded, so the same on every run): what sessions hold, and its edges. */
function random_value($depth)
{
    $floats = [0.1, 0.5, 1.0, -0.0, 1e15, 1e16, 1e17, 1e20, 1e21, 1e-4, 1e-5, 5e-324, 1.7976931348623157e308, INF, -INF, NAN];
    $ints = [0, 1, -1, PHP_INT_MAX, PHP_INT_MIN, 255, -256];
    switch (mt_rand(0, $depth >= 3 ? 5 : 7)) {
        case 0:
            return null;
        case 1:
            return (bool) mt_rand(0, 1);
        case 2:
            return mt_rand(0, 2) ? mt_rand(-1000000, 1000000) * mt_rand(1, 1000000) : $ints[mt_rand(0, count($ints) - 1)];
        case 3:
            if (mt_rand(0, 2) === 0) {
                return $floats[mt_rand(0, count($floats) - 1)];
            }
            return (mt_rand() / mt_getrandmax() - 0.5) * (10 ** mt_rand(-30, 30));
        case 4:
        case 5:
            $pool = ['a', 'Z', '"', ';', '}', ':', '\\', "\0", "\n", ' ', "\u{e9}", "\u{65e5}", "\u{1F600}", "\xff", "\xc3"];
            $t = '';
            for ($i = mt_rand(0, 12); $i > 0; $i--) {
                $t .= $pool[mt_rand(0, count($pool) - 1)];
            }
            return $t;
        case 6:
            $list = [];
            for ($i = mt_rand(0, 4); $i > 0; $i--) {
                $list[] = random_value($depth + 1);
            }
            return $list;
        default:
            $keys = ['user', '_token', '0', '1', '7', '05', '-3', '-0', '1.5', ' 1', 'k' . mt_rand(0, 99), "\u{e9}"];
            $map = [];
            for ($i = mt_rand(0, 5); $i > 0; $i--) {
                $k = mt_rand(0, 3) ? $keys[mt_rand(0, count($keys) - 1)] : mt_rand(-5, 500);
                $map[$k] = random_value($depth + 1);
            }
            return $map;
    }
}

/**
 * PHP's serialize() of random values and of the same values with every non-list array's keys sorted (what our
 * reader then writer must give back), both base64 (PHP strings are bytes).
 */
function serialize_cases()
{
    mt_srand(20261207);
    $cases = [];
    for ($i = 0; $i < 400; $i++) {
        $v = random_value(0);
        $cases[] = ['serialized' => base64_encode(serialize($v)), 'sorted' => base64_encode(serialize(sorted_keys($v)))];
    }
    return [
        'file' => 'serialize.json',
        'source' => 'scripts/laravel_vectors.php with PHP ' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION,
        'comment' => "PHP's serialize() of 400 random values (mt_srand(20261207)): nulls, bools, ints with their edges, floats with theirs (INF, NAN, -0, 5e-324, powers of ten around the notation switch), strings of bytes (UTF-8, invalid UTF-8, quotes and separators), lists and maps with integer, numeric-looking and other keys; `sorted` is the same value with every non-list array's keys sorted as strings, as our writer orders them. Both base64.",
        'cases' => $cases,
    ];
}

/**
 * The texts unserialize() reads or refuses at the edges of its grammar (lengths and counts, signs, zeros,
 * terminators, keys, floats, objects, references, nesting), each with PHP's answer: `php` is serialize() of what
 * it read with every non-list array's keys sorted (base64), or null when it returns false. `divergence` names a
 * documented difference (docs/divergences.md): our reader refuses what PHP reads there. An object is kept as the
 * text it came in (PHP writes some classes back in another spelling: `C:` as `O:`), so only its acceptance is
 * PHP's answer.
 */
/** An enum the corpus' enum case belongs to (whether an app has an enum is the app's business, not the format's). */
enum SerializeSuit
{
    case Hearts;
}

function unserialize_cases()
{
    $deep = str_repeat('a:1:{i:0;', 129) . 'N;' . str_repeat('}', 129);
    $edge = str_repeat('a:1:{i:0;', 128) . 'N;' . str_repeat('}', 128);
    $deep_objects = str_repeat('O:8:"stdClass":1:{s:1:"a";', 129) . 'N;' . str_repeat('}', 129);
    $edge_objects = str_repeat('O:8:"stdClass":1:{s:1:"a";', 128) . 'N;' . str_repeat('}', 128);
    $texts = [
        // Lengths and counts: any number of digits, leading zeros included; nothing else.
        ['s:000000000000000001:"a";', 'a length of 18 digits with leading zeros'],
        ['s:0000000000000000001:"a";', 'a length of 19 digits with leading zeros'],
        ['s:00000000000000000000000000000000000001:"a";', 'a length of 38 digits with leading zeros'],
        ['s:01:"a";', 'a length with one leading zero'],
        ['s:12:"hello world!";', 'a length of two digits'],
        ['s::"";', 'an empty length'],
        ['s:-1:"";', 'a negative length'],
        ['s:+1:"a";', 'a length with a plus sign'],
        ['s: 1:"a";', 'a space before a length'],
        ['s:1 :"a";', 'a space after a length'],
        ['s:1a:"a";', 'a letter in a length'],
        ['s:99999999999999999999:"a";', 'a length beyond 64 bits'],
        ['s:18446744073709551617:"a";', 'a length of 2^64 + 1'],
        ['s:18446744073709551615:"a";', 'a length of 2^64 - 1'],
        ['a:18446744073709551615:{i:0;N;}', 'a count of 2^64 - 1'],
        ['a:4:{i:0;N;i:1;N;i:2;N;i:3;N;}', 'a count of 4 with 4 elements'],
        ['C:11:"ArrayObject":18446744073709551615:{x:i:0;a:0:{};m:a:0:{}}', 'a custom-serialized object of length 2^64 - 1'],
        ['O:8:"stdClass":18446744073709551615:{s:1:"a";N;}', 'an object with 2^64 - 1 properties'],
        ['s:1:"ab";', 'a string longer than its length'],
        ['s:2:"a";', 'a string shorter than its length'],
        ['s:1:"a"', 'a string without its semicolon'],
        ["s:1:'a';", 'a string in single quotes'],
        ['s:0:"";', 'an empty string'],
        ['s:3:"a"b";', 'a quote inside a string'],
        ['a:0000000000000000001:{i:0;s:1:"x";}', 'a count of 19 digits with leading zeros'],
        ['a::{}', 'an empty count'],
        ['a:+1:{i:0;N;}', 'a count with a plus sign'],
        ['a:0:{}', 'an empty array'],
        ['a:1:{}', 'an array with fewer elements than its count'],
        ['a:0:{i:0;N;}', 'an array with more elements than its count'],
        ['a:2:{i:0;N;}', 'an array missing its second element'],
        ['a:1:{i:0;N;', 'an array without its closing brace'],
        ['a:1:{i:0;N;};', 'an array followed by a semicolon'],
        ['a:1:[i:0;N;]', 'an array in square brackets'],
        // Integers.
        ['i:+5;', 'an integer with a plus sign'],
        ['i:-0;', 'minus zero'],
        ['i:00005;', 'an integer with leading zeros'],
        ['i:0000000000000000000000005;', 'an integer with 25 digits, all but one zeros'],
        ['i:;', 'an empty integer'],
        ['i:-;', 'a minus sign alone'],
        ['i:+;', 'a plus sign alone'],
        ['i:5', 'an integer without its semicolon'],
        ['i:1.5;', 'a fraction as an integer'],
        ['i: 5;', 'a space before an integer'],
        ['i:5 ;', 'a space after an integer'],
        ['i:9223372036854775807;', 'the largest integer'],
        ['i:-9223372036854775808;', 'the smallest integer'],
        ['i:9223372036854775808;', 'one past the largest integer'],
        ['i:-9223372036854775809;', 'one before the smallest integer'],
        ['i:--5;', 'two minus signs'],
        ['i:0x1A;', 'a hexadecimal integer'],
        // Booleans and null.
        ['b:0;', 'false'],
        ['b:1;', 'true'],
        ['b:2;', 'a boolean of 2'],
        ['b:;', 'an empty boolean'],
        ['b:01;', 'a boolean with a leading zero'],
        ['b:1', 'a boolean without its semicolon'],
        ['N;', 'null'],
        ['N', 'null without its semicolon'],
        ['n;', 'a lowercase null'],
        ['N:;', 'null with a colon'],
        // Floats.
        ['d:0.5;', 'a fraction'],
        ['d:.5;', 'a fraction without its integer part'],
        ['d:5.;', 'a number ending in a point'],
        ['d:1e5;', 'a lowercase exponent'],
        ['d:1E+25;', 'an uppercase exponent with a plus sign'],
        ['d:-1.5e-3;', 'a negative exponent'],
        ['d:INF;', 'infinity'],
        ['d:-INF;', 'minus infinity'],
        ['d:NAN;', 'not a number'],
        ['d:+INF;', 'infinity with a plus sign'],
        ['d:inf;', 'a lowercase infinity'],
        ['d:;', 'an empty float'],
        ['d:e;', 'an exponent alone'],
        ['d:1e;', 'an exponent without digits'],
        ['d:--1;', 'two minus signs in a float'],
        ['d:1.2.3;', 'two points'],
        ['d:+1;', 'a float with a plus sign'],
        ['d:5;', 'a whole float'],
        ['d:-0;', 'minus zero as a float'],
        ['d:1e400;', 'a float beyond the range'],
        ['d:0x1A;', 'a hexadecimal float'],
        ['d:1,5;', 'a decimal comma'],
        // Array keys.
        ['a:1:{d:1;N;}', 'a float key'],
        ['a:1:{b:1;N;}', 'a boolean key'],
        ['a:1:{N;N;}', 'a null key'],
        ['a:1:{a:0:{}N;}', 'an array key'],
        ['a:1:{s:1:"5";N;}', 'a numeric string key'],
        ['a:1:{s:2:"05";N;}', 'a string key with a leading zero'],
        ['a:1:{s:2:"-0";N;}', 'the string key minus zero'],
        ['a:1:{s:2:"-5";N;}', 'a negative numeric string key'],
        ['a:1:{s:19:"9223372036854775808";N;}', 'a string key one past the largest integer'],
        ['a:1:{i:-1;N;}', 'a negative integer key'],
        ['a:2:{i:0;N;i:0;b:1;}', 'a repeated key (the last value wins)'],
        ['a:2:{i:1;s:1:"b";i:0;s:1:"a";}', 'integer keys out of order'],
        ['a:2:{i:0;s:1:"a";i:2;s:1:"b";}', 'integer keys with a gap'],
        ['a:3:{i:0;N;s:1:"k";N;i:1;N;}', 'a string key between integer keys'],
        ["a:1:{s:1:\"\xff\";N;}", 'a key that is not UTF-8'],
        ["s:1:\"\xff\";", 'a string that is not UTF-8'],
        // Objects, references, nesting.
        ['O:8:"stdClass":1:{s:1:"a";i:1;}', 'a stdClass object'],
        ['O:8:"stdClass":0:{}', 'an empty stdClass object'],
        ['O:8:"stdClass":1:{i:0;N;}', 'an object with an integer property name'],
        ['O:8:"stdClass":1:{N;N;}', 'an object with a null property name'],
        ['O:8:"stdClass":2:{s:1:"a";N;}', 'an object with fewer properties than its count'],
        ['O:3:"Foo":1:{s:1:"a";b:1;}', 'an object of a class the app lacks'],
        ['O:8:"stdClass":1:{s:1:"a";a:1:{i:0;N;}}', 'an object holding an array'],
        ['a:1:{s:1:"o";O:8:"stdClass":0:{}}', 'an array holding an object'],
        ['C:11:"ArrayObject":21:{x:i:0;a:0:{};m:a:0:{}}', 'a custom-serialized object'],
        ['C:11:"ArrayObject":99:{x:i:0;a:0:{};m:a:0:{}}', 'a custom-serialized object longer than the text'],
        ['O:9:"stdClass":0:{}', 'an object whose class name is shorter than its length'],
        ['O:8:"stdClass":1:{d:1;N;}', 'an object with a float property name'],
        ['O:8:"stdClass":1:{b:1;N;}', 'an object with a boolean property name'],
        ["O:8:\"stdClass\":1:{s:1:\"\xff\";N;}", 'an object with a property name that is not UTF-8'],
        ['E:20:"SerializeSuit:Hearts";', 'an enum case (of an enum the app has)'],
        ['E:20:"SerializeSuit:Hearts"', 'an enum case without its semicolon'],
        ['E:20:"SerializeSuit:Hearts":0:{}', 'an enum case with properties'],
        [$edge_objects, '128 nested objects'],
        [$deep_objects, '129 nested objects'],
        ['a:2:{i:0;s:1:"a";i:1;R:2;}', 'a reference to an earlier value'],
        ['a:2:{i:0;s:1:"a";i:1;r:2;}', 'an object reference to an earlier value'],
        [$edge, '128 nested arrays'],
        [$deep, '129 nested arrays'],
        // What follows a value.
        ['N;junk', 'bytes after the value'],
        ['b:1;;', 'a semicolon after the value'],
        ['', 'an empty text'],
        ['x:1;', 'an unknown type'],
    ];
    $cases = [];
    foreach ($texts as [$text, $what]) {
        $v = @unserialize($text);
        $php = ($v === false && $text !== 'b:0;') ? null : base64_encode(serialize(sorted_keys($v)));
        $case = ['what' => $what, 'text' => base64_encode($text), 'php' => $php];
        if ($php === null) {
            // Refused by PHP: refused by us too.
        } elseif (str_contains($text, 'R:')) {
            $case['divergence'] = 'php-references';
        } elseif ($text === $deep || $text === $deep_objects) {
            $case['divergence'] = 'php-depth';
        } elseif ($text[0] === 'a' && str_contains($text, "\xff\";N")) {
            $case['divergence'] = 'php-non-utf8-key';
        } elseif (str_contains($text, '18446744073709551617')) {
            $case['divergence'] = 'php-length-overflow';
        }
        $cases[] = $case;
    }
    return [
        'file' => 'unserialize.json',
        'source' => 'scripts/laravel_vectors.php with PHP ' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION,
        'comment' => "PHP's unserialize() at the edges of its grammar: `text` (base64) is read by PHP, `php` is serialize() of what it read with every non-list array's keys sorted as strings (base64), null when unserialize() returns false; where `divergence` is set our reader refuses the text (docs/divergences.md); an object (`O:`, `C:`) is kept as the text it came in, so for one only PHP's acceptance is compared.",
        'cases' => $cases,
    ];
}

function doc($file, $comment, $cases)
{
    return [
        'file' => $file,
        'format' => 'laravel',
        'source' => 'scripts/laravel_vectors.php with Debian php-laravel-framework ' . \Illuminate\Foundation\Application::VERSION . ' (PHP ' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION . ')',
        'comment' => $comment,
        'cases' => $cases,
    ];
}

/** The file text as every vector file is written: 2-space indent, non-ASCII as is, a trailing newline. */
function render($doc)
{
    $text = json_encode($doc, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    // PHP indents by 4.
    return preg_replace_callback('/^( +)/m', fn ($m) => str_repeat(' ', strlen($m[1]) / 2), $text) . "\n";
}

/** Re-reads every committed cookie with Laravel: its answer must be the committed `laravel`, its Set-Cookie attributes the committed ones. */
function check($dir)
{
    $bad = 0;
    foreach (glob("$dir/laravel_*.json") as $path) {
        $doc = json_decode(file_get_contents($path), true);
        foreach ($doc['cases'] as $c) {
            $got = laravel_reads(settings($c['ours']), $c['cookie_header'], $c['now'], $set_cookie);
            if ($got != $c['laravel']) {
                fwrite(STDERR, basename($path) . " {$c['id']}: Laravel reads " . json_encode($got) . ', committed ' . json_encode($c['laravel']) . "\n");
                $bad++;
            } elseif (($got['result'] === 'valid' ? $set_cookie : null) != $c['laravel_set_cookie']) {
                fwrite(STDERR, basename($path) . " {$c['id']}: Laravel sends " . json_encode($set_cookie) . ', committed ' . json_encode($c['laravel_set_cookie']) . "\n");
                $bad++;
            }
        }
    }
    return $bad;
}

/** Cookies our codec made ([{id, ours, now, cookie_header, expected}]): Laravel must read `expected`. */
function read_ours($file)
{
    $bad = 0;
    foreach (json_decode(file_get_contents($file), true) as $c) {
        $got = laravel_reads(settings($c['ours']), $c['cookie_header'], $c['now']);
        $ok = $got == $c['expected'];
        printf("%-40s %s\n", $c['id'], $ok ? 'ok' : 'DIFFERS: ' . json_encode($got));
        $bad += $ok ? 0 : 1;
    }
    return $bad;
}

if (\Illuminate\Foundation\Application::VERSION !== '8.83.26') {
    fail('the vectors are made with Laravel 8.83.26; this is ' . \Illuminate\Foundation\Application::VERSION);
}
$mode = $argv[1] ?? '';
$dir = $argv[2] ?? 'testdata/vectors';
if ($mode === '--read-ours') {
    exit(read_ours($dir) ? 1 : 0);
}
if ($mode === '--check') {
    $bad = check($dir);
    // Deterministic: the committed file must be what PHP writes now.
    if (file_get_contents(PHP_SERIALIZE_FILE) !== render(serialize_cases())) {
        fwrite(STDERR, PHP_SERIALIZE_FILE . " differs from what this PHP's serialize() writes\n");
        $bad++;
    }
    if (file_get_contents(PHP_UNSERIALIZE_FILE) !== render(unserialize_cases())) {
        fwrite(STDERR, PHP_UNSERIALIZE_FILE . " differs from what this PHP's unserialize() reads\n");
        $bad++;
    }
    echo $bad ? "laravel vectors: $bad case(s) differ\n" : "laravel vectors: Laravel reads every committed cookie as recorded\n";
    exit($bad ? 1 : 0);
}
if ($mode !== '--out' && $mode !== '--php-only') {
    fail('usage: laravel_vectors.php --out DIR | --check DIR | --read-ours FILE | --php-only');
}
foreach ($mode === '--out' ? build() : [] as $file => [$comment, $cases]) {
    file_put_contents("$dir/$file", render(doc($file, $comment, $cases)));
    echo "$file: " . count($cases) . " cases\n";
}
file_put_contents(PHP_SERIALIZE_FILE, render(serialize_cases()));
echo "testdata/php/serialize.json: 400 values\n";
file_put_contents(PHP_UNSERIALIZE_FILE, render(unserialize_cases()));
echo "testdata/php/unserialize.json: " . count(unserialize_cases()['cases']) . " texts\n";
