// Generated from src-tauri/src/commands/list.rs by `cargo test -p doppelwatch-desktop export_bindings`.
// Do not edit: change the list and regenerate (the test command fails on drift).

import { invoke } from "@tauri-apps/api/core";
import type { AlertAction } from "./AlertAction";
import type { AlertDetail } from "./AlertDetail";
import type { AlertKey } from "./AlertKey";
import type { AlertListPage } from "./AlertListPage";
import type { AlertPicture } from "./AlertPicture";
import type { AlertQuery } from "./AlertQuery";
import type { AlertSummary } from "./AlertSummary";
import type { AppInfo } from "./AppInfo";
import type { BatchResult } from "./BatchResult";
import type { CredentialInput } from "./CredentialInput";
import type { CredentialStatus } from "./CredentialStatus";
import type { DashboardView } from "./DashboardView";
import type { EvidenceExport } from "./EvidenceExport";
import type { FollowUpView } from "./FollowUpView";
import type { HandleCheck } from "./HandleCheck";
import type { IdentityInput } from "./IdentityInput";
import type { IdentityView } from "./IdentityView";
import type { OpenAlerts } from "./OpenAlerts";
import type { OutcomesView } from "./OutcomesView";
import type { OwnProfileView } from "./OwnProfileView";
import type { PersonView } from "./PersonView";
import type { Platform } from "./Platform";
import type { ReportBatchView } from "./ReportBatchView";
import type { ReportView } from "./ReportView";
import type { SettingsView } from "./SettingsView";
import type { VariantView } from "./VariantView";
import type { WaveView } from "./WaveView";

