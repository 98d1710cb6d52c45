/**
 * A list a page shows, asked of the server when the page opens and again on each `reload()`: the list shown stays
 * while the next one loads, and an answer that comes after the page closed, or after a newer ask, is dropped. With
 * `enabled` false (the user may not list it) nothing is asked. The Users and the Data sources pages.
 */
import { useEffect, useState } from "react";

export function useListLoad<T>(list: () => Promise<T[]>, enabled: boolean) {
  const [items, setItems] = useState<T[] | null>(null);
  const [reloads, setReloads] = useState(0);
  // Which listing answered last, and how.
  const [answered, setAnswered] = useState<{ asked: number; error?: unknown } | null>(null);

  useEffect(() => {
    if (!enabled) return;
    let cancelled = false;
    list().then(
      (listed) => {
        if (cancelled) return;
        setItems(listed);
        setAnswered({ asked: reloads });
      },
      // A rejection without a reason is a failure all the same.
      (error: unknown) => !cancelled && setAnswered({ asked: reloads, error: error ?? "?" }),
    );
    return () => {
      cancelled = true;
    };
  }, [list, enabled, reloads]);

  return {
    items,
    /** The list changed here (an item saved or deleted), without asking the server again. */
    setItems,
    /** Asked, and not answered yet. */
    loading: enabled && answered?.asked !== reloads,
    /** Why the last listing failed; undefined when it did not. */
    error: answered?.error,
    reload: () => setReloads((n) => n + 1),
  };
}
