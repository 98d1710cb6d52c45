/** The selected block: label, id, its config form (from the block's JSON Schema) and where each exit goes. */
import Form from "@rjsf/core";
import { getDefaultFormState, type ErrorSchema, type MultiSchemaFieldTemplateProps, type RegistryFieldsType, type RJSFSchema } from "@rjsf/utils";
import validator from "@rjsf/validator-ajv8";
import { isValidElement, useLayoutEffect, useMemo, useRef, useState } from "react";
import * as api from "../api/client";
import type { AudioAsset } from "../api/client";
import { useI18n } from "../i18n";
import type { BlockNode } from "../lib/convert";
import { exitLabel, specTitle } from "../lib/blockText";
import { useAudioList, assetTitle } from "../lib/audioUpload";
import { pruneConfig, type BlockSpec, type Config, type JsonSchemaObject } from "../lib/catalog";
import { specDescription } from "../lib/descriptions";
import { jsonEqual } from "../lib/exits";
import { nodeExits } from "../lib/graph";
import { readableErrors } from "../lib/formErrors";
import { configFieldOf, type Problem } from "../lib/problems";
import { pluginChoiceLabels, pluginSchema } from "../lib/pluginText";
import { problemText } from "../lib/problemText";
import { enumLabels, itemTitle, localizeSchema, unwiredHint } from "../lib/schemaText";
import { hasNoneChoice, shapeUi, withNoneChoices, withPeriodHints, type PeriodSpan } from "../lib/formShape";
import type { Language, Translate } from "../lib/i18n";
import { withResultValues } from "../lib/resultFields";
import { formUiSchema, type UiSchema } from "../lib/uischema";
import { availableVariables } from "../lib/variables";
import { useEditor } from "../store/editor";
import { BUTTON_TEMPLATES } from "./formButtons";
import { FieldDescription, TextWithCode } from "./InlineCode";
import { MAP_FIELD, MapEntryTemplate, MapField, useBlankRows, withKeyTitles, withoutBlankKeyErrors } from "./MapEntryTemplate";
import { BaseInputTemplate, WIDGETS, type FormContext } from "./widgets";
import { TryQuery } from "./TryQuery";

/**
 * A choice between kinds of value (a prompt: recorded audio or spoken text), titled with the field's own title
 * ("Menu prompt", "When nothing is pressed") above its selector: rjsf's own draws the selector bare, so three
 * prompts looked the same. The chosen branch's fields follow, without a legend repeating the selector.
 */
function ChoiceFieldTemplate({ schema, selector, optionSchemaField }: MultiSchemaFieldTemplateProps) {
  const selectorId = isValidElement<{ id?: string }>(selector) ? selector.props.id : undefined;
  return (
    <div className="choice-field">
      {schema.title && (
        <label className="control-label" htmlFor={selectorId}>
          {schema.title}
          {!hasNoneChoice(schema as JsonSchemaObject) && <span className="required">*</span>}
        </label>
      )}
      {schema.description && <div className="field-description">{schema.description}</div>}
      <div className="form-group">{selector}</div>
      {optionSchemaField}
    </div>
  );
}

const FORM_TEMPLATES = {
  BaseInputTemplate,
  ButtonTemplates: BUTTON_TEMPLATES,
  DescriptionFieldTemplate: FieldDescription,
  MultiSchemaFieldTemplate: ChoiceFieldTemplate,
  WrapIfAdditionalTemplate: MapEntryTemplate,
};

/** A config field's place in a problem's JSON path: `$.nodes[3].config.options[1].key` -> options, 1, key. */
const CONFIG_PATH = /^\$\.nodes\[\d+\]\.config((?:\.[^.[\]]+|\[\d+\])+)$/;

/**
 * A block's problems the server found in its fields, as rjsf's extra errors: each is drawn under its field (a menu's
 * prompt, its first key) and the field is marked invalid and described by it, as with the form's own errors; they
 * only showed in the list above the form, which a screen reader never ties to the field. Problems of the block as a
 * whole stay in that list alone. Undefined when there are none.
 */
export function serverFieldErrors(problems: readonly Problem[], language: Language): ErrorSchema | undefined {
  let errors: Record<string, unknown> | undefined;
  for (const problem of problems) {
    const match = CONFIG_PATH.exec(problem.path ?? "");
    if (!match) continue;
    errors ??= {};
    let at = errors;
    for (const [, name, index] of match[1]!.matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
      const key = (name ?? index)!;
      at = (at[key] ??= {}) as Record<string, unknown>;
    }
    ((at.__errors ??= []) as string[]).push(problemText(problem, language));
  }
  return errors as ErrorSchema | undefined;
}

