#!/usr/bin/env bash
# Build a static x86_64 Linux binary (musl) and a tarball to copy to any Linux machine:
#   target/dist/sigillo-<version>-x86_64-linux-static.tar.gz (+ .sha256)
# holding bin/sigillo, share/man/man1, share/sigillo/completions, share/sigillo/samples and
# share/doc/sigillo. Unpack it anywhere (e.g. /opt/sigillo or ~/.local) and run bin/sigillo:
# the demo finds the samples in share/sigillo/samples next to the binary.
#
#   packaging/static.sh     needs the rustup target x86_64-unknown-linux-musl and musl-gcc
#                           (Debian: musl-tools); both are installed when missing
#
# What a static musl binary cannot do: load a PKCS#11 module (a smart card or HSM driver is a
# shared library, and a static musl binary cannot dlopen one), so `--pkcs11` reports that
# and the .deb (or a build from source) is the route for smart cards. Chromium is still needed
# for `capture` and `report --pdf`: it is a separate program, not linked in.
set -euo pipefail
cd "$(dirname "$0")/.."
T=x86_64-unknown-linux-musl
rustup target list --installed 2>/dev/null | grep -qx "$T" || rustup target add "$T"
command -v musl-gcc >/dev/null 2>&1 || {
    echo "static: installing musl-tools (musl-gcc, for ring's C and assembly)" >&2
    apt-get install -y -q musl-tools >/dev/null
}
CC_x86_64_unknown_linux_musl=musl-gcc cargo build --release --locked -q --target "$T"
S="target/$T/release/sigillo"
# Refuse to package something that is not static after all.
if ldd "$S" 2>&1 | grep -q '=>'; then
    echo "static: $S is dynamically linked:" >&2
    ldd "$S" >&2
    exit 1
fi
V=$("$S" --version | awk '{print $2}')
N="sigillo-$V-x86_64-linux-static"
D="target/dist/$N"
rm -rf "$D" && mkdir -p "$D/bin" "$D/share/man/man1" "$D/share/sigillo/completions" "$D/share/doc/sigillo"
cp "$S" "$D/bin/sigillo"
"$D/bin/sigillo" manpage -d "$D/share/man/man1" -q
"$D/bin/sigillo" completions bash > "$D/share/sigillo/completions/sigillo.bash"
"$D/bin/sigillo" completions zsh > "$D/share/sigillo/completions/_sigillo"
"$D/bin/sigillo" completions fish > "$D/share/sigillo/completions/sigillo.fish"
cp -r samples "$D/share/sigillo/samples"
cp -r README.md docs "$D/share/doc/sigillo/"
# Reproducible tarball: sorted names, fixed owner and times.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C target/dist -czf "$D.tar.gz" "$N"
(cd target/dist && sha256sum "$N.tar.gz" > "$N.tar.gz.sha256")
ls -1 "$D.tar.gz" "$D.tar.gz.sha256"
