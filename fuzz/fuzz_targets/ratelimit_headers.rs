#![no_main]
//! libFuzzer entry for the `ratelimit_headers` target; the body is in `src/targets.rs`.
libfuzzer_sys::fuzz_target!(|data: &[u8]| doppelwatch_fuzz::targets::ratelimit_headers(data));
