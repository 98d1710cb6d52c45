/** The form widgets the blocks' `x-ui` hints name: templates with a variable picker, node and scenario pickers. */
import { getDefaultRegistry } from "@rjsf/core";
import {
  ariaDescribedByIds,
  enumOptionSelectedValue,
  enumOptionValueDecoder,
  enumOptionValueEncoder,
  getOptionValueFormat,
  SelectedOptionDescription,
  type BaseInputTemplateProps,
  type RegistryWidgetsType,
  type WidgetProps,
} from "@rjsf/utils";
import { useRef, useState, type ChangeEvent, type FocusEvent } from "react";
import * as api from "../api/client";
import type { AudioAsset } from "../api/client";
import { useI18n } from "../i18n";
import { AUDIO_ACCEPT, uploadFailure } from "../lib/audioUpload";
import { CLOCK_TIME, readClockTime, refusalText, type ClockTimeReading } from "../lib/clockTime";
import type { Translate } from "../lib/i18n";
import { previewLine, previewPhrase, previewVariables, type PreviewOutcome, type PreviewServer } from "../lib/speechPreview";
import { EMPTY_TEST_CALL, readTestCall } from "../lib/testCallInputs";
import { declaredType, insertVariable, templateSlot, type VariableSlot } from "../lib/variables";
import { useEditor } from "../store/editor";

export interface FormContext {
  variables: string[];
  nodes: { id: string; title: string }[];
  scenarios: string[];
  audio: AudioAsset[];
  dataSources: string[];
  /** The page that adds data sources, for an admin (linked from the field while there are none); absent otherwise. */
  dataSourcesPage?: string;
  language: string;
  /** Upload a recording and list it among `audio`; absent for a role that may not (below editor). */
  uploadAudio?: (file: File) => Promise<AudioAsset>;
}

function context(props: WidgetProps): FormContext {
  return props.registry.formContext as FormContext;
}

/**
 * A field's link to what is wrong with it, for a screen reader: invalid while it has errors (the schema's, or the
 * server's problems the panel passes in as the form's extra errors), described by them, its description and help.
 * A choice's selector (`…__oneof_select`) is described by its field's, which rjsf draws under the field's id.
 */
function fieldAria(id: string, rawErrors: readonly unknown[] | undefined) {
  const field = id.replace(/__(oneof|anyof)_select$/, "");
  return {
    "aria-invalid": rawErrors?.length ? true : undefined,
    "aria-describedby": ariaDescribedByIds(field),
  } as const;
}

function VariablePicker({ onPick, variables }: { onPick(name: string): void; variables: string[] }) {
  const { t } = useI18n();
  return (
    <select
      className="variable-picker"
      aria-label={t("editor.insertVariable")}
      value=""
      onChange={(e) => {
        if (e.target.value) onPick(e.target.value);
      }}
    >
      <option value="">{`{ } ${t("editor.insertVariable")}`}</option>
      {variables.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </select>
  );
}

const PREVIEW_SERVER: PreviewServer = { text: api.ttsPreviewText, audio: api.ttsPreview };

/**
 * The values a preview renders with, read when Listen is clicked: the scenario's declared variables as edited and
 * the Test call's last values for this scenario (kept in the browser).
 */
function currentPreviewVariables(): Record<string, unknown> {
  const { slug, head } = useEditor.getState();
  const remembered = slug && typeof localStorage !== "undefined" ? readTestCall(localStorage, slug) : EMPTY_TEST_CALL;
  return previewVariables(head.variables, remembered);
}

/** Under the Listen button: the words being spoken, or why nothing is. */
export function PreviewLine({ outcome }: { outcome: PreviewOutcome }) {
  const { t } = useI18n();
  const line = previewLine(outcome, t);
  return (
    <p className={line.error ? "error-text" : "muted"} role={line.error ? "alert" : "status"} data-testid="preview-said">
      {line.text}
    </p>
  );
}

/**
 * A text field with Insert variable: `slot` is how it takes a picked variable, and a phrase the caller hears
 * ("spoken") also offers Listen.
 */
function TextWithVariables(props: WidgetProps & { multiline: boolean; monospace?: boolean; slot: VariableSlot }) {
  const { t } = useI18n();
  const ctx = context(props);
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const [previewed, setPreviewed] = useState<PreviewOutcome | null>(null);
  const value = typeof props.value === "string" ? props.value : "";
  const common = {
    id: props.id,
    ref,
    value,
    disabled: props.disabled || props.readonly,
    required: props.required,
    className: props.monospace ? "mono" : undefined,
    placeholder: props.placeholder,
    "aria-label": props.label,
    ...fieldAria(props.id, props.rawErrors),
    onChange: (e: { target: { value: string } }) => props.onChange(e.target.value === "" ? props.options.emptyValue : e.target.value),
    onBlur: () => props.onBlur(props.id, value),
    onFocus: () => props.onFocus(props.id, value),
  };
  const pick = (name: string) => {
    const element = ref.current;
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? start;
    // Expressions use bare names; text templates need {{ }}; a phrase the caller hears says a date as a date.
    const type = declaredType(useEditor.getState().head.variables, name);
    const next = insertVariable(value, name, type, props.slot, start, end);
    props.onChange(next.text);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(next.caret, next.caret);
    });
  };
  async function preview() {
    setPreviewed(null);
    const outcome = await previewPhrase(PREVIEW_SERVER, value, ctx.language, currentPreviewVariables());
    setPreviewed(outcome);
    if (!("audio" in outcome)) return;
    try {
      await new Audio(URL.createObjectURL(outcome.audio)).play();
    } catch (e) {
      setPreviewed({ failed: e instanceof Error ? e.message : String(e) });
    }
  }
  return (
    <div className="text-with-variables">
      {props.multiline ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
      <div className="row small">
        <VariablePicker variables={ctx.variables} onPick={pick} />
        {props.slot === "spoken" && (
          <button type="button" onClick={preview} disabled={!value} title={t("editor.preview")}>
            ▶ {t("editor.preview")}
          </button>
        )}
      </div>
      {previewed && <PreviewLine outcome={previewed} />}
    </div>
  );
}

