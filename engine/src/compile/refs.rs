//! What a Rhai expression refers to: variables and `x.field` property chains.
//!
//! Rhai checks variables itself (strict mode), but not the fields of maps, and it cannot tell
//! which answers a rule reads. This scanner finds both from the source text, skipping string
//! literals and comments, so `check` can name unknown fields and `assess` can explain reads.

/// One reference found in an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ref {
    /// The variable (or closure parameter) name.
    pub root: String,
    /// The property read from it, if any (`m.age` → `age`); method calls are not properties.
    pub field: Option<String>,
    /// The 1-based line of the reference within the expression.
    pub line: usize,
}

/// Scans `text` for identifiers and property chains.
pub(crate) fn scan(text: &str) -> Vec<Ref> {
    let bytes = text.as_bytes();
    let mut refs = Vec::new();
    let mut i = 0;
    let mut line = 1;
    let mut after_dot = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'"' | b'`' | b'\'' => {
                i = skip_string(bytes, i, b, &mut line);
                after_dot = false;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            b'.' => {
                after_dot = true;
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while bytes.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                if !after_dot && !is_keyword(word) && !is_call(bytes, i) {
                    let field = property_after(text, i);
                    refs.push(Ref { root: word.to_owned(), field, line });
                }
                after_dot = false;
            }
            c if c.is_ascii_digit() => {
                while bytes.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    i += 1;
                }
                // `1.5` is a number, not a property access.
                if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                }
                after_dot = false;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                after_dot = false;
                i += 1;
            }
        }
    }
    refs
}

/// The property read right after position `i` (`.name` not followed by `(`).
fn property_after(text: &str, i: usize) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.get(i) != Some(&b'.') {
        return None;
    }
    let start = i + 1;
    let mut end = start;
    while bytes.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        end += 1;
    }
    if end == start || is_call(bytes, end) {
        return None;
    }
    Some(text[start..end].to_owned())
}

fn is_call(bytes: &[u8], mut i: usize) -> bool {
    while bytes.get(i).is_some_and(|c| *c == b' ' || *c == b'\t') {
        i += 1;
    }
    bytes.get(i) == Some(&b'(')
}

fn skip_string(bytes: &[u8], start: usize, quote: u8, line: &mut usize) -> usize {
    let mut i = start + 1;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' => i += 2,
            b'\n' => {
                *line += 1;
                i += 1;
            }
            c if c == quote => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "true"
            | "false"
            | "let"
            | "const"
            | "if"
            | "else"
            | "switch"
            | "while"
            | "loop"
            | "for"
            | "in"
            | "do"
            | "until"
            | "break"
            | "continue"
            | "return"
            | "throw"
            | "try"
            | "catch"
            | "fn"
            | "private"
            | "this"
            | "global"
            | "is"
    )
}

/// Closure parameters declared in the expression (`|m| …`, `|sum, m| …`). A closure is an
/// argument of a call, so its opening bar follows `(` or `,`; a bar elsewhere is `||` (or).
pub(crate) fn closure_params(text: &str) -> Vec<String> {
    let mut params = Vec::new();
    let mut i = 0;
    while let Some(offset) = text[i..].find('|') {
        let open = i + offset;
        let before = text[..open].trim_end().bytes().last();
        i = open + 1;
        if !matches!(before, Some(b'(' | b',')) {
            continue;
        }
        let Some(close) = text[open + 1..].find('|') else { break };
        let inside = &text[open + 1..open + 1 + close];
        let names: Vec<&str> = inside.split(',').map(str::trim).collect();
        let valid =
            names.iter().all(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'));
        if valid {
            params.extend(names.iter().map(|n| (*n).to_owned()));
            i = open + 2 + close;
        }
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_properties_and_skips_strings_methods_and_numbers() {
        let refs = scan(
            r#"survey_act.food_present == false && m.role in ["child", "x.y"] && members.filter(|k| k.age < 1.5).len() > 0"#,
        );
        let pairs: Vec<(String, Option<String>)> = refs.into_iter().map(|r| (r.root, r.field)).collect();
        assert_eq!(
            pairs,
            vec![
                ("survey_act".into(), Some("food_present".into())),
                ("m".into(), Some("role".into())),
                ("members".into(), None),
                ("k".into(), None),
                ("k".into(), Some("age".into())),
            ]
        );
    }

    #[test]
    fn counts_lines_and_finds_closure_params() {
        let refs = scan("a ||\n b.c");
        assert_eq!(refs[1].line, 2);
        assert!(closure_params("a && (b || c || d)").is_empty());
        assert_eq!(
            closure_params("x.filter(|m| m.a || m.b).reduce(|s, m| s + 1, 0)"),
            vec!["m".to_owned(), "s".to_owned(), "m".to_owned()]
        );
    }
}
