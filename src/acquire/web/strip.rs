//! The annotated screenshot's header strip (URL, UTC capture time, item id), drawn by
//! sigillo itself: light text on a dark band, in DejaVu Sans Mono 14 px (built into the
//! binary, `assets/fonts/`), each line broken at the strip's width wherever it reaches it
//! (a URL has no spaces to break at).
//!
//! Drawn here rather than by Chromium: a page's own tab must never be drawn in, and a
//! second tab costs a renderer process, about a third of a capture's CPU time on a
//! two-core machine, for a few lines of monospaced text. ab_glyph rasterises the glyphs;
//! laying out monospaced lines and blending coverage into the band is the little left.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use image::{Rgb, RgbImage};

static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf");

/// Text size in pixels.
const SIZE: f32 = 14.0;
/// Padding: left and right, top and bottom.
const PAD_X: u32 = 10;
const PAD_Y: u32 = 8;
const BACKGROUND: [u8; 3] = [0x1a, 0x1a, 0x1a];
const TEXT: [u8; 3] = [0xff, 0xff, 0xff];
/// At most this many characters of one line are drawn (a URL may be megabytes long): the
/// rest is said, not drawn. The whole URL is in the manifest.
pub const MAX_LINE_CHARS: usize = 2000;

/// `line` as the strip shows it: control characters as spaces, and past
/// [`MAX_LINE_CHARS`] cut, saying how much was left out.
pub fn shown(line: &str) -> String {
    let n = line.chars().count();
    let mut s: String = line
        .chars()
        .take(MAX_LINE_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if n > MAX_LINE_CHARS {
        s.push_str(&format!(" … ({} more characters)", n - MAX_LINE_CHARS));
    }
    s
}

/// The strip for a screenshot `width` pixels wide, with `lines` (as [`shown`] makes them).
pub fn draw(width: u32, lines: &[String]) -> Result<RgbImage, String> {
    let font = FontRef::try_from_slice(FONT).map_err(|e| format!("the built-in font: {e}"))?;
    let scale = PxScale::from(SIZE);
    let scaled = font.as_scaled(scale);
    let advance = scaled.h_advance(font.glyph_id('0')).max(1.0);
    let line_height = (scaled.ascent() - scaled.descent() + scaled.line_gap()).ceil() as u32;
    let cols = ((width.saturating_sub(2 * PAD_X)) as f32 / advance)
        .floor()
        .max(1.0) as usize;
    // Break-all wrapping: every `cols` characters (an empty line keeps its row).
    let rows: Vec<Vec<char>> = lines
        .iter()
        .flat_map(|l| {
            let chars: Vec<char> = shown(l).chars().collect();
            if chars.is_empty() {
                vec![Vec::new()]
            } else {
                chars.chunks(cols).map(<[char]>::to_vec).collect()
            }
        })
        .collect();
    let height = 2 * PAD_Y + line_height * rows.len().max(1) as u32;
    let mut img = RgbImage::from_pixel(width.max(1), height, Rgb(BACKGROUND));
    for (r, row) in rows.iter().enumerate() {
        let baseline = PAD_Y as f32 + (r as u32 * line_height) as f32 + scaled.ascent();
        for (i, c) in row.iter().enumerate() {
            let x = PAD_X as f32 + i as f32 * advance;
            let glyph = font
                .glyph_id(*c)
                .with_scale_and_position(scale, point(x, baseline));
            let Some(outline) = font.outline_glyph(glyph) else {
                continue; // a space
            };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let (px, py) = (
                    b.min.x as i64 + i64::from(gx),
                    b.min.y as i64 + i64::from(gy),
                );
                if px < 0 || py < 0 || px >= i64::from(img.width()) || py >= i64::from(img.height())
                {
                    return;
                }
                let a = coverage.clamp(0.0, 1.0);
                let p = img.get_pixel_mut(px as u32, py as u32);
                for k in 0..3 {
                    let (bg, fg) = (f32::from(BACKGROUND[k]), f32::from(TEXT[k]));
                    p[k] = (bg + (fg - bg) * a).round() as u8;
                }
            });
        }
    }
    Ok(img)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(img: &RgbImage) -> usize {
        img.pixels().filter(|p| p[0] > 0x80).count()
    }

    #[test]
    fn lines_are_drawn_and_broken_at_the_width() {
        let one = draw(
            400,
            &["sigillo capture · 2026-12-07T14:00:00Z · 0001".into()],
        )
        .unwrap();
        assert_eq!(one.width(), 400);
        assert!(lit(&one) > 100, "text is drawn");
        assert_eq!(*one.get_pixel(0, 0), Rgb(BACKGROUND));
        // A URL three times the width takes more rows than a short one.
        let long = format!("https://example.com/{}", "a".repeat(150));
        let two = draw(400, &["x".into(), long]).unwrap();
        assert!(
            two.height() >= one.height() + 2 * 16,
            "{} vs {}",
            two.height(),
            one.height()
        );
        // Nothing is drawn past the padding on the right.
        for y in 0..two.height() {
            for x in 400 - PAD_X + 2..400 {
                assert_eq!(*two.get_pixel(x, y), Rgb(BACKGROUND), "at {x},{y}");
            }
        }
    }

    #[test]
    fn hostile_lines_are_shown_bounded_and_never_fail() {
        let huge = "é".repeat(MAX_LINE_CHARS + 5);
        assert!(shown(&huge).ends_with(" … (5 more characters)"));
        assert_eq!(shown("a\nb\tc\u{7}"), "a b c ");
        let img = draw(1, &[huge, String::new(), "\u{10FFFF}\u{FFFD}".into()]).unwrap();
        assert_eq!(img.width(), 1);
        let tiny = draw(0, &[]).unwrap();
        assert!(tiny.width() == 1 && tiny.height() > 0);
    }
}
