//! Code a library generates from the project's schema at build time (Prisma's client): for
//! `dslim init`, a build step that generates it in the build stage, before the build, and the
//! folder it writes among what the final image takes from there.

use camino::Utf8Path;
use serde::Deserialize;

use crate::detect::{BuildStep, Detection, Evidence, Finding};
use crate::error::Warning;
use crate::project::Project;
use crate::template::Pattern;

/// A library whose code a command generates from the project's schema.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Codegen {
    /// the dependency that needs the generated code
    dependency: String,
    /// package.json's field naming the schema (a JSON pointer)
    schema_pointer: Option<String>,
    /// where the schema is otherwise, in the order looked for
    schemas: Vec<String>,
    command: Vec<String>,
    /// how the command is told a schema that is not the first of `schemas`
    schema_flag: String,
    /// the folder it writes, from the app's, unless the schema says otherwise
    generated: String,
    /// in the schema, the folder it writes, from the schema's: group 1
    output: Pattern,
    /// in the schema, a variable it reads at run time (the database's URL): group 1
    env: Pattern,
}

/// The build steps and copied folders of each generator the app's dependencies need.
pub fn detect(
    codegen: &[Codegen],
    project: &Project,
    package: &serde_json::Value,
    dependencies: &[String],
    d: &mut Detection,
) {
    for gen in codegen
        .iter()
        .filter(|g| dependencies.contains(&g.dependency))
    {
        let named = (gen.schema_pointer.as_deref())
            .and_then(|pointer| package.pointer(pointer)?.as_str())
            .map(|s| s.trim_start_matches("./").to_string());
        let Some(schema) =
            named.or_else(|| gen.schemas.iter().find(|s| project.exists(s)).cloned())
        else {
            continue;
        };
        // what the schema reads at run time is the app's to be given
        for (i, line) in project
            .read(&schema)
            .unwrap_or_default()
            .lines()
            .enumerate()
        {
            for name in gen.env.0.captures_iter(line).filter_map(|c| c.get(1)) {
                if !d.required_env.iter().any(|(n, _)| n == name.as_str()) {
                    let evidence = Evidence::line(&schema, i + 1, "");
                    d.required_env.push((name.as_str().to_string(), evidence));
                }
            }
        }
        let Some(build) = d.build.as_mut() else {
            d.warnings.push(Warning::GeneratedWithoutBuild {
                dependency: gen.dependency.clone(),
                schema,
                command: gen.command.join(" "),
            });
            continue;
        };
        let mut argv = gen.command.clone();
        if gen.schemas.first() != Some(&schema) {
            argv.extend([gen.schema_flag.clone(), schema.clone()]);
        }
        // the generator's own output, else the library's default folder
        let own = project.find_any(std::slice::from_ref(&schema), [&gen.output.0]);
        let generated = own
            .as_ref()
            .and_then(|(_, _, output)| {
                let folder = Utf8Path::new(&schema).parent().unwrap_or(Utf8Path::new(""));
                crate::project::within(folder, output)
            })
            .unwrap_or_else(|| gen.generated.clone());
        if !build.value.also.contains(&generated) {
            build.value.also.push(generated);
        }
        let evidence = match &own {
            Some((file, line, _)) => Evidence::line(file, *line, "the generated client's folder"),
            None => Evidence::file(
                &schema,
                format!(
                    "{} generates its client from it, before the build",
                    gen.dependency
                ),
            ),
        };
        d.build_steps
            .push(Finding::found(BuildStep { argv, env: vec![] }, evidence));
    }
}
