//! The `sigillo` binary: parse arguments, run, map errors to exit codes.
fn main() {
    bounded_allocator();
    std::process::exit(sigillo::cli::main());
}

/// glibc serves allocations above `M_MMAP_THRESHOLD` with their own mappings, returned to
/// the system when freed; but after each such free it raises the threshold (up to 32 MiB),
/// so later buffers of a few MiB (CDP messages of response bodies, images decoded for PDQ)
/// come from the heap and stay resident after they are freed. A page with 100 MB of media
/// then keeps hundreds of MiB it no longer uses. A fixed threshold (which also turns the
/// dynamic adjustment off) returns every big buffer when it is freed; the cost is a system
/// call per buffer of 256 KiB or more, which is small next to filling one.
fn bounded_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator parameters; it is called before any other
    // thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1024 * 1024);
    }
}
