//! Placeholder until the aligner lands.
use std::ops::Range;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub source: Range<usize>,
    pub target: Range<usize>,
}
pub fn align(source_lens: &[usize], target_lens: &[usize]) -> Vec<Link> {
    vec![Link {
        source: 0..source_lens.len(),
        target: 0..target_lens.len(),
    }]
}
