/**
 * A 409 on save: someone else saved first. Both versions are shown; whichever the analyst keeps, the other
 * is saved as a new scenario, so no one's work is lost.
 */
import { useState } from "react";
import * as api from "../api/client";
import type { Conflict } from "../api/types";
import { useI18n } from "../i18n";
import { compareDrafts } from "../lib/compare";
import type { ScenarioDocument } from "../lib/convert";
import { Dialog } from "./Dialog";

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

export function copySlug(slug: string, who: string): string {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[^0-9]/g, "");
  return `${slug}-${who}-${stamp}`.slice(0, 64);
}

export function ConflictDialog(props: {
  slug: string;
  mine: ScenarioDocument;
  conflict: Conflict;
  keepMine(revision: number): Promise<void>;
  keepTheirs(): void;
}) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const theirs = props.conflict.document;
  const comparison = compareDrafts(props.mine, theirs);

  async function keep(which: "mine" | "theirs" | "copy") {
    setError(null);
    try {
      if (which === "mine") {
        await api.createScenario(copySlug(props.slug, "theirs"), `${theirs.name} (${t("conflict.theirs", { revision: props.conflict.current_revision })})`, theirs);
        await props.keepMine(props.conflict.current_revision);
      } else if (which === "theirs") {
        await api.createScenario(copySlug(props.slug, "mine"), `${props.mine.name} (${t("conflict.mine")})`, props.mine);
        props.keepTheirs();
      } else {
        const slug = copySlug(props.slug, "mine");
        await api.createScenario(slug, `${props.mine.name} (${t("conflict.mine")})`, props.mine);
        props.keepTheirs();
        window.location.hash = `/s/${encodeURIComponent(slug)}`;
      }
    } catch (e) {
      setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  return (
    <Dialog title={t("conflict.title")} onClose={() => undefined} wide>
      <p>{t("conflict.explain", { theirs: props.conflict.current_revision })}</p>
      <div className="two-columns" data-testid="conflict">
        <section>
          <h3>{t("conflict.mine")}</h3>
          <p>{t("conflict.blocks", { count: props.mine.nodes.length, edges: props.mine.edges.length })}</p>
          <List title={t("conflict.onlyMine")} items={comparison.onlyMine} />
          <List title={t("conflict.changed")} items={comparison.changed.map((c) => c.mine)} />
          <details>
            <summary>JSON</summary>
            <pre>{JSON.stringify(props.mine, null, 2)}</pre>
          </details>
        </section>
        <section>
          <h3>{t("conflict.theirs", { revision: props.conflict.current_revision })}</h3>
          <p>{t("conflict.blocks", { count: theirs.nodes.length, edges: theirs.edges.length })}</p>
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
