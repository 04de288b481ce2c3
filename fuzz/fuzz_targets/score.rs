#![no_main]
//! libFuzzer entry for the `score` target; the body is in `src/targets.rs`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| doppelwatch_fuzz::targets::score(data));
