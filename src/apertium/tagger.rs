//! apertium-tagger's HMM tagging (`apertium-tagger -z -g -p`, apertium 3.8), in-process.
//!
//! It reads a `.prob` file as apertium 3.x writes it for the HMM tagger (no header: open class,
//! forbid rules, tag names and index, enforce rules, prefer rules, constants, ambiguity classes,
//! the matrices A and B, the coarse-tag pattern transducer, an empty discard list), sorts each
//! analysis into its coarse tag, splits `+`-joined analyses the way the tagger does, and picks each
//! word's analysis by Viterbi over the pending ambiguous words. Forbid and enforce rules are
//! already in A (they apply at training), so tagging does not read them again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::analyse::lower;
use super::transducer::{Bytes, FormatError, read_alphabet};
use super::{FastMap, Memo};

type Tag = u16;

/// A loaded `.prob` model.
pub(crate) struct Tagger {
    open_class: Vec<Tag>,
    /// The ambiguity classes (sorted tag sets) and their index in B's columns.
    classes: FastMap<Vec<Tag>, usize>,
    class_list: Vec<Vec<Tag>>,
    n: usize,
    m: usize,
    /// The transition probabilities, each row the tags one may come from (`a[to * n + from]`:
    /// the file's A transposed, so that Viterbi reads a row in order).
    a: Vec<f64>,
    b: Vec<f64>,
    /// Literal texts: a later analysis with an already-seen tag replaces the earlier one when
    /// it contains one of them.
    prefer: Vec<String>,
    sentence: Tag,
    end: Tag,
    undefined: Tag,
    patterns: Patterns,
    /// The coarse tag of each whole analysis (without `+`) already sorted, shared by the
    /// threads; bounded as the analyser's words are.
    coarse: Memo<Tag>,
    /// Each lexical unit already read, by its text (`^surface/analysis/…$`): the commonest
    /// words come again and again, and are read once.
    units: Memo<Arc<ReadUnit>>,
}

/// A lexical unit of lt-proc's output as the tagger reads it, whatever record it is in: the
/// words it makes (several when an analysis is cut at a `+`), each with its coarse tags, the
/// analysis kept for each (as byte ranges of the unit's text), and its ambiguity class when its
/// tags are one.
struct ReadUnit {
    words: Box<[ReadWord]>,
}

struct ReadWord {
    forms: Box<[(Tag, u32, u32)]>,
    class: Option<usize>,
    cut: bool,
    continues: bool,
}

/// The most analyses a tagger's [`Tagger::coarse`] keeps (a few dozen bytes each).
const MEMO_ANALYSES: usize = 32_768;

/// The coarse-tag transducer: characters (lower-cased) and fine tags in, a coarse tag out.
struct Patterns {
    tags: FastMap<String, i32>,
    any_char: i32,
    any_tag: i32,
    initial: u32,
    /// Per state, its transitions sorted by symbol.
    starts: Vec<u32>,
    transitions: Vec<(i32, u32)>,
    /// Per state, the coarse tag it ends, or -1.
    finals: Vec<i32>,
}

impl Patterns {
    fn next(&self, state: u32, symbol: i32) -> Option<u32> {
        let all = &self.transitions
            [self.starts[state as usize] as usize..self.starts[state as usize + 1] as usize];
        all.binary_search_by_key(&symbol, |t| t.0)
            .ok()
            .map(|i| all[i].1)
    }
}

/// The state that apertium-tagger carries from one record to the next: its open class, which
/// it overwrites when a word's set of tags is no known ambiguity class (it then takes the
/// smallest known class, not larger than the open class, that holds them all).
#[derive(Clone)]
pub(crate) struct Memory {
    open_class: Vec<Tag>,
}

impl Tagger {
    pub(crate) fn load(path: &Path) -> Result<Tagger, FormatError> {
        let data = std::fs::read(path).map_err(|e| FormatError {
            file: path.to_path_buf(),
            detail: format!("cannot read it: {e}"),
        })?;
        Tagger::parse(&data).map_err(|detail| FormatError {
            file: path.to_path_buf(),
            detail: format!(
                "not an apertium 3 HMM tagger model (.prob without header) as this reader knows \
                 it: {detail}"
            ),
        })
    }

