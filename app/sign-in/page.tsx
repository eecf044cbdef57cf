import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/lib/auth/current-user";
import { safeNext } from "@/lib/auth/forms";
import { config } from "@/lib/config";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

const messages: Record<string, string> = {
  invalid: "Wrong email or password.",
  locked: "Too many failed attempts. Wait a few minutes, then try again.",
  forbidden: "The sign-in request came from another site and was refused.",
  oidc: "Sign-in with your organisation's account did not complete. Try again.",
  "no-role": "Your organisation's account has no Custody role. Ask an administrator for access.",
};

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNext(typeof params.next === "string" ? params.next : "/");
  if (await currentSession()) redirect(next);
  const error = typeof params.error === "string" ? messages[params.error] : undefined;
  const oidc = config().oidc;
  return (
    <div className="sign-in">
      <h1>Sign in to Custody</h1>
      <div role="alert" aria-live="assertive" className="form-error">
        {error ?? null}
      </div>
      <form method="post" action="/api/v1/auth/sign-in" className="stack">
        <input type="hidden" name="next" value={next} />
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="username" required autoFocus />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      {oidc ? (
        <p>
          <a href={`/api/v1/auth/oidc/start?next=${encodeURIComponent(next)}`}>Sign in with your organisation&apos;s account</a>
        </p>
      ) : null}
    </div>
  );
}
