//! The case bundle (in progress)
