/** Published versions, newest first, each of which can be rolled back to (published again as the newest). */
import { useEffect, useState } from "react";
import * as api from "../api/client";
import type { VersionSummary } from "../api/types";
import { useI18n } from "../i18n";
import { formatDateTime } from "../lib/format";

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
                    setMessage(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
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
