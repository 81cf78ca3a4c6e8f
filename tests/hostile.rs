//! What a build does when the file system or the project works against it: two builds at once,
//! a user's file where a page would go, links and special files among the inputs, an output
//! folder in the wrong place, odd encodings and datelines. Nothing is lost, nothing leaks out,
//! nothing hangs.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use paralelo::{BuildOptions, build};

mod common;

const TRANSLATION: &str = "Photo. - Agency\nPublished: Monday, 3 March 2025, 10:00\n\nFirst paragraph.\n\nSecond paragraph.\n";

fn seed(n: usize) -> String {
    format!(
        "Foto. - Agencia\nPublicado: lunes, 3 marzo 2025 10:{:02}\n\nPrimer párrafo {n}.\n\nSegundo párrafo.\n",
        n % 60
    )
}

/// A project of `count` seeds with translations in a temporary folder, glosses off.
fn project(count: usize) -> (tempfile::TempDir, BuildOptions) {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds");
    fs::create_dir(&seeds).unwrap();
    for n in 0..count {
        fs::write(seeds.join(format!("s{n:03}.txt")), seed(n)).unwrap();
        fs::write(seeds.join(format!("s{n:03}.en.txt")), TRANSLATION).unwrap();
    }
    let options = BuildOptions {
        seeds,
        out: dir.path().join("public"),
        state: dir.path().join(".paralelo"),
        project: dir.path().to_path_buf(),
        glosses: false,
        machine: None,
        ..Default::default()
    };
    (dir, options)
}

/// Runs `f` on a thread and fails the test if it takes longer than `limit`: a hang is a failure,
/// not a test that never ends.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("still running after {limit:?}: it hangs"))
}

/// The articles the index pages list, by slug.
fn listed(out: &Path) -> Vec<String> {
    let mut slugs = Vec::new();
    let mut page = out.join("index.html");
    loop {
        let html = fs::read_to_string(&page).unwrap();
        slugs.extend(
            html.match_indices("/index.html\"")
                .filter_map(|(end, _)| {
                    let start = html[..end].rfind('"')? + 1;
                    Some(html[start..end].rsplit('/').next()?.to_string())
                })
                .filter(|s| s.starts_with('s')),
        );
        let n = slugs.len() / 50 + 1;
        page = out.join(format!("page/{n}/index.html"));
        if !page.is_file() {
            break;
        }
    }
    slugs.sort();
    slugs.dedup();
    slugs
}

/// The output is a whole site of `count` articles, each page the current text of its seed, and
/// the next build finds nothing to do.
fn assert_whole(options: &BuildOptions, count: usize, text: &dyn Fn(usize) -> String) {
    assert_eq!(
        listed(&options.out).len(),
        count,
        "the index lists every article"
    );
    for n in 0..count {
        let page = fs::read_to_string(options.out.join(format!("s{n:03}/index.html"))).unwrap();
        assert!(page.contains(&text(n)), "s{n:03} is stale");
    }
    let report = build(options).expect("the folder stays usable");
    assert_eq!(report.remade, 0, "the next build has nothing to redo");
}

#[test]
fn two_builds_of_one_folder_at_once_take_turns() {
    let (_dir, options) = project(150);
    for (round, delay_ms) in [0u64, 3, 15, 60].into_iter().enumerate() {
        // Each round changes every seed, so both builds have work to do.
        for n in 0..150 {
            let text = seed(n).replace("Primer párrafo", &format!("Ronda{round}"));
            fs::write(options.seeds.join(format!("s{n:03}.txt")), text).unwrap();
        }
        let first = {
            let options = options.clone();
            thread::spawn(move || build(&options))
        };
        thread::sleep(Duration::from_millis(delay_ms));
        let second = build(&options);
        let first = first.join().unwrap();
        assert!(first.is_ok() && second.is_ok(), "{first:?} {second:?}");
        assert_whole(&options, 150, &|n| format!("Ronda{round} {n}."));
    }
}

#[test]
fn a_second_build_waits_or_without_wait_fails_at_once() {
    let (dir, options) = project(2);
    build(&options).unwrap();
    // Another build holds the lock: the file beside the output that every build locks.
    let lock = fs::File::options()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.path().join(".public.paralelo-lock"))
        .unwrap();
    lock.lock().unwrap();
    let impatient = BuildOptions {
        wait: false,
        ..options.clone()
    };
    let err = build(&impatient).unwrap_err().to_string();
    assert!(err.contains("another paralelo build"), "{err}");
    let waiting = {
        let options = options.clone();
        thread::spawn(move || build(&options).map(|r| (r.pages, Instant::now())))
    };
    thread::sleep(Duration::from_millis(300));
    assert!(
        !waiting.is_finished(),
        "the second build waits for the first"
    );
    let released = Instant::now();
    drop(lock);
    let (pages, done) = waiting.join().unwrap().unwrap();
    assert_eq!(pages, 2);
    assert!(done >= released);
}

