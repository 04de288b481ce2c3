export type AlertPicture = { id: number, avatar: string | null, };
