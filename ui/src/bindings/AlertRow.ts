import type { AlertSummary } from "./AlertSummary";
import type { CharMark } from "./CharMark";
export type AlertRow = { person_id: number, person_name: string, wave_id: number | null, handle_marks: Array<CharMark>, age: string | null, followers: number | null, } & AlertSummary;
