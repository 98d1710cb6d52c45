/** Scenarios: search, page, create, duplicate, import, export, delete (each offered only to a role that may). */
import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { Role, ScenarioSummary, User } from "../api/types";
import type { Node as ScenarioNode } from "../generated/scenario";
import { navigate } from "../App";
import { useI18n } from "../i18n";
import { countText, type Language, type MessageKey, type Translate } from "../lib/i18n";
import { specTitle } from "../lib/blockText";
import { defaultConfig, type BlockSpec } from "../lib/catalog";
import { emptyScenario, type ScenarioDocument } from "../lib/convert";
import { formatDateTime } from "../lib/format";
import { focusBack } from "../lib/focusBack";
import type { ImportFailure } from "../lib/importFile";
import { may } from "../lib/roles";
import { slugify } from "../lib/slug";
import { callbacksPath, NO_JOB_FILTERS } from "./callbackJobs";
import { CallListDialog } from "./CallListDialog";
import { CampaignsDialog } from "./CampaignsDialog";
import { useConfirm, type Confirm, type ConfirmRequest } from "./ConfirmDialog";
import { Dialog } from "./Dialog";
import { exportScenarioFile } from "./exportScenario";
import { importChosenFile, type ImportChoice, type TakenSlug } from "./importScenario";
import { TextWithCode } from "./InlineCode";
import { MenuButton, type MenuItem } from "./MenuButton";
import { ScenarioListStatus, scenarioListView } from "./ScenarioListStatus";
import { StudioImportReport, type StudioReportLine } from "./StudioImportReport";
import "./scenarioList.css";

const PAGE_SIZE = 20;

async function exportScenario(slug: string) {
  const { fileName, data } = await exportScenarioFile(slug);
  download(fileName, data);
}

function download(filename: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  URL.revokeObjectURL(url);
}

function NameSlugForm(props: { title: string; initialName?: string; onSubmit(name: string, slug: string): Promise<void>; onCancel(): void }) {
  const { t } = useI18n();
  const [name, setName] = useState(props.initialName ?? "");
  const [slug, setSlug] = useState(props.initialName ? slugify(props.initialName) : "");
  const [slugEdited, setSlugEdited] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    try {
      await props.onSubmit(name, slug);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <form className="card inline-form" onSubmit={submit} aria-label={props.title}>
      <h3>{props.title}</h3>
      <label>
        {t("list.name")}
        <input
          name="name"
          autoFocus
          required
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (!slugEdited) setSlug(slugify(e.target.value));
          }}
        />
      </label>
      <label>
        {t("list.slug")} <small>({t("list.slugHint")})</small>
        <input
          name="slug"
          required
          pattern="[a-z0-9][a-z0-9\-]{0,63}"
          value={slug}
          onChange={(e) => {
            setSlug(e.target.value);
            setSlugEdited(true);
          }}
        />
      </label>
      {error && <p role="alert" className="error-text">{error}</p>}
      <div className="row">
        <button type="submit" className="primary">{t("list.create")}</button>
        <button type="button" onClick={props.onCancel}>{t("list.cancel")}</button>
      </div>
    </form>
  );
}

/** What a row may offer, in its menu's order. */
export type RowAction = "duplicate" | "export" | "callList" | "campaigns" | "delete";

/**
 * A row's secondary actions. Export is open to every role; the others only show for a role the server lets do
 * them. Calling a list needs a published version too: the calls run the live scenario, never a draft; so do its
 * campaigns (the lists called with it), which any role may follow.
 */
export function rowActions(item: ScenarioSummary, role: Role): RowAction[] {
  const published = item.latest_version !== null;
  const offered: [RowAction, boolean][] = [
    ["duplicate", may(role, "duplicate")],
    ["export", true],
    ["callList", may(role, "callList") && published],
    ["campaigns", may(role, "campaigns") && published],
    ["delete", may(role, "delete")],
  ];
  return offered.filter(([, ok]) => ok).map(([action]) => action);
}