#[test]
fn a_command_line_build_and_a_serve_rebuild_take_turns() {
    use paralelo::config::Overrides;
    let (dir, options) = project(80);
    let config = dir.path().join("paralelo.toml");
    fs::write(
        &config,
        format!(
            "seeds = '{}'\nout = '{}'\nglosses = false\n[translation]\nengine = \"none\"\n",
            options.seeds.display(),
            options.out.display()
        ),
    )
    .unwrap();
    let overrides = Overrides {
        config: Some(config.clone()),
        ..Default::default()
    };
    let server = common::Server::start(overrides, Duration::from_secs(60));
    let cli = BuildOptions {
        state: dir.path().join(".paralelo"),
        ..options.clone()
    };
    for round in 0..4 {
        // Serve sees the change and rebuilds while the command line builds the same change.
        for n in 0..80 {
            let text = seed(n).replace("Primer párrafo", &format!("Vuelta{round}"));
            fs::write(options.seeds.join(format!("s{n:03}.txt")), text).unwrap();
        }
        thread::sleep(Duration::from_millis(150 + 40 * round));
        build(&cli).unwrap();
    }
    // Let serve's last rebuild finish, then stop it.
    thread::sleep(Duration::from_millis(1500));
    server.finish();
    assert_whole(&cli, 80, &|n| format!("Vuelta3 {n}."));
}

