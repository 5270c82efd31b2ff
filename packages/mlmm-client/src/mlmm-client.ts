import { addModel } from './internal/add-model';
import { resolveClientConfig, validateName } from './internal/client-config';
import { downloadModel } from './internal/download-model';
import { lookUp, notFound, withoutImage, type ClientContext } from './internal/look-up-model';
import { createTransport } from './internal/transport';
import { decodeReply, responseError } from './internal/transport-errors';
import { listProblem } from './internal/validate';
import type { MlmmCallOptions, MlmmClient, MlmmClientOptions, MlmmModel, MlmmModelSummary } from './mlmm-types';

/**
 * Creates a client of Devo's ML Model Manager that puts on the wire exactly what the official
 * Python client `devo-mlmodelmanager` sends. Throws {@link MlmmError} (`ERR_MLMM_INVALID_OPTION`)
 * on an invalid URL or auth type, before any traffic.
 *
 * @example
 * ```ts
 * import { createMlmmClient } from '@dga/mlmm-client';
 *
 * const client = createMlmmClient({ url: 'https://api-us.devo.com/mlmodelmanager/', token });
 * await client.addModel('dga_classifier', 'ONNX', './model.onnx', { description: 'DGA', force: true });
 * const model = await client.findModel('dga_classifier');
 * const { file } = await client.downloadModel('dga_classifier', { directory: './models' });
 * ```
 */
export function createMlmmClient(options: MlmmClientOptions): MlmmClient {
  const config = resolveClientConfig(options);
  const context: ClientContext = { config, transport: createTransport(config) };
  const { jsonLimit } = config;
  const { send } = context.transport;

  return {
    async listModels(callOptions?: MlmmCallOptions): Promise<MlmmModelSummary[]> {
      const response = await send({ method: 'GET', path: 'models', retryable: true, maxBytes: jsonLimit, signal: callOptions?.signal });
      if (response.status === 204 && response.body.length === 0) return [];
      const decoded = decodeReply(config, response, 'a model list');
      const problem = listProblem(decoded);
      if (problem !== undefined) throw responseError(config, response, problem, 'a model list');
      return decoded as MlmmModelSummary[];
    },
    async getModel(name: string, callOptions?: MlmmCallOptions): Promise<MlmmModel> {
      validateName(name);
      const model = await lookUp(context, name, true, callOptions?.signal);
      if (model === null) throw notFound(config, name);
      return withoutImage(model);
    },

    async findModel(name: string, callOptions?: MlmmCallOptions): Promise<MlmmModel | null> {
      validateName(name);
      const model = await lookUp(context, name, true, callOptions?.signal);
      return model === null ? null : withoutImage(model);
    },

    downloadModel: (name, downloadOptions) => downloadModel(context, name, downloadOptions),
    addModel: (name, engine, fileOrBytes, addOptions) => addModel(context, name, engine, fileOrBytes, addOptions),
  };
}
