//! PDQ, Meta's perceptual image hash (256 bits) and its quality score, computed as the
//! reference implementation does (ThreatExchange `pdq/cpp/hashing/pdqhashing.cpp`).
//!
//! Hand-written because the one crate (`pdqhash` 0.1) pins image 0.23 and reports
//! quality on another scale than the reference's 0–100, which hash-sharing programmes
//! use to decide whether a hash is reliable. The algorithm: RGB → luma (0.299, 0.587,
//! 0.114); two passes of a Jarosz box filter (window ⌈dim/128⌉) along rows and columns;
//! decimate to 64×64 at cell centres; quality from the 64×64 gradients; a 16×16 corner of
//! the DCT (without DC); each bit is 1 where the coefficient exceeds the median. Hex
//! output is the reference's: 16 words of 16 bits, word 15 first.
//!
//! Like the reference, PDQ is computed on the stored pixels: the EXIF orientation is
//! not applied (it is recorded beside the hash).

use image::DynamicImage;

/// Images above this many pixels are first reduced (box filter) to keep memory bounded;
/// the hash of such an image can differ by a few bits from the reference's.
pub const MAX_FULL_PIXELS: u64 = 64_000_000;

/// PDQ hash (64 hex characters) and quality (0–100) of an image.
pub fn pdq(img: &DynamicImage) -> (String, u32) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    hash_of_luma(luma(img), w, h)
}

/// [`pdq`] of an image the caller no longer needs: it is freed as soon as its luma is
/// taken, before the filters' buffers are made (a big image's pixels and two float
/// planes of it are never held at once).
pub fn pdq_owned(img: DynamicImage) -> (String, u32) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let l = luma(&img);
    drop(img);
    hash_of_luma(l, w, h)
}

/// Luma of every pixel, row by row (RGB pixels read in place when the image is RGB).
fn luma(img: &DynamicImage) -> Vec<f32> {
    let y = |p: &image::Rgb<u8>| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32;
    match img.as_rgb8() {
        Some(rgb) => rgb.pixels().map(y).collect(),
        None => img.to_rgb8().pixels().map(y).collect(),
    }
}

fn hash_of_luma(mut luma: Vec<f32>, mut w: usize, mut h: usize) -> (String, u32) {
    if (w as u64) * (h as u64) > MAX_FULL_PIXELS {
        let f = (((w * h) as f64 / MAX_FULL_PIXELS as f64).sqrt().ceil()) as usize;
        let (nw, nh) = (w / f, h / f);
        let mut small = vec![0f32; nw * nh];
        for y in 0..nh {
            for x in 0..nw {
                let mut s = 0f32;
                for dy in 0..f {
                    for dx in 0..f {
                        s += luma[(y * f + dy) * w + x * f + dx];
                    }
                }
                small[y * nw + x] = s / (f * f) as f32;
            }
        }
        luma = small;
        w = nw;
        h = nh;
    }
    hash_luma(&mut luma, h, w)
}

fn window(old: usize) -> usize {
    old.div_ceil(2 * 64)
}

/// One pass of the reference's `box1DFloat`.
fn box1d(input: &[f32], out: &mut [f32], len: usize, stride: usize, full: usize) {
    let half = (full + 2) / 2; // 7 -> 4, 8 -> 5, as in the reference
    let p1 = half - 1;
    let p2 = full - half + 1;
    let p3 = len - full;
    let p4 = half - 1;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut sum = 0f32;
    let mut cur = 0f32;
    for _ in 0..p1 {
        sum += input[ri];
        cur += 1.0;
        ri += stride;
    }
    for _ in 0..p2 {
        sum += input[ri];
        cur += 1.0;
        out[oi] = sum / cur;
        ri += stride;
        oi += stride;
    }
    for _ in 0..p3 {
        sum += input[ri];
        sum -= input[li];
        out[oi] = sum / cur;
        li += stride;
        ri += stride;
        oi += stride;
    }
    for _ in 0..p4 {
        sum -= input[li];
        cur -= 1.0;
        out[oi] = sum / cur;
        li += stride;
        oi += stride;
    }
}

