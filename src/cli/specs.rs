//! The arguments of the commands that read spec files: `render`, `validate`, `plan`, and the
//! file and selection arguments they share with `create`, `update` and `remove`.

use std::path::PathBuf;

use clap::Args;

/// Which groups of a spec a command acts on.
#[derive(Debug, Clone, Default, Args)]
pub struct Selection {
    /// Only this service (repeatable or comma-separated).
    #[arg(short = 's', long = "service", value_delimiter = ',')]
    pub services: Vec<String>,
    /// Only groups having every label given (repeatable or comma-separated; `!label` excludes).
    #[arg(short = 'l', long = "label", value_delimiter = ',', allow_hyphen_values = true)]
    pub labels: Vec<String>,
}

/// The spec files a command reads: `FILE`, or `-f FILE` repeated; `-` is standard input.
#[derive(Debug, Clone, Default, Args)]
#[group(id = "spec_files", required = true, multiple = true)]
pub struct SpecFiles {
    /// The spec file (TOML); `-` reads it from standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// A spec file, repeatable (their groups are acted on together); `-` is standard input.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl SpecFiles {
    /// Every file given, the positional one first.
    pub fn paths(&self) -> Vec<PathBuf> {
        self.file.iter().chain(&self.files).cloned().collect()
    }
}

/// `theseus render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
}

/// `theseus validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
}

/// `theseus plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The spec file(s).
    #[command(flatten)]
    pub files: SpecFiles,
    /// Which groups.
    #[command(flatten)]
    pub selection: Selection,
    /// Exit 10 when changes are pending, 0 when there are none (for CI).
    #[arg(long)]
    pub exit_code: bool,
}
