//! The build's own state stays out of the published folder, and state that does not match the
//! output, or that names paths outside it, never leads to a wrong site or to a file touched
//! outside the output.

use std::fs;
use std::path::{Path, PathBuf};

use paralelo::{BuildOptions, build};

mod common;

const SEED: &str = "Foto. - Agencia\nPublicado: lunes, 3 marzo 2025 10:00\n\nPrimer párrafo.\n\nSegundo párrafo.\n";
const TRANSLATION: &str = "Photo. - Agency\nPublished: Monday, 3 March 2025, 10:00\n\nFirst paragraph.\n\nSecond paragraph.\n";

/// A project with two seeds in a temporary folder, its paths absolute, glosses off (they do not
/// bear on the state, and the build is quicker without them).
fn project() -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for stem in ["a", "b"] {
        fs::write(seeds.join(format!("{stem}.txt")), SEED).unwrap();
        fs::write(seeds.join(format!("{stem}.en.txt")), TRANSLATION).unwrap();
    }
    let options = BuildOptions {
        seeds,
        out: dir.path().join("public"),
        state: dir.path().join(".paralelo"),
        glosses: false,
        site: paralelo::config::SiteSettings {
            markdown_files: true,
            ..Default::default()
        },
        ..Default::default()
    };
    (dir, options)
}

/// Every file under `dir` (hidden ones too), by relative path, with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (relative, fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

fn page(options: &BuildOptions, slug: &str) -> String {
    fs::read_to_string(options.out.join(slug).join("index.html")).unwrap()
}

#[test]
fn the_output_holds_only_the_site_and_no_path_of_this_machine() {
    let (dir, options) = project();
    build(&options).unwrap();
    let root = dir.path().to_string_lossy().into_owned();
    for (path, bytes) in files(&options.out) {
        let name = path.to_string_lossy();
        assert!(!name.contains("manifest"), "{name} is build state");
        if name.starts_with('.') || name.contains("/.") {
            assert_eq!(name, ".paralelo-output", "a hidden file in the output");
            assert!(
                !bytes.iter().any(u8::is_ascii_hexdigit) || !bytes.contains(&b'/'),
                "the marker holds no path or hash"
            );
        }
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&root), "{name} names {root}");
    }
    let markdown = fs::read_to_string(options.out.join("a/es.md")).unwrap();
    assert!(markdown.contains("source = \"a.txt\""), "{markdown}");
    assert!(common::manifest(&options).is_file());
}

