export { CSRF_HEADER, CSRF_HEADER_VALUE, type CsrfOptions, csrfProtection, normaliseOrigin } from './csrf.ts';
export { requestIds } from './request-id.ts';
export {
  MAX_DECODE_ROUNDS,
  MAX_RETURN_TO_LENGTH,
  parseReturnTo,
  type ReturnToRejection,
  type ReturnToResult,
} from './return-to.ts';
export { OPEN_REDIRECT_ATTEMPTS, SAFE_RETURN_TO_CASES } from './return-to-cases.ts';
export {
  contentSecurityPolicy,
  HSTS_VALUE,
  noStore,
  type SecurityHeadersOptions,
  securityHeaders,
} from './security-headers.ts';
