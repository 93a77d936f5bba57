//! Masking: one raw message in, one *signature* out.
//!
//! A signature is the message's tokens joined by single spaces, with every recognisable variable
//! replaced by a typed placeholder: `<NUM>` (integers, decimals, digit runs glued to words as in
//! `blk_<NUM>`), `<HEX>` (0x…, hashes, ids, hex-pair ids), `<MAC>`, `<IP>` (v4/v6; a port stays
//! `:<NUM>`), `<HOST>` (DNS names, and `label-41` before `:port` or `/IP`), `<UUID>`, `<TS>`
//! (dates, times, ISO and worded forms spanning several tokens), `<DURATION>` (`30s`, `1h30m`),
//! `<SIZE>` (`10KB`, `3.2 GiB`), `<ID>` (letters and digits alternating, `jA9J1UvC004306`),
//! `<URL>`, `<EMAIL>`, `<PATH>`, `<VERSION>` (`v1.2`), `<*>`
//! (booleans/null, quoted values containing spaces), or `<NAME>` for a user mask. Everything
//! else is kept, so `key=value` keeps its key and clustering can still see the words.
//!
//! Most production lines share a signature with many others, so the caller dedups signatures
//! and only the distinct ones reach the (much more expensive) clustering in [`super::cluster`].
//!
//! This is the hot path of the whole pipeline, so the built-in masks are hand-written byte
//! scanners: no regex, no per-token allocation; the only allocations are growth of `out` and,
//! once per thread, an ~85 KB cache of recently masked tokens (logs repeat `status=200` and
//! `[worker-11]` line after line; token masking is a pure function, so a hit changes only the
//! speed). Letters-only and digits-only tokens take fast paths found during the whitespace
//! scan. Other whitespace tokens are tried whole first (URLs, IPv6, timestamps contain
//! delimiters), then their pieces between `,;=|()[]{}<>"'`, then `:` parts, then numbers glued
//! inside words. `mask_oracle.rs` pins every signature to a frozen copy of the pre-optimisation
//! masker (`mask_reference.rs`).
//! Input may be any bytes (invalid UTF-8 passes through untouched) and may span several lines;
//! multi-line stack traces are handed to [`super::stack`].

use memchr::memchr;

#[cfg(test)]
#[path = "mask_reference.rs"]
mod reference;

#[cfg(test)]
#[path = "mask_oracle.rs"]
mod oracle;

/// Masks variables in one message into a signature (see the module docs). Cheap to clone and
/// `Sync`: share one across worker threads.
#[derive(Clone, Debug)]
pub struct Masker {
    /// `--mask NAME=REGEX`: matches become `<NAME>`. Applied before the built-in masks.
    user_masks: Vec<(Vec<u8>, regex::bytes::Regex)>,
}

impl Masker {
    /// Builds a masker. Each user mask `(NAME, regex)` turns its matches into `<NAME>`.
    pub fn new(user_masks: Vec<(String, regex::bytes::Regex)>) -> Masker {
        let user_masks = user_masks
            .into_iter()
            .map(|(name, re)| {
                let mut ph = Vec::with_capacity(name.len() + 2);
                ph.push(b'<');
                ph.extend_from_slice(name.as_bytes());
                ph.push(b'>');
                (ph, re)
            })
            .collect();
        Masker { user_masks }
    }

    /// Writes the signature of `message` into `out` (cleared first).
    pub fn mask(&self, message: &[u8], out: &mut Vec<u8>) {
        out.clear();
        if memchr(b'\n', message).is_some() && super::stack::is_stack_trace(message) {
            super::stack::signature(self, message, out);
            return;
        }
        self.mask_line(message, out);
    }

    /// Masks a single line (or a message treated as one: newlines are just whitespace).
    pub(crate) fn mask_line(&self, line: &[u8], out: &mut Vec<u8>) {
        TOKEN_CACHE.with(|cache| {
            // The cache is borrowed once per line, not per token. It cannot be borrowed
            // already (masking never re-enters), but if it were, mask without it.
            let mut none = Vec::new();
            let mut guard = cache.try_borrow_mut();
            let cache = match guard.as_deref_mut() {
                Ok(c) => {
                    if c.len() != CACHE_SLOTS {
                        c.clear();
                        c.resize(CACHE_SLOTS, EMPTY_SLOT);
                    }
                    c
                }
                Err(_) => &mut none,
            };
            let mut em = Emitter {
                out,
                pending_space: false,
                cache,
            };
            if self.user_masks.is_empty() {
                mask_text(line, &mut em);
            } else {
                self.mask_with_user(line, &mut em);
            }
        });
    }

    /// User masks run first, on the whole line, because their regexes may span tokens; the gaps
    /// between their matches go through the built-in scanners.
    fn mask_with_user(&self, line: &[u8], em: &mut Emitter<'_>) {
        // Next match of each mask at or after `pos`, searched again only once `pos` has moved
        // past its start, so each mask scans the line about once.
        let mut next: Vec<Option<(usize, usize)>> = self
            .user_masks
            .iter()
            .map(|(_, re)| find_non_empty(re, line, 0))
            .collect();
        let mut pos = 0;
        while pos < line.len() {
            for (k, (_, re)) in self.user_masks.iter().enumerate() {
                if next[k].is_some_and(|(s, _)| s < pos) {
                    next[k] = find_non_empty(re, line, pos);
                }
            }
            // Earliest match of any user mask; on a tie the first mask given wins.
            let best = next
                .iter()
                .enumerate()
                .filter_map(|(k, m)| m.map(|(s, e)| (s, e, k)))
                .min_by_key(|&(s, _, k)| (s, k));
            match best {
                Some((s, e, k)) => {
                    mask_text(&line[pos..s], em);
                    if s > 0 && is_space(line[s - 1]) {
                        em.space();
                    }
                    em.push(&self.user_masks[k].0);
                    if e < line.len() && is_space(line[e]) {
                        em.space();
                    }
                    pos = e;
                }
                None => {
                    mask_text(&line[pos..], em);
                    pos = line.len();
                }
            }
        }
    }
}

/// First non-empty match of `re` in `line` starting at or after `from`.
fn find_non_empty(
    re: &regex::bytes::Regex,
    line: &[u8],
    mut from: usize,
) -> Option<(usize, usize)> {
    while from <= line.len() {
        let m = re.find_at(line, from)?;
        if m.end() > m.start() {
            return Some((m.start(), m.end()));
        }
        from = m.end() + 1;
    }
    None
}

/// Writes tokens, collapsing any whitespace run into one space and never leading or trailing.
struct Emitter<'a> {
    out: &'a mut Vec<u8>,
    pending_space: bool,
    /// This thread's token cache ([`CACHE_SLOTS`] slots, or empty to cache nothing).
    cache: &'a mut [Slot],
}

impl Emitter<'_> {
    #[inline]
    fn space(&mut self) {
        if !self.out.is_empty() {
            self.pending_space = true;
        }
    }
    #[inline]
    fn push(&mut self, b: &[u8]) {
        push_to(self.out, &mut self.pending_space, b);
    }
    #[inline]
    fn byte(&mut self, b: u8) {
        self.push(std::slice::from_ref(&b));
    }
}

/// [`Emitter::push`] on the emitter's parts (so a cache slot can stay borrowed meanwhile).
#[inline]
fn push_to(out: &mut Vec<u8>, pending_space: &mut bool, b: &[u8]) {
    if b.is_empty() {
        return;
    }
    if *pending_space {
        out.push(b' ');
        *pending_space = false;
    }
    out.extend_from_slice(b);
}

