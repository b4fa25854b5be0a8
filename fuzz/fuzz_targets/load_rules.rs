//! Arbitrary text as a rule set: see `sopro_tests::fuzzing::load_rules`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sopro_tests::fuzzing::load_rules(data);
});
