<?php
/*
 * A minimal Laravel 8.83 application (Debian's php-laravel-framework) with the cookie session driver and the
 * `web` middleware Laravel's skeleton ships (EncryptCookies, AddQueuedCookiesToResponse, StartSession), built
 * in code instead of a skeleton's folders. `laravel_app(settings, routes)` returns the HTTP kernel; the vector
 * generator drives it in process, interop/laravel/server.php serves it under `php -S`.
 *
 * Settings (all optional but `key`): key (`base64:...`, APP_KEY), cipher (AES-256-CBC), cookie
 * (laravel_session), lifetime (minutes, 120), expire_on_close (false), path (/), domain (null), secure (null),
 * http_only (true), same_site (lax): the skeleton's config/session.php defaults.
 */

require_once 'Illuminate/autoload.php';

use Illuminate\Config\Repository;
use Illuminate\Foundation\Application;
use Illuminate\Support\Facades\Facade;

class LaravelSeedKernel extends Illuminate\Foundation\Http\Kernel
{
    protected $bootstrappers = [
        \Illuminate\Foundation\Bootstrap\HandleExceptions::class,
        \Illuminate\Foundation\Bootstrap\RegisterFacades::class,
        \Illuminate\Foundation\Bootstrap\RegisterProviders::class,
        \Illuminate\Foundation\Bootstrap\BootProviders::class,
    ];

    protected $middlewareGroups = [
        'web' => [
            \Illuminate\Cookie\Middleware\EncryptCookies::class,
            \Illuminate\Cookie\Middleware\AddQueuedCookiesToResponse::class,
            \Illuminate\Session\Middleware\StartSession::class,
        ],
    ];
}

class LaravelSeedHandler extends Illuminate\Foundation\Exceptions\Handler
{
}

function laravel_app(array $s, callable $routes)
{
    $base = sys_get_temp_dir() . '/laravel-seed-app';
    @mkdir($base . '/storage/framework/views', 0777, true);
    @mkdir($base . '/bootstrap/cache', 0777, true);
    $app = new Application($base);
    $app->instance('config', new Repository([
        'app' => [
            'name' => 'Laravel',
            'env' => 'production',
            'debug' => false,
            'url' => 'http://localhost',
            'timezone' => 'UTC',
            'locale' => 'en',
            'fallback_locale' => 'en',
            'key' => $s['key'],
            'cipher' => $s['cipher'] ?? 'AES-256-CBC',
            'providers' => [
                \Illuminate\Cookie\CookieServiceProvider::class,
                \Illuminate\Encryption\EncryptionServiceProvider::class,
                \Illuminate\Filesystem\FilesystemServiceProvider::class,
                \Illuminate\Session\SessionServiceProvider::class,
            ],
            'aliases' => [],
        ],
        'session' => [
            'driver' => 'cookie',
            'lifetime' => $s['lifetime'] ?? 120,
            'expire_on_close' => $s['expire_on_close'] ?? false,
            'encrypt' => false,
            'files' => $base . '/sessions',
            'connection' => null,
            'table' => 'sessions',
            'store' => null,
            'lottery' => [2, 100],
            'cookie' => $s['cookie'] ?? 'laravel_session',
            'path' => $s['path'] ?? '/',
            'domain' => $s['domain'] ?? null,
            'secure' => $s['secure'] ?? null,
            'http_only' => $s['http_only'] ?? true,
            'same_site' => $s['same_site'] ?? 'lax',
        ],
    ]));
    $app->instance('env', 'production');
    $app->singleton(Illuminate\Contracts\Http\Kernel::class, LaravelSeedKernel::class);
    $app->singleton(Illuminate\Contracts\Debug\ExceptionHandler::class, LaravelSeedHandler::class);
    Facade::clearResolvedInstances();
    $kernel = $app->make(Illuminate\Contracts\Http\Kernel::class);
    $kernel->bootstrap();
    $app['router']->middleware('web')->group(function ($router) use ($routes) {
        $routes($router);
    });
    return $kernel;
}
