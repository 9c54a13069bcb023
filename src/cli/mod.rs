//! The command line: one module per subcommand. Errors here are fatal
//! (tier 1): the cause is printed and the process exits 2.

mod check;
mod gen;
mod rules;
mod units;

use clap::{Parser, Subcommand};

/// Exit codes.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_REJECTED: i32 = 1;
pub const EXIT_FAILED: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "claimscrub",
    version,
    about = "Scrub therapy claims (CPT 97530) in X12 837P or CSV before they reach a payer",
    after_help = "Exit codes: 0 no claim rejected, 1 some claim rejected (or the input has errors), 2 could not run."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: the size of the `check` variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
enum Command {
    /// Check claims and report every finding.
    Check(check::Args),
    /// List every rule: code, default severity, title.
    Rules,
    /// Explain a rule: what it checks, why, a failing and a passing example, its source.
    Explain {
        /// A rule code, e.g. T001.
        code: String,
    },
    /// Print the embedded default payer policy (TOML), to copy and edit.
    Config {
        /// Print the documentation lexicon of the N rules instead; extend it
        /// with a `[lexicon]` table in the policy file.
        #[arg(long)]
        lexicon: bool,
    },
    /// The 8-minute rule calculator: units and allocation for one visit's minutes.
    Units(units::Args),
    /// Generate a synthetic 837P (or CSV) batch with a known share of defects.
    Gen(gen::Args),
}

/// Run the command line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_FAILED
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Rules => rules::list(),
        Command::Explain { code } => rules::explain(&code),
        Command::Config { lexicon } => {
            if lexicon {
                print!("{}", crate::policy::lexicon::DEFAULT_LEXICON);
            } else {
                print!("{}", crate::policy::DEFAULT_TOML);
            }
            Ok(EXIT_CLEAN)
        }
        Command::Gen(a) => gen::run(a),
        Command::Units(a) => units::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if is_broken_pipe(&*e) {
                return EXIT_CLEAN;
            }
            eprintln!("claimscrub: error: {e}");
            let mut src = e.source();
            while let Some(s) = src {
                eprintln!("  caused by: {s}");
                src = s.source();
            }
            EXIT_FAILED
        }
    }
}

fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return true;
            }
        }
        if let Some(crate::pipeline::RunError::Write(io)) =
            err.downcast_ref::<crate::pipeline::RunError>()
        {
            if io.kind() == std::io::ErrorKind::BrokenPipe {
                return true;
            }
        }
        cur = err.source();
    }
    false
}

pub(crate) type CliResult = Result<i32, Box<dyn std::error::Error>>;
