import type { AlertSummary } from "./AlertSummary";
import type { BatchFailure } from "./BatchFailure";
export type BatchResult = { done: Array<AlertSummary>, failed: Array<BatchFailure>, };