#[test]
fn two_outputs_of_the_same_seeds_are_identical_file_for_file() {
    let (dir, options) = project();
    build(&options).unwrap();
    let other = BuildOptions {
        out: dir.path().join("elsewhere/site"),
        ..options.clone()
    };
    build(&other).unwrap();
    let (first, second) = (files(&options.out), files(&other.out));
    assert!(first.len() > 5);
    assert_eq!(
        first.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        second.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in first.iter().zip(&second) {
        assert!(a == b, "{} differs", path.display());
    }
    // Two outputs, two separate states.
    assert_eq!(
        fs::read_dir(options.state.join("builds")).unwrap().count(),
        2
    );
}

#[test]
fn without_its_state_a_build_is_a_full_one() {
    let (_dir, options) = project();
    build(&options).unwrap();
    fs::remove_dir_all(&options.state).unwrap();
    fs::write(options.seeds.join("a.txt"), SEED.replace("Primer", "Nuevo")).unwrap();
    let report = build(&options).unwrap();
    assert_eq!(report.remade, 2, "every page made again");
    assert!(page(&options, "a").contains("Nuevo párrafo."));
    assert!(common::manifest(&options).is_file());
}

#[test]
fn state_that_does_not_match_the_output_there_now_leads_to_a_full_build() {
    let (dir, options) = project();
    build(&options).unwrap();

    // Replaced: someone put another folder in the output's place, with a stale page in it.
    let copy = dir.path().join("copy");
    fs::rename(&options.out, &copy).unwrap();
    fs::create_dir(&options.out).unwrap();
    for (path, bytes) in files(&copy) {
        let target = options.out.join(&path);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::write(target, bytes).unwrap();
    }
    fs::write(options.out.join("b/index.html"), "stale").unwrap();
    let report = build(&options).unwrap();
    assert_eq!(report.remade, 2, "a replaced output is built in full");
    assert!(page(&options, "b").contains("Primer párrafo."));

    // Deleted: the next build makes it all.
    fs::remove_dir_all(&options.out).unwrap();
    assert_eq!(build(&options).unwrap().remade, 2);
    assert!(page(&options, "a").contains("Primer párrafo."));

    // Built by another version: its manifest's header is not this version's.
    let path = common::manifest(&options);
    let text = fs::read_to_string(&path).unwrap();
    let (header, rest) = text.split_once('\t').unwrap();
    assert!(header.starts_with("paralelo-manifest"), "{header}");
    fs::write(&path, format!("paralelo-manifest 2 0.0.0\t{rest}")).unwrap();
    assert_eq!(build(&options).unwrap().remade, 2);

    // And with state that matches, a rebuild redoes nothing.
    assert_eq!(build(&options).unwrap().remade, 0);
}

#[test]
fn an_edit_that_restores_size_and_modification_time_is_seen() {
    let (_dir, options) = project();
    build(&options).unwrap();
    let path = options.seeds.join("a.txt");
    let modified = fs::metadata(&path).unwrap().modified().unwrap();
    let edited = SEED.replace("Primer", "Último");
    assert_eq!(edited.len(), SEED.len() + 1);
    let edited = edited.replacen("párrafo.", "párrafo", 1);
    assert_eq!(edited.len(), SEED.len());
    fs::write(&path, &edited).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    assert_eq!(build(&options).unwrap().remade, 1);
    assert!(page(&options, "a").contains("Último párrafo"));
}

#[test]
fn a_crafted_manifest_cannot_make_a_build_delete_outside_the_output() {
    let (dir, options) = project();
    build(&options).unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let path = common::manifest(&options);
    let text = fs::read_to_string(&path).unwrap();
    // The site's files are listed on the second line; name the victim among them, through
    // the output's parent, and as an absolute path.
    for crafted in ["../victim.txt", &victim.to_string_lossy()] {
        let (header, rest) = text.split_once('\n').unwrap();
        let rest = rest.replacen("site\t", &format!("site\t{crafted}\u{1f}"), 1);
        fs::write(&path, format!("{header}\n{rest}")).unwrap();
        fs::remove_file(options.seeds.join("b.txt")).unwrap();
        let err = build(&options).unwrap_err().to_string();
        assert!(err.contains("not a file inside the output folder"), "{err}");
        assert!(err.contains(&*path.to_string_lossy()), "{err}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        fs::write(options.seeds.join("b.txt"), SEED).unwrap();
    }
}

#[test]
fn a_crafted_journal_cannot_make_a_build_delete_outside_the_output() {
    let (dir, options) = project();
    build(&options).unwrap();
    let victim = dir.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let staging = dir.path().join(".public.paralelo-new");
    for crafted in [
        victim.to_string_lossy().into_owned(),
        "../victim.txt".into(),
    ] {
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join(".paralelo-output"), "").unwrap();
        fs::write(
            staging.join(".paralelo-journal"),
            format!("r\t{crafted}\nend\n"),
        )
        .unwrap();
        let err = build(&options).unwrap_err().to_string();
        assert!(err.contains("not a file inside the output folder"), "{err}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(staging.join(".paralelo-journal").is_file(), "left alone");
        fs::remove_dir_all(&staging).unwrap();
    }
    build(&options).unwrap();
}

#[test]
fn without_its_state_a_build_keeps_what_it_does_not_write_again() {
    let (_dir, options) = project();
    build(&options).unwrap();
    fs::write(options.out.join("CNAME"), "example.org\n").unwrap();
    fs::remove_dir_all(&options.state).unwrap();
    fs::write(options.seeds.join("a.txt"), SEED.replace("Primer", "Nuevo")).unwrap();
    build(&options).unwrap();
    assert_eq!(
        fs::read_to_string(options.out.join("CNAME")).unwrap(),
        "example.org\n",
        "a file the build does not write may be the user's: it stays"
    );
    assert!(page(&options, "a").contains("Nuevo párrafo."));
}

#[test]
fn a_backup_copied_back_in_place_of_the_output_is_built_in_full() {
    let (dir, options) = project();
    build(&options).unwrap();
    let backup = dir.path().join("backup");
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(&options.out)
        .arg(&backup)
        .status()
        .unwrap();
    assert!(copied.success());
    fs::remove_dir_all(backup.join("b")).unwrap();
    // Deleted, then the backup copied back: the file system may give it the same inode.
    fs::remove_dir_all(&options.out).unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(&backup)
        .arg(&options.out)
        .status()
        .unwrap();
    assert!(copied.success());
    build(&options).unwrap();
    assert!(page(&options, "b").contains("Primer párrafo."));
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_is_built_where_it_leads() {
    let (dir, options) = project();
    let www = dir.path().join("www");
    build(&BuildOptions {
        out: www.clone(),
        ..options.clone()
    })
    .unwrap();
    fs::write(www.join("CNAME"), "example.org\n").unwrap();
    std::os::unix::fs::symlink(&www, &options.out).unwrap();
    build(&options).unwrap();
    build(&options).unwrap();
    assert!(
        fs::symlink_metadata(&options.out)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(www.join("CNAME")).unwrap(),
        "example.org\n"
    );
    assert!(page(&options, "a").contains("Primer párrafo."));
}
