//! Clustering: distinct signatures (with their event counts) in, templates out.
//!
//! Masking removes the variables it can recognise; clustering finds the rest (user names,
//! host names, table names) from how the data varies. The method is order-independent by
//! construction — every decision is a function of the *set* of signatures, and ties are broken
//! by byte order — so the result does not depend on input order, chunking or thread count:
//!
//! 1. Signatures are tokenised at spaces and grouped by token count (and by the stack-trace
//!    token, see [`super::stack`], which must never be generalised).
//! 2. Within a group, every signature gets its *longest common pattern* (after Brain, Yu et al.
//!    2023): each of its tokens has a frequency — how many signatures of the group carry that
//!    token at that position — and the tokens of one template co-occur, so they share a
//!    frequency. The frequency shared by the most tokens picks the pattern; signatures with the
//!    same pattern form an initial cluster.
//! 3. Each initial cluster is refined column by column ([`variable_reason`]): a column with
//!    one value is literal. A column becomes `<*>` when it has many distinct values (not in
//!    the first column, which usually names the event), when masking found a value where its
//!    values differ, or when its words were seen filling a many-valued slot elsewhere (a
//!    second pass, so user and host names generalise even in rare templates). Otherwise it
//!    splits the cluster — `VM Started` vs `VM Paused`; `key=` columns split by field name;
//!    values that each recur with varied contexts, and upper-case enum constants, count as
//!    constant words however many. The narrowest split goes first.
//! 4. Clusters of one group whose templates differ only where one side is a value are merged
//!    (the pattern step can split small templates by coincidence), and clusters whose
//!    templates are equal once runs of adjacent values collapse are merged across groups, so
//!    values of variable token length (lists of ids) do not split a template.
//! 5. Templates are ordered by event count; beyond `max_templates` the rarest are folded into
//!    one `other` template.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;

use super::stack::STACK_TOKEN_PREFIX;
use super::template_id;

/// Settings for [`cluster`]. One configuration serves every kind of log.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// At most this many templates are reported (the `other` bucket included); the rarest
    /// beyond it are folded into `other`. 0 behaves like 1.
    pub max_templates: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            max_templates: 50_000,
        }
    }
}

/// The result of [`cluster`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clustering {
    /// For each input signature (by index), the index of its template in `templates`.
    pub assignment: Vec<u32>,
    /// Templates, most frequent first.
    pub templates: Vec<TemplateInfo>,
    /// Events (sum of counts) folded into the `other` template because of `max_templates`.
    pub folded_into_other: u64,
}

/// One template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateInfo {
    /// Template text: literal tokens and placeholders joined by single spaces.
    pub text: String,
    /// [`template_id`] of `text`.
    pub id: String,
    /// True for the bucket that holds templates folded away by `max_templates`.
    pub is_other: bool,
}

/// Clusters sharing one template key.
#[derive(Default)]
struct MergedTemplate {
    /// Total weight.
    weight: u64,
    /// The text shown.
    text: Shown,
    /// Weight of the cluster whose text is shown (0: none yet).
    text_weight: u64,
    members: Vec<u32>,
    /// Whether clusters of different texts were merged.
    varied: bool,
}

/// The text shown for a [`MergedTemplate`].
#[derive(Default)]
enum Shown {
    /// None yet.
    #[default]
    Unset,
    /// The key itself (the common case for literal signatures: the text is stored once).
    Key,
    Own(Vec<u8>),
}

/// Text of the `other` template.
pub const OTHER_TEMPLATE: &str = "<OTHER>";

/// A column with at least this many distinct values is a variable, however the values look.
const MIN_DISTINCT_VARIABLE: usize = 4;

/// A cluster found in one token-count group: member signatures and the template tokens.
struct Cl<'a> {
    members: Vec<u32>,
    /// `None` when every token is the literal token of the first member (a cluster of one
    /// signature, most clusters of a log of mostly distinct lines): nothing is stored for it,
    /// where a token list would cost 32 bytes per word of every such signature.
    tokens: Option<Vec<Tok<'a>>>,
}

