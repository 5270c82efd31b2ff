import type { SelectTfjsBackendOptions, TfjsBackendPreference } from '@dga/pipeline';

/**
 * `selectTfjsBackend` options of the CLI: the `DGA_TFJS_BACKEND` preference (undefined: auto),
 * named as such in reasons and errors, and tfjs-node imported from the CLI, which installs it.
 */
export function tfjsBackendOptions(preference: TfjsBackendPreference | undefined): SelectTfjsBackendOptions {
  return {
    ...(preference === undefined ? {} : { prefer: preference, preferenceName: 'DGA_TFJS_BACKEND' }),
    importNode: () => import('@tensorflow/tfjs-node'),
  };
}
