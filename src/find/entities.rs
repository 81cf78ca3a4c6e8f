//! The pages of the people, places and organisations the articles name, and of their topics:
//! the names of every article grouped into entities (one spelling or several, one kind), a page
//! and a feed per entity named in enough articles, an overview per kind, and each article's
//! links to them.
//!
//! Spellings group by their letters without accents or case; a shorter name that one longer
//! person's name contains (`Zelenski`, `Volodimir Zelenski`) is that person, or, where several
//! do, the one the same article names. The English spelling is the one the aligned sentences
//! give most often. `seeds/entities.toml` ([`Manual`]) settles names and kinds by hand.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::annotate::names::fold;
use crate::error::{Error, Location, Result};
use crate::model::{ArticleNames, ArticleSummary, NameKind, Named};
use crate::record::StableHasher;
use crate::render::{INDEX_PAGE_SIZE, Pagination};

/// A kind of page: the three kinds of names, and topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    Person,
    Place,
    Organisation,
    Topic,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Person, Kind::Place, Kind::Organisation, Kind::Topic];

    /// The output folder of its pages.
    pub const fn folder(self) -> &'static str {
        match self {
            Kind::Person => "people",
            Kind::Place => "places",
            Kind::Organisation => "organisations",
            Kind::Topic => "topics",
        }
    }

    /// Its heading: "People", "Places" …
    fn heading(self) -> &'static str {
        match self {
            Kind::Person => "People",
            Kind::Place => "Places",
            Kind::Organisation => "Organisations",
            Kind::Topic => "Topics",
        }
    }

    fn of(kind: NameKind) -> Kind {
        match kind {
            NameKind::Person => Kind::Person,
            NameKind::Place => Kind::Place,
            NameKind::Organisation => Kind::Organisation,
        }
    }
}

/// The file of hand-made names in the seeds folder.
pub const MANUAL_FILE: &str = "entities.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManualFile {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    person: Vec<ManualEntry>,
    #[serde(default)]
    place: Vec<ManualEntry>,
    #[serde(default)]
    organisation: Vec<ManualEntry>,
}

#[derive(Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
struct ManualEntry {
    /// The Spanish name the page shows.
    name: String,
    /// The English name, when it differs.
    english: Option<String>,
    /// Other spellings, in either language.
    #[serde(default)]
    also: Vec<String>,
}

/// `seeds/entities.toml`: names and kinds settled by hand, and names that are no one's.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Manual {
    entries: Vec<(Kind, ManualEntry)>,
    /// Every spelling (folded) to its entry.
    spellings: HashMap<String, usize>,
    ignore: HashSet<String>,
}

impl Manual {
    /// Reads `entities.toml` in `seeds`, if there is one; its text goes into the build's
    /// fingerprint, as a change to it may change every article's links.
    pub fn load(seeds: &Path) -> Result<(Manual, Option<String>)> {
        let path = seeds.join(MANUAL_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Manual::default(), None));
            }
            Err(e) => return Err(Error::io(&path, "read", e)),
        };
        let manual = Manual::parse(&path, &text)?;
        Ok((manual, Some(text)))
    }

    fn parse(path: &Path, text: &str) -> Result<Manual> {
        let file: ManualFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map_or(1, |span| 1 + text[..span.start].matches('\n').count());
            Error::input(
                Location::line(path, line),
                format!(
                    "{} (expected `ignore = [...]` and `[[person]]`, `[[place]]` or `[[organisation]]` tables with `name`, optional `english` and `also = [...]`)",
                    e.message().trim_end()
                ),
            )
        })?;
        let mut manual = Manual {
            ignore: file.ignore.iter().map(|n| fold(n)).collect(),
            ..Manual::default()
        };
        let kinds = [
            (Kind::Person, file.person),
            (Kind::Place, file.place),
            (Kind::Organisation, file.organisation),
        ];
        for (kind, entries) in kinds {
            for entry in entries {
                let at = manual.entries.len();
                let spellings = std::iter::once(&entry.name)
                    .chain(&entry.english)
                    .chain(&entry.also);
                for spelling in spellings {
                    manual.spellings.insert(fold(spelling), at);
                }
                manual.entries.push((kind, entry));
            }
        }
        Ok(manual)
    }
}