impl<'a> Cl<'a> {
    /// Template token `p`.
    fn tok(&self, p: usize, toks: &Toks<'a>) -> Tok<'a> {
        match &self.tokens {
            Some(t) => t[p],
            None => Tok::Lit(toks[self.members[0] as usize][p]),
        }
    }

    /// Number of template tokens (the group's token count).
    fn len(&self, toks: &Toks<'a>) -> usize {
        match &self.tokens {
            Some(t) => t.len(),
            None => toks[self.members[0] as usize].len(),
        }
    }

    /// The template tokens, stored (to be changed in place).
    fn tokens_mut(&mut self, toks: &Toks<'a>) -> &mut Vec<Tok<'a>> {
        let first = self.members[0] as usize;
        self.tokens
            .get_or_insert_with(|| toks[first].iter().map(|&t| Tok::Lit(t)).collect())
    }

    /// The template text: literal tokens and placeholders joined by single spaces.
    fn text(&self, toks: &Toks<'a>) -> Vec<u8> {
        template_text((0..self.len(toks)).map(|p| self.tok(p, toks)))
    }
}

/// The tokens of every distinct signature in one allocation: signature `i`'s tokens are
/// `flat[start[i]..start[i + 1]]` (a vector per signature cost a header, and up to as much
/// again in spare capacity, for every signature).
struct Toks<'a> {
    flat: Vec<&'a [u8]>,
    start: Vec<usize>,
}

impl<'a> Toks<'a> {
    fn new(sigs: impl Iterator<Item = &'a [u8]> + Clone) -> Toks<'a> {
        let total: usize = sigs.clone().map(|s| tokens_of(s).count()).sum();
        let mut flat = Vec::with_capacity(total);
        let mut start = Vec::with_capacity(sigs.size_hint().0 + 1);
        start.push(0);
        for s in sigs {
            flat.extend(tokens_of(s));
            start.push(flat.len());
        }
        Toks { flat, start }
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }
}

impl<'a> std::ops::Index<usize> for Toks<'a> {
    type Output = [&'a [u8]];

    fn index(&self, i: usize) -> &[&'a [u8]] {
        &self.flat[self.start[i]..self.start[i + 1]]
    }
}

/// One template token: a literal, or a wildcard keeping the prefix and suffix all its values
/// share (`rhost=<*>`, `Rect(<*>,`), so the key of a `key=value` pair survives generalisation.
#[derive(Clone, Copy)]
enum Tok<'a> {
    Lit(&'a [u8]),
    Wild((&'a [u8], &'a [u8])),
}

/// Clusters distinct signatures into templates. See the module docs.
pub fn cluster(sigs: &[(&[u8], u64)], cfg: &ClusterConfig) -> Clustering {
    // Total order on the input: by bytes. Equal signatures (should the caller pass
    // duplicates) are merged, so nothing downstream depends on input positions.
    let mut order: Vec<u32> = (0..sigs.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| sigs[a as usize].0.cmp(sigs[b as usize].0));
    let mut uniq: Vec<(&[u8], u64)> = Vec::new();
    let mut to_uniq = vec![0u32; sigs.len()];
    for &i in &order {
        let (s, c) = sigs[i as usize];
        match uniq.last_mut() {
            Some((last, lc)) if *last == s => *lc += c,
            _ => uniq.push((s, c)),
        }
        to_uniq[i as usize] = (uniq.len() - 1) as u32;
    }

    let toks = Toks::new(uniq.iter().map(|&(s, _)| s));
    let counts: Vec<u64> = uniq.iter().map(|&(_, c)| c).collect();

    let mut groups: BTreeMap<(usize, &[u8]), Vec<u32>> = BTreeMap::new();
    for i in 0..toks.len() {
        let t = &toks[i];
        let stack = t
            .iter()
            .rev()
            .find(|x| x.starts_with(STACK_TOKEN_PREFIX))
            .copied()
            .unwrap_or_default();
        groups.entry((t.len(), stack)).or_default().push(i as u32);
    }
    let groups: Vec<Vec<u32>> = groups.into_values().collect();
    // Pass 1 learns which words are values of many-valued variables; pass 2 (only needed when
    // there are some) uses them to generalise small columns holding the same words.
    let empty = KnownValues::default();
    let mut pass: Vec<(Vec<Cl<'_>>, Learned<'_>)> = groups
        .par_iter()
        .map(|g| cluster_group(g, &toks, &counts, &empty))
        .collect();
    let known: KnownValues<'_> = pass
        .iter()
        .flat_map(|(_, l)| l.values.iter().copied())
        .collect();
    if !known.is_empty() {
        // Only groups where some split could now turn into a variable are clustered again.
        pass.par_iter_mut().zip(&groups).for_each(|((cl, l), g)| {
            if l.splits
                .iter()
                .any(|vals| known_majority(vals.iter().copied(), &known))
            {
                *cl = cluster_group(g, &toks, &counts, &known).0;
            }
        });
    }
    let clusters: Vec<Vec<Cl<'_>>> = pass.into_iter().map(|(c, _)| c).collect();
    // Template texts are made from the signatures themselves: the token table can go.
    drop(toks);

    // Template text per cluster; clusters with the same text (or the same text once wildcard
    // runs collapse) are one template.
    let mut by_key: BTreeMap<Vec<u8>, MergedTemplate> = BTreeMap::new();
    for cl in clusters.into_iter().flatten() {
        let text = match &cl.tokens {
            Some(t) => template_text(t.iter().copied()),
            None => template_text(tokens_of(uniq[cl.members[0] as usize].0).map(Tok::Lit)),
        };
        let key = collapse_wildcards(&text);
        let weight: u64 = cl.members.iter().map(|&m| counts[m as usize]).sum();
        let e = by_key.entry(key.clone()).or_default();
        let shown: &[u8] = match &e.text {
            Shown::Unset => b"",
            Shown::Key => &key,
            Shown::Own(t) => t,
        };
        // Several lengths merged: the value has variable length, so show it as one.
        if !shown.is_empty() && shown != text {
            e.varied = true;
        }
        // The text shown is that of the heaviest cluster (ties: smallest text), so a rare
        // longer variant does not rename a common template.
        if weight > e.text_weight
            || (weight == e.text_weight && (shown.is_empty() || text.as_slice() < shown))
        {
            e.text = if text == key {
                Shown::Key
            } else {
                Shown::Own(text)
            };
            e.text_weight = weight;
        }
        e.weight += weight;
        e.members.extend_from_slice(&cl.members);
    }
    let mut tpls: Vec<(u64, Vec<u8>, Vec<u32>)> = by_key
        .into_iter()
        .map(|(key, e)| {
            let t = match e.text {
                Shown::Own(t) => t,
                Shown::Unset | Shown::Key => key,
            };
            let t = if e.varied { collapse_typed(&t) } else { t };
            (e.weight, t, e.members)
        })
        .collect();
    tpls.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));

