//! Human-readable acquisition reports (HTML, and PDF through Chromium).
