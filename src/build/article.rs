//! One seed made into its files: translated, glossed, annotated and rendered.

use std::path::{Path, PathBuf};

use super::inputs::{Inputs, SeedFile};
use super::lemmas::Lemmas;
use super::state;
use crate::config::BuildOptions;
use crate::error::{Result, Warning};
use crate::find::entities::{self, LinkGroup};
use crate::model::{Article, ArticleNames, ArticleSummary};
use crate::text::seed;
use crate::{annotate, render, translate};

/// Files by path inside the output, with their bytes.
pub(super) type Files = Vec<(String, Vec<u8>)>;

/// One article made: what the index keeps of it, its warnings, and its files (page and
/// Markdown sources) by path inside the output.
pub(super) struct Rendered {
    pub(super) summary: ArticleSummary,
    pub(super) warnings: Vec<Warning>,
    /// The page first, then the files beside it (the Markdown sources, the lemma file), which
    /// do not depend on the page's links.
    pub(super) files: Files,
    /// Its content lemmas, numbered (see [`Lemmas::numbered`]).
    pub(super) lemmas: Box<[u32]>,
    /// Its names (with the analysis) and tags, and the hash of the links its page has.
    pub(super) names: ArticleNames,
    pub(super) linked: u64,
}

/// Translates, annotates and renders one seed, from its bytes and its translation's (at
/// `authored`, where a machine translation is kept too when there is none). Its page links
/// to entity pages as `links` says, or as the last build's names resolve.
pub(super) fn render_article(
    options: &BuildOptions,
    inputs: &Inputs,
    file: &SeedFile,
    authored: &Path,
    bytes: state::SeedBytes,
    links: Option<&[LinkGroup]>,
) -> Result<Rendered> {
    let text = seed::decode(&file.path, bytes.seed, options.encoding)?;
    let mut seed = seed::parse_seed(
        &file.path,
        &file.stem,
        &options.source_lang,
        options.time_zone,
        &text,
    )?;
    let mut warnings = std::mem::take(&mut seed.warnings);
    let lang = &options.target_lang;
    let article = match (bytes.translation, &inputs.translator) {
        (Some(translation), _) => {
            let text = seed::decode(authored, translation, options.encoding)?;
            translate::authored_from_text(seed, lang, authored.to_path_buf(), &text)?
        }
        (None, Some(translator)) => translate::machine(seed, lang, translator, authored)?,
        (None, None) => return Err(translate::missing(&seed.path, authored)),
    };
    let annotated = annotated(inputs, &article)?;
    let lemmas = Lemmas::of(annotated.glossary.as_ref());
    let names = ArticleNames {
        names: annotated.glossary.as_ref().map(|g| g.names.clone()),
        tags: article.tags.clone(),
    };
    let links = match links {
        Some(links) => links.to_vec(),
        None => entities::article_links(&names, &|named| inputs.resolver()?.resolve(named)),
    };
    let page = render::Page {
        slug: render::slugify(article.slug.as_deref().unwrap_or(&article.stem)),
        article: &article,
        annotated: &annotated,
        entities: &links,
    };
    let html = render::render_article(&inputs.tera, &options.site, &page)?;
    let mut files = vec![(format!("{}/index.html", page.slug), html.into_bytes())];
    let markdown = [
        (&article.source, &annotated.source.markdown),
        (&article.target, &annotated.target.markdown),
    ];
    for (side, doc) in markdown.into_iter().filter(|_| options.site.markdown_files) {
        files.push((
            format!("{}/{}.md", page.slug, side.lang),
            doc.text.clone().into_bytes(),
        ));
    }
    files.extend(lemmas.file(&page.slug));
    Ok(Rendered {
        lemmas: lemmas.numbered(&inputs.lemma_ids),
        summary: render::summary(&page),
        warnings: {
            warnings.extend(annotated.warnings.iter().cloned());
            warnings
        },
        files,
        names,
        linked: entities::links_hash(&links),
    })
}

/// The article annotated for reading, with glosses when the build has them: taken from the
/// annotations of earlier builds when one was made from the same article with the same program
/// and dictionaries, else made (its words analysed, or taken from the gloss cache) and kept.
fn annotated(inputs: &Inputs, article: &Article) -> Result<annotate::AnnotatedArticle> {
    let key = inputs.annotations.as_ref().map(|cache| cache.key(article));
    if let Some((cache, key)) = inputs.annotations.as_ref().zip(key)
        && let Some(annotated) = cache.get(key)
    {
        return Ok(annotated);
    }
    let glosses = match &inputs.glosser {
        Some(glosser) => {
            let (original, translation) = annotate::glossed_texts(article);
            glosser.analyse(&original, &translation, &article.source.file)?
        }
        None => None,
    };
    let annotated = annotate::annotate_with_glosses(article, glosses.as_ref())?;
    // Without the analyser there are no glosses to keep: the next build tries again.
    if let Some((cache, key)) = inputs.annotations.as_ref().zip(key)
        && glosses.is_some()
    {
        cache.put(key, &annotated);
    }
    Ok(annotated)
}

/// Renders one article page from the texts of a seed and its authored translation, as a build
/// would, with the built-in templates. Nothing is read or written: for tools, tests and fuzzing.
pub fn render_from_text(
    seed_text: &str,
    translation_text: &str,
    options: &BuildOptions,
) -> Result<String> {
    let tera = render::load_templates(&render::template_sources(None)?, None)?;
    render_with_templates(&tera, seed_text, translation_text, options)
}

/// [`render_from_text`] with templates already loaded, as a build renders each page.
pub fn render_with_templates(
    tera: &tera::Tera,
    seed_text: &str,
    translation_text: &str,
    options: &BuildOptions,
) -> Result<String> {
    let seed = seed::parse_seed(
        Path::new("seed.txt"),
        "seed",
        &options.source_lang,
        options.time_zone,
        &seed::normalize(seed_text),
    )?;
    let translation_path = PathBuf::from(format!("seed.{}.txt", options.target_lang));
    let translation = seed::normalize(translation_text);
    let article =
        translate::authored_from_text(seed, &options.target_lang, translation_path, &translation)?;
    let annotated = annotate::annotate(&article)?;
    let page = render::Page {
        slug: "seed".to_string(),
        article: &article,
        annotated: &annotated,
        entities: &[],
    };
    render::render_article(tera, &options.site, &page)
}
