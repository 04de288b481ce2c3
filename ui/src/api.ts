// The app's Tauri commands and events for the views. The wrappers, their argument and result
// types and the event names are generated from the Rust IPC list (src/bindings/commands.ts and
// the type bindings beside it, checked for drift by scripts/test); this file only adapts them.

import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { commands, EVENTS, type EventPayloads } from "./bindings/commands";
import type { CommandError } from "./bindings/CommandError";

export type { Platform } from "./bindings/Platform";

/** The app's commands: the generated wrappers (bindings/commands.ts, from the Rust list). */
export const api = {
  ...commands,
  /** The picked file's bytes, sent as the array of numbers the command takes. */
  setAvatar: (bytes: Uint8Array) => commands.setAvatar(Array.from(bytes)),
  /** A person's picture from a picked file's bytes. */
  setPersonAvatar: (id: number, bytes: Uint8Array) => commands.setPersonAvatar(id, Array.from(bytes)),
};

/** Listens to one of the shell's events, typed by its name. */
function on<K extends keyof EventPayloads>(name: K, f: (payload: EventPayloads[K]) => void): Promise<UnlistenFn> {
  return listen<EventPayloads[K]>(name, (e) => f(e.payload));
}

/** Events the shell emits to the window. */
export const events = {
  /** A new alert arrived or one changed: payload is the open alerts, impostors and worth-a-look apart. */
  onAlertsChanged: (f: (openAlerts: EventPayloads["alerts-changed"]) => void): Promise<UnlistenFn> =>
    on(EVENTS.alertsChanged, f),
  /** A source's state changed (a check finished or failed). */
  onStatusChanged: (f: () => void): Promise<UnlistenFn> => on(EVENTS.statusChanged, () => f()),
  /** A notification (or the tray) asks to open an alert. */
  onOpenAlert: (f: (id: number) => void): Promise<UnlistenFn> => on(EVENTS.openAlert, f),
  /** A notification that announced several alerts asks to open the alert list. */
  onOpenInbox: (f: () => void): Promise<UnlistenFn> => on(EVENTS.openInbox, () => f()),
  /** The worth-a-look digest asks to open the worth-a-look list. */
  onOpenWorthALook: (f: () => void): Promise<UnlistenFn> => on(EVENTS.openWorthALook, () => f()),
  /** A wave's notification asks to open the wave. */
  onOpenWave: (f: (id: number) => void): Promise<UnlistenFn> => on(EVENTS.openWave, f),
};

/** True for the `{kind, message}` errors commands reject with. */
export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}

/** The message to show for any rejection. */
export function errorMessage(e: unknown): string {
  if (isCommandError(e)) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
