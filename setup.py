"""vadkit: unsupervised video anomaly detection on PyTorch + mmengine."""
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

SHIPPED = ('configs', 'tools')  # run by name after a plain install (vadkit/utils/config_paths.py)


def ship_configs_and_tools() -> None:
    """Copy configs/ and tools/ into vadkit/.mim for a wheel, as OpenMMLab's mim does, so an
    installed vadkit runs ``vadkit train <config name>`` from any folder. An editable install
    needs no copy: it uses the checkout's folders."""
    if not any(cmd in sys.argv for cmd in ('bdist_wheel', 'sdist', 'build', 'install')):
        return
    here = osp.dirname(osp.abspath(__file__))
    mim = osp.join(here, 'vadkit', '.mim')
    for name in SHIPPED:
        src, dst = osp.join(here, name), osp.join(mim, name)
        if osp.isdir(src):
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc'))


def version() -> str:
    ns: dict = {}
    with open(osp.join(osp.dirname(__file__), 'vadkit', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


ship_configs_and_tools()
setup(
    name='vadkit',
    version=version(),
    description='Registry-based toolkit for unsupervised video anomaly detection',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['vadkit', 'vadkit.*']),
    package_data={'vadkit': [f'.mim/{name}/**/*' for name in SHIPPED]
                  + ['visualization/report/template.html']},
    python_requires='>=3.11',
    # Tested together: Python 3.11.7, torch 2.13.0+cpu, mmengine 0.10.7, mmcv-lite 2.2.0,
    # numpy 2.4.6, opencv-python-headless 5.0.0.93, scikit-learn 1.9.1, scipy 1.17.1,
    # matplotlib 3.11.2, tqdm 4.70.1; onnx 1.23.2, onnxscript 0.7.2, onnxruntime 1.32.0;
    # pytest 9.0.3, pytest-xdist 3.8.0, ruff 0.17.6. Lower bounds are what the code calls,
    # not tested releases.
    install_requires=[
        # >= 2.6: add_safe_globals, torch.onnx.export(dynamo=True, external_data=...);
        # < 2.14: newer releases are untested (and the CPU 2.13 wheel stays the one chosen
        # where pip also sees newer CUDA builds)
        'torch>=2.6,<2.14',
        # exact: vadkit relies on mmengine internals: mmengine.runner.checkpoint.
        # _load_checkpoint_to_model, mmengine.runner.loops._update_losses, Runner._hooks,
        # _load_from, _resume, _has_loaded, _work_dir, BaseModel._set_device, and the
        # layout of Runner._log_env's output (vadkit/utils/console_log.py)
        'mmengine==0.10.7',
        'mmcv-lite>=2.2.0,<2.3',
        'numpy>=2,<3',  # numpy._core (vadkit/utils/checkpoint.py)
        'opencv-python-headless>=4.5',
        'scikit-learn>=1.0',
        'scipy>=1.13',  # the first built for numpy 2
        'matplotlib>=3.8',
        'tqdm>=4',
    ],
    extras_require={
        # tools/export.py --format onnx: torch.onnx's exporter and the onnxruntime check
        'onnx': ['onnx>=1.17', 'onnxscript>=0.7', 'onnxruntime>=1.20'],
        # pytest-xdist: the suite runs in two processes (pytest -n 2)
        'tests': ['pytest>=7', 'pytest-xdist>=3', 'onnx>=1.17', 'onnxscript>=0.7',
                  'onnxruntime>=1.20', 'tensorboard>=2.14'],
        # vis_backends=[dict(type='TensorboardVisBackend')] in a config
        'tensorboard': ['tensorboard>=2.14'],
        'dev': ['ruff>=0.6', 'pytest>=7'],
    },
    entry_points={'console_scripts': ['vadkit=vadkit.cli:main']},
    license='Apache-2.0',
)
