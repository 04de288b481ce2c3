//! `alerts`, `report`, `export`, `allow` (issue 4).

use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub struct AlertsArgs {}

#[derive(Args)]
pub struct ReportArgs {
    pub alert_id: String,
    /// Platform whose report form to draft for (default: the impostor's platform).
    #[arg(long)]
    pub platform: Option<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    pub alert_id: String,
    pub out: PathBuf,
}

#[derive(Args)]
pub struct AllowArgs {
    pub alert_id: String,
}

pub fn alerts(_args: AlertsArgs) -> i32 {
    super::usage_error("alerts: not built yet (issue 4)")
}

pub fn report(_args: ReportArgs) -> i32 {
    super::usage_error("report: not built yet (issue 4)")
}

pub fn export(_args: ExportArgs) -> i32 {
    super::usage_error("export: not built yet (issue 4)")
}

pub fn allow(_args: AllowArgs) -> i32 {
    super::usage_error("allow: not built yet (issue 4)")
}
