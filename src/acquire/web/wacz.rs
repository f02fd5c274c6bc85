//! WACZ 1.1.1 packaging.