// Index loops mirror the reference's matrix code line by line, to keep it checkable.
#[allow(clippy::needless_range_loop)]
fn hash_luma(buf1: &mut [f32], rows: usize, cols: usize) -> (String, u32) {
    // The reference filters rows into a second plane and columns back. Here each row, and
    // each block of columns, is copied out and filtered back in place: the same sums in
    // the same order, without a second plane the size of the image.
    let wr = window(cols);
    let wc = window(rows);
    const BLOCK: usize = 16;
    let mut row = vec![0f32; cols];
    let mut block_in = vec![0f32; rows * BLOCK];
    let mut block_out = vec![0f32; rows * BLOCK];
    for _ in 0..2 {
        for i in 0..rows {
            let line = &mut buf1[i * cols..(i + 1) * cols];
            row.copy_from_slice(line);
            box1d(&row, line, cols, 1, wr);
        }
        for j0 in (0..cols).step_by(BLOCK) {
            let b = BLOCK.min(cols - j0);
            for i in 0..rows {
                block_in[i * b..(i + 1) * b]
                    .copy_from_slice(&buf1[i * cols + j0..i * cols + j0 + b]);
            }
            for k in 0..b {
                box1d(&block_in[k..], &mut block_out[k..], rows, b, wc);
            }
            for i in 0..rows {
                buf1[i * cols + j0..i * cols + j0 + b]
                    .copy_from_slice(&block_out[i * b..(i + 1) * b]);
            }
        }
    }
    // Decimate to 64x64.
    let mut b64 = [[0f32; 64]; 64];
    for (i, row) in b64.iter_mut().enumerate() {
        let ini = (((i as f32 + 0.5) * rows as f32) / 64.0) as usize;
        for (j, v) in row.iter_mut().enumerate() {
            let inj = (((j as f32 + 0.5) * cols as f32) / 64.0) as usize;
            *v = buf1[ini.min(rows - 1) * cols + inj.min(cols - 1)];
        }
    }
    // Quality: gradient sum.
    let mut grad: i64 = 0;
    for i in 0..63 {
        for j in 0..64 {
            grad += ((((b64[i][j] - b64[i + 1][j]) * 100.0) / 255.0) as i64).abs();
        }
    }
    for row in &b64 {
        for j in 0..63 {
            grad += ((((row[j] - row[j + 1]) * 100.0) / 255.0) as i64).abs();
        }
    }
    let quality = (grad / 90).min(100) as u32;
    // DCT 64 -> 16 (without the DC row/column).
    let scale = (2.0f64 / 64.0).sqrt();
    let mut d = [[0f32; 64]; 16];
    for (i, row) in d.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (scale
                * ((std::f64::consts::PI / 2.0 / 64.0) * (i as f64 + 1.0) * (2.0 * j as f64 + 1.0))
                    .cos()) as f32;
        }
    }
    let mut b = [[0f32; 64]; 16];
    for i in 0..16 {
        for j in 0..64 {
            let mut s = 0f32;
            for k in 0..64 {
                s += d[i][k] * b64[k][j];
            }
            b[i][j] = s;
        }
    }
    let mut c = [[0f32; 16]; 16];
    for i in 0..16 {
        for j in 0..16 {
            let mut s = 0f32;
            for k in 0..64 {
                s += b[i][k] * d[j][k];
            }
            c[i][j] = s;
        }
    }
    let mut flat: Vec<f32> = c.iter().flatten().copied().collect();
    flat.sort_by(f32::total_cmp);
    let median = flat[127];
    let mut words = [0u16; 16];
    for i in 0..16 {
        for j in 0..16 {
            if c[i][j] > median {
                words[i] |= 1 << j;
            }
        }
    }
    let hex: String = words.iter().rev().map(|w| format!("{w:04x}")).collect();
    (hex, quality)
}

/// Hamming distance between two PDQ hex strings (`None` if either is malformed).
pub fn hamming(a: &str, b: &str) -> Option<u32> {
    if a.len() != 64 || b.len() != 64 {
        return None;
    }
    let (x, y) = (hex::decode(a).ok()?, hex::decode(b).ok()?);
    Some(x.iter().zip(&y).map(|(p, q)| (p ^ q).count_ones()).sum())
}
