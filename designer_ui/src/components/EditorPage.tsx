/** The editor: palette | canvas | side panel, problems below, toolbar above. */
import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useEffect, useId, useMemo, useState, type KeyboardEvent } from "react";
import * as api from "../api/client";
import type { Role, User } from "../api/types";
import { useI18n } from "../i18n";
import { sameFlow } from "../lib/compare";
import { toScenario, type ScenarioDocument } from "../lib/convert";
import { formatDateTime } from "../lib/format";
import type { MessageKey } from "../lib/i18n";
import { may } from "../lib/roles";
import { untested } from "../lib/scenarioTests";
import { clearStash, readStash, stashToOffer, type Stash } from "../lib/stash";
import { useEditor, type EditorConflict, type SidePanel } from "../store/editor";
import { BlockPanel, type Suggestions } from "./BlockPanel";
import { CallsPanel } from "./CallsPanel";
import { VersionViewBanner } from "./CallVersionView";
import { Canvas, useFitView } from "./Canvas";
import { ConflictDialog, KeptCopyBanner, conflictAuthor, type KeptVersion } from "./ConflictDialog";
import { EditorTools } from "./EditorTools";
import { FlowStatsBar, FlowStatsToggle } from "./FlowStatsBar";
import { savedOnLeaving } from "./draftSaver";
import { useRetryCountdown } from "./saveRetry";
import { Palette } from "./Palette";
import { ProblemsPanel } from "./ProblemsPanel";
import { PublishDialog } from "./PublishDialog";
import { ScenarioPanel } from "./ScenarioPanel";
import { TestCallPanel } from "./TestCallPanel";
import { TestsPanel } from "./TestsPanel";
import { useDraftSync } from "./useDraftSync";
import { useShortcuts } from "./useShortcuts";
import { VersionsPanel } from "./VersionsPanel";

function SaveIndicator({ onSave }: { onSave(): void }) {
  const { t } = useI18n();
  const state = useEditor((s) => s.saveState);
  const error = useEditor((s) => s.saveError);
  const retryIn = useRetryCountdown((s) => s.secondsLeft);
  const text =
    state === "saved" ? t("save.saved")
    : state === "saving" ? t("save.saving")
    : state === "dirty" ? t("save.dirty")
    : state === "conflict" ? t("save.conflict")
    : retryIn !== null ? t("save.retrying", { message: error ?? "", seconds: retryIn })
    : t("save.error", { message: error ?? "" });
  return (
    <span className={`save-state save-${state}`} role="status" data-testid="save-state" data-state={state}>
      {text}
      {(state === "error" || state === "dirty") && (
        <button type="button" className="link" onClick={onSave}>
          {t("save.now")}
        </button>
      )}
    </span>
  );
}

/** The version calls run now and its document; null while unpublished (or not known yet). */
export interface LiveVersion {
  version: number;
  document: ScenarioDocument;
}

/** The live version of `slug`, asked again whenever `refreshKey` changes (a publish, a rollback). */
function useLiveVersion(slug: string, refreshKey: number): LiveVersion | null {
  const [live, setLive] = useState<LiveVersion | null>(null);
  useEffect(() => {
    let cancelled = false;
    void api
      .getScenario(slug)
      .then(async ({ latest_version: version }) => (version === null ? null : { version, document: await api.versionDocument(slug, version) }))
      .then(
        (found) => !cancelled && setLive(found),
        () => !cancelled && setLive(null), // not known: nothing said rather than a wrong note
      );
    return () => {
      cancelled = true;
    };
  }, [slug, refreshKey]);
  return live;
}

/**
 * Said beside the save state while the draft is not what calls run: "Saved" alone read as "live" (review: after a
 * rollback the draft still held the change rolled back, and the next routine publish shipped it again). A short
 * badge, the whole sentence its description (and its tooltip): the sentence itself took the toolbar's width, the
 * scenario's name squeezed to nothing in Russian and Publish pushed out of view in Spanish. Props only.
 */
