/* The type options that name fields (title field, listing columns, search fields, default
 * ordering) offer the fields of the builder as they are now, including blocks added in this
 * save.
 *
 * Small Stimulus controllers on Wagtail's own application: they read the builder's name
 * inputs (blocks marked deleted left out) and rebuild the options of a select, of checkboxes
 * or of the ordering's list, keeping what was chosen (by block, so a rename in the builder
 * carries over). Server-side, the definition checks every name.
 */
(() => {
  const EVENTS = ['input', 'change', 'click', 'dynamo-builder:rendered'];

  /** Whether the builder's blocks are still to come (builder.js fetches their definitions):
   * its placeholder is there until Wagtail's stream replaces it. */
  const pending = () => document.querySelector('[data-dynamo-builder-target="stream"]') !== null;

  /** The builder's fields as [block prefix, name], in order. */
  const builderFields = (builder) => {
    const prefix = `${builder}-`;
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
  };

  /** The builder block of the field called ``name`` now, or null. */
  const blockNamed = (name, fields) => {
    const found = fields.find(([, n]) => n === name);
    return found ? found[0] : null;
  };

  /** The block a chosen option stands for: remembered, or the block of that name now. */
  const blockOf = (element, value, fields) => element.dataset.block || blockNamed(value, fields);

  /** An <option> for the field ``name`` of builder block ``block`` (none: not in the builder). */
  const fieldOption = (block, name, selected) => {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = name;
    if (block) option.dataset.block = block;
    option.selected = selected;
    return option;
  };

  const icon = (name) => {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('class', 'icon');
    svg.setAttribute('aria-hidden', 'true');
    const use = document.createElementNS('http://www.w3.org/2000/svg', 'use');
    use.setAttribute('href', `#icon-${name}`);
    svg.append(use);
    return svg;
  };

  const button = (iconName, label, action) => {
    const element = document.createElement('button');
    element.type = 'button';
    element.className = 'button button-small button-secondary button--icon text-replace';
    element.title = label;
    element.setAttribute('aria-label', label);
    element.dataset.action = `dynamo-ordering#${action}`;
    element.append(icon(iconName));
    return element;
  };

  const register = () => {
    const app = window.wagtail && window.wagtail.app;
    const Stimulus = window.StimulusModule;
    if (!app || !Stimulus) return false;

    class FieldNamesController extends Stimulus.Controller {
      static values = { builder: String, multiple: Boolean, blank: String };

      connect() {
        this.refresh = this.refresh.bind(this);
        EVENTS.forEach((type) => document.addEventListener(type, this.refresh));
        this.refresh();
      }

      disconnect() {
        EVENTS.forEach((type) => document.removeEventListener(type, this.refresh));
      }

      refresh() {
        if (pending()) return; // what was chosen stays until the builder's fields are there
        const fields = builderFields(this.builderValue);
        if (this.multipleValue) {
          this.refreshCheckboxes(fields);
        } else {
          this.refreshSelect(fields);
        }
      }

      refreshSelect(fields) {
        const select = this.element;
        const chosen = select.selectedOptions[0];
        const block = chosen && chosen.value ? blockOf(chosen, chosen.value, fields) : null;
        const current = Array.from(select.options).map((o) => `${o.dataset.block}:${o.value}`);
        const wanted = ['undefined:', ...fields.map(([b, n]) => `${b}:${n}`)];
        if (wanted.join('\n') === current.join('\n')) return;
        const blank = document.createElement('option');
        blank.value = '';
        blank.textContent = this.blankValue;
        select.replaceChildren(
          blank,
          ...fields.map(([b, name]) => fieldOption(b, name, b === block)),
        );
      }

      refreshCheckboxes(fields) {
        const list = this.element;
        const boxes = Array.from(list.querySelectorAll('input[type=checkbox]'));
        const current = boxes.map((box) => `${box.dataset.block}:${box.value}`);
        if (fields.map(([b, n]) => `${b}:${n}`).join('\n') === current.join('\n')) return;
        const checked = new Set(
          boxes.filter((box) => box.checked).map((box) => blockOf(box, box.value, fields)),
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

    /* The default ordering: a list of rows (field, direction) to sort by dragging a row or
     * with its move buttons; each row keeps one hidden input ("-price") for the form. */
    class OrderingController extends Stimulus.Controller {
      static values = { builder: String, name: String };

      connect() {
        this.refresh = this.refresh.bind(this);
        const fields = builderFields(this.builderValue);
        const inputs = Array.from(this.element.querySelectorAll('input[type=hidden]'));
        this.list = document.createElement('ol');
        this.list.className = 'dynamo-ordering';
        inputs.forEach((input) => {
          this.list.append(this.row(input.value, fields));
          input.remove();
        });
        const add = document.createElement('button');
        add.type = 'button';
        add.className = 'button button-small button-secondary';
        add.dataset.action = 'dynamo-ordering#add';
        add.append(icon('plus'), ' Sort by another field');
        this.element.append(this.list, add);
        EVENTS.forEach((type) => document.addEventListener(type, this.refresh));
        this.refresh();
      }

      disconnect() {
        EVENTS.forEach((type) => document.removeEventListener(type, this.refresh));
      }

      row(value, fields) {
        const name = value.replace(/^-/, '');
        const item = document.createElement('li');
        item.draggable = true;
        item.addEventListener('dragstart', () => {
          this.dragged = item;
        });
        item.addEventListener('dragover', (event) => {
          event.preventDefault();
          if (!this.dragged || this.dragged === item) return;
          const position = this.dragged.compareDocumentPosition(item);
          const after = position & Node.DOCUMENT_POSITION_FOLLOWING;
          item.parentNode.insertBefore(this.dragged, after ? item.nextSibling : item);
        });
        item.addEventListener('dragend', () => {
          this.dragged = null;
          this.refresh();
        });
        const grip = icon('grip');
        const hidden = document.createElement('input');
        hidden.type = 'hidden';
        hidden.name = this.nameValue;
        const field = document.createElement('select');
        field.setAttribute('aria-label', 'Field');
        field.append(fieldOption(blockNamed(name, fields), name, true));
        const direction = document.createElement('select');
        direction.setAttribute('aria-label', 'Direction');
        [
          ['', 'ascending'],
          ['-', 'descending'],
        ].forEach(([sign, label]) => {
          const choice = document.createElement('option');
          choice.value = sign;
          choice.textContent = label;
          choice.selected = sign === (value.startsWith('-') ? '-' : '');
          direction.append(choice);
        });
        item.append(
          grip,
          hidden,
          field,
          direction,
          button('arrow-up', 'Move up', 'up'),
          button('arrow-down', 'Move down', 'down'),
          button('bin', 'Remove', 'remove'),
        );
        return item;
      }

      add() {
        const fields = builderFields(this.builderValue);
        const used = new Set(Array.from(this.list.querySelectorAll('input')).map((i) => i.value));
        const free = fields.find(([, name]) => !used.has(name) && !used.has(`-${name}`));
        if (!free) return;
        const item = this.row(free[1], fields);
        this.list.append(item);
        this.refresh();
        item.querySelector('select').focus();
      }

      up(event) {
        const item = event.target.closest('li');
        const before = item.previousElementSibling;
        if (before) item.parentNode.insertBefore(item, before);
        this.refresh();
        event.target.closest('button').focus();
      }

      down(event) {
        const item = event.target.closest('li');
        if (item.nextElementSibling) item.parentNode.insertBefore(item.nextElementSibling, item);
        this.refresh();
        event.target.closest('button').focus();
      }

      remove(event) {
        event.target.closest('li').remove();
        this.refresh();
      }

      /** Each row's field select offers the builder's fields; its input says what is chosen. */
      refresh() {
        if (!this.list || pending()) return;
        const fields = builderFields(this.builderValue);
        this.list.querySelectorAll('li').forEach((item) => {
          const [field, direction] = item.querySelectorAll('select');
          const chosen = field.selectedOptions[0];
          const block = chosen ? blockOf(chosen, chosen.value, fields) : null;
          const known = fields.some(([b]) => b === block);
          const options = fields.map(([b, name]) => fieldOption(b, name, b === block));
          // A name the builder does not have (yet): kept for the check to judge.
          if (chosen && !known) options.unshift(chosen);
          const current = Array.from(field.options).map((o) => `${o.dataset.block}:${o.value}`);
          const wanted = options.map((o) => `${o.dataset.block}:${o.value}`);
          if (current.join('\n') !== wanted.join('\n')) field.replaceChildren(...options);
          item.querySelector('input').value = field.value ? direction.value + field.value : '';
        });
      }
    }

    app.register('dynamo-field-names', FieldNamesController);
    app.register('dynamo-ordering', OrderingController);
    return true;
  };
  if (!register()) document.addEventListener('DOMContentLoaded', register);
})();
