"""``make bench``'s first figure measures handlers and the floor in fresh processes."""

from tests.load.bench import BenchOptions, cold_imports, imported_packages


def test_the_cold_import_figure_has_the_floor_and_each_measured_handler():
    figure = cold_imports(BenchOptions(runs=1, only="tiers_list"))
    names = [row[0] for row in figure.rows]
    assert names[0].startswith("(floor")
    assert names[1:] == ["tiers_list"]
    assert all(float(row[1]) > 0 for row in figure.rows)
    assert "tiers_list" in figure.render()


def test_import_times_are_attributed_to_top_level_packages():
    packages = imported_packages("import json, email.mime.text")
    assert {"json", "email"} <= set(packages)
    assert all(seconds >= 0 for seconds in packages.values())
