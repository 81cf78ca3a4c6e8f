//! The names and tags of every article, kept between builds in a file of their own beside the
//! manifest (`names`), read only when an article's names changed (or one came or went); and,
//! in a small file beside it (`entities`), how the last build's spellings resolved and the hash
//! of each entity page: the entity and topic pages they make, made again only where what they
//! show changed, and the articles whose links to them changed.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::plan::Outcome;
use super::state::{self, parse_optional, push_optional};
use crate::find::entities::{self, Kind, Manual, Resolver, SiteEntities};
use crate::model::{ArticleNames, NameKind, Named};
use crate::record::{StableHasher, UNIT_SEPARATOR, escape_into, unescape};

const HEADER: &str = concat!("paralelo-names 2 ", env!("CARGO_PKG_VERSION"));
const SITE_HEADER: &str = concat!("paralelo-entities 1 ", env!("CARGO_PKG_VERSION"));
const TRAILER: &str = "end";

/// The names file of the builds into one output folder.
pub(super) fn path(state: &Path, out: &Path) -> PathBuf {
    state::StateDir::new(state, out).side_file("names")
}

/// The entities file beside the names file.
fn site_path(names_file: &Path) -> PathBuf {
    names_file.with_file_name("entities")
}

/// A hash of an article's names and tags, kept in the manifest (see [`state::Entry`]).
pub(super) fn digest(names: &ArticleNames) -> u64 {
    let mut hash = StableHasher::new();
    match &names.names {
        None => hash.write_field(b"-"),
        Some(list) => {
            for named in list {
                hash.write_field(&[kind_char(named.kind) as u8]);
                hash.write_field(named.source.as_bytes());
                hash.write_field(named.target.as_deref().unwrap_or("\0").as_bytes());
            }
        }
    }
    hash.write_field(b"tags");
    for tag in &names.tags {
        hash.write_field(tag.as_bytes());
    }
    hash.finish()
}

/// What the last build knew: each article's names and tags (by seed), how spellings resolved,
/// and the hash of each entity page.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Saved {
    pub(super) articles: HashMap<PathBuf, ArticleNames>,
    pub(super) site: SavedSite,
}

/// The small half of [`Saved`]: what an article made before the whole site's names are known
/// needs, and the entity pages' hashes.
#[derive(Debug, Default, PartialEq)]
pub(super) struct SavedSite {
    pub(super) resolver: Resolver,
    pub(super) pages: HashMap<String, u64>,
}

fn kind_char(kind: Option<NameKind>) -> char {
    match kind {
        Some(NameKind::Person) => 'p',
        Some(NameKind::Place) => 'l',
        Some(NameKind::Organisation) => 'o',
        None => '-',
    }
}

fn kind_of_char(c: &str) -> Option<Option<NameKind>> {
    Some(match c {
        "p" => Some(NameKind::Person),
        "l" => Some(NameKind::Place),
        "o" => Some(NameKind::Organisation),
        "-" => None,
        _ => return None,
    })
}

fn folder_kind(folder: &str) -> Option<Kind> {
    Kind::ALL.into_iter().find(|k| k.folder() == folder)
}

impl Saved {
    /// The names file's text: names once each (`n`), then articles by number of name (`a`).
    fn to_text(&self) -> String {
        let mut text = format!("{HEADER}\n");
        let mut ids: HashMap<&Named, usize> = HashMap::new();
        let mut articles: Vec<(&PathBuf, &ArticleNames)> = self.articles.iter().collect();
        articles.sort_by(|a, b| a.0.cmp(b.0));
        for (_, names) in &articles {
            for named in names.names.iter().flatten() {
                if !ids.contains_key(named) {
                    ids.insert(named, ids.len());
                    let _ = write!(text, "n\t{}\t", kind_char(named.kind));
                    escape_into(&mut text, &named.source);
                    text.push('\t');
                    push_optional(&mut text, named.target.as_deref());
                    text.push('\n');
                }
            }
        }
        for (seed, names) in &articles {
            text.push_str("a\t");
            escape_into(&mut text, &seed.to_string_lossy());
            text.push('\t');
            for (i, tag) in names.tags.iter().enumerate() {
                if i > 0 {
                    text.push(UNIT_SEPARATOR);
                }
                escape_into(&mut text, tag);
            }
            text.push('\t');
            match &names.names {
                None => text.push('-'),
                Some(list) => {
                    let numbers: Vec<String> =
                        list.iter().map(|n| format!("{:x}", ids[n])).collect();
                    text.push_str(&numbers.join(","));
                }
            }
            text.push('\n');
        }
        text.push_str(TRAILER);
        text.push('\n');
        text
    }

