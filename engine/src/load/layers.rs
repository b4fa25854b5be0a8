//! A regional overlay and its base, loaded as one: the base's files come in the same source under
//! `base/` (the CLI reads them from `rules/<base>/<version>/`, a bundle carries them), are
//! checked against the digest the overlay pins, and join the overlay's files ahead of them.
//! Which base items the overlay replaces or leaves out is the compiler's (`compile::layers`).

use crate::diagnostic::{At, Code, Diagnostics};
use crate::format::model::{Manifest, RuleFile, TestCase};
use std::collections::HashSet;

use crate::format::overlay::{Extends, Layer, LayerKind};
use crate::format::vocab::Text;
use crate::load::source::RuleSource;
use crate::load::{load_layer, FileParser, Located, Parsed};

/// Where the base's files stand in an overlay's source.
pub const BASE_DIR: &str = "base/";

/// The base a rule set's manifest names (`extends:`), read from its `ruleset.yaml` without
/// compiling anything: for a caller that has to fetch the base's files first. `None` if the
/// manifest names none or cannot be read (loading then says why).
pub fn extends_of(source: &dyn RuleSource) -> Option<Extends> {
    let text = source.text("ruleset.yaml")?;
    // The same guards as loading: a file too large or nested too deep is not parsed.
    if text.len() > crate::load::source::MAX_RULE_FILE_SIZE {
        return None;
    }
    let file = crate::load::Yaml.rules("ruleset.yaml", text).ok()?;
    file.ruleset?.extends
}

/// Whether a file (as diagnostics and rule references name it) is the base's.
pub(crate) fn is_base(file: &str) -> bool {
    file.starts_with(BASE_DIR)
}

/// The base of a layered rule set: what it is, as assessments name it.
#[derive(Debug, Clone)]
pub(crate) struct BaseLayer {
    pub id: String,
    pub version: String,
    pub digest: String,
}

/// The files under `base/` of a source, as a source of their own.
struct BaseFiles<'s> {
    source: &'s dyn RuleSource,
}

impl RuleSource for BaseFiles<'_> {
    fn paths(&self) -> Vec<String> {
        let paths = self.source.paths().into_iter();
        paths.filter_map(|p| p.strip_prefix(BASE_DIR).map(str::to_owned)).collect()
    }

    fn text(&self, path: &str) -> Option<&str> {
        self.source.text(&format!("{BASE_DIR}{path}"))
    }
}

/// A parser that sees a base's files by their paths in the overlay's source (`base/…`): a
/// bundle's parsed form holds them so.
struct InBase<'p, P>(&'p P);

impl<P: FileParser> FileParser for InBase<'_, P> {
    fn rules(&self, path: &str, text: &str) -> Result<RuleFile, (Code, At, String)> {
        self.0.rules(&format!("{BASE_DIR}{path}"), text)
    }

    fn tests(&self, path: &str, text: &str) -> Result<Vec<TestCase>, (Code, At, String)> {
        self.0.tests(&format!("{BASE_DIR}{path}"), text)
    }
}

/// Loads the base an overlay `extends` from the `base/` files of `source` and joins it to the
/// overlay's own files; reports a base that is missing, is not the one named, has changed since
/// its digest was pinned, or itself extends another.
pub(crate) fn attach(
    source: &dyn RuleSource,
    parser: &impl FileParser,
    own: &mut Parsed,
    diags: &mut Diagnostics,
) {
    let has_base_files = source.paths().iter().any(|p| is_base(p));
    let Some(manifest) = own.manifest.clone() else { return };
    let Some(extends) = manifest.item.extends.clone() else {
        if has_base_files {
            diags.warning(
                Code::BaseMismatch,
                &manifest.at,
                "the files under base/ are not used: the manifest names no base (`extends:`)",
            );
        }
        return;
    };
    if !has_base_files {
        let message = format!(
            "the rule set extends `{}` {}, whose files are not given: place the base in \
             rules/{}/{} beside this region's folder, or copy it into base/",
            extends.id, extends.version, extends.id, extends.version
        );
        diags.error(Code::NoBase, &manifest.at, message);
        return;
    }
    let mut base_diags = Diagnostics::default();
    let base = load_layer(&BaseFiles { source }, &InBase(parser), &mut base_diags);
    for mut d in base_diags.0 {
        if !is_base(&d.file) {
            d.file = format!("{BASE_DIR}{}", d.file);
        }
        diags.0.push(d);
    }
    let Some(base_manifest) = base.manifest.clone() else { return };
    check_base(&extends, &base_manifest, &base.digest, &manifest.at, diags);
    own.manifest =
        Some(Located { at: manifest.at.clone(), item: merged(&base_manifest.item, manifest.item) });
    own.base = Some(BaseLayer {
        id: base_manifest.item.id.clone(),
        version: base_manifest.item.version.clone(),
        digest: base.digest.clone(),
    });
    let prefixed = |path: &String| format!("{BASE_DIR}{path}");
    let mut files: Vec<_> = base.files.into_iter().map(|(path, file)| (prefixed(&path), file)).collect();
    files.append(&mut own.files);
    own.files = files;
    let mut texts: Vec<_> = base.texts.into_iter().map(|(path, text)| (prefixed(&path), text)).collect();
    texts.append(&mut own.texts);
    own.texts = texts;
    let mut functions: Vec<_> = base.functions.into_iter().map(|(p, text)| (prefixed(&p), text)).collect();
    functions.append(&mut own.functions);
    own.functions = functions;
}

