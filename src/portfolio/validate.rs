//! Reading and validating the raw form: every number checked, every mix a `CountryMix`, every
//! material in the catalogue, and every problem reported at once.

use super::*;

impl RawPortfolio {
    /// Reads the JSON text of a portfolio file, without validating it.
    pub fn from_json(text: &str) -> Result<RawPortfolio, ParseError> {
        serde_json::from_str(text).map_err(|e| ParseError {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    /// The JSON text of this portfolio, pretty-printed.
    pub fn to_json(&self) -> String {
        // Serialising these types cannot fail: every map key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Validates against the catalogue and country list of `reference`; returns every problem.
    pub fn validate(&self, reference: &ReferenceData) -> Result<Portfolio, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let document = |field, problem| ValidationError {
            location: Location::Document,
            field,
            problem,
        };
        match self.schema_version.as_ref() {
            None => errors.push(document(Field::SchemaVersion, Problem::Missing)),
            Some(raw) => {
                if raw.value() != Some(f64::from(SCHEMA_VERSION)) {
                    errors.push(document(
                        Field::SchemaVersion,
                        Problem::UnsupportedVersion(raw.as_typed()),
                    ));
                }
            }
        }
        for name in self.unknown_fields.keys() {
            errors.push(document(
                Field::Other(name.clone()),
                Problem::UnknownField(name.clone()),
            ));
        }
        let look_through = match self.look_through.as_deref().map(str::trim) {
            None | Some("") => LookThroughBasis::default(),
            Some(text) => LookThroughBasis::parse(text).unwrap_or_else(|| {
                errors.push(document(
                    Field::LookThrough,
                    Problem::UnknownLookThrough(text.to_string()),
                ));
                LookThroughBasis::default()
            }),
        };
        let groups = self.validate_groups(reference, &mut errors);
        let jurisdiction = choice(self.jurisdiction.as_deref(), Jurisdiction::parse, || {
            Jurisdiction::ALL.iter().map(|v| v.id()).collect()
        })
        .unwrap_or_else(|problem| {
            errors.push(document(Field::Jurisdiction, problem));
            None
        });
        let customer = choice(self.customer.as_deref(), Customer::parse, || {
            Customer::ALL.iter().map(|v| v.id()).collect()
        })
        .unwrap_or_else(|problem| {
            errors.push(document(Field::Customer, problem));
            None
        });
        let mut lines = Vec::with_capacity(self.lines.len());
        for (index, raw) in self.lines.iter().enumerate() {
            let mut checker = LineChecker {
                location: Location::Line {
                    line: index + 1,
                    label: raw.label.clone().filter(|l| !l.trim().is_empty()),
                },
                reference,
                errors: &mut errors,
            };
            if let Some(line) = checker.line(raw) {
                lines.push(line);
            }
        }
        if errors.is_empty() {
            Ok(Portfolio {
                look_through,
                name: self.name.clone(),
                spend_unit: self.spend_unit.clone(),
                groups,
                lines,
                jurisdiction,
                customer,
            })
        } else {
            Err(errors)
        }
    }

    fn validate_groups(
        &self,
        reference: &ReferenceData,
        errors: &mut Vec<ValidationError>,
    ) -> Vec<CountryGroup> {
        let mut groups: Vec<CountryGroup> = Vec::new();
        // Ids seen so far: a set, so that the duplicate check stays linear in the number of groups.
        let mut ids: HashSet<String> = HashSet::new();
        for (index, raw) in self.groups.iter().enumerate() {
            let location = Location::Group {
                index: index + 1,
                id: raw.id.clone(),
            };
            let mut push = |field, problem| {
                errors.push(ValidationError {
                    location: location.clone(),
                    field,
                    problem,
                })
            };
            for name in raw.unknown_fields.keys() {
                push(
                    Field::Other(name.clone()),
                    Problem::UnknownField(name.clone()),
                );
            }
            let id = raw.id.as_deref().map(str::trim).unwrap_or_default();
            if id.is_empty() {
                push(Field::GroupId, Problem::Missing);
            } else if reference.group(id).is_some() || !ids.insert(id.to_string()) {
                push(Field::GroupId, Problem::DuplicateGroup(id.to_string()));
            }
            let mut members = Vec::new();
            let mut seen: HashSet<CountryCode> = HashSet::new();
            for text in &raw.members {
                match CountryCode::parse(text) {
                    None => push(Field::GroupMembers, Problem::BadCountryCode(text.clone())),
                    Some(code) if !known_country(reference, code) => {
                        push(Field::GroupMembers, Problem::UnknownCountry(code))
                    }
                    Some(code) if !seen.insert(code) => {
                        push(Field::GroupMembers, Problem::DuplicateCountry(code))
                    }
                    Some(code) => members.push(code),
                }
            }
            groups.push(CountryGroup {
                id: id.to_string(),
                name: raw
                    .name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| id.to_string()),
                members,
                as_of: None,
                source: "user-defined".to_string(),
                user_defined: true,
            });
        }
        groups
    }
}

/// The value of an optional choice field (end use, jurisdiction, customer): `None` when absent or
/// blank, the parsed value, or [`Problem::UnknownChoice`] naming the accepted ids.
fn choice<T>(
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
    accepted: impl FnOnce() -> Vec<&'static str>,
) -> Result<Option<T>, Problem> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse(text).map(Some).ok_or_else(|| Problem::UnknownChoice {
            value: text.to_string(),
            accepted: accepted().join(", "),
        }),
    }
}