    /// The names file's content, or `None` when it is cut short or not this version's.
    fn parse(text: &str) -> Option<HashMap<PathBuf, ArticleNames>> {
        let mut articles = HashMap::new();
        let mut names: Vec<Named> = Vec::new();
        for line in body(text, HEADER)? {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["n", kind, source, target] => names.push(Named {
                    kind: kind_of_char(kind)?,
                    source: unescape(source)?,
                    target: parse_optional(target)?,
                }),
                ["a", seed, tags, list] => {
                    let tags = if tags.is_empty() {
                        Vec::new()
                    } else {
                        (tags.split(UNIT_SEPARATOR))
                            .map(unescape)
                            .collect::<Option<Vec<_>>>()?
                    };
                    let list = match *list {
                        "-" => None,
                        "" => Some(Vec::new()),
                        list => Some(
                            list.split(',')
                                .map(|n| names.get(usize::from_str_radix(n, 16).ok()?).cloned())
                                .collect::<Option<Vec<_>>>()?,
                        ),
                    };
                    articles.insert(
                        PathBuf::from(unescape(seed)?),
                        ArticleNames { names: list, tags },
                    );
                }
                _ => return None,
            }
        }
        Some(articles)
    }

    /// Each article's names and tags from the names file, or `None` when it is missing, cut
    /// short or not this version's (the entities file beside it: [`SavedSite::load`]).
    pub(super) fn load_articles(names_file: &Path) -> Option<HashMap<PathBuf, ArticleNames>> {
        Saved::parse(&std::fs::read_to_string(names_file).ok()?)
    }

    /// Writes both files, each through a temporary file.
    pub(super) fn save(&self, names_file: &Path) -> crate::Result<()> {
        if let Some(dir) = names_file.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| crate::Error::io(dir, "create the state folder", e))?;
        }
        replace(names_file, &self.to_text())?;
        replace(&site_path(names_file), &self.site.to_text())
    }
}

impl SavedSite {
    /// The entities file's text: the resolver (`t` entities, `r` spellings) and the pages (`p`).
    fn to_text(&self) -> String {
        let mut text = format!("{SITE_HEADER}\n");
        for (kind, slug, name, english) in &self.resolver.targets {
            let _ = write!(text, "t\t{}\t", kind.folder());
            for field in [slug, name] {
                escape_into(&mut text, field);
                text.push('\t');
            }
            push_optional(&mut text, english.as_deref());
            text.push('\n');
        }
        let mut spellings: Vec<(&String, &usize)> = self.resolver.spellings.iter().collect();
        spellings.sort();
        for (spelling, target) in spellings {
            text.push_str("r\t");
            escape_into(&mut text, spelling);
            let _ = writeln!(text, "\t{target:x}");
        }
        let mut pages: Vec<(&String, &u64)> = self.pages.iter().collect();
        pages.sort();
        for (path, hash) in pages {
            text.push_str("p\t");
            escape_into(&mut text, path);
            let _ = writeln!(text, "\t{hash:x}");
        }
        text.push_str(TRAILER);
        text.push('\n');
        text
    }

    fn parse(text: &str) -> Option<SavedSite> {
        let mut site = SavedSite::default();
        for line in body(text, SITE_HEADER)? {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                ["t", folder, slug, name, english] => site.resolver.targets.push((
                    folder_kind(folder)?,
                    unescape(slug)?,
                    unescape(name)?,
                    parse_optional(english)?,
                )),
                ["r", spelling, target] => {
                    site.resolver
                        .spellings
                        .insert(unescape(spelling)?, usize::from_str_radix(target, 16).ok()?);
                }
                ["p", path, hash] => {
                    site.pages
                        .insert(unescape(path)?, u64::from_str_radix(hash, 16).ok()?);
                }
                _ => return None,
            }
        }
        Some(site)
    }

    /// The entities file beside `names_file`, or `None` when it is missing, cut short or not
    /// this version's.
    pub(super) fn load(names_file: &Path) -> Option<SavedSite> {
        SavedSite::parse(&std::fs::read_to_string(site_path(names_file)).ok()?)
    }
}

/// The lines between a file's `header` and its trailer, or `None` when either is not there.
fn body<'a>(text: &'a str, header: &str) -> Option<std::str::Lines<'a>> {
    let body = text.strip_suffix(&format!("{TRAILER}\n"))?;
    let mut lines = body.lines();
    (lines.next()? == header).then_some(lines)
}

fn replace(path: &Path, text: &str) -> crate::Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).map_err(|e| crate::Error::io(&temporary, "write", e))?;
    std::fs::rename(&temporary, path).map_err(|e| crate::Error::io(path, "replace", e))
}

