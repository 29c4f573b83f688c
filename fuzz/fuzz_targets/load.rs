//! Raw bytes as a model and a scenario file (split at the first NUL):
//! loading never panics or hangs, and an accepted small pair simulates
//! under the oracles of `capsim::fuzzcheck`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = capsim::fuzzcheck::check_files(data) {
        panic!("{v}");
    }
});
