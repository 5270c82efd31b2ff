
/** Flags every command accepts: logging verbosity and format. */
export const globalArgs = {
  verbose: { type: 'boolean', description: 'Log debug details and error causes on stderr' },
  quiet: { type: 'boolean', description: 'Log only warnings and errors; no progress' },
  'log-format': {
    type: 'enum',
    options: ['human', 'json'] as string[],
    description: 'Log format on stderr: human text or JSON lines',
    valueHint: 'human|json',
  },
} as const;

/** Devo connection flags shared by register, models and query. */
export const devoArgs = {
  token: { type: 'string', description: 'Devo token (env DEVO_TOKEN; never printed)', valueHint: 'token' },
  profile: { type: 'string', description: 'Profile of modelmanager.ini (env DGA_PROFILE)', valueHint: 'name' },
  'profile-file': {
    type: 'string',
    description: 'modelmanager.ini file or its folder (env DGA_PROFILE_FILE; else cwd, then home)',
    valueHint: 'path',
  },
} as const;

const TIMEOUT_DESCRIPTION = 'Longest wait to connect, or for the next byte from the server (30s, 500ms, 2m; bare number = seconds)';
const TOTAL_TIMEOUT_DESCRIPTION = 'Deadline of each request, however slowly the server sends data (same units)';

/** Model Manager flags (register, models). */
export const mlmmArgs = {
  'mlmm-url': {
    type: 'string',
    description: 'Model Manager base URL (env DEVO_MLMM_URL), e.g. https://api-us.devo.com/mlmodelmanager/',
    valueHint: 'url',
  },
  'auth-type': {
    type: 'enum',
    options: ['standalone', 'bearer'] as string[],
    description: 'How the token is sent (env DGA_MLMM_AUTH_TYPE; default standalone)',
  },
  'mlmm-domain': {
    type: 'string',
    description: 'Legacy servers (< 2.4.0) only: domain path segment (env DGA_MLMM_DOMAIN)',
    valueHint: 'domain',
  },
  timeout: { type: 'string', description: TIMEOUT_DESCRIPTION as string, default: '30s', valueHint: 'duration' },
  'total-timeout': { type: 'string', description: TOTAL_TIMEOUT_DESCRIPTION as string, default: '5m', valueHint: 'duration' },
} as const;

/** Timeout flags of `dga query`: the idle timeout, and an optional deadline of the whole query. */
export const queryTimeoutArgs = {
  timeout: { type: 'string', description: TIMEOUT_DESCRIPTION as string, default: '300s', valueHint: 'duration' },
  'total-timeout': { type: 'string', description: `${TOTAL_TIMEOUT_DESCRIPTION}; default: none` as string, valueHint: 'duration' },
} as const;
