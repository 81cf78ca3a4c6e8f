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

/// One article made: what the index keeps of it, its warnings, its page (unless it waits for
/// the site's links) and the files beside it.
pub(super) struct Rendered {
    pub(super) summary: ArticleSummary,
    pub(super) warnings: Vec<Warning>,
    /// Its page: its path inside the output, and its bytes unless it waits for the site's links.
    pub(super) page: (String, Option<Vec<u8>>),
    /// The files beside the page (the Markdown sources, the lemma file), which do not depend
    /// on its links.
    pub(super) beside: Files,
    /// Its content lemmas, numbered (see [`Lemmas::numbered`]).
    pub(super) lemmas: Box<[u32]>,
    /// Its names (with the analysis) and tags.
    pub(super) names: ArticleNames,
    /// The hash of the links its page was made with; `None` while the page waits.
    pub(super) linked: Option<u64>,
}

/// One seed read, translated and annotated: what its page and the files beside it are made of.
pub(super) struct Prepared {
    article: Article,
    annotated: annotate::AnnotatedArticle,
    slug: String,
    /// The seed's warnings, then the annotation's.
    warnings: Vec<Warning>,
}

/// Translates and annotates one seed, from its bytes and its translation's (at `authored`,
/// where a machine translation is kept too when there is none).
pub(super) fn prepare(
    options: &BuildOptions,
    inputs: &Inputs,
    file: &SeedFile,
    authored: &Path,
    bytes: state::SeedBytes,
) -> Result<Prepared> {
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
    warnings.extend(annotated.warnings.iter().cloned());
    Ok(Prepared {
        slug: render::slugify(article.slug.as_deref().unwrap_or(&article.stem)),
        article,
        annotated,
        warnings,
    })
}

impl Prepared {
    /// The page's view of the article, linking to entity pages as `links` says.
    fn view<'a>(&'a self, links: &'a [LinkGroup]) -> render::Page<'a> {
        render::Page {
            slug: self.slug.clone(),
            article: &self.article,
            annotated: &self.annotated,
            entities: links,
        }
    }

    /// Where its page goes inside the output.
    pub(super) fn page_path(&self) -> String {
        format!("{}/index.html", self.slug)
    }

    /// Its page, linking to entity pages as `links` says.
    pub(super) fn page(
        &self,
        options: &BuildOptions,
        inputs: &Inputs,
        links: &[LinkGroup],
    ) -> Result<Vec<u8>> {
        let html = render::render_article(&inputs.tera, &options.site, &self.view(links))?;
        inputs.count_page_rendered();
        Ok(html.into_bytes())
    }
}

/// Makes one seed's files (see [`prepare`]). Its page links to entity pages as the last build's
/// names resolve; or, where the site's links are settled later (`links_later`, a full build)
/// and no earlier build's names are there to link with, the page of an article that names
/// anything is not made: it waits for the site's links (see `names::settle`).
pub(super) fn make_article(
    options: &BuildOptions,
    inputs: &Inputs,
    file: &SeedFile,
    authored: &Path,
    bytes: state::SeedBytes,
    links_later: bool,
) -> Result<Rendered> {
    let prepared = prepare(options, inputs, file, authored, bytes)?;
    let Prepared {
        article, annotated, ..
    } = &prepared;
    let lemmas = Lemmas::of(annotated.glossary.as_ref());
    let names = ArticleNames {
        names: annotated.glossary.as_ref().map(|g| g.names.clone()),
        tags: article.tags.clone(),
    };
    let links = (!waits_for_links(inputs, &names, links_later))
        .then(|| entities::article_links(&names, &|named| inputs.resolver()?.resolve(named)));
    let html = match &links {
        Some(links) => Some(prepared.page(options, inputs, links)?),
        None => None,
    };
    let mut beside = Vec::new();
    let markdown = [
        (&article.source, &annotated.source.markdown),
        (&article.target, &annotated.target.markdown),
    ];
    for (side, doc) in markdown.into_iter().filter(|_| options.site.markdown_files) {
        beside.push((
            format!("{}/{}.md", prepared.slug, side.lang),
            doc.text.clone().into_bytes(),
        ));
    }
    beside.extend(lemmas.file(&prepared.slug));
    Ok(Rendered {
        lemmas: lemmas.numbered(&inputs.lemma_ids),
        summary: render::summary(&prepared.view(&[])),
        page: (prepared.page_path(), html),
        beside,
        names,
        linked: links.as_deref().map(entities::links_hash),
        warnings: prepared.warnings,
    })
}

/// Whether an article's page waits for the site's links rather than being made now: where
/// they are settled later anyway (`links_later`), for an article that names anything when no
/// earlier build's names are there to link it with (a first build), whose links made now would
/// miss every entity and be made again.
fn waits_for_links(inputs: &Inputs, names: &ArticleNames, links_later: bool) -> bool {
    links_later
        && inputs.resolver().is_none()
        && names.names.as_ref().is_some_and(|list| !list.is_empty())
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
