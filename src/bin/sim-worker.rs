//! The simulation Web Worker's entry point (built by Trunk as a worker; browser only).

#[cfg(target_arch = "wasm32")]
fn main() {
    chokepoint::app::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "sim-worker runs in the browser as a Web Worker; natively, use `chokepoint simulate`"
    );
    std::process::exit(2);
}
