// The content type's icon (dynamo_wagtail.admin.forms.IconSelect): the page carries a plain
// <select> of the icon names; this turns it into a grid of radios, each with its icon (from
// Wagtail's sprite) before its name. Without it, the select works as it is.
(() => {
  const SVG = 'http://www.w3.org/2000/svg';

  class IconSelectController extends window.StimulusModule.Controller {
    connect() {
      const select = this.element.querySelector('select');
      if (!select) return;
      const grid = document.createElement('div');
      grid.setAttribute('role', 'radiogroup');
      if (select.id) grid.id = select.id;
      [...select.options].forEach((option) => {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'radio';
        input.name = select.name;
        input.value = option.value;
        input.checked = option.selected;
        const svg = document.createElementNS(SVG, 'svg');
        svg.setAttribute('class', `icon icon-${option.value}`);
        svg.setAttribute('aria-hidden', 'true');
        const use = document.createElementNS(SVG, 'use');
        use.setAttribute('href', `#icon-${option.value}`);
        svg.append(use);
        const name = document.createElement('span');
        name.textContent = option.text;
        label.append(input, svg, name);
        grid.append(label);
      });
      select.replaceWith(grid);
    }
  }

  window.wagtail.app.register('dynamo-icon-select', IconSelectController);
})();
