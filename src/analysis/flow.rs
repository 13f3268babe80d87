//! The flow of a portfolio's spend from materials through supply-chain stages to countries: the
//! nodes and links of the dashboard's flow (Sankey) diagram.
//!
//! Each line's spend passes through every stage it has a country mix for (its own sourcing or
//! the world mix of the look-through). For line `l` with spend `w_l` and mix `x_{l,s,c}` at
//! stage `s`:
//!
//! - link material `m` → stage `s` = Σ over lines `l` of `m` with a mix at `s` of `w_l`;
//! - link stage `s` → country `c` = Σ over lines `l` with a mix at `s` of `w_l · x_{l,s,c}`.
//!
//! Every value is divided by the portfolio's total spend, so a link reads "share of your annual
//! spend". Because each mix sums to 1, the flows into each stage node equal the flows out, and
//! the stage → country links of stage `s`, divided by the stage's value, are the spend-weighted
//! portfolio mix the dashboard reports for that stage ([`crate::analysis::assess::PortfolioStage::by_spend`],
//! computed by [`crate::analysis::exposure::weighted_mix`]). A material's spend appears once per
//! stage it passes through, so every column of the diagram has the same total: the sum of the
//! stage values. Sankey diagrams in general: Schmidt, M. (2008), "The Sankey diagram in energy
//! and material flow management", Journal of Industrial Ecology 12(1), 82-94.
//!
//! Small materials and countries are grouped ("other materials", "others and rest of world") so
//! that the diagram stays readable; the grouping only adds values, so conservation still holds.

use crate::analysis::assess::Assessment;
use crate::analysis::exposure::MixBasis;
use crate::model::{CountryCode, Stage};

/// What a node of the diagram stands for.
#[derive(Clone, Debug, PartialEq)]
pub enum FlowKey {
    /// A material of the portfolio, by catalogue id, with its display name.
    Material {
        /// Catalogue id.
        id: String,
        /// Display name.
        name: String,
    },
    /// The materials beyond [`FlowParams::max_materials`], grouped.
    OtherMaterials,
    /// A supply-chain stage.
    Stage(Stage),
    /// A country (never the rest of world, which goes to [`FlowKey::OtherCountries`]).
    Country(CountryCode),
    /// The countries beyond [`FlowParams::max_countries`] and the rest of world, grouped.
    OtherCountries,
}

/// A node: what it stands for and the share of total spend that flows through it.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowNode {
    /// What the node stands for.
    pub key: FlowKey,
    /// Share of the portfolio's total spend flowing through the node (summed over stages for
    /// materials and countries).
    pub value: f64,
}

/// A link between two nodes of adjacent columns, by index into those columns.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLink {
    /// Index of the source node in its column.
    pub from: usize,
    /// Index of the target node in its column.
    pub to: usize,
    /// Share of the portfolio's total spend carried by the link.
    pub value: f64,
    /// Where the mix behind the link comes from: the firm's own sourcing, the world mix, or
    /// both (material → stage links only; stage → country links are [`MixBasis::Mixed`] when
    /// the stage has both, as the stage's basis).
    pub basis: MixBasis,
}

/// How much detail the diagram keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowParams {
    /// Materials shown by name, largest spend first; the rest are grouped.
    pub max_materials: usize,
    /// Countries shown by name, largest flow first; the rest and the rest of world are grouped.
    pub max_countries: usize,
}

impl Default for FlowParams {
    /// Eight materials and seven countries: seven countries plus "others" fill the eight
    /// colours of the Okabe-Ito palette the charts use.
    fn default() -> FlowParams {
        FlowParams {
            max_materials: 8,
            max_countries: 7,
        }
    }
}

/// The diagram: three columns of nodes and the links between them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FlowDiagram {
    /// Materials, largest first, then "other materials" if any.
    pub materials: Vec<FlowNode>,
    /// Stages with a mix, upstream first.
    pub stages: Vec<FlowNode>,
    /// Countries, largest first, then "others and rest of world" if any.
    pub countries: Vec<FlowNode>,
    /// Material → stage links, `from` indexing `materials` and `to` indexing `stages`.
    pub material_links: Vec<FlowLink>,
    /// Stage → country links, `from` indexing `stages` and `to` indexing `countries`.
    pub country_links: Vec<FlowLink>,
}

