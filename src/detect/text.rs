//! Free text from profiles: HTML stripping, look-alike-folded word tokens, bio similarity, and
//! the statements that change what a copy means (parody and fan disclaimers, claims of being the
//! person's "backup" account).

use std::collections::HashSet;

use super::confusables::confusable_skeleton;

/// Longest text we look at; bios are short, anything longer is cut (hostile input).
const MAX_TEXT_CHARS: usize = 4_000;

/// Removes HTML tags and decodes the common entities, leaving plain text with single spaces.
/// Mastodon serves bios as HTML; anything else may contain markup too.
pub fn strip_html(input: &str) -> String {
    let input: String = input.chars().take(MAX_TEXT_CHARS).collect();
    let mut text = String::with_capacity(input.len());
    let mut in_tag = false;
    for c in input.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let mut decoded = String::with_capacity(text.len());
    decode_entities_into(&text, &mut decoded);
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#39;`, `&nbsp;`, `&#NNN;`, `&#xHH;` into
/// `out`; anything else (an unknown name, `&#0;`, a number that is no character) stays as it is.
/// The one decoder for text from profiles (the sources' HTML bios use it too).
pub fn decode_entities_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let entity = &after[..e];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32)
                    .filter(|c| *c != '\0'),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
}

/// Words of `text` in look-alike-folded form (so a bio copied with Cyrillic letters still
/// matches), without punctuation.
pub fn folded_words(text: &str) -> Vec<String> {
    let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
    confusable_skeleton(&text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Plain lowercase words (no look-alike folding), for phrase matching.
pub fn plain_words(text: &str) -> Vec<String> {
    text.chars()
        .take(MAX_TEXT_CHARS)
        .collect::<String>()
        .to_lowercase()
        // Combining marks belong to their letter (José), they do not end a word.
        .split(|c: char| !c.is_alphanumeric() && !unicode_normalization::char::is_combining_mark(c))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A bio prepared for comparison: word bigrams of its folded words.
#[derive(Debug, Clone, Default)]
pub struct BioShingles {
    pub words: usize,
    shingles: HashSet<(String, String)>,
    /// Content words (three letters or more, not a stop word), for paraphrased copies.
    content: HashSet<String>,
}

/// Words too common to say anything about whether a bio was copied.
const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "her", "was", "one",
    "our", "out", "has", "his", "how", "its", "may", "new", "now", "who", "with", "from", "this",
    "that", "have", "they", "will", "your", "about", "into", "more", "just", "also", "here",
    "their", "them", "than", "then", "there", "what", "when", "were", "which", "while", "would",
    "since", "my", "me", "of", "in", "on", "at", "by", "to", "is", "it", "an", "a", "or", "as",
    "be", "we",
];

impl BioShingles {
    /// Prepares `bio` (HTML allowed).
    pub fn new(bio: &str) -> BioShingles {
        let words = folded_words(&strip_html(bio));
        let shingles = words
            .windows(2)
            .map(|w| (w[0].clone(), w[1].clone()))
            .collect();
        let content = words
            .iter()
            .filter(|w| {
                w.chars().count() >= 3
                    && !STOP_WORDS.contains(&w.as_str())
                    && !w.chars().any(|c| c.is_ascii_digit())
            })
            .cloned()
            .collect();
        BioShingles {
            words: words.len(),
            shingles,
            content,
        }
    }

    /// How much of the person's bio (`self`) the candidate's bio reproduces: the larger of the
    /// Jaccard similarity and the share of the person's bigrams found in the candidate's (a copy
    /// with a line added still counts), or nine tenths of the share of the person's content
    /// words found (a paraphrase with the words shuffled). 0 when either bio is too short.
    pub fn copied_share(&self, candidate: &BioShingles) -> f64 {
        if self.words < 4 || candidate.words < 4 || self.shingles.is_empty() {
            return 0.0;
        }
        let common = self.shingles.intersection(&candidate.shingles).count() as f64;
        let union = self.shingles.union(&candidate.shingles).count() as f64;
        let jaccard = if union > 0.0 { common / union } else { 0.0 };
        let containment = common / self.shingles.len() as f64;
        // Containment alone would let a long bio "contain" a short one by chance; require the
        // candidate not to be vastly longer for containment to count fully.
        let length_ratio = (self.shingles.len() as f64 / candidate.shingles.len().max(1) as f64)
            .min(1.0)
            .sqrt();
        let bigrams = jaccard.max(containment * length_ratio.max(0.5));
        let words = if self.content.len() >= 5 {
            let common = self.content.intersection(&candidate.content).count() as f64;
            let ratio = (self.content.len() as f64 / candidate.content.len().max(1) as f64)
                .min(1.0)
                .sqrt();
            0.9 * common / self.content.len() as f64 * ratio.max(0.5)
        } else {
            0.0
        };
        bigrams.max(words)
    }
}

/// Words and phrases that declare an account is not the person.
const DISCLAIMER_WORDS: &[&str] = &[
    "parody",
    "parodie",
    "satire",
    "satirical",
    "fan",
    "fans",
    "fanpage",
    "fanclub",
    "fanaccount",
    "unofficial",
    "commentary",
    "tribute",
    "impersonator",
    "roleplay",
    "rp",
    // The same words in the languages fan and parody accounts most often write in
    // (es/it/pt "parodia"/"paródia", fr "parodique", tr "parodi", pt/es "sátira").
    "parodia",
    "paródia",
    "parodique",
    "parodi",
    "sátira",
    "satira",
    "satirique",
];
const DISCLAIMER_PHRASES: &[&str] = &[
    "not affiliated",
    "unaffiliated",
    "not associated",
    "no affiliation",
    "not endorsed",
    "not the real",
    "not official",
    "not the official",
    "not actually",
    "fan account",
    "fan page",
    "fan club",
    // es, pt, fr, it, de, tr
    "cuenta parodia",
    "cuenta fan",
    "página de fans",
    "pagina de fans",
    "no oficial",
    "página de fãs",
    "conta de fã",
    "não é a conta oficial",
    "não oficial",
    "compte parodique",
    "compte fan",
    "non officiel",
    "non officielle",
    "non ufficiale",
    "kein offizieller",
    "nicht offiziell",
    "hayran sayfası",
    "hayran hesabı",
    "resmi hesap değil",
    "resmi hesap değildir",
];

/// Disclaimer words and phrases found in `text` (lowercase, as found).
pub fn disclaimers(text: &str) -> Vec<String> {
    let words = plain_words(text);
    let joined = words.join(" ");
    let mut found: Vec<String> = Vec::new();
    for phrase in DISCLAIMER_PHRASES {
        if contains_phrase(&joined, phrase) {
            found.push((*phrase).to_string());
        }
    }
    for word in DISCLAIMER_WORDS {
        if words.iter().any(|w| w == word)
            && !found.iter().any(|f| f.split(' ').any(|fw| fw == *word))
        {
            found.push((*word).to_string());
        }
    }
    found
}

/// Claims of being the person's account, which make a copy worse.
const AFFILIATION_PHRASES: &[&str] = &[
    "backup account",
    "backup acct",
    "back up account",
    "my new account",
    "new account",
    "official account",
    "real account",
    "main account",
    "only account",
    "second account",
    "was suspended",
    "got suspended",
    "dm me",
    "giveaway",
];

/// Claims of affiliation found in `text` ("backup account", "official account"...).
pub fn affiliation_claims(text: &str) -> Vec<String> {
    let joined = plain_words(text).join(" ");
    AFFILIATION_PHRASES
        .iter()
        .filter(|p| contains_phrase(&joined, p))
        .filter(|p| !contains_phrase(&joined, &format!("not {p}")))
        .filter(|p| !contains_phrase(&joined, &format!("not an {p}")))
        .filter(|p| !contains_phrase(&joined, &format!("not the {p}")))
        .map(|p| (*p).to_string())
        .collect()
}

/// True when `phrase` occurs in `joined` (space-joined words) on word boundaries.
fn contains_phrase(joined: &str, phrase: &str) -> bool {
    let padded = format!(" {joined} ");
    padded.contains(&format!(" {phrase} "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_stripped_and_entities_decoded() {
        assert_eq!(
            strip_html("<p>News &amp; views</p><p>by <a href=\"x\">@me</a></p>"),
            "News & views by @me"
        );
        assert_eq!(strip_html("a &#x41; &#66; &bogus; &"), "a A B &bogus; &");
    }

    #[test]
    fn copied_bio_is_found_through_markup_and_lookalikes() {
        let person =
            BioShingles::new("Independent news and commentary since 2016. Founded by Bill Palmer.");
        let copy = BioShingles::new(
            "<p>Independent news and c\u{043E}mmentary since 2016.</p> Founded by Bill Palmer. Backup account!",
        );
        assert!(
            person.copied_share(&copy) > 0.7,
            "{}",
            person.copied_share(&copy)
        );
        let other =
            BioShingles::new("Dad, runner, coffee. Opinions my own. Living in Ohio since 2016.");
        assert!(person.copied_share(&other) < 0.2);
    }

    #[test]
    fn disclaimers_and_claims() {
        assert_eq!(
            disclaimers("Parody account. Not affiliated with anyone"),
            vec!["not affiliated", "parody"]
        );
        assert!(disclaimers("Fan of @PalmerReport").contains(&"fan".to_string()));
        assert!(disclaimers("Official news").is_empty());
        assert_eq!(
            affiliation_claims("This is my BACKUP account"),
            vec!["backup account"]
        );
        assert!(affiliation_claims("not an official account").is_empty());
    }
}
