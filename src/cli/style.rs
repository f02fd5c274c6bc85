//! How the command layer looks on a terminal: whether to colour, and the one table
//! layout `ls`, `custody show` and `hashes --format table` print.
//!
//! Colour is decided in one place, [`color`]: only when the stream is a terminal, never
//! when `NO_COLOR` is set to a non-empty value (no-color.org) or `TERM=dumb`. Piped output
//! is plain text, byte for byte what a script sees. Table cells never carry control
//! characters: a name or path from a bundle cannot move the cursor or recolour the screen.

use std::io::IsTerminal;

use comfy_table::{Attribute, Cell, CellAlignment, Color, Table, presets};

use super::CmdResult;
use super::output::outln;

/// Which stream a piece of output goes to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Stream {
    Stdout,
    Stderr,
}

/// Whether output on `stream` may be coloured: a terminal, `NO_COLOR` unset or empty,
/// `TERM` not `dumb`.
pub(super) fn color(stream: Stream) -> bool {
    let tty = match stream {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    };
    tty && allowed_by_env(
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// The environment's say: `NO_COLOR` with any non-empty value, or `TERM=dumb`, forbids colour.
fn allowed_by_env(no_color: Option<&std::ffi::OsStr>, term: Option<&std::ffi::OsStr>) -> bool {
    no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

/// What a word means, for its colour.
#[derive(Debug, Clone, Copy)]
pub(super) enum Tone {
    /// Passed, valid, verified.
    Good,
    /// Failed, invalid, not verified.
    Bad,
    /// A warning or something to look at.
    Warn,
    /// Less important (a fingerprint, a hash).
    Dim,
}

/// `text` coloured for stdout when [`color`] allows it, else unchanged.
pub(super) fn paint(text: &str, tone: Tone) -> String {
    if !color(Stream::Stdout) {
        return text.to_string();
    }
    let code = match tone {
        Tone::Good => "32",
        Tone::Bad => "1;31",
        Tone::Warn => "33",
        Tone::Dim => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// A table for stdout: labelled columns separated by two spaces, no borders, bold
/// headers when coloured.
pub(super) struct Grid {
    table: Table,
    color: bool,
}

impl Grid {
    /// A table with these column headers, for stdout.
    pub(super) fn new(headers: &[&str]) -> Grid {
        Grid::with_color(headers, color(Stream::Stdout))
    }

    /// A table with these column headers, coloured or not (plain for files).
    pub(super) fn with_color(headers: &[&str], color: bool) -> Grid {
        let mut table = Table::new();
        table.load_style(presets::NOTHING);
        if color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(headers.iter().map(|h| {
            let c = Cell::new(h);
            if color {
                c.add_attribute(Attribute::Bold)
            } else {
                c
            }
        }));
        let n = headers.len();
        for (i, col) in table.column_iter_mut().enumerate() {
            col.set_padding((0, if i + 1 == n { 0 } else { 2 }));
        }
        Grid { table, color }
    }

    /// Right-align column `i` (numbers).
    pub(super) fn right(mut self, i: usize) -> Grid {
        if let Some(c) = self.table.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
        self
    }

    /// Add a row of plain cells.
    pub(super) fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.table
            .add_row(cells.iter().map(|c| Cell::new(clean(c.as_ref()))));
    }

    /// Add a row whose cell `toned.0` is coloured with `toned.1` (when colour is on).
    pub(super) fn row_toned<S: AsRef<str>>(&mut self, cells: &[S], toned: (usize, Tone)) {
        let color = self.color;
        self.table.add_row(cells.iter().enumerate().map(|(i, c)| {
            let cell = Cell::new(clean(c.as_ref()));
            match (color, i == toned.0, toned.1) {
                (true, true, Tone::Good) => cell.fg(Color::Green),
                (true, true, Tone::Bad) => cell.fg(Color::Red).add_attribute(Attribute::Bold),
                (true, true, Tone::Warn) => cell.fg(Color::Yellow),
                (true, true, Tone::Dim) => cell.add_attribute(Attribute::Dim),
                _ => cell,
            }
        }));
    }

    /// The table's lines, trailing spaces trimmed.
    pub(super) fn lines(&self) -> Vec<String> {
        self.table
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    }

    /// Print the table on stdout, each line prefixed with `indent`.
    pub(super) fn print(&self, indent: &str) -> CmdResult<()> {
        for l in self.lines() {
            outln!("{indent}{l}")?;
        }
        Ok(())
    }
}

/// `s` with control characters (newlines, escapes) shown as `\u{…}`, never sent raw.
pub(super) fn clean(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_with_any_non_empty_value_forbids_colour() {
        assert!(allowed_by_env(None, None));
        assert!(allowed_by_env(
            Some(OsStr::new("")),
            Some(OsStr::new("xterm"))
        ));
        assert!(!allowed_by_env(Some(OsStr::new("1")), None));
        assert!(!allowed_by_env(Some(OsStr::new("false")), None));
        assert!(!allowed_by_env(None, Some(OsStr::new("dumb"))));
    }

    #[test]
    fn tables_align_label_and_escape() {
        // Plain whatever stdout is (cargo test in a terminal would colour Grid::new).
        let mut g = Grid::with_color(&["#", "name", "note"], false).right(0);
        g.row(&["1", "Avv. Rossi", "ok"]);
        g.row(&["12", "x\x1b[31mred\nline", ""]);
        let lines = g.lines();
        assert!(lines[0].starts_with(" #  name  "), "{lines:?}");
        assert!(lines[1].starts_with(" 1  Avv. Rossi  "), "{lines:?}");
        assert_eq!(lines[0].find("note"), lines[1].find("ok"), "{lines:?}");
        assert!(
            lines[2].starts_with("12  x\\u{1b}[31mred\\u{a}line"),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .all(|l| !l.contains('\x1b') && l == l.trim_end())
        );
    }
}
