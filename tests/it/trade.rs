//! Integration tests: the look-through by trade on the embedded data (issue 18's cases), the
//! trade table's build, and the portfolio setting.

use chokepoint::analysis::assess::{AssessParams, assess};
use chokepoint::analysis::exposure::{
    FilledStage, LookThroughBasis, MixBasis, look_through_embedded,
};
use chokepoint::model::{CountryCode, Stage};
use chokepoint::portfolio::{Field, Portfolio, PortfolioError, Problem, RawPortfolio};
use chokepoint::reference::embedded;
use chokepoint::reference::trade::embedded_trade;

fn c(code: &str) -> CountryCode {
    CountryCode::parse(code).unwrap()
}

fn one_line(material: &str, sourcing: &str) -> Portfolio {
    Portfolio::from_json(
        &format!(
            r#"{{"schema_version": 1, "lines": [{{"material": "{material}", "spend": 1000000,
                "revenue_share_pct": 30, "sourcing": {sourcing}}}]}}"#
        ),
        embedded(),
    )
    .unwrap()
}

fn stage<'a>(stages: &'a [FilledStage<'a>], stage: Stage) -> &'a FilledStage<'a> {
    stages.iter().find(|s| s.stage == stage).unwrap()
}

fn share(s: &FilledStage<'_>, code: &str) -> f64 {
    s.mix.as_deref().unwrap().share_of(c(code))
}

#[test]
fn trade_table_is_what_the_script_builds() {
    super::assert_fresh_build("build_trade.py");
}

