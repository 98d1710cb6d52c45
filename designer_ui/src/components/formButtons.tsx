/**
 * rjsf's array buttons, drawn as labelled buttons. The default ones are Bootstrap glyph icons, which this
 * designer does not load: without these they would be empty squares nobody knows to click.
 */
import type { IconButtonProps, TemplatesType } from "@rjsf/utils";
import { useI18n } from "../i18n";
import type { MessageKey } from "../lib/i18n";

function makeButton(key: MessageKey, symbol: string, withText = false) {
  return function FormButton(props: IconButtonProps) {
    const { t } = useI18n();
    // Drop rjsf's styling props; keep id, onClick, disabled and the rest of the button's attributes.
    const { iconType: _iconType, icon: _icon, uiSchema: _uiSchema, registry: _registry, className, ...button } = props;
    const label = t(key);
    return (
      <button type="button" {...button} className={`form-button ${className ?? ""}`} title={label} aria-label={label}>
        {symbol}
        {withText && ` ${label}`}
      </button>
    );
  };
}

const AddButton = makeButton("form.add", "+", true);

export const BUTTON_TEMPLATES: Partial<TemplatesType["ButtonTemplates"]> = {
  AddButton: (props) => (
    <div className="form-add">
      <AddButton {...props} className="btn-add" />
    </div>
  ),
  RemoveButton: makeButton("form.remove", "✕"),
  MoveUpButton: makeButton("form.moveUp", "↑"),
  MoveDownButton: makeButton("form.moveDown", "↓"),
  CopyButton: makeButton("form.copy", "⧉"),
  ClearButton: makeButton("form.clear", "✕"),
};
