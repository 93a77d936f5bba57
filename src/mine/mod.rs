//! Template mining: masking variables in messages and clustering signatures into templates.
//! (Interim version: the full miner lands from the `mine` branch.)

pub struct Masker {
    _user: Vec<(String, regex::bytes::Regex)>,
}

impl Masker {
    pub fn new(user_masks: Vec<(String, regex::bytes::Regex)>) -> Masker {
        Masker { _user: user_masks }
    }

    pub fn mask(&self, message: &[u8], out: &mut Vec<u8>) {
        out.clear();
        for (i, tok) in message
            .split(|b| b.is_ascii_whitespace())
            .filter(|t| !t.is_empty())
            .enumerate()
        {
            if i > 0 {
                out.push(b' ');
            }
            if tok.iter().any(|b| b.is_ascii_digit()) {
                out.extend_from_slice(b"<NUM>");
            } else {
                out.extend_from_slice(tok);
            }
        }
    }
}

pub struct ClusterConfig {
    pub max_templates: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            max_templates: 50_000,
        }
    }
}

pub struct TemplateInfo {
    pub text: String,
    pub id: String,
    pub is_other: bool,
}

pub struct Clustering {
    pub assignment: Vec<u32>,
    pub templates: Vec<TemplateInfo>,
    pub folded_into_other: u64,
}

pub fn template_id(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{:012x}", h >> 16)
}

pub fn cluster(sigs: &[(&[u8], u64)], _cfg: &ClusterConfig) -> Clustering {
    let mut index = std::collections::BTreeMap::new();
    let mut assignment = Vec::with_capacity(sigs.len());
    let mut templates = Vec::new();
    for (s, _) in sigs {
        let text = String::from_utf8_lossy(s).into_owned();
        let next = templates.len() as u32;
        let t = *index.entry(text.clone()).or_insert_with(|| {
            templates.push(TemplateInfo {
                id: template_id(&text),
                text,
                is_other: false,
            });
            next
        });
        assignment.push(t);
    }
    Clustering {
        assignment,
        templates,
        folded_into_other: 0,
    }
}
