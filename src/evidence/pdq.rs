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

/// Lanes filtered side by side: [`box_lanes`] runs this many independent box filters at
/// once, so their running sums (each a chain of dependent additions) overlap and the
/// compiler can keep them in vector registers.
const LANES: usize = 16;

/// The reference's `box1DFloat` schedule for a sequence of `len` values and a window of
/// `full`: which value enters the window (`add(ri, leaving)`, `leaving` the one that goes
/// out at the same step, subtracted after it), which leaves alone at the end (`sub(li)`),
/// and which output is written, divided by how many values the window holds (`put(oi,
/// count)`). The filters below share it; only their storage differs.
fn box_schedule(
    len: usize,
    full: usize,
    mut add: impl FnMut(usize, Option<usize>),
    mut sub: impl FnMut(usize),
    mut put: impl FnMut(usize, f32),
) {
    let half = (full + 2) / 2; // 7 -> 4, 8 -> 5, as in the reference
    let p1 = half - 1;
    let p2 = full - half + 1;
    let p3 = len - full;
    let p4 = half - 1;
    let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
    let mut cur = 0f32;
    for _ in 0..p1 {
        add(ri, None);
        cur += 1.0;
        ri += 1;
    }
    for _ in 0..p2 {
        add(ri, None);
        cur += 1.0;
        put(oi, cur);
        ri += 1;
        oi += 1;
    }
    for _ in 0..p3 {
        add(ri, Some(li));
        put(oi, cur);
        li += 1;
        ri += 1;
        oi += 1;
    }
    for _ in 0..p4 {
        sub(li);
        cur -= 1.0;
        put(oi, cur);
        li += 1;
        oi += 1;
    }
}

/// Add `enter` to each running sum, then subtract `leave` (when one leaves at this step).
fn slide(sum: &mut [f32], enter: &[f32], leave: Option<&[f32]>) {
    match leave {
        None => sum.iter_mut().zip(enter).for_each(|(s, x)| *s += x),
        Some(leave) => {
            for ((s, x), y) in sum.iter_mut().zip(enter).zip(leave) {
                *s += x;
                *s -= y;
            }
        }
    }
}

/// One pass of the reference's `box1DFloat` on each of `lanes` (at most [`LANES`])
/// sequences stored interleaved: element `t` of lane `k` is at `t * lanes + k`. Each lane
/// gets exactly the reference's operations, in its order (the same float results); only
/// the lanes run together.
fn box_lanes(input: &[f32], out: &mut [f32], len: usize, lanes: usize, full: usize) {
    let at = |i: usize| i * lanes..(i + 1) * lanes;
    let mut sum = [0f32; LANES];
    let sum = std::cell::RefCell::new(&mut sum[..lanes]);
    box_schedule(
        len,
        full,
        |ri, li| {
            slide(
                &mut sum.borrow_mut(),
                &input[at(ri)],
                li.map(|li| &input[at(li)]),
            )
        },
        |li| {
            sum.borrow_mut()
                .iter_mut()
                .zip(&input[at(li)])
                .for_each(|(s, y)| *s -= y)
        },
        |oi, cur| {
            out[at(oi)]
                .iter_mut()
                .zip(sum.borrow().iter())
                .for_each(|(o, s)| *o = s / cur)
        },
    );
}