/** Every app command, typed as the Rust command takes and returns it. */
export const commands = {
  appInfo: (): Promise<AppInfo> => invoke<AppInfo>("app_info"),
  getIdentity: (): Promise<IdentityView | null> => invoke<IdentityView | null>("get_identity"),
  checkHandle: (platform: Platform, handle: string): Promise<HandleCheck> => invoke<HandleCheck>("check_handle", { platform, handle }),
  handleVariants: (platform: Platform, handle: string): Promise<Array<VariantView>> => invoke<Array<VariantView>>("handle_variants", { platform, handle }),
  saveIdentity: (input: IdentityInput): Promise<IdentityView> => invoke<IdentityView>("save_identity", { input }),
  setAvatar: (bytes: Array<number>): Promise<string> => invoke<string>("set_avatar", { bytes }),
  fetchOwnAvatar: (platform: Platform, handle: string): Promise<string> => invoke<string>("fetch_own_avatar", { platform, handle }),
  listPeople: (): Promise<Array<PersonView>> => invoke<Array<PersonView>>("list_people"),
  addPerson: (input: IdentityInput): Promise<PersonView> => invoke<PersonView>("add_person", { input }),
  updatePerson: (id: number, input: IdentityInput): Promise<PersonView> => invoke<PersonView>("update_person", { id, input }),
  removePerson: (id: number, withAlerts: boolean): Promise<void> => invoke<void>("remove_person", { id, withAlerts }),
  setPersonAvatar: (id: number, bytes: Array<number>): Promise<string> => invoke<string>("set_person_avatar", { id, bytes }),
  listAlerts: (query: AlertQuery, offset: number, limit: number): Promise<AlertListPage> => invoke<AlertListPage>("list_alerts", { query, offset, limit }),
  listAlertKeys: (query: AlertQuery): Promise<Array<AlertKey>> => invoke<Array<AlertKey>>("list_alert_keys", { query }),
  alertPictures: (ids: Array<number>): Promise<Array<AlertPicture>> => invoke<Array<AlertPicture>>("alert_pictures", { ids }),
  actOnAlerts: (ids: Array<number>, action: AlertAction): Promise<BatchResult> => invoke<BatchResult>("act_on_alerts", { ids, action }),
  getWave: (id: number): Promise<WaveView> => invoke<WaveView>("get_wave", { id }),
  profileForOnboarding: (platform: Platform, handle: string): Promise<OwnProfileView> => invoke<OwnProfileView>("profile_for_onboarding", { platform, handle }),
  getAlert: (id: number): Promise<AlertDetail> => invoke<AlertDetail>("get_alert", { id }),
  actOnAlert: (id: number, action: AlertAction): Promise<AlertSummary> => invoke<AlertSummary>("act_on_alert", { id, action }),
  getReport: (alertId: number): Promise<ReportView> => invoke<ReportView>("get_report", { alertId }),
  saveReportDraft: (alertId: number, draft: string): Promise<ReportView> => invoke<ReportView>("save_report_draft", { alertId, draft }),
  fileReport: (alertId: number): Promise<ReportView> => invoke<ReportView>("file_report", { alertId }),
  openReportForm: (alertId: number): Promise<void> => invoke<void>("open_report_form", { alertId }),
  exportEvidence: (alertId: number): Promise<EvidenceExport> => invoke<EvidenceExport>("export_evidence", { alertId }),
  exportWaveEvidence: (waveId: number): Promise<EvidenceExport> => invoke<EvidenceExport>("export_wave_evidence", { waveId }),
  getFollowUp: (alertId: number): Promise<FollowUpView | null> => invoke<FollowUpView | null>("get_follow_up", { alertId }),
  queueReports: (ids: Array<number>, undoSecs: number): Promise<ReportBatchView> => invoke<ReportBatchView>("queue_reports", { ids, undoSecs }),
  undoReportBatch: (id: number): Promise<ReportBatchView> => invoke<ReportBatchView>("undo_report_batch", { id }),
  reportBatch: (id: number): Promise<ReportBatchView> => invoke<ReportBatchView>("report_batch", { id }),
  openReportBatches: (): Promise<Array<ReportBatchView>> => invoke<Array<ReportBatchView>>("open_report_batches"),
  retryReportBatch: (id: number): Promise<ReportBatchView> => invoke<ReportBatchView>("retry_report_batch", { id }),
  outcomes: (): Promise<OutcomesView> => invoke<OutcomesView>("outcomes"),
  exportCases: (): Promise<string> => invoke<string>("export_cases"),
  dashboard: (): Promise<DashboardView> => invoke<DashboardView>("dashboard"),
  checkNow: (): Promise<DashboardView> => invoke<DashboardView>("check_now"),
  setPaused: (paused: boolean): Promise<DashboardView> => invoke<DashboardView>("set_paused", { paused }),
  getSettings: (): Promise<SettingsView> => invoke<SettingsView>("get_settings"),
  saveSettings: (settings: SettingsView): Promise<SettingsView> => invoke<SettingsView>("save_settings", { settings }),
  credentials: (): Promise<Array<CredentialStatus>> => invoke<Array<CredentialStatus>>("credentials"),
  storeCredential: (input: CredentialInput): Promise<Array<CredentialStatus>> => invoke<Array<CredentialStatus>>("store_credential", { input }),
  sendTestNotification: (): Promise<void> => invoke<void>("send_test_notification"),
};

/** The events the shell emits to the window, by name. */
export const EVENTS = {
  /** A new alert arrived or one changed: the payload is the open alerts, impostors and worth-a-look apart. */
  alertsChanged: "alerts-changed",
  /** A source's state changed (a check finished or failed). */
  statusChanged: "status-changed",
  /** A notification (or the tray) asks to open an alert: its id. */
  openAlert: "open-alert",
  /** A notification that announced several alerts asks to open the alert list. */
  openInbox: "open-inbox",
  /** The worth-a-look digest asks to open the worth-a-look list. */
  openWorthALook: "open-worth-a-look",
  /** A wave's notification asks to open the wave: its id. */
  openWave: "open-wave",
} as const;

/** Each event's payload. */
export type EventPayloads = {
  "alerts-changed": OpenAlerts;
  "status-changed": null;
  "open-alert": number;
  "open-inbox": null;
  "open-worth-a-look": null;
  "open-wave": number;
};
