declare const __DGA_PACKAGE_VERSION__: string | undefined;

/** The version of `@dga/pipeline`, set at build time; `0.0.0-source` when run from source. */
export const VERSION: string =
  typeof __DGA_PACKAGE_VERSION__ === 'string' ? __DGA_PACKAGE_VERSION__ : '0.0.0-source';

/** The producer named in exported ONNX models and model cards. */
export const PIPELINE_PRODUCER = '@dga/pipeline';
