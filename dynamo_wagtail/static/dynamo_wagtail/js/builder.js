// The field builder (dynamo_wagtail.admin.forms.BuilderWidget), on top of Wagtail's
// StreamField, which renders its blocks when its own controller connects:
//
// - "More options" opens on the blocks that hold a value other than the default there (their
//   ids: data-dynamo-builder-open-value), by the "beforematch" event Wagtail's collapsible
//   panels open on (Wagtail sends it for an error inside them);
// - "Change kind to" lists only the kinds the block's kind converts to
//   (data-dynamo-builder-targets-value: kind -> kinds); the form refuses any other.
(() => {
  // The content of a block's "More options" group (its panel id ends so: the group's name).
  const MORE_OPTIONS = '[id$="-more_options-section"] > .w-panel__content';

  class BuilderController extends window.StimulusModule.Controller {
    static values = {
      open: { type: Array, default: [] },
      targets: { type: Object, default: {} },
    };

    connect() {
      this.pending = [...this.openValue];
      this.observer = new MutationObserver(() => this.update());
      this.observer.observe(this.element, { childList: true, subtree: true });
      this.update();
    }

    disconnect() {
      this.observer.disconnect();
    }

    update() {
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
