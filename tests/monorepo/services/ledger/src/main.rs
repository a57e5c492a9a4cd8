//! The shop's ledger: answers every request with the day's total, over plain HTTP/1.0.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

fn answer(mut stream: TcpStream) -> std::io::Result<()> {
    let mut request = [0u8; 1024];
    let _ = stream.read(&mut request)?;
    let body = format!(
        "{{\"service\":\"ledger\",\"total\":\"{}\"}}",
        money::euros(4200)
    );
    write!(
        stream,
        "HTTP/1.0 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:8090")?;
    // One client hanging up early (a health probe, a port scan) must not stop the server.
    for stream in listener.incoming() {
        if let Err(e) = stream.and_then(answer) {
            eprintln!("request failed: {e}");
        }
    }
    Ok(())
}
