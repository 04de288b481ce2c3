import type { HandleInput } from "./HandleInput";
export type PersonView = { id: number, name: string, aliases: Array<string>, handles: Array<HandleInput>, bio: string | null, avatar: string | null, open_alerts: number, total_alerts: number, };
