"""The model zoo (configs/luss_ae/metafile.yml, its README, model-index.yml) stays true: every
config it names exists and builds, every result says how and where it was measured, and
every figure in the metafile is on the zoo page. The docs' relative links resolve."""
import glob
import os.path as osp
import re
import shlex

import pytest
import yaml

from vadkit.registry import MODELS
from vadkit.utils import register_all_modules
from vadkit.utils.run_config import load_config

register_all_modules(init_default_scope=False)
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ZOO = osp.join(REPO, 'configs', 'luss_ae')
DOCS = [osp.join(REPO, 'README.md'), osp.join(ZOO, 'README.md'),
        *sorted(glob.glob(osp.join(REPO, 'docs', '*.md')))]
RESULT_FIELDS = ('Dataset', 'Task', 'Metrics', 'Normalizer', 'Machine', 'Seed', 'Epochs',
                 'Command')
NUMBER = re.compile(r'\d[\d,]*(?:\.\d+)?')


def load_yaml(path: str) -> dict:
    with open(path) as f:
        return yaml.safe_load(f)


def read(path: str) -> str:
    with open(path) as f:
        return f.read()


METAFILE = load_yaml(osp.join(ZOO, 'metafile.yml'))
MODELS_ = METAFILE['Models']
MEASURED = [m for m in MODELS_ if m.get('Results')]
ZOO_PAGE = read(osp.join(ZOO, 'README.md'))
# the page's text with shell line continuations joined and whitespace collapsed
ZOO_FLAT = ' '.join(ZOO_PAGE.replace('\\\n', ' ').split())
ZOO_NUMBERS = {float(n.replace(',', '')) for n in NUMBER.findall(ZOO_PAGE)}


def test_model_index_imports_the_metafile():
    index = load_yaml(osp.join(REPO, 'model-index.yml'))
    assert 'configs/luss_ae/metafile.yml' in index['Import']
    for path in index['Import']:
        assert osp.isfile(osp.join(REPO, path)), path


def test_metafile_is_openmmlab_shaped():
    names = [m['Name'] for m in MODELS_]
    assert len(names) == len(set(names)), 'model names must be unique'
    collections = {c['Name']: c for c in METAFILE['Collections']}
    readme = collections['LUSS-AE']['README']
    assert osp.isfile(osp.join(REPO, readme)), readme
    for m in MODELS_:
        assert m['In Collection'] in collections, m['Name']
        for key in ('Training Data', 'Epochs', 'Batch Size', 'Resolution'):
            assert key in m['Metadata'], (m['Name'], key)
    assert len(MEASURED) >= 10


def test_every_config_is_in_the_zoo():
    """A config users can run has its model entry (its figures, or its settings alone)."""
    configs = {osp.relpath(p, REPO) for p in glob.glob(osp.join(REPO, 'configs', '*', '*.py'))
               if osp.basename(osp.dirname(p)) != '_base_'}
    assert configs, 'no configs found'
    assert sorted(configs - {m['Config'] for m in MODELS_}) == []


@pytest.mark.parametrize('config', sorted({m['Config'] for m in MODELS_}))
def test_config_exists_validates_and_builds(config):
    path = osp.join(REPO, config)
    assert osp.isfile(path), config
    cfg = load_config(path)  # validates the config (a ConfigError on any problem)
    MODELS.build(cfg.model)
    for m in MODELS_:
        if m['Config'] == config:
            assert m['Metadata']['Epochs'] == cfg.train_cfg.max_epochs, m['Name']
            assert m['Metadata']['Batch Size'] == cfg.train_dataloader.batch_size, m['Name']


def command_options(command: str) -> dict:
    """The ``--cfg-options`` of a command line, as ``{key: value}``."""
    words = shlex.split(command)
    if '--cfg-options' not in words:
        return {}
    options = words[words.index('--cfg-options') + 1:]
    return dict(o.split('=', 1) for o in options if '=' in o)


@pytest.mark.parametrize('model', MEASURED, ids=lambda m: m['Name'])
def test_each_result_says_what_where_and_how(model):
    cfg = load_config(osp.join(REPO, model['Config']))
    for result in model['Results']:
        missing = [k for k in RESULT_FIELDS if k not in result]
        assert not missing, (model['Name'], missing)
        assert 'Micro AUROC' in result['Metrics'], model['Name']
        for value in result['Metrics'].values():
            assert 50 <= value <= 100, (model['Name'], value)
        # the command runs this config, with the seed and epochs the result claims
        assert model['Config'] in result['Command'], model['Name']
        options = command_options(result['Command'])
        assert int(options.get('randomness.seed', cfg.randomness.seed)) == result['Seed']
        assert int(options.get('train_cfg.max_epochs', cfg.train_cfg.max_epochs)) == \
            result['Epochs'] == model['Metadata']['Epochs']


@pytest.mark.parametrize('model', MEASURED, ids=lambda m: m['Name'])
def test_every_figure_of_the_metafile_is_on_the_zoo_page(model):
    for result in model['Results']:
        for name, value in result['Metrics'].items():
            assert float(value) in ZOO_NUMBERS, f'{model["Name"]}: {name} {value}'
        for key in ('Machine', 'Normalizer', 'Wall Time', 'Dataset'):
            if key in result:
                assert result[key] in ZOO_PAGE, f'{model["Name"]}: {key} {result[key]!r}'
        # the command as written on the page; a seed option is written there once, as N
        command = re.sub(r' --cfg-options randomness\.seed=\d+$', '', result['Command'])
        assert command in ZOO_FLAT, f'{model["Name"]}: command not on the page'


def test_unmeasured_configs_are_marked_on_the_page():
    for m in MODELS_:
        if m.get('Results'):
            continue
        stem = osp.basename(m['Config'])
        generic = re.sub(r'_(ped2|avenue|shanghaitech)\.py$', '_DS.py', stem)
        assert stem in ZOO_PAGE or generic in ZOO_PAGE, m['Config']
    assert 'not measured (needs a GPU)' in ZOO_PAGE


def heading_anchors(text: str) -> set:
    """GitHub's anchors for the Markdown headings of ``text``."""
    anchors = set()
    for line in re.sub(r'```.*?```', '', text, flags=re.S).splitlines():
        match = re.match(r'#{1,6}\s+(.*)', line)
        if match:
            slug = re.sub(r'[^\w\- ]', '', match.group(1).strip().lower())
            anchors.add(slug.replace(' ', '-'))
    return anchors


def strip_code(text: str) -> str:
    """``text`` without fenced code blocks and inline code."""
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    return re.sub(r'`[^`\n]*`', '', text)


@pytest.mark.parametrize('doc', DOCS, ids=lambda p: osp.relpath(p, REPO))
def test_relative_links_resolve(doc):
    text = read(doc)
    broken = []
    for target in re.findall(r'\]\(([^)\s]+)\)', strip_code(text)):
        if re.match(r'[a-z]+:', target):
            continue  # http(s), mailto: not checked here
        path, _, anchor = target.partition('#')
        file = osp.normpath(osp.join(osp.dirname(doc), path)) if path else doc
        if not osp.exists(file):
            broken.append(target)
        elif anchor and file.endswith('.md') and anchor not in heading_anchors(read(file)):
            broken.append(target)
    assert not broken, f'{osp.relpath(doc, REPO)}: broken links {broken}'
