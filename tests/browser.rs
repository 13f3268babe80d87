//! Browser tests: the app mounted in headless Chromium (wasm-bindgen-test), driven by real DOM
//! events. Run with `cargo test --target wasm32-unknown-unknown --test browser`.
#![cfg(target_arch = "wasm32")]

use chokepoint::app::App;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement};
use yew::AppHandle;

wasm_bindgen_test_configure!(run_in_browser);

/// The Monte Carlo golden run, shared with the native test (`tests/it/golden.rs`).
#[path = "golden/monte_carlo.rs"]
mod golden;

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

thread_local! {
    /// The app the previous test mounted, destroyed before the next one mounts.
    static MOUNTED: RefCell<Option<(AppHandle<App>, Element)>> = const { RefCell::new(None) };
}

/// Mounts the app into a fresh element and renders it, as a first visit, with what it draws in
/// the next task (below the first screen) drawn too; see [`first_task`].
async fn mount() -> Element {
    let root = first_task().await;
    // The parts below the first screen are drawn a few per task after it (src/app/later.rs),
    // the editor's lines last: wait until none is left.
    for _ in 0..60 {
        next_task().await;
        let busy = root
            .query_selector(".editor-lines[aria-busy]")
            .expect("selector")
            .is_some();
        if !busy
            && root
                .query_selector(".editor-lines")
                .expect("selector")
                .is_some()
        {
            break;
        }
    }
    root
}

/// Mounts the app as a first visit and runs its first render only: the app a previous test
/// mounted is destroyed and removed, and local storage (autosave, named saves) and the location
/// hash (share links, routes) are cleared, so no test sees another's data and none depends on
/// the order the runner picks.
async fn first_task() -> Element {
    if let Some((handle, root)) = MOUNTED.with(|m| m.borrow_mut().take()) {
        handle.destroy();
        root.remove();
        yew::scheduler::flush().await;
    }
    let window = web_sys::window().expect("a window");
    window
        .local_storage()
        .expect("storage access")
        .expect("local storage")
        .clear()
        .expect("clear local storage");
    window.location().set_hash("").expect("clear the hash");
    // The Calculator page's parts below its first screen (the table, the editor, the share
    // panel) are the pages' part's; this test binary is the whole app, not split: its views are
    // installed as the part installs them once loaded (app::components::part_views).
    chokepoint::app::pages::install_views();
    let root = document().create_element("div").expect("div");
    document()
        .body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    let handle = yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    MOUNTED.with(|m| *m.borrow_mut() = Some((handle, root.clone())));
    root
}

/// Waits for the next task and renders what it scheduled: the parts the app draws after the
/// first screen (`chokepoint::app::later`).
async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .expect("a timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the timer fires");
    yew::scheduler::flush().await;
}

fn text_of(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("{selector} not rendered"))
        .text_content()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_demo_portfolio_renders_results() {
    let root = mount().await;
    let headline = text_of(&root, "[data-testid=headline]");
    assert!(headline.contains("6 materials"), "{headline}");
    assert!(headline.contains("China"), "{headline}");
    let rows = root
        .query_selector_all("[data-testid=material-row]")
        .expect("rows")
        .length();
    assert_eq!(rows, 6);
    root.remove();
}

#[wasm_bindgen_test]
async fn the_start_draws_the_first_screen_first_and_the_rest_a_few_parts_per_task() {
    let root = first_task().await;
    let count = |selector: &str| {
        root.query_selector_all(selector)
            .expect("selector")
            .length()
    };
    assert_eq!(
        count("[data-testid=headline]"),
        1,
        "the answer is in the first task"
    );
    assert_eq!(
        count("[data-testid=answer-chart]"),
        0,
        "its chart is the next step"
    );
    assert_eq!(
        count("[data-testid=line-editor]"),
        0,
        "the editor comes later"
    );
    assert_eq!(
        count("[data-testid=material-row]"),
        0,
        "the table comes later"
    );
    next_task().await;
    assert_eq!(
        count("[data-testid=answer-chart]"),
        1,
        "the first screen's second task"
    );
    assert_eq!(count("[data-testid=material-row]"), 0);
    // Then the table three materials per task, the editor's lines two per task: no task draws
    // more, and every one is drawn in the end.
    let (mut rows, mut lines, mut tasks) = (0, 0, 0);
    while (rows < 6 || lines < 7) && tasks < 40 {
        next_task().await;
        tasks += 1;
        let (now_rows, now_lines) = (
            count("[data-testid=material-row]"),
            count("[data-testid=line-editor]"),
        );
        assert!(
            now_rows - rows <= 3,
            "{} materials in one task",
            now_rows - rows
        );
        assert!(
            now_lines - lines <= 2,
            "{} lines in one task",
            now_lines - lines
        );
        (rows, lines) = (now_rows, now_lines);
    }
    assert_eq!(rows, 6, "every material of the demo");
    assert_eq!(lines, 7, "the demo has 7 lines");
    assert_eq!(
        count(".editor-lines[aria-busy]"),
        0,
        "the editor no longer busy"
    );
    assert!(tasks >= 5, "drawn over {tasks} tasks");
}