    fn parse(data: &[u8]) -> Result<Tagger, String> {
        let mut bytes = Bytes::new(data);
        let mut open_class = Vec::new();
        let mut tag = 0u32;
        for _ in 0..bytes.count("open class")? {
            tag += bytes.int()?;
            open_class.push(u16::try_from(tag).map_err(|_| "tag out of range")?);
        }
        open_class.sort_unstable();
        open_class.dedup();
        for _ in 0..bytes.count("forbid rules")? {
            bytes.int()?;
            bytes.int()?;
        }
        for _ in 0..bytes.count("tag names")? {
            bytes.string()?;
        }
        let mut tag_index = HashMap::new();
        for _ in 0..bytes.count("tag index")? {
            let name = bytes.string()?;
            tag_index.insert(name, bytes.int()?);
        }
        for _ in 0..bytes.count("enforce rules")? {
            bytes.int()?;
            for _ in 0..bytes.count("enforce rule")? {
                bytes.int()?;
            }
        }
        let mut prefer = Vec::new();
        for _ in 0..bytes.count("prefer rules")? {
            let rule = bytes.string()?;
            if rule.is_empty() || rule.chars().any(|c| "\\.^$|?*+()[]{}".contains(c)) {
                return Err(format!(
                    "prefer rule {rule:?} is a regular expression; only literal ones are read"
                ));
            }
            prefer.push(rule.to_lowercase());
        }
        for _ in 0..bytes.count("constants")? {
            bytes.string()?;
            bytes.int()?;
        }
        let mut class_list = Vec::new();
        let mut classes = FastMap::default();
        for _ in 0..bytes.count("ambiguity classes")? {
            let mut class = Vec::new();
            for _ in 0..bytes.count("ambiguity class")? {
                class.push(u16::try_from(bytes.int()?).map_err(|_| "tag out of range")?);
            }
            class.sort_unstable();
            class.dedup();
            if !classes.contains_key(&class) {
                classes.insert(class.clone(), class_list.len());
                class_list.push(class);
            }
        }
        let n = bytes.int()? as usize;
        let m = bytes.int()? as usize;
        if n == 0 || n > 4096 || m != class_list.len() {
            return Err(format!(
                "{n} tags and {m} ambiguity classes for {} classes read",
                class_list.len()
            ));
        }
        let mut a = vec![0.0; n * n];
        for from in 0..n {
            for to in 0..n {
                a[to * n + from] = bytes.f64_be()?;
            }
        }
        let mut b = vec![0.0; n * m];
        for _ in 0..bytes.count("emission probabilities")? {
            let i = bytes.int()? as usize;
            let j = bytes.int()? as usize;
            let p = bytes.f64_be()?;
            if i >= n || j >= m {
                return Err(format!("B[{i}][{j}] outside {n}×{m}"));
            }
            b[i * m + j] = p;
        }
        let patterns = read_patterns(&mut bytes)?;
        if !bytes.at_end() {
            let discards = bytes.int()?;
            if discards != 0 || !bytes.at_end() {
                return Err("discard-on-ambiguity rules are not read".to_string());
            }
        }
        let index = |name: &str| -> Result<Tag, String> {
            let tag = *tag_index.get(name).ok_or(format!("no {name}"))?;
            u16::try_from(tag)
                .ok()
                .filter(|&t| (t as usize) < n)
                .ok_or(format!("{name} out of range"))
        };
        let tagger = Tagger {
            sentence: index("TAG_SENT")?,
            end: index("TAG_kEOF")?,
            undefined: index("TAG_kUNDEF")?,
            open_class,
            classes,
            class_list,
            n,
            m,
            a,
            b,
            prefer,
            patterns,
            coarse: Memo::new(MEMO_ANALYSES),
            units: Memo::new(MEMO_ANALYSES),
        };
        let tags_ok = tagger
            .class_list
            .iter()
            .flatten()
            .chain(&tagger.open_class)
            .all(|&t| (t as usize) < n)
            && tagger.patterns.finals.iter().all(|&t| t < n as i32);
        if !tags_ok || !tagger.classes.contains_key(&tagger.open_class) {
            return Err("tags out of range, or the open class is no ambiguity class".to_string());
        }
        Ok(tagger)
    }

    /// The bytes its tables take (roughly, for the maps).
    pub(crate) fn heap_bytes(&self) -> usize {
        (self.a.capacity() + self.b.capacity()) * 8
            + self
                .class_list
                .iter()
                .map(|c| c.capacity() * 2 * 2 + 48)
                .sum::<usize>()
            + self.patterns.transitions.capacity() * 8
            + self.patterns.starts.capacity() * 4
            + self.patterns.finals.capacity() * 4
            + self.patterns.tags.len() * 48
    }

