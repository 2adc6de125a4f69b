// The field builder (dynamo_wagtail.admin.forms.BuilderWidget), on top of Wagtail's
// StreamField, which renders its blocks when its own controller connects:
//
// - the blocks' definitions are not on the page: they are fetched from their address
//   (data-dynamo-builder-definitions-value, with their version) once per version and kept in
//   local storage (Wagtail's admin responses are never cached), then Wagtail's block
//   controller (w-block) is connected to the stream;
// - "More options" opens on the blocks that hold a value other than the default there (their
//   ids: data-dynamo-builder-open-value), by the "beforematch" event Wagtail's collapsible
//   panels open on (Wagtail sends it for an error inside them);
// - "Change kind to" lists only the kinds the block's kind converts to
//   (data-dynamo-builder-targets-value: kind -> kinds); the form refuses any other.
(() => {
  // The content of a block's "More options" group (its panel id ends so: the group's name).
  const MORE_OPTIONS = '[id$="-more_options-section"] > .w-panel__content';

  const STORED = 'dynamo-builder-definitions:';

  const stored = (url) => {
    try {
      return window.localStorage.getItem(STORED + url);
    } catch (error) {
      return null; // storage switched off
    }
  };

  const store = (url, text) => {
    try {
      Object.keys(window.localStorage)
        .filter((key) => key.startsWith(STORED))
        .forEach((key) => window.localStorage.removeItem(key));
      window.localStorage.setItem(STORED + url, text);
    } catch (error) {
      // full or switched off: fetched again next time
    }
  };

  class BuilderController extends window.StimulusModule.Controller {
    static targets = ['stream'];

    static values = {
      open: { type: Array, default: [] },
      targets: { type: Object, default: {} },
      definitions: { type: String, default: '' },
    };

    connect() {
      this.pending = [...this.openValue];
      this.observer = new MutationObserver(() => this.update());
      this.observer.observe(this.element, { childList: true, subtree: true });
      this.update();
      this.load();
    }

    async load() {
      if (!this.hasStreamTarget || !this.definitionsValue) return;
      const stream = this.streamTarget;
      const url = this.definitionsValue;
      let text = stored(url);
      if (text === null) {
        let response = null;
        try {
          response = await fetch(url, { credentials: 'same-origin' });
        } catch (error) {
          response = null;
        }
        if (!response || !response.ok) {
          stream.textContent = 'The field builder did not load. Reload the page to try again.';
          stream.classList.add('error-message');
          return;
        }
        text = await response.text();
        const version = response.headers.get('X-Dynamo-Version');
        if (version && url.endsWith(`v=${version}`)) store(url, text);
      }
      stream.setAttribute('data-w-block-data-value', text);
      stream.setAttribute('data-controller', 'w-block');
    }

    disconnect() {
      this.observer.disconnect();
    }

    update() {
      if (!this.rendered && !this.hasStreamTarget && this.definitionsValue) {
        // Wagtail's stream has replaced the placeholder: tell the options that name fields.
        this.rendered = true;
        document.dispatchEvent(new CustomEvent('dynamo-builder:rendered'));
      }
      this.pending = this.pending.filter((id) => {
        const block = this.element.querySelector(`[id="block-${CSS.escape(id)}-section"]`);
        const more = block && block.querySelector(MORE_OPTIONS);
        if (!more) return true;
        more.dispatchEvent(new Event('beforematch'));
        return false;
      });
      this.element
        .querySelectorAll('select[name$="-value-convert_to"]:not([data-dynamo-kinds])')
        .forEach((select) => {
          const typeName = select.name.replace(/-value-convert_to$/, '-type');
          const type = this.element.querySelector(`input[name="${CSS.escape(typeName)}"]`);
          if (!type) return;
          const allowed = new Set(['', ...(this.targetsValue[type.value] || [])]);
          [...select.options].forEach((option) => {
            if (!allowed.has(option.value)) option.remove();
          });
          select.dataset.dynamoKinds = type.value;
        });
    }
  }

  window.wagtail.app.register('dynamo-builder', BuilderController);
})();