// Index loops mirror the reference's matrix code line by line, to keep it checkable.
#[allow(clippy::needless_range_loop)]
fn hash_luma(buf1: &mut [f32], rows: usize, cols: usize) -> (String, u32) {
    jarosz(buf1, rows, cols);
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

/// The reference's two passes of box filters along rows, then columns, in place. Each
/// output is computed with exactly the reference's operations in its order (the same
/// floats, checked against a copy of the reference in the tests); what differs is only
/// which outputs are computed together, and that no second plane the size of the image
/// is made (the reference filters into one and back):
/// - along columns, every column of the image at once ([`box_lanes`] with a row as its
///   lanes), the original values it still needs kept in a ring of `window` rows;
/// - along rows, blocks of [`LANES`] rows, copied out interleaved in tiles that stay in
///   the cache, filtered together and copied back.
fn jarosz(buf1: &mut [f32], rows: usize, cols: usize) {
    let wr = window(cols);
    let wc = window(rows);
    let mut block_in = vec![0f32; cols * LANES];
    let mut block_out = vec![0f32; cols * LANES];
    for _ in 0..2 {
        for i0 in (0..rows).step_by(LANES) {
            let b = LANES.min(rows - i0);
            let rows_of = &mut buf1[i0 * cols..(i0 + b) * cols];
            for x0 in (0..cols).step_by(LANES) {
                let xs = x0..LANES.min(cols - x0) + x0;
                for x in xs {
                    let to = &mut block_in[x * b..(x + 1) * b];
                    for (k, v) in to.iter_mut().enumerate() {
                        *v = rows_of[k * cols + x];
                    }
                }
            }
            box_lanes(&block_in, &mut block_out, cols, b, wr);
            for x0 in (0..cols).step_by(LANES) {
                let xs = x0..LANES.min(cols - x0) + x0;
                for x in xs {
                    let from = &block_out[x * b..(x + 1) * b];
                    for (k, v) in from.iter().enumerate() {
                        rows_of[k * cols + x] = *v;
                    }
                }
            }
        }
        columns(buf1, rows, cols, wc);
    }
}

/// The box filter down every column at once, in place (see [`jarosz`]): a row is read
/// before any output overwrites it, and kept, as read, in a ring of `full + 1` rows for
/// when it leaves the window (by then its place holds an output).
fn columns(buf: &mut [f32], rows: usize, cols: usize, full: usize) {
    let slots = full + 1;
    let ring = std::cell::RefCell::new(vec![0f32; slots * cols]);
    let sum = std::cell::RefCell::new(vec![0f32; cols]);
    let buf = std::cell::RefCell::new(buf);
    let row = |i: usize| i * cols..(i + 1) * cols;
    let slot = |i: usize| row(i % slots);
    box_schedule(
        rows,
        full,
        |ri, li| {
            let (buf, mut ring) = (buf.borrow(), ring.borrow_mut());
            // The leaving row's slot is not the entering one's: they are `full` apart.
            slide(
                &mut sum.borrow_mut(),
                &buf[row(ri)],
                li.map(|li| &ring[slot(li)]),
            );
            ring[slot(ri)].copy_from_slice(&buf[row(ri)]);
        },
        |li| {
            sum.borrow_mut()
                .iter_mut()
                .zip(&ring.borrow()[slot(li)])
                .for_each(|(s, y)| *s -= y)
        },
        |oi, cur| {
            buf.borrow_mut()[row(oi)]
                .iter_mut()
                .zip(sum.borrow().iter())
                .for_each(|(o, s)| *o = s / cur)
        },
    );
}

/// Hamming distance between two PDQ hex strings (`None` if either is malformed).
pub fn hamming(a: &str, b: &str) -> Option<u32> {
    if a.len() != 64 || b.len() != 64 {
        return None;
    }
    let (x, y) = (hex::decode(a).ok()?, hex::decode(b).ok()?);
    Some(x.iter().zip(&y).map(|(p, q)| (p ^ q).count_ones()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's `box1DFloat`, one sequence at a time (`stride` apart).
    fn box1d(input: &[f32], out: &mut [f32], len: usize, stride: usize, full: usize) {
        let half = (full + 2) / 2;
        let (p1, p2, p3, p4) = (half - 1, full - half + 1, len - full, half - 1);
        let (mut li, mut ri, mut oi) = (0usize, 0usize, 0usize);
        let (mut sum, mut cur) = (0f32, 0f32);
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

    /// The reference's `jaroszFilterFloat`: rows into a second plane, columns back.
    fn reference_jarosz(buf1: &mut [f32], rows: usize, cols: usize) {
        let (wr, wc) = (window(cols), window(rows));
        let mut buf2 = vec![0f32; rows * cols];
        for _ in 0..2 {
            for i in 0..rows {
                box1d(&buf1[i * cols..], &mut buf2[i * cols..], cols, 1, wr);
            }
            for j in 0..cols {
                box1d(&buf2[j..], &mut buf1[j..], rows, cols, wc);
            }
        }
    }

    #[test]
    fn the_lane_filter_gives_the_references_floats_bit_for_bit() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % 25_600) as f32 / 100.0
        };
        for (rows, cols) in [
            (1, 1),
            (1, 300),
            (300, 1),
            (17, 33),
            (129, 257),
            (64, 16),
            (5, 700),
        ] {
            let plane: Vec<f32> = (0..rows * cols).map(|_| next()).collect();
            let (mut ours, mut want) = (plane.clone(), plane);
            jarosz(&mut ours, rows, cols);
            reference_jarosz(&mut want, rows, cols);
            let same = ours
                .iter()
                .zip(&want)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{rows}x{cols}: the filtered planes differ");
        }
    }
}
