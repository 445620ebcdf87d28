"""Interval label files: every accepted format reads to the same intervals."""

import pytest

from vadkit.datasets.layouts import (
    DatasetError,
)
from vadkit.datasets.layouts.label_files import read_interval_file
from vadkit.utils import register_all_modules

register_all_modules()


def test_interval_file_formats(tmp_path):
    for name, text in (('a.csv', 'start,end\n1,2\n5,9\n'), ('b.txt', '1 2\n5\t9\n'),
                       ('c.json', '{"anomalies": [[1, 2], [5, 9]]}'),
                       ('d.csv', '# start;end\n1;2\n5;9\n')):
        p = tmp_path / name
        p.write_text(text)
        assert read_interval_file(str(p)) == [(1, 2), (5, 9)], name
    (tmp_path / 'bad.csv').write_text('1,2\nfive,9\n')
    with pytest.raises(DatasetError, match='bad.csv'):
        read_interval_file(str(tmp_path / 'bad.csv'))
