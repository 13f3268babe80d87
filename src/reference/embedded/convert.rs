//! From the file-shaped structures to [`ReferenceData`]: every id, code, share, sum and source
//! checked on the way, each error naming the item and field at fault.

use super::*;

pub(super) fn convert_datasets(raw: Vec<RawDataset>) -> Result<Vec<Dataset>, ReferenceError> {
    let mut out: Vec<Dataset> = Vec::with_capacity(raw.len());
    for d in raw {
        let err = |field: &'static str, problem: &str| ReferenceError::Dataset {
            dataset: d.id.clone(),
            field,
            problem: problem.to_string(),
        };
        if !is_identifier(&d.id, true) {
            return Err(err("id", "not an identifier (letters, digits, `_`)"));
        }
        if out.iter().any(|o| o.id == d.id) {
            return Err(err("id", "appears twice"));
        }
        for (field, text) in [
            ("pub", &d.publisher),
            ("title", &d.title),
            ("lic", &d.lic),
            ("cit", &d.cit),
        ] {
            if text.trim().is_empty() {
                return Err(err(field, "is empty"));
            }
        }
        if !(1900..=2200).contains(&d.yr) {
            return Err(err("yr", "is not a plausible publication year"));
        }
        if d.short.trim().is_empty() {
            return Err(err("short", "is empty"));
        }
        out.push(Dataset {
            id: d.id,
            short: d.short,
            publisher: d.publisher,
            title: d.title,
            published: d.yr,
            licence: d.lic,
            citation: d.cit,
            caveats: d.cav,
        });
    }
    Ok(out)
}

pub(super) fn convert_countries(
    raw: Vec<(String, String, String, Option<f64>)>,
) -> Result<Vec<Country>, ReferenceError> {
    let mut out: Vec<Country> = Vec::with_capacity(raw.len());
    for (code_text, iso2, name, wgi) in raw {
        let err = |field: &'static str, problem: String| ReferenceError::Country {
            code: code_text.clone(),
            field,
            problem,
        };
        let code = parse_code(&code_text).ok_or_else(|| {
            err(
                "code",
                "not an upper-case three-letter code (ISO 3166-1 alpha-3 or ROW)".into(),
            )
        })?;
        let iso2_ok = if code.is_rest_of_world() {
            iso2.is_empty()
        } else {
            iso2.is_empty() || (iso2.len() == 2 && iso2.bytes().all(|b| b.is_ascii_uppercase()))
        };
        if !iso2_ok {
            return Err(err("iso2", format!("`{iso2}` is not a two-letter code")));
        }
        if name.trim().is_empty() {
            return Err(err("name", "is empty".into()));
        }
        if let Some(w) = wgi
            && !(-3.0..=3.0).contains(&w)
        {
            return Err(err(
                "wgi",
                format!("{w} is outside the WGI scale (about -2.5 to 2.5)"),
            ));
        }
        if out.iter().any(|c| c.code == code) {
            return Err(err("code", "appears twice".into()));
        }
        out.push(Country {
            code,
            iso2,
            name,
            wgi_mean: wgi,
        });
    }
    order::sort_by_key(&mut out, |c| c.code);
    Ok(out)
}

pub(super) fn convert_group(
    g: RawGroup,
    known: &BTreeSet<CountryCode>,
) -> Result<CountryGroup, ReferenceError> {
    let err = |field: &'static str, problem: String| ReferenceError::Group {
        group: g.id.clone(),
        field,
        problem,
    };
    if !is_identifier(&g.id, false) {
        return Err(err("id", "not a lower-case identifier".into()));
    }
    if g.name.trim().is_empty() {
        return Err(err("name", "is empty".into()));
    }
    if g.src.trim().is_empty() {
        return Err(err("src", "is empty".into()));
    }
    if let Some(date) = &g.as_of
        && !is_iso_date(date)
    {
        return Err(err("as_of", format!("`{date}` is not a YYYY-MM-DD date")));
    }
    let mut members: Vec<CountryCode> = Vec::with_capacity(g.m.len());
    for text in &g.m {
        let code = resolve(text, known).map_err(|p| err("m", p))?;
        if members.contains(&code) {
            return Err(err("m", format!("{code} appears twice")));
        }
        members.push(code);
    }
    order::sort(&mut members);
    Ok(CountryGroup {
        id: g.id.clone(),
        name: g.name.clone(),
        members,
        as_of: g.as_of.clone(),
        source: g.src.clone(),
        user_defined: false,
    })
}

