#!/usr/bin/env bash
# Builds and gathers what scripts/bench-pinned.sh needs on a machine without Rust or network:
# bench-servers (benches-http, release, stripped) and wrk with the shared libraries it loads beyond glibc.
#
#   scripts/bench-pinned-prepare.sh            # into target/bench-carry (ignored by git)
#
# wrk comes from PATH (Debian package `wrk`; installed with apt-get when missing).
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
CARRY=${CARRY:-$HERE/target/bench-carry}
mkdir -p "$CARRY/lib"
cargo build --release --manifest-path "$HERE/benches-http/Cargo.toml" --target-dir "$HERE/target/benches-http"
cp "$HERE/target/benches-http/release/bench-servers" "$CARRY/bench-servers"
strip "$CARRY/bench-servers" 2>/dev/null || true
if ! command -v wrk > /dev/null; then
    apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }
fi
cp "$(command -v wrk)" "$CARRY/wrk"
# Every library wrk links except the C runtime itself (libc, libm, libpthread, libgcc_s, the loader), which any
# Linux machine has: libluajit is rarely installed, libssl/libcrypto may differ in version.
ldd "$(command -v wrk)" | awk '$3 ~ /^\// {print $3}' | while read -r lib; do
    case "$(basename "$lib")" in
        libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|libgcc_s.so.*|ld-linux*) ;;
        *) cp -L "$lib" "$CARRY/lib/" ;;
    esac
done
du -sh "$CARRY"
ls -l "$CARRY" "$CARRY/lib"
