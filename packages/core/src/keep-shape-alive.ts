const kept: object[] = [];

/**
 * Keeps `instance` alive for the life of the process, so that the V8 map
 * (hidden class) of its fully constructed shape survives garbage collection.
 *
 * V8 reaches the map of an object whose fields were added by its constructor
 * only through weak transitions from the class's initial map. When no
 * instance survives a full GC, that map is collected, and every optimised
 * function that inlined a property access on it is thrown away ("deoptimize:
 * weak objects") and starts again from the interpreter. Parsers that build
 * short-lived readers per call (one ByteReader per HDF5 header, one dict per
 * pickle frame) then run cold after every GC: opening and listing a
 * 10,000-dataset HDF5 file took 2-3x longer. One retained instance per hot
 * class costs a few bytes and keeps the optimised code valid.
 */
export function keepShapeAlive<T extends object>(instance: T): T {
  kept.push(instance);
  return instance;
}
