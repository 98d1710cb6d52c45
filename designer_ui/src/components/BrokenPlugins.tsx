/**
 * The block plugins the server left out because they are broken (`GET /api/blocks/broken`), named in the palette
 * with the reason: their blocks are missing from it, and an analyst whose scenario uses one would otherwise only
 * see a validation error, an administrator nothing at all.
 */
import { useEffect, useState } from "react";
import * as api from "../api/client";
import type { BrokenPlugin } from "../api/client";
import { useI18n } from "../i18n";
import { countText } from "../lib/i18n";

/** A plugin as whoever installed it knows it: its distribution ("acme-crm"), else its entry point as the server
 * names it (`acme_crm = acme_crm.blocks:CrmBlock (from acme-crm)`, without the part in brackets when unknown). */
export function pluginName(plugin: string): string {
  return /\(from ([^()]+)\)$/.exec(plugin)?.[1] ?? plugin;
}

/** The first line of a reason: enough to tell what broke; the whole reason is in the item's tooltip. */
export function firstLine(reason: string): string {
  return reason.split("\n", 1)[0]!.trim();
}

/** Props only (tested without a DOM); nothing at all when no plugin is broken. */
export function BrokenPluginsNotice({ plugins }: { plugins: BrokenPlugin[] }) {
  const { t, language } = useI18n();
  if (plugins.length === 0) return null;
  return (
    <section className="broken-plugins" role="status" aria-label={t("palette.broken")} data-testid="broken-plugins">
      <p className="error-text">{countText(language, "brokenPlugin", plugins.length)}:</p>
      <ul>
        {plugins.map((broken) => (
          <li key={broken.plugin} title={`${broken.plugin}\n${broken.reason}`}>
            <strong>{pluginName(broken.plugin)}</strong> ({firstLine(broken.reason)})
          </li>
        ))}
      </ul>
      <p className="hint">{t("palette.brokenHint")}</p>
    </section>
  );
}

/** The broken plugins, asked once per palette. A failed request shows nothing: the notice is a courtesy, and the
 * palette must work against a server that has no such list (or when the request fails for any other reason). */
export function useBrokenPlugins(): BrokenPlugin[] {
  const [plugins, setPlugins] = useState<BrokenPlugin[]>([]);
  useEffect(() => {
    let cancelled = false;
    api.brokenPlugins().then(
      (found) => !cancelled && setPlugins(found),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, []);
  return plugins;
}
