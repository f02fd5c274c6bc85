//! Chat exports (WhatsApp, Telegram): preserved originals, a parsed transcript, linked media.
