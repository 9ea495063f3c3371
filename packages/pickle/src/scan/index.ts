/** The pickle scanner (DESIGN.md section 6 `codec scan`). */
export { scanPickle, type ScanPickleOptions } from "./scan-pickle.js";
export {
  mergeScanReports,
  reportToJson,
  reportToLines,
  computeVerdict,
  emptyReport,
  type PickleScanReport,
  type ScannedGlobal,
  type ScannedCall,
  type ScanFinding,
  type ScanErrorInfo,
  type StreamInfo,
} from "./report.js";
export { classifyGlobal, maxRisk, riskRank, normaliseModule, type Risk, type RiskContext, type GlobalRisk } from "./risk.js";
export { readOp, type RawOp, type OpArg } from "./op-reader.js";
export { scanZip, npyPicklePayload, looksLikeTorchArchive, type ScanZipOptions } from "./zip-scan.js";
export { disassemble, disassembleOps, argRepr, pyFloatRepr, type DisassembledOp, type Disassembly, type DisassembleOptions } from "../disassemble.js";
