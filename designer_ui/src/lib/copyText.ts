/**
 * Copy a short text (a call's id, to find its lines in the logs) to the clipboard. The Clipboard API exists only on a
 * secure page (https, or localhost): a designer served over plain http on the office network has none, and there
 * the text is copied as a selection, the way browsers always could (`execCommand("copy")`, deprecated but still
 * everywhere). False when neither worked: the text is shown, selectable, beside the button anyway.
 */

/** What copying needs of the browser, given by a test. */
export interface CopyHost {
  clipboard?: Pick<Clipboard, "writeText">;
  document?: Pick<Document, "createElement" | "execCommand"> & { body: Pick<HTMLElement, "append"> };
}

export async function copyText(text: string, host: CopyHost = browserHost()): Promise<boolean> {
  if (host.clipboard) {
    try {
      await host.clipboard.writeText(text);
      return true;
    } catch {
      // Refused (no permission, the page not focused): the selection may still work.
    }
  }
  return copyBySelection(text, host.document);
}

function copyBySelection(text: string, document: CopyHost["document"]): boolean {
  if (!document) return false;
  const field = document.createElement("textarea");
  field.value = text;
  field.setAttribute("readonly", "");
  // Off screen, so the page does not jump or flash while it is selected.
  field.style.position = "fixed";
  field.style.top = "-1000px";
  document.body.append(field);
  try {
    field.select();
    return document.execCommand("copy");
  } catch {
    return false;
  } finally {
    field.remove();
  }
}

function browserHost(): CopyHost {
  if (typeof document === "undefined") return {};
  return { clipboard: typeof navigator !== "undefined" ? navigator.clipboard : undefined, document };
}