pub(super) fn convert_material(
    m: RawMaterial,
    known: &BTreeSet<CountryCode>,
    datasets: &BTreeSet<&str>,
) -> Result<Material, ReferenceError> {
    let id = m.id.clone();
    let err =
        |stage: Option<Stage>, field: &'static str, problem: String| ReferenceError::Material {
            material: id.clone(),
            stage,
            field,
            problem,
        };
    if !is_identifier(&m.id, false) {
        return Err(err(
            None,
            "id",
            "not a lower-case identifier (a-z, 0-9, `_`)".into(),
        ));
    }
    if m.name.trim().is_empty() {
        return Err(err(None, "name", "is empty".into()));
    }
    if let Some(s) = m.sym.iter().find(|s| !is_element_symbol(s)) {
        return Err(err(None, "sym", format!("`{s}` is not an element symbol")));
    }
    let flag = |value: u8| -> Result<bool, ReferenceError> {
        match value {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(err(None, "lists", format!("{other} is not 0 or 1"))),
        }
    };
    let lists = ListMemberships {
        eu_critical_2023: flag(m.lists.0)?,
        eu_strategic_2023: flag(m.lists.1)?,
        us_critical_2022: flag(m.lists.2)?,
        us_critical_2025: m.lists.3.map(flag).transpose()?,
    };

    let mut stages: Vec<StageSeries> = Vec::with_capacity(m.stages.len());
    for s in m.stages {
        let stage = parse_stage(&s.st).map_err(|p| err(None, "st", p))?;
        let serr = |field: &'static str, problem: String| err(Some(stage), field, problem);
        if stages.iter().any(|x| x.stage == stage) {
            return Err(serr("st", "the stage appears twice".into()));
        }
        check_source(&s.ds, s.yr, datasets, &serr)?;
        if s.det.trim().is_empty() {
            return Err(serr("det", "is empty".into()));
        }
        if s.unit.trim().is_empty() {
            return Err(serr("unit", "is empty".into()));
        }
        let (published, mix) = shares(&s.sh, s.tot, known, &serr)?;
        check_sum(&mix, &s.cav, &serr)?;
        let withheld = withheld_list(&s.wh, &mix, known, &serr)?;
        stages.push(StageSeries {
            stage,
            detail: s.det,
            mix,
            source: SourceRef {
                dataset: s.ds,
                year: s.yr,
            },
            unit: s.unit,
            older_data: s.old,
            caveats: s.cav,
            withheld,
            published,
            world_total: s.tot,
            previous: None,
            projections: Vec::new(),
        });
    }
    order::sort_by_key(&mut stages, |s| s.stage);

    let eu = match m.eu {
        Some(raw) => Some(convert_eu(raw, known, &err)?),
        None => None,
    };

    Ok(Material {
        id: m.id,
        name: m.name,
        symbols: m.sym,
        lists,
        stages,
        eu,
    })
}

/// The error constructor of a stage (or of its previous vintage or a projection).
pub(super) type StageErr<'a> = dyn Fn(&'static str, String) -> ReferenceError + 'a;

pub(super) fn check_source(
    dataset: &str,
    year: u16,
    datasets: &BTreeSet<&str>,
    err: &StageErr<'_>,
) -> Result<(), ReferenceError> {
    if !datasets.contains(dataset) {
        return Err(err("ds", format!("data set `{dataset}` is not listed")));
    }
    if !(1900..=2200).contains(&year) {
        return Err(err("yr", format!("{year} is not a plausible data year")));
    }
    Ok(())
}

