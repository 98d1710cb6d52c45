/**
 * "Call a list…": the autoinformer's campaign. The analyst picks a CSV or XLSX of clients, sees what was read,
 * names the campaign (after the file unless another name is typed), says which column is the phone, which column
 * fills each thing the scenario reads from the list (whatever the file calls it: "ФИО", "Сумма долга") and when to
 * call, checks (a dry run: what would be created, or every bad client), then schedules. A check is only good for
 * the list and settings it was made with; nothing the analyst chose is lost when the server refuses.
 */
import { useEffect, useId, useRef, useState } from "react";
import * as api from "../api/client";
import { ApiError } from "../api/http";
import type { CallbackBatchResult, CallList, ListVariable, PlannedJob, ScenarioSummary } from "../api/types";
import { DialerBanner } from "./DialerBanner";
import { useI18n } from "../i18n";
import {
  batchBody,
  browserTimeZone,
  campaignIssues,
  defaultCampaign,
  formatMoment,
  guessNumberColumn,
  MAX_NAME_LENGTH,
  nameForNewFile,
  scheduleKey,
  type CallListFailure,
  type ScheduleKey,
  type CampaignSettings,
} from "../lib/callList";
import { callListFailureIn, callListProblemText } from "../lib/callListProblemText";
import { countText } from "../lib/i18n";
import { listCellText } from "../lib/listCells";
import { CampaignSettingsFields } from "./CampaignSettingsForm";
import { Dialog } from "./Dialog";
import { HintedCheckbox } from "./HintedCheckbox";

export const PREVIEW_ROWS = 10;

const ACCEPTED_FILES = ".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";


/**
 * The file button. The input is emptied after each pick, so the same file, fixed in Excel and saved under the
 * same name, can be picked again (a browser fires no change for an unchanged selection); its name is shown here.
 */
export function ListFilePicker(props: { fileName: string; onFile(file: File): void }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="field">
      <span className="field-label">{t("callList.file")}</span>
      <div className="row">
        <button type="button" onClick={() => input.current?.click()}>
          {props.fileName ? t("callList.chooseAnother") : t("callList.choose")}
        </button>
        <span className={props.fileName ? undefined : "muted"} data-testid="call-list-file-name">{props.fileName || t("callList.noFile")}</span>
        <input
          ref={input}
          type="file"
          name="call-list-file"
          accept={ACCEPTED_FILES}
          hidden
          data-testid="call-list-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = "";
            if (file) props.onFile(file);
          }}
        />
      </div>
      <p className="hint">{t("callList.fileHint")}</p>
    </div>
  );
}

/** The campaign's name, as the list of campaigns and its report will show it. */
export function CampaignNameField(props: { name: string; onChange(name: string): void }) {
  const { t } = useI18n();
  const hint = useId();
  return (
    <div className="field">
      <label>
        {t("callList.name")}
        <input
          name="campaign-name"
          type="text"
          maxLength={MAX_NAME_LENGTH}
          aria-describedby={hint}
          value={props.name}
          onChange={(e) => props.onChange(e.target.value)}
        />
      </label>
      <p className="hint" id={hint}>{t("callList.nameHint")}</p>
    </div>
  );
}

