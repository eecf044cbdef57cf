export type DemoRole = "admin" | "compliance" | "manager" | "auditor" | "engagement-auditor";

export type DemoUser = { role: DemoRole; email: string; name: string; password: string };

/**
 * One sign-in per role for the demo; the start command prints them. The passwords are public on
 * purpose: they only ever protect sample data.
 */
export const demoUsers: readonly DemoUser[] = [
  { role: "admin", email: "admin@custody.demo", name: "Ada Admin", password: "demo-admin-2026" },
  { role: "compliance", email: "compliance@custody.demo", name: "Colin Compliance", password: "demo-compliance-2026" },
  { role: "manager", email: "manager@custody.demo", name: "Maya Manager", password: "demo-manager-2026" },
  { role: "auditor", email: "auditor@custody.demo", name: "Arun Auditor", password: "demo-auditor-2026" },
  // An external auditor limited to the demo's open engagement (lib/demo/engagements.ts).
  { role: "engagement-auditor", email: "external@custody.demo", name: "Esther External", password: "demo-external-2026" },
];