const ROW_ACTION_LABEL = {
  duplicate: "list.duplicate",
  export: "list.export",
  callList: "list.callList",
  campaigns: "list.campaigns",
  delete: "list.delete",
} as const satisfies Record<RowAction, MessageKey>;

/** Three dots: the "more actions" sign. */
function MoreIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <circle cx="3" cy="8" r="1.5" fill="currentColor" />
      <circle cx="8" cy="8" r="1.5" fill="currentColor" />
      <circle cx="13" cy="8" r="1.5" fill="currentColor" />
    </svg>
  );
}

/**
 * A row's actions: Open, the one everybody needs, in sight; the rest (see `rowActions`) in a "More actions"
 * menu, so five buttons do not squeeze the name and slug columns.
 */
export function ScenarioRowActions(props: {
  item: ScenarioSummary;
  role: Role;
  onDuplicate(): void;
  onDelete(): void;
  onCallList(): void;
  onCampaigns(): void;
  /** Render with the menu open (markup tests). */
  menuOpen?: boolean;
}) {
  const { t } = useI18n();
  const { item, role } = props;
  const run: Record<RowAction, () => void> = {
    duplicate: props.onDuplicate,
    export: () => void exportScenario(item.slug),
    callList: props.onCallList,
    campaigns: props.onCampaigns,
    delete: props.onDelete,
  };
  const items: MenuItem[] = rowActions(item, role).map((action) => ({
    id: action,
    label: t(ROW_ACTION_LABEL[action]),
    onSelect: run[action],
    danger: action === "delete",
    separated: action === "delete",
  }));
  return (
    <div className="row">
      <a className="button" href={`#/s/${encodeURIComponent(item.slug)}`} aria-label={t("list.openNamed", { name: item.name })}>
        {t("list.open")}
      </a>
      <MenuButton label={t("list.moreActions", { name: item.name })} items={items} defaultOpen={props.menuOpen}>
        <MoreIcon />
      </MenuButton>
    </div>
  );
}

/**
 * What Delete asks before deleting, its button naming the scenario. A published scenario answers calls: deleted,
 * its calls get the server's "unavailable" message instead, and the question says so.
 */
export function deleteConfirmation(item: Pick<ScenarioSummary, "name" | "latest_version">, t: Translate): ConfirmRequest {
  return {
    title: t("list.confirmDeleteTitle", { name: item.name }),
    body: item.latest_version === null ? t("list.confirmDelete") : t("list.confirmDeleteLive", { version: item.latest_version }),
    confirmLabel: t("list.deleteNamed", { name: item.name }),
    destructive: true,
  };
}

/** Delete `item` once confirmed: whether it was. A refusal of the server is thrown. */
export async function deleteIfConfirmed(item: ScenarioSummary, t: Translate, confirm: Confirm): Promise<boolean> {
  if (!(await confirm(deleteConfirmation(item, t)))) return false;
  await api.deleteScenario(item.slug);
  return true;
}

/** Who keeps a scenario from being deleted (api/schemas.py `ScenarioReferrer`, `CallbacksReferrer`). */
export type Referrer = api.Schemas["ScenarioReferrer"] | api.Schemas["CallbacksReferrer"];

/** A delete the server refused because others still need the scenario: which scenario, and who needs it. */
export interface InUseRefusal {
  slug: string;
  name: string;
  referrers: Referrer[];
}

/**
 * Who still needs the scenario, when `error` is a delete's 409 `in-use` that says so as data (`referrers`); null
 * for anything else, a server too old to send them included: that refusal is shown in its own words, as before.
 */
export function inUseReferrers(error: unknown): Referrer[] | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const body = error.body as { type?: unknown; referrers?: unknown } | null;
  if (typeof body?.type !== "string" || !body.type.endsWith("/in-use") || !Array.isArray(body.referrers)) return null;
  return body.referrers.filter(
    (item): item is Referrer =>
      (item?.kind === "scenario" && typeof item.slug === "string" && WHERE.includes(item.where)) ||
      (item?.kind === "callbacks" && typeof item.count === "number"),
  );
}

const WHERE: unknown[] = ["draft", "published", "both"] satisfies Extract<Referrer, { kind: "scenario" }>["where"][];