impl FlowDiagram {
    /// Whether there is nothing to draw (no spend, or no stage with a mix).
    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// The total of each column (all three are equal up to rounding).
    pub fn total(&self) -> f64 {
        self.stages.iter().map(|n| n.value).sum()
    }
}

/// Adds `value` to the entry of `key` in `sums`, appending it when new (keeps first-seen order).
fn add<K: PartialEq>(sums: &mut Vec<(K, f64)>, key: K, value: f64) {
    match sums.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 += value,
        None => sums.push((key, value)),
    }
}

/// Sums with the basis of their parts, by key, in first-seen order.
type BasedSums<K> = Vec<(K, (f64, MixBasis))>;

/// Adds `value` with `basis` to the entry of `key` in `sums`, combining the bases.
fn add_based<K: PartialEq>(sums: &mut BasedSums<K>, key: K, value: f64, basis: MixBasis) {
    match sums.iter_mut().find(|(k, _)| *k == key) {
        Some((_, (v, b))) => {
            *v += value;
            *b = b.combine(basis);
        }
        None => sums.push((key, (value, basis))),
    }
}

/// The indexes of `keys` in ascending order of key, ties in index order (a stable insertion
/// sort: the diagram sorts at most a few hundred items, and one small non-generic routine keeps
/// the download small where the standard library's sorts are instantiated per call site).
///
/// ```
/// assert_eq!(chokepoint::analysis::flow::order(&[2.0, 1.0, 2.0, 0.5]), vec![3, 1, 0, 2]);
/// ```
pub fn order(keys: &[f64]) -> Vec<usize> {
    let mut result: Vec<usize> = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let at = result
            .iter()
            .rposition(|&j| keys.get(j).is_some_and(|k| k.total_cmp(key).is_le()))
            .map_or(0, |p| p + 1);
        result.insert(at, i);
    }
    result
}

/// Sorts `sums` largest first (stable, so ties keep their first-seen order) and keeps the
/// first `keep`.
fn top<K: Clone>(sums: Vec<(K, f64)>, keep: usize) -> Vec<(K, f64)> {
    let keys: Vec<f64> = sums.iter().map(|(_, v)| -v).collect();
    order(&keys)
        .into_iter()
        .take(keep)
        .filter_map(|i| sums.get(i).cloned())
        .collect()
}

/// `links` ordered by source, then target.
fn by_ends(links: Vec<FlowLink>) -> Vec<FlowLink> {
    let keys: Vec<f64> = links
        .iter()
        .map(|l| l.from as f64 * 65_536.0 + l.to as f64)
        .collect();
    order(&keys)
        .into_iter()
        .filter_map(|i| links.get(i).cloned())
        .collect()
}

