"""The twelve signals of django-dynamo, with its names and arguments.

Model signals are sent by the MetaModel class; ``new_model`` and ``old_model`` are
generated model classes. Field signals are sent by the generated model class;
``new_field`` and ``old_field`` are MetaField instances (``old_field`` unsaved,
as the field was before the change).
"""

from django.dispatch import Signal

# Provides args: new_model
pre_model_creation = Signal()
# Provides args: new_model
post_model_creation = Signal()
# Provides args: old_model, new_model
pre_model_update = Signal()
# Provides args: old_model, new_model
post_model_update = Signal()
# Provides args: old_model
pre_model_delete = Signal()
# Provides args: old_model
post_model_delete = Signal()
# Provides args: new_field
pre_field_creation = Signal()
# Provides args: new_field
post_field_creation = Signal()
# Provides args: old_field, new_field
pre_field_update = Signal()
# Provides args: old_field, new_field
post_field_update = Signal()
# Provides args: old_field
pre_field_delete = Signal()
# Provides args: old_field
post_field_delete = Signal()