export function DraftDiffersNote({ live, draft }: { live: LiveVersion | null; draft: ScenarioDocument }) {
  const { t } = useI18n();
  const id = useId();
  const differs = useMemo(() => live !== null && !sameFlow(live.document, draft), [live, draft]);
  if (!live || !differs) return null;
  const sentence = t("save.draftDiffers", { version: live.version });
  return (
    <span className="draft-differs" data-testid="draft-differs" title={sentence}>
      <span className="badge draft-differs-badge" aria-describedby={id}>
        {t("save.notPublished")}
      </span>
      <span id={id} className="sr-only">
        {sentence}
      </span>
    </span>
  );
}

/** `DraftDiffersNote` for the draft on the canvas as last edited. */
function LiveDraftNote({ slug, refreshKey }: { slug: string; refreshKey: number }) {
  const live = useLiveVersion(slug, refreshKey);
  const present = useEditor((s) => s.history.present);
  const draft = useMemo(() => toScenario(present), [present]);
  return <DraftDiffersNote live={live} draft={draft} />;
}

const PANELS: [SidePanel, MessageKey][] = [
  ["block", "editor.properties"],
  ["scenario", "editor.scenario"],
  ["test", "editor.testCall"],
  ["tests", "tests.tab"],
  ["versions", "editor.versions"],
  ["calls", "editor.callRecords"],
];

/** The ids tying each side-panel tab to its panel, for a screen reader. */
export const tabId = (panel: SidePanel) => `side-tab-${panel}`;
export const panelId = (panel: SidePanel) => `side-panel-${panel}`;

/** The tab a key takes the focus to from tab `index` of `count`: arrows go round, Home and End to the ends; else null. */
export function tabAfterKey(key: string, index: number, count: number): number | null {
  if (key === "ArrowRight") return (index + 1) % count;
  if (key === "ArrowLeft") return (index - 1 + count) % count;
  if (key === "Home") return 0;
  if (key === "End") return count - 1;
  return null;
}

/**
 * The side panel's tabs, one stop for Tab (the shown one's): the arrow keys, Home and End go from tab to tab and
 * show each (the panels are drawn at once), as a tab list does everywhere. Props only.
 */
export function SidePanelTabs({ panel, onSelect }: { panel: SidePanel; onSelect(panel: SidePanel): void }) {
  const { t } = useI18n();
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const next = tabAfterKey(event.key, PANELS.findIndex(([id]) => id === panel), PANELS.length);
    if (next === null) return;
    event.preventDefault();
    const [id] = PANELS[next]!;
    onSelect(id);
    document.getElementById(tabId(id))?.focus();
  };
  return (
    <div className="tabs" role="tablist">
      {PANELS.map(([id, label]) => (
        <button
          type="button"
          role="tab"
          key={id}
          id={tabId(id)}
          aria-controls={panelId(id)}
          aria-selected={panel === id}
          tabIndex={panel === id ? 0 : -1}
          className={panel === id ? "active" : undefined}
          onClick={() => onSelect(id)}
          onKeyDown={onKeyDown}
        >
          {t(label)}
        </button>
      ))}
    </div>
  );
}

/**
 * Whether a key selects a block on the canvas: Enter or Space on the block itself (React Flow selects it then, without
 * the click that shows the Block panel). Its settings are shown as after a click, not left behind the Test call.
 */
export function selectsBlock(key: string, target: EventTarget | null): boolean {
  if (key !== "Enter" && key !== " ") return false;
  const element = target as Partial<Element> | null;
  return typeof element?.matches === "function" && element.matches(".react-flow__node");
}

/** The focusable parts of a panel a command opened, in order: its fields, else its heading. */
const FIELDS = "input:not([type=hidden]):not(:disabled), select:not(:disabled), textarea:not(:disabled)";

/**
 * Take the keyboard into a side panel a toolbar command opened (Test call): to its first field, else its heading,
 * rather than leave it on the toolbar, 35 Tabs away from what was opened.
 */
export function focusInto(panel: HTMLElement | null): void {
  if (!panel) return;
  const target = panel.querySelector<HTMLElement>(FIELDS) ?? panel.querySelector<HTMLElement>("h2");
  if (!target) return;
  if (target.tagName === "H2" && !target.hasAttribute("tabindex")) target.tabIndex = -1;
  target.focus();
}

