//! paralelo turns news articles and their translations into bilingual reading pages.
//!
//! The pipeline runs one way, a module a stage: [`config`] reads the options; `model` holds the
//! plain data that flows; `text` parses the wire text and finds quotations, sentences and their
//! alignment; `translate` pairs each seed with its translation (authored, or Apertium's);
//! `gloss` analyses the original's words; `annotate` brings these together; `render` fills the
//! templates; `output` puts the files in place without ever leaving a half-built site. `build`
//! drives them all, and [`serve`] drives `build`.
//!
//! The public API is what the command line uses: [`build`], [`check`], [`new_translation`],
//! [`render_from_text`], the options in [`config`] and [`serve`]. What tests, benches and fuzz
//! targets reach beyond it is in [`internals`], which is not part of the API.

mod annotate;
mod apertium;
mod build;
pub mod config;
pub mod error;
mod files;
mod find;
mod gloss;
mod lang;
mod model;
mod output;
mod process;
mod record;
mod render;
pub mod serve;
mod text;
mod translate;

pub use build::{
    BuildReport, Progress, build, build_with_progress, check, new_translation, render_from_text,
};
pub use config::BuildOptions;
pub use error::{Error, Result, Warning};

/// The stages and helpers that tests, benches and fuzz targets drive directly. Not part of the
/// API: it changes with the implementation.
#[doc(hidden)]
pub mod internals {
    pub use crate::annotate::{align_paragraphs, annotate, choose_senses};
    pub mod apertium {
        pub use crate::apertium::*;
    }
    pub use crate::lang::dates;
    pub mod gloss {
        pub use crate::gloss::*;
    }
    pub mod model {
        pub use crate::model::*;
    }
    pub use crate::output::clear_leftovers;
    pub mod quotes {
        pub use crate::text::quotes::*;
    }
    pub use crate::build::render_with_templates;
    pub use crate::render::{load_templates, template_sources};
    pub use crate::text::{align, markdown, seed, sentences};
    pub use crate::translate::authored_from_text;
}