/** What was read from the file: how many clients, the columns, the phone column, and the first rows. */
export function CallListPreview(props: { list: CallList; fileName: string; numberColumn: string; onNumberColumn(column: string): void }) {
  const { t, language } = useI18n();
  const { list, numberColumn } = props;
  const source = list.sheet ? `${props.fileName} (${t("callList.sheet", { sheet: list.sheet })})` : props.fileName;
  return (
    <section className="call-list-preview" data-testid="call-list-preview">
      <p className="list-summary" data-testid="client-count">
        {t("callList.summary", { clients: countText(language, "client", list.rows.length), file: source })}
      </p>
      <p className="muted small">{t("callList.columns", { columns: list.columns.join(", ") })}</p>
      <CheckWarnings warnings={list.warnings} />
      <label className="inline-label">
        {t("callList.numberColumn")}
        <select name="number-column" value={numberColumn} onChange={(e) => props.onNumberColumn(e.target.value)}>
          {list.columns.map((column) => (
            <option key={column} value={column}>{column}</option>
          ))}
        </select>
      </label>
      <div className="table-scroll">
        <table className="preview" aria-label={t("callList.preview")}>
          <thead>
            <tr>
              {list.columns.map((column) => (
                <th key={column} className={column === numberColumn ? "number-column" : undefined}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.rows.slice(0, PREVIEW_ROWS).map((row, i) => (
              <tr key={i}>
                {list.columns.map((column) => (
                  <td key={column} className={column === numberColumn ? "number-column" : undefined}>{listCellText(row[column], language)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The column chosen for each thing the scenario reads from the list (`contact.name` -> "ФИО"); "" for none. */
export type ChosenColumns = Record<string, string>;

/** Whether a cell holds a value: none, or only spaces, fills nothing (the server reads it so). */
const hasValue = (cell: unknown) => cell !== undefined && cell !== null && !(typeof cell === "string" && cell.trim() === "");

/** The list's columns with a value in some row: a column empty in every row fills nothing, and the check refuses it. */
export function filledColumns(list: Pick<CallList, "columns" | "rows">): string[] {
  return list.columns.filter((column) => list.rows.some((row) => hasValue(row[column])));
}

/**
 * The columns a list read fills by their names alone, as the server would without a choice (`name`, `debt_amount`);
 * `filled`: the columns with a value in some row (`filledColumns`), since an empty one would be shown chosen and
 * then refused by the check (review).
 */
export function columnsByName(variables: ListVariable[], filled: string[]): ChosenColumns {
  return Object.fromEntries(variables.map((variable) => [variable.variable, filled.includes(variable.column) ? variable.column : ""]));
}

/** What the check and the schedule send as `columns`: the choices made, none for a variable left to its default. */
export function sentColumns(chosen: ChosenColumns): Record<string, string> {
  return Object.fromEntries(Object.entries(chosen).filter(([, column]) => column !== ""));
}

/**
 * Which column of the list fills each thing the scenario reads from it (review of a Russian collections supervisor:
 * "Сумма долга" was refused until renamed in the file, and "ФИО" never greeted anyone). A column named like the
 * variable fills it whatever is chosen, since the whole row is `contact`: "not from the file" is offered only when
 * no column is, or when that column is empty in every row (`filled`: it fills nothing).
 */
export function VariableColumnsFields(props: { variables: ListVariable[]; columns: string[]; filled: string[]; chosen: ChosenColumns; onChange(chosen: ChosenColumns): void }) {
  const { t } = useI18n();
  const id = useId();
  const { variables, columns, filled, chosen } = props;
  // An empty default said `""`: worded instead, as a listener hears nothing (review).
  const defaultText = (value: unknown) => (typeof value === "string" && value.trim() === "" ? t("callList.emptyDefault") : valueText(value));
  if (variables.length === 0) return null;
  return (
    <fieldset className="variable-columns" data-testid="variable-columns" aria-describedby={`${id}-hint`}>
      <legend>{t("callList.readsTitle")}</legend>
      <p className="hint" id={`${id}-hint`}>{t("callList.readsHint")}</p>
      {variables.map((variable, i) => (
        <div key={variable.variable} className="inline-label">
          <label htmlFor={`${id}-${i}`}>{t("callList.readsColumn", { variable: variable.variable })}</label>
          <select
            id={`${id}-${i}`}
            name={`column-for-${variable.variable}`}
            value={chosen[variable.variable] ?? ""}
            onChange={(e) => props.onChange({ ...chosen, [variable.variable]: e.target.value })}
          >
            {!filled.includes(variable.column) && (
              <option value="">
                {variable.required ? t("callList.notFromFileRequired") : t("callList.notFromFile", { value: defaultText(variable.default) })}
              </option>
            )}
            {columns.map((column) => (
              <option key={column} value={column}>{column}</option>
            ))}
          </select>
        </div>
      ))}
    </fieldset>
  );
}

/**
 * What takes the focus once Check or Schedule is answered (`focusAnswer`): the check's summary, or the problems that
 * stopped the list. Each is focusable by script only (tabIndex -1), so Tab goes on from it to the buttons.
 */
const ANSWER = "[data-answer]";

/**
 * Give the focus to the answer drawn in `area`. The button pressed is disabled while the server answers, and a
 * disabled button loses the focus to <body>: a keyboard user then had to Tab from the top of the page, and a screen
 * reader did not read the answer where the user now is.
 */
export function focusAnswer(area: HTMLElement | null) {
  area?.querySelector<HTMLElement>(ANSWER)?.focus();
}

/** The server's refusal: its problems, the first few, and how many more; or its one sentence, as it said it. */
export function FailureView({ title, failure }: { title: string; failure: CallListFailure }) {
  const { t } = useI18n();
  return (
    <div role="alert" className="blocked" data-testid="call-list-problems" tabIndex={-1} data-answer="">
      <p>{title}</p>
      {failure.kind === "message" ? (
        <p className="error-text">{failure.message}</p>
      ) : (
        <ul>
          {failure.lines.map((line, i) => (
            <li key={i} className="problem error">{line}</li>
          ))}
          {failure.hidden > 0 && <li className="muted">{t("callList.moreProblems", { count: failure.hidden })}</li>}
        </ul>
      )}
    </div>
  );
}

/**
 * A variable's value as the scenario will get it. Text keeps its quotes and numbers do not, since whether a
 * column became a number is what the analyst checks; an object (the row, `contact`) lists its cells.
 */
export function valueText(value: unknown): string {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return `{ ${Object.entries(value).map(([key, cell]) => `${key}: ${JSON.stringify(cell)}`).join(", ")} }`;
  }
  return JSON.stringify(value) ?? String(value);
}

/** The variables a job will give the scenario, one per line: `contact` is the row, the rest typed columns. */
function VariablesText({ variables }: { variables: PlannedJob["variables"] }) {
  return (
    <code className="variables">
      {Object.entries(variables).map(([name, value]) => (
        <span key={name}>{`${name} = ${valueText(value)}`}</span>
      ))}
    </code>
  );
}

/**
 * What the check found that does not stop the list but the analyst must see before scheduling: the scenario reads
 * what no column fills (every client hears its default), clients already waiting in another campaign. Also what
 * reading the file found (a CSV read as Windows-1251), under the list as read.
 */
export function CheckWarnings({ warnings }: { warnings: CallbackBatchResult["warnings"] }) {
  const { t, language } = useI18n();
  if (!warnings || warnings.length === 0) return null;
  return (
    <div role="alert" className="blocked warning" data-testid="call-list-warnings">
      <p>{t("callList.warnings")}</p>
      <ul>
        {warnings.map((warning, i) => (
          <li key={i} className="problem warning">{callListProblemText(warning, language)}</li>
        ))}
      </ul>
    </div>
  );
}

/** A dry run's answer: how many calls, when the first goes out, and the first jobs as the dialer will see them. */
export function CheckOutcome({ result, timezone }: { result: CallbackBatchResult; timezone: string }) {
  const { t, language } = useI18n();
  const first = result.preview.map((job) => job.due).sort()[0];
  const when = (iso: string) => formatMoment(iso, language, timezone);
  return (
    <section className="check-outcome" data-testid="call-list-check">
      <p role="status" className="success" tabIndex={-1} data-answer="">
        {t("callList.willSchedule", { calls: countText(language, "call", result.jobs), time: first ? when(first) : "—" })}
      </p>
      <CheckWarnings warnings={result.warnings} />
      <h3>{t("callList.firstJobs")}</h3>
      <div className="table-scroll">
        <table className="preview jobs">
          <thead>
            <tr>
              <th>{t("callList.number")}</th>
              <th>{t("callList.due")}</th>
              <th>{t("callList.variables")}</th>
            </tr>
          </thead>
          <tbody>
            {result.preview.map((job) => (
              <tr key={job.number}>
                <td className="mono">{job.number}</td>
                <td>{when(job.due)}</td>
                <td><VariablesText variables={job.variables} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Done: how many calls were queued, and the way to follow them as the campaign they now are. */
export function ScheduledView(props: { scenario: ScenarioSummary; result: CallbackBatchResult; onClose(): void; onFollow?(campaignId: string): void }) {
  const { t, language } = useI18n();
  const { result, onFollow } = props;
  const campaignId = result.campaign_id;
  return (
    <>
      <p role="status" className="success" data-testid="call-list-scheduled">
        {t("callList.scheduled", { calls: countText(language, "call", result.jobs), name: props.scenario.name })}
      </p>
      <div className="row">
        {campaignId && onFollow && (
          <button type="button" className="primary" autoFocus onClick={() => onFollow(campaignId)}>{t("callList.follow")}</button>
        )}
        <button type="button" className={campaignId && onFollow ? undefined : "primary"} onClick={props.onClose}>{t("callList.close")}</button>
      </div>
    </>
  );
}

/**
 * Whether the server refused a list for rows repeating an earlier row's number (duplicate_number), or a check
 * skipped some (duplicate_skipped): then the dialog offers to skip them (`SkipDuplicatesField`).
 */
export function duplicatesFound(refusal: unknown, result: CallbackBatchResult | null): boolean {
  const codes = (problems: unknown) => (Array.isArray(problems) ? problems.map((problem: { code?: unknown }) => problem?.code) : []);
  const refused = refusal instanceof ApiError ? codes((refusal.body as { problems?: unknown } | null)?.problems) : [];
  return refused.includes("duplicate_number") || codes(result?.warnings).includes("duplicate_skipped");
}

/**
 * "Skip duplicates": a row whose number an earlier row has is left out and the earlier row called, instead of the
 * whole list refused (review of a Spanish bank: one duplicate in a 20,000-row export sent the analyst back to Excel).
 * Shown once duplicates were found, or while it is ticked.
 */
export function SkipDuplicatesField(props: { checked: boolean; onChange(checked: boolean): void }) {
  const { t } = useI18n();
  return (
    <HintedCheckbox
      name="skip-duplicates"
      testId="skip-duplicates"
      label={t("callList.skipDuplicates")}
      hint={t("callList.skipDuplicatesHint")}
      checked={props.checked}
      onChange={props.onChange}
    />
  );
}

/** What a check was made with: it stands for these exact choices, and any change asks for a new one. */
interface Basis {
  list: CallList;
  numberColumn: string;
  chosen: ChosenColumns;
  settings: CampaignSettings;
  skipDuplicates: boolean;
}

const sameBasis = (a: Basis, b: Basis) =>
  a.list === b.list && a.numberColumn === b.numberColumn && a.chosen === b.chosen && a.settings === b.settings && a.skipDuplicates === b.skipDuplicates;

type Busy = "reading" | "checking" | "scheduling" | null;

/** `onFollow`: open the campaign just scheduled (the scenario list shows its campaigns). */
export function CallListDialog(props: { scenario: ScenarioSummary; onClose(): void; onFollow?(campaignId: string): void; now?: Date }) {
  const { t, language } = useI18n();
  const { scenario } = props;
  const [fileName, setFileName] = useState("");
  const [name, setName] = useState("");
  const [list, setList] = useState<CallList | null>(null);
  const [numberColumn, setNumberColumn] = useState("");
  const [chosen, setChosen] = useState<ChosenColumns>({});
  const [settings, setSettings] = useState<CampaignSettings>(() => defaultCampaign(props.now ?? new Date(), browserTimeZone()));
  const [skipDuplicates, setSkipDuplicates] = useState(false);
  const [busy, setBusy] = useState<Busy>(null);
  // The server's refusals as it sent them: their lines are said in the interface language, whichever it is now.
  const [readRefusal, setReadRefusal] = useState<{ error: unknown } | null>(null);
  const [refusal, setRefusal] = useState<{ error: unknown } | null>(null);
  const [check, setCheck] = useState<{ basis: Basis; result: CallbackBatchResult } | null>(null);
  const [scheduled, setScheduled] = useState<CallbackBatchResult | null>(null);
  // How many answers to Check or Schedule have landed: each, once drawn, takes the focus (`focusAnswer`).
  const [answers, setAnswers] = useState(0);
  // Only the last file picked may fill the dialog: a slow read of an earlier one is dropped when it lands.
  const reading = useRef(0);
  const outcome = useRef<HTMLDivElement>(null);
  // The last Schedule's key: sent again with the same body, the server answers that campaign instead of a second.
  const lastSchedule = useRef<ScheduleKey | null>(null);

  const basis: Basis | null = list ? { list, numberColumn, chosen, settings, skipDuplicates } : null;
  const current = check && basis && sameBasis(check.basis, basis) ? check.result : null;
  const issues = campaignIssues(settings);
  const readFailure: CallListFailure | null = readRefusal && callListFailureIn(readRefusal.error, language);
  const failure: CallListFailure | null = refusal && callListFailureIn(refusal.error, language);
  const offerSkipping = skipDuplicates || duplicatesFound(refusal?.error, check?.result ?? null);

  useEffect(() => {
    // The answer lands under a long form: bring it into view, as the button that asked for it is there too.
    if (current || refusal) outcome.current?.scrollIntoView({ block: "nearest" });
  }, [current, refusal]);

  useEffect(() => {
    if (answers > 0) focusAnswer(outcome.current);
  }, [answers]);

  async function readFile(file: File) {
    const ticket = ++reading.current;
    setName(nameForNewFile(name, fileName, file.name));
    setFileName(file.name);
    setBusy("reading");
    setReadRefusal(null);
    setRefusal(null);
    setList(null);
    try {
      const read = await api.readCallList(file, scenario.slug);
      if (ticket !== reading.current) return;
      setList(read);
      setNumberColumn(guessNumberColumn(read.columns));
      setChosen(columnsByName(read.variables ?? [], filledColumns(read)));
    } catch (error) {
      if (ticket === reading.current) setReadRefusal({ error });
    } finally {
      if (ticket === reading.current) setBusy(null);
    }
  }

  async function send(dryRun: boolean) {
    if (!basis) return;
    const asked = basis;
    setBusy(dryRun ? "checking" : "scheduling");
    setRefusal(null);
    try {
      // The name is not part of what a check stands for: renaming after it plans the very same calls.
      const planned = batchBody({
        scenario: scenario.slug,
        name,
        rows: asked.list.rows,
        rowNumbers: asked.list.row_numbers,
        numberColumn: asked.numberColumn,
        settings: asked.settings,
        dryRun,
      });
      // Sent only when ticked: a list without duplicates is refused for none, and its body stays as it was.
      const deduplicated = asked.skipDuplicates ? { ...planned, duplicates: "skip" as const } : planned;
      // Sent, even empty, whenever there was a choice: the check then says to choose a column, not to rename one.
      const offered = (asked.list.variables ?? []).length > 0;
      const body = offered ? { ...deduplicated, columns: sentColumns(asked.chosen) } : deduplicated;
      let key: string | undefined;
      if (!dryRun) {
        lastSchedule.current = scheduleKey(lastSchedule.current, body, () => crypto.randomUUID());
        key = lastSchedule.current.key;
      }
      const result = await api.callList(body, key);
      if (dryRun) setCheck({ basis: asked, result });
      else setScheduled(result);
    } catch (error) {
      setCheck(null);
      setRefusal({ error });
    } finally {
      setAnswers((count) => count + 1);
      setBusy(null);
    }
  }

  const title = t("callList.title", { name: scenario.name });
  if (scheduled) {
    return (
      <Dialog title={title} onClose={props.onClose} wide>
        <ScheduledView scenario={scenario} result={scheduled} onClose={props.onClose} onFollow={props.onFollow} />
      </Dialog>
    );
  }
  return (
    <Dialog title={title} onClose={props.onClose} wide>
      <div className="call-list" data-testid="call-list-dialog">
        <DialerBanner />
        <p className="hint">{t("callList.intro")}</p>
        <ListFilePicker fileName={fileName} onFile={(file) => void readFile(file)} />
        {busy === "reading" && <p className="muted">{t("callList.reading")}</p>}
        {readFailure && <FailureView title={t("callList.readFailed")} failure={readFailure} />}
        {list && <CallListPreview list={list} fileName={fileName} numberColumn={numberColumn} onNumberColumn={setNumberColumn} />}
        {list && <VariableColumnsFields variables={list.variables ?? []} columns={list.columns} filled={filledColumns(list)} chosen={chosen} onChange={setChosen} />}
        <CampaignNameField name={name} onChange={setName} />
        <CampaignSettingsFields settings={settings} onChange={setSettings} />
        {issues.map((issue) => (
          <p key={issue} className="error-text">{t(issue)}</p>
        ))}
        <div ref={outcome} className="check-area">
          {failure && <FailureView title={t("callList.problems")} failure={failure} />}
          {offerSkipping && <SkipDuplicatesField checked={skipDuplicates} onChange={setSkipDuplicates} />}
          {check && !current && <p className="hint" data-testid="check-stale">{t("callList.checkAgain")}</p>}
          {current && <CheckOutcome result={current} timezone={settings.timezone} />}
        </div>
        <div className="row dialog-buttons">
          <button type="button" className={current ? undefined : "primary"} disabled={!list || busy !== null || issues.length > 0} onClick={() => void send(true)}>
            {busy === "checking" ? t("callList.checking") : t("callList.check")}
          </button>
          {current && (
            <button type="button" className="primary" disabled={busy !== null} onClick={() => void send(false)}>
              {busy === "scheduling" ? t("callList.scheduling") : t("callList.schedule", { calls: countText(language, "call", current.jobs) })}
            </button>
          )}
          <button type="button" onClick={props.onClose}>{t("callList.cancel")}</button>
        </div>
      </div>
    </Dialog>
  );
}
