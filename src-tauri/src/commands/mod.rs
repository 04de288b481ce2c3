//! Tauri commands, grouped by area. Each is a short adapter from IPC types to the core.
//!
//! The IPC surface is written once, in `list.rs`: the invoke handler ([`handler`]), the command
//! names ([`NAMES`], one permission each via build.rs), the capability file, the TypeScript
//! wrappers and the event names ([`events`]) all come from it (see [`typescript`]). Nothing else
//! may name a command or an event by hand.

pub mod alerts;
pub mod cases;
pub mod identity;
pub mod people;
pub mod reports;
pub mod settings;
pub mod sources;
mod typescript;
pub mod waves;

pub use typescript::{capability, typescript};

#[allow(unused_imports)] // the list names these types; some only reach the TypeScript side
use crate::ipc::*;

/// One command as the list declares it.
#[derive(Debug, Clone)]
pub struct Command {
    /// The module it lives in (`identity`, `alerts`, ...).
    pub module: &'static str,
    /// Its name on the wire (`check_handle`).
    pub name: &'static str,
    /// Its arguments (those the webview sends).
    pub args: Vec<Arg>,
    /// Its result.
    pub ret: TypeInfo,
}

/// One argument of a command.
#[derive(Debug, Clone)]
pub struct Arg {
    /// Its name in Rust (`alert_id`; the webview sends it in camel case, `alertId`).
    pub name: &'static str,
    pub ty: TypeInfo,
}

/// An event the shell emits to the window.
#[derive(Debug, Clone)]
pub struct Event {
    /// The Rust constant's name (`ALERTS_CHANGED`).
    pub constant: &'static str,
    /// The name on the wire (`alerts-changed`).
    pub name: &'static str,
    /// What it means, from the list.
    pub doc: &'static str,
    pub payload: TypeInfo,
}

/// A type as the list writes it, and as TypeScript sees it.
#[derive(Debug, Clone)]
pub struct TypeInfo {
    /// The Rust type as written in the list, without spaces (`Vec<u8>`).
    pub rust: String,
    /// Its TypeScript name (`Array<number>`, `IdentityView | null`).
    pub ts: String,
    /// The exported binding types it names (`IdentityView`), to import.
    pub uses: Vec<String>,
}

impl TypeInfo {
    fn of<T: ts_rs::TS + 'static + ?Sized>(rust: &str, cfg: &ts_rs::Config) -> TypeInfo {
        struct Uses<'a>(&'a ts_rs::Config, Vec<String>);
        impl ts_rs::TypeVisitor for Uses<'_> {
            fn visit<T: ts_rs::TS + 'static + ?Sized>(&mut self) {
                if let Some(dep) = ts_rs::Dependency::from_ty::<T>(self.0) {
                    self.1.push(dep.ts_name);
                }
                T::visit_generics(self);
            }
        }
        let mut uses = Uses(cfg, Vec::new());
        ts_rs::TypeVisitor::visit::<T>(&mut uses);
        TypeInfo {
            rust: rust.chars().filter(|c| !c.is_whitespace()).collect(),
            ts: T::name(cfg),
            uses: uses.1,
        }
    }
}

/// Expands the list (`list.rs`) into the handler, the names, the events and their descriptions.
macro_rules! ipc {
    (
        commands { $($module:ident :: $name:ident ( $($arg:ident : $ty:ty),* ) -> $ret:ty ;)* }
        events { $( $(#[doc = $doc:literal])* $event:ident = $wire:literal : $payload:ty ;)* }
    ) => {
        /// Every app command's name, in the list's order.
        pub const NAMES: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler of every app command in the list.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($module::$name),*]
        }

        /// Every app command as the list declares it, types as TypeScript sees them under `cfg`.
        pub fn commands(cfg: &ts_rs::Config) -> Vec<Command> {
            vec![$(Command {
                module: stringify!($module),
                name: stringify!($name),
                args: vec![$(Arg {
                    name: stringify!($arg),
                    ty: TypeInfo::of::<$ty>(stringify!($ty), cfg),
                }),*],
                ret: TypeInfo::of::<$ret>(stringify!($ret), cfg),
            }),*]
        }

        /// The names of the events the shell emits to the window.
        pub mod events {
            $( $(#[doc = $doc])* pub const $event: &str = $wire; )*
        }

        /// Every event as the list declares it.
        pub fn event_list(cfg: &ts_rs::Config) -> Vec<Event> {
            vec![$(Event {
                constant: stringify!($event),
                name: $wire,
                doc: concat!($($doc),*),
                payload: TypeInfo::of::<$payload>(stringify!($payload), cfg),
            }),*]
        }
    };
}

include!("list.rs");
