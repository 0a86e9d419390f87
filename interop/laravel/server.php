<?php
/*
 * Seed app for the live cross-framework login test (Flask quickstart "Sessions") on Laravel 8.83 with the
 * cookie session driver: the same routes and page texts as interop/flask_app.py and examples/login-common.
 * A router script for PHP's built-in server:
 *
 *     SECRET_KEY=base64:... php -S 127.0.0.1:5000 interop/laravel/server.php
 *
 * SECRET_KEY is APP_KEY (`base64:` and 32 bytes, AES-256-CBC); SESSION_COOKIE_NAME sets session.cookie
 * (default laravel_session).
 */

require __DIR__ . '/app.php';

use Illuminate\Http\Request;

/** MarkupSafe's escape, as every seed app writes the user name. */
function seed_escape($s)
{
    return str_replace(['&', '<', '>', '"', "'"], ['&amp;', '&lt;', '&gt;', '&#34;', '&#39;'], $s);
}

const LOGIN_FORM = '
        <form method="post">
            <p><input type=text name=username>
            <p><input type=submit value=Login>
        </form>
    ';

$key = getenv('SECRET_KEY');
if (!$key || strncmp($key, 'base64:', 7) !== 0 || strlen(base64_decode(substr($key, 7))) !== 32) {
    fwrite(STDERR, "server.php: SECRET_KEY must be APP_KEY: base64: and 32 bytes\n");
    exit(1);
}
$kernel = laravel_app(['key' => $key, 'cookie' => getenv('SESSION_COOKIE_NAME') ?: 'laravel_session'], function ($r) {
    $r->get('/', function (Request $req) {
        $user = $req->session()->get('username');
        return $user !== null ? 'Logged in as ' . seed_escape($user) : 'You are not logged in';
    });
    $r->get('/login', fn () => LOGIN_FORM);
    $r->post('/login', function (Request $req) {
        $req->session()->put('username', (string) $req->input('username'));
        // A login rotates the id, as Laravel's auth scaffolding does.
        $req->session()->regenerate();
        return redirect('/');
    });
    $r->get('/logout', function (Request $req) {
        $req->session()->forget('username');
        $req->session()->invalidate();
        return redirect('/');
    });
});
$request = Request::capture();
$response = $kernel->handle($request);
$response->send();
$kernel->terminate($request, $response);