#[wasm_bindgen_test]
async fn an_input_event_changes_the_results_and_an_invalid_entry_is_kept_with_a_message() {
    let root = mount().await;
    let before = text_of(&root, "[data-testid=results]");
    // The lithium line buys refined lithium 50 % from Chile, 50 % from China: move it to Chile.
    let shares = root
        .query_selector_all("[data-testid=country-share]")
        .expect("share inputs");
    let lithium_china = shares
        .item(shares.length() - 1)
        .and_then(|node| node.dyn_into::<HtmlInputElement>().ok())
        .expect("a share input");
    lithium_china.set_value("0");
    let event = web_sys::InputEvent::new("input").expect("event");
    lithium_china.dispatch_event(&event).expect("dispatch");
    yew::scheduler::flush().await;
    let after = text_of(&root, "[data-testid=results]");
    assert_ne!(before, after, "results did not change");

    // Text that is not a number stays in the field, with a message next to it.
    lithium_china.set_value("abc");
    lithium_china.dispatch_event(&event).expect("dispatch");
    yew::scheduler::flush().await;
    assert_eq!(lithium_china.value(), "abc");
    let errors = root
        .query_selector_all(".field-error")
        .expect("errors")
        .length();
    assert!(errors > 0, "no error message shown");
    let results = text_of(&root, "[data-testid=results]");
    assert!(results.contains("left out of the results"), "{results}");
    root.remove();
}

#[wasm_bindgen_test]
fn the_crash_panel_offers_a_reload_and_keeps_the_message() {
    chokepoint::app::panic::show_panel("boom at line 3");
    let panel = document()
        .get_element_by_id("crash-panel")
        .expect("panel shown");
    let text = panel.text_content().unwrap_or_default();
    assert!(text.contains("your inputs are kept"), "{text}");
    assert!(text.contains("boom at line 3"), "{text}");
    assert!(panel.query_selector("button").expect("selector").is_some());
    // Issue #16: a way out when the autosave itself crashes the app.
    let start_empty = panel
        .query_selector("[data-testid=crash-start-empty]")
        .expect("selector")
        .expect("a start-empty button");
    assert_eq!(
        start_empty.text_content().as_deref(),
        Some("Start empty, keep my saved data")
    );
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alert"));
    panel.remove();
}

/// Same seed, same numbers, native and wasm: the golden run reproduces the bits recorded natively.
#[wasm_bindgen_test]
fn the_monte_carlo_golden_run_matches_the_native_bits() {
    golden::assert_reproduced();
}

