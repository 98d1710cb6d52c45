/** Text with its Markdown code spans drawn as <code>: React escapes every part, so it stays text. */
import type { DescriptionFieldProps } from "@rjsf/utils";
import { codeSpans } from "../lib/inlineCode";

export function TextWithCode({ text }: { text: string }) {
  return (
    <>
      {codeSpans(text).map((part, i) => (part.code ? <code key={i}>{part.text}</code> : part.text))}
    </>
  );
}

/** rjsf's field description, its code spans drawn as code (rjsf's own shows the backticks). */
export function FieldDescription({ id, description }: DescriptionFieldProps) {
  if (!description) return null;
  return (
    <div id={id} className="field-description">
      {typeof description === "string" ? <TextWithCode text={description} /> : description}
    </div>
  );
}
