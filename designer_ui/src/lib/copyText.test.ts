import { describe, expect, it, vi } from "vitest";
import { copyText, type CopyHost } from "./copyText";

/** A document whose copy command succeeds or not, recording what was selected when it ran. */
function fakeDocument(works: boolean) {
  const copied: string[] = [];
  const field = { value: "", style: {} as Record<string, string>, setAttribute: vi.fn(), select: vi.fn(), remove: vi.fn() };
  const document = {
    body: { append: vi.fn() },
    createElement: vi.fn(() => field),
    execCommand: vi.fn(() => {
      copied.push(field.value);
      return works;
    }),
  };
  return { document: document as unknown as CopyHost["document"], copied, field };
}

describe("copying a call's id", () => {
  it("goes through the clipboard where the page has one", async () => {
    const writeText = vi.fn(async () => undefined);
    const { document, copied } = fakeDocument(true);
    expect(await copyText("c-42", { clipboard: { writeText }, document })).toBe(true);
    expect(writeText).toHaveBeenCalledWith("c-42");
    expect(copied).toEqual([]);
  });

  it("copies a selection where there is no clipboard (plain http) or it refuses, and leaves nothing behind", async () => {
    const { document, copied, field } = fakeDocument(true);
    expect(await copyText("c-42", { document })).toBe(true);
    const refusing = { writeText: vi.fn(async () => Promise.reject(new Error("not allowed"))) };
    expect(await copyText("c-43", { clipboard: refusing, document })).toBe(true);
    expect(copied).toEqual(["c-42", "c-43"]);
    expect(field.remove).toHaveBeenCalledTimes(2);
  });

  it("says it did not copy when nothing worked", async () => {
    expect(await copyText("c-42", { document: fakeDocument(false).document })).toBe(false);
    expect(await copyText("c-42", {})).toBe(false);
  });
});
