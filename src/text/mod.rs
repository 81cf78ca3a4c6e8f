//! The pure text stages: parse the wire layout, find quotations and sentences, align sentences,
//! and write and render Markdown. They read no files and keep no state.

pub mod align;
pub mod markdown;
pub mod quotes;
pub mod seed;
pub mod sentences;