/// The published shares in percent (largest first) and the normalised mix of `sh`: with a world
/// total `tot`, each value is a quantity and its published share is `100 * q / tot`; without,
/// each value is a published percentage.
pub(super) fn shares(
    sh: &[(String, f64)],
    tot: Option<f64>,
    known: &BTreeSet<CountryCode>,
    err: &StageErr<'_>,
) -> Result<(Vec<(CountryCode, f64)>, CountryMix), ReferenceError> {
    if let Some(t) = tot
        && !(t.is_finite() && t > 0.0)
    {
        return Err(err("tot", format!("{t} is not a positive world total")));
    }
    let mut published: Vec<(CountryCode, f64)> = Vec::with_capacity(sh.len());
    for (text, value) in sh {
        let code = resolve(text, known).map_err(|p| err("sh", p))?;
        let pct = match tot {
            Some(t) if value.is_finite() && (0.0..=t).contains(value) => 100.0 * value / t,
            Some(t) => {
                return Err(err(
                    "sh",
                    format!(
                        "the quantity of {code} is {value}, not between 0 and the world total {t}"
                    ),
                ));
            }
            None if value.is_finite() && (0.0..=100.0).contains(value) => *value,
            None => {
                return Err(err(
                    "sh",
                    format!("the share of {code} is {value}, not a percentage between 0 and 100"),
                ));
            }
        };
        published.push((code, pct));
    }
    let mix = CountryMix::from_shares(published.iter().copied()).map_err(|e| {
        err(
            "sh",
            match e {
                MixError::Empty => "no country has a share above zero".into(),
                other => other.to_string(),
            },
        )
    })?;
    published.retain(|(_, p)| *p > 0.0);
    order::sort_by(&mut published, |a, b| {
        b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
    });
    Ok((published, mix))
}

pub(super) fn check_sum(
    mix: &CountryMix,
    caveats: &[String],
    err: &StageErr<'_>,
) -> Result<(), ReferenceError> {
    let sum = mix.original_sum();
    if !(95.0..=105.0).contains(&sum) && !caveats.iter().any(|c| c.starts_with(SUM_FLAG)) {
        return Err(err(
            "cav",
            format!(
                "the shares sum to {sum:.1} %, outside 95-105 %, without a caveat starting with \
                 \"{SUM_FLAG}\""
            ),
        ));
    }
    Ok(())
}

pub(super) fn withheld_list(
    wh: &[String],
    mix: &CountryMix,
    known: &BTreeSet<CountryCode>,
    err: &StageErr<'_>,
) -> Result<Vec<CountryCode>, ReferenceError> {
    let mut withheld = Vec::with_capacity(wh.len());
    for text in wh {
        let code = resolve(text, known).map_err(|p| err("wh", p))?;
        if mix.share_of(code) > 0.0 {
            return Err(err(
                "wh",
                format!("{code} is listed as withheld but also has a share"),
            ));
        }
        withheld.push(code);
    }
    Ok(withheld)
}

