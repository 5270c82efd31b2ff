import { ModelError } from '../errors';

/**
 * A growable, packed table of feature rows (row-major Float32Array), labels and family indices:
 * a few bytes per value instead of one JS object per row.
 */
export class PackedRows {
  features: Float32Array;
  labels: Uint8Array;
  familyIndex: Uint16Array;
  length = 0;

  constructor(
    readonly size: number,
    private readonly families: FamilyTable,
    initialCapacity = 1024,
  ) {
    this.features = new Float32Array(initialCapacity * size);
    this.labels = new Uint8Array(initialCapacity);
    this.familyIndex = new Uint16Array(initialCapacity);
  }

  get byteLength(): number {
    return this.features.byteLength + this.labels.byteLength + this.familyIndex.byteLength;
  }

  push(features: ArrayLike<number>, label: number, family: string): void {
    if (this.length === this.labels.length) this.grow();
    this.features.set(features, this.length * this.size);
    this.labels[this.length] = label;
    this.familyIndex[this.length] = this.families.indexOf(family);
    this.length += 1;
  }

  family(row: number): string {
    return this.families.name(this.familyIndex[row]!);
  }

  private grow(): void {
    const capacity = this.labels.length * 2;
    const features = new Float32Array(capacity * this.size);
    features.set(this.features);
    const labels = new Uint8Array(capacity);
    labels.set(this.labels);
    const familyIndex = new Uint16Array(capacity);
    familyIndex.set(this.familyIndex);
    this.features = features;
    this.labels = labels;
    this.familyIndex = familyIndex;
  }
}

/** Interns family names (a few dozen) to small integers. */
export class FamilyTable {
  private readonly indices = new Map<string, number>();
  private readonly names: string[] = [];

  indexOf(name: string): number {
    let index = this.indices.get(name);
    if (index === undefined) {
      if (this.names.length === 65536) {
        throw new ModelError('ERR_MODEL_INVALID_EXAMPLE', `trainModel: more than 65,536 distinct subclasses (at "${name.slice(0, 80)}"); subclass must be "legit" or a DGA family name, not a per-row value.`);
      }
      index = this.names.length;
      this.names.push(name);
      this.indices.set(name, index);
    }
    return index;
  }

  name(index: number): string {
    return this.names[index]!;
  }
}