#[test]
fn finland_cobalt_refining_is_fed_by_finlands_imports() {
    let portfolio = one_line("cobalt", r#"{"refining": {"FIN": 100}}"#);
    let line = &portfolio.lines[0];
    let trade = look_through_embedded(line, embedded(), LookThroughBasis::Trade);
    let mining = stage(&trade, Stage::Mining);
    assert_eq!(mining.basis, MixBasis::Trade);
    let note = mining.trade.as_ref().unwrap();
    assert_eq!(note.importers, vec![c("FIN")]);
    assert!(note.fallback.is_empty());
    assert_eq!(note.years, (2022, 2024));
    // Finland mines no cobalt of record (d = 0): its feed is its cobalt hydroxide imports,
    // shipped through Namibia (Congolese) and South Africa (Zambian), which the table follows
    // one hop back: the feed is the table's origins exactly.
    let origins = &embedded_trade()
        .imports("cobalt", Stage::Mining, c("FIN"))
        .unwrap()
        .origins;
    assert_eq!(mining.mix.as_deref().unwrap().entries(), origins.entries());
    assert_eq!(origins.largest().0, c("COD"));
    assert!(share(mining, "NAM") == 0.0 && share(mining, "ZAF") == 0.0);
    assert!(share(mining, "ZMB") > 0.25, "{:?}", mining.mix);
    // By world production the feed is the world mix: Congo larger, Zambia absent (in ROW),
    // Indonesia 14 %, which Finland's trade does not show.
    let world = look_through_embedded(line, embedded(), LookThroughBasis::World);
    let world_mining = stage(&world, Stage::Mining);
    assert_eq!(world_mining.basis, MixBasis::World);
    assert!(share(world_mining, "IDN") > 0.1);
    assert_eq!(share(mining, "IDN"), 0.0);
    assert_eq!(share(world_mining, "ZMB"), 0.0);
}

#[test]
fn chile_lithium_refining_is_fed_by_chiles_own_brine() {
    let portfolio = one_line("lithium", r#"{"refining": {"CHL": 100}}"#);
    let line = &portfolio.lines[0];
    let trade = look_through_embedded(line, embedded(), LookThroughBasis::Trade);
    let mining = stage(&trade, Stage::Mining);
    // IEA 2024: Chile mines 49.27 kt Li and refines 49.27 kt Li: d = 1, all Chilean.
    assert_eq!(mining.basis, MixBasis::Trade);
    assert_eq!(share(mining, "CHL"), 1.0);
    assert_eq!(mining.trade.as_ref().unwrap().domestic, vec![c("CHL")]);
    assert!(mining.trade.as_ref().unwrap().importers.is_empty());
    let world = look_through_embedded(line, embedded(), LookThroughBasis::World);
    assert!(share(stage(&world, Stage::Mining), "CHL") < 0.25);
    assert!(share(stage(&world, Stage::Mining), "AUS") > 0.3);
}

#[test]
fn japan_magnets_are_fed_by_japans_rare_earth_imports() {
    let mut portfolio = one_line("rare_earths_magnet", r#"{"component": {"JPN": 100}}"#);
    let line = &portfolio.lines[0];
    let trade = look_through_embedded(line, embedded(), LookThroughBasis::Trade);
    let refining = stage(&trade, Stage::Refining);
    assert_eq!(refining.basis, MixBasis::Trade);
    assert_eq!(refining.trade.as_ref().unwrap().importers, vec![c("JPN")]);
    // Japan's imports of rare-earth metals and compounds (HS 280530, 284610, 284690) 2022-2024:
    // China about half, then Viet Nam and Malaysia (SOURCES.md: 50.6, 12.5, 21.5 % in 2023).
    let chn = share(refining, "CHN");
    assert!((0.45..0.6).contains(&chn), "{chn}");
    assert!(share(refining, "VNM") > 0.1 && share(refining, "MYS") > 0.1);
    // Mining below it: China's own mines feed part of China's refining (IEA 2024 magnet rare
    // earths, mined / refined), the rest of every part is the world mix (no ore code).
    let mining = stage(&trade, Stage::Mining);
    assert_eq!(mining.basis, MixBasis::Trade);
    assert_eq!(mining.trade.as_ref().unwrap().domestic, vec![c("CHN")]);
    assert!(mining.trade.as_ref().unwrap().fallback.contains(&c("VNM")));

    // The assessment: China at refining by trade, with the world-production share next to it.
    let result = assess(&portfolio, embedded(), &AssessParams::default());
    assert_eq!(result.look_through, LookThroughBasis::Trade);
    let chokepoint = result
        .chokepoints
        .iter()
        .find(|k| k.stage == Stage::Refining && k.country == c("CHN"))
        .unwrap();
    assert!((chokepoint.share - chn).abs() < 1e-12);
    assert_eq!(chokepoint.basis, MixBasis::Trade);
    let world_chn = embedded()
        .world_mix("rare_earths_magnet", Stage::Refining)
        .unwrap()
        .share_of(c("CHN"));
    assert!((chokepoint.share_other_basis.unwrap() - world_chn).abs() < 1e-12);
    // The exposure not entered is assumed from trade, and listed with its material.
    let hidden = result
        .hidden
        .iter()
        .find(|h| h.exposure.stage == Stage::Refining && h.exposure.country == c("CHN"))
        .unwrap();
    assert_eq!(hidden.material, "rare_earths_magnet");
    assert_eq!(hidden.exposure.basis, MixBasis::Trade);
    assert!((hidden.exposure.hidden - chn).abs() < 1e-12);

    // The setting the other way round: world shares, the trade share beside them.
    portfolio.look_through = LookThroughBasis::World;
    let result = assess(&portfolio, embedded(), &AssessParams::default());
    let chokepoint = result
        .chokepoints
        .iter()
        .find(|k| k.stage == Stage::Refining && k.country == c("CHN"))
        .unwrap();
    assert!((chokepoint.share - world_chn).abs() < 1e-12);
    assert!((chokepoint.share_other_basis.unwrap() - chn).abs() < 1e-12);
    // A stage the firm entered has no other basis.
    let japan = result
        .chokepoints
        .iter()
        .find(|k| k.stage == Stage::Component)
        .unwrap();
    assert_eq!(japan.share_other_basis, None);
}

#[test]
fn exposure_not_entered_is_never_blended_across_materials() {
    let portfolio = Portfolio::from_json(
        r#"{"schema_version": 1, "lines": [
            {"material": "rare_earths_magnet", "spend": 100, "revenue_share_pct": 10,
             "sourcing": {"component": {"JPN": 100}}},
            {"material": "cobalt", "spend": 100, "revenue_share_pct": 10,
             "sourcing": {"refining": {"CHN": 100}}}]}"#,
        embedded(),
    )
    .unwrap();
    let result = assess(&portfolio, embedded(), &AssessParams::default());
    // The portfolio's list is exactly the materials' own lists, each entry with its material.
    let mut own: Vec<(String, f64)> = result
        .materials
        .iter()
        .flat_map(|m| m.hidden.iter().map(|h| (m.material.clone(), h.hidden)))
        .collect();
    let mut listed: Vec<(String, f64)> = result
        .hidden
        .iter()
        .map(|h| (h.material.clone(), h.exposure.hidden))
        .collect();
    own.sort_by(|a, b| a.partial_cmp(b).unwrap());
    listed.sort_by(|a, b| a.partial_cmp(b).unwrap());
    assert_eq!(own, listed);
    assert!(
        result
            .hidden
            .windows(2)
            .all(|w| w[0].exposure.hidden >= w[1].exposure.hidden)
    );
}

#[test]
fn demo_headline_by_trade_and_by_world_production() {
    let raw = chokepoint::app::demo_portfolio();
    let mut portfolio = raw.validate(embedded()).unwrap();
    assert_eq!(portfolio.look_through, LookThroughBasis::Trade);
    let by_trade = assess(&portfolio, embedded(), &AssessParams::default());
    portfolio.look_through = LookThroughBasis::World;
    let by_world = assess(&portfolio, embedded(), &AssessParams::default());
    let (t, w) = (&by_trade.chokepoints[0], &by_world.chokepoints[0]);
    // By world production (the demo before the trade look-through): China's 91 % of magnet
    // rare-earth refining, 4.38 million EUR of spend exposed; by trade, 57 % (Japan's imports
    // for the Japanese magnets, the world mix for the Chinese and German ones).
    assert_eq!((w.stage, w.country), (Stage::Refining, c("CHN")));
    assert!((w.share - 0.9128).abs() < 1e-3, "{w:?}");
    let trade_chn = w.share_other_basis.unwrap();
    assert!((0.5..0.65).contains(&trade_chn), "{w:?}");
    // By trade China's refining exposure falls below the Japanese magnets the firm entered
    // (87.5 % of the magnet spend): the headline becomes Japan at the component stage, a
    // stage the firm entered, so it has no other-basis share.
    assert_eq!((t.stage, t.country), (Stage::Component, c("JPN")));
    assert_eq!(t.share_other_basis, None);
    let chn = by_trade
        .chokepoints
        .iter()
        .find(|k| k.stage == Stage::Refining && k.country == c("CHN"))
        .unwrap();
    assert!((chn.share - trade_chn).abs() < 1e-12);
    assert!((chn.share_other_basis.unwrap() - w.share).abs() < 1e-12);
}

#[test]
fn look_through_setting_round_trips_and_rejects_unknown_values() {
    let text = r#"{"schema_version": 1, "look_through": "world", "lines": []}"#;
    let raw = RawPortfolio::from_json(text).unwrap();
    let portfolio = raw.validate(embedded()).unwrap();
    assert_eq!(portfolio.look_through, LookThroughBasis::World);
    assert_eq!(portfolio.to_raw().look_through.as_deref(), Some("world"));
    // The share link and the stored entry carry it.
    let link = chokepoint::portfolio::share::encode(&raw);
    let back = chokepoint::portfolio::share::decode(&link).unwrap();
    assert_eq!(back.look_through.as_deref(), Some("world"));
    // Absent (old files): trade, and not written back.
    let old = Portfolio::from_json(r#"{"schema_version": 1, "lines": []}"#, embedded()).unwrap();
    assert_eq!(old.look_through, LookThroughBasis::Trade);
    assert_eq!(old.to_raw().look_through, None);
    // An unknown value is an error on the field, the value kept in the raw portfolio.
    let bad = r#"{"schema_version": 1, "look_through": "tarde", "lines": []}"#;
    match Portfolio::from_json(bad, embedded()) {
        Err(PortfolioError::Invalid(errors)) => {
            assert_eq!(errors[0].field, Field::LookThrough);
            assert_eq!(
                errors[0].problem,
                Problem::UnknownLookThrough("tarde".into())
            );
            assert!(errors[0].to_string().contains("tarde"), "{}", errors[0]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        RawPortfolio::from_json(bad)
            .unwrap()
            .look_through
            .as_deref(),
        Some("tarde")
    );
}

#[test]
fn the_bounded_reader_knows_the_look_through_field() {
    use chokepoint::portfolio::limits::{MAX_ID_CHARS, Shape, check_json};
    let ok = r#"{"schema_version": 1, "look_through": "world", "lines": []}"#;
    assert_eq!(check_json(ok, Shape::Portfolio), Ok(()));
    // A short value like an identifier: a long one is refused, naming the field.
    let long = format!(
        r#"{{"schema_version": 1, "look_through": "{}", "lines": []}}"#,
        "w".repeat(MAX_ID_CHARS + 1)
    );
    let error = check_json(&long, Shape::Portfolio).unwrap_err();
    assert_eq!(error.field, "look_through");
}
