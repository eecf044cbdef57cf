import { createInterface } from "node:readline";
import { createUser, listUsers } from "../auth/users";
import { withDatabase } from "./database";
import { CliError } from "./output";

type Values = Record<string, string | boolean | undefined>;

/** Asks for a password without echoing it; empty means "generate one". */
async function promptPassword(): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const out = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write("Password (leave empty to generate one): ");
  out._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question("", resolve));
  rl.close();
  process.stdout.write("\n");
  return answer;
}

/** `custody user create --email E --role R [--name N]` (password from CUSTODY_PASSWORD, a prompt, or generated) and `user list`. */
export async function userCommand([sub]: string[], values: Values): Promise<number> {
  if (sub === "create") {
    const email = typeof values.email === "string" ? values.email : undefined;
    const role = typeof values.role === "string" ? values.role : undefined;
    if (!email || !role) throw new CliError("usage: custody user create --email E --role admin|compliance|manager|auditor [--name N]", 2);
    let password = process.env.CUSTODY_PASSWORD || null;
    if (!password && process.stdin.isTTY) password = (await promptPassword()) || null;
    const name = typeof values.name === "string" ? values.name : null;
    const actor = { actor: `cli:${process.env.USER ?? "unknown"}`, actorType: "cli" as const };
    const { user, generatedPassword } = await withDatabase(({ db }) => createUser(db, actor, { email, role, name, password }));
    process.stdout.write(`user ${user.id} ${user.email} (${user.role}) created\n`);
    if (generatedPassword) process.stdout.write(`generated password, shown once, store it now:\n${generatedPassword}\n`);
    return 0;
  }
  if (sub === "list") {
    const rows = await withDatabase(({ db }) => listUsers(db));
    for (const u of rows) {
      process.stdout.write(`${u.id}\t${u.email}\t${u.role}\t${u.name}${u.oidcSubject ? "\toidc" : ""}${u.disabledAt ? "\tdisabled" : ""}\n`);
    }
    return 0;
  }
  throw new CliError("usage: custody user create --email E --role R [--name N] | user list", 2);
}
