//! `--watch`: the rule folder reloaded when its files change, found by looking every
//! `INTERVAL` (names, sizes and modification times; no platform notification API). A change
//! is reloaded once it has held still for one look, so a save in several writes loads once.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::state::App;

const INTERVAL: Duration = Duration::from_secs(2);

pub async fn reload_on_change(app: Arc<App>) {
    let dir = app.rules_dir.clone();
    let look = move || fingerprint(&dir);
    let Ok(mut loaded) = tokio::task::spawn_blocking(look.clone()).await else { return };
    let mut seen = loaded;
    loop {
        tokio::time::sleep(INTERVAL).await;
        let Ok(now) = tokio::task::spawn_blocking(look.clone()).await else { return };
        if now == seen && now != loaded {
            tracing::info!("the rule folder changed: reloading the rules");
            // A failure is logged and kept for /readyz by `reload` itself; the edit is not
            // tried again until the files change once more.
            let _ = app.reload().await;
            loaded = now;
        }
        seen = now;
    }
}

/// A hash of every file's path, size and modification time under `dir`.
fn fingerprint(dir: &Path) -> u64 {
    let mut files = Vec::new();
    collect(dir, &mut files, 0);
    files.sort();
    let mut hasher = DefaultHasher::new();
    files.hash(&mut hasher);
    hasher.finish()
}

fn collect(dir: &Path, files: &mut Vec<(String, u64, u128)>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() && depth < 8 {
            collect(&path, files, depth + 1);
        } else if meta.is_file() {
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            files.push((path.to_string_lossy().into_owned(), meta.len(), modified));
        }
    }
}
