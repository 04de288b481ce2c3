// Typed wrappers over the app's Tauri commands. Argument and result types come from the
// bindings generated from the Rust types (src/bindings, checked for drift by scripts/test).

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AlertAction } from "./bindings/AlertAction";
import type { AlertDetail } from "./bindings/AlertDetail";
import type { AlertSummary } from "./bindings/AlertSummary";
import type { AppInfo } from "./bindings/AppInfo";
import type { CommandError } from "./bindings/CommandError";
import type { CredentialInput } from "./bindings/CredentialInput";
import type { CredentialStatus } from "./bindings/CredentialStatus";
import type { DashboardView } from "./bindings/DashboardView";
import type { EvidenceExport } from "./bindings/EvidenceExport";
import type { HandleCheck } from "./bindings/HandleCheck";
import type { IdentityInput } from "./bindings/IdentityInput";
import type { IdentityView } from "./bindings/IdentityView";
import type { OpenAlerts } from "./bindings/OpenAlerts";
import type { ReportView } from "./bindings/ReportView";
import type { SettingsView } from "./bindings/SettingsView";
import type { VariantView } from "./bindings/VariantView";

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  getIdentity: () => invoke<IdentityView | null>("get_identity"),
  checkHandle: (platform: string, handle: string) => invoke<HandleCheck>("check_handle", { platform, handle }),
  handleVariants: (platform: string, handle: string) =>
    invoke<VariantView[]>("handle_variants", { platform, handle }),
  saveIdentity: (input: IdentityInput) => invoke<IdentityView>("save_identity", { input }),
  setAvatar: (bytes: Uint8Array) => invoke<string>("set_avatar", { bytes: Array.from(bytes) }),
  fetchOwnAvatar: (platform: string, handle: string) => invoke<string>("fetch_own_avatar", { platform, handle }),
  listAlerts: () => invoke<AlertSummary[]>("list_alerts"),
  getAlert: (id: number) => invoke<AlertDetail>("get_alert", { id }),
  actOnAlert: (id: number, action: AlertAction) => invoke<AlertSummary>("act_on_alert", { id, action }),
  getReport: (alertId: number) => invoke<ReportView>("get_report", { alertId }),
  saveReportDraft: (alertId: number, draft: string) => invoke<ReportView>("save_report_draft", { alertId, draft }),
  fileReport: (alertId: number) => invoke<ReportView>("file_report", { alertId }),
  openReportForm: (alertId: number) => invoke<void>("open_report_form", { alertId }),
  exportEvidence: (alertId: number) => invoke<EvidenceExport>("export_evidence", { alertId }),
  dashboard: () => invoke<DashboardView>("dashboard"),
  checkNow: () => invoke<DashboardView>("check_now"),
  setPaused: (paused: boolean) => invoke<DashboardView>("set_paused", { paused }),
  getSettings: () => invoke<SettingsView>("get_settings"),
  saveSettings: (settings: SettingsView) => invoke<SettingsView>("save_settings", { settings }),
  credentials: () => invoke<CredentialStatus[]>("credentials"),
  storeCredential: (input: CredentialInput) => invoke<CredentialStatus[]>("store_credential", { input }),
  sendTestNotification: () => invoke<void>("send_test_notification"),
};

/** Events the shell emits to the window. */
export const events = {
  /** A new alert arrived or one changed: payload is the open alerts, impostors and worth-a-look apart. */
  onAlertsChanged: (f: (openAlerts: OpenAlerts) => void): Promise<UnlistenFn> =>
    listen<OpenAlerts>("alerts-changed", (e) => f(e.payload)),
  /** A source's state changed (a check finished or failed). */
  onStatusChanged: (f: () => void): Promise<UnlistenFn> => listen<null>("status-changed", () => f()),
  /** A notification (or the tray) asks to open an alert. */
  onOpenAlert: (f: (id: number) => void): Promise<UnlistenFn> => listen<number>("open-alert", (e) => f(e.payload)),
  /** A notification that announced several alerts asks to open the alert list. */
  onOpenInbox: (f: () => void): Promise<UnlistenFn> => listen<null>("open-inbox", () => f()),
  /** The worth-a-look digest asks to open the worth-a-look list. */
  onOpenWorthALook: (f: () => void): Promise<UnlistenFn> => listen<null>("open-worth-a-look", () => f()),
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
