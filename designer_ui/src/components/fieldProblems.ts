/**
 * A form's fields with problems, for a screen reader and the keyboard: a field says it is invalid and is described
 * by the problem shown under it, and after a refused submit the focus goes to the first field with a problem. The
 * forms of the Users and the Data sources pages (UsersPage.tsx, DataSourcesPage.tsx).
 */
import { useEffect, useRef } from "react";

/** The attributes of a field with `problem` (any, or none): invalid, and described by the problem (and its hint). */
export function invalidity(problem: unknown, problemId: string, hintId?: string) {
  const describedBy = [problem ? problemId : null, hintId ?? null].filter(Boolean).join(" ");
  return { "aria-invalid": problem ? true : undefined, "aria-describedby": describedBy || undefined } as const;
}

/**
 * Moves the focus to the first field with a problem (the first `aria-invalid` one in the form's order) each time
 * `attempt` changes, that is after a submit that was refused; never while typing. The ref is the form's.
 */
export function useFocusOnRefusal(attempt: number) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (attempt > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempt]);
  return form;
}