function RestoreBanner({ slug, stash }: { slug: string; stash: Stash }) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(true);
  if (!open) return null;
  return (
    <div className="restore-banner row" role="alert" data-testid="restore-banner">
      <span>{t("restore.found", { when: formatDateTime(stash.savedAt, language) })}</span>
      <button
        type="button"
        className="primary"
        onClick={() => {
          // If the analyst has edited here since the banner came, the store offers both versions, replacing neither.
          useEditor.getState().restoreUnsaved(stash.document, stash.revision, stash.scenarioCreatedAt);
          setOpen(false);
        }}
      >
        {t("restore.restore")}
      </button>
      <button
        type="button"
        onClick={() => {
          // Once this tab has edited, the browser's copy is of those edits, not of the ones offered here.
          if (readStash(localStorage, slug)?.savedAt === stash.savedAt) clearStash(localStorage, slug);
          setOpen(false);
        }}
      >
        {t("restore.discard")}
      </button>
    </div>
  );
}

/** Where the forms' suggestions come from (the API; a test gives its own). */
export type SuggestionSource = Pick<typeof api, "scenarioNames" | "audioAssets" | "dataSources">;

/**
 * The names the block forms suggest. Only what the role may list is asked for: the server refuses the data
 * sources to anyone but an admin, and a refused request is a 403 in the console for nothing.
 */
export async function loadSuggestions(role: Role, source: SuggestionSource = api): Promise<Suggestions> {
  // Suggestions only: a failure leaves its list empty.
  const none = () => [] as string[];
  const [scenarios, audio, dataSources] = await Promise.all([
    // Every scenario: a first page of the list (200 by slug) left the ones after it out of Go To Scenario's.
    source.scenarioNames().then((all) => all.map((s) => s.slug), none),
    source.audioAssets().catch(() => []),
    may(role, "listDataSources") ? source.dataSources().catch(none) : none(),
  ]);
  // An admin's SQL block form with no source to suggest points at the page that adds them.
  return { scenarios, audio, dataSources, ...(may(role, "listDataSources") ? { dataSourcesPage: "#/data-sources" } : {}) };
}

