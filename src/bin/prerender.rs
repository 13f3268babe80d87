//! Prints the app's first screen for a first visit as HTML (`chokepoint::app::prerender`), for
//! the post-build hook to put into `index.html`.
//!
//!     prerender YYYY-MM-DD

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let date = match args.as_slice() {
        [date] if chokepoint::analysis::policy::Date::parse(date).is_ok() => date,
        _ => {
            eprintln!("usage: prerender YYYY-MM-DD");
            return std::process::ExitCode::from(2);
        }
    };
    print!("{}", chokepoint::app::prerender::first_screen(date));
    std::process::ExitCode::SUCCESS
}

/// Not a browser bundle: nothing to do in WebAssembly.
#[cfg(target_arch = "wasm32")]
fn main() {}
