//! The words search knows: text cut at every character that is neither a letter nor a digit,
//! lower-cased and folded to plain letters (`Energético` → `energetico`), as `static/search.js`
//! does to what the reader types; and the grammar words left out of the index.

/// Letters with accents and ligatures, and what they fold to. `static/search.js` has the same
/// table: change both together.
const FOLDS: [(&str, &str); 15] = [
    ("àáâãäåāą", "a"),
    ("çćč", "c"),
    ("ďđ", "d"),
    ("èéêëēęě", "e"),
    ("ìíîïī", "i"),
    ("ł", "l"),
    ("ñńň", "n"),
    ("òóôõöøō", "o"),
    ("řŕ", "r"),
    ("śšş", "s"),
    ("ťţ", "t"),
    ("ùúûüūů", "u"),
    ("ýÿ", "y"),
    ("źžż", "z"),
    ("ß", "ss"),
];

/// Words too common to find anything by, in the source and target languages the site ships
/// (Spanish and English). They are still matched as prefixes of longer words.
const STOP_WORDS: &[&str] = &[
    // Spanish
    "al", "como", "con", "de", "del", "el", "en", "es", "esta", "este", "ha", "la", "las", "le",
    "les", "lo", "los", "mas", "no", "o", "para", "pero", "por", "que", "se", "sin", "sobre", "su",
    "sus", "un", "una", "uno", "y", "ya", // English
    "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "he", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "which", "with",
];

/// The shortest word the index keeps, and the shortest a query looks up.
pub const MIN_LEN: usize = 2;

/// `c` lower-cased and without its accent, pushed onto `out`.
fn fold_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    for lower in c.to_lowercase() {
        match FOLDS.iter().find(|(from, _)| from.contains(lower)) {
            Some((_, to)) => out.push_str(to),
            None => out.push(lower),
        }
    }
}

/// Every word of `text`, folded, in order, repeats included.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut folded = String::with_capacity(w.len());
            for c in w.chars() {
                fold_into(c, &mut folded);
            }
            folded
        })
}

/// Whether `word` (folded) goes into the index.
pub fn indexed(word: &str) -> bool {
    word.chars().count() >= MIN_LEN && !STOP_WORDS.contains(&word)
}

/// The name of the shard file that holds `word`: its first two letters, each kept when it is a
/// plain ASCII letter or digit and written as `_` and its hexadecimal code point otherwise.
pub fn shard_key(word: &str) -> String {
    let mut key = String::new();
    for c in word.chars().take(MIN_LEN) {
        if c.is_ascii_alphanumeric() {
            key.push(c);
        } else {
            key.push_str(&format!("_{:x}", c as u32));
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_accents_and_case() {
        let all: Vec<String> = words("El «Energético» Zelenski, año 2025; ÑANDÚ-Straße").collect();
        assert_eq!(
            all,
            [
                "el",
                "energetico",
                "zelenski",
                "ano",
                "2025",
                "nandu",
                "strasse"
            ]
        );
        assert!(!indexed("el") && !indexed("a") && indexed("ano"));
        assert_eq!(shard_key("energetico"), "en");
        assert_eq!(shard_key("київ"), "_43a_438");
    }
}
