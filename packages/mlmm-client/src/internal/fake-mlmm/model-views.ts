import type { FakeMlmmModel } from '../../fake-mlmm-types';
import type { StoredImage } from './fake-mlmm-store';

/** The body of `GET /models/{name}` (docs/reference/mlmm-api.md §4.2); `fast` leaves out the base64 file. */
export function modelBody(model: FakeMlmmModel, image: StoredImage | undefined, fast: boolean): Record<string, unknown> {
  return {
    id: model.id,
    name: model.name,
    engine: model.engine,
    description: model.description,
    creationDate: model.creationDate,
    updateDate: model.updateDate,
    domainId: 'fake-domain',
    domainName: model.domainName,
    outputType: model.outputType,
    category: model.category,
    fields: model.fields,
    clusters: model.clusters,
    parentId: model.parentId,
    hidden: model.hidden,
    runtimeSize: model.runtimeSize,
    image: {
      id: model.imageId,
      size: image?.bytes.length ?? 0,
      ...(fast ? {} : { image: Buffer.from(image?.bytes ?? new Uint8Array()).toString('base64') }),
    },
  };
}

/** One entry of `GET /models` (docs/reference/mlmm-api.md §4.1). */
export function summary(model: FakeMlmmModel): Record<string, unknown> {
  return {
    id: model.id,
    name: model.name,
    engine: model.engine,
    description: model.description,
    creationDate: model.creationDate,
    updateDate: model.updateDate,
    outputType: model.outputType,
    category: model.category,
    domainName: model.domainName,
    parentId: model.parentId,
    runtimeSize: model.runtimeSize,
    imageId: model.imageId,
  };
}