/// Byte classes, looked up once per byte in the hot loops. A byte may have several bits.
const C_SPACE: u8 = 1;
const C_QUOTE: u8 = 2;
const C_DIGIT: u8 = 4;
const C_ALPHA: u8 = 8;
const C_COLON: u8 = 16;
/// Any other byte (punctuation, control, non-ASCII), so that `seen == C_ALPHA` means letters only.
const C_OTHER: u8 = 32;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
            C_SPACE
        } else if b == b'"' || b == b'\'' {
            C_QUOTE
        } else if b.is_ascii_digit() {
            C_DIGIT
        } else if b.is_ascii_alphabetic() {
            C_ALPHA
        } else if b == b':' {
            C_COLON
        } else {
            C_OTHER
        };
        i += 1;
    }
    t
};

/// Per-byte counters for [`classify`], one 16-bit lane each: digits, letters, dots, colons.
/// Summing these over a piece counts all four at once without branches.
const K_DIGIT: u64 = 1;
const K_ALPHA: u64 = 1 << 16;
const K_DOT: u64 = 1 << 32;
const K_COLON: u64 = 1 << 48;

static COUNT: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_digit() {
            K_DIGIT
        } else if b.is_ascii_alphabetic() {
            K_ALPHA
        } else if b == b'.' {
            K_DOT
        } else if b == b':' {
            K_COLON
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Flags for [`classify`]: bytes whose presence (not count) gates a checker.
const F_SLASH: u8 = 1;
const F_AT: u8 = 2;

static FLAG: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'/' as usize] = F_SLASH;
    t[b'\\' as usize] = F_SLASH;
    t[b'@' as usize] = F_AT;
    t
};

#[inline]
fn is_space(b: u8) -> bool {
    CLASS[b as usize] & C_SPACE != 0
}

/// Quoted text longer than this is not treated as one value (it is probably a broken quote).
const MAX_QUOTED: usize = 512;

/// Masks a run of text: splits at whitespace, except that a quoted value containing whitespace
/// is masked as one `<*>` so values of varying word count do not change the token count.
fn mask_text(text: &[u8], em: &mut Emitter<'_>) {
    let mut i = 0;
    let n = text.len();
    while i < n {
        if is_space(text[i]) {
            em.space();
            i += 1;
            continue;
        }
        let start = i;
        let mut seen = 0u8;
        while i < n {
            let c = CLASS[text[i] as usize];
            if c & C_SPACE != 0 {
                break;
            }
            seen |= c;
            i += 1;
        }
        let quotes = seen & C_QUOTE != 0;
        let tok = &text[start..i];
        // Most tokens are plain words: letters only can be nothing but a word, a boolean or a
        // long a-f hex run — unless they start a worded date. (The checks below all need a
        // digit, a colon, a quote or a comparator, which such a token lacks.)
        if seen == C_ALPHA
            && !(tok.len() <= 11 && tok[0].is_ascii_uppercase() && may_start_worded_date(tok))
        {
            emit_word(tok, em);
            continue;
        }
        // A word and one trailing `,` `.` `:` `;` `)` or `]` (`failed:`, `user,`): what
        // `mask_token`'s own fast path gives, without the checks and the cache lookup.
        if seen & (C_DIGIT | C_QUOTE) == 0 && tok.len() >= 2 && tok[0].is_ascii_alphabetic() {
            let (last, word) = (tok[tok.len() - 1], &tok[..tok.len() - 1]);
            if matches!(last, b',' | b'.' | b':' | b';' | b')' | b']')
                && word.iter().all(u8::is_ascii_alphabetic)
                && !(tok.len() <= 11 && tok[0].is_ascii_uppercase() && may_start_worded_date(tok))
            {
                emit_word(word, em);
                em.byte(last);
                continue;
            }
        }
        // `3.2 GiB`: a number and its size unit in two tokens are one size.
        if tok[0].is_ascii_digit() {
            if let Some((end, last)) = spaced_size(text, tok, i) {
                em.push(b"<SIZE>");
                em.push(trailing_punct(last));
                i = end;
                continue;
            }
        }
        // Digits only: a number, unless a 1-2 digit day starts a worded date (`17 Jun 2005`).
        // (No separator, so neither a date nor a time; no comparator or quote.)
        if seen == C_DIGIT && tok.len() > 2 {
            em.push(b"<NUM>");
            continue;
        }
        // `2024-01-31 12:34:56.789`: a date and a time in two tokens are one timestamp.
        if tok[0].is_ascii_digit() && date_len(tok) == Some(tok.len()) {
            if let Some((ts, te)) = next_token(text, i) {
                let t2 = &text[ts..te];
                let w2 = &t2[..t2.len() - trailing_punct(t2).len()];
                if time_len(w2).is_some_and(|l| tz_len(&w2[l..]).is_some_and(|z| l + z == w2.len()))
                {
                    em.push(b"<TS>");
                    em.push(trailing_punct(t2));
                    i = te;
                    continue;
                }
            }
        }
        // Dates written with words (`Mon Jun 17 07:07:00 2005`, `17 Jun 2005 07:07:00`) span
        // several tokens: mask them as one so the token count does not depend on the format.
        // (A worded date starts with a digit, a capital, `[` or `(`: skip the call otherwise.)
        if tok.len() <= 11
            && matches!(tok[0], b'0'..=b'9' | b'A'..=b'Z' | b'[' | b'(')
            && may_start_worded_date(tok)
        {
            if let Some((end, last)) = worded_timestamp(text, start) {
                let a = tok.iter().take_while(|&&b| b == b'[' || b == b'(').count();
                em.push(&tok[..a]);
                em.push(b"<TS>");
                em.push(trailing_punct(last));
                i = end;
                continue;
            }
        }
        // `[17/May/2015:10:05:03 +0000]`: a zone offset in its own token belongs to the time.
        if tok.len() >= 8 && seen & C_COLON != 0 {
            let core = tok.strip_prefix(b"[").unwrap_or(tok);
            if core.first().is_some_and(u8::is_ascii_digit) && is_timestamp(core) {
                if let Some((zs, ze)) = next_token(text, i) {
                    let z = &text[zs..ze];
                    let zc = &z[..z.len() - trailing_punct_or_bracket(z).len()];
                    if zc.len() == 5 && (zc[0] == b'+' || zc[0] == b'-') && digits(&zc[1..]) == 4 {
                        em.push(&tok[..tok.len() - core.len()]);
                        em.push(b"<TS>");
                        em.push(trailing_punct_or_bracket(z));
                        i = ze;
                        continue;
                    }
                }
            }
        }
        // `<1 sec`, `>500 ms`: a bound with its unit is one value, whatever the unit word.
        if let Some((end, last)) = bounded_quantity(text, tok, i) {
            em.push(b"<DURATION>");
            em.push(trailing_punct(last));
            i = end;
            continue;
        }
        // An opening quote whose closing quote lies beyond the token means the quoted value
        // contains whitespace: mask it whole.
        if let Some(q) = if quotes { unclosed_quote(tok) } else { None } {
            let qc = tok[q];
            // Only look a bounded distance ahead: an unclosed quote must not make every later
            // token rescan the rest of a long line.
            // A token longer than the window leaves nothing to search (slicing `i..` past
            // the window's end would panic).
            let window = text
                .get(i..n.min(start + q + MAX_QUOTED))
                .unwrap_or_default();
            if let Some(close) = memchr(qc, window).map(|c| i + c) {
                if opens_quote(tok, q) && !http_request_line(&text[start + q + 1..close]) {
                    mask_token(&tok[..q], em);
                    em.byte(qc);
                    em.push(b"<*>");
                    // Continue with the closing quote and whatever is glued to it.
                    let mut j = close;
                    while j < n && !is_space(text[j]) {
                        j += 1;
                    }
                    mask_token(&text[close..j], em);
                    i = j;
                    continue;
                }
            }
        }
        mask_token_cached(tok, em);
    }
}

