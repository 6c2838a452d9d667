/**
 * Document id -> rowid, in memory, for a shadow table filled without any index on `id` (see
 * `SqliteProjectionStore`: random-order inserts into a million-entry id index cost more than the
 * rest of a history rebuild together; the index is built once, sorted, before the switch).
 *
 * Compact: a 32-bit hash of the id and the rowid per slot (12 bytes), open addressing with linear
 * probing, so a million documents take ~24 MB instead of a Map's ~100. A hash says only "maybe":
 * callers check each candidate row's id in the table, so collisions cost a read, never a wrong row.
 */
export class RowIdIndex {
  private hashes: Uint32Array;
  private rowids: Float64Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1 << 12) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(16, capacity)));
    this.hashes = new Uint32Array(size);
    this.rowids = new Float64Array(size); // 0 = empty slot: SQLite rowids start at 1
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Rowids whose id may be `id` (same hash), oldest first. */
  candidates(id: string): number[] {
    const h = hashId(id);
    const found: number[] = [];
    for (let i = h & this.mask; this.rowids[i] !== 0; i = (i + 1) & this.mask) {
      if (this.hashes[i] === h) found.push(this.rowids[i]);
    }
    return found;
  }

  /** Records a row just inserted for `id` (the caller knows no live row has that id). */
  add(id: string, rowid: number): void {
    if ((this.count + 1) * 4 > this.rowids.length * 3) this.grow();
    this.put(hashId(id), rowid);
    this.count++;
  }

  private put(h: number, rowid: number): void {
    let i = h & this.mask;
    while (this.rowids[i] !== 0) i = (i + 1) & this.mask;
    this.hashes[i] = h;
    this.rowids[i] = rowid;
  }

  private grow(): void {
    const { hashes, rowids } = this;
    this.hashes = new Uint32Array(hashes.length * 2);
    this.rowids = new Float64Array(rowids.length * 2);
    this.mask = this.rowids.length - 1;
    for (let i = 0; i < rowids.length; i++) if (rowids[i] !== 0) this.put(hashes[i], rowids[i]);
  }
}

/** FNV-1a over the UTF-16 code units. */
export function hashId(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
