/** An exported error class with the static `isInstance` of the toolkit's error model. */
export type ErrorClass = (abstract new (...args: never[]) => Error) & { isInstance(value: unknown): boolean };

/** One row of an error-model table: an exported error class and an instance made with its constructor. */
export type ErrorModelCase = readonly [errorClass: ErrorClass, sample: Error];

const codePattern = /^ERR_[A-Z0-9]+(?:_[A-Z0-9]+)+$/;

/**
 * What breaks the toolkit's error model among `cases` (docs/decisions/0012-error-model-and-retry.md):
 * every sample has a string `code` `ERR_<AREA>_<WHAT>` and its class's `name`; every class's
 * `isInstance`, and that of the same class in `copy` (a second instance of its module, as a
 * duplicated install of the package would load), is true exactly for the samples that are
 * `instanceof` it (its own and its subclasses'), and false for a plain `Error` with the same
 * `name`, `null` and a string. Returns one line per violation.
 *
 * @example
 * vi.resetModules();
 * const copy = await import('./features-error');
 * expect(errorModelViolations([[FeaturesError, new FeaturesError('ERR_FEATURES_EMPTY_LABEL', 'empty')]], copy)).toEqual([]);
 */
export function errorModelViolations(cases: readonly ErrorModelCase[], copy: Readonly<Record<string, unknown>>): string[] {
  const violations: string[] = [];
  for (const [errorClass, sample] of cases) {
    const code = (sample as { code?: unknown }).code;
    if (typeof code !== 'string' || !codePattern.test(code)) violations.push(`${errorClass.name}: code ${String(code)} is not an ERR_<AREA>_<WHAT> string`);
    if (sample.name !== errorClass.name) violations.push(`${errorClass.name}: name is "${sample.name}"`);
  }
  for (const [errorClass] of cases) {
    const copied = copy[errorClass.name] as ErrorClass | undefined;
    if (copied === undefined || copied === errorClass) {
      violations.push(`${errorClass.name}: no second copy of the class; load its module again after vi.resetModules()`);
      continue;
    }
    for (const [other, sample] of cases) {
      const expected = sample instanceof errorClass;
      if (errorClass.isInstance(sample) !== expected) violations.push(`${errorClass.name}.isInstance(a ${other.name}) is not ${String(expected)}`);
      if (copied.isInstance(sample) !== expected) violations.push(`${errorClass.name}.isInstance from another copy, on a ${other.name}, is not ${String(expected)}`);
    }
    const lookalike = Object.assign(new Error('lookalike'), { name: errorClass.name });
    for (const value of [lookalike, null, 'error']) {
      if (errorClass.isInstance(value)) violations.push(`${errorClass.name}.isInstance(${value === null ? 'null' : typeof value}) is true`);
    }
  }
  return violations;
}
