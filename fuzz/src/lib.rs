//! The fuzz targets' bodies, shared by the libFuzzer binaries (`fuzz_targets/`) and the
//! stable-Rust corpus replay in the root tests.
#[path = "targets.rs"]
pub mod targets;