/// Longest token whose signature piece is cached, and longest cached piece.
const CACHE_KEY: usize = 32;
const CACHE_VAL: usize = 48;
/// Slots in each thread's token cache (direct-mapped; a power of two).
const CACHE_SLOTS: usize = 1024;

/// One cached token and what [`mask_token`] emits for it.
#[derive(Clone, Copy)]
struct Slot {
    /// Which function the entry is for: [`KIND_TOKEN`] or [`KIND_PIECE`].
    kind: u8,
    key_len: u8,
    val_len: u8,
    key: [u8; CACHE_KEY],
    val: [u8; CACHE_VAL],
}

const KIND_TOKEN: u8 = 1;
const KIND_PIECE: u8 = 2;

const EMPTY_SLOT: Slot = Slot {
    kind: 0,
    key_len: 0,
    val_len: 0,
    key: [0; CACHE_KEY],
    val: [0; CACHE_VAL],
};

thread_local! {
    /// Logs repeat the same tokens line after line (`status=200`, `[worker-11]`, `host=x.y`),
    /// and masking a token with punctuation or digits costs about a thousand instructions, so
    /// each thread remembers the output of recent ones. [`mask_token`] is a pure function of
    /// the token, so a hit gives exactly what masking would; only the speed changes.
    static TOKEN_CACHE: std::cell::RefCell<Vec<Slot>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The key zero-padded to [`CACHE_KEY`] bytes (compared as one fixed-size array, no `memcmp`
/// call) and its hash for the cache slot.
#[inline]
fn padded_key(key: &[u8]) -> ([u8; CACHE_KEY], u64) {
    let mut k = [0u8; CACHE_KEY];
    k[..key.len()].copy_from_slice(key);
    let mut h = key.len() as u64;
    for c in k.chunks_exact(8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    (k, h ^ (h >> 29))
}

/// [`mask_token`] through the per-thread token cache.
#[inline]
fn mask_token_cached(tok: &[u8], em: &mut Emitter<'_>) {
    if tok.len() > CACHE_KEY {
        mask_token(tok, em);
    } else {
        cached(KIND_TOKEN, tok, em, mask_token);
    }
}

/// `f(key, em)` through the per-thread cache; `key` is at most [`CACHE_KEY`] bytes, `f` must
/// be a pure function of `key` that only pushes to `em`, and `kind` must name `f`. Emitting
/// the cached piece with one `push` is the same as the pushes it was made of: only the first
/// non-empty push writes the pending space, and empty pushes write nothing.
fn cached(kind: u8, key: &[u8], em: &mut Emitter<'_>, f: fn(&[u8], &mut Emitter<'_>)) {
    if key.len() > CACHE_KEY {
        f(key, em);
        return;
    }
    if em.cache.len() != CACHE_SLOTS {
        f(key, em);
        return;
    }
    let (padded, h) = padded_key(key);
    let idx = (h ^ u64::from(kind)) as usize & (CACHE_SLOTS - 1);
    {
        // Borrow the slot and the output separately: no copy of the slot.
        let Emitter {
            out,
            pending_space,
            cache,
        } = &mut *em;
        let slot = &cache[idx];
        if slot.kind == kind && usize::from(slot.key_len) == key.len() && slot.key == padded {
            push_to(out, pending_space, &slot.val[..usize::from(slot.val_len)]);
            return;
        }
    }
    let before = em.out.len();
    let pending = em.pending_space;
    f(key, em);
    let produced = &em.out[before..];
    let val = match produced.split_first() {
        Some((b' ', rest)) if pending => rest,
        _ => produced,
    };
    if val.len() <= CACHE_VAL {
        let mut slot = Slot {
            kind,
            key_len: key.len() as u8,
            val_len: val.len() as u8,
            key: padded,
            val: [0; CACHE_VAL],
        };
        slot.val[..val.len()].copy_from_slice(val);
        em.cache[idx] = slot;
    }
}

/// Position of the last quote character in `tok` that is left unclosed inside the token.
fn unclosed_quote(tok: &[u8]) -> Option<usize> {
    let mut open: Option<usize> = None;
    for (k, &b) in tok.iter().enumerate() {
        if b == b'"' || b == b'\'' {
            match open {
                Some(o) if tok[o] == b => open = None,
                Some(_) => {}
                None => open = Some(k),
            }
        }
    }
    open
}

/// A quote opens a value only at the token start or after `=`, `:`, `(`, `[`, `{` or `,` —
/// this keeps apostrophes in English text (`can't`) from swallowing the rest of the line.
fn opens_quote(tok: &[u8], q: usize) -> bool {
    q == 0 || matches!(tok[q - 1], b'=' | b':' | b'(' | b'[' | b'{' | b',')
}

/// Placeholder for a whole piece, if the piece as a whole is a recognisable value.
fn classify(s: &[u8]) -> Option<&'static [u8]> {
    if s.is_empty() {
        return None;
    }
    // One pass over the bytes decides which of the (costlier) checkers can possibly match.
    // The counts live in 16-bit lanes of one sum, so a piece of 64 KiB or more (a lane could
    // overflow) is counted lane by lane instead.
    let (digits, alpha, dots, colons, flags) = if s.len() < 1 << 16 {
        let mut sum = 0u64;
        let mut flags = 0u8;
        for &b in s {
            sum += COUNT[b as usize];
            flags |= FLAG[b as usize];
        }
        (
            (sum & 0xffff) as usize,
            ((sum >> 16) & 0xffff) as usize,
            ((sum >> 32) & 0xffff) as usize,
            (sum >> 48) as usize,
            flags,
        )
    } else {
        let (mut d, mut a, mut o, mut c, mut f) = (0usize, 0usize, 0usize, 0usize, 0u8);
        for &b in s {
            let k = COUNT[b as usize];
            d += (k & 0xffff) as usize;
            a += ((k >> 16) & 0xffff) as usize;
            o += ((k >> 32) & 0xffff) as usize;
            c += (k >> 48) as usize;
            f |= FLAG[b as usize];
        }
        (d, a, o, c, f)
    };
    let slash = flags & F_SLASH != 0;
    let at = flags & F_AT != 0;
    if alpha == s.len() {
        if is_bool_or_null(s) {
            return Some(b"<*>");
        }
        return (s.len() >= 8 && is_hex(s)).then_some(&b"<HEX>"[..]);
    }
    let b0 = s[0];
    if digits > 0
        && (b0.is_ascii_digit() || ((b0 == b'-' || b0 == b'+' || b0 == b'.') && s.len() > 1))
    {
        if is_number(s) {
            return Some(b"<NUM>");
        }
        if let Some(ph) = classify_numeric_like(s) {
            return Some(ph);
        }
    }
    if (b0 == b'v' || b0 == b'V') && digits > 0 && dots > 0 && is_version(&s[1..]) {
        return Some(b"<VERSION>");
    }
    if s.len() == 36 && is_uuid(s) {
        return Some(b"<UUID>");
    }
    if s.len() >= 3 && digits + alpha == s.len() && is_hex(s) {
        return Some(b"<HEX>");
    }
    if s.len() >= 8 && digits >= 2 && alpha >= 2 && digits + alpha == s.len() && is_mixed_id(s) {
        return Some(b"<ID>");
    }
    if colons > 0 && slash && is_url(s) {
        return Some(b"<URL>");
    }
    if at && is_email(s) {
        return Some(b"<EMAIL>");
    }
    if (slash || b0 == b'~') && is_path(s) {
        return Some(b"<PATH>");
    }
    if dots > 0 && alpha > 0 && s.len() >= 4 && is_hostname(s) {
        return Some(b"<HOST>");
    }
    if colons + dots == 0 && s.len() >= 11 && is_hex_pairs(s) {
        return Some(if s.len() == 17 { b"<MAC>" } else { b"<HEX>" });
    }
    if colons >= 3 && is_hex_pairs(s) {
        return Some(if s.len() == 17 { b"<MAC>" } else { b"<HEX>" });
    }
    if colons >= 2 && is_ipv6(s) {
        return Some(b"<IP>");
    }
    None
}

/// `jA9J1UvC004306` (a sendmail queue id), `X9Y8Z7Q6`: letters and digits alternating three
/// times or more are a generated id. Names that carry a digit or two (`utf8`, `log4j`,
/// `x86_64`, `Base64Encoder`) change between letters and digits at most twice.
pub(super) fn is_mixed_id(s: &[u8]) -> bool {
    let mut changes = 0;
    for w in s.windows(2) {
        if w[0].is_ascii_digit() != w[1].is_ascii_digit() {
            changes += 1;
        }
    }
    changes >= 3
}

/// `00:1a:2b:3c:4d:5e`, `00-1A-2B-3C-4D-5E`, `FF:F2:9F:16:E2:23:00:0D:60:E9:1D:DC`: pairs of hex
/// digits joined by one kind of separator (MAC addresses, chip and card ids).
fn is_hex_pairs(s: &[u8]) -> bool {
    if s.len() < 11 || !(s.len() + 1).is_multiple_of(3) {
        return false;
    }
    let sep = s[2];
    (sep == b':' || sep == b'-')
        && s.chunks(3).all(|c| {
            c[0].is_ascii_hexdigit() && c[1].is_ascii_hexdigit() && (c.len() == 2 || c[2] == sep)
        })
}

/// Things that start with a digit: timestamps, dates, durations, sizes, IPv4.
fn classify_numeric_like(s: &[u8]) -> Option<&'static [u8]> {
    if is_timestamp(s) {
        return Some(b"<TS>");
    }
    if is_duration(s) {
        return Some(b"<DURATION>");
    }
    if is_size(s) {
        return Some(b"<SIZE>");
    }
    if let Some(l) = ipv4_len(s) {
        if l == s.len() {
            return Some(b"<IP>");
        }
    }
    None
}

