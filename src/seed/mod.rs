//! Synthetic population for demos and benchmarks, and its bulk loader.

pub mod synthetic;