    pub(crate) fn memory(&self) -> Memory {
        Memory {
            open_class: self.open_class.clone(),
        }
    }

    /// Appends to `out` what `apertium-tagger -z -g -p` answers to the record `stream` (one
    /// record of lt-proc's output), given what it carries from earlier records.
    pub(crate) fn tag(&self, stream: &str, memory: &mut Memory, out: &mut String) {
        let Record { words, forms } = self.words(stream);
        let n = self.n;
        // Viterbi over the words since the last unambiguous one: `alpha` for the previous and
        // the current word, `back` the best previous tag of each tag of each pending word.
        let mut previous: Vec<Tag> = vec![self.sentence];
        let mut alpha_prev = vec![0.0f64; n];
        let mut alpha = vec![0.0f64; n];
        alpha_prev[self.sentence as usize] = 1.0;
        // Per pending word, the range of its (tag, best previous tag) links in `links`.
        let mut back: Vec<(usize, usize)> = Vec::new();
        let mut links: Vec<(Tag, Tag)> = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
        let mut chosen: Vec<Tag> = Vec::new();
        let mut tags: Vec<Tag> = Vec::new();
        for (w, word) in words.iter().enumerate() {
            pending.push(w);
            tags.clear();
            let word_forms = &forms[word.forms.clone()];
            if word_forms.is_empty() {
                tags.extend_from_slice(&memory.open_class);
            } else {
                tags.extend(word_forms.iter().map(|f| f.0));
            }
            let known = word
                .class
                .or_else(|| self.classes.get(tags.as_slice()).copied());
            let class = match known {
                Some(k) => k,
                None => self.similar_class(&tags, memory),
            };
            for &i in &tags {
                alpha[i as usize] = 0.0;
            }
            let first = links.len();
            for &i in &tags {
                let mut from = None;
                let into = &self.a[i as usize * n..][..n];
                let emitted = self.b[i as usize * self.m + class];
                for &j in &previous {
                    let x = alpha_prev[j as usize] * into[j as usize] * emitted;
                    if alpha[i as usize] <= x {
                        alpha[i as usize] = x;
                        from = Some(j);
                    }
                }
                if let Some(j) = from {
                    links.push((i, j));
                }
            }
            back.push((first, links.len()));
            if tags.len() == 1 {
                let mut tag = tags[0];
                chosen.clear();
                for &(from, to) in back.iter().rev() {
                    chosen.push(tag);
                    tag = links[from..to]
                        .iter()
                        .find(|(i, _)| *i == tag)
                        .map_or(tag, |(_, j)| *j);
                }
                chosen.reverse();
                for (&p, &t) in pending.iter().zip(&chosen) {
                    let word = &words[p];
                    self.write(word, &forms[word.forms.clone()], t, out);
                }
                pending.clear();
                back.clear();
                links.clear();
                alpha_prev[tags[0] as usize] = 1.0;
                previous.clear();
                previous.push(tags[0]);
            } else {
                std::mem::swap(&mut alpha_prev, &mut alpha);
                previous.clear();
                previous.extend_from_slice(&tags);
            }
        }
    }

    /// The class the tagger uses for a set of tags that is no ambiguity class; it overwrites
    /// the open class with it.
    fn similar_class(&self, tags: &[Tag], memory: &mut Memory) -> usize {
        for class in &self.class_list {
            if class.len() < memory.open_class.len() && tags.iter().all(|t| class.contains(t)) {
                memory.open_class.clone_from(class);
            }
        }
        self.classes[&memory.open_class]
    }

    fn write(&self, word: &Word, forms: &[(Tag, &str)], tag: Tag, out: &mut String) {
        let start = out.len();
        out.push_str(&word.ignored);
        if tag == self.end {
            return;
        }
        if !word.continues {
            out.push('^');
            out.push_str(word.surface);
            out.push('/');
        }
        match forms.first() {
            None => {
                out.push('*');
                out.push_str(word.surface);
            }
            Some((_, first)) if first.starts_with('*') => {
                out.push('*');
                out.push_str(word.surface);
            }
            Some(_) => {
                if let Some((_, form)) = forms.iter().find(|(t, _)| *t == tag) {
                    out.push_str(form);
                }
            }
        }
        if out[start..] != *word.ignored {
            out.push(if word.cut { '+' } else { '$' });
        }
    }

