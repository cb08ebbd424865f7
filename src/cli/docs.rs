//! What the command says of itself for shells and `man`: completion scripts
//! (`clap_complete`) and the manual page (`clap_mangen`), both made from the same clap
//! definitions as `--help`, so they cannot drift from it.

use std::io::Write;

use clap::{Args, CommandFactory};
use clap_complete::Shell;
use velum::Error;

use super::{Cli, exit};

#[derive(Args)]
pub(crate) struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Prints the completion script for the shell asked for.
pub(crate) fn completions(a: &CompletionsArgs) -> Result<u8, Error> {
    let mut out = Vec::new();
    clap_complete::generate(a.shell, &mut Cli::command(), "velum", &mut out);
    std::io::stdout().write_all(&out).map_err(Error::output)?;
    Ok(exit::OK)
}

/// Prints the manual page (roff), one section per command.
pub(crate) fn man() -> Result<u8, Error> {
    let mut out = Vec::new();
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut out)
        .map_err(Error::output)?;
    // The subcommands in the same page, each under its own heading.
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        writeln!(out, ".SH \"VELUM {}\"", sub.get_name().to_uppercase()).map_err(Error::output)?;
        clap_mangen::Man::new(sub.clone())
            .render_description_section(&mut out)
            .and_then(|()| clap_mangen::Man::new(sub.clone()).render_options_section(&mut out))
            .map_err(Error::output)?;
    }
    std::io::stdout().write_all(&out).map_err(Error::output)?;
    Ok(exit::OK)
}
