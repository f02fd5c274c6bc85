#!/usr/bin/env bash
# Build the Debian package (target/debian/sigillo_<version>-1_amd64.deb) with cargo-deb:
# the release binary, its man pages and shell completions, the docs and the samples.
#
#   packaging/deb.sh            build (installs cargo-deb with cargo if missing)
#   sudo apt-get install ./target/debian/sigillo_*.deb
#
# The package depends on chromium and recommends poppler-utils, age, ffmpeg, openssl
# (Cargo.toml, [package.metadata.deb]); the demo finds the samples in /usr/share/sigillo.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deb >/dev/null 2>&1 || cargo install --locked -q cargo-deb
cargo build --release --locked -q
S=target/release/sigillo
rm -rf target/packaging && mkdir -p target/packaging/man target/packaging/completions
"$S" manpage -d target/packaging/man -q
"$S" completions bash > target/packaging/completions/sigillo.bash
"$S" completions zsh > target/packaging/completions/_sigillo
"$S" completions fish > target/packaging/completions/sigillo.fish
cargo deb --no-build --locked -q
ls -1 target/debian/*.deb
