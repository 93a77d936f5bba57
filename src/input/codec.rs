//! Compressed streams, recognised by their magic bytes: gzip, zstd, xz and bzip2 (what
//! logrotate, journald exports, sosreport and support bundles use). Each is decoded as a
//! stream, so a file is never held whole; concatenated members/frames/streams (pigz,
//! pzstd, pbzip2, `cat a.gz b.gz`) are read one after another.

use std::io::{self, BufReader, Read};
use std::path::Path;

/// A compression format faultline decodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
}

/// The most memory an xz stream's dictionary may ask for (`xz -9` uses 64 MiB); a stream
/// that asks for more is refused as damaged rather than allocated.
const XZ_MEM_LIMIT: u64 = 256 << 20;

impl Codec {
    /// The format whose magic bytes `head` starts with.
    pub fn sniff(head: &[u8]) -> Option<Codec> {
        if head.starts_with(&[0x1f, 0x8b]) {
            return Some(Codec::Gzip);
        }
        // A zstd frame, or a skippable frame (pzstd writes one first).
        if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
            || (head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18])
        {
            return Some(Codec::Zstd);
        }
        if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            return Some(Codec::Xz);
        }
        // `BZh` and the block size digit, then a block's or the end's magic number: text
        // that starts with "BZh9" is not taken for bzip2.
        if head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            && (head[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59]
                || head[4..10] == [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
        {
            return Some(Codec::Bzip2);
        }
        None
    }

    /// The name used in notices.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Zstd => "zstd",
            Codec::Xz => "xz",
            Codec::Bzip2 => "bzip2",
        }
    }

    /// The name of the text inside a file named `name` (`app.log.zst` holds `app.log`).
    pub fn inner_name(self, name: &str) -> &str {
        let suffixes: &[&str] = match self {
            Codec::Gzip => &[".gz"],
            Codec::Zstd => &[".zst", ".zstd"],
            Codec::Xz => &[".xz"],
            Codec::Bzip2 => &[".bz2"],
        };
        suffixes
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|inner| !inner.is_empty())
            .unwrap_or(name)
    }

    /// A reader of the decoded stream.
    pub fn decoder<'a>(self, reader: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
        let buffered = BufReader::with_capacity(256 << 10, reader);
        Ok(match self {
            Codec::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
            Codec::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
            Codec::Xz => {
                let stream = liblzma::stream::Stream::new_stream_decoder(
                    XZ_MEM_LIMIT,
                    liblzma::stream::CONCATENATED,
                )
                .map_err(io::Error::other)?;
                Box::new(liblzma::bufread::XzDecoder::new_stream(buffered, stream))
            }
            Codec::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        })
    }

    /// What a damaged spot costs besides the data after it: the decoded text the decoder
    /// held when it met the damage (its output is lost with the error).
    pub fn loss(self) -> &'static str {
        match self {
            // Reads are at most GZ_STEP: the call that meets the damage loses its output.
            Codec::Gzip => "less up to 64 KiB just before it",
            // A zstd block (up to 128 KiB) is decoded whole.
            Codec::Zstd => "less the block it was in (up to 128 KiB)",
            Codec::Xz => "less up to 64 KiB just before it",
            // A bzip2 block (up to 900 kB before compression) is decoded whole.
            Codec::Bzip2 => "less the block it was in (up to 900 kB)",
        }
    }
}

/// Archive and compression formats that are recognised only to say so: they are skipped with
/// this name instead of as "binary data".
pub fn unsupported(head: &[u8]) -> Option<&'static str> {
    const KINDS: [(&[u8], &str); 6] = [
        (&[0x04, 0x22, 0x4d, 0x18], "lz4"),
        (&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c], "7-Zip archive"),
        (b"Rar!\x1a\x07", "RAR archive"),
        (b"LZIP", "lzip"),
        (
            &[0x89, b'L', b'Z', b'O', 0x00, 0x0d, 0x0a, 0x1a, 0x0a],
            "lzop",
        ),
        (b"\x1f\x9d", "compress (.Z)"),
    ];
    KINDS
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, name)| *name)
}

/// Whether a path names a compressed file or an archive (by its extension): `watch -F` reads
/// such files once instead of following them (logrotate's `app.log.2.gz`).
pub fn packed_name(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "gz" | "tgz"
                | "zst"
                | "zstd"
                | "tzst"
                | "xz"
                | "txz"
                | "bz2"
                | "tbz2"
                | "tbz"
                | "zip"
                | "tar"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_their_magic_bytes() {
        assert_eq!(Codec::sniff(b"\x1f\x8b\x08\x00"), Some(Codec::Gzip));
        assert_eq!(Codec::sniff(b"\x28\xb5\x2f\xfd\x24"), Some(Codec::Zstd));
        assert_eq!(Codec::sniff(b"\x50\x2a\x4d\x18\x04"), Some(Codec::Zstd));
        assert_eq!(Codec::sniff(b"\xfd7zXZ\x00\x00\x04"), Some(Codec::Xz));
        assert_eq!(
            Codec::sniff(b"BZh91AY&SY\x00"),
            Some(Codec::Bzip2),
            "a bzip2 block"
        );
        assert_eq!(
            Codec::sniff(b"BZh9\x17\x72\x45\x38\x50\x90"),
            Some(Codec::Bzip2),
            "an empty bzip2 stream"
        );
        assert_eq!(Codec::sniff(b"BZh9 is not a log line\n"), None);
        assert_eq!(Codec::sniff(b"2024-03-05 10:00:00 INFO x\n"), None);
        assert_eq!(Codec::sniff(b"P*M"), None, "too short for a frame");
        assert_eq!(unsupported(b"\x04\x22\x4d\x18\x64"), Some("lz4"));
        assert_eq!(
            unsupported(b"7z\xbc\xaf\x27\x1c\x00"),
            Some("7-Zip archive")
        );
        assert_eq!(unsupported(b"2024-03-05 10:00:00 INFO x\n"), None);
    }

    #[test]
    fn inner_names_drop_the_compression_suffix() {
        assert_eq!(Codec::Zstd.inner_name("app.log.2.zst"), "app.log.2");
        assert_eq!(
            Codec::Xz.inner_name("bundle/messages.xz"),
            "bundle/messages"
        );
        assert_eq!(Codec::Bzip2.inner_name("app.log.bz2"), "app.log");
        assert_eq!(Codec::Gzip.inner_name("app.log"), "app.log", "no suffix");
        assert_eq!(Codec::Zstd.inner_name("-"), "-");
        assert_eq!(Codec::Xz.inner_name(".xz"), ".xz");
    }

    #[test]
    fn packed_names_are_read_once_by_watch() {
        for p in [
            "a.log.1.gz",
            "a.log.2.zst",
            "b.tar.xz",
            "c.BZ2",
            "d.tgz",
            "e.zip",
        ] {
            assert!(packed_name(Path::new(p)), "{p}");
        }
        for p in ["app.log", "app.log.1", "app.jsonl", "xz"] {
            assert!(!packed_name(Path::new(p)), "{p}");
        }
    }
}
