//! Drive headless Chromium to capture one URL.
