use clap::Parser;

fn main() {
    let cli = dslim::cli::Cli::parse();
    let result =
        dslim::stacks::Catalog::builtin().and_then(|catalog| dslim::cli::run(catalog, cli));
    if let Err(error) = result {
        if !error.is_silent() {
            eprint!(
                "{}",
                dslim::error::report(&error, std::io::IsTerminal::is_terminal(&std::io::stderr()))
            );
        }
        std::process::exit(error.exit_code());
    }
}
