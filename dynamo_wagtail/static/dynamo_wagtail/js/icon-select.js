// The content type's icon (dynamo_wagtail.admin.forms.IconSelect): the page carries a plain
// <select> with the chosen icon and the names of all icons in a data attribute; this turns it
// into a grid of radios, each with its icon (from Wagtail's sprite) before its name.
(() => {
  const SVG = 'http://www.w3.org/2000/svg';

  class IconSelectController extends window.StimulusModule.Controller {
    static values = { names: String };

    connect() {
      const select = this.element.querySelector('select');
      if (!select) return;
      const chosen = select.value;
      const names = this.namesValue.split(' ').filter(Boolean);
      const grid = document.createElement('div');
      grid.setAttribute('role', 'radiogroup');
      if (select.id) grid.id = select.id;
      names.forEach((icon) => {
        const option = { value: icon, text: icon };
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'radio';
        input.name = select.name;
        input.value = option.value;
        input.checked = icon === chosen;
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
