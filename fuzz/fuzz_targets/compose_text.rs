//! Arbitrary bytes as a compose file: the parser, the loader and every later stage must
//! refuse or convert, never panic or hang.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::run(data));
