//! Quotation marks: which characters open a quotation, which close one and which may do either,
//! which closing marks end which opening ones, and which quotations can hold one of their own
//! kind. The quotation finder ([`crate::text::quotes`]) and the clean-up of Apertium's translations
//! ([`crate::translate`]) both read marks by this model.
//!
//! A mark's role in a given place also depends on what is around it (a `"` after a word closes,
//! a `’` inside a word is an apostrophe); that is for the readers to judge, with this model.

/// A kind of quotation, by the marks that begin and end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quote {
    /// `«…»`: Spanish, French, Italian, Russian …
    Guillemets,
    /// `‹…›`: French and Swiss quotations inside `«…»`.
    SingleGuillemets,
    /// `“…”` (or the rare `‟…”`): English.
    Double,
    /// `‘…’` (or `‛…’`): English, inside `“…”`.
    Single,
    /// `„…“` (German, Czech) or `„…”` (Polish, Hungarian, Romanian).
    LowDouble,
    /// `‚…‘` or `‚…’`: inside `„…“`.
    LowSingle,
    /// `"…"`
    Straight,
    /// `'…'`
    StraightSingle,
}

impl Quote {
    /// Every kind.
    pub(crate) const ALL: [Quote; 8] = [
        Quote::Guillemets,
        Quote::SingleGuillemets,
        Quote::Double,
        Quote::Single,
        Quote::LowDouble,
        Quote::LowSingle,
        Quote::Straight,
        Quote::StraightSingle,
    ];

    /// The marks that open such a quotation, the usual one first.
    pub(crate) fn openings(self) -> &'static [char] {
        match self {
            Quote::Guillemets => &['«'],
            Quote::SingleGuillemets => &['‹'],
            Quote::Double => &['“', '‟'],
            Quote::Single => &['‘', '‛'],
            Quote::LowDouble => &['„'],
            Quote::LowSingle => &['‚'],
            Quote::Straight => &['"'],
            Quote::StraightSingle => &['\''],
        }
    }

    /// The marks that close such a quotation, the usual one first.
    pub(crate) fn closings(self) -> &'static [char] {
        match self {
            Quote::Guillemets => &['»'],
            Quote::SingleGuillemets => &['›'],
            Quote::Double => &['”'],
            Quote::Single => &['’'],
            Quote::LowDouble => &['“', '”'],
            Quote::LowSingle => &['‘', '’'],
            // Mixed marks are common in real text: `"Gracias al apoyo …”, dijo`.
            Quote::Straight => &['"', '”'],
            Quote::StraightSingle => &['\''],
        }
    }

    /// The kind of quotation that `c` opens, if it opens one (no mark opens two kinds).
    pub(crate) fn opened_by(c: char) -> Option<Quote> {
        Quote::ALL.into_iter().find(|q| q.openings().contains(&c))
    }

    /// Whether `c` ends such a quotation.
    pub(crate) fn is_closed_by(self, c: char) -> bool {
        self.closings().contains(&c)
    }

    /// Whether such a quotation can hold one of its own kind (`«dijo «no» y se fue»`): only when
    /// no mark both opens and closes it, or a second opening mark would read as the closing one.
    pub(crate) fn nests(self) -> bool {
        !self.openings().iter().any(|&c| self.is_closed_by(c))
    }

    /// Whether a mark that closes it may be an apostrophe instead (`’`, `'`): one left open then
    /// most likely never was a quotation, only a word like `students’` read as its end.
    pub(crate) fn closes_like_an_apostrophe(self) -> bool {
        self.closings().iter().any(|&c| may_be_apostrophe(c))
    }
}

/// What a character can do to a quotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// It only opens one: `«`, `‹`, `„`, `‚`, `‟`, `‛`.
    Opens,
    /// It only closes one: `»`, `›`, `”`, `’`.
    Closes,
    /// It opens one kind and closes the same (`"`, `'`) or another (`“` opens `“…”` and closes
    /// `„…“`; `‘` likewise).
    Either,
}

/// What `c` can do to a quotation; `None` when it is no quotation mark.
pub(crate) fn role(c: char) -> Option<Role> {
    let opens = Quote::opened_by(c).is_some();
    let closes = Quote::ALL.iter().any(|q| q.is_closed_by(c));
    match (opens, closes) {
        (true, true) => Some(Role::Either),
        (true, false) => Some(Role::Opens),
        (false, true) => Some(Role::Closes),
        (false, false) => None,
    }
}

/// Whether `c` is a quotation mark of any style (an apostrophe too: see [`may_be_apostrophe`]).
pub(crate) fn is_mark(c: char) -> bool {
    role(c).is_some()
}

/// Whether the mark `close` ends a quotation opened with `open`.
pub(crate) fn closes(open: char, close: char) -> bool {
    Quote::opened_by(open).is_some_and(|q| q.is_closed_by(close))
}

/// Whether `c`, a quotation mark, may also be an apostrophe (`’`, `'`): it is one between two
/// letters or digits (`O’Donnell`, `isn't`), and often after a word (`students’`) or before a
/// number (`’90s`).
pub(crate) fn may_be_apostrophe(c: char) -> bool {
    matches!(c, '’' | '\'')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mark_has_its_role() {
        let of = |marks: &str| marks.chars().map(role).collect::<Vec<_>>();
        assert!(of("«‹„‚‟‛").iter().all(|r| *r == Some(Role::Opens)));
        assert!(of("»›”’").iter().all(|r| *r == Some(Role::Closes)));
        assert!(of("\"'“‘").iter().all(|r| *r == Some(Role::Either)));
        assert!(of("a -—()¿").iter().all(Option::is_none));
        let all: String = "«»‹›“”„‟‘’‚‛\"'".into();
        assert!(all.chars().all(is_mark));
        let counted = Quote::ALL
            .iter()
            .flat_map(|q| q.openings().iter().chain(q.closings()))
            .collect::<std::collections::BTreeSet<_>>();
        assert_eq!(counted.len(), all.chars().count());
    }

    #[test]
    fn pairs() {
        for (open, close) in [
            ('«', '»'),
            ('‹', '›'),
            ('“', '”'),
            ('‟', '”'),
            ('„', '“'),
            ('„', '”'),
            ('‘', '’'),
            ('‛', '’'),
            ('‚', '‘'),
            ('‚', '’'),
            ('"', '"'),
            ('"', '”'),
            ('\'', '\''),
        ] {
            assert!(closes(open, close), "{open}…{close}");
        }
        for (open, close) in [('«', '”'), ('“', '“'), ('»', '«'), ('‘', '”'), ('"', '\'')]
        {
            assert!(!closes(open, close), "{open}…{close}");
        }
        assert_eq!(Quote::opened_by('„'), Some(Quote::LowDouble));
        assert_eq!(Quote::opened_by('»'), None);
    }

    #[test]
    fn only_quotations_with_distinct_marks_nest() {
        let nesting: Vec<Quote> = Quote::ALL.into_iter().filter(|q| q.nests()).collect();
        assert_eq!(
            nesting,
            [
                Quote::Guillemets,
                Quote::SingleGuillemets,
                Quote::Double,
                Quote::Single,
                Quote::LowDouble,
                Quote::LowSingle
            ]
        );
        let loose: Vec<Quote> = Quote::ALL
            .into_iter()
            .filter(|q| q.closes_like_an_apostrophe())
            .collect();
        assert_eq!(
            loose,
            [Quote::Single, Quote::LowSingle, Quote::StraightSingle]
        );
    }
}