function ListInput(props: WidgetProps & { choices: string[]; listId: string; labels?: string[] }) {
  const value = typeof props.value === "string" ? props.value : "";
  return (
    <>
      <input
        id={props.id}
        type="text"
        list={props.listId}
        value={value}
        required={props.required}
        disabled={props.disabled || props.readonly}
        aria-label={props.label}
        {...fieldAria(props.id, props.rawErrors)}
        onChange={(e) => props.onChange(e.target.value === "" ? props.options.emptyValue : e.target.value)}
        onBlur={() => props.onBlur(props.id, value)}
        onFocus={() => props.onFocus(props.id, value)}
      />
      <datalist id={props.listId}>
        {props.choices.map((choice, i) => (
          <option key={choice} value={choice}>
            {props.labels?.[i]}
          </option>
        ))}
      </datalist>
    </>
  );
}

/** A data source's name, suggested from those configured; an admin who has none yet is pointed at the page for them. */
function DataSourceInput(props: WidgetProps) {
  const { t } = useI18n();
  const { dataSources, dataSourcesPage } = context(props);
  return (
    <>
      <ListInput {...props} choices={dataSources} listId={`${props.id}-sources`} />
      {dataSourcesPage && dataSources.length === 0 && (
        <p className="hint" data-testid="no-data-sources">
          {t("sources.noneForBlock")} <a href={dataSourcesPage}>{t("sources.manageLink")}</a>
        </p>
      )}
    </>
  );
}

/**
 * "Upload a recording…" beside an audio field: the picked file goes to the server, which checks and converts it;
 * once in, the field holds its name. A refusal (too large, not audio) is said under the field.
 */
export function AudioUpload(props: { id: string; disabled: boolean; upload(file: File): Promise<AudioAsset>; onUploaded(asset: AudioAsset): void }) {
  const { t } = useI18n();
  const picker = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<{ busy: boolean; said: string | null; failed: boolean }>({ busy: false, said: null, failed: false });
  async function send(file: File) {
    setState({ busy: true, said: null, failed: false });
    try {
      const asset = await props.upload(file);
      props.onUploaded(asset);
      setState({ busy: false, said: t("editor.audioUploaded", { title: asset.title }), failed: false });
    } catch (error) {
      setState({ busy: false, said: uploadFailure(error, t), failed: true });
    }
  }
  return (
    <div className="audio-upload small">
      <input
        ref={picker}
        id={`${props.id}-file`}
        type="file"
        accept={AUDIO_ACCEPT}
        hidden
        data-testid="audio-upload-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = ""; // the same file may be picked again after a refusal
          if (file) void send(file);
        }}
      />
      <button type="button" disabled={props.disabled || state.busy} onClick={() => picker.current?.click()} title={t("editor.audioUploadFormats")}>
        {state.busy ? t("editor.audioUploading") : t("editor.audioUpload")}
      </button>
      <span className="muted"> {t("editor.audioUploadFormats")}</span>
      {state.said && (
        <p className={state.failed ? "error-text" : "muted"} role={state.failed ? "alert" : "status"} data-testid="audio-upload-said">
          {state.said}
        </p>
      )}
    </div>
  );
}

