//! Print the PDQ hash and quality of image files (used to cross-check with the reference).
fn main() {
    for p in std::env::args().skip(1) {
        match image::open(&p) {
            Ok(img) => {
                let (h, q) = sigillo::evidence::pdq::pdq(&img);
                println!("{h} {q} {p}");
            }
            Err(e) => eprintln!("{p}: {e}"),
        }
    }
}