/// One entity with a page, or a topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub kind: Kind,
    pub slug: String,
    /// The Spanish name, and the English one when it differs.
    pub name: String,
    pub english: Option<String>,
    /// The articles that name it, by position in the newest-first order.
    pub articles: Vec<usize>,
}

/// A link from an article to an entity's page, for `entity-links.html`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Link {
    pub name: String,
    pub english: Option<String>,
    /// From the article's folder.
    pub href: String,
}

/// An article's links of one kind, under the kind's heading.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct LinkGroup {
    pub heading: &'static str,
    pub kind: Kind,
    pub links: Vec<Link>,
}

/// The entities of a site and each article's links to them.
#[derive(Debug, Default)]
pub struct SiteEntities {
    /// Those with a page, by kind, then name.
    pub entities: Vec<Entity>,
    /// Per article (in the newest-first order), its links.
    pub links: Vec<Vec<LinkGroup>>,
    /// Every spelling (folded) that names one entity with a page, to it: how an article is
    /// linked before the whole site is known (see [`Resolver`]).
    pub resolver: Resolver,
    /// Whether the names came from the analysis (else only topics).
    pub analysed: bool,
}

/// An entity a link goes to: its kind, slug, name and English name.
pub type Target = (Kind, String, String, Option<String>);

/// Spellings to the entities with a page, as the last build grouped them: an article made
/// before every article's names are known links through this, and is made again if the
/// site's grouping says otherwise.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Resolver {
    pub spellings: HashMap<String, usize>,
    /// (kind, slug, name, English name) of each entity.
    pub targets: Vec<Target>,
}

/// An article's links: its names (through `resolve`) and its tags.
pub fn article_links(
    names: &ArticleNames,
    resolve: &dyn Fn(&Named) -> Option<Target>,
) -> Vec<LinkGroup> {
    let mut found: BTreeMap<Kind, Vec<Link>> = BTreeMap::new();
    for named in names.names.iter().flatten() {
        if let Some((kind, slug, name, english)) = resolve(named) {
            found.entry(kind).or_default().push(Link {
                href: format!("../{}/{slug}/index.html", kind.folder()),
                name,
                english,
            });
        }
    }
    for tag in &names.tags {
        found.entry(Kind::Topic).or_default().push(Link {
            href: format!("../{}/{}/index.html", Kind::Topic.folder(), topic_slug(tag)),
            name: tag.clone(),
            english: None,
        });
    }
    found
        .into_iter()
        .map(|(kind, mut links)| {
            links.sort_by(|a, b| a.name.cmp(&b.name));
            links.dedup_by(|a, b| a.href == b.href);
            LinkGroup {
                heading: kind.heading(),
                kind,
                links,
            }
        })
        .collect()
}

impl Resolver {
    /// What `named` links to, as far as this resolver knows.
    pub fn resolve(&self, named: &Named) -> Option<Target> {
        self.spellings
            .get(&fold(&named.source))
            .and_then(|&i| self.targets.get(i))
            .cloned()
    }
}

fn topic_slug(tag: &str) -> String {
    crate::render::slugify(tag)
}

/// A hash of an article's links: what its page was made with.
pub fn links_hash(links: &[LinkGroup]) -> u64 {
    let mut hash = StableHasher::new();
    for group in links {
        hash.write_field(group.kind.folder().as_bytes());
        for link in &group.links {
            hash.write_field(link.href.as_bytes());
            hash.write_field(link.name.as_bytes());
            hash.write_field(link.english.as_deref().unwrap_or("").as_bytes());
        }
    }
    hash.finish()
}

/// What is known of one spelling (folded) across the site.
#[derive(Default)]
struct Spelling {
    /// Votes for each kind.
    kinds: BTreeMap<NameKind, usize>,
    /// Each way it is written, and how often.
    written: BTreeMap<String, usize>,
    english: BTreeMap<String, usize>,
    articles: Vec<usize>,
}

fn most(votes: &BTreeMap<String, usize>) -> Option<&String> {
    // The most votes; among equals, the first in order, so that a build is reproducible.
    votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(s, _)| s)
}