pub(super) fn convert_eu(
    raw: RawEu,
    known: &BTreeSet<CountryCode>,
    err: &dyn Fn(Option<Stage>, &'static str, String) -> ReferenceError,
) -> Result<EuAssessment, ReferenceError> {
    let score = |value: Option<f64>, field: &'static str| -> Result<Option<f64>, ReferenceError> {
        match value {
            Some(v) if !v.is_finite() || !(0.0..=100.0).contains(&v) => {
                Err(err(None, field, format!("{v} is not a non-negative score")))
            }
            other => Ok(other),
        }
    };
    let percent =
        |value: f64, stage: Option<Stage>, field: &'static str| -> Result<f64, ReferenceError> {
            if value.is_finite() && (0.0..=100.0).contains(&value) {
                Ok(value / 100.0)
            } else {
                Err(err(
                    stage,
                    field,
                    format!("{value} is not a percentage between 0 and 100"),
                ))
            }
        };
    let supply_risk = score(raw.sr, "sr")?;
    let economic_importance = score(raw.ei, "ei")?;
    let bottleneck = match raw.bn {
        Some(text) => Some(parse_stage(&text).map_err(|p| err(None, "bn", p))?),
        None => None,
    };
    let mut import_reliance: Vec<(Stage, f64)> = Vec::with_capacity(raw.ir.len());
    for (text, value) in raw.ir {
        let stage = parse_stage(&text).map_err(|p| err(None, "ir", p))?;
        if import_reliance.iter().any(|(s, _)| *s == stage) {
            return Err(err(Some(stage), "ir", "the stage appears twice".into()));
        }
        import_reliance.push((stage, percent(value, Some(stage), "ir")?));
    }
    let eol_rir = match raw.eol {
        Some(v) => Some(percent(v, None, "eol")?),
        None => None,
    };
    let si_sr = match raw.si {
        Some(v) if !v.is_finite() || !(0.0..=1.0).contains(&v) => {
            return Err(err(
                None,
                "si",
                format!("{v} is not a fraction between 0 and 1"),
            ));
        }
        other => other,
    };
    let table = |rows: Vec<(String, Vec<RawEuRow>)>,
                 field: &'static str|
     -> Result<EuStageShares, ReferenceError> {
        let mut out: EuStageShares = Vec::with_capacity(rows.len());
        for (text, entries) in rows {
            let stage = parse_stage(&text).map_err(|p| err(None, field, p))?;
            if out.iter().any(|(s, _)| *s == stage) {
                return Err(err(Some(stage), field, "the stage appears twice".into()));
            }
            let mut list: Vec<(CountryCode, f64, f64)> = Vec::with_capacity(entries.len());
            for entry in entries {
                let (code_text, pct, t) = match entry {
                    RawEuRow::WithT(c, p, t) => (c, p, t),
                    RawEuRow::Default(c, p) => (c, p, 1.0),
                };
                let code = resolve(&code_text, known).map_err(|p| err(Some(stage), field, p))?;
                if list.iter().any(|(c, _, _)| *c == code) {
                    return Err(err(Some(stage), field, format!("{code} appears twice")));
                }
                let share = percent(pct, Some(stage), field)?;
                if !t.is_finite() || !(0.5..=2.0).contains(&t) {
                    return Err(err(
                        Some(stage),
                        field,
                        format!("the trade parameter t of {code} is {t}, outside 0.5-2"),
                    ));
                }
                list.push((code, share, t));
            }
            if list.is_empty() {
                return Err(err(Some(stage), field, "no country listed".into()));
            }
            out.push((stage, list));
        }
        order::sort_by_key(&mut out, |(s, _)| *s);
        Ok(out)
    };
    order::sort_by_key(&mut import_reliance, |(s, _)| *s);
    Ok(EuAssessment {
        supply_risk,
        economic_importance,
        bottleneck,
        import_reliance,
        eol_rir,
        si_sr,
        global_supply: table(raw.gs, "gs")?,
        eu_sourcing: table(raw.es, "es")?,
        caveats: raw.cav,
    })
}

// ---------------------------------------------------------------------------------------------
// Small checks
// ---------------------------------------------------------------------------------------------

/// A code written exactly as stored: three upper-case ASCII letters.
pub(super) fn parse_code(text: &str) -> Option<CountryCode> {
    let code = CountryCode::parse(text)?;
    (code.as_str() == text).then_some(code)
}

pub(super) fn resolve(text: &str, known: &BTreeSet<CountryCode>) -> Result<CountryCode, String> {
    let code = parse_code(text).ok_or_else(|| {
        format!("`{text}` is not an upper-case three-letter country code (or ROW)")
    })?;
    if known.contains(&code) {
        Ok(code)
    } else {
        Err(format!("country `{code}` is not in the country list"))
    }
}

pub(super) fn parse_stage(text: &str) -> Result<Stage, String> {
    match text {
        "mining" => Ok(Stage::Mining),
        "refining" => Ok(Stage::Refining),
        other => Err(format!(
            "`{other}` is not a reference-data stage (`mining` or `refining`)"
        )),
    }
}

pub(super) fn is_identifier(text: &str, upper: bool) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| {
            b == b'_'
                || b.is_ascii_digit()
                || if upper {
                    b.is_ascii_alphabetic()
                } else {
                    b.is_ascii_lowercase()
                }
        })
}

pub(super) fn is_element_symbol(text: &str) -> bool {
    let b = text.as_bytes();
    match b {
        [first] => first.is_ascii_uppercase(),
        [first, second] => first.is_ascii_uppercase() && second.is_ascii_lowercase(),
        _ => false,
    }
}

pub(super) fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}