    let mut uniq_tpl = vec![0u32; uniq.len()];
    let mut templates = Vec::new();
    let mut folded = 0u64;
    let keep = if tpls.len() > cfg.max_templates {
        cfg.max_templates.saturating_sub(1)
    } else {
        tpls.len()
    };
    for (k, (w, text, members)) in tpls.into_iter().enumerate() {
        let idx = if k < keep {
            let text = String::from_utf8(text)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            templates.push(TemplateInfo {
                id: template_id(&text),
                text,
                is_other: false,
            });
            templates.len() - 1
        } else {
            if k == keep {
                templates.push(TemplateInfo {
                    text: OTHER_TEMPLATE.to_string(),
                    id: template_id(OTHER_TEMPLATE),
                    is_other: true,
                });
            }
            folded += w;
            keep
        };
        for m in members {
            uniq_tpl[m as usize] = idx as u32;
        }
    }
    let assignment = to_uniq.iter().map(|&u| uniq_tpl[u as usize]).collect();
    Clustering {
        assignment,
        templates,
        folded_into_other: folded,
    }
}

/// A signature's tokens: split at spaces, empty ones (runs of spaces) left out.
fn tokens_of(s: &[u8]) -> impl Iterator<Item = &[u8]> {
    s.split(|&b| b == b' ').filter(|t| !t.is_empty())
}

fn template_text<'a>(tokens: impl Iterator<Item = Tok<'a>>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, t) in tokens.enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        match t {
            Tok::Lit(l) => out.extend_from_slice(l),
            Tok::Wild((pre, suf)) => {
                out.extend_from_slice(pre);
                out.extend_from_slice(b"<*>");
                out.extend_from_slice(suf);
            }
        }
    }
    // Kept for every template until the end: no spare capacity.
    out.shrink_to_fit();
    out
}