/// The flow diagram of an assessment (see the module notes for the formulas). Pure; never
/// panics; empty when the total spend is not positive.
pub fn flow_diagram(assessment: &Assessment, params: &FlowParams) -> FlowDiagram {
    let total: f64 = assessment.lines.iter().map(|l| l.spend).sum();
    if !(total > 0.0 && total.is_finite()) {
        return FlowDiagram::default();
    }
    // Raw sums, in shares of total spend.
    let mut material_spend: Vec<(&str, f64)> = Vec::new();
    let mut material_stage: BasedSums<(&str, Stage)> = Vec::new();
    let mut stage_country: Vec<((Stage, CountryCode), f64)> = Vec::new();
    let mut country_sums: Vec<(CountryCode, f64)> = Vec::new();
    for line in &assessment.lines {
        let weight = line.spend / total;
        if line.stages.iter().any(|s| s.mix.is_some()) {
            add(&mut material_spend, line.material.as_str(), weight);
        }
        for stage in &line.stages {
            let Some(mix) = &stage.mix else { continue };
            let key = (line.material.as_str(), stage.stage);
            add_based(&mut material_stage, key, weight, stage.basis);
            for &(country, share) in mix.entries() {
                add(&mut stage_country, (stage.stage, country), weight * share);
                if !country.is_rest_of_world() {
                    add(&mut country_sums, country, weight * share);
                }
            }
        }
    }

    let kept_materials = top(material_spend, params.max_materials);
    let material_index = |id: &str| {
        kept_materials
            .iter()
            .position(|(m, _)| *m == id)
            .unwrap_or(kept_materials.len())
    };
    let kept_countries = top(country_sums, params.max_countries);
    let country_index = |c: CountryCode| {
        kept_countries
            .iter()
            .position(|(k, _)| *k == c)
            .unwrap_or(kept_countries.len())
    };
    let stages: Vec<Stage> = Stage::ALL
        .into_iter()
        .filter(|s| material_stage.iter().any(|((_, t), _)| t == s))
        .collect();
    let stage_index = |s: Stage| stages.iter().position(|t| *t == s).unwrap_or(0);

    let mut material_links: BasedSums<(usize, usize)> = Vec::new();
    for ((material, stage), (value, basis)) in material_stage {
        let key = (material_index(material), stage_index(stage));
        add_based(&mut material_links, key, value, basis);
    }
    let material_links: Vec<FlowLink> = material_links
        .into_iter()
        .map(|((from, to), (value, basis))| FlowLink {
            from,
            to,
            value,
            basis,
        })
        .collect();
    let stage_basis = |s: usize| {
        material_links
            .iter()
            .filter(|l| l.to == s)
            .fold(MixBasis::Unavailable, |b, l| b.combine(l.basis))
    };
    let mut country_links: Vec<((usize, usize), f64)> = Vec::new();
    for ((stage, country), value) in stage_country {
        add(
            &mut country_links,
            (stage_index(stage), country_index(country)),
            value,
        );
    }
    let country_links: Vec<FlowLink> = country_links
        .into_iter()
        .map(|((from, to), value)| FlowLink {
            from,
            to,
            value,
            basis: stage_basis(from),
        })
        .collect();
    let material_links = by_ends(material_links);
    let country_links = by_ends(country_links);

    let column = |count: usize, links: &[FlowLink], side: fn(&FlowLink) -> usize| -> Vec<f64> {
        let mut values = vec![0.0; count];
        for link in links {
            if let Some(v) = values.get_mut(side(link)) {
                *v += link.value;
            }
        }
        values
    };
    let name = |id: &str| {
        assessment
            .materials
            .iter()
            .find(|m| m.material == id)
            .map_or_else(|| id.to_string(), |m| m.name.clone())
    };
    let mut material_keys: Vec<FlowKey> = kept_materials
        .iter()
        .map(|(id, _)| FlowKey::Material {
            id: id.to_string(),
            name: name(id),
        })
        .collect();
    if material_links
        .iter()
        .any(|l| l.from == kept_materials.len())
    {
        material_keys.push(FlowKey::OtherMaterials);
    }
    let mut country_keys: Vec<FlowKey> = kept_countries
        .iter()
        .map(|(c, _)| FlowKey::Country(*c))
        .collect();
    if country_links.iter().any(|l| l.to == kept_countries.len()) {
        country_keys.push(FlowKey::OtherCountries);
    }
    let nodes = |keys: Vec<FlowKey>, values: Vec<f64>| -> Vec<FlowNode> {
        keys.into_iter()
            .zip(values)
            .map(|(key, value)| FlowNode { key, value })
            .collect()
    };
    FlowDiagram {
        materials: nodes(
            material_keys.clone(),
            column(material_keys.len(), &material_links, |l| l.from),
        ),
        stages: nodes(
            stages.iter().map(|s| FlowKey::Stage(*s)).collect(),
            column(stages.len(), &material_links, |l| l.to),
        ),
        countries: nodes(
            country_keys.clone(),
            column(country_keys.len(), &country_links, |l| l.to),
        ),
        material_links,
        country_links,
    }
}