/// Groups the names of `articles` (newest first) into entities and tags into topics. An entity
/// gets a page when at least `min_articles` articles name it; every topic gets one.
pub fn group(articles: &[&ArticleNames], manual: &Manual, min_articles: usize) -> SiteEntities {
    let analysed = articles.iter().any(|a| a.names.is_some());
    // Spellings, folded, and what each article says of them.
    let mut spellings: BTreeMap<String, Spelling> = BTreeMap::new();
    let mut per_article: Vec<Vec<String>> = Vec::with_capacity(articles.len());
    for (at, names) in articles.iter().enumerate() {
        let mut keys = Vec::new();
        for named in names.names.iter().flatten() {
            let key = fold(&named.source);
            if manual.ignore.contains(&key) {
                continue;
            }
            let key = match named
                .target
                .as_ref()
                .and_then(|t| manual.spellings.get(&fold(t)))
                .or_else(|| manual.spellings.get(&key))
            {
                Some(&entry) => format!("\0{entry}"),
                None => key,
            };
            let spelling = spellings.entry(key.clone()).or_default();
            if let Some(kind) = named.kind {
                *spelling.kinds.entry(kind).or_default() += 1;
            }
            *spelling.written.entry(named.source.clone()).or_default() += 1;
            if let Some(english) = &named.target {
                *spelling.english.entry(english.clone()).or_default() += 1;
            }
            if spelling.articles.last() != Some(&at) {
                spelling.articles.push(at);
            }
            keys.push(key);
        }
        per_article.push(keys);
    }
    let kind_of = |key: &str, spelling: &Spelling| -> Option<Kind> {
        if let Some(entry) = key.strip_prefix('\0') {
            return entry.parse::<usize>().ok().map(|i| manual.entries[i].0);
        }
        let (kind, _) = spelling.kinds.iter().max_by_key(|(_, votes)| **votes)?;
        Some(Kind::of(*kind))
    };
    // People's longer names that contain each shorter spelling, word for word.
    let people: Vec<(&String, Vec<&str>)> = spellings
        .iter()
        .filter(|(key, s)| kind_of(key, s) == Some(Kind::Person) && !key.starts_with('\0'))
        .map(|(key, _)| (key, key.split(' ').collect()))
        .collect();
    // Which people's names hold each word, in the people's order: a spelling is looked for only
    // in the names that hold its first word (all of them, on a large site, would be quadratic).
    let mut holding: HashMap<&str, Vec<usize>> = HashMap::new();
    for (n, (_, words)) in people.iter().enumerate() {
        for word in words {
            let list = holding.entry(*word).or_default();
            if list.last() != Some(&n) {
                list.push(n);
            }
        }
    }
    let mut longer: HashMap<&str, Vec<&String>> = HashMap::new();
    for key in spellings.keys().filter(|k| !k.starts_with('\0')) {
        let words: Vec<&str> = key.split(' ').collect();
        let Some(candidates) = words.first().and_then(|w| holding.get(w)) else {
            continue;
        };
        let containing: Vec<&String> = candidates
            .iter()
            .map(|&n| &people[n])
            .filter(|(long, long_words)| {
                *long != key
                    && long_words.len() > words.len()
                    && long_words.windows(words.len()).any(|w| w == words)
            })
            .map(|(long, _)| *long)
            .collect();
        if !containing.is_empty() {
            longer.insert(key, containing);
        }
    }
    // Each article's spellings, the shorter ones as the longer they stand for.
    let mut members: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut article_keys: Vec<Vec<String>> = Vec::with_capacity(articles.len());
    for (at, keys) in per_article.iter().enumerate() {
        let mut resolved: Vec<String> = keys
            .iter()
            .map(|key| match longer.get(key.as_str()) {
                Some(long) if long.len() == 1 => long[0].clone(),
                Some(long) => {
                    let here: Vec<&&String> = long.iter().filter(|l| keys.contains(l)).collect();
                    match here.as_slice() {
                        [one] => (**one).clone(),
                        _ => key.clone(),
                    }
                }
                None => key.clone(),
            })
            .collect();
        resolved.sort();
        resolved.dedup();
        for key in &resolved {
            members.entry(key.clone()).or_default().push(at);
        }
        article_keys.push(resolved);
    }
    // Entities with a page, with their display names.
    let mut entities: Vec<Entity> = Vec::new();
    let mut index_of: HashMap<&str, usize> = HashMap::new();
    let mut slugs: HashSet<(Kind, String)> = HashSet::new();
    for (key, list) in &members {
        if list.len() < min_articles.max(1) {
            continue;
        }
        let spelling = &spellings[key];
        let Some(kind) = kind_of(key, spelling) else {
            continue;
        };
        let (name, english) = match key.strip_prefix('\0') {
            Some(entry) => {
                let entry = &manual.entries[entry.parse::<usize>().unwrap_or(0)].1;
                (entry.name.clone(), entry.english.clone())
            }
            None => (
                most(&spelling.written).cloned().unwrap_or_default(),
                most(&spelling.english).cloned(),
            ),
        };
        let english = english.filter(|e| *e != name);
        let base = crate::render::slugify(&name);
        let mut slug = base.clone();
        let mut n = 1;
        while !slugs.insert((kind, slug.clone())) {
            n += 1;
            slug = format!("{base}-{n}");
        }
        index_of.insert(key, entities.len());
        entities.push(Entity {
            kind,
            slug,
            name,
            english,
            articles: list.clone(),
        });
    }
    // Topics, from the tags: each has a page.
    let mut topics: BTreeMap<String, Entity> = BTreeMap::new();
    for (at, names) in articles.iter().enumerate() {
        for tag in &names.tags {
            let slug = topic_slug(tag);
            let topic = topics.entry(slug.clone()).or_insert_with(|| Entity {
                kind: Kind::Topic,
                slug,
                name: tag.clone(),
                english: None,
                articles: Vec::new(),
            });
            if topic.articles.last() != Some(&at) {
                topic.articles.push(at);
            }
        }
    }
    // Each article's links.
    let target = |e: &Entity| (e.kind, e.slug.clone(), e.name.clone(), e.english.clone());
    let links = articles
        .iter()
        .zip(&per_article)
        .zip(&article_keys)
        .map(|((names, keys), resolved)| {
            // The article's spellings, in its order, to the entity each resolved to.
            let by_spelling: HashMap<&str, usize> = keys
                .iter()
                .filter_map(|key| {
                    let long = longer.get(key.as_str()).and_then(|l| {
                        let here: Vec<&&String> =
                            l.iter().filter(|l| resolved.contains(l)).collect();
                        (here.len() == 1).then(|| here[0].as_str())
                    });
                    let entity = index_of.get(long.unwrap_or(key))?;
                    Some((key.as_str(), *entity))
                })
                .collect();
            let resolve = |named: &Named| {
                let key = fold(&named.source);
                let key = match manual.spellings.get(&key) {
                    Some(entry) => format!("\0{entry}"),
                    None => key,
                };
                by_spelling.get(key.as_str()).map(|&i| target(&entities[i]))
            };
            article_links(names, &resolve)
        })
        .collect();
    // A topic's links show its name as its page does, whatever case an article wrote.
    let mut links: Vec<Vec<LinkGroup>> = links;
    for group in links.iter_mut().flatten().filter(|g| g.kind == Kind::Topic) {
        for link in &mut group.links {
            let slug = link.href.rsplit('/').nth(1).unwrap_or("");
            if let Some(topic) = topics.get(slug) {
                link.name.clone_from(&topic.name);
            }
        }
    }
    // The resolver for the next build: each spelling to the entity most articles mean by it.
    let mut resolver = Resolver {
        targets: entities.iter().map(target).collect(),
        ..Resolver::default()
    };
    for (key, spelling) in &spellings {
        let entity = match longer.get(key.as_str()) {
            Some(long) if long.len() == 1 => index_of.get(long[0].as_str()),
            Some(_) => None,
            None => index_of.get(key.as_str()),
        };
        if let Some(&entity) = entity {
            for written in spelling.written.keys() {
                resolver.spellings.insert(fold(written), entity);
            }
        }
    }
    entities.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.name.cmp(&b.name)));
    entities.extend(topics.into_values());
    SiteEntities {
        entities,
        links,
        resolver,
        analysed,
    }
}