/** Where the Callbacks page lists the jobs still waiting to ring into `slug`. */
const pendingCallbacksHref = (slug: string) =>
  `#${callbacksPath({ filters: { ...NO_JOB_FILTERS, scenario: slug, status: "pending" }, job: "" })}`;

/**
 * Why a scenario was not deleted, in the interface language: each scenario that names it, a link opening it, with
 * where it names it (its draft, its published version or both), and how many callbacks still wait to ring into it,
 * a link to them on the Callbacks page; then what to do about it.
 *
 * It comes above the table, far from the row's menu the delete was chosen in: it takes the focus when it appears
 * (a region named by its heading, which a screen reader reads out then), so its links are the next Tab stops, not
 * behind every row. Close gives the focus back (`onClose`, see `focusBack`).
 */
export function InUseRefusalView(props: { refusal: InUseRefusal; onClose(): void }) {
  const { t, language } = useI18n();
  const { slug, name, referrers } = props.refusal;
  const panel = useRef<HTMLElement>(null);
  const headingId = useId();
  useEffect(() => panel.current?.focus(), [props.refusal]);
  return (
    <section ref={panel} tabIndex={-1} aria-labelledby={headingId} className="blocked in-use" data-testid="delete-refused">
      <h2 id={headingId}>{t("list.inUse", { name })}</h2>
      <ul>
        {referrers.map((item) =>
          item.kind === "scenario" ? (
            <li key={`scenario:${item.slug}`}>
              <a href={`#/s/${encodeURIComponent(item.slug)}`}>{item.name || item.slug}</a> — {t(`list.inUseWhere.${item.where}`)}
            </li>
          ) : (
            <li key="callbacks">
              <a href={pendingCallbacksHref(slug)}>{countText(language, "pendingCallback", item.count)}</a>
            </li>
          ),
        )}
      </ul>
      <p className="hint">{t("list.inUseHint")}</p>
      <div className="row">
        <button type="button" onClick={props.onClose}>{t("list.inUseClose")}</button>
      </div>
    </section>
  );
}

/** A row's name, linking to its editor, and its description: Markdown code spans in it drawn as code, as text. */
export function ScenarioNameCell({ item }: { item: Pick<ScenarioSummary, "slug" | "name" | "description"> }) {
  return (
    <td>
      <a href={`#/s/${encodeURIComponent(item.slug)}`}>{item.name}</a>
      {item.description && (
        <div className="muted description">
          <TextWithCode text={item.description} />
        </div>
      )}
    </td>
  );
}

/**
 * Why a file was not imported: a file that is not JSON (with the line it breaks on) or not a scenario, in one
 * sentence; a document the server refused, with every problem it found, each with the place in the file.
 */
