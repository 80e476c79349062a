import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector } from 'undici';

/**
 * The outbound URL policy: which partner URLs the hub may fetch. A partner chooses every URL
 * the hub calls (its credentials url, the endpoints its version details list, Link headers),
 * so without a policy any partner could make the hub fetch its own loopback, the private
 * network or a cloud metadata service. The address is checked where the socket is opened,
 * on the address the operating system resolved, so a name cannot resolve to a public address
 * for a check and to a private one for the connection (DNS rebinding).
 */
export const ALLOW_PRIVATE_SETTING = 'ALLOW_PRIVATE_PARTNER_URLS';

export interface OutboundPolicy {
  /** Loopback, private, link-local (metadata), unique-local, CGNAT… allowed: a sandbox or demo on one machine. */
  allowPrivateAddresses: boolean;
  /** Largest answer read from a partner; past it the connection is cut. */
  maxResponseBytes: number;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

export type RefusalReason = 'SCHEME' | 'ADDRESS';

/** A partner URL the policy does not allow; nothing was sent. */
export class OutboundRefusedError extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED';
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly address?: string,
    readonly range?: string,
  ) {
    super(message);
    this.name = 'OutboundRefusedError';
  }
}

export interface AddressVerdict {
  allowed: boolean;
  /** The ipaddr.js range name ('unicast', 'loopback', 'private', 'linkLocal', …), of the embedded IPv4 address for a mapped one. */
  range: string;
  family: 4 | 6;
}

// IPv6 global unicast (RFC 4291 2.4): everything else of IPv6 is special-purpose, IPv4-compatible or unassigned.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/**
 * Whether an IP address (as the resolver or a URL gives it: IPv4 dotted quad, IPv6 in any
 * compressed form, with or without brackets or zone) may be connected to when private
 * addresses are not allowed. Only plain public unicast passes; an IPv4-mapped IPv6 address
 * (::ffff:127.0.0.1) is judged as the IPv4 address it carries. Unparseable → refused.
 */
export function classifyAddress(input: string): AddressVerdict {
  const text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  if (!net.isIP(text.replace(/%.*$/, ''))) return { allowed: false, range: 'invalid', family: text.includes(':') ? 6 : 4 };
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(text);
  } catch {
    return { allowed: false, range: 'invalid', family: text.includes(':') ? 6 : 4 };
  }
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      const v4 = v6.toIPv4Address().range();
      return { allowed: v4 === 'unicast', range: v4, family: 6 };
    }
    const range = v6.range();
    return { allowed: range === 'unicast' && v6.match(GLOBAL_UNICAST_V6), range: range === 'unicast' && !v6.match(GLOBAL_UNICAST_V6) ? 'notGlobalUnicast' : range, family: 6 };
  }
  const range = (address as ipaddr.IPv4).range();
  return { allowed: range === 'unicast', range, family: 4 };
}

const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  linkLocal: 'a link-local address (cloud metadata services live here)',
  uniqueLocal: 'a unique-local (private IPv6) address',
  carrierGradeNat: 'a carrier-grade NAT address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  unspecified: 'an unspecified address',
};

function refuseAddress(address: string, verdict: AddressVerdict, host: string): OutboundRefusedError {
  const what = RANGE_WORDS[verdict.range] ?? `a special-purpose address (${verdict.range})`;
  const via = host === address ? address : `${host} resolves to ${address}`;
  return new OutboundRefusedError('ADDRESS', `refused by the outbound URL policy: ${via}, ${what}; set ${ALLOW_PRIVATE_SETTING}=true to allow loopback, private and link-local partner addresses`, address, verdict.range);
}

/** Parses a partner URL and checks what can be checked before any socket: the scheme. */
export function checkUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new OutboundRefusedError('SCHEME', 'refused by the outbound URL policy: not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new OutboundRefusedError('SCHEME', `refused by the outbound URL policy: scheme ${parsed.protocol} (only http and https)`);
  }
  return parsed;
}

export type Resolver = (hostname: string, options: dns.LookupAllOptions, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/**
 * A `lookup` for net/tls.connect that resolves with `resolve` and hands the socket only the
 * addresses the policy allows (all refused → the policy error). Honours `all` (Node's
 * happy-eyeballs asks for every address) and `family`.
 */
function policyLookup(policy: Pick<OutboundPolicy, 'allowPrivateAddresses'>, resolve: Resolver = systemResolver): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', undefined);
      let allowed = addresses;
      if (!policy.allowPrivateAddresses) {
        allowed = addresses.filter((a) => classifyAddress(a.address).allowed);
        if (!allowed.length) {
          const first = addresses[0];
          const refusal = first
            ? refuseAddress(first.address, classifyAddress(first.address), hostname)
            : new OutboundRefusedError('ADDRESS', `refused by the outbound URL policy: ${hostname} resolves to no address`);
          return callback(refusal as NodeJS.ErrnoException, '', undefined);
        }
      }
      if (options.all) return callback(null, allowed);
      const chosen = allowed[0]!;
      return callback(null, chosen.address, chosen.family);
    });
  }) as net.LookupFunction;
}

/**
 * An undici connector that applies the policy where the socket is opened: an IP literal is
 * judged as it is (net.connect does no lookup for one), a name through `policyLookup`.
 */
function policyConnector(policy: Pick<OutboundPolicy, 'allowPrivateAddresses'>, resolve?: Resolver, options: buildConnector.BuildOptions = {}): buildConnector.connector {
  const base = buildConnector({ ...options, lookup: policyLookup(policy, resolve) });
  return (opts, callback) => {
    if (opts.protocol !== 'http:' && opts.protocol !== 'https:') {
      callback(new OutboundRefusedError('SCHEME', `refused by the outbound URL policy: scheme ${opts.protocol} (only http and https)`), null);
      return;
    }
    const literal = opts.hostname.startsWith('[') ? opts.hostname.slice(1, -1) : opts.hostname;
    if (!policy.allowPrivateAddresses && net.isIP(literal)) {
      const verdict = classifyAddress(literal);
      if (!verdict.allowed) {
        callback(refuseAddress(literal, verdict, literal), null);
        return;
      }
    }
    base(opts, callback);
  };
}

/** The dispatcher of every partner call: the policy at connect time, no redirects (undici's request follows none without an interceptor). */
export function createOutboundAgent(policy: Pick<OutboundPolicy, 'allowPrivateAddresses'>, resolve?: Resolver): Agent {
  return new Agent({ connect: policyConnector(policy, resolve) });
}
