//! Files on the person's disk: what we create is private ([`private`]), what we write for the
//! person never destroys anything ([`output`]), and what we read from a path the person gave
//! is a regular file of bounded size ([`input`]).
//!
//! Must never: follow a symlink to write, block on a FIFO or device, or read without a bound.

pub mod input;
pub mod output;
pub mod private;
