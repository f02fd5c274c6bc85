//! Small, panic-free helpers for showing untrusted text in messages.
//!
//! Every value shown in a message may come from a hostile bundle: these helpers never
//! slice inside a UTF-8 character, and they keep messages short.

/// A hash or other long token shortened for a message: the first 16 characters and `…`.
pub fn short(h: &str) -> String {
    clip(h, 16)
}

/// At most `max` characters of `s`, with `…` when something was cut. Control characters
/// are shown as `\u{…}` escapes so a value cannot rewrite the terminal line.
pub fn clip(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_splits_characters() {
        assert_eq!(
            short(&format!("a{}", "é".repeat(20))),
            format!("a{}…", "é".repeat(15))
        );
        assert_eq!(short("abc"), "abc");
        assert_eq!(clip("a\u{1b}[2Jb", 10), "a\\u{1b}[2Jb");
        assert_eq!(clip("", 3), "");
    }
}
