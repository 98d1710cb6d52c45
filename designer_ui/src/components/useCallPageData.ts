/**
 * What the Calls and Callbacks pages fetch alike: the scenarios to name and offer (the Reports page offers them
 * too), the list a page at a time, and the one item opened beside it. Each answer is kept with the question it
 * answers, so an answer that comes late (the filters changed, or the page was refreshed, while it was asked) never
 * stands for a newer question.
 */
import { useEffect, useMemo, useState } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import { useI18n } from "../i18n";
import type { Translate } from "../lib/i18n";
import type { ResultChoice } from "../lib/resultFields";

/** A scenario to choose in a page's filters: its slug and name, and the call results its live version declares. */
export interface ScenarioChoice {
  slug: string;
  name: string;
  results?: ResultChoice[];
}

/** Where the scenarios to choose come from (the API; a test gives its own). */
export type ScenarioChoiceSource = Pick<typeof api, "scenarioNames">;

/**
 * Every scenario by name. All of them, from the unpaged names: a first page of the list (200 by slug) left a
 * scenario after them out of the filters, and its calls named by slug (scale review, 226 scenarios).
 */
export async function loadScenarioChoices(source: ScenarioChoiceSource = api): Promise<ScenarioChoice[]> {
  const all = await source.scenarioNames();
  return all
    .map((s) => ({ slug: s.slug, name: s.name, ...(s.results?.length ? { results: s.results } : {}) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Every scenario by name, to offer in the filters, and their names by slug, to name them in the list. */
export function useScenarioChoices(): { scenarios: ScenarioChoice[]; names: Map<string, string> } {
  const [scenarios, setScenarios] = useState<ScenarioChoice[]>([]);
  useEffect(() => {
    let cancelled = false;
    // To name them and offer them: without the list every scenario is still searched, and one can be named by slug.
    loadScenarioChoices().then(
      (choices) => !cancelled && setScenarios(choices),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);
  const names = useMemo(() => new Map(scenarios.map((s) => [s.slug, s.name])), [scenarios]);
  return { scenarios, names };
}

/** The item opened by its id, or why it could not be: a message for the engineer. */
export type Opened<T> = { id: string; item: T; error?: undefined } | { id: string; error: string; item?: undefined };

/** Why item `id` could not be opened, in words: `missing` when the server has none such (404, or an id it refuses). */
export type OpenFailureText = (t: Translate, id: string, missing: boolean, message: string) => string;

/**
 * The item `id` names ("": none), fetched by `load` again at each reload; null while it is asked. `load` and
 * `failureText` are module-level functions: a new one would ask again.
 */
export function useOpenedItem<T>(id: string, reloads: number, load: (id: string) => Promise<T>, failureText: OpenFailureText): Opened<T> | null {
  const { t } = useI18n();
  const [opened, setOpened] = useState<Opened<T> | null>(null);
  useEffect(() => {
    if (!id) return;
    let cancelled = false;
    load(id).then(
      (item) => !cancelled && setOpened({ id, item }),
      (error: unknown) => {
        if (cancelled) return;
        const missing = error instanceof ApiError && (error.status === 404 || error.status === 422);
        const message = error instanceof Error ? error.message : String(error);
        setOpened({ id, error: failureText(t, id, missing, message) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [id, t, reloads, load, failureText]);
  return id && opened?.id === id ? opened : null;
}

/** The list's answer for the question it was asked (`asked`), or its failure. */
type Listed<P extends object> = { asked: string; page: P; error?: undefined } | { asked: string; error: unknown; page?: undefined };

/**
 * A list asked by `query` (null: nothing to ask, the filters say why), again at each reload: its first page from
 * `first`, then the older pages `older` adds to those shown (null: there are none). `first` and `older` are
 * module-level functions: a new `first` would ask again.
 *
 * `shown` is the last list answered (the one before, while the next loads), with the older pages loaded since for
 * that same question; `failed`, why the last question got no list.
 */
export function usePagedList<Q, P extends object>(query: Q | null, reloads: number, first: (query: Q) => Promise<P>, older: (query: Q, shown: P) => Promise<P> | null) {
  const asked = query === null ? null : `${JSON.stringify(query)}#${reloads}`;
  const [listed, setListed] = useState<Listed<P> | null>(null);
  const [olderPages, setOlderPages] = useState<{ asked: string; page: P } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => {
    if (asked === null) return;
    let cancelled = false;
    first(JSON.parse(asked.slice(0, asked.lastIndexOf("#"))) as Q).then(
      (page) => !cancelled && setListed({ asked, page }),
      (error: unknown) => !cancelled && setListed({ asked, error }),
    );
    return () => {
      cancelled = true;
    };
  }, [asked, first]);
  const loading = asked !== null && listed?.asked !== asked;
  const failed = !loading && listed?.error !== undefined ? listed.error : undefined;
  const answered = listed?.page !== undefined ? listed : null;
  const shown = answered ? (olderPages?.asked === answered.asked ? olderPages.page : answered.page) : null;
  async function loadMore() {
    if (!shown || loading || asked === null || query === null) return;
    const asking = older(query, shown);
    if (!asking) return;
    setLoadingMore(true);
    try {
      setOlderPages({ asked, page: await asking });
    } catch (error) {
      setListed({ asked, error });
    } finally {
      setLoadingMore(false);
    }
  }
  return { loading, failed, shown, loadingMore, loadMore };
}
