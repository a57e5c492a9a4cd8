//! What dslim prints. Standard output carries data (plans, reports, scripts): a reader that
//! went away (`dslim plan | head`) ends the run quietly, as ripgrep does. Standard error carries
//! messages for people: when nobody reads it any more, there is no one left to tell, so a
//! failed write is dropped. Neither ever panics, as `println!` would.

use std::io::Write;

use crate::error::Error;

/// Writes data to standard output.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|source| Error::Output { source })
}

/// Writes a message to standard error.
pub fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Whether messages go to a terminal (and may be coloured).
pub fn stderr_is_terminal() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr())
}
