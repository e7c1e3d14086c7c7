#!/usr/bin/env bash
# The system tools the test command needs beyond Node, installed on Debian or Ubuntu when missing:
#
#   c        a C/C++ toolchain (build-essential): better-sqlite3 is compiled at install
#   python   python3 >= 3.10 with venv and pip (python3-venv): the Python SDK, its tools, Schemathesis
#   rust     cargo, rustc, rustfmt and clippy >= 1.85: the Rust SDK (Debian 13: cargo rustc rustfmt
#            rust-clippy; Debian 12, whose rustc is 1.63: the newer toolchain it ships for browsers,
#            cargo-web rustc-web rustfmt-web rust-web-clippy)
#
#   bash tools/scripts/system-deps.sh [c] [python] [rust]     (no argument: all three)
#
# Chromium and PostgreSQL have their own scripts (install-chromium.sh, postgres.sh). A tool that is
# already on PATH is never replaced or upgraded, whatever installed it (pyenv, rustup, ...): only
# what is missing is installed, only with apt-get and only as root. Whatever cannot be installed
# gets one line naming what to install, and the exit status is 1. With TKA_SYSTEM_DEPS_DRY_RUN=1
# it only prints the apt-get command it would run.
set -uo pipefail

RUST_MIN="1.85" # rust-version of the generated crate (templates/rust/Cargo.toml)
PYTHON_MIN="3.10"

say() { echo "system-deps: $*" >&2; }

wanted=("$@")
[ "${#wanted[@]}" -eq 0 ] && wanted=(c python rust)
packages=()
missing=()

version_ge() { # version_ge A B: A >= B (dotted numbers)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

have_apt() { command -v apt-get >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1; }

# The version apt would install for a package ("" when it has none), without epoch and Debian suffix.
candidate() {
  apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | grep -v '(none)' | sed 's/^[0-9]*://; s/[+~-].*//'
}

check_c() {
  if command -v cc >/dev/null 2>&1 && command -v c++ >/dev/null 2>&1 && command -v make >/dev/null 2>&1; then return; fi
  if have_apt; then packages+=(build-essential); else missing+=("a C/C++ toolchain (cc, c++, make)"); fi
}

check_python() {
  if command -v python3 >/dev/null 2>&1; then
    local v
    v="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)"
    if [ -z "$v" ]; then
      missing+=("a working python3 >= $PYTHON_MIN (python3 on PATH does not run)")
      return
    fi
    if ! version_ge "$v" "$PYTHON_MIN"; then
      missing+=("python3 >= $PYTHON_MIN (found $v)")
      return
    fi
    # venv needs ensurepip, which Debian ships apart (python3-venv).
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && return
    if have_apt; then packages+=(python3-venv); else missing+=("the venv module of python3 (python3-venv)"); fi
    return
  fi
  if have_apt && version_ge "$(candidate python3)" "$PYTHON_MIN"; then
    packages+=(python3 python3-venv)
  else
    missing+=("python3 >= $PYTHON_MIN with venv")
  fi
}

check_rust() {
  if command -v cargo >/dev/null 2>&1; then
    local v
    v="$(cargo --version 2>/dev/null | awk '{print $2}')"
    version_ge "${v%%-*}" "$RUST_MIN" && return
    missing+=("cargo >= $RUST_MIN (found $v on PATH, left alone; rustup update or install a newer one)")
    return
  fi
  if have_apt; then
    if version_ge "$(candidate rustc)" "$RUST_MIN"; then
      packages+=(cargo rustc rustfmt rust-clippy)
      return
    fi
    if version_ge "$(candidate rustc-web)" "$RUST_MIN"; then
      packages+=(cargo-web rustc-web rustfmt-web rust-web-clippy)
      return
    fi
  fi
  missing+=("cargo >= $RUST_MIN (no such package here: install Rust with https://rustup.rs)")
}

for what in "${wanted[@]}"; do
  case "$what" in
    c) check_c ;;
    python) check_python ;;
    rust) check_rust ;;
    *)
      say "unknown argument '$what' (use c, python, rust)"
      exit 2
      ;;
  esac
done

if [ "${#packages[@]}" -gt 0 ]; then
  if [ "${TKA_SYSTEM_DEPS_DRY_RUN:-}" = 1 ]; then
    say "would run: apt-get install --no-install-recommends ${packages[*]}"
  elif [ "$(id -u)" != 0 ]; then
    missing+=("${packages[*]} (run as root, or: sudo apt-get install ${packages[*]})")
  else
    say "installing ${packages[*]} with apt-get (about a minute)"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
      hash -r
      say "installed ${packages[*]}"
    else
      missing+=("${packages[*]} (apt-get install failed, see above)")
    fi
  fi
fi

if [ "${#missing[@]}" -gt 0 ]; then
  for m in "${missing[@]}"; do say "missing: $m"; done
  exit 1
fi
exit 0
