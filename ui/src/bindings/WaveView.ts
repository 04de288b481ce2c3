import type { AlertRow } from "./AlertRow";
export type WaveView = { id: number, person_id: number, person_name: string, verdict: string, count: number, open: number, platforms: Array<string>, started_at: string, last_alert_at: string, alerts: Array<AlertRow>, };
