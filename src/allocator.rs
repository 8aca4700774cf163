//! How the `compose2kube` binary (and the benchmarks that measure it) tune mimalloc, their
//! global allocator. The library itself allocates through whatever allocator its user set.
//!
//! A conversion is a batch run: it builds the whole project, drops large parts of it (the
//! parsed YAML tree, the intermediate models) and builds the objects and the output text.
//! mimalloc by default hands pages it no longer uses back to the kernel a second after they
//! are freed, and whatever is allocated next takes them back one page fault at a time. One
//! command rarely lives long enough for that to matter (at 50,000 services: 4 % fewer
//! faults, the same time, a 5 % higher peak), but a process that converts again and again
//! does: the scale benchmark paid about 30,000 faults, 40 ms, per 10,000-service iteration,
//! which a user running the command once never pays. The process returns all its memory
//! when it exits, so freed pages are kept for reuse instead.

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