/// Length of the leading run of ASCII digits.
#[inline]
fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// `[+-]?\d+(\.\d+)?([eE][+-]?\d+)?` or `[+-]?\.\d+`, with nothing after.
fn number_len(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        i += 1;
    }
    let d = digits(&s[i..]);
    i += d;
    if i < s.len() && s[i] == b'.' {
        let f = digits(&s[i + 1..]);
        if f > 0 {
            i += 1 + f;
        } else if d == 0 {
            return None;
        }
    } else if d == 0 {
        return None;
    }
    if i + 1 < s.len() && (s[i] == b'e' || s[i] == b'E') {
        let mut j = i + 1;
        if s[j] == b'-' || s[j] == b'+' {
            j += 1;
        }
        let e = digits(&s[j..]);
        if e > 0 && e <= 3 {
            i = j + e;
        }
    }
    Some(i)
}

fn is_number(s: &[u8]) -> bool {
    number_len(s) == Some(s.len())
}

fn is_hex(s: &[u8]) -> bool {
    if s.len() > 2 && s[0] == b'0' && (s[1] == b'x' || s[1] == b'X') {
        return s[2..].iter().all(|b| b.is_ascii_hexdigit());
    }
    // Bare hex runs: hashes, object ids, addresses. Require a digit and a letter so that plain
    // words made of a-f letters (`accede`, `facade`) and plain numbers stay what they are.
    if s.len() < 6 {
        return false;
    }
    let mut has_digit = false;
    let mut has_alpha = false;
    for &b in s {
        if b.is_ascii_digit() {
            has_digit = true;
        } else if b.is_ascii_hexdigit() {
            has_alpha = true;
        } else {
            return false;
        }
    }
    // Eight or more a-f letters are not an English word; `ffffffff` is a mask.
    (has_digit && has_alpha) || (!has_digit && s.len() >= 8)
}

