//! The size limits on a portfolio that comes in (issue #16): the hostile share link of the
//! issue, refused on every path a portfolio takes; each limit exactly reached and passed by one;
//! the bounded reader over arbitrary JSON.

use chokepoint::api::{ApiError, AssessOptions, assess_portfolio};
use chokepoint::portfolio::limits::{
    Limit, MAX_COUNTRY_SHARES, MAX_DEPTH, MAX_GROUP_MEMBERS, MAX_GROUPS, MAX_ID_CHARS, MAX_LINES,
    MAX_MIX_COUNTRIES, MAX_STAGE_ENTRIES, MAX_TEXT_CHARS, MAX_UNKNOWN_FIELDS, MAX_UNKNOWN_VALUES,
    Shape, check_json, check_portfolio,
};
use chokepoint::portfolio::schema::{DocumentError, import_json};
use chokepoint::portfolio::share::{MAX_INFLATED, MAX_LINK_PAYLOAD, ShareError, decode};
use chokepoint::portfolio::storage::{StorageError, read_entry};
use chokepoint::portfolio::{Location, Portfolio, PortfolioError, Problem, RawGroup, RawPortfolio};
use proptest::prelude::*;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Lines of the issue's payload: `{},` 1,398,087 times and a last `{}`.
const HOSTILE_LINES: usize = 1_398_088;

/// The issue's payload: `'{"schema_version":1,"lines":[' + '{},' x 1,398,087 + '{}]}'`.
fn hostile_json() -> String {
    let mut text = String::with_capacity(4 << 20);
    text.push_str(r#"{"schema_version":1,"lines":["#);
    for _ in 1..HOSTILE_LINES {
        text.push_str("{},");
    }
    text.push_str("{}]}");
    text
}

/// A share link payload of `json`, written as `share::encode` writes one.
fn link_of(json: &str) -> String {
    use base64::Engine;
    let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9);
    format!(
        "v1.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed)
    )
}

/// The refusal every path must give for the hostile payload.
fn assert_lines_refusal(error: &chokepoint::portfolio::limits::LimitError) {
    assert_eq!(error.limit, Limit::Lines);
    assert_eq!(error.found, HOSTILE_LINES);
    assert_eq!(error.location, Location::Document);
    assert_eq!(error.field, "lines");
}

/// Generous, for a loaded machine: refusing the issue's payload is one pass over its 4 MB (about
/// 0.5 s in a test build, most of it counting the lines past the limit). Before the fix the test
/// build decoded it in 1.3 s into 1.4 million lines, and validating them took 1.8 s more (4.2
/// million messages), before the page built an editor row for each.
const QUICK: Duration = Duration::from_secs(3);

/// Issue #16: a 5,494-character share link inflated to 1.4 million lines and froze the tab. It
/// is refused while its JSON is walked, before anything is built, with a message naming the limit.
#[test]
fn regression_16_hostile_share_link_is_refused_quickly_naming_the_line_limit() {
    let json = hostile_json();
    assert!(json.len() <= MAX_INFLATED, "{} bytes", json.len());
    let link = link_of(&json);
    assert!(link.len() <= MAX_LINK_PAYLOAD, "{} characters", link.len());
    let started = Instant::now();
    let result = decode(&link);
    let elapsed = started.elapsed();
    let Err(ShareError::Portfolio(DocumentError::TooLarge(error))) = &result else {
        panic!(
            "expected the line limit, got {:?}",
            result.map(|p| p.lines.len())
        );
    };
    assert_lines_refusal(error);
    let message = result.unwrap_err().to_string();
    assert_eq!(
        message,
        "this link's portfolio: the portfolio is too large to open: portfolio, lines: \
         1\u{202f}398\u{202f}088 lines, over the limit of 5\u{202f}000"
    );
    assert!(elapsed < QUICK, "took {elapsed:?}");
    // What the app shows, and it loads nothing (so the autosave keeps the user's portfolio).
    let shown = chokepoint::app::read_shared_link(&link)
        .expect_err("refused")
        .to_string();
    assert!(shown.contains("over the limit of 5\u{202f}000"), "{shown}");
    assert!(shown.contains("Your portfolio is unchanged"), "{shown}");
}

