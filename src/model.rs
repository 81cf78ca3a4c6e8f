//! The plain data that flows through the build: a seed as read, an article with its two sides,
//! who translated it, and what the index keeps of each article.

use std::ops::Range;
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::error::Warning;

/// The photo caption and who took the photo.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caption {
    pub text: String,
    pub credit: Option<String>,
}

/// The dateline as written, e.g. `Publicado: miércoles, 5 noviembre 2025 13:34`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Dateline {
    /// The word before the colon (`Publicado`).
    pub label: String,
    /// Everything after it (`miércoles, 5 noviembre 2025 13:34`).
    pub value: String,
    pub line: usize,
}

/// One body paragraph: its lines joined by single spaces, and where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Paragraph {
    pub text: String,
    pub line: usize,
}

/// A text in the wire layout, in one language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WireText {
    pub caption: Option<Caption>,
    pub dateline: Option<Dateline>,
    pub paragraphs: Vec<Paragraph>,
}

/// An original article, as read from `seeds/<stem>.txt`.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    pub path: PathBuf,
    pub stem: String,
    pub lang: String,
    pub text: WireText,
    /// The dateline's moment, with the offset its time zone had on that date.
    pub published: Option<DateTime<FixedOffset>>,
    /// What reading it found odd but could mend (a dateline the clocks skip, say).
    pub warnings: Vec<Warning>,
}

/// One language's side of an article.
#[derive(Debug, Clone, PartialEq, Default, Hash)]
pub struct Side {
    pub lang: String,
    /// The headline, when the author gave one.
    pub title: Option<String>,
    pub caption: Option<Caption>,
    pub dateline: Option<Dateline>,
    pub paragraphs: Vec<Paragraph>,
    /// The file this side was read from.
    pub file: PathBuf,
    /// Per paragraph, the sentences as a machine translation made them, one by one: they align
    /// one to one by construction. `None`: find and align them from the text.
    pub sentences: Option<Vec<Vec<Range<usize>>>>,
    /// Per paragraph, the words a machine translation left in the original language.
    pub untranslated: Vec<Vec<Range<usize>>>,
}

/// Who made the translation, for the note beside it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Translator {
    /// A person wrote `<stem>.<lang>.txt`; their name if the front matter gives it.
    Authored(Option<String>),
    /// A machine translated it: the engine and mode, like `Apertium spa-eng`.
    Machine(String),
}

/// An original and its translation, with the same number of paragraphs.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub stem: String,
    /// The slug the front matter asks for, if any; the site makes it URL-safe.
    pub slug: Option<String>,
    pub published: Option<DateTime<FixedOffset>>,
    pub source: Side,
    pub target: Side,
    pub translator: Translator,
    /// Hand-made topics, from `tags = [...]` in the translation's front matter.
    pub tags: Vec<String>,
}

/// What kind of thing a name names: the analysis tags people `np.ant`/`np.cog`, places
/// `np.loc`, organisations `np.al` and acronyms `n.acr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameKind {
    Person,
    Place,
    Organisation,
}

/// A name an article uses: its kind when something tells it, its Spanish spelling as written,
/// and the English one of the aligned sentence, when found.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Named {
    pub kind: Option<NameKind>,
    pub source: String,
    pub target: Option<String>,
}

/// What an article gives the pages of people, places, organisations and topics: its names
/// (`None` without the analysis) and its tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleNames {
    pub names: Option<Vec<Named>>,
    pub tags: Vec<String>,
}

/// What the index and the feed keep of an article: enough to list it, little enough to keep
/// for every article of a large site while the pages themselves stream to disk.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ArticleSummary {
    pub slug: String,
    #[serde(skip)]
    pub published: Option<DateTime<FixedOffset>>,
    /// `published` as ISO 8601, for templates.
    pub published_iso: Option<String>,
    pub source: SideSummary,
    pub target: SideSummary,
    /// The translation is a machine's: the index says so beside it.
    pub machine: bool,
    /// The share, in percent, of its distinct content lemmas outside the site's commonest
    /// (see `build::lemmas`); `None` without glosses.
    pub level: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SideSummary {
    pub lang: String,
    pub title: String,
    /// The lead's first sentence.
    pub summary: String,
    /// The dateline as written.
    pub date: Option<String>,
}

/// A summary is equal to itself at once: a rebuild compares the last build's listing with the
/// new one, where all but the changed articles are the very same summaries.
impl PartialEq for ArticleSummary {
    fn eq(&self, other: &ArticleSummary) -> bool {
        let ArticleSummary {
            slug,
            published,
            published_iso,
            source,
            target,
            machine,
            level,
        } = self;
        std::ptr::eq(self, other)
            || (*slug == other.slug
                && *published == other.published
                && *published_iso == other.published_iso
                && *source == other.source
                && *target == other.target
                && *machine == other.machine
                && *level == other.level)
    }
}

impl ArticleSummary {
    /// The order of the index and the feed: newest first, undated last, then by slug, so that it
    /// never depends on the seeds' order.
    pub fn newest_first(a: &ArticleSummary, b: &ArticleSummary) -> std::cmp::Ordering {
        b.published
            .cmp(&a.published)
            .then_with(|| a.slug.cmp(&b.slug))
    }

    /// Whether `other` has what [`ArticleSummary::newest_first`] orders by: its date and slug.
    pub(crate) fn same_place(&self, other: &ArticleSummary) -> bool {
        self.published == other.published && self.slug == other.slug
    }
}
