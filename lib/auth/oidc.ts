import { createHmac, timingSafeEqual } from "node:crypto";
import * as client from "openid-client";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { users, type User } from "@/db/schema";
import { recordAudit } from "../audit/record";
import type { OidcConfig } from "../config";
import { AppError } from "../errors";
import { roles, type Role } from "./permissions";
import { sessionSecret } from "../trial-secrets";
import { accessEnded, createSession } from "./sessions";
import type { ClientMeta } from "./sign-in";
import { findUserByEmail } from "./users";

export const OIDC_FLOW_COOKIE = "custody_oidc";
const FLOW_TTL_SECONDS = 600;

const configs = new Map<string, Promise<client.Configuration>>();

/** Discovery once per issuer; plain http only for a provider on this machine (tests, local IdPs). */
function discover(c: OidcConfig): Promise<client.Configuration> {
  const key = `${c.issuer}|${c.clientId}`;
  let pending = configs.get(key);
  if (!pending) {
    const url = new URL(c.issuer);
    const local = url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    pending = client.discovery(url, c.clientId, c.clientSecret, undefined, local ? { execute: [client.allowInsecureRequests] } : undefined);
    pending.catch(() => configs.delete(key));
    configs.set(key, pending);
  }
  return pending;
}

type Flow = { state: string; nonce: string; verifier: string; next: string };

/** The provider's authorization URL (code flow with PKCE) and the flow cookie that remembers its checks. */
export async function startOidc(c: OidcConfig, redirectUri: string, next: string): Promise<{ url: URL; flowCookie: string }> {
  const config = await discover(c);
  const flow: Flow = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), next };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile",
    code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
    code_challenge_method: "S256",
    state: flow.state,
    nonce: flow.nonce,
  });
  const payload = Buffer.from(JSON.stringify(flow)).toString("base64url");
  return { url, flowCookie: `${payload}.${macOf(payload)}` };
}

/** HMAC-SHA256 of the flow cookie's payload with CUSTODY_SESSION_SECRET, so its `next` and checks cannot be changed. */
function macOf(payload: string): string {
  return createHmac("sha256", sessionSecret()).update(`oidc-flow\n${payload}`).digest("base64url");
}

function readFlow(cookie: string | null): Flow {
  try {
    const [payload = "", mac = ""] = (cookie ?? "").split(".");
    const expected = Buffer.from(macOf(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error("flow cookie signature");
    const f = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<Flow>;
    if (typeof f.state === "string" && typeof f.nonce === "string" && typeof f.verifier === "string" && typeof f.next === "string") return f as Flow;
  } catch {
    /* fall through */
  }
  throw new AppError("UNAUTHENTICATED", "sign-in with the identity provider expired or was not started here; start again");
}

/** Maps the role claim (a string or a list of groups) to the most privileged configured Custody role. */
export function roleFromClaim(c: OidcConfig, claim: unknown): Role | null {
  const values = Array.isArray(claim) ? claim.map(String) : typeof claim === "string" ? [claim] : [];
  const mapped = new Set(values.map((v) => c.roleMap[v]).filter(Boolean));
  return roles.find((r) => mapped.has(r)) ?? null;
}

/**
 * Completes the code flow: exchanges the code with the PKCE verifier, checks state and nonce,
 * reads the claims (ID token and userinfo), maps the role claim, provisions or updates the
 * user, opens a session and writes the outcome to the audit log.
 */
export async function finishOidc(
  db: Database,
  c: OidcConfig,
  callbackUrl: URL,
  flowCookie: string | null,
  meta: ClientMeta,
): Promise<{ cookieValue: string; next: string; user: User }> {
  const flow = readFlow(flowCookie);
  const config = await discover(c);
  const denied = async (reason: string, who: string): Promise<never> => {
    await db.transaction((tx) => recordAudit(tx, { actor: who, actorType: "anonymous", action: "auth.sign-in", target: `oidc:${c.issuer}`, outcome: "failure", ip: meta.ip, details: { method: "oidc", reason } }));
    throw new AppError(reason.startsWith("no Custody role") ? "FORBIDDEN" : "UNAUTHENTICATED", `sign-in with the identity provider failed: ${reason}`);
  };
  let claims: Record<string, unknown>;
  try {
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error("the provider sent no ID token");
    const sub = idClaims.sub;
    const info = await client.fetchUserInfo(config, tokens.access_token, sub);
    claims = { ...info, ...idClaims };
  } catch (error) {
    return denied(error instanceof Error ? error.message.slice(0, 200) : "token exchange failed", "(oidc)");
  }
  const subject = `${c.issuer}|${String(claims.sub)}`;
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  const who = email || subject;
  const role = roleFromClaim(c, claims[c.roleClaim]);
  if (!role) return denied(`no Custody role in claim ${c.roleClaim}`, who);
  if (!email) return denied("the provider sent no email claim", who);

  return db.transaction(async (tx) => {
    let [user] = await tx.select().from(users).where(eq(users.oidcSubject, subject)).limit(1);
    if (!user) {
      const byEmail = await findUserByEmail(tx, email);
      // Link an existing account only on a verified email, or the provider could claim anyone's account.
      if (byEmail && claims.email_verified !== true) throw new AppError("CONFLICT", "an account with this email exists; the provider must verify the email to link it");
      if (byEmail) [user] = await tx.update(users).set({ oidcSubject: subject }).where(eq(users.id, byEmail.id)).returning();
      else [user] = await tx.insert(users).values({ email, name: typeof claims.name === "string" ? claims.name.slice(0, 200) : email, role, oidcSubject: subject }).returning();
    }
    if (!user) throw new Error("user upsert returned nothing");
    if (user.disabledAt || accessEnded(user)) throw new AppError("UNAUTHENTICATED", "this account is disabled or its engagement access has ended");
    // An engagement auditor stays one: the provider's groups never widen an account limited to one engagement.
    if (user.role !== role && user.role !== "engagement-auditor") [user] = await tx.update(users).set({ role }).where(eq(users.id, user.id)).returning();
    if (!user) throw new Error("user update returned nothing");
    const session = await createSession(tx, user.id, meta);
    await recordAudit(tx, { actor: user.email, actorType: "user", action: "auth.sign-in", target: `user:${user.email}`, ip: meta.ip, details: { method: "oidc", issuer: c.issuer, role } });
    return { cookieValue: session.cookieValue, next: flow.next, user };
  });
}

export function flowCookie(value: string, secure: boolean, maxAge = FLOW_TTL_SECONDS): string {
  return `${OIDC_FLOW_COOKIE}=${value}; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;
}