/**
 * A field that does not apply to the block's settings as they are (`x-ui.show_if`): drawn as nothing. A free-form
 * map (the SQL block's columns): rows added empty (MapEntryTemplate.tsx).
 */
const FORM_FIELDS: RegistryFieldsType = { hidden: () => null, [MAP_FIELD]: MapField };

function periodWords(t: Translate) {
  return (span: NonNullable<PeriodSpan>) => (span.kind === "allDay" ? t("form.period.allDay") : t("form.period.overnight", { time: span.until }));
}

/** Under a block's own audio field (the Message's, not a prompt's, which may be spoken): where text-to-speech is. */
function withSpeakHint(ui: UiSchema, schema: JsonSchemaObject, hint: string): UiSchema {
  const out = { ...ui };
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (field["x-ui"]?.widget === "audio") out[name] = { ...((out[name] as UiSchema | undefined) ?? {}), "ui:help": hint };
  }
  return out;
}

/** Names the forms offer as suggestions: other scenarios, audio assets, data sources. */
export interface Suggestions {
  scenarios: string[];
  audio: AudioAsset[];
  dataSources: string[];
  /** The Data sources page, for a role that manages them (an admin's); absent for the others. */
  dataSourcesPage?: string;
}

/** Block ids as the scenario schema (nodeId) and the store's rename take them. */
const BLOCK_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export type BlockIdProblem = "taken" | "invalid";

/** Why `wanted` cannot become the id of block `current`, or null when it can (or is its id already). */
export function blockIdProblem(wanted: string, current: string, ids: readonly string[]): BlockIdProblem | null {
  if (wanted === current) return null;
  if (!BLOCK_ID.test(wanted)) return "invalid";
  return ids.includes(wanted) ? "taken" : null;
}

const ID_PROBLEM_TEXT = { taken: "editor.idTaken", invalid: "editor.idInvalid" } as const;

/** The block id field as drawn: what is typed and, while it cannot be the id, why. Props only. */
export function BlockIdInput(props: {
  id: string;
  draft: string;
  problem: BlockIdProblem | null;
  onDraft(draft: string): void;
  onLeave(): void;
  onEscape(): void;
}) {
  const { t } = useI18n();
  const { problem } = props;
  return (
    <>
      <label>
        {t("editor.id")}
        <input
          name="node-id"
          className="mono"
          value={props.draft}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? "node-id-problem" : undefined}
          onChange={(e) => props.onDraft(e.target.value)}
          onBlur={props.onLeave}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              props.onEscape();
            }
          }}
        />
      </label>
      {problem && (
        <p id="node-id-problem" className="error-text small" data-testid="node-id-problem">
          {t(ID_PROBLEM_TEXT[problem], { wanted: props.draft, id: props.id })}
        </p>
      )}
    </>
  );
}

/**
 * The block id, renamed on leaving the field. One that cannot be taken stays as typed, with the reason under it,
 * until it is fixed or Escape puts the id back: snapping back in silence lost the edit and said nothing.
 * Keyed by id: fresh per block, and after a rename.
 */
function NodeIdField({ id, ids, rename }: { id: string; ids: readonly string[]; rename(id: string, newId: string): boolean }) {
  const [draft, setDraft] = useState(id);
  // The store refused an id that looked fine here: say so rather than drop it (its rule is the one above).
  const [refused, setRefused] = useState(false);
  const problem = blockIdProblem(draft, id, ids) ?? (refused ? "invalid" : null);
  return (
    <BlockIdInput
      id={id}
      draft={draft}
      problem={problem}
      onDraft={(next) => {
        setDraft(next);
        setRefused(false);
      }}
      onLeave={() => {
        if (draft !== id && !problem) setRefused(!rename(id, draft));
      }}
      onEscape={() => {
        setDraft(id);
        setRefused(false);
      }}
    />
  );
}

/**
 * What the form shows for `config` before anyone touches it, as it reports it (pruned): the document with the
 * schema's defaults filled in where it leaves a field out (an IVR saved without `mode` shows "menu"), and the
 * rows and objects rjsf fills in by itself (a required prompt as `{}`). rjsf reports that as a change the moment
 * the form opens; it is not one.
 */
export function formFilled(schema: JsonSchemaObject, config: Config): Config {
  const filled = getDefaultFormState(validator, schema as RJSFSchema, config, schema as RJSFSchema) as Config | undefined;
  return pruneConfig(filled ?? {}, schema);
}

