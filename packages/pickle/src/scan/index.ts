/** The pickle scanner (DESIGN.md section 6 `codec scan`). */

export { argRepr, type DisassembledOp, type DisassembleOptions, type Disassembly, disassemble, disassembleOps } from "../disassemble.js";
export { type OpArg, type RawOp, readOp } from "./op-reader.js";
export {
  computeVerdict,
  type DataRegion,
  emptyReport,
  mergeScanReports,
  type PickleScanReport,
  reportToJson,
  reportToLines,
  reportToScanResult,
  type ScanErrorInfo,
  type ScanFinding,
  type ScannedCall,
  type ScannedGlobal,
  type ScanResultLike,
  type ScanSite,
  type StreamInfo,
  unreadableReport,
} from "./report.js";
export { classifyGlobal, type GlobalRisk, maxRisk, normaliseModule, type Risk, type RiskContext, riskRank } from "./risk.js";
export { type ScanPickleOptions, scanPickle, TORCH_LEGACY_MAGIC } from "./scan-pickle.js";
export { looksLikeTorchArchive, npyPicklePayload, type ScanZipOptions, scanZip } from "./zip-scan.js";
