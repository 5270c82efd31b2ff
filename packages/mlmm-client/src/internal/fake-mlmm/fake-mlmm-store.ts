import type { FakeMlmmModel, FakeMlmmServerOptions, FakeMlmmUpload } from '../../fake-mlmm-types';

/** An uploaded model file. */
export interface StoredImage {
  id: number;
  bytes: Uint8Array;
  fileName: string;
  engine: string;
}

/** The fake's state: saved models, uploaded images, id and cid counters, and its clock. */
export class FakeMlmmStore {
  readonly models: Map<string, FakeMlmmModel> = new Map();
  readonly images: Map<number, StoredImage> = new Map();
  private nextModelId = 1;
  private nextImageId = 100;
  private nextCid = 1;
  private clock = 1_700_000_000_000 - 1000;
  private readonly options: FakeMlmmServerOptions;
  /** The server's clock: `options.now`, or one second more on each call. */
  readonly now: () => number;

  constructor(options: FakeMlmmServerOptions) {
    this.options = options;
    this.now = options.now ?? (() => (this.clock += 1000));
  }

  /** The next correlation id of an error body. */
  cid(): string {
    return `fake-${String(this.nextCid++).padStart(6, '0')}`;
  }

  /** The next model id. */
  newModelId(): number {
    return this.nextModelId++;
  }

  /** Keeps a copy of an uploaded file under a new image id. */
  storeImage(engine: string, fileName: string, bytes: Uint8Array): StoredImage {
    const image = { id: this.nextImageId++, bytes: Uint8Array.from(bytes), fileName, engine };
    this.images.set(image.id, image);
    return image;
  }

  /** What the server derives from an uploaded file: `options.review` over the defaults. */
  deriveReview(upload: FakeMlmmUpload): Record<string, unknown> {
    const onnx = upload.engine === 'ONNX';
    const derived = {
      outputType: onnx ? 'float4[]' : 'str',
      category: onnx ? 'Regression' : 'Binomial',
      fields: onnx ? [{ id: null, name: 'float_input', description: '', type: 'float4[]' }] : [],
      clusters: [],
      runtimeSize: 1024 + Math.ceil(upload.bytes.length * 1.1),
    };
    return { ...derived, ...this.options.review?.(upload) };
  }
}
