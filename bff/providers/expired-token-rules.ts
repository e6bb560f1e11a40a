/**
 * When does an upstream answer mean "your access token expired"? RFC 6750's `401` with a
 * Bearer challenge `error="invalid_token"`, plus small named rules for providers that say it their own
 * way. Everything else (403 insufficient_scope, any other 4xx) is the API's answer and passes through.
 */
export interface ExpiredTokenRule {
  name: string;
  matches(status: number, wwwAuthenticate: string | null): boolean;
}

/** The error parameter of the Bearer challenge, if there is one (several challenges may be listed). */
export function bearerChallengeError(header: string | null): string | undefined {
  if (!header) return undefined;
  // Split before each auth-scheme token (a token followed by a space and a param or quoted string).
  for (const challenge of header.split(/,?\s*(?=\b[A-Za-z][\w!#$%&'*+.^`|~-]*\s+(?:[\w-]+=|"))/)) {
    const scheme = /^\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)/.exec(challenge)?.[1];
    if (scheme?.toLowerCase() !== 'bearer') continue;
    return /(?:^|[\s,])error\s*=\s*(?:"([^"]*)"|([^\s,]+))/i
      .exec(challenge.slice(scheme.length))
      ?.slice(1)
      .find(Boolean);
  }
  return undefined;
}

export const rfc6750InvalidToken: ExpiredTokenRule = {
  name: 'rfc6750',
  matches: (status, header) => status === 401 && bearerChallengeError(header) === 'invalid_token',
};

/** Facebook's Graph API answers an expired token with 400 and its own challenge. */
export const facebookInvalidToken: ExpiredTokenRule = {
  name: 'facebook',
  matches: (status, header) =>
    status === 400 && (header ?? '').includes('OAuth "Facebook Platform" "invalid_token"'),
};

const QUIRKS: Record<string, ExpiredTokenRule> = { facebook: facebookInvalidToken };

export function expiredTokenRules(quirks: readonly string[]): ExpiredTokenRule[] {
  return [
    rfc6750InvalidToken,
    ...quirks.map((name) => {
      const rule = QUIRKS[name];
      if (!rule) throw new Error(`unknown expired-token quirk "${name}"`);
      return rule;
    }),
  ];
}

export function matchingRule(
  rules: readonly ExpiredTokenRule[],
  status: number,
  wwwAuthenticate: string | null | undefined,
): ExpiredTokenRule | undefined {
  return rules.find((rule) => rule.matches(status, wwwAuthenticate ?? null));
}
