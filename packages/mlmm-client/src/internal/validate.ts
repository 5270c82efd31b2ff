/** Hand-written guards for the response bodies of docs/reference/mlmm-api.md §4. Each returns a problem or undefined. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python truthiness of a decoded JSON body: null, false, 0, '', {} and [] are "absent" (docs/reference/mlmm-api.md §4.2). */
export function isPythonFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isRecord(value)) return Object.keys(value).length === 0;
  return false;
}

function checkOptional(
  record: Record<string, unknown>,
  key: string,
  check: (value: unknown) => boolean,
  expected: string,
): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  return check(value) ? undefined : `"${key}" should be ${expected}, got ${JSON.stringify(value)?.slice(0, 60)}`;
}

const isNumber = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value);
const isString = (value: unknown): boolean => typeof value === 'string';

/** Problem with a model object (GET /models/{name}), or undefined when it is well formed. */
export function modelProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected a JSON object';
  if (!isNumber(value['id'])) return `"id" should be a number, got ${JSON.stringify(value['id'])}`;
  if (typeof value['name'] !== 'string') return '"name" should be a string';
  if (typeof value['engine'] !== 'string') return '"engine" should be a string';
  return (
    checkOptional(value, 'description', isString, 'a string or null') ??
    checkOptional(value, 'creationDate', isNumber, 'a number') ??
    checkOptional(value, 'updateDate', isNumber, 'a number') ??
    checkOptional(value, 'runtimeSize', isNumber, 'a number') ??
    checkOptional(value, 'fields', Array.isArray, 'an array') ??
    checkOptional(value, 'clusters', Array.isArray, 'an array') ??
    checkOptional(value, 'hidden', (item) => typeof item === 'boolean', 'a boolean') ??
    checkOptional(value, 'image', isRecord, 'an object')
  );
}

/** Problem with a list (GET /models), or undefined. */
export function listProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'expected a JSON array of models';
  for (const [index, item] of value.entries()) {
    if (!isRecord(item)) return `item ${index} should be an object`;
    if (typeof item['name'] !== 'string') return `item ${index}: "name" should be a string`;
    const problem =
      checkOptional(item, 'id', isNumber, 'a number') ??
      checkOptional(item, 'engine', isString, 'a string') ??
      checkOptional(item, 'description', isString, 'a string or null');
    if (problem !== undefined) return `item ${index}: ${problem}`;
  }
  return undefined;
}

/** Problem with an upload review (POST /models/images/upload), or undefined. */
export function reviewProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected a JSON object (the review)';
  if (typeof value['valid'] !== 'boolean') return '"valid" should be a boolean';
  if (value['valid'] !== true) return checkOptional(value, 'errorDetail', isString, 'a string or null');
  if (!isNumber(value['imageId'])) return '"imageId" should be a number';
  if (!isNumber(value['size'])) return '"size" should be a number';
  return (
    checkOptional(value, 'fields', Array.isArray, 'an array') ??
    checkOptional(value, 'clusters', Array.isArray, 'an array') ??
    checkOptional(value, 'runtimeSize', isNumber, 'a number')
  );
}