export function ImportFailureView({ failure }: { failure: ImportFailure }) {
  const { t } = useI18n();
  if (failure.kind !== "problems") {
    const message =
      failure.kind === "notJson"
        ? failure.line === null
          ? t("list.notJsonAnywhere")
          : t("list.notJson", { line: failure.line })
        : failure.kind === "notScenario"
          ? t("list.notScenario")
          : t("list.importFailed", { message: failure.message });
    return <p role="alert" className="error-text" data-testid="import-failure">{message}</p>;
  }
  return (
    <div role="alert" className="blocked" data-testid="import-failure">
      <p>{t("list.importProblems")}</p>
      <ul className="import-problems">
        {failure.problems.map((problem, i) => (
          <li key={i} className="problem error">
            {/* Server text, rendered as text: a message may quote what the file holds. */}
            {problem.path && problem.path !== "$" && <><code>{problem.path}</code>{" "}</>}
            {problem.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * What an imported file becomes when a scenario here has its slug already: the next draft of that scenario (the
 * file moved from staging to production; the dialplan dials the slug) or a copy beside it. Asked, never guessed.
 */
export function ImportChoiceDialog(props: { taken: TakenSlug; onChoose(choice: ImportChoice): void; onCancel(): void }) {
  const { t } = useI18n();
  const { slug } = props.taken;
  return (
    <Dialog title={t("list.slugTakenTitle")} onClose={props.onCancel}>
      <p>
        <TextWithCode text={t("list.slugTaken", { slug: `\`${slug}\``, name: props.taken.name })} />
      </p>
      <div>
        <button type="button" className="primary" onClick={() => props.onChoose("replaceDraft")}>
          {t("list.replaceDraft", { slug })}
        </button>
        <p className="hint">{t("list.replaceDraftHint")}</p>
      </div>
      <div>
        <button type="button" onClick={() => props.onChoose("copy")}>{t("list.importCopy")}</button>
        <p className="hint">{t("list.importCopyHint", { slug })}</p>
      </div>
      <div className="row">
        <button type="button" onClick={props.onCancel}>{t("list.cancel")}</button>
      </div>
    </Dialog>
  );
}

/** When a scenario was last changed, in the interface language, and by whom. */
export function UpdatedCell({ item }: { item: Pick<ScenarioSummary, "updated_at" | "updated_by"> }) {
  const { language } = useI18n();
  return (
    <td>
      <span className="nowrap">{formatDateTime(item.updated_at, language)}</span> {item.updated_by && <span className="muted">· {item.updated_by}</span>}
    </td>
  );
}

/**
 * The live version, and a warning when it uses block types the server does not have (their plugin uninstalled):
 * its calls fail at those blocks, which the list showed as a normal scenario before (plugin author's review). The
 * badge names the types; why it matters is in its tooltip and, for a screen reader, read after it.
 */
export function VersionCell({ item }: { item: Pick<ScenarioSummary, "latest_version" | "missing_block_types"> }) {
  const { t } = useI18n();
  const version = item.latest_version;
  const missing = version === null ? [] : (item.missing_block_types ?? []);
  if (version === null || missing.length === 0) return <td>{version === null ? t("list.never") : `v${version}`}</td>;
  const hint = t("list.missingBlocksHint", { version });
  return (
    <td>
      {`v${version}`}{" "}
      <span className="missing-blocks" data-testid="missing-blocks" title={hint}>
        <span aria-hidden="true">⚠ </span>
        {t("list.missingBlocks", { types: missing.join(", ") })}
      </span>
      <span className="sr-only"> {hint}</span>
    </td>
  );
}

/**
 * A new scenario's Start block, as the palette drops one (version 1 of the block, its schema's defaults: a config
 * left empty would be filled in by the block's form when first opened, an edit nobody made). The canvas opens on it.
 */
/**
 * The Start block a new scenario opens with, as the palette would drop it: at the version and with the config of the
 * catalog's Start (`catalog`: GET /api/blocks), and labelled in the analyst's language («Начало», «Inicio»), so the
 * call story, the Tests tab and a publish's refusal name it in their words, never by its English id `start`.
 */
export function blankStart(catalog: readonly BlockSpec[], language: Language): ScenarioNode {
  const spec = catalog.find((entry) => entry.type === "start");
  return {
    id: "start",
    type: "start",
    // Without the catalog's word, no version: the scenario format's default, as the server's own blank scenario.
    ...(spec ? { version: spec.version } : {}),
    label: specTitle(language, "start", spec),
    config: spec ? defaultConfig(spec) : {},
    position: { x: 0, y: 0 },
  };
}

/**
 * A new blank scenario, speaking the language of the interface it was created in: an analyst working in Russian
 * writes Russian phrases, which need Russian numbers and dates. Import and duplicate keep their document's language.
 * It opens with its Start block placed, as the server's own blank scenario has it: an empty canvas opened on the
 * error "The scenario has no Start block", with Start to be found in the palette (first-run review).
 */
export function blankScenario(name: string, language: Language, catalog: readonly BlockSpec[]): ScenarioDocument {
  return { ...emptyScenario(name, language), nodes: [blankStart(catalog, language)] };
}

export async function createBlankScenario(slug: string, name: string, language: Language) {
  return api.createScenario(slug, name, blankScenario(name, language, await api.blocks()));
}

export function ScenarioList({ user }: { user: User }) {
  const { t, language } = useI18n();
  const [query, setQuery] = useState("");
  const [page, setPage] = useState(1);
  const [items, setItems] = useState<ScenarioSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // Whether a listing has answered yet: before the first, an empty list means "not known yet", not "none".
  const [answered, setAnswered] = useState(false);
  // The search the list shown answers: "nothing matches" names it, not what is being typed (said once per answer).
  const [answeredQuery, setAnsweredQuery] = useState("");
  // A listing asked for and not answered yet (the list shown stays while the next one loads).
  const [loading, setLoading] = useState(true);
  // The reload last asked for: an older one answering later is not the list shown.
  const lastReload = useRef(0);
  // The last delete refused because others still need the scenario.
  const [refused, setRefused] = useState<InUseRefusal | null>(null);
  // Where the focus was when that delete was asked for, and the search: where Close puts the focus back.
  const deleteAskedFrom = useRef<HTMLElement | null>(null);
  const search = useRef<HTMLInputElement>(null);
  const [importFailure, setImportFailure] = useState<ImportFailure | null>(null);
  // A file whose slug a scenario here has: waiting for the analyst to say what it becomes.
  const [pendingImport, setPendingImport] = useState<{ file: File; taken: TakenSlug } | null>(null);
  // A Twilio Studio flow just imported: what its conversion says to check, shown before the scenario opens.
  const [studioImport, setStudioImport] = useState<{ slug: string; name: string; lines: StudioReportLine[] } | null>(null);
  const [creating, setCreating] = useState(false);
  const [duplicating, setDuplicating] = useState<ScenarioSummary | null>(null);
  const [callingList, setCallingList] = useState<ScenarioSummary | null>(null);
  // The campaigns of a scenario, and the one to show first (just scheduled), else the newest.
  const [following, setFollowing] = useState<{ scenario: ScenarioSummary; campaignId: string | null } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [confirm, confirmation] = useConfirm();

  const reload = useCallback(async () => {
    const asked = ++lastReload.current;
    setLoading(true);
    try {
      const result = await api.listScenarios(query, page, PAGE_SIZE);
      if (asked !== lastReload.current) return;
      setItems(result.items);
      setTotal(result.total);
      setAnsweredQuery(query);
      setError(null);
    } catch (e) {
      if (asked !== lastReload.current) return;
      setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    } finally {
      if (asked === lastReload.current) {
        setLoading(false);
        setAnswered(true);
      }
    }
  }, [query, page, t]);

  useEffect(() => {
    const timer = setTimeout(reload, 200);
    return () => clearTimeout(timer);
  }, [reload]);

  async function importFile(file: File, answer?: { choice: ImportChoice; taken: TakenSlug }) {
    setImportFailure(null);
    setPendingImport(null);
    const outcome = await importChosenFile(file, answer);
    if (outcome.ok && outcome.studioReport) {
      setStudioImport({ slug: outcome.slug, ...outcome.studioReport });
      void reload(); // Close stays on the list: the imported scenario is in it
    } else if (outcome.ok) navigate(`/s/${encodeURIComponent(outcome.slug)}`);
    else if ("taken" in outcome) setPendingImport({ file, taken: outcome.taken });
    else setImportFailure(outcome.failure);
  }

  async function deleteScenario(item: ScenarioSummary) {
    setRefused(null);
    // The row's "⋯" button: the menu puts the focus back on it before Delete runs, and a refusal's Close returns there.
    deleteAskedFrom.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    try {
      if (await deleteIfConfirmed(item, t, confirm)) await reload();
    } catch (e) {
      const referrers = inUseReferrers(e);
      if (referrers) setRefused({ slug: item.slug, name: item.name, referrers });
      else setError(t("error.generic", { message: e instanceof Error ? e.message : String(e) }));
    }
  }

  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const view = scenarioListView({ answered, count: items.length, error, query: answeredQuery });
  return (
    <section className="list-page">
      <div className="row toolbar">
        <input
          ref={search}
          type="search"
          aria-label={t("list.search")}
          placeholder={t("list.search")}
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setPage(1);
          }}
        />
        {may(user.role, "create") && (
          <button type="button" className="primary" onClick={() => setCreating(true)}>
            {t("list.new")}
          </button>
        )}
        {may(user.role, "import") && (
          <>
            <button type="button" onClick={() => fileInput.current?.click()}>
              {t("list.import")}
            </button>
            <input
              ref={fileInput}
              type="file"
              accept="application/json,.json,application/zip,.zip"
              hidden
              data-testid="import-file"
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) void importFile(file);
                e.target.value = "";
              }}
            />
          </>
        )}
      </div>
      {!may(user.role, "create") && <p className="hint">{t("list.readOnly")}</p>}
      {error && <p role="alert" className="error-text">{error}</p>}
      {refused && (
        <InUseRefusalView
          refusal={refused}
          onClose={() => {
            setRefused(null);
            // Back to the row's menu button, or to the search when the row is gone (another page, another search).
            focusBack(deleteAskedFrom.current, search.current);
          }}
        />
      )}
      {importFailure && <ImportFailureView failure={importFailure} />}
      {studioImport && (
        <StudioImportReport
          slug={studioImport.slug}
          name={studioImport.name}
          report={studioImport.lines}
          onOpen={() => navigate(`/s/${encodeURIComponent(studioImport.slug)}`)}
          onClose={() => setStudioImport(null)}
        />
      )}
      {confirmation}
      {pendingImport && (
        <ImportChoiceDialog
          taken={pendingImport.taken}
          onChoose={(choice) => void importFile(pendingImport.file, { choice, taken: pendingImport.taken })}
          onCancel={() => setPendingImport(null)}
        />
      )}
      {creating && (
        <NameSlugForm
          title={t("list.new")}
          onCancel={() => setCreating(false)}
          onSubmit={async (name, slug) => {
            const created = await createBlankScenario(slug, name, language);
            navigate(`/s/${encodeURIComponent(created.slug)}`);
          }}
        />
      )}
      {duplicating && (
        <NameSlugForm
          title={t("list.duplicateTitle", { name: duplicating.name })}
          initialName={`${duplicating.name} 2`}
          onCancel={() => setDuplicating(null)}
          onSubmit={async (name, slug) => {
            await api.duplicateScenario(duplicating.slug, slug, name);
            setDuplicating(null);
            await reload();
          }}
        />
      )}
      {callingList && (
        <CallListDialog
          scenario={callingList}
          onClose={() => setCallingList(null)}
          onFollow={(campaignId) => {
            setCallingList(null);
            setFollowing({ scenario: callingList, campaignId });
          }}
        />
      )}
      {following && (
        <CampaignsDialog scenario={following.scenario} role={user.role} campaignId={following.campaignId} onClose={() => setFollowing(null)} />
      )}
      <ScenarioListStatus
        view={view}
        query={answeredQuery}
        onClear={() => {
          setQuery("");
          setPage(1);
          search.current?.focus();
        }}
      />
      {view === "table" && (
        <table className="scenarios" aria-busy={loading}>
          <thead>
            <tr>
              <th>{t("list.name")}</th>
              <th>{t("list.slug")}</th>
              <th>{t("list.updated")}</th>
              <th>{t("list.version")}</th>
              <th><span className="sr-only">{t("list.actions")}</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.slug}>
                <ScenarioNameCell item={item} />
                <td className="slug"><code>{item.slug}</code></td>
                <UpdatedCell item={item} />
                <VersionCell item={item} />
                <td className="actions">
                  <ScenarioRowActions
                    item={item}
                    role={user.role}
                    onDuplicate={() => setDuplicating(item)}
                    onDelete={() => void deleteScenario(item)}
                    onCallList={() => setCallingList(item)}
                    onCampaigns={() => setFollowing({ scenario: item, campaignId: null })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages > 1 && (
        <div className="row pager">
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>{t("list.prev")}</button>
          <span>{t("list.page", { page, pages })}</span>
          <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>{t("list.next")}</button>
        </div>
      )}
    </section>
  );
}