/// Prefix and suffix shared by every value of column `col`, cut at punctuation so that only
/// whole keys and brackets are kept (never half a word or half a placeholder).
fn common_affixes<'a>(members: &[u32], col: usize, toks: &Toks<'a>) -> (&'a [u8], &'a [u8]) {
    let first = toks[members[0] as usize][col];
    let mut pre = first.len();
    let mut suf = first.len();
    let mut min_len = first.len();
    for &m in &members[1..] {
        let v = toks[m as usize][col];
        min_len = min_len.min(v.len());
        pre = pre.min(first.iter().zip(v).take_while(|(a, b)| a == b).count());
        suf = suf.min(
            first
                .iter()
                .rev()
                .zip(v.iter().rev())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Cut the prefix back to just after its last punctuation, the suffix to its first.
    let mut p = first[..pre]
        .iter()
        .rposition(|b| !b.is_ascii_alphanumeric() && *b != b'_')
        .map_or(0, |i| i + 1);
    while p > 0 && matches!(first[p - 1], b'<' | b'-' | b'.') {
        p -= 1;
    }
    let tail = &first[first.len() - suf..];
    let mut s = tail
        .iter()
        .position(|b| !b.is_ascii_alphanumeric() && *b != b'_')
        .map_or(0, |i| suf - i);
    // A file extension keeps its dot (`<*>.txt`, `<*>.rrd`); other dots go with the value.
    let extension = (2..=6).contains(&s)
        && first[first.len() - s] == b'.'
        && first[first.len() - s + 1..]
            .iter()
            .all(u8::is_ascii_alphanumeric);
    while s > 0 && !extension && matches!(first[first.len() - s], b'>' | b'-' | b'.') {
        s -= 1;
    }
    if p + s > min_len {
        return (&first[..0], &first[..0]);
    }
    (&first[..p], &first[first.len() - s..])
}

/// True for a token that is wholly a placeholder such as `<NUM>` or `<*>`.
fn is_placeholder(t: &[u8]) -> bool {
    t.len() >= 3
        && t[0] == b'<'
        && t[t.len() - 1] == b'>'
        && t[1..t.len() - 1].iter().all(|&b| placeholder_byte(b))
}

/// A byte of a placeholder's name (`NUM`, `IP`, `*`, a `--mask` name).
fn placeholder_byte(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'*'
}

/// Length of the placeholder starting at `t[i]`, if one does. Only the name's bytes are
/// looked at, so scanning every `<` of a token stays linear (a line of `<<<<…` included).
fn placeholder_at(t: &[u8], i: usize) -> Option<usize> {
    if t.get(i) != Some(&b'<') {
        return None;
    }
    let name = t[i + 1..]
        .iter()
        .take_while(|&&b| placeholder_byte(b))
        .count();
    (name > 0 && t.get(i + 1 + name) == Some(&b'>')).then_some(name + 2)
}

/// Template text with every run of adjacent wildcard tokens reduced to one `<*>`: the merge
/// key that keeps variable-length values from splitting a template.
fn collapse_wildcards(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut prev: Option<&[u8]> = None;
    let toks: Vec<&[u8]> = text.split(|&b| b == b' ').collect();
    let mut i = 0;
    while i < toks.len() {
        // A parenthesised annotation made of a value and at most two words (`(<NUM> KB)`,
        // `(TID <NUM>)`) is optional detail: some lines of a template carry it, some not.
        if let Some(n) = value_annotation(&toks[i..]) {
            i += n;
            continue;
        }
        let t = toks[i];
        i += 1;
        let wild = is_placeholder(t);
        if let Some(p) = prev {
            // Adjacent placeholders, or a repeated value-holding token (`blk_<NUM> blk_<NUM>`,
            // a list of ids), are one value of varying length.
            if (wild && is_placeholder(p)) || (t == p && valueish(t)) {
                continue;
            }
        }
        if !out.is_empty() {
            out.push(b' ');
        }
        if wild {
            out.extend_from_slice(b"<*>");
        } else {
            // `<HOST>:<NUM>` and `<*>:<NUM>` are the same shape of value.
            untyped(t, &mut out);
        }
        prev = Some(t);
    }
    out
}

/// Appends `t` with every placeholder inside it written as `<*>`.
fn untyped(t: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < t.len() {
        if let Some(n) = placeholder_at(t, i) {
            out.extend_from_slice(b"<*>");
            i += n;
            continue;
        }
        out.push(t[i]);
        i += 1;
    }
}

/// Number of tokens of a `( ... )` group at the start of `toks` that holds a value and at most
/// three tokens in all.
fn value_annotation(toks: &[&[u8]]) -> Option<usize> {
    if !toks.first()?.starts_with(b"(") {
        return None;
    }
    let n = toks.iter().take(3).position(|t| t.ends_with(b")"))? + 1;
    let group = &toks[..n];
    let inner_parens = group
        .iter()
        .map(|t| t.iter().filter(|&&b| b == b'(' || b == b')').count())
        .sum::<usize>();
    (inner_parens == 2 && group.iter().any(|t| valueish(t))).then_some(n)
}

/// Template text with each run found by [`collapse_wildcards`] shown as one token: the run's
/// own token when all its tokens agree (`<NUM> <NUM>` → `<NUM>`), `<*>` otherwise.
fn collapse_typed(text: &[u8]) -> Vec<u8> {
    let toks: Vec<&[u8]> = text.split(|&b| b == b' ').collect();
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let mut j = i + 1;
        let mut same = true;
        if is_placeholder(t) {
            while j < toks.len() && is_placeholder(toks[j]) {
                same &= toks[j] == t;
                j += 1;
            }
        } else if valueish(t) {
            while j < toks.len() && toks[j] == t {
                j += 1;
            }
        }
        if !out.is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(if same { t } else { b"<*>" });
        i = j;
    }
    out
}

/// Clusters one group of signatures that all have the same token count.
fn cluster_group<'a>(
    members: &[u32],
    toks: &Toks<'a>,
    counts: &[u64],
    known: &KnownValues<'a>,
) -> (Vec<Cl<'a>>, Learned<'a>) {
    let len = toks[members[0] as usize].len();
    if members.len() == 1 {
        let m = members[0];
        let cl = Cl {
            members: vec![m],
            tokens: None,
        };
        return (vec![cl], Learned::default());
    }
    // Frequency of each (position, token) across the group's distinct signatures.
    let mut freq: FxHashMap<(u32, &[u8]), u32> = FxHashMap::default();
    for &m in members {
        for (p, &t) in toks[m as usize].iter().enumerate() {
            *freq.entry((p as u32, t)).or_default() += 1;
        }
    }
    // Longest common pattern of each signature → initial clusters.
    let mut initial: BTreeMap<Vec<(u32, &[u8])>, Vec<u32>> = BTreeMap::new();
    let mut tally: Vec<(u32, u32)> = Vec::new();
    let mut skip: Vec<bool> = Vec::new();
    for &m in members {
        let t = &toks[m as usize];
        let fs: Vec<u32> = t
            .iter()
            .enumerate()
            .map(|(p, &x)| freq.get(&(p as u32, x)).copied().unwrap_or(1))
            .collect();
        // A list of values only this signature has (`f1.txt f2.txt f3.txt f4.txt`, `an142
        // an143 an147`: three or more adjacent tokens with digits or placeholders) is no part
        // of a pattern: a line made mostly of a list of ids would otherwise be a pattern of
        // its own. It still counts when what is left has no word to be a pattern of.
        let lone = |p: usize| fs[p] == 1 && id_like(t[p]);
        skip.clear();
        skip.resize(len, false);
        let mut p = 0;
        while p < len {
            let run = (p..len).take_while(|&q| lone(q)).count();
            if run >= 3 {
                skip[p..p + run].fill(true);
            }
            p += run.max(1);
        }
        let mut best = most_shared(&fs, &skip, &mut tally);
        let has_word = (0..len).any(|p| !skip[p] && fs[p] == best && !id_like(t[p]));
        if skip.contains(&true) && !has_word {
            skip.fill(false);
            best = most_shared(&fs, &skip, &mut tally);
        }
        let key: Vec<(u32, &[u8])> = (0..len)
            .filter(|&p| fs[p] == best && !skip[p])
            .map(|p| (p as u32, t[p]))
            .collect();
        initial.entry(key).or_default().push(m);
    }
    let mut refined = Vec::new();
    let mut learned = Learned::default();
    for (_, g) in initial {
        let free: Vec<u32> = (0..len as u32).collect();
        refine(g, free, toks, counts, known, &mut refined, &mut learned);
    }
    (merge_compatible(refined, toks, counts), learned)
}

