//! Entry point. In the browser it mounts the app; natively it is the command line.

#[cfg(target_arch = "wasm32")]
fn main() {
    chokepoint::app::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    chokepoint::cli::main(&args)
}
