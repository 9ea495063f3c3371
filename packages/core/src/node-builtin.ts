/**
 * A Node built-in module (`node:zlib`, `node:os`, ...) when the runtime has
 * one, looked up through `process.getBuiltinModule` (Node >= 20.16): a
 * synchronous call that browser bundles never see as an import, so codecs
 * stay browser-safe and still use Node's native zlib/crc32 where they run
 * in Node. Undefined elsewhere or when the lookup fails.
 */
export function nodeBuiltin<T>(id: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return (proc?.getBuiltinModule?.(id) as T | undefined) ?? undefined;
  } catch {
    return undefined;
  }
}
