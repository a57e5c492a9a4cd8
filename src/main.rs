use clap::Parser;

use dslim::console::{say, stderr_is_terminal};

fn main() {
    let cli = dslim::cli::Cli::parse();
    let result =
        dslim::stacks::Catalog::builtin().and_then(|catalog| dslim::cli::run(catalog, cli));
    if let Err(error) = result {
        if !error.is_silent() {
            say(&dslim::error::report(&error, stderr_is_terminal()));
        }
        std::process::exit(error.exit_code());
    }
}
