#!/usr/bin/env bash
# Install everything sigillo needs on a Debian machine, build it, and put it on PATH.
#
#   ./setup.sh            system packages + release build + install to /usr/local/bin (or ~/.cargo/bin)
#   ./setup.sh --deps     only what the test suite needs (system packages and a Python venv
#                         in .venv/ with the independent validators warcio, wacz, pdqhash, and pywb)
#
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-all}
say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

need_pkgs=()
pkgs=(chromium poppler-utils unzip openssl ca-certificates python3-venv curl)
# Only the tests need these: faketime (a TSA that stamped in the past), xmlsec1 (signed
# EU trusted lists; `verify --trusted-list` also uses it when installed), socat (a TLS
# front that demands client certificates), softhsm2 and opensc (a PKCS#11 token holding a
# co-signer's key and certificate, loaded with pkcs11-tool), age (the reference CLI that
# must decrypt what sigillo encrypts), xvfb (a virtual display for the visible window of
# `capture --interactive`), ffmpeg (the derived video of `--record`; makes the test HLS
# stream; sigillo joins streams and reads video facts with it), yt-dlp (capture --yt-dlp).
[ "$mode" = "--deps" ] && pkgs+=(faketime xmlsec1 socat softhsm2 opensc age xvfb ffmpeg yt-dlp)
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if ((${#need_pkgs[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "installing Debian packages: ${need_pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Rust: sigillo needs the rust-version of Cargo.toml (Debian 12's packaged Rust, 1.63, is
# too old). When cargo is missing or older, install the current stable toolchain with
# rustup, the standard installer (https://rustup.rs), into ~/.cargo for this user.
need_rust=$(sed -n 's/^rust-version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
rust_ok() {
  command -v cargo >/dev/null 2>&1 || return 1
  local have
  have=$(rustc --version 2>/dev/null | sed -n 's/^rustc \([0-9][0-9.]*\).*/\1/p')
  [ -n "$have" ] || return 1
  # The older of the two sorts first: ok when that is the required one.
  [ "$(printf '%s\n%s\n' "$need_rust" "$have" | sort -V | head -1)" = "$need_rust" ]
}
if ! rust_ok; then
  if command -v cargo >/dev/null 2>&1; then
    say "Rust $(rustc --version 2>/dev/null | cut -d' ' -f2) is older than the $need_rust sigillo needs: installing the current stable Rust with rustup (into ~/.cargo, a minute or two)"
  else
    say "cargo is missing: installing Rust $need_rust or newer with rustup, the standard installer (into ~/.cargo, a minute or two)"
  fi
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --no-modify-path >/dev/null
  . "$HOME/.cargo/env"
  rustup default stable >/dev/null
  rust_ok || { say "Rust could not be installed or is still too old: install Rust $need_rust or newer (https://rustup.rs) and run this again"; exit 2; }
fi

if [ "$mode" = "--deps" ] || [ "$mode" = "all" ]; then
  if [ ! -x .venv/bin/warcio ] || [ ! -x .venv/bin/wacz ] || ! .venv/bin/python -c 'import pdqhash, jsonschema' 2>/dev/null; then
    say "creating .venv with the independent validators (warcio, wacz, pdqhash) used by the tests"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check warcio wacz pdqhash pillow numpy jsonschema
  fi
fi

if [ "$mode" = "--deps" ] && [ ! -x .venv/bin/wb-manager ]; then
  say "installing pywb in .venv (the tests replay sigillo's WACZ in Webrecorder's pywb)"
  .venv/bin/pip install -q --disable-pip-version-check pywb
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
