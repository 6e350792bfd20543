/**
 * Conditional Access claims challenges: an API that wants more of the person (MFA, a compliant
 * device, an authentication context) answers 401 with `WWW-Authenticate: Bearer
 * error="insufficient_claims", claims="…"`; the app sends those claims to the authorization
 * endpoint and gets a token that carries them. Apps declare that they can do this with the client
 * capability `cp1`, sent in the same `claims` parameter.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/claims-challenge
 * @see https://openid.net/specs/openid-connect-core-1_0.html#ClaimsParameter
 */

/** The claims a challenge asks for (parsed JSON), or `null` when the answer is no challenge. */
export function claimsChallengeOf(response: {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
}): Record<string, unknown> | null {
  if (response.status !== 401) return null;
  const header = response.headers.get('www-authenticate');
  if (header === null) return null;
  const params = bearerParameters(header);
  if (params.get('error') !== 'insufficient_claims') return null;
  const claims = params.get('claims');
  return claims === undefined ? null : parseClaims(claims);
}

/** The auth-params of a `Bearer` challenge (RFC 6750 §3), names in lower case. */
export function bearerParameters(header: string): Map<string, string> {
  const params = new Map<string, string>();
  const start = header.search(/(^|,|\s)Bearer\s/i);
  if (start === -1) return params;
  const rest = header.slice(start).replace(/^[,\s]*Bearer\s+/i, '');
  const param = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*(?:,|$)/y;
  let match: RegExpExecArray | null;
  while ((match = param.exec(rest)) !== null) {
    const name = match[1];
    if (name === undefined) break;
    params.set(name.toLowerCase(), (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1'));
    if (param.lastIndex >= rest.length) break;
  }
  return params;
}

// Entra sends the claims base64-encoded; some APIs send the JSON itself.
function parseClaims(value: string): Record<string, unknown> | null {
  const json = value.trimStart().startsWith('{')
    ? value
    : Buffer.from(value, 'base64').toString('utf8');
  if (json.length > 4096) return null;
  try {
    const parsed: unknown = JSON.parse(json);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/**
 * The `claims` request parameter: the challenge's claims, with the client capabilities as
 * `access_token.xms_cc`; `undefined` when there is nothing to send.
 */
export function claimsParameter(
  challenge: Record<string, unknown> | null,
  capabilities: readonly string[],
): string | undefined {
  const claims: Record<string, unknown> = { ...(challenge ?? {}) };
  if (capabilities.length > 0) {
    const accessToken = isObject(claims['access_token']) ? claims['access_token'] : {};
    claims['access_token'] = { ...accessToken, xms_cc: { values: [...capabilities] } };
  }
  return Object.keys(claims).length === 0 ? undefined : JSON.stringify(claims);
}

/**
 * What a challenge asks for, in words safe to show: the names of the claims asked for the access
 * token and their values (such as `acrs c1`, an authentication context).
 */
export function describeClaims(challenge: Record<string, unknown>): string {
  const accessToken = isObject(challenge['access_token']) ? challenge['access_token'] : {};
  const parts = Object.entries(accessToken).map(([name, request]) => {
    const r = isObject(request) ? request : {};
    const values = Array.isArray(r['values'])
      ? r['values']
      : r['value'] === undefined
        ? []
        : [r['value']];
    const shown = (values as unknown[]).filter(
      (v): v is string => typeof v === 'string' && /^[\w.:-]{1,64}$/.test(v),
    );
    return /^[\w.-]{1,64}$/.test(name) ? [name, ...shown].join(' ') : '';
  });
  return parts.filter(Boolean).join(', ') || 'more claims';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