#[wasm_bindgen_test]
fn the_javascript_api_returns_the_native_assessment_as_a_plain_object() {
    use chokepoint::api::{AssessOptions, assess_portfolio, js};
    let json = r#"{"schema_version": 1, "spend_unit": "EUR", "lines": [
        {"material": "gallium", "spend": 1000, "revenue_share_pct": 10,
         "sourcing": {"refining": {"CHN": 80, "JPN": 20}}},
        {"material": "cobalt", "spend": 500, "revenue_share_pct": 30}]}"#;
    let object = js_sys::JSON::parse(json).expect("test JSON parses");
    let result = js::assess(object, wasm_bindgen::JsValue::UNDEFINED).expect("valid portfolio");
    // Without a date the binding checks the rules on the browser's today; the native call is
    // given the same date.
    let today = js_sys::Reflect::get(&result, &"params".into())
        .and_then(|p| js_sys::Reflect::get(&p, &"date".into()))
        .ok()
        .and_then(|d| d.as_string())
        .expect("the binding's date");
    let native = assess_portfolio(
        json,
        &AssessOptions {
            date: Some(today),
            ..AssessOptions::default()
        },
        chokepoint::reference::embedded(),
    )
    .expect("valid portfolio");
    let native = serde_json::to_string(&native).expect("serialises");
    // Both through JavaScript's own JSON writer, so number formatting cannot differ.
    let stringify = |v: &wasm_bindgen::JsValue| {
        js_sys::JSON::stringify(v)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    };
    let native = js_sys::JSON::parse(&native).expect("native JSON parses");
    assert_eq!(stringify(&result), stringify(&native));
    assert!(js_sys::Reflect::get(&result, &"totals".into()).is_ok_and(|t| t.is_object()));

    let bad = js_sys::JSON::parse(r#"{"schema_version": 1, "lines": [{"material": "x", "spend": 1, "revenue_share_pct": 1}]}"#)
        .expect("test JSON parses");
    let error = js::assess(bad, wasm_bindgen::JsValue::UNDEFINED).expect_err("invalid portfolio");
    let details = js_sys::Reflect::get(&error, &"details".into()).expect("details");
    let kind = js_sys::Reflect::get(&details, &"kind".into())
        .ok()
        .and_then(|k| k.as_string());
    assert_eq!(kind.as_deref(), Some("invalid"));
}

/// The Monte Carlo throughput benchmark in the browser's wasm (BENCHMARKS.md): the same work as
/// `cargo bench --bench montecarlo`, timed with `Date.now()` (1 ms), printed. Unoptimised it
/// runs 20,000 trials twice and only checks the runs; for meaningful times run it optimised:
/// `--release` as the simulation worker ships (in the pages' part of the app's module, opt-level "z"), or
/// `--profile worker` (opt-level 3):
/// `cargo test --profile worker --target wasm32-unknown-unknown --test browser monte_carlo_throughput -- --nocapture`.
#[wasm_bindgen_test]
fn monte_carlo_throughput_on_the_demo_portfolio() {
    use chokepoint::analysis::montecarlo::benchmark;
    let (trials, runs) = if cfg!(debug_assertions) {
        (20_000, 2)
    } else {
        (1_000_000, 6)
    };
    let report = benchmark::run(chokepoint::reference::embedded(), trials, runs, || {
        js_sys::Date::now() / 1e3
    })
    .expect("the demo portfolio compiles");
    assert_eq!(report.runs.len(), runs as usize);
    assert!(report.runs.iter().all(|t| t.expected_loss > 0.0));
    for t in &report.runs {
        wasm_bindgen_test::console_log!(
            "seed {}: {trials} trials in {:.3} s (chunks of {}), summary {:.0} ms",
            t.seed,
            t.run_seconds,
            t.chunk,
            t.summary_seconds * 1e3
        );
    }
    wasm_bindgen_test::console_log!("{}", report.table("wasm32 (Chromium)"));
}

/// The planner's benchmark in the browser's wasm (BENCHMARKS.md): every case of
/// `planner::benchmark` on its 200-line portfolio, best of 3 (one run unoptimised, where it only
/// checks that every case plans), printed. Every case must plan some stage. For meaningful times
/// run it on the release profile:
/// `cargo test --release --target wasm32-unknown-unknown --test browser planner -- --nocapture`.
#[wasm_bindgen_test]
fn planner_benchmark_cases_plan_the_200_line_portfolio() {
    use chokepoint::analysis::planner::{benchmark, plan_portfolio};
    let reference = chokepoint::reference::embedded();
    let portfolio = benchmark::portfolio(reference);
    assert_eq!(portfolio.lines.len(), 200);
    for (name, params) in benchmark::cases() {
        let mut best = f64::INFINITY;
        let mut planned = 0;
        let runs = if cfg!(debug_assertions) { 1 } else { 3 };
        for _ in 0..runs {
            let start = js_sys::Date::now();
            let outcomes = plan_portfolio(&portfolio, reference, &params);
            best = best.min(js_sys::Date::now() - start);
            planned = outcomes.iter().filter(|o| o.plan.is_some()).count();
        }
        assert!(planned > 100, "{name}: {planned} stage plans");
        wasm_bindgen_test::console_log!(
            "planner benchmark (wasm) | {name} | {planned} stage plans | best of {runs}: {best:.0} ms"
        );
    }
}