#[derive(Serialize)]
struct Entry<'a> {
    href: String,
    #[serde(flatten)]
    article: &'a ArticleSummary,
}

#[derive(Serialize)]
struct Listed<'a> {
    href: String,
    #[serde(flatten)]
    entity: &'a Entity,
    count: usize,
}

/// A page of the site's entities: its path, the hash of what it shows, and how to render it.
pub struct Page<'a> {
    pub path: String,
    pub hash: u64,
    pub render: Box<dyn Fn() -> Result<String> + Sync + 'a>,
}

/// The pages of `site`'s entities and topics for the articles `newest_first`: each entity's
/// page and (with a base URL) feed, and an overview of each kind that has any.
pub fn pages<'a>(
    tera: &'a tera::Tera,
    options: &'a crate::config::BuildOptions,
    newest_first: &'a [&'a ArticleSummary],
    site: &'a SiteEntities,
) -> Vec<Page<'a>> {
    let lang = options.source_lang.as_str();
    let settings = &options.site;
    let mut pages: Vec<Page<'a>> = Vec::new();
    for entity in &site.entities {
        // Pages of INDEX_PAGE_SIZE articles, as the index has: one entity may be in thousands.
        let chunks: Vec<&[usize]> = entity.articles.chunks(INDEX_PAGE_SIZE).collect();
        let total = chunks.len();
        let folder = format!("{}/{}/", entity.kind.folder(), entity.slug);
        for (i, chunk) in chunks.into_iter().enumerate() {
            let number = i + 1;
            let (path, up) = crate::render::index_path(number);
            let root = format!("{up}../../");
            let mut hash = StableHasher::new();
            hash.write_field(entity.name.as_bytes());
            hash.write_field(entity.english.as_deref().unwrap_or("").as_bytes());
            hash.write_field(format!("{number} {total} {}", entity.articles.len()).as_bytes());
            for &at in chunk {
                hash_summary(&mut hash, newest_first[at]);
            }
            let render_page = move || {
                let entries: Vec<Entry<'_>> = (chunk.iter())
                    .map(|&at| Entry {
                        href: format!("{root}{}/index.html", newest_first[at].slug),
                        article: newest_first[at],
                    })
                    .collect();
                let mut context = tera::Context::new();
                context.insert("site", settings);
                context.insert("root", &root);
                context.insert("folder", up);
                context.insert("lang", lang);
                context.insert("entity", entity);
                context.insert("count", &entity.articles.len());
                context.insert("heading", entity.kind.heading());
                context.insert("articles", &entries);
                context.insert("pagination", &Pagination::new(number, total));
                render(tera, "entity.html", &context)
            };
            pages.push(Page {
                path: format!("{folder}{path}"),
                hash: hash.finish(),
                render: Box::new(render_page),
            });
        }
        if let Some(base) = &settings.base_url {
            let feed = format!("{}/{}/atom.xml", entity.kind.folder(), entity.slug);
            let title = match &entity.english {
                Some(english) => format!("{} / {english}", entity.name),
                None => entity.name.clone(),
            };
            let path = feed.clone();
            let mut hash = StableHasher::new();
            hash.write_field(title.as_bytes());
            for &at in entity
                .articles
                .iter()
                .take(crate::render::feeds::FEED_ENTRIES)
            {
                hash_summary(&mut hash, newest_first[at]);
            }
            pages.push(Page {
                path: feed,
                hash: hash.finish(),
                render: Box::new(move || {
                    let list: Vec<&ArticleSummary> =
                        entity.articles.iter().map(|&at| newest_first[at]).collect();
                    crate::render::feeds::atom_for(
                        tera,
                        settings,
                        base,
                        lang,
                        &list,
                        &path,
                        &format!("{title} · {}", settings.title),
                    )
                }),
            });
        }
    }
    for kind in Kind::ALL {
        let of_kind: Vec<&Entity> = site.entities.iter().filter(|e| e.kind == kind).collect();
        // A kind with no page has no overview: nothing would link to it.
        if of_kind.is_empty() {
            continue;
        }
        let mut hash = StableHasher::new();
        for entity in &of_kind {
            hash.write_field(entity.slug.as_bytes());
            hash.write_field(entity.name.as_bytes());
            hash.write_field(entity.english.as_deref().unwrap_or("").as_bytes());
            hash.write_field(&entity.articles.len().to_le_bytes());
        }
        pages.push(Page {
            path: format!("{}/index.html", kind.folder()),
            hash: hash.finish(),
            render: Box::new(move || {
                let mut listed: Vec<Listed<'_>> = of_kind
                    .iter()
                    .map(|entity| Listed {
                        href: format!("{}/index.html", entity.slug),
                        entity,
                        count: entity.articles.len(),
                    })
                    .collect();
                listed.sort_by(|a, b| {
                    b.count
                        .cmp(&a.count)
                        .then(a.entity.name.cmp(&b.entity.name))
                });
                let mut context = tera::Context::new();
                context.insert("site", settings);
                context.insert("root", "../");
                context.insert("lang", lang);
                context.insert("heading", kind.heading());
                context.insert("kind", &kind);
                context.insert("entities", &listed);
                context.insert("min_articles", &settings.entity_min_articles);
                render(tera, "entities.html", &context)
            }),
        });
    }
    pages
}

