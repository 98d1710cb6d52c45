/**
 * After an upgrade, a tab opened on the release before cannot load the pages it had not opened yet (their chunks
 * are gone: lib/newVersion.ts). Without a boundary the failed import unmounted the whole app, and the tab went
 * blank, the editor whose code had loaded too. The boundary around the pages shows this notice in place of the
 * page instead, the top bar still there; the Reload button saves the edits first, then reloads.
 *
 * A notice, not a reload of its own accord: the analyst decides when, and a server still answering with the old
 * release (a proxy's cache) cannot put the tab in a loop of reloads.
 */
import { Component, useState, type ReactNode } from "react";
import { useI18n } from "../i18n";
import { isChunkLoadError, reloadForNewVersion } from "../lib/newVersion";
import { BusyButton } from "./BusyButton";
import "./newVersionNotice.css";

/** The notice as drawn: `busy` while the edits are being saved before the reload. */
export function NewVersionNotice({ busy, onReload }: { busy: boolean; onReload(): void }) {
  const { t } = useI18n();
  return (
    <div className="new-version-notice" role="alert" data-testid="new-version-notice">
      <p>{t("app.newVersion")}</p>
      <BusyButton className="primary" busy={busy} busyLabel={t("app.reloadSaving")} onClick={onReload}>
        {t("app.reload")}
      </BusyButton>
    </div>
  );
}

/** The notice, reloading when asked. */
export function ReloadNotice({ reload }: { reload?: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  return (
    <NewVersionNotice
      busy={busy}
      onReload={() => {
        setBusy(true);
        // Reloading ends the page; a save that fails leaves the page as it is, with the button to try again.
        (reload ?? reloadForNewVersion)().catch(() => setBusy(false));
      }}
    />
  );
}

interface BoundaryProps {
  /** The page shown: another page is tried again (one whose code has loaded opens as usual). */
  resetKey: string;
  children: ReactNode;
}

interface BoundaryState {
  failed: boolean;
  error: unknown;
}

/**
 * Around the pages: a chunk that would not load shows the notice. Any other error is not this boundary's to
 * hide: it is thrown on, as before.
 */
export class ChunkErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { failed: false, error: null };

  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { failed: true, error };
  }

  override componentDidUpdate(previous: BoundaryProps): void {
    if (this.state.failed && previous.resetKey !== this.props.resetKey) this.setState({ failed: false, error: null });
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    if (isChunkLoadError(this.state.error)) return <ReloadNotice />;
    throw this.state.error;
  }
}
