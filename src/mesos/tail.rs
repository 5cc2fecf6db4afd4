//! The last N lines of a file read backwards in chunks, never the whole file: a `Tail` says
//! which window to read next (`/files/read?offset&length`, each at most [`CHUNK`]), takes it,
//! and stops as soon as it holds N whole lines, or reached the start of the file.
//!
//! Mesos's `/files/read` caps every read at 16 pages (`FilesProcess::_read` in
//! `src/files/files.cpp`), 64 KiB on 4 KiB pages: [`CHUNK`] stays within it.

/// The size of one read.
pub const CHUNK: u64 = 64 * 1024;

/// A tail being read.
#[derive(Debug, Clone)]
pub struct Tail {
    /// Lines wanted.
    lines: usize,
    /// The file's offset of the first byte held.
    start: u64,
    /// The file's size when the tail began (the end of what is read).
    end: u64,
    /// The bytes `start..end`.
    held: Vec<u8>,
    /// The size of a read.
    chunk: u64,
}

impl Tail {
    /// A tail of `lines` lines of a file of `size` bytes, read `chunk` bytes at a time.
    pub fn new(size: u64, lines: usize, chunk: u64) -> Self {
        Tail { lines, start: size, end: size, held: Vec::new(), chunk: chunk.max(1) }
    }

    /// The next window to read, `(offset, length)`, or `None` when the tail is complete.
    pub fn next_read(&self) -> Option<(u64, u64)> {
        if self.start == 0 || self.lines == 0 || self.first_line().is_some() {
            return None;
        }
        let length = self.chunk.min(self.start);
        Some((self.start - length, length))
    }

    /// Takes the bytes of the window [`Tail::next_read`] named (all of them).
    pub fn take(&mut self, offset: u64, data: &[u8]) {
        debug_assert_eq!(offset + data.len() as u64, self.start);
        let mut held = Vec::with_capacity(data.len() + self.held.len());
        held.extend_from_slice(data);
        held.append(&mut self.held);
        self.held = held;
        self.start = offset;
    }

    /// The file's size when the tail began: where following it goes on.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// The bytes of the last lines (all that was read when the file has fewer).
    pub fn into_bytes(mut self) -> Vec<u8> {
        if self.lines == 0 {
            return Vec::new();
        }
        match self.first_line() {
            Some(i) => self.held.split_off(i),
            None => self.held,
        }
    }

    /// Where, in `held`, the first of the last `lines` lines starts, once it is known: just
    /// after the `lines`-th newline from the end, a newline that ends the file left out.
    fn first_line(&self) -> Option<usize> {
        let body = self.held.strip_suffix(b"\n").unwrap_or(&self.held);
        let mut seen = 0;
        for (i, &b) in body.iter().enumerate().rev() {
            if b == b'\n' {
                seen += 1;
                if seen == self.lines {
                    return Some(i + 1);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a tail over `file` with `chunk`; returns the result and the windows read.
    fn run(file: &[u8], lines: usize, chunk: u64) -> (String, Vec<(u64, u64)>) {
        let mut tail = Tail::new(file.len() as u64, lines, chunk);
        let mut reads = Vec::new();
        while let Some((offset, length)) = tail.next_read() {
            reads.push((offset, length));
            tail.take(offset, &file[offset as usize..(offset + length) as usize]);
        }
        assert_eq!(tail.end(), file.len() as u64);
        (String::from_utf8(tail.into_bytes()).unwrap(), reads)
    }

    #[test]
    fn reads_backwards_only_as_far_as_the_lines_wanted() {
        let file: String = (0..1000).map(|i| format!("line {i:04}\n")).collect();
        let (tail, reads) = run(file.as_bytes(), 3, 64);
        assert_eq!(tail, "line 0997\nline 0998\nline 0999\n");
        assert_eq!(reads, [(file.len() as u64 - 64, 64)], "one chunk holds 3 lines of 10 bytes");
        let (tail, reads) = run(file.as_bytes(), 20, 64);
        assert_eq!(tail.lines().count(), 20);
        assert!(tail.starts_with("line 0980\n"));
        assert_eq!(reads.len(), 4, "{reads:?}: 201 bytes need 4 chunks of 64");
        assert!(reads.iter().map(|r| r.1).sum::<u64>() < file.len() as u64 / 10);
    }

    #[test]
    fn a_line_cut_by_a_chunk_boundary_is_whole() {
        // Chunks of 4 cut "beta\n" and "gamma\n" in the middle.
        let (tail, reads) = run(b"alpha\nbeta\ngamma\n", 2, 4);
        assert_eq!(tail, "beta\ngamma\n");
        assert_eq!(reads.first(), Some(&(13, 4)));
    }

    #[test]
    fn a_last_line_without_a_newline_counts_as_a_line() {
        assert_eq!(run(b"a\nb\nc", 2, 3).0, "b\nc");
        assert_eq!(run(b"a\nb\nc\n", 2, 3).0, "b\nc\n");
        assert_eq!(run(b"a\nb\nc", 1, 1).0, "c");
    }

    #[test]
    fn crlf_lines_count_once_each() {
        assert_eq!(run(b"one\r\ntwo\r\nthree\r\n", 2, 5).0, "two\r\nthree\r\n");
    }

    #[test]
    fn a_short_file_is_read_whole_and_an_empty_one_not_at_all() {
        assert_eq!(run(b"only\nlines\n", 10, 4).0, "only\nlines\n");
        assert_eq!(run(b"", 10, 4), (String::new(), vec![]));
        assert_eq!(run(b"x\ny\n", 0, 4), (String::new(), vec![]));
    }

    #[test]
    fn empty_lines_are_lines() {
        assert_eq!(run(b"a\n\n\n", 2, 2).0, "\n\n");
    }
}
