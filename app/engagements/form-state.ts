export type FormState = { error?: string; done?: string; link?: string };