/// Whether the last build's entities and links still hold for the articles of `outcomes`: the
/// same articles, and each one made again with the names, links and listing (what an entity
/// page shows of it) it had in `previous`.
pub(super) fn as_before(outcomes: &[Outcome], previous: &[state::Entry]) -> bool {
    let mut same = 0;
    for outcome in outcomes {
        if let Outcome::Made {
            entry, previous: k, ..
        } = outcome
        {
            let Some(was) = k.map(|k| &previous[k]) else {
                return false;
            };
            let alike = entry.names.as_ref().map(digest) == Some(was.names_hash)
                && entry.linked == was.linked
                && entities::listing_hash(&entry.summary) == entities::listing_hash(&was.summary);
            if !alike {
                return false;
            }
        }
        same += 1;
    }
    same == previous.len()
}

/// Whether a file of the output is one of the entity and topic pages.
pub(super) fn is_entity_file(path: &str) -> bool {
    path.split_once('/')
        .is_some_and(|(folder, _)| folder_kind(folder).is_some())
}

/// The entity and topic pages of a build: every file (bytes `None`: as it is, or written
/// already), the pages for the sitemap, and the hash of each.
#[derive(Default)]
pub(super) struct Made {
    pub(super) files: Vec<(String, Option<Vec<u8>>)>,
    pub(super) sitemap: Vec<String>,
    pub(super) hashes: HashMap<String, u64>,
}

impl Made {
    /// What a build that changed no article keeps: the last build's files, as they are.
    pub(super) fn unchanged(site_files: &[String]) -> Made {
        Made {
            files: (site_files.iter())
                .filter(|f| is_entity_file(f))
                .map(|f| (f.clone(), None))
                .collect(),
            ..Made::default()
        }
    }
}

/// Makes the pages of `site`, for the articles `newest_first`: all of them, or (with `before`,
/// the last build's hashes) those whose hash changed or whose file is missing from `out`.
pub(super) fn make_pages(
    tera: &tera::Tera,
    options: &crate::config::BuildOptions,
    newest_first: &[&crate::model::ArticleSummary],
    site: &SiteEntities,
    before: Option<&HashMap<String, u64>>,
    sink: Option<super::plan::Sink<'_>>,
) -> crate::Result<Made> {
    use rayon::prelude::*;
    let pages = entities::pages(tera, options, newest_first, site);
    let wanted: Vec<bool> = pages
        .iter()
        .map(|page| {
            before.is_none_or(|before| before.get(&page.path) != Some(&page.hash))
                || !options.out.join(&page.path).is_file()
        })
        .collect();
    // Rendered on every core: a full build of a large site has thousands. With a `sink`, each
    // page goes there as soon as it is made (and is then the build's like a kept one): held
    // until the end, a 10,000-article site's were 80 MB.
    let rendered: Vec<crate::Result<Option<Vec<u8>>>> = (0..pages.len())
        .into_par_iter()
        .map(|i| {
            if !wanted[i] {
                return Ok(None);
            }
            let text = (pages[i].render)()?;
            match sink {
                Some(sink) => sink(&pages[i].path, text.as_bytes()).map(|()| None),
                None => Ok(Some(text.into_bytes())),
            }
        })
        .collect();
    let mut made = Made::default();
    for (page, bytes) in pages.iter().zip(rendered) {
        made.hashes.insert(page.path.clone(), page.hash);
        if page.path.ends_with("index.html") {
            made.sitemap.push(page.path.clone());
        }
        made.files.push((page.path.clone(), bytes?));
    }
    Ok(made)
}

/// What settling the entities of a build gives: the entity pages, the pages of articles made
/// again for their links, what to keep for the next build, and a note for the report.
pub(super) struct Settled {
    pub(super) made: Made,
    pub(super) relinked: super::article::Files,
    pub(super) saved: Saved,
    pub(super) note: Option<String>,
}

