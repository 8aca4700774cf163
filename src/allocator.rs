//! How the `compose2kube` binary (and the benchmarks that measure it) tune mimalloc, their
//! global allocator. The library itself allocates through whatever allocator its user set.
//!
//! A conversion is a short batch run: it builds the whole project, drops large parts of it
//! (the parsed YAML tree, the intermediate models) and builds the objects and the output
//! text. mimalloc by default hands pages it no longer uses back to the kernel after a second,
//! so the next phase takes them back one page fault at a time: at 10,000 services that was
//! about 30,000 faults and a tenth of the run. The process exits in under a second and
//! returns all its memory then, so it keeps freed pages instead, at the cost of a higher
//! peak (about 15 % at 10,000 services).

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (the Rust bindings leave it out).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keep freed pages for reuse instead of returning them to the kernel during the run.
/// Call it first thing in `main`.
pub fn keep_freed_pages() {
    // SAFETY: reading and setting an option is thread-safe in mimalloc and takes no
    // pointers. The value is read first so that, should a future mimalloc renumber its
    // options, a different option is never changed: only one whose value is still the
    // default of purge_delay in the pinned version (1,000 ms) is set.
    unsafe {
        if libmimalloc_sys::mi_option_get(PURGE_DELAY) == 1000 {
            libmimalloc_sys::mi_option_set(PURGE_DELAY, -1);
        }
    }
}
