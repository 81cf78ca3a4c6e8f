//! The site's id, which keeps one site's word statuses apart from another's in a reader's
//! browser: its address when it has one, otherwise its title and a random id made once and kept
//! in the state folder.

use std::path::Path;

use crate::config::BuildOptions;
use crate::error::{Error, Result};
use crate::record::StableHasher;

/// The file in the state folder that keeps the random part.
const FILE: &str = "site-id";

/// The id of the site `options` build.
pub(super) fn site_id(options: &BuildOptions) -> Result<String> {
    if let Some(base) = &options.site.base_url {
        return Ok(base.clone());
    }
    let random = kept_or_new(&options.state)?;
    Ok(format!("{} {random}", options.site.title))
}

/// The random id kept in `state`, made and kept now if there is none. Two builds that start
/// at once (of two output folders, say) agree on one: the file is put in place by a hard link,
/// which fails when another build's is there, and that one is read.
fn kept_or_new(state: &Path) -> Result<String> {
    let path = state.join(FILE);
    let kept = || {
        let text = std::fs::read_to_string(&path).ok()?;
        let id = text.trim();
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_string())
    };
    if let Some(id) = kept() {
        return Ok(id);
    }
    // Random enough to tell two sites apart: the time, the process and a stack address.
    let mut hash = StableHasher::new();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    hash.write(format!("{now:?} {} {:p}", std::process::id(), &path).as_bytes());
    let id = format!("{:016x}", hash.finish());
    std::fs::create_dir_all(state).map_err(|e| Error::io(state, "create the state folder", e))?;
    let temporary = state.join(format!("{FILE}.{id}.tmp"));
    std::fs::write(&temporary, format!("{id}\n")).map_err(|e| Error::io(&temporary, "write", e))?;
    let linked = std::fs::hard_link(&temporary, &path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => Ok(id),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            kept().ok_or_else(|| Error::io(&path, "read", e))
        }
        // A file system without hard links: the id is written in place.
        Err(_) => {
            std::fs::write(&path, format!("{id}\n")).map_err(|e| Error::io(&path, "write", e))?;
            Ok(id)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join(".paralelo");
        let first = kept_or_new(&state).unwrap();
        assert_eq!(first.len(), 16);
        assert_eq!(kept_or_new(&state).unwrap(), first);
        let options = BuildOptions {
            state: state.clone(),
            ..Default::default()
        };
        assert_eq!(site_id(&options).unwrap(), format!("paralelo {first}"));
        let mut hosted = options.clone();
        hosted.site.base_url = Some("https://example.org/".into());
        assert_eq!(site_id(&hosted).unwrap(), "https://example.org/");
    }

    #[test]
    fn builds_that_start_at_once_agree_on_one_id() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let state = dir.path().join(".paralelo");
            let ids: Vec<String> = std::thread::scope(|scope| {
                let threads: Vec<_> = (0..4)
                    .map(|_| scope.spawn(|| kept_or_new(&state).unwrap()))
                    .collect();
                threads.into_iter().map(|t| t.join().unwrap()).collect()
            });
            assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
            assert_eq!(kept_or_new(&state).unwrap(), ids[0]);
        }
    }
}
