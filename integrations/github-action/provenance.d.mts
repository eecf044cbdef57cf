export function provenanceRequest(env: Record<string, string | undefined>): { path: string; body: string; contentType: string };
export function sendProvenance(env: Record<string, string | undefined>): Promise<string>;
