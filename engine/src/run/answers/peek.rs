//! A few strings picked out of JSON text before the answers are read: the assessment date that
//! chooses the version, the case id a batch row carries. The whole text is read, as strictly
//! as a `serde_json::Value` would be, and nothing else is kept.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::plain::{drain_seq, KeySeed, Skip};

/// Text that is not JSON, with where the reading stopped (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadJson {
    /// The line of the text.
    pub line: usize,
    /// The column of that line.
    pub column: usize,
}

impl fmt::Display for BadJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not JSON (line {}, column {})", self.line, self.column)
    }
}

impl std::error::Error for BadJson {}

impl From<serde_json::Error> for BadJson {
    fn from(error: serde_json::Error) -> Self {
        BadJson { line: error.line(), column: error.column() }
    }
}

/// What [`peek_strings`] found: per path, its string (`None` where there is none).
pub type Found<'de> = Vec<Option<Cow<'de, str>>>;

/// The strings at `paths` (keys from the top: `&["case", "id"]`) in the JSON `text`: `None`
/// where there is no string. As in a `Value`, the last of a duplicated key counts.
pub fn peek_strings<'de>(text: &'de str, paths: &[&[&str]]) -> Result<Found<'de>, BadJson> {
    let mut found = vec![None; paths.len()];
    let live: Vec<usize> = (0..paths.len()).collect();
    let mut deserializer = serde_json::Deserializer::from_str(text);
    Peek { paths, depth: 0, live: &live, found: &mut found }.deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(found)
}

/// The paths (by index) that pass through the current place, `depth` keys down.
struct Peek<'a, 'p, 'de> {
    paths: &'a [&'p [&'p str]],
    depth: usize,
    live: &'a [usize],
    found: &'a mut Vec<Option<Cow<'de, str>>>,
}

impl<'de> Peek<'_, '_, 'de> {
    /// A string here: the value of every path that ends here.
    fn found_here(self, text: Cow<'de, str>) {
        for &index in self.live {
            if self.paths.get(index).is_some_and(|path| path.len() == self.depth) {
                if let Some(place) = self.found.get_mut(index) {
                    *place = Some(text.clone());
                }
            }
        }
    }
}

impl<'de> DeserializeSeed<'de> for Peek<'_, '_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Peek<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<(), E> {
        self.found_here(Cow::Borrowed(text));
        Ok(())
    }

    fn visit_str<E>(self, text: &str) -> Result<(), E> {
        self.found_here(Cow::Owned(text.to_owned()));
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        drain_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Peek { paths, depth, live, found } = self;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let below: Vec<usize> = live
                .iter()
                .copied()
                .filter(|&i| paths.get(i).and_then(|p| p.get(depth)).is_some_and(|k| *k == key.as_ref()))
                .collect();
            if below.is_empty() {
                map.next_value::<Skip>()?;
                continue;
            }
            // A later duplicate replaces what an earlier one held.
            for &index in &below {
                if let Some(place) = found.get_mut(index) {
                    *place = None;
                }
            }
            map.next_value_seed(Peek { paths, depth: depth + 1, live: &below, found: &mut *found })?;
        }
        Ok(())
    }
}
