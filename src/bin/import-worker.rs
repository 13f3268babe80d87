//! The import Web Worker's entry point (built by Trunk as a worker, loaded on the first import;
//! browser only).

#[cfg(target_arch = "wasm32")]
fn main() {
    chokepoint::app::import_worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("import-worker runs in the browser as a Web Worker");
    std::process::exit(2);
}
