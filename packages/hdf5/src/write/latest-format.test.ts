import { describe, expect, it } from "vitest";
import type { Filter } from "../model.js";
import { decodeFilterPipeline } from "../read/messages/filter-pipeline.js";
import { filterPipelineMessageV2 } from "./latest-format.js";

describe("filterPipelineMessageV2", () => {
  it("writes a registered filter's name after its flags and value count (spec IV.A.2.l)", () => {
    const lz4: Filter = { id: 32004, name: "lz4", optional: false, clientData: [0] };
    const bytes = filterPipelineMessageV2([lz4]);
    // version 2, 1 filter | id 32004 | name length 4 | flags 0 | 1 value | "lz4\0" | value 0
    expect(Array.from(bytes)).toEqual([2, 1, 0x04, 0x7d, 4, 0, 0, 0, 1, 0, 0x6c, 0x7a, 0x34, 0, 0, 0, 0, 0]);
  });

  it("round-trips through the reader, named and unnamed, with and without client values", () => {
    const filters: Filter[] = [
      { id: 2, name: "shuffle", optional: true, clientData: [8] },
      { id: 32001, name: "blosc", optional: true, clientData: [2, 2, 8, 4096, 5, 1, 1] },
      { id: 307, optional: false, clientData: [] },
      { id: 1, name: "deflate", optional: true, clientData: [6] },
      { id: 3, name: "fletcher32", optional: false, clientData: [] },
    ];
    const back = decodeFilterPipeline(filterPipelineMessageV2(filters), 0);
    expect(back.map((f) => [f.id, f.optional, f.clientData])).toEqual(filters.map((f) => [f.id, f.optional, f.clientData]));
  });
});