/// The frequency shared by the most tokens of a signature (`fs`: each token's frequency in
/// its group), `skip`ped tokens left out; on a tie the more frequent pattern (the one shared
/// with more signatures) wins, which keeps a template together rather than splitting it.
fn most_shared(fs: &[u32], skip: &[bool], tally: &mut Vec<(u32, u32)>) -> u32 {
    tally.clear();
    for (&f, _) in fs.iter().zip(skip).filter(|(_, &s)| !s) {
        match tally.iter_mut().find(|(g, _)| *g == f) {
            Some((_, c)) => *c += 1,
            None => tally.push((f, 1)),
        }
    }
    tally
        .iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .map_or(1, |x| x.0)
}

/// Most clusters a group may have for the pairwise compatibility merge; beyond it the merge is
/// skipped to stay near-linear (it only repairs small clusters split by chance).
const MAX_MERGE_CLUSTERS: usize = 4096;

/// A template token that stands for a value: a wildcard, or a literal holding a placeholder.
fn tok_is_value(t: &Tok<'_>) -> bool {
    match t {
        Tok::Wild(_) => true,
        Tok::Lit(l) => valueish(l),
    }
}

/// At most this many positions where a constant word on one side faces a value on the other.
const MAX_ASYMMETRIC: usize = 1;

/// The `key=` of a template token, if it is a `key=value` token.
fn tok_key<'a>(t: &Tok<'a>) -> Option<&'a [u8]> {
    match t {
        Tok::Lit(l) => kv_key(l),
        Tok::Wild((pre, _)) => kv_key(pre),
    }
}

/// Same constant words everywhere, except at value positions (see [`merge_compatible`]).
fn compatible<'a>(a: &Cl<'a>, b: &Cl<'a>, toks: &Toks<'a>) -> bool {
    let mut asym = 0;
    let mut shared = 0;
    let n = a.len(toks);
    for p in 0..n {
        let (x, y) = (&a.tok(p, toks), &b.tok(p, toks));
        // `num=<*>` and `topActivity=<*>` are different fields: never the same template.
        if let (Some(kx), Some(ky)) = (tok_key(x), tok_key(y)) {
            if kx != ky {
                return false;
            }
        }
        match (x, y) {
            (Tok::Lit(p), Tok::Lit(q)) if p == q => {
                if !valueish(p) {
                    shared += 1;
                }
            }
            _ => match (tok_is_value(x), tok_is_value(y)) {
                (true, true) => {}
                (false, false) => return false,
                _ => {
                    asym += 1;
                    if asym > MAX_ASYMMETRIC {
                        return false;
                    }
                }
            },
        }
    }
    // Two templates made almost only of values say nothing about each other.
    shared * 2 >= n
}

