//! The case bundle as a container: where every member lives ([`layout`]), reading it
//! defensively ([`reader`]), writing it atomically and reproducibly ([`writer`]), what
//! verification learned about it ([`state`]), and item names ([`naming`]). What goes into
//! a bundle, and when, is [`crate::seal`]'s job; what a bundle proves is
//! [`crate::verify`]'s. See `docs/bundle-format.md`.

pub mod layout;
pub mod naming;
pub mod p7m;
pub mod reader;
pub mod state;
pub mod writer;
