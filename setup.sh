#!/usr/bin/env bash
# Install everything sigillo needs on a Debian machine, build it, and put it on PATH.
#
#   ./setup.sh            system packages + release build + install to /usr/local/bin (or ~/.cargo/bin)
#   ./setup.sh --deps     only what the test suite needs (system packages and a Python venv
#                         in .venv/ with the independent validators warcio, wacz, pdqhash)
#
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-all}
say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

need_pkgs=()
pkgs=(chromium poppler-utils unzip openssl ca-certificates python3-venv)
# Only the tests need these: faketime (a TSA that stamped in the past), xmlsec1 (signed
# EU trusted lists; `verify --trusted-list` also uses it when installed), socat (a TLS
# front that demands client certificates), softhsm2 and opensc (a PKCS#11 token holding a
# co-signer's key and certificate, loaded with pkcs11-tool), age (the reference CLI that
# must decrypt what sigillo encrypts).
[ "$mode" = "--deps" ] && pkgs+=(faketime xmlsec1 socat softhsm2 opensc age)
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if ((${#need_pkgs[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "installing Debian packages: ${need_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  say "cargo is missing: install Rust from your distribution (apt-get install cargo) or rustup, then run this again"
  exit 2
fi

if [ "$mode" = "--deps" ] || [ "$mode" = "all" ]; then
  if [ ! -x .venv/bin/warcio ] || [ ! -x .venv/bin/wacz ] || ! .venv/bin/python -c 'import pdqhash, jsonschema' 2>/dev/null; then
    say "creating .venv with the independent validators (warcio, wacz, pdqhash) used by the tests"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check warcio wacz pdqhash pillow numpy jsonschema
  fi
fi

if [ "$mode" = "--deps" ]; then
  if ! command -v cargo-deny >/dev/null 2>&1; then
    say "installing cargo-deny (licence and ban checks in CI; builds from crates.io, a few minutes)"
    cargo install --locked -q cargo-deny
  fi
  # Every crate of the lock file, for every platform: `cargo deny --offline` reads them all.
  cargo fetch --locked -q
  exit 0
fi

say "building sigillo (release)"
cargo build --release --locked -q
dest=/usr/local/bin
[ -w "$dest" ] || dest="$HOME/.cargo/bin"
mkdir -p "$dest"
install -m 0755 target/release/sigillo "$dest/sigillo"
say "installed $dest/sigillo ($("$dest/sigillo" --version))"
case ":$PATH:" in *":$dest:"*) ;; *) say "add $dest to your PATH";; esac
