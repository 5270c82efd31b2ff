/**
 * Vite/vitest resolve options that make workspace packages resolve to their TypeScript source
 * through the `@dga/source` export condition, so tests need no prior build.
 */
export const sourceConditions = {
  resolve: { conditions: ['@dga/source', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['@dga/source', 'module', 'node', 'default'] } },
} as const;
