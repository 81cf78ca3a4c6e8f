//! The words of datelines: month and day names and the labels and fillers around them.

/// The name of month `month0` (0 is January) in `lang`, in lower case.
pub fn month_name(lang: &str, month0: usize) -> Option<&'static str> {
    DateWords::for_lang(lang)?.months.get(month0).copied()
}

/// The name of day `from_monday` of the week (0 is Monday) in `lang`, in lower case.
pub fn weekday_name(lang: &str, from_monday: usize) -> Option<&'static str> {
    DateWords::for_lang(lang)?
        .weekdays
        .get(from_monday)
        .copied()
}

/// Whether `word` names a month or a day of the week in `lang`, in any case.
pub fn is_date_name(lang: &str, word: &str) -> bool {
    DateWords::for_lang(lang).is_some_and(|words| {
        words
            .months
            .iter()
            .chain(&words.weekdays)
            .any(|name| name.eq_ignore_ascii_case(word))
    })
}

/// The words of a dateline in one language.
pub(crate) struct DateWords {
    pub(crate) labels: &'static [&'static str],
    pub(crate) months: [&'static str; 12],
    pub(crate) weekdays: [&'static str; 7],
    /// Words that join the parts, like the `de` of `5 de noviembre de 2025`.
    pub(crate) fillers: &'static [&'static str],
}

impl DateWords {
    pub(crate) fn for_lang(lang: &str) -> Option<&'static DateWords> {
        match lang {
            "es" => Some(&SPANISH),
            "en" => Some(&ENGLISH),
            _ => None,
        }
    }
}

static SPANISH: DateWords = DateWords {
    labels: &["Publicado", "Actualizado"],
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    weekdays: [
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
    ],
    fillers: &["de", "del", "a", "las", "horas", "h"],
};

static ENGLISH: DateWords = DateWords {
    labels: &["Published", "Updated"],
    months: [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    weekdays: [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ],
    fillers: &["of", "at", "on"],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_names_in_both_languages() {
        assert_eq!(month_name("es", 10), Some("noviembre"));
        assert_eq!(weekday_name("en", 2), Some("wednesday"));
        assert_eq!(month_name("en", 12), None);
        assert!(is_date_name("en", "May") && is_date_name("es", "Miércoles"));
        assert!(!is_date_name("en", "Maybe") && !is_date_name("fr", "mai"));
    }
}
