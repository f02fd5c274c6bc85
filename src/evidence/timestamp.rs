//! RFC 3161 trusted timestamps: request, check and verify tokens offline.
