//! `dslim plan`: the build plan as data, or the files it would write; writes nothing.

use camino::Utf8PathBuf;
use clap::ValueEnum;

use super::print;
use crate::compile::compile_file;
use crate::error::Error;
use crate::stacks::Catalog;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recipe, or the folder holding dslim.kdl
    #[arg(default_value = ".")]
    pub recipe: Utf8PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    /// the plan as data
    Json,
    /// the files that would be written
    Files,
}

pub fn run(catalog: &Catalog, args: &Args) -> Result<(), Error> {
    let compiled = compile_file(catalog, &args.recipe)?;
    match args.format {
        Format::Json => {
            let value = serde_json::json!({ "app": compiled.app, "plan": compiled.plan });
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            ))
        }
        Format::Files => {
            for (path, contents) in compiled.generated_files() {
                print(&format!("==> {path} <==\n{contents}\n"))?;
            }
            Ok(())
        }
    }
}