/// A hash of what an entity page and its feed show of an article.
pub fn listing_hash(article: &ArticleSummary) -> u64 {
    let mut hash = StableHasher::new();
    hash_summary(&mut hash, article);
    hash.finish()
}

fn hash_summary(hash: &mut StableHasher, article: &ArticleSummary) {
    hash.write_field(article.slug.as_bytes());
    hash.write_field(article.published_iso.as_deref().unwrap_or("").as_bytes());
    for side in [&article.source, &article.target] {
        hash.write_field(side.title.as_bytes());
        hash.write_field(side.summary.as_bytes());
        hash.write_field(side.date.as_deref().unwrap_or("").as_bytes());
    }
    hash.write_field(&[u8::from(article.machine)]);
}

fn render(tera: &tera::Tera, name: &str, context: &tera::Context) -> Result<String> {
    tera.render(name, context)
        .map_err(|e| super::archive::template_error(name, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(kind: Option<NameKind>, source: &str, target: Option<&str>) -> Named {
        Named {
            kind,
            source: source.to_string(),
            target: target.map(str::to_string),
        }
    }

    fn article(names: Vec<Named>, tags: &[&str]) -> ArticleNames {
        ArticleNames {
            names: Some(names),
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn spellings_group_and_shorter_names_join_longer() {
        let person = Some(NameKind::Person);
        let place = Some(NameKind::Place);
        let articles = [
            article(
                vec![
                    named(person, "Volodimir Zelenski", Some("Volodymyr Zelensky")),
                    named(place, "Kiev", Some("Kyiv")),
                ],
                &["Guerra"],
            ),
            article(vec![named(None, "Zelenski", Some("Zelensky"))], &["guerra"]),
            article(vec![named(place, "Kiev", Some("Kyiv"))], &[]),
            article(vec![named(place, "Madrid", None)], &[]),
        ];
        let refs: Vec<&ArticleNames> = articles.iter().collect();
        let site = group(&refs, &Manual::default(), 2);
        let shown: Vec<(Kind, &str, Option<&str>, &[usize])> = site
            .entities
            .iter()
            .map(|e| {
                (
                    e.kind,
                    e.name.as_str(),
                    e.english.as_deref(),
                    e.articles.as_slice(),
                )
            })
            .collect();
        assert_eq!(
            shown,
            [
                (
                    Kind::Person,
                    "Volodimir Zelenski",
                    Some("Volodymyr Zelensky"),
                    &[0, 1][..]
                ),
                (Kind::Place, "Kiev", Some("Kyiv"), &[0, 2][..]),
                (Kind::Topic, "Guerra", None, &[0, 1][..]),
            ]
        );
        assert_eq!(
            site.links[1][0].links[0].href,
            "../people/volodimir-zelenski/index.html"
        );
        assert!(site.links[3].is_empty());
        let resolved = site.resolver.resolve(&named(None, "Zelenski", None));
        assert_eq!(
            resolved.map(|r| r.1),
            Some("volodimir-zelenski".to_string())
        );
    }

    #[test]
    fn manual_names_and_errors() {
        let text = "ignore = [\"Dios\"]\n[[organisation]]\nname = \"OTAN\"\nenglish = \"NATO\"\nalso = [\"Alianza Atlántica\"]\n";
        let manual = Manual::parse(Path::new("seeds/entities.toml"), text).unwrap();
        let articles = [
            article(
                vec![named(None, "OTAN", None), named(None, "Dios", None)],
                &[],
            ),
            article(
                vec![named(Some(NameKind::Person), "Alianza Atlántica", None)],
                &[],
            ),
        ];
        let refs: Vec<&ArticleNames> = articles.iter().collect();
        let site = group(&refs, &manual, 2);
        assert_eq!(site.entities.len(), 1);
        assert_eq!(site.entities[0].kind, Kind::Organisation);
        assert_eq!(site.entities[0].english.as_deref(), Some("NATO"));

        let bad = "[[person]]\nname = \"A\"\nkind = \"x\"\n";
        let error = Manual::parse(Path::new("seeds/entities.toml"), bad).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("seeds/entities.toml") && message.contains(":3"),
            "{message}"
        );
    }
}
