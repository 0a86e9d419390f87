#!/usr/bin/env bash
# HTTP load of our adapters against the Rust peers, servers and load generator pinned to separate cores.
#
# Self-contained: needs no Rust, no Python and no network, only bash, coreutils, taskset (util-linux) and the
# prebuilt binaries that `scripts/bench-pinned-prepare.sh` puts in the carry folder:
#   <carry>/bench-servers   (benches-http, release)     <carry>/wrk and <carry>/lib/*.so (wrk and its libraries)
#
#   scripts/bench-pinned.sh                    # carry folder target/bench-carry, results in $OUT or target/bench-pinned
#   SECS=2 ROUNDS=1 scripts/bench-pinned.sh    # a short local try
#
# What it does, for each round (default 2) and each stack (ours-axum, ours-actix, ours-hyper, actix-session,
# tower-sessions; a different one first in each round): starts `bench-servers --stack NAME` alone, gets its cookie
# from /login-setup, checks /bare /plain /read /write answer 200 (and /write sets a cookie), warms up 1 s, then runs
# wrk on each route for SECS seconds (default 8) with that cookie, and on /read once more without it (`read-anon`:
# the same request without a session), and stops the server.
# Pinning: with >= 12 CPUs the server gets CPUs 0-3 (4 worker threads) and wrk CPUs 4-11 (-t8 -c128); with 8-11
# CPUs wrk gets 4-7 (-t4 -c128); with 2-7 CPUs (local tries) the server gets CPU 0 (1 worker thread) and wrk
# CPU 1 (-t1 -c32); on one CPU nothing is pinned.
# Output in $OUT: runs.tsv (every wrk run), summary.txt (medians, ratios), the wrk outputs, server logs, machine.txt.
# Exit status non-zero on any failed check, non-2xx response or socket error.
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
CARRY=${CARRY:-$HERE/target/bench-carry}
OUT=${OUT:-$HERE/target/bench-pinned}
SECS=${SECS:-8}
ROUNDS=${ROUNDS:-2}
PORT=${PORT:-18700}
KEY="benches-http-shared-secret-key-not-for-production-0123456789abcd"
# STACKS and ROUTES may be narrowed (space-separated); a route NAME-anon is /NAME sent without the cookie:
# read-anon is the same request as /read without a session (it answers "anon"), bare-anon what the framework
# alone spends on a request without a Cookie header. `floor` (our stacks only) is the least a signed-cookie read
# costs on that framework (see benches-http). The summary's main table needs the default routes.
read -r -a STACKS <<< "${STACKS:-ours-axum ours-actix ours-hyper actix-session tower-sessions}"
read -r -a ROUTES <<< "${ROUTES:-bare plain read read-anon write}"

mkdir -p "$OUT"
SERVERS="$CARRY/bench-servers"
WRK="$CARRY/wrk"
export LD_LIBRARY_PATH="$CARRY/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
[ -x "$SERVERS" ] || { echo "missing $SERVERS (run scripts/bench-pinned-prepare.sh)" >&2; exit 1; }
[ -x "$WRK" ] || { echo "missing $WRK (run scripts/bench-pinned-prepare.sh)" >&2; exit 1; }
# `wrk -v` exits 1 after printing its version; a missing library prints "error while loading shared libraries".
{ "$WRK" -v 2>&1 || true; } | head -1 | grep -q '^wrk ' \
    || { echo "$WRK does not run:" >&2; "$WRK" -v >&2 || true; ldd "$WRK" >&2 || true; exit 1; }

NPROC=$(nproc)
if [ "$NPROC" -ge 12 ]; then
    PIN=1 SERVER_CPUS=0-3 WRK_CPUS=4-11 THREADS=4 WRK_T=8 WRK_C=128
elif [ "$NPROC" -ge 8 ]; then
    PIN=1 SERVER_CPUS=0-3 WRK_CPUS=4-7 THREADS=4 WRK_T=4 WRK_C=128
elif [ "$NPROC" -ge 2 ]; then
    PIN=1 SERVER_CPUS=0 WRK_CPUS=1 THREADS=1 WRK_T=1 WRK_C=32
else
    PIN=0 SERVER_CPUS= WRK_CPUS= THREADS=1 WRK_T=1 WRK_C=32
