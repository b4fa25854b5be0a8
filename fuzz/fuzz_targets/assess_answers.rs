//! Arbitrary bytes as answers: see `sopro_tests::fuzzing::assess_answers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sopro_tests::fuzzing::assess_answers(data);
});
