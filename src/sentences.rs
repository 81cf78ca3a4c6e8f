//! Placeholder until the splitter lands.
use std::ops::Range;
pub fn split(text: &str, _lang: &str) -> Vec<Range<usize>> {
    if text.is_empty() {
        Vec::new()
    } else {
        vec![0..text.len()]
    }
}
