//! A value init settled on, and the evidence for it: the file and line it was read from, a
//! guess with its reason, or the command line.

use std::fmt;

/// Where a finding comes from: a file, and the line when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub file: String,
    pub line: Option<usize>,
    pub note: String,
}

impl Evidence {
    pub fn file(file: &str, note: impl Into<String>) -> Self {
        Evidence {
            file: file.into(),
            line: None,
            note: note.into(),
        }
    }
    pub fn line(file: &str, line: usize, note: impl Into<String>) -> Self {
        Evidence {
            file: file.into(),
            line: Some(line),
            note: note.into(),
        }
    }
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file)?,
            None => write!(f, "{}", self.file)?,
        }
        if !self.note.is_empty() {
            write!(f, " ({})", self.note)?;
        }
        Ok(())
    }
}

/// A value init settled on, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding<T> {
    pub value: T,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// read from the project's files
    Found(Vec<Evidence>),
    /// nothing said; this is the convention or dslim's default
    Guessed(String),
    /// given on the command line
    Given,
}

impl<T> Finding<T> {
    pub fn found(value: T, evidence: Evidence) -> Self {
        Finding {
            value,
            source: Source::Found(vec![evidence]),
        }
    }
    pub fn guessed(value: T, why: impl Into<String>) -> Self {
        Finding {
            value,
            source: Source::Guessed(why.into()),
        }
    }
    pub fn is_guess(&self) -> bool {
        matches!(self.source, Source::Guessed(_))
    }

    pub fn given(value: T) -> Self {
        Finding {
            value,
            source: Source::Given,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Found(evidence) => {
                let parts: Vec<String> = evidence.iter().map(|e| e.to_string()).collect();
                write!(f, "from {}", parts.join(", "))
            }
            Source::Guessed(why) => write!(f, "guess: {why}"),
            Source::Given => write!(f, "given on the command line"),
        }
    }
}
