/**
 * The public dataset of Devo's DGA tutorial (`host;domain;class;subclass`, about 134k rows).
 *
 * @example
 * readDataset(DEFAULT_DATASET_URL, { cacheDir: '.cache/dga' });
 */
export const DEFAULT_DATASET_URL: string =
  'https://devo-ml-models-public-demos.s3.eu-west-3.amazonaws.com/legit_dga/dataset.csv';

/**
 * Chooses the dataset source: the `--dataset` flag, else the `DGA_DATASET` value the app read
 * from its environment, else {@link DEFAULT_DATASET_URL}. Empty strings count as unset. The
 * library never reads the environment itself: pass `process.env.DGA_DATASET` in.
 *
 * @example
 * const source = resolveDatasetSource(flags.dataset, process.env['DGA_DATASET']);
 */
export function resolveDatasetSource(flag?: string, env?: string): string {
  if (flag !== undefined && flag.trim() !== '') return flag;
  if (env !== undefined && env.trim() !== '') return env;
  return DEFAULT_DATASET_URL;
}

/** True when `source` is an `http:` or `https:` URL rather than a file path. */
export function isUrlSource(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The URL without credentials or query string, safe for messages. */
export function redactUrl(source: string): string {
  try {
    const url = new URL(source);
    url.username = '';
    url.password = '';
    const hadQuery = url.search !== '';
    url.search = '';
    url.hash = '';
    return hadQuery ? `${url.href}?…` : url.href;
  } catch {
    return source.replace(/\/\/[^/@]*@/, '//').replace(/\?.*$/, '?…');
  }
}