function Editor({ slug, user, stash, openCall }: { slug: string; user: User; stash: Stash | null; openCall: string | null }) {
  const { t } = useI18n();
  const fitView = useFitView();
  const save = useDraftSync(slug);
  useShortcuts(save);
  const head = useEditor((s) => s.head);
  const panel = useEditor((s) => s.panel);
  const setPanel = useEditor((s) => s.setPanel);
  const selected = useEditor((s) => {
    const picked = s.nodes.filter((n) => n.selected);
    return picked.length === 1 ? picked[0] : undefined;
  });
  // A version shown in the draft's place takes no undo: the history is the draft's.
  const canUndo = useEditor((s) => s.history.past.length > 0 && s.versionView === null);
  const canRedo = useEditor((s) => s.history.future.length > 0 && s.versionView === null);
  const conflict = useEditor((s) => s.conflict);
  /** Who saved the other version of the conflict open (null: not known), once looked up. */
  const [conflictBy, setConflictBy] = useState<{ conflict: EditorConflict; author: string | null } | null>(null);
  const notice = useEditor((s) => s.notice);
  /** The scenario the last conflict resolved kept the other version in, told until dismissed. */
  const [kept, setKept] = useState<KeptVersion | null>(null);
  const [publishing, setPublishing] = useState(false);
  /** A panel a command opened, to take the focus to once it is shown (the nonce: again on a second command). */
  const [focusTo, setFocusTo] = useState<{ panel: SidePanel; nonce: number } | null>(null);
  const openFocused = useCallback(
    (next: SidePanel) => {
      setPanel(next);
      setFocusTo({ panel: next, nonce: Date.now() });
    },
    [setPanel],
  );
  useEffect(() => {
    if (focusTo && panel === focusTo.panel) focusInto(document.getElementById(panelId(focusTo.panel)));
  }, [focusTo, panel]);
  // A call the address names (the Calls page's "show its path on the canvas"): the Calls tab opens it.
  useEffect(() => {
    if (openCall) setPanel("calls");
  }, [openCall, setPanel]);
  const [versionsKey, setVersionsKey] = useState(0);
  const [suggestions, setSuggestions] = useState<Suggestions>({ scenarios: [], audio: [], dataSources: [] });
  const canPublish = may(user.role, "publish");
  const canEdit = may(user.role, "edit");

  useEffect(() => {
    let cancelled = false;
    void loadSuggestions(user.role).then((found) => !cancelled && setSuggestions(found));
    return () => {
      cancelled = true;
    };
  }, [user.role]);

  // The 409 does not say who saved: the draft does. The view opens once it has answered (or was too slow), so
  // it never blames "someone else" for a moment and then names the analyst.
  useEffect(() => {
    if (!conflict) return;
    let cancelled = false;
    void conflictAuthor(slug, conflict, user.username).then((author) => !cancelled && setConflictBy({ conflict, author }));
    return () => {
      cancelled = true;
    };
  }, [conflict, slug, user.username]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => useEditor.getState().setNotice(null), 4000);
    return () => clearTimeout(timer);
  }, [notice]);

  const beforePublish = useCallback(async () => {
    // Publishing takes the saved draft: save what is on the canvas first, then name the draft that save left.
    return (await save()) ? useEditor.getState().pin() : null;
  }, [save]);

  // A rollback that reset the draft: the canvas shows the draft the server has now, the version rolled back to.
  const reloadDraft = useCallback(() => {
    api.getScenario(slug).then(
      ({ draft }) => {
        // The analyst stays in the panel the rollback was asked from (Versions), its status saying what happened:
        // a load opens the Block panel, as for a scenario just opened.
        const { panel } = useEditor.getState();
        useEditor.getState().load(slug, draft.document, draft.revision, draft.scenario_created_at);
        useEditor.getState().setPanel(panel);
      },
      // Not loaded (the network): the canvas names the draft replaced, so its next save is a 409 that opens the
      // conflict view with the draft there is, instead of writing over it.
      () => undefined,
    );
  }, [slug]);

  const editor = useEditor.getState();
  return (
    <div className="editor" data-testid="editor">
      <div className="editor-toolbar row" role="toolbar" aria-label={head.name}>
        <a href="#/" className="back">← {t("editor.back")}</a>
        <h1 className="scenario-name" title={head.name}>{head.name}</h1>
        <SaveIndicator onSave={() => void save()} />
        <LiveDraftNote slug={slug} refreshKey={versionsKey} />
        <span className="spacer" />
        <FlowStatsToggle />
        <EditorTools
          role={user.role}
          canUndo={canUndo}
          canRedo={canRedo}
          onUndo={editor.undo}
          onRedo={editor.redo}
          onLayout={editor.layout}
          onFit={fitView}
          onDelete={editor.deleteSelection}
          onTestCall={() => openFocused("test")}
          onPublish={() => setPublishing(true)}
        />
      </div>
      <FlowStatsBar slug={slug} />
      {notice && <div className="notice" role="status">{t(notice as MessageKey)}</div>}
      {stash && <RestoreBanner slug={slug} stash={stash} />}
      <VersionViewBanner />
      {kept && <KeptCopyBanner kept={kept} onClose={() => setKept(null)} />}
      <div
        className="editor-body"
        onKeyDown={(event) => {
          if (selectsBlock(event.key, event.target)) setPanel("block");
        }}
      >
        {!canEdit ? <div className="palette muted small">{t("editor.readOnly")}</div> : <Palette />}
        <Canvas />
        <aside className="side-panel">
          <SidePanelTabs panel={panel} onSelect={setPanel} />
          {/* Panels stay mounted while hidden, so a test call's story survives a look at a block's form. */}
          <div className="panel-body" role="tabpanel" id={panelId("block")} aria-labelledby={tabId("block")} hidden={panel !== "block"}>
            {selected ? <BlockPanel node={selected} suggestions={suggestions} /> : <p className="muted">{t("editor.nothingSelected")}</p>}
          </div>
          <div className="panel-body" role="tabpanel" id={panelId("scenario")} aria-labelledby={tabId("scenario")} hidden={panel !== "scenario"}>
            <ScenarioPanel />
          </div>
          <div className="panel-body" role="tabpanel" id={panelId("test")} aria-labelledby={tabId("test")} hidden={panel !== "test"}>
            <TestCallPanel slug={slug} />
          </div>
          <div className="panel-body" role="tabpanel" id={panelId("tests")} aria-labelledby={tabId("tests")} hidden={panel !== "tests"}>
            <TestsPanel slug={slug} />
          </div>
          <div className="panel-body" role="tabpanel" id={panelId("versions")} aria-labelledby={tabId("versions")} hidden={panel !== "versions"}>
            {panel === "versions" && (
              <VersionsPanel
                slug={slug}
                refreshKey={versionsKey}
                canRollBack={canPublish}
                onChanged={() => setVersionsKey((k) => k + 1)}
                pinDraft={canEdit ? beforePublish : undefined}
                onDraftReset={reloadDraft}
              />
            )}
          </div>
          <div className="panel-body" role="tabpanel" id={panelId("calls")} aria-labelledby={tabId("calls")} hidden={panel !== "calls"}>
            {panel === "calls" && <CallsPanel slug={slug} initialCall={openCall} names={user.sees_personal_data} />}
          </div>
        </aside>
      </div>
      <ProblemsPanel />
      {/* A viewer's canvas takes no edits: only the shortcut that works for them. */}
      <p className="shortcuts muted small">{t(canEdit ? "editor.shortcuts" : "editor.shortcutsViewer")}</p>
      {publishing && (
        <PublishDialog
          slug={slug}
          name={head.name}
          untested={untested(head.meta)}
          beforePublish={beforePublish}
          onConflict={(found) => useEditor.getState().setConflict(found)}
          onClose={(changed) => {
            setPublishing(false);
            if (changed) setVersionsKey((k) => k + 1);
          }}
        />
      )}
      {conflict && conflictBy?.conflict === conflict && (
        <ConflictDialog
          slug={slug}
          mine={useEditor.getState().document()}
          conflict={conflict}
          author={conflictBy.author}
          me={user.username}
          onKept={setKept}
          keepMine={async () => {
            useEditor.getState().keepMine();
            await save();
          }}
          keepTheirs={() => {
            // Mine was just saved as a scenario of its own: the browser's copy is no longer needed.
            useEditor.getState().takeTheirs();
            clearStash(localStorage, slug);
          }}
        />
      )}
    </div>
  );
}

