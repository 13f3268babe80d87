//! The embedded current-vintage data read in steps (issue #19): parsing all of
//! `data/reference.json` at once is the longest task of the app's start on a phone (about 30 ms
//! unthrottled, over 100 ms at a fourfold CPU slowdown). [`StagedReference::start`] reads the
//! document's head (format version, data sets, countries, groups) and only delimits each
//! material's text; [`StagedReference::step`] reads a few materials; [`StagedReference::finish`]
//! reads the rest, checks the whole and makes it [`embedded_current`](super::embedded_current)'s
//! data. Each call can run in a task of its own. [`parse_reference`](super::parse_reference) is
//! the same reader run to the end at once, so the checks, the result and the errors (positions
//! in the whole document included) are the same.

use super::*;
use serde_json::value::RawValue;

/// A reference document whose materials are kept as their JSON text until read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLazyDocument<'a> {
    v: u32,
    datasets: Vec<RawDataset>,
    countries: Vec<RawCountry>,
    groups: Vec<RawGroup>,
    #[serde(borrow)]
    materials: Vec<&'a RawValue>,
}

/// What has been read so far.
struct Progress<'a> {
    head: Head,
    pending: std::vec::IntoIter<&'a RawValue>,
    materials: Vec<Material>,
}

/// A parse of a reference document in steps (see the module notes). Any error stops it and is
/// kept; [`StagedReference::finish`] then records it as the embedded data's error, as a
/// one-piece parse would.
pub struct StagedReference<'a> {
    /// The document, for the positions of errors in a material's text.
    json: &'a str,
    state: Result<Progress<'a>, ReferenceError>,
}

impl StagedReference<'static> {
    /// Starts reading the embedded file, `data/reference.json`.
    pub fn start() -> Self {
        Self::of(EMBEDDED_JSON)
    }

    /// Reads what is left, checks the whole and makes it the data of
    /// [`embedded_current`](super::embedded_current) (or its error), unless that data was
    /// already read, in which case nothing changes.
    pub fn finish(self) {
        let _ = CURRENT.set(self.into_result());
    }
}

impl<'a> StagedReference<'a> {
    /// Starts reading `json`: reads and checks everything but the materials, whose text it only
    /// delimits.
    pub fn of(json: &'a str) -> Self {
        let state = serde_json::from_str::<RawLazyDocument<'a>>(json)
            .map_err(syntax_error)
            .and_then(|raw| {
                let head = convert_head(raw.v, raw.datasets, raw.countries, raw.groups)?;
                Ok(Progress {
                    head,
                    materials: Vec::with_capacity(raw.materials.len()),
                    pending: raw.materials.into_iter(),
                })
            });
        Self { json, state }
    }

