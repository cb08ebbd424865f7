//! Planning a job: the files under its inputs (walked in name order, symbolic links and what
//! is not a regular file passed over and reported), the include and exclude globs, and where
//! each output goes; writing into an input tree is refused unless the job is in place.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{BatchOptions, Item, MANIFEST, Plan, TMP_PREFIX};
use crate::error::{Error, Result};

fn globs(patterns: &[String], what: &str) -> Result<Option<globset::GlobSet>> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = globset::GlobSetBuilder::new();
    for p in patterns {
        b.add(globset::Glob::new(p).map_err(|e| Error::config(format!("--{what} {p:?}: {e}")))?);
    }
    b.build()
        .map(Some)
        .map_err(|e| Error::config(format!("--{what}: {e}")))
}

fn absolute(p: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(p).map_err(|e| Error::io_path(p, e))?;
    // Resolve what exists, so `a/../b` and symlinked parents compare truthfully, also for an
    // output directory that does not exist yet (`other/../in/out`).
    let mut cur = PathBuf::new();
    let mut real = true;
    for c in abs.components() {
        match c {
            std::path::Component::Normal(n) => {
                cur.push(n);
                if real {
                    match fs::canonicalize(&cur) {
                        Ok(r) => cur = r,
                        Err(_) => real = false,
                    }
                }
            }
            std::path::Component::ParentDir => {
                cur.pop();
            }
            std::path::Component::CurDir => {}
            other => cur.push(other),
        }
    }
    Ok(cur)
}

/// Finds the files of a job and where each output goes.
///
/// # Errors
/// [`ErrorKind::Config`](crate::ErrorKind::Config) for a missing input, a bad glob, an
/// output inside an input tree without `in_place`, or two inputs that would write the same
/// output.
pub fn plan(inputs: &[PathBuf], opts: &BatchOptions) -> Result<Plan> {
    if inputs.is_empty() {
        return Err(Error::config(
            "batch needs at least one input file or directory",
        ));
    }
    let include = globs(&opts.include, "include")?;
    let exclude = globs(&opts.exclude, "exclude")?;
    let out = match (&opts.out, opts.in_place) {
        (Some(o), _) => Some(absolute(o)?),
        (None, true) => None,
        (None, false) => {
            return Err(Error::config(
                "batch needs --out DIR (or --in-place to replace the inputs)",
            ));
        }
    };
    let single_dir = inputs.len() == 1 && inputs[0].is_dir();
    let mut items = Vec::new();
    let mut passed_over = Vec::new();
    let mut root = None;
    for input in inputs {
        let meta = fs::metadata(input)
            .map_err(|e| Error::config(format!("{}: cannot read: {e}", input.display())))?;
        let abs = absolute(input)?;
        if let Some(o) = &out
            && meta.is_dir()
            && o.starts_with(&abs)
            && !opts.in_place
        {
            return Err(Error::config(format!(
                "{} is inside the input {}: refusing to write into the input tree (give --in-place to allow it)",
                o.display(),
                input.display()
            )));
        }
        let base = if single_dir {
            PathBuf::new()
        } else {
            PathBuf::from(abs.file_name().unwrap_or(abs.as_os_str()))
        };
        if root.is_none() {
            root = Some(match &out {
                Some(o) => o.clone(),
                None if meta.is_dir() => abs.clone(),
                None => abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf),
            });
        }
        let mut found = Found::default();
        if meta.is_dir() {
            walk(
                &abs,
                Path::new(""),
                out.as_deref(),
                exclude.as_ref(),
                &mut found,
            )?;
        } else {
            found.files.push((abs.clone(), PathBuf::new(), meta.len()));
        }
        passed_over.append(&mut found.passed);
        for (path, rel_in_input, size) in found.files {
            let rel = if meta.is_dir() {
                base.join(&rel_in_input)
            } else {
                PathBuf::from(abs.file_name().unwrap_or_default())
            };
            let matches = |set: &Option<globset::GlobSet>| {
                set.as_ref()
                    .is_some_and(|s| s.is_match(&rel) || s.is_match(&rel_in_input))
            };
            if (include.is_some() && !matches(&include)) || matches(&exclude) {
                continue;
            }
            let output = match &out {
                Some(o) => o.join(&rel),
                None => path.clone(),
            };
            if output == path && !opts.in_place {
                return Err(Error::config(format!(
                    "{}: the output would replace the input (give --in-place to allow it)",
                    path.display()
                )));
            }
            items.push(Item {
                input: path,
                rel,
                output,
                size,
            });
        }
    }
    let mut seen = HashMap::new();
    for it in &items {
        if let Some(other) = seen.insert(it.output.clone(), it.input.clone()) {
            return Err(Error::config(format!(
                "{} and {} would both write {}",
                other.display(),
                it.input.display(),
                it.output.display()
            )));
        }
    }
    Ok(Plan {
        items,
        passed_over,
        root: root.expect("at least one input"),
    })
}

/// What a walk of an input tree found: files (path, path within the input, size), and
/// entries passed over with why.
#[derive(Default)]
struct Found {
    files: Vec<(PathBuf, PathBuf, u64)>,
    passed: Vec<(PathBuf, &'static str)>,
}

fn walk(
    dir: &Path,
    rel: &Path,
    out: Option<&Path>,
    exclude: Option<&globset::GlobSet>,
    found: &mut Found,
) -> Result<()> {
    if out.is_some_and(|o| o == dir) {
        return Ok(()); // the output tree inside an input tree (--in-place) is not input
    }
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| Error::config(format!("{}: cannot list: {e}", dir.display())))?
        .filter_map(std::result::Result::ok)
        .collect();
    entries.sort_by_key(fs::DirEntry::file_name);
    for e in entries {
        let name = e.file_name();
        let name_str = name.to_string_lossy();
        if name_str.starts_with(TMP_PREFIX) || name_str == MANIFEST {
            continue;
        }
        let path = e.path();
        let r = rel.join(&name);
        let Ok(ft) = e.file_type() else { continue };
        if exclude.is_some_and(|x| x.is_match(&r)) {
            continue;
        }
        if ft.is_dir() {
            walk(&path, &r, out, exclude, found)?;
        } else if ft.is_file() {
            let size = e.metadata().map_or(0, |m| m.len());
            found.files.push((path, r, size));
        } else if ft.is_symlink() {
            // Not followed inside a tree (no loops, no escapes from it), but reported.
            found
                .passed
                .push((path, "a symbolic link inside an input tree: not followed"));
        } else {
            found
                .passed
                .push((path, "not a regular file: not processed"));
        }
    }
    Ok(())
}
