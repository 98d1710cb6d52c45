/**
 * A recorded call's path on the canvas, drawn on the flow the call ran: the draft when it is that flow, else the
 * published version itself, read-only in the draft's place (store `viewVersion`), with a banner naming it and a way
 * back to the draft, which waits untouched. Lit on a draft edited since, the path skipped the blocks deleted since and
 * showed names the caller never heard (QA review of the call records).
 */
import { flushSync } from "react-dom";
import { useI18n } from "../i18n";
import type { ScenarioDocument } from "../lib/convert";
import { focusBack } from "../lib/focusBack";
import { sameFlow } from "../lib/compare";
import { useEditor } from "../store/editor";
import { versionNote, type OpenCall } from "./CallsPanel";
import { useBesideCanvas } from "./storyBlocks";

type PathCall = Pick<OpenCall, "id" | "version" | "published" | "steps">;

/**
 * Where a call's path is drawn: on its version when the draft is another flow; on the draft when it is the same flow,
 * or when the version is not known (no version, or its document could not be fetched: the note then says so).
 */
export function pathCanvas(call: Pick<OpenCall, "version" | "published">, draft: ScenarioDocument): "version" | "draft" {
  return call.version !== null && call.published && !sameFlow(call.published, draft) ? "version" : "draft";
}

/** Light `call`'s path on the canvas: on the version it ran, shown read-only, when the draft differs from it. */
export function showCallPath(call: PathCall): void {
  const editor = useEditor.getState();
  if (call.version !== null && call.published && pathCanvas(call, editor.document()) === "version") {
    editor.viewVersion(call.version, call.published, call.steps, call.id);
  } else editor.showPath(call.steps);
}

/** An element of the page by its test id, when it is drawn (not in a closed tab): one that can take the focus. */
function drawnElement(testId: string): HTMLElement | null {
  const element = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`);
  return element && element.getClientRects().length > 0 ? element : null;
}

/**
 * Back to the draft from the banner, which goes with the version: the focus to the call's "Show its path on version N"
 * that comes back in the Calls tab, else to the canvas, rather than to <body>.
 */
export function backToDraftFromBanner(): void {
  // Drawn now, not at React's next turn: the button to focus must be in the page first.
  flushSync(() => useEditor.getState().leaveVersion());
  focusBack(drawnElement("show-on-version"), drawnElement("canvas"));
}

/** The banner over the canvas while a version is shown in the draft's place. Props only. */
export function VersionViewBannerView({ version, onBack }: { version: number; onBack(): void }) {
  const { t } = useI18n();
  return (
    <div className="restore-banner row version-view-banner" role="status" data-testid="version-view-banner">
      <span>{t("calls.versionViewBanner", { version })}</span>
      <button type="button" className="primary" onClick={onBack} data-testid="back-to-draft">
        {t("calls.backToDraft")}
      </button>
    </div>
  );
}

/** `VersionViewBannerView` for the version the canvas shows, if any. */
export function VersionViewBanner() {
  const version = useEditor((s) => s.versionView?.version ?? null);
  return version === null ? null : <VersionViewBannerView version={version} onBack={backToDraftFromBanner} />;
}

/**
 * Which version the call ran, said beside what the canvas shows. Beside the canvas, a call whose version the draft
 * differs from offers its path on that version (`onShow`) or, shown (`shown`), the way back to the draft (`onBack`);
 * away from it (the Calls page) only the version is said. Props only.
 */
export function CallVersionNoteView(props: {
  call: Pick<OpenCall, "version" | "published">;
  draftMatches: boolean | null;
  beside: boolean;
  shown: boolean;
  onShow(): void;
  onBack(): void;
}) {
  const { t } = useI18n();
  const { call, draftMatches, beside, shown } = props;
  const note = versionNote(call.version, draftMatches);
  if (!note) return null;
  const text = !beside ? "calls.ranVersionOnly" : shown ? "calls.ranVersionShown" : note.key;
  const switchable = beside && call.published && draftMatches === false;
  return (
    <>
      {/* The canvas shows the draft; the call ran a published version, maybe another flow: said only if it is. */}
      <p className="hint" data-testid="version-note" data-draft-matches={draftMatches === null ? undefined : String(draftMatches)}>
        {t(text, { version: note.version })}
      </p>
      {switchable && (
        <p className="small">
          {shown ? (
            <button type="button" className="link" onClick={props.onBack} data-testid="call-back-to-draft">
              {t("calls.backToDraft")}
            </button>
          ) : (
            <button type="button" className="link" onClick={props.onShow} data-testid="show-on-version">
              {t("calls.showOnVersion", { version: note.version })}
            </button>
          )}
        </p>
      )}
    </>
  );
}

/** `CallVersionNoteView` for `call`, against the canvas as it is. */
export function CallVersionNote({ call, draftMatches }: { call: PathCall; draftMatches: boolean | null }) {
  const beside = useBesideCanvas();
  const shown = useEditor((s) => s.versionView !== null && s.versionView.callId === call.id);
  const leaveVersion = useEditor((s) => s.leaveVersion);
  return (
    <CallVersionNoteView
      call={call}
      draftMatches={draftMatches}
      beside={beside}
      shown={beside && shown}
      onShow={() => showCallPath(call)}
      onBack={leaveVersion}
    />
  );
}
