import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { mlmmEngineExtension } from '../engines';
import { MlmmError, MlmmResponseError } from '../mlmm-error';
import type { MlmmDownloadOptions, MlmmDownloadResult } from '../mlmm-types';
import { usage, validateName } from './client-config';
import { fileError } from './file-error';
import { lookUp, notFound, withoutImage, type ClientContext } from './look-up-model';
import { pythonQuote } from './python-quote';
import { randomHex } from './random-hex';
import { isRecord } from './validate';

/** `MlmmClient.downloadModel`: fetches the model with its file, checks the file and writes it atomically. */
export async function downloadModel(
  context: ClientContext,
  name: string,
  downloadOptions: MlmmDownloadOptions,
): Promise<MlmmDownloadResult> {
  const { displayPrefix, random } = context.config;
  validateName(name);
  if (!isRecord(downloadOptions) || typeof downloadOptions.directory !== 'string' || downloadOptions.directory === '') {
    throw usage('Invalid directory', `downloadModel('${name}', { directory }) needs the folder to write the model file into`);
  }
  const explicitName = downloadOptions.fileName;
  const unsafe = (candidate: string): boolean =>
    candidate === '' || candidate === '.' || candidate === '..' || /[/\\\0]/.test(candidate);
  if (explicitName !== undefined && unsafe(explicitName)) {
    throw usage(`Invalid file name: '${explicitName}'`, 'options.fileName must be a plain file name without "/" or "\\"');
  }
  if (explicitName === undefined && unsafe(name)) {
    throw new MlmmError({
      code: 'ERR_MLMM_INVALID_NAME',
      msg: `Invalid file name: '${name}'`,
      detail: `the model name cannot be used as a file name inside ${downloadOptions.directory}; pass options.fileName`,
    });
  }
  const model = await lookUp(context, name, false, downloadOptions.signal);
  if (model === null) throw notFound(context.config, name);
  const image = model['image'] as Record<string, unknown>;
  const encoded = (image['image'] as string).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 === 1) {
    throw new MlmmResponseError({
      code: 'ERR_MLMM_RESPONSE_INVALID',
      msg: 'Unexpected response: "image.image" is not valid base64',
      detail: `GET ${displayPrefix}/models/${pythonQuote(name)}?fast=False returned a model whose file cannot be decoded`,
      status: 200,
      method: 'GET',
      url: `${displayPrefix}/models/${pythonQuote(name)}?fast=False`,
      body: `${encoded.slice(0, 80)}…`,
    });
  }
  const bytes = Buffer.from(encoded, 'base64');
  const declared = image['size'];
  if (typeof declared === 'number' && Number.isInteger(declared) && declared !== bytes.length) {
    const url = `${displayPrefix}/models/${pythonQuote(name)}?fast=False`;
    throw new MlmmResponseError({
      code: 'ERR_MLMM_RESPONSE_INVALID',
      msg: `Unexpected response: "image.size" says ${declared} bytes but "image.image" decodes to ${bytes.length}`,
      detail: `GET ${url} returned a truncated or substituted model file; nothing was written. Retry, or check the URL and any proxy in between`,
      status: 200,
      method: 'GET',
      url,
      body: `${encoded.slice(0, 80)}…`,
    });
  }
  const engine = typeof model['engine'] === 'string' ? model['engine'] : '';
  const file = resolve(downloadOptions.directory, explicitName ?? `${name}${mlmmEngineExtension(engine)}`);
  await downloadOptions.verify?.(bytes, file);
  try {
    await writeFileAtomic(file, bytes, random);
  } catch (error) {
    throw fileError(`Cannot write ${file}`, 'check that the directory is writable and the disk has space', error);
  }
  return { ...withoutImage(model), file };
}

async function writeFileAtomic(file: string, bytes: Uint8Array, random: () => number): Promise<void> {
  const folder = dirname(file);
  await mkdir(folder, { recursive: true });
  for (let tries = 0; ; tries++) {
    const temp = join(folder, `.${basename(file)}.${randomHex(random, 12)}.tmp`);
    let handle;
    try {
      handle = await open(temp, 'wx');
    } catch (error) {
      if (isRecord(error) && error['code'] === 'EEXIST' && tries < 10) continue;
      throw error;
    }
    try {
      await handle.writeFile(bytes);
      await handle.sync();
      await handle.close();
      await rename(temp, file);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
    return;
  }
}
