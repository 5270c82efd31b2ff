/**
 * Environment variables that make onnxruntime-node (1.30, Linux) skip its telemetry start-up:
 * the CI markers it checks and its own unit-test switch.
 */
const ortTelemetryOffSwitches = [
  'CI',
  'TF_BUILD',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'CIRCLECI',
  'TRAVIS',
  'JENKINS_URL',
  'CODEBUILD_BUILD_ID',
  'BUILDKITE',
  'TEAMCITY_VERSION',
  'APPVEYOR',
  'BITBUCKET_BUILD_NUMBER',
  'SYSTEM_TEAMFOUNDATIONCOLLECTIONURI',
  'ORT_RUNNING_UNIT_TESTS',
] as const;

/**
 * A copy of `env` without the variables that turn ONNX Runtime's telemetry off, so a child
 * process starts ONNX Runtime as on a user's machine even under CI. Tests of start-up defects in
 * that telemetry (the long command line crash) need it; they would pass vacuously in CI otherwise.
 */
export function withOrtTelemetryOn(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && !(ortTelemetryOffSwitches as readonly string[]).includes(key)) copy[key] = value;
  }
  return copy;
}
