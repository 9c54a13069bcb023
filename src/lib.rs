//! claimscrub checks therapy claims (CPT 97530) before they reach a payer.
//!
//! The pipeline, in one paragraph: `input` sniffs each file and streams it
//! (an 837P through our own tokenizer and loop state machine, or a CSV
//! export) into `model::Claim`s, with findings about the file itself (the X
//! rules); `pipeline` hands batches of claims to rayon, where the `rules`
//! registry checks each claim under its payer `policy`; the engine settles
//! severities, and `report` writes the findings in input order (CSV, JSON
//! lines, or a readable listing) with a summary whose accounting always
//! holds: claims read = clean + rejected.

pub mod alloc;
pub mod cli;
pub mod finding;
pub mod gen;
pub mod input;
pub mod model;
pub mod pipeline;
pub mod policy;
pub mod report;
pub mod rules;
pub mod scratch;
pub mod units;
