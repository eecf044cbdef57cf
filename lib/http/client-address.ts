import { Server, type IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/**
 * The header carrying the socket's peer address into route handlers (Next does not expose the
 * socket). Set by stampPeerAddress on every request, over any value a client sent.
 */
export const PEER_HEADER = "x-custody-peer";

export type TrustedProxies = { hops: number } | { cidrs: BlockList; text: string } | null;

/**
 * CUSTODY_TRUSTED_PROXIES: empty (no proxy: the socket's address), a number of proxy hops in front
 * of Custody, or comma-separated CIDRs of the proxies (`10.0.0.0/8, fd00::/8`).
 */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const v = value?.trim() ?? "";
  if (v === "") return null;
  if (/^\d{1,2}$/.test(v)) return Number(v) === 0 ? null : { hops: Number(v) };
  const cidrs = new BlockList();
  for (const part of v.split(",").map((p) => p.trim())) {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(part);
    const family = m?.[1] ? isIP(m[1]) : 0;
    const prefix = Number(m?.[2]);
    if (!m?.[1] || family === 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new Error(`CUSTODY_TRUSTED_PROXIES must be a number of proxy hops or comma-separated CIDRs (e.g. 10.0.0.0/8); "${part}" is neither`);
    }
    cidrs.addSubnet(m[1], prefix, family === 4 ? "ipv4" : "ipv6");
  }
  return { cidrs, text: v };
}

const ip = (value: string | null | undefined): string | null => {
  let v = value?.trim();
  // A dual-stack socket reports IPv4 peers as ::ffff:a.b.c.d.
  if (v?.toLowerCase().startsWith("::ffff:") && isIP(v.slice(7)) === 4) v = v.slice(7);
  return v && isIP(v) !== 0 ? v : null;
};
const trustedBy = (cidrs: BlockList, address: string) => cidrs.check(address, isIP(address) === 4 ? "ipv4" : "ipv6");

/**
 * The client's address: the socket's peer, unless proxies are trusted, and then the address the
 * outermost trusted proxy saw (X-Forwarded-For read from the right, past the trusted hops). A
 * client's own X-Forwarded-For entries are never taken, and only a valid IP address is answered.
 */
export function clientAddress(headers: Headers, trusted: TrustedProxies): string | null {
  const peer = ip(headers.get(PEER_HEADER));
  if (!trusted) return peer;
  const hops = (headers.get("x-forwarded-for") ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  if ("hops" in trusted) {
    if (hops.length < trusted.hops) return peer;
    return ip(hops[hops.length - trusted.hops]) ?? peer;
  }
  if (peer && !trustedBy(trusted.cidrs, peer)) return peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = ip(hops[i]);
    if (!hop) return peer;
    if (!trustedBy(trusted.cidrs, hop)) return hop;
  }
  return peer;
}

const STAMPED = Symbol.for("custody.peer-address-stamped");

/**
 * Writes each request's socket address into PEER_HEADER before any handler sees it, for every
 * HTTP server in this process (Next's included). Called once at start (instrumentation).
 */
export function stampPeerAddress(): void {
  const proto = Server.prototype as unknown as Record<symbol, unknown> & { emit: (event: string | symbol, ...args: unknown[]) => boolean };
  if (proto[STAMPED]) return;
  proto[STAMPED] = true;
  const emit = proto.emit;
  proto.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const req = args[0] as IncomingMessage;
      req.headers[PEER_HEADER] = req.socket.remoteAddress ?? "";
    }
    return emit.call(this, event, ...args);
  };
}
