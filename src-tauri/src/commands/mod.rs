//! Tauri commands, grouped by area. Each is a short adapter from IPC types to the core.

pub mod alerts;
pub mod identity;
pub mod reports;
pub mod settings;
pub mod sources;