/// Merges clusters of one group whose templates differ only at positions where at least one
/// side is a value. The pattern step can split a small template by coincidence of frequencies
/// (`<HOST>:<NUM> error ...` vs `csdnimg.cn:<NUM> error ...`); two templates that differ in a
/// constant word on both sides are never merged here. Heaviest clusters absorb lighter ones,
/// ties by template text, so the result is order-independent.
fn merge_compatible<'a>(mut cls: Vec<Cl<'a>>, toks: &Toks<'a>, counts: &[u64]) -> Vec<Cl<'a>> {
    if cls.len() < 2 || cls.len() > MAX_MERGE_CLUSTERS {
        return cls;
    }
    let weight = |c: &Cl<'_>| -> u64 { c.members.iter().map(|&m| counts[m as usize]).sum() };
    let mut keyed: Vec<(u64, Vec<u8>, Cl<'a>)> = cls
        .drain(..)
        .map(|c| (weight(&c), c.text(toks), c))
        .collect();
    keyed.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut acc: Vec<Cl<'a>> = Vec::new();
    for (_, _, c) in keyed {
        let target = acc.iter().position(|a| compatible(a, &c, toks));
        match target {
            Some(t) => {
                let a = &mut acc[t];
                let differs: Vec<usize> = (0..a.len(toks))
                    .filter(|&p| match (a.tok(p, toks), c.tok(p, toks)) {
                        (Tok::Lit(x), Tok::Lit(y)) => x != y,
                        _ => true,
                    })
                    .collect();
                a.members.extend_from_slice(&c.members);
                let wild: Vec<(usize, Tok<'a>)> = differs
                    .into_iter()
                    .map(|p| (p, Tok::Wild(common_affixes(&a.members, p, toks))))
                    .collect();
                let tokens = a.tokens_mut(toks);
                for (p, t) in wild {
                    tokens[p] = t;
                }
            }
            None => acc.push(c),
        }
    }
    acc
}

/// Statistics of one column within a cluster.
struct ColStats<'a> {
    /// distinct value → (weight = sum of counts, number of signatures), in no particular order
    values: Vec<(&'a [u8], u64, u32)>,
    /// When every value is `key=...` and the keys differ: the distinct keys, sorted. The keys
    /// are constant words (they name the field), so such a column splits by key.
    keys: Option<Vec<&'a [u8]>>,
}

impl ColStats<'_> {
    /// Number of parts a split on this column makes.
    fn split_width(&self) -> usize {
        self.keys.as_ref().map_or(self.values.len(), |k| k.len())
    }
}

/// `key=` part of a `key=value` token (including the `=`), if the token has that shape.
/// A dot leader (`threshold..........<NUM>`, two dots or more) separates a key from its value
/// just like `=`.
fn kv_key(t: &[u8]) -> Option<&[u8]> {
    let end = match memchr::memchr(b'=', t) {
        Some(eq) => eq + 1,
        None => {
            let d = memchr::memmem::find(t, b"..")?;
            d + t[d..].iter().take_while(|&&b| b == b'.').count()
        }
    };
    let key = &t[..end];
    (end > 1 && key.iter().any(|b| b.is_ascii_alphabetic()) && !valueish(key)).then_some(key)
}

fn col_stats<'a>(members: &[u32], col: u32, toks: &Toks<'a>, counts: &[u64]) -> ColStats<'a> {
    let mut map: FxHashMap<&[u8], (u64, u32)> = FxHashMap::default();
    for &m in members {
        let e = map.entry(toks[m as usize][col as usize]).or_default();
        e.0 += counts[m as usize];
        e.1 += 1;
    }
    let values: Vec<(&[u8], u64, u32)> = map.into_iter().map(|(k, (w, n))| (k, w, n)).collect();
    // Order is irrelevant to every decision; values are sorted only when split on.
    let mut keys = None;
    if values.len() > 1 {
        let ks: Option<Vec<&[u8]>> = values.iter().map(|v| kv_key(v.0)).collect();
        if let Some(mut ks) = ks {
            ks.dedup();
            ks.sort_unstable();
            ks.dedup();
            if ks.len() > 1 {
                keys = Some(ks);
            }
        }
    }
    ColStats { values, keys }
}

/// A token with a digit or a placeholder in it: an id or a value rather than a word.
fn id_like(t: &[u8]) -> bool {
    t.iter().any(u8::is_ascii_digit) || valueish(t)
}

/// True when a token holds a placeholder: masking already found a value in it.
fn valueish(t: &[u8]) -> bool {
    memchr::memchr_iter(b'<', t).any(|p| placeholder_at(t, p).is_some())
}

