//! A fresh directory for one test's or bench's files (a SQLite database, a carrier log),
//! removed when it ends.
//!
//! Included with `#[path]` by the files that use it (tests/service.rs,
//! benches/service_logins.rs), like postgres.rs.

use std::path::{Path, PathBuf};

/// A fresh, empty directory under the system's temp directory, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    /// `inps-pin-{owner}-{process id}-{name}` under the temp directory, emptied first if a
    /// run before left it behind: `owner` says which binary made it, `name` which test.
    pub fn new(owner: &str, name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("inps-pin-{owner}-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