/// `8f5e3a1c-1111-4222-8333-444455556666`: 8-4-4-4-12 hex digits.
pub(crate) fn is_uuid(s: &[u8]) -> bool {
    s.len() == 36
        && s.iter().enumerate().all(|(i, &b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Length of a leading dotted-quad IPv4 address (no port).
fn ipv4_len(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    for part in 0..4 {
        let d = digits(&s[i..]);
        if d == 0 || d > 3 {
            return None;
        }
        i += d;
        if part < 3 {
            if i >= s.len() || s[i] != b'.' {
                return None;
            }
            i += 1;
        }
    }
    Some(i)
}

fn is_ipv6(s: &[u8]) -> bool {
    // hex groups separated by ':' with at least two colons, and something that rules out a
    // clock time (a hex letter or `::`); an embedded IPv4 tail is allowed.
    let mut colons = 0;
    let mut hex_alpha = false;
    let mut double = false;
    let mut group = 0;
    for (i, &b) in s.iter().enumerate() {
        if b == b':' {
            colons += 1;
            if i > 0 && s[i - 1] == b':' {
                double = true;
            }
            group = 0;
        } else if b.is_ascii_hexdigit() {
            group += 1;
            if group > 4 {
                return false;
            }
            if !b.is_ascii_digit() {
                hex_alpha = true;
            }
        } else if b == b'.' {
            // v4-mapped tail such as ::ffff:10.0.0.1
            let start = s[..i].iter().rposition(|&c| c == b':').map_or(0, |p| p + 1);
            return colons >= 2 && ipv4_len(&s[start..]) == Some(s.len() - start);
        } else {
            return false;
        }
    }
    (2..=7).contains(&colons) && (hex_alpha || double)
}

/// Dates, clock times and combinations: `2024-01-31`, `2024/01/31`, `31/01/2024`, `12:34`,
/// `12:34:56.789`, `2024-01-31T12:34:56Z`, `2024-01-31T12:34:56+02:00`, `20240131T123456`.
fn is_timestamp(s: &[u8]) -> bool {
    let mut i = date_len(s).unwrap_or(0);
    if i == s.len() && i > 0 {
        return true;
    }
    if i > 0 {
        // `:` joins date and time in the common log format (`17/May/2015:10:05:03`).
        if s[i] != b'T' && s[i] != b'_' && s[i] != b'-' && s[i] != b':' {
            return false;
        }
        i += 1;
    }
    match time_len(&s[i..]) {
        Some(t) => {
            i += t;
            tz_len(&s[i..]).is_some_and(|z| i + z == s.len())
        }
        None => false,
    }
}

fn date_len(s: &[u8]) -> Option<usize> {
    let a = digits(s);
    if a == 0 || a >= s.len() {
        return None;
    }
    let sep = s[a];
    if sep != b'-' && sep != b'/' && sep != b'.' {
        return None;
    }
    let mut b = digits(&s[a + 1..]);
    // `17/May/2015`, `17-May-2015`: a month name in the middle.
    if b == 0 && sep != b'.' && s.len() >= a + 4 && month(&s[a + 1..a + 4]) {
        b = 3;
    }
    if b == 0 || b > 3 {
        return None;
    }
    let p = a + 1 + b;
    if p >= s.len() || s[p] != sep {
        return None;
    }
    let c = digits(&s[p + 1..]);
    let ok = (a == 4 && (1..=2).contains(&c)) || (a <= 2 && (c == 4 || c == 2));
    ok.then_some(p + 1 + c)
}

fn time_len(s: &[u8]) -> Option<usize> {
    let h = digits(s);
    if h == 0 || h > 2 || h >= s.len() || s[h] != b':' {
        return None;
    }
    let m = digits(&s[h + 1..]);
    if m != 2 {
        return None;
    }
    let mut i = h + 3;
    if i < s.len() && s[i] == b':' {
        let sec = digits(&s[i + 1..]);
        if sec != 2 {
            return None;
        }
        i += 3;
        if i < s.len() && (s[i] == b'.' || s[i] == b',') {
            let f = digits(&s[i + 1..]);
            if f > 0 {
                i += 1 + f;
            }
        }
    }
    Some(i)
}

fn tz_len(s: &[u8]) -> Option<usize> {
    if s.is_empty() {
        return Some(0);
    }
    if s[0] == b'Z' || s[0] == b'z' {
        return Some(1);
    }
    if s[0] == b'+' || s[0] == b'-' {
        let d = digits(&s[1..]);
        if d == 4 {
            return Some(5);
        }
        if d == 2 {
            if s.len() > 3 && s[3] == b':' && digits(&s[4..]) == 2 {
                return Some(6);
            }
            return Some(3);
        }
    }
    None
}

/// `30s`, `120ms`, `1.5h`, `1h30m`, `2m30.5s`, `500us`, `3µs`, `10sec`, `5min`.
fn is_duration(s: &[u8]) -> bool {
    let mut i = 0;
    let mut parts = 0;
    while i < s.len() {
        let n = match number_len(&s[i..]) {
            Some(n) if n > 0 => n,
            _ => return false,
        };
        if parts > 0 && (s[i] == b'-' || s[i] == b'+') {
            return false;
        }
        i += n;
        let rest = &s[i..];
        let u = [
            &b"\xc2\xb5s"[..],
            b"nsec",
            b"usec",
            b"msec",
            b"secs",
            b"sec",
            b"mins",
            b"min",
            b"hrs",
            b"hr",
            b"ns",
            b"us",
            b"ms",
            b"s",
            b"m",
            b"h",
            b"d",
        ]
        .iter()
        .find(|u| rest.starts_with(u))
        .map(|u| u.len());
        match u {
            Some(u) => i += u,
            None => return false,
        }
        parts += 1;
    }
    parts > 0
}

/// `10KB`, `3.2GiB`, `512b`, `64k`, `100bytes`.
fn is_size(s: &[u8]) -> bool {
    let n = match number_len(s) {
        Some(n) if n > 0 && n < s.len() => n,
        _ => return false,
    };
    let u = &s[n..];
    if u.eq_ignore_ascii_case(b"bytes") || u.eq_ignore_ascii_case(b"b") {
        return true;
    }
    let (p, rest) = (u[0].to_ascii_uppercase(), &u[1..]);
    matches!(p, b'K' | b'M' | b'G' | b'T' | b'P')
        && (rest.is_empty()
            || rest == b"B"
            || rest == b"b"
            || rest == b"iB"
            || rest == b"ib"
            || rest == b"bps")
}

fn is_url(s: &[u8]) -> bool {
    match memchr::memmem::find(s, b"://") {
        Some(p) if p > 0 => s[..p]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'-' || *b == b'.'),
        _ => false,
    }
}

fn is_email(s: &[u8]) -> bool {
    let at = match memchr(b'@', s) {
        Some(a) if a > 0 => a,
        _ => return false,
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    local
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+' | b'%'))
        && domain.len() >= 3
        && memchr(b'.', domain).is_some_and(|d| d > 0 && d + 1 < domain.len())
        && domain
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')
}

/// Absolute or explicitly relative paths: `/var/log/x`, `./a/b`, `../a`, `~/x`, `C:\x\y`,
/// and Windows UNC paths ([`is_unc_path`]).
fn is_path(s: &[u8]) -> bool {
    if is_unc_path(s) {
        return true;
    }
    let body = if s.len() >= 2 && s[0] == b'/' && s[1] != b'/' {
        &s[1..]
    } else if s.starts_with(b"./") || s.starts_with(b"~/") {
        &s[2..]
    } else if s.starts_with(b"../")
        || (s.len() > 3 && s[0].is_ascii_alphabetic() && &s[1..3] == b":\\")
    {
        &s[3..]
    } else {
        return false;
    };
    // A lone `/word` with no further separator is a path too (`/tmp`), but must contain a
    // letter, digit or dot; it must not look like a fraction such as `/2`.
    !body.is_empty()
        && body
            .iter()
            .any(|b| b.is_ascii_alphabetic() || *b == b'.' || *b == b'_')
}

/// A Windows UNC path: `\\server\share\dir`, `\\?\C:\dir`, `\\?\GLOBALROOT\Device\…`,
/// `\\.\pipe\name`: two backslashes, a server (or `?`, `.`), a backslash, and a non-empty
/// next part; `\\x00\\x01` (escaped bytes) is none.
pub(super) fn is_unc_path(s: &[u8]) -> bool {
    let Some(rest) = s.strip_prefix(b"\\\\") else {
        return false;
    };
    let Some(sep) = memchr(b'\\', rest) else {
        return false;
    };
    let server = &rest[..sep];
    let server_ok = server == b"?"
        || server == b"."
        || (!server.is_empty()
            && server
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'$')));
    server_ok
        && rest
            .get(sep + 1)
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.'))
}

/// Characters that separate values inside one whitespace-free token.
#[inline]
fn is_strong_delim(b: u8) -> bool {
    STRONG[b as usize]
}

/// `,;=|()[]{}<>"'` as a table: one load instead of a chain of compares per byte.
static STRONG: [bool; 256] = {
    let mut t = [false; 256];
    let set = b",;=|()[]{}<>\"'";
    let mut i = 0;
    while i < set.len() {
        t[set[i] as usize] = true;
        i += 1;
    }
    t
};

/// Masks one whitespace-free token.
fn mask_token(tok: &[u8], em: &mut Emitter<'_>) {
    if tok.is_empty() {
        return;
    }
    // Fast path for the commonest tokens: a plain word, possibly followed by `,` `.` `:` `;`
    // `)` or `]`. The general path would give the same result, several times slower.
    let word_end = tok.len()
        - tok
            .iter()
            .rev()
            .take_while(|b| matches!(b, b',' | b'.' | b':' | b';' | b')' | b']'))
            .count();
    let word = &tok[..word_end];
    if !word.is_empty() && word.iter().all(u8::is_ascii_alphabetic) {
        emit_word(word, em);
        em.push(&tok[word_end..]);
        return;
    }
    // The whole token first: URLs, IPv6 and timestamps contain delimiters.
    let (a, z) = trim_bounds(tok);
    if classify_core(tok, a, z, em).is_some() {
        return;
    }
    if !tok.iter().any(|&b| is_strong_delim(b)) {
        // Already classified as a whole: go straight to its parts.
        mask_piece_parts(tok, em);
        return;
    }
    // A piece whose core is the token's core (`[worker-11]` split at the brackets) is already
    // known not to be a value: do not classify it again.
    let known = &tok[a..z];
    let mut start = 0;
    for i in 0..tok.len() {
        let b = tok[i];
        if is_strong_delim(b) {
            mask_split_piece(&tok[start..i], em, known);
            em.byte(b);
            start = i + 1;
        }
    }
    mask_split_piece(&tok[start..], em, known);
}

/// A piece of a token split at strong delimiters: short ones through the cache (JSON and
/// `key=value` keys repeat even when the whole token does not).
#[inline]
fn mask_split_piece(p: &[u8], em: &mut Emitter<'_>, known: &[u8]) {
    if p.is_empty() {
        return;
    }
    // Words (JSON keys, `key=` names) are cheaper to emit than to look up, and so is the
    // `:` between JSON keys and values (what `mask_piece(":")` gives).
    if p.iter().all(u8::is_ascii_alphabetic) {
        emit_word(p, em);
    } else if p == b":" {
        em.byte(b':');
    } else if p.len() <= CACHE_KEY && !std::ptr::eq(p.as_ptr(), known.as_ptr()) {
        cached(KIND_PIECE, p, em, mask_piece);
    } else {
        mask_piece_known(p, em, known);
    }
}

/// [`mask_piece`] for a piece of a token whose core `known` did not classify.
fn mask_piece_known(p: &[u8], em: &mut Emitter<'_>, known: &[u8]) {
    if p.is_empty() {
        return;
    }
    if p.iter().all(u8::is_ascii_alphabetic) {
        emit_word(p, em);
        return;
    }
    let (a, z) = trim_bounds(p);
    let core = &p[a..z];
    let same = core.as_ptr() == known.as_ptr() && core.len() == known.len();
    if !same && classify_core(p, a, z, em).is_some() {
        return;
    }
    mask_piece_parts(p, em);
}

/// A run of ASCII letters: a word, unless it is a boolean/null or a long a-f hex run.
#[inline]
fn emit_word(word: &[u8], em: &mut Emitter<'_>) {
    // Every boolean/null spelling starts with t, f or n in either case.
    if (4..=5).contains(&word.len())
        && matches!(word[0] | 0x20, b't' | b'f' | b'n')
        && is_bool_or_null(word)
    {
        em.push(b"<*>");
    } else if word.len() >= 8 && is_hex(word) {
        em.push(b"<HEX>");
    } else {
        em.push(word);
    }
}

/// Classifies the token without its surrounding punctuation; on success emits
/// `lead + placeholder + trail` and returns the placeholder.
fn classify_trimmed(tok: &[u8], em: &mut Emitter<'_>) -> Option<&'static [u8]> {
    let (a, z) = trim_bounds(tok);
    classify_core(tok, a, z, em)
}

/// Whether [`classify`] could call `s` a URL or a path: every other kind, and the `ip:port`
/// fallback in [`classify_core`], rejects a quote character.
fn may_be_url_or_path(s: &[u8]) -> bool {
    matches!(s.first(), Some(b'/' | b'.' | b'~'))
        || s.get(1..3) == Some(b":\\")
        || memchr::memmem::find(s, b"://").is_some()
}

/// Bounds of the token's core: without leading `([{"'<` and trailing `)]}"'>,;.:!?`.
#[inline]
fn trim_bounds(tok: &[u8]) -> (usize, usize) {
    let mut a = 0;
    let mut z = tok.len();
    while a < z && matches!(tok[a], b'(' | b'[' | b'{' | b'"' | b'\'' | b'<') {
        a += 1;
    }
    while z > a
        && matches!(
            tok[z - 1],
            b')' | b']' | b'}' | b'"' | b'\'' | b'>' | b',' | b';' | b'.' | b':' | b'!' | b'?'
        )
    {
        z -= 1;
    }
    (a, z)
}

/// [`classify_trimmed`] with the core bounds already found. Returns `None` exactly when the
/// core (a pure function of it) is not a value, so callers may remember that.
fn classify_core(tok: &[u8], a: usize, z: usize, em: &mut Emitter<'_>) -> Option<&'static [u8]> {
    let core = &tok[a..z];
    // A long core with a quote inside (a JSON object glued into one token) can only be a URL
    // or a path; two vector scans rule both out faster than counting its bytes in `classify`.
    if core.len() >= 64 && memchr::memchr2(b'"', b'\'', core).is_some() && !may_be_url_or_path(core)
    {
        return None;
    }
    // `/10.0.0.1:80` (Java's InetSocketAddress) and `host:port` with an IP: keep the port as
    // its own number so `ip:port` reads the same as elsewhere.
    let ph = classify(core).or_else(|| {
        if let Some(mut l) = ipv4_len(core) {
            if l < core.len() && core[l] == b':' && is_number(&core[l + 1..]) {
                l = core.len();
            }
            (l == core.len()).then_some(&b"<IP>"[..])
        } else {
            None
        }
    })?;
    if ph == b"<PATH>" && core.len() > 1 {
        // A path that is really `/IP:port`.
        let rest = &core[1..];
        if let Some(l) = ipv4_len(rest) {
            if l == rest.len() || (rest[l] == b':' && is_number(&rest[l + 1..])) {
                em.push(&tok[..a + 1]);
                emit_ip_port(rest, l, em);
                em.push(&tok[z..]);
                return Some(b"<IP>");
            }
        }
    }
    // `<1`, `>5`: a comparator in front of a number belongs to the value.
    let lead = match tok[..a].last() {
        Some(b'<') if core.first().is_some_and(|b| b.is_ascii_digit()) => &tok[..a - 1],
        _ => &tok[..a],
    };
    em.push(lead);
    if ph == b"<IP>" {
        if let Some(l) = ipv4_len(core) {
            emit_ip_port(core, l, em);
            em.push(&tok[z..]);
            return Some(ph);
        }
    }
    em.push(ph);
    // A path or URL ends where the token ends: a file name may itself end in '.', so the
    // trailing dot is taken as part of the value rather than as a sentence end.
    let trail = &tok[z..];
    let trail = match (ph, trail.first()) {
        (b"<PATH>" | b"<URL>", Some(b'.')) => &trail[1..],
        _ => trail,
    };
    em.push(trail);
    Some(ph)
}

fn emit_ip_port(s: &[u8], l: usize, em: &mut Emitter<'_>) {
    em.push(b"<IP>");
    if l < s.len() {
        em.push(b":<NUM>");
    }
}

/// Masks a piece between strong delimiters: whole-piece kinds first, then `a:b` parts, then
/// numbers glued to words.
fn mask_piece(p: &[u8], em: &mut Emitter<'_>) {
    if p.is_empty() {
        return;
    }
    if p.iter().all(u8::is_ascii_alphabetic) {
        emit_word(p, em);
        return;
    }
    if classify_trimmed(p, em).is_some() {
        return;
    }
    mask_piece_parts(p, em);
}

/// [`mask_piece`] once the piece as a whole is known not to be a value.
fn mask_piece_parts(p: &[u8], em: &mut Emitter<'_>) {
    if let Some(rest) = host_prefix(p) {
        em.push(b"<HOST>");
        mask_piece(rest, em);
        return;
    }
    if memchr(b':', p).is_some() {
        let mut start = 0;
        for i in 0..p.len() {
            if p[i] == b':' {
                mask_word(&p[start..i], em);
                em.byte(b':');
                start = i + 1;
            }
        }
        mask_word(&p[start..], em);
        return;
    }
    mask_word_parts(p, em);
}

/// Masks a word that has no strong delimiters and no `:`.
fn mask_word(w: &[u8], em: &mut Emitter<'_>) {
    if w.is_empty() {
        return;
    }
    if let Some(ph) = classify(w) {
        em.push(ph);
        return;
    }
    mask_word_parts(w, em);
}

/// [`mask_word`] once the word as a whole is known not to be a value.
fn mask_word_parts(w: &[u8], em: &mut Emitter<'_>) {
    if memchr(b'/', w).is_some() {
        let mut start = 0;
        for i in 0..w.len() {
            if w[i] == b'/' {
                mask_word(&w[start..i], em);
                em.byte(b'/');
                start = i + 1;
            }
        }
        mask_word(&w[start..], em);
        return;
    }
    mask_glued(w, em);
}

/// Shortest digit run glued to letters (`user123`, `t761`) that is masked; shorter runs
/// (`ext4`, `u0`, `log4j`) are usually part of a name, and clustering still generalises them
/// when the data shows they vary.
const MIN_GLUED_DIGITS: usize = 3;

/// Masks numbers inside a word: alphanumeric runs that are numbers or hex become
/// placeholders, and a long digit run glued to letters is masked on its own.
fn mask_glued(w: &[u8], em: &mut Emitter<'_>) {
    let n = w.len();
    let mut i = 0;
    while i < n {
        let b = w[i];
        if !b.is_ascii_alphanumeric() {
            // A '-' that starts a number after a separator is a sign, not text: `blk_-123` and
            // `blk_123` must give the same signature.
            let sign = b == b'-'
                && i + 1 < n
                && w[i + 1].is_ascii_digit()
                && (i == 0 || !w[i - 1].is_ascii_alphanumeric());
            if !sign {
                em.byte(b);
            }
            i += 1;
            continue;
        }
        let s = i;
        while i < n && w[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run = &w[s..i];
        let d = run.iter().filter(|b| b.is_ascii_digit()).count();
        if d == 0 {
            em.push(run);
        } else if d == run.len() {
            em.push(b"<NUM>");
        } else if is_hex(run) {
            em.push(b"<HEX>");
        } else {
            let lead = digits(run);
            let trail = run.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let mid = &run[lead..run.len() - trail];
            // One letter and digits (`e820`, `t761`, `x86`) is a name, not a counter.
            let letters = run.len() - d;
            let (lead, trail) = if letters >= 2 { (lead, trail) } else { (0, 0) };
            let mid = if letters >= 2 { mid } else { run };
            if lead >= MIN_GLUED_DIGITS {
                em.push(b"<NUM>");
            } else {
                em.push(&run[..lead]);
            }
            em.push(mid);
            if trail >= MIN_GLUED_DIGITS {
                em.push(b"<NUM>");
            } else {
                em.push(&run[run.len() - trail..]);
            }
        }
    }
}

fn is_bool_or_null(s: &[u8]) -> bool {
    matches!(
        s,
        b"true" | b"false" | b"True" | b"False" | b"TRUE" | b"FALSE" | b"null" | b"NULL" | b"Null"
    )
}

/// Top-level domains common enough that `a.b.<tld>` is almost surely a host name.
const TLDS: &[&[u8]] = &[
    b"com",
    b"net",
    b"org",
    b"edu",
    b"gov",
    b"mil",
    b"int",
    b"info",
    b"biz",
    b"io",
    b"local",
    b"lan",
    b"internal",
    b"corp",
    b"home",
    b"arpa",
    b"cloud",
    b"dev",
    b"app",
];

/// `host.example.com`, `5-36-59-76.dsl.example.net.om`: dot-separated DNS labels ending in a
/// well-known TLD, or in a two-letter country code after at least two more labels (so that
/// `file.py` stays a file name and `com.foo.Bar` stays a class name).
fn is_hostname(s: &[u8]) -> bool {
    let mut labels = 0;
    let mut last: &[u8] = b"";
    for label in s.split(|&b| b == b'.') {
        if label.is_empty()
            || label.len() > 63
            || label[0] == b'-'
            || label[label.len() - 1] == b'-'
            || !label
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return false;
        }
        labels += 1;
        last = label;
    }
    if labels < 2 || !last.iter().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    TLDS.contains(&last) || (last.len() == 2 && labels >= 3)
}

/// The token without trailing punctuation that follows a value (`,`, `)`, `]`, ...).
fn trailing_punct(tok: &[u8]) -> &[u8] {
    let z = tok.len()
        - tok
            .iter()
            .rev()
            .take_while(|b| {
                matches!(
                    b,
                    b')' | b']' | b'}' | b'"' | b'\'' | b',' | b';' | b'.' | b':'
                )
            })
            .count();
    &tok[z..]
}

/// The next whitespace-separated token at or after `i`: (start, end).
fn next_token(text: &[u8], mut i: usize) -> Option<(usize, usize)> {
    while i < text.len() && is_space(text[i]) {
        i += 1;
    }
    if i >= text.len() {
        return None;
    }
    let s = i;
    while i < text.len() && !is_space(text[i]) {
        i += 1;
    }
    Some((s, i))
}

fn month(w: &[u8]) -> bool {
    const M: [&[u8]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    const FULL: [&[u8]; 12] = [
        b"january",
        b"february",
        b"march",
        b"april",
        b"may",
        b"june",
        b"july",
        b"august",
        b"september",
        b"october",
        b"november",
        b"december",
    ];
    // Capitalised (`Jun`, `JUNE`), as dates are written; lower-case `may` is a verb.
    w.len() >= 3
        && w[0].is_ascii_uppercase()
        && (M.iter().any(|m| w.eq_ignore_ascii_case(m))
            || w.eq_ignore_ascii_case(b"sept")
            || FULL.iter().any(|m| w.eq_ignore_ascii_case(m)))
}

fn weekday(w: &[u8]) -> bool {
    const D: [&[u8]; 7] = [b"mon", b"tue", b"wed", b"thu", b"fri", b"sat", b"sun"];
    const FULL: [&[u8]; 7] = [
        b"monday",
        b"tuesday",
        b"wednesday",
        b"thursday",
        b"friday",
        b"saturday",
        b"sunday",
    ];
    !w.is_empty()
        && w[0].is_ascii_uppercase()
        && (D.iter().any(|d| w.eq_ignore_ascii_case(d))
            || FULL.iter().any(|d| w.eq_ignore_ascii_case(d)))
}

/// Cheap filter for [`worded_timestamp`]: a 1-2 digit day, or a word starting with the
/// three letters of a month or weekday (optionally after `[` or `(`).
#[inline]
fn may_start_worded_date(tok: &[u8]) -> bool {
    let t = tok
        .strip_prefix(b"[")
        .or_else(|| tok.strip_prefix(b"("))
        .unwrap_or(tok);
    if t.first().is_some_and(u8::is_ascii_digit) {
        let d = digits(t);
        return (1..=2).contains(&d) && t[d..].iter().all(|&b| b == b',');
    }
    if t.len() < 3 || !t[0].is_ascii_uppercase() {
        return false;
    }
    let p = [
        t[0].to_ascii_lowercase(),
        t[1].to_ascii_lowercase(),
        t[2].to_ascii_lowercase(),
    ];
    matches!(
        &p,
        b"jan"
            | b"feb"
            | b"mar"
            | b"apr"
            | b"may"
            | b"jun"
            | b"jul"
            | b"aug"
            | b"sep"
            | b"oct"
            | b"nov"
            | b"dec"
            | b"mon"
            | b"tue"
            | b"wed"
            | b"thu"
            | b"fri"
            | b"sat"
            | b"sun"
    )
}

/// A date written with a month name, starting at `start`: `[Wkd[,]] Mon D[,] [YYYY] [time]
/// [YYYY]` or `[Wkd,] D Mon YYYY [time]`, needing a day and a time or year. Returns the end
/// of the last token consumed and that token.
fn worded_timestamp(text: &[u8], start: usize) -> Option<(usize, &[u8])> {
    let strip = |t: &'_ [u8]| -> usize {
        t.len()
            - t.iter()
                .rev()
                .take_while(|b| matches!(b, b',' | b']' | b')' | b'.'))
                .count()
    };
    let lead = |t: &'_ [u8]| t.iter().take_while(|&&b| b == b'[' || b == b'(').count();
    let mut pos = start;
    let (s, e) = next_token(text, pos)?;
    let t = &text[s..e];
    let mut w = &t[lead(t)..strip(t)];
    let mut tok_end = e;
    if weekday(w) {
        let (s2, e2) = next_token(text, e)?;
        let t2 = &text[s2..e2];
        w = &t2[..strip(t2)];
        pos = e2;
        tok_end = e2;
    } else {
        pos = e;
    }
    let is_day = |w: &[u8]| (1..=2).contains(&w.len()) && w.iter().all(|b| b.is_ascii_digit());
    let is_year = |w: &[u8]| w.len() == 4 && w.iter().all(|b| b.is_ascii_digit());
    let is_time =
        |w: &[u8]| time_len(w).is_some_and(|l| tz_len(&w[l..]).is_some_and(|z| l + z == w.len()));
    let mut have_time = false;
    let mut have_year = false;
    let mut last_end;
    if month(w) {
        let (s2, e2) = next_token(text, pos)?;
        let t2 = &text[s2..e2];
        if !is_day(&t2[..strip(t2)]) {
            return None;
        }
        last_end = e2;
    } else if is_day(w) {
        let (s2, e2) = next_token(text, pos)?;
        let t2 = &text[s2..e2];
        if !month(&t2[..strip(t2)]) {
            return None;
        }
        last_end = e2;
    } else {
        return None;
    }
    let _ = tok_end;
    // Optional year and time (with a zone name), in either order.
    for _ in 0..3 {
        let Some((s3, e3)) = next_token(text, last_end) else {
            break;
        };
        let t3 = &text[s3..e3];
        let w3 = &t3[..strip(t3)];
        if !have_year && is_year(w3) {
            have_year = true;
            last_end = e3;
        } else if !have_time && is_time(w3) {
            have_time = true;
            last_end = e3;
        } else if have_time && (2..=5).contains(&w3.len()) && w3.iter().all(u8::is_ascii_uppercase)
        {
            // A zone name after the time: `08:16:53 PDT 2005`.
            last_end = e3;
        } else {
            break;
        }
    }
    if !(have_time || have_year) {
        return None;
    }
    let ls = text[..last_end]
        .iter()
        .rposition(|&b| is_space(b))
        .map_or(0, |p| p + 1);
    Some((last_end, &text[ls..last_end]))
}

/// A host name made of one label with letters, digits and a hyphen (`msra-sa-41`,
/// `MININT-FNANLI5`) is recognisable only by what follows it: a port (`:9000`) or, in Java's
/// `InetAddress` form, `/` and an IP. Returns the rest after the host label.
fn host_prefix(p: &[u8]) -> Option<&[u8]> {
    let end = p
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.'))?;
    let (host, rest) = p.split_at(end);
    let has_alpha = host.iter().any(|b| b.is_ascii_alphabetic());
    let has_digit = host.iter().any(|b| b.is_ascii_digit());
    let has_sep = host.iter().any(|b| *b == b'-' || *b == b'.');
    if !(has_alpha && has_digit && has_sep) || host[0] == b'-' || host[host.len() - 1] == b'-' {
        return None;
    }
    let after = &rest[1..];
    let port = &after[..after.len() - trailing_punct(after).len()];
    let ok = match rest[0] {
        b':' => (1..=5).contains(&port.len()) && port.iter().all(|b| b.is_ascii_digit()),
        b'/' => ipv4_len(after).is_some(),
        _ => false,
    };
    ok.then_some(rest)
}

/// `1.2`, `2.6.5`: dotted numbers after a `v` (`v1.5`).
fn is_version(s: &[u8]) -> bool {
    !s.is_empty()
        && s.split(|&b| b == b'.')
            .all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
}

/// `GET /path HTTP/1.1`: a quoted HTTP request line keeps its method and protocol words
/// instead of becoming one `<*>` (the path is masked on its own).
fn http_request_line(q: &[u8]) -> bool {
    const METHODS: &[&[u8]] = &[
        b"GET ",
        b"POST ",
        b"PUT ",
        b"DELETE ",
        b"HEAD ",
        b"PATCH ",
        b"OPTIONS ",
        b"CONNECT ",
    ];
    METHODS.iter().any(|m| q.starts_with(m))
}

/// `3.2 GiB`, `5.2 KB,`, `296.0 B)`: a number, one space and a size unit are one size.
/// Returns where the unit token ends and the unit token. (`120 bytes` keeps its word, like
/// `30 seconds`: usually a constant word of the template.)
pub(super) fn spaced_size<'t>(text: &'t [u8], tok: &[u8], end: usize) -> Option<(usize, &'t [u8])> {
    if text.get(end) != Some(&b' ')
        || !matches!(
            text.get(end + 1),
            Some(b'B' | b'K' | b'M' | b'G' | b'T' | b'P' | b'k')
        )
        || number_len(tok) != Some(tok.len())
    {
        return None;
    }
    let (us, ue) = next_token(text, end)?;
    let unit_tok = &text[us..ue];
    let unit = &unit_tok[..unit_tok.len() - trailing_punct(unit_tok).len()];
    const UNITS: &[&[u8]] = &[
        b"B", b"kB", b"KB", b"MB", b"GB", b"TB", b"PB", b"KiB", b"MiB", b"GiB", b"TiB", b"PiB",
    ];
    UNITS.contains(&unit).then_some((ue, unit_tok))
}

/// `<1 sec`, `>500 ms`, `~2 min`: a comparator, a number and a time unit word. Returns where
/// the unit token ends and the unit token. (A plain `30 seconds` keeps its unit word: it is
/// usually a constant word of the template.)
fn bounded_quantity<'t>(text: &'t [u8], tok: &[u8], end: usize) -> Option<(usize, &'t [u8])> {
    if tok.len() < 2 || !matches!(tok[0], b'<' | b'>' | b'~') || !is_number(&tok[1..]) {
        return None;
    }
    let (us, ue) = next_token(text, end)?;
    let unit_tok = &text[us..ue];
    let unit = &unit_tok[..unit_tok.len() - trailing_punct(unit_tok).len()];
    const UNITS: &[&[u8]] = &[
        b"ns", b"us", b"ms", b"s", b"sec", b"secs", b"second", b"seconds", b"min", b"mins",
        b"minute", b"minutes", b"h", b"hr", b"hrs", b"hour", b"hours", b"day", b"days",
    ];
    UNITS.contains(&unit).then_some((ue, unit_tok))
}

/// Trailing `]`, `)` and punctuation of a token.
fn trailing_punct_or_bracket(tok: &[u8]) -> &[u8] {
    let z = tok.len()
        - tok
            .iter()
            .rev()
            .take_while(|b| matches!(b, b')' | b']' | b'}' | b',' | b';' | b'.' | b':' | b'"'))
            .count();
    &tok[z..]
}
