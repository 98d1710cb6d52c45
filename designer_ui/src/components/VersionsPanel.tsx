/** Published versions, newest first, each of which can be rolled back to (published again as the newest). */
import { useEffect, useState } from "react";
import * as api from "../api/client";
import type { VersionSummary } from "../api/types";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";
import type { Translate } from "../lib/i18n";
import { ApiError } from "../api/http";
import { publishRefusal } from "./PublishDialog";

/**
 * A refused rollback in words: the version rolled back to is the flow calls already run (`nothing-to-publish`),
 * or another publish landed while it was being checked (`published-meanwhile`); anything else as the server said.
 */
export function rollbackFailureText(t: Translate, error: unknown, rolledBackTo: number): string {
  const refusal = error instanceof ApiError && error.status === 409 ? publishRefusal(error.body) : null;
  if (refusal?.kind === "nothing-to-publish") return t("versions.alreadyLive", { version: rolledBackTo, live: refusal.version });
  if (refusal?.kind === "published-meanwhile") return t("versions.publishedMeanwhile", { version: refusal.version });
  return t("error.generic", { message: error instanceof Error ? error.message : String(error) });
}

export function VersionsPanel(props: { slug: string; refreshKey: number; canRollBack: boolean; onChanged(): void }) {
  const { slug, refreshKey, canRollBack, onChanged } = props;
  const { t, language } = useI18n();
  const [items, setItems] = useState<VersionSummary[]>([]);
  const [message, setMessage] = useState<string | null>(null);

  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((n) => n + 1);

  useEffect(() => {
    let cancelled = false;
    api.versions(slug).then(
      (list) => !cancelled && setItems([...list].sort((a, b) => b.number - a.number)),
      (e: unknown) => !cancelled && setMessage(t("error.generic", { message: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      cancelled = true;
    };
  }, [slug, t, refreshKey, reloads]);

  return (
    <div className="versions-panel" data-testid="versions-panel">
      <h2>{t("versions.title")}</h2>
      {message && <p role="status">{message}</p>}
      {items.length === 0 && <p className="muted">{t("versions.none")}</p>}
      <ol className="versions">
        {items.map((item) => (
          <li key={item.number}>
            <strong>v{item.number}</strong> {item.message && <span>{item.message}</span>}
            <div className="muted small">
              {formatDateTime(item.created_at, language)} {item.created_by ?? ""}
            </div>
            {canRollBack && item.number !== items[0]?.number && (
              <button
                type="button"
                onClick={async () => {
                  if (!window.confirm(t("versions.confirmRollback", { version: item.number }))) return;
                  try {
                    const result = await api.rollback(slug, item.number);
                    setMessage(t("versions.rolledBack", { version: item.number, newVersion: result.version.number }));
                    reload();
                    onChanged();
                  } catch (e) {
                    setMessage(rollbackFailureText(t, e, item.number));
                    // Another publish landed meanwhile: list it.
                    if (e instanceof ApiError && publishRefusal(e.body)?.kind === "published-meanwhile") {
                      reload();
                      onChanged();
                    }
                  }
                }}
              >
                {t("versions.rollback")}
              </button>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}