#[test]
fn regression_16_hostile_portfolio_as_a_json_file_is_refused() {
    let json = hostile_json();
    let started = Instant::now();
    // Opened in the app.
    let Err(DocumentError::TooLarge(error)) = import_json(&json) else {
        panic!("expected the line limit");
    };
    assert_lines_refusal(&error);
    // Read by the command line.
    let reference = chokepoint::reference::embedded();
    let Err(PortfolioError::TooLarge(error)) = Portfolio::from_json(&json, reference) else {
        panic!("expected the line limit");
    };
    assert_lines_refusal(&error);
    // Given to the JavaScript API.
    match assess_portfolio(&json, &AssessOptions::default(), reference) {
        Err(ApiError::TooLarge { message, error }) => {
            assert_lines_refusal(&error);
            assert!(
                message.contains("over the limit of 5\u{202f}000"),
                "{message}"
            );
        }
        other => panic!("expected the line limit, got {:?}", other.map(|_| ())),
    }
    assert!(
        started.elapsed() < QUICK * 3,
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn regression_16_hostile_portfolio_in_storage_is_refused() {
    let json = hostile_json();
    let envelope = format!(r#"{{"storage_version":1,"portfolio":{json}}}"#);
    for (what, text) in [("envelope", envelope.as_str()), ("bare", json.as_str())] {
        let started = Instant::now();
        let Err(StorageError::Portfolio(DocumentError::TooLarge(error))) = read_entry(text) else {
            panic!("{what}: expected the line limit");
        };
        assert_lines_refusal(&error);
        assert!(
            started.elapsed() < QUICK,
            "{what} took {:?}",
            started.elapsed()
        );
    }
}

/// A document whose only large part is `n` of what `limit` counts, and the field the refusal
/// names.
fn document(limit: Limit, n: usize) -> (String, &'static str) {
    let join = |items: Vec<String>| items.join(",");
    let text = match limit {
        Limit::Lines => format!(
            r#"{{"schema_version":1,"lines":[{}]}}"#,
            vec!["{}"; n].join(",")
        ),
        Limit::Groups => format!(
            r#"{{"schema_version":1,"groups":[{}]}}"#,
            join((0..n).map(|i| format!(r#"{{"id":"g{i}"}}"#)).collect())
        ),
        Limit::GroupMembers => format!(
            r#"{{"schema_version":1,"groups":[{{"id":"g","members":[{}]}}]}}"#,
            vec![r#""CHN""#; n].join(",")
        ),
        Limit::MixCountries => format!(
            r#"{{"schema_version":1,"lines":[{{"sourcing":{{"refining":{{{}}}}}}}]}}"#,
            join((0..n).map(|i| format!(r#""C{i}":1"#)).collect())
        ),
        Limit::StageEntries => format!(
            r#"{{"schema_version":1,"lines":[{{"sourcing":{{{}}}}}]}}"#,
            join((0..n).map(|i| format!(r#""s{i}":"unknown""#)).collect())
        ),
        Limit::CountryShares => {
            // Full mixes of MAX_MIX_COUNTRIES, then the rest.
            let mix = |k: usize| {
                format!(
                    r#"{{"sourcing":{{"mining":{{{}}}}}}}"#,
                    join((0..k).map(|i| format!(r#""C{i}":1"#)).collect())
                )
            };
            let mut lines = vec![mix(MAX_MIX_COUNTRIES); n / MAX_MIX_COUNTRIES];
            if !n.is_multiple_of(MAX_MIX_COUNTRIES) {
                lines.push(mix(n % MAX_MIX_COUNTRIES));
            }
            format!(r#"{{"schema_version":1,"lines":[{}]}}"#, lines.join(","))
        }
        Limit::TextChars => format!(r#"{{"schema_version":1,"name":"{}"}}"#, "é".repeat(n)),
        Limit::IdChars => format!(
            r#"{{"schema_version":1,"lines":[{{"material":"{}"}}]}}"#,
            "m".repeat(n)
        ),
        Limit::UnknownFields => format!(
            r#"{{"schema_version":1,{}}}"#,
            join((0..n).map(|i| format!(r#""x{i}":1"#)).collect())
        ),
        // The array counts as one value.
        Limit::UnknownValues => format!(
            r#"{{"schema_version":1,"x":[{}]}}"#,
            vec!["0"; n - 1].join(",")
        ),
        // The portfolio is level 1: its field holds n - 1 nested arrays.
        Limit::Depth => format!(
            r#"{{"schema_version":1,"x":{}{}}}"#,
            "[".repeat(n - 1),
            "]".repeat(n - 1)
        ),
    };
    let field = match limit {
        Limit::Lines => "lines",
        Limit::Groups => "groups",
        Limit::GroupMembers => "members",
        Limit::MixCountries => "sourcing.refining",
        Limit::StageEntries | Limit::CountryShares => "sourcing",
        Limit::TextChars => "name",
        Limit::IdChars => "material",
        Limit::UnknownFields => "the document",
        Limit::UnknownValues | Limit::Depth => "x",
    };
    (text, field)
}

const ALL_LIMITS: [Limit; 11] = [
    Limit::Lines,
    Limit::Groups,
    Limit::GroupMembers,
    Limit::MixCountries,
    Limit::StageEntries,
    Limit::CountryShares,
    Limit::TextChars,
    Limit::IdChars,
    Limit::UnknownFields,
    Limit::UnknownValues,
    Limit::Depth,
];

#[test]
fn a_portfolio_exactly_at_each_limit_is_accepted_and_one_more_is_refused() {
    let expected_max = [
        MAX_LINES,
        MAX_GROUPS,
        MAX_GROUP_MEMBERS,
        MAX_MIX_COUNTRIES,
        MAX_STAGE_ENTRIES,
        MAX_COUNTRY_SHARES,
        MAX_TEXT_CHARS,
        MAX_ID_CHARS,
        MAX_UNKNOWN_FIELDS,
        MAX_UNKNOWN_VALUES,
        MAX_DEPTH,
    ];
    for (limit, max) in ALL_LIMITS.into_iter().zip(expected_max) {
        assert_eq!(limit.max(), max);
        // At the limit: read by every reader, and the typed check agrees.
        let (text, field) = document(limit, max);
        let raw = import_json(&text).unwrap_or_else(|e| panic!("{limit:?} at {max}: {e}"));
        assert_eq!(check_portfolio(&raw), Ok(()), "{limit:?}");
        let stored = format!(r#"{{"storage_version":1,"portfolio":{text}}}"#);
        assert_eq!(read_entry(&stored), Ok(raw), "{limit:?}");
        // One more: refused by every reader, naming the limit, the field and the value found.
        let (text, _) = document(limit, max + 1);
        let Err(DocumentError::TooLarge(error)) = import_json(&text) else {
            panic!("{limit:?} at {}: not refused", max + 1);
        };
        assert_eq!((error.limit, error.found), (limit, max + 1), "{error}");
        assert_eq!(error.field, field, "{error}");
        let message = error.to_string();
        assert!(
            message.contains(&format!("over the limit of {}", thousands(max))),
            "{message}"
        );
        let stored = format!(r#"{{"storage_version":1,"portfolio":{text}}}"#);
        assert_eq!(
            read_entry(&stored),
            Err(StorageError::Portfolio(DocumentError::TooLarge(
                error.clone()
            ))),
            "{limit:?}"
        );
        // The typed check of the same portfolio (read without limits) refuses it too.
        let unbounded = RawPortfolio::from_json(&text).expect("well-formed");
        let typed = check_portfolio(&unbounded).expect_err("refused");
        assert_eq!((typed.limit, typed.found), (limit, max + 1), "{typed}");
    }
}

/// `n` grouped by narrow no-break spaces, as `chokepoint::text::format` groups it.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

#[test]
fn limits_are_named_where_they_are_passed() {
    let text = format!(
        r#"{{"schema_version":1,"lines":[{{}},{{"label":"{}"}}]}}"#,
        "x".repeat(MAX_TEXT_CHARS + 1)
    );
    let error = check_json(&text, Shape::Portfolio).expect_err("long label");
    assert_eq!(
        error.to_string(),
        "line 2, label: 1\u{202f}001 characters, over the limit of 1\u{202f}000"
    );
    let text = format!(
        r#"{{"schema_version":1,"groups":[{{"id":"a"}},{{"id":"b","members":[{}]}}]}}"#,
        vec![r#""JPN""#; MAX_GROUP_MEMBERS + 1].join(",")
    );
    let error = check_json(&text, Shape::Portfolio).expect_err("many members");
    assert_eq!(
        error.to_string(),
        "group 2, members: 301 members, over the limit of 300"
    );
    let key = "k".repeat(MAX_ID_CHARS + 1);
    let error = check_json(
        &format!(r#"{{"schema_version":1,"{key}":1}}"#),
        Shape::Portfolio,
    )
    .expect_err("long key");
    assert_eq!(error.limit, Limit::IdChars);
    assert_eq!(error.found, MAX_ID_CHARS + 1);
    // Malformed JSON is left to the parser, which names the position.
    assert_eq!(check_json("{\"lines\": [", Shape::Portfolio), Ok(()));
    assert!(matches!(
        import_json("{\"lines\": ["),
        Err(DocumentError::Parse(_))
    ));
}

/// Duplicate group ids are still found among the most groups a portfolio may have (the check is
/// a set look-up per group, not a scan of the groups before it).
#[test]
fn duplicate_groups_are_found_among_the_most_groups() {
    let reference = chokepoint::reference::embedded();
    let groups: Vec<RawGroup> = (0..MAX_GROUPS)
        .map(|i| RawGroup {
            id: Some(format!("g{}", i % (MAX_GROUPS / 2))),
            members: vec!["CHN".into(), "chn".into()],
            ..RawGroup::default()
        })
        .collect();
    let raw = RawPortfolio {
        schema_version: Some(chokepoint::portfolio::RawNumber::Number(1.0)),
        groups,
        ..RawPortfolio::default()
    };
    let errors = raw.validate(reference).expect_err("duplicates");
    let duplicate_groups = errors
        .iter()
        .filter(|e| matches!(e.problem, Problem::DuplicateGroup(_)))
        .count();
    let duplicate_members = errors
        .iter()
        .filter(|e| matches!(e.problem, Problem::DuplicateCountry(_)))
        .count();
    assert_eq!(duplicate_groups, MAX_GROUPS / 2);
    assert_eq!(duplicate_members, MAX_GROUPS);
}

/// Arbitrary JSON, nested up to 20 levels (past [`MAX_DEPTH`]).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
        Just(Value::from("x".repeat(MAX_TEXT_CHARS + 1))),
    ];
    leaf.prop_recursive(20, 256, 8, |inner| {
        let key = prop_oneof![
            Just("schema_version".to_string()),
            Just("storage_version".to_string()),
            Just("portfolio".to_string()),
            Just("name".to_string()),
            Just("spend_unit".to_string()),
            Just("look_through".to_string()),
            Just("groups".to_string()),
            Just("members".to_string()),
            Just("id".to_string()),
            Just("lines".to_string()),
            Just("material".to_string()),
            Just("label".to_string()),
            Just("spend".to_string()),
            Just("sourcing".to_string()),
            Just("refining".to_string()),
            Just("CHN".to_string()),
            ".{0,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..8)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The bounded reader never panics on any JSON, on any shape, and it agrees with the typed
    /// check of whatever portfolio the document reads as.
    #[test]
    fn bounded_reader_never_panics_on_arbitrary_json(value in json_value()) {
        let reference = chokepoint::reference::embedded();
        let text = value.to_string();
        let checked = check_json(&text, Shape::Portfolio);
        let _ = check_json(&text, Shape::StorageEntry);
        let _ = import_json(&text);
        let _ = read_entry(&text);
        let _ = Portfolio::from_json(&text, reference);
        let _ = assess_portfolio(&text, &AssessOptions::default(), reference);
        let _ = decode(&link_of(&text));
        // Truncated text too.
        let cut = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
        let _ = check_json(&text[..cut], Shape::Portfolio);
        let _ = import_json(&text[..cut]);
        if checked.is_ok()
            && let Ok(raw) = RawPortfolio::from_json(&text)
        {
            prop_assert_eq!(check_portfolio(&raw), Ok(()));
        }
    }

    /// Wrapped in as many arrays or objects as it likes, a document is refused at the nesting
    /// limit, never recursing further.
    #[test]
    fn deep_nesting_is_refused_at_the_limit(depth in 1usize..400, object in any::<bool>()) {
        let (open, close) = if object { (r#"{"a":"#, "}") } else { ("[", "]") };
        let text = format!(r#"{{"schema_version":1,"x":{}1{}}}"#, open.repeat(depth), close.repeat(depth));
        let result = check_json(&text, Shape::Portfolio);
        if depth < MAX_DEPTH {
            prop_assert_eq!(result, Ok(()));
        } else {
            let error = result.expect_err("too deep");
            prop_assert_eq!((error.limit, error.found), (Limit::Depth, MAX_DEPTH + 1));
        }
    }
}
