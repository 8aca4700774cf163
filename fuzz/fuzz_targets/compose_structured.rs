//! Compose documents built from structure (see `structured.rs`) through every command.
#![no_main]

#[path = "../harness.rs"]
mod harness;
#[path = "../structured.rs"]
mod structured;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(text) = structured::text(data) {
        harness::run(text.as_bytes());
    }
});
