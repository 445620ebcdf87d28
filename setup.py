"""vadkit: unsupervised video anomaly detection on PyTorch + mmengine."""
import os.path as osp

from setuptools import find_packages, setup


def version() -> str:
    ns: dict = {}
    with open(osp.join(osp.dirname(__file__), 'vadkit', 'version.py')) as f:
        exec(f.read(), ns)
    return ns['__version__']


setup(
    name='vadkit',
    version=version(),
    description='Registry-based toolkit for unsupervised video anomaly detection',
    long_description=open('README.md').read() if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['vadkit', 'vadkit.*']),
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
