//! The embedded current-vintage data read in steps (issue #19): parsing all of
//! `data/reference.json` at once is the longest task of the app's start on a phone (about 30 ms
//! unthrottled, over 100 ms at a fourfold CPU slowdown). [`StagedReference::start`] reads the
//! document's head (format version, data sets, countries, groups) and only delimits each
//! material's text; [`StagedReference::step`] reads a few materials; [`StagedReference::finish`]
//! reads the rest, checks the whole and makes it [`embedded_current`](super::embedded_current)'s
//! data. Each call can run in a task of its own. The checks and the result are
//! [`parse_reference`](super::parse_reference)'s; a test compares the two.

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
        Self { state }
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
                .map_err(syntax_error)
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

    /// Reads what is left and checks the whole: the result of
    /// [`parse_reference`](super::parse_reference) on the same text.
    pub fn into_result(mut self) -> Result<ReferenceData, ReferenceError> {
        while !self.step(usize::MAX) {}
        self.state
            .and_then(|progress| assemble(progress.head, progress.materials))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_in_steps_gives_what_reading_at_once_gives() {
        let whole = parse_reference(EMBEDDED_JSON).expect("data/reference.json");
        for chunk in [1, 7, 30, usize::MAX] {
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
            if chunk == 30 {
                assert_eq!(
                    steps,
                    (whole.materials.len() - 1) / 30,
                    "steps before the last"
                );
            }
        }
    }

    #[test]
    fn an_error_in_a_step_is_the_error_of_reading_at_once() {
        // A share above 100 % in the first material, a country that is not listed in the last,
        // a broken document: each refused with the error a one-piece parse gives.
        let mut cases = vec![
            EMBEDDED_JSON.replacen("\"sh\":[[", "\"sh\":[[\"CHN\",250.0],[", 1),
            EMBEDDED_JSON.replacen("\"v\":2", "\"v\":9", 1),
            EMBEDDED_JSON[..EMBEDDED_JSON.len() / 2].to_string(),
        ];
        let last = EMBEDDED_JSON.rfind("\"sh\":[[").expect("a share list");
        let mut unknown = EMBEDDED_JSON.to_string();
        unknown.replace_range(last..last + 7, "\"sh\":[[\"XXX\",1.0],[");
        cases.push(unknown);
        for text in &cases {
            let at_once = parse_reference(text);
            assert!(at_once.is_err());
            let mut staged = StagedReference::of(text);
            while !staged.step(10) {}
            let in_steps = staged.into_result();
            match (&at_once, &in_steps) {
                // Positions differ (a material's text is read apart from the file).
                (Err(ReferenceError::Syntax { .. }), Err(ReferenceError::Syntax { .. })) => {}
                _ => assert_eq!(in_steps, at_once),
            }
        }
    }
}
