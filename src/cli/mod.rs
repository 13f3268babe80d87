//! The command-line front end: the same core, for analysts, batch jobs and reproducible results.

mod eu_sr;

use std::process::ExitCode;

const HELP: &str = "chokepoint: critical-minerals exposure calculator (command line)

USAGE:
    chokepoint <COMMAND> [ARGS]

COMMANDS:
    help    Print this help
";

/// Runs the command line with `args` (without the program name) and returns the exit code.
pub fn main(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        None | Some("help" | "--help" | "-h") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("chokepoint: unknown command `{other}`; see `chokepoint --help`");
            ExitCode::from(2)
        }
    }
}