fn check_base(extends: &Extends, base: &Located<Manifest>, digest: &str, at: &At, diags: &mut Diagnostics) {
    let named = (extends.id.as_str(), extends.version.as_str());
    if named != (base.item.id.as_str(), base.item.version.as_str()) {
        let message = format!(
            "the manifest extends `{}` {}, but the base given is `{}` {}",
            extends.id, extends.version, base.item.id, base.item.version
        );
        diags.error(Code::BaseMismatch, at, message);
    }
    if base.item.extends.is_some() {
        let message = "a base cannot extend another rule set: one layer of overlays on a base";
        diags.error(
            Code::BaseMismatch,
            &At { file: format!("{BASE_DIR}{}", base.at.file), ..base.at.clone() },
            message,
        );
    }
    if extends.digest != digest {
        let message = format!(
            "the base `{}` {} has changed since this overlay pinned it (its digest is {digest}): \
             check the overlay against it, then write that digest in `extends:`",
            extends.id, extends.version
        );
        diags.error(Code::BaseDigest, at, message);
    }
}

/// The overlay's manifest completed by its base's: the base's acts and holidays come first and
/// the region adds its own; the partner urgencies and consent answer are the region's if it
/// sets them.
fn merged(base: &Manifest, mut region: Manifest) -> Manifest {
    let mut acts = base.acts.clone();
    acts.extend(region.acts.into_iter().filter(|act| !base.acts.iter().any(|b| b.id == act.id)));
    region.acts = acts;
    let mut holidays = base.holidays.clone();
    holidays.extend(region.holidays.into_iter().filter(|day| !base.holidays.contains(day)));
    holidays.sort();
    region.holidays = holidays;
    if region.minimum_partner_urgency.is_empty() {
        region.minimum_partner_urgency = base.minimum_partner_urgency.clone();
    }
    if region.partner_consent.is_none() {
        region.partner_consent = base.partner_consent.clone();
    }
    region
}

/// The layers of a compiled rule set, for the provenance of what an assessment names.
#[derive(Debug, Clone)]
pub(crate) struct Layers {
    pub base: BaseLayer,
    /// The base's id and version, and the region's, as every rule reference carries them.
    pub base_id: Text,
    pub base_version: Text,
    pub region_id: Text,
    pub region_version: Text,
    /// The base items the region replaced, by rule («partner `opeka`»).
    pub overriding: HashSet<String>,
}

impl Layers {
    /// The layer of the rule written at `at`, and its file within that layer.
    pub fn of(&self, at: &At) -> (Layer, String) {
        match at.file.strip_prefix(BASE_DIR) {
            Some(inner) => (
                Layer {
                    layer: LayerKind::Base,
                    id: self.base_id.clone(),
                    version: self.base_version.clone(),
                    overrides: false,
                },
                inner.to_owned(),
            ),
            None => (
                Layer {
                    layer: LayerKind::Region,
                    id: self.region_id.clone(),
                    version: self.region_version.clone(),
                    overrides: at.rule.as_ref().is_some_and(|rule| self.overriding.contains(rule)),
                },
                at.file.clone(),
            ),
        }
    }

    /// The base as assessments name it.
    pub fn base_ref(&self) -> Box<crate::format::assessment::RuleSetRef> {
        Box::new(crate::format::assessment::RuleSetRef {
            id: self.base.id.clone(),
            version: self.base.version.clone(),
            digest: self.base.digest.clone(),
            base: None,
        })
    }

    /// Where a rule is written, as assessments name it: its layer, and its file within it.
    pub fn rule_ref(layers: Option<&Layers>, at: &At) -> crate::format::assessment::RuleRef {
        use crate::format::assessment::RuleRef;
        match layers {
            None => RuleRef { file: at.file.clone(), line: at.line, layer: None },
            Some(layers) => {
                let (layer, file) = layers.of(at);
                RuleRef { file, line: at.line, layer: Some(layer) }
            }
        }
    }
}
