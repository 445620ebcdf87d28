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
    install_requires=[
        'torch==2.13.0',
        'mmengine==0.10.7',
        'mmcv-lite==2.2.0',
        'numpy',
        'opencv-python-headless',
        'scikit-learn',
        'scipy',
        'matplotlib',
        'tqdm',
    ],
    extras_require={
        # tools/export.py --format onnx: torch.onnx's exporter and the onnxruntime check
        'onnx': ['onnx>=1.17', 'onnxscript>=0.7', 'onnxruntime>=1.20'],
        'tests': ['pytest', 'onnx>=1.17', 'onnxscript>=0.7', 'onnxruntime>=1.20'],
    },
    entry_points={'console_scripts': ['vadkit=vadkit.cli:main']},
    license='Apache-2.0',
)
