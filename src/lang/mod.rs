//! Per-language data: what paralelo knows of how languages write, shared by the stages that
//! read text.

pub mod marks;