    /// The words of a record, as the tagger reads them: each with the blank before it, its
    /// surface form and its analyses by coarse tag; a `+`-joined analysis may make several.
    /// The last is the end of the record.
    fn words<'s>(&self, stream: &'s str) -> Record<'s> {
        let bytes = stream.as_bytes();
        let len = bytes.len();
        let mut record = Record::default();
        let mut group = Vec::new();
        let mut symbols = Vec::new();
        let mut i = 0;
        loop {
            let blank_end = until(bytes, i, b"^");
            let mut word = Reading {
                ignored: Cow::Borrowed(&stream[i..blank_end]),
                ..Reading::default()
            };
            if blank_end >= len {
                word.add(self.end, "", &self.prefer);
                record.push(word);
                return record;
            }
            i = blank_end + 1;
            let surface_end = until(bytes, i, b"/$");
            if surface_end >= len {
                // A record cut inside a word: the tagger ends it there.
                word.ignored.to_mut().push_str(&stream[i..]);
                word.add(self.end, "", &self.prefer);
                record.push(word);
                return record;
            }
            word.surface = &stream[i..surface_end];
            i = surface_end + 1;
            if bytes[surface_end] == b'$' {
                word.ignored.to_mut().push('$');
                record.push(word);
                continue;
            }
            let unit_end = until(bytes, i, b"$");
            if unit_end < len {
                // The whole unit is in the record: it reads the same wherever it is.
                let unit = &stream[blank_end..=unit_end];
                if let Some(read) = self.read_unit(unit, word.surface.len()) {
                    record.push_read(word, &read, unit);
                    i = unit_end + 1;
                    continue;
                }
            }
            group.clear();
            group.push(word);
            let whole = self.read_analyses(stream, &mut i, &mut group, &mut symbols);
            for word in group.drain(..) {
                record.push(word);
            }
            if !whole {
                return record;
            }
        }
    }

    /// Reads into `group` (its first word holding the surface form) the analyses of a unit from
    /// `*i`, where the first starts, to the unit's `$`, leaving `*i` after it; false when the
    /// record ends first, its last word then ending the record.
    fn read_analyses<'s>(
        &self,
        stream: &'s str,
        i: &mut usize,
        group: &mut Vec<Reading<'s>>,
        symbols: &mut Vec<[i32; 2]>,
    ) -> bool {
        let bytes = stream.as_bytes();
        let mut index = 0;
        loop {
            let end = until(bytes, *i, b"/$");
            let analysis = &stream[*i..end];
            if end >= bytes.len() {
                group[index].ignored.to_mut().push_str(analysis);
                group[index].add(self.end, "", &self.prefer);
                return false;
            }
            *i = end + 1;
            if bytes[end] == b'/' {
                self.classify(analysis, group, &mut index, symbols);
                index = 0;
            } else {
                if !analysis.starts_with('*') {
                    self.classify(analysis, group, &mut index, symbols);
                }
                return true;
            }
        }
    }

    /// The unit `^surface/…$` (`surface` bytes long) read, from [`Tagger::units`] or read now
    /// and kept there.
    fn read_unit(&self, unit: &str, surface: usize) -> Option<Arc<ReadUnit>> {
        if let Some(read) = self.units.with(unit, |read| read.cloned()) {
            return Some(read);
        }
        let mut group = vec![Reading::default()];
        let mut i = 1 + surface + 1;
        if !self.read_analyses(unit, &mut i, &mut group, &mut Vec::new()) {
            return None;
        }
        // Each form is a slice of the unit's text: kept as its place there.
        let start = unit.as_ptr() as usize;
        let place = |form: &str| {
            let at = (form.as_ptr() as usize).checked_sub(start)?;
            let end = at + form.len();
            (end <= unit.len()).then(|| (u32::try_from(at).ok(), u32::try_from(end).ok()))
        };
        let mut words = Vec::with_capacity(group.len());
        for reading in &group {
            let mut forms = Vec::with_capacity(reading.forms.len());
            for &(tag, form) in &reading.forms {
                let (Some(at), Some(end)) = place(form)? else {
                    return None;
                };
                forms.push((tag, at, end));
            }
            let tags: Vec<Tag> = forms.iter().map(|f| f.0).collect();
            let class = match tags.is_empty() {
                true => None,
                false => self.classes.get(&tags).copied(),
            };
            words.push(ReadWord {
                forms: forms.into(),
                class,
                cut: reading.cut,
                continues: reading.continues,
            });
        }
        let read = Arc::new(ReadUnit {
            words: words.into(),
        });
        self.units.insert(unit, Arc::clone(&read));
        Some(read)
    }

    /// The symbols of an analysis for the pattern transducer: a lower-cased character and
    /// "any character", or a tag (0 when no pattern names it) and "any tag".
    fn pattern_symbols(&self, analysis: &str, out: &mut Vec<[i32; 2]>) {
        let p = &self.patterns;
        let bytes = analysis.as_bytes();
        let mut at = 0;
        while let Some(c) = analysis[at..].chars().next() {
            if c != '<' {
                out.push([lower(c) as i32, p.any_char]);
                at += c.len_utf8();
                continue;
            }
            // A tag runs to the next `>` that no `\\` escapes; without one, `<` stands for a
            // tag that no pattern names.
            let mut j = at + 1;
            let mut end = None;
            while j < bytes.len() {
                if bytes[j] == b'\\' {
                    j += 1;
                } else if bytes[j] == b'>' {
                    end = Some(j + 1);
                    break;
                }
                j += 1;
            }
            match end {
                Some(end) => {
                    let symbol = p.tags.get(&analysis[at..end]).copied().unwrap_or(0);
                    out.push([symbol, p.any_tag]);
                    at = end;
                }
                None => {
                    out.push([0, p.any_tag]);
                    at += 1;
                }
            }
        }
    }

    /// Sorts one analysis into its coarse tag, cutting it at a `+` where the pattern
    /// transducer matches its first part on its own (the longest match from the left).
    fn classify<'s>(
        &self,
        analysis: &'s str,
        group: &mut Vec<Reading<'s>>,
        index: &mut usize,
        symbols: &mut Vec<[i32; 2]>,
    ) {
        if !analysis.contains('+') {
            // Nothing to cut: the whole analysis matches a coarse tag or none.
            if let Some(tag) = self.coarse.with(analysis, |tag| tag.copied()) {
                group[*index].add(tag, analysis, &self.prefer);
                return;
            }
            let p = &self.patterns;
            let mut states = [p.initial; 4];
            let mut live = 1;
            symbols.clear();
            self.pattern_symbols(analysis, symbols);
            for &symbol in symbols.iter() {
                let mut next = [0u32; 4];
                let mut count = 0;
                for &st in &states[..live] {
                    for sym in symbol {
                        if sym == 0 {
                            continue;
                        }
                        if let Some(t) = p.next(st, sym) {
                            if count == next.len() {
                                return self.classify_general(analysis, group, index);
                            }
                            next[count] = t;
                            count += 1;
                        }
                    }
                }
                states = next;
                live = count;
                if live == 0 {
                    break;
                }
            }
            let tag = states[..live]
                .iter()
                .map(|&st| p.finals[st as usize])
                .filter(|&t| t >= 0)
                .min()
                .map_or(self.undefined, |t| t as Tag);
            self.coarse.insert(analysis, tag);
            group[*index].add(tag, analysis, &self.prefer);
            return;
        }
        self.classify_general(analysis, group, index)
    }

    /// [`Tagger::classify`] for any analysis.
    fn classify_general<'s>(
        &self,
        analysis: &'s str,
        group: &mut Vec<Reading<'s>>,
        index: &mut usize,
    ) {
        let p = &self.patterns;
        let s: Vec<char> = analysis.chars().collect();
        let mut offsets: Vec<usize> = analysis.char_indices().map(|(at, _)| at).collect();
        offsets.push(analysis.len());
        let limit = s.len() as isize;
        let at = |i: isize| -> char {
            if i >= 0 && i < limit {
                s[i as usize]
            } else {
                '\0'
            }
        };
        let first = *index;
        let mut floor: isize = 0;
        let mut last_type: i32 = -1;
        let mut last_pos: isize = 0;
        let mut states = vec![p.initial];
        let mut next = Vec::new();
        let classify = |states: &[u32]| -> i32 {
            states
                .iter()
                .map(|&st| p.finals[st as usize])
                .filter(|&t| t >= 0)
                .min()
                .unwrap_or(-1)
        };
        let text = |from: isize, to: isize| -> &'s str {
            let from = from.clamp(0, limit) as usize;
            let to = to.clamp(from as isize, limit) as usize;
            &analysis[offsets[from]..offsets[to]]
        };
        let mut i: isize = 0;
        while i < limit {
            let mut symbols = [None, None];
            if at(i) != '<' {
                if at(i) == '+' {
                    let t = classify(&states);
                    if t != -1 {
                        last_pos = i - 1;
                        last_type = t;
                    }
                }
                symbols = [Some(lower(at(i)) as i32), Some(p.any_char)];
            } else {
                let mut tag = "";
                let mut j = i + 1;
                while j < limit {
                    if at(j) == '\\' {
                        j += 1;
                    } else if at(j) == '>' {
                        tag = text(i, j + 1);
                        i = j;
                        break;
                    }
                    j += 1;
                }
                match p.tags.get(tag) {
                    Some(&symbol) => symbols = [Some(symbol), Some(p.any_tag)],
                    None => symbols[0] = Some(p.any_tag),
                }
            }
            next.clear();
            for &st in &states {
                for symbol in symbols.into_iter().flatten() {
                    next.extend(p.next(st, symbol));
                }
            }
            std::mem::swap(&mut states, &mut next);

            let dead = states.is_empty();
            if dead || (i == limit - 1 && classify(&states) == -1) {
                if last_pos != floor {
                    let lexical = text(floor, last_pos + 1);
                    group[*index].add(last_type as Tag, lexical, &self.prefer);
                    if at(last_pos + 1) == '+' && last_pos + 1 < limit {
                        floor = last_pos + 1;
                        last_pos = if dead { floor + 1 } else { floor };
                        group[*index].cut = true;
                        if group.len() <= *index + 1 {
                            group.push(Reading {
                                continues: true,
                                ..Reading::default()
                            });
                        }
                        *index += 1;
                        states.clear();
                        states.push(p.initial);
                    }
                    i = floor;
                    floor += 1;
                } else {
                    group[*index].add(self.undefined, text(floor, limit), &self.prefer);
                    return;
                }
            }
            i += 1;
        }
        let t = classify(&states);
        if t == -1 && *index > first {
            // A partly cut analysis is undone: it stays whole, under the last tag found.
            group.truncate(first + 1);
            *index = first;
            group[first].cut = false;
            group[first].remove(last_type as Tag);
            group[first].add(last_type as Tag, analysis, &self.prefer);
            return;
        }
        let t = if t == -1 { self.undefined as i32 } else { t };
        group[*index].add(t as Tag, text(floor, limit), &self.prefer);
    }
}

