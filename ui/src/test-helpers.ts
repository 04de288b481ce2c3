// Test helpers: a mocked IPC that records calls, and waiting for the DOM to settle.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";

export type Handler = (args: Record<string, unknown>) => unknown;

/** Mocks Tauri IPC with one handler per command; returns the list of calls made. */
export function mockCommands(handlers: Record<string, Handler>): { cmd: string; args: Record<string, unknown> }[] {
  const calls: { cmd: string; args: Record<string, unknown> }[] = [];
  clearMocks();
  mockIPC((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const handler = handlers[cmd];
    if (!handler) throw { kind: "internal", message: `unmocked command ${cmd}` };
    return handler(a);
  }, { shouldMockEvents: true });
  return calls;
}

/** Lets pending promises and timers run. */
export async function settle(ms = 0): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, ms));
}

/** Types into an input and fires `input`. */
export function type(input: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** The order Rust lists alerts in: new first, then seen, reported, snoozed, dismissed, resolved, allowed. */
const STATE_ORDER = ["new", "seen", "reported", "snoozed", "dismissed", "resolved", "allowed"];

/**
 * The alert list's commands over `rows` as Rust answers them (src/app/alert_list.rs):
 * `list_alerts` filters by the query, orders (state, then first seen, newest first, then id)
 * and returns the page asked for with the total; `list_alert_keys` every match's id and platform.
 */
export function alertListCommands<T extends { id: number; platform: string; state: string; verdict: string; first_seen: string; person_id: number }>(
  rows: T[],
): Record<string, Handler> {
  const matching = (args: Record<string, unknown>) => {
    const q = (args.query ?? {}) as { person?: number | null; platform?: string | null; state?: string | null; verdict?: string | null };
    return rows
      .filter((a) => (q.person == null || a.person_id === q.person) && (!q.platform || a.platform === q.platform) && (!q.state || a.state === q.state) && (!q.verdict || a.verdict === q.verdict))
      .sort((a, b) => STATE_ORDER.indexOf(a.state) - STATE_ORDER.indexOf(b.state) || b.first_seen.localeCompare(a.first_seen) || b.id - a.id);
  };
  return {
    list_alerts: (args) => {
      const all = matching(args);
      const offset = Number(args.offset);
      return { total: all.length, offset, rows: all.slice(offset, offset + Number(args.limit)) };
    },
    list_alert_keys: (args) => matching(args).map((a) => ({ id: a.id, platform: a.platform })),
  };
}