/// Groups the names of `entries` (every one with its names), makes the pages of the articles
/// whose links changed or whose page waited for them (see [`super::plan::relink`]), and the
/// entity pages: all, or with `before` (the last build's hashes) those that changed.
pub(super) fn settle(
    options: &crate::config::BuildOptions,
    inputs: &super::inputs::Inputs,
    entries: &mut [state::Entry],
    order: &[usize],
    before: Option<&HashMap<String, u64>>,
    sink: Option<super::plan::Sink<'_>>,
) -> crate::Result<Settled> {
    let site = group(
        entries,
        order,
        &inputs.manual.0,
        options.site.entity_min_articles,
    );
    let which: Vec<(usize, Vec<entities::LinkGroup>)> = order
        .iter()
        .enumerate()
        .filter(|(at, i)| Some(entities::links_hash(&site.links[*at])) != entries[**i].linked)
        .map(|(at, i)| (*i, site.links[at].clone()))
        .collect();
    let relinked = super::plan::relink(options, inputs, entries, &which, sink)?;
    let summaries: Vec<&crate::model::ArticleSummary> =
        order.iter().map(|&i| &entries[i].summary).collect();
    let made = make_pages(&inputs.tera, options, &summaries, &site, before, sink)?;
    let note = (!site.analysed && !entries.is_empty()).then(|| {
        "pages of people, places and organisations need the word analysis (Apertium, with glosses on): not made; topics from tags are".to_string()
    });
    let saved = saved(entries, &site, &made);
    Ok(Settled {
        made,
        relinked,
        saved,
        note,
    })
}

/// Groups the names of `entries` (in the order `order`, newest first) into the site's entities.
pub(super) fn group(
    entries: &[state::Entry],
    order: &[usize],
    manual: &Manual,
    min_articles: usize,
) -> SiteEntities {
    let empty = ArticleNames::default();
    let names: Vec<&ArticleNames> = order
        .iter()
        .map(|&i| entries[i].names.as_ref().unwrap_or(&empty))
        .collect();
    entities::group(&names, manual, min_articles)
}

/// What `entries` and `site` leave for the next build.
pub(super) fn saved(entries: &[state::Entry], site: &SiteEntities, made: &Made) -> Saved {
    Saved {
        articles: entries
            .iter()
            .filter_map(|e| Some((e.seed.clone(), e.names.clone()?)))
            .collect(),
        site: SavedSite {
            resolver: site.resolver.clone(),
            pages: made.hashes.clone(),
        },
    }
}

/// The entity files the last build made that this one does not make.
pub(super) fn pages_changed(old_site_files: &[String], made: &Made) -> bool {
    let old: HashSet<&str> = (old_site_files.iter())
        .filter(|f| is_entity_file(f))
        .map(String::as_str)
        .collect();
    let new: HashSet<&str> = made.files.iter().map(|(f, _)| f.as_str()).collect();
    old != new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_names_round_trip() {
        let named = |kind, source: &str, target: Option<&str>| Named {
            kind,
            source: source.to_string(),
            target: target.map(str::to_string),
        };
        let mut saved = Saved::default();
        saved.articles.insert(
            PathBuf::from("seeds/a\tb.txt"),
            ArticleNames {
                names: Some(vec![
                    named(Some(NameKind::Place), "Kiev", Some("Kyiv")),
                    named(None, "Zelenski", None),
                ]),
                tags: vec!["Guerra".into(), "Paz, ya".into()],
            },
        );
        saved
            .articles
            .insert(PathBuf::from("seeds/c.txt"), ArticleNames::default());
        saved.site.resolver.targets.push((
            Kind::Place,
            "kiev".into(),
            "Kiev".into(),
            Some("Kyiv".into()),
        ));
        saved.site.resolver.spellings.insert("kiev".into(), 0);
        saved.site.pages.insert("places/kiev/index.html".into(), 42);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("names");
        saved.save(&file).unwrap();
        let load = |file: &Path| Some((Saved::load_articles(file)?, SavedSite::load(file)?));
        assert_eq!(load(&file), Some((saved.articles, saved.site)));
        for cut in [file.clone(), site_path(&file)] {
            let text = std::fs::read_to_string(&cut).unwrap();
            std::fs::write(&cut, &text[..text.len() - 3]).unwrap();
            assert!(load(&file).is_none(), "{} cut short", cut.display());
            std::fs::write(&cut, text).unwrap();
        }
        assert!(load(&file).is_some());
    }

    #[test]
    fn digest_tells_names_apart() {
        let named = |source: &str, target: Option<&str>| Named {
            kind: Some(NameKind::Person),
            source: source.to_string(),
            target: target.map(str::to_string),
        };
        let of = |names: Option<Vec<Named>>, tags: &[&str]| {
            digest(&ArticleNames {
                names,
                tags: tags.iter().map(|t| t.to_string()).collect(),
            })
        };
        let base = of(Some(vec![named("Ana", None)]), &["Paz"]);
        assert_eq!(base, of(Some(vec![named("Ana", None)]), &["Paz"]));
        for other in [
            of(Some(vec![named("Ana", Some("Ana"))]), &["Paz"]),
            of(Some(vec![named("An", None)]), &["aPaz"]),
            of(Some(vec![]), &["Paz"]),
            of(None, &["Paz"]),
            of(Some(vec![named("Ana", None)]), &[]),
        ] {
            assert_ne!(base, other);
        }
    }
}
