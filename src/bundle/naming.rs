//! Item names: the one rule that turns a sequence number, a kind and a slug into an
//! item id (`0003-web-example-com-page`).
//!
//! [`crate::bundle::seal`] names the item it appends; `sigillo capture` and the demo print
//! the id *before* sealing (in the screenshot header). Both must agree, so both use
//! [`item_id`].

use crate::evidence::manifest::ItemKind;
use crate::text::slugify;

/// The id of item number `seq` (1-based) of `kind` named after `slug`:
/// `{seq:04}-{kind}-{slug}`, the slug slugified.
pub fn item_id(seq: usize, kind: ItemKind, slug: &str) -> String {
    format!("{seq:04}-{kind}-{}", slugify(slug))
}

/// The slug of a web capture of `url`: its host and path (`page` if `url` does not parse).
pub fn web_slug(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| slugify(&format!("{}{}", u.host_str().unwrap_or(""), u.path())))
        .unwrap_or_else(|_| "page".into())
}

/// The number the next appended item gets in a bundle that holds `items` items.
pub fn next_seq(items: usize) -> usize {
    items + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable() {
        assert_eq!(
            item_id(1, ItemKind::Files, "IMG 001.JPG"),
            "0001-files-img-001-jpg"
        );
        assert_eq!(
            item_id(
                next_seq(3),
                ItemKind::Web,
                &web_slug("http://127.0.0.1:8080/index.html")
            ),
            "0004-web-127-0-0-1-index-html"
        );
        assert_eq!(web_slug("not a url"), "page");
        let s = web_slug("https://example.com/a/b");
        assert_eq!(slugify(&s), s, "slugify is idempotent on slugs");
    }
}
