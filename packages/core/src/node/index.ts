export { FileSource, openFile } from "./file-source.js";
