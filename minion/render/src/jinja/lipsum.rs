//! Jinja2's `lipsum(n=5, html=True, min=20, max=100)` global
//! (`jinja2.utils.generate_lorem_ipsum`): `n` random paragraphs of
//! `min..max` words from Jinja2's word list, with its comma and full-stop
//! placement; `<p>` paragraphs (escaped) with `html`.

use minijinja::value::{Rest, ValueOrKwargs};
use minijinja::{Error, Value};

use super::super::filters_hash::{bounded, invalid};
use super::{bind, html_escape, opt_int};

/// `jinja2.constants.LOREM_IPSUM_WORDS`.
const WORDS: &str = "a ac accumsan ad adipiscing aenean aliquam aliquet amet ante aptent arcu at \
auctor augue bibendum blandit class commodo condimentum congue consectetuer \
consequat conubia convallis cras cubilia cum curabitur curae cursus dapibus \
diam dictum dictumst dignissim dis dolor donec dui duis egestas eget eleifend \
elementum elit enim erat eros est et etiam eu euismod facilisi facilisis fames \
faucibus felis fermentum feugiat fringilla fusce gravida habitant habitasse hac \
hendrerit hymenaeos iaculis id imperdiet in inceptos integer interdum ipsum \
justo lacinia lacus laoreet lectus leo libero ligula litora lobortis lorem \
luctus maecenas magna magnis malesuada massa mattis mauris metus mi molestie \
mollis montes morbi mus nam nascetur natoque nec neque netus nibh nisi nisl non \
nonummy nostra nulla nullam nunc odio orci ornare parturient pede pellentesque \
penatibus per pharetra phasellus placerat platea porta porttitor posuere \
potenti praesent pretium primis proin pulvinar purus quam quis quisque rhoncus \
ridiculus risus rutrum sagittis sapien scelerisque sed sem semper senectus sit \
sociis sociosqu sodales sollicitudin suscipit suspendisse taciti tellus tempor \
tempus tincidunt torquent tortor tristique turpis ullamcorper ultrices \
ultricies urna ut varius vehicula vel velit venenatis vestibulum vitae vivamus \
viverra volutpat vulputate";

/// xorshift64* seeded from `/dev/urandom`.
struct Rng(u64);

impl Rng {
    fn new() -> Result<Self, Error> {
        use std::io::Read as _;
        let mut buf = [0u8; 8];
        std::fs::File::open("/dev/urandom")
            .and_then(|mut f| f.read_exact(&mut buf))
            .map_err(|e| invalid(e.to_string()))?;
        Ok(Rng(u64::from_le_bytes(buf) | 1))
    }

    /// Python's `randrange(a, b)`.
    fn range(&mut self, a: i64, b: i64) -> Result<i64, Error> {
        if a >= b {
            return Err(invalid(format!(
                "empty range for randrange() ({a}, {b}, {})",
                b - a
            )));
        }
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let r = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
        Ok(a + (r % (b - a) as u64) as i64)
    }
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn paragraph(rng: &mut Rng, words: &[&str], min: i64, max: i64) -> Result<String, Error> {
    let mut next_capitalized = true;
    let (mut last_comma, mut last_fullstop) = (0i64, 0i64);
    let mut last: Option<&str> = None;
    let mut p: Vec<String> = Vec::new();
    for idx in 0..rng.range(min, max)? {
        let picked = loop {
            let w = words[rng.range(0, words.len() as i64)? as usize];
            if Some(w) != last {
                break w;
            }
        };
        last = Some(picked);
        let mut word = if next_capitalized {
            next_capitalized = false;
            capitalize(picked)
        } else {
            picked.to_string()
        };
        if idx - rng.range(3, 8)? > last_comma {
            last_comma = idx;
            last_fullstop += 2;
            word.push(',');
        }
        if idx - rng.range(10, 20)? > last_fullstop {
            last_comma = idx;
            last_fullstop = idx;
            word.push('.');
            next_capitalized = true;
        }
        p.push(word);
    }
    let mut text = p.join(" ");
    if let Some(stripped) = text.strip_suffix(',') {
        text = format!("{stripped}.");
    } else if !text.ends_with('.') {
        text.push('.');
    }
    Ok(text)
}

/// `lipsum(n=5, html=True, min=20, max=100)`.
pub fn lipsum(args: Rest<ValueOrKwargs>) -> Result<Value, Error> {
    let a = bind("generate_lorem_ipsum", &args, &["n", "html", "min", "max"])?;
    let n = opt_int(&a[0], 5)?;
    let html = a[1].as_ref().is_none_or(Value::is_true);
    let (min, max) = (opt_int(&a[2], 20)?, opt_int(&a[3], 100)?);
    let words_asked = (n.max(0) as u128).saturating_mul(max.max(0) as u128);
    bounded("lipsum", usize::try_from(words_asked).unwrap_or(usize::MAX))?;
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut rng = Rng::new()?;
    let mut result = Vec::new();
    for _ in 0..n.max(0) {
        result.push(paragraph(&mut rng, &words, min, max)?);
    }
    if !html {
        return Ok(Value::from(result.join("\n\n")));
    }
    let paras: Vec<String> = result
        .iter()
        .map(|x| format!("<p>{}</p>", html_escape(x)))
        .collect();
    Ok(Value::from_safe_string(paras.join("\n")))
}