/** An audio name with the known recordings as suggestions, a play button when the server gives a URL, and an upload. */
function AudioInput(props: WidgetProps) {
  const { t } = useI18n();
  const ctx = context(props);
  const assets = ctx.audio;
  const playable = assets.find((a) => a.name === props.value);
  const disabled = !!(props.disabled || props.readonly);
  return (
    <>
      <div className="row">
        <div style={{ flex: 1 }}>
          <ListInput {...props} choices={assets.map((a) => a.name)} labels={assets.map((a) => a.title)} listId={`${props.id}-audio`} />
        </div>
        {playable?.url && (
          <button type="button" onClick={() => void new Audio(playable.url).play()} title={t("editor.preview")}>
            ▶
          </button>
        )}
      </div>
      {ctx.uploadAudio && !disabled && (
        <AudioUpload id={props.id} disabled={disabled} upload={ctx.uploadAudio} onUploaded={(asset) => props.onChange(asset.name)} />
      )}
    </>
  );
}

/** What a clock-time field shows while it is edited. */
export interface ClockTimeDraft {
  /** As typed. */
  text: string;
  /** The stored value it was typed over: once the document holds another (undo, a time stored), that shows. */
  basis: string;
  /** Why the text was not stored when the field was left; null while it is not refused. */
  refused: Extract<ClockTimeReading, { kind: "refused" }> | null;
}

export const untouchedClockTime = (stored: string): ClockTimeDraft => ({ text: stored, basis: stored, refused: null });

type ClockTimeProps = Pick<WidgetProps, "id" | "value" | "options" | "onChange" | "onBlur">;

/**
 * Typing in a clock-time field and leaving it. A whole HH:MM is stored as it is typed; anything else waits until
 * the field is left (read on every key, `1` would be 01:00 before the `8` of 18), and is then stored as HH:MM
 * (`9` -> 09:00, `18.00` -> 18:00), or refused with the reason and not stored: the block keeps its last time, so
 * the document never holds a time the server would refuse. Props only, for tests without a browser.
 */
export function clockTimeEdits(props: ClockTimeProps, draft: ClockTimeDraft, setDraft: (draft: ClockTimeDraft) => void) {
  const stored = typeof props.value === "string" ? props.value : "";
  return {
    type(text: string) {
      if (CLOCK_TIME.test(text)) {
        setDraft(untouchedClockTime(text));
        if (text !== stored) props.onChange(text);
      } else {
        setDraft({ text, basis: stored, refused: null });
      }
    },
    leave() {
      const reading = readClockTime(draft.text);
      if (reading.kind === "refused") {
        setDraft({ ...draft, refused: reading });
        props.onBlur(props.id, stored);
        return;
      }
      const value = reading.kind === "time" ? reading.value : "";
      setDraft(untouchedClockTime(value));
      if (value !== stored) props.onChange(value === "" ? props.options.emptyValue : value);
      props.onBlur(props.id, value);
    },
  };
}

/**
 * A time of day (`x-ui` widget `clock_time`): a text field showing 09:00 as its example, read as people write
 * times (9:00, 18.00, 1800, 6 pm: lib/clockTime.ts) when it is left, and stored as HH:MM; what it cannot read is
 * said in words under it. Not `<input type="time">`: with an English browser that shows 06:00 PM and takes
 * the hours and minutes a spin box at a time.
 */
function ClockTimeInput(props: WidgetProps) {
  const { t } = useI18n();
  const stored = typeof props.value === "string" ? props.value : "";
  const [draft, setDraft] = useState(() => untouchedClockTime(stored));
  if (draft.basis !== stored) setDraft(untouchedClockTime(stored)); // the document changed under the field
  const shown = draft.basis === stored ? draft : untouchedClockTime(stored);
  return <ClockTimeField {...props} draft={shown} edits={clockTimeEdits(props, shown, setDraft)} t={t} />;
}