/// Did masking find a value in the part where this column's values differ? A placeholder in
/// a shared suffix (`illegal instruction......<NUM>` vs `imprecise exception......<NUM>`) says
/// nothing about the words that differ.
fn placeholder_evidence(values: &[(&[u8], u64, u32)]) -> bool {
    let first = values[0].0;
    let mut pre = first.len();
    let mut suf = first.len();
    let mut min_len = first.len();
    for v in &values[1..] {
        let v = v.0;
        min_len = min_len.min(v.len());
        pre = pre.min(first.iter().zip(v).take_while(|(a, b)| a == b).count());
        suf = suf.min(
            first
                .iter()
                .rev()
                .zip(v.iter().rev())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    // Never cut a placeholder in half: back off to its '<' / '>'.
    if let Some(lt) = first[..pre].iter().rposition(|&b| b == b'<') {
        if !first[lt..pre].contains(&b'>') {
            pre = lt;
        }
    }
    let tail = &first[first.len() - suf..];
    if let Some(gt) = tail.iter().position(|&b| b == b'>') {
        if !tail[..gt].contains(&b'<') {
            suf -= gt + 1;
        }
    }
    if pre + suf > min_len {
        suf = min_len.saturating_sub(pre);
    }
    values.iter().any(|v| {
        let t = v.0;
        let end = t.len().saturating_sub(suf).max(pre.min(t.len()));
        let mid = &t[pre.min(t.len())..end];
        valueish(mid) || structured_identifier(t)
    })
}

/// `com.tencent.mm/.ui.LauncherUI`, `android.intent.action.TIME_TICK`: package, class and
/// component names. Where such names differ between otherwise equal messages they are the
/// message's subject (a value), not a word of its template.
fn structured_identifier(t: &[u8]) -> bool {
    if dotted_constant(t) {
        return false;
    }
    let dots = t.iter().filter(|&&b| b == b'.').count();
    let slash = t.contains(&b'/');
    // `instruction......` is a dot leader, not a name.
    let leader = t.windows(2).any(|w| w == b"..");
    !leader && t.iter().any(u8::is_ascii_alphabetic) && (dots >= 2 || (slash && dots >= 1))
}

/// `android.intent.action.SCREEN_ON`, `TimeUnit.SECONDS` (also as `action:` or `act=` value):
/// a qualified name whose last part is an upper-case constant is an enum constant from the
/// code (see [`enum_constants`]), not a package or class name that varies as the message's
/// subject.
fn dotted_constant(t: &[u8]) -> bool {
    // The value of a glued `action:` or `act=` key.
    let t = match t.iter().rposition(|&b| b == b':' || b == b'=') {
        Some(k) => &t[k + 1..],
        None => t,
    };
    let Some(dot) = t.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let (path, last) = (&t[..dot], &t[dot + 1..]);
    upper_constant(last)
        && !path.is_empty()
        && path
            .split(|&b| b == b'.')
            .all(|p| !p.is_empty() && p.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'_'))
}

/// `NEW`, `FAIL_TASK_CLEANUP`: at least three characters, upper-case letters and underscores,
/// a letter first.
fn upper_constant(t: &[u8]) -> bool {
    t.len() >= 3
        && t[0].is_ascii_uppercase()
        && t.iter().all(|b| b.is_ascii_uppercase() || *b == b'_')
}

/// Fewest distinct signatures per value for a value to count as its own pattern.
const ESTABLISHED_SIGS: u32 = 3;
/// Most values an established column may split into.
const MAX_ESTABLISHED_VALUES: usize = 12;

/// Few values, each seen with several different fills of the other columns: these are
/// constant words of separate templates (`created`/`deleted`/`viewed` ...), however many
/// events each has. A variable's values (user names) rarely each recur with varied contexts.
fn established(st: &ColStats<'_>) -> bool {
    st.values.len() <= MAX_ESTABLISHED_VALUES && st.values.iter().all(|v| v.2 >= ESTABLISHED_SIGS)
}

/// `NEW`, `UNASSIGNED`, `FAIL_TASK_CLEANUP`: upper-case identifiers are enum constants from
/// the code, a closed set that names the event (a state transition), not free-form data.
fn enum_constants(st: &ColStats<'_>) -> bool {
    st.values.len() <= MAX_ESTABLISHED_VALUES
        && st.values.iter().all(|v| {
            // Quotes and brackets around it do not matter: `"GET`.
            let t = v.0;
            let a = t.iter().take_while(|b| !b.is_ascii_alphanumeric()).count();
            let z = t.len()
                - t.iter()
                    .rev()
                    .take_while(|b| !b.is_ascii_alphanumeric())
                    .count();
            let t = if a < z { &t[a..z] } else { &t[..0] };
            upper_constant(t)
                || dotted_constant(t)
                // `Started`, `Paused`, `Resumed`: capitalised words are the states and verbs
                // of the message, written in the code; names of users and hosts are lower
                // case or carry digits and dots.
                || (t.len() >= 3
                    && t[0].is_ascii_uppercase()
                    && t[1..].iter().all(u8::is_ascii_lowercase))
        })
}

/// Why a column is a variable.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    /// Many distinct values.
    Count,
    /// Masking found a value where the values differ.
    Evidence,
    /// Its words were seen as values of a many-valued variable elsewhere (see [`cluster`]).
    Known,
}

/// Word values seen in many-valued variable columns in the first pass.
type KnownValues<'a> = FxHashSet<&'a [u8]>;

/// What the first pass learns from one group.
#[derive(Default)]
struct Learned<'a> {
    /// Word values of its many-valued variable columns.
    values: Vec<&'a [u8]>,
    /// Value sets of the columns it split on (candidates for [`Why::Known`]).
    splits: Vec<Vec<&'a [u8]>>,
}

/// At least two of the values, and at least half of them, are known variable values.
fn known_majority<'a>(values: impl Iterator<Item = &'a [u8]>, known: &KnownValues<'_>) -> bool {
    let (mut n, mut k) = (0usize, 0usize);
    for v in values {
        n += 1;
        k += usize::from(known.contains(v));
    }
    k >= 2 && k * 2 >= n
}