#[test]
fn a_rebuild_never_overwrites_a_users_file() {
    let (_dir, options) = project(2);
    build(&options).unwrap();
    fs::create_dir(options.out.join("notes")).unwrap();
    fs::write(options.out.join("notes/index.html"), "precious").unwrap();
    fs::write(options.seeds.join("notes.txt"), seed(7)).unwrap();
    fs::write(options.seeds.join("notes.en.txt"), TRANSLATION).unwrap();
    let err = build(&options).unwrap_err().to_string();
    assert!(
        err.contains("notes/index.html") && err.contains("not paralelo's"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(options.out.join("notes/index.html")).unwrap(),
        "precious"
    );
    // Its other pages are as they were, and the folder is still usable.
    fs::remove_file(options.seeds.join("notes.txt")).unwrap();
    fs::remove_file(options.seeds.join("notes.en.txt")).unwrap();
    assert_eq!(build(&options).unwrap().remade, 0);
}

#[test]
fn many_changed_seeds_make_a_full_build_without_a_first_pass() {
    let (_dir, options) = project(520);
    build(&options).unwrap();
    for n in 0..520 {
        let text = seed(n).replace("Primer párrafo", "Cambiado");
        fs::write(options.seeds.join(format!("s{n:03}.txt")), text).unwrap();
    }
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let before = inode(&options.out);
    // Every seed is made once: no rebuild pass that renders them all before giving up.
    let made = std::sync::atomic::AtomicUsize::new(0);
    let report = paralelo::build_with_progress(&options, &|_| {
        made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(made.into_inner(), 520, "each seed processed once");
    assert_eq!(report.remade, 520);
    assert_ne!(
        inode(&options.out),
        before,
        "a full build swaps in a new folder"
    );
    assert_whole(&options, 520, &|n| format!("Cambiado {n}."));
}

#[test]
fn links_out_of_the_project_in_static_and_templates_are_refused() {
    let (dir, options) = project(1);
    let secret = tempfile::NamedTempFile::new().unwrap();
    fs::write(secret.path(), "secret").unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for folder in ["static", "templates"] {
        let copy = dir.path().join(folder);
        fs::create_dir(&copy).unwrap();
        for entry in fs::read_dir(root.join(folder)).unwrap() {
            let entry = entry.unwrap();
            fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
        }
    }
    let options = BuildOptions {
        templates: Some(dir.path().join("templates")),
        static_dir: Some(dir.path().join("static")),
        ..options
    };
    // A link inside the project is fine.
    std::os::unix::fs::symlink(
        dir.path().join("static/style.css"),
        dir.path().join("static/copy.css"),
    )
    .unwrap();
    build(&options).unwrap();
    for (link, name) in [
        ("static/passwd.txt", "static"),
        ("templates/x.html", "templates"),
    ] {
        let link = dir.path().join(link);
        std::os::unix::fs::symlink(secret.path(), &link).unwrap();
        let err = build(&options).unwrap_err().to_string();
        assert!(
            err.contains("outside the project folder") && err.contains(&*link.to_string_lossy()),
            "{name}: {err}"
        );
        fs::remove_file(&link).unwrap();
    }
    let published = walkdir::WalkDir::new(&options.out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .any(|e| fs::read(e.path()).unwrap() == b"secret");
    assert!(!published, "the secret was published");
    // A static folder set on purpose outside the project stays allowed.
    let elsewhere = tempfile::tempdir().unwrap();
    fs::copy(
        root.join("static/style.css"),
        elsewhere.path().join("style.css"),
    )
    .unwrap();
    fs::copy(
        root.join("static/paralelo.js"),
        elsewhere.path().join("paralelo.js"),
    )
    .unwrap();
    build(&BuildOptions {
        static_dir: Some(elsewhere.path().to_path_buf()),
        ..options
    })
    .unwrap();
}

#[test]
fn an_output_inside_an_input_folder_is_refused() {
    let (dir, options) = project(1);
    for inside in [options.seeds.join("site"), options.seeds.clone()] {
        let err = build(&BuildOptions {
            out: inside.clone(),
            ..options.clone()
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("seeds") && (err.contains("inside") || err.contains("holds")),
            "{}: {err}",
            inside.display()
        );
    }
    assert!(!options.seeds.join("site").exists());
    // And seeds inside the output.
    let err = build(&BuildOptions {
        out: dir.path().to_path_buf(),
        force: true,
        ..options.clone()
    })
    .unwrap_err()
    .to_string();
    assert!(err.contains("cannot be the output folder"), "{err}");
}

#[test]
fn new_takes_a_seeds_name_not_a_path() {
    let (dir, options) = project(1);
    fs::write(dir.path().join("x.txt"), seed(1)).unwrap();
    for stem in ["../x", "/etc/passwd", "..", "", "a/../../x"] {
        let err = paralelo::new_translation(&options, stem)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not the name of a seed"), "{stem}: {err}");
    }
    assert!(!dir.path().join("x.en.txt").exists());
    fs::remove_file(options.seeds.join("s000.en.txt")).unwrap();
    let path = paralelo::new_translation(&options, "s000.txt").unwrap();
    assert_eq!(path, options.seeds.join("s000.en.txt"));
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", path.display());
}

#[cfg(unix)]
#[test]
fn a_fifo_in_an_inputs_place_is_an_error_not_a_hang() {
    let (dir, options) = project(1);
    let translation = options.seeds.join("s000.en.txt");
    fs::remove_file(&translation).unwrap();
    mkfifo(&translation);
    for check in [false, true] {
        let options = options.clone();
        let err = within(Duration::from_secs(20), move || {
            if check {
                paralelo::check(&options).map(|_| ())
            } else {
                build(&options).map(|_| ())
            }
        })
        .unwrap_err()
        .to_string();
        assert!(err.contains("s000.en.txt") && err.contains("FIFO"), "{err}");
    }
    fs::remove_file(&translation).unwrap();
    fs::write(&translation, TRANSLATION).unwrap();
    let config = dir.path().join("paralelo.toml");
    mkfifo(&config);
    let overrides = paralelo::config::Overrides {
        config: Some(config),
        ..Default::default()
    };
    let err = within(Duration::from_secs(20), move || {
        paralelo::config::resolve(overrides).map(|_| ())
    })
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("paralelo.toml") && err.contains("FIFO"),
        "{err}"
    );
}

#[test]
fn a_dateline_the_clocks_skip_is_moved_on_with_a_warning() {
    let (_dir, options) = project(1);
    let text = seed(0).replace("lunes, 3 marzo 2025 10:00", "domingo, 30 marzo 2025 02:30");
    fs::write(options.seeds.join("s000.txt"), text).unwrap();
    let report = build(&options).unwrap();
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("s000.txt (line 2)") && w.contains("does not exist")),
        "{warnings:?}"
    );
    let page = fs::read_to_string(options.out.join("s000/index.html")).unwrap();
    assert!(
        page.contains("2025-03-30T03:30:00+02:00"),
        "the moment a gap moves it to"
    );
}

#[test]
fn a_utf16_seed_is_read_as_what_it_says_it_is() {
    let (_dir, options) = project(1);
    let path: PathBuf = options.seeds.join("s000.txt");
    let text = seed(0).replace("Primer", "Año primer");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(&path, bytes).unwrap();
    build(&options).unwrap();
    let page = fs::read_to_string(options.out.join("s000/index.html")).unwrap();
    assert!(page.contains("Año primer párrafo 0."));
}

/// Runs `script` with `sh` in a mount namespace of its own (as root, through `unshare -m`), so
/// that it may mount file systems that vanish with it; `None` (the test skipped, or failed
/// under CI) where that is impossible. The script sees `$PARALELO`, the binary under test.
#[cfg(target_os = "linux")]
fn in_mount_namespace(test: &str, script: &str) -> Option<std::process::Output> {
    let can = std::process::Command::new("unshare")
        .args([
            "-m",
            "sh",
            "-c",
            "d=$(mktemp -d) && mount -t tmpfs t \"$d\" && umount \"$d\"",
        ])
        .output()
        .is_ok_and(|o| o.status.success());
    if !common::tools_present(
        test,
        &[("unshare -m with mount (root)", can)],
        "run as root",
    ) {
        return None;
    }
    let output = std::process::Command::new("unshare")
        .args(["-m", "sh", "-ec", script])
        .env("PARALELO", env!("CARGO_BIN_EXE_paralelo"))
        .output()
        .unwrap();
    println!("{}", String::from_utf8_lossy(&output.stdout));
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    Some(output)
}

/// The shell words that build `options`' seeds into `out` without glosses or machine
/// translation.
#[cfg(target_os = "linux")]
fn build_command(options: &BuildOptions, out: &Path) -> String {
    format!(
        "\"$PARALELO\" -q --no-glosses --mt none --seeds '{}' --out '{}'",
        options.seeds.display(),
        out.display()
    )
}

#[cfg(target_os = "linux")]
#[test]
fn force_keeps_the_users_folders_their_modes_and_what_is_mounted_inside() {
    let (dir, options) = project(3);
    let out = dir.path().join("shared");
    let build = build_command(&options, &out);
    let script = format!(
        r#"cd '{root}'
mkdir -p '{out}/mnt' '{out}/empty' '{out}/mine'
chmod 700 '{out}/mine'
echo mine > '{out}/mine/notes.txt'
mount -t tmpfs tmpfs '{out}/mnt'
echo kept > '{out}/mnt/file.txt'
{build} --force
{build} --force
test "$(cat '{out}/mnt/file.txt')" = kept || {{ echo "the mount was emptied"; exit 1; }}
test -d '{out}/empty' || {{ echo "the empty folder went"; exit 1; }}
test "$(stat -c %a '{out}/mine')" = 700 || {{ echo "the mode changed"; exit 1; }}
test "$(cat '{out}/mine/notes.txt')" = mine || {{ echo "the notes went"; exit 1; }}
test -f '{out}/s000/index.html' || {{ echo "no page"; exit 1; }}
if ls -a '{root}' | grep -q paralelo-new; then echo "a staging folder is left"; exit 1; fi
echo whole"#,
        root = dir.path().display(),
        out = out.display(),
    );
    let Some(output) = in_mount_namespace("force_keeps_…_mounted_inside", &script) else {
        return;
    };
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("whole"));
}

#[cfg(target_os = "linux")]
#[test]
fn an_output_that_is_a_mount_point_builds_and_rebuilds() {
    let (dir, options) = project(3);
    let out = dir.path().join("public");
    let build = build_command(&options, &out);
    let seed = options.seeds.join("s001.txt");
    let script = format!(
        r#"cd '{root}'
mkdir -p '{out}'
mount -t tmpfs tmpfs '{out}'
{build}
test -f '{out}/s002/index.html'
sed -i 's/Primer/Cambiado/' '{seed}'
rm -rf '{root}/.paralelo'
{build}
grep -q 'Cambiado' '{out}/s001/index.html' || {{ echo "not rebuilt"; exit 1; }}
if ls -a '{root}' | grep -q paralelo-new; then echo "a staging folder is left"; exit 1; fi
echo whole"#,
        root = dir.path().display(),
        out = out.display(),
        seed = seed.display(),
    );
    let Some(output) = in_mount_namespace("an_output_that_is_a_mount_point…", &script) else {
        return;
    };
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("whole"));
}

#[cfg(target_os = "linux")]
#[test]
fn an_output_on_an_overlays_lower_layer_builds() {
    let (dir, options) = project(3);
    let lower = dir.path().join("lower");
    fs::create_dir(&lower).unwrap();
    build(&BuildOptions {
        out: lower.join("public"),
        ..options.clone()
    })
    .unwrap();
    let merged = dir.path().join("merged");
    let out = merged.join("public");
    let build = build_command(&options, &out);
    let seed = options.seeds.join("s001.txt");
    let script = format!(
        r#"cd '{root}'
mkdir -p upper work '{merged}'
mount -t overlay overlay -o lowerdir='{lower}',upperdir=upper,workdir=work '{merged}'
sed -i 's/Primer/Cambiado/' '{seed}'
{build}
grep -q 'Cambiado' '{out}/s001/index.html' || {{ echo "not rebuilt"; exit 1; }}
test -f '{out}/s002/index.html'
echo whole"#,
        root = dir.path().display(),
        lower = lower.display(),
        merged = merged.display(),
        out = out.display(),
        seed = seed.display(),
    );
    let Some(output) = in_mount_namespace("an_output_on_an_overlays_lower_layer…", &script)
    else {
        return;
    };
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("whole"));
}
