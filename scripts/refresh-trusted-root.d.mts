export const target: string;
export function publicGoodRoot(text: string): { certificateAuthorities: unknown[]; tlogs: unknown[] } & Record<string, unknown>;
