//! Generated text from the one IPC list (`list.rs`): the TypeScript wrappers and event names
//! (`ui/src/bindings/commands.ts`) and the window's capability (`capabilities/main.json`,
//! exactly the listed commands plus listening to events). `ipc::tests::export_bindings` writes
//! both; the test command fails when the committed files drift from the list.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{commands, event_list, NAMES};

/// `alert_id` -> `alertId`.
fn camel(snake: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in snake.chars() {
        match c {
            '_' => upper = true,
            c if upper => {
                out.extend(c.to_uppercase());
                upper = false;
            }
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The TypeScript config the wrappers are typed with: ids (`i64`) are plain numbers in JSON.
pub fn ts_config() -> ts_rs::Config {
    ts_rs::Config::new().with_large_int("number")
}

/// The file `ui/src/bindings/commands.ts`: one typed wrapper per command, the event names as
/// constants and each event's payload type.
pub fn typescript() -> String {
    let cfg = ts_config();
    let commands = commands(&cfg);
    let events = event_list(&cfg);
    let imports: BTreeSet<&str> = commands
        .iter()
        .flat_map(|c| c.args.iter().map(|a| &a.ty).chain([&c.ret]))
        .chain(events.iter().map(|e| &e.payload))
        .flat_map(|t| t.uses.iter().map(String::as_str))
        .collect();
    let mut ts = String::from(
        "// Generated from src-tauri/src/commands/list.rs by \
         `cargo test -p doppelwatch-desktop export_bindings`.\n\
         // Do not edit: change the list and regenerate (the test command fails on drift).\n\n\
         import { invoke } from \"@tauri-apps/api/core\";\n",
    );
    for name in imports {
        let _ = writeln!(ts, "import type {{ {name} }} from \"./{name}\";");
    }
    ts.push_str("\n/** Every app command, typed as the Rust command takes and returns it. */\n");
    ts.push_str("export const commands = {\n");
    for c in &commands {
        let params: Vec<String> = c
            .args
            .iter()
            .map(|a| format!("{}: {}", camel(a.name), a.ty.ts))
            .collect();
        let ret = if c.ret.ts == "null" {
            "void"
        } else {
            &c.ret.ts
        };
        let args = if c.args.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = c.args.iter().map(|a| camel(a.name)).collect();
            format!(", {{ {} }}", names.join(", "))
        };
        let _ = writeln!(
            ts,
            "  {}: ({}): Promise<{ret}> => invoke<{ret}>(\"{}\"{args}),",
            camel(c.name),
            params.join(", "),
            c.name,
        );
    }
    ts.push_str("};\n\n/** The events the shell emits to the window, by name. */\n");
    ts.push_str("export const EVENTS = {\n");
    for e in &events {
        let _ = writeln!(ts, "  /** {} */", e.doc.trim());
        let _ = writeln!(
            ts,
            "  {}: \"{}\",",
            camel(&e.constant.to_lowercase()),
            e.name
        );
    }
    ts.push_str("} as const;\n\n/** Each event's payload. */\nexport type EventPayloads = {\n");
    for e in &events {
        let _ = writeln!(ts, "  \"{}\": {};", e.name, e.payload.ts);
    }
    ts.push_str("};\n");
    ts
}

/// The file `capabilities/main.json`: the main window may call exactly the listed commands and
/// listen to events; nothing else (no file system, shell, HTTP or opener access).
pub fn capability() -> String {
    let permissions: Vec<String> = ["core:event:allow-listen", "core:event:allow-unlisten"]
        .iter()
        .map(|p| p.to_string())
        .chain(
            NAMES
                .iter()
                .map(|c| format!("allow-{}", c.replace('_', "-"))),
        )
        .map(|p| format!("    \"{p}\""))
        .collect();
    format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \
         \"main-window\",\n  \"description\": \"The main window: the app's own commands and \
         listening to its events, nothing else (no file system, shell, HTTP or opener access \
         from the webview). Generated from src/commands/list.rs.\",\n  \"windows\": \
         [\"main\"],\n  \"permissions\": [\n{}\n  ]\n}}\n",
        permissions.join(",\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_turn_camel_case() {
        assert_eq!(camel("alert_id"), "alertId");
        assert_eq!(camel("send_test_notification"), "sendTestNotification");
        assert_eq!(
            camel("ALERTS_CHANGED".to_lowercase().as_str()),
            "alertsChanged"
        );
        assert_eq!(camel("id"), "id");
    }

    /// The parameters and result of `fn name(...)` in `source`, as written (spaces removed),
    /// leaving out what Tauri injects (`State`, `AppHandle`).
    fn signature(source: &str, name: &str) -> Option<(Vec<(String, String)>, String)> {
        let start = source
            .find(&format!("pub fn {name}("))
            .or_else(|| source.find(&format!("pub async fn {name}(")))?;
        let rest = &source[start..];
        let open = rest.find('(')?;
        let (mut depth, mut close) = (0i32, None);
        for (i, c) in rest[open..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close?;
        let compact = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        let params = compact(&rest[open + 1..close]);
        let mut args = Vec::new();
        let (mut depth, mut from) = (0i32, 0);
        let bytes: Vec<char> = params.chars().collect();
        for (i, c) in bytes.iter().enumerate() {
            match c {
                '<' | '(' => depth += 1,
                '>' | ')' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(bytes[from..i].iter().collect::<String>());
                    from = i + 1;
                }
                _ => {}
            }
        }
        args.push(bytes[from..].iter().collect::<String>());
        let args = args
            .into_iter()
            .filter(|a| !a.is_empty())
            .filter_map(|a| {
                let (n, t) = a.split_once(':')?;
                let injected = t.starts_with("State<") || t.ends_with("AppHandle");
                (!injected).then(|| (n.to_string(), t.to_string()))
            })
            .collect();
        let after = compact(&rest[close + 1..rest[close..].find('{')? + close]);
        let ret = match after.strip_prefix("->") {
            None => "()".to_string(),
            Some(r) => r
                .strip_prefix("CommandResult<")
                .and_then(|r| r.strip_suffix('>'))
                .unwrap_or(r)
                .to_string(),
        };
        Some((args, ret))
    }

    /// The list says what each command takes and returns; the commands' own signatures must
    /// say the same (so the generated wrappers are true).
    #[test]
    fn the_list_matches_every_command_signature() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/commands");
        for c in commands(&ts_config()) {
            let source = std::fs::read_to_string(dir.join(format!("{}.rs", c.module))).unwrap();
            let (args, ret) = signature(&source, c.name)
                .unwrap_or_else(|| panic!("no command {} in {}.rs", c.name, c.module));
            let listed: Vec<(String, String)> = c
                .args
                .iter()
                .map(|a| (a.name.to_string(), a.ty.rust.clone()))
                .collect();
            assert_eq!(args, listed, "arguments of {}", c.name);
            assert_eq!(ret, c.ret.rust, "result of {}", c.name);
        }
    }

    #[test]
    fn wrappers_are_typed_and_name_each_command_once() {
        let ts = typescript();
        assert!(ts.contains(
            "checkHandle: (platform: Platform, handle: string): Promise<HandleCheck> => \
             invoke<HandleCheck>(\"check_handle\", { platform, handle }),"
        ));
        assert!(ts.contains(
            "getReport: (alertId: number): Promise<ReportView> => \
             invoke<ReportView>(\"get_report\", { alertId }),"
        ));
        assert!(ts.contains("import type { Platform } from \"./Platform\";"));
        assert!(ts.contains("  alertsChanged: \"alerts-changed\",\n"));
        assert!(ts.contains("  \"open-alert\": number;\n"));
        for name in NAMES {
            assert_eq!(ts.matches(&format!("(\"{name}\"")).count(), 1, "{name}");
        }
    }
}
