//! Splitting the bytes of a sandbox file, read in chunks, into lines: `\n` ends a line, a `\r`
//! before it is dropped (CRLF), a line cut by a chunk boundary is completed by the next chunk,
//! and bytes that are not UTF-8 become U+FFFD.

/// Bytes in, whole lines out.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// The start of a line whose end has not been read yet.
    pending: Vec<u8>,
}

impl Lines {
    /// Takes the next bytes of the file; returns the lines they complete.
    pub fn push(&mut self, data: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = data;
        while let Some(i) = rest.iter().position(|&b| b == b'\n') {
            if self.pending.is_empty() {
                out.push(decode(&rest[..i]));
            } else {
                self.pending.extend_from_slice(&rest[..i]);
                out.push(decode(&std::mem::take(&mut self.pending)));
            }
            rest = &rest[i + 1..];
        }
        self.pending.extend_from_slice(rest);
        out
    }

    /// The last line when the file does not end with a newline (and nothing more will be read).
    pub fn finish(&mut self) -> Option<String> {
        (!self.pending.is_empty()).then(|| decode(&std::mem::take(&mut self.pending)))
    }
}

/// One line's text, without its `\r` (CRLF).
fn decode(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

/// Every line of `data`, the last one also when it has no newline.
pub fn all(data: &[u8]) -> Vec<String> {
    let mut lines = Lines::default();
    let mut out = lines.push(data);
    out.extend(lines.finish());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cut_by_chunks_are_joined_and_crlf_is_dropped() {
        let mut l = Lines::default();
        assert_eq!(l.push(b"one\r"), Vec::<String>::new());
        assert_eq!(l.push(b"\ntw"), ["one"]);
        assert_eq!(l.push(b"o\nthree\n\nfour"), ["two", "three", ""]);
        assert_eq!(l.finish().as_deref(), Some("four"));
        assert_eq!(l.finish(), None);
    }

    #[test]
    fn a_file_ending_in_a_newline_has_no_empty_last_line() {
        assert_eq!(all(b"a\nb\n"), ["a", "b"]);
        assert_eq!(all(b"a\nb"), ["a", "b"]);
        assert_eq!(all(b""), Vec::<String>::new());
        assert_eq!(all(b"\xffok\n"), ["\u{fffd}ok"]);
    }
}