/** `openCall`: a call whose path to show on the canvas once it is drawn (`#/s/<slug>?call=<id>`). */
export function EditorPage({ slug, user, openCall = null }: { slug: string; user: User; openCall?: string | null }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [stash, setStash] = useState<Stash | null>(null);

  // Not on `t`: switching the language must not load the draft again over edits not saved yet. Opened again
  // right after leaving it mid-edit, the scenario loads once the save made on the way out has landed.
  useEffect(() => {
    let cancelled = false;
    savedOnLeaving(slug).then(() => Promise.all([api.blocks(), api.getScenario(slug)])).then(
      ([catalog, scenario]) => {
        if (cancelled) return;
        const editor = useEditor.getState();
        editor.setCatalog(catalog);
        editor.setReadOnly(!may(user.role, "edit"));
        editor.load(slug, scenario.draft.document, scenario.draft.revision, scenario.draft.scenario_created_at);
        setStash(stashToOffer(localStorage, slug, scenario.draft.document));
        setReady(true);
      },
      (e: unknown) => !cancelled && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [slug, user.role]);

  if (error) return <p role="alert" className="error-text">{t("error.generic", { message: error })}</p>;
  if (!ready) return <p className="centered">{t("editor.loading")}</p>;
  return (
    <ReactFlowProvider>
      <Editor slug={slug} user={user} stash={stash} openCall={openCall} />
    </ReactFlowProvider>
  );
}
