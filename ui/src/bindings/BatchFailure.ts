export type BatchFailure = { id: number, message: string, };
