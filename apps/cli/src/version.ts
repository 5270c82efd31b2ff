declare const __DGA_PACKAGE_VERSION__: string | undefined;

/** The version of the `dga` command, set at build time; `0.1.0-source` when run from source. */
export const VERSION: string =
  typeof __DGA_PACKAGE_VERSION__ === 'string' ? __DGA_PACKAGE_VERSION__ : '0.1.0-source';
