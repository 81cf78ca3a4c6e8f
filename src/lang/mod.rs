//! Per-language data in one place: language codes and names, and (in its modules) the words of
//! datelines and the quotation marks.

pub mod abbreviations;
pub mod dates;
pub mod marks;

/// The name of a language in that language, for column headings.
pub fn language_name(lang: &str) -> &str {
    match lang {
        "es" => "Español",
        "en" => "English",
        "fr" => "Français",
        "pt" => "Português",
        "ca" => "Català",
        "de" => "Deutsch",
        "it" => "Italiano",
        other => other,
    }
}

/// Apertium names its modes with three-letter language codes.
pub fn iso639_3(lang: &str) -> &str {
    match lang {
        "es" => "spa",
        "en" => "eng",
        "ca" => "cat",
        "fr" => "fra",
        "pt" => "por",
        "it" => "ita",
        "gl" => "glg",
        "eu" => "eus",
        "de" => "deu",
        "oc" => "oci",
        "ro" => "ron",
        other => other,
    }
}
