//! The `velum` command line: parse arguments, build a `Redactor`, call the library, map errors
//! to DESIGN.md's exit codes (0 ok, 1 findings with `--fail-on-findings`, 2 usage or
//! configuration, 3 I/O or runtime failure). A closed stdout is a quiet end with exit 0.

mod cli;

fn main() -> std::process::ExitCode {
    // A panic message could quote data from deep inside a dependency: say only where it was.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("velum: internal error{at}");
    }));
    cli::main()
}
