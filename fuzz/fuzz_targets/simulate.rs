//! Bytes decoded into a structure-generated model and scenario
//! (`capsim::fuzzcheck::Shape`), simulated under the oracles: same seed,
//! same result; total = completed + failed + in flight; failed = the sum
//! of errors; a wall-time bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(v) = capsim::fuzzcheck::check_shape(data) {
        panic!("{v}");
    }
});
