//! sigillo's integration tests: one test binary, one module per topic. Tests drive the real
//! `sigillo` binary (and, where a layer is checked on its own, the library) and judge the
//! result with independent tools: `openssl`, `sha256sum`, `unzip`, `pdftotext`, warcio,
//! py-wacz, cdxj-indexer, the pdqhash reference, real Chromium on 127.0.0.1.
//!
//! Shared modules:
//! - `util`: the fixture builder: `Dir` (a fresh temp folder: write files, make keys, add
//!   to a bundle), `TestCommand` (the real binary, clean env, panic detection), `Run`
//!   (`assert_exit`), zip read/write.
//! - `tool`: finds every external program in one place; a missing one fails, never skips.
//! - `support::tsa`: a real RFC 3161 TSA (`openssl ts -reply`) on 127.0.0.1.
//! - `support::signer_pki`: a test qualified CA, a holder certificate, PKCS#12 files, a SoftHSM2 token.
//! - `support::web_server`: web pages (HTTP and HTTPS) on 127.0.0.1 for capture tests.
//!
//! Topics:
//! - `core`: keys, add, verify, stock-tool verification, determinism, tampering, hostile zips, bad input.
//! - `custody`: the chain of custody handed on by three people, and every rewrite of the log caught.
//! - `timestamp`: RFC 3161 tokens both ways with OpenSSL, bad TSAs, `timestamp` and custody tokens.
//! - `media`: PDQ against Meta's reference, image facts in manifests, hash lists, `match`.
//! - `chat`: WhatsApp and Telegram exports: layouts, locales, source lines, sealed items, broken input.
//! - `warc`: the WARC/WACZ writer against warcio, cdxj-indexer and py-wacz.
//! - `web_capture`: capture with real headless Chromium, HTTPS certificates, dialogs, the demo.
//! - `report`: the HTML/PDF acquisition report: content, escaping, language, media hidden.
//! - `report_safety`: hostile but validly signed bundles: no live markup in reports or
//!   transcripts (en/it, with and without media); the NOT VERIFIED banner.
//! - `cosign`: X.509 co-signers (PKCS#12, SoftHSM2 over PKCS#11) against `openssl cms -verify`;
//!   holders, look-alike CAs, wrong PINs, expired and non-signing certificates, B-T, `.p7m`.
//! - `encryption`: `--encrypt-to` bundles against the stock `age` CLI: nothing readable, verify
//!   without the identity, plaintext checks, extract and report with it, TMPDIR left empty.
//! - `exit_codes`: every command's exit code and error message as docs/exit-codes.md says
//!   (usage errors, missing input, non-bundle ZIPs, bundles that do not verify).
//! - `cli_ux`: shell completions, man pages, `hashes -o`, tables, `NO_COLOR`, old flag spellings.
//! - `recheck`: `recheck` and `status` against pages that stay, change, vanish, redirect
//!   to a login page, and a server that goes away; the bundle verifies after every step.
//! - `notice`: DSA notices (HTML, PDF, EML, JSON), the platform's replies in custody, the Garante pack.
//! - `interactive`: `capture --interactive --record` in a visible Chromium under Xvfb: a
//!   login form, a private page behind the session cookie, Enter and q on stdin; no
//!   password or cookie in any member; the screen recording and its video.
//! - `video`: HLS made by ffmpeg, played by an MSE player on 127.0.0.1: playlists and segments
//!   sealed, the rest fetched, the joined MP4 (ffprobe), video facts, --max-media, --yt-dlp.
//! - `verify_consistency`: verify never contradicts itself (unreadable members, time basis, `--json` keys).
//! - `feeds`: `capture --follow-next` threads (rel=next, Italian links, loops, --max-pages) and
//!   `--scroll-until-end` feeds (an end, a height cap, screenshot tiles); `--json` lines.
//!
//! Run one module with `cargo test --test it core::` (or one test:
//! `cargo test --test it core::bad_input`); `cargo test --test it` runs them all.

mod support;
mod tool;
mod util;

mod capture_hardening;
mod chat;
mod chat_formats;
mod chat_viewer;
mod cli_hardening;
mod cli_ux;
mod config;
mod core;
mod cosign;
mod custody;
mod encryption;
mod exit_codes;
mod feeds;
mod fuzz_regressions;
mod hostile_fields;
mod interactive;
mod leftovers;
mod media;
mod notice;
mod recheck;
mod report;
mod report_safety;
mod schemas;
mod timestamp;
mod tsa_interop;
mod verify_consistency;
mod video;
mod warc;
mod web_capture;