/// Does this column hold a variable (→ `<*>`) rather than constant words that tell templates
/// apart (→ split)? `None` means split.
fn variable_reason(col: u32, st: &ColStats<'_>, known: &KnownValues<'_>) -> Option<Why> {
    if st.keys.is_some() {
        // Different field names: constant words, however many.
        return None;
    }
    // The first word of a message is most often the event's name (`boot`, `wait`, a daemon's
    // name): many distinct values there alone do not make it a variable.
    if col > 0
        && st.values.len() >= MIN_DISTINCT_VARIABLE
        && !established(st)
        && !enum_constants(st)
    {
        return Some(Why::Count);
    }
    // A placeholder among the values means masking saw a value in this slot.
    if placeholder_evidence(&st.values) {
        return Some(Why::Evidence);
    }
    // User names, host names, table names recur across templates: `session closed for user
    // <*>` (many users) tells that `session opened for user cyrus|news` is one template too.
    // This holds in the first column as well (`alice logged in`).
    // Known names win over `established`: a user seen with many different contexts is still
    // a user.
    if !known.is_empty() && known_majority(st.values.iter().map(|v| v.0), known) {
        return Some(Why::Known);
    }
    None
}

/// Splits a cluster on its constant-word columns until only variable columns are left.
fn refine<'a>(
    members: Vec<u32>,
    free: Vec<u32>,
    toks: &Toks<'a>,
    counts: &[u64],
    known: &KnownValues<'a>,
    out: &mut Vec<Cl<'a>>,
    learned: &mut Learned<'a>,
) {
    let mut work = vec![(members, free)];
    while let Some((members, free)) = work.pop() {
        let mut still_free = Vec::new();
        let mut split: Option<(u32, ColStats<'a>)> = None;
        // Many-valued columns, learned from only if the cluster is final: in a mix of
        // templates that is split next (`MDNS: IPV4 Addr:` with `keepalive: Remote IP:`)
        // the words of two templates' constant columns line up as if they were one slot.
        let mut many_valued: Vec<&'a [u8]> = Vec::new();
        for &c in &free {
            let st = col_stats(&members, c, toks, counts);
            if st.values.len() <= 1 {
                continue;
            }
            let why = variable_reason(c, &st, known);
            if why == Some(Why::Count) && known.is_empty() {
                let words = st.values.iter().map(|v| v.0).filter(|v| !valueish(v));
                many_valued.extend(words);
            }
            if why.is_none() && st.keys.is_none() && known.is_empty() {
                learned.splits.push(st.values.iter().map(|v| v.0).collect());
            }
            if why.is_none() {
                let better = split
                    .as_ref()
                    .is_none_or(|(_, s)| st.split_width() < s.split_width());
                if better {
                    split = Some((c, st));
                }
            }
            still_free.push(c);
        }
        match split {
            None => {
                learned.values.append(&mut many_valued);
                let first = &toks[members[0] as usize];
                // Every column literal (one signature): nothing to store.
                let tokens = (!still_free.is_empty()).then(|| {
                    first
                        .iter()
                        .enumerate()
                        .map(|(p, &t)| {
                            if still_free.contains(&(p as u32)) {
                                Tok::Wild(common_affixes(&members, p, toks))
                            } else {
                                Tok::Lit(t)
                            }
                        })
                        .collect()
                });
                out.push(Cl { members, tokens });
            }
            Some((c, st)) => {
                // One pass puts every member in its part (a column may have many keys).
                // Split by field name keeps the column free: the value part may still vary.
                let by_key = st.keys.is_some();
                let rest: Vec<u32> = if by_key {
                    still_free
                } else {
                    still_free.into_iter().filter(|&x| x != c).collect()
                };
                let mut parts: BTreeMap<&[u8], Vec<u32>> = BTreeMap::new();
                for &m in &members {
                    let v = toks[m as usize][c as usize];
                    let k = if by_key { kv_key(v).unwrap_or(v) } else { v };
                    parts.entry(k).or_default().push(m);
                }
                for (_, sub) in parts {
                    work.push((sub, rest.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_inside_tokens() {
        let mut out = Vec::new();
        untyped(b"a<NUM>b<<IP>>c<x>d<>e<*>", &mut out);
        assert_eq!(out, b"a<*>b<<*>>c<x>d<>e<*>");
        assert_eq!(placeholder_at(b"<NUM>", 0), Some(5));
        assert_eq!(placeholder_at(b"x<NUM", 1), None);
        assert!(valueish(b"a<b<NUM>"), "not only the first '<'");
        assert!(!valueish(b"a<b>c"));
    }

    #[test]
    fn a_token_of_angle_brackets_is_linear() {
        // Each `<` used to be followed by a search to the end of the token for a `>`: a 1 MiB
        // line of `<` took minutes. (No timing assertion: a regression makes this test hang.)
        let mut t = vec![b'<'; 1 << 20];
        t.extend_from_slice(b"NUM>");
        let mut out = Vec::new();
        untyped(&t, &mut out);
        assert_eq!(out.len(), (1 << 20) - 1 + 3);
        assert!(out.ends_with(b"<<*>"));
        assert!(valueish(&t));
        t.truncate(1 << 20);
        assert!(!valueish(&t));
    }
}
