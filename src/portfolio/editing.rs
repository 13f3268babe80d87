//! Editing the raw form: what an editor does with what the user typed.

use super::*;

impl RawLine {
    /// The sourcing of `stage` as typed; `None` when the stage is absent (unknown).
    pub fn stage(&self, stage: Stage) -> Option<&RawStageSourcing> {
        self.sourcing
            .0
            .iter()
            .find(|(key, _)| key == stage.id())
            .map(|(_, s)| s)
    }

    /// The country mix of `stage` as typed, if the stage is given as a mix.
    pub fn stage_mix_mut(&mut self, stage: Stage) -> Option<&mut OrderedMap<RawNumber>> {
        self.sourcing
            .0
            .iter_mut()
            .find(|(key, _)| key == stage.id())
            .and_then(|(_, s)| match s {
                RawStageSourcing::Mix(mix) => Some(mix),
                RawStageSourcing::Text(_) => None,
            })
    }

    /// Sets the sourcing of `stage`, keeping stages in upstream-first order; `None` removes it
    /// (the stage is then unknown and the look-through uses the world mix), and its basis.
    pub fn set_stage(&mut self, stage: Stage, sourcing: Option<RawStageSourcing>) {
        self.sourcing.0.retain(|(key, _)| key != stage.id());
        if sourcing.is_none() {
            self.set_facility_count(stage, false);
        }
        if let Some(sourcing) = sourcing {
            self.sourcing.0.push((stage.id().to_string(), sourcing));
            let order = |key: &str| Stage::ALL.iter().position(|s| s.id() == key).unwrap_or(9);
            crate::model::order::sort_by_key(&mut self.sourcing.0, |(key, _)| order(key));
        }
    }
}

impl RawLine {
    /// Marks the mix of `stage` as a count of facilities ([`FACILITY_COUNT`]), or removes the
    /// mark.
    pub fn set_facility_count(&mut self, stage: Stage, counted: bool) {
        self.sourcing_basis
            .0
            .retain(|(key, _)| key.trim() != stage.id());
        if counted {
            self.sourcing_basis
                .0
                .push((stage.id().to_string(), FACILITY_COUNT.to_string()));
        }
    }

    /// Whether the mix of `stage` is marked as a count of facilities.
    pub fn is_facility_count(&self, stage: Stage) -> bool {
        self.sourcing_basis.0.iter().any(|(key, basis)| {
            key.trim() == stage.id() && basis.trim().eq_ignore_ascii_case(FACILITY_COUNT)
        })
    }
}

impl OrderedMap<RawNumber> {
    /// The sum of the entries that are numbers, in percent.
    pub fn typed_sum(&self) -> f64 {
        self.0.iter().filter_map(|(_, v)| v.value()).sum()
    }

    /// Rescales the numeric entries so that they sum to 100 (rounded to 0.01); entries that are
    /// not numbers are left as typed. Does nothing when the sum is not positive.
    ///
    /// ```
    /// use chokepoint::portfolio::{OrderedMap, RawNumber};
    /// let mut mix = OrderedMap(vec![("CHN".into(), RawNumber::Number(60.0)), ("JPN".into(), RawNumber::Number(60.0))]);
    /// mix.normalise();
    /// assert_eq!(mix.typed_sum(), 100.0);
    /// ```
    pub fn normalise(&mut self) {
        let sum = self.typed_sum();
        if sum <= 0.0 || !sum.is_finite() {
            return;
        }
        for (_, value) in &mut self.0 {
            if let Some(v) = value.value() {
                *value = RawNumber::Number((v * 10_000.0 / sum).round() / 100.0);
            }
        }
    }

    /// Adds what is missing to 100 % to the rest-of-world entry (`ROW`, created if absent). Does
    /// nothing when the entries already sum to 100 % or more.
    ///
    /// ```
    /// use chokepoint::portfolio::{OrderedMap, RawNumber};
    /// let mut mix = OrderedMap(vec![("CHN".into(), RawNumber::Number(70.0))]);
    /// mix.fill_remainder();
    /// assert_eq!(mix.0[1], ("ROW".to_string(), RawNumber::Number(30.0)));
    /// ```
    pub fn fill_remainder(&mut self) {
        let missing = ((100.0 - self.typed_sum()) * 100.0).round() / 100.0;
        if missing <= 0.0 || !missing.is_finite() {
            return;
        }
        let row = CountryCode::REST_OF_WORLD.as_str();
        match self
            .0
            .iter_mut()
            .find(|(key, _)| key.trim().eq_ignore_ascii_case(row))
        {
            Some((_, value)) => {
                let current = value.value().unwrap_or(0.0);
                *value = RawNumber::Number(current + missing);
            }
            None => self.0.push((row.to_string(), RawNumber::Number(missing))),
        }
    }
}