/// The words of a record, their forms in one list.
#[derive(Default)]
struct Record<'s> {
    words: Vec<Word<'s>>,
    forms: Vec<(Tag, &'s str)>,
}

/// One word of a record: the blank before it and its surface form, its forms (a range of the
/// record's), and its ambiguity class when known from the unit it came in.
struct Word<'s> {
    ignored: Cow<'s, str>,
    surface: &'s str,
    forms: Range<usize>,
    class: Option<usize>,
    cut: bool,
    continues: bool,
}

impl<'s> Record<'s> {
    fn push(&mut self, reading: Reading<'s>) {
        let start = self.forms.len();
        self.forms.extend_from_slice(&reading.forms);
        self.words.push(Word {
            ignored: reading.ignored,
            surface: reading.surface,
            forms: start..self.forms.len(),
            class: None,
            cut: reading.cut,
            continues: reading.continues,
        });
    }

    /// The words of `read`, the unit `unit` read, the first with `first`'s blank and surface.
    fn push_read(&mut self, first: Reading<'s>, read: &ReadUnit, unit: &'s str) {
        let mut first = Some((first.ignored, first.surface));
        for word in &read.words {
            let (ignored, surface) = first.take().unwrap_or((Cow::Borrowed(""), ""));
            let start = self.forms.len();
            let forms = word.forms.iter();
            self.forms
                .extend(forms.map(|&(tag, at, end)| (tag, &unit[at as usize..end as usize])));
            self.words.push(Word {
                ignored,
                surface,
                forms: start..self.forms.len(),
                class: word.class,
                cut: word.cut,
                continues: word.continues,
            });
        }
    }
}

