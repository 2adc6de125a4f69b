/* The type options that name fields (title field, listing columns, search fields) offer the
 * fields of the builder as they are now, including blocks added in this save.
 *
 * A small Stimulus controller on Wagtail's own application: it reads the builder's name
 * inputs (blocks marked deleted left out) and rebuilds the options of its select or its
 * checkboxes, keeping what was chosen. Server-side, the definition checks every name.
 */
(() => {
  const register = () => {
    const app = window.wagtail && window.wagtail.app;
    const Stimulus = window.StimulusModule;
    if (!app || !Stimulus) return false;

    class FieldNamesController extends Stimulus.Controller {
      static values = { builder: String, multiple: Boolean, blank: String };

      connect() {
        this.refresh = this.refresh.bind(this);
        ['input', 'change', 'click'].forEach((type) =>
          document.addEventListener(type, this.refresh),
        );
        this.refresh();
      }

      disconnect() {
        ['input', 'change', 'click'].forEach((type) =>
          document.removeEventListener(type, this.refresh),
        );
      }

      /** The builder's fields as [block prefix, name], in order. */
      fields() {
        const prefix = `${this.builderValue}-`;
        const inputs = document.querySelectorAll(`[name^="${prefix}"][name$="-value-name"]`);
        const fields = [];
        inputs.forEach((input) => {
          const block = input.name.slice(0, -'-value-name'.length);
          const deleted = document.querySelector(`[name="${block}-deleted"]`);
          const name = input.value.trim();
          if (name && !(deleted && deleted.value) && !fields.some(([, n]) => n === name)) {
            fields.push([block, name]);
          }
        });
        return fields;
      }

      refresh() {
        const fields = this.fields();
        if (this.multipleValue) {
          this.refreshCheckboxes(fields);
        } else {
          this.refreshSelect(fields);
        }
      }

      /** The block a chosen option stands for: remembered, or the block of that name now. */
      blockOf(element, value, fields) {
        if (element.dataset.block) return element.dataset.block;
        const found = fields.find(([, name]) => name === value);
        return found ? found[0] : null;
      }

      refreshSelect(fields) {
        const select = this.element;
        const chosen = select.selectedOptions[0];
        const block = chosen && chosen.value ? this.blockOf(chosen, chosen.value, fields) : null;
        const current = Array.from(select.options).map((o) => `${o.dataset.block}:${o.value}`);
        const wanted = ['undefined:', ...fields.map(([b, n]) => `${b}:${n}`)];
        if (wanted.join('\n') === current.join('\n')) return;
        const blank = document.createElement('option');
        blank.value = '';
        blank.textContent = this.blankValue;
        select.replaceChildren(
          blank,
          ...fields.map(([b, name]) => {
            const option = document.createElement('option');
            option.value = name;
            option.textContent = name;
            option.dataset.block = b;
            option.selected = b === block;
            return option;
          }),
        );
      }

      refreshCheckboxes(fields) {
        const list = this.element;
        const boxes = Array.from(list.querySelectorAll('input[type=checkbox]'));
        const current = boxes.map((box) => `${box.dataset.block}:${box.value}`);
        if (fields.map(([b, n]) => `${b}:${n}`).join('\n') === current.join('\n')) return;
        const checked = new Set(
          boxes.filter((box) => box.checked).map((box) => this.blockOf(box, box.value, fields)),
        );
        const fieldName = list.dataset.fieldName;
        list.replaceChildren(
          ...fields.map(([b, name], index) => {
            const item = document.createElement('div');
            const label = document.createElement('label');
            const box = document.createElement('input');
            box.type = 'checkbox';
            box.name = fieldName;
            box.value = name;
            box.id = `${list.id}_${index}`;
            box.dataset.block = b;
            box.checked = checked.has(b);
            label.htmlFor = box.id;
            label.append(box, ` ${name}`);
            item.append(label);
            return item;
          }),
        );
      }
    }

    app.register('dynamo-field-names', FieldNamesController);
    return true;
  };
  if (!register()) document.addEventListener('DOMContentLoaded', register);
})();
