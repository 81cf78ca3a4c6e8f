//! Throughput of the build's stages, in bytes of article text per second, on articles from the
//! corpus generator (`examples/corpus`): `cargo bench --bench stages`.
//!
//! - `parse`: `seed::parse_seed` on the Spanish seeds (bytes: the seed files);
//! - `quotes`: `quotes::find_pairs` on each article's paragraphs, original and translation;
//! - `sentences`: `sentences::split` on the same paragraphs;
//! - `align`: `align::align` on the sentence lengths of each paragraph pair (bytes: the paragraphs
//!   those lengths measure);
//! - `render`: `render_with_templates`, one whole page from a seed and its translation (bytes:
//!   both files): parse, pair, quotations, sentences, alignment, Markdown and the template, with
//!   the built-in templates loaded once, as a build does.

#[path = "../examples/corpus/mod.rs"]
mod corpus;

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use paralelo::BuildOptions;

/// Articles per iteration: enough for every quotation style and paragraph shape.
const ARTICLES: usize = 32;

struct Input {
    seed: String,
    translation: String,
    stem: String,
    source: Vec<String>,
    target: Vec<String>,
}

fn inputs() -> Vec<Input> {
    (0..ARTICLES)
        .map(|i| {
            let article = corpus::article(corpus::DEFAULT_SEED, i);
            Input {
                seed: article.seed_text(),
                translation: article.translation_text(),
                stem: article.stem.clone(),
                source: article.paragraphs_es.clone(),
                target: article.paragraphs_en.clone(),
            }
        })
        .collect()
}

/// Sentence lengths in characters, as the build weighs them.
fn lengths(text: &str, lang: &str) -> Vec<usize> {
    paralelo::internals::sentences::split(text, lang)
        .into_iter()
        .map(|r| text[r].trim().chars().count())
        .collect()
}

fn stages(c: &mut Criterion) {
    let options = BuildOptions::default();
    let inputs = inputs();
    let seed_bytes: usize = inputs.iter().map(|i| i.seed.len()).sum();
    let file_bytes: usize = inputs
        .iter()
        .map(|i| i.seed.len() + i.translation.len())
        .sum();
    let paragraph_bytes: usize = inputs
        .iter()
        .flat_map(|i| i.source.iter().chain(&i.target))
        .map(String::len)
        .sum();
    let paragraphs: Vec<(Vec<&str>, Vec<&str>)> = inputs
        .iter()
        .map(|i| {
            (
                i.source.iter().map(String::as_str).collect(),
                i.target.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    let sentence_lengths: Vec<(Vec<usize>, Vec<usize>)> = inputs
        .iter()
        .flat_map(|i| i.source.iter().zip(&i.target))
        .map(|(s, t)| (lengths(s, "es"), lengths(t, "en")))
        .collect();

    let mut group = c.benchmark_group("stages");

    group.throughput(Throughput::Bytes(seed_bytes as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            for input in &inputs {
                let seed = paralelo::internals::seed::parse_seed(
                    Path::new("seed.txt"),
                    &input.stem,
                    &options.source_lang,
                    options.time_zone,
                    black_box(&input.seed),
                )
                .expect("generated seeds parse");
                black_box(seed);
            }
        })
    });

    group.throughput(Throughput::Bytes(paragraph_bytes as u64));
    group.bench_function("quotes", |b| {
        b.iter(|| {
            for (source, target) in &paragraphs {
                black_box(paralelo::internals::quotes::find_pairs(
                    black_box(source),
                    black_box(target),
                ));
            }
        })
    });

    group.bench_function("sentences", |b| {
        b.iter(|| {
            for input in &inputs {
                for text in &input.source {
                    black_box(paralelo::internals::sentences::split(black_box(text), "es"));
                }
                for text in &input.target {
                    black_box(paralelo::internals::sentences::split(black_box(text), "en"));
                }
            }
        })
    });

    group.bench_function("align", |b| {
        b.iter(|| {
            for (source, target) in &sentence_lengths {
                black_box(paralelo::internals::align::align(
                    black_box(source),
                    black_box(target),
                ));
            }
        })
    });

    group.throughput(Throughput::Bytes(file_bytes as u64));
    let templates = paralelo::internals::load_templates(
        &paralelo::internals::template_sources(None).expect("built-in templates"),
        None,
    )
    .expect("built-in templates load");
    group.bench_function("render", |b| {
        b.iter(|| {
            for input in &inputs {
                let html = paralelo::internals::render_with_templates(
                    &templates,
                    black_box(&input.seed),
                    black_box(&input.translation),
                    &options,
                )
                .expect("generated articles render");
                black_box(html);
            }
        })
    });

    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = stages
}
criterion_main!(benches);