/** The field and why what was typed is refused, from props alone (no hooks: tests call it without React). */
export function ClockTimeField(props: WidgetProps & { draft: ClockTimeDraft; edits: ReturnType<typeof clockTimeEdits>; t: Translate }) {
  const { draft, edits, t } = props;
  const stored = draft.basis;
  const said = draft.refused && refusalText(draft.text, draft.refused, t);
  // A refused time leaves the block with the last one it had: said, as it is not what the field shows.
  const kept = said && CLOCK_TIME.test(stored) ? ` ${t("clockTime.kept", { value: stored })}` : "";
  const aria = fieldAria(props.id, props.rawErrors);
  const saidId = `${props.id}__clock`;
  return (
    <>
      <input
        id={props.id}
        type="text"
        className="form-control clock-time"
        autoComplete="off"
        spellCheck={false}
        value={draft.text}
        placeholder={props.placeholder || "09:00"}
        required={props.required}
        disabled={props.disabled || props.readonly}
        aria-label={props.label}
        {...aria}
        aria-invalid={said || aria["aria-invalid"] ? true : undefined}
        aria-describedby={said ? `${aria["aria-describedby"]} ${saidId}` : aria["aria-describedby"]}
        onChange={(e) => edits.type(e.target.value)}
        onBlur={() => edits.leave()}
        onFocus={() => props.onFocus(props.id, stored)}
        onKeyDown={(e) => {
          if (e.key === "Enter") edits.leave();
        }}
      />
      {said && (
        <p id={saidId} className="text-danger clock-time-refused" role="alert" data-testid="clock-time-refused">
          {said + kept}
        </p>
      )}
    </>
  );
}

const CORE = getDefaultRegistry();
const CoreBaseInput = CORE.templates.BaseInputTemplate;

/** rjsf's text and number input, marked invalid while it has errors (rjsf links them, but never says invalid). */
export function BaseInputTemplate(props: BaseInputTemplateProps) {
  return <CoreBaseInput {...props} aria-invalid={props.rawErrors?.length ? true : undefined} />;
}

/**
 * rjsf's drop-down (a list of choices, a choice's selector: audio or text), marked invalid while it has errors and
 * described by them; as rjsf's own otherwise.
 */
function SelectWidget(props: WidgetProps) {
  const { id, options, value, multiple = false, onChange, onBlur, onFocus } = props;
  const { enumOptions, enumDisabled, emptyValue } = options;
  const format = getOptionValueFormat(options);
  const decoded = (event: ChangeEvent<HTMLSelectElement> | FocusEvent<HTMLSelectElement>) => {
    const picked = multiple ? Array.from(event.target.options).filter((o) => o.selected).map((o) => o.value) : event.target.value;
    return enumOptionValueDecoder(picked, enumOptions, format, emptyValue);
  };
  return (
    <>
      <SelectedOptionDescription id={id} multiple={multiple} options={options} registry={props.registry} uiSchema={props.uiSchema} value={value} />
      <select
        id={id}
        name={props.htmlName || id}
        multiple={multiple}
        className="form-control"
        value={enumOptionSelectedValue(value, enumOptions, multiple, format, multiple ? [] : "")}
        required={props.required}
        disabled={props.disabled || props.readonly}
        autoFocus={props.autofocus}
        onBlur={(e) => onBlur(id, decoded(e))}
        onFocus={(e) => onFocus(id, decoded(e))}
        onChange={(e) => onChange(decoded(e))}
        {...fieldAria(id, props.rawErrors)}
      >
        {!multiple && props.schema.default === undefined && <option value="">{props.placeholder}</option>}
        {(enumOptions ?? []).map(({ value: choice, label }, i) => (
          <option key={String(choice)} value={enumOptionValueEncoder(choice, i, format)} disabled={enumDisabled?.includes(choice)}>
            {label}
          </option>
        ))}
      </select>
    </>
  );
}

export const WIDGETS: RegistryWidgetsType = {
  SelectWidget,
  // Spoken or not, as the field's schema says (`x-ui.spoken`): a plugin's SMS text is a template nobody hears.
  template: (props) => <TextWithVariables {...props} multiline slot={templateSlot(props.schema)} />,
  expression: (props) => <TextWithVariables {...props} multiline={false} monospace slot="bare" />,
  sql: (props) => <TextWithVariables {...props} multiline monospace slot="template" />,
  variable: (props) => <ListInput {...props} choices={context(props).variables} listId={`${props.id}-variables`} />,
  scenario: (props) => <ListInput {...props} choices={context(props).scenarios} listId={`${props.id}-scenarios`} />,
  audio: (props) => <AudioInput {...props} />,
  clock_time: (props) => <ClockTimeInput {...props} />,
  "data-source": (props) => <DataSourceInput {...props} />,
  node: (props) => (
    <select
      id={props.id}
      value={typeof props.value === "string" ? props.value : ""}
      aria-label={props.label}
      {...fieldAria(props.id, props.rawErrors)}
      onChange={(e) => props.onChange(e.target.value || props.options.emptyValue)}
    >
      <option value="" />
      {context(props).nodes.map((node) => (
        <option key={node.id} value={node.id}>
          {node.title}
        </option>
      ))}
    </select>
  ),
};
