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
import { previewLine, previewPhrase, previewVariables, type PreviewOutcome, type PreviewServer } from "../lib/speechPreview";
import { EMPTY_TEST_CALL, readTestCall } from "../lib/testCallInputs";
import { resultChoices, type ResultChoice } from "../lib/resultFields";
import { declaredType, insertHelper, insertVariable, TEMPLATE_HELPERS, templateSlot, type TemplateHelper, type VariableSlot } from "../lib/variables";
import { useEditor } from "../store/editor";
import { ClockTimeInput } from "./ClockTimeField";

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
  /** The call results the scenario declares, offered where a field records the result (lib/resultFields.ts). */
  results?: readonly ResultChoice[];
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

// A helper's option value: a prefix no variable's name can have.
const HELPER_OPTION = "helper:";

/**
 * What the picker says it inserts: in an SQL query a bound parameter `:name` (its label said "{ } Insert variable",
 * promising a {{ }} template the query does not render: review), elsewhere a variable.
 */
const PICKER_LABEL = {
  param: { mark: ":", label: "editor.insertParameter" },
  other: { mark: "{ }", label: "editor.insertVariable" },
} as const;

/**
 * Insert variable: the variables, then the template helpers (money, number, spoken_date, ...) by their signatures,
 * so a value is said as people say it rather than as it is stored ("1234.5"). A choice is inserted by Insert (or
 * Enter on the list), never on change: arrowing through a closed select changes it at each press, and inserted
 * the first variable at once. A helper's description is its option's title and, once chosen, a hint the list is
 * described by; an option holds the signature only, so the list never widens its panel.
 */
function VariablePicker(props: {
  id: string;
  onPick(name: string): void;
  onPickHelper(helper: TemplateHelper): void;
  variables: string[];
  /** How the field takes a variable: an SQL query's (`param`) gets no template helpers, as it renders no template. */
  slot: VariableSlot;
}) {
  const { t } = useI18n();
  const [choice, setChoice] = useState("");
  const inQuery = props.slot === "param";
  const picker = PICKER_LABEL[inQuery ? "param" : "other"];
  const helper = TEMPLATE_HELPERS.find((h) => HELPER_OPTION + h.name === choice);
  const hintId = `${props.id}-helper-hint`;
  const insert = () => {
    if (helper) props.onPickHelper(helper);
    else if (choice) props.onPick(choice);
    setChoice("");
  };
  return (
    <>
      <select
        className="variable-picker"
        aria-label={t(picker.label)}
        aria-describedby={helper ? hintId : undefined}
        value={choice}
        onChange={(e) => setChoice(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== "Enter" || !choice) return;
          e.preventDefault(); // the form's own Enter
          insert();
        }}
      >
        <option value="">{`${picker.mark} ${t(picker.label)}`}</option>
        <optgroup label={t("editor.insertVariableGroup")}>
          {props.variables.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </optgroup>
        {!inQuery && (
          <optgroup label={t("editor.helpers")}>
            {TEMPLATE_HELPERS.map((h) => (
              <option key={h.name} value={HELPER_OPTION + h.name} title={t(h.description)}>
                {h.signature}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      <button type="button" onClick={insert} disabled={!choice}>
        {t("editor.insert")}
      </button>
      {helper && (
        <p className="hint variable-picker-hint" id={hintId}>
          {t(helper.description)}
        </p>
      )}
    </>
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
  const write = (next: { text: string; start: number; end: number }) => {
    const element = ref.current;
    props.onChange(next.text);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(next.start, next.end);
    });
  };
  const selection = () => {
    const start = ref.current?.selectionStart ?? value.length;
    return { start, end: ref.current?.selectionEnd ?? start };
  };
  const pick = (name: string) => {
    const { start, end } = selection();
    // Expressions use bare names; text templates need {{ }}; a phrase the caller hears says a date as a date.
    const type = declaredType(useEditor.getState().head.variables, name);
    const next = insertVariable(value, name, type, props.slot, start, end);
    write({ text: next.text, start: next.caret, end: next.caret });
  };
  // On the variable selected or just inserted, else with a placeholder selected to name.
  const pickHelper = (helper: TemplateHelper) => {
    const { start, end } = selection();
    write(insertHelper(value, helper, props.slot, start, end));
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
        <VariablePicker id={props.id} variables={ctx.variables} onPick={pick} onPickHelper={pickHelper} slot={props.slot} />
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
        placeholder={props.placeholder || undefined}
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

/**
 * A call result to record: the codes the scenario declares offered with their labels, the first as the example
 * (the scenario's own, not a code of another), and any code typed kept: validation warns of one not declared.
 */
function ResultInput(props: WidgetProps) {
  const results = resultChoices(context(props).results ?? []);
  return (
    <ListInput
      {...props}
      choices={results.map((result) => result.code)}
      labels={results.map((result) => result.label)}
      listId={`${props.id}-results`}
      placeholder={results[0]?.code ?? props.placeholder}
    />
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

// The clock-time field has a module of its own (used outside schema forms too); known here as the other widgets.
export { ClockTimeField, clockTimeEdits, untouchedClockTime, type ClockTimeDraft } from "./ClockTimeField";

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
  // A query binds `:name` parameters (blocks/builtin/sql.py) and renders no template: no `{{ }}`, no helpers.
  sql: (props) => <TextWithVariables {...props} multiline monospace slot="param" />,
  variable: (props) => <ListInput {...props} choices={context(props).variables} listId={`${props.id}-variables`} />,
  scenario: (props) => <ListInput {...props} choices={context(props).scenarios} listId={`${props.id}-scenarios`} />,
  audio: (props) => <AudioInput {...props} />,
  clock_time: (props) => <ClockTimeInput {...props} />,
  "data-source": (props) => <DataSourceInput {...props} />,
  result: (props) => <ResultInput {...props} />,
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