fi
pin() { # pin CPUS CMD...: runs CMD (on CPUS when pinning)
    local cpus=$1
    shift
    if [ "$PIN" = 1 ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}
pin_exec() { # the same, replacing the (sub)shell, so that `pin_exec ... &` gives the server's own PID in $!
    local cpus=$1
    shift
    if [ "$PIN" = 1 ]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

{
    echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "nproc: $NPROC"
    grep -m1 'model name' /proc/cpuinfo || true
    uname -srm
    echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [ "$PIN" = 1 ]; then
        echo "pinned: servers on CPUs $SERVER_CPUS ($THREADS worker threads), wrk on CPUs $WRK_CPUS (-t$WRK_T -c$WRK_C)"
    else
        echo "not pinned (fewer than 8 CPUs): servers $THREADS threads, wrk -t$WRK_T -c$WRK_C"
    fi
    echo "wrk: -d${SECS}s --timeout 5s, $ROUNDS round(s), one server at a time"
} | tee "$OUT/machine.txt"

SERVER_PID=
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
trap stop_server EXIT

# http_get PORT PATH [COOKIE]: the raw HTTP/1.1 response (bash's /dev/tcp: no curl needed).
http_get() {
    local req="GET $2 HTTP/1.1"$'\r\n'"Host: 127.0.0.1"$'\r\n'
    [ -n "${3:-}" ] && req+="Cookie: $3"$'\r\n'
    req+="Connection: close"$'\r\n\r\n'
    exec 3<>"/dev/tcp/127.0.0.1/$1"
    printf '%s' "$req" >&3
    timeout 5 cat <&3 || true
    exec 3<&- 3>&-
}

fail() { echo "FAIL: $*" >&2; exit 1; }

# target ROUTE: sets path and send_cookie ($cookie, or empty for NAME-anon, which is /NAME without the cookie).
target() {
    path=${1%-anon}
    if [ "$path" = "$1" ]; then send_cookie=$cookie; else send_cookie=; fi
}

printf 'round\tstack\troute\treq_per_sec\trequests\tnon_2xx_3xx\tsocket_errors\tlatency_avg\n' > "$OUT/runs.tsv"
n=${#STACKS[@]}
for ((round = 0; round < ROUNDS; round++)); do
    for ((k = 0; k < n; k++)); do
        stack=${STACKS[$(((k + round) % n))]}
        port=$((PORT + k))
        SECRET_KEY=$KEY pin_exec "$SERVER_CPUS" "$SERVERS" --stack "$stack" --port "$port" --threads "$THREADS" \
            > "$OUT/server-$stack-r$round.log" 2>&1 &
        SERVER_PID=$!
        for _ in $(seq 100); do
            (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
            kill -0 "$SERVER_PID" 2>/dev/null || fail "$stack exited (log: $OUT/server-$stack-r$round.log)"
            sleep 0.1
        done
        cookie=$(http_get "$port" /login-setup | tr -d '\r' | grep -i -m1 '^set-cookie:' | sed 's/^[^:]*: *//; s/;.*//') \
            || fail "$stack: /login-setup set no cookie"
        [ -n "$cookie" ] || fail "$stack: /login-setup set no cookie"
        for route in "${ROUTES[@]}"; do
            target "$route"
            resp=$(http_get "$port" "/$path" "$send_cookie" | tr -d '\r')
            head -1 <<< "$resp" | grep -q ' 200 ' || fail "$stack /$route: $(head -1 <<< "$resp")"
            if [ "$route" = write ]; then grep -qi '^set-cookie:' <<< "$resp" || fail "$stack /write set no cookie"; fi
            if [ "$route" = read ]; then [ "$(tail -1 <<< "$resp")" = 5 ] || fail "$stack /read did not answer 5"; fi
            if [ "$route" = floor ]; then [ "$(tail -1 <<< "$resp")" = 5 ] || fail "$stack /floor did not answer 5"; fi
            if [ "$route" = read-anon ]; then [ "$(tail -1 <<< "$resp")" = anon ] || fail "$stack /read without a cookie did not answer anon"; fi
        done
        pin "$WRK_CPUS" "$WRK" -t"$WRK_T" -c"$WRK_C" -d1s --timeout 5s -H "Cookie: $cookie" \
            "http://127.0.0.1:$port/read" > /dev/null
        for route in "${ROUTES[@]}"; do
            f="$OUT/wrk-$stack-$route-r$round.txt"
            target "$route"
            pin "$WRK_CPUS" "$WRK" -t"$WRK_T" -c"$WRK_C" -d"${SECS}s" --timeout 5s ${send_cookie:+-H "Cookie: $send_cookie"} \
                "http://127.0.0.1:$port/$path" > "$f"
            rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
            reqs=$(awk '/ requests in / {print $1}' "$f")
            non2xx=$(awk -F: '/Non-2xx or 3xx responses:/ {gsub(/ /, "", $2); print $2}' "$f")
            sock=$(awk -F: '/Socket errors:/ {n = split($2, a, ","); s = 0; for (i = 1; i <= n; i++) {split(a[i], b, " "); s += b[2]}; print s}' "$f")
            lat=$(awk '$1 == "Latency" {print $2}' "$f")
            [ -n "$rps" ] || fail "$stack /$route: no Requests/sec in $f"
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$stack" "$route" "$rps" "$reqs" "${non2xx:-0}" \
                "${sock:-0}" "$lat" | tee -a "$OUT/runs.tsv"
        done
        stop_server
        ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "$stack still listens on $port after being stopped"
    done
done
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"

# Medians over rounds; each ratio is the median of the per-round ratios.
awk -F'\t' -v rounds="$ROUNDS" '
function median(arr, cnt,    i, j, t) {
    for (i = 1; i <= cnt; i++) for (j = i + 1; j <= cnt; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
    return cnt % 2 ? arr[(cnt + 1) / 2] : (arr[cnt / 2] + arr[cnt / 2 + 1]) / 2
}
function ratio(s1, r1, s2, r2,    i, a, c) {
    c = 0
    for (i = 0; i < rounds; i++) if ((i, s1, r1) in v && (i, s2, r2) in v) a[++c] = v[i, s1, r1] / v[i, s2, r2]
    return c ? sprintf("%.3f", median(a, c)) : "-"
}
function spread(s1, r1, s2, r2,    i, a, c, lo, hi) {
    lo = ""; hi = ""
    for (i = 0; i < rounds; i++) if ((i, s1, r1) in v && (i, s2, r2) in v) {
        x = v[i, s1, r1] / v[i, s2, r2]; if (lo == "" || x < lo) lo = x; if (hi == "" || x > hi) hi = x
    }
    return lo == "" ? "" : sprintf("(rounds %.3f-%.3f)", lo, hi)
}
NR > 1 { v[$1, $2, $3] = $4; bad += $6 + $7; stacks[$2] = 1; if (!($3 in seen)) { seen[$3] = 1; rlist[++nr] = $3 } }
END {
    print "every route, req/s (median of the rounds) and the per-round values:"
    for (st in stacks) for (r = 1; r <= nr; r++) {
        c = 0; delete a; line = ""
        for (i = 0; i < rounds; i++) if ((i, st, rlist[r]) in v) { a[++c] = v[i, st, rlist[r]]; line = line " " v[i, st, rlist[r]] }
        if (c) printf "  %-16s %-10s %10.0f  (%s )\n", st, rlist[r], median(a, c), line
    }
    for (st in stacks) if ((0, st, "bare-anon") in v && (0, st, "bare") in v)
        printf "  %-16s bare / bare-anon %s %s\n", st, ratio(st, "bare", st, "bare-anon"), spread(st, "bare", st, "bare-anon")
    for (st in stacks) if ((0, st, "bare-anon") in v && (0, st, "floor") in v)
        printf "  %-16s floor / bare-anon %s %s   (the least a signed-cookie read costs this framework)\n", st, ratio(st, "floor", st, "bare-anon"), spread(st, "floor", st, "bare-anon")
    print ""
    split("ours-axum ours-actix ours-hyper actix-session tower-sessions", order, " ")
    split("bare plain read read-anon write", routes, " ")
    printf "%-16s %10s %10s %10s %10s %10s %11s %10s %10s %12s\n", "stack", "bare", "plain", "read", "read-anon", "write", "read/plain", "read/anon", "read/bare", "write/plain"
    for (s = 1; s <= 5; s++) {
        st = order[s]; line = sprintf("%-16s", st)
        for (r = 1; r <= 5; r++) {
            c = 0; delete a
            for (i = 0; i < rounds; i++) if ((i, st, routes[r]) in v) a[++c] = v[i, st, routes[r]]
            line = line sprintf(" %10.0f", c ? median(a, c) : 0)
        }
        printf "%s %11s %10s %10s %12s\n", line, ratio(st, "read", st, "plain"), ratio(st, "read", st, "read-anon"), ratio(st, "read", st, "bare"), ratio(st, "write", st, "plain")
    }
    print "(req/s: median of the rounds; ratios: median of the per-round ratios)"
    print ""
    print "cross-stack ratios (median of per-round ratios):"
    for (r = 1; r <= 5; r++) printf "  ours-actix %-5s / actix-session %-5s %s %s\n", routes[r], routes[r], ratio("ours-actix", routes[r], "actix-session", routes[r]), spread("ours-actix", routes[r], "actix-session", routes[r])
    for (r = 1; r <= 5; r++) printf "  ours-axum  %-5s / tower-sessions %-5s %s %s\n", routes[r], routes[r], ratio("ours-axum", routes[r], "tower-sessions", routes[r]), spread("ours-axum", routes[r], "tower-sessions", routes[r])
    print ""
    print "read with a session / without (same stack; read-anon: /read without the cookie):"
    for (s = 1; s <= 5; s++) {
        st = order[s]
        printf "  %-14s read/read-anon %s %s   read/plain %s %s   read/bare %s %s\n", st, ratio(st, "read", st, "read-anon"), spread(st, "read", st, "read-anon"), ratio(st, "read", st, "plain"), spread(st, "read", st, "plain"), ratio(st, "read", st, "bare"), spread(st, "read", st, "bare")
    }
    print ""
    print "non-2xx/3xx responses + socket errors, all runs: " bad
    exit (bad > 0)
}' "$OUT/runs.tsv" | tee "$OUT/summary.txt"
status=${PIPESTATUS[0]}
echo "results: $OUT"
exit "$status"
