"""Environment set-up shared by tools, tests and the Python API."""
import datetime
import importlib
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every vadkit module that registers something, and optionally make
    ``vadkit`` the default registry scope (as OpenMMLab codebases do)."""
    for module in ('vadkit.datasets', 'vadkit.engine', 'vadkit.evaluation', 'vadkit.models',
                   'vadkit.visualization'):
        importlib.import_module(module)
    from .checkpoint import allow_plain_numpy_in_checkpoints
    allow_plain_numpy_in_checkpoints()
    if init_default_scope:
        never_created = (DefaultScope.get_current_instance() is None
                         or not DefaultScope.check_instance_created('vadkit'))
        if never_created:
            DefaultScope.get_instance('vadkit', scope_name='vadkit')
            return
        current_scope = DefaultScope.get_current_instance()
        if current_scope.scope_name != 'vadkit':
            warnings.warn('The current default scope '
                          f'"{current_scope.scope_name}" is not "vadkit", '
                          '`register_all_modules` will force the current'
                          'default scope to be "vadkit".', stacklevel=2)
            new_instance_name = f'vadkit-{datetime.datetime.now()}'
            DefaultScope.get_instance(new_instance_name, scope_name='vadkit')
