/** What stands in the scenario list's place, and the list's one status region that says it. */
import { useI18n } from "../i18n";
import type { Translate } from "../lib/i18n";
import { useLiveText } from "./useLiveText";

/**
 * What stands in the list's place: "loading" until a listing first answers, "empty" after one with none, and
 * "no-match" after one with none for a search typed in.
 */
export type ScenarioListView = "loading" | "empty" | "no-match" | "table";

/**
 * What the list shows: right after sign-in the list is not known yet, and "No scenarios yet" then would be
 * untrue; so "loading" until a listing first answers, "empty" only after one answered with none, else the table
 * (after a failure too, with the error above it saying why).
 */
export function scenarioListView(state: { answered: boolean; count: number; error: string | null; query?: string }): ScenarioListView {
  if (state.error !== null || state.count > 0) return "table";
  if (!state.answered) return "loading";
  // A search that found nothing is not a list with none: "No scenarios yet. Create one…" read as if they were gone.
  return state.query?.trim() ? "no-match" : "empty";
}

/** The words of the list's status for `view`: "" for the table, which says itself. */
export function scenarioListStatusText(view: ScenarioListView, query: string, t: Translate): string {
  if (view === "loading") return t("list.loading");
  if (view === "empty") return t("list.empty");
  if (view === "no-match") return t("list.noMatch", { query: query.trim() });
  return "";
}

/**
 * The line in the list's place while it loads, when it has none, or when the search `query` matches none (with a
 * button to clear the search: `onClear`). It is the list's one status region, rendered with the table too (empty
 * then) so that it is in the page before any words come into it (`useLiveText`): a region put in already filled
 * is not read by every screen reader. Never aria-busy: a busy region is held back, and this one is the news that
 * the list is loading. The button is outside the region, so it is not read as part of the message.
 */
export function ScenarioListStatus({ view, query = "", onClear }: { view: ScenarioListView; query?: string; onClear?(): void }) {
  const { t } = useI18n();
  const written = useLiveText(scenarioListStatusText(view, query, t));
  return (
    <p className={written ? (view === "loading" ? "empty muted" : "empty") : undefined}>
      <span role="status" data-testid="scenarios-status">{written}</span>
      {view === "no-match" && onClear && (
        <>
          {" "}
          <button type="button" className="link" onClick={onClear}>
            {t("list.clearSearch")}
          </button>
        </>
      )}
    </p>
  );
}
