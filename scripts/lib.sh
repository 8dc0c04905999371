# shellcheck shell=bash
# Shared helpers for scripts/deps, scripts/run and scripts/test.
# Source it after `set -euo pipefail`; it defines TMKV_ROOT and cd's there so
# every script works from any current directory.

TMKV_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$TMKV_ROOT" || exit 1

# Jobs for builds and ctest: one per core.
TMKV_JOBS="$(nproc 2>/dev/null || echo 2)"

# One progress line per step, prefixed so it stands out from tool output.
log() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The production build, build/, made by scripts/run: Release, without the
# emulated HTM's hooks (stm/shared_word.h), so the protocol's shared words are
# plain atomics. Options are explicit so a stale cache cannot change them.
# shellcheck disable=SC2034  # used by the scripts that source this file
TMKV_RELEASE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DTMKV_SANITIZE= -DTMKV_BUILD_BENCH=ON -DTMKV_BUILD_TESTS=OFF -DTMKV_HTM_EMULATION=OFF
                   -DTMKV_RELEASE_DEBUG_INFO=-g)
# The release test build, build-test/: the same, with the emulated HTM that
# the hybrid's tests run on, and line tables only (-g1) for a faster build.
# shellcheck disable=SC2034
TMKV_TEST_RELEASE_ARGS=(-DCMAKE_BUILD_TYPE=Release -DTMKV_SANITIZE= -DTMKV_BUILD_BENCH=ON -DTMKV_HTM_EMULATION=ON
                        -DTMKV_RELEASE_DEBUG_INFO=-g1)

# Ninja if present (scripts/deps installs it), Make otherwise.
tmkv_generator() {
  if command -v ninja >/dev/null 2>&1; then echo Ninja; else echo "Unix Makefiles"; fi
}

# tmkv_configure_build BUILD_DIR [CMAKE_ARGS...]
# Configures BUILD_DIR (only cmake's own output on failure) and builds it.
# A build dir configured earlier with another generator is reset, since
# cmake refuses to switch generators in place. Returns non-zero on failure.
tmkv_configure_build() {
  local dir="$1"; shift
  local gen; gen="$(tmkv_generator)"
  if [[ -f "$dir/CMakeCache.txt" ]] &&
     ! grep -qx "CMAKE_GENERATOR:INTERNAL=$gen" "$dir/CMakeCache.txt"; then
    log "resetting $dir (configured with another generator)"
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  local out
  if ! out="$(cmake -S . -B "$dir" -G "$gen" "$@" 2>&1)"; then
    printf '%s\n' "$out" >&2
    return 1
  fi
  cmake --build "$dir" -j "$TMKV_JOBS"
}
