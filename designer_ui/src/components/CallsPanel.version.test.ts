import { beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { CallDetail } from "../api/types";
import type { ScenarioDocument } from "../lib/convert";
import { openedCall } from "./CallsPanel";

vi.mock("../api/client", () => ({ call: vi.fn(), callVersionDocument: vi.fn(), versionDocument: vi.fn() }));
const call = vi.mocked(api.call);
const callVersionDocument = vi.mocked(api.callVersionDocument);
const versionDocument = vi.mocked(api.versionDocument);

/** The scenario the call ran, since deleted; its slug was created again, and that one's v1 is another flow. */
const ran = { format: "ivrgraph.scenario/1", name: "Sales", nodes: [{ id: "start", type: "start", config: {} }], edges: [] } as unknown as ScenarioDocument;
const recreated = { ...ran, name: "Something else" } as ScenarioDocument;

const detail = {
  id: "c9",
  scenario: "sales",
  version: 1,
  outcome: "hung_up",
  error: null,
  started_at: "2026-05-01T08:00:00+00:00",
  asterisk_uniqueid: "pbx1-1795295104.9",
  trace: { steps: [{ node: "start", exit: "next" }] },
} as unknown as CallDetail;

beforeEach(() => {
  call.mockReset().mockResolvedValue(detail);
  callVersionDocument.mockReset().mockResolvedValue(ran);
  versionDocument.mockReset().mockResolvedValue(recreated);
});

describe("opening a recorded call", () => {
  it("compares with the version the call ran, fetched through the call, not the slug's v<n> now", async () => {
    const opened = await openedCall("c9");
    expect(callVersionDocument).toHaveBeenCalledWith("c9");
    expect(versionDocument).not.toHaveBeenCalled();
    expect(opened.published).toBe(ran);
    expect(opened).toMatchObject({ id: "c9", version: 1, outcome: "hung_up", uniqueid: "pbx1-1795295104.9" });
    expect(opened.steps).toEqual([{ node: "start", exit: "next" }]);
  });

  it("still opens the call when its version cannot be found: the note then only names it", async () => {
    callVersionDocument.mockRejectedValue(new ApiError(404, null, "version of call 'c9' does not exist"));
    const opened = await openedCall("c9");
    expect(opened.published).toBeNull();
    expect(opened.version).toBe(1);
  });

  it("asks for no version of a call that ran none (an unknown scenario)", async () => {
    call.mockResolvedValue({ ...detail, version: null } as unknown as CallDetail);
    const opened = await openedCall("c9");
    expect(callVersionDocument).not.toHaveBeenCalled();
    expect(opened.published).toBeNull();
  });
});
