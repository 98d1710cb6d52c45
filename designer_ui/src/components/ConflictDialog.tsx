/**
 * A 409 on save: the draft was saved by someone first (another user, or the analyst in another tab or before a
 * reload), or edits kept in this browser asked back after newer ones were saved here. Both versions are shown;
 * whichever the analyst keeps, the other is saved as a new scenario, so no one's work is lost.
 */
import { useState } from "react";
import * as api from "../api/client";
import { useI18n } from "../i18n";
import { compareDrafts } from "../lib/compare";
import { copyName, copyTime, saveCopy, type KeptCopy } from "../lib/conflictCopy";
import type { ScenarioDocument } from "../lib/convert";
import { countText, type MessageKey } from "../lib/i18n";
import type { EditorConflict } from "../store/editor";
import { Dialog } from "./Dialog";

/** Where the author of the other version is read (the API; a test gives its own). */
export type AuthorSource = Pick<typeof api, "getScenario">;

/**
 * Who saved the other version: the user name the draft was last saved by, if it is still the draft the conflict
 * names (the 409 does not say). Null when unknown: the draft moved on since, or it cannot be read, or not within
 * `waitMs` (the view waits for this, and must open anyway). Edits kept in this browser are the analyst's own.
 */
export async function conflictAuthor(
  slug: string,
  conflict: EditorConflict,
  me: string,
  source: AuthorSource = api,
  waitMs = 3000,
): Promise<string | null> {
  if (conflict.kept) return me;
  const lookup = source.getScenario(slug).then(({ draft }) => {
    const sameScenario = !conflict.scenario_created_at || draft.scenario_created_at === conflict.scenario_created_at;
    return sameScenario && draft.revision === conflict.current_revision ? draft.updated_by : null;
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), waitMs);
  });
  try {
    return await Promise.race([lookup, late]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The texts naming the other version: edits kept here, the analyst's own save elsewhere, a named user's, or unknown. */
function wording(conflict: EditorConflict, author: string | null, me: string): Record<"title" | "explain" | "theirs" | "mine", MessageKey> {
  if (conflict.kept) return { title: "conflict.titleKept", explain: "conflict.explainKept", theirs: "conflict.theirsKept", mine: "conflict.mineOnScreen" };
  if (author === me) return { title: "conflict.titleYou", explain: "conflict.explainYou", theirs: "conflict.theirsYou", mine: "conflict.mineOnScreen" };
  if (author) return { title: "conflict.titleBy", explain: "conflict.explainBy", theirs: "conflict.theirsBy", mine: "conflict.mine" };
  return { title: "conflict.title", explain: "conflict.explain", theirs: "conflict.theirs", mine: "conflict.mine" };
}

function List({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <>
      <h4>{title}</h4>
      <ul>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </>
  );
}

/** Which version a resolved conflict kept as a scenario of its own, and which scenario that is. */
export interface KeptVersion extends KeptCopy {
  /** "theirs": the analyst kept theirs on screen and saved over the other; "mine": the analyst took theirs. */
  version: "theirs" | "mine";
}

/**
 * Says, once the dialog has closed, where the version not kept went: "Their version is kept as the scenario
 * “Hotline (theirs, revision 3, 19:35)”", with a link to open it. It stays until dismissed: the analyst may want
 * to look at the copy only after finishing the edit at hand.
 */
export function KeptCopyBanner({ kept, onClose }: { kept: KeptVersion; onClose(): void }) {
  const { t } = useI18n();
  return (
    <div className="restore-banner row" role="status" data-testid="kept-copy">
      <span>{t(kept.version === "theirs" ? "conflict.keptTheirs" : "conflict.keptMine", { name: kept.name })}</span>
      <a href={`#/s/${encodeURIComponent(kept.slug)}`}>{t("conflict.openCopy")}</a>
      <button type="button" onClick={onClose}>{t("conflict.dismissKept")}</button>
    </div>
  );
}

export function ConflictDialog(props: {
  slug: string;
  mine: ScenarioDocument;
  conflict: EditorConflict;
  /** Who saved the other version (conflictAuthor), null when not known. */
  author: string | null;
  /** The user name of the analyst looking. */
  me: string;
  keepMine(revision: number): Promise<void>;
  keepTheirs(): void;
  /** Told which scenario now holds the version not kept, once the conflict is resolved. */
  onKept?(kept: KeptVersion): void;
}) {
  const { t, language } = useI18n();
  // "1 block, 2 connections"; "21 блок, 5 связей": each count with its noun in the language's plural.
  const sizeText = (document: { nodes: unknown[]; edges: unknown[] }) =>
    t("conflict.blocks", {
      blocks: countText(language, "block", document.nodes.length),
      connections: countText(language, "connection", document.edges.length),
    });
  const [error, setError] = useState<string | null>(null);
  const theirs = props.conflict.document;
  const comparison = compareDrafts(props.mine, theirs);
  const words = wording(props.conflict, props.author, props.me);
  const named = { revision: props.conflict.current_revision, theirs: props.conflict.current_revision, author: props.author ?? "" };
  const theirsTitle = t(words.theirs, named);

  async function keep(which: "mine" | "theirs" | "copy") {
    setError(null);
    const time = copyTime();
    const saveMine = () =>
      saveCopy(api.createScenario, { slug: props.slug, who: "mine", name: copyName(props.mine.name, t("conflict.copyNameMine", { time })), document: props.mine });
    try {
      if (which === "mine") {
        const suffix = t("conflict.copyNameTheirs", { revision: props.conflict.current_revision, time });
        const copy = await saveCopy(api.createScenario, { slug: props.slug, who: "theirs", name: copyName(theirs.name, suffix), document: theirs });
        await props.keepMine(props.conflict.current_revision);
        props.onKept?.({ ...copy, version: "theirs" });
      } else if (which === "theirs") {
        const copy = await saveMine();
        props.keepTheirs();
        props.onKept?.({ ...copy, version: "mine" });
      } else {
        // The analyst goes on in the copy, whose name the editor shows: nothing to tell.
        const copy = await saveMine();
        props.keepTheirs();
        window.location.hash = `/s/${encodeURIComponent(copy.slug)}`;
      }
    } catch (e) {
      setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  return (
    <Dialog title={t(words.title, named)} onClose={() => undefined} wide>
      <p>{t(words.explain, named)}</p>
      <div className="two-columns" data-testid="conflict">
        <section>
          <h3>{t(words.mine)}</h3>
          <p>{sizeText(props.mine)}</p>
          <List title={t("conflict.onlyMine")} items={comparison.onlyMine} />
          <List title={t("conflict.changed")} items={comparison.changed.map((c) => c.mine)} />
          <details>
            <summary>JSON</summary>
            <pre>{JSON.stringify(props.mine, null, 2)}</pre>
          </details>
        </section>
        <section>
          <h3>{theirsTitle}</h3>
          <p>{sizeText(theirs)}</p>
          <List title={t("conflict.onlyTheirs")} items={comparison.onlyTheirs} />
          <List title={t("conflict.changed")} items={comparison.changed.map((c) => c.theirs)} />
          <details>
            <summary>JSON</summary>
            <pre>{JSON.stringify(theirs, null, 2)}</pre>
          </details>
        </section>
      </div>
      {error && <p role="alert" className="error-text">{error}</p>}
      <div className="row">
        <button type="button" className="primary" onClick={() => keep("mine")}>{t("conflict.keepMine")}</button>
        <button type="button" onClick={() => keep("theirs")}>{t("conflict.keepTheirs")}</button>
        <button type="button" onClick={() => keep("copy")}>{t("conflict.mineAsCopy")}</button>
      </div>
    </Dialog>
  );
}
