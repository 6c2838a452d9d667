import type { DocumentWrite, StoredDocument } from '../core/projection-store.port';

/**
 * Bloom filter over strings: "maybe seen" or "certainly not". A false positive only costs a
 * lookup the cache could have skipped; 2^23 bits (1 MB) and 3 probes keep that near 3 % after a
 * million insertions, the document count of a 1M-event history rebuild.
 */
export class StringBloomFilter {
  private readonly words: Uint32Array;
  private readonly mask: number;

  constructor(bits = 1 << 23) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(32, bits)));
    this.words = new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  add(value: string): void {
    const [h1, h2] = hashes(value);
    for (let i = 0; i < 3; i++) {
      const bit = (h1 + i * h2) & this.mask;
      this.words[bit >>> 5] |= 1 << (bit & 31);
    }
  }

  mightContain(value: string): boolean {
    const [h1, h2] = hashes(value);
    for (let i = 0; i < 3; i++) {
      const bit = (h1 + i * h2) & this.mask;
      if ((this.words[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit FNV-1a style hashes (different offsets and multipliers) for double hashing. */
function hashes(value: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return [a >>> 0, (b >>> 0) | 1];
}

export interface CacheLookup<Doc> {
  /** Documents the cache answers for (their last write in this rebuild). */
  readonly known: Map<string, StoredDocument<Doc>>;
  /** Ids the store must be asked for. */
  readonly load: string[];
}

/**
 * The documents a rebuild wrote lately, so the next page folds on them without reading them
 * back: the events of one task usually sit close together in the log. Bounded, so memory stays
 * flat whatever the log's size: two generations of at most `capacity / 2` documents each; when the
 * current one fills, the previous one is dropped whole and the current one becomes the previous.
 * (A Map used as an LRU, evicting its first key one at a time, costs V8 a scan over the deleted
 * slots at every eviction: a quarter of a history rebuild's time.)
 *
 * `complete` is true for a shadow this rebuild created empty: then an id the cache never saw
 * cannot be in the store, and is not looked up either. Dropped ids go to a Bloom filter, so only
 * they (and a few false positives) are read back. A resumed shadow holds documents from before
 * the crash: every id the cache lacks is looked up.
 */
export class RebuildDocumentCache<Doc> {
  private current = new Map<string, StoredDocument<Doc> | null>();
  private previous = new Map<string, StoredDocument<Doc> | null>();
  private readonly evicted = new StringBloomFilter();
  /** The latest write of each document whose commit has not landed yet (see `landed`). */
  private readonly unlanded = new Map<string, StoredDocument<Doc> | null>();
  private readonly generation: number;

  constructor(
    capacity: number,
    private complete: boolean,
  ) {
    this.generation = Math.max(1, Math.floor(capacity / 2));
  }

  lookup(ids: Iterable<string>): CacheLookup<Doc> {
    const known = new Map<string, StoredDocument<Doc>>();
    const load: string[] = [];
    for (const id of ids) {
      const cached = this.current.has(id) ? this.current.get(id) : this.previous.get(id);
      if (cached) known.set(id, cached);
      else if (cached === null)
        continue; // deleted by this rebuild
      else {
        const unlanded = this.unlanded.get(id);
        if (unlanded) known.set(id, unlanded);
        else if (unlanded === null) continue;
        else if (!this.complete || this.evicted.mightContain(id)) load.push(id);
      }
    }
    return { known, load };
  }

  /**
   * Call with a folded page's writes, before its commit: the next page folds on them. The rebuild's
   * CommitPipeline lands the pages in order (then call `landed`), or fails the run.
   */
  remember(writes: readonly DocumentWrite<Doc>[]): void {
    for (const w of writes) {
      if (this.current.size >= this.generation && !this.current.has(w.id)) this.rotate();
      // A write with a document has every field of a stored one: kept as it is, no copy.
      const stored = w.doc === null ? null : (w as StoredDocument<Doc>);
      this.current.set(w.id, stored);
      this.unlanded.set(w.id, stored);
    }
  }

  /**
   * Call with the writes of a commit that landed. Until then a write stays here even if the
   * generations drop it: the store does not have it yet, so it must not be read back from there.
   */
  landed(writes: readonly DocumentWrite<Doc>[]): void {
    for (const w of writes) {
      const latest = this.unlanded.get(w.id);
      if (latest === w || (latest === null && w.doc === null)) this.unlanded.delete(w.id);
    }
  }

  private rotate(): void {
    for (const id of this.previous.keys()) if (!this.current.has(id)) this.evicted.add(id);
    this.previous = this.current;
    this.current = new Map();
  }

  /**
   * The store refused a write (someone else wrote the shadow): what the cache holds may not be
   * what the store holds any more, so from now on every document is read from the store.
   */
  forget(): void {
    this.current.clear();
    this.previous.clear();
    this.complete = false;
  }

  get size(): number {
    let n = this.current.size;
    for (const id of this.previous.keys()) if (!this.current.has(id)) n++;
    return n;
  }
}
