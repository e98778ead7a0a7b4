/**
 * Which API base URLs may receive the token: a shared leaf, so `validate`
 * (src/config, no API call) refuses exactly what `plan` (src/api) would.
 */

/**
 * Why `raw` cannot be the API base URL, or the URL as used (no trailing slashes):
 * https, or http to loopback only; no credentials, query or fragment.
 */
export function judgeApiUrl(raw: string): { ok: true; url: string } | { ok: false; problem: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return {
      ok: false,
      problem: `"${hideUserInfo(raw)}" is not a URL; expected e.g. https://www.workato.com`,
    };
  }
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      problem: 'the URL must not hold credentials; the token is read from WORKATO_API_TOKEN',
    };
  }
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      return {
        ok: false,
        problem: `plain http:// is refused for ${url.host}: the API token would travel unencrypted; use https:// (http:// is allowed only for localhost, 127.0.0.0/8 and ::1, e.g. the emulator)`,
      };
    }
  } else if (url.protocol !== 'https:') {
    return { ok: false, problem: `unsupported scheme ${url.protocol}; use https://` };
  }
  if (url.search !== '' || url.hash !== '') {
    return {
      ok: false,
      problem: `the URL must not have a query or fragment: ${url.origin}${url.pathname}`,
    };
  }
  // Keep a path prefix (a reverse proxy may mount the API under one), minus trailing slashes.
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

/** The URL parser has already lower-cased the host and normalised IPv4 forms like `127.1`. */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) return true;
  const ipv6 = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  // ::1, and IPv4-mapped 127.x.x.x, which the parser writes as ::ffff:7fxx:xxxx.
  return ipv6 === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(ipv6);
}

function hideUserInfo(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//***@');
}