/// The end of `bytes` from `from` that stops at one of `stops`, escapes skipped.
fn until(bytes: &[u8], from: usize, stops: &[u8]) -> usize {
    super::find_unescaped(bytes, from.min(bytes.len()), stops).unwrap_or(bytes.len())
}

/// One word as the tagger reads it, its texts borrowed from the record.
#[derive(Default, Clone)]
struct Reading<'s> {
    /// The blank before it, as written.
    ignored: Cow<'s, str>,
    surface: &'s str,
    /// Its coarse tags, sorted, with the analysis kept for each.
    forms: Vec<(Tag, &'s str)>,
    /// Ends in `+`: the next word is the rest of the same analysis.
    cut: bool,
    /// Is the rest of the word before it.
    continues: bool,
}

impl<'s> Reading<'s> {
    fn add(&mut self, tag: Tag, form: &'s str, prefer: &[String]) {
        match self.forms.binary_search_by_key(&tag, |f| f.0) {
            Err(at) => self.forms.insert(at, (tag, form)),
            Ok(at) => {
                if prefer.iter().any(|rule| contains_ignoring_case(form, rule)) {
                    self.forms[at].1 = form;
                }
            }
        }
    }

    fn remove(&mut self, tag: Tag) {
        if let Ok(at) = self.forms.binary_search_by_key(&tag, |f| f.0) {
            self.forms.remove(at);
        }
    }
}