    /// Reads and checks up to `count` more materials. Returns `true` when none is left to read
    /// (or reading has failed).
    pub fn step(&mut self, count: usize) -> bool {
        let Ok(progress) = &mut self.state else {
            return true;
        };
        let dataset_ids = progress.head.dataset_ids();
        let mut failed = None;
        for text in progress.pending.by_ref().take(count) {
            let material = serde_json::from_str::<RawMaterial>(text.get())
                .map_err(|e| syntax_error_within(e, self.json, text.get()))
                .and_then(|m| convert_material(m, &progress.head.known, &dataset_ids));
            match material {
                Ok(material) => progress.materials.push(material),
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        let done = progress.pending.len() == 0;
        if let Some(error) = failed {
            self.state = Err(error);
            return true;
        }
        done
    }

    /// Reads what is left and checks the whole (what [`parse_reference`](super::parse_reference)
    /// returns).
    pub fn into_result(mut self) -> Result<ReferenceData, ReferenceError> {
        while !self.step(usize::MAX) {}
        self.state
            .and_then(|progress| assemble(progress.head, progress.materials))
    }
}

/// A syntax error in `part`, a material's text within `document`, placed in the whole document
/// (serde_json counts lines from 1 and columns in bytes from 1).
fn syntax_error_within(e: serde_json::Error, document: &str, part: &str) -> ReferenceError {
    let Some(offset) = (part.as_ptr() as usize)
        .checked_sub(document.as_ptr() as usize)
        .filter(|&o| document.is_char_boundary(o))
    else {
        return syntax_error(e);
    };
    let before = &document.as_bytes()[..offset];
    let lines_before = before.iter().filter(|&&b| b == b'\n').count();
    let (line, column) = if e.line() <= 1 {
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        (lines_before + 1, offset - line_start + e.column())
    } else {
        (lines_before + e.line(), e.column())
    };
    // serde_json ends its message with the position it counted; say the document's instead.
    let counted = format!(" at line {} column {}", e.line(), e.column());
    let message = e.to_string();
    let message = match message.strip_suffix(counted.as_str()) {
        Some(what) => format!("{what} at line {line} column {column}"),
        None => message,
    };
    ReferenceError::Syntax {
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_in_steps_gives_what_reading_at_once_gives() {
        let whole = parse_reference(EMBEDDED_JSON).expect("data/reference.json");
        assert!(
            whole.materials.len() > 60,
            "{} materials",
            whole.materials.len()
        );
        assert!(whole.material("gallium").is_some() && whole.material("zirconium").is_some());
        for chunk in [1, 7, 30] {
            let mut staged = StagedReference::of(EMBEDDED_JSON);
            let mut steps = 0;
            while !staged.step(chunk) {
                steps += 1;
            }
            assert_eq!(
                staged.into_result().as_ref(),
                Ok(&whole),
                "chunks of {chunk}"
            );
            assert_eq!(
                steps,
                (whole.materials.len() - 1) / chunk,
                "steps before the last"
            );
        }
    }

    #[test]
    fn an_error_in_a_step_names_what_and_where() {
        let read_in_steps = |text: &str| {
            let mut staged = StagedReference::of(text);
            while !staged.step(10) {}
            staged.into_result()
        };
        // A share above 100 % in the first material, a country that is not listed in the last:
        // refused with the material named.
        let over = EMBEDDED_JSON.replacen("\"sh\":[[", "\"sh\":[[\"CHN\",250.0],[", 1);
        let last = EMBEDDED_JSON.rfind("\"sh\":[[").expect("a share list");
        let mut unknown = EMBEDDED_JSON.to_string();
        unknown.replace_range(last..last + 7, "\"sh\":[[\"XXX\",1.0],[");
        for text in [&over, &unknown] {
            assert!(matches!(
                read_in_steps(text),
                Err(ReferenceError::Material { .. })
            ));
        }
        // A wrong format version, in the head.
        let version = EMBEDDED_JSON.replacen("\"v\":2", "\"v\":9", 1);
        assert!(matches!(
            read_in_steps(&version),
            Err(ReferenceError::Document { field: "v", .. })
        ));
        // A wrong type inside the last material (one material per line in the file): the
        // position is the whole document's, in the error and in its message.
        let at = EMBEDDED_JSON
            .rfind("\"yr\":2025,")
            .expect("a year in the last material");
        let mut typed = EMBEDDED_JSON.to_string();
        typed.replace_range(at..at + 10, "\"yr\":\"2025\",");
        let line_of_at = EMBEDDED_JSON[..at].matches('\n').count() + 1;
        match read_in_steps(&typed) {
            Err(ReferenceError::Syntax {
                line,
                column,
                message,
            }) => {
                assert_eq!(line, line_of_at, "{message}");
                let line_start = EMBEDDED_JSON[..at].rfind('\n').map_or(0, |i| i + 1);
                assert!(column > at - line_start, "column {column}: {message}");
                assert!(
                    message.ends_with(&format!("at line {line} column {column}")),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        // A broken document.
        assert!(matches!(
            read_in_steps(&EMBEDDED_JSON[..EMBEDDED_JSON.len() / 2]),
            Err(ReferenceError::Syntax { .. })
        ));
    }
}
