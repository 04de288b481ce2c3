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
