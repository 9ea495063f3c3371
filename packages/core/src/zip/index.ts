export { crc32, crc32Js } from "./crc32.js";
export { DEFAULT_MAX_ENTRY_SIZE, type ZipEntry, type ZipOpenOptions } from "./zip-entry.js";
export { ZipArchive, openZip, openZipSync } from "./zip-archive.js";
export { type DeflateLevel, ZipWriter, type ZipAddOptions, type ZipWriterOptions } from "./zip-writer.js";
export { inflatePrefix } from "./inflate-prefix.js";