/// `text` contains `rule` (lower case), ignoring the case of `text`'s ASCII letters.
fn contains_ignoring_case(text: &str, rule: &str) -> bool {
    let (text, rule) = (text.as_bytes(), rule.as_bytes());
    rule.is_empty()
        || text.windows(rule.len()).any(|w| {
            w.iter()
                .zip(rule)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        })
}

fn read_patterns(bytes: &mut Bytes) -> Result<Patterns, String> {
    let (tag_names, _pairs) = read_alphabet(bytes)?;
    let tags: FastMap<String, i32> = tag_names
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), -(i as i32) - 1))
        .collect();
    let symbol = |name: &str| tags.get(name).copied().ok_or(format!("no {name} tag"));
    let (any_char, any_tag) = (symbol("<ANY_CHAR>")?, symbol("<ANY_TAG>")?);
    if bytes.int()? != 1 {
        return Err("no coarse-tag transducer".to_string());
    }
    bytes.string()?;
    let mut weighted = false;
    if bytes.header(b"LTTD") {
        let features = bytes.u64_le()?;
        if features > 1 {
            return Err(format!("pattern transducer flags {features:#x}"));
        }
        weighted = features == 1;
    }
    if weighted {
        return Err("a weighted pattern transducer".to_string());
    }
    let initial = bytes.int()?;
    // The final states again, as deltas: the coarse tags below say the same.
    for _ in 0..bytes.count("pattern finals")? {
        bytes.int()?;
    }
    let states = bytes.int()?;
    let bias = tag_names.len() as i64;
    let mut transitions: Vec<(u32, i32, u32)> = Vec::new();
    for current in 0..states {
        let mut symbol: i64 = 0;
        for _ in 0..bytes.count("pattern transitions")? {
            symbol += i64::from(bytes.int()?) - bias;
            let target = ((current as u64 + bytes.int()? as u64) % states as u64) as u32;
            transitions.push((current, symbol as i32, target));
        }
    }
    transitions.sort_by_key(|&(from, symbol, _)| (from, symbol));
    if transitions
        .windows(2)
        .any(|w| w[0].0 == w[1].0 && w[0].1 == w[1].1)
    {
        return Err("a nondeterministic pattern transducer".to_string());
    }
    let mut starts = vec![0u32; states as usize + 1];
    for &(from, _, _) in &transitions {
        starts[from as usize + 1] += 1;
    }
    for i in 0..states as usize {
        starts[i + 1] += starts[i];
    }
    let mut finals = vec![-1i32; states as usize];
    for _ in 0..bytes.count("coarse tags")? {
        let node = bytes.int()? as usize;
        let tag = bytes.int()?;
        *finals
            .get_mut(node)
            .ok_or(format!("final state {node} of {states}"))? = tag as i32;
    }
    if initial >= states {
        return Err("pattern initial state out of range".to_string());
    }
    Ok(Patterns {
        tags,
        any_char,
        any_tag,
        initial,
        starts,
        transitions: transitions.into_iter().map(|(_, s, t)| (s, t)).collect(),
        finals,
    })
}
