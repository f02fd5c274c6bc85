//! Small, panic-free helpers for untrusted text: shortening it for messages, and making
//! folder-name slugs.
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

/// Make a folder-name slug: lowercase ASCII letters, digits and `-`, at most 40 chars.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
        if out.len() >= 40 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "item".to_string()
    } else {
        out
    }
}

/// Mask the password of a URL's credentials (`user:secret@host` → `user:***@host`);
/// anything else is returned unchanged. Also applied to text that embeds such URLs.
pub fn mask_url(s: &str) -> String {
    // Hand-written scan rather than `url::Url`: the input may be a header block or an
    // error message with URLs inside, not one URL.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| {
                c == '/' || c == '?' || c == '#' || c.is_whitespace() || c == '"' || c == '>'
            })
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon]);
                        out.push_str(":***");
                    }
                    None => out.push_str(userinfo),
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
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

    #[test]
    fn slugs_are_safe() {
        assert_eq!(slugify("IMG 001.JPG"), "img-001-jpg");
        assert_eq!(
            slugify("https://example.com/a/b?c=d"),
            "https-example-com-a-b-c-d"
        );
        assert_eq!(slugify("../../etc"), "etc");
        assert_eq!(slugify("…"), "item");
        assert!(slugify(&"a".repeat(100)).len() <= 40);
    }
}