/**
 * The config to store after the form reported `output` (pruned), or null when that is no edit: the document as it
 * is (`config`), or as the form showed it untouched (`filled`). Looking at a block is no edit: a document without
 * a defaulted field behaves the same (the engine reads a missing field as its default), and storing the defaults
 * rjsf filled in saved a new draft revision, an undo step, and a stale revision for anyone else with the scenario
 * open. A real edit is stored as the form reported it, its filled-in values with it: rjsf takes the data handed
 * back as its own report only when it reads the same, and otherwise fills its defaults in again, so a field
 * emptied by the analyst would snap back to its default under their cursor.
 */
export function formEdit(output: Config, config: Config, filled: Config): Config | null {
  const reported = asJson(output);
  return jsonEqual(reported, asJson(config)) || jsonEqual(reported, asJson(filled)) ? null : output;
}

/** A value as JSON carries it: rjsf leaves `undefined` in objects (a field emptied), which JSON and the server drop. */
function asJson(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/**
 * A block's config form, drawn from its JSON Schema: titles and help in the interface language, list rows labelled
 * "Key 1", "Key 2", and a value of the wrong form said in words, not as the schema's regular expression.
 * `onChange` gets the config pruned of empty values, and only on an edit: not for the defaults the form fills in.
 */
export function BlockConfigForm(props: {
  nodeId: string;
  spec: BlockSpec;
  config: Config;
  formContext: FormContext;
  readOnly: boolean;
  onChange(config: Config): void;
  /** The server's problems of this block: those of a field are drawn as its errors. */
  problems?: readonly Problem[];
}) {
  const { t, language } = useI18n();
  const { spec, config } = props;
  // Kept while the problems read the same: new extra errors make rjsf merge its errors again.
  const serverErrors = JSON.stringify(serverFieldErrors(props.problems ?? [], language) ?? null);
  const extraErrors = useMemo(() => (JSON.parse(serverErrors) as ErrorSchema | null) ?? undefined, [serverErrors]);
  // Optional choices start with "None": drawn from a copy of the schema, the block's own is left as it is.
  const formSchema = useMemo(() => withNoneChoices(spec.config_schema, t("form.choiceNone")), [spec, t]);
  const baseUiSchema = useMemo(
    () =>
      withResultValues(
        withSpeakHint(
          withPeriodHints(
            formUiSchema(formSchema, {
              itemTitle: (list, n) => itemTitle(list, n, language, t),
              choiceLabels: (field, values) => ({ ...enumLabels(language, spec.type, field, values), ...pluginChoiceLabels(spec, language, field, values) }),
            }),
            formSchema,
            periodWords(t),
          ),
          formSchema,
          t("editor.audioSpeakHint"),
        ),
        formSchema,
      ),
    [formSchema, spec, language, t],
  );
  // A plugin's fields in the words it gives for the language (lib/pluginText.ts); a built-in's in the designer's.
  const schema = useMemo(() => localizeSchema(pluginSchema(formSchema, spec, language), language), [formSchema, spec, language]);
  // Fields that do not apply to the settings as they are (the IVR's digits in menu mode) are hidden, values kept.
  // A map's keys and values are labelled with its translated titles («Столбец», «Переменная»), not rjsf's "fio Key".
  const uiSchema = useMemo(
    () => withKeyTitles(shapeUi(baseUiSchema, formSchema, config), schema),
    [baseUiSchema, formSchema, config, schema],
  );
  // Read against the schema the form shows, so a choice's alternatives are named in the interface language.
  // A map's row added and not filled in yet: shown, in no error, not stored (MapEntryTemplate.tsx).
  const blankRows = useBlankRows(config, spec.config_schema);
  const formData = blankRows.formData;
  const transformErrors = useMemo(() => {
    const readable = readableErrors(schema, t);
    return (errors: Parameters<typeof readable>[0]) => readable(withoutBlankKeyErrors(errors, formData));
  }, [schema, t, formData]);
  // What the form shows of the document untouched, to tell the analyst's edits from rjsf's filling in.
  const filled = useMemo(() => formFilled(schema, config), [schema, config]);
  return (
    <Form
      schema={schema as RJSFSchema}
      uiSchema={uiSchema}
      formData={formData}
      formContext={props.formContext}
      validator={validator}
      widgets={WIDGETS}
      fields={FORM_FIELDS}
      templates={FORM_TEMPLATES}
      transformErrors={transformErrors}
      extraErrors={extraErrors}
      liveValidate="onChange"
      showErrorList={false}
      noHtml5Validate
      disabled={props.readOnly}
      idPrefix={`cfg-${props.nodeId}`}
      onChange={(event) => {
        // rjsf reports a change on mount (filling defaults): only real edits enter the history.
        const reported = blankRows.reported((event.formData ?? {}) as Record<string, unknown>);
        const next = formEdit(pruneConfig(reported, spec.config_schema), config, filled);
        if (next) props.onChange(next);
      }}
    />
  );
}

/**
 * Where one exit goes: a block, or "—" for none. Named as its row reads, in the interface language («Выходы:
 * Ответил», not the catalog's «Выходы: Answered» beside a row saying «Ответил»). Props only.
 */
export function ExitTargetSelect(props: {
  blockType: string;
  /** The block type's catalog entry: a plugin's exits are labelled in the words it gives. */
  spec?: BlockSpec;
  exit: { name: string; label: string };
  target: string;
  targets: readonly { id: string; title: string }[];
  onChange(target: string | null): void;
}) {
  const { t, language } = useI18n();
  const { exit } = props;
  return (
    <select
      aria-label={`${t("editor.exits")}: ${exitLabel(language, props.blockType, exit.name, exit.label, props.spec)}`}
      data-exit={exit.name}
      value={props.target}
      onChange={(e) => props.onChange(e.target.value || null)}
    >
      <option value="">—</option>
      {props.targets.map((block) => (
        <option key={block.id} value={block.id}>
          {block.title}
        </option>
      ))}
    </select>
  );
}

/**
 * The panel's heading: the block type's title and description in the palette's words (a plugin's own for the
 * language, lib/blockText.ts `specTitle`), or that the catalog does not have the type. Props only.
 */
export function BlockPanelHeading({ type, spec }: { type: string; spec: BlockSpec | undefined }) {
  const { t, language } = useI18n();
  const description = spec ? specDescription(language, spec) : "";
  return (
    <>
      <h2>{specTitle(language, type, spec)}</h2>
      {description && (
        <p className="muted description">
          <TextWithCode text={description} />
        </p>
      )}
      {!spec && <p className="error-text">{t("editor.unknownBlock", { type })}</p>}
    </>
  );
}

/**
 * The key of the selected block's config form: new for each block selected, kept when the block is renamed here.
 * Keyed by the block's id, a rename (made as the id field loses the focus, to a click into the form) drew the form
 * anew under that click: the field clicked was replaced, the focus fell to the page, and what the analyst typed next
 * was lost. `renamed(from, to)` is told of each rename this panel made.
 */
export function useFormKey(id: string): { key: number; renamed(from: string, to: string): void } {
  const [shown, setShown] = useState({ id, key: 0, renamedTo: null as string | null });
  if (shown.id !== id) {
    // Another block, or this one under its new id: adjusted while rendering, before anything is drawn with it.
    setShown({ id, key: shown.renamedTo === id ? shown.key : shown.key + 1, renamedTo: null });
  }
  return {
    key: shown.key,
    renamed: (from, to) => setShown((now) => (now.id === from ? { ...now, renamedTo: to } : now)),
  };
}

/**
 * The panel of a block newly selected starts at its top, its title and first fields in sight, not scrolled to where
 * the last block's was (review: a block just added opened mid-form). A block renamed, or re-drawn by an edit, keeps
 * its place: `formKey` is `useFormKey`'s, new for each block selected only. The panel scrolls in its .panel-body
 * (on a narrow screen the page does, and is left where it is).
 */
function useTopForEachBlock(formKey: number) {
  const panel = useRef<HTMLFieldSetElement>(null);
  useLayoutEffect(() => {
    const body = panel.current?.closest(".panel-body");
    if (body) body.scrollTop = 0;
  }, [formKey]);
  return panel;
}

export function BlockPanel({ node, suggestions }: { node: BlockNode; suggestions: Suggestions }) {
  const { t, language } = useI18n();
  const form = useFormKey(node.id);
  const panel = useTopForEachBlock(form.key);
  const spec = useEditor((s) => s.catalog.get(node.data.blockType));
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const head = useEditor((s) => s.head);
  const catalog = useEditor((s) => s.catalog);
  const problems = useEditor((s) => s.problems);
  const readOnly = useEditor((s) => s.readOnly);
  const updateNode = useEditor((s) => s.updateNode);
  const renameNode = useEditor((s) => s.renameNode);
  const setExitTarget = useEditor((s) => s.setExitTarget);
  // The recordings as listed after an upload in this session, else those the editor loaded.
  const uploadedList = useAudioList((s) => s.assets);
  const replaceAudioList = useAudioList((s) => s.replace);

  const formContext = useMemo<FormContext>(() => {
    const language = head.language ?? "en";
    // An editor (and up) may upload; the server refuses a viewer, so a viewer is not offered it.
    const uploadAudio = readOnly
      ? undefined
      : async (file: File) => {
          const asset = await api.uploadAudio(file, assetTitle(file.name), language);
          replaceAudioList(await api.audioAssets().catch(() => [...(uploadedList ?? suggestions.audio), asset]));
          return asset;
        };
    return {
      variables: availableVariables(head, nodes),
      nodes: nodes.filter((n) => n.id !== node.id).map((n) => ({ id: n.id, title: n.data.label ? `${n.data.label} (${n.id})` : n.id })),
      ...suggestions,
      audio: uploadedList ?? suggestions.audio,
      language,
      uploadAudio,
      results: head.results ?? [],
    };
    // Node titles and variables change rarely; recomputing on every keystroke is cheap enough at this size.
  }, [head, nodes, node.id, suggestions, readOnly, uploadedList, replaceAudioList]);
  const exits = nodeExits(node, catalog, edges);
  const targets = nodes.filter((n) => n.data.blockType !== "start").map((n) => ({ id: n.id, title: n.data.label ? `${n.data.label} (${n.id})` : n.id }));
  const nodeProblems = problems.filter((p) => p.node === node.id);
  const problemFields = new Set(nodeProblems.map((p) => configFieldOf(p.path)).filter(Boolean));

  return (
    <fieldset ref={panel} className="block-panel" data-testid="block-panel" disabled={readOnly}>
      <BlockPanelHeading type={node.data.blockType} spec={spec} />
      <label>
        {t("editor.label")}
        <input
          name="label"
          value={node.data.label ?? ""}
          onChange={(e) => updateNode(node.id, { label: e.target.value })}
        />
      </label>
      <NodeIdField
        key={node.id}
        id={node.id}
        ids={nodes.map((n) => n.id)}
        rename={(from, to) => {
          const done = renameNode(from, to);
          if (done) form.renamed(from, to);
          return done;
        }}
      />
      {nodeProblems.length > 0 && (
        <ul className="node-problems" aria-label={t("problems.title")}>
          {nodeProblems.map((p, i) => (
            <li key={`${p.code}-${i}`} className={`problem ${p.severity}`}>
              {problemText(p, language, { catalog, typeOf: () => node.data.blockType })}
            </li>
          ))}
        </ul>
      )}
      {spec && (
        <div className={`config-form${problemFields.size ? " has-problems" : ""}`}>
          <BlockConfigForm
            key={form.key}
            nodeId={node.id}
            spec={spec}
            config={node.data.config}
            formContext={formContext}
            readOnly={readOnly}
            problems={nodeProblems}
            onChange={(config) => updateNode(node.id, { config })}
          />
        </div>
      )}
      {spec?.type === "sql" && !readOnly && (
        <TryQuery
          // Not the bare id: NodeIdField, a sibling, is keyed by it, and two siblings of one key are drawn twice.
          key={`try-${node.id}`}
          source={typeof node.data.config.source === "string" ? node.data.config.source : ""}
          query={typeof node.data.config.query === "string" ? node.data.config.query : ""}
          mapped={Object.keys((node.data.config.columns as Record<string, unknown> | undefined) ?? {})}
        />
      )}
      <h3>{t("editor.exits")}</h3>
      <table className="exit-table">
        <tbody>
          {exits.map((exit) => {
            const edge = edges.find((e) => e.source === node.id && e.sourceHandle === exit.name);
            return (
              <tr key={exit.name}>
                <th scope="row">{exitLabel(language, node.data.blockType, exit.name, exit.label, spec)}</th>
                <td>
                  <ExitTargetSelect
                    blockType={node.data.blockType}
                    spec={spec}
                    exit={exit}
                    target={edge?.target ?? ""}
                    targets={targets}
                    onChange={(target) => setExitTarget(node.id, exit.name, target)}
                  />
                  {!edge && spec && (
                    <div className="muted small">{unwiredHint(language, node.data.blockType, exit.name, spec.unwired_meaning)}</div>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <label>
        {t("editor.notes")}
        <textarea rows={2} value={node.data.notes ?? ""} onChange={(e) => updateNode(node.id, { notes: e.target.value })} />
      </label>
    </fieldset>
  );
}
