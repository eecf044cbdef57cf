import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { PEER_HEADER, clientAddress, parseTrustedProxies, stampPeerAddress } from "./client-address";

const headers = (h: Record<string, string>) => new Headers(h);

describe("the client's address", () => {
  it("is the socket's address when no proxy is trusted: X-Forwarded-For is the client's own word", () => {
    const h = headers({ [PEER_HEADER]: "198.51.100.20", "x-forwarded-for": "203.0.113.1" });
    expect(clientAddress(h, null)).toBe("198.51.100.20");
  });

  it("with a number of trusted hops, is the address the outermost trusted proxy saw", () => {
    const h = headers({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.1" });
    expect(clientAddress(h, parseTrustedProxies("1"))).toBe("10.0.0.1");
    expect(clientAddress(h, parseTrustedProxies("2"))).toBe("203.0.113.7");
    // Fewer entries than hops: the request did not come through the proxies; take the socket.
    expect(clientAddress(headers({ [PEER_HEADER]: "10.0.0.2" }), parseTrustedProxies("1"))).toBe("10.0.0.2");
  });

  it("with trusted CIDRs, is the nearest address that is not a trusted proxy, and only from a trusted peer", () => {
    const trusted = parseTrustedProxies("10.0.0.0/8, fd00::/8");
    expect(clientAddress(headers({ [PEER_HEADER]: "10.1.2.3", "x-forwarded-for": "6.6.6.6, 203.0.113.9, 10.9.9.9" }), trusted)).toBe("203.0.113.9");
    expect(clientAddress(headers({ [PEER_HEADER]: "198.51.100.4", "x-forwarded-for": "203.0.113.9" }), trusted)).toBe("198.51.100.4");
    expect(clientAddress(headers({ [PEER_HEADER]: "fd00::1", "x-forwarded-for": "2001:db8::5" }), trusted)).toBe("2001:db8::5");
  });

  it("is never something that is not an IP address", () => {
    const h = headers({ [PEER_HEADER]: "10.0.0.2", "x-forwarded-for": "=cmd|' /C calc'!A0" });
    expect(clientAddress(h, parseTrustedProxies("1"))).toBe("10.0.0.2");
    expect(clientAddress(headers({ [PEER_HEADER]: "not-an-ip" }), null)).toBeNull();
  });

  it("refuses a trusted-proxy setting that is neither a hop count nor CIDRs", () => {
    expect(() => parseTrustedProxies("yes")).toThrow(/CUSTODY_TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(/CUSTODY_TRUSTED_PROXIES/);
    expect(parseTrustedProxies("")).toBeNull();
  });

  it("is stamped from the socket on every request the server receives, over whatever the client sent", async () => {
    stampPeerAddress();
    const server = createServer((req, res) => res.end(String(req.headers[PEER_HEADER])));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { headers: { [PEER_HEADER]: "6.6.6.6", "x-forwarded-for": "6.6.6.6" } });
      expect(await res.text()).toBe("127.0.0.1");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
