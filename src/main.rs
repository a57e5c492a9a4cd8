use clap::Parser;

fn main() {
    let cli = dslim::cli::Cli::parse();
    if let Err(error) = dslim::cli::run(cli) {
        let code = error.exit_code();
        eprint!(
            "{}",
            dslim::report(&error, std::io::IsTerminal::is_terminal(&std::io::stderr()))
        );
        std::process::exit(code);
    }
}