fn known_country(reference: &ReferenceData, code: CountryCode) -> bool {
    code.is_rest_of_world() || reference.country(code).is_some()
}

struct LineChecker<'a> {
    location: Location,
    reference: &'a ReferenceData,
    errors: &'a mut Vec<ValidationError>,
}

impl LineChecker<'_> {
    fn push(&mut self, field: Field, problem: Problem) {
        self.errors.push(ValidationError {
            location: self.location.clone(),
            field,
            problem,
        });
    }

    /// A number in `[min, max]`; `default` when absent (`None` = required).
    fn number(
        &mut self,
        field: Field,
        raw: Option<&RawNumber>,
        default: Option<f64>,
        (min, max): (f64, f64),
    ) -> Option<f64> {
        let Some(raw) = raw else {
            if default.is_none() {
                self.push(field, Problem::Missing);
            }
            return default;
        };
        let Some(value) = raw.value() else {
            self.push(field, Problem::NotANumber(raw.as_typed()));
            return None;
        };
        if !(min..=max).contains(&value) {
            self.push(field, Problem::OutOfRange { value, min, max });
            return None;
        }
        Some(value)
    }

    fn line(&mut self, raw: &RawLine) -> Option<Line> {
        for name in raw.unknown_fields.keys() {
            self.push(
                Field::Other(name.clone()),
                Problem::UnknownField(name.clone()),
            );
        }
        let material = match raw.material.as_deref().map(str::trim) {
            None | Some("") => {
                self.push(Field::Material, Problem::Missing);
                None
            }
            // Other spellings (`aluminum`, `graphite_natural`) resolve to the catalogue id.
            Some(id) => match self.reference.find_material(id) {
                Some(material) => Some(material.id.clone()),
                None => {
                    self.push(Field::Material, Problem::UnknownMaterial(id.to_string()));
                    None
                }
            },
        };
        let spend = self.number(Field::Spend, raw.spend.as_ref(), None, (0.0, MAX_AMOUNT));
        let revenue = self.number(
            Field::RevenueShare,
            raw.revenue_share_pct.as_ref(),
            None,
            (0.0, 100.0),
        );
        let inventory = self.number(
            Field::InventoryDays,
            raw.inventory_days.as_ref(),
            Some(0.0),
            (0.0, MAX_AMOUNT),
        );
        let sourcing = self.sourcing(&raw.sourcing);
        let facility_counts = self.facility_counts(raw);
        let end_use = choice(raw.end_use.as_deref(), EndUse::parse, || {
            EndUse::ALL.iter().map(|v| v.id()).collect()
        })
        .unwrap_or_else(|problem| {
            self.push(Field::EndUse, problem);
            None
        });
        Some(Line {
            material: material?,
            label: raw.label.clone().filter(|l| !l.trim().is_empty()),
            spend: Amount::new(spend?)?,
            revenue_share: Share::from_percent(revenue?)?,
            inventory_days: Amount::new(inventory?)?,
            facility_counts: facility_counts?
                .into_iter()
                .filter(|s| sourcing.as_ref().is_some_and(|m| m.get(*s).is_some()))
                .collect(),
            sourcing: sourcing?,
            end_use,
        })
    }

    /// The stages `sourcing_basis` marks as facility counts, upstream first.
    fn facility_counts(&mut self, raw: &RawLine) -> Option<Vec<Stage>> {
        let mut stages = Vec::new();
        let mut ok = true;
        for (key, basis) in &raw.sourcing_basis.0 {
            let Some(stage) = Stage::ALL.into_iter().find(|s| s.id() == key.trim()) else {
                self.push(Field::SourcingBasis, Problem::UnknownStage(key.clone()));
                ok = false;
                continue;
            };
            if basis.trim().eq_ignore_ascii_case(FACILITY_COUNT) {
                if !stages.contains(&stage) {
                    stages.push(stage);
                }
            } else {
                self.push(
                    Field::SourcingBasis,
                    Problem::UnknownChoice {
                        value: basis.clone(),
                        accepted: FACILITY_COUNT.to_string(),
                    },
                );
                ok = false;
            }
        }
        crate::model::order::sort(&mut stages);
        ok.then_some(stages)
    }

    fn sourcing(&mut self, raw: &OrderedMap<RawStageSourcing>) -> Option<Sourcing> {
        let mut sourcing = Sourcing::default();
        let mut seen: Vec<Stage> = Vec::new();
        let mut ok = true;
        for (key, value) in &raw.0 {
            let Some(stage) = Stage::ALL.into_iter().find(|s| s.id() == key.trim()) else {
                self.push(Field::Sourcing, Problem::UnknownStage(key.clone()));
                ok = false;
                continue;
            };
            if seen.contains(&stage) {
                self.push(Field::Stage(stage), Problem::DuplicateStage);
                ok = false;
                continue;
            }
            seen.push(stage);
            match value {
                RawStageSourcing::Text(text) if text.trim().eq_ignore_ascii_case(UNKNOWN) => {}
                RawStageSourcing::Text(text) => {
                    self.push(Field::Stage(stage), Problem::NotUnknown(text.clone()));
                    ok = false;
                }
                RawStageSourcing::Mix(entries) => match self.mix(stage, entries) {
                    Some(mix) => *sourcing.slot(stage) = Some(mix),
                    None => ok = false,
                },
            }
        }
        ok.then_some(sourcing)
    }

    fn mix(&mut self, stage: Stage, entries: &OrderedMap<RawNumber>) -> Option<CountryMix> {
        let mut shares: Vec<(CountryCode, f64)> = Vec::new();
        let mut ok = true;
        for (text, raw) in &entries.0 {
            let field = Field::Country(stage, text.clone());
            let code = match CountryCode::parse(text) {
                None => {
                    self.push(field.clone(), Problem::BadCountryCode(text.clone()));
                    None
                }
                Some(code) if !known_country(self.reference, code) => {
                    self.push(field.clone(), Problem::UnknownCountry(code));
                    None
                }
                // A scan: a mix read from outside has at most `limits::MAX_MIX_COUNTRIES` entries.
                Some(code) if shares.iter().any(|(c, _)| *c == code) => {
                    self.push(field.clone(), Problem::DuplicateCountry(code));
                    None
                }
                Some(code) => Some(code),
            };
            // One country may hold up to the sum's tolerance above 100 % (a mix typed as
            // 100.4 % in total, written back as typed, must read again).
            let value = self.number(field, Some(raw), None, (0.0, 100.0 + SUM_TOLERANCE_PCT));
            match (code, value) {
                (Some(code), Some(value)) => shares.push((code, value)),
                _ => ok = false,
            }
        }
        if !ok {
            return None;
        }
        let sum: f64 = shares.iter().map(|(_, v)| v).sum();
        if sum <= 0.0 {
            self.push(Field::Stage(stage), Problem::EmptyMix);
            return None;
        }
        if (sum - 100.0).abs() > SUM_TOLERANCE_PCT {
            self.push(Field::Stage(stage), Problem::SharesSum { percent: sum });
            return None;
        }
        CountryMix::from_shares(shares).ok()
    }
}

// ---------------------------------------------------------------------------------------------
// Validation errors
// ---------------------------------------------------------------------------------------------
