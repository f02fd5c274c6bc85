//! WARC/1.1 writer.
