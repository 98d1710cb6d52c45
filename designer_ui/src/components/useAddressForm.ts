/**
 * The filters of a page whose state lives in its address (the Calls and Callbacks pages): the address holds what is
 * applied, the form what is typed. A choice applies at once; typed text once the typing pauses, so the list is not
 * asked again, nor the address rewritten, at every key. Rewritten in place: Back leaves the page, not each filter.
 *
 * The address changes for two reasons: this page applied the form (the form is then ahead of it, and stays as typed)
 * or something else moved it (a link followed, Back): the form then shows what the address names.
 */
import { useEffect, useRef, useState } from "react";
import { goTo } from "../lib/hashQuery";

/** How long typing in a text filter pauses before it applies. */
export const TYPING_PAUSE_MS = 400;

export function useAddressForm<F>(applied: F, path: string, pathOf: (filters: F) => string) {
  const [form, setForm] = useState(applied);
  const [written, setWritten] = useState<string | null>(null);
  const [seenPath, setSeenPath] = useState(path);
  if (seenPath !== path) {
    setSeenPath(path);
    if (path !== written) setForm(applied);
  }
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(typing.current), []);

  /** Show `target` ("/calls?..."): in place of the address (`replace`), or as a new entry Back returns from. */
  function go(target: string, replace: boolean) {
    clearTimeout(typing.current);
    setWritten(target);
    goTo(target, { replace });
  }

  /** The form changed: `typed` text applies once the typing pauses, anything else now. */
  function change(next: F, typed = false) {
    setForm(next);
    clearTimeout(typing.current);
    if (typed) typing.current = setTimeout(() => go(pathOf(next), true), TYPING_PAUSE_MS);
    else go(pathOf(next), true);
  }

  return { form, change, go, applyNow: () => go(pathOf(form), true) };
}
